// What keeps the exporter's resident memory down: the V8 heap settings the binary applies at start
// (src/heap.ts). Each check runs in a child process, since the settings are process-wide.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const DIST_SRC = path.join(__dirname, '..', 'src');

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

test('the heap settings keep the young generation at its initial size under allocation churn', () => {
  const plain = youngGenerationAfterChurn(null);
  const tuned = youngGenerationAfterChurn(path.join(DIST_SRC, 'heap.js'));
  // V8's initial young generation is two 1 MiB semi-spaces; left alone it doubles under this churn
  assert.ok(tuned <= 2 * 1024 * 1024, `young generation ${tuned} bytes with the settings`);
  assert.ok(plain > tuned, `young generation ${plain} bytes without the settings, ${tuned} with`);
});
