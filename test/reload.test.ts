// Config reload through the collector on a fake tree with a fixed clock: exact counters across a reload.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, AFTER_START_TICKS } from './harness';
import { ConfigReloader } from '../src/ops/reload';
import type { FakeProc } from './fakeproc';

const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

const cpu = (m: Map<string, string>, g: string) => m.get(`namedprocess_namegroup_cpu_seconds_total{groupname="${g}",mode="user"}`);
const procs = (m: Map<string, string>, g: string) => m.get(`namedprocess_namegroup_num_procs{groupname="${g}"}`);

async function setup(yaml: string, tree: FakeProc[]) {
  const cfg = join(mkdtempSync(join(tmpdir(), 'npe-reload-unit-')), 'c.yml');
  writeFileSync(cfg, yaml);
  const h = await Harness.start(tree, { configPath: cfg });
  cleanups.push(() => h.close());
  return { h, cfg, reloader: new ConfigReloader(h.collector, h.options, [], h.log) };
}

describe('reload on a fake tree', () => {
  test('a process moves to the group its new rule names, carrying exactly its own delta', async () => {
    const { h, cfg, reloader } = await setup('process_names:\n  - comm: [a, b]\n    name: AB\n', [
      { pid: 1, comm: 'a', utime: 100 },
      { pid: 2, comm: 'b', utime: 100 },
    ]);
    await h.set([{ pid: 1, comm: 'a', utime: 200 }, { pid: 2, comm: 'b', utime: 300 }]);
    let m = await h.samples();
    assert.equal(cpu(m, 'AB'), '3');
    writeFileSync(cfg, 'process_names:\n  - comm: [a]\n    name: AB\n  - comm: [b]\n    name: B\n');
    assert.deepEqual(await reloader.reload('test'), { ok: true });
    await h.set([{ pid: 1, comm: 'a', utime: 250 }, { pid: 2, comm: 'b', utime: 400 }]);
    m = await h.samples();
    assert.equal(cpu(m, 'AB'), '3.5', 'AB keeps 3 and adds a\'s 0.5');
    assert.equal(cpu(m, 'B'), '1', 'B gets b\'s 1 s since the last cycle');
    assert.equal(procs(m, 'AB'), '1');
    assert.equal(procs(m, 'B'), '1');
  });

  test('a process born after start that ran unmatched joins from the reload; one born since the last cycle from birth', async () => {
    // pid 1 is not in the tree: nobody adopts late
    const { h, cfg, reloader } = await setup('process_names:\n  - comm: [a]\n    name: A\n', [
      { pid: 10, comm: 'a' },
      { pid: 5, comm: 'late', starttime: AFTER_START_TICKS + 100, utime: 700 },
    ]);
    await h.samples();
    writeFileSync(cfg, 'process_names:\n  - comm: [a]\n    name: A\n  - comm: [late, newer]\n    name: L\n');
    await reloader.reload('test');
    // born well after the last cycle (the harness clock moves 15 s per scrape; 100 ticks = 1 s)
    const newer: FakeProc = { pid: 6, comm: 'newer', starttime: AFTER_START_TICKS + 2000, utime: 50 };
    await h.set([{ pid: 10, comm: 'a' }, { pid: 5, comm: 'late', starttime: AFTER_START_TICKS + 100, utime: 900 }, newer]);
    const m = await h.samples();
    assert.equal(cpu(m, 'A'), '0');
    assert.equal(procs(m, 'L'), '2');
    assert.equal(cpu(m, 'L'), '0.5', 'late counts from the reload (0), newer from its birth (0.5)');
  });

  test('a broken file changes nothing and says where', async () => {
    const { h, cfg, reloader } = await setup('process_names:\n  - comm: [a]\n    name: A\n', [{ pid: 1, comm: 'a' }]);
    writeFileSync(cfg, 'process_names:\n  - comm: [a]\n    name: "{{.Nope}}"\n');
    const r = await reloader.reload('test');
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, new RegExp(`^error reading config file ".*": .*c\\.yml:3:11: process_names\\[0\\] \\(name "\\{\\{\\.Nope\\}\\}"\\): bad name template`));
    assert.equal(procs(await h.samples(), 'A'), '1');
    assert.ok(h.log.lines.some((l) => l.startsWith('Error reloading the config file, the last good one stays in force trigger=test')), h.log.lines.join('\n'));
  });

  test("a setting a reload cannot change is kept and named; the file's other settings apply", async () => {
    const { h, cfg, reloader } = await setup('process_names:\n  - comm: [a]\n    name: A\n', [{ pid: 1, comm: 'a' }]);
    const procfs = h.collector.options.procfs;
    writeFileSync(cfg, 'procfs_path: /elsewhere\ntrack_threads: false\ngather_smaps: false\nprocess_names:\n  - comm: [a]\n    name: A\n');
    assert.deepEqual(await reloader.reload('test'), { ok: true });
    await h.samples();
    const o = h.collector.options;
    assert.deepEqual([o.procfs, o.threads, o.gatherSmaps], [procfs, false, false]);
    assert.ok(
      h.log.lines.includes(`procfs_path changed: a restart is needed to apply it; the rest of the config is applied file=${cfg} procfs=${procfs} new_procfs=/elsewhere`),
      h.log.lines.join('\n'),
    );
  });

  test('concurrent reloads: one runs, the others share the next', async () => {
    const { reloader, h } = await setup('process_names:\n  - comm: [a]\n', [{ pid: 1, comm: 'a' }]);
    const results = await Promise.all([reloader.reload('x'), reloader.reload('y'), reloader.reload('z')]);
    assert.deepEqual(results, [{ ok: true }, { ok: true }, { ok: true }]);
    assert.equal(h.log.lines.filter((l) => l.startsWith('Completed loading of configuration file')).length, 2);
  });
});

describe('reload and a failing reader', () => {
  test('a re-matching cycle whose reader fails keeps the baselines: the next cycle re-matches exactly', async () => {
    const { FakeProcfs } = await import('./fakeproc');
    const { createTsScanner } = await import('../src/proc/ts-reader');
    const { ProcessCollector, resolveConfig } = await import('../src/collector/collector');
    const { defaultOptions } = await import('../src/settings/registry');
    const { memoryLogger } = await import('./memory-logger');
    const fs = await FakeProcfs.create();
    cleanups.push(() => fs.remove());
    await fs.set([{ pid: 5, comm: 'app', starttime: 10, utime: 100 }]);
    const log = memoryLogger();
    const inner = createTsScanner({ procfs: fs.root });
    let failNext = false;
    const scanner = {
      kind: inner.kind,
      bootTime: () => inner.bootTime(),
      listProcs: () => inner.listProcs(),
      readDetails: async (req: Parameters<typeof inner.readDetails>[0]) => {
        if (failNext) {
          failNext = false;
          throw new Error('worker exited');
        }
        return inner.readDetails(req);
      },
      close: () => inner.close(),
    };
    const options = { ...defaultOptions, procnames: ['app'] };
    const first = await resolveConfig(options, log);
    const collector = await ProcessCollector.create(first.options, { log, scanner, namer: first.namer, pageSize: 4096 });
    cleanups.push(async () => collector.close());
    await collector.prime();
    collector.reconfigure(await resolveConfig({ ...options, procnames: ['app', 'other'] }, log));
    await fs.set([{ pid: 5, comm: 'app', starttime: 10, utime: 300 }]);
    failNext = true;
    assert.equal((await collector.collect()).ok, false);
    const snap = await collector.collect();
    assert.equal(snap.groups.find((g) => g.name === 'app')?.cpuUser, 2);
  });
});
