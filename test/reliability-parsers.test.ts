// Reliability: property tests of every /proc parser (fast-check). Whatever bytes a file holds, a
// parser returns a value or throws its ParseError (which costs one process, never the cycle); what the
// kernel writes, with any values, reads back exactly. The same parsers' C++ twins are fed generated
// trees in reader-diff-fuzz.test.ts.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cgroupPathsOrEmpty } from '../src/proc/parse/cgroup';
import { parseCmdline } from '../src/proc/parse/cmdline';
import { ParseError } from '../src/proc/parse/go';
import { parseIo } from '../src/proc/parse/io';
import { parseLimits } from '../src/proc/parse/limits';
import { parseSchedstat } from '../src/proc/parse/schedstat';
import { parseSmaps, parseSmapsRollup } from '../src/proc/parse/smaps';
import { parseStat, parseSystemStat } from '../src/proc/parse/stat';
import { parseStatus } from '../src/proc/parse/status';
import { cmdlineBytes, ioText, limitsText, smapsRollupText, statText, statusText, systemStatText } from './fakeproc';

const RUNS = { numRuns: 300 };

/** Text that looks like a /proc file: lines of keys, colons, tabs, digits, signs and a little noise. */
const procLike = fc
  .array(
    fc.oneof(
      fc.constantFrom('Uid', 'Gid', 'VmSwap', 'voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches', 'Pss', 'SwapPss', 'Max open files', 'read_bytes', 'rchar', 'Limit', 'VmFlags'),
      fc.constantFrom(':', '\t', ' ', '\n', '\r', 'kB', '-', '+', '0x', '(', ')', '\0', 'unlimited', 'é', '\u00a0'),
      fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));
const anyInput = fc.oneof(procLike, fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)));

/** fn returns or throws a ParseError; any other exception is a bug. */
function totalOrParseError(fn: (t: string | Buffer) => unknown): void {
  fc.assert(
    fc.property(anyInput, (input) => {
      try {
        fn(input);
      } catch (e) {
        if (!(e instanceof ParseError)) throw e;
      }
    }),
    RUNS,
  );
}

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const i32 = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('reliability: /proc parsers take any bytes', () => {
  test('stat', () => totalOrParseError((t) => parseStat(t)));
  test('system stat', () => totalOrParseError((t) => parseSystemStat(t)));
  test('status', () => totalOrParseError((t) => parseStatus(t)));
  test('io', () => totalOrParseError((t) => parseIo(t)));
  test('limits', () => totalOrParseError((t) => parseLimits(t)));
  test('schedstat', () => totalOrParseError((t) => parseSchedstat(t)));
  test('smaps_rollup and smaps', () => {
    totalOrParseError((t) => parseSmapsRollup(t));
    totalOrParseError((t) => parseSmaps(t));
  });
  test('cgroup never throws', () => {
    fc.assert(fc.property(anyInput, (t) => Array.isArray(cgroupPathsOrEmpty(t))), RUNS);
  });
  test('cmdline never throws', () => {
    fc.assert(
      fc.property(anyInput, (t) => Array.isArray(parseCmdline(t))),
      RUNS,
    );
  });
});

describe('reliability: what the kernel writes reads back exactly', () => {
  test('stat: every field, any comm (parentheses, spaces, newlines included)', () => {
    const comm = fc.string({ maxLength: 64 }).filter((s) => !s.includes('\0'));
    fc.assert(
      fc.property(comm, fc.constantFrom('R', 'S', 'D', 'Z', 'I'), i32, u64, u64, u64, u64, fc.integer({ min: 1, max: 100000 }), u64, u64, u64, (c, state, ppid, minflt, majflt, utime, stime, nt, start, vsize, rss) => {
        const rssSigned = rss > 2n ** 63n - 1n ? 2n ** 63n - 1n : rss;
        const st = parseStat(statText({ id: 1, comm: c, state, ppid, minflt, majflt, utime, stime, numThreads: nt, starttime: start, vsize, rss: rssSigned, pgrp: 1 }));
        assert.equal(Buffer.from(st.comm).toString('utf8'), c);
        assert.deepEqual(
          [st.state, st.ppid, st.minflt, st.majflt, st.utime, st.stime, st.numThreads, st.starttime, st.vsize, st.rss],
          [state.charCodeAt(0), ppid, Number(minflt), Number(majflt), Number(utime), Number(stime), nt, Number(start), Number(vsize), Number(rssSigned)],
        );
      }),
      RUNS,
    );
  });

  test('status: uid, counters and VmSwap (wrapping like a uint64 multiply)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), u64, u64, fc.bigInt({ min: 0n, max: 2n ** 54n }), (uid, vol, nonvol, swapKb) => {
        const s = parseStatus(statusText({ name: 'x', state: 'S', tgid: 1, pid: 1, ppid: 0, uid, threads: 1, vsizeBytes: 4096, rssPages: 1, vmSwapKb: swapKb, ctxVol: vol, ctxNonvol: nonvol }));
        assert.deepEqual(s, { uid, ctxVol: Number(vol), ctxNonvol: Number(nonvol), swapBytes: Number((swapKb * 1024n) % 2n ** 64n) });
      }),
      RUNS,
    );
  });

  test('status: a counter beyond uint64 makes the file unparsable, never 0', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 64n, max: 2n ** 80n }), fc.constantFrom('voluntary_ctxt_switches', 'nonvoluntary_ctxt_switches', 'VmSwap'), (v, key) => {
        assert.throws(() => parseStatus(`${key}:\t${v}\n`), ParseError);
      }),
      RUNS,
    );
  });

  test('schedstat: what the kernel prints parses to its first and third numbers', () => {
    fc.assert(
      fc.property(u64, u64, u64, (run, wait, slices) => {
        assert.deepEqual(parseSchedstat(`${run} ${wait} ${slices}\n`), { runNs: Number(run), slices: Number(slices) });
      }),
      RUNS,
    );
  });

  test('io, limits and smaps_rollup', () => {
    fc.assert(
      // limits: a 20-digit value leaves one space before the next column, which procfs's pattern (and so ours)
      // rejects, as the kernel would print it
      fc.property(u64, u64, fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 19n - 1n }), fc.constant('unlimited' as const)), fc.bigInt({ min: 0n, max: 2n ** 40n }), fc.bigInt({ min: 0n, max: 2n ** 40n }), (rb, wb, fdSoft, pss, swapPss) => {
        assert.deepEqual(parseIo(ioText(rb, wb)), { readBytes: Number(rb), writeBytes: Number(wb) });
        assert.equal(parseLimits(limitsText(fdSoft)).openFilesSoft, fdSoft === 'unlimited' ? 2 ** 64 : Number(fdSoft));
        assert.deepEqual(parseSmapsRollup(smapsRollupText(1, pss, swapPss)), { pss: Number(pss * 1024n), swapPss: Number(swapPss * 1024n) });
      }),
      RUNS,
    );
  });

  test('limits: an open-files value that is no uint64 makes the file unparsable', () => {
    fc.assert(
      fc.property(fc.oneof(fc.bigInt({ min: 2n ** 64n, max: 2n ** 90n }).map(String), fc.integer({ min: -100000, max: -1 }).map(String)), (v) => {
        assert.throws(() => parseLimits(limitsText(1024).replace(/^(Max open files\s+)1024 /m, `$1${v} `)), ParseError);
      }),
      RUNS,
    );
  });

  test('system stat: btime', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (b) => parseSystemStat(systemStatText(b)).btime === b), RUNS);
  });

  test('cmdline: argv without NULs splits back as written (trailing empty arguments aside)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 20 }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 10 }), (argv) => {
        const got = parseCmdline(Buffer.from(cmdlineBytes(argv), 'utf8'));
        const want = [...argv];
        while (want.length > 1 && want[want.length - 1] === '') want.pop();
        if (want.length === 1 && want[0] === '') return got.length === 1 && got[0] === '';
        assert.deepEqual(got, want);
        return true;
      }),
      RUNS,
    );
  });
});
