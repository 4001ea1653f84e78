// The command line: the only module that interprets argv. It reproduces Go's `flag` package as the
// reference (ncabatoff/process-exporter HEAD) uses it, so scripts and unit files keep working (docs/configuration.md#flags).
// It never prints or exits itself: it returns what to print and the exit status.

import { formatLogLine } from '../base/log';
import { freshDefaults, SETTING_ROWS, type AnySetting, type Options, type SettingKey } from '../settings/registry';
import { MANUAL_TEXT } from './manual';
import { parseGoDuration } from '../go/duration';
import { goQuote } from '../go/quote';
import { goArch, goOs } from '../go/platform';

export type CliResult =
  | { kind: 'run'; options: Options; warnings: string[]; given: ReadonlyArray<keyof Options> }
  | { kind: 'exit'; code: number; stdout: string; stderr: string };

export interface CliEnv {
  /** printed by -version; the package version, passed in by the entry point */
  version?: string;
  /** printed by -version: the git revision and branch stamped at build time (default "unknown") */
  revision?: string;
  branch?: string;
  /** the program name in "Usage of <prog>:" (Go: os.Args[0]); default process.argv[1] */
  prog?: string;
  /** clock for the timestamp of fatal messages (tests) */
  now?: () => Date;
}

type FlagKind = 'string' | 'bool' | 'duration' | 'int';

interface FlagDef {
  name: string;
  kind: FlagKind;
  /** the default as Go's Value.String() renders it */
  defValue: string;
  usage: string;
  /** checks a value when it is set; returns the error Go's flag package prints after "invalid value" */
  check?: (v: string) => string | undefined;
  /** the setting it sets; absent for -man and -version */
  setting?: AnySetting;
}

// The settings' flags (src/settings/registry.ts), and the two that only print; -h sorts them by name.
const FLAGS: readonly FlagDef[] = [
  ...SETTING_ROWS.map((r): FlagDef => ({ name: r.flag, kind: r.type.flag, defValue: r.type.shown(r.default), usage: r.usage, check: r.type.check, setting: r })),
  { name: 'man', kind: 'bool', defValue: 'false', usage: 'print manual' },
  { name: 'version', kind: 'bool', defValue: 'false', usage: 'print version information and exit' },
];

const FLAG_BY_NAME: ReadonlyMap<string, FlagDef> = new Map(FLAGS.map((f) => [f.name, f]));

// Go's zero values as Value.String() prints them: a default equal to these is not shown.
const ZERO_VALUE: Record<FlagKind, string> = { string: '', bool: 'false', duration: '0s', int: '0' };

const PROGRAM = 'namedprocess-exporter';

function defaultProg(): string {
  return process.argv[1] ?? PROGRAM;
}

/** Go's flag.Usage: "Usage of <prog>:" then PrintDefaults (flags sorted by name). */
function usageText(prog: string = defaultProg()): string {
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
function parseGoBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'true': case 'TRUE': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'false': case 'FALSE': case 'False':
      return false;
    default:
      return undefined;
  }
}

/** strconv.ParseInt(s, 0, 64) without digit separators: decimal, 0x hex, 0o or 0 octal, 0b binary */
function parseGoInt(s: string): bigint | undefined {
  const m = /^([+-]?)(?:0[xX]([0-9a-fA-F]+)|0[oO]?([0-7]+)|0[bB]([01]+)|([1-9][0-9]*|0))$/.exec(s);
  if (m === null) return undefined;
  const v = m[2] !== undefined ? BigInt('0x' + m[2]) : m[3] !== undefined ? BigInt('0o' + m[3]) : m[4] !== undefined ? BigInt('0b' + m[4]) : BigInt(m[5]);
  const signed = m[1] === '-' ? -v : v;
  return signed < -(1n << 63n) || signed >= 1n << 63n ? undefined : signed;
}

// ---------------------------------------------------------------------------------------------
// -version

/** prometheus/common version.Print layout, with Node in place of Go. */
function versionText(env: CliEnv): string {
  const known = (s: string | undefined) => (s === undefined || s === '' ? 'unknown' : s);
  const row = (label: string, value: string) => `  ${(label + ':').padEnd(18)}${value}\n`;
  return (
    `${PROGRAM}, version ${known(env.version)} (branch: ${known(env.branch)}, revision: ${known(env.revision)})\n` +
    row('build user', 'unknown') +
    row('build date', 'unknown') +
    row('node version', process.version) +
    row('platform', `${goOs()}/${goArch()}`) +
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
    if (flag.kind === 'int') {
      const n = parseGoInt(value);
      if (n === undefined) return { ok: false, help: false, message: `invalid value ${goQuote(value)} for flag -${name}: parse error` };
      values.set(name, n);
    } else if (flag.kind === 'duration') {
      try {
        values.set(name, parseGoDuration(value));
      } catch {
        return { ok: false, help: false, message: `invalid value ${goQuote(value)} for flag -${name}: parse error` };
      }
    } else {
      const bad = flag.check?.(value);
      if (bad !== undefined) return { ok: false, help: false, message: `invalid value ${goQuote(value)} for flag -${name}: ${bad}` };
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

/**
 * Interpret the command line (process.argv.slice(2)) like the reference: Go flag syntax, then
 * -version, -man, and the start-up checks that need nothing but the flags. `env.version`, `.branch`
 * and `.revision` are what -version prints.
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

  // The reference's order after flag.Parse(): -version, -man, then the matcher flags.
  if (values.get('version') === true) return { kind: 'exit', code: 0, stdout: versionText(env), stderr: '' };
  if (values.get('man') === true) return { kind: 'exit', code: 0, stdout: MANUAL_TEXT, stderr: '' };

  // every setting from its flag, else its default; the ones given win over a config file's settings
  const set: Record<string, unknown> = freshDefaults();
  const given: SettingKey[] = [];
  for (const f of FLAGS) {
    const v = values.get(f.name);
    if (f.setting === undefined || v === undefined) continue;
    set[f.setting.key] = f.setting.type.fromFlag(v);
    given.push(f.setting.key);
  }
  const options = set as Options;

  const now = env.now ?? (() => new Date());
  const fatal = (msg: string): CliResult => ({ kind: 'exit', code: 1, stdout: '', stderr: formatLogLine(options.logFormat, 'error', msg, {}, now()) });

  // raw strings, as the reference tests them: "-procnames ," still counts as given
  if (options.configPath !== '' && (options.namemapping !== '' || (values.get('procnames') ?? '') !== '')) {
    return fatal('-config.path cannot be used with -namemapping or -procnames');
  }
  for (const r of SETTING_ROWS) {
    const bad = r.validate?.(options[r.key]);
    if (bad !== undefined) return fatal(bad);
    const v = options[r.key] as number;
    // the number as given (an int64 beyond 2^53 is shown exactly)
    if (r.range !== undefined && (v < r.range.min || v > r.range.max)) return fatal(`invalid -${r.flag} ${String(values.get(r.flag))}: it must be ${r.range.says}`);
  }
  // the reference tests `!= 0`, so a negative limit forces recheck too
  if (options.recheckWithTimeLimitMs !== 0) options.recheck = true;
  // -debug is an alias of -log.level=debug
  if (options.debug) options.logLevel = 'debug';
  const warnings: string[] = [];
  const w = stopWarning(outcome.parsed);
  if (w !== undefined) warnings.push(w);
  return { kind: 'run', options, warnings, given };
}
