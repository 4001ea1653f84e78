// Float formatting identical to Go's strconv.FormatFloat(v, 'g', -1, 64) and to the two
// prometheus/common expfmt writers built on it (text 0.0.4 and OpenMetrics 1.0).
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

/** expfmt text writeFloat: like formatGoFloat, except that 0 and -0 both print as `0`. */
export function formatTextFloat(v: number): string {
  if (Number.isInteger(v) && v < 1e6 && v > -1e6) return v === 0 ? '0' : String(v);
  return formatGoFloat(v);
}

/**
 * expfmt writeOpenMetricsFloat: `0.0`/`1.0`/`-1.0` for those values (either zero), otherwise the Go
 * 'g' form with `.0` appended when it has neither a `.` nor an `e`, so every value reads as a float.
 */
export function formatOpenMetricsFloat(v: number): string {
  if (Number.isInteger(v) && v < 1e6 && v > -1e6) return v === 0 ? '0.0' : String(v) + '.0';
  if (v !== v || v === Infinity || v === -Infinity) return formatGoFloat(v);
  const s = formatGoFloat(v);
  // Integers >= 1e6 are always in e-form and fractions always have a '.', but check anyway.
  return s.indexOf('e') < 0 && s.indexOf('.') < 0 ? s + '.0' : s;
}
