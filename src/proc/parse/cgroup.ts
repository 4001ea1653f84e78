// /proc/<pid>/cgroup, parsed as prometheus/procfs v0.14 parseCgroups does.
import { asBytes, MAX_SCAN_TOKEN, parseInt10, scanLines, Text } from './go';

/**
 * The path (3rd ':'-separated field, which may itself contain ':') of every line, in file order, as the
 * reference's GetStatic uses it: when a line has fewer than 3 fields, a non-integer hierarchy id, or is
 * too long for bufio.Scanner, procfs's parseCgroups fails and the whole list is [].
 */
export function cgroupPathsOrEmpty(text: Text): string[] {
  const s = typeof text === 'string' ? text : Buffer.from(asBytes(text)).toString('utf8');
  const out: string[] = [];
  for (const line of scanLines(s)) {
    if (line.length >= MAX_SCAN_TOKEN) return [];
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0 || !isInt10(line.slice(0, a))) return [];
    out.push(line.slice(b + 1));
  }
  return out;
}

function isInt10(s: string): boolean {
  try {
    parseInt10(s);
    return true;
  } catch {
    return false;
  }
}
