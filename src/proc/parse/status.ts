// /proc/<pid>/status, parsed as prometheus/procfs v0.14 NewStatus does.
import { kbToBytesWrapped, latin1, ParseError, parseUint10, parseUint10Big, Text, trimCutset, trimSpace } from './go';
import { errorMessage } from '../../base/errors';

interface ProcStatusInfo {
  /** effective uid (2nd field of Uid:); 0 when the line is missing */
  uid: number;
  ctxVol: number;
  ctxNonvol: number;
  /** VmSwap in bytes (kB x 1024, wrapping like a Go uint64) */
  swapBytes: number;
}

// A value that does not parse makes the whole file unknown for the cycle (one rule for every file).
function statusValue(key: string, v: string): number {
  try {
    return parseUint10(v);
  } catch (e) {
    throw new ParseError(`${key}: ${errorMessage(e)}`);
  }
}

// Uid:/Gid: — each tab-separated field must be a uint64 (an error fails the whole read).
function parseIds(v: string, what: string): number[] {
  const parts = v.split('\t');
  // procfs stores them in a [4]uint64, so a fifth field is an index-out-of-range panic in Go.
  if (parts.length > 4) throw new ParseError(`${what}: more than 4 ids`);
  return parts.map((p) => parseUint10(p));
}

/**
 * Line by line: lines without ':' are skipped, key and value are trimmed, then the characters
 * ' ', 'k', 'B' are trimmed from both ends of the value (bytes.Trim(v, " kB")).
 * A bad Uid or Gid line, or a value of the three counters that is not a uint64, is an error.
 */
export function parseStatus(text: Text): ProcStatusInfo {
  const s = latin1(text);
  const out: ProcStatusInfo = { uid: 0, ctxVol: 0, ctxNonvol: 0, swapBytes: 0 };
  let start = 0;
  while (start <= s.length) {
    let nl = s.indexOf('\n', start);
    if (nl < 0) nl = s.length;
    const colon = s.indexOf(':', start);
    if (colon >= 0 && colon < nl) {
      const k = trimSpace(s.slice(start, colon));
      // Only these keys matter; skip the trimming work for the ~50 others.
      if (k === 'Uid' || k === 'Gid' || k === 'VmSwap' || k === 'voluntary_ctxt_switches' || k === 'nonvoluntary_ctxt_switches') {
        const v = trimCutset(trimSpace(s.slice(colon + 1, nl)), ' kB', true, true);
        switch (k) {
          case 'Uid': {
            const ids = parseIds(v, 'Uid');
            // A line with one field leaves the effective uid as it was (Go fills the array in place).
            if (ids.length > 1) out.uid = ids[1];
            break;
          }
          case 'Gid':
            parseIds(v, 'Gid');
            break;
          case 'VmSwap': {
            const kb = statusValue(k, v);
            out.swapBytes = kbToBytesWrapped(kb, () => parseUint10Big(v));
            break;
          }
          case 'voluntary_ctxt_switches':
            out.ctxVol = statusValue(k, v);
            break;
          case 'nonvoluntary_ctxt_switches':
            out.ctxNonvol = statusValue(k, v);
            break;
        }
      }
    }
    start = nl + 1;
  }
  return out;
}
