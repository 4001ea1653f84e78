// What keeps the exporter's resident memory down: the V8 settings the binary applies at start
// (src/runtime/v8-settings.ts; checked in child processes, since they are process-wide), and the page size read from
// the auxiliary vector rather than from a `getconf` child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { pageSize, pageSizeFromAuxv } from '../src/proc/pagesize';

const SETTINGS = path.join(__dirname, '..', 'src', 'v8-settings.js');

/** Allocates 80 MB of short-lived objects in a child, then prints the young generation's size in bytes. */
function youngGenerationAfterChurn(preload: string | null): number {
  const script = `
    ${preload === null ? '' : `require(${JSON.stringify(preload)});`}
    const keep = [];
    for (let k = 0; k < 100; k++) { const a = []; for (let i = 0; i < 20000; i++) a.push({ i, s: 'x' + i }); keep.push(a[7]); }
    const ns = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(ns.space_size));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'V8 complained about a flag');
  return Number(r.stdout);
}

test('the V8 settings keep the young generation at its initial size under allocation churn', () => {
  const plain = youngGenerationAfterChurn(null);
  const tuned = youngGenerationAfterChurn(SETTINGS);
  // V8's initial young generation is two 1 MiB semi-spaces; left alone it doubles under this churn, to 32 MiB.
  // Node 24's V8 still grows it by half-MiB steps now and then on a loaded machine (2.5 to 3.75 MiB in 8 of
  // 120 runs, 24 at a time; none of 72 on Node 20): there the bound is the next doubling.
  const bound = (process.versions.node.startsWith('20.') ? 2 : 4) * 1024 * 1024;
  assert.ok(tuned <= bound, `young generation ${tuned} bytes with the settings`);
  assert.ok(plain > tuned, `young generation ${plain} bytes without the settings, ${tuned} with`);
});

/**
 * In a child with the settings loaded: runs `setup`, then for each count (a JS expression, or null for
 * none) notes a cycle that read that many processes and runs a new hot function; returns the tier that
 * ran each ('interpreted', 'baseline' for Sparkplug, 'optimized' for TurboFan).
 */
function tiersAfter(setup: string, counts: Array<string | null>): string[] {
  // %GetOptimizationStatus: bit 16 the function runs optimized code, bit 32768 baseline (Sparkplug) code
  const script = `
    const settings = require(${JSON.stringify(SETTINGS)});
    ${setup}
    const tiers = [];
    let n = 0;
    for (const count of [${counts.map((c) => c ?? 'null').join(', ')}]) {
      if (count !== null) settings.noteProcessesRead(count);
      // a new function each time, so that what an earlier tier compiled does not carry over
      const hot = new Function('a', 'let s = 0; for (let i = 0; i < a.length; i++) s += a[i] * ' + ++n + '; return s;');
      const a = Array.from({ length: 100 }, (_, i) => i);
      for (let k = 0; k < 100000; k++) hot(a);
      const st = %GetOptimizationStatus(hot);
      tiers.push((st & 16) !== 0 ? 'optimized' : (st & 32768) !== 0 ? 'baseline' : 'interpreted');
    }
    process.stdout.write(JSON.stringify(tiers));`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'V8 complained about a flag');
  return JSON.parse(r.stdout) as string[];
}

test('the compilers stay off until a cycle reads BASELINE_FROM_PROCESSES and OPTIMIZE_FROM_PROCESSES processes', () => {
  const tiers = tiersAfter('', [
    null,
    'settings.BASELINE_FROM_PROCESSES - 1',
    'settings.BASELINE_FROM_PROCESSES',
    'settings.OPTIMIZE_FROM_PROCESSES - 1',
    'settings.OPTIMIZE_FROM_PROCESSES',
    '1',
  ]);
  // interpreted, still one process short, baseline from the first threshold, optimized from the second, for good
  assert.deepEqual(tiers, ['interpreted', 'interpreted', 'baseline', 'baseline', 'optimized', 'optimized']);
});

test('with the TS reader the optimizing compiler comes on from PARSING_IN_JS_FROM_PROCESSES', () => {
  const tiers = tiersAfter('settings.readerParsesInJs();', [
    'settings.BASELINE_FROM_PROCESSES - 1',
    'settings.PARSING_IN_JS_FROM_PROCESSES - 1',
    'settings.PARSING_IN_JS_FROM_PROCESSES',
  ]);
  assert.deepEqual(tiers, ['interpreted', 'baseline', 'optimized']);
});

for (const [title, flags] of [
  ['', []],
  // V8 drops the bytecode of a function that has not run for a while and compiles it again on the next
  // call; here it drops it at every collection, so the collection function is compiled again when called
  [', also when V8 has dropped the bytecode of the collection function', ['--stress-flush-code']],
] as const) {
  test(`the heap is collected as a cycle starts once the old generation grew by HEAP_STEP_BYTES${title}`, () => {
    const script = `
      const settings = require(${JSON.stringify(SETTINGS)});
      const v8 = require('node:v8');
      const old = () => v8.getHeapSpaceStatistics().filter((s) => !s.space_name.startsWith('new_')).reduce((a, s) => a + s.space_used_size, 0);
      const out = { can: settings.canCollect(), first: settings.collectIfGrown(), again: settings.collectIfGrown() };
      out.base = old();
      // objects kept across scavenges are promoted to the old generation, then dropped: old garbage
      let keep = [];
      for (let i = 0; i < 60000; i++) keep.push({ i, s: 'value ' + i });
      for (let k = 0; k < 20; k++) { let tmp = []; for (let i = 0; i < 50000; i++) tmp.push({ i }); tmp = null; }
      keep = null;
      const before = old();
      out.grownBy = before - out.base;
      out.collected = settings.collectIfGrown();
      out.freed = before - old();
      out.after = settings.collectIfGrown();
      process.stdout.write(JSON.stringify(out));`;
    const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'V8 complained');
    const out = JSON.parse(r.stdout);
    // this V8 lets the exporter collect; the first call always collects, then not until the heap grows
    assert.equal(out.can, true);
    assert.equal(out.first, true);
    assert.equal(out.again, false);
    assert.ok(out.grownBy >= 1024 * 1024, `old generation grew by ${out.grownBy} bytes only`);
    assert.equal(out.collected, true);
    assert.ok(out.freed >= 1024 * 1024, `the collection freed ${out.freed} bytes`);
    assert.equal(out.after, false);
  });
}

test('the heap is collected as a cycle starts once JS objects hold EXTERNAL_STEP_BYTES more outside it', () => {
  const script = `
    const settings = require(${JSON.stringify(SETTINGS)});
    const v8 = require('node:v8');
    const external = () => v8.getHeapStatistics().external_memory;
    // response bodies: dropped buffers, whose memory outside the heap waits for a full collection
    const drop = (mib) => { let bodies = []; for (let i = 0; i < mib; i++) bodies.push(Buffer.alloc(1024 * 1024, 1)); bodies = null; };
    const out = { first: settings.collectIfGrown() };
    drop(3);
    out.below = settings.collectIfGrown();
    drop(3);
    const before = external();
    out.collected = settings.collectIfGrown();
    // the buffers' memory is given back by V8's sweeper thread after the collection, and counted as given
    // back at the next one (here a scavenge of some young garbage)
    setTimeout(() => {
      for (let k = 0; k < 20; k++) { let tmp = []; for (let i = 0; i < 50000; i++) tmp.push({ i }); tmp = null; }
      out.freed = before - external();
      process.stdout.write(JSON.stringify(out));
    }, 300);`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  // 3 MiB dropped: below the step; 6 MiB: collected, and the buffers' memory freed
  assert.ok(out.freed >= 5 * 1024 * 1024, `freed ${out.freed} bytes`);
  assert.deepEqual({ first: out.first, below: out.below, collected: out.collected }, { first: true, below: false, collected: true });
});

test('the page size comes from the auxiliary vector, in every word size and byte order', () => {
  const vector = (wordBytes: 4 | 8, little: boolean, pairs: Array<[number, number]>): Buffer => {
    const b = Buffer.alloc(pairs.length * 2 * wordBytes);
    pairs.flat().forEach((v, i) => {
      const off = i * wordBytes;
      if (wordBytes === 4) (little ? b.writeUInt32LE(v, off) : b.writeUInt32BE(v, off));
      else (little ? b.writeBigUInt64LE(BigInt(v), off) : b.writeBigUInt64BE(BigInt(v), off));
    });
    return b;
  };
  // AT_HWCAP (16), AT_PAGESZ (6), AT_CLKTCK (17), AT_NULL
  const pairs: Array<[number, number]> = [[16, 0x178bfbff], [6, 65536], [17, 100], [0, 0]];
  assert.equal(pageSizeFromAuxv(vector(8, true, pairs), 8, true), 65536);
  assert.equal(pageSizeFromAuxv(vector(8, false, pairs), 8, false), 65536);
  assert.equal(pageSizeFromAuxv(vector(4, true, pairs), 4, true), 65536);
  assert.equal(pageSizeFromAuxv(vector(4, false, pairs), 4, false), 65536);
  // AT_NULL ends the vector; a truncated vector has no answer
  assert.equal(pageSizeFromAuxv(vector(8, true, [[16, 1], [0, 0], [6, 4096]]), 8, true), undefined);
  assert.equal(pageSizeFromAuxv(vector(8, true, pairs).subarray(0, 20), 8, true), undefined);
});

test('the page size read from /proc/self/auxv is what getconf says', (t) => {
  const r = spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' });
  if (r.status !== 0) return t.skip('getconf is not installed');
  assert.equal(pageSize(), Number(r.stdout.trim()));
});
