// /proc/<pid>/cgroup, parsed as prometheus/procfs v0.14 parseCgroups does.
import { goQuote } from '../../go/quote';
import { asBytes, MAX_SCAN_TOKEN, ParseError, parseInt10, scanLines, Text } from './go';

/**
 * The path (3rd ':'-separated field, which may itself contain ':') of every line, in file order.
 * Throws when a line has fewer than 3 fields or a non-integer hierarchy id; the exporter then uses
 * an empty list (cgroupPathsOrEmpty).
 */
export function parseCgroupPaths(text: Text): string[] {
  const s = typeof text === 'string' ? text : Buffer.from(asBytes(text)).toString('utf8');
  const out: string[] = [];
  for (const line of scanLines(s)) {
    if (line.length >= MAX_SCAN_TOKEN) throw new ParseError('bufio.Scanner: token too long');
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0) throw new ParseError(`3+ fields required, found ${a < 0 ? 1 : 2} in ${goQuote(line)}`);
    try {
      parseInt10(line.slice(0, a));
    } catch {
      throw new ParseError(`hierarchy ID: ${goQuote(line.slice(0, a))}`);
    }
    out.push(line.slice(b + 1));
  }
  return out;
}

/** What the reference's GetStatic does with the cgroup file: a parse failure gives []. */
export function cgroupPathsOrEmpty(text: Text): string[] {
  try {
    return parseCgroupPaths(text);
  } catch {
    return [];
  }
}
