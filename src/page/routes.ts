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
import type * as ProcessesModule from './processes';
import { errorMessage } from '../base/errors';

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
  pageSize: number;
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

const pct = (cores: number) => cores * 100;

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
  // per-process rows (and their /proc parsers) only with -web.page-expose-cmdlines
  const processRows = deps.exposeCmdlines ? new (require('./processes') as typeof ProcessesModule).ProcessRows({ procfs: deps.procfs, pageSize: deps.pageSize, username: deps.username }) : null;

  const asset = (name: string): RouteResponse => {
    if (assets === null) return text(500, `${assetError}\n`);
    const a = assets.get(name);
    if (a === undefined) return text(404, '404 page not found\n');
    return { status: 200, body: a.body, contentType: a.contentType, headers: SECURITY_HEADERS };
  };

  const groups = async (): Promise<RouteResponse> => {
    const snap = await deps.collector.collectFresh(deps.intervalMs);
    const hostTotals = await host.read();
    const rows = deps.history.now().sort((a, b) => b.cpuUser + b.cpuSystem - (a.cpuUser + a.cpuSystem) || b.resident - a.resident);
    return json(200, {
      updatedAt: deps.history.updatedAtMs,
      cycleOk: snap.ok,
      intervalSeconds: deps.intervalMs / 1000,
      historySeconds: HISTORY_WINDOW_MS / 1000,
      telemetryPath: deps.telemetryPath,
      gatherSmaps: snap.gatherSmaps,
      processRows: deps.exposeCmdlines,
      host: hostTotals,
      queries: FIGURE_QUERIES,
      groups: rows.map((g) => {
        const spark = deps.history.series(g.name, ['cpuUser', 'cpuSystem']);
        const n = spark === null ? 0 : Math.min(SPARK_POINTS, spark.t.length);
        const from = spark === null ? 0 : spark.t.length - n;
        return {
          name: g.name,
          cpuPercent: pct(g.cpuUser + g.cpuSystem),
          cpuUserPercent: pct(g.cpuUser),
          cpuSystemPercent: pct(g.cpuSystem),
          residentBytes: g.resident,
          proportionalResidentBytes: snap.gatherSmaps ? g.proportionalResident : null,
          swappedBytes: g.swapped,
          readBytesPerSecond: g.readBps,
          writeBytesPerSecond: g.writeBps,
          openFds: g.openFds,
          worstFdRatio: g.worstFdRatio,
          threads: g.numThreads,
          procs: g.numProcs,
          oldestStartTime: g.numProcs === 0 || g.oldestStartTime === GO_ZERO_TIME_UNIX ? null : g.oldestStartTime,
          spark: spark === null ? [] : spark.values.cpuUser.slice(from).map((u, i) => pct(u + spark.values.cpuSystem[from + i])),
        };
      }),
    });
  };

  const HISTORY_FIELDS: Record<string, Field> = {
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
    return json(200, out);
  };

  const processes = async (req: RouteRequest): Promise<RouteResponse> => {
    if (processRows === null) return text(404, 'per-process rows are off; start the exporter with -web.page-expose-cmdlines to show them\n');
    const group = groupParam(req);
    if (group === null) return text(400, 'missing ?group=\n');
    await deps.collector.collectFresh(deps.intervalMs);
    const latest = deps.collector.latest;
    const { rows, total } = await processRows.rows(group, deps.collector.tracker.membersOf(group), latest?.endedAtMs ?? 0);
    return json(200, { group, total, processes: rows });
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
