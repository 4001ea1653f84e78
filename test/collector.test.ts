// The collector's scheduling: one cycle at a time, shared by concurrent scrapes; scrapes that arrive
// during the priming cycle wait for it (docs/behaviour.md#differences-from-the-reference: the port opens before that cycle ends).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { FakeProcfs } from './fakeproc';
import { createTsScanner } from '../src/proc/ts-reader';
import { buildNamer, ProcessCollector } from '../src/collector/collector';
import { defaultOptions } from '../src/settings/registry';
import { memoryLogger } from './memory-logger';
import type { Scanner } from '../src/proc/columns';

let fs: FakeProcfs;
after(async () => fs?.remove());

/** A scanner whose listProcs waits until released, counting how often it is called. */
function gatedScanner(inner: Scanner) {
  const state = { lists: 0, release: () => {} };
  let gate = Promise.resolve();
  const scanner: Scanner = {
    kind: inner.kind,
    bootTime: () => inner.bootTime(),
    listProcs: async () => {
      state.lists++;
      await gate;
      return inner.listProcs();
    },
    readDetails: (req) => inner.readDetails(req),
    close: () => inner.close(),
  };
  const hold = () => {
    gate = new Promise<void>((r) => (state.release = r));
  };
  return { scanner, state, hold };
}

async function setup() {
  fs = await FakeProcfs.create();
  await fs.set([{ pid: 5, comm: 'app', starttime: 10 }]);
  const options = { ...defaultOptions, procnames: ['app'] };
  const log = memoryLogger();
  const g = gatedScanner(createTsScanner({ procfs: fs.root }));
  const collector = await ProcessCollector.create(options, { log, scanner: g.scanner, namer: await buildNamer(options, log), pageSize: 4096 });
  return { collector, ...g, log };
}

test('concurrent scrapes share one in-flight cycle', async () => {
  const { collector, state, hold } = await setup();
  await collector.prime();
  assert.equal(state.lists, 1);
  hold();
  const scrapes = [collector.collect(), collector.collect(), collector.collect()];
  await new Promise((r) => setImmediate(r));
  state.release();
  const [a, b, c] = await Promise.all(scrapes);
  assert.equal(state.lists, 2, 'one cycle for three scrapes');
  assert.equal(a, b);
  assert.equal(b, c);
  await collector.collect();
  assert.equal(state.lists, 3, 'a later scrape runs its own cycle');
});

test('a scrape during the priming cycle waits for it, then runs its own cycle', async () => {
  const { collector, state, hold, log } = await setup();
  hold();
  void collector.prime();
  const scrape = collector.collect();
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(state.lists, 1, 'only the priming cycle has started');
  state.release();
  const snap = await scrape;
  assert.equal(state.lists, 2);
  assert.equal(snap.groups.find((g) => g.name === 'app')?.numProcs, 1);
  assert.ok(log.lines.some((l) => l.startsWith('First update cycle done in ')), log.lines.join('\n'));
});

test('a reader that fails mid-cycle costs that cycle only: a scrape error, then recovery', async () => {
  fs = await FakeProcfs.create();
  await fs.set([{ pid: 5, comm: 'app', starttime: 10 }]);
  const options = { ...defaultOptions, procnames: ['app'] };
  const log = memoryLogger();
  const inner = createTsScanner({ procfs: fs.root });
  let failNext = false;
  const scanner: Scanner = {
    kind: inner.kind,
    bootTime: () => inner.bootTime(),
    listProcs: () => inner.listProcs(),
    readDetails: async (req) => {
      if (failNext) {
        failNext = false;
        throw new Error('worker exited');
      }
      return inner.readDetails(req);
    },
    close: () => inner.close(),
  };
  const collector = await ProcessCollector.create(options, { log, scanner, namer: await buildNamer(options, log), pageSize: 4096 });
  await collector.prime();
  failNext = true;
  const failed = await collector.collect();
  assert.equal(failed.ok, false);
  assert.equal(failed.scrapeErrors, 1);
  assert.deepEqual(failed.groups, []);
  assert.ok(log.lines.includes('error reading process details: worker exited'), log.lines.join('\n'));
  const next = await collector.collect();
  assert.equal(next.ok, true);
  assert.equal(next.groups.find((g) => g.name === 'app')?.numProcs, 1);
  collector.close();
});

test('cycle listeners see every cycle; collectFresh reuses a fresh snapshot and runs a cycle for a stale one', async () => {
  const { collector, state, log } = await setup();
  const seen: number[] = [];
  collector.onCycle((snap, endedAtMs) => {
    assert.ok(endedAtMs > 0);
    seen.push(snap.groups.length);
  });
  collector.onCycle(() => {
    throw new Error('listener bug');
  });
  await collector.prime();
  assert.equal(seen.length, 1, 'the priming cycle is delivered');
  assert.ok(log.lines.includes('cycle listener failed: listener bug'), log.lines.join('\n'));
  const first = await collector.collectFresh(60_000);
  assert.equal(state.lists, 1, 'a fresh snapshot is reused: no new scan');
  assert.equal(first, collector.latest?.snap);
  await new Promise((r) => setTimeout(r, 5));
  const second = await collector.collectFresh(1);
  assert.equal(state.lists, 2, 'a stale snapshot costs one new cycle');
  assert.notEqual(second, first);
  assert.equal(seen.length, 2);
  collector.close();
});
