// The typed options object: built by the CLI from flags (src/cli.ts), or by a Node app that
// embeds the collector (src/index.ts). Field names follow the reference's flags (docs/configuration.md#flags).

export interface Options {
  /** -web.listen-address */
  listenAddress: string;
  /** -web.telemetry-path */
  telemetryPath: string;
  /** -web.config.file ("" = plain HTTP, no auth) */
  webConfigFile: string;
  /** -once-to-stdout-delay, milliseconds (0 = serve HTTP) */
  onceToStdoutDelayMs: number;
  /** -procnames, split on ',' with empty tokens dropped */
  procnames: string[];
  /** -namemapping, the raw argument ("" = none) */
  namemapping: string;
  /** -procfs */
  procfs: string;
  /** -children */
  children: boolean;
  /** -threads */
  threads: boolean;
  /** -gather-smaps */
  gatherSmaps: boolean;
  /** -gather-smaps.max-age, milliseconds: smaps of a process whose stat is unchanged is read again after
   *  this long (until then its last values are reported); 0 reads it every scrape */
  smapsMaxAgeMs: number;
  /** -gather-idle.max-age, milliseconds: a process or thread that has not run since its last read (stat and
   *  schedstat unchanged) has its status, io and wchan read again only after this long; 0 reads them every
   *  scrape */
  idleMaxAgeMs: number;
  /** -config.path ("" = none) */
  configPath: string;
  /** -recheck (forced true when recheckWithTimeLimitMs > 0) */
  recheck: boolean;
  /** -recheck-with-time-limit, milliseconds */
  recheckWithTimeLimitMs: number;
  /** -debug */
  debug: boolean;
  /** -remove-empty-groups */
  removeEmptyGroups: boolean;
  /** -log.level (-debug sets 'debug') */
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** -log.format */
  logFormat: 'logfmt' | 'json';
  /** -web.enable-lifecycle: POST /-/reload reloads the config */
  enableLifecycle: boolean;
  /** -report-configured-groups: groups with a fixed name are exported from the first scrape, at 0 */
  reportConfiguredGroups: boolean;
  /** -web.page-interval, milliseconds: an open page triggers update cycles at most this often */
  pageIntervalMs: number;
  /** -web.page-expose-cmdlines: per-process rows (pid, user, command line) on the page */
  pageExposeCmdlines: boolean;
  /** -top-processes: the N processes that used the most CPU in a cycle and the N with the most resident
   *  memory are exported one by one (namedprocess_process_*); 0 = off */
  topProcesses: number;
}

/** -top-processes above this would export more series than a per-process view is for (3N processes) */
export const MAX_TOP_PROCESSES = 1000;

export const defaultOptions: Readonly<Options> = Object.freeze({
  listenAddress: ':9256',
  telemetryPath: '/metrics',
  webConfigFile: '',
  onceToStdoutDelayMs: 0,
  procnames: [],
  namemapping: '',
  procfs: '/proc',
  children: true,
  threads: true,
  gatherSmaps: true,
  smapsMaxAgeMs: 5 * 60 * 1000,
  idleMaxAgeMs: 5 * 60 * 1000,
  configPath: '',
  recheck: false,
  recheckWithTimeLimitMs: 0,
  debug: false,
  removeEmptyGroups: false,
  logLevel: 'info',
  logFormat: 'logfmt',
  enableLifecycle: false,
  reportConfiguredGroups: false,
  pageIntervalMs: 3000,
  pageExposeCmdlines: false,
  topProcesses: 0,
});
