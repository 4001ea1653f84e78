// The command line: the only module that interprets argv. It reproduces Go's `flag` package as the
// reference (ncabatoff/process-exporter HEAD) uses it, so scripts and unit files keep working (SPEC §1).
// It never prints or exits itself: it returns what to print and the exit status.

import { endianness } from 'node:os';
import { goLogTimestamp } from './log';
import { defaultOptions, type Options } from './options';
import { MANUAL_TEXT } from './cli-text';

export type CliResult =
  | { kind: 'run'; options: Options; warnings: string[] }
  | { kind: 'exit'; code: number; stdout: string; stderr: string };

export interface CliEnv {
  /** printed by -version; the package version, passed in by the entry point */
  version?: string;
  /** the program name in "Usage of <prog>:" (Go: os.Args[0]); default process.argv[1] */
  prog?: string;
  /** clock for the Go-log timestamp of fatal messages (tests) */
  now?: () => Date;
}

type FlagKind = 'string' | 'bool' | 'duration';

interface FlagDef {
  name: string;
  kind: FlagKind;
  /** the default as Go's Value.String() renders it */
  defValue: string;
  usage: string;
}

// HEAD's flags with their exact help strings (cmd/process-exporter/main.go).
const FLAGS: readonly FlagDef[] = [
  { name: 'web.listen-address', kind: 'string', defValue: ':9256', usage: 'Address on which to expose metrics and web interface.' },
  { name: 'web.telemetry-path', kind: 'string', defValue: '/metrics', usage: 'Path under which to expose metrics.' },
  { name: 'once-to-stdout-delay', kind: 'duration', defValue: '0s', usage: "Don't bind, just wait this much time, print the metrics once to stdout, and exit" },
  { name: 'procnames', kind: 'string', defValue: '', usage: 'comma-separated list of process names to monitor' },
  { name: 'procfs', kind: 'string', defValue: '/proc', usage: 'path to read proc data from' },
  { name: 'namemapping', kind: 'string', defValue: '', usage: 'comma-separated list, alternating process name and capturing regex to apply to cmdline' },
  { name: 'children', kind: 'bool', defValue: 'true', usage: "if a proc is tracked, track with it any children that aren't part of their own group" },
  { name: 'threads', kind: 'bool', defValue: 'true', usage: 'report on per-threadname metrics as well' },
  { name: 'gather-smaps', kind: 'bool', defValue: 'true', usage: 'gather metrics from smaps file, which contains proportional resident memory size' },
  // ours: not in the reference
  { name: 'gather-smaps.max-age', kind: 'duration', defValue: '5m0s', usage: "re-read a process's smaps when its stat has not changed only after this long (0s: every scrape)" },
  { name: 'man', kind: 'bool', defValue: 'false', usage: 'print manual' },
  { name: 'config.path', kind: 'string', defValue: '', usage: 'path to YAML config file' },
  { name: 'web.config.file', kind: 'string', defValue: '', usage: 'path to YAML web config file' },
  { name: 'recheck', kind: 'bool', defValue: 'false', usage: 'recheck process names on each scrape' },
  { name: 'recheck-with-time-limit', kind: 'duration', defValue: '0s', usage: 'recheck processes only this much time after their start, but no longer.' },
  { name: 'debug', kind: 'bool', defValue: 'false', usage: 'log debugging information to stdout' },
  { name: 'version', kind: 'bool', defValue: 'false', usage: 'print version information and exit' },
  { name: 'remove-empty-groups', kind: 'bool', defValue: 'false', usage: 'forget process groups with no processes' },
];

const FLAG_BY_NAME: ReadonlyMap<string, FlagDef> = new Map(FLAGS.map((f) => [f.name, f]));

// Go's zero values as Value.String() prints them: a default equal to these is not shown.
const ZERO_VALUE: Record<FlagKind, string> = { string: '', bool: 'false', duration: '0s' };

const PROGRAM = 'namedprocess-exporter';

function defaultProg(): string {
  return process.argv[1] ?? PROGRAM;
}

/** Go's flag.Usage: "Usage of <prog>:" then PrintDefaults (flags sorted by name). */
export function usageText(prog: string = defaultProg()): string {
  const sorted = [...FLAGS].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  let out = `Usage of ${prog}:\n`;
  for (const f of sorted) {
    let line = `  -${f.name}`;
    if (f.kind !== 'bool') line += ' ' + f.kind;
    // Go puts the usage on the same line only for one-letter bool flags; none here, kept for fidelity.
    line += line.length <= 4 ? '\t' : '\n    \t';
    line += f.usage.replaceAll('\n', '\n    \t');
    if (f.defValue !== ZERO_VALUE[f.kind]) {
      line += f.kind === 'string' ? ` (default ${goQuote(f.defValue)})` : ` (default ${f.defValue})`;
    }
    out += line + '\n';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Go value syntaxes

/** strconv.ParseBool */
export function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

const NS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // U+00B5 micro sign
  ['\u03bcs', 1_000n], // U+03BC Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const TWO_63 = 1n << 63n;

function isDigit(c: string): boolean {
  return c >= '0' && c <= '9';
}

/**
 * time.ParseDuration, returning nanoseconds. Throws an Error with Go's message on bad input
 * (only the flag package's "parse error" reaches the user).
 */
export function parseGoDuration(orig: string): bigint {
  const invalid = () => new Error('time: invalid duration ' + goQuote(orig));
  let s = orig;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  // Go special-cases a lone 0 (with optional sign): the only number allowed without a unit.
  if (s === '0') return 0n;
  if (s === '') throw invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]!))) throw invalid();
    // [0-9]*
    let i = 0;
    let v = 0n;
    while (i < s.length && isDigit(s[i]!)) {
      // Go's leadingInt fails once the integer part exceeds 2^63.
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) throw invalid();
      i++;
    }
    const pre = i > 0;
    s = s.slice(i);
    // (\.[0-9]*)?
    let f = 0n;
    let scale = 1;
    let post = false;
    if (s !== '' && s[0] === '.') {
      s = s.slice(1);
      let j = 0;
      let overflow = false;
      while (j < s.length && isDigit(s[j]!)) {
        // Go's leadingFraction stops accumulating (but keeps consuming digits) on overflow.
        if (!overflow) {
          const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
          if (f > (TWO_63 - 1n) / 10n || y > TWO_63) overflow = true;
          else {
            f = y;
            scale *= 10;
          }
        }
        j++;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) throw invalid();
    // unit: everything up to the next '.' or digit
    let k = 0;
    while (k < s.length && s[k] !== '.' && !isDigit(s[k]!)) k++;
    if (k === 0) throw new Error('time: missing unit in duration ' + goQuote(orig));
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = NS_PER_UNIT.get(u);
    if (unit === undefined) throw new Error('time: unknown unit ' + goQuote(u) + ' in duration ' + goQuote(orig));
    if (v > TWO_63 / unit) throw invalid();
    v *= unit;
    if (f > 0n) {
      // Go computes the fraction in float64 and truncates: uint64(float64(f) * (float64(unit) / scale)).
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) throw invalid();
    }
    d += v;
    if (d > TWO_63) throw invalid();
  }
  if (neg) return -d;
  if (d > TWO_63 - 1n) throw invalid();
  return d;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** strconv.Quote, as fmt's %q prints a string. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (r >= 0xd800 && r <= 0xdfff) out += '\\ufffd'; // lone surrogate: cannot come from UTF-8 argv
    else if (PRINTABLE.test(ch)) out += ch;
    else if (r === 7) out += '\\a';
    else if (r === 8) out += '\\b';
    else if (r === 12) out += '\\f';
    else if (r === 10) out += '\\n';
    else if (r === 13) out += '\\r';
    else if (r === 9) out += '\\t';
    else if (r === 11) out += '\\v';
    else if (r < 0x20 || r === 0x7f) out += '\\x' + r.toString(16).padStart(2, '0');
    else if (r < 0x10000) out += '\\u' + r.toString(16).padStart(4, '0');
    else out += '\\U' + r.toString(16).padStart(8, '0');
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------
// -version

// Go's GOOS/GOARCH names for Node's process.platform/arch, so "platform:" reads like the reference's.
function goPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'sunos' ? 'solaris' : process.platform;
  const archMap: Record<string, string> = { x64: 'amd64', ia32: '386', mipsel: 'mipsle' };
  let arch = archMap[process.arch] ?? process.arch;
  if (arch === 'ppc64' && endianness() === 'LE') arch = 'ppc64le';
  return `${os}/${arch}`;
}

/** prometheus/common version.Print layout, with Node in place of Go. */
export function versionText(version: string | undefined): string {
  const v = version === undefined || version === '' ? 'unknown' : version;
  const row = (label: string, value: string) => `  ${(label + ':').padEnd(18)}${value}\n`;
  return (
    `${PROGRAM}, version ${v} (branch: HEAD, revision: unknown)\n` +
    row('build user', 'unknown') +
    row('build date', 'unknown') +
    row('node version', process.version) +
    row('platform', goPlatform()) +
    row('tags', 'unknown')
  );
}

// ---------------------------------------------------------------------------------------------
// parsing

type Value = string | boolean | bigint;

interface Parsed {
  values: Map<string, Value>;
  /** arguments left after flag parsing stopped (Go's flag.Args()) */
  rest: string[];
  /** why parsing stopped early: at a non-flag argument, or at "--" */
  stoppedAt?: { arg: string; afterBoolFlag?: string } | 'terminator';
}

type ParseOutcome = { ok: true; parsed: Parsed } | { ok: false; help: boolean; message?: string };

// Go's FlagSet.parseOne loop, with ExitOnError.
function parseFlags(argv: readonly string[]): ParseOutcome {
  const values = new Map<string, Value>();
  let args = argv.slice();
  // the previous argument was a bool flag without "=": a following "false" is a likely mistake
  let lastBareBool: string | undefined;
  for (;;) {
    if (args.length === 0) return { ok: true, parsed: { values, rest: [] } };
    const s = args[0]!;
    if (s.length < 2 || s[0] !== '-') {
      return { ok: true, parsed: { values, rest: args, stoppedAt: { arg: s, afterBoolFlag: lastBareBool } } };
    }
    let minuses = 1;
    if (s[1] === '-') {
      minuses = 2;
      if (s.length === 2) {
        const rest = args.slice(1);
        return { ok: true, parsed: { values, rest, stoppedAt: rest.length > 0 ? 'terminator' : undefined } };
      }
    }
    let name = s.slice(minuses);
    if (name.length === 0 || name[0] === '-' || name[0] === '=') {
      return { ok: false, help: false, message: `bad flag syntax: ${s}` };
    }
    args = args.slice(1);
    let hasValue = false;
    let value = '';
    const eq = name.indexOf('=', 1);
    if (eq > 0) {
      value = name.slice(eq + 1);
      hasValue = true;
      name = name.slice(0, eq);
    }
    const flag = FLAG_BY_NAME.get(name);
    if (flag === undefined) {
      if (name === 'help' || name === 'h') return { ok: false, help: true };
      return { ok: false, help: false, message: `flag provided but not defined: -${name}` };
    }
    lastBareBool = undefined;
    if (flag.kind === 'bool') {
      if (hasValue) {
        const b = parseGoBool(value);
        if (b === undefined) {
          return { ok: false, help: false, message: `invalid boolean value ${goQuote(value)} for -${name}: parse error` };
        }
        values.set(name, b);
      } else {
        values.set(name, true);
        lastBareBool = name;
      }
      continue;
    }
    // a non-bool flag takes the next argument as its value, whatever it looks like
    if (!hasValue && args.length > 0) {
      hasValue = true;
      value = args[0]!;
      args = args.slice(1);
    }
    if (!hasValue) return { ok: false, help: false, message: `flag needs an argument: -${name}` };
    if (flag.kind === 'duration') {
      try {
        values.set(name, parseGoDuration(value));
      } catch {
        return { ok: false, help: false, message: `invalid value ${goQuote(value)} for flag -${name}: parse error` };
      }
    } else {
      values.set(name, value);
    }
  }
}

function stopWarning(parsed: Parsed): string | undefined {
  const stop = parsed.stoppedAt;
  if (stop === undefined) return undefined;
  const ignored = parsed.rest.join(' ');
  if (stop === 'terminator') return `ignoring the arguments after "--": ${ignored}`;
  if (stop.afterBoolFlag !== undefined && parseGoBool(stop.arg) !== undefined) {
    return (
      `${goQuote(stop.arg)} is not the value of -${stop.afterBoolFlag} (a bool flag takes a value only as ` +
      `-${stop.afterBoolFlag}=${stop.arg}); flag parsing stopped there, ignoring: ${ignored}`
    );
  }
  return `flag parsing stopped at the non-flag argument ${goQuote(stop.arg)}, ignoring: ${ignored}`;
}

const NS_PER_MS = 1_000_000;

function nsToMs(ns: bigint): number {
  // exact for whole milliseconds; sub-millisecond parts survive as a fraction
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / NS_PER_MS;
}

/**
 * Interpret the command line (process.argv.slice(2)) like the reference: Go flag syntax, then
 * -version, -man, and the start-up checks that need nothing but the flags. `env.version` is the
 * version -version prints.
 */
export function parseCommandLine(argv: string[], env: CliEnv = {}): CliResult {
  const prog = env.prog ?? defaultProg();
  const outcome = parseFlags(argv);
  if (!outcome.ok) {
    // Go prints usage to stderr for -h too, and exits 0 for it, 2 for a parse error.
    const stderr = (outcome.message !== undefined ? outcome.message + '\n' : '') + usageText(prog);
    return { kind: 'exit', code: outcome.help ? 0 : 2, stdout: '', stderr };
  }
  const { values } = outcome.parsed;
  const str = (n: string) => (values.get(n) as string | undefined) ?? FLAG_BY_NAME.get(n)!.defValue;
  const bool = (n: string) => (values.get(n) as boolean | undefined) ?? FLAG_BY_NAME.get(n)!.defValue === 'true';
  const dur = (n: string) => (values.get(n) as bigint | undefined) ?? 0n;

  // The reference's order after flag.Parse(): -version, -man, then the matcher flags.
  if (bool('version')) return { kind: 'exit', code: 0, stdout: versionText(env.version), stderr: '' };
  if (bool('man')) return { kind: 'exit', code: 0, stdout: MANUAL_TEXT, stderr: '' };

  const now = env.now ?? (() => new Date());
  const fatal = (msg: string): CliResult => ({ kind: 'exit', code: 1, stdout: '', stderr: `${goLogTimestamp(now())} ${msg}\n` });

  const configPath = str('config.path');
  const procnamesRaw = str('procnames');
  const namemapping = str('namemapping');
  // raw strings, as the reference tests them: "-procnames ," still counts as given
  if (configPath !== '' && (namemapping !== '' || procnamesRaw !== '')) {
    return fatal('-config.path cannot be used with -namemapping or -procnames');
  }

  const telemetryPath = str('web.telemetry-path');
  if (!telemetryPath.startsWith('/')) {
    return fatal(`invalid -web.telemetry-path ${goQuote(telemetryPath)}: the path must start with "/"`);
  }
  if (telemetryPath === '/') {
    return fatal(`invalid -web.telemetry-path "/": "/" serves the landing page; choose another path such as "/metrics"`);
  }

  const recheckLimitNs = dur('recheck-with-time-limit');
  const smapsMaxAgeNs = (values.get('gather-smaps.max-age') as bigint | undefined) ?? BigInt(defaultOptions.smapsMaxAgeMs) * 1_000_000n;
  if (smapsMaxAgeNs < 0n) return fatal('invalid -gather-smaps.max-age: a negative age (0s reads smaps every scrape)');
  const options: Options = {
    ...defaultOptions,
    listenAddress: str('web.listen-address'),
    telemetryPath,
    webConfigFile: str('web.config.file'),
    onceToStdoutDelayMs: nsToMs(dur('once-to-stdout-delay')),
    procnames: procnamesRaw.split(',').filter((t) => t !== ''),
    namemapping,
    procfs: str('procfs'),
    children: bool('children'),
    threads: bool('threads'),
    gatherSmaps: bool('gather-smaps'),
    smapsMaxAgeMs: nsToMs(smapsMaxAgeNs),
    configPath,
    // the reference tests `!= 0`, so a negative limit forces recheck too
    recheck: bool('recheck') || recheckLimitNs !== 0n,
    recheckWithTimeLimitMs: nsToMs(recheckLimitNs),
    debug: bool('debug'),
    removeEmptyGroups: bool('remove-empty-groups'),
  };
  const warnings: string[] = [];
  const w = stopWarning(outcome.parsed);
  if (w !== undefined) warnings.push(w);
  return { kind: 'run', options, warnings };
}
