// The one counter-delta rule the tracker applies to processes and threads alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { advance, Raw } from '../src/track/deltas';
import { zeroCounters } from '../src/track/groups';

const reading = (v: Partial<Record<Raw, number>>) => {
  const r = new Float64Array(Raw.N);
  for (const [k, x] of Object.entries(v)) r[Number(k)] = x!;
  return r;
};

test('increase, decrease (adds 0, resumes from the new value), ticks become seconds before subtracting', () => {
  const base = new Float64Array(Raw.N * 2); // two rows: the second is used, the first must stay untouched
  const out = zeroCounters();
  advance(base, Raw.N, reading({ [Raw.UTIME]: 70, [Raw.READ_BYTES]: 1000, [Raw.CTX_VOL]: 9 }), out);
  assert.equal(out.cpuUser, 0.7);
  assert.equal(out.readBytes, 1000);
  assert.equal(out.ctxVoluntary, 9);
  advance(base, Raw.N, reading({ [Raw.UTIME]: 50, [Raw.READ_BYTES]: 400, [Raw.CTX_VOL]: 12 }), out);
  assert.deepEqual([out.cpuUser, out.readBytes, out.ctxVoluntary], [0, 0, 3]);
  advance(base, Raw.N, reading({ [Raw.UTIME]: 70, [Raw.READ_BYTES]: 500, [Raw.CTX_VOL]: 12 }), out);
  assert.deepEqual([out.cpuUser, out.readBytes], [0.7 - 0.5, 100]);
  assert.deepEqual([...base.subarray(0, Raw.N)], new Array(Raw.N).fill(0));
});

test('NaN reading: adds 0 and keeps the baseline; NaN baseline: adds 0 and takes the reading', () => {
  const base = new Float64Array(Raw.N).fill(NaN);
  const out = zeroCounters();
  advance(base, 0, reading({ [Raw.MINFLT]: 100, [Raw.WRITE_BYTES]: NaN }), out);
  assert.deepEqual([out.minorPageFaults, out.writeBytes], [0, 0]);
  assert.equal(base[Raw.MINFLT], 100);
  assert.ok(Number.isNaN(base[Raw.WRITE_BYTES]), 'no good reading yet');
  advance(base, 0, reading({ [Raw.MINFLT]: 150, [Raw.WRITE_BYTES]: 4096 }), out);
  assert.deepEqual([out.minorPageFaults, out.writeBytes], [50, 0]);
  advance(base, 0, reading({ [Raw.MINFLT]: 160, [Raw.WRITE_BYTES]: NaN }), out);
  assert.deepEqual([out.minorPageFaults, out.writeBytes], [10, 0]);
  assert.equal(base[Raw.WRITE_BYTES], 4096, 'the last good reading stays the baseline');
  advance(base, 0, reading({ [Raw.MINFLT]: 160, [Raw.WRITE_BYTES]: 5000 }), out);
  assert.equal(out.writeBytes, 904);
});
