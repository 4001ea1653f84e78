// The build stamp: scripts/stamp.js writes dist/build-info.json from git at build time, and
// src/base/version.ts reads it for -version and process_exporter_build_info. Run here on small repositories
// made for the test; test/release.test.ts checks a fresh clone and its tarball end to end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readBuildStamp } from '../src/base/version';
import { cleanEnv, REPO } from './fresh-machine';

const hasGit = spawnSync('git', ['--version']).status === 0;
const noGit = hasGit ? false : 'git is not installed';

function tmp(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-stamp-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

// a committer identity of the test's own, whatever the machine's git config says
const GIT_ENV = cleanEnv({ GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.org', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.org', GIT_CONFIG_NOSYSTEM: '1', HOME: os.tmpdir() });

function git(cwd: string, ...args: string[]): string {
  const res = spawnSync('git', ['-c', 'init.defaultBranch=main', '-c', 'commit.gpgsign=false', ...args], { cwd, env: GIT_ENV, encoding: 'utf8' });
  assert.equal(res.status, 0, `git ${args.join(' ')}: ${res.stderr}`);
  return res.stdout.trim();
}

/** A package directory with scripts/stamp.js in it; runs the script and returns what it wrote. */
function project(dir: string): { run(): unknown } {
  fs.mkdirSync(path.join(dir, 'scripts'), { recursive: true });
  fs.copyFileSync(path.join(REPO, 'scripts', 'stamp.js'), path.join(dir, 'scripts', 'stamp.js'));
  fs.writeFileSync(path.join(dir, '.gitignore'), 'dist/\n');
  return {
    run() {
      const res = spawnSync(process.execPath, ['scripts/stamp.js'], { cwd: dir, env: GIT_ENV, encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      assert.equal(res.stdout + res.stderr, '');
      return JSON.parse(fs.readFileSync(path.join(dir, 'dist', 'build-info.json'), 'utf8'));
    },
  };
}

test('stamp.js: revision, branch and the dirty mark of the checkout it is in', { skip: noGit }, (t) => {
  const dir = tmp(t);
  const p = project(dir);
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, 'commit', '-q', '-m', 'one');
  const rev = git(dir, 'rev-parse', '--short', 'HEAD');
  assert.deepEqual(p.run(), { revision: rev, branch: 'main', dirty: false });
  // an untracked file or build output is not a change; an edit to a tracked file is
  fs.writeFileSync(path.join(dir, 'untracked.txt'), 'x');
  assert.deepEqual(p.run(), { revision: rev, branch: 'main', dirty: false });
  fs.appendFileSync(path.join(dir, 'scripts', 'stamp.js'), '\n');
  assert.deepEqual(p.run(), { revision: rev, branch: 'main', dirty: true });
  // a detached checkout (a tag) says HEAD, as prometheus/common's build tools print it
  git(dir, 'checkout', '-q', '--', '.');
  git(dir, 'tag', 'v9.9.9');
  git(dir, 'checkout', '-q', 'v9.9.9');
  assert.deepEqual(p.run(), { revision: rev, branch: 'HEAD', dirty: false });
});

test('stamp.js: without a repository of its own it writes unknown, and keeps a stamp that is there', { skip: noGit }, (t) => {
  const outer = tmp(t);
  git(outer, 'init', '-q');
  // a package inside another repository (as in node_modules) does not take that repository's revision
  const dir = path.join(outer, 'node_modules', 'pkg');
  fs.mkdirSync(dir, { recursive: true });
  const p = project(dir);
  fs.writeFileSync(path.join(outer, 'x'), 'x');
  git(outer, 'add', 'x');
  git(outer, 'commit', '-q', '-m', 'outer');
  assert.deepEqual(p.run(), { revision: 'unknown', branch: 'unknown', dirty: false });
  // a tarball's stamp (no .git beside it) is left as it was
  fs.writeFileSync(path.join(dir, 'dist', 'build-info.json'), '{"revision":"abc1234","branch":"main","dirty":false}\n');
  assert.deepEqual(p.run(), { revision: 'abc1234', branch: 'main', dirty: false });
});

test('readBuildStamp: the dirty mark follows the revision; a missing or bad file says unknown', (t) => {
  const dir = tmp(t);
  const file = path.join(dir, 'build-info.json');
  assert.deepEqual(readBuildStamp(file), { revision: 'unknown', branch: 'unknown' });
  fs.writeFileSync(file, '{"revision":"abc1234","branch":"main","dirty":true}');
  assert.deepEqual(readBuildStamp(file), { revision: 'abc1234-dirty', branch: 'main' });
  fs.writeFileSync(file, '{"revision":"abc1234","branch":"main","dirty":false}');
  assert.deepEqual(readBuildStamp(file), { revision: 'abc1234', branch: 'main' });
  fs.writeFileSync(file, '{"revision":"unknown","branch":"unknown","dirty":true}');
  assert.deepEqual(readBuildStamp(file), { revision: 'unknown', branch: 'unknown' });
  fs.writeFileSync(file, '{"revision":7,"branch":""}');
  assert.deepEqual(readBuildStamp(file), { revision: 'unknown', branch: 'unknown' });
  fs.writeFileSync(file, 'not json');
  assert.deepEqual(readBuildStamp(file), { revision: 'unknown', branch: 'unknown' });
});
