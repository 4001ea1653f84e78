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
import type * as CaptureOffload from './capture-offload';

// the worker side is loaded by the first long text with groups to find
let offloadModule: typeof CaptureOffload | undefined;
function offload(): typeof CaptureOffload {
  return (offloadModule ??= require('./capture-offload') as typeof CaptureOffload);
}

export class RegexSyntaxError extends Error {}

/**
 * Thrown by findSubmatch when the text is long and its groups are being found on the worker thread
 * (capture-offload.ts): the caller tries again later (the tracker names the process in a later cycle).
 */
export class NamingDeferred extends Error {}

/**
 * Texts at least this long that match have their groups found off the main thread: group tracking costs
 * up to about a microsecond per character, so this keeps one capture on the main thread to a few tens of
 * ms. Whether a regex matches at all is decided here in any case (a DFA scan, tens of ms per MiB at most).
 */
export const OFFLOAD_CHARS = 16 * 1024;
/** Answers kept per regex until asked again, and jobs out at once per regex: both bound the memory. */
const OFFLOAD_KEPT = 8;
const OFFLOAD_OUT = 4;

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
  /** groups found by the worker for long texts, oldest first, and the texts asked about */
  private done?: Map<string, string[] | null>;
  private asked?: Set<string>;
  private readonly inline: boolean;

  /** inline: never hand a text to the worker (the worker's own regexes) */
  constructor(source: string, opts: { inline?: boolean } = {}) {
    this.source = source;
    this.inline = opts.inline === true;
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
    if (s.length >= OFFLOAD_CHARS && !this.inline && offload().offloadAvailable()) return this.offThread(s);
    const m = re.matcher(s);
    if (!m.find()) return null;
    const n = this.subexpNames.length;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = m.group(i) ?? '';
    return out;
  }

  /** The worker's answer for a long text, or NamingDeferred after asking it (at most OFFLOAD_OUT at once). */
  private offThread(s: string): string[] | null {
    const done = (this.done ??= new Map());
    const got = done.get(s);
    if (got !== undefined) return got;
    const asked = (this.asked ??= new Set());
    if (!asked.has(s) && asked.size < OFFLOAD_OUT) {
      asked.add(s);
      offload()
        .findSubmatchOffThread(this.source, s)
        .then(
          (groups) => {
            if (done.size >= OFFLOAD_KEPT) done.delete(done.keys().next().value as string);
            done.set(s, groups === null ? null : groups.map((g) => g ?? ''));
          },
          () => {
            // the worker failed (or could not start): asked again next time, on the main thread if need be
          },
        )
        .finally(() => asked.delete(s));
    }
    throw new NamingDeferred(`groups of a ${s.length}-character text are being found off the main thread`);
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
