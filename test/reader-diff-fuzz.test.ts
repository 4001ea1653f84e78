// Reliability: generated fake trees fed to both readers, which must return the same columns, column for
// column. Values of any size, comms with parentheses, newlines and invalid UTF-8, files replaced by
// garbage or missing, threads. The name starts with reader-diff so that `npm run test:asan` runs it
// against the AddressSanitizer build of the native scanner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { DetailRequest, Scanner } from '../src/proc/columns';
import { createNativeScanner, loadNative } from '../src/proc/native';
import { createTsScanner } from '../src/proc/ts-reader';
import { FakeProcfs, type FakeProc } from './fakeproc';

const native = loadNative();
const REQUIRE_NATIVE = process.env.NAMEDPROCESS_REQUIRE_NATIVE === '1';
const skip: string | false = native.addon || REQUIRE_NATIVE ? false : `native scanner not built (${native.reason})`;

const count = fc.oneof(
  fc.integer({ min: 0, max: 1_000_000 }),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
  fc.constantFrom(2n ** 53n + 1n, 2n ** 63n, 2n ** 64n - 1n),
);
const comm = fc.oneof(
  fc.constantFrom('bash', 'a b', 'x)(y', ') (', 'tab\there', 'new\nline', ''),
  fc.uint8Array({ minLength: 1, maxLength: 16 }).map((b) => Buffer.from(b.map((c) => (c === 0 || c === 0x2f ? 0x41 : c))).toString('latin1')),
);
const garbage = fc.constantFrom(
  '',
  '\n',
  'garbage',
  'Uid:\t-1\t0\t0\t0\n',
  'voluntary_ctxt_switches:\t99999999999999999999\n',
  'nonvoluntary_ctxt_switches:\tlots\n',
  'VmSwap:\t18446744073709551616 kB\n',
  'Limit Soft Hard Units\nMax open files            -1                   4096                 files     \n',
  'Limit Soft Hard Units\nMax open files            99999999999999999999 4096                 files     \n',
  'rchar: 1\nwchar: 1\nsyscr: 1\nsyscw: 1\nread_bytes: 99999999999999999999\nwrite_bytes: 1\ncancelled_write_bytes: 0\n',
  '[rollup]\nPss: x kB\n',
  '1 (x) S 1',
  '0::/a:b\nbad\n',
  '\0\0\0',
  'x'.repeat(70_000),
);
const target = fc.constantFrom('status', 'limits', 'io', 'smaps_rollup', 'stat', 'cgroup', 'wchan', 'cmdline', 'schedstat');

const proc = (pid: number) =>
  fc.record(
    {
      comm,
      ppid: fc.integer({ min: 0, max: 50 }),
      state: fc.constantFrom('R', 'S', 'D', 'Z', 'I', 'X'),
      utime: count,
      stime: count,
      minflt: count,
      majflt: count,
      vsize: count,
      ctxVol: count,
      ctxNonvol: count,
      vmSwapKb: count,
      readBytes: count,
      writeBytes: count,
      fdCount: fc.integer({ min: 0, max: 5 }),
      fdSoftLimit: fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }), fc.constant('unlimited' as const)),
      cmdline: fc.array(fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0')), { maxLength: 4 }),
      wchan: fc.constantFrom('0', 'do_select', '', 'ep_poll'),
      schedstat: fc.option(fc.tuple(fc.constantFrom(0, 7, 2 ** 53 + 1), fc.constantFrom(0, 3)), { nil: undefined }),
      threads: fc.option(
        fc.array(fc.record({ comm: fc.option(comm, { nil: undefined }), utime: count, ctxVol: count, readBytes: count }), { minLength: 2, maxLength: 4 }),
        { nil: undefined },
      ),
      raw: fc.option(fc.dictionary(target, garbage, { maxKeys: 2 }), { nil: undefined }),
      omit: fc.option(fc.subarray(['io', 'limits', 'wchan', 'smaps_rollup', 'fd', 'status', 'cgroup']), { nil: undefined }),
    },
    { requiredKeys: ['comm', 'ppid', 'state', 'utime', 'stime', 'minflt', 'majflt', 'vsize', 'ctxVol', 'ctxNonvol', 'vmSwapKb', 'readBytes', 'writeBytes', 'fdCount', 'fdSoftLimit', 'cmdline', 'wchan'] },
  ).map(
    (r): FakeProc => ({
      pid,
      ...r,
      threads: r.threads?.map((t, k) => ({ tid: k === 0 ? pid : pid * 100 + k, ...t })),
    }),
  );

const tree = fc.tuple(...Array.from({ length: 24 }, (_, i) => proc(i + 1)));

async function both<T>(scanners: Scanner[], f: (s: Scanner) => Promise<T>): Promise<Array<{ ok: true; v: T } | { ok: false; e: string }>> {
  return Promise.all(
    scanners.map((s) =>
      f(s).then(
        (v) => ({ ok: true as const, v }),
        (e: Error) => ({ ok: false as const, e: e.message }),
      ),
    ),
  );
}

test('reliability: generated trees read the same by both readers, column for column', { skip }, async () => {
  await fc.assert(
    fc.asyncProperty(tree, async (procs) => {
      const fs = await FakeProcfs.create();
      const r = createNativeScanner({ procfs: fs.root });
      if (!r.scanner) throw new Error(r.reason);
      const scanners = [r.scanner, createTsScanner({ procfs: fs.root, workers: 0 })];
      try {
        await fs.set(procs);
        const [n, t] = await both(scanners, (s) => s.listProcs());
        assert.deepStrictEqual(n, t, 'listProcs');
        if (!n.ok) return;
        const cols = n.v;
        const req: DetailRequest = {
          pids: cols.pid.slice(),
          wantThreads: Uint8Array.from(cols.numThreads, (k) => (k >= 2 ? 1 : 0)),
          wantStatic: new Uint8Array(cols.count).fill(1),
          gatherSmaps: true,
          threadIo: true,
          // every row reads schedstat, every other one compared with [7, 3]
          sched: Uint8Array.from(cols.pid, (_, i) => 1 + (i % 2)),
          schedPrev: Float64Array.from({ length: 2 * cols.count }, (_, k) => (k % 2 === 0 ? 7 : 3)),
        };
        const copy = (): DetailRequest => ({ ...req, pids: req.pids.slice(), wantThreads: req.wantThreads.slice(), wantStatic: req.wantStatic.slice(), sched: req.sched!.slice(), schedPrev: req.schedPrev!.slice() });
        const [nd, td] = await both(scanners, (s) => s.readDetails(copy()));
        assert.deepStrictEqual(nd, td, 'readDetails');
      } finally {
        for (const s of scanners) s.close();
        await fs.remove();
      }
    }),
    { numRuns: 8 },
  );
});
