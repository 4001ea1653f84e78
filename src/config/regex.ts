// Go-compatible regexes on RE2 (re2-wasm): same syntax, linear time, leftmost-first (SPEC §0 #12).
import { RE2 } from 're2-wasm';

// RE2's C++ error texts mapped to Go regexp/syntax's, so messages read as the reference's.
const GO_ERROR_TEXT: Record<string, string> = {
  'invalid escape sequence': 'invalid escape sequence',
  'invalid character class': 'invalid character class',
  'invalid character class range': 'invalid character class range',
  'missing ]': 'missing closing ]',
  'missing )': 'missing closing )',
  'unexpected )': 'unexpected )',
  'trailing \\': 'trailing backslash at end of expression',
  'no argument for repetition operator': 'missing argument to repetition operator',
  'invalid repetition size': 'invalid repeat count',
  'bad repetition operator': 'invalid nested repetition operator',
  'invalid perl operator': 'invalid or unsupported Perl syntax',
  'invalid UTF-8': 'invalid UTF-8',
  'invalid named capture group': 'invalid named capture',
  'pattern too large - compile failed': 'expression too large',
};

export class RegexSyntaxError extends Error {}

export class GoRegex {
  readonly source: string;
  /** Go's SubexpNames(): index 0 is the whole match (""), unnamed groups are "". */
  readonly subexpNames: string[];
  private readonly re: RE2;

  constructor(source: string) {
    this.source = source;
    try {
      this.re = new RE2(source, 'u');
    } catch (e) {
      throw new RegexSyntaxError(goRegexError(source, (e as Error).message));
    }
    const names = (this.re as unknown as { groupNames: Record<string, string> }).groupNames ?? {};
    const count = countGroups(source);
    this.subexpNames = [''];
    for (let i = 1; i <= count; i++) this.subexpNames.push(names[String(i)] ?? '');
  }

  /** Go FindStringSubmatch: null when there is no match; a group that did not take part is "". */
  findSubmatch(s: string): string[] | null {
    const m = this.re.exec(s);
    if (m === null) return null;
    const out = new Array<string>(m.length);
    for (let i = 0; i < m.length; i++) out[i] = m[i] ?? '';
    return out;
  }

  test(s: string): boolean {
    return this.re.test(s);
  }
}

// The number of capture groups: RE2 reports it through a match of the empty alternative.
function countGroups(source: string): number {
  const probe = new RE2(`(?:${source})|()`, 'u');
  const m = probe.exec('');
  return m === null ? 0 : m.length - 2;
}

function goRegexError(source: string, message: string): string {
  // re2-wasm: "Invalid regular expression: /<src>/u: <code text>: <arg>"
  const prefix = `Invalid regular expression: /${source}/u: `;
  const rest = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  for (const [cText, goText] of Object.entries(GO_ERROR_TEXT).sort((a, b) => b[0].length - a[0].length)) {
    if (rest.startsWith(cText + ': ')) {
      return `error parsing regexp: ${goText}: \`${rest.slice(cText.length + 2)}\``;
    }
    if (rest === cText) return `error parsing regexp: ${goText}: \`${source}\``;
  }
  return `error parsing regexp: ${rest}`;
}
