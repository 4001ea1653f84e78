import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HistoryStore } from '../src/history/store';
import type { CycleSnapshot, GroupSnapshot } from '../src/expose/snapshot';

function group(name: string, over: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    name, numProcs: 1, cpuUser: 0, cpuSystem: 0, readBytes: 0, writeBytes: 0, majorPageFaults: 0, minorPageFaults: 0, ctxVoluntary: 0, ctxNonvoluntary: 0,
    resident: 1000, virtual: 0, swapped: 0, proportionalResident: 0, proportionalSwapped: 0, openFds: 3, worstFdRatio: 0.01, oldestStartTime: 1,
    numThreads: 1, states: { running: 0, sleeping: 1, waiting: 0, zombie: 0, other: 0 }, wchans: new Map(), threads: [], ...over,
  };
}

function snap(groups: GroupSnapshot[], ok = true): CycleSnapshot {
  return { ok, groups, scrapeErrors: 0, procReadErrors: 0, partialErrors: 0, gatherSmaps: true };
}

test('rates come from counter increases between cycles, gauges from the last cycle', () => {
  const h = new HistoryStore();
  h.record(snap([group('a', { cpuUser: 10, readBytes: 0 })]), 0);
  h.record(snap([group('a', { cpuUser: 13, cpuSystem: 1, readBytes: 8000, resident: 5000 })]), 4000);
  const [a] = h.now();
  assert.equal(a.name, 'a');
  assert.equal(a.cpuUser, 0.75);
  assert.equal(a.cpuSystem, 0.25);
  assert.equal(a.readBps, 2000);
  assert.equal(a.resident, 5000);
  // the second cycle is the first point with a span behind it
  assert.deepEqual(h.series('a', ['cpuUser', 'resident']), { t: [4000], values: { cpuUser: [0.75], resident: [5000] } });
});

test('a cycle less than a second after the last keeps the rates and refreshes the gauges', () => {
  const h = new HistoryStore();
  h.record(snap([group('a', { cpuUser: 0 })]), 0);
  h.record(snap([group('a', { cpuUser: 2 })]), 2000);
  h.record(snap([group('a', { cpuUser: 2.01, resident: 7 })]), 2010);
  const [a] = h.now();
  assert.equal(a.cpuUser, 1);
  assert.equal(a.resident, 7);
  assert.equal(h.series('a')!.t.length, 1, 'no point 10 ms after the last');
});

test('a counter that restarts lower gives a rate of 0, not a negative one', () => {
  const h = new HistoryStore();
  h.record(snap([group('a', { cpuUser: 50 })]), 0);
  h.record(snap([group('a', { cpuUser: 1 })]), 5000);
  assert.equal(h.now()[0].cpuUser, 0);
});

test('the window keeps 15 minutes, in a ring of fixed size', () => {
  const h = new HistoryStore();
  for (let i = 0; i <= 1000; i++) h.record(snap([group('a', { cpuUser: i * 3 })]), i * 3000);
  const s = h.series('a')!;
  assert.equal(s.t.length, 300, 'points per group');
  assert.equal(s.t[s.t.length - 1], 3_000_000);
  assert.ok(s.t[0] >= 3_000_000 - 15 * 60_000);
  assert.ok(s.values.cpuUser.every((v) => v === 1));
});

test('a ring grows as points come and keeps them in order through every growth and after it wraps', () => {
  const h = new HistoryStore();
  h.record(snap([group('a', { resident: 0 })]), 0);
  for (let n = 1; n <= 340; n++) {
    h.record(snap([group('a', { resident: n })]), n * 3000);
    const s = h.series('a', ['resident'])!;
    const first = Math.max(1, n - 299);
    const want = Array.from({ length: n - first + 1 }, (_, k) => first + k);
    assert.deepEqual(s.values.resident, want, `after ${n} points`);
    assert.deepEqual(s.t, want.map((i) => i * 3000), `times after ${n} points`);
  }
});

test('groups beyond the bound lose their history; the busiest keep it; every group stays in the table', () => {
  const h = new HistoryStore({ maxGroups: 2, windowMs: 900_000, spacingMs: 3000 });
  const at = (t: number, cpu: Record<string, number>) => h.record(snap(Object.entries(cpu).map(([n, c]) => group(n, { cpuUser: c }))), t);
  at(0, { a: 0, b: 0, c: 0 });
  at(3000, { a: 3, b: 30, c: 300 });
  at(6000, { a: 6, b: 60, c: 600 });
  assert.deepEqual(h.now().map((g) => [g.name, g.hasHistory]), [['a', false], ['b', true], ['c', true]]);
  assert.equal(h.series('a'), null);
  assert.deepEqual(h.series('c', ['cpuUser'])!.values.cpuUser, [100]);
});

test('a group gone from the snapshot is forgotten; a failed cycle changes nothing', () => {
  const h = new HistoryStore();
  h.record(snap([group('a'), group('b')]), 0);
  h.record(snap([], false), 3000);
  assert.equal(h.groupCount, 2);
  h.record(snap([group('b')]), 6000);
  assert.deepEqual(h.now().map((g) => g.name), ['b']);
  assert.equal(h.series('a'), null);
});
