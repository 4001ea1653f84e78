// Port of Go's text/template exec.go and funcs.go; it tracks Go's "current node" so error contexts match.

import {
  ActionNode, BranchNode, ChainNode, CommandNode, FieldNode, IdentifierNode, ListNode, NumberNode,
  PipeNode, StringNode, VariableNode, execErrorText, type Node,
} from './parse';
import {
  GoNum, GoTime, RootValue, intValue, typeName, utf8Length, type GoValue,
} from './values';
import {
  UnsupportedError, formatTime, formatValue, htmlEscape, jsEscape, sprint, sprintf, sprintln,
  timeGoString, timeString, urlQueryEscape,
} from './format';
import { goQuote } from '../../go/quote';
import { compareGoStrings } from '../../go/strings';

/** What a parameter accepts: reflect.Value, interface{}, or string. */
type ParamType = 'value' | 'any' | 'string';

/** Static result types, used by the load-time checker. */
export type SType =
  | 'root' | 'string' | 'int' | 'int64' | 'float64' | 'bool' | 'uint8' | 'time' | 'month' | 'weekday'
  | 'strings' | 'map' | 'any';

export interface Method {
  params: ParamType[];
  variadic: boolean;
  result: SType;
  call(recv: GoValue, args: GoValue[]): GoValue;
}

/** An error returned by a builtin (Go's second result), reported as "error calling NAME: ...". */
class FuncError extends Error {}

/** Execution stopped; message is Go's full error text. */
class ExecFailure extends Error {}

// break and continue unwind to the enclosing range, as Go's walkBreak/walkContinue panics do
const BREAK = { signal: 'break' };
const CONTINUE = { signal: 'continue' };

// the "no final value" marker of a pipeline stage (Go's missingVal)
const MISSING = Symbol('missing');
type Final = GoValue | typeof MISSING;

// ---------------------------------------------------------------- methods of the data types

const method0 = (result: SType, call: (recv: GoValue) => GoValue): Method =>
  ({ params: [], variadic: false, result, call: (r) => call(r) });

const asTime = (v: GoValue): GoTime => v as GoTime;

export const TIME_METHODS: Readonly<Record<string, Method>> = {
  Unix: method0('int64', (t) => BigInt(asTime(t).sec)),
  UnixMilli: method0('int64', (t) => BigInt(asTime(t).sec) * 1000n + BigInt(Math.floor(asTime(t).nsec / 1e6))),
  UnixMicro: method0('int64', (t) => BigInt(asTime(t).sec) * 1000000n + BigInt(Math.floor(asTime(t).nsec / 1e3))),
  UnixNano: method0('int64', (t) => asTime(t).unixNano()),
  Year: method0('int', (t) => asTime(t).f.year),
  Month: method0('month', (t) => new GoNum('time.Month', asTime(t).f.month)),
  Day: method0('int', (t) => asTime(t).f.day),
  Hour: method0('int', (t) => asTime(t).f.hour),
  Minute: method0('int', (t) => asTime(t).f.minute),
  Second: method0('int', (t) => asTime(t).f.second),
  Nanosecond: method0('int', (t) => asTime(t).nsec),
  YearDay: method0('int', (t) => asTime(t).f.yearDay),
  Weekday: method0('weekday', (t) => new GoNum('time.Weekday', asTime(t).f.weekday)),
  IsZero: method0('bool', (t) => asTime(t).isZero()),
  UTC: method0('time', (t) => t),
  String: method0('string', (t) => timeString(asTime(t))),
  GoString: method0('string', (t) => timeGoString(asTime(t))),
  Format: { params: ['string'], variadic: false, result: 'string', call: (t, a) => formatTime(asTime(t), a[0] as string) },
};

/** Real time.Time methods we do not implement; using one is a load-time error. */
export const UNSUPPORTED_TIME_METHODS: ReadonlySet<string> = new Set([
  'Add', 'AddDate', 'After', 'AppendBinary', 'AppendFormat', 'AppendText', 'Before', 'Clock', 'Compare',
  'Date', 'Equal', 'GobDecode', 'GobEncode', 'ISOWeek', 'In', 'IsDST', 'Local', 'Location',
  'MarshalBinary', 'MarshalJSON', 'MarshalText', 'Round', 'Sub', 'Truncate', 'UnmarshalBinary',
  'UnmarshalJSON', 'UnmarshalText', 'Zone', 'ZoneBounds',
]);

export const ENUM_METHODS: Readonly<Record<string, Method>> = {
  String: method0('string', (v) => formatValue(v)),
};

export const ROOT_FIELDS: Readonly<Record<string, SType>> = {
  Comm: 'string', ExeBase: 'string', ExeFull: 'string', Username: 'string', PID: 'int',
  StartTime: 'time', Cgroups: 'strings', SystemdUnit: 'string', ContainerID: 'string', PodUID: 'string',
  Matches: 'map',
};

export function unsupportedMethodMessage(name: string): string {
  return `method ${name} of time.Time is not supported in namedprocess-exporter name templates`;
}

// ---------------------------------------------------------------- truth and comparison

function isTrue(v: GoValue): boolean {
  switch (typeof v) {
    case 'undefined': return false;
    case 'string': return v.length > 0;
    case 'boolean': return v;
    case 'number': return v !== 0;
    case 'bigint': return v !== 0n;
  }
  if (v instanceof GoNum) return v.v !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Map) return v.size > 0;
  return true; // structs and non-nil pointers
}

type Kind = 'invalid' | 'bool' | 'int' | 'float' | 'string' | 'uint';

function basicKind(v: GoValue): Kind {
  switch (typeof v) {
    case 'boolean': return 'bool';
    case 'number': case 'bigint': return 'int';
    case 'string': return 'string';
  }
  if (v instanceof GoNum) return v.type === 'float64' ? 'float' : v.type === 'uint8' ? 'uint' : 'int';
  return 'invalid';
}

// reflect.Kind, enough to tell comparable composite values apart
function reflectKind(v: GoValue): string {
  if (v === undefined) return 'invalid';
  if (v instanceof GoTime) return 'struct';
  if (v instanceof RootValue) return 'ptr';
  if (Array.isArray(v)) return 'slice';
  if (v instanceof Map) return 'map';
  return basicKind(v);
}

function numberOf(v: GoValue): number {
  return typeof v === 'number' ? v : (v as GoNum).v;
}

function eq(arg1: GoValue, rest: GoValue[]): boolean {
  if (rest.length === 0) throw new FuncError('missing argument for comparison');
  const k1 = basicKind(arg1);
  for (const arg of rest) {
    const k2 = basicKind(arg);
    let truth = false;
    if (k1 !== k2) {
      if (k1 === 'int' && k2 === 'uint') truth = intValue(arg1)! >= 0n && intValue(arg1) === intValue(arg);
      else if (k1 === 'uint' && k2 === 'int') truth = intValue(arg)! >= 0n && intValue(arg1) === intValue(arg);
      else if (arg1 !== undefined && arg !== undefined) {
        throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg)}`);
      }
    } else {
      switch (k1) {
        case 'bool': case 'string': truth = arg1 === arg; break;
        case 'int': case 'uint': truth = intValue(arg1) === intValue(arg); break;
        case 'float': truth = numberOf(arg1) === numberOf(arg); break;
        default: {
          const r1 = reflectKind(arg1);
          const r2 = reflectKind(arg);
          if (r1 !== r2 && r1 !== 'invalid' && r2 !== 'invalid') {
            throw new FuncError(`non-comparable types ${sprintf('%s', [arg1])}: ${typeName(arg1)}, ${typeName(arg)}: ${formatValue(arg)}`);
          }
          const nil1 = arg1 === undefined;
          const nil2 = arg === undefined;
          if (nil1 || nil2) truth = nil1 === nil2;
          else if (r2 === 'slice' || r2 === 'map') {
            throw new FuncError(`non-comparable type ${sprintf('%s', [arg])}: ${typeName(arg)}`);
          } else if (arg1 instanceof GoTime && arg instanceof GoTime) truth = arg1.sec === arg.sec && arg1.nsec === arg.nsec;
          else truth = arg1 === arg || (arg1 instanceof RootValue && arg instanceof RootValue && arg1.data === arg.data);
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

function lt(arg1: GoValue, arg2: GoValue): boolean {
  const k1 = basicKind(arg1);
  if (k1 === 'invalid') throw new FuncError('invalid type for comparison');
  const k2 = basicKind(arg2);
  if (k2 === 'invalid') throw new FuncError('invalid type for comparison');
  if (k1 !== k2) {
    if (k1 === 'int' && k2 === 'uint') return intValue(arg1)! < 0n || intValue(arg1)! < intValue(arg2)!;
    if (k1 === 'uint' && k2 === 'int') return intValue(arg2)! >= 0n && intValue(arg1)! < intValue(arg2)!;
    throw new FuncError(`incompatible types for comparison: ${typeName(arg1)} and ${typeName(arg2)}`);
  }
  switch (k1) {
    case 'bool': throw new FuncError('invalid type for comparison');
    case 'float': return numberOf(arg1) < numberOf(arg2);
    case 'string': return compareGoStrings(arg1 as string, arg2 as string) < 0;
    default: return intValue(arg1)! < intValue(arg2)!;
  }
}

// ---------------------------------------------------------------- index, slice, len

function indexArg(index: GoValue, cap: number): number {
  const x = intValue(index);
  if (x === undefined) {
    if (index === undefined) throw new FuncError('cannot index slice/array with nil');
    throw new FuncError(`cannot index slice/array with type ${typeName(index)}`);
  }
  if (x < 0n || x > BigInt(cap)) throw new FuncError(`index out of range: ${x}`);
  return Number(x);
}

function indexFn(args: GoValue[]): GoValue {
  let item = args[0];
  if (item === undefined) throw new FuncError('index of untyped nil');
  for (const index of args.slice(1)) {
    if (typeof item === 'string') {
      const bytes: Buffer = Buffer.from(item, 'utf8');
      const x = indexArg(index, bytes.length);
      // Go's reflect panics on index == len; text/template reports the panic text
      if (x >= bytes.length) throw new FuncError('reflect: string index out of range');
      item = new GoNum('uint8', bytes[x]);
    } else if (Array.isArray(item)) {
      const x = indexArg(index, item.length);
      if (x >= item.length) throw new FuncError('reflect: slice index out of range');
      item = item[x] as string;
    } else if (item instanceof Map) {
      if (index === undefined) throw new FuncError('value is nil; should be of type string');
      if (typeof index !== 'string') throw new FuncError(`value has type ${typeName(index)}; should be string`);
      item = item.get(index) ?? '';
    } else {
      throw new FuncError(`can't index item of type ${indirectTypeName(item)}`);
    }
  }
  return item;
}

function sliceFn(args: GoValue[]): GoValue {
  const item = args[0];
  const indexes = args.slice(1);
  if (item === undefined) throw new FuncError('slice of untyped nil');
  if (indexes.length > 3) throw new FuncError(`too many slice indexes: ${indexes.length}`);
  let cap: number;
  if (typeof item === 'string') {
    if (indexes.length === 3) throw new FuncError('cannot 3-index slice a string');
    cap = utf8Length(item);
  } else if (Array.isArray(item)) cap = item.length;
  else throw new FuncError(`can't slice item of type ${indirectTypeName(item)}`);
  const len = cap;
  const idx = [0, len, 0];
  indexes.forEach((index, i) => { idx[i] = indexArg(index, cap); });
  if (idx[0] > idx[1]) throw new FuncError(`invalid slice index: ${idx[0]} > ${idx[1]}`);
  if (indexes.length === 3 && idx[1] > idx[2]) throw new FuncError(`invalid slice index: ${idx[1]} > ${idx[2]}`);
  if (typeof item === 'string') return Buffer.from(item, 'utf8').subarray(idx[0], idx[1]).toString('utf8');
  return (item as readonly string[]).slice(idx[0], idx[1]);
}

function lenFn(item: GoValue): GoValue {
  if (typeof item === 'string') return utf8Length(item);
  if (Array.isArray(item)) return item.length;
  if (item instanceof Map) return item.size;
  // reflect panics on the Type of an invalid value; text/template reports the panic text
  if (item === undefined) throw new FuncError('reflect: call of reflect.Value.Type on zero Value');
  throw new FuncError(`len of type ${indirectTypeName(item)}`);
}

// the type after following pointers, as indirect() does before these builtins report it
function indirectTypeName(v: GoValue): string {
  return v instanceof RootValue ? 'config.templateParams' : typeName(v);
}

// evalArgs: fmt.Sprint with missing values shown as "<no value>"
function evalArgs(args: GoValue[]): string {
  if (args.length === 1 && typeof args[0] === 'string') return args[0];
  return sprint(args.map((a) => (a === undefined ? '<no value>' : a)));
}

// ---------------------------------------------------------------- builtins (funcs.go)

interface Builtin {
  params: ParamType[];
  variadic: boolean;
  result: SType;
  call(args: GoValue[]): GoValue;
}

const fixed = (n: number, result: SType, call: (a: GoValue[]) => GoValue): Builtin =>
  ({ params: Array<ParamType>(n).fill('value'), variadic: false, result, call });

export const BUILTINS: Readonly<Record<string, Builtin>> = {
  // and/or are special-cased in evalCall (they short-circuit)
  and: { params: ['value', 'value'], variadic: true, result: 'any', call: () => undefined },
  or: { params: ['value', 'value'], variadic: true, result: 'any', call: () => undefined },
  not: fixed(1, 'bool', (a) => !isTrue(a[0])),
  len: fixed(1, 'int', (a) => lenFn(a[0])),
  index: { params: ['value', 'value'], variadic: true, result: 'any', call: indexFn },
  slice: { params: ['value', 'value'], variadic: true, result: 'any', call: sliceFn },
  call: {
    params: ['value', 'value'], variadic: true, result: 'any',
    call: () => { throw new Error('unreachable'); },
  },
  print: { params: ['any'], variadic: true, result: 'string', call: (a) => sprint(a) },
  printf: { params: ['string', 'any'], variadic: true, result: 'string', call: (a) => sprintf(a[0] as string, a.slice(1)) },
  println: { params: ['any'], variadic: true, result: 'string', call: (a) => sprintln(a) },
  html: { params: ['any'], variadic: true, result: 'string', call: (a) => htmlEscape(evalArgs(a)) },
  js: { params: ['any'], variadic: true, result: 'string', call: (a) => jsEscape(evalArgs(a)) },
  urlquery: { params: ['any'], variadic: true, result: 'string', call: (a) => urlQueryEscape(evalArgs(a)) },
  eq: { params: ['value', 'value'], variadic: true, result: 'bool', call: (a) => eq(a[0], a.slice(1)) },
  ne: fixed(2, 'bool', (a) => !eq(a[0], [a[1]])),
  lt: fixed(2, 'bool', (a) => lt(a[0], a[1])),
  le: fixed(2, 'bool', (a) => lt(a[0], a[1]) || eq(a[0], [a[1]])),
  gt: fixed(2, 'bool', (a) => !(lt(a[0], a[1]) || eq(a[0], [a[1]]))),
  ge: fixed(2, 'bool', (a) => !lt(a[0], a[1])),
};

// reflect.Value.String(): the string itself, or "<T Value>"
function reflectValueString(v: GoValue): string {
  if (typeof v === 'string') return v;
  return v === undefined ? '<invalid Value>' : `<${typeName(v)} Value>`;
}

// ---------------------------------------------------------------- the executor (exec.go)

interface Variable { name: string; value: GoValue }

class State {
  private readonly out: string[] = [];
  private node: Node | null = null;
  private vars: Variable[];

  constructor(private readonly source: string, root: RootValue) {
    this.vars = [{ name: '$', value: root }];
  }

  get text(): string { return this.out.join(''); }

  private at(node: Node): void { this.node = node; }

  private errorf(msg: string): never {
    throw new ExecFailure(execErrorText(this.source, this.node, msg));
  }

  private mark(): number { return this.vars.length; }
  private pop(mark: number): void { this.vars.length = mark; }
  private push(name: string, value: GoValue): void { this.vars.push({ name, value }); }

  private setVar(name: string, value: GoValue): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) { this.vars[i].value = value; return; }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private setTopVar(n: number, value: GoValue): void {
    this.vars[this.vars.length - n].value = value;
  }

  private varValue(name: string): GoValue {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) return this.vars[i].value;
    }
    this.errorf(`undefined variable: ${name}`);
  }

  walk(dot: GoValue, node: Node): void {
    this.at(node);
    switch (node.kind) {
      case 'action': {
        const val = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.printValue(node, val);
        return;
      }
      case 'break': throw BREAK;
      case 'continue': throw CONTINUE;
      case 'if': case 'with': this.walkIfOrWith(node as BranchNode, dot); return;
      case 'list': for (const n of node.nodes) this.walk(dot, n); return;
      case 'range': this.walkRange(dot, node as BranchNode); return;
      case 'text': this.out.push(node.text); return;
    }
    this.errorf(`unknown node: ${node}`);
  }

  private walkIfOrWith(node: BranchNode, dot: GoValue): void {
    const mark = this.mark();
    try {
      const val = this.evalPipeline(dot, node.pipe);
      if (isTrue(val)) this.walk(node.kind === 'with' ? val : dot, node.list);
      else if (node.elseList !== null) this.walk(dot, node.elseList);
    } finally {
      this.pop(mark);
    }
  }

  private walkRange(dot: GoValue, r: BranchNode): void {
    this.at(r);
    const outer = this.mark();
    try {
      const val = this.evalPipeline(dot, r.pipe);
      const mark = this.mark();
      const decl = r.pipe.decl;
      const oneIteration = (index: GoValue, elem: GoValue): void => {
        if (decl.length > 0) {
          if (r.pipe.isAssign) this.setVar(decl[0].ident[0], decl.length > 1 ? index : elem);
          else this.setTopVar(1, elem);
        }
        if (decl.length > 1) {
          if (r.pipe.isAssign) this.setVar(decl[1].ident[0], elem);
          else this.setTopVar(2, index);
        }
        try {
          this.walk(elem, r.list);
        } catch (e) {
          if (e !== CONTINUE) throw e;
        } finally {
          this.pop(mark);
        }
      };
      const n = intValue(val);
      if (n !== undefined) {
        if (decl.length > 1) this.errorf(`can't use ${formatValue(val)} to iterate over more than one variable`);
        if (n > 0n) {
          for (let i = 0n; i < n; i++) {
            const elem = typeof val === 'number' ? Number(i) : typeof val === 'bigint' ? i : new GoNum((val as GoNum).type, Number(i));
            oneIteration(undefined, elem);
          }
          return;
        }
      } else if (Array.isArray(val)) {
        if (val.length > 0) {
          val.forEach((e: string, i: number) => oneIteration(i, e));
          return;
        }
      } else if (val instanceof Map) {
        if (val.size > 0) {
          const m = val as ReadonlyMap<string, string>;
          for (const k of [...m.keys()].sort(compareGoStrings)) oneIteration(k, m.get(k));
          return;
        }
      } else if (val !== undefined) {
        this.errorf(`range can't iterate over ${this.printable(val)}`);
      }
      if (r.elseList !== null) this.walk(dot, r.elseList);
    } catch (e) {
      if (e !== BREAK) throw e;
    } finally {
      this.pop(outer);
    }
  }

  private evalPipeline(dot: GoValue, pipe: PipeNode): GoValue {
    this.at(pipe);
    let value: Final = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    const v = value as GoValue;
    for (const variable of pipe.decl) {
      if (pipe.isAssign) this.setVar(variable.ident[0], v);
      else this.push(variable.ident[0], v);
    }
    return v;
  }

  private notAFunction(args: Node[], final: Final): void {
    if (args.length > 1 || final !== MISSING) this.errorf(`can't give argument to non-function ${args[0]}`);
  }

  private evalCommand(dot: GoValue, cmd: CommandNode, final: Final): GoValue {
    const first = cmd.args[0];
    switch (first.kind) {
      case 'field': return this.evalFieldNode(dot, first, cmd.args, final);
      case 'chain': return this.evalChainNode(dot, first, cmd.args, final);
      case 'identifier': return this.evalFunction(dot, first, cmd, cmd.args, final);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': return this.evalVariableNode(dot, first, cmd.args, final);
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    switch (first.kind) {
      case 'bool': return first.value;
      case 'dot': return dot;
      case 'nil': this.errorf('nil is not a command');
      case 'number': return this.idealConstant(first);
      case 'string': return first.text;
    }
    this.errorf(`can't evaluate command ${goQuote(String(first))}`);
  }

  private idealConstant(c: NumberNode): GoValue {
    this.at(c);
    const t = c.text;
    if (c.isFloat && !/^[+-]?0[xX]/.test(t) && t[0] !== "'" && /[.eEpP]/.test(t)) return new GoNum('float64', c.float64);
    if (c.isInt) return Number(c.int64);
    if (c.isUint) this.errorf(`${t} overflows int`);
    return undefined;
  }

  private evalFieldNode(dot: GoValue, field: FieldNode, args: Node[], final: Final): GoValue {
    this.at(field);
    return this.evalFieldChain(dot, dot, field, field.ident, args, final);
  }

  private evalChainNode(dot: GoValue, chain: ChainNode, args: Node[] | null, final: Final): GoValue {
    this.at(chain);
    if (chain.node.kind === 'nil') this.errorf(`indirection through explicit nil in ${chain}`);
    const pipe = this.evalArg(dot, 'value', chain.node);
    return this.evalFieldChain(dot, pipe, chain, chain.field, args, final);
  }

  private evalVariableNode(dot: GoValue, variable: VariableNode, args: Node[] | null, final: Final): GoValue {
    this.at(variable);
    const value = this.varValue(variable.ident[0]);
    if (variable.ident.length === 1) {
      this.notAFunction(args ?? [variable], final);
      return value;
    }
    return this.evalFieldChain(dot, value, variable, variable.ident.slice(1), args, final);
  }

  private evalFieldChain(dot: GoValue, receiver: GoValue, node: Node, ident: string[], args: Node[] | null, final: Final): GoValue {
    const n = ident.length;
    for (let i = 0; i < n - 1; i++) receiver = this.evalField(dot, ident[i], node, null, MISSING, receiver);
    return this.evalField(dot, ident[n - 1], node, args, final, receiver);
  }

  private evalFunction(dot: GoValue, node: IdentifierNode, cmd: Node, args: Node[] | null, final: Final): GoValue {
    this.at(node);
    return this.evalCall(dot, BUILTINS[node.ident], true, cmd, node.ident, args, final);
  }

  private evalField(dot: GoValue, fieldName: string, node: Node, args: Node[] | null, final: Final, receiver: GoValue): GoValue {
    if (receiver === undefined) return undefined;
    let methods: Readonly<Record<string, Method>> | undefined;
    if (receiver instanceof GoTime) methods = TIME_METHODS;
    else if (receiver instanceof GoNum && (receiver.type === 'time.Month' || receiver.type === 'time.Weekday')) methods = ENUM_METHODS;
    const method = methods !== undefined && Object.hasOwn(methods, fieldName) ? methods[fieldName] : undefined;
    if (method !== undefined) return this.evalCall(dot, method, false, node, fieldName, args, final, receiver);
    if (receiver instanceof GoTime && UNSUPPORTED_TIME_METHODS.has(fieldName)) this.errorf(unsupportedMethodMessage(fieldName));
    const hasArgs = (args !== null && args.length > 1) || final !== MISSING;
    if (receiver instanceof RootValue && Object.hasOwn(ROOT_FIELDS, fieldName)) {
      if (hasArgs) this.errorf(`${fieldName} has arguments but cannot be invoked as function`);
      return receiver.data[fieldName as keyof typeof receiver.data] as GoValue;
    }
    if (receiver instanceof Map) {
      if (hasArgs) this.errorf(`${fieldName} is not a method but has arguments`);
      return (receiver as ReadonlyMap<string, string>).get(fieldName);
    }
    this.errorf(`can't evaluate field ${fieldName} in type ${typeName(receiver)}`);
  }

  private evalCall(
    dot: GoValue, fn: Builtin | Method, isBuiltin: boolean, node: Node, name: string,
    argNodes: Node[] | null, final: Final, receiver?: GoValue,
  ): GoValue {
    const args = argNodes === null ? [] : argNodes.slice(1);
    const numParams = fn.params.length;
    const numIn = args.length + (final !== MISSING ? 1 : 0);
    let numFixed = args.length;
    if (fn.variadic) {
      numFixed = numParams - 1;
      if (numIn < numFixed) this.errorf(`wrong number of args for ${name}: want at least ${numParams - 1} got ${args.length}`);
    } else if (numIn !== numParams) {
      this.errorf(`wrong number of args for ${name}: want ${numParams} got ${numIn}`);
    }

    if (isBuiltin && (name === 'and' || name === 'or')) {
      let v: GoValue;
      for (const arg of args) {
        v = this.evalArg(dot, 'value', arg);
        if (isTrue(v) === (name === 'or')) return v;
      }
      if (final !== MISSING) v = final;
      return v;
    }

    const paramType = (i: number): ParamType => (fn.variadic && i >= numParams - 1 ? fn.params[numParams - 1] : fn.params[i]);
    const argv: GoValue[] = [];
    let i = 0;
    for (; i < numFixed && i < args.length; i++) argv.push(this.evalArg(dot, paramType(i), args[i]));
    if (fn.variadic) for (; i < args.length; i++) argv.push(this.evalArg(dot, paramType(i), args[i]));
    if (final !== MISSING) argv.push(this.validateType(final, paramType(numIn - 1)));

    if (isBuiltin && name === 'call') {
      const callee = args.length === 0 ? reflectValueString(final as GoValue) : String(args[0]);
      this.at(node);
      if (argv[0] === undefined) this.errorf('error calling call: call of nil');
      this.errorf(`error calling call: non-function ${callee} of type ${typeName(argv[0])}`);
    }

    try {
      return isBuiltin ? (fn as Builtin).call(argv) : (fn as Method).call(receiver, argv);
    } catch (e) {
      if (e instanceof FuncError) {
        this.at(node);
        this.errorf(`error calling ${name}: ${e.message}`);
      }
      if (e instanceof UnsupportedError) this.errorf(e.message);
      throw e;
    }
  }

  private validateType(value: GoValue, typ: ParamType): GoValue {
    if (typ !== 'string') return value;
    if (value === undefined) this.errorf('invalid value; expected string');
    if (typeof value !== 'string') this.errorf(`wrong type for value; expected string; got ${typeName(value)}`);
    return value;
  }

  private evalArg(dot: GoValue, typ: ParamType, n: Node): GoValue {
    this.at(n);
    switch (n.kind) {
      case 'dot': return this.validateType(dot, typ);
      case 'nil':
        if (typ !== 'string') return undefined;
        this.errorf('cannot assign nil to string');
      case 'field': return this.validateType(this.evalFieldNode(dot, n, [n], MISSING), typ);
      case 'variable': return this.validateType(this.evalVariableNode(dot, n, null, MISSING), typ);
      case 'pipe': return this.validateType(this.evalPipeline(dot, n), typ);
      case 'identifier': return this.validateType(this.evalFunction(dot, n, n, null, MISSING), typ);
      case 'chain': return this.validateType(this.evalChainNode(dot, n, null, MISSING), typ);
    }
    if (typ === 'string') {
      if (n instanceof StringNode) return n.text;
      this.errorf(`expected string; found ${n}`);
    }
    switch (n.kind) {
      case 'bool': return n.value;
      case 'number': return this.idealConstant(n);
      case 'string': return n.text;
    }
    this.errorf(`can't handle assignment of ${n} to empty interface argument`);
  }

  private printable(v: GoValue): string {
    try {
      return formatValue(v);
    } catch (e) {
      if (e instanceof UnsupportedError) this.errorf(e.message);
      throw e;
    }
  }

  private printValue(n: ActionNode, v: GoValue): void {
    this.at(n);
    this.out.push(v === undefined ? '<no value>' : this.printable(v));
  }
}

/** Run a parsed template; the text is what was written before any error. */
export function execute(source: string, root: ListNode, data: RootValue): { text: string; error?: string } {
  const s = new State(source, data);
  try {
    s.walk(data, root);
  } catch (e) {
    if (e instanceof ExecFailure) return { text: s.text, error: e.message };
    throw e;
  }
  return { text: s.text };
}
