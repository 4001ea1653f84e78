// Go's time.ParseDuration, exactly: the flags (-recheck-with-time-limit, -once-to-stdout-delay) and
// the web config's rate_limit.interval (yaml.v2 decodes a time.Duration string with it) take
// durations this way.
import { goQuote } from './quote';

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 micro sign
  ['\u03bcs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO_63 = 1n << 63n;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/** time.ParseDuration, returning nanoseconds. Throws an Error with Go's message on bad input. */
export function parseGoDuration(orig: string): bigint {
  const invalid = () => new Error('time: invalid duration ' + goQuote(orig));
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  // Go special-cases a lone 0 (with optional sign): the only number allowed without a unit.
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]!))) throw invalid();
    // [0-9]*
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i]!)) {
      // Go's leadingInt fails once the integer part exceeds 2^63.
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j]!)) {
        // Go's leadingFraction stops accumulating (but keeps consuming digits) on overflow.
        if (!overflow) {
          const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
          if (f > (TWO_63 - 1n) / 10n || y > TWO_63) overflow = true;
          else {
            f = y;
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    // unit: everything up to the next '.' or digit
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k]!)) k++;
    if (k === 0) throw new Error('time: missing unit in duration ' + goQuote(orig));
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = NS_PER_UNIT.get(u);
    if (unit === undefined) throw new Error('time: unknown unit ' + goQuote(u) + ' in duration ' + goQuote(orig));
    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64 and truncates: uint64(float64(f) * (float64(unit) / scale)).
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}

/**
 * A duration for a YAML time.Duration field, in milliseconds: yaml.v2 takes a plain integer as
 * nanoseconds and any other text through time.ParseDuration. null when it is not a duration.
 */
export function yamlDurationMs(text: string): number | null {
  if (/^\d+$/.test(text)) return Number(text) / 1e6;
  try {
    return Number(parseGoDuration(text)) / 1e6;
  } catch {
    return null;
  }
}

/** time.Duration.String for nanoseconds: "5m0s", "3s", "1.5ms", "0s" (how Go's flag package shows a default). */
export function formatGoDuration(ns: bigint): string {
  const neg = ns < 0n;
  let u = neg ? -ns : ns;
  if (u === 0n) return '0s';
  let out: string;
  if (u < 1_000_000_000n) {
    // below a second: the largest unit that keeps an integer part, with its fraction
    const [unit, prec] = u < 1_000n ? ['ns', 0] : u < 1_000_000n ? ['\u00b5s', 3] : ['ms', 6];
    out = fraction(u, prec) + unit;
  } else {
    const secs = u / 1_000_000_000n;
    const frac = fraction(u, 9).slice(String(secs).length);
    out = `${secs % 60n}${frac}s`;
    const mins = secs / 60n;
    if (mins > 0n) {
      out = `${mins % 60n}m` + out;
      const hours = mins / 60n;
      if (hours > 0n) out = `${hours}h` + out;
    }
  }
  return neg ? '-' + out : out;
}

/** u / 10^prec as Go's fmtFrac writes it: the fraction without trailing zeros, no point when it is 0. */
function fraction(u: bigint, prec: number): string {
  const scale = 10n ** BigInt(prec);
  const whole = String(u / scale);
  const frac = prec === 0 ? '' : String(u % scale).padStart(prec, '0').replace(/0+$/, '');
  return frac === '' ? whole : `${whole}.${frac}`;
}
