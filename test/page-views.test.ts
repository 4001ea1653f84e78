// The page's views by service and by container, a row's processes, per-process rates and honest
// unknowns, on a fake /proc read by the real collector (its clock stepped by hand, so rates are exact).
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { createTsScanner } from '../src/proc/ts-reader';
import { buildNamer, ProcessCollector } from '../src/collector/collector';
import { defaultOptions } from '../src/settings/registry';
import { HistoryStore } from '../src/history/store';
import { createPageRoutes } from '../src/page/routes';
import { ProcessRates } from '../src/page/rates';
import { NO_CGROUP_IDENTITY } from '../src/proc/parse/cgroup-identity';
import type { GroupsJson, ProcessesJson } from '../src/page/api';
import type { Route } from '../src/server';
import { memoryLogger } from './memory-logger';

const UNIT = '/system.slice/web.service';
const CID = 'a'.repeat(64);
const POD = '0f1e2d3c-1111-2222-3333-444455556666';
const POD_PATH = `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${POD.replace(/-/g, '_')}.slice/cri-containerd-${CID}.scope`;

const fss: FakeProcfs[] = [];
after(async () => {
  for (const f of fss) await f.remove();
});

/** web (two processes in web.service, one unreadable for io and smaps), and job in a pod's container. */
function tree(step: number): FakeProc[] {
  return [
    { pid: 10, comm: 'web', starttime: 100, utime: 100 + 150 * step, readBytes: 4096 * step, writeBytes: 0, pssKb: 100, cgroup: `0::${UNIT}\n`, rss: 10 },
    { pid: 11, comm: 'web', starttime: 100, utime: 50, writeBytes: 8192 * step, cgroup: `0::${UNIT}\n`, rss: 20, omit: ['io', 'smaps_rollup', 'smaps'] },
    { pid: 20, comm: 'job', starttime: 100, stime: 10 + 30 * step, cgroup: `0::${POD_PATH}\n`, rss: 5, omit: ['io', 'smaps_rollup', 'smaps'] },
  ];
}

async function setup() {
  const fs = await FakeProcfs.create();
  fss.push(fs);
  await fs.set(tree(0));
  const options = { ...defaultOptions, procnames: ['web', 'job'] };
  const log = memoryLogger();
  const collector = await ProcessCollector.create(options, { log, scanner: createTsScanner({ procfs: fs.root }), namer: await buildNamer(options, log), pageSize: 4096 });
  await collector.prime();
  const history = new HistoryStore();
  let clock = 1_000_000;
  let last = { snap: collector.latest!.snap, endedAtMs: clock };
  // the routes see a collector whose cycles are 1.5 s apart on a clock we step
  const facade = {
    tracker: collector.tracker,
    get latest() {
      return last;
    },
    collectFresh: async () => {
      clock += 1500;
      const snap = await collector.collect();
      last = { snap, endedAtMs: clock };
      history.record(snap, clock);
      return snap;
    },
  };
  const routes = createPageRoutes({
    collector: facade as never, history, log, procfs: fs.root, telemetryPath: '/metrics', intervalMs: 1000, exposeCmdlines: false,
    username: (uid) => (uid === 1000 ? 'alice' : String(uid)),
  });
  const get = async <T>(path: string, query = ''): Promise<T> => {
    const r = routes.find((x: Route) => path === x.path)!;
    const res = await r.handle({ method: 'GET', pathname: path, query, headers: {} });
    assert.equal(res.status, 200, String(res.body));
    return JSON.parse(String(res.body)) as T;
  };
  return { fs, get };
}

describe('the page by group, service and container', () => {
  test('a figure no process of a group could read is null, a partly unreadable group says how many', async () => {
    const { fs, get } = await setup();
    await get<GroupsJson>('/api/groups');
    await fs.set(tree(1));
    const body = await get<GroupsJson>('/api/groups');
    const web = body.groups.find((g) => g.name === 'web')!;
    const job = body.groups.find((g) => g.name === 'job')!;
    // web: pid 10's io reads 4096 B more over 1.5 s; pid 11's io is unreadable (its writes are not seen)
    assert.deepEqual([web.readBytesPerSecond, web.writeBytesPerSecond, web.ioUnreadableProcs, web.procs], [4096 / 1.5, 0, 1, 2]);
    assert.deepEqual([web.proportionalResidentBytes, web.proportionalUnreadableProcs], [100 * 1024, 1]);
    // job: its only process is unreadable: unknown, not 0
    assert.deepEqual([job.readBytesPerSecond, job.writeBytesPerSecond, job.proportionalResidentBytes, job.ioUnreadableProcs], [null, null, null, 1]);
    assert.equal(Math.round(job.cpuPercent! * 1e6) / 1e6, 20, '30 ticks of system time in 1.5 s');
    const h = await get<{ writeBytesPerSecond: (number | null)[] }>('/api/history', '?group=job');
    assert.ok(h.writeBytesPerSecond.length > 0 && h.writeBytesPerSecond.every((v) => v === null), JSON.stringify(h));
  });

  test('?view=service and ?view=container name the unit and the container, with the groups in them', async () => {
    const { fs, get } = await setup();
    const first = await get<GroupsJson>('/api/groups', '?view=service');
    assert.ok(first.groups.every((r) => r.cpuPercent === null && r.readBytesPerSecond === null), 'no rate before two readings');
    await fs.set(tree(1));
    const svc = await get<GroupsJson>('/api/groups', '?view=service');
    assert.equal(svc.view, 'service');
    const web = svc.groups.find((r) => r.name === 'web.service')!;
    assert.deepEqual({ procs: web.procs, cpu: web.cpuPercent, groups: web.groups, rss: web.residentBytes, read: web.readBytesPerSecond, ioUnreadable: web.ioUnreadableProcs }, { procs: 2, cpu: 100, groups: ['web'], rss: 30 * 4096, read: 4096 / 1.5, ioUnreadable: 1 });
    const scope = svc.groups.find((r) => r.name === `cri-containerd-${CID}.scope`)!;
    assert.deepEqual([scope.procs, scope.groups, scope.readBytesPerSecond], [1, ['job'], null]);
    const ctr = await get<GroupsJson>('/api/groups', '?view=container');
    assert.deepEqual(ctr.groups.map((r) => [r.name, r.podUid ?? '', r.procs]).sort(), [['', '', 2], [CID, POD, 1]]);
    assert.deepEqual([ctr.liveRows, ctr.totalRows], [2, 2]);
  });

  test("a row's processes, in any view, without -web.page-expose-cmdlines", async () => {
    const { fs, get } = await setup();
    await get<ProcessesJson>('/api/processes', '?view=service&group=web.service');
    await fs.set(tree(1));
    const p = await get<ProcessesJson>('/api/processes', '?view=service&group=web.service');
    assert.deepEqual(
      p.processes.map((r) => [r.pid, r.comm, r.user, r.group, r.service, r.cpuPercent, r.readBytesPerSecond, r.writeBytesPerSecond, 'cmdline' in r]),
      [[10, 'web', 'alice', 'web', 'web.service', 100, 4096 / 1.5, 0, false], [11, 'web', 'alice', 'web', 'web.service', 0, null, null, false]],
    );
    const c = await get<ProcessesJson>('/api/processes', `?view=container&group=${CID}`);
    assert.deepEqual(c.processes.map((r) => [r.pid, r.containerId, r.podUid]), [[20, CID, POD]]);
    assert.equal((await get<ProcessesJson>('/api/processes', '?group=job')).total, 1);
  });
});

describe('per-process rates', () => {
  test('taken between the last two readings a second or more apart; the same cycle again gives the same', () => {
    const rates = new ProcessRates();
    const at = (cpu: number, read: number) => [{ pid: 7, startTimeMs: 5, comm: 'w', group: 'w', cgroup: NO_CGROUP_IDENTITY, cpuSeconds: cpu, cpuUserSeconds: cpu, cpuSystemSeconds: 0, readBytes: read, writeBytes: NaN }];
    const cpu = (c: number, r: number, t: number) => rates.of(at(c, r), t)[0];
    assert.deepEqual(cpu(10, 0, 1000), { cpuUserPercent: null, cpuSystemPercent: null, readBytesPerSecond: null, writeBytesPerSecond: null });
    assert.deepEqual(cpu(12, 2000, 3000), { cpuUserPercent: 100, cpuSystemPercent: 0, readBytesPerSecond: 1000, writeBytesPerSecond: null });
    assert.equal(cpu(12, 2000, 3000).cpuUserPercent, 100, 'the same cycle again');
    assert.equal(cpu(12.5, 2000, 4000).cpuUserPercent, 50);
  });
});
