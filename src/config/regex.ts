// Go-compatible regexes on re2js, a pure-JS port of Go's regexp (RE2): Go's syntax and error texts,
// leftmost-first matching, and time linear in the input (docs/behaviour.md differences #12).
//
// Why re2js and not re2-wasm: re2-wasm runs in a fixed 16 MiB wasm heap shared by every compiled regex
// and every match, so 10,000 rules did not load and one 2 MB cmdline aborted every cycle. re2js keeps
// programs and match state on the JS heap like any other object. Its cost per match is linear in the
// input: bench/match-cost.ts measures it, docs/hardening.md states the bound.
import { RE2JS } from 're2js';

export class RegexSyntaxError extends Error {}

export class GoRegex {
  readonly source: string;
  /** Go's SubexpNames(): index 0 is the whole match (""), unnamed groups are "". */
  readonly subexpNames: string[];
  private readonly re: RE2JS;

  constructor(source: string) {
    this.source = source;
    try {
      this.re = RE2JS.compile(source);
    } catch (e) {
      throw new RegexSyntaxError(goRegexError((e as Error).message));
    }
    const count = this.re.groupCount();
    this.subexpNames = new Array<string>(count + 1).fill('');
    for (const [name, index] of Object.entries(this.re.namedGroups())) this.subexpNames[index] = name;
  }

  /** Go FindStringSubmatch: null when there is no match; a group that did not take part is "". */
  findSubmatch(s: string): string[] | null {
    // The DFA answers "no match" without the cost of tracking groups, which most rules need.
    if (!this.re.test(s)) return null;
    const m = this.re.matcher(s);
    if (!m.find()) return null;
    const n = this.subexpNames.length;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = m.group(i) ?? '';
    return out;
  }

  test(s: string): boolean {
    return this.re.test(s);
  }
}

// re2js words its errors as Go does, except that Go ends every one with the offending text in
// backquotes, which is empty for a trailing backslash.
function goRegexError(message: string): string {
  if (message === 'error parsing regexp: trailing backslash at end of expression') return message + ': ``';
  return message;
}
