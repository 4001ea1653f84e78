// The two prometheus/common expfmt float writers (text 0.0.4 and OpenMetrics 1.0), built on Go's
// strconv.FormatFloat(v, 'g', -1, 64) (src/go/float.ts).
import { formatGoFloat } from '../go/float';

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
