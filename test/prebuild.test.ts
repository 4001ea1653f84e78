// The committed prebuilt binaries must come from the committed native sources: prebuilds/SOURCES.sha256
// records the fingerprint of binding.gyp and native/* they were built from (scripts/prebuild.js writes
// it). A change to the sources without `npm run build:prebuilds` fails here, before a stale binary ships.
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
