// Port of Go's text/template/parse (parse.go, node.go) so error texts and node positions match the reference.

import { Lexer, T, type Item } from './lexer';
import { goQuote } from '../../go/quote';
import { utf8Length } from './values';
import { errorMessage } from '../../base/errors';

const TEMPLATE_NAME = 'cmdname';

/** A template that cannot be used: Go's parse errors, plus what we reject at load time. */
export class TemplateError extends Error {
  override name = 'TemplateError';
}

const BUILTIN_NAMES: ReadonlySet<string> = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println',
  'urlquery', 'eq', 'ge', 'gt', 'le', 'lt', 'ne',
]);

// ---------------------------------------------------------------- nodes (node.go)

export class ListNode {
  readonly kind = 'list';
  readonly nodes: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string { return this.nodes.join(''); }
}

class TextNode {
  readonly kind = 'text';
  constructor(readonly pos: number, readonly text: string) {}
  toString(): string { return this.text; }
}

export class PipeNode {
  readonly kind = 'pipe';
  isAssign = false;
  readonly decl: VariableNode[] = [];
  readonly cmds: CommandNode[] = [];
  constructor(readonly pos: number, readonly line: number) {}
  toString(): string {
    let s = '';
    if (this.decl.length > 0) s = this.decl.join(', ') + (this.isAssign ? ' = ' : ' := ');
    return s + this.cmds.join(' | ');
  }
}

export class ActionNode {
  readonly kind = 'action';
  constructor(readonly pos: number, readonly line: number, readonly pipe: PipeNode) {}
  toString(): string { return `{{${this.pipe}}}`; }
}

export class CommandNode {
  readonly kind = 'command';
  readonly args: Node[] = [];
  constructor(readonly pos: number) {}
  toString(): string {
    return this.args.map((a) => (a instanceof PipeNode ? `(${a})` : String(a))).join(' ');
  }
}

export class IdentifierNode {
  readonly kind = 'identifier';
  constructor(readonly pos: number, readonly ident: string) {}
  toString(): string { return this.ident; }
}

export class VariableNode {
  readonly kind = 'variable';
  readonly ident: string[];
  constructor(readonly pos: number, ident: string) { this.ident = ident.split('.'); }
  toString(): string { return this.ident.join('.'); }
}

class DotNode {
  readonly kind = 'dot';
  constructor(readonly pos: number) {}
  toString(): string { return '.'; }
}

class NilNode {
  readonly kind = 'nil';
  constructor(readonly pos: number) {}
  toString(): string { return 'nil'; }
}

export class FieldNode {
  readonly kind = 'field';
  readonly ident: string[];
  constructor(readonly pos: number, ident: string) { this.ident = ident.slice(1).split('.'); }
  toString(): string { return this.ident.map((i) => '.' + i).join(''); }
}

export class ChainNode {
  readonly kind = 'chain';
  readonly field: string[] = [];
  constructor(readonly pos: number, readonly node: Node) {}
  add(field: string): void { this.field.push(field.slice(1)); }
  toString(): string {
    const head = this.node instanceof PipeNode ? `(${this.node})` : String(this.node);
    return head + this.field.map((f) => '.' + f).join('');
  }
}

class BoolNode {
  readonly kind = 'bool';
  constructor(readonly pos: number, readonly value: boolean) {}
  toString(): string { return this.value ? 'true' : 'false'; }
}

export class NumberNode {
  readonly kind = 'number';
  isInt = false;
  isUint = false;
  isFloat = false;
  int64 = 0n;
  float64 = 0;
  constructor(readonly pos: number, readonly text: string) {}
  toString(): string { return this.text; }
}

export class StringNode {
  readonly kind = 'string';
  constructor(readonly pos: number, readonly quoted: string, readonly text: string) {}
  toString(): string { return this.quoted; }
}

class EndNode {
  readonly kind = 'end';
  constructor(readonly pos: number) {}
  toString(): string { return '{{end}}'; }
}

class ElseNode {
  readonly kind = 'else';
  constructor(readonly pos: number, readonly line: number) {}
  toString(): string { return '{{else}}'; }
}

export class BranchNode {
  constructor(
    readonly kind: 'if' | 'range' | 'with',
    readonly pos: number,
    readonly line: number,
    readonly pipe: PipeNode,
    readonly list: ListNode,
    readonly elseList: ListNode | null,
  ) {}
  toString(): string {
    let s = `{{${this.kind} ${this.pipe}}}${this.list}`;
    if (this.elseList !== null) s += `{{else}}${this.elseList}`;
    return s + '{{end}}';
  }
}

class BreakNode {
  readonly kind = 'break';
  constructor(readonly pos: number) {}
  toString(): string { return '{{break}}'; }
}

class ContinueNode {
  readonly kind = 'continue';
  constructor(readonly pos: number) {}
  toString(): string { return '{{continue}}'; }
}

export type Node =
  | ListNode | TextNode | PipeNode | ActionNode | CommandNode | IdentifierNode | VariableNode | DotNode
  | NilNode | FieldNode | ChainNode | BoolNode | NumberNode | StringNode | EndNode | ElseNode | BranchNode
  | BreakNode | ContinueNode;

/** Tree.ErrorContext: "cmdname:line:col" (col is a 0-based byte offset) and the node's text. */
function errorContext(source: string, node: Node): [string, string] {
  const text = source.slice(0, node.pos);
  const nl = text.lastIndexOf('\n');
  const byteNum = nl < 0 ? utf8Length(text) : utf8Length(text.slice(nl + 1));
  let line = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
  return [`${TEMPLATE_NAME}:${line}:${byteNum}`, String(node)];
}

/** The text of an execution error at a node, as text/template's state.errorf writes it. */
export function execErrorText(source: string, node: Node | null, msg: string): string {
  if (node === null) return `template: ${TEMPLATE_NAME}: ${msg}`;
  const [location, context] = errorContext(source, node);
  return `template: ${location}: executing ${goQuote(TEMPLATE_NAME)} at <${context}>: ${msg}`;
}

// ---------------------------------------------------------------- strconv.Unquote

const SYNTAX = 'invalid syntax';

function hexVal(c: string): number {
  const n = parseInt(c, 16);
  return /^[0-9a-fA-F]$/.test(c) ? n : -1;
}

/** strconv.UnquoteChar: [value, index after it]; throws "invalid syntax". */
function unquoteChar(s: string, i: number, quote: string): [string, number] {
  const c = s[i];
  if (c === quote && (quote === "'" || quote === '"')) throw new Error(SYNTAX);
  if (c !== '\\') {
    const cp = s.codePointAt(i)!;
    const ch = String.fromCodePoint(cp);
    return [ch, i + ch.length];
  }
  if (i + 1 >= s.length) throw new Error(SYNTAX);
  const e = s[i + 1];
  i += 2;
  switch (e) {
    case 'a': return ['\x07', i];
    case 'b': return ['\b', i];
    case 'f': return ['\f', i];
    case 'n': return ['\n', i];
    case 'r': return ['\r', i];
    case 't': return ['\t', i];
    case 'v': return ['\v', i];
    case '\\': return ['\\', i];
    case "'": case '"':
      if (e !== quote) throw new Error(SYNTAX);
      return [e, i];
    case 'x': case 'u': case 'U': {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      if (i + n > s.length) throw new Error(SYNTAX);
      let v = 0;
      for (let j = 0; j < n; j++) {
        const d = hexVal(s[i + j]);
        if (d < 0) throw new Error(SYNTAX);
        v = v * 16 + d;
      }
      i += n;
      if (e === 'x') return [String.fromCharCode(v), i];
      if (v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) throw new Error(SYNTAX);
      return [String.fromCodePoint(v), i];
    }
  }
  if (e >= '0' && e <= '7') {
    let v = e.charCodeAt(0) - 0x30;
    for (let j = 0; j < 2; j++) {
      const d = s.charCodeAt(i + j) - 0x30;
      if (!(d >= 0 && d <= 7)) throw new Error(SYNTAX);
      v = v * 8 + d;
    }
    if (v > 255) throw new Error(SYNTAX);
    return [String.fromCharCode(v), i + 2];
  }
  throw new Error(SYNTAX);
}

/** strconv.Unquote for "..." and `...` literals. */
function unquote(s: string): string {
  if (s.length < 2 || s[0] !== s[s.length - 1]) throw new Error(SYNTAX);
  const q = s[0];
  const body = s.slice(1, -1);
  if (q === '`') {
    if (body.includes('`')) throw new Error(SYNTAX);
    return body.includes('\r') ? body.replace(/\r/g, '') : body;
  }
  if (q !== '"') throw new Error(SYNTAX);
  if (body.includes('\n')) throw new Error(SYNTAX);
  let out = '';
  for (let i = 0; i < body.length;) {
    const [ch, ni] = unquoteChar(body, i, '"');
    out += ch;
    i = ni;
  }
  return out;
}

// ---------------------------------------------------------------- numbers (newNumber)

const INT64_MAX = 2n ** 63n - 1n;
const UINT64_MAX = 2n ** 64n - 1n;

/** strconv.ParseInt/ParseUint with base 0; undefined when out of range or malformed. */
function parseGoInt(text: string, signed: boolean): bigint | undefined {
  let s = text;
  let neg = false;
  if (s[0] === '+' || s[0] === '-') {
    if (!signed) return undefined;
    neg = s[0] === '-';
    s = s.slice(1);
  }
  let base = 10;
  let prefixed = false;
  if (s.length > 1 && s[0] === '0') {
    const p = s[1].toLowerCase();
    if (p === 'x') { base = 16; s = s.slice(2); prefixed = true; }
    else if (p === 'o') { base = 8; s = s.slice(2); prefixed = true; }
    else if (p === 'b') { base = 2; s = s.slice(2); prefixed = true; }
    else { base = 8; s = s.slice(1); prefixed = true; }
  }
  if (s === '' && !(prefixed && base === 8)) return undefined;
  // underscores must separate digits (or follow the base prefix)
  if (s.includes('_')) {
    const check = (prefixed ? '0' : '') + s;
    if (/__|_$|^_/.test(check)) return undefined;
    s = s.replace(/_/g, '');
  }
  const digits = '0123456789abcdef'.slice(0, base);
  let v = 0n;
  for (const ch of s.toLowerCase()) {
    const d = digits.indexOf(ch);
    if (d < 0) return undefined;
    v = v * BigInt(base) + BigInt(d);
  }
  if (neg) v = -v;
  if (signed ? v > INT64_MAX || v < -(INT64_MAX + 1n) : v > UINT64_MAX) return undefined;
  return v;
}

const DECIMAL_FLOAT = /^[+-]?(?=\.?\d)\d*(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?(?:[eE][+-]?\d+(?:_\d+)*)?$/;

// ---------------------------------------------------------------- parser (parse.go)

function itemString(i: Item): string {
  if (i.typ === T.EOF) return 'EOF';
  if (i.typ === T.Error) return i.val;
  if (i.typ > T.Keyword) return `<${i.val}>`;
  if (utf8Length(i.val) > 10) return goQuote([...i.val].slice(0, 10).join('')) + '...';
  return goQuote(i.val);
}

const MAX_STACK_DEPTH = 10000;

class Parser {
  private readonly lex: Lexer;
  private readonly token: Item[] = [];
  private peekCount = 0;
  private vars: string[] = ['$'];
  private actionLine = 0;
  private rangeDepth = 0;
  private stackDepth = 0;

  constructor(text: string) {
    this.lex = new Lexer(text);
  }

  parse(): ListNode {
    const root = new ListNode(this.peek().pos);
    while (this.peek().typ !== T.EOF) {
      if (this.peek().typ === T.LeftDelim) {
        const delim = this.next();
        if (this.nextNonSpace().typ === T.Define) this.unsupported('define');
        this.backup2(delim);
      }
      const n = this.textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) this.errorf(`unexpected ${n}`);
      root.nodes.push(n);
    }
    return root;
  }

  // ------------------------------------------------ token plumbing

  private next(): Item {
    if (this.peekCount > 0) this.peekCount--;
    else this.token[0] = this.lex.nextItem();
    return this.token[this.peekCount];
  }

  private backup(): void { this.peekCount++; }

  private backup2(t1: Item): void {
    this.token[1] = t1;
    this.peekCount = 2;
  }

  private backup3(t2: Item, t1: Item): void {
    this.token[1] = t1;
    this.token[2] = t2;
    this.peekCount = 3;
  }

  private peek(): Item {
    if (this.peekCount > 0) return this.token[this.peekCount - 1];
    this.peekCount = 1;
    this.token[0] = this.lex.nextItem();
    return this.token[0];
  }

  private nextNonSpace(): Item {
    let token: Item;
    do token = this.next(); while (token.typ === T.Space);
    return token;
  }

  private peekNonSpace(): Item {
    const token = this.nextNonSpace();
    this.backup();
    return token;
  }

  // ------------------------------------------------ errors

  private errorf(msg: string): never {
    throw new TemplateError(`template: ${TEMPLATE_NAME}:${this.token[0].line}: ${msg}`);
  }

  private unsupported(what: string): never {
    this.errorf(`{{${what}}} is not supported in namedprocess-exporter name templates`);
  }

  private expect(expected: T, context: string): Item {
    const token = this.nextNonSpace();
    if (token.typ !== expected) this.unexpected(token, context);
    return token;
  }

  private unexpected(token: Item, context: string): never {
    if (token.typ === T.Error) {
      let extra = '';
      if (this.actionLine !== 0 && this.actionLine !== token.line) {
        extra = ` in action started at ${TEMPLATE_NAME}:${this.actionLine}`;
        if (token.val.endsWith(' action')) extra = extra.slice(' in action'.length);
      }
      this.errorf(`${itemString(token)}${extra}`);
    }
    this.errorf(`unexpected ${itemString(token)} in ${context}`);
  }

  // ------------------------------------------------ grammar

  private itemList(): [ListNode, Node] {
    const list = new ListNode(this.peekNonSpace().pos);
    while (this.peekNonSpace().typ !== T.EOF) {
      const n = this.textOrAction();
      if (n instanceof EndNode || n instanceof ElseNode) return [list, n];
      list.nodes.push(n);
    }
    this.errorf('unexpected EOF');
  }

  private textOrAction(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Text: return new TextNode(token.pos, token.val);
      case T.LeftDelim:
        this.actionLine = token.line;
        try {
          return this.action();
        } finally {
          this.actionLine = 0;
        }
    }
    this.unexpected(token, 'input');
  }

  private action(): Node {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Block: this.unsupported('block');
      case T.Break: return this.breakControl(token.pos);
      case T.Continue: return this.continueControl(token.pos);
      case T.Else: return this.elseControl();
      case T.End: return new EndNode(this.expect(T.RightDelim, 'end').pos);
      case T.If: return this.branch('if');
      case T.Range: return this.branch('range');
      case T.Template: this.unsupported('template');
      case T.With: return this.branch('with');
    }
    this.backup();
    const t = this.peek();
    return new ActionNode(t.pos, t.line, this.pipeline('command', T.RightDelim));
  }

  private breakControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== T.RightDelim) this.unexpected(token, '{{break}}');
    if (this.rangeDepth === 0) this.errorf('{{break}} outside {{range}}');
    return new BreakNode(pos);
  }

  private continueControl(pos: number): Node {
    const token = this.nextNonSpace();
    if (token.typ !== T.RightDelim) this.unexpected(token, '{{continue}}');
    if (this.rangeDepth === 0) this.errorf('{{continue}} outside {{range}}');
    return new ContinueNode(pos);
  }

  private pipeline(context: string, end: T): PipeNode {
    const token = this.peekNonSpace();
    const pipe = new PipeNode(token.pos, token.line);
    decls: for (;;) {
      const v = this.peekNonSpace();
      if (v.typ !== T.Variable) break;
      this.next();
      // "$x foo" needs three tokens of look-ahead to tell a use from a declaration
      const tokenAfterVariable = this.peek();
      const next = this.peekNonSpace();
      if (next.typ === T.Assign || next.typ === T.Declare) {
        pipe.isAssign = next.typ === T.Assign;
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
      } else if (next.typ === T.Char && next.val === ',') {
        this.nextNonSpace();
        pipe.decl.push(new VariableNode(v.pos, v.val));
        this.vars.push(v.val);
        if (context === 'range' && pipe.decl.length < 2) {
          const p = this.peekNonSpace().typ;
          if (p === T.Variable || p === T.RightDelim || p === T.RightParen) continue decls;
          this.errorf('range can only initialize variables');
        }
        this.errorf(`too many declarations in ${context}`);
      } else if (tokenAfterVariable.typ === T.Space) {
        this.backup3(v, tokenAfterVariable);
      } else {
        this.backup2(v);
      }
      break;
    }
    for (;;) {
      const token = this.nextNonSpace();
      switch (token.typ) {
        case end:
          this.checkPipeline(pipe, context);
          return pipe;
        case T.Bool: case T.CharConstant: case T.Complex: case T.Dot: case T.Field: case T.Identifier:
        case T.Number: case T.Nil: case T.RawString: case T.String: case T.Variable: case T.LeftParen:
          this.backup();
          pipe.cmds.push(this.command());
          break;
        default:
          this.unexpected(token, context);
      }
    }
  }

  private checkPipeline(pipe: PipeNode, context: string): void {
    if (pipe.cmds.length === 0) this.errorf(`missing value for ${context}`);
    pipe.cmds.slice(1).forEach((c, i) => {
      const k = c.args[0].kind;
      if (k === 'bool' || k === 'dot' || k === 'nil' || k === 'number' || k === 'string') {
        this.errorf(`non executable command in pipeline stage ${i + 2}`);
      }
    });
  }

  private branch(context: 'if' | 'range' | 'with'): BranchNode {
    const nvars = this.vars.length;
    try {
      const pipe = this.pipeline(context, T.RightDelim);
      if (context === 'range') this.rangeDepth++;
      let [list, next] = this.itemList();
      if (context === 'range') this.rangeDepth--;
      let elseList: ListNode | null = null;
      if (next instanceof ElseNode) {
        // "{{else if}}" / "{{else with}}" nest a new branch that shares our {{end}}
        if ((context === 'if' && this.peek().typ === T.If) || (context === 'with' && this.peek().typ === T.With)) {
          this.next();
          elseList = new ListNode(next.pos);
          elseList.nodes.push(this.branch(context));
        } else {
          [elseList, next] = this.itemList();
          if (!(next instanceof EndNode)) this.errorf(`expected end; found ${next}`);
        }
      }
      return new BranchNode(context, pipe.pos, pipe.line, pipe, list, elseList);
    } finally {
      this.vars.length = nvars;
    }
  }

  private elseControl(): Node {
    const peek = this.peekNonSpace();
    if (peek.typ === T.If || peek.typ === T.With) return new ElseNode(peek.pos, peek.line);
    const token = this.expect(T.RightDelim, 'else');
    return new ElseNode(token.pos, token.line);
  }

  private command(): CommandNode {
    const cmd = new CommandNode(this.peekNonSpace().pos);
    for (;;) {
      this.peekNonSpace();
      const operand = this.operand();
      if (operand !== null) cmd.args.push(operand);
      const token = this.next();
      if (token.typ === T.Space) continue;
      if (token.typ === T.RightDelim || token.typ === T.RightParen) this.backup();
      else if (token.typ !== T.Pipe) this.unexpected(token, 'operand');
      break;
    }
    if (cmd.args.length === 0) this.errorf('empty command');
    return cmd;
  }

  private operand(): Node | null {
    let node = this.term();
    if (node === null) return null;
    if (this.peek().typ === T.Field) {
      const chain = new ChainNode(this.peek().pos, node);
      while (this.peek().typ === T.Field) chain.add(this.next().val);
      switch (node.kind) {
        case 'field': node = new FieldNode(chain.pos, String(chain)); break;
        case 'variable': node = new VariableNode(chain.pos, String(chain)); break;
        case 'bool': case 'string': case 'number': case 'nil': case 'dot':
          this.errorf(`unexpected . after term ${goQuote(String(node))}`);
        default: node = chain;
      }
    }
    return node;
  }

  private term(): Node | null {
    const token = this.nextNonSpace();
    switch (token.typ) {
      case T.Identifier:
        if (!BUILTIN_NAMES.has(token.val)) this.errorf(`function ${goQuote(token.val)} not defined`);
        return new IdentifierNode(token.pos, token.val);
      case T.Dot: return new DotNode(token.pos);
      case T.Nil: return new NilNode(token.pos);
      case T.Variable: return this.useVar(token.pos, token.val);
      case T.Field: return new FieldNode(token.pos, token.val);
      case T.Bool: return new BoolNode(token.pos, token.val === 'true');
      case T.CharConstant: case T.Complex: case T.Number: return this.newNumber(token);
      case T.LeftParen: {
        if (this.stackDepth >= MAX_STACK_DEPTH) this.errorf('max expression depth exceeded');
        this.stackDepth++;
        try {
          return this.pipeline('parenthesized pipeline', T.RightParen);
        } finally {
          this.stackDepth--;
        }
      }
      case T.String: case T.RawString: {
        let s: string;
        try {
          s = unquote(token.val);
        } catch (e) {
          this.errorf(errorMessage(e));
        }
        return new StringNode(token.pos, token.val, s);
      }
    }
    this.backup();
    return null;
  }

  private useVar(pos: number, name: string): VariableNode {
    const v = new VariableNode(pos, name);
    if (!this.vars.includes(v.ident[0])) this.errorf(`undefined variable ${goQuote(v.ident[0])}`);
    return v;
  }

  private newNumber(token: Item): NumberNode {
    const text = token.val;
    const n = new NumberNode(token.pos, text);
    if (token.typ === T.CharConstant) {
      let ch: string;
      let tail: number;
      try {
        [ch, tail] = unquoteChar(text, 1, "'");
      } catch (e) {
        this.errorf(errorMessage(e));
      }
      if (text.slice(tail) !== "'") this.errorf(`malformed character constant: ${text}`);
      const r = ch.codePointAt(0)!;
      n.isInt = n.isUint = n.isFloat = true;
      n.int64 = BigInt(r);
      n.float64 = r;
      return n;
    }
    if (token.typ === T.Complex || text.endsWith('i')) this.errorf(`complex constant ${text} is not supported in namedprocess-exporter name templates`);
    const u = parseGoInt(text, false);
    if (u !== undefined) n.isUint = true;
    const i = parseGoInt(text, true);
    if (i !== undefined) {
      n.isInt = true;
      n.int64 = i;
      if (i === 0n) n.isUint = true;
    }
    if (n.isInt) {
      n.isFloat = true;
      n.float64 = Number(n.int64);
    } else if (n.isUint) {
      n.isFloat = true;
      n.float64 = Number(u);
    } else if (/^[+-]?0[xX]/.test(text)) {
      this.errorf(`hexadecimal floating-point constant ${text} is not supported in namedprocess-exporter name templates`);
    } else if (DECIMAL_FLOAT.test(text)) {
      const f = Number(text.replace(/_/g, ''));
      if (Number.isFinite(f)) {
        if (!/[.eEpP]/.test(text)) this.errorf(`integer overflow: ${goQuote(text)}`);
        n.isFloat = true;
        n.float64 = f;
        if (Number.isInteger(f) && Math.abs(f) < 2 ** 63) {
          n.isInt = true;
          n.int64 = BigInt(f);
        }
      }
    }
    if (!n.isInt && !n.isUint && !n.isFloat) this.errorf(`illegal number syntax: ${goQuote(text)}`);
    // Go's int is 64 bits; JS numbers are exact to 2^53, which is all a name template needs
    const floatLiteral = /[.eEpP]/.test(text) && !/^[+-]?0[xX]/.test(text);
    if (n.isInt && !floatLiteral && (n.int64 > BigInt(Number.MAX_SAFE_INTEGER) || n.int64 < BigInt(Number.MIN_SAFE_INTEGER))) {
      this.errorf(`integer constant ${text} is too large for namedprocess-exporter name templates`);
    }
    return n;
  }
}

/** Parse a template; throws TemplateError with Go's message. */
export function parse(text: string): ListNode {
  return new Parser(text).parse();
}

