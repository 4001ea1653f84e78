// What keeps the exporter's resident memory down, by supported means only: the V8 settings that the
// launcher (bin/namedprocess-exporter) puts on node's command line, the heap step that collects with the
// gc() those settings expose, and the page size read from the auxiliary vector rather than from a `getconf`
// child process. The exporter itself never changes a V8 flag (checked here and in test/v8-flags.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pageSize, pageSizeFromAuxv } from '../src/proc/pagesize';
import { OUR_LAUNCHER } from './procs';

const HEAP_STEP = path.join(__dirname, '..', 'src', 'runtime', 'heap-step.js');

/**
 * What the launcher runs: a stand-in node (NAMEDPROCESS_NODE) prints its arguments instead of running them,
 * and answers --version as this test's node does.
 */
function launched(env: Record<string, string> = {}, version = process.version): { status: number | null; argv: string[]; stderr: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'launcher-'));
  try {
    const fake = path.join(dir, 'node');
    fs.writeFileSync(fake, `#!/bin/sh\nif [ "$1" = --version ]; then echo ${version}; exit 0; fi\nprintf '%s\\n' "$@"\n`, { mode: 0o755 });
    // no PATH: the launcher needs nothing but the shell's built-ins
    const r = spawnSync(OUR_LAUNCHER, ['-procnames', 'a b'], { encoding: 'utf8', env: { NAMEDPROCESS_NODE: fake, ...env } });
    return { status: r.status, argv: r.stdout.split('\n').slice(0, -1), stderr: r.stderr };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// node is started on the launcher itself, which is also the module that loads the exporter
const MAIN = OUR_LAUNCHER;

test('the launcher starts the exporter with its V8 settings on the command line, and NAMEDPROCESS_V8_TUNING=off without them', () => {
  const base = ['--max-semi-space-size=1', '--optimize-for-size', '--expose-gc'];
  const v20 = launched({}, 'v20.20.2');
  assert.deepEqual(v20, { status: 0, argv: [...base, '--interrupt-budget=675840', MAIN, '-procnames', 'a b'], stderr: '' });
  const v24 = launched({}, 'v24.1.0');
  assert.deepEqual(v24.argv, [...base, '--invocation-count-for-maglev=4000', '--invocation-count-for-turbofan=30000', MAIN, '-procnames', 'a b']);
  // a node whose V8 names the tier-up setting in a way the launcher does not know gets V8's default for it
  assert.deepEqual(launched({}, 'v99.0.0').argv, [...base, MAIN, '-procnames', 'a b']);
  assert.deepEqual(launched({ NAMEDPROCESS_V8_TUNING: 'off' }), { status: 0, argv: [MAIN, '-procnames', 'a b'], stderr: '' });
  assert.deepEqual(launched({ NAMEDPROCESS_V8_TUNING: 'maybe' }), { status: 2, argv: [], stderr: 'NAMEDPROCESS_V8_TUNING must be "on" or "off", got "maybe"\n' });
});

/** The flags the launcher gives this test's node, without the script and its arguments. */
function launcherFlags(): string[] {
  const { argv } = launched();
  assert.ok(argv.includes(MAIN), `the launcher runs node on ${MAIN}: ${argv.join(' ')}`);
  return argv.slice(0, argv.indexOf(MAIN));
}

test("this node accepts every flag the launcher gives it, without a word on stderr", () => {
  const r = spawnSync(process.execPath, [...launcherFlags(), '-e', 'process.stdout.write(typeof gc)'], { encoding: 'utf8' });
  assert.deepEqual({ status: r.status, stdout: r.stdout, stderr: r.stderr }, { status: 0, stdout: 'function', stderr: '' });
});

/** Allocates 80 MB of short-lived objects in a child started with `flags`, then prints the young generation's size in bytes. */
function youngGenerationAfterChurn(flags: string[]): number {
  const script = `
    const keep = [];
    for (let k = 0; k < 100; k++) { const a = []; for (let i = 0; i < 20000; i++) a.push({ i, s: 'x' + i }); keep.push(a[7]); }
    const ns = require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    process.stdout.write(String(ns.space_size));`;
  const r = spawnSync(process.execPath, [...flags, '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout);
}

test("the launcher's settings keep the young generation at its initial size under allocation churn", () => {
  const plain = youngGenerationAfterChurn([]);
  const tuned = youngGenerationAfterChurn(launcherFlags());
  // two semi-spaces of at most 1 MiB each; Node 24's V8 counts a little more for its new space's pages
  const bound = (process.versions.node.startsWith('20.') ? 2 : 4) * 1024 * 1024;
  assert.ok(tuned <= bound, `young generation ${tuned} bytes with the settings`);
  assert.ok(plain > tuned, `young generation ${plain} bytes without the settings, ${tuned} with`);
});

test('without --expose-gc there is no heap step: the heap is left to V8', () => {
  const r = spawnSync(process.execPath, ['-e', `process.stdout.write(String(require(${JSON.stringify(HEAP_STEP)}).heapStepWithExposedGc()))`], { encoding: 'utf8' });
  assert.deepEqual({ status: r.status, stdout: r.stdout }, { status: 0, stdout: 'null' });
});

test('the heap is collected as a cycle starts once the old generation grew by HEAP_STEP_BYTES', () => {
  const script = `
    const step = require(${JSON.stringify(HEAP_STEP)}).heapStepWithExposedGc();
    const v8 = require('node:v8');
    const old = () => v8.getHeapSpaceStatistics().filter((s) => !s.space_name.startsWith('new_')).reduce((a, s) => a + s.space_used_size, 0);
    const out = { first: step.collectIfGrown(), again: step.collectIfGrown() };
    out.base = old();
    // objects kept across scavenges are promoted to the old generation, then dropped: old garbage
    let keep = [];
    for (let i = 0; i < 60000; i++) keep.push({ i, s: 'value ' + i });
    for (let k = 0; k < 20; k++) { let tmp = []; for (let i = 0; i < 50000; i++) tmp.push({ i }); tmp = null; }
    keep = null;
    const before = old();
    out.grownBy = before - out.base;
    out.collected = step.collectIfGrown();
    out.freed = before - old();
    out.after = step.collectIfGrown();
    process.stdout.write(JSON.stringify(out));`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'V8 complained');
  const out = JSON.parse(r.stdout);
  // the first call always collects, then not until the heap grows
  assert.equal(out.first, true);
  assert.equal(out.again, false);
  assert.ok(out.grownBy >= 1024 * 1024, `old generation grew by ${out.grownBy} bytes only`);
  assert.equal(out.collected, true);
  assert.ok(out.freed >= 1024 * 1024, `the collection freed ${out.freed} bytes`);
  assert.equal(out.after, false);
});

test('the heap is collected as a cycle starts once JS objects hold EXTERNAL_STEP_BYTES more outside it', () => {
  const script = `
    const step = require(${JSON.stringify(HEAP_STEP)}).heapStepWithExposedGc();
    const v8 = require('node:v8');
    const external = () => v8.getHeapStatistics().external_memory;
    // response bodies: dropped buffers, whose memory outside the heap waits for a full collection
    const drop = (mib) => { let bodies = []; for (let i = 0; i < mib; i++) bodies.push(Buffer.alloc(1024 * 1024, 1)); bodies = null; };
    const out = { first: step.collectIfGrown() };
    drop(3);
    out.below = step.collectIfGrown();
    drop(3);
    const before = external();
    out.collected = step.collectIfGrown();
    // the buffers' memory is given back by V8's sweeper thread after the collection, and counted as given
    // back at the next one (here a scavenge of some young garbage)
    setTimeout(() => {
      for (let k = 0; k < 20; k++) { let tmp = []; for (let i = 0; i < 50000; i++) tmp.push({ i }); tmp = null; }
      out.freed = before - external();
      process.stdout.write(JSON.stringify(out));
    }, 300);`;
  const r = spawnSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' });
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
