// Small re-implementations of the Go standard-library behaviour that prometheus/procfs v0.14 relies on
// (strconv.ParseUint/ParseInt, fmt.Fscan integer scanning, bufio.ScanLines, strings.TrimSpace), so
// that our parsers accept and reject exactly the inputs the reference does.
import { goQuote } from '../../go/quote';

type Bytes = Uint8Array;
export type Text = string | Uint8Array;

/** A parse failure; the message mimics the Go error text where it is user-visible. */
export class ParseError extends Error {
  override name = 'ParseError';
}

export const UINT64_MAX = 18446744073709551615n;
const INT64_MAX = 9223372036854775807n;
const TWO64 = 18446744073709551616n;

/** Bytes as a string with one char per byte (no UTF-8 decoding, so byte offsets are kept). */
export function latin1(t: Text): string {
  if (typeof t === 'string') return t;
  return Buffer.from(t.buffer, t.byteOffset, t.byteLength).toString('latin1');
}

export function asBytes(t: Text): Bytes {
  return typeof t === 'string' ? Buffer.from(t, 'utf8') : t;
}

/** Go strconv.ParseUint(s, 10, 64) as the nearest float64; throws like Go on syntax or range errors. */
export function parseUint10(s: string): number {
  const n = s.length;
  if (n === 0) throw new ParseError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) throw new ParseError(`strconv.ParseUint: parsing ${goQuote(s)}: invalid syntax`);
  }
  if (n <= 15) return +s;
  let i = 0;
  while (i < n - 1 && s.charCodeAt(i) === 48) i++;
  const d = s.slice(i);
  if (d.length > 20 || (d.length === 20 && d > '18446744073709551615')) {
    throw new ParseError(`strconv.ParseUint: parsing ${goQuote(s)}: value out of range`);
  }
  // Number() of a decimal string with <= 20 significant digits is correctly rounded.
  return Number(d);
}

/** Like parseUint10 but returns the exact value (for arithmetic that wraps modulo 2^64). */
export function parseUint10Big(s: string): bigint {
  parseUint10(s);
  return BigInt(s);
}

/** Go strconv.ParseInt(s, 10, 64) / strconv.Atoi: optional sign, decimal digits, int64 range. */
export function parseInt10(s: string): number {
  let body = s;
  let neg = false;
  if (body.length > 0 && (body[0] === '+' || body[0] === '-')) {
    neg = body[0] === '-';
    body = body.slice(1);
  }
  if (body.length === 0 || !/^[0-9]+$/.test(body)) {
    throw new ParseError(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  }
  if (body.length <= 15) return neg ? -Number(body) : Number(body);
  const v = BigInt(body);
  if ((!neg && v > INT64_MAX) || (neg && v > INT64_MAX + 1n)) {
    throw new ParseError(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  }
  return Number(neg ? -v : v);
}

/** Multiply by 1024 with uint64 wraparound, as Go's `v * 1024` on a uint64 does. */
export function kbToBytesWrapped(kb: number, exact: () => bigint): number {
  // Below 2^43 kB the product is below 2^53 and exact as a float64.
  if (kb < 8796093022208) return kb * 1024;
  return Number((exact() * 1024n) % TWO64);
}

// Go's unicode.IsSpace as used by fmt's scanner, on UTF-8 bytes: returns the byte length of the
// space rune at i, or 0.
function spaceLen(b: Bytes, i: number, end: number): number {
  const c = b[i];
  if (c === 0x20 || (c >= 0x09 && c <= 0x0d)) return 1;
  if (c < 0xc2) return 0;
  if (c === 0xc2 && i + 1 < end && (b[i + 1] === 0x85 || b[i + 1] === 0xa0)) return 2;
  if (i + 2 >= end) return 0;
  const c1 = b[i + 1];
  const c2 = b[i + 2];
  if (c === 0xe1 && c1 === 0x9a && c2 === 0x80) return 3; // U+1680
  if (c === 0xe2 && c1 === 0x80 && ((c2 >= 0x80 && c2 <= 0x8a) || c2 === 0xa8 || c2 === 0xa9 || c2 === 0xaf)) return 3;
  if (c === 0xe2 && c1 === 0x81 && c2 === 0x9f) return 3; // U+205F
  if (c === 0xe3 && c1 === 0x80 && c2 === 0x80) return 3; // U+3000
  return 0;
}

function isDigitOf(c: number, base: number): boolean {
  if (c === 95) return true; // '_' is in every digit set of the %v verb
  if (base === 2) return c === 48 || c === 49;
  if (base === 8) return c >= 48 && c <= 55;
  if (base === 10) return c >= 48 && c <= 57;
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

// strconv's underscoreOK: underscores only between digits (or right after a base prefix).
function underscoreOK(s: string): boolean {
  let saw = '^';
  let i = 0;
  if (s.length >= 1 && (s[0] === '-' || s[0] === '+')) s = s.slice(1);
  let hex = false;
  if (s.length >= 2 && s[0] === '0' && 'bBoOxX'.includes(s[1])) {
    i = 2;
    saw = '0';
    hex = s[1] === 'x' || s[1] === 'X';
  }
  for (; i < s.length; i++) {
    const c = s[i];
    if ((c >= '0' && c <= '9') || (hex && /[a-fA-F]/.test(c))) {
      saw = '0';
      continue;
    }
    if (c === '_') {
      if (saw !== '0') return false;
      saw = '_';
      continue;
    }
    if (saw === '_') return false;
    saw = '!';
  }
  return saw !== '_';
}

// strconv.ParseUint/ParseInt(tok, 0, 64): base prefixes, leading-0 octal, underscores.
function parseBase0(tok: string, signed: boolean): number {
  const fn = signed ? 'ParseInt' : 'ParseUint';
  const syntax = () => new ParseError(`strconv.${fn}: parsing ${goQuote(tok)}: invalid syntax`);
  let s = tok;
  let neg = false;
  if (signed && s.length > 0 && (s[0] === '+' || s[0] === '-')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s.length === 0) throw syntax();
  let base = 10;
  if (s[0] === '0' && s.length > 1) {
    const p = s[1].toLowerCase();
    if (p === 'b' || p === 'o' || p === 'x') {
      base = p === 'b' ? 2 : p === 'o' ? 8 : 16;
      s = s.slice(2);
    } else {
      base = 8;
      s = s.slice(1);
    }
  }
  if (s.includes('_') && !underscoreOK(tok)) throw syntax();
  const digits = s.replace(/_/g, '');
  if (digits.length === 0) throw syntax();
  for (const ch of digits) {
    const c = ch.charCodeAt(0);
    if (c === 95 || !isDigitOf(c, base)) throw syntax();
  }
  let v: bigint;
  if (base === 10 && digits.length <= 15) {
    const n = Number(digits);
    return neg ? -n : n;
  }
  v = BigInt((base === 2 ? '0b' : base === 8 ? '0o' : base === 16 ? '0x' : '') + digits);
  const limit = signed ? (neg ? INT64_MAX + 1n : INT64_MAX) : UINT64_MAX;
  if (v > limit) throw new ParseError(`strconv.${fn}: parsing ${goQuote(tok)}: value out of range`);
  return Number(neg ? -v : v);
}

/**
 * fmt.Fscan over a byte range with the %v verb: space-separated operands, newlines count as
 * space. Integers take an optional sign (signed only), a base prefix and underscores.
 */
export class GoFscan {
  constructor(
    private readonly b: Bytes,
    public pos: number,
    private readonly end: number,
  ) {}

  private skipSpace(): void {
    while (this.pos < this.end) {
      const l = spaceLen(this.b, this.pos, this.end);
      if (l === 0) return;
      this.pos += l;
    }
  }

  private notEOF(): void {
    if (this.pos >= this.end) throw new ParseError('unexpected EOF');
  }

  /** A %v string operand: the next run of non-space bytes. Returns [start, end). */
  token(): [number, number] {
    this.skipSpace();
    this.notEOF();
    const start = this.pos;
    while (this.pos < this.end && spaceLen(this.b, this.pos, this.end) === 0) this.pos++;
    return [start, this.pos];
  }

  uint(): number {
    return this.integer(false);
  }

  int(): number {
    return this.integer(true);
  }

  /** Skip one integer operand, validating it like Go does. */
  skipUint(): void {
    this.integer(false);
  }

  private integer(signed: boolean): number {
    this.skipSpace();
    this.notEOF();
    const b = this.b;
    const start = this.pos;
    if (signed && (b[this.pos] === 43 || b[this.pos] === 45)) this.pos++;
    let base = 10;
    let haveDigits = false;
    let prefixed = false;
    if (this.pos < this.end && b[this.pos] === 48) {
      this.pos++;
      haveDigits = true;
      const c = this.pos < this.end ? b[this.pos] | 0x20 : 0;
      if (c === 0x62) base = 2;
      else if (c === 0x6f) base = 8;
      else if (c === 0x78) base = 16;
      else base = 8;
      if (c === 0x62 || c === 0x6f || c === 0x78) {
        this.pos++;
        prefixed = true;
      }
    }
    if (haveDigits && !prefixed && (this.pos >= this.end || !isDigitOf(b[this.pos], 8))) {
      // The common lone "0" field.
      return 0;
    }
    if (!haveDigits) {
      this.notEOF();
      if (!isDigitOf(b[this.pos], base)) throw new ParseError('expected integer');
    }
    // Fast path: plain decimal digits, no underscores.
    let v = 0;
    let plain = base === 10;
    const digitStart = this.pos;
    while (this.pos < this.end && isDigitOf(b[this.pos], base)) {
      if (plain) {
        const c = b[this.pos];
        if (c === 95) plain = false;
        else v = v * 10 + (c - 48);
      }
      this.pos++;
    }
    if (plain && this.pos - digitStart <= 15) {
      return b[start] === 45 ? -v : v;
    }
    return parseBase0(latin1(b.subarray(start, this.pos)), signed);
  }
}

/** bufio.ScanLines over text: lines without '\n' and a trailing '\r'; a final unterminated line counts. */
export function scanLines(s: string): string[] {
  if (s.length === 0) return [];
  const parts = s.split('\n');
  if (parts[parts.length - 1] === '') parts.pop();
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p.endsWith('\r')) parts[i] = p.slice(0, -1);
  }
  return parts;
}

/** bufio.Scanner's default limit: a token must fit in 64 KiB. */
export const MAX_SCAN_TOKEN = 64 * 1024;

/** strings.TrimSpace for ASCII whitespace (the only whitespace the kernel writes). */
export function trimSpace(s: string): string {
  return s.replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');
}

/** strings.Trim / TrimRight / TrimLeft with a cutset. */
export function trimCutset(s: string, cutset: string, left: boolean, right: boolean): string {
  let a = 0;
  let z = s.length;
  if (left) while (a < z && cutset.includes(s[a])) a++;
  if (right) while (z > a && cutset.includes(s[z - 1])) z--;
  return s.slice(a, z);
}
