// Whole-output comparisons against files in test/golden/, node_exporter style: the expected text lives
// in the repository and is regenerated, after a deliberate change, with
//   UPDATE_GOLDEN=1 npm run test:golden      (or UPDATE_GOLDEN=1 npm test for every golden file)
// and the diff reviewed like any other change.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** test/golden in the source tree (tests run from dist/test). */
export const GOLDEN_DIR = join(__dirname, '..', '..', 'test', 'golden');

export const UPDATING = process.env.UPDATE_GOLDEN === '1';

/** Asserts that `actual` equals test/golden/<name>, or rewrites that file with UPDATE_GOLDEN=1. */
export function assertGolden(name: string, actual: string): void {
  const file = join(GOLDEN_DIR, name);
  if (UPDATING) {
    writeFileSync(file, actual);
    return;
  }
  let expected: string;
  try {
    expected = readFileSync(file, 'utf8');
  } catch {
    assert.fail(`${file} is missing: run UPDATE_GOLDEN=1 npm run test:golden to create it`);
  }
  assert.equal(actual, expected, `${name} differs from the golden file (UPDATE_GOLDEN=1 rewrites it after a deliberate change)`);
}
