// The page at / and its JSON endpoints, served through the server's routes under the same web config
// (TLS, basic auth, headers) as the telemetry path. A request for /api/groups asks the collector for a
// snapshot no older than -web.page-interval: open pages and scrapes share cycles, never multiply them.
import type { Route, RouteRequest, RouteResponse } from '../server/routes';
import type { ProcessCollector } from '../collector/collector';
import type { Logger } from '../base/log';
import { FIELDS, HISTORY_WINDOW_MS, type Field, type HistoryStore } from '../history/store';
import { GO_ZERO_TIME_UNIX } from '../expose/snapshot';
import { loadAssets, type Asset } from './assets';
import { FIGURE_QUERIES } from './promql';
import { HostReader } from './host';
import { VIEWS, type GroupsJson, type HistoryJson, type ProcessesJson, type RowJson, type View } from './api';
import type * as ProcessesModule from './processes';
import { errorMessage } from '../base/errors';
import type * as ViewsModule from './views';
import type * as RatesModule from './rates';

/** points of CPU history sent with each row for its sparkline */
const SPARK_POINTS = 40;

// Everything from the exporter itself; no inline script or style, no other origin, no framing.
const PAGE_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const SECURITY_HEADERS = {
  'Content-Security-Policy': PAGE_CSP,
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

export interface PageDeps {
  collector: Pick<ProcessCollector, 'collectFresh' | 'latest' | 'tracker'>;
  history: HistoryStore;
  log: Logger;
  procfs: string;
  telemetryPath: string;
  intervalMs: number;
  exposeCmdlines: boolean;
  username(uid: number): string;
  /** where the assets are (tests); default dist/ui */
  assetDir?: string;
}

function json(status: number, value: unknown): RouteResponse {
  return { status, body: JSON.stringify(value), contentType: 'application/json; charset=utf-8', headers: SECURITY_HEADERS };
}

function text(status: number, body: string): RouteResponse {
  return { status, body, contentType: 'text/plain; charset=utf-8', headers: SECURITY_HEADERS };
}

function groupParam(req: RouteRequest): string | null {
  return new URLSearchParams(req.query).get('group');
}

/** ?view=, "group" when absent; a RouteResponse (400) for an unknown one. */
function viewParam(req: RouteRequest): View | RouteResponse {
  const v = new URLSearchParams(req.query).get('view');
  if (v === null || v === '') return 'group';
  if ((VIEWS as readonly string[]).includes(v)) return v as View;
  return text(400, `unknown view ${JSON.stringify(v).slice(0, 80)}: one of ${VIEWS.join(', ')}\n`);
}

const pct = (cores: number) => cores * 100;
/** NaN (a figure no process of the group could give) is unknown */
const known = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** The per-process parts of the page (rows, views, rates): loaded on the first request that needs them. */
function perProcess(deps: PageDeps) {
  const { ProcessRows } = require('./processes') as typeof ProcessesModule;
  const { viewRows, rowKey } = require('./views') as typeof ViewsModule;
  const { ProcessRates } = require('./rates') as typeof RatesModule;
  return {
    rows: new ProcessRows({ procfs: deps.procfs, cmdlines: deps.exposeCmdlines, username: deps.username }),
    rates: new ProcessRates(),
    viewRows,
    rowKey,
  };
}

export function createPageRoutes(deps: PageDeps): Route[] {
  let assets: Map<string, Asset> | null = null;
  let assetError = '';
  try {
    assets = loadAssets(deps.assetDir);
  } catch (e) {
    assetError = errorMessage(e);
    deps.log.error(`The page at / is unavailable: ${assetError}`);
  }
  const host = new HostReader(deps.procfs, (msg) => deps.log.warn(msg));
  void host.read(); // a first reading, so the first page load can show CPU busy a second later
  let pp: ReturnType<typeof perProcess> | null = null;
  const per = () => (pp ??= perProcess(deps));

  const asset = (name: string): RouteResponse => {
    if (assets === null) return text(500, `${assetError}\n`);
    const a = assets.get(name);
    if (a === undefined) return text(404, '404 page not found\n');
    return { status: 200, body: a.body, contentType: a.contentType, headers: SECURITY_HEADERS };
  };

  const groupRows = (gatherSmaps: boolean): RowJson[] =>
    deps.history
      .now()
      .sort((a, b) => b.cpuUser + b.cpuSystem - (a.cpuUser + a.cpuSystem) || b.resident - a.resident)
      .map((g) => {
        const spark = deps.history.series(g.name, ['cpuUser', 'cpuSystem']);
        const n = spark === null ? 0 : Math.min(SPARK_POINTS, spark.t.length);
        const from = spark === null ? 0 : spark.t.length - n;
        return {
          name: g.name,
          cpuPercent: pct(g.cpuUser + g.cpuSystem),
          cpuUserPercent: pct(g.cpuUser),
          cpuSystemPercent: pct(g.cpuSystem),
          residentBytes: g.resident,
          proportionalResidentBytes: gatherSmaps ? known(g.proportionalResident) : null,
          swappedBytes: g.swapped,
          readBytesPerSecond: known(g.readBps),
          writeBytesPerSecond: known(g.writeBps),
          ioUnreadableProcs: g.ioUnreadable,
          proportionalUnreadableProcs: gatherSmaps ? g.proportionalUnreadable : 0,
          openFds: g.openFds,
          worstFdRatio: g.worstFdRatio,
          threads: g.numThreads,
          procs: g.numProcs,
          oldestStartTime: g.numProcs === 0 || g.oldestStartTime === GO_ZERO_TIME_UNIX ? null : g.oldestStartTime,
          spark: spark === null ? [] : spark.values.cpuUser.slice(from).map((u, i) => pct(u + spark.values.cpuSystem[from + i])),
        };
      });

  /** The tracked processes of the last cycle (each with its cgroup identity), and their rates. */
  const tracked = (filter?: (p: ProcessesModule.TrackedProcessView) => boolean) => {
    const p = per();
    let procs = [...deps.collector.tracker.trackedProcesses()];
    if (filter !== undefined) procs = procs.filter(filter);
    return { procs, rates: p.rates.of(procs, deps.collector.latest?.endedAtMs ?? 0) };
  };

  const groups = async (req: RouteRequest): Promise<RouteResponse> => {
    const view = viewParam(req);
    if (typeof view !== 'string') return view;
    const snap = await deps.collector.collectFresh(deps.intervalMs);
    const hostTotals = await host.read();
    let rows: RowJson[];
    if (view === 'group') rows = groupRows(snap.gatherSmaps);
    else {
      const { procs, rates } = tracked();
      rows = per().viewRows(view, procs, rates, snap.gatherSmaps);
    }
    const body: GroupsJson = {
      view,
      updatedAt: deps.history.updatedAtMs,
      cycleOk: snap.ok,
      intervalSeconds: deps.intervalMs / 1000,
      historySeconds: HISTORY_WINDOW_MS / 1000,
      telemetryPath: deps.telemetryPath,
      gatherSmaps: snap.gatherSmaps,
      cmdlines: deps.exposeCmdlines,
      processRows: true,
      host: hostTotals,
      queries: FIGURE_QUERIES,
      liveRows: rows.filter((r) => r.procs > 0).length,
      totalRows: rows.length,
      groups: rows,
    };
    return json(200, body);
  };

  const HISTORY_FIELDS: Record<Exclude<keyof HistoryJson, 'group' | 't'>, Field> = {
    cpuUserPercent: 'cpuUser',
    cpuSystemPercent: 'cpuSystem',
    residentBytes: 'resident',
    proportionalResidentBytes: 'proportionalResident',
    swappedBytes: 'swapped',
    readBytesPerSecond: 'readBps',
    writeBytesPerSecond: 'writeBps',
    openFds: 'openFds',
    threads: 'numThreads',
    procs: 'numProcs',
  };

  const history = async (req: RouteRequest): Promise<RouteResponse> => {
    const group = groupParam(req);
    if (group === null) return text(400, 'missing ?group=\n');
    const s = deps.history.series(group, FIELDS);
    if (s === null) return text(404, `no history for group ${JSON.stringify(group)}\n`);
    const out: Record<string, unknown> = { group, t: s.t };
    for (const [key, field] of Object.entries(HISTORY_FIELDS)) {
      const v = s.values[field];
      out[key] = field === 'cpuUser' || field === 'cpuSystem' ? v.map(pct) : v;
    }
    return json(200, out as unknown as HistoryJson);
  };

  const processes = async (req: RouteRequest): Promise<RouteResponse> => {
    const view = viewParam(req);
    if (typeof view !== 'string') return view;
    const group = groupParam(req);
    if (group === null) return text(400, 'missing ?group=\n');
    await deps.collector.collectFresh(deps.intervalMs);
    const p = per();
    let sel: { procs: ProcessesModule.TrackedProcessView[]; rates: RatesModule.ProcessRate[] };
    if (view === 'group') {
      const procs = [...deps.collector.tracker.membersOf(group)];
      sel = { procs, rates: p.rates.of(procs, deps.collector.latest?.endedAtMs ?? 0) };
    } else {
      sel = tracked((proc) => p.rowKey(view, proc) === group);
    }
    const { rows, total } = await p.rows.rows(sel.procs, sel.rates);
    const body: ProcessesJson = { view, group, total, cmdlines: deps.exposeCmdlines, processes: rows };
    return json(200, body);
  };

  const GET = ['GET', 'HEAD'] as const;
  return [
    { path: '/', methods: GET, handle: async () => asset('index.html') },
    { path: '/ui/', prefix: true, methods: GET, handle: async (req) => (req.pathname === '/ui/index.html' ? text(404, '404 page not found\n') : asset(req.pathname.slice('/ui/'.length))) },
    { path: '/api/groups', methods: GET, handle: groups },
    { path: '/api/history', methods: GET, handle: history },
    { path: '/api/processes', methods: GET, handle: processes },
  ];
}
