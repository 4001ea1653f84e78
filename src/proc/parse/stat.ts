// /proc/<pid>/stat and <procfs>/stat (btime), parsed as prometheus/procfs v0.14 does.
import { goQuote } from '../../go/quote';
import { asBytes, GoFscan, latin1, parseInt10, ParseError, parseUint10, scanLines, Text } from './go';
import { errorMessage } from '../../base/errors';

export interface ProcStat {
  /** raw bytes between the first '(' and the last ')' (a copy, safe to keep) */
  comm: Uint8Array;
  /** char code of the state letter; '?' when the state token is not a single byte */
  state: number;
  ppid: number;
  minflt: number;
  majflt: number;
  utime: number;
  stime: number;
  numThreads: number;
  starttime: number;
  vsize: number;
  rss: number;
}

const OPEN = 0x28;
const CLOSE = 0x29;
const QUESTION = 0x3f;

/**
 * Parses a stat line. Like procfs v0.14 it fmt.Fscan's fields 3..44 (state through cguest_time)
 * starting two bytes after the last ')', so fewer than 44 fields is an error (unexpected EOF).
 * `copyComm` false returns a view into `text` (for callers that copy it themselves).
 */
export function parseStat(text: Text, copyComm = true): ProcStat {
  const b = asBytes(text);
  const end = b.length;
  const l = b.indexOf(OPEN);
  const r = b.lastIndexOf(CLOSE);
  if (l < 0 || r < 0) {
    throw new ParseError(`unexpected format, couldn't extract comm ${goQuote(latin1(b))}`);
  }
  // Go would panic slicing data[l+1:r] or data[r+2:] here; we treat it as unparsable.
  if (l > r || r + 2 > end) throw new ParseError('unexpected format, truncated stat');
  // new Uint8Array(view) copies; Buffer#slice would not.
  const comm = copyComm ? new Uint8Array(b.subarray(l + 1, r)) : b.subarray(l + 1, r);
  const s = new GoFscan(b, r + 2, end);
  const [ts, te] = s.token();
  const state = te - ts === 1 ? b[ts] : QUESTION;
  const ppid = s.int();
  s.int(); // pgrp
  s.int(); // session
  s.int(); // tty_nr
  s.int(); // tpgid
  s.uint(); // flags
  const minflt = s.uint();
  s.uint(); // cminflt
  const majflt = s.uint();
  s.uint(); // cmajflt
  const utime = s.uint();
  const stime = s.uint();
  s.int(); // cutime
  s.int(); // cstime
  s.int(); // priority
  s.int(); // nice
  const numThreads = s.int();
  s.int(); // itrealvalue
  const starttime = s.uint();
  const vsize = s.uint();
  const rss = s.int();
  s.uint(); // rsslim
  for (let i = 0; i < 12; i++) s.uint(); // startcode .. cnswap
  s.int(); // exit_signal
  s.uint(); // processor
  s.uint(); // rt_priority
  s.uint(); // policy
  s.uint(); // delayacct_blkio_ticks
  s.int(); // guest_time
  s.int(); // cguest_time
  return { comm, state, ppid, minflt, majflt, utime, stime, numThreads, starttime, vsize, rss };
}

/** The comm of a stat line as a string (invalid UTF-8 becomes U+FFFD). */

/**
 * `<procfs>/stat`: returns btime (0 when absent). Validates the other lines the way procfs v0.14's
 * fs.Stat() does, since the reference fails at startup on any of them. Errors carry Go's text.
 */
export function parseSystemStat(text: Text): { btime: number } {
  const s = typeof text === 'string' ? text : Buffer.from(text.buffer, text.byteOffset, text.byteLength).toString('utf8');
  let btime = 0;
  for (const line of scanLines(s)) {
    const parts = line.split(/[\t\n\v\f\r ]+/).filter((p) => p !== '');
    if (parts.length < 2) continue;
    const key = parts[0];
    const uintField = (v: string, what: string) => {
      try {
        return parseUint10(v);
      } catch (e) {
        throw new ParseError(`couldn't parse ${goQuote(v)} (${what}): ${errorMessage(e)}`);
      }
    };
    switch (key) {
      case 'btime':
        btime = uintField(parts[1], 'btime');
        break;
      case 'intr':
        uintField(parts[1], 'intr');
        parts.slice(2).forEach((v, i) => uintField(v, `intr${i}`));
        break;
      case 'ctxt':
      case 'processes':
      case 'procs_running':
      case 'procs_blocked':
        uintField(parts[1], key);
        break;
      case 'softirq':
        // fmt.Sscanf "%s" then 11 "%d": every one must be present and a number.
        if (parts.length < 12 || !parts.slice(1, 12).every((v) => /^[0-9]+$/.test(v))) {
          throw new ParseError(`couldn't parse ${goQuote(line)} (softirq)`);
        }
        break;
      default:
        if (key.startsWith('cpu')) parseCpuLine(line, parts);
    }
  }
  return { btime };
}

// fmt.Sscanf "%s %f ... (10 floats)": io.EOF after at least the name is fine, a bad number is not.
function parseCpuLine(line: string, parts: string[]): void {
  for (const v of parts.slice(1, 11)) {
    if (!/^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(v)) {
      throw new ParseError(`couldn't parse ${goQuote(line)} (cpu)`);
    }
  }
  const cpu = parts[0];
  if (cpu !== 'cpu') {
    try {
      parseInt10(cpu.slice(3));
    } catch (e) {
      throw new ParseError(`couldn't parse ${goQuote(line)} (cpu/cpuid): ${errorMessage(e)}`);
    }
  }
}
