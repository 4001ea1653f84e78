// /proc/<pid>/limits, parsed as prometheus/procfs v0.14 Limits() does.
import { latin1, MAX_SCAN_TOKEN, ParseError, parseUint10, scanLines, Text } from './go';
import { errorMessage } from '../../base/errors';

/** 2^64-1 as the nearest float64, the value procfs gives `unlimited`. */
const UNLIMITED = 18446744073709551615;

// procfs's limitsMatch with Go's ASCII-only \s spelled out (JS \s would also match \v and Unicode).
const LIMITS_MATCH = /(Max \w+[\t\n\f\r ]{0,1}?\w*[\t\n\f\r ]{0,1}\w*)[\t\n\f\r ]{2,}(\w+)[\t\n\f\r ]{2,}(\w+)/;

const KNOWN = new Set([
  'Max cpu time',
  'Max file size',
  'Max data size',
  'Max stack size',
  'Max core file size',
  'Max resident set',
  'Max processes',
  'Max open files',
  'Max locked memory',
  'Max address space',
  'Max file locks',
  'Max pending signals',
  'Max msgqueue size',
  'Max nice priority',
  'Max realtime priority',
  'Max realtime timeout',
]);

function limitValue(s: string): number {
  if (s === 'unlimited') return UNLIMITED;
  try {
    return parseUint10(s);
  } catch (e) {
    throw new ParseError(`couldn't parse value ${JSON.stringify(s)}: ${errorMessage(e)}`);
  }
}

/**
 * Returns the soft "Max open files" limit. The first line is skipped unread; every other line must
 * match procfs's regex, and the soft value of every known row must parse, or the whole read fails.
 * A table without the open-files row gives 0, as in procfs (no error).
 */
export function parseLimits(text: Text): { openFilesSoft: number } {
  const lines = scanLines(latin1(text));
  let openFiles = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    // bufio.Scanner stops with ErrTooLong on a line that does not fit its 64 KiB buffer.
    if (line.length >= MAX_SCAN_TOKEN) throw new ParseError('bufio.Scanner: token too long');
    if (i === 0) continue;
    const m = LIMITS_MATCH.exec(line);
    if (!m) throw new ParseError(`couldn't parse line ${JSON.stringify(line)}`);
    if (!KNOWN.has(m[1])) continue;
    const v = limitValue(m[2]);
    if (m[1] === 'Max open files') openFiles = v;
  }
  return { openFilesSoft: openFiles };
}
