// The settings registry: one row per setting, and everything else about settings derives from it: the
// Options type and its defaults, the command line's flags and usage text (src/cli/flags.ts), the config
// file's top-level keys (src/config/load.ts), createCollector's options and Grafana Alloy's names for
// them (src/index.ts), what the tracker is given at start and on reload, and what a reload may change.
// Adding a setting is one row here plus the code that uses it (docs/configuration.md#flags).
import { LOG_FORMATS, LOG_LEVELS, type LogFormat, type LogLevel } from '../base/log';
import { formatGoDuration } from '../go/duration';
import { goQuote } from '../go/quote';

/**
 * How a setting is written and held. `flag`: how Go's flag package parses it (and so the usage text's
 * type word); the value is held as V: a duration in milliseconds, a list split on ','.
 */
export interface SettingType<V> {
  readonly flag: 'string' | 'bool' | 'duration' | 'int';
  /** the flag's text -> the value; for 'duration' the text is nanoseconds, for 'int' the integer, already parsed */
  fromFlag(text: string | boolean | bigint): V;
  /** the value as Go's flag package shows a default (Value.String()) */
  shown(v: V): string;
  /** the flag value's check when it is set: the error Go's flag package prints after "invalid value" */
  check?(text: string): string | undefined;
}

const NS_PER_MS = 1_000_000;

export const text: SettingType<string> = { flag: 'string', fromFlag: (t) => t as string, shown: (v) => v };
export const bool: SettingType<boolean> = { flag: 'bool', fromFlag: (t) => t as boolean, shown: (v) => String(v) };
/** a Go duration, held in milliseconds (exact for whole milliseconds; a sub-millisecond part is a fraction) */
export const duration: SettingType<number> = {
  flag: 'duration',
  fromFlag: (t) => Number((t as bigint) / 1_000_000n) + Number((t as bigint) % 1_000_000n) / NS_PER_MS,
  shown: (ms) => formatGoDuration(BigInt(Math.trunc(ms)) * 1_000_000n + BigInt(Math.round((ms % 1) * NS_PER_MS))),
};
/** a whole number (Go's strconv.ParseInt syntax on the command line) */
export const integer: SettingType<number> = { flag: 'int', fromFlag: (t) => Number(t as bigint), shown: (v) => String(v) };
/** a comma-separated list, empty items dropped */
export const list: SettingType<string[]> = {
  flag: 'string',
  fromFlag: (t) => (t as string).split(',').filter((s) => s !== ''),
  shown: (v) => v.join(','),
};
/** one of a few words; `what` names them in the error */
function oneOf<W extends string>(words: readonly W[], what: string): SettingType<W> {
  return {
    flag: 'string',
    fromFlag: (t) => t as W,
    shown: (v) => v,
    check: (t) => (words.includes(t as W) ? undefined : `unrecognized ${what} ${goQuote(t)}`),
  };
}

export interface SettingRow<K extends string, V> {
  /** the command-line flag, without its '-' */
  readonly flag: string;
  /** the Options field */
  readonly key: K;
  readonly type: SettingType<V>;
  readonly default: V;
  /** the flag's usage text in -h (the reference's words, byte for byte, where it has the flag) */
  readonly usage: string;
  /**
   * The config file's top-level key, under Grafana Alloy's argument name (prometheus.exporter.process);
   * createCollector accepts it beside `key`. A flag given on the command line wins over the file.
   */
  readonly file?: string;
  /** `file` is ours, named in Alloy's style, not one of Alloy's arguments (listed after Alloy's) */
  readonly ours?: true;
  /** the whole numbers allowed, and how errors say so: on the command line, in the file, to createCollector */
  readonly range?: { readonly min: number; readonly max: number; readonly says: string };
  /** a config reload may change it (only settings the file holds can change) */
  readonly reloadable: boolean;
  /** the tracker reads it: given at start and again on every reload (trackerSettings) */
  readonly tracker?: true;
  /** a check of the value the command line gave, after parsing; its message ends the start (exit 1) */
  readonly validate?: (v: V) => string | undefined;
}

/** A row, with its key, file key and tracker mark kept as literal types (Options and the rest derive from them). */
function row<const K extends string, V, const F extends string | undefined = undefined, const T extends true | undefined = undefined>(
  r: Omit<SettingRow<K, V>, 'default' | 'file' | 'tracker'> & { readonly default: NoInfer<V>; readonly file?: F; readonly tracker?: T },
): SettingRow<K, V> & { readonly file: F; readonly tracker: T } {
  return r as SettingRow<K, V> & { readonly file: F; readonly tracker: T };
}

/** -top-processes above this would export more series than a per-process view is for (3N processes) */
export const MAX_TOP_PROCESSES = 1000;

// In the order Options lists them (createCollector's error names them in this order).
export const SETTINGS = [
  row({ flag: 'web.listen-address', key: 'listenAddress', type: text, default: ':9256', reloadable: false,
    usage: 'Address on which to expose metrics and web interface.' }),
  row({ flag: 'web.telemetry-path', key: 'telemetryPath', type: text, default: '/metrics', reloadable: false,
    usage: 'Path under which to expose metrics.',
    validate: (p) =>
      !p.startsWith('/') ? `invalid -web.telemetry-path ${goQuote(p)}: the path must start with "/"`
      : p === '/' ? `invalid -web.telemetry-path "/": "/" serves the landing page; choose another path such as "/metrics"`
      : undefined }),
  /** "" = plain HTTP, no auth */
  row({ flag: 'web.config.file', key: 'webConfigFile', type: text, default: '', reloadable: false,
    usage: 'path to YAML web config file' }),
  /** 0 = serve HTTP */
  row({ flag: 'once-to-stdout-delay', key: 'onceToStdoutDelayMs', type: duration, default: 0, reloadable: false,
    usage: "Don't bind, just wait this much time, print the metrics once to stdout, and exit" }),
  row({ flag: 'procnames', key: 'procnames', type: list, default: [], reloadable: false,
    usage: 'comma-separated list of process names to monitor' }),
  /** the raw argument ("" = none) */
  row({ flag: 'namemapping', key: 'namemapping', type: text, default: '', reloadable: false,
    usage: 'comma-separated list, alternating process name and capturing regex to apply to cmdline' }),
  /** a reload keeps the tree the scanner opened */
  row({ flag: 'procfs', key: 'procfs', type: text, default: '/proc', file: 'procfs_path', reloadable: false,
    usage: 'path to read proc data from' }),
  row({ flag: 'children', key: 'children', type: bool, default: true, file: 'track_children', reloadable: true, tracker: true,
    usage: "if a proc is tracked, track with it any children that aren't part of their own group" }),
  /** per-thread-name families (and task/<tid>/io reads) */
  row({ flag: 'threads', key: 'threads', type: bool, default: true, file: 'track_threads', reloadable: true, tracker: true,
    usage: 'report on per-threadname metrics as well' }),
  row({ flag: 'gather-smaps', key: 'gatherSmaps', type: bool, default: true, file: 'gather_smaps', reloadable: true, tracker: true,
    usage: 'gather metrics from smaps file, which contains proportional resident memory size' }),
  row({ flag: 'gather-smaps.max-age', key: 'smapsMaxAgeMs', type: duration, default: 5 * 60 * 1000, reloadable: false, tracker: true,
    usage: "re-read a process's smaps when its stat has not changed only after this long (0s: every scrape)",
    validate: (ms) => (ms < 0 ? 'invalid -gather-smaps.max-age: a negative age (0s reads smaps every scrape)' : undefined) }),
  row({ flag: 'gather-idle.max-age', key: 'idleMaxAgeMs', type: duration, default: 5 * 60 * 1000, reloadable: false, tracker: true,
    usage: 're-read status, io and wchan of a process or thread that has not run since (stat and schedstat unchanged) only after this long (0s: every scrape)',
    validate: (ms) => (ms < 0 ? 'invalid -gather-idle.max-age: a negative age (0s reads every process in full every scrape)' : undefined) }),
  row({ flag: 'config.path', key: 'configPath', type: text, default: '', reloadable: false,
    usage: 'path to YAML config file' }),
  /** the tracker rechecks also when recheckWithTimeLimitMs is not 0 */
  row({ flag: 'recheck', key: 'recheck', type: bool, default: false, file: 'recheck_on_scrape', reloadable: true, tracker: true,
    usage: 'recheck process names on each scrape' }),
  row({ flag: 'recheck-with-time-limit', key: 'recheckWithTimeLimitMs', type: duration, default: 0, reloadable: false, tracker: true,
    usage: 'recheck processes only this much time after their start, but no longer.' }),
  row({ flag: 'debug', key: 'debug', type: bool, default: false, reloadable: false,
    usage: 'log debugging information to stderr' }),
  row({ flag: 'remove-empty-groups', key: 'removeEmptyGroups', type: bool, default: false, file: 'remove_empty_groups', reloadable: true, tracker: true,
    usage: 'forget process groups with no processes' }),
  // operations: promslog's log flags, Prometheus's lifecycle flag, configured groups at zero
  /** -debug sets 'debug' */
  row({ flag: 'log.level', key: 'logLevel', type: oneOf<LogLevel>(LOG_LEVELS, 'log level'), default: 'info', reloadable: false,
    usage: `Only log messages with the given severity or above. One of: [${LOG_LEVELS.join(', ')}]` }),
  row({ flag: 'log.format', key: 'logFormat', type: oneOf<LogFormat>(LOG_FORMATS, 'log format'), default: 'logfmt', reloadable: false,
    usage: `Output format of log messages. One of: [${LOG_FORMATS.join(', ')}]` }),
  row({ flag: 'web.enable-lifecycle', key: 'enableLifecycle', type: bool, default: false, reloadable: false,
    usage: 'Enable config reload via HTTP request (POST /-/reload).' }),
  row({ flag: 'report-configured-groups', key: 'reportConfiguredGroups', type: bool, default: false, reloadable: false,
    usage: 'export each group named by -procnames or by a rule name without template actions from the first scrape, with num_procs 0 while no process is in it' }),
  // the page at / (not in the reference)
  row({ flag: 'web.page-interval', key: 'pageIntervalMs', type: duration, default: 3000, reloadable: false,
    usage: 'shortest time between the update cycles an open page at / asks for; scrapes share these cycles',
    validate: (ms) => (ms <= 0 ? 'invalid -web.page-interval: it must be a positive duration such as 3s' : undefined) }),
  row({ flag: 'web.page-expose-cmdlines', key: 'pageExposeCmdlines', type: bool, default: false, reloadable: false,
    usage: "show each group's processes with pid, user and command line on the page at / (command lines can carry secrets)" }),
  // per-process series (not in the reference)
  /** the N processes that used the most CPU in a cycle and the N with the most resident memory are exported one by one */
  row({ flag: 'top-processes', key: 'topProcesses', type: integer, default: 0, file: 'top_processes', ours: true, reloadable: true, tracker: true,
    range: { min: 0, max: MAX_TOP_PROCESSES, says: `between 0 (none) and ${MAX_TOP_PROCESSES}` },
    usage: 'export the N processes that used the most CPU in the last update cycle and the N with the most resident memory as namedprocess_process_* series, labelled by groupname, pid and comm (at most 3N processes at once; 0: none)' }),
] as const;

type Row = (typeof SETTINGS)[number];
type ValueOf<R> = R extends SettingRow<string, infer V> ? V : never;

/** The typed options object: built by the CLI from flags, or by a Node app that embeds the collector. */
export type Options = { [R in Row as R['key']]: ValueOf<R> };

/** The settings the config file may hold, under Options' names. */
export type FileSettings = Partial<{ [R in Row as R['file'] extends string ? R['key'] : never]: ValueOf<R> }>;

/** Grafana Alloy's argument names (prometheus.exporter.process), accepted by createCollector beside ours. */
export type AlloyOptions = Partial<{ [R in Row as R['file'] extends string ? R['file'] : never]: ValueOf<R> }>;

/** The settings the tracker reads. */
export type TrackerSettings = { [R in Row as R['tracker'] extends true ? R['key'] : never]: ValueOf<R> };

export type SettingKey = keyof Options;
/** A row of any setting, for code that walks the registry. */
export type AnySetting = SettingRow<SettingKey, unknown>;

export const SETTING_ROWS: readonly AnySetting[] = SETTINGS as unknown as readonly AnySetting[];

/** The row of each Options key. */
export const SETTING_BY_KEY: ReadonlyMap<SettingKey, AnySetting> = new Map(SETTING_ROWS.map((r) => [r.key, r]));

export const defaultOptions: Readonly<Options> = Object.freeze(
  Object.fromEntries(SETTING_ROWS.map((r) => [r.key, Array.isArray(r.default) ? Object.freeze(r.default) : r.default])) as Options,
);

/** The defaults as a new object the caller may change (lists copied, the frozen defaults untouched). */
export function freshDefaults(): Options {
  return Object.fromEntries(SETTING_ROWS.map((r) => [r.key, Array.isArray(r.default) ? [...(r.default as unknown[])] : r.default])) as Options;
}

/** The rows the config file holds, by their key there: Alloy's, alphabetical as Alloy lists them, then ours. */
export const FILE_SETTINGS: ReadonlyMap<string, AnySetting> = new Map(
  SETTING_ROWS.filter((r) => r.file !== undefined)
    .map((r) => [r.file!, r] as [string, AnySetting])
    .sort(([a, ra], [b, rb]) => Number(ra.ours ?? false) - Number(rb.ours ?? false) || (a < b ? -1 : a > b ? 1 : 0)),
);

/** What the tracker is given of the options, the same at start and on every reload. */
export function trackerSettings(o: Options): TrackerSettings {
  const out: Record<string, unknown> = {};
  for (const r of SETTING_ROWS) if (r.tracker) out[r.key] = o[r.key];
  return out as TrackerSettings;
}

/** The options a reload brings, with the settings a reload cannot change kept as they are now. */
export function reloadedOptions(current: Options, next: Options): Options {
  const out: Record<string, unknown> = { ...next };
  for (const r of SETTING_ROWS) if (!r.reloadable) out[r.key] = current[r.key];
  return out as Options;
}
