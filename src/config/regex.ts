// Go-compatible regexes on re2js, a pure-JS port of Go's regexp (RE2): Go's syntax and error texts,
// leftmost-first matching, and time linear in the input (docs/behaviour.md differences #12).
//
// Why re2js and not re2-wasm: re2-wasm runs in a fixed 16 MiB wasm heap shared by every compiled regex
// and every match, so 10,000 rules did not load and one 2 MB cmdline aborted every cycle. re2js keeps
// programs and match state on the JS heap like any other object. Its cost per match is linear in the
// input: bench/match-cost.ts measures it, docs/hardening.md states the bound.
//
// The most common patterns (`.+`, `.*`, a plain literal, optionally anchored) are answered with string
// operations that give exactly RE2's result, and re2js (about 1.2 MiB of resident code) is loaded only
// for any other pattern (docs/performance.md, memory).
import type { RE2JS } from 're2js';
import { errorMessage } from '../base/errors';

export class RegexSyntaxError extends Error {}

/** A pattern whose RE2 meaning is a string operation: no groups, never a syntax error. */
type StringPattern =
  /** `.*`: matches at 0, up to the first newline */
  | { kind: 'line' }
  /** `.+`: from the first character that is not a newline up to the next newline */
  | { kind: 'nonEmptyLine' }
  /** a literal anywhere (the empty pattern is the empty literal) */
  | { kind: 'contains'; text: string }
  /** `^literal` */
  | { kind: 'prefix'; text: string }
  /** `literal$`: `$` without (?m) matches only at the very end of the text */
  | { kind: 'suffix'; text: string }
  /** `^literal$` */
  | { kind: 'equal'; text: string };

// RE2's metacharacters (Go regexp.QuoteMeta's set); surrogates are left to re2js, which reads code points.
const NOT_LITERAL = /[\\.+*?()|[\]{}^$\uD800-\uDFFF]/;

function stringPattern(source: string): StringPattern | undefined {
  if (source === '.*') return { kind: 'line' };
  if (source === '.+') return { kind: 'nonEmptyLine' };
  const start = source.startsWith('^');
  const end = source.length > (start ? 1 : 0) && source.endsWith('$');
  const text = source.slice(start ? 1 : 0, end ? -1 : undefined);
  if (NOT_LITERAL.test(text)) return undefined;
  if (start && end) return { kind: 'equal', text };
  if (start) return { kind: 'prefix', text };
  if (end) return { kind: 'suffix', text };
  return { kind: 'contains', text };
}

/** The whole match of p in s at its leftmost position (Go's leftmost-first), or null. */
function stringMatch(p: StringPattern, s: string): string | null {
  switch (p.kind) {
    case 'line': {
      const nl = s.indexOf('\n');
      return nl < 0 ? s : s.slice(0, nl);
    }
    case 'nonEmptyLine': {
      let from = 0;
      while (from < s.length && s.charCodeAt(from) === 10) from++;
      if (from === s.length) return null;
      const nl = s.indexOf('\n', from);
      return nl < 0 ? s.slice(from) : s.slice(from, nl);
    }
    case 'contains':
      return s.includes(p.text) ? p.text : null;
    case 'prefix':
      return s.startsWith(p.text) ? p.text : null;
    case 'suffix':
      return s.endsWith(p.text) ? p.text : null;
    case 'equal':
      return s === p.text ? s : null;
  }
}

function stringTest(p: StringPattern, s: string): boolean {
  switch (p.kind) {
    case 'line':
      return true;
    case 'nonEmptyLine':
      // a string of newlines only is the one thing `.+` does not match
      for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) !== 10) return true;
      return false;
    default:
      return stringMatch(p, s) !== null;
  }
}

const NO_GROUPS: readonly string[] = Object.freeze(['']);

export class GoRegex {
  readonly source: string;
  /** Go's SubexpNames(): index 0 is the whole match (""), unnamed groups are "". */
  readonly subexpNames: readonly string[];
  private readonly re?: RE2JS;
  private readonly str?: StringPattern;

  constructor(source: string) {
    this.source = source;
    this.str = stringPattern(source);
    if (this.str !== undefined) {
      this.subexpNames = NO_GROUPS;
      return;
    }
    try {
      this.re = (require('re2js') as typeof import('re2js')).RE2JS.compile(source);
    } catch (e) {
      throw new RegexSyntaxError(goRegexError(errorMessage(e)));
    }
    const count = this.re.groupCount();
    const names = new Array<string>(count + 1).fill('');
    for (const [name, index] of Object.entries(this.re.namedGroups())) names[index] = name;
    this.subexpNames = names;
  }

  /** Go FindStringSubmatch: null when there is no match; a group that did not take part is "". */
  findSubmatch(s: string): string[] | null {
    if (this.str !== undefined) {
      const whole = stringMatch(this.str, s);
      return whole === null ? null : [whole];
    }
    const re = this.re!;
    // The DFA answers "no match" without the cost of tracking groups, which most rules need.
    if (!re.test(s)) return null;
    const m = re.matcher(s);
    if (!m.find()) return null;
    const n = this.subexpNames.length;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = m.group(i) ?? '';
    return out;
  }

  test(s: string): boolean {
    return this.str !== undefined ? stringTest(this.str, s) : this.re!.test(s);
  }
}

// re2js words its errors as Go does, except that Go ends every one with the offending text in
// backquotes, which is empty for a trailing backslash.
function goRegexError(message: string): string {
  if (message === 'error parsing regexp: trailing backslash at end of expression') return message + ': ``';
  return message;
}
