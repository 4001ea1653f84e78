// An exporter with the common config loads only what it runs: the regex engine, the template engine and
// the modules of features it does not use (push, web config, TS reader, ...) are loaded on first use.
// Checked on the real binary: started, scraped, stopped, with a preload that lists what was loaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { FakeProcfs } from './fakeproc';

const MAIN = path.join(__dirname, '..', 'src', 'main.js');

/** What a plain exporter never needs (paths of dist/ or node_modules/, or Node's own module ids). */
const LAZY = [
  'node_modules/re2js/',
  'src/config/template/parse.js',
  'src/config/template/exec.js',
  'src/proc/ts-reader.js',
  'src/proc/ts-reader-core.js',
  'src/config/remote-write.js',
  'src/push/index.js',
  'src/server/webconfig.js',
  'src/server/tls.js',
  'src/server/auth.js',
  'src/track/explain.js',
  'src/page/processes.js',
  'NativeModule internal/fs/promises',
  // the nodejs_* self metrics are measured without it (src/expose/runtime-probes.ts)
  'NativeModule perf_hooks',
];

function get(port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

/** Runs the exporter with this config, scrapes it once, stops it; returns the loaded modules and the scrape. */
async function loadedBy(dir: string, procfs: string, config: string): Promise<{ loaded: string[]; scrape: string }> {
  const cfg = path.join(dir, 'config.yaml');
  await writeFile(cfg, config);
  const list = path.join(dir, 'loaded.txt');
  const preload = path.join(dir, 'preload.js');
  await writeFile(
    preload,
    `process.on('exit', () => require('fs').writeFileSync(${JSON.stringify(list)}, [...Object.keys(require.cache), ...process.moduleLoadList].join('\\n')));`,
  );
  const child = spawn(process.execPath, ['-r', preload, MAIN, '-config.path', cfg, '-procfs', procfs, '-web.listen-address', '127.0.0.1:0'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stderr.on('data', (d: string) => {
      log += d;
      const m = /msg="Listening on" address=127\.0\.0\.1:(\d+)/.exec(log);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error(`exporter exited: ${log}`)));
  });
  const scrape = await get(port, '/metrics');
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  return { loaded: (await readFile(list, 'utf8')).split('\n').map((l) => l.split(path.sep).join('/')), scrape };
}

test('the common config loads neither the regex nor the template engine, nor unused features', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lazy-load-'));
  const f = await FakeProcfs.create();
  try {
    await f.set([
      { pid: 1, comm: 'init', cmdline: ['/sbin/init'] },
      { pid: 2, comm: 'kthreadd', cmdline: [] },
      { pid: 30, comm: 'bash', cmdline: ['/bin/bash', '-l'] },
    ]);
    const plain = await loadedBy(dir, f.root, 'process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n    - \'.+\'\n');
    assert.match(plain.scrape, /^namedprocess_namegroup_num_procs\{groupname="bash"\} 1$/m);
    assert.doesNotMatch(plain.scrape, /groupname="kthreadd"/);
    for (const m of LAZY) assert.ok(!plain.loaded.some((l) => l.includes(m)), `${m} is loaded with the common config`);
    // the same check sees the engines when a config needs them
    const full = await loadedBy(dir, f.root, 'process_names:\n  - name: "{{.Matches.x}}"\n    cmdline:\n    - \'^/(?P<x>[a-z]+)/\'\n');
    assert.match(full.scrape, /^namedprocess_namegroup_num_procs\{groupname="bin"\} 1$/m);
    for (const m of ['node_modules/re2js/', 'src/config/template/parse.js']) assert.ok(full.loaded.some((l) => l.includes(m)), `${m} is not loaded for a config that needs it`);
  } finally {
    await f.remove();
    await rm(dir, { recursive: true, force: true });
  }
});
