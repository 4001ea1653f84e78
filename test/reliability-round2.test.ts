// Reliability, round two: what one connection, one long command line or one reload may cost, through the
// built exporter on a fake procfs tree, on both readers. (The push's bounds are in push.test.ts, the
// shutdown with a blocking password_file in reliability-shutdown.test.ts.)
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeProcfs } from './fakeproc';
import { OUR_MAIN, startExporter } from './procs';
import { loadNative } from '../src/proc/native';
import { CMDLINE_CUT_MARKER, CMDLINE_SHOWN_BYTES } from '../src/page/processes';
import * as net from 'node:net';
import { request } from 'undici';
import { startServer } from '../src/server';
import { MAX_PIPELINED } from '../src/server/connection';
import { ResponseBudget } from '../src/server/limits';
import { memoryLogger } from './memory-logger';
import { Harness, tsScanner, type ScannerFactory } from './harness';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveConfig } from '../src/collector/collector';
import { createNativeScanner } from '../src/proc/native';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until f() has not changed for `quietMs` (at most 30 s), and returns its value. */
async function settled(f: () => number, quietMs = 500): Promise<number> {
  let last = f();
  let since = Date.now();
  const deadline = Date.now() + 30_000;
  while (Date.now() - since < quietMs && Date.now() < deadline) {
    await sleep(50);
    const v = f();
    if (v !== last) [last, since] = [v, Date.now()];
  }
  return last;
}

describe('HTTP: one request at a time per connection', () => {
  test('2,000 pipelined scrapes in one write, never read: at most one response held, the rest wait; others are answered', async () => {
    let scrapes = 0;
    const pad = 'x'.repeat(1024 * 1024);
    const server = await startServer({
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      webConfigFile: '',
      log: memoryLogger(),
      scrape: async () => ({ body: `n ${++scrapes}\n${pad}\n`, contentType: 'text/plain' }),
      routes: [{ path: '/-/healthy', methods: ['GET'], handle: async () => ({ status: 200, body: 'Healthy\n', contentType: 'text/plain' }) }],
    });
    const sock = net.connect(server.port, '127.0.0.1');
    try {
      await new Promise((r) => sock.once('connect', r));
      sock.pause(); // never read, until the end
      sock.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(2000));
      const rendered = await settled(() => scrapes);
      // each response is 1 MiB: the kernel's buffers take a few, then one waits in the exporter's memory;
      // Node alone would have rendered and buffered every request of the first read (hundreds)
      assert.ok(rendered >= 1 && rendered <= 1 + MAX_PIPELINED, `${rendered} responses rendered`);
      // another client is answered meanwhile, scrape included
      const h = await request(`http://127.0.0.1:${server.port}/-/healthy`);
      assert.deepEqual([h.statusCode, await h.body.text()], [200, 'Healthy\n']);
      const m = await request(`http://127.0.0.1:${server.port}/metrics`);
      assert.equal(m.statusCode, 200);
      await m.body.dump();
      // the client reads at last: the requests parsed from the first read are answered in order, then the
      // connection closes (the ones never parsed are the client's to send again)
      let got = '';
      sock.setEncoding('latin1');
      sock.on('data', (d: string) => (got += d.replace(/x{1000,}/g, '')));
      sock.resume();
      await new Promise((r) => sock.once('end', r));
      const statuses = got.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0;
      assert.equal(statuses, 1 + MAX_PIPELINED);
      assert.match(got, /Connection: close/i);
      const numbers = [...got.matchAll(/^n (\d+)$/gm)].map((x) => Number(x[1]));
      assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b), 'in order');
    } finally {
      sock.destroy();
      await server.close();
    }
  });

  test('pipelined scrapes share the cycle that ended after they arrived, rendered once; a later one runs its own', async () => {
    const h = await Harness.start([{ pid: 10, comm: 'a' }], {}, tsScanner);
    try {
      const c = h.collector;
      const arrived = Date.now();
      const first = await c.render('text', arrived);
      const cycle = c.latest;
      // answered one after the other (pipelined): the same cycle, the same text, no new cycle
      const second = await c.render('text', arrived);
      assert.equal(c.latest, cycle);
      assert.ok(Object.is(second, first));
      // a request that came after that cycle ended gets a cycle of its own
      await sleep(5);
      await c.render('text', Date.now());
      assert.notEqual(c.latest, cycle);
    } finally {
      await h.close();
    }
  });

  test('the response budget: one body alone always goes, a shared body counts once, past the budget a new one waits', async () => {
    const b = new ResponseBudget(100);
    const big = Buffer.alloc(150);
    const small = Buffer.alloc(60);
    const other = Buffer.alloc(60);
    await b.acquire(big);
    await b.acquire(big);
    assert.equal(b.inUse, 150);
    let smallIn = false;
    const p = b.acquire(small).then(() => (smallIn = true));
    await sleep(10);
    assert.equal(smallIn, false);
    b.release(big);
    await sleep(10);
    assert.equal(smallIn, false, 'still held by the second response');
    b.release(big);
    await p;
    assert.equal(b.inUse, 60);
    let otherIn = false;
    const q = b.acquire(other).then(() => (otherIn = true));
    await sleep(10);
    assert.equal(otherIn, false, '60 + 60 bytes would pass the budget of 100');
    b.release(small);
    await q;
    assert.equal(b.inUse, 60);
    b.release(other);
    assert.equal(b.inUse, 0);
  });
});


const nativeSkip: string | false = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';

/** A command line of about `bytes` bytes: `python3 job-<i>.py` and one long argument. */
function longCmdline(i: number, bytes: number): string[] {
  return ['python3', `job-${i}.py`, `--data=${String(i).repeat(bytes)}`];
}

const nativeScanner: ScannerFactory = (procfs) => {
  const r = createNativeScanner({ procfs });
  if (!r.scanner) throw new Error(r.reason);
  return r.scanner;
};

function configFile(yaml: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'npe-r2-')), 'config.yml');
  fs.writeFileSync(file, yaml);
  return file;
}

for (const reader of ['native', 'ts'] as const) {
  describe(`${reader} reader`, { skip: reader === 'native' && nativeSkip }, () => {
    test('long command lines named by a capture: found off the main thread, named in a later cycle; a reload renames them the same way, each always in one group', async () => {
      const rule = (prefix: string) => `process_names:\n  - name: '${prefix}{{.Matches.script}}'\n    cmdline: ['python3 (?P<script>\\S+) (?P<rest>.*)']\n`;
      const h = await Harness.start([1, 2, 3].map((i) => ({ pid: 100 + i, comm: 'python3', cmdline: longCmdline(i, 200_000) })), { configPath: configFile(rule('')) }, reader === 'native' ? nativeScanner : tsScanner);
      try {
        const groups = async () => new Map((await h.collector.collect()).groups.filter((g) => g.numProcs > 0).map((g) => [g.name, g.numProcs]));
        // the priming cycle asked the worker: nobody was named on the main thread
        assert.equal(h.collector.tracker.trackedCount, 0);
        let seen = await groups();
        for (let i = 0; i < 200 && seen.size < 3; i++) {
          await sleep(50);
          seen = await groups();
        }
        assert.deepEqual([...seen].sort(), [['job-1.py', 1], ['job-2.py', 1], ['job-3.py', 1]]);
        // a reload that changes the name: until their groups are in, the processes stay where they were
        h.collector.reconfigure(await resolveConfig({ ...h.options, configPath: configFile(rule('v2-')) }, h.log));
        const after = await groups();
        assert.equal([...after.values()].reduce((a, b) => a + b, 0), 3, `each process in one group: ${[...after]}`);
        assert.deepEqual([...after.keys()].sort(), ['job-1.py', 'job-2.py', 'job-3.py']);
        seen = after;
        for (let i = 0; i < 200 && [...seen.keys()].some((g) => !g.startsWith('v2-')); i++) {
          await sleep(50);
          seen = await groups();
          assert.equal([...seen.values()].reduce((a, b) => a + b, 0), 3, `each process in one group: ${[...seen]}`);
        }
        assert.deepEqual([...seen].sort(), [['v2-job-1.py', 1], ['v2-job-2.py', 1], ['v2-job-3.py', 1]]);
      } finally {
        await h.close();
      }
    });

    test('/api/processes cuts each command line to a few KiB with a marker: 3 processes of 1.7 MB, a response of KiBs', async () => {
      const tree = await FakeProcfs.create();
      try {
        await tree.set([1, 2, 3].map((i) => ({ pid: 100 + i, comm: 'python3', cmdline: longCmdline(i, 1_700_000) })));
        const ex = await startExporter(OUR_MAIN, ['-procfs', tree.root, '-procnames', 'python3', '-web.page-expose-cmdlines'], { NAMEDPROCESS_READER: reader });
        try {
          const res = await ex.scrape('/api/processes?group=python3');
          assert.equal(res.status, 200);
          assert.ok(res.body.length < 3 * (CMDLINE_SHOWN_BYTES + 200) + 1000, `response of ${res.body.length} bytes`);
          const body = JSON.parse(res.body) as { total: number; processes: Array<{ pid: number; cmdline: string }> };
          assert.equal(body.total, 3);
          for (const p of body.processes) {
            const i = p.pid - 100;
            const want = ('python3 job-' + i + '.py --data=' + String(i).repeat(CMDLINE_SHOWN_BYTES)).slice(0, CMDLINE_SHOWN_BYTES) + CMDLINE_CUT_MARKER;
            assert.equal(p.cmdline, want);
          }
        } finally {
          await ex.stop();
        }
      } finally {
        await tree.remove();
      }
    });
  });
}
