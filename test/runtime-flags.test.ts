// The exporter changes nothing in V8 while it runs: no natives syntax in its code, and no call to
// v8.setFlagsFromString once it has started, whatever the host's size and with either reader; and it runs
// under --jitless, which a run-time switch of the compilers would crash on Node 24.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { OUR_LAUNCHER, startExporter } from './procs';
import { loadNative } from '../src/proc/native';

const SRC = path.resolve(__dirname, '..', '..', 'src');
const nativeSkip = loadNative().addon ? false : 'the native scanner is not built here (no compiler at install)';

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sourceFiles(p) : /\.(ts|js)$/.test(e.name) ? [p] : [];
  });
}

test('src/ uses no V8 natives syntax and sets no V8 flag', () => {
  const found: string[] = [];
  for (const f of sourceFiles(SRC)) {
    const text = fs.readFileSync(f, 'utf8');
    text.split('\n').forEach((line, i) => {
      if (/allow-natives-syntax|%[A-Z][A-Za-z]+\(|setFlagsFromString/.test(line)) found.push(`${path.relative(SRC, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(sourceFiles(SRC).length > 50, 'the sources were found');
  assert.deepEqual(found, []);
});

/** n idle processes, named by a handful of comms, on a fake tree. */
function procs(n: number): FakeProc[] {
  return Array.from({ length: n }, (_, i) => ({ pid: 100 + i, comm: `app${i % 7}`, starttime: 1000 + i, utime: i, cmdline: [`app${i % 7}`, String(i)] }));
}

for (const reader of ['native', 'ts'] as const) {
  test(`no V8 flag is set more than three seconds after start while the host grows from 100 to 2,600 processes, ${reader} reader`, { skip: reader === 'native' && nativeSkip }, async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-flags-'));
    const log = path.join(dir, 'calls');
    const preload = path.join(dir, 'preload.js');
    // a preload that wraps v8.setFlagsFromString and writes down each call with the time since start
    fs.writeFileSync(
      preload,
      `const v8 = require('node:v8'); const fs = require('node:fs'); const orig = v8.setFlagsFromString; const t0 = Date.now();
       v8.setFlagsFromString = function (flags) { fs.appendFileSync(${JSON.stringify(log)}, (Date.now() - t0) + ' ' + flags + '\\n'); return orig.call(this, flags); };
       v8.setFlagsFromString('--no-trace-gc');`,
    );
    const tree = await FakeProcfs.create();
    try {
      await tree.set(procs(100));
      const e = await startExporter(OUR_LAUNCHER, ['-procfs', tree.root], { NAMEDPROCESS_READER: reader, NODE_OPTIONS: `--require ${preload}` });
      try {
        for (const n of [100, 600, 1600, 2600]) {
          await tree.set(procs(n));
          for (let k = 0; k < 2; k++) assert.equal((await e.scrape()).status, 200);
        }
        const last = await e.scrape();
        const total = [...last.body.matchAll(/^namedprocess_namegroup_num_procs\{[^}]*\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
        assert.equal(total, 2600);
      } finally {
        await e.stop();
      }
      const calls = fs.readFileSync(log, 'utf8').trim().split('\n');
      // the preload's own call proves the wrapper records; nothing else may come after three seconds
      assert.equal(calls[0]?.split(' ')[1], '--no-trace-gc');
      assert.deepEqual(calls.slice(1).filter((c) => Number(c.split(' ')[0]) > 3000), []);
    } finally {
      await tree.remove();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

for (const reader of ['native', 'ts'] as const) {
  test(`runs under --jitless on a 3,000-process host, ${reader} reader`, { skip: reader === 'native' && nativeSkip }, async () => {
    const tree = await FakeProcfs.create();
    try {
      await tree.set(procs(3000));
      const e = await startExporter(OUR_LAUNCHER, ['-procfs', tree.root], { NAMEDPROCESS_READER: reader, NODE_OPTIONS: '--jitless' });
      try {
        for (let k = 0; k < 3; k++) {
          const r = await e.scrape();
          assert.equal(r.status, 200);
          assert.match(r.body, /^namedprocess_namegroup_num_procs\{groupname="app0"\} 429$/m);
        }
        assert.equal(e.child.exitCode, null, 'still running');
      } finally {
        assert.equal(await e.stop(), 0);
      }
    } finally {
      await tree.remove();
    }
  });
}
