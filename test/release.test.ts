// What a release is made of, checked the way a maintainer and a user meet it: a fresh clone of this
// repository, `npm install` in it, `npm pack` of it, and the tarball installed into an empty project.
//   - process_exporter_build_info and -version name the clone's commit (`git rev-parse --short HEAD`),
//     from the clone and from the tarball (which has no git: the stamp travels in dist/build-info.json);
//   - prom-client is an optional peer: the tarball alone does not pull it in;
//   - the README's library example, copied from README.md as it stands, runs as a CommonJS file with
//     prom-client installed beside the package, and its register.metrics() carries the namedprocess_*
//     families.
// Needs git, npm and the registry (or npm's cache); skips, saying which, without them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs } from './fakeproc';
import { cleanEnv, REPO } from './fresh-machine';

function npmCli(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  return found ? fs.realpathSync(found) : null;
}
const NPM = npmCli();
const GIT = spawnSync('git', ['--version']).status === 0;
const skip = !GIT ? 'git is not installed' : !NPM ? 'npm is not on PATH' : false;

/** The README's example: the first ```js block under its "In a Node app" heading. */
export function readmeLibraryExample(readme: string): string {
  const at = readme.indexOf('### In a Node app that already uses prom-client');
  assert.ok(at >= 0, 'README.md has the library section');
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(at));
  assert.ok(m, 'the library section has a js block');
  return m[1];
}

function run(cmd: string, args: string[], opts: SpawnSyncOptions & { cwd: string }): string {
  const res = spawnSync(cmd, args, { env: cleanEnv({}), encoding: 'utf8', timeout: 600_000, maxBuffer: 64 * 1024 * 1024, ...opts });
  assert.equal(res.status, 0, `${cmd} ${args.join(' ')} in ${opts.cwd}:\n${String(res.stdout).slice(-3000)}\n${String(res.stderr).slice(-3000)}`);
  return String(res.stdout);
}

const npm = (cwd: string, ...args: string[]) => run(process.execPath, [NPM!, ...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd });

/** The build-info line of one scrape of `exe` (a script) over a fake procfs. */
function buildInfo(exe: string, cwd: string, procfs: string): string {
  const out = run(process.execPath, [exe, '-procfs', procfs, '-once-to-stdout-delay', '10ms'], { cwd });
  const line = out.split('\n').find((l) => l.startsWith('process_exporter_build_info{'));
  assert.ok(line, out.slice(0, 2000));
  return line;
}

test('a fresh clone and its tarball name their commit; the README library example runs against the tarball', { skip, timeout: 1_800_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-release-'));
  const f = await FakeProcfs.create();
  t.after(async () => {
    fs.rmSync(work, { recursive: true, force: true });
    await f.remove();
  });
  await f.set([{ pid: 10, comm: 'app' }]);

  // a fresh clone, set up as the README says
  const clone = path.join(work, 'clone');
  run('git', ['clone', '-q', REPO, clone], { cwd: work });
  const rev = run('git', ['rev-parse', '--short', 'HEAD'], { cwd: clone }).trim();
  const branch = run('git', ['rev-parse', '--abbrev-ref', 'HEAD'], { cwd: clone }).trim();
  npm(clone, 'install');
  assert.equal(run('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: clone }), '', 'npm install leaves the clone clean');
  assert.match(buildInfo('dist/src/main.js', clone, f.root), new RegExp(`[{,]revision="${rev}"[,}]`));
  assert.match(buildInfo('dist/src/main.js', clone, f.root), new RegExp(`[{,]branch="${branch}"[,}]`));
  const version = run(process.execPath, ['dist/src/main.js', '-version'], { cwd: clone });
  assert.match(version.split('\n')[0], new RegExp(`^namedprocess-exporter, version \\S+ \\(branch: ${branch}, revision: ${rev}\\)$`));

  // the tarball `npm pack` makes of it (prepare runs again and stamps again)
  const pack = JSON.parse(npm(clone, 'pack', '--json', '--pack-destination', work)) as { filename: string; files: { path: string }[] }[];
  assert.ok(pack[0].files.some((x) => x.path === 'dist/build-info.json'), 'the stamp is in the tarball');
  const tarball = path.join(work, pack[0].filename);

  // installed into an empty project: the stamp, and no prom-client unless the project asks for it
  const project = path.join(work, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'), '{"name":"user-project","version":"1.0.0","private":true}\n');
  npm(project, 'install', tarball);
  assert.equal(fs.existsSync(path.join(project, 'node_modules', 'prom-client')), false, 'prom-client is an optional peer: not installed with the package');
  const exe = path.join(project, 'node_modules', '.bin', 'process-exporter');
  assert.match(buildInfo(exe, project, f.root), new RegExp(`[{,]revision="${rev}"[,}]`));
  assert.equal(run(process.execPath, [exe, '-version'], { cwd: project }), version);

  // the README's example, unchanged, as app.js (CommonJS: the project has no "type": "module")
  const promClient = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'prom-client', 'package.json'), 'utf8')) as { version: string }).version;
  npm(project, 'install', `prom-client@${promClient}`);
  fs.writeFileSync(path.join(project, 'app.js'), readmeLibraryExample(fs.readFileSync(path.join(clone, 'README.md'), 'utf8')));
  const out = run(process.execPath, ['app.js'], { cwd: project, timeout: 120_000 });
  // the example groups node processes by comm, under this Node's name for its main thread: it is one itself
  const comm = fs.readFileSync('/proc/self/comm', 'utf8').trim();
  assert.match(out, /^# TYPE namedprocess_namegroup_num_procs gauge$/m);
  assert.match(out, new RegExp(`^namedprocess_namegroup_num_procs\\{groupname="${comm}"\\} [1-9]\\d*$`, 'm'));
});
