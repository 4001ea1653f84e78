// /proc/<pid>/schedstat: "<ns on a CPU> <ns waiting for one> <times switched in>\n" (the kernel's
// proc_pid_schedstat). The reference never reads it; the exporter uses it to tell a process that has
// not run since the last cycle (docs/performance.md). Anything but that exact shape is a parse error.
import { latin1, ParseError, parseUint10, type Text } from './go';

export interface Schedstat {
  runNs: number;
  slices: number;
}

export function parseSchedstat(text: Text): Schedstat {
  let s = latin1(text);
  if (s.endsWith('\n')) s = s.slice(0, -1);
  const f = s.split(' ');
  if (f.length !== 3) throw new ParseError(`schedstat: ${f.length} fields, want 3`);
  const runNs = parseUint10(f[0]);
  parseUint10(f[1]);
  return { runNs, slices: parseUint10(f[2]) };
}
