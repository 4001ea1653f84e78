// One suite, run against both readers (the TS fallback and the native C++ scanner), plus the
// native scanner's own tests: thread counts, fd leaks, bad arguments, a live tree in churn.
// The native half skips with a reason when the addon is not built, unless NAMEDPROCESS_REQUIRE_NATIVE=1
// (npm run test:asan sets it, so an ASan run can never pass by skipping).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { promises as fsp, readdirSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  DetailColumns,
  DetailFlag,
  DetailRequest,
  packedBytes,
  packedString,
  ProcfsListError,
  Scanner,
  StatColumns,
} from '../src/proc/columns';
import { createNativeScanner, loadNative, NativeScanner } from '../src/proc/native';
import { selectScanner } from '../src/proc/select';
import { createTsScanner } from '../src/proc/ts-reader';
import { FakeProc, FakeProcfs, statText } from './fakeproc';

const native = loadNative();
const REQUIRE_NATIVE = process.env.NAMEDPROCESS_REQUIRE_NATIVE === '1';
const nativeSkip: string | false = native.addon || REQUIRE_NATIVE ? false : `native scanner not built (${native.reason})`;
if (nativeSkip) console.log(`# skipping the native half: ${nativeSkip}`);

function makeNative(procfs: string, threads = 0): NativeScanner {
  const r = createNativeScanner({ procfs, threads });
  if (!r.scanner) throw new Error(`native scanner unavailable: ${r.reason}`);
  return r.scanner;
}

const READERS: Array<{ kind: 'ts' | 'native'; make: (procfs: string) => Scanner; skip: string | false }> = [
  { kind: 'ts', make: (procfs) => createTsScanner({ procfs }), skip: false },
  { kind: 'native', make: (procfs) => makeNative(procfs), skip: nativeSkip },
];

function request(
  pids: number[],
  o: { threads?: boolean; static?: boolean; smaps?: boolean; threadIo?: boolean } = {},
): DetailRequest {
  return {
    pids: Int32Array.from(pids),
    wantThreads: new Uint8Array(pids.length).fill(o.threads ? 1 : 0),
    wantStatic: new Uint8Array(pids.length).fill(o.static ? 1 : 0),
    gatherSmaps: o.smaps ?? false,
    threadIo: o.threadIo ?? false,
  };
}

function rowOf(c: StatColumns, pid: number): number {
  const i = c.pid.indexOf(pid);
  assert.ok(i >= 0, `pid ${pid} listed`);
  return i;
}

async function withTree(
  make: (procfs: string) => Scanner,
  procs: FakeProc[],
  fn: (s: Scanner, f: FakeProcfs) => Promise<void>,
): Promise<void> {
  const f = await FakeProcfs.create({ btime: 1234 });
  const s = make(f.root);
  try {
    await f.set(procs);
    await fn(s, f);
  } finally {
    s.close();
    await f.remove();
  }
}

const UNLIMITED = 18446744073709551615;

for (const reader of READERS) {
  describe(`reader: ${reader.kind}`, { skip: reader.skip }, () => {
    const make = reader.make;

    test('bootTime reads btime; a bad root is a start-up error with the reference wording', async () => {
      await withTree(make, [], async (s) => assert.equal(await s.bootTime(), 1234));
      const missing = path.join(os.tmpdir(), `npe-native-missing-${process.pid}`);
      await assert.rejects(make(missing).bootTime(), { message: `could not read "${missing}": stat ${missing}: no such file or directory` });
    });

    test('listProcs: stat fields, comm with parentheses and spaces, raw invalid UTF-8, odd pid names', async () => {
      const procs: FakeProc[] = [
        { pid: 10, comm: 'a) (b c)', ppid: 1, state: 'R', starttime: 500, utime: 7, stime: 8, minflt: 9, majflt: 11, vsize: 4096, rss: 3, numThreads: 1 },
        { pid: 11, comm: 'x', raw: { stat: statLine(11, Buffer.from([0x62, 0x61, 0xff, 0x73, 0x68])) } },
        { pid: 7, comm: 'zeros', dirName: '007' },
        { pid: 8, comm: 'plus', dirName: '+8' },
        { pid: 12, comm: 'short', raw: { stat: '12 (short) S 1 2 3\n' } },
        { pid: 13, comm: 'big', utime: 18446744073709551615n, starttime: 9007199254740993n },
      ];
      await withTree(make, procs, async (s, f) => {
        await fsp.mkdir(path.join(f.root, 'self'));
        await fsp.writeFile(path.join(f.root, 'uptime'), '1 2\n');
        const c = await s.listProcs();
        // "007" and "+8" are read as 7/ and 8/ (docs/behaviour.md#differences-from-the-reference), which do not exist here: no rows
        assert.deepEqual([...c.pid].sort((a, b) => a - b), [10, 11, 13]);
        assert.equal(c.count, 3);
        const i = rowOf(c, 10);
        assert.equal(packedString(c.comm, i), 'a) (b c)');
        assert.equal(String.fromCharCode(c.state[i]), 'R');
        assert.deepEqual(
          [c.ppid[i], c.startTicks[i], c.utime[i], c.stime[i], c.minflt[i], c.majflt[i], c.vsize[i], c.rss[i], c.numThreads[i]],
          [1, 500, 7, 8, 9, 11, 4096, 3, 1],
        );
        assert.deepEqual([...packedBytes(c.comm, rowOf(c, 11))], [0x62, 0x61, 0xff, 0x73, 0x68]);
        assert.equal(packedString(c.comm, rowOf(c, 11)), 'ba\ufffdsh');
        const b = rowOf(c, 13);
        assert.equal(c.utime[b], UNLIMITED);
        assert.equal(c.startTicks[b], 9007199254740992);
      });
    });

    test('listProcs on a missing root throws ProcfsListError', async () => {
      const missing = path.join(os.tmpdir(), `npe-native-missing-${process.pid}`);
      await assert.rejects(make(missing).listProcs(), (e: unknown) => e instanceof ProcfsListError);
    });

    test('readDetails: status, limits, io, fds, smaps, wchan, and static files only when asked', async () => {
      const p: FakeProc = {
        pid: 20, comm: 'app', uid: 33, ctxVol: 5, ctxNonvol: 6, vmSwapKb: 10, readBytes: 100, writeBytes: 200,
        fdCount: 4, fdSoftLimit: 4096, pssKb: 8, swapPssKb: 2, wchan: 'do_select', cmdline: ['app', '-x', ''], cgroup: '0::/a\n',
      };
      await withTree(make, [p, { pid: 21, comm: 'nolimit', fdSoftLimit: 'unlimited' }], async (s) => {
        const d = await s.readDetails(request([20, 21], { static: true, smaps: true }));
        assert.equal(d.count, 2);
        assert.equal(d.flags[0], 0);
        assert.deepEqual(
          [d.uid[0], d.ctxVol[0], d.ctxNonvol[0], d.swapBytes[0], d.fdLimit[0], d.readBytes[0], d.writeBytes[0], d.fdOpen[0], d.pss[0], d.swapPss[0]],
          [33, 5, 6, 10240, 4096, 100, 200, 4, 8192, 2048],
        );
        assert.equal(packedString(d.wchan, 0), 'do_select');
        assert.equal(packedString(d.cmdline, 0), 'app\0-x\0\0');
        assert.equal(packedString(d.cgroup, 0), '0::/a\n');
        assert.equal(d.fdLimit[1], UNLIMITED);
        const plain = await s.readDetails(request([20]));
        assert.equal(packedString(plain.cmdline, 0), '');
        assert.equal(packedString(plain.cgroup, 0), '');
        assert.equal(plain.pss[0], 0);
        assert.deepEqual([...plain.threadStart], [0, 0]);
      });
    });

    test('missing files become flags; a missing pid directory is GONE', async () => {
      const procs: FakeProc[] = [
        { pid: 30, comm: 'noio', omit: ['io'] },
        { pid: 31, comm: 'nofd', omit: ['fd'] },
        { pid: 32, comm: 'nowchan', omit: ['wchan'] },
        { pid: 33, comm: 'nosmaps', omit: ['smaps_rollup'] },
        { pid: 34, comm: 'notask', omit: ['task'] },
        { pid: 35, comm: 'nostatus', omit: ['status'] },
        { pid: 36, comm: 'nolimits', omit: ['limits'] },
        { pid: 37, comm: 'nocmd', omit: ['cmdline', 'cgroup'] },
        { pid: 38, comm: 'smapsfb', omit: ['smaps_rollup'], raw: { smaps: smapsText() } },
      ];
      await withTree(make, procs, async (s) => {
        const pids = [30, 31, 32, 33, 34, 35, 36, 37, 38, 39];
        const d = await s.readDetails(request(pids, { static: true, smaps: true, threads: true }));
        const f = (pid: number) => d.flags[pids.indexOf(pid)];
        assert.equal(f(30), DetailFlag.IO_ERR);
        assert.equal(f(31), DetailFlag.FD_ERR);
        assert.equal(d.fdOpen[1], -1);
        assert.equal(f(32), DetailFlag.WCHAN_ERR);
        assert.equal(f(33), DetailFlag.SMAPS_ERR);
        assert.equal(f(34), DetailFlag.TASK_ERR);
        assert.equal(f(35), DetailFlag.STATUS_ERR);
        assert.equal(f(36), DetailFlag.LIMITS_ERR);
        assert.equal(f(37), DetailFlag.CMDLINE_ERR);
        assert.equal(f(38), 0);
        assert.deepEqual([d.pss[8], d.swapPss[8]], [(3 + 4) * 1024, 5 * 1024]);
        assert.equal(f(39), DetailFlag.GONE);
        assert.equal(d.fdOpen[9], -1);
      });
    });

    test('threads: only when asked, fewer than 2 readable means none, unreadable ones are skipped', async () => {
      const threads = [
        { tid: 40, comm: 'main', ctxVol: 1, ctxNonvol: 2, utime: 3, readBytes: 7, wchan: 'ep_poll' },
        { tid: 41, comm: 'worker (1)', ctxVol: 10, state: 'R', readBytes: 9 },
        { tid: 42, comm: 'broken' },
      ];
      const procs: FakeProc[] = [
        { pid: 40, comm: 'mt', threads, omit: ['wchan', 'task/42/status'] },
        { pid: 50, comm: 'one', threads: [{ tid: 50 }, { tid: 51 }], omit: ['task/51/stat'] },
      ];
      await withTree(make, procs, async (s) => {
        const d = await s.readDetails(request([40, 50], { threads: true, threadIo: true }));
        // 40 has two readable threads: no wchan read, so its missing wchan is no error
        assert.equal(d.flags[0], 0);
        assert.deepEqual([...d.threadStart], [0, 2, 2]);
        const t = d.threads;
        assert.equal(t.count, 2);
        assert.deepEqual([...t.tid].sort(), [40, 41]);
        const k = t.tid.indexOf(41);
        assert.equal(packedString(t.comm, k), 'worker (1)');
        assert.equal(String.fromCharCode(t.state[k]), 'R');
        assert.deepEqual([t.ctxVol[k], t.readBytes[k]], [10, 9]);
        assert.equal(packedString(t.wchan, t.tid.indexOf(40)), 'ep_poll');
        // 50 has one readable thread: single-threaded, so its own wchan is read
        assert.equal(packedString(d.wchan, 1), '0');
        const noIo = await s.readDetails(request([40], { threads: true, threadIo: false }));
        assert.deepEqual([...noIo.threads.readBytes], [0, 0]);
      });
    });

    test('big files: a 1 MB cmdline, a status with 5000 groups, a 2 MiB cmdline cut at 1 MiB', async () => {
      const big = 'x'.repeat(1_000_000);
      const groups = Array.from({ length: 5000 }, (_, i) => 1000 + i).join(' ');
      const procs: FakeProc[] = [
        { pid: 60, comm: 'bigcmd', cmdline: [big] },
        { pid: 61, comm: 'groups', uid: 77, ctxVol: 3, raw: {} },
        { pid: 62, comm: 'huge', cmdline: ['y'.repeat(2 * 1024 * 1024)] },
      ];
      await withTree(make, procs, async (s, f) => {
        const st = await fsp.readFile(path.join(f.root, '61', 'status'), 'utf8');
        await fsp.writeFile(path.join(f.root, '61', 'status'), st.replace(/^Groups:.*$/m, `Groups:\t${groups}`));
        const d = await s.readDetails(request([60, 61, 62], { static: true }));
        assert.deepEqual([...d.flags], [0, 0, 0]);
        assert.equal(packedBytes(d.cmdline, 0).length, 1_000_001);
        assert.deepEqual([d.uid[1], d.ctxVol[1]], [77, 3]);
        assert.equal(packedBytes(d.cmdline, 2).length, 1024 * 1024);
      });
    });

    test('status without Uid reads uid 0; a malformed stat omits the row', async () => {
      const procs: FakeProc[] = [
        { pid: 70, comm: 'nouid', uid: 5 },
        { pid: 71, comm: 'bad', raw: { stat: '71 (bad) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39 40\n' } },
      ];
      await withTree(make, procs, async (s, f) => {
        const st = await fsp.readFile(path.join(f.root, '70', 'status'), 'utf8');
        await fsp.writeFile(path.join(f.root, '70', 'status'), st.replace(/^Uid:.*\n/m, ''));
        const d = await s.readDetails(request([70]));
        assert.equal(d.flags[0], 0);
        assert.equal(d.uid[0], 0);
        const c = await s.listProcs();
        assert.deepEqual([...c.pid], [70]);
      });
    });
  });
}

function statLine(pid: number, comm: Buffer): Buffer {
  return statText({
    id: pid, comm, state: 'S', ppid: 1, minflt: 0, majflt: 0, utime: 0, stime: 0, numThreads: 1, starttime: 0, vsize: 0, rss: 0, pgrp: pid,
  } as Parameters<typeof statText>[0]);
}

function smapsText(): string {
  return (
    '00400000-00452000 r-xp 00000000 08:02 173521      /usr/bin/app\n' +
    'Size:                328 kB\nRss:                 300 kB\nPss:                   3 kB\nSwapPss:               1 kB\n' +
    'VmFlags: rd ex mr mw me dw sd\n' +
    'ffffffffff600000-ffffffffff601000 r-xp 00000000 00:00 0                  [vsyscall]\n' +
    'Pss:                   4 kB\nSwapPss:               4 kB\n'
  );
}

// ---------------------------------------------------------------- native only

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('native scanner', { skip: nativeSkip }, () => {
  test('released columns: the next cycle is built in their buffers, with the values a fresh scanner reads', async () => {
    const procs = (n: number): FakeProc[] => Array.from({ length: n }, (_, i) => ({ pid: 100 + i, comm: `c${i % 3}`, utime: i, cmdline: [`x${i}`], threads: i === 0 ? [{ tid: 100 }, { tid: 900 }] : undefined }));
    const f = await FakeProcfs.create();
    const s = makeNative(f.root, 2);
    const fresh = makeNative(f.root, 2);
    const buffers = (x: unknown): Set<ArrayBufferLike> => {
      const out = new Set<ArrayBufferLike>();
      const walk = (v: unknown): void => {
        if (ArrayBuffer.isView(v)) {
          if (v.byteLength > 0) out.add(v.buffer);
        } else if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
      };
      walk(x);
      return out;
    };
    const read = async (sc: NativeScanner) => {
      const l = await sc.listProcs();
      const req = { pids: l.pid.slice(), wantThreads: Uint8Array.from(l.numThreads, (t) => (t >= 2 ? 1 : 0)), wantStatic: new Uint8Array(l.count).fill(1), gatherSmaps: true, threadIo: false };
      return { l, d: await sc.readDetails(req) };
    };
    try {
      await f.set(procs(40));
      const first = await read(s);
      const released = new Set([...buffers(first.l), ...buffers(first.d)]);
      s.release!(first.d);
      s.release!(first.l);
      // the same host: every column of the next cycle is in a buffer given back
      const second = await read(s);
      const used = new Set([...buffers(second.l), ...buffers(second.d)]);
      assert.ok(used.size > 20, `${used.size} buffers`);
      for (const b of used) assert.ok(released.has(b), 'a column of the second cycle is in a new buffer');
      assert.deepEqual(second, await read(fresh));
      s.release!(second.d);
      s.release!(second.l);
      // one process more and other values: what was given back is overwritten with the right values
      await f.set(procs(41).map((p) => ({ ...p, utime: Number(p.utime) + 7, comm: p.comm + 'z' })));
      const third = await read(s);
      assert.equal(third.l.count, 41);
      assert.deepEqual(third, await read(fresh));
    } finally {
      s.close();
      fresh.close();
      await f.remove();
    }
  });

  test('bootTime: the btime and the TS reader\'s Go-style start-up errors', async () => {
    const f = await FakeProcfs.create({ btime: 1234 });
    try {
      const missing = path.join(f.root, 'nope');
      const file = path.join(f.root, 'stat');
      const empty = path.join(f.root, 'empty');
      await fsp.mkdir(empty);
      const bad = path.join(f.root, 'bad');
      await fsp.mkdir(bad);
      await fsp.writeFile(path.join(bad, 'stat'), 'cpu  1 2 3\nbtime abc\n');
      const cases: Array<[string, number | string]> = [
        [f.root, 1234],
        [missing, `could not read "${missing}": stat ${missing}: no such file or directory`],
        [file, `mount point "${file}" is not a directory`],
        [empty, `open ${empty}/stat: no such file or directory`],
        [bad, 'couldn\'t parse "abc" (btime): strconv.ParseUint: parsing "abc": invalid syntax'],
      ];
      for (const [root, want] of cases) {
        for (const make of [(r: string) => makeNative(r), (r: string) => createTsScanner({ procfs: r })]) {
          const got = await make(root).bootTime().then((v) => v, (e: Error) => e.message);
          assert.equal(got, want, root);
        }
      }
    } finally {
      await f.remove();
    }
  });

  test('the same columns with 1, 3 and 8 threads (rows stay in readdir order)', async () => {
    const procs: FakeProc[] = Array.from({ length: 300 }, (_, i) => ({
      pid: 1000 + i,
      comm: `p${i % 7}`,
      utime: i,
      fdCount: i % 5,
      cmdline: [`p${i}`, 'arg'],
      threads: i % 10 === 0 ? [{ tid: 1000 + i }, { tid: 5000 + i, comm: 'w' }] : undefined,
    }));
    const f = await FakeProcfs.create();
    try {
      await f.set(procs);
      const results = [];
      for (const n of [1, 3, 8]) {
        const s = makeNative(f.root, n);
        assert.equal(s.info().threads, n);
        const l = await s.listProcs();
        const d = await s.readDetails({
          pids: l.pid,
          wantThreads: Uint8Array.from(l.numThreads, (t) => (t >= 2 ? 1 : 0)),
          wantStatic: new Uint8Array(l.count).fill(1),
          gatherSmaps: true,
          threadIo: true,
        });
        results.push({ l, d });
        s.close();
      }
      assert.equal(results[0].l.count, 300);
      assert.equal(results[0].d.threads.count, 60);
      assert.deepEqual(results[1], results[0]);
      assert.deepEqual(results[2], results[0]);
    } finally {
      await f.remove();
    }
  });

  test('knows a real procfs (st_size fd count, prlimit) from a fake tree', async () => {
    const s = makeNative('/proc');
    assert.deepEqual({ ...s.info(), threads: 0 }, { procfs: '/proc', threads: 0, realProcfs: true, ownProcfs: true });
    const f = await FakeProcfs.create();
    try {
      const t = makeNative(f.root);
      assert.equal(t.info().realProcfs, false);
      assert.equal(t.info().ownProcfs, false);
    } finally {
      await f.remove();
    }
  });

  test('never throws across the boundary: bad arguments reject, a closed scanner rejects', async () => {
    const s = makeNative('/proc', 1);
    await assert.rejects(s.readDetails(undefined as unknown as DetailRequest), /expected a request object/);
    await assert.rejects(s.readDetails({ ...request([1]), pids: [1] as unknown as Int32Array }), /pids must be an Int32Array/);
    await assert.rejects(s.readDetails({ ...request([1]), wantThreads: null as unknown as Uint8Array }), /wantThreads/);
    // shorter flag arrays mean "no" for the missing rows
    const d = await s.readDetails({ ...request([1, process.pid]), wantStatic: new Uint8Array(0) });
    assert.equal(d.count, 2);
    s.close();
    await assert.rejects(s.listProcs(), /closed/);
  });

  test('leaks no fd across scans, errors included', async () => {
    const f = await FakeProcfs.create();
    try {
      await f.set([{ pid: 5, comm: 'a', omit: ['io', 'limits'] }, { pid: 6, comm: 'b', threads: [{ tid: 6 }, { tid: 7 }] }]);
      const s = makeNative(f.root, 2);
      const live = makeNative('/proc', 2);
      const before = openFds();
      for (let i = 0; i < 20; i++) {
        const l = await s.listProcs();
        await s.readDetails({ ...request([...l.pid, 99], { static: true, smaps: true, threads: true, threadIo: true }) });
        const ll = await live.listProcs();
        await live.readDetails(request([...ll.pid], { static: true, smaps: true, threads: true }));
      }
      assert.equal(openFds(), before);
    } finally {
      await f.remove();
    }
  });

  test('concurrent calls on one scanner each get their own, identical answer', async () => {
    const f = await FakeProcfs.create();
    try {
      await f.set(Array.from({ length: 50 }, (_, i) => ({ pid: 100 + i, comm: `c${i}` })));
      const s = makeNative(f.root, 2);
      const all = await Promise.all(Array.from({ length: 6 }, () => s.listProcs()));
      for (const c of all) assert.deepEqual(c, all[0]);
    } finally {
      await f.remove();
    }
  });

  test('live /proc in churn: processes and threads come and go mid-scan, columns stay well formed', async (t) => {
    // A child that keeps starting short-lived processes and threads for the duration of the test.
    const churn = spawn(
      process.execPath,
      [
        '-e',
        `const { Worker } = require('node:worker_threads'); const { spawn } = require('node:child_process');
         setInterval(() => { for (let i = 0; i < 4; i++) new Worker('setTimeout(() => {}, 5)', { eval: true }); }, 10);
         setInterval(() => { for (let i = 0; i < 4; i++) spawn('true').on('error', () => {}); }, 10);
         setTimeout(() => process.exit(0), 20000);`,
      ],
      { stdio: 'ignore' },
    );
    t.after(() => churn.kill('SIGKILL'));
    await new Promise((r) => setTimeout(r, 300));
    const s = makeNative('/proc', 4);
    const before = openFds();
    let sawThreads = 0;
    for (let round = 0; round < 40; round++) {
      const l = await s.listProcs();
      checkPacked(l.comm, l.count);
      const d = await s.readDetails({
        pids: l.pid,
        wantThreads: new Uint8Array(l.count).fill(1),
        wantStatic: new Uint8Array(l.count).fill(1),
        gatherSmaps: true,
        threadIo: true,
      });
      checkDetails(d, l.count);
      const i = l.pid.indexOf(churn.pid!);
      if (i >= 0 && d.threadStart[i + 1] - d.threadStart[i] >= 2) sawThreads++;
    }
    assert.equal(openFds(), before);
    assert.ok(sawThreads > 0, 'the churning child was seen with its threads');
  });

  test('selectScanner: native by default, NAMEDPROCESS_READER forces either, other values are errors', () => {
    const env = { ...process.env, NAMEDPROCESS_READER: '' };
    assert.equal(selectScanner({ procfs: '/proc', env }).scanner.kind, 'native');
    assert.equal(selectScanner({ procfs: '/proc', env: { ...env, NAMEDPROCESS_READER: 'ts' } }).scanner.kind, 'ts');
    const forced = selectScanner({ procfs: '/proc', env: { ...env, NAMEDPROCESS_READER: 'native' }, threads: 3 });
    assert.equal(forced.scanner.kind, 'native');
    assert.match(forced.reason, /forced by NAMEDPROCESS_READER=native.*3 threads/);
    assert.throws(() => selectScanner({ procfs: '/proc', env: { ...env, NAMEDPROCESS_READER: 'c++' } }), /NAMEDPROCESS_READER must be "native" or "ts", got "c\+\+"/);
  });
});

test('selectScanner falls back to TS when the addon is missing, and forcing native then says why', () => {
  const env = { ...process.env, NAMEDPROCESS_READER: '', NAMEDPROCESS_NATIVE_PATH: path.join(os.tmpdir(), 'npe-no-such-addon.node') };
  const sel = selectScanner({ procfs: '/proc', env });
  assert.equal(sel.scanner.kind, 'ts');
  assert.match(sel.reason, /native scanner is not available: .*npe-no-such-addon\.node does not exist/);
  assert.throws(
    () => selectScanner({ procfs: '/proc', env: { ...env, NAMEDPROCESS_READER: 'native' } }),
    /^Error: NAMEDPROCESS_READER=native but the native scanner is not available: .*npe-no-such-addon\.node does not exist/,
  );
});

function checkPacked(p: { bytes: Uint8Array; offsets: Uint32Array }, count: number): void {
  assert.equal(p.offsets.length, count + 1);
  assert.equal(p.offsets[0], 0);
  for (let i = 0; i < count; i++) assert.ok(p.offsets[i] <= p.offsets[i + 1]);
  assert.equal(p.offsets[count], p.bytes.length);
}

function checkDetails(d: DetailColumns, count: number): void {
  assert.equal(d.count, count);
  for (const p of [d.wchan, d.cmdline, d.cgroup]) checkPacked(p, count);
  assert.equal(d.threadStart.length, count + 1);
  for (let i = 0; i < count; i++) {
    const n = d.threadStart[i + 1] - d.threadStart[i];
    assert.ok(n === 0 || n >= 2, 'a row has no threads or at least 2');
    if (d.flags[i] & DetailFlag.GONE) assert.equal(n, 0);
  }
  assert.equal(d.threadStart[count], d.threads.count);
  checkPacked(d.threads.comm, d.threads.count);
  checkPacked(d.threads.wchan, d.threads.count);
}
