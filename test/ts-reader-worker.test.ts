// The TS reader's worker pool: slices joined in order give the same columns as one worker and as the
// main-thread (chunked) mode; a crashed worker fails its call only and is replaced; idle workers do not
// keep the process alive; close() ends them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { DetailRequest, ProcfsListError, Scanner } from '../src/proc/columns';
import { createTsScanner } from '../src/proc/ts-reader';
import { FakeProc, FakeProcfs } from './fakeproc';

/** The scanner's worker slots (private state, read by these tests only). */
const workers = (s: Scanner): Worker[] =>
  ((s as unknown as { slots: ({ worker: Worker; dead: boolean } | null)[] }).slots)
    .filter((x): x is { worker: Worker; dead: boolean } => !!x && !x.dead)
    .map((x) => x.worker);

function tree(): FakeProc[] {
  const procs: FakeProc[] = [];
  for (let p = 100; p < 260; p++) {
    const proc: FakeProc = { pid: p, comm: `c${p % 7}`, readBytes: p * 3, uid: p, cmdline: [`c${p}`, `--n=${p}`], pssKb: p };
    if (p % 10 === 0) {
      proc.threads = [
        { tid: p, comm: 't0', readBytes: 1 },
        { tid: p + 10000, comm: 't1', wchan: 'futex_wait' },
        { tid: p + 20000, comm: 't2', ctxVol: 9 },
      ];
    }
    if (p % 13 === 0) proc.omit = ['io', 'wchan'];
    if (p % 17 === 0) proc.omit = ['status'];
    if (p % 19 === 0) proc.omit = ['smaps_rollup'];
    if (p % 23 === 0) proc.raw = { stat: 'garbage' };
    procs.push(proc);
  }
  return procs;
}

function request(pids: number[]): DetailRequest {
  return {
    pids: Int32Array.from(pids),
    wantThreads: Uint8Array.from(pids, (_, i) => (i % 3 === 0 ? 0 : 1)),
    wantStatic: Uint8Array.from(pids, (_, i) => (i % 2 === 0 ? 1 : 0)),
    gatherSmaps: true,
    threadIo: true,
  };
}

test('2 workers, 1 worker and the main-thread mode return identical columns, rows in order', async () => {
  const f = await FakeProcfs.create();
  const scanners = [
    createTsScanner({ procfs: f.root, workers: 1 }),
    createTsScanner({ procfs: f.root, workers: 2 }),
    createTsScanner({ procfs: f.root, workers: 0 }),
  ];
  try {
    await f.set(tree());
    const lists = await Promise.all(scanners.map((s) => s.listProcs()));
    for (const l of lists.slice(1)) assert.deepStrictEqual(l, lists[0]);
    assert.equal(lists[0].count, 160 - 7); // the garbage stats are left out
    // listed pids plus pids that do not exist (GONE), reversed so that order is not the listing's
    const pids = [...lists[0].pid, 99999, 99998].reverse();
    const dets = await Promise.all(scanners.map((s) => s.readDetails(request(pids))));
    for (const d of dets.slice(1)) assert.deepStrictEqual(d, dets[0]);
    assert.equal(dets[0].count, pids.length);
    assert.deepEqual([...dets[0].uid.subarray(2)], pids.slice(2).map((p) => (p % 17 === 0 ? 0 : p)));
    assert.ok(dets[0].threads.count > 0);
    // the caller's arrays are not detached by the transfer to the workers
    const req = request(pids);
    await scanners[1].readDetails(req);
    assert.equal(req.pids.length, pids.length);
    // empty request
    const none = await Promise.all(scanners.map((s) => s.readDetails(request([]))));
    for (const d of none) assert.deepStrictEqual(d, none[2]);
  } finally {
    for (const s of scanners) s.close();
    await f.remove();
  }
});

test('released columns go back to the worker: the next cycles built in their buffers read the same as a fresh scanner', async () => {
  const f = await FakeProcfs.create();
  const s = createTsScanner({ procfs: f.root });
  const fresh = createTsScanner({ procfs: f.root, workers: 0 });
  try {
    await f.set(tree());
    for (let cycle = 0; cycle < 3; cycle++) {
      // one process more each cycle: the recycled buffers are filled with more rows than the last time
      if (cycle > 0) await f.set([...tree(), ...Array.from({ length: cycle * 40 }, (_, k) => ({ pid: 1000 + k, comm: `n${k}`, cmdline: [`n${k}`] }))]);
      const l = await s.listProcs();
      const want = await fresh.listProcs();
      assert.deepStrictEqual(l, want);
      const pids = [...l.pid];
      const d = await s.readDetails(request(pids));
      assert.deepStrictEqual(d, await fresh.readDetails(request(pids)));
      s.release!(d);
      s.release!(l);
      // given back: the caller's views are empty now, never stale values
      assert.equal(l.pid.length, 0);
      assert.equal(d.cmdline.bytes.length, 0);
      assert.equal(d.threads.tid.length, 0);
    }
    // columns this scanner did not make are left alone
    const other = await fresh.listProcs();
    s.release!(other);
    assert.ok(other.pid.length > 0);
  } finally {
    s.close();
    fresh.close();
    await f.remove();
  }
});

test('a crashed worker fails the pending call only; the next call gets a new worker', async () => {
  const f = await FakeProcfs.create();
  const s = createTsScanner({ procfs: f.root, workers: 1 });
  try {
    await f.set(tree().slice(0, 10));
    const before = await s.listProcs();
    const [w] = workers(s);
    const id = w.threadId;
    // the worker dies with the call in flight: that call fails, the next one gets a new worker
    const dying = w.terminate();
    await assert.rejects(s.listProcs(), /ts reader worker exited/);
    await dying;
    const after = await s.listProcs();
    assert.deepStrictEqual(after, before);
    const [w2] = workers(s);
    assert.notEqual(w2.threadId, id);
  } finally {
    s.close();
    await f.remove();
  }
});

test('a listing failure in a worker is a ProcfsListError worded like Go', async () => {
  const s = createTsScanner({ procfs: '/nonexistent-procfs-root', workers: 2 });
  try {
    await assert.rejects(s.listProcs(), (e: Error) => {
      assert.ok(e instanceof ProcfsListError);
      assert.equal(e.message, 'open /nonexistent-procfs-root: no such file or directory');
      return true;
    });
  } finally {
    s.close();
  }
});

test('close() ends the workers; the scanner still works after (workers made again)', async () => {
  const s = createTsScanner({ procfs: '/proc', workers: 2 });
  await s.listProcs();
  assert.ok(workers(s).length >= 1);
  s.close();
  assert.deepEqual(workers(s), []);
  const c = await s.listProcs();
  assert.ok(c.count > 0);
  s.close();
});

test('idle workers do not keep the process alive', async () => {
  const mod = path.join(__dirname, '../src/proc/ts-reader.js');
  const script = `
    const s = require(${JSON.stringify(mod)}).createTsScanner({ procfs: '/proc', workers: 2 });
    s.listProcs().then((c) => s.readDetails({ pids: c.pid.slice(0, 200), wantThreads: new Uint8Array(200),
      wantStatic: new Uint8Array(200), gatherSmaps: true, threadIo: true })).then((d) => console.log('rows', d.count));
  `;
  const out = await new Promise<string>((resolve, reject) => {
    execFile(process.execPath, ['-e', script], { timeout: 60_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout)));
  });
  assert.match(out, /^rows \d+/);
});
