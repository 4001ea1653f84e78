// Load-time rejection of fields that cannot exist on a statically known type (docs/behaviour.md differences #11), which Go finds only when run.

import {
  BranchNode, CommandNode, ListNode, PipeNode, TemplateError, execErrorText, type Node,
} from './parse';
import {
  BUILTINS, ENUM_METHODS, ROOT_FIELDS, TIME_METHODS, UNSUPPORTED_TIME_METHODS, unsupportedMethodMessage,
  type SType,
} from './exec';
import { ROOT_TYPE_NAME } from './values';

const TYPE_NAMES: Record<SType, string> = {
  root: ROOT_TYPE_NAME, string: 'string', int: 'int', int64: 'int64', float64: 'float64', bool: 'bool',
  uint8: 'uint8', time: 'time.Time', month: 'time.Month', weekday: 'time.Weekday', strings: '[]string',
  map: 'map[string]string', any: 'interface {}',
};

interface Var { name: string; type: SType }

class Checker {
  private readonly vars: Var[] = [{ name: '$', type: 'root' }];
  // variables assigned with "=" anywhere may change type, so they are not tracked
  private readonly reassigned = new Set<string>();

  constructor(private readonly source: string, root: ListNode) {
    collectAssigned(root, this.reassigned);
  }

  private fail(node: Node, msg: string): never {
    throw new TemplateError(execErrorText(this.source, node, msg));
  }

  private field(recv: SType, name: string, node: Node): SType {
    switch (recv) {
      case 'any': case 'map': return 'any'; // a missing key is "no value", and anything may follow it
      case 'root':
        if (Object.hasOwn(ROOT_FIELDS, name)) return ROOT_FIELDS[name];
        break;
      case 'time':
        if (Object.hasOwn(TIME_METHODS, name)) return TIME_METHODS[name].result;
        if (UNSUPPORTED_TIME_METHODS.has(name)) this.fail(node, unsupportedMethodMessage(name));
        break;
      case 'month': case 'weekday':
        if (Object.hasOwn(ENUM_METHODS, name)) return ENUM_METHODS[name].result;
        break;
    }
    this.fail(node, `can't evaluate field ${name} in type ${TYPE_NAMES[recv]}`);
  }

  private chain(recv: SType, idents: string[], node: Node): SType {
    let t = recv;
    for (const id of idents) t = this.field(t, id, node);
    return t;
  }

  private varType(name: string): SType {
    if (this.reassigned.has(name)) return 'any';
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].type;
    return 'any';
  }

  walk(node: Node, dot: SType): void {
    switch (node.kind) {
      case 'list':
        for (const n of node.nodes) this.walk(n, dot);
        return;
      case 'action': {
        const t = this.pipe(node.pipe, dot, true);
        if (node.pipe.decl.length === 0 && t === 'root') this.fail(node, 'printing the template data struct is not supported');
        return;
      }
      case 'if': case 'with': case 'range': {
        const b = node as BranchNode;
        const mark = this.vars.length;
        const t = this.pipe(b.pipe, dot, b.kind !== 'range');
        let inner: SType = dot;
        if (b.kind === 'with') inner = t;
        if (b.kind === 'range') {
          const [key, elem] = rangeTypes(t);
          const decl = b.pipe.decl;
          if (!b.pipe.isAssign && decl.length === 1) this.declare(decl[0].ident[0], elem);
          if (!b.pipe.isAssign && decl.length === 2) {
            this.declare(decl[0].ident[0], key);
            this.declare(decl[1].ident[0], elem);
          }
          inner = elem;
        }
        this.walk(b.list, inner);
        if (b.elseList !== null) this.walk(b.elseList, dot);
        this.vars.length = mark;
        return;
      }
    }
  }

  private declare(name: string, type: SType): void {
    this.vars.push({ name, type: this.reassigned.has(name) ? 'any' : type });
  }

  private pipe(pipe: PipeNode, dot: SType, declare: boolean): SType {
    let t: SType = 'any';
    for (const cmd of pipe.cmds) t = this.command(cmd, dot);
    if (declare && !pipe.isAssign) for (const v of pipe.decl) this.declare(v.ident[0], t);
    return t;
  }

  private command(cmd: CommandNode, dot: SType): SType {
    const argTypes = cmd.args.slice(1).map((a) => this.operand(a, dot));
    const first = cmd.args[0];
    if (first.kind === 'identifier') return builtinResult(first.ident, argTypes);
    return this.operand(first, dot);
  }

  private operand(n: Node, dot: SType): SType {
    switch (n.kind) {
      case 'field': return this.chain(dot, n.ident, n);
      case 'variable': return this.chain(this.varType(n.ident[0]), n.ident.slice(1), n);
      case 'chain':
        // Go reports chain errors against the last node evaluated inside it; leave them to execution
        this.operand(n.node, dot);
        return 'any';
      case 'identifier': return builtinResult(n.ident, []);
      case 'pipe': return this.pipe(n, dot, true);
      case 'dot': return dot;
      case 'bool': return 'bool';
      case 'string': return 'string';
      case 'number': return /[.eEpP]/.test(n.text) && !/^[+-]?0[xX]/.test(n.text) && n.text[0] !== "'" ? 'float64' : 'int';
    }
    return 'any';
  }
}

function builtinResult(name: string, args: SType[]): SType {
  switch (name) {
    case 'index': {
      let t = args[0] ?? 'any';
      for (let i = 1; i < args.length; i++) t = t === 'strings' || t === 'map' ? 'string' : t === 'string' ? 'uint8' : 'any';
      return t;
    }
    case 'slice': return args[0] === 'strings' || args[0] === 'string' ? args[0] : 'any';
    case 'and': case 'or': return args.length > 0 && args.every((a) => a === args[0]) ? args[0] : 'any';
  }
  return BUILTINS[name].result;
}

function rangeTypes(t: SType): [SType, SType] {
  switch (t) {
    case 'strings': return ['int', 'string'];
    case 'map': return ['string', 'string'];
    case 'int': case 'int64': case 'uint8': case 'month': case 'weekday': return ['any', t];
  }
  return ['any', 'any'];
}

function collectAssigned(node: Node, out: Set<string>): void {
  switch (node.kind) {
    case 'list': node.nodes.forEach((n) => collectAssigned(n, out)); return;
    case 'action': collectAssigned(node.pipe, out); return;
    case 'pipe':
      if (node.isAssign) node.decl.forEach((v) => out.add(v.ident[0]));
      node.cmds.forEach((c) => collectAssigned(c, out));
      return;
    case 'command': node.args.forEach((a) => collectAssigned(a, out)); return;
    case 'chain': collectAssigned(node.node, out); return;
    case 'if': case 'with': case 'range': {
      const b = node as BranchNode;
      collectAssigned(b.pipe, out);
      collectAssigned(b.list, out);
      if (b.elseList !== null) collectAssigned(b.elseList, out);
    }
  }
}

/** Throws TemplateError for problems Go would only report when the template runs. */
export function check(source: string, root: ListNode): void {
  new Checker(source, root).walk(root, 'root');
}
