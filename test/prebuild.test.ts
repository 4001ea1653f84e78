// The committed prebuilt binaries must come from the committed native sources: prebuilds/SOURCES.sha256
// records the fingerprint of binding.gyp and native/* they were built from (scripts/prebuild.js writes
// it). A change to the sources without `npm run build:prebuilds` fails here, before a stale binary ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO } from './fresh-machine';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tools = require(path.join(REPO, 'scripts', 'native-tools.js')) as { sourcesHash(root?: string): string; SOURCES_FILE: string };

test('prebuilds/ was built from the current native sources', () => {
  const recorded = fs.readFileSync(path.join(REPO, tools.SOURCES_FILE), 'utf8').trim();
  assert.equal(
    recorded,
    tools.sourcesHash(REPO),
    'prebuilds/ is stale: native/ or binding.gyp changed since the binaries were built. Run `npm run build:prebuilds` and commit prebuilds/.',
  );
});

test('there is a prebuilt binary for linux-x64 glibc, and nothing else in prebuilds/ but binaries and the fingerprint', () => {
  const dir = path.join(REPO, 'prebuilds');
  assert.ok(fs.existsSync(path.join(dir, 'linux-x64', 'namedprocess-exporter.glibc.node')), 'run `npm run build:prebuilds`');
  const files = (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
  for (const f of files) assert.match(f, /^(SOURCES\.sha256|linux-(x64|arm64)\/namedprocess-exporter\.(glibc|musl)\.node)$/);
});

test('the fingerprint follows every source file, its name and its content', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-hash-'));
  try {
    fs.cpSync(path.join(REPO, 'native'), path.join(tmp, 'native'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'binding.gyp'), path.join(tmp, 'binding.gyp'));
    const base = tools.sourcesHash(tmp);
    assert.equal(base, tools.sourcesHash(REPO));
    fs.appendFileSync(path.join(tmp, 'native', 'scan.h'), '\n');
    const edited = tools.sourcesHash(tmp);
    assert.notEqual(edited, base);
    fs.writeFileSync(path.join(tmp, 'native', 'extra.cc'), '');
    assert.notEqual(tools.sourcesHash(tmp), edited);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('node-gyp-build picks the musl binary on musl (Alpine) and the glibc one elsewhere', () => {
  // a package with both, as the release's tarball has them; LIBC is how node-gyp-build is told what
  // /etc/alpine-release would tell it on Alpine
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-libc-'));
  try {
    const dir = path.join(tmp, 'prebuilds', `linux-${process.arch}`);
    fs.mkdirSync(dir, { recursive: true });
    for (const libc of ['glibc', 'musl']) fs.writeFileSync(path.join(dir, `namedprocess-exporter.${libc}.node`), '');
    fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"namedprocess-exporter"}');
    const pick = (libc: string) => {
      const res = spawnSync(process.execPath, ['-e', `console.log(require(${JSON.stringify(require.resolve('node-gyp-build', { paths: [REPO] }))}).path(${JSON.stringify(tmp)}))`], { env: { ...process.env, LIBC: libc }, encoding: 'utf8' });
      assert.equal(res.status, 0, res.stderr);
      return path.basename(res.stdout.trim());
    };
    assert.equal(pick('musl'), 'namedprocess-exporter.musl.node');
    assert.equal(pick('glibc'), 'namedprocess-exporter.glibc.node');
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('prebuild.js --libc=musl refuses to build on glibc, and takes no other argument', () => {
  const run = (args: string[]) => spawnSync(process.execPath, [path.join(REPO, 'scripts', 'prebuild.js'), ...args], { encoding: 'utf8' });
  const glibc = !!(process.report.getReport() as { header: { glibcVersionRuntime?: string } }).header.glibcVersionRuntime;
  if (glibc) {
    const musl = run(['--libc=musl']);
    assert.equal(musl.status, 1);
    assert.equal(musl.stderr, 'namedprocess-exporter: --libc=musl builds with the host compiler on a musl system (Alpine); this one runs glibc\n');
  }
  const bad = run(['--libc=uclibc']);
  assert.equal(bad.status, 1);
  assert.equal(bad.stderr, 'namedprocess-exporter: unknown argument --libc=uclibc (usage: prebuild.js [--libc=glibc|musl])\n');
});

// The release workflow assembles prebuilds/ from its build jobs and runs this file with
// NAMEDPROCESS_RELEASE_PREBUILDS=1 before it publishes: a release carries all four binaries.
const RELEASE = process.env.NAMEDPROCESS_RELEASE_PREBUILDS === '1';
test('a release has prebuilds for linux x64 and arm64, glibc and musl', { skip: RELEASE ? false : 'only in the release workflow (NAMEDPROCESS_RELEASE_PREBUILDS=1): the repository commits the glibc ones only' }, () => {
  const files = (fs.readdirSync(path.join(REPO, 'prebuilds'), { recursive: true }) as string[]).filter((f) => f.endsWith('.node')).sort();
  assert.deepEqual(files, ['linux-arm64/namedprocess-exporter.glibc.node', 'linux-arm64/namedprocess-exporter.musl.node', 'linux-x64/namedprocess-exporter.glibc.node', 'linux-x64/namedprocess-exporter.musl.node']);
  for (const f of files) assert.ok(fs.statSync(path.join(REPO, 'prebuilds', f)).size > 10_000, `${f} is a binary`);
});
