// Ports of the Go fmt, strconv and time printing that name templates can reach, so output matches byte for byte.

import {
  GoNum, GoTime, RootValue, enumString, typeName,
  MONTH_NAMES, DAY_NAMES, type GoValue,
} from './values';

import { canBackquote, goQuote, goQuoteRune, hex, isPrint } from '../../go/quote';
import { formatFloat } from '../../go/float';
import { compareGoStrings } from '../../go/strings';

/** A value our engine cannot print the way Go would; the executor turns it into an error. */
export class UnsupportedError extends Error {}

function runeCount(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

// ---------------------------------------------------------------- time formatting

const STD_CHUNK = {
  longMonth: 1, month: 2, numMonth: 3, zeroMonth: 4, longWeekDay: 5, weekDay: 6, day: 7, underDay: 8,
  zeroDay: 9, underYearDay: 10, zeroYearDay: 11, hour: 12, hour12: 13, zeroHour12: 14, minute: 15,
  zeroMinute: 16, second: 17, zeroSecond: 18, longYear: 19, year: 20, pm: 21, PM: 22, tz: 23,
  iso8601TZ: 24, iso8601SecondsTZ: 25, iso8601ShortTZ: 26, iso8601ColonTZ: 27, iso8601ColonSecondsTZ: 28,
  numTZ: 29, numSecondsTz: 30, numShortTZ: 31, numColonTZ: 32, numColonSecondsTZ: 33,
  fracSecond0: 34, fracSecond9: 35,
} as const;

interface Chunk { prefix: string; std: number; digits: number; sep: string; suffix: string }

function isLower(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x61 && c <= 0x7a;
}

function isDigitAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 0x30 && c <= 0x39;
}

/** time.nextStdChunk: the next layout element. */
function nextStdChunk(layout: string): Chunk {
  const S = STD_CHUNK;
  const at = (i: number, std: number, len: number, digits = 0, sep = ''): Chunk =>
    ({ prefix: layout.slice(0, i), std, digits, sep, suffix: layout.slice(i + len) });
  for (let i = 0; i < layout.length; i++) {
    const c = layout[i];
    const rest = layout.slice(i);
    switch (c) {
      case 'J':
        if (rest.startsWith('Jan')) {
          if (rest.startsWith('January')) return at(i, S.longMonth, 7);
          if (!isLower(layout, i + 3)) return at(i, S.month, 3);
        }
        break;
      case 'M':
        if (rest.startsWith('Mon')) {
          if (rest.startsWith('Monday')) return at(i, S.longWeekDay, 6);
          if (!isLower(layout, i + 3)) return at(i, S.weekDay, 3);
        }
        if (rest.startsWith('MST')) return at(i, S.tz, 3);
        break;
      case '0':
        if (layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          return at(i, [S.zeroMonth, S.zeroDay, S.zeroHour12, S.zeroMinute, S.zeroSecond, S.year][Number(layout[i + 1]) - 1], 2);
        }
        if (layout[i + 1] === '0' && layout[i + 2] === '2') return at(i, S.zeroYearDay, 3);
        break;
      case '1':
        if (layout[i + 1] === '5') return at(i, S.hour, 2);
        return at(i, S.numMonth, 1);
      case '2':
        if (rest.startsWith('2006')) return at(i, S.longYear, 4);
        return at(i, S.day, 1);
      case '_':
        if (layout[i + 1] === '2') {
          if (rest.startsWith('_2006')) return { prefix: layout.slice(0, i + 1), std: S.longYear, digits: 0, sep: '', suffix: layout.slice(i + 5) };
          return at(i, S.underDay, 2);
        }
        if (layout[i + 1] === '_' && layout[i + 2] === '2') return at(i, S.underYearDay, 3);
        break;
      case '3': return at(i, S.hour12, 1);
      case '4': return at(i, S.minute, 1);
      case '5': return at(i, S.second, 1);
      case 'P':
        if (layout[i + 1] === 'M') return at(i, S.PM, 2);
        break;
      case 'p':
        if (layout[i + 1] === 'm') return at(i, S.pm, 2);
        break;
      case '-':
        if (rest.startsWith('-070000')) return at(i, S.numSecondsTz, 7);
        if (rest.startsWith('-07:00:00')) return at(i, S.numColonSecondsTZ, 9);
        if (rest.startsWith('-0700')) return at(i, S.numTZ, 5);
        if (rest.startsWith('-07:00')) return at(i, S.numColonTZ, 6);
        if (rest.startsWith('-07')) return at(i, S.numShortTZ, 3);
        break;
      case 'Z':
        if (rest.startsWith('Z070000')) return at(i, S.iso8601SecondsTZ, 7);
        if (rest.startsWith('Z07:00:00')) return at(i, S.iso8601ColonSecondsTZ, 9);
        if (rest.startsWith('Z0700')) return at(i, S.iso8601TZ, 5);
        if (rest.startsWith('Z07:00')) return at(i, S.iso8601ColonTZ, 6);
        if (rest.startsWith('Z07')) return at(i, S.iso8601ShortTZ, 3);
        break;
      case '.': case ',':
        if (layout[i + 1] === '0' || layout[i + 1] === '9') {
          const ch = layout[i + 1];
          let j = i + 1;
          while (j < layout.length && layout[j] === ch) j++;
          if (!isDigitAt(layout, j)) {
            return { prefix: layout.slice(0, i), std: ch === '0' ? S.fracSecond0 : S.fracSecond9, digits: j - (i + 1), sep: c, suffix: layout.slice(j) };
          }
        }
        break;
    }
  }
  return { prefix: layout, std: 0, digits: 0, sep: '', suffix: '' };
}

function pad(n: number, width: number, ch = '0'): string {
  const neg = n < 0;
  const s = String(Math.abs(n)).padStart(width, ch);
  return neg ? '-' + s : s;
}

/** time.Time.Format for a UTC time. */
export function formatTime(t: GoTime, layout: string): string {
  const S = STD_CHUNK;
  const f = t.f;
  const out: string[] = [];
  while (layout !== '') {
    const c = nextStdChunk(layout);
    if (c.prefix !== '') out.push(c.prefix);
    if (c.std === 0) break;
    layout = c.suffix;
    switch (c.std) {
      case S.year: out.push(pad(((f.year % 100) + 100) % 100, 2)); break;
      case S.longYear: out.push(pad(f.year, 4)); break;
      case S.month: out.push(MONTH_NAMES[f.month - 1].slice(0, 3)); break;
      case S.longMonth: out.push(MONTH_NAMES[f.month - 1]); break;
      case S.numMonth: out.push(String(f.month)); break;
      case S.zeroMonth: out.push(pad(f.month, 2)); break;
      case S.weekDay: out.push(DAY_NAMES[f.weekday].slice(0, 3)); break;
      case S.longWeekDay: out.push(DAY_NAMES[f.weekday]); break;
      case S.day: out.push(String(f.day)); break;
      case S.underDay: out.push(pad(f.day, 2, ' ')); break;
      case S.zeroDay: out.push(pad(f.day, 2)); break;
      case S.underYearDay: out.push(pad(f.yearDay, 3, ' ')); break;
      case S.zeroYearDay: out.push(pad(f.yearDay, 3)); break;
      case S.hour: out.push(pad(f.hour, 2)); break;
      case S.hour12: out.push(String(f.hour % 12 === 0 ? 12 : f.hour % 12)); break;
      case S.zeroHour12: out.push(pad(f.hour % 12 === 0 ? 12 : f.hour % 12, 2)); break;
      case S.minute: out.push(String(f.minute)); break;
      case S.zeroMinute: out.push(pad(f.minute, 2)); break;
      case S.second: out.push(String(f.second)); break;
      case S.zeroSecond: out.push(pad(f.second, 2)); break;
      case S.PM: out.push(f.hour >= 12 ? 'PM' : 'AM'); break;
      case S.pm: out.push(f.hour >= 12 ? 'pm' : 'am'); break;
      // UTC: the ISO 8601 forms print Z, the numeric ones a zero offset
      case S.iso8601TZ: case S.iso8601SecondsTZ: case S.iso8601ShortTZ:
      case S.iso8601ColonTZ: case S.iso8601ColonSecondsTZ: out.push('Z'); break;
      case S.numTZ: out.push('+0000'); break;
      case S.numSecondsTz: out.push('+000000'); break;
      case S.numShortTZ: out.push('+00'); break;
      case S.numColonTZ: out.push('+00:00'); break;
      case S.numColonSecondsTZ: out.push('+00:00:00'); break;
      case S.tz: out.push('UTC'); break;
      case S.fracSecond0: case S.fracSecond9: out.push(fracSecond(t.nsec, c.digits, c.sep, c.std === S.fracSecond9)); break;
    }
  }
  return out.join('');
}

function fracSecond(nsec: number, digits: number, sep: string, trim: boolean): string {
  let s = String(nsec).padStart(9, '0').slice(0, Math.min(digits, 9));
  if (trim) {
    s = s.replace(/0+$/, '');
    if (s === '') return '';
  }
  return sep + s;
}

/** time.Time.String() without a monotonic reading. */
export function timeString(t: GoTime): string {
  return formatTime(t, '2006-01-02 15:04:05.999999999 -0700 MST');
}

/** time.Time.GoString() for a UTC time. */
export function timeGoString(t: GoTime): string {
  const f = t.f;
  return `time.Date(${f.year}, time.${MONTH_NAMES[f.month - 1]}, ${f.day}, ${f.hour}, ${f.minute}, ${f.second}, ${t.nsec}, time.UTC)`;
}

// ---------------------------------------------------------------- fmt

const LDIGITS = '0123456789abcdefx';
const UDIGITS = '0123456789ABCDEFX';

/** fmt's printer state for one Sprint/Sprintf call (fmt.pp + fmt.fmt). */
class Printer {
  buf = '';
  wid = 0;
  prec = 0;
  widPresent = false;
  precPresent = false;
  minus = false;
  plus = false;
  sharp = false;
  space = false;
  zero = false;
  plusV = false;
  sharpV = false;
  erroring = false;
  goodArgNum = true;
  reordered = false;

  clearflags(): void {
    this.widPresent = this.precPresent = this.minus = this.plus = this.sharp = false;
    this.space = this.zero = this.plusV = this.sharpV = false;
    this.wid = this.prec = 0;
  }

  writePadding(n: number): void {
    if (n <= 0) return;
    this.buf += (this.zero && !this.minus ? '0' : ' ').repeat(n);
  }

  pad(s: string): void {
    if (!this.widPresent || this.wid === 0) { this.buf += s; return; }
    const width = this.wid - runeCount(s);
    if (!this.minus) { this.writePadding(width); this.buf += s; }
    else { this.buf += s; this.writePadding(width); }
  }

  truncate(s: string): string {
    if (!this.precPresent) return s;
    let n = this.prec;
    let i = 0;
    for (const ch of s) {
      if (--n < 0) return s.slice(0, i);
      i += ch.length;
    }
    return s;
  }

  fmtS(s: string): void { this.pad(this.truncate(s)); }

  fmtQ(s: string): void {
    s = this.truncate(s);
    if (this.sharp && canBackquote(s)) this.pad('`' + s + '`');
    else this.pad(goQuote(s, this.plus));
  }

  fmtSx(s: string, digits: string): void {
    const b = Buffer.from(s, 'utf8');
    let length = b.length;
    if (this.precPresent && this.prec < length) length = this.prec;
    let width = 2 * length;
    if (width > 0) {
      if (this.space) {
        if (this.sharp) width *= 2;
        width += length - 1;
      } else if (this.sharp) width += 2;
    } else {
      if (this.widPresent) this.writePadding(this.wid);
      return;
    }
    if (this.widPresent && this.wid > width && !this.minus) this.writePadding(this.wid - width);
    let out = '';
    if (this.sharp) out += '0' + digits[16];
    for (let i = 0; i < length; i++) {
      if (this.space && i > 0) {
        out += ' ';
        if (this.sharp) out += '0' + digits[16];
      }
      out += digits[b[i] >> 4] + digits[b[i] & 0xf];
    }
    this.buf += out;
    if (this.widPresent && this.wid > width && this.minus) this.writePadding(this.wid - width);
  }

  fmtInteger(u: bigint, base: number, signed: boolean, verb: string, digits: string): void {
    const negative = signed && u < 0n;
    if (negative) u = -u;
    let prec = 0;
    if (this.precPresent) {
      prec = this.prec;
      if (prec === 0 && u === 0n) {
        const oldZero = this.zero;
        this.zero = false;
        this.writePadding(this.wid);
        this.zero = oldZero;
        return;
      }
    } else if (this.zero && !this.minus && this.widPresent) {
      prec = this.wid;
      if (negative || this.plus || this.space) prec--;
    }
    let s = base === 10 ? u.toString() : u.toString(base);
    if (digits === UDIGITS) s = s.toUpperCase();
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    if (this.sharp) {
      if (base === 2) s = '0b' + s;
      else if (base === 8 && s[0] !== '0') s = '0' + s;
      else if (base === 16) s = '0' + digits[16] + s;
    }
    if (verb === 'O') s = '0o' + s;
    if (negative) s = '-' + s;
    else if (this.plus) s = '+' + s;
    else if (this.space) s = ' ' + s;
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtUnicode(u: bigint): void {
    let s = u.toString(16).toUpperCase();
    const prec = this.precPresent && this.prec > 4 ? this.prec : 4;
    if (s.length < prec) s = '0'.repeat(prec - s.length) + s;
    s = 'U+' + s;
    if (this.sharp && u <= 0x10ffffn && isPrint(Number(u))) s += " '" + String.fromCodePoint(Number(u)) + "'";
    const oldZero = this.zero;
    this.zero = false;
    this.pad(s);
    this.zero = oldZero;
  }

  fmtFloat(v: number, verb: string, prec: number): void {
    if (this.precPresent) prec = this.prec;
    let num = formatFloat(v, verb, prec);
    if (num[0] !== '-' && num[0] !== '+') num = '+' + num;
    if (this.space && num[0] === '+' && !this.plus) num = ' ' + num.slice(1);
    if (num[1] === 'I' || num[1] === 'N') {
      const oldZero = this.zero;
      this.zero = false;
      if (num[1] === 'N' && !this.space && !this.plus) num = num.slice(1);
      this.pad(num);
      this.zero = oldZero;
      return;
    }
    if (this.sharp) throw new UnsupportedError(`the # flag with %${verb} is not supported`);
    if (this.plus || num[0] !== '+') {
      if (this.zero && !this.minus && this.widPresent && this.wid > num.length) {
        this.buf += num[0];
        this.writePadding(this.wid - num.length);
        this.buf += num.slice(1);
        return;
      }
      this.pad(num);
      return;
    }
    this.pad(num.slice(1));
  }

  badVerb(verb: string, v: GoValue, methods: boolean): void {
    this.erroring = true;
    this.buf += '%!' + verb + '(';
    if (v === undefined) this.buf += '<nil>';
    else {
      this.buf += typeName(v) + '=';
      this.printArg(v, 'v', methods);
    }
    this.buf += ')';
    this.erroring = false;
  }

  printArg(v: GoValue, verb: string, methods = true): void {
    if (v === undefined) {
      if (verb === 'T' || verb === 'v') this.pad('<nil>');
      else this.badVerb(verb, v, methods);
      return;
    }
    if (verb === 'T') { this.fmtS(typeName(v)); return; }
    if (verb === 'p') {
      if (Array.isArray(v) || v instanceof Map || v instanceof RootValue) throw new UnsupportedError('%p is not supported');
      this.badVerb(verb, v, methods);
      return;
    }
    switch (typeof v) {
      case 'boolean':
        if (verb === 't' || verb === 'v') this.pad(v ? 'true' : 'false');
        else this.badVerb(verb, v, methods);
        return;
      case 'number': this.printInteger(BigInt(v), true, verb, v); return;
      case 'bigint': this.printInteger(v, true, verb, v); return;
      case 'string': this.printString(v, verb); return;
    }
    if (v instanceof GoNum) {
      if (v.type === 'float64') { this.printFloat(v.v, verb, v); return; }
      if (v.type === 'uint8') { this.printInteger(BigInt(v.v), false, verb, v); return; }
      // time.Month and time.Weekday are Stringers; fmt's %v %s %x %X %q use String()
      if (methods && !this.erroring && !this.sharpV && 'vsxXq'.includes(verb)) { this.printString(enumString(v), verb); return; }
      this.printInteger(BigInt(v.v), true, verb, v, false);
      return;
    }
    if (v instanceof GoTime) {
      if (this.sharpV) { this.fmtS(timeGoString(v)); return; }
      if (!this.erroring && 'vsxXq'.includes(verb)) { this.printString(timeString(v), verb); return; }
      throw new UnsupportedError(`%${verb} of a time.Time is not supported`);
    }
    if (v instanceof RootValue) throw new UnsupportedError('printing the template data struct is not supported');
    if (Array.isArray(v)) {
      const a = v as readonly string[];
      if (this.sharpV) {
        this.buf += '[]string{';
        a.forEach((s, i) => { if (i > 0) this.buf += ', '; this.printString(s, verb); });
        this.buf += '}';
        return;
      }
      this.buf += '[';
      a.forEach((s, i) => { if (i > 0) this.buf += ' '; this.printString(s, verb); });
      this.buf += ']';
      return;
    }
    const m = v as ReadonlyMap<string, string>;
    const keys = [...m.keys()].sort(compareGoStrings);
    this.buf += this.sharpV ? 'map[string]string{' : 'map[';
    keys.forEach((k, i) => {
      if (i > 0) this.buf += this.sharpV ? ', ' : ' ';
      this.printString(k, verb);
      this.buf += ':';
      this.printString(m.get(k)!, verb);
    });
    this.buf += this.sharpV ? '}' : ']';
  }

  printString(s: string, verb: string): void {
    switch (verb) {
      case 'v': if (this.sharpV) this.fmtQ(s); else this.fmtS(s); return;
      case 's': this.fmtS(s); return;
      case 'x': this.fmtSx(s, LDIGITS); return;
      case 'X': this.fmtSx(s, UDIGITS); return;
      case 'q': this.fmtQ(s); return;
    }
    this.badVerb(verb, s, true);
  }

  printInteger(u: bigint, signed: boolean, verb: string, orig: GoValue, methods = true): void {
    switch (verb) {
      case 'v':
        if (this.sharpV && !signed) {
          const oldSharp = this.sharp;
          this.sharp = true;
          this.fmtInteger(u, 16, signed, 'v', LDIGITS);
          this.sharp = oldSharp;
        } else this.fmtInteger(u, 10, signed, verb, LDIGITS);
        return;
      case 'd': this.fmtInteger(u, 10, signed, verb, LDIGITS); return;
      case 'b': this.fmtInteger(u, 2, signed, verb, LDIGITS); return;
      case 'o': case 'O': this.fmtInteger(u, 8, signed, verb, LDIGITS); return;
      case 'x': this.fmtInteger(u, 16, signed, verb, LDIGITS); return;
      case 'X': this.fmtInteger(u, 16, signed, verb, UDIGITS); return;
      case 'c': this.pad(String.fromCodePoint(u < 0n || u > 0x10ffffn || (u >= 0xd800n && u <= 0xdfffn) ? 0xfffd : Number(u))); return;
      case 'q': this.pad(goQuoteRune(u < 0n || u > 0x10ffffn ? 0xfffd : Number(u), this.plus)); return;
      case 'U': this.fmtUnicode(u); return;
    }
    this.badVerb(verb, orig, methods);
  }

  printFloat(v: number, verb: string, orig: GoValue): void {
    switch (verb) {
      case 'v': this.fmtFloat(v, 'g', -1); return;
      case 'g': case 'G': this.fmtFloat(v, verb, -1); return;
      case 'f': case 'F': this.fmtFloat(v, 'f', 6); return;
      case 'e': case 'E': this.fmtFloat(v, verb, 6); return;
      case 'b': case 'x': case 'X': throw new UnsupportedError(`%${verb} of a float64 is not supported`);
    }
    this.badVerb(verb, orig, true);
  }

  // ------------------------------------------------ Printf driver (fmt.doPrintf)

  argNumber(argNum: number, format: string, i: number, numArgs: number): [number, number, boolean] {
    if (format.length <= i || format[i] !== '[') return [argNum, i, false];
    this.reordered = true;
    const [index, wid, ok] = parseArgNumber(format.slice(i));
    if (ok && index >= 0 && index < numArgs) return [index, i + wid, true];
    this.goodArgNum = false;
    return [argNum, i + wid, ok];
  }

  doPrintf(format: string, a: readonly GoValue[]): void {
    const end = format.length;
    let argNum = 0;
    let afterIndex = false;
    this.reordered = false;
    formatLoop:
    for (let i = 0; i < end;) {
      this.goodArgNum = true;
      const lasti = i;
      while (i < end && format[i] !== '%') i++;
      if (i > lasti) this.buf += format.slice(lasti, i);
      if (i >= end) break;
      i++;
      this.clearflags();
      simpleFormat:
      for (; i < end; i++) {
        const c = format[i];
        switch (c) {
          case '#': this.sharp = true; break;
          case '0': this.zero = true; break;
          case '+': this.plus = true; break;
          case '-': this.minus = true; break;
          case ' ': this.space = true; break;
          default:
            if (c >= 'a' && c <= 'z' && argNum < a.length) {
              if (c === 'v' || c === 'w') {
                this.sharpV = this.sharp; this.sharp = false;
                this.plusV = this.plus; this.plus = false;
              }
              this.printVerb(a[argNum], c);
              argNum++;
              i++;
              continue formatLoop;
            }
            break simpleFormat;
        }
      }
      [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i < end && format[i] === '*') {
        i++;
        [this.wid, this.widPresent, argNum] = intFromArg(a, argNum);
        if (!this.widPresent) this.buf += '%!(BADWIDTH)';
        if (this.wid < 0) { this.wid = -this.wid; this.minus = true; this.zero = false; }
        afterIndex = false;
      } else {
        [this.wid, this.widPresent, i] = parsenum(format, i, end);
        if (afterIndex && this.widPresent) this.goodArgNum = false;
      }
      if (i + 1 < end && format[i] === '.') {
        i++;
        if (afterIndex) this.goodArgNum = false;
        [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
        if (i < end && format[i] === '*') {
          i++;
          [this.prec, this.precPresent, argNum] = intFromArg(a, argNum);
          if (this.prec < 0) { this.prec = 0; this.precPresent = false; }
          if (!this.precPresent) this.buf += '%!(BADPREC)';
          afterIndex = false;
        } else {
          [this.prec, this.precPresent, i] = parsenum(format, i, end);
          if (!this.precPresent) { this.prec = 0; this.precPresent = true; }
        }
      }
      if (!afterIndex) [argNum, i, afterIndex] = this.argNumber(argNum, format, i, a.length);
      if (i >= end) { this.buf += '%!(NOVERB)'; break; }
      const verb = String.fromCodePoint(format.codePointAt(i)!);
      i += verb.length;
      if (verb === '%') this.buf += '%';
      else if (!this.goodArgNum) this.buf += '%!' + verb + '(BADINDEX)';
      else if (argNum >= a.length) this.buf += '%!' + verb + '(MISSING)';
      else {
        if (verb === 'v' || verb === 'w') {
          this.sharpV = this.sharp; this.sharp = false;
          this.plusV = this.plus; this.plus = false;
        }
        this.printVerb(a[argNum], verb);
        argNum++;
      }
    }
    if (!this.reordered && argNum < a.length) {
      this.clearflags();
      this.buf += '%!(EXTRA ';
      a.slice(argNum).forEach((arg, k) => {
        if (k > 0) this.buf += ', ';
        if (arg === undefined) this.buf += '<nil>';
        else { this.buf += typeName(arg) + '='; this.printArg(arg, 'v'); }
      });
      this.buf += ')';
    }
  }

  printVerb(v: GoValue, verb: string): void {
    // %w is only meaningful in Errorf; Sprintf reports it as a bad verb
    if (verb === 'w') this.badVerb('w', v, true);
    else this.printArg(v, verb);
  }
}

function parsenum(s: string, start: number, end: number): [number, boolean, number] {
  if (start >= end) return [0, false, end];
  let num = 0;
  let isnum = false;
  let i = start;
  for (; i < end && isDigitAt(s, i); i++) {
    if (num > 1e6) return [0, false, end]; // fmt's tooLarge guard
    num = num * 10 + (s.charCodeAt(i) - 0x30);
    isnum = true;
  }
  return [num, isnum, i];
}

function parseArgNumber(format: string): [number, number, boolean] {
  if (format.length < 3) return [0, 1, false];
  for (let i = 1; i < format.length; i++) {
    if (format[i] === ']') {
      const [width, ok, newi] = parsenum(format, 1, i);
      if (!ok || newi !== i) return [0, i + 1, false];
      return [width - 1, i + 1, true];
    }
  }
  return [0, 1, false];
}

function intFromArg(a: readonly GoValue[], argNum: number): [number, boolean, number] {
  if (argNum >= a.length) return [0, false, argNum];
  const v = a[argNum];
  let num = 0;
  let isInt = false;
  if (typeof v === 'number') { num = v; isInt = true; }
  else if (typeof v === 'bigint' && v >= -(2n ** 63n) && v < 2n ** 63n) { num = Number(v); isInt = true; }
  else if (v instanceof GoNum && v.type !== 'float64') { num = v.v; isInt = true; }
  if (num > 1e6 || num < -1e6) { num = 0; isInt = false; }
  return [num, isInt, argNum + 1];
}

/** fmt.Sprintf */
export function sprintf(format: string, args: readonly GoValue[]): string {
  const p = new Printer();
  p.doPrintf(format, args);
  return p.buf;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: readonly GoValue[]): string {
  const p = new Printer();
  let prevString = false;
  args.forEach((arg, i) => {
    const isString = typeof arg === 'string';
    if (i > 0 && !isString && !prevString) p.buf += ' ';
    p.printArg(arg, 'v');
    prevString = isString;
  });
  return p.buf;
}

/** fmt.Sprintln: always spaces between operands, and a newline. */
export function sprintln(args: readonly GoValue[]): string {
  const p = new Printer();
  args.forEach((arg, i) => {
    if (i > 0) p.buf += ' ';
    p.printArg(arg, 'v');
  });
  return p.buf + '\n';
}

/** fmt.Sprint of one value, %v. */
export function formatValue(v: GoValue): string {
  if (typeof v === 'string') return v;
  const p = new Printer();
  p.printArg(v, 'v');
  return p.buf;
}

// ---------------------------------------------------------------- html, js, urlquery

export function htmlEscape(s: string): string {
  let out = '';
  let last = 0;
  for (let i = 0; i < s.length; i++) {
    let rep: string;
    switch (s.charCodeAt(i)) {
      case 0: rep = '\uFFFD'; break;
      case 0x22: rep = '&#34;'; break;
      case 0x27: rep = '&#39;'; break;
      case 0x26: rep = '&amp;'; break;
      case 0x3c: rep = '&lt;'; break;
      case 0x3e: rep = '&gt;'; break;
      default: continue;
    }
    out += s.slice(last, i) + rep;
    last = i + 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

export function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    switch (r) {
      case 0x5c: out += '\\\\'; continue;
      case 0x27: out += "\\'"; continue;
      case 0x22: out += '\\"'; continue;
      case 0x3c: out += '\\u003C'; continue;
      case 0x3e: out += '\\u003E'; continue;
      case 0x26: out += '\\u0026'; continue;
      case 0x3d: out += '\\u003D'; continue;
    }
    if (r < 0x20) out += '\\u00' + hex(r, 2).toUpperCase();
    else if (r < 0x80 || isPrint(r)) out += ch;
    else out += '\\u' + hex(r, 4).toUpperCase();
  }
  return out;
}

/** net/url.QueryEscape */
export function urlQueryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    if ((b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x5f || b === 0x2e || b === 0x7e) {
      out += String.fromCharCode(b);
    } else if (b === 0x20) out += '+';
    else out += '%' + hex(b, 2).toUpperCase();
  }
  return out;
}
