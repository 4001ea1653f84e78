// The event-loop delay sampler and the GC pause drain behind the nodejs_eventloop_lag_* and
// nodejs_gc_duration_seconds families (src/expose/runtime-probes.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GcPauses, LoopDelay } from '../src/expose/runtime-probes';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('the delay summary: exact min, max, mean, population stddev and nearest-rank percentiles, then reset', () => {
  const d = new LoopDelay();
  assert.deepEqual(d.takeSummary(), { count: 0, min: 0, max: 0, mean: 0, stddev: 0, p50: 0, p90: 0, p99: 0 });
  // 1..100 ms
  for (let i = 100; i >= 1; i--) d.record(i * 1e6);
  const s = d.takeSummary();
  assert.equal(s.count, 100);
  assert.equal(s.min, 0.001);
  assert.equal(s.max, 0.1);
  assert.equal(s.mean, 0.0505);
  assert.ok(Math.abs(s.stddev - Math.sqrt((100 * 100 - 1) / 12) / 1000) < 1e-12, `stddev ${s.stddev}`);
  assert.equal(s.p50, 0.05);
  assert.equal(s.p90, 0.09);
  assert.equal(s.p99, 0.099);
  // taken: the next summary starts empty
  assert.equal(d.takeSummary().count, 0);
  d.record(7e6);
  assert.deepEqual(d.takeSummary(), { count: 1, min: 0.007, max: 0.007, mean: 0.007, stddev: 0, p50: 0.007, p90: 0.007, p99: 0.007 });
});

test('the percentiles come from the last 4096 delays; count, min, max and mean from all of them', () => {
  const d = new LoopDelay();
  for (let i = 0; i < 4096; i++) d.record(1e9); // 1 s each, overwritten below
  for (let i = 0; i < 4096; i++) d.record(1e6);
  const s = d.takeSummary();
  assert.equal(s.count, 8192);
  assert.equal(s.max, 1);
  assert.equal(s.min, 0.001);
  assert.equal(s.mean, 0.5005);
  assert.equal(s.p99, 0.001);
});

test('a blocked event loop shows as a delay; the time between two recordings does not', async () => {
  const d = new LoopDelay();
  d.start();
  await sleep(30);
  // the loop is blocked for 120 ms, counted on the clock the probe reads (Date.now()'s whole milliseconds
  // could end it up to a millisecond early)
  const until = process.hrtime.bigint() + 120_000_000n;
  while (process.hrtime.bigint() < until);
  await sleep(30);
  d.stop();
  const blocked = d.takeSummary();
  assert.ok(blocked.count >= 2, `count ${blocked.count}`);
  assert.ok(blocked.max >= 0.12, `max ${blocked.max}`);
  // stopped for a second, then recording again: the second is not a delay
  d.start();
  await sleep(30);
  d.stop();
  await sleep(1000);
  d.start();
  await sleep(30);
  d.stop();
  const idle = d.takeSummary();
  assert.ok(idle.count >= 2, `count ${idle.count}`);
  assert.ok(idle.max < 0.5, `max ${idle.max}: the stopped second was counted`);
  // stopped: no timer keeps recording
  await sleep(50);
  assert.equal(d.takeSummary().count, 0);
});

test('the GC drain hands over each collection since the last drain, by kind, once', async () => {
  const g = new GcPauses();
  const seen: Array<[string, number]> = [];
  for (let round = 0; round < 50 && !seen.some(([k]) => k === 'minor'); round++) {
    let junk: object[] = [];
    for (let i = 0; i < 100_000; i++) junk.push({ i });
    junk = [];
    await new Promise((r) => setImmediate(r));
    g.drain((kind, seconds) => seen.push([kind, seconds]));
  }
  g.close();
  assert.ok(seen.some(([k]) => k === 'minor'), `collections seen: ${JSON.stringify(seen)}`);
  for (const [kind, seconds] of seen) {
    assert.ok(['minor', 'major', 'incremental', 'weakcb'].includes(kind), kind);
    assert.ok(seconds > 0 && seconds < 10, `${kind} ${seconds}`);
  }
  // closed: nothing more, and draining is harmless
  const after: string[] = [];
  g.drain((kind) => after.push(kind));
  assert.deepEqual(after, []);
});
