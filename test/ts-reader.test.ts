import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
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
import { createTsScanner, parsePidName } from '../src/proc/ts-reader';
import { FakeProc, FakeProcfs } from './fakeproc';

function request(pids: number[], o: { threads?: boolean; static?: boolean; smaps?: boolean; threadIo?: boolean } = {}): DetailRequest {
  return {
    pids: Int32Array.from(pids),
    wantThreads: new Uint8Array(pids.length).fill(o.threads ? 1 : 0),
    wantStatic: new Uint8Array(pids.length).fill(o.static ? 1 : 0),
    gatherSmaps: o.smaps ?? false,
    threadIo: o.threadIo ?? false,
  };
}

async function withTree(procs: FakeProc[], fn: (f: FakeProcfs, s: Scanner) => Promise<void>, btime?: number): Promise<void> {
  const f = await FakeProcfs.create({ btime });
  const s = createTsScanner({ procfs: f.root });
  try {
    await f.set(procs);
    await fn(f, s);
  } finally {
    s.close();
    await f.remove();
  }
}

function row(c: StatColumns, pid: number): number {
  const i = [...c.pid].indexOf(pid);
  assert.ok(i >= 0, `pid ${pid} listed`);
  return i;
}

async function details(s: Scanner, pid: number, o: Parameters<typeof request>[1] = {}): Promise<DetailColumns> {
  return s.readDetails(request([pid], o));
}

test('TestReadFixture mirrored: the upstream fixture proc reads back exactly', async () => {
  const fixture: FakeProc = {
    pid: 14804,
    comm: 'process-exporte',
    ppid: 10884,
    starttime: 0x4f27b,
    utime: 10,
    stime: 4,
    minflt: 1603,
    majflt: 767,
    numThreads: 7,
    vsize: 0x1061000,
    rss: 1969,
    uid: 1000,
    vmSwapKb: 10,
    ctxVol: 72,
    ctxNonvol: 6,
    readBytes: 1814455,
    writeBytes: 0,
    fdCount: 5,
    fdSoftLimit: 1024,
    cmdline: ['./process-exporter', '-procnames', 'bash'],
    cgroup: '0::/system.slice/docker-8dde0b0d6e919baef8d635cd9399b22639ed1e400eaec1b1cb94ff3b216cf3c3.scope\n',
    omit: ['wchan', 'smaps_rollup', 'task'],
  };
  await withTree(
    [fixture],
    async (_f, s) => {
      const btime = await s.bootTime();
      assert.equal(btime, 1508450329);
      const c = await s.listProcs();
      assert.equal(c.count, 1);
      assert.equal(c.pid[0], 14804);
      assert.equal(c.startTicks[0], 324219);
      assert.equal(new Date((btime + c.startTicks[0] / 100) * 1000).toISOString(), '2017-10-19T22:52:51.190Z');
      assert.equal(packedString(c.comm, 0), 'process-exporte');
      assert.equal(c.ppid[0], 10884);
      assert.equal(String.fromCharCode(c.state[0]), 'S');
      assert.equal(c.utime[0] / 100, 0.1);
      assert.equal(c.stime[0] / 100, 0.04);
      assert.equal(c.minflt[0], 1603);
      assert.equal(c.majflt[0], 767);
      assert.equal(c.numThreads[0], 7);
      assert.equal(c.vsize[0], 0x1061000);
      assert.equal(c.rss[0] * 4096, 0x7b1000);

      const d = await s.readDetails(request([14804], { threads: true, static: true }));
      // No task/ and no wchan in the fixture: partial errors, as upstream notes.
      assert.equal(d.flags[0], DetailFlag.TASK_ERR | DetailFlag.WCHAN_ERR);
      assert.equal(d.uid[0], 1000);
      assert.equal(d.swapBytes[0], 0x2800);
      assert.equal(d.ctxVol[0], 72);
      assert.equal(d.ctxNonvol[0], 6);
      assert.equal(d.readBytes[0], 1814455);
      assert.equal(d.writeBytes[0], 0);
      assert.equal(d.fdOpen[0], 5);
      assert.equal(d.fdLimit[0], 1024);
      assert.equal(d.pss[0], 0);
      assert.equal(packedString(d.wchan, 0), '');
      assert.equal(packedString(d.cmdline, 0), './process-exporter\0-procnames\0bash\0');
      assert.equal(packedString(d.cgroup, 0), fixture.cgroup);
      assert.equal(d.threads.count, 0);
      assert.deepEqual([...d.threadStart], [0, 0]);
    },
    1508450329,
  );
});

test('a healthy single-threaded proc: no flags, smaps, wchan, no thread rows', async () => {
  await withTree([{ pid: 10, comm: 'one', rss: 25, pssKb: 77, swapPssKb: 3, wchan: 'do_wait', fdCount: 2, fdSoftLimit: 'unlimited' }], async (_f, s) => {
    const d = await details(s, 10, { threads: true, static: true, smaps: true, threadIo: true });
    assert.equal(d.flags[0], 0);
    assert.equal(d.pss[0], 77 * 1024);
    assert.equal(d.swapPss[0], 3 * 1024);
    assert.equal(d.fdOpen[0], 2);
    assert.equal(d.fdLimit[0], 18446744073709551615);
    // Verbatim: no trimming, no "0" folding.
    assert.equal(packedString(d.wchan, 0), 'do_wait');
    assert.equal(d.threads.count, 0);
    assert.equal(packedString(d.cgroup, 0), '0::/\n');
    assert.equal(packedString(d.cmdline, 0), 'one\0');
  });
});

test('rows that did not ask for static data get empty cmdline and cgroup', async () => {
  await withTree([{ pid: 10, comm: 'one' }], async (_f, s) => {
    const d = await details(s, 10);
    assert.equal(packedString(d.cmdline, 0), '');
    assert.equal(packedString(d.cgroup, 0), '');
    assert.equal(d.flags[0], 0);
  });
});

test('multi-threaded proc: per-thread columns, thread wchan instead of the pid wchan', async () => {
  const p: FakeProc = {
    pid: 20,
    comm: 'multi',
    numThreads: 3,
    ctxVol: 1,
    threads: [
      { tid: 20, comm: 'multi', state: 'S', starttime: 5, utime: 11, stime: 12, minflt: 13, majflt: 14, ctxVol: 15, ctxNonvol: 16, readBytes: 17, writeBytes: 18, wchan: 'ep_poll' },
      { tid: 21, comm: 'worker 1', state: 'R', starttime: 6, utime: 21, ctxVol: 25, readBytes: 27, wchan: '0' },
      { tid: 22, comm: 'worker 2', state: 'D', starttime: 7 },
    ],
    // The pid wchan must not be read for a multi-threaded row (docs/behaviour.md differences #3).
    omit: ['wchan', 'task/22/wchan', 'task/21/io'],
  };
  await withTree([p], async (_f, s) => {
    const d = await details(s, 20, { threads: true, threadIo: true });
    assert.equal(d.flags[0], 0);
    assert.deepEqual([...d.threadStart], [0, 3]);
    const t = d.threads;
    assert.equal(t.count, 3);
    const byTid = new Map([...t.tid].map((tid, k) => [tid, k]));
    const k0 = byTid.get(20)!;
    assert.equal(t.startTicks[k0], 5);
    assert.equal(packedString(t.comm, k0), 'multi');
    assert.equal(String.fromCharCode(t.state[k0]), 'S');
    assert.deepEqual([t.utime[k0], t.stime[k0], t.minflt[k0], t.majflt[k0]], [11, 12, 13, 14]);
    assert.deepEqual([t.ctxVol[k0], t.ctxNonvol[k0], t.readBytes[k0], t.writeBytes[k0]], [15, 16, 17, 18]);
    assert.equal(packedString(t.wchan, k0), 'ep_poll');
    const k1 = byTid.get(21)!;
    assert.equal(packedString(t.comm, k1), 'worker 1');
    assert.equal(String.fromCharCode(t.state[k1]), 'R');
    assert.equal(t.ctxVol[k1], 25);
    // Unreadable thread io is 0 without an error flag.
    assert.equal(t.readBytes[k1], 0);
    assert.equal(packedString(t.wchan, k1), '0');
    const k2 = byTid.get(22)!;
    assert.equal(String.fromCharCode(t.state[k2]), 'D');
    assert.equal(packedString(t.wchan, k2), '');
    assert.equal(packedString(d.wchan, 0), '');
  });
});

test('thread io is not read without threadIo', async () => {
  const p: FakeProc = { pid: 20, comm: 'm', threads: [{ tid: 20, readBytes: 5 }, { tid: 21, writeBytes: 6 }] };
  await withTree([p], async (_f, s) => {
    const d = await details(s, 20, { threads: true });
    assert.equal(d.threads.count, 2);
    assert.deepEqual([...d.threads.readBytes, ...d.threads.writeBytes], [0, 0, 0, 0]);
  });
});

test('threads whose stat or status fails are skipped; under 2 left means single-threaded', async () => {
  const p: FakeProc = {
    pid: 30,
    comm: 'm',
    wchan: 'pipe_read',
    threads: [{ tid: 30 }, { tid: 31 }, { tid: 32 }],
    omit: ['task/31/status'],
    raw: { 'task/32/stat': 'garbage' },
  };
  await withTree([p], async (_f, s) => {
    const d = await details(s, 30, { threads: true });
    assert.equal(d.flags[0], 0);
    assert.equal(d.threads.count, 0);
    // It counts as single-threaded, so the pid wchan is read.
    assert.equal(packedString(d.wchan, 0), 'pipe_read');
  });
  await withTree([{ ...p, threads: [{ tid: 30 }, { tid: 31 }, { tid: 32 }, { tid: 33 }] }], async (_f, s) => {
    const d = await details(s, 30, { threads: true });
    assert.deepEqual([...d.threads.tid].sort(), [30, 33]);
    assert.equal(packedString(d.wchan, 0), '');
  });
});

test('every error flag, one missing file at a time', async () => {
  const base = { comm: 'e', readBytes: 9, writeBytes: 9 };
  const cases: Array<[FakeProc, Parameters<typeof request>[1], number]> = [
    [{ pid: 101, ...base, omit: ['status'] }, {}, DetailFlag.STATUS_ERR],
    [{ pid: 102, ...base, omit: ['limits'] }, {}, DetailFlag.LIMITS_ERR],
    [{ pid: 103, ...base, omit: ['io'] }, {}, DetailFlag.IO_ERR],
    [{ pid: 104, ...base, omit: ['fd'] }, {}, DetailFlag.FD_ERR],
    [{ pid: 105, ...base, omit: ['wchan'] }, {}, DetailFlag.WCHAN_ERR],
    [{ pid: 106, ...base, omit: ['smaps_rollup'] }, { smaps: true }, DetailFlag.SMAPS_ERR],
    [{ pid: 107, ...base, omit: ['task'], threads: [{ tid: 107 }, { tid: 108 }] }, { threads: true }, DetailFlag.TASK_ERR],
    [{ pid: 109, ...base, omit: ['cmdline'] }, { static: true }, DetailFlag.CMDLINE_ERR],
    // A missing cgroup file is just empty.
    [{ pid: 110, ...base, omit: ['cgroup'] }, { static: true }, 0],
    // Without gatherSmaps a missing smaps_rollup is no error.
    [{ pid: 111, ...base, omit: ['smaps_rollup'] }, {}, 0],
    // Without wantThreads a missing task/ is no error (no walk).
    [{ pid: 112, ...base, omit: ['task'] }, {}, 0],
  ];
  await withTree(
    cases.map((c) => c[0]),
    async (_f, s) => {
      for (const [p, o, want] of cases) {
        const d = await details(s, p.pid, o);
        assert.equal(d.flags[0], want, `pid ${p.pid}`);
        if (want === DetailFlag.IO_ERR) assert.deepEqual([d.readBytes[0], d.writeBytes[0]], [0, 0]);
        else assert.equal(d.readBytes[0], 9, `pid ${p.pid} io`);
        assert.equal(d.fdOpen[0], want === DetailFlag.FD_ERR ? -1 : 3, `pid ${p.pid} fd`);
      }
    },
  );
});

test('a malformed file of each type sets its flag', async () => {
  const procs: Array<[FakeProc, Parameters<typeof request>[1], number]> = [
    [{ pid: 201, comm: 'm', raw: { status: 'Uid:\tnot-a-number\n' } }, {}, DetailFlag.STATUS_ERR | DetailFlag.STATUS_UNPARSABLE],
    [{ pid: 202, comm: 'm', raw: { limits: 'Limit\ngarbage\n' } }, {}, DetailFlag.LIMITS_ERR | DetailFlag.LIMITS_UNPARSABLE],
    [{ pid: 203, comm: 'm', raw: { io: 'rchar: 1\n' } }, {}, DetailFlag.IO_ERR],
    [{ pid: 204, comm: 'm', raw: { smaps_rollup: 'header\nPss 12\n' } }, { smaps: true }, DetailFlag.SMAPS_ERR],
    // A garbage cgroup file is passed through raw; parsing it is the consumer's business.
    [{ pid: 205, comm: 'm', raw: { cgroup: 'garbage' } }, { static: true }, 0],
  ];
  await withTree(
    procs.map((c) => c[0]),
    async (_f, s) => {
      for (const [p, o, want] of procs) {
        const d = await details(s, p.pid, o);
        assert.equal(d.flags[0], want, `pid ${p.pid}`);
      }
      assert.equal(packedString((await details(s, 205, { static: true })).cgroup, 0), 'garbage');
    },
  );
});

test('smaps fallback only when smaps_rollup is missing', async () => {
  const smaps = '55d0c7a00000-55d0c7a02000 r--p 00000000 08:01 1311 /usr/bin/x\nPss:   4 kB\nSwapPss:  1 kB\nVmFlags: rd\n7f00-7f01 rw-p 00000000 00:00 0\nPss:   6 kB\n';
  await withTree(
    [
      { pid: 301, comm: 'a', omit: ['smaps_rollup'], raw: { smaps: smaps } },
      { pid: 302, comm: 'b', pssKb: 50, raw: { smaps: 'garbage\n' } },
      { pid: 303, comm: 'c', raw: { smaps_rollup: '' } },
    ],
    async (_f, s) => {
      const d = await s.readDetails(request([301, 302, 303], { smaps: true }));
      assert.deepEqual([...d.flags], [0, 0, 0]);
      assert.deepEqual([...d.pss], [10 * 1024, 50 * 1024, 0]);
      assert.deepEqual([...d.swapPss], [1024, 0, 0]);
    },
  );
});

test('a stat that does not parse leaves the pid out of listProcs', async () => {
  await withTree(
    [
      { pid: 1, comm: 'ok' },
      { pid: 2, comm: 'short', raw: { stat: '2 (short) S 1 2 3\n' } },
      { pid: 3, comm: 'nostat', omit: ['stat'] },
      { pid: 4, comm: 'garbage', raw: { stat: 'garbage' } },
    ],
    async (_f, s) => {
      const c = await s.listProcs();
      assert.deepEqual([...c.pid], [1]);
    },
  );
});

test('stat columns: huge counters, odd comm, state letters', async () => {
  await withTree(
    [
      { pid: 5, comm: '(a) b)', state: 'Z', minflt: 18446744073709551615n, utime: 2n ** 53n + 1n, ppid: 4, numThreads: 1 },
      { pid: 6, comm: 'kworker/0:0H-events_highpri', state: 'I', ppid: 2 },
    ],
    async (_f, s) => {
      const c = await s.listProcs();
      const i = row(c, 5);
      assert.equal(packedString(c.comm, i), '(a) b)');
      assert.equal(String.fromCharCode(c.state[i]), 'Z');
      assert.equal(c.minflt[i], 2 ** 64);
      assert.equal(c.utime[i], 2 ** 53);
      assert.equal(c.ppid[i], 4);
      const j = row(c, 6);
      assert.equal(packedString(c.comm, j), 'kworker/0:0H-events_highpri');
      assert.equal(String.fromCharCode(c.state[j]), 'I');
    },
  );
});

test('invalid UTF-8 in comm: raw bytes kept, decoded to U+FFFD', async () => {
  const stat = Buffer.concat([Buffer.from('7 (ba'), Buffer.from([0xff]), Buffer.from('sh) S 1 7 7 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 100 1000 10 0 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0\n')]);
  await withTree([{ pid: 7, comm: 'x', raw: { stat } }], async (_f, s) => {
    const c = await s.listProcs();
    assert.equal(c.count, 1);
    assert.deepEqual([...packedBytes(c.comm, 0)], [0x62, 0x61, 0xff, 0x73, 0x68]);
    assert.equal(packedString(c.comm, 0), 'ba\uFFFDsh');
    assert.equal(c.startTicks[0], 100);
  });
});

test('pid directory names are parsed like Go ParseInt and re-formatted', async () => {
  assert.equal(parsePidName('007'), 7);
  assert.equal(parsePidName('+8'), 8);
  assert.equal(parsePidName('-3'), -3);
  assert.equal(parsePidName('self'), null);
  assert.equal(parsePidName('1a'), null);
  assert.equal(parsePidName(''), null);
  await withTree(
    [
      { pid: 7, comm: 'seven' },
      // Read as 7/, so it shows up as a second row for pid 7.
      { pid: 7, dirName: '007', comm: 'never-read' },
      // Read as 9/, which does not exist: no row.
      { pid: 9, dirName: '+9', comm: 'plus' },
      { pid: 11, dirName: 'self', comm: 'self' },
    ],
    async (_f, s) => {
      const c = await s.listProcs();
      assert.deepEqual([...c.pid], [7, 7]);
      assert.deepEqual([packedString(c.comm, 0), packedString(c.comm, 1)], ['seven', 'seven']);
    },
  );
});

test('a proc that vanished between listing and details is GONE, others unaffected', async () => {
  await withTree([{ pid: 40, comm: 'stay' }, { pid: 41, comm: 'go' }], async (f, s) => {
    const c = await s.listProcs();
    assert.equal(c.count, 2);
    await f.set([{ pid: 40, comm: 'stay' }]);
    const d = await s.readDetails(request([40, 41], { threads: true, static: true, smaps: true }));
    assert.equal(d.flags[0], 0);
    assert.equal(d.flags[1], DetailFlag.GONE);
    assert.equal(d.threadStart[2], 0);
  });
});

test('rows come back in request order with many pids in flight', async () => {
  const procs: FakeProc[] = [];
  for (let p = 1000; p < 1200; p++) procs.push({ pid: p, comm: `p${p}`, readBytes: p, uid: p });
  await withTree(procs, async (_f, s) => {
    const c = await s.listProcs();
    assert.equal(c.count, 200);
    const pids = [...c.pid].reverse();
    const d = await s.readDetails(request(pids, { static: true }));
    assert.deepEqual([...d.readBytes], pids);
    assert.deepEqual([...d.uid], pids);
    assert.deepEqual(
      pids.map((_p, i) => packedString(d.cmdline, i)),
      pids.map((p) => `p${p}\0`),
    );
  });
});

test('bootTime: Go-style startup errors', async () => {
  const f = await FakeProcfs.create({ btime: 1234 });
  try {
    assert.equal(await createTsScanner({ procfs: f.root }).bootTime(), 1234);
    const missing = path.join(f.root, 'nope');
    await assert.rejects(createTsScanner({ procfs: missing }).bootTime(), {
      message: `could not read "${missing}": stat ${missing}: no such file or directory`,
    });
    const file = path.join(f.root, 'stat');
    await assert.rejects(createTsScanner({ procfs: file }).bootTime(), { message: `mount point "${file}" is not a directory` });
    const empty = path.join(f.root, 'empty');
    await fsp.mkdir(empty);
    await assert.rejects(createTsScanner({ procfs: empty }).bootTime(), { message: `open ${empty}/stat: no such file or directory` });
    await fsp.writeFile(path.join(empty, 'stat'), 'cpu  1 2 3\nbtime abc\n');
    await assert.rejects(createTsScanner({ procfs: empty }).bootTime(), {
      message: 'couldn\'t parse "abc" (btime): strconv.ParseUint: parsing "abc": invalid syntax',
    });
    await fsp.writeFile(path.join(empty, 'stat'), 'cpu  1 2 3\n');
    assert.equal(await createTsScanner({ procfs: empty }).bootTime(), 0);
  } finally {
    await f.remove();
  }
});

test('listProcs throws ProcfsListError when the root cannot be listed', async () => {
  const f = await FakeProcfs.create();
  const s = createTsScanner({ procfs: f.root });
  await f.set([{ pid: 1, comm: 'x' }]);
  assert.equal((await s.listProcs()).count, 1);
  await f.remove();
  await assert.rejects(s.listProcs(), (e: unknown) => e instanceof ProcfsListError && /no such file or directory/.test((e as Error).message));
});

test('live /proc: finds itself with its ppid and several threads', async () => {
  const s = createTsScanner({ procfs: '/proc' });
  assert.ok((await s.bootTime()) > 1e9);
  const c = await s.listProcs();
  const i = row(c, process.pid);
  assert.equal(c.ppid[i], process.ppid);
  assert.ok(c.rss[i] > 0);
  assert.ok(c.numThreads[i] > 1, 'node runs several threads');
  const d = await s.readDetails(request([process.pid], { threads: true, static: true, smaps: true, threadIo: true }));
  assert.equal(d.flags[0] & (DetailFlag.STATUS_ERR | DetailFlag.LIMITS_ERR | DetailFlag.GONE | DetailFlag.TASK_ERR), 0);
  assert.equal(d.uid[0], process.getuid!());
  assert.ok(d.threads.count >= 2);
  assert.ok(d.fdOpen[0] >= 3);
  assert.ok([...d.threads.tid].includes(process.pid));
  assert.equal(packedString(d.cmdline, 0).split('\0')[0], process.argv0);
  s.close();
});

test('launched with --expose-gc the worker collects its own heap on the step; without it, no collection is forced', () => {
  // V8's GC trace names a collection by gc() "testing"; the worker runs its step after its first job
  const dist = path.join(__dirname, '..', 'src');
  const script = `
    const { createTsScanner } = require(${JSON.stringify(path.join(dist, 'proc', 'ts-reader.js'))});
    const s = createTsScanner({ procfs: '/proc' });
    s.listProcs().then(() => setTimeout(() => s.close(), 300));`;
  const run = (flags: string[]) => {
    const r = spawnSync(process.execPath, [...flags, '--trace-gc', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return /Mark-Compact[^\n]* testing; /.test(r.stdout);
  };
  assert.equal(run(['--expose-gc']), true);
  assert.equal(run([]), false);
});
