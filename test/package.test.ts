// The package as a user gets it: `npm pack`, then `npm install <tarball>` into an empty project on a
// machine without a C++ compiler (PATH holds node and sh only), with and without install scripts. Both
// must run the native reader from the prebuilt binary, and the tarball must carry only what runs.
// Needs npm and the registry (for the dependencies); it skips, saying so, when npm is not there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs } from './fakeproc';
import { bareBin, cleanEnv, REPO } from './fresh-machine';

const PREBUILD = `prebuilds/linux-${process.arch}/namedprocess-exporter.glibc.node`;

/** npm's own script, run by this node (npm's bin is a symlink to it); null without npm. */
function npmCli(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  return found ? fs.realpathSync(found) : null;
}

const NPM = npmCli();

test('npm pack: the tarball carries what runs and no tests or bench', { skip: NPM ? false : 'npm is not on PATH' }, async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-pack-'));
  t.after(() => fs.rmSync(out, { recursive: true, force: true }));
  // --ignore-scripts: dist/ is already built by the test run, and `prepare` would rewrite it under our feet
  const pack = spawnSync(process.execPath, [NPM!, 'pack', '--json', '--ignore-scripts', '--pack-destination', out], {
    cwd: REPO,
    env: cleanEnv({}),
    encoding: 'utf8',
    timeout: 120_000,
  });
  assert.equal(pack.status, 0, pack.stderr);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  const files = info.files.map((f) => f.path).sort();
  for (const must of ['LICENSE', 'README.md', 'package.json', 'binding.gyp', 'dist/src/main.js', 'dist/src/index.js', 'dist/src/index.d.ts', PREBUILD, 'prebuilds/SOURCES.sha256', 'native/addon.cc', 'scripts/install.js', 'scripts/native-tools.js', 'docs/README.md', 'deploy/namedprocess-exporter.service']) {
    assert.ok(files.includes(must), `${must} is in the tarball`);
  }
  const unwanted = files.filter((f) => /^(test|bench|dist\/test|dist\/bench|\.ci|node_modules|build)\//.test(f) || /\.test\.|scripts\/(prebuild|asan)\.js$/.test(f));
  assert.deepEqual(unwanted, []);
  assert.ok(fs.existsSync(path.join(out, info.filename)));
});

for (const ignoreScripts of [false, true]) {
  test(`npm install <tarball>${ignoreScripts ? ' --ignore-scripts' : ''} without a compiler runs the prebuilt native reader`, { skip: NPM ? false : 'npm is not on PATH', timeout: 300_000 }, async (t) => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-pkginstall-'));
    const bin = bareBin();
    const f = await FakeProcfs.create();
    t.after(async () => {
      fs.rmSync(work, { recursive: true, force: true });
      fs.rmSync(bin, { recursive: true, force: true });
      await f.remove();
    });
    const env = cleanEnv({ PATH: bin });
    const pack = spawnSync(process.execPath, [NPM!, 'pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
    assert.equal(pack.status, 0, pack.stderr);
    const tarball = path.join(work, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);

    const project = path.join(work, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), '{"name":"user-project","version":"1.0.0","private":true}\n');
    const args = [NPM!, 'install', '--no-audit', '--no-fund', '--prefer-offline', '--foreground-scripts', ...(ignoreScripts ? ['--ignore-scripts'] : []), tarball];
    const install = spawnSync(process.execPath, args, { cwd: project, env, encoding: 'utf8', timeout: 240_000 });
    assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
    const pkg = path.join(project, 'node_modules', 'namedprocess-exporter');
    if (ignoreScripts) assert.doesNotMatch(install.stdout, /namedprocess-exporter: native scanner/);
    else assert.match(install.stdout, new RegExp(`namedprocess-exporter: native scanner ${PREBUILD.replace(/\./g, '\\.')}\\n`));
    assert.equal(fs.existsSync(path.join(pkg, 'build')), false, 'nothing was built from source');
    assert.equal(fs.existsSync(path.join(pkg, 'test')) || fs.existsSync(path.join(pkg, 'dist', 'test')), false);

    // the binary the package declares, as a user runs it
    await f.set([{ pid: 10, comm: 'app' }]);
    const exe = path.join(project, 'node_modules', '.bin', 'process-exporter');
    // the binary is the launcher, a shell script that runs node with the V8 settings: this test's node
    const run = spawnSync(exe, ['-procfs', f.root, '-once-to-stdout-delay', '10ms'], { cwd: project, env: { ...env, NAMEDPROCESS_NODE: process.execPath }, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(run.stderr.includes(`Reading /proc with the native (C++) scanner: prebuilt addon ${fs.realpathSync(pkg)}/${PREBUILD}, `), run.stderr);
    assert.match(run.stdout, /process_exporter_build_info\{[^}]*reader="native"/);
    assert.match(run.stdout, /namedprocess_namegroup_num_procs\{groupname="app"\} 1/);

    // the library entry point through package.json "exports"
    const lib = spawnSync(process.execPath, ['-e', `require('namedprocess-exporter').createCollector({ procfs: ${JSON.stringify(f.root)}, procnames: ['app'] }).then((c) => { console.log(c.collector.readerKind); c.close(); })`], {
      cwd: project,
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(lib.status, 0, lib.stderr);
    assert.equal(lib.stdout, 'native\n');
  });
}
