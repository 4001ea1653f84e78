// Conformance: the reference exporter (Debian's prometheus-process-exporter) and ours read the same
// fake procfs trees through the same states; every namedprocess_* sample must agree, except where
// docs/behaviour.md#differences-from-the-reference says we differ, and there we assert our documented value.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { haveReference, startExporter, namedprocessSamples, REFERENCE_BIN, OUR_MAIN, type RunningExporter } from './procs';

const SKIP = haveReference() ? false : `the reference exporter is not installed (${REFERENCE_BIN}; apt-get install prometheus-process-exporter)`;

const CONFIG = `process_names:
  - comm: [kworker/0:1]
    name: "kernel:{{.ExeBase}}"
  - cmdline: ['--service=(?P<Svc>\\w+)']
    name: "{{.Comm}}:{{.Matches.Svc}}"
  - comm: [app, java, exiting, late, nolimit]
    name: "{{.Comm}}"
  - exe: [/usr/sbin/sshd]
    name: "ssh-{{.Username}}"
  - comm: [cg]
    name: "{{index .Cgroups 0}}"
`;

/** Wall-clock ticks since the tree's boot: processes with later starttimes are born after start. */
function ticksNow(btime: number): number {
  return Math.ceil((Date.now() / 1000 - btime) * 100) + 200;
}

function stateA(): FakeProc[] {
  return [
    { pid: 100, comm: 'app', starttime: 1000, utime: 50, stime: 20, minflt: 100, majflt: 5, readBytes: 1000, writeBytes: 2000, ctxVol: 7, ctxNonvol: 3, rss: 10, vsize: 40960, fdCount: 4, fdSoftLimit: 400, vmSwapKb: 10, pssKb: 8, swapPssKb: 2, wchan: 'do_select' },
    { pid: 101, comm: 'app', starttime: 1100, utime: 5, stime: 2, readBytes: 10, writeBytes: 20, ctxVol: 1, ctxNonvol: 1, fdCount: 10, fdSoftLimit: 20, state: 'R' },
    { pid: 102, comm: 'helper', ppid: 100, starttime: 1200, utime: 1, cmdline: ['helper', '-x'], state: 'D' },
    { pid: 110, comm: 'python3', starttime: 1300, cmdline: ['python3', 'srv.py', '--service=billing'], utime: 9, readBytes: 77 },
    {
      pid: 120, comm: 'java', starttime: 1400, utime: 300, stime: 100, ctxVol: 5, ctxNonvol: 5, fdCount: 50, fdSoftLimit: 'unlimited',
      threads: [
        { tid: 120, comm: 'java', state: 'S', utime: 100, stime: 50, ctxVol: 10, ctxNonvol: 1, readBytes: 5, writeBytes: 1, wchan: 'futex_wait_queue' },
        { tid: 121, comm: 'GC Thread#0', state: 'R', utime: 150, stime: 40, ctxVol: 20, ctxNonvol: 2, minflt: 3, majflt: 1 },
        { tid: 122, comm: 'GC Thread#0', state: 'S', utime: 50, stime: 10, ctxVol: 30, ctxNonvol: 3, wchan: 'futex_wait_queue' },
      ],
    },
    { pid: 130, comm: 'exiting', starttime: 1500, utime: 10, readBytes: 500 },
    { pid: 140, comm: 'sshd', starttime: 1600, uid: 0, cmdline: ['/usr/sbin/sshd', '-D'] },
    { pid: 150, comm: 'kworker/0:1', starttime: 10, cmdline: [], ppid: 2 },
    { pid: 160, comm: 'nolimit', starttime: 1700, fdCount: 0, fdSoftLimit: 0 },
    { pid: 170, comm: 'cg', starttime: 1800, cgroup: '0::/system.slice/cg.service\n' },
    { pid: 180, comm: 'unmatched', starttime: 1900 },
    { pid: 190, comm: 'app', starttime: 2000, omit: ['io'] },
  ];
}

function stateB(btime: number): FakeProc[] {
  const a = stateA();
  const byPid = new Map(a.map((p) => [p.pid, p]));
  const bump = (pid: number, patch: Partial<FakeProc>) => byPid.set(pid, { ...byPid.get(pid)!, ...patch });
  bump(100, { utime: 70, stime: 25, minflt: 150, majflt: 6, readBytes: 1500, writeBytes: 2100, ctxVol: 10, ctxNonvol: 4, rss: 20, fdCount: 100, vmSwapKb: 20, pssKb: 16 });
  bump(101, { utime: 6, readBytes: 11, fdCount: 20 });
  bump(102, { utime: 11, readBytes: 1 });
  bump(110, { utime: 12, readBytes: 100 });
  bump(120, {
    utime: 400, stime: 120,
    threads: [
      { tid: 120, comm: 'java', state: 'S', utime: 110, stime: 55, ctxVol: 12, ctxNonvol: 1, readBytes: 6, writeBytes: 1, wchan: 'futex_wait_queue' },
      { tid: 121, comm: 'GC Thread#0', state: 'S', utime: 170, stime: 41, ctxVol: 25, ctxNonvol: 4, minflt: 5, majflt: 1 },
      { tid: 122, comm: 'GC Thread#0', state: 'R', utime: 60, stime: 12, ctxVol: 31, ctxNonvol: 3 },
    ],
  });
  byPid.delete(130);
  const born = ticksNow(btime);
  byPid.set(200, { pid: 200, comm: 'late', starttime: born, utime: 40, stime: 4, minflt: 9, majflt: 2, readBytes: 4096, writeBytes: 8, ctxVol: 6, ctxNonvol: 2 });
  byPid.set(201, { pid: 201, comm: 'child', ppid: 200, starttime: born + 1, utime: 3, readBytes: 1 });
  return [...byPid.values()];
}

function compare(ref: Map<string, number>, ours: Map<string, number>, multiThreadedGroups: string[], context: string): void {
  const differs = (k: string) => multiThreadedGroups.some((g) => k.includes(`groupname="${g}"`)) && (k.startsWith('namedprocess_namegroup_states{') || k.startsWith('namedprocess_namegroup_threads_wchan{'));
  for (const [k, v] of ref) {
    if (differs(k)) continue;
    assert.ok(ours.has(k), `${context}: we lack ${k} (reference: ${v})`);
    const o = ours.get(k)!;
    // float sums in the reference come in random map order (docs/behaviour.md differences #17): a relative tolerance
    if (k.includes('cpu_seconds')) assert.ok(Math.abs(o - v) <= 1e-9 * Math.max(1, Math.abs(v)), `${context}: ${k}: ours ${o}, reference ${v}`);
    else assert.equal(o, v, `${context}: ${k}: ours ${o}, reference ${v}`);
  }
  for (const k of ours.keys()) {
    if (differs(k)) continue;
    assert.ok(ref.has(k), `${context}: we have ${k} which the reference does not`);
  }
  // where we differ on purpose: every thread counted once (docs/behaviour.md differences #3)
  for (const g of multiThreadedGroups) {
    const states = [...ours].filter(([k]) => k.startsWith(`namedprocess_namegroup_states{groupname="${g}"`)).reduce((a, [, v]) => a + v, 0);
    assert.equal(states, ours.get(`namedprocess_namegroup_num_threads{groupname="${g}"}`), `${context}: states of ${g} add up to its threads`);
  }
}

describe('conformance with the reference exporter', { skip: SKIP }, () => {
  let fs: FakeProcfs;
  let cfg: string;
  const running: RunningExporter[] = [];
  before(async () => {
    const btime = Math.floor(Date.now() / 1000) - 1000;
    fs = await FakeProcfs.create({ btime });
    cfg = join(mkdtempSync(join(tmpdir(), 'npe-conf-')), 'config.yaml');
    writeFileSync(cfg, CONFIG);
  });
  after(async () => {
    for (const r of running) await r.stop('SIGKILL');
    await fs?.remove();
  });

  async function both(args: string[]): Promise<[RunningExporter, RunningExporter]> {
    const ref = await startExporter(REFERENCE_BIN, args);
    running.push(ref);
    const ours = await startExporter(OUR_MAIN, args, { NAMEDPROCESS_READER: process.env.NAMEDPROCESS_READER ?? '' });
    running.push(ours);
    return [ref, ours];
  }

  test('config file: groups, templates, children, threads, exits, births, errors', async () => {
    await fs.set(stateA());
    const [ref, ours] = await both(['-procfs', fs.root, '-config.path', cfg]);
    for (const [step, make] of [['first scrape', () => stateA()], ['after changes', () => stateB(fs.btime)]] as const) {
      await fs.set(make());
      const r = namedprocessSamples((await ref.scrape()).body);
      const o = namedprocessSamples((await ours.scrape()).body);
      assert.ok(r.size > 50, `the reference produced samples: ${r.size}`);
      compare(r, o, ['java'], step);
    }
    await ref.stop();
    await ours.stop();
  });

  test('-procnames and -namemapping, -threads=false, -gather-smaps=false', async () => {
    await fs.set(stateA());
    const args = ['-procfs', fs.root, '-procnames', 'app,java,helper', '-namemapping', 'python3,--service=(\\w+)', '-threads=false', '-gather-smaps=false'];
    const [ref, ours] = await both(args);
    for (const [step, make] of [['first scrape', () => stateA()], ['after changes', () => stateB(fs.btime)]] as const) {
      await fs.set(make());
      const r = namedprocessSamples((await ref.scrape()).body);
      const body = (await ours.scrape()).body;
      compare(r, namedprocessSamples(body), ['java'], step);
      assert.ok(!body.includes('proportionalResident'));
    }
  });
});
