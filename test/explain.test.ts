// The debug log's explanation of each new process (match, miss, adoption), its per-cycle bound, and
// -report-configured-groups, on fake procfs trees.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { Harness, BTIME, parseSamples } from './harness';
import { defaultOptions, type Options } from '../src/settings/registry';
import { resolveConfig, ProcessCollector } from '../src/collector/collector';
import { memoryLogger } from './memory-logger';
import { createTsScanner } from '../src/proc/ts-reader';
import { MatchExplainer } from '../src/track/explain';
import { buildDefaultNamer } from '../src/config/matcher';
import { renderGroupFamilies } from '../src/expose/text';

const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function debugCollector(procs: FakeProc[], opts: Partial<Options>) {
  const fs = await FakeProcfs.create({ btime: BTIME });
  await fs.set(procs);
  const log = memoryLogger({ debug: true });
  const given = { ...defaultOptions, ...opts };
  const { namer, options } = await resolveConfig(given, log);
  const collector = await ProcessCollector.create(options, { log, scanner: createTsScanner({ procfs: fs.root }), namer, pageSize: 4096, version: 'test' });
  cleanups.push(() => collector.close(), () => fs.remove());
  return { fs, log, collector };
}

const explained = (lines: string[]) => lines.filter((l) => l.startsWith('debug: new process') || l.includes('more new processes'));

describe('debug: one line per new process', () => {
  test('a match names the rule (index and name), a miss says so, an adoption names the parent', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-explain-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, 'process_names:\n  - comm: [nginx]\n    name: web\n  - comm: [postgres]\n    name: "db:{{.Comm}}"\n');
    const { log, collector, fs } = await debugCollector(
      [
        { pid: 100, comm: 'nginx', cmdline: ['nginx', '-g', 'daemon off;'] },
        { pid: 101, comm: 'sh', ppid: 100, cmdline: ['sh', '-c', 'logrotate'] },
        { pid: 200, comm: 'postgres' },
        { pid: 300, comm: 'cron', ppid: 1, cmdline: ['/usr/sbin/cron', '-f'] },
      ],
      { configPath: cfg },
    );
    await collector.prime();
    assert.deepEqual(explained(log.lines), [
      'debug: new process matched pid=100 comm=nginx group=web rule=0 rule_name=web',
      'debug: new process matched pid=200 comm=postgres group=db:postgres rule=1 rule_name=db:{{.Comm}}',
      // the processes no rule matched come after the matches: adoption needs every parent named first
      'debug: new process matched no rule pid=300 comm=cron cmdline="/usr/sbin/cron -f"',
      "debug: new process joined its parent's group pid=101 comm=sh group=web parent=100",
    ]);
    // the next cycle sees nothing new: nothing more is logged
    log.lines.length = 0;
    await collector.collect();
    assert.deepEqual(explained(log.lines), []);
    // a new process is explained when it appears
    await fs.set([
      { pid: 100, comm: 'nginx', cmdline: ['nginx', '-g', 'daemon off;'] },
      { pid: 101, comm: 'sh', ppid: 100, cmdline: ['sh', '-c', 'logrotate'] },
      { pid: 200, comm: 'postgres' },
      { pid: 300, comm: 'cron', ppid: 1, cmdline: ['/usr/sbin/cron', '-f'] },
      { pid: 400, comm: 'nginx', ppid: 100 },
    ]);
    await collector.collect();
    assert.deepEqual(explained(log.lines), ['debug: new process matched pid=400 comm=nginx group=web rule=0 rule_name=web']);
  });

  test('under -recheck a miss is logged once, not every cycle', async () => {
    const { log, collector } = await debugCollector([{ pid: 300, comm: 'cron' }], { procnames: ['nginx'], recheck: true });
    await collector.prime();
    await collector.collect();
    await collector.collect();
    assert.deepEqual(explained(log.lines), ['debug: new process matched no rule pid=300 comm=cron cmdline=cron']);
  });

  test('nothing is explained unless the logger is at debug level', async () => {
    const fs = await FakeProcfs.create({ btime: BTIME });
    await fs.set([{ pid: 300, comm: 'cron' }]);
    const log = memoryLogger();
    const collector = await ProcessCollector.create(defaultOptions, { log, scanner: createTsScanner({ procfs: fs.root }), namer: buildDefaultNamer(), pageSize: 4096 });
    cleanups.push(() => collector.close(), () => fs.remove());
    await collector.prime();
    assert.deepEqual(explained(log.lines), []);
  });

  test('a first cycle with 130 new processes writes 100 lines and a summary', async () => {
    const tree: FakeProc[] = Array.from({ length: 130 }, (_, k) => ({ pid: 1000 + k, comm: k % 2 === 0 ? 'even' : 'odd' }));
    const { log, collector } = await debugCollector(tree, { procnames: ['even'] });
    await collector.prime();
    const lines = explained(log.lines);
    assert.equal(lines.length, 101);
    assert.equal(lines[100], 'debug: 30 more new processes not logged limit_per_cycle=100');
  });

  test('bounded per cycle, with one summary line for the rest', () => {
    const log = memoryLogger({ debug: true });
    const ex = new MatchExplainer(log, () => buildDefaultNamer(), 2);
    const attrs = (pid: number) => ({ comm: `p${pid}`, cmdline: [], cgroups: [], username: 'root', pid, startTimeMs: 0 });
    for (let pid = 1; pid <= 5; pid++) ex.onNewProcess({ pid, startTicks: 1, attrs: attrs(pid) });
    ex.endCycle();
    ex.onNewProcess({ pid: 6, startTicks: 1, attrs: attrs(6) });
    ex.endCycle();
    assert.deepEqual(log.lines, [
      'debug: new process matched no rule pid=1 comm=p1 cmdline=""',
      'debug: new process matched no rule pid=2 comm=p2 cmdline=""',
      'debug: 3 more new processes not logged limit_per_cycle=2',
      'debug: new process matched no rule pid=6 comm=p6 cmdline=""',
    ]);
  });
});

describe('-report-configured-groups', () => {
  const num = (m: Map<string, string>, g: string) => m.get(`namedprocess_namegroup_num_procs{groupname="${g}"}`);

  test('-procnames groups are exported from the first scrape at 0, until a process joins', async () => {
    const h = await Harness.start([{ pid: 10, comm: 'bash' }], { procnames: ['nginx', 'bash'], reportConfiguredGroups: true });
    cleanups.push(() => h.close());
    let m = await h.samples();
    assert.equal(num(m, 'nginx'), '0');
    assert.equal(m.get('namedprocess_namegroup_cpu_seconds_total{groupname="nginx",mode="user"}'), '0');
    assert.equal(m.get('namedprocess_namegroup_read_bytes_total{groupname="nginx"}'), '0');
    assert.equal(num(m, 'bash'), '1');
    await h.set([{ pid: 10, comm: 'bash' }, { pid: 20, comm: 'nginx', starttime: 100_200, utime: 300 }]);
    m = await h.samples();
    assert.equal(num(m, 'nginx'), '1');
    assert.equal(m.get('namedprocess_namegroup_cpu_seconds_total{groupname="nginx",mode="user"}'), '3');
  });

  test('only rules whose name has no template action; never removed by -remove-empty-groups', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-zero-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, 'process_names:\n  - comm: [nginx]\n    name: web\n  - comm: [postgres]\n  - comm: [redis]\n    name: "{{.Comm}}"\n');
    const h = await Harness.start([{ pid: 10, comm: 'redis' }], { configPath: cfg, reportConfiguredGroups: true, removeEmptyGroups: true });
    cleanups.push(() => h.close());
    let m = await h.samples();
    assert.deepEqual([...m.keys()].filter((k) => k.startsWith('namedprocess_namegroup_num_procs')), [
      'namedprocess_namegroup_num_procs{groupname="redis"}',
      'namedprocess_namegroup_num_procs{groupname="web"}',
    ]);
    assert.equal(num(m, 'web'), '0');
    await h.set([]);
    m = await h.samples();
    assert.equal(num(m, 'redis'), undefined, 'a templated group is removed when empty');
    assert.equal(num(m, 'web'), '0');
  });

  test('off by default: nothing is exported for a group with no process', async () => {
    const h = await Harness.start([{ pid: 10, comm: 'bash' }], { procnames: ['nginx'] });
    cleanups.push(() => h.close());
    const text = await h.scrape();
    assert.equal(text, renderGroupFamilies({ ok: true, groups: [], scrapeErrors: 0, procReadErrors: 0, partialErrors: 0, gatherSmaps: true }, { threads: true, format: 'text' }));
    assert.equal(parseSamples(text).size, 3);
  });
});
