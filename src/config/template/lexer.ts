// Port of Go 1.22+ text/template/parse/lex.go; positions are JS string indices, converted to bytes for errors.

import { goQuote, isPrint } from '../../go/quote';

export enum T {
  Error, Bool, Char, CharConstant, Comment, Complex, Assign, Declare, EOF, Field, Identifier,
  LeftDelim, LeftParen, Number, Pipe, RawString, RightDelim, RightParen, Space, String, Text, Variable,
  // keywords appear after all the rest
  Keyword, Block, Break, Continue, Dot, Define, Else, End, If, Nil, Range, Template, With,
}

export interface Item {
  typ: T;
  pos: number;
  val: string;
  line: number;
}

const KEYWORDS: Record<string, T> = {
  '.': T.Dot, block: T.Block, break: T.Break, continue: T.Continue, define: T.Define, else: T.Else,
  end: T.End, if: T.If, range: T.Range, nil: T.Nil, template: T.Template, with: T.With,
};

const LEFT_DELIM = '{{';
const RIGHT_DELIM = '}}';
const LEFT_COMMENT = '/*';
const RIGHT_COMMENT = '*/';
const SPACE_CHARS = ' \t\r\n';
const TRIM_MARKER_LEN = 2; // the marker plus the space next to it
const EOF = -1;

// Go's unicode.IsLetter / unicode.IsDigit for non-ASCII runes
const LETTER_OR_DIGIT = /^[\p{L}\p{Nd}]$/u;

function isSpace(r: number): boolean {
  return r === 0x20 || r === 0x09 || r === 0x0d || r === 0x0a;
}

function isAlphaNumeric(r: number): boolean {
  if (r < 0) return false;
  if (r < 0x80) return r === 0x5f || (r >= 0x30 && r <= 0x39) || (r >= 0x41 && r <= 0x5a) || (r >= 0x61 && r <= 0x7a);
  return LETTER_OR_DIGIT.test(String.fromCodePoint(r));
}

function hasLeftTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && s[i] === '-' && isSpace(s.charCodeAt(i + 1));
}

function hasRightTrimMarker(s: string, i: number): boolean {
  return s.length - i >= 2 && isSpace(s.charCodeAt(i)) && s[i + 1] === '-';
}

function countNewlines(s: string, from: number, to: number): number {
  let n = 0;
  for (let i = s.indexOf('\n', from); i >= 0 && i < to; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** Go's %#U: U+0041 'A' */
function formatRuneU(r: number): string {
  const code = 'U+' + r.toString(16).toUpperCase().padStart(4, '0');
  return isPrint(r) ? `${code} '${String.fromCodePoint(r)}'` : code;
}

type StateFn = ((l: Lexer) => StateFn) | null;

export class Lexer {
  private input: string;
  private pos = 0;
  private start = 0;
  private atEOF = false;
  private parenDepth = 0;
  private line = 1;
  private startLine = 1;
  private item: Item;
  private insideAction = false;

  constructor(input: string) {
    this.input = input;
    this.item = { typ: T.EOF, pos: 0, val: 'EOF', line: 1 };
  }

  /** The next item from the input. */
  nextItem(): Item {
    this.item = { typ: T.EOF, pos: this.pos, val: 'EOF', line: this.startLine };
    let state: StateFn = this.insideAction ? lexInsideAction : lexText;
    while (state !== null) state = state(this);
    return this.item;
  }

  next(): number {
    if (this.pos >= this.input.length) {
      this.atEOF = true;
      return EOF;
    }
    const r = this.input.codePointAt(this.pos)!;
    this.pos += r > 0xffff ? 2 : 1;
    if (r === 0x0a) this.line++;
    return r;
  }

  peek(): number {
    const r = this.next();
    this.backup();
    return r;
  }

  backup(): void {
    if (!this.atEOF && this.pos > 0) {
      const c = this.input.charCodeAt(this.pos - 1);
      const w = c >= 0xdc00 && c <= 0xdfff && this.pos > 1 ? 2 : 1;
      this.pos -= w;
      if (c === 0x0a) this.line--;
    }
  }

  thisItem(typ: T): Item {
    const i: Item = { typ, pos: this.start, val: this.input.slice(this.start, this.pos), line: this.startLine };
    this.start = this.pos;
    this.startLine = this.line;
    return i;
  }

  emit(typ: T): StateFn {
    return this.emitItem(this.thisItem(typ));
  }

  emitItem(i: Item): StateFn {
    this.item = i;
    return null;
  }

  ignore(): void {
    this.line += countNewlines(this.input, this.start, this.pos);
    this.start = this.pos;
    this.startLine = this.line;
  }

  accept(valid: string): boolean {
    const r = this.next();
    if (r >= 0 && valid.includes(String.fromCodePoint(r))) return true;
    this.backup();
    return false;
  }

  acceptRun(valid: string): void {
    for (;;) {
      const r = this.next();
      if (r < 0 || !valid.includes(String.fromCodePoint(r))) break;
    }
    this.backup();
  }

  errorf(msg: string): StateFn {
    this.item = { typ: T.Error, pos: this.start, val: msg, line: this.startLine };
    this.start = 0;
    this.pos = 0;
    this.input = '';
    return null;
  }

  atRightDelim(): [boolean, boolean] {
    if (hasRightTrimMarker(this.input, this.pos) && this.input.startsWith(RIGHT_DELIM, this.pos + TRIM_MARKER_LEN)) return [true, true];
    if (this.input.startsWith(RIGHT_DELIM, this.pos)) return [true, false];
    return [false, false];
  }

  atTerminator(): boolean {
    const r = this.peek();
    if (isSpace(r)) return true;
    switch (r) {
      case EOF: case 0x2e: case 0x2c: case 0x7c: case 0x3a: case 0x29: case 0x28: return true;
    }
    return this.input.startsWith(RIGHT_DELIM, this.pos);
  }

  scanNumber(): boolean {
    this.accept('+-');
    let digits = '0123456789_';
    if (this.accept('0')) {
      if (this.accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (this.accept('oO')) digits = '01234567_';
      else if (this.accept('bB')) digits = '01_';
    }
    this.acceptRun(digits);
    if (this.accept('.')) this.acceptRun(digits);
    if (digits.length === 11 && this.accept('eE')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    if (digits.length === 23 && this.accept('pP')) {
      this.accept('+-');
      this.acceptRun('0123456789_');
    }
    this.accept('i');
    if (isAlphaNumeric(this.peek())) {
      this.next();
      return false;
    }
    return true;
  }

  // state functions need the private fields; they are methods in all but name
  static readonly states = {
    lexText(l: Lexer): StateFn {
      const x = l.input.indexOf(LEFT_DELIM, l.pos);
      if (x >= 0) {
        if (x > l.pos) {
          l.pos = x;
          let trimLength = 0;
          if (hasLeftTrimMarker(l.input, l.pos + LEFT_DELIM.length)) {
            const text = l.input.slice(l.start, l.pos);
            trimLength = text.length - trimRight(text).length;
          }
          l.pos -= trimLength;
          l.line += countNewlines(l.input, l.start, l.pos);
          const i = l.thisItem(T.Text);
          l.pos += trimLength;
          l.ignore();
          if (i.val.length > 0) return l.emitItem(i);
        }
        return lexLeftDelim;
      }
      l.pos = l.input.length;
      if (l.pos > l.start) {
        l.line += countNewlines(l.input, l.start, l.pos);
        return l.emit(T.Text);
      }
      return l.emit(T.EOF);
    },

    lexLeftDelim(l: Lexer): StateFn {
      l.pos += LEFT_DELIM.length;
      const trimSpace = hasLeftTrimMarker(l.input, l.pos);
      const afterMarker = trimSpace ? TRIM_MARKER_LEN : 0;
      if (l.input.startsWith(LEFT_COMMENT, l.pos + afterMarker)) {
        l.pos += afterMarker;
        l.ignore();
        return lexComment;
      }
      const i = l.thisItem(T.LeftDelim);
      l.insideAction = true;
      l.pos += afterMarker;
      l.ignore();
      l.parenDepth = 0;
      return l.emitItem(i);
    },

    lexComment(l: Lexer): StateFn {
      l.pos += LEFT_COMMENT.length;
      const x = l.input.indexOf(RIGHT_COMMENT, l.pos);
      if (x < 0) return l.errorf('unclosed comment');
      l.pos = x + RIGHT_COMMENT.length;
      const [delim, trimSpace] = l.atRightDelim();
      if (!delim) return l.errorf('comment ends before closing delimiter');
      l.line += countNewlines(l.input, l.start, l.pos);
      l.thisItem(T.Comment); // comments are not kept (Go's default mode)
      if (trimSpace) l.pos += TRIM_MARKER_LEN;
      l.pos += RIGHT_DELIM.length;
      if (trimSpace) l.pos += leftTrimLength(l.input, l.pos);
      l.ignore();
      return lexText;
    },

    lexRightDelim(l: Lexer): StateFn {
      const [, trimSpace] = l.atRightDelim();
      if (trimSpace) {
        l.pos += TRIM_MARKER_LEN;
        l.ignore();
      }
      l.pos += RIGHT_DELIM.length;
      const i = l.thisItem(T.RightDelim);
      if (trimSpace) {
        l.pos += leftTrimLength(l.input, l.pos);
        l.ignore();
      }
      l.insideAction = false;
      return l.emitItem(i);
    },

    lexInsideAction(l: Lexer): StateFn {
      const [delim] = l.atRightDelim();
      if (delim) {
        if (l.parenDepth === 0) return lexRightDelim;
        return l.errorf('unclosed left paren');
      }
      const r = l.next();
      if (r === EOF) return l.errorf('unclosed action');
      if (isSpace(r)) {
        l.backup(); // put the space back in case we have " -}}"
        return lexSpace;
      }
      switch (r) {
        case 0x3d: return l.emit(T.Assign); // =
        case 0x3a: // :
          if (l.next() !== 0x3d) return l.errorf('expected :=');
          return l.emit(T.Declare);
        case 0x7c: return l.emit(T.Pipe);
        case 0x22: return lexQuote;
        case 0x60: return lexRawQuote;
        case 0x24: return lexVariable;
        case 0x27: return lexChar;
        case 0x28:
          l.parenDepth++;
          return l.emit(T.LeftParen);
        case 0x29:
          l.parenDepth--;
          if (l.parenDepth < 0) return l.errorf('unexpected right paren');
          return l.emit(T.RightParen);
      }
      if (r === 0x2e) { // .
        if (l.pos < l.input.length) {
          const c = l.input.charCodeAt(l.pos);
          if (c < 0x30 || c > 0x39) return lexField;
        }
        l.backup();
        return lexNumber;
      }
      if (r === 0x2b || r === 0x2d || (r >= 0x30 && r <= 0x39)) {
        l.backup();
        return lexNumber;
      }
      if (isAlphaNumeric(r)) {
        l.backup();
        return lexIdentifier;
      }
      if (r < 0x80 && r >= 0x20 && r < 0x7f) return l.emit(T.Char);
      return l.errorf(`unrecognized character in action: ${formatRuneU(r)}`);
    },

    lexSpace(l: Lexer): StateFn {
      let numSpaces = 0;
      while (isSpace(l.peek())) {
        l.next();
        numSpaces++;
      }
      // a trim-marked closing delimiter starts with a space
      if (hasRightTrimMarker(l.input, l.pos - 1) && l.input.startsWith(RIGHT_DELIM, l.pos - 1 + TRIM_MARKER_LEN)) {
        l.backup();
        if (numSpaces === 1) return lexRightDelim;
      }
      return l.emit(T.Space);
    },

    lexIdentifier(l: Lexer): StateFn {
      for (;;) {
        const r = l.next();
        if (isAlphaNumeric(r)) continue;
        l.backup();
        const word = l.input.slice(l.start, l.pos);
        if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
        const kw = KEYWORDS[word];
        if (kw !== undefined && kw > T.Keyword) return l.emit(kw);
        if (word[0] === '.') return l.emit(T.Field);
        if (word === 'true' || word === 'false') return l.emit(T.Bool);
        return l.emit(T.Identifier);
      }
    },

    lexField(l: Lexer): StateFn {
      return lexFieldOrVariable(l, T.Field);
    },

    lexVariable(l: Lexer): StateFn {
      if (l.atTerminator()) return l.emit(T.Variable);
      return lexFieldOrVariable(l, T.Variable);
    },

    lexFieldOrVariable(l: Lexer, typ: T): StateFn {
      if (l.atTerminator()) return l.emit(typ === T.Variable ? T.Variable : T.Dot);
      let r: number;
      for (;;) {
        r = l.next();
        if (!isAlphaNumeric(r)) {
          l.backup();
          break;
        }
      }
      if (!l.atTerminator()) return l.errorf(`bad character ${formatRuneU(r)}`);
      return l.emit(typ);
    },

    lexChar(l: Lexer): StateFn {
      for (;;) {
        let r = l.next();
        if (r === 0x5c) {
          r = l.next();
          if (r !== EOF && r !== 0x0a) continue;
          return l.errorf('unterminated character constant');
        }
        if (r === EOF || r === 0x0a) return l.errorf('unterminated character constant');
        if (r === 0x27) break;
      }
      return l.emit(T.CharConstant);
    },

    lexNumber(l: Lexer): StateFn {
      if (!l.scanNumber()) return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
      const sign = l.peek();
      if (sign === 0x2b || sign === 0x2d) {
        if (!l.scanNumber() || l.input[l.pos - 1] !== 'i') return l.errorf(`bad number syntax: ${goQuote(l.input.slice(l.start, l.pos))}`);
        return l.emit(T.Complex);
      }
      return l.emit(T.Number);
    },

    lexQuote(l: Lexer): StateFn {
      for (;;) {
        let r = l.next();
        if (r === 0x5c) {
          r = l.next();
          if (r !== EOF && r !== 0x0a) continue;
          return l.errorf('unterminated quoted string');
        }
        if (r === EOF || r === 0x0a) return l.errorf('unterminated quoted string');
        if (r === 0x22) break;
      }
      return l.emit(T.String);
    },

    lexRawQuote(l: Lexer): StateFn {
      for (;;) {
        const r = l.next();
        if (r === EOF) return l.errorf('unterminated raw quoted string');
        if (r === 0x60) break;
      }
      return l.emit(T.RawString);
    },
  };
}

function trimRight(s: string): string {
  let end = s.length;
  while (end > 0 && SPACE_CHARS.includes(s[end - 1])) end--;
  return s.slice(0, end);
}

function leftTrimLength(s: string, from: number): number {
  let i = from;
  while (i < s.length && SPACE_CHARS.includes(s[i])) i++;
  return i - from;
}


const {
  lexText, lexLeftDelim, lexComment, lexRightDelim, lexInsideAction, lexSpace, lexIdentifier,
  lexField, lexVariable, lexFieldOrVariable, lexChar, lexNumber, lexQuote, lexRawQuote,
} = Lexer.states;
