// /proc/<pid>/smaps_rollup and the summed /proc/<pid>/smaps fallback, as prometheus/procfs v0.14.
import { latin1, MAX_SCAN_TOKEN, ParseError, parseUint10, scanLines, Text } from './go';

interface SmapsInfo {
  /** bytes */
  pss: number;
  swapPss: number;
}

const TWO64 = 18446744073709551616n;

// Sums kB values into bytes with uint64 wraparound, like procfs's `s.Pss += v * 1024`.
class Acc {
  private small = 0;
  private big: bigint | null = null;
  add(kb: number, raw: string): void {
    if (this.big === null && kb < 8796093022208 && this.small + kb * 1024 <= Number.MAX_SAFE_INTEGER) {
      this.small += kb * 1024;
      return;
    }
    if (this.big === null) this.big = BigInt(this.small);
    this.big = (this.big + BigInt(raw) * 1024n) % TWO64;
  }
  value(): number {
    return this.big === null ? this.small : Number(this.big);
  }
}

// procfs parseLine: "Key: value kB"; no ':' is an error; VmFlags is skipped; the value is
// TrimSpace'd, then ' ', 'k', 'B' trimmed from its right end, and must be a uint64.
function parseLine(line: string, pss: Acc, swapPss: Acc): void {
  const colon = line.indexOf(':');
  if (colon < 0) throw new ParseError('invalid net/dev line, missing colon');
  const k = line.slice(0, colon);
  if (k === 'VmFlags') return;
  let v = line.slice(colon + 1).replace(/^[\t\n\v\f\r ]+|[\t\n\v\f\r ]+$/g, '');
  let z = v.length;
  while (z > 0 && (v[z - 1] === ' ' || v[z - 1] === 'k' || v[z - 1] === 'B')) z--;
  v = v.slice(0, z);
  const kb = parseUint10(v);
  if (k === 'Pss') pss.add(kb, v);
  else if (k === 'SwapPss') swapPss.add(kb, v);
}

/** smaps_rollup: the first line (the [rollup] header) is skipped, empty lines too; any other bad line fails. */
export function parseSmapsRollup(text: Text): SmapsInfo {
  const lines = latin1(text).split('\n');
  const pss = new Acc();
  const swapPss = new Acc();
  for (let i = 1; i < lines.length; i++) {
    if (lines[i] === '') continue;
    parseLine(lines[i], pss, swapPss);
  }
  return { pss: pss.value(), swapPss: swapPss.value() };
}

// procfs's procSMapsHeaderLine: a line starting with a lowercase hex digit is a mapping header.
const HEADER = /^[a-f0-9]/;

/** Full smaps (fallback when smaps_rollup does not exist): mapping headers skipped, the rest summed. */
export function parseSmaps(text: Text): SmapsInfo {
  const pss = new Acc();
  const swapPss = new Acc();
  for (const line of scanLines(latin1(text))) {
    if (line.length >= MAX_SCAN_TOKEN) throw new ParseError('bufio.Scanner: token too long');
    if (HEADER.test(line)) continue;
    parseLine(line, pss, swapPss);
  }
  return { pss: pss.value(), swapPss: swapPss.value() };
}
