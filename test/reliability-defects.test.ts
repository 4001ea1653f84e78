// Reliability: the hostile cases that once broke the exporter, each on both readers. A local user
// writes what a cmdline, a comm or a /proc value holds; a scraper opens as many connections as it likes.
// (Shutdown with a stuck read is in reliability-shutdown.test.ts.)
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { Harness, type ScannerFactory, tsScanner } from './harness';
import { FakeProcfs, limitsText, statusText, type FakeProc } from './fakeproc';
import { Tracker } from '../src/track/tracker';
import { createNativeScanner, loadNative } from '../src/proc/native';
import { createTsScanner } from '../src/proc/ts-reader';
import { listProcfsRootSync } from '../src/proc/ts-reader-core';
import { startServer, type RunningServer } from '../src/server';
import { memoryLogger } from './memory-logger';
import { negotiate } from '../src/expose/content';
import { MAX_LABEL_VALUE_LENGTH } from '../src/expose/label-bound';
import type { Scanner } from '../src/proc/columns';

const nativeSkip: string | false = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';
const nativeScanner: ScannerFactory = (procfs) => {
  const r = createNativeScanner({ procfs });
  if (!r.scanner) throw new Error(r.reason);
  return r.scanner;
};
const READERS: Array<[string, ScannerFactory, string | false]> = [
  ['ts', tsScanner, false],
  ['native', nativeScanner, nativeSkip],
];

const open: Harness[] = [];
after(async () => {
  for (const h of open) await h.close();
});

async function harness(procs: FakeProc[], opts: Parameters<typeof Harness.start>[1], scanner: ScannerFactory): Promise<Harness> {
  const h = await Harness.start(procs, opts, scanner);
  open.push(h);
  return h;
}

function configFile(yaml: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-rel-'));
  const file = path.join(dir, 'config.yml');
  fs.writeFileSync(file, yaml);
  return file;
}

/** A scrape over a fresh connection; resolves with the status, or 'reset' when the connection failed. */
function scrapeOnce(port: number): Promise<number | 'reset'> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', () => resolve('reset'));
    });
    req.on('error', () => resolve('reset'));
  });
}

/** A scanner whose listing waits for gate() once it returns a promise: scrapes that arrive meanwhile join that cycle. */
function gated(inner: Scanner, gate: () => Promise<void> | null): Scanner {
  return {
    kind: inner.kind,
    bootTime: () => inner.bootTime(),
    listProcs: async () => {
      await gate();
      return inner.listProcs();
    },
    readDetails: (req) => inner.readDetails(req),
    close: () => inner.close(),
  };
}

for (const [reader, scanner, skip] of READERS) {
  describe(`reliability (${reader} reader): hostile cases`, { skip }, () => {
    test('#1 200 parallel scrapes from one address all get 200 and share one cycle; 500 idle sockets from it lock nobody out', async () => {
      let release!: () => void;
      let gate: Promise<void> | null = null;
      let arrived = 0;
      const h = await harness([{ pid: 10, comm: 'app' }], { procnames: ['app'] }, (root) => gated(scanner(root), () => gate));
      gate = new Promise<void>((r) => (release = r));
      let cycles = 0;
      h.collector.onCycle(() => cycles++);
      let server: RunningServer | null = null;
      const idle: net.Socket[] = [];
      try {
        server = await startServer({
          listenAddress: '127.0.0.1:0',
          telemetryPath: '/metrics',
          webConfigFile: '',
          log: memoryLogger(),
          scrape: async (req) => {
            if (++arrived === 200) release();
            const { format, contentType } = negotiate(req.accept);
            return { body: await h.collector.render(format), contentType };
          },
        });
        const port = server.port;
        const codes = await Promise.all(Array.from({ length: 200 }, () => scrapeOnce(port)));
        assert.deepEqual(
          codes.filter((c) => c !== 200),
          [],
          'every scrape answered 200',
        );
        assert.equal(cycles, 1, 'the 200 scrapes shared one cycle');

        for (let i = 0; i < 500; i++) {
          const s = net.connect(port, '127.0.0.1');
          s.on('error', () => {});
          idle.push(s);
        }
        await Promise.all(idle.map((s) => new Promise((r) => (s.connecting ? s.once('connect', r) : r(null)))));
        // half of them start a request and never finish it
        for (const s of idle.slice(0, 250)) s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
        assert.equal(await scrapeOnce(port), 200);
        assert.equal(idle.filter((s) => s.destroyed).length, 0, 'no idle socket had to be dropped to serve it');
      } finally {
        for (const s of idle) s.destroy();
        await server?.close();
      }
    });

    test('#2 10,000 rules load; 1,000 rules plus a 2 MB cmdline: every cycle succeeds', async () => {
      let yaml = 'process_names:\n';
      for (let i = 0; i < 10_000; i++) yaml += `  - name: "svc{{.Matches.n}}"\n    cmdline: ['^svc-${i} --id=(?P<n>\\w+)']\n`;
      const big = await harness([{ pid: 10, comm: 'svc', cmdline: ['svc-9999', '--id=last'] }], { configPath: configFile(yaml) }, scanner);
      assert.equal((await big.samples()).get('namedprocess_namegroup_num_procs{groupname="svclast"}'), '1');

      let yaml1k = 'process_names:\n';
      for (let i = 0; i < 1000; i++) yaml1k += `  - name: "{{.Comm}}-${i}:{{.Matches.rest}}"\n    cmdline: ['svc-${i}\\b(?P<rest>.*)']\n`;
      const hog: FakeProc = { pid: 20, comm: 'hog', cmdline: ['hog', 'x'.repeat(2 * 1024 * 1024)] };
      const h = await harness([{ pid: 10, comm: 'svc', cmdline: ['svc-500', 'a'] }], { configPath: configFile(yaml1k) }, scanner);
      await h.samples();
      await h.set([{ pid: 10, comm: 'svc', cmdline: ['svc-500', 'a'] }, hog]);
      for (let cycle = 0; cycle < 3; cycle++) {
        const s = await h.samples();
        assert.equal(s.get('namedprocess_scrape_errors'), '0');
        assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="svc-500: a"}'), '1');
      }
    });

    test('#3 group and thread names from a local user are cut to a bounded, distinct label; the scrape answers', async () => {
      const argv = (c: string) => ['hog', c.repeat(64 * 1024)];
      const procs: FakeProc[] = ['a', 'b', 'c'].map((c, i) => ({ pid: 30 + i, comm: 'hog', cmdline: argv(c) }));
      procs.push({
        pid: 40,
        comm: 'hog',
        cmdline: ['hog', 'threads'],
        threads: [
          { tid: 40, comm: 'hog' },
          { tid: 41, comm: 'w'.repeat(5000) },
        ],
      });
      const h = await harness(procs, { configPath: configFile("process_names:\n  - name: '{{.Matches.a}}'\n    cmdline: ['^hog (?P<a>.*)']\n"), threads: true }, scanner);
      // the groups of 64 KiB cmdlines are found on the worker thread: named within a few cycles
      let text = '';
      let cycles = 1; // the priming one
      let groups = new Set<string>();
      for (let i = 0; i < 100 && groups.size < 4; i++, cycles++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 50));
        text = await h.scrape();
        groups = new Set([...text.matchAll(/groupname="([^"]*)"/g)].map((m) => m[1]));
      }
      assert.equal(groups.size, 4);
      for (const g of groups) assert.ok(g.length <= MAX_LABEL_VALUE_LENGTH, `a ${g.length}-character group name`);
      assert.equal([...groups].filter((g) => /…#[0-9a-f]{12}$/.test(g)).length, 3, 'three distinct cut names');
      const threadNames = new Set([...text.matchAll(/threadname="([^"]*)"/g)].map((m) => m[1]));
      assert.deepEqual([...threadNames].map((t) => t.length).sort((a, b) => a - b), [3, MAX_LABEL_VALUE_LENGTH]);
      // one more cycle: group names were cut once, when their processes were named; the thread name once per cycle
      const own = await h.collector.render('text');
      cycles++;
      assert.match(own, /^namedprocess_exporter_label_values_cut_total\{label="groupname"\} 3$/m);
      assert.match(own, new RegExp(`^namedprocess_exporter_label_values_cut_total\\{label="threadname"\\} ${cycles}$`, 'm'));
      assert.match(own, /^namedprocess_exporter_label_values_cut_total\{label="wchan"\} 0$/m);
    });

    test('#6 an unparsable value makes its file unknown for the cycle: the process stays, a partial error counts', async () => {
      const base: FakeProc = { pid: 50, comm: 'odd', starttime: 500, ctxVol: 10, readBytes: 100, fdSoftLimit: 1024 };
      const hugeLimit = limitsText(1024).replace(/^(Max open files\s+)1024(\s+)524288/m, '$199999999999999999999$2524288');
      const negLimit = limitsText(1024).replace(/^(Max open files\s+)1024(\s+)/m, '$1-1  $2');
      const h = await harness([{ ...base, raw: { limits: hugeLimit } }, { ...base, pid: 51, raw: { limits: negLimit } }], { procnames: ['odd'] }, scanner);
      let s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="odd"}'), '2', 'new processes with bad limits are tracked');
      assert.equal(s.get('namedprocess_scrape_procread_errors'), '0');
      const partial0 = Number(s.get('namedprocess_scrape_partial_errors'));
      assert.ok(partial0 >= 2, `partial errors ${partial0}`);

      // status and io with counters that overflow a uint64: unknown this cycle, not 0, not a read error
      const badStatus = statusText({ name: 'odd', state: 'S', tgid: 50, pid: 50, ppid: 1, uid: 1000, threads: 1, vsizeBytes: 0, rssPages: 0, vmSwapKb: 0, ctxVol: 10, ctxNonvol: 0 }).replace(/^voluntary_ctxt_switches:.*$/m, 'voluntary_ctxt_switches:\t99999999999999999999');
      await h.set([{ ...base, ctxVol: 20, readBytes: 100, raw: { status: badStatus, io: 'rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: 99999999999999999999\nwrite_bytes: 1\ncancelled_write_bytes: 0\n' } }]);
      s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="odd"}'), '1');
      assert.equal(Number(s.get('namedprocess_scrape_partial_errors')), partial0 + 1);
      assert.equal(s.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="odd"}'), '0');
      // readable again: counting resumes from the last good reading, nothing is lost or invented
      await h.set([{ ...base, ctxVol: 25, readBytes: 150 }]);
      s = await h.samples();
      assert.equal(s.get('namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="odd"}'), '15');
      assert.equal(s.get('namedprocess_namegroup_read_bytes_total{groupname="odd"}'), '50');
      assert.equal(Number(s.get('namedprocess_scrape_partial_errors')), partial0 + 1);
    });
  });
}

describe('reliability: the naming budget of a cycle', () => {
  test('past the budget, new processes wait for the next cycle, then count from birth like the others', async () => {
    const fsTree = await FakeProcfs.create({ btime: 1_700_000_000 });
    try {
      await fsTree.set([1, 2, 3, 4, 5].map((pid) => ({ pid, comm: 'app', starttime: 200_000 + pid, utime: 100 * pid })));
      // naming a process takes 400 ms of the clock: three are named per cycle (0, 400 and 800 ms spent
      // before each), the fourth would pass the 1 s budget
      let t = 0;
      const named: number[] = [];
      const tracker = new Tracker(createTsScanner({ procfs: fsTree.root, workers: 0 }), {
        namer: {
          description: 'test',
          matchAndName: (p) => {
            named.push(p.pid);
            t += 400;
            return 'app';
          },
        },
        children: true,
        recheck: false,
        recheckWithTimeLimitMs: 0,
        threads: false,
        gatherSmaps: false,
        topProcesses: 0,
        smapsMaxAgeMs: 0,
        idleMaxAgeMs: 0,
        removeEmptyGroups: false,
        pageSize: 4096,
        bootTimeSec: 1_700_000_000,
        username: () => 'root',
        log: memoryLogger(),
        now: () => (1_700_000_000 + 1000) * 1000,
        monotonicMs: () => t,
      });
      const procs = async () => (await tracker.update()).groups.find((g) => g.name === 'app')?.numProcs ?? 0;
      assert.equal(await procs(), 3);
      assert.equal(await procs(), 5);
      assert.deepEqual(named.sort(), [1, 2, 3, 4, 5], 'each process named exactly once');
      // born after the start, each counts from birth: 1+2+3+4+5 seconds of user CPU
      const g = (await tracker.update()).groups.find((x) => x.name === 'app')!;
      assert.equal(g.cpuUser, 15);
    } finally {
      await fsTree.remove();
    }
  });
});

describe('reliability: the naming budget of a reload', () => {
  test('after a reload, re-naming is budgeted too: the processes not yet re-named stay in their group, counted there', async () => {
    const fsTree = await FakeProcfs.create({ btime: 1_700_000_000 });
    try {
      const tree = (utime: number) => [1, 2, 3, 4, 5].map((pid) => ({ pid, comm: 'app', starttime: 100 + pid, utime: utime + pid }));
      await fsTree.set(tree(100));
      let t = 0;
      let name = 'old';
      const namer = { description: 'test', matchAndName: () => ((t += 400), name) };
      const tracker = new Tracker(createTsScanner({ procfs: fsTree.root, workers: 0 }), {
        namer, children: false, recheck: false, recheckWithTimeLimitMs: 0, threads: false, gatherSmaps: false, smapsMaxAgeMs: 0, idleMaxAgeMs: 0, topProcesses: 0,
        removeEmptyGroups: false, pageSize: 4096, bootTimeSec: 1_700_000_000, username: () => 'root', log: memoryLogger(),
        now: () => (1_700_000_000 + 1000) * 1000, monotonicMs: () => t,
      });
      const cycle = async (utime: number) => {
        await fsTree.set(tree(utime));
        const snap = await tracker.update();
        return Object.fromEntries(snap.groups.map((g) => [g.name, [g.numProcs, Math.round(g.cpuUser * 1000) / 1000]]));
      };
      await cycle(100);
      await cycle(100);
      assert.deepEqual(await cycle(100), { old: [5, 0] });
      // the reload: three are re-named per cycle (1 s budget, 400 ms each); the other two stay in "old"
      // meanwhile, and every second of CPU lands in exactly one group
      name = 'new';
      tracker.rematchAll();
      assert.deepEqual(await cycle(200), { old: [2, 2], new: [3, 3] });
      assert.deepEqual(await cycle(300), { old: [0, 2], new: [5, 8] });
      assert.deepEqual(await cycle(400), { old: [0, 2], new: [5, 13] });
    } finally {
      await fsTree.remove();
    }
  });
});

describe('reliability (ts reader): #5 processes that exit during the listing', () => {
  // The kernel reports a pid whose process exited mid-listing with an unknown type; Node's Dir lstat()s
  // such an entry and throws ENOENT. Simulated by adding such an entry to what readdir returned.
  const Dir = fs.opendirSync(os.tmpdir()).constructor as { prototype: { processReadResult(p: string, r: unknown[]): void } };
  const original = Dir.prototype.processReadResult;
  const vanishing = (root: string, times: number) => {
    let left = times;
    Dir.prototype.processReadResult = function (this: unknown, p: string, result: unknown[]) {
      if (p === root && left > 0) {
        left--;
        result = [...result, '999999', 0]; // UV_DIRENT_UNKNOWN
      }
      return original.call(this, p, result);
    };
  };
  after(() => {
    Dir.prototype.processReadResult = original;
  });

  test('a vanished entry costs a retry, not the cycle; the listing order is kept', async () => {
    const h = await harness([{ pid: 7, comm: 'app' }, { pid: 8, comm: 'app' }], { procnames: ['app'] }, (root) => createTsScanner({ procfs: root, workers: 0 }));
    const order = listProcfsRootSync(h.fs.root);
    vanishing(h.fs.root, 1);
    assert.deepEqual(listProcfsRootSync(h.fs.root), order);
    vanishing(h.fs.root, 1);
    const s = await h.samples();
    assert.equal(s.get('namedprocess_scrape_errors'), '0');
    assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="app"}'), '2');
  });

  test('when every attempt meets a vanished entry, the names come from readdir without types', async () => {
    const h = await harness([{ pid: 7, comm: 'app' }], { procnames: ['app'] }, (root) => createTsScanner({ procfs: root, workers: 0 }));
    vanishing(h.fs.root, 100);
    const s = await h.samples();
    Dir.prototype.processReadResult = original;
    assert.equal(s.get('namedprocess_scrape_errors'), '0');
    assert.equal(s.get('namedprocess_namegroup_num_procs{groupname="app"}'), '1');
    assert.deepEqual(h.log.lines.filter((l) => l.includes('error reading procs')), []);
  });

  test('a root that cannot be listed still fails the cycle with the reference message', () => {
    assert.throws(() => listProcfsRootSync('/nonexistent-procfs-root'), { code: 'ENOENT' });
  });
});
