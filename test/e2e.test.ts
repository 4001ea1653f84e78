// End to end, the way a user runs it: the built binary on the live /proc, scraped over HTTP, checked by
// promtool, scraped by a real Prometheus; plus -once-to-stdout-delay and graceful shutdown.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { Registry } from 'prom-client';
import { startExporter, freePort, nobodySkip, OUR_MAIN, type RunningExporter } from './procs';
import { createCollector } from '../src/index';
import { parseLogfmt } from '../src/base/log';

// The comm of a node process: Node 24 names its main thread (and so the process) "MainThread", older
// versions leave "node". The exporters these tests start run on this same node.
const NODE_COMM = readFileSync('/proc/self/comm', 'utf8').trim();

const PROMTOOL = '/usr/bin/promtool';
const PROMETHEUS = '/usr/bin/prometheus';
const children: ChildProcess[] = [];
const exporters: RunningExporter[] = [];
after(async () => {
  for (const e of exporters) await e.stop('SIGKILL');
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** N sleeping processes under a comm nobody else has. */
function startSleepers(name: string, n: number): ChildProcess[] {
  const dir = mkdtempSync(join(tmpdir(), 'npe-e2e-'));
  const bin = join(dir, name);
  copyFileSync('/bin/sleep', bin);
  chmodSync(bin, 0o755);
  const out: ChildProcess[] = [];
  for (let i = 0; i < n; i++) {
    const c = spawn(bin, ['600'], { stdio: 'ignore' });
    children.push(c);
    out.push(c);
  }
  return out;
}


describe('the exporter on the live /proc', () => {
  test('page, metrics, 404, 405, gzip', async () => {
    const e = await startExporter(OUR_MAIN, ['-procnames', NODE_COMM]);
    exporters.push(e);
    const landing = await e.scrape('/');
    assert.equal(landing.status, 200);
    assert.equal(landing.headers['content-type'], 'text/html; charset=utf-8');
    // the task-manager page (test/page.test.ts, test/page-browser.test.ts) replaces the reference's landing page
    assert.match(landing.body, /<title>Processes · namedprocess-exporter<\/title>/);
    assert.match(String(landing.headers['content-security-policy']), /^default-src 'none'; script-src 'self'/);
    const m = await e.scrape('/metrics');
    assert.equal(m.status, 200);
    assert.equal(m.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8; escaping=values');
    assert.match(m.body, new RegExp(`^namedprocess_namegroup_num_procs\\{groupname="${NODE_COMM}"\\} [1-9]\\d*$`, 'm'));
    assert.match(m.body, new RegExp(`^namedprocess_namegroup_num_threads\\{groupname="${NODE_COMM}"\\} [1-9]\\d*$`, 'm'));
    assert.match(m.body, /^process_exporter_build_info\{.*reader="(native|ts)".*\} 1$/m);
    assert.match(m.body, /^process_resident_memory_bytes \d/m);
    assert.equal((await e.scrape('/nope')).status, 404);
    const post = await request(`http://127.0.0.1:${e.port}/metrics`, { method: 'POST', body: '' });
    assert.equal(post.statusCode, 405);
    await post.body.dump();
    const gz = await request(`http://127.0.0.1:${e.port}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    await gz.body.dump();
    const om = await e.scrape('/metrics', { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.match(String(om.headers['content-type']), /^application\/openmetrics-text; version=1\.0\.0/);
    assert.ok(om.body.endsWith('# EOF\n'));
    assert.equal(await e.stop('SIGTERM'), 0, 'SIGTERM exits 0');
  });

  test('with no config every process is grouped by comm, and the log says so', async () => {
    const sleepers = startSleepers('npe-default', 2);
    const e = await startExporter(OUR_MAIN, []);
    exporters.push(e);
    const body = (await e.scrape()).body;
    assert.match(body, /^namedprocess_namegroup_num_procs\{groupname="npe-default"\} 2$/m);
    assert.match(e.output(), /Reading metrics from \/proc grouping every process by \{\{\.Comm\}\}/);
    sleepers.forEach((c) => c.kill());
  });

  test('promtool check metrics finds only the reference names\' lint notes', { skip: existsSync(PROMTOOL) ? false : `promtool is not installed (${PROMTOOL}; apt-get install prometheus)` }, async () => {
    const e = await startExporter(OUR_MAIN, ['-procnames', `${NODE_COMM},sleep`]);
    exporters.push(e);
    const body = (await e.scrape()).body;
    const res = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
    const notes = (res.stdout + res.stderr).split('\n').filter((l) => l.trim() !== '');
    const allowed = [/^namedprocess_namegroup_thread_count /, /^namedprocess_scrape_errors /, /^namedprocess_scrape_partial_errors /, /^namedprocess_scrape_procread_errors /];
    const unexpected = notes.filter((l) => !allowed.some((re) => re.test(l)));
    assert.deepEqual(unexpected, [], `promtool said:\n${notes.join('\n')}`);
  });

  test('a real Prometheus scrapes us and answers a query for a group we started', { skip: existsSync(PROMETHEUS) ? false : `prometheus is not installed (${PROMETHEUS}; apt-get install prometheus)`, timeout: 120_000 }, async () => {
    startSleepers('npe-prom', 3);
    const e = await startExporter(OUR_MAIN, ['-procnames', 'npe-prom']);
    exporters.push(e);
    const dir = mkdtempSync(join(tmpdir(), 'npe-prometheus-'));
    const port = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: npe\n    static_configs:\n      - targets: ['127.0.0.1:${e.port}']\n`);
    const prom = spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
    children.push(prom);
    const deadline = Date.now() + 90_000;
    let last = '';
    for (;;) {
      try {
        const r = await request(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent('namedprocess_namegroup_num_procs{groupname="npe-prom"}')}`);
        last = await r.body.text();
        const result = JSON.parse(last).data?.result ?? [];
        if (result.length === 1) {
          assert.equal(result[0].value[1], '3');
          assert.equal(result[0].metric.job, 'npe');
          break;
        }
      } catch {
        // not up yet
      }
      if (Date.now() > deadline) assert.fail(`no result from Prometheus: ${last}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    prom.kill();
  });

  test('-once-to-stdout-delay prints one scrape and exits 0', async () => {
    const res = spawnSync(process.execPath, [OUR_MAIN, '-procnames', NODE_COMM, '-once-to-stdout-delay', '100ms'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, /^# HELP namedprocess_namegroup_num_procs number of processes in this group$/m);
    assert.match(res.stdout, new RegExp(`^namedprocess_namegroup_num_procs\\{groupname="${NODE_COMM}"\\} [1-9]`, 'm'));
  });

  test('as a non-root user on the live /proc: other users\' io and fd are partial errors, the scrape works', { skip: nobodySkip() }, () => {
    const res = spawnSync(process.execPath, [OUR_MAIN, '-once-to-stdout-delay', '50ms'], { encoding: 'utf8', timeout: 60_000, uid: 65534, gid: 65534 });
    assert.equal(res.status, 0, res.stderr);
    assert.match(res.stdout, new RegExp(`^namedprocess_namegroup_num_procs\\{groupname="${NODE_COMM}"\\} [1-9]`, 'm'));
    const partial = Number(/^namedprocess_scrape_partial_errors (\S+)$/m.exec(res.stdout)?.[1]);
    assert.ok(partial > 0, `partial errors for root's processes: ${partial}`);
  });

  test('start-up errors are one line and exit 1, never a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-bad-'));
    const cfg = join(dir, 'bad.yaml');
    writeFileSync(cfg, 'process_names:\n  - cmdline: ["a("]\n');
    let res = spawnSync(process.execPath, [OUR_MAIN, '-config.path', cfg], { encoding: 'utf8' });
    assert.equal(res.status, 1);
    // one logfmt line; the message is the reference's, quoted
    const lines = res.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, res.stderr);
    const pairs = parseLogfmt(lines[0]!);
    assert.ok(pairs, `not logfmt: ${lines[0]}`);
    assert.deepEqual(pairs.map(([k]) => k), ['ts', 'level', 'msg']);
    assert.equal(pairs[1]![1], 'error');
    assert.equal(pairs[2]![1], `error reading config file "${cfg}": ${cfg}:2:15: process_names[0]: bad cmdline regex "a(": error parsing regexp: missing closing ): \`a(\``);
    res = spawnSync(process.execPath, [OUR_MAIN, '-procfs', '/nonexistent'], { encoding: 'utf8' });
    assert.equal(res.status, 1);
    assert.match(res.stderr, /msg="Error initializing: could not read \\"\/nonexistent\\": stat \/nonexistent: no such file or directory"\n$/);
    assert.doesNotMatch(res.stderr, /\n\s+at /);
  });
});

describe('library: register into an app\'s own prom-client Registry', () => {
  test('registry.metrics() carries the namedprocess_* families', async () => {
    const registry = new Registry();
    const embedded = await createCollector({ procnames: [NODE_COMM] });
    embedded.registerIn(registry);
    const text = await registry.metrics();
    assert.match(text, new RegExp(`^namedprocess_namegroup_num_procs\\{groupname="${NODE_COMM}"\\} [1-9]`, 'm'));
    assert.match(text, /^# TYPE namedprocess_namegroup_cpu_seconds_total counter$/m);
    assert.match(text, new RegExp(`^namedprocess_namegroup_memory_bytes\\{groupname="${NODE_COMM}",memtype="resident"\\} [1-9]`, 'm'));
    assert.match(text, /^namedprocess_scrape_errors 0$/m);
    embedded.close();
  });
});
