import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSmaps, parseSmapsRollup } from '../src/proc/parse/smaps';

const ROLLUP = `562be1c5d000-7ffe3a283000 ---p 00000000 00:00 0                          [rollup]
Rss:                1624 kB
Pss:                 400 kB
Pss_Dirty:           116 kB
Pss_Anon:            116 kB
Pss_File:            284 kB
Pss_Shmem:             0 kB
Shared_Clean:       1388 kB
Private_Dirty:       116 kB
Swap:                 32 kB
SwapPss:              20 kB
Locked:                0 kB
`;

const SMAPS = `55d0c7a00000-55d0c7a02000 r--p 00000000 08:01 1311 /usr/bin/cat
Size:                  8 kB
Rss:                   8 kB
Pss:                   4 kB
SwapPss:               1 kB
THPeligible:    0
VmFlags: rd mr mw me dw sd
7f1c2e000000-7f1c2e021000 rw-p 00000000 00:00 0 
Size:                132 kB
Pss:                  12 kB
SwapPss:               2 kB
VmFlags: rd wr mr mw me ac sd
`;

test('smaps_rollup: Pss and SwapPss in bytes; Pss_* keys are not Pss', () => {
  assert.deepEqual(parseSmapsRollup(ROLLUP), { pss: 400 * 1024, swapPss: 20 * 1024 });
});

test('smaps_rollup of a kernel thread is empty: zeros', () => {
  assert.deepEqual(parseSmapsRollup(''), { pss: 0, swapPss: 0 });
});

test('smaps_rollup: a malformed line fails, but the first line is never parsed', () => {
  assert.throws(() => parseSmapsRollup(ROLLUP + 'garbage\n'), /missing colon/);
  assert.throws(() => parseSmapsRollup(ROLLUP.replace('Pss:                 400 kB', 'Pss: many kB')), /invalid syntax/);
  assert.deepEqual(parseSmapsRollup('no colon here\nPss: 1 kB\n'), { pss: 1024, swapPss: 0 });
});

test('smaps fallback: sums over mappings, skips headers and VmFlags', () => {
  assert.deepEqual(parseSmaps(SMAPS), { pss: 16 * 1024, swapPss: 3 * 1024 });
  assert.deepEqual(parseSmaps(''), { pss: 0, swapPss: 0 });
});

test('smaps fallback: a non-header line without a colon fails', () => {
  assert.throws(() => parseSmaps(SMAPS + 'Garbage\n'), /missing colon/);
  // An empty line is not skipped there (unlike in smaps_rollup).
  assert.throws(() => parseSmaps('Pss: 1 kB\n\nPss: 2 kB\n'), /missing colon/);
});

test('sums wrap modulo 2^64 like Go uint64 arithmetic', () => {
  // 2^54 kB = 2^64 bytes, which wraps to 0; plus 1 kB.
  assert.deepEqual(parseSmapsRollup('h\nPss: 18014398509481984 kB\nPss: 1 kB\n'), { pss: 1024, swapPss: 0 });
});
