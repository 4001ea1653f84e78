// The tracker's per-process columns: slots are found by pid, reused, swept by cycle, and compacted
// without losing or mixing up what they hold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProcTable, SlotKind } from '../src/track/proc-table';
import { Raw } from '../src/track/deltas';

test('add, find, remove: a freed slot is reused', () => {
  const t = new ProcTable();
  const a = t.add(100, 5, SlotKind.TRACKED, 1);
  const b = t.add(200, 6, SlotKind.IGNORED, 1);
  assert.deepEqual([t.find(100), t.find(200), t.find(300)], [a, b, -1]);
  assert.deepEqual([t.trackedCount, t.ignoredCount], [1, 1]);
  t.remove(a);
  assert.equal(t.find(100), -1);
  assert.equal(t.trackedCount, 0);
  const c = t.add(300, 7, SlotKind.TRACKED, 1);
  assert.equal(c, a, 'the freed slot serves the next process');
  assert.deepEqual([t.pid[c], t.startTicks[c]], [300, 7]);
});

test('sweep forgets what a cycle did not see, and compaction keeps every survivor\'s columns', () => {
  const t = new ProcTable();
  for (let pid = 1; pid <= 2000; pid++) {
    const s = t.add(pid, pid * 10, pid % 2 ? SlotKind.TRACKED : SlotKind.IGNORED, 1);
    t.base[s * Raw.N + Raw.UTIME] = pid + 0.5;
    t.pss[s] = pid * 4096;
    t.comm[s] = `p${pid}`;
  }
  // cycle 2 sees only every tenth pid: 200 of 2,000 survive, the columns shrink
  for (let pid = 10; pid <= 2000; pid += 10) t.seenCycle[t.find(pid)] = 2;
  t.sweep(2);
  assert.deepEqual([t.trackedCount, t.ignoredCount], [0, 200]);
  assert.ok(t.pid.length < 2000, `columns shrank to ${t.pid.length}`);
  for (let pid = 1; pid <= 2000; pid++) {
    const s = t.find(pid);
    if (pid % 10 !== 0) {
      assert.equal(s, -1, `pid ${pid} forgotten`);
      continue;
    }
    assert.deepEqual([t.pid[s], t.startTicks[s], t.base[s * Raw.N + Raw.UTIME], t.pss[s], t.comm[s], t.kind[s]], [pid, pid * 10, pid + 0.5, pid * 4096, `p${pid}`, SlotKind.IGNORED]);
  }
  // and the table keeps working after compaction
  const s = t.add(5000, 1, SlotKind.TRACKED, 3);
  assert.equal(t.find(5000), s);
  assert.equal(t.trackedCount, 1);
});
