// A fresh checkout on a machine without a working C++ compiler: the install step prints one line and
// exits 0, the exporter starts on the TypeScript reader (and says so in the log and build info), and
// the reader suite passes there. Simulated in a temp copy with PATH holding only node, npm and sh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs } from './fakeproc';

const REPO = path.resolve(__dirname, '..', '..');
const LINE = /^namedprocess-exporter: native scanner not built \((.+)\); using the TypeScript \/proc reader$/;

/** Copies what a clone + `npm install` would have, minus any build output. */
function freshCopy(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-nocompiler-'));
  for (const f of ['package.json', 'binding.gyp', 'tsconfig.json']) fs.copyFileSync(path.join(REPO, f), path.join(dir, f));
  for (const d of ['native', 'scripts', 'dist']) fs.cpSync(path.join(REPO, d), path.join(dir, d), { recursive: true });
  fs.symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

/** A PATH with node, npm and sh only: no g++, cc, make or python. */
function bareBin(): string {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-barebin-'));
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (npm) fs.symlinkSync(fs.realpathSync(npm), path.join(bin, 'npm'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  // Whatever the outer run uses (ASan preload, a forced addon path) must not leak into the "fresh machine".
  for (const k of ['LD_PRELOAD', 'ASAN_OPTIONS', 'NAMEDPROCESS_NATIVE_PATH', 'NAMEDPROCESS_REQUIRE_NATIVE', 'NAMEDPROCESS_READER', 'CXX', 'CC', 'NODE_TEST_CONTEXT']) {
    if (!(k in extra)) delete env[k];
  }
  return env;
}

test('no compiler: install prints one line and exits 0; the exporter runs on the TS reader; the suite passes', async (t) => {
  const dir = freshCopy();
  const bin = bareBin();
  t.after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(bin, { recursive: true, force: true });
  });

  // The install script exactly as npm runs it, with compilers out of reach.
  const viaNpm = fs.existsSync(path.join(bin, 'npm'));
  const install = viaNpm
    ? spawnSync(path.join(bin, 'npm'), ['run', '--silent', 'install'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 120_000 })
    : spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 120_000 });
  assert.equal(install.status, 0, install.stderr);
  const lines = install.stdout.split('\n').filter((l) => l.trim() !== '');
  assert.equal(lines.length, 1, install.stdout);
  assert.match(lines[0], LINE);
  assert.match(lines[0], /no C\+\+ compiler: g\+\+ not found/);
  assert.equal(fs.existsSync(path.join(dir, 'build', 'Release', 'namedprocess_scanner.node')), false);

  // A compiler that is there but broken (CXX=false) is the same one line.
  const broken = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: dir, env: cleanEnv({ CXX: 'false' }), encoding: 'utf8', timeout: 120_000 });
  assert.equal(broken.status, 0);
  assert.match(broken.stdout.trim(), LINE);
  assert.match(broken.stdout.trim(), /no working C\+\+ compiler: false --version failed/);

  // The exporter from that copy starts on the TS reader and says so in the log and the build info.
  const f = await FakeProcfs.create();
  t.after(() => f.remove());
  await f.set([{ pid: 10, comm: 'app' }]);
  const run = spawnSync(process.execPath, ['dist/src/main.js', '-procfs', f.root, '-once-to-stdout-delay', '10ms'], {
    cwd: dir,
    env: cleanEnv({ PATH: bin }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stderr, /Reading \/proc with the TypeScript scanner: the native scanner is not available: .*namedprocess_scanner\.node does not exist/);
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
  assert.match(forced.stderr, /^ts=\S+ level=error msg="NAMEDPROCESS_READER=native but the native scanner is not available: .*does not exist \(not built: .*\)"\n$/m);
  assert.doesNotMatch(forced.stderr, /\n\s+at /, 'no stack trace');

  // The reader suite, run from the copy: the TS half passes, the native half skips with its reason.
  const suite = spawnSync(process.execPath, ['--test', 'dist/test/native.test.js'], { cwd: dir, env: cleanEnv({ PATH: bin }), encoding: 'utf8', timeout: 300_000 });
  assert.equal(suite.status, 0, suite.stdout.slice(-3000));
  assert.match(suite.stdout, /skipping the native half: native scanner not built/);
  assert.match(suite.stdout, /# fail 0/);
});

test('NAMEDPROCESS_SKIP_NATIVE=1 skips the build with the same one line', () => {
  const res = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'build-native.js')], {
    env: cleanEnv({ NAMEDPROCESS_SKIP_NATIVE: '1' }),
    encoding: 'utf8',
  });
  assert.equal(res.status, 0);
  assert.match(res.stdout.trim(), LINE);
  assert.match(res.stdout.trim(), /NAMEDPROCESS_SKIP_NATIVE is set/);
});
