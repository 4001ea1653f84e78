// The install step (scripts/install.js) and the loader (src/proc/native.ts) on a checkout copied to a
// temp dir: with the committed prebuilds it uses them without a compiler; without prebuilds and without
// a compiler it prints one line, exits 0, and the exporter runs the TypeScript reader and says why.
// PATH holds only node and sh, as on a slim image.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs } from './fakeproc';
import { bareBin, cleanEnv, REPO } from './fresh-machine';

const FALLBACK = /^namedprocess-exporter: native scanner not built \((.+)\); using the TypeScript \/proc reader$/;
const PREBUILD = path.join('prebuilds', `linux-${process.arch}`, 'namedprocess-exporter.glibc.node');

/** What a clone has after `npm ci`, minus build output; prebuilds/ only when asked. */
function checkoutCopy(withPrebuilds: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-install-'));
  for (const f of ['package.json', 'binding.gyp', 'tsconfig.json']) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  for (const d of ['native', 'scripts', 'dist', ...(withPrebuilds ? ['prebuilds'] : [])]) {
    fs.cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
  }
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** A checkout copy, a PATH without a compiler and an empty fake procfs, all removed when the test ends. */
async function slimMachine(t: { after(fn: () => Promise<void>): void }, withPrebuilds: boolean) {
  const dir = checkoutCopy(withPrebuilds);
  const bin = bareBin();
  const f = await FakeProcfs.create();
  t.after(async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
    await f.remove();
  });
  return { dir, bin, f };
}

/** The build log an install line points at is for a user to read; a test cleans up after itself. */
function removeLog(line: string): void {
  const log = / full log: (\S+native-build\.log)\)/.exec(line)?.[1];
  assert.ok(log && fs.existsSync(log), `the log the line names exists: ${line}`);
  fs.rmSync(path.dirname(log), { recursive: true, force: true });
}

const hasPrebuild = fs.existsSync(path.join(REPO, PREBUILD));

test('with the committed prebuild and no compiler: install takes it, the exporter runs native', { skip: hasPrebuild ? false : `${PREBUILD} is missing: run npm run build:prebuilds` }, async (t) => {
  const { dir, bin, f } = await slimMachine(t, true);
  const install = spawnSync(process.execPath, ['scripts/install.js'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(install.status, 0, install.stderr);
  assert.equal(install.stdout, `namedprocess-exporter: native scanner ${PREBUILD}\n`);
  assert.equal(fs.existsSync(path.join(dir, 'build')), false, 'nothing was built');

  await f.set([{ pid: 10, comm: 'app' }]);
  const run = spawnSync(process.execPath, ['dist/src/main.js', '-procfs', f.root, '-once-to-stdout-delay', '10ms'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.ok(run.stderr.includes(`Reading /proc with the native (C++) scanner: prebuilt addon ${path.join(dir, PREBUILD)}, `), run.stderr);
  assert.match(run.stdout, /process_exporter_build_info\{[^}]*reader="native"/);
  assert.match(run.stdout, /namedprocess_namegroup_num_procs\{groupname="app"\} 1/);
});

test('no prebuild and no compiler: install prints one line and exits 0; the exporter runs on the TS reader and says why', async (t) => {
  const { dir, bin, f } = await slimMachine(t, false);

  const install = spawnSync(process.execPath, ['scripts/install.js'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, install.stderr);
  const lines = install.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, install.stdout);
  // node-gyp stops at its first missing tool; on this PATH that is python
  assert.match(lines[0], FALLBACK);
  assert.match(lines[0], /Could not find any Python installation to use; full log: \S+native-build\.log\)/);
  assert.equal(fs.existsSync(path.join(dir, 'build')), false, 'a failed build leaves nothing behind');
  removeLog(lines[0]);

  // A compiler that is there but broken (CXX=false) is the same one line.
  const broken = spawnSync(process.execPath, ['scripts/install.js'], { cwd: dir, env: cleanEnv({ CXX: 'false' }), encoding: 'utf8', timeout: 300_000 });
  assert.equal(broken.status, 0);
  assert.match(broken.stdout.trim(), FALLBACK);
  removeLog(broken.stdout);

  await f.set([{ pid: 10, comm: 'app' }]);
  const run = spawnSync(process.execPath, ['dist/src/main.js', '-procfs', f.root, '-once-to-stdout-delay', '10ms'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 60_000 });
  assert.equal(run.status, 0, run.stderr);
  assert.match(
    run.stderr,
    /Reading \/proc with the TypeScript scanner: the native scanner is not available: No native build was found for platform=linux arch=\w+ .*libc=glibc .*\(no prebuilt binary fits, and none was built from source at install\)/,
  );
  assert.match(run.stdout, /process_exporter_build_info\{[^}]*reader="ts"/);
  assert.match(run.stdout, /namedprocess_namegroup_num_procs\{groupname="app"\} 1/);

  // Forcing native there is a start-up error that says why.
  const forced = spawnSync(process.execPath, ['dist/src/main.js', '-procfs', f.root, '-once-to-stdout-delay', '10ms'], {
    cwd: dir,
    env: cleanEnv({ PATH: bin, NAMEDPROCESS_READER: 'native' }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(forced.status, 1, forced.stderr);
  assert.match(forced.stderr, /^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z level=error msg="NAMEDPROCESS_READER=native but the native scanner is not available: No native build was found for .*"\n$/m);
  assert.doesNotMatch(forced.stderr, /\n\s+at /, 'no stack trace');

  // The reader suite, run from the copy: the TS half passes, the native half skips with its reason.
  const suite = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'dist/test/native.test.js'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 300_000 });
  assert.equal(suite.status, 0, suite.stdout.slice(-3000));
  assert.match(suite.stdout, /skipping the native half: native scanner not built \(No native build was found/);
  assert.match(suite.stdout, /# fail 0/);
});
