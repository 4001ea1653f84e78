// The page's routes and JSON on a fixed history, and the built exporter's page under basic auth.
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as bcrypt from 'bcryptjs';
import { createPageRoutes, type PageDeps } from '../src/page/routes';
import { HistoryStore } from '../src/history/store';
import { memoryLogger } from './memory-logger';
import type { CycleSnapshot, GroupSnapshot } from '../src/expose/snapshot';
import type { TrackedProcessView } from '../src/track/tracker';
import { NO_CGROUP_IDENTITY } from '../src/proc/parse/cgroup-identity';
import type { Route, RouteResponse } from '../src/server';
import { FakeProcfs } from './fakeproc';
import { startExporter, OUR_MAIN, type RunningExporter } from './procs';

function group(name: string, over: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    name, numProcs: 1, cpuUser: 0, cpuSystem: 0, readBytes: 0, writeBytes: 0, majorPageFaults: 0, minorPageFaults: 0, ctxVoluntary: 0, ctxNonvoluntary: 0,
    resident: 1000, virtual: 0, swapped: 0, proportionalResident: 400, proportionalSwapped: 0, openFds: 3, worstFdRatio: 0.25, oldestStartTime: 1_700_000_000,
    numThreads: 2, states: { running: 0, sleeping: 1, waiting: 0, zombie: 0, other: 0 }, wchans: new Map(), threads: [], ...over,
  };
}

const snap = (groups: GroupSnapshot[]): CycleSnapshot => ({ ok: true, groups, scrapeErrors: 0, procReadErrors: 0, partialErrors: 0, gatherSmaps: true });

/** Routes over a history we fill by hand; collectFresh counts its calls and their maxAge. */
const inBusy = { group: 'busy', cgroup: NO_CGROUP_IDENTITY };

async function fixture(opts: Partial<PageDeps> = {}, members: TrackedProcessView[] = []) {
  const fs = await FakeProcfs.create();
  writeFileSync(join(fs.root, 'meminfo'), 'MemTotal: 1000 kB\nMemAvailable: 250 kB\n');
  const history = new HistoryStore();
  history.record(snap([group('idle'), group('busy', { cpuUser: 100, cpuSystem: 10 })]), 1_000_000);
  history.record(snap([group('idle', { readBytes: 3000 }), group('busy', { cpuUser: 103, cpuSystem: 10.6, resident: 5000, writeBytes: 600 })]), 1_003_000);
  const fresh: number[] = [];
  const last = snap([]);
  const log = memoryLogger();
  const routes = createPageRoutes({
    collector: {
      collectFresh: async (maxAgeMs: number) => (fresh.push(maxAgeMs), last),
      latest: { snap: last, endedAtMs: 1_003_000 },
      tracker: { membersOf: function* (g: string) { if (g === 'busy') yield* members; }, trackedProcesses: () => members.values() } as never,
    },
    history, log, procfs: fs.root, telemetryPath: '/metrics', intervalMs: 2000, exposeCmdlines: false,
    username: (uid) => (uid === 0 ? 'root' : String(uid)),
    ...opts,
  });
  const get = async (path: string, query = ''): Promise<RouteResponse> => {
    const r = routes.find((x: Route) => (x.prefix ? path.startsWith(x.path) : path === x.path));
    assert.ok(r, `no route for ${path}`);
    return r.handle({ method: 'GET', pathname: path, query, headers: {} });
  };
  return { fs, get, fresh, log };
}

describe('the page routes', () => {
  test('api/groups: rows sorted by CPU with rates over the cycles, host totals, one fresh cycle per interval', async () => {
    const { fs, get, fresh } = await fixture();
    const res = await get('/api/groups');
    assert.equal(res.status, 200);
    assert.equal(res.contentType, 'application/json; charset=utf-8');
    const body = JSON.parse(String(res.body));
    assert.deepEqual(fresh, [2000], 'the page asks for a snapshot no older than its interval');
    assert.deepEqual(body.groups.map((g: { name: string }) => g.name), ['busy', 'idle']);
    const busy = body.groups[0];
    assert.equal(busy.cpuPercent, 120);
    assert.equal(busy.cpuUserPercent, 100);
    assert.ok(Math.abs(busy.cpuSystemPercent - 20) < 1e-9);
    assert.equal(busy.residentBytes, 5000);
    assert.equal(busy.proportionalResidentBytes, 400);
    assert.equal(busy.writeBytesPerSecond, 200);
    assert.equal(busy.worstFdRatio, 0.25);
    assert.equal(busy.threads, 2);
    assert.equal(busy.oldestStartTime, 1_700_000_000);
    assert.equal(busy.spark.length, 1);
    assert.ok(Math.abs(busy.spark[0] - 120) < 1e-9);
    assert.equal(body.groups[1].readBytesPerSecond, 1000);
    assert.deepEqual({ ...body.host, cpuBusyPercent: null }, { cpuBusyPercent: null, cores: 2, memoryUsedBytes: 750 * 1024, memoryTotalBytes: 1000 * 1024 });
    assert.equal(body.intervalSeconds, 2);
    assert.equal(body.cmdlines, false);
    assert.equal(body.view, 'group');
    assert.deepEqual([body.liveRows, body.totalRows], [2, 2]);
    await fs.remove();
  });

  test('api/history: the window of one group; 400 without a group, 404 for an unknown one', async () => {
    const { fs, get } = await fixture();
    const res = await get('/api/history', '?group=busy');
    const h = JSON.parse(String(res.body));
    assert.deepEqual(h.t, [1_003_000]);
    assert.deepEqual(h.residentBytes, [5000]);
    assert.equal((await get('/api/history')).status, 400);
    const missing = await get('/api/history', '?group=nope');
    assert.deepEqual([missing.status, missing.body], [404, 'no history for group "nope"\n']);
    await fs.remove();
  });

  test('api/processes lists a group\'s pids without -web.page-expose-cmdlines, and no command line', async () => {
    const fs0 = await FakeProcfs.create();
    await fs0.set([{ pid: 42, comm: 'busy', cmdline: ['busy', '--token=x'], uid: 0 }]);
    const { fs, get } = await fixture({ procfs: fs0.root }, [{ pid: 42, startTimeMs: 1_700_000_000_000, comm: 'busy', cpuSeconds: 5, ...inBusy, uid: 0, residentBytes: 40960 }]);
    const res = await get('/api/processes', '?group=busy');
    assert.equal(res.status, 200);
    const body = JSON.parse(String(res.body));
    assert.deepEqual(body, {
      view: 'group', group: 'busy', total: 1, cmdlines: false,
      processes: [{ pid: 42, comm: 'busy', user: 'root', group: 'busy', service: '', containerId: '', podUid: '', cpuPercent: null, residentBytes: 40960, proportionalResidentBytes: null, readBytesPerSecond: null, writeBytesPerSecond: null, startTime: 1_700_000_000 }],
    });
    assert.doesNotMatch(String(res.body), /token/);
    await fs.remove();
    await fs0.remove();
  });

  test('api/processes with the flag: the command lines too', async () => {
    const fs0 = await FakeProcfs.create();
    await fs0.set([{ pid: 42, comm: 'busy', cmdline: ['busy', '--token=x'], uid: 0 }]);
    const { fs, get } = await fixture({ exposeCmdlines: true, procfs: fs0.root }, [{ pid: 42, startTimeMs: 1_700_000_000_000, comm: 'busy', cpuSeconds: 5, ...inBusy, uid: 0 }, { pid: 43, startTimeMs: 0, comm: 'gone', cpuSeconds: 1, ...inBusy }]);
    const body = JSON.parse(String((await get('/api/processes', '?group=busy')).body));
    assert.equal(body.cmdlines, true);
    assert.deepEqual(body.processes.map((p: { pid: number; user: string; cmdline: string }) => [p.pid, p.user, p.cmdline]), [[42, 'root', 'busy --token=x'], [43, '', '']], 'a process gone since the cycle has no command line');
    await fs.remove();
    await fs0.remove();
  });

  test('an unknown view is a 400 naming the views', async () => {
    const { fs, get } = await fixture();
    for (const path of ['/api/groups', '/api/processes']) {
      const res = await get(path, '?view=pods&group=busy');
      assert.deepEqual([res.status, res.body], [400, 'unknown view "pods": one of group, service, container\n']);
    }
    await fs.remove();
  });

  test('/ and the assets carry a strict CSP; unknown assets are 404', async () => {
    const { fs, get } = await fixture();
    const page = await get('/');
    assert.equal(page.status, 200);
    assert.equal(page.contentType, 'text/html; charset=utf-8');
    assert.equal(page.headers?.['Content-Security-Policy'], "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    assert.doesNotMatch(String(page.body), /<script>|<style|style=|\son\w+=|https?:\/\//, 'no inline code, styles or other origins');
    assert.equal((await get('/ui/uPlot.iife.min.js')).status, 200);
    assert.equal((await get('/ui/page.css')).contentType, 'text/css; charset=utf-8');
    assert.equal((await get('/ui/../package.json')).status, 404);
    await fs.remove();
  });

  test('missing assets: / answers 500 naming them, and the start-up log says so', async () => {
    const { fs, get, log } = await fixture({ assetDir: '/nonexistent-ui' });
    const res = await get('/');
    assert.equal(res.status, 500);
    assert.match(String(res.body), /^the page's files index\.html, .* are missing from \/nonexistent-ui/);
    assert.ok(log.lines.some((l) => l.includes('The page at / is unavailable')));
    await fs.remove();
  });
});

describe('the built exporter\'s page', () => {
  const exporters: RunningExporter[] = [];
  after(async () => {
    for (const e of exporters) await e.stop('SIGKILL');
  });

  test('with basic auth, the page, its assets and its data answer 401 without credentials and 200 with them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-page-auth-'));
    const cfg = join(dir, 'web.yml');
    writeFileSync(cfg, `basic_auth_users:\n  alice: ${bcrypt.hashSync('secret', 4)}\n`);
    // the exporter's own comm: "node", or "MainThread" on Node 24, which names its main thread
    const comm = readFileSync('/proc/self/comm', 'utf8').trim();
    const e = await startExporter(OUR_MAIN, ['-procnames', comm, '-web.config.file', cfg, '-web.page-expose-cmdlines']);
    exporters.push(e);
    const good = { authorization: 'Basic ' + Buffer.from('alice:secret').toString('base64') };
    const bad = { authorization: 'Basic ' + Buffer.from('alice:wrong').toString('base64') };
    for (const path of ['/', '/ui/page.js', '/api/groups', `/api/history?group=${comm}`, `/api/processes?group=${comm}`, '/metrics']) {
      const none = await e.scrape(path);
      assert.equal(none.status, 401, `${path} without credentials`);
      assert.equal(none.headers['www-authenticate'], 'Basic');
      assert.equal((await e.scrape(path, bad)).status, 401, `${path} with a wrong password`);
    }
    const page = await e.scrape('/', good);
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>Processes · namedprocess-exporter<\/title>/);
    const data = await e.scrape('/api/groups', good);
    assert.equal(data.status, 200);
    assert.deepEqual(JSON.parse(data.body).groups.map((g: { name: string }) => g.name), [comm]);
    const procs = JSON.parse((await e.scrape(`/api/processes?group=${comm}`, good)).body);
    assert.ok(procs.processes.some((p: { pid: number }) => p.pid === e.child.pid), 'the exporter itself is a node process');
  });
});
