// The column builders' buffer pool (src/proc/column-set.ts): buffers given back are filled again by the
// next builders, whole buffers are transferred even where a column's view covers only their front.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BufferPool, ColumnsBuilder, transferables } from '../src/proc/column-set';
import { STAT_COLUMNS } from '../src/proc/columns';

test('take() reuses the smallest spare buffer that fits and is at most about twice the size', () => {
  const p = new BufferPool();
  const small = new ArrayBuffer(800);
  const mid = new ArrayBuffer(1200);
  const huge = new ArrayBuffer(1 << 20);
  p.give([huge, mid, small, new ArrayBuffer(0)]);
  assert.equal(p.size, 3);
  assert.equal(p.take(700), small);
  assert.equal(p.take(700), mid);
  // only the huge one is left: too large for 700 bytes, a new buffer is made
  const made = p.take(700);
  assert.notEqual(made, huge);
  assert.equal(made.byteLength, 700);
  assert.equal(p.take(600_000), huge);
  // a new large buffer has headroom for a few more rows next time
  assert.equal(p.take(16_000).byteLength, 17_000);
  p.give([made]);
  p.clear();
  assert.equal(p.size, 0);
});

test('builders in a pool fill recycled buffers, cut to the rows pushed, transferred whole', () => {
  const p = new BufferPool();
  {
    const row = (pid: number) => ({ pid, startTicks: 1, ppid: 1, state: 83, minflt: 7, majflt: 0, utime: 2, stime: 3, numThreads: 1, vsize: 9, rss: 4, comm: Buffer.from(`c${pid}`) });
    const a = new ColumnsBuilder(STAT_COLUMNS, 100, p);
    for (let i = 0; i < 90; i++) a.push(row(i + 1));
    const first = a.build();
    assert.equal(first.pid.length, 90);
    const bufs = transferables(first);
    // every numeric column and both halves of the comm column, each buffer once
    assert.equal(bufs.length, 13);
    assert.ok(bufs.every((b) => b.byteLength >= 90));
    p.give(bufs);
    const b = new ColumnsBuilder(STAT_COLUMNS, 100, p);
    b.push(row(500));
    const second = b.build();
    assert.ok(bufs.includes(second.pid.buffer as ArrayBuffer), 'a recycled buffer is used again');
    assert.deepEqual([...second.pid], [500]);
    assert.deepEqual([...second.minflt], [7]);
    assert.equal(Buffer.from(second.comm.bytes).toString(), 'c500');
    assert.deepEqual([...second.comm.offsets], [0, 4]);
  }
});
