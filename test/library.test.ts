// Library mode: createCollector() with our option names or Grafana Alloy's, on fake procfs trees.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { BTIME } from './harness';
import { createCollector, StartupError, type EmbeddedCollector } from '../src/index';
import { memoryLogger } from './memory-logger';

const cleanups: Array<() => Promise<unknown> | void> = [];
after(async () => {
  for (const c of cleanups) await c();
});

const MULTI: FakeProc = { pid: 10, comm: 'x', threads: [{ tid: 10, comm: 'x' }, { tid: 11, comm: 'worker' }], pssKb: 100, wchan: 'do_wait' };

async function tree(procs: FakeProc[]): Promise<string> {
  const fs = await FakeProcfs.create({ btime: BTIME });
  await fs.set(procs);
  cleanups.push(() => fs.remove());
  return fs.root;
}

async function embedded(opts: Parameters<typeof createCollector>[0]): Promise<EmbeddedCollector> {
  const c = await createCollector(opts, { log: memoryLogger() });
  cleanups.push(() => c.close());
  return c;
}

/** Family names with their HELP, and the families that have a header but no sample. */
function families(text: string): { names: string[]; emptyHelp: string[]; headerOnly: string[] } {
  const names: string[] = [];
  const emptyHelp: string[] = [];
  const sampled = new Set<string>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+)(?: (.*))?$/.exec(line);
    if (help) {
      names.push(help[1]!);
      if (!help[2]) emptyHelp.push(help[1]!);
    } else if (line !== '' && !line.startsWith('#')) {
      sampled.add(/^[^{ ]+/.exec(line)![0]);
    }
  }
  const headerOnly = names.filter((n) => ![...sampled].some((s) => s === n || s === `${n}_total`));
  return { names, emptyHelp, headerOnly };
}

describe('createCollector with top_processes', () => {
  test('the namedprocess_process_* families in a prom-client registry as in the text', async () => {
    const procfs = await tree([{ pid: 10, comm: 'x', rss: 50 }]);
    const c = await embedded({ procnames: ['x'], top_processes: 1, procfs });
    const registry = new Registry();
    c.registerIn(registry);
    for (const text of [await registry.metrics(), await c.metrics()]) {
      assert.match(text, /^namedprocess_process_memory_bytes\{comm="x",groupname="x",memtype="resident",pid="10"\} 204800$/m);
      assert.match(text, /^# TYPE namedprocess_process_cpu_seconds_total counter$/m);
    }
    await assert.rejects(createCollector({ topProcesses: 2.5 }), (e: Error) => e instanceof StartupError && e.message === 'createCollector: option "topProcesses" must be an integer between 0 (none) and 1000, not 2.5');
    await assert.rejects(createCollector({ top_processes: -1 }), (e: Error) => e instanceof StartupError && e.message === 'createCollector: option "top_processes" must be an integer between 0 (none) and 1000, not -1');
  });
});

describe('createCollector with Alloy argument names', () => {
  test('{ procnames: ["x"], gather_smaps: false, track_threads: false }: no proportional memory, no thread families', async () => {
    const procfs_path = await tree([MULTI]);
    const c = await embedded({ procnames: ['x'], gather_smaps: false, track_threads: false, procfs_path });
    const registry = new Registry();
    c.registerIn(registry);
    for (const text of [await registry.metrics(), await c.metrics()]) {
      assert.match(text, /^namedprocess_namegroup_num_procs\{groupname="x"\} 1$/m);
      assert.doesNotMatch(text, /proportional/);
      assert.doesNotMatch(text, /namedprocess_namegroup_thread_/);
    }
    assert.equal(c.collector.options.gatherSmaps, false);
    assert.equal(c.collector.options.threads, false);
  });

  test('with the defaults the same tree has both', async () => {
    const procfs = await tree([MULTI]);
    const c = await embedded({ procnames: ['x'], procfs });
    const registry = new Registry();
    c.registerIn(registry);
    const text = await registry.metrics();
    assert.match(text, /^namedprocess_namegroup_memory_bytes\{groupname="x",memtype="proportionalResident"\} 102400$/m);
    assert.match(text, /^namedprocess_namegroup_thread_count\{groupname="x",threadname="worker"\} 1$/m);
  });

  test('an unknown option, a wrong type, or two names for one setting that disagree are errors naming them', async () => {
    await assert.rejects(createCollector({ procnames: ['x'], track_thread: false } as never), (e: Error) => {
      assert.ok(e instanceof StartupError);
      assert.match(e.message, /^createCollector: unknown option "track_thread" \(options are listenAddress, .*, track_threads, top_processes\)$/);
      return true;
    });
    const startupError = (message: string | RegExp) => (e: Error) => {
      assert.ok(e instanceof StartupError);
      if (typeof message === 'string') assert.equal(e.message, message);
      else assert.match(e.message, message);
      return true;
    };
    await assert.rejects(createCollector({ constructor: 1 } as never), startupError(/^createCollector: unknown option "constructor"/));
    await assert.rejects(createCollector({ gather_smaps: 'no' as never }), startupError('createCollector: option "gather_smaps" must be a boolean, not string'));
    await assert.rejects(createCollector({ threads: true, track_threads: false }), startupError('createCollector: options "threads" and "track_threads" set the same thing to different values'));
    const agreeing = await embedded({ procnames: ['x'], procfs: await tree([MULTI]), threads: false, track_threads: false });
    assert.equal(agreeing.collector.options.threads, false, 'two names that agree are fine');
  });

  test('each Alloy name sets its option', async () => {
    const procfs = await tree([MULTI]);
    const { options } = (await embedded({ procnames: ['x'], gather_smaps: false, procfs_path: procfs, recheck_on_scrape: true, remove_empty_groups: true, track_children: false, track_threads: false })).collector;
    assert.deepEqual(
      [options.gatherSmaps, options.procfs, options.recheck, options.removeEmptyGroups, options.children, options.threads],
      [false, procfs, true, true, false, false],
    );
  });

  test("an option given wins over the config file's setting; the file sets the rest", async () => {
    const procfs = await tree([MULTI]);
    const cfg = join(mkdtempSync(join(tmpdir(), 'npe-lib-')), 'c.yml');
    writeFileSync(cfg, 'track_threads: false\ngather_smaps: false\nprocess_names:\n  - comm: [x]\n');
    const c = await embedded({ configPath: cfg, procfs, track_threads: true });
    const text = await c.metrics();
    assert.match(text, /^namedprocess_namegroup_thread_count\{groupname="x",threadname="worker"\} 1$/m);
    assert.doesNotMatch(text, /proportional/);
  });
});

describe('library families', () => {
  test('only families with samples, each with its HELP text', async () => {
    // a single-threaded process with no wchan: no thread families and no wchan family
    const procfs = await tree([{ pid: 10, comm: 'x' }]);
    const c = await embedded({ procnames: ['x'], procfs });
    const registry = new Registry();
    c.registerIn(registry);
    const f = families(await registry.metrics());
    assert.deepEqual(f.emptyHelp, []);
    assert.deepEqual(f.headerOnly, []);
    assert.ok(f.names.includes('namedprocess_namegroup_num_procs'));
    assert.ok(!f.names.some((n) => n.startsWith('namedprocess_namegroup_thread_')));
    assert.ok(!f.names.includes('namedprocess_namegroup_threads_wchan'));
    // the CLI's text for the same collector writes the same namedprocess_* families
    const cli = families(await c.metrics()).names.filter((n) => n.startsWith('namedprocess_') && !n.startsWith('namedprocess_exporter_'));
    assert.deepEqual([...f.names].sort(), [...cli].sort());
  });

  test('a family appears once a cycle gives it samples', async () => {
    const fs = await FakeProcfs.create({ btime: BTIME });
    cleanups.push(() => fs.remove());
    await fs.set([{ pid: 10, comm: 'x' }]);
    const c = await embedded({ procnames: ['x'], procfs: fs.root });
    const registry = new Registry();
    c.registerIn(registry);
    assert.doesNotMatch(await registry.metrics(), /namedprocess_namegroup_thread_count/);
    await fs.set([MULTI]);
    await c.collector.collect();
    const f = families(await registry.metrics());
    assert.ok(f.names.includes('namedprocess_namegroup_thread_count'));
    assert.deepEqual(f.headerOnly, []);
  });
});
