// The command line: the only module that interprets argv. It reproduces Go's `flag` package as the
// reference (ncabatoff/process-exporter HEAD) uses it, so scripts and unit files keep working (docs/configuration.md#flags).
// It never prints or exits itself: it returns what to print and the exit status.

import { endianness } from 'node:os';
import { formatLogLine, LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from './log';
import { defaultOptions, MAX_TOP_PROCESSES, type Options } from './options';
import { MANUAL_TEXT } from './cli-text';
import { parseGoDuration } from './go/duration';
import { goQuote } from './go/quote';

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
  { name: 'gather-idle.max-age', kind: 'duration', defValue: '5m0s', usage: "re-read status, io and wchan of a process or thread that has not run since (stat and schedstat unchanged) only after this long (0s: every scrape)" },
  { name: 'man', kind: 'bool', defValue: 'false', usage: 'print manual' },
  { name: 'config.path', kind: 'string', defValue: '', usage: 'path to YAML config file' },
  { name: 'web.config.file', kind: 'string', defValue: '', usage: 'path to YAML web config file' },
  { name: 'recheck', kind: 'bool', defValue: 'false', usage: 'recheck process names on each scrape' },
  { name: 'recheck-with-time-limit', kind: 'duration', defValue: '0s', usage: 'recheck processes only this much time after their start, but no longer.' },
  { name: 'debug', kind: 'bool', defValue: 'false', usage: 'log debugging information to stderr' },
  { name: 'version', kind: 'bool', defValue: 'false', usage: 'print version information and exit' },
  { name: 'remove-empty-groups', kind: 'bool', defValue: 'false', usage: 'forget process groups with no processes' },
  // operations: promslog's log flags, Prometheus's lifecycle flag, configured groups at zero
  { name: 'log.level', kind: 'string', defValue: 'info', usage: `Only log messages with the given severity or above. One of: [${LOG_LEVELS.join(', ')}]`, check: (v) => (LOG_LEVELS.includes(v as LogLevel) ? undefined : `unrecognized log level ${goQuote(v)}`) },
  { name: 'log.format', kind: 'string', defValue: 'logfmt', usage: `Output format of log messages. One of: [${LOG_FORMATS.join(', ')}]`, check: (v) => (LOG_FORMATS.includes(v as LogFormat) ? undefined : `unrecognized log format ${goQuote(v)}`) },
  { name: 'web.enable-lifecycle', kind: 'bool', defValue: 'false', usage: 'Enable config reload via HTTP request (POST /-/reload).' },
  { name: 'report-configured-groups', kind: 'bool', defValue: 'false', usage: 'export each group named by -procnames or by a rule name without template actions from the first scrape, with num_procs 0 while no process is in it' },
  // the page at / (not in the reference)
  { name: 'web.page-interval', kind: 'duration', defValue: '3s', usage: 'shortest time between the update cycles an open page at / asks for; scrapes share these cycles' },
  { name: 'web.page-expose-cmdlines', kind: 'bool', defValue: 'false', usage: "show each group's processes with pid, user and command line on the page at / (command lines can carry secrets)" },
  // per-process series (not in the reference)
  { name: 'top-processes', kind: 'int', defValue: '0', usage: 'export the N processes that used the most CPU in the last update cycle and the N with the most resident memory as namedprocess_process_* series, labelled by groupname, pid and comm (at most 3N processes at once; 0: none)' },
];

// The Options field each flag sets: the fields given on the command line win over the config file's settings.
const OPTION_OF_FLAG: Readonly<Record<string, keyof Options>> = {
  'procfs': 'procfs',
  'children': 'children',
  'threads': 'threads',
  'gather-smaps': 'gatherSmaps',
  'recheck': 'recheck',
  'recheck-with-time-limit': 'recheckWithTimeLimitMs',
  'remove-empty-groups': 'removeEmptyGroups',
  'top-processes': 'topProcesses',
};

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

// Go's GOOS/GOARCH names for Node's process.platform/arch, so "platform:" reads like the reference's.
function goPlatform(): string {
  const os = process.platform === 'win32' ? 'windows' : process.platform === 'sunos' ? 'solaris' : process.platform;
  const archMap: Record<string, string> = { x64: 'amd64', ia32: '386', mipsel: 'mipsle' };
  let arch = archMap[process.arch] ?? process.arch;
  if (arch === 'ppc64' && endianness() === 'LE') arch = 'ppc64le';
  return `${os}/${arch}`;
}

/** prometheus/common version.Print layout, with Node in place of Go. */
function versionText(env: CliEnv): string {
  const known = (s: string | undefined) => (s === undefined || s === '' ? 'unknown' : s);
  const row = (label: string, value: string) => `  ${(label + ':').padEnd(18)}${value}\n`;
  return (
    `${PROGRAM}, version ${known(env.version)} (branch: ${known(env.branch)}, revision: ${known(env.revision)})\n` +
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

const NS_PER_MS = 1_000_000;

function nsToMs(ns: bigint): number {
  // exact for whole milliseconds; sub-millisecond parts survive as a fraction
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / NS_PER_MS;
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
  const str = (n: string) => (values.get(n) as string | undefined) ?? FLAG_BY_NAME.get(n)!.defValue;
  const bool = (n: string) => (values.get(n) as boolean | undefined) ?? FLAG_BY_NAME.get(n)!.defValue === 'true';
  const dur = (n: string) => (values.get(n) as bigint | undefined) ?? 0n;

  // The reference's order after flag.Parse(): -version, -man, then the matcher flags.
  if (bool('version')) return { kind: 'exit', code: 0, stdout: versionText(env), stderr: '' };
  if (bool('man')) return { kind: 'exit', code: 0, stdout: MANUAL_TEXT, stderr: '' };

  const now = env.now ?? (() => new Date());
  const logFormat = str('log.format') as LogFormat;
  const fatal = (msg: string): CliResult => ({ kind: 'exit', code: 1, stdout: '', stderr: formatLogLine(logFormat, 'error', msg, {}, now()) });

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
  const pageIntervalNs = values.has('web.page-interval') ? dur('web.page-interval') : 3_000_000_000n;
  if (pageIntervalNs <= 0n) return fatal('invalid -web.page-interval: it must be a positive duration such as 3s');
  const smapsMaxAgeNs = (values.get('gather-smaps.max-age') as bigint | undefined) ?? BigInt(defaultOptions.smapsMaxAgeMs) * 1_000_000n;
  if (smapsMaxAgeNs < 0n) return fatal('invalid -gather-smaps.max-age: a negative age (0s reads smaps every scrape)');
  const idleMaxAgeNs = (values.get('gather-idle.max-age') as bigint | undefined) ?? BigInt(defaultOptions.idleMaxAgeMs) * 1_000_000n;
  if (idleMaxAgeNs < 0n) return fatal('invalid -gather-idle.max-age: a negative age (0s reads every process in full every scrape)');
  const topProcesses = (values.get('top-processes') as bigint | undefined) ?? 0n;
  if (topProcesses < 0n || topProcesses > BigInt(MAX_TOP_PROCESSES)) return fatal(`invalid -top-processes ${topProcesses}: it must be between 0 (none) and ${MAX_TOP_PROCESSES}`);
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
    idleMaxAgeMs: nsToMs(idleMaxAgeNs),
    configPath,
    // the reference tests `!= 0`, so a negative limit forces recheck too
    recheck: bool('recheck') || recheckLimitNs !== 0n,
    recheckWithTimeLimitMs: nsToMs(recheckLimitNs),
    debug: bool('debug'),
    removeEmptyGroups: bool('remove-empty-groups'),
    // -debug is an alias of -log.level=debug
    logLevel: bool('debug') ? 'debug' : (str('log.level') as LogLevel),
    logFormat,
    enableLifecycle: bool('web.enable-lifecycle'),
    reportConfiguredGroups: bool('report-configured-groups'),
    pageIntervalMs: nsToMs(pageIntervalNs),
    pageExposeCmdlines: bool('web.page-expose-cmdlines'),
    topProcesses: Number(topProcesses),
  };
  // the settings a config file may also set: given here, they win over the file
  const given = [...values.keys()].flatMap((f) => (OPTION_OF_FLAG[f] !== undefined ? [OPTION_OF_FLAG[f]] : []));
  const warnings: string[] = [];
  const w = stopWarning(outcome.parsed);
  if (w !== undefined) warnings.push(w);
  return { kind: 'run', options, warnings, given };
}
