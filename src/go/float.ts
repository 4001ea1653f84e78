// Go's strconv.FormatFloat for float64, byte for byte: formatGoFloat is the shortest 'g' form that
// the exposition writers (and a template's %v) print; formatFloat covers the other verbs and
// precisions a name template's printf can ask for.
//
// Go's shortest 'g': take the shortest round-trip digits d (nd of them) with decimal exponent
// exp = dp - 1; print %e when exp < -4 || exp >= 6 (eprec is forced to 6 in shortest mode), else %f.
// %e prints d[0] '.' d[1:] 'e' sign and an exponent of at least two digits; %f prints the plain
// decimal. ECMAScript's Number#toString / toExponential() also produce the shortest round-trip
// digits (closest, ties to even), so only the layout has to be rearranged.

/** Go strconv.FormatFloat(v, 'g', -1, 64). */
export function formatGoFloat(v: number): string {
  // Fast path first: counts and byte sums are mostly small integers.
  if (Number.isInteger(v) && v < 1e6 && v > -1e6) {
    // -0 is an integer too; Go keeps its sign.
    return v === 0 && 1 / v < 0 ? '-0' : String(v);
  }
  if (v !== v) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const a = v < 0 ? -v : v;
  // For 1e-4 <= |v| < 1e6 the shortest digits have exp in [-4, 5], where Go prints %f and
  // JS toString prints the same plain decimal (JS only switches to exponents below 1e-6).
  if (a >= 1e-4 && a < 1e6) return String(v);
  return expForm(v.toExponential());
}

// JS "d.ddde+N" -> Go "d.ddde+0N": same digits, exponent padded to two digits.
function expForm(s: string): string {
  const e = s.indexOf('e');
  // s[e+1] is the sign; a single exponent digit means the string ends two characters later.
  return s.length - e === 3 ? s.slice(0, e + 2) + '0' + s.slice(e + 2) : s;
}

interface Digits { d: string; dp: number } // value = 0.d × 10^dp, d without trailing zeros

const f64 = new DataView(new ArrayBuffer(8));

/** The exact decimal expansion of a finite, non-negative double. */
function exactDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  f64.setFloat64(0, v);
  const hi = f64.getUint32(0);
  const lo = f64.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e2: number;
  if (bexp === 0) e2 = -1074;
  else { mant |= 1n << 52n; e2 = bexp - 1075; }
  let d: string;
  let dp: number;
  if (e2 >= 0) { d = (mant << BigInt(e2)).toString(); dp = d.length; }
  else { d = (mant * 5n ** BigInt(-e2)).toString(); dp = d.length + e2; }
  return trimDigits({ d, dp });
}

function trimDigits(x: Digits): Digits {
  let end = x.d.length;
  while (end > 0 && x.d.charCodeAt(end - 1) === 0x30) end--;
  return end === x.d.length ? x : { d: x.d.slice(0, end), dp: end === 0 ? 0 : x.dp };
}

/** Round to nd significant digits, half to even on exact ties, as strconv's decimal.Round. */
function roundDigits(x: Digits, nd: number): Digits {
  if (nd < 0) return { d: '', dp: 0 };
  if (nd >= x.d.length) return x;
  const c = x.d.charCodeAt(nd);
  let up: boolean;
  if (c === 0x35 && nd + 1 === x.d.length) up = nd > 0 && (x.d.charCodeAt(nd - 1) - 0x30) % 2 === 1;
  else up = c >= 0x35;
  if (!up) return trimDigits({ d: x.d.slice(0, nd), dp: x.d.slice(0, nd) === '' ? 0 : x.dp });
  let i = nd - 1;
  while (i >= 0 && x.d.charCodeAt(i) === 0x39) i--;
  if (i < 0) return { d: '1', dp: x.dp + 1 };
  return trimDigits({ d: x.d.slice(0, i) + String.fromCharCode(x.d.charCodeAt(i) + 1), dp: x.dp });
}

/** Shortest digits that round-trip, which is what Go's strconv uses for precision -1. */
function shortestDigits(v: number): Digits {
  if (v === 0) return { d: '', dp: 0 };
  const s = v.toExponential(); // JS picks the shortest round-trip digits too
  const e = s.indexOf('e');
  const mant = s.slice(0, e).replace('.', '');
  return trimDigits({ d: mant, dp: Number(s.slice(e + 1)) + 1 });
}

function fmtE(neg: boolean, x: Digits, prec: number, ch: string): string {
  let s = neg ? '-' : '';
  s += x.d.length === 0 ? '0' : x.d[0];
  if (prec > 0) {
    s += '.';
    const m = Math.min(x.d.length, prec + 1);
    if (m > 1) s += x.d.slice(1, m);
    for (let i = Math.max(m, 1); i <= prec; i++) s += '0';
  }
  let exp = x.d.length === 0 ? 0 : x.dp - 1;
  let sign = '+';
  if (exp < 0) { sign = '-'; exp = -exp; }
  return s + ch + sign + (exp < 10 ? '0' + exp : String(exp));
}

function fmtF(neg: boolean, x: Digits, prec: number): string {
  let s = neg ? '-' : '';
  if (x.dp > 0) {
    const m = Math.min(x.d.length, x.dp);
    s += x.d.slice(0, m);
    for (let i = m; i < x.dp; i++) s += '0';
  } else s += '0';
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) {
      const j = x.dp + i - 1;
      s += j >= 0 && j < x.d.length ? x.d[j] : '0';
    }
  }
  return s;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for fmt in e E f g G. */
export function formatFloat(v: number, fmt: string, prec: number): string {
  if (fmt === 'g' && prec < 0) return formatGoFloat(v);
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const shortest = prec < 0;
  let x: Digits;
  if (shortest) {
    x = shortestDigits(a);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(x.d.length - 1, 0);
    else if (fmt === 'f') prec = Math.max(x.d.length - x.dp, 0);
    else prec = x.d.length;
  } else {
    const exact = exactDigits(a);
    if (fmt === 'e' || fmt === 'E') x = roundDigits(exact, prec + 1);
    else if (fmt === 'f') x = roundDigits(exact, exact.dp + prec);
    else { if (prec === 0) prec = 1; x = roundDigits(exact, prec); }
  }
  if (fmt === 'e' || fmt === 'E') return fmtE(neg, x, prec, fmt);
  if (fmt === 'f') return fmtF(neg, x, prec);
  let eprec = prec;
  if (eprec > x.d.length && x.d.length >= x.dp) eprec = x.d.length;
  if (shortest) eprec = 6;
  const exp = x.dp - 1;
  if (exp < -4 || exp >= eprec) {
    if (prec > x.d.length) prec = x.d.length;
    return fmtE(neg, x, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > x.dp) prec = x.d.length;
  return fmtF(neg, x, Math.max(prec - x.dp, 0));
}
