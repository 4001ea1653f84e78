// The settings registry (src/settings/registry.ts): its rows are consistent, and what derives from them
// (defaults, the config file's keys, the tracker's settings, what a reload keeps) follows the rows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultOptions, FILE_SETTINGS, freshDefaults, reloadedOptions, SETTING_ROWS, trackerSettings, type Options } from '../src/settings/registry';
import { parseCommandLine } from '../src/cli/flags';

const unique = (xs: string[]) => assert.deepEqual(xs.filter((x, i) => xs.indexOf(x) !== i), []);

test('flags, Options keys and config-file keys are each unique', () => {
  unique(SETTING_ROWS.map((r) => r.flag));
  unique(SETTING_ROWS.map((r) => r.key));
  unique(SETTING_ROWS.flatMap((r) => (r.file === undefined ? [] : [r.file])));
});

test('only a setting the config file holds can change on reload', () => {
  for (const r of SETTING_ROWS) if (r.reloadable) assert.ok(r.file !== undefined, `${r.flag} is reloadable but not in the file`);
});

test('every setting is a flag with its usage text in -h', () => {
  const r = parseCommandLine(['-h'], { prog: 'p' });
  assert.ok(r.kind === 'exit');
  for (const s of SETTING_ROWS) assert.ok(r.stderr.includes(`\n  -${s.flag}`) && r.stderr.includes(s.usage), s.flag);
});

test('the defaults are the rows\' defaults, and a fresh copy does not share lists', () => {
  assert.deepEqual(Object.keys(defaultOptions), SETTING_ROWS.map((r) => r.key));
  for (const r of SETTING_ROWS) assert.deepEqual(defaultOptions[r.key], r.default, r.key);
  const a = freshDefaults();
  a.procnames.push('x');
  assert.deepEqual(defaultOptions.procnames, []);
  assert.throws(() => (defaultOptions.procnames as string[]).push('y'));
});

test("the config file's keys: Alloy's names in alphabetical order, then ours", () => {
  assert.deepEqual([...FILE_SETTINGS.keys()], ['gather_smaps', 'procfs_path', 'recheck_on_scrape', 'remove_empty_groups', 'track_children', 'track_threads', 'top_processes']);
});

test('a whole-number setting with a range says the same range everywhere', () => {
  for (const r of SETTING_ROWS) {
    if (r.range === undefined) continue;
    assert.equal(r.type.flag, 'int', r.flag);
    assert.ok(r.range.min <= (r.default as number) && (r.default as number) <= r.range.max, r.flag);
  }
});

test('the tracker is given exactly the rows marked for it', () => {
  const o = freshDefaults();
  assert.deepEqual(Object.keys(trackerSettings(o)).sort(), SETTING_ROWS.filter((r) => r.tracker).map((r) => r.key).sort());
  assert.equal(trackerSettings({ ...o, gatherSmaps: false }).gatherSmaps, false);
});

test('a reload brings the reloadable settings and keeps the others', () => {
  const current: Options = { ...freshDefaults(), procfs: '/a', listenAddress: ':1' };
  const next: Options = { ...current, procfs: '/b', listenAddress: ':2', threads: false, gatherSmaps: false };
  const got = reloadedOptions(current, next);
  assert.deepEqual([got.procfs, got.listenAddress, got.threads, got.gatherSmaps], ['/a', ':1', false, false]);
});
