// End to end: the built exporter on a fake procfs tree pushes every 2 s to a real Prometheus
// (--web.enable-remote-write-receiver, basic auth required) and the receiver is queried: the groups'
// series arrive with the external labels, also through a 307 redirect; wrong credentials are a counted, logged failure; a 30 s
// outage of the receiver leaves no gap and drops nothing.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { hashSync } from 'bcryptjs';
import { FakeProcfs } from './fakeproc';
import { startExporter, freePort, OUR_MAIN, type RunningExporter } from './procs';
import { PUSH_JOB } from '../src/push';

const PROMETHEUS = '/usr/bin/prometheus';
const USER = 'pusher';
const PASSWORD = 'e2e-s3cret-pw';
const STEP_MS = 2000;
const OUTAGE_MS = 30_000;

const exporters: RunningExporter[] = [];
let prom: ChildProcess | null = null;
let fake: FakeProcfs | null = null;
after(async () => {
  for (const e of exporters) await e.stop('SIGKILL');
  if (prom !== null && prom.exitCode === null) prom.kill('SIGKILL');
  await fake?.remove();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Prometheus as a remote-write receiver on 127.0.0.1:port, with its data in dir. */
function startPrometheus(dir: string, port: number): ChildProcess {
  const p = spawn(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    `--web.config.file=${join(dir, 'web.yml')}`,
    '--web.enable-remote-write-receiver',
  ], { stdio: 'ignore' });
  prom = p;
  return p;
}

async function query(port: number, promql: string): Promise<Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>> {
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');
  const r = await request(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`, { headers: { authorization: auth }, headersTimeout: 10_000, bodyTimeout: 10_000 });
  const body = await r.body.text();
  if (r.statusCode !== 200) throw new Error(`query ${promql}: HTTP ${r.statusCode}: ${body}`);
  return JSON.parse(body).data.result;
}

/** Polls until check returns a value (not undefined), for at most ms; the last error in the failure. */
async function until<T>(what: string, ms: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last = '';
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms ${last}`);
    await sleep(250);
  }
}

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test('push to a real Prometheus: series with external labels, wrong credentials counted, a 30 s outage without a gap', { skip: existsSync(PROMETHEUS) ? false : `prometheus is not installed (${PROMETHEUS}; apt-get install prometheus)`, timeout: 240_000 }, async (t) => {
  fake = await FakeProcfs.create();
  await fake.set([
    { pid: 10, comm: 'alpha', starttime: 100 },
    { pid: 11, comm: 'alpha', starttime: 100 },
    { pid: 20, comm: 'beta', starttime: 100 },
  ]);
  const dir = mkdtempSync(join(tmpdir(), 'npe-push-e2e-'));
  writeFileSync(join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 1m\n');
  writeFileSync(join(dir, 'web.yml'), `basic_auth_users:\n  ${USER}: ${hashSync(PASSWORD, 4)}\n`);
  const promPort = await freePort();
  startPrometheus(dir, promPort);
  await until('Prometheus up', 60_000, async () => ((await query(promPort, 'vector(1)')).length === 1 ? true : undefined));

  const config = (password: string) => {
    const file = join(dir, password === PASSWORD ? 'pe.yml' : 'pe-wrong.yml');
    writeFileSync(file, `process_names:
  - name: "{{.Comm}}"
    comm: [alpha, beta]
global:
  scrape_interval: 2s
  external_labels:
    site: e2e
remote_write:
  - url: http://127.0.0.1:${promPort}/api/v1/write
    name: local
    basic_auth:
      username: ${USER}
      password: ${password}
    queue_config:
      min_backoff: 100ms
      max_backoff: 1s
`);
    return file;
  };
  const e = await startExporter(OUR_MAIN, ['-procfs', fake.root, '-config.path', config(PASSWORD)]);
  exporters.push(e);

  // the groups arrive with job, instance and the external label
  const groups = await until('the groups in Prometheus', 60_000, async () => {
    const r = await query(promPort, 'namedprocess_namegroup_num_procs{site="e2e"}');
    return r.length === 2 ? r : undefined;
  });
  const byGroup = new Map(groups.map((s) => [s.metric.groupname, s]));
  assert.deepEqual(byGroup.get('alpha')?.metric, { __name__: 'namedprocess_namegroup_num_procs', groupname: 'alpha', instance: hostname(), job: PUSH_JOB, site: 'e2e' });
  assert.equal(byGroup.get('alpha')?.value?.[1], '2');
  assert.equal(byGroup.get('beta')?.value?.[1], '1');
  // the exporter's own metrics go too, and /metrics keeps working for scrapers
  assert.equal((await query(promPort, `namedprocess_exporter_tracked_procs{site="e2e",job="${PUSH_JOB}"}`))[0]?.value?.[1], '3');
  assert.equal(sample((await e.scrape()).body, 'namedprocess_namegroup_num_procs{groupname="alpha"}'), 2);

  // behind a 307 (a load balancer moving the endpoint): followed, the samples arrive
  const redirector = createServer((req, res) => {
    req.resume();
    res.writeHead(307, { location: `http://127.0.0.1:${promPort}/api/v1/write` }).end();
  });
  await new Promise<void>((r) => redirector.listen(0, '127.0.0.1', r));
  t.after(() => redirector.close());
  const movedFile = join(dir, 'pe-moved.yml');
  writeFileSync(movedFile, readFileSync(config(PASSWORD), 'utf8').replace(`http://127.0.0.1:${promPort}/api/v1/write`, `http://127.0.0.1:${(redirector.address() as AddressInfo).port}/old/write`).replace('site: e2e', 'site: moved'));
  const moved = await startExporter(OUR_MAIN, ['-procfs', fake.root, '-config.path', movedFile]);
  exporters.push(moved);
  await until('the groups pushed through a 307', 60_000, async () => ((await query(promPort, 'namedprocess_namegroup_num_procs{site="moved"}')).length === 2 ? true : undefined));
  assert.ok(!moved.output().includes('not retrying'), moved.output());
  assert.equal(await moved.stop('SIGTERM'), 0);

  // wrong credentials: counted and logged once, the exporter goes on
  const wrong = await startExporter(OUR_MAIN, ['-procfs', fake.root, '-config.path', config('not-the-password')]);
  exporters.push(wrong);
  const failedSeries = `namedprocess_exporter_remote_storage_samples_failed_total{remote_name="local",url="http://127.0.0.1:${promPort}/api/v1/write"}`;
  const failed = await until('failed samples counted', 30_000, async () => {
    const n = sample((await wrong.scrape()).body, failedSeries);
    return n !== undefined && n > 0 ? n : undefined;
  });
  assert.ok(failed > 0);
  const wrongLog = wrong.output();
  assert.equal(wrongLog.match(/remote_write local: server returned HTTP status 401: Unauthorized: \d+ samples not sent, not retrying/g)?.length, 1, wrongLog);
  assert.ok(!wrongLog.includes('not-the-password'));
  assert.equal(wrong.child.exitCode, null);
  assert.equal(sample((await wrong.scrape()).body, `namedprocess_exporter_remote_storage_samples_total{remote_name="local",url="http://127.0.0.1:${promPort}/api/v1/write"}`), 0);
  assert.equal(await wrong.stop('SIGTERM'), 0);

  // the outage: the receiver away for 30 s, then back on the same port with the same data
  const stoppedAt = Date.now();
  const down = prom!;
  down.kill('SIGTERM');
  await new Promise((r) => down.once('exit', r));
  await sleep(OUTAGE_MS - (Date.now() - stoppedAt));
  const pending = sample((await e.scrape()).body, `namedprocess_exporter_remote_storage_samples_pending{remote_name="local",url="http://127.0.0.1:${promPort}/api/v1/write"}`);
  assert.ok(pending !== undefined && pending > 0, `samples wait in the queue during the outage: ${pending}`);
  const restartedAt = Date.now();
  startPrometheus(dir, promPort);
  const metricsSeries = (name: string) => `namedprocess_exporter_remote_storage_${name}{remote_name="local",url="http://127.0.0.1:${promPort}/api/v1/write"}`;
  await until('the queue empties after the outage', 90_000, async () => {
    const text = (await e.scrape()).body;
    const hi = sample(text, metricsSeries('queue_highest_sent_timestamp_seconds')) ?? 0;
    return sample(text, metricsSeries('samples_pending')) === 0 && hi * 1000 > restartedAt + STEP_MS ? true : undefined;
  });
  const text = (await e.scrape()).body;
  assert.equal(sample(text, metricsSeries('samples_dropped_total')), 0);
  assert.ok((sample(text, metricsSeries('samples_retried_total')) ?? 0) > 0);

  const raw = await until('raw samples', 30_000, async () => {
    const r = await query(promPort, 'namedprocess_namegroup_num_procs{groupname="alpha",site="e2e"}[10m]');
    return r.length === 1 ? r[0].values ?? [] : undefined;
  });
  const ts = raw.map(([t]) => Math.round(t * 1000));
  assert.ok(ts[0] < stoppedAt && ts[ts.length - 1] > restartedAt, `samples from before the outage to after it: ${ts[0]}..${ts[ts.length - 1]} vs ${stoppedAt}..${restartedAt}`);
  // one sample per 2 s step: no step missing (a missing one would leave ~4 s) and none extra
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  t.diagnostic(`${ts.length} samples over ${ts[ts.length - 1] - ts[0]} ms, gaps ${Math.min(...gaps)}..${Math.max(...gaps)} ms`);
  assert.ok(gaps.every((g) => g > 0 && g < 1.75 * STEP_MS), `gaps between samples (ms): ${gaps.join(' ')}`);
  assert.equal(ts.length, Math.round((ts[ts.length - 1] - ts[0]) / STEP_MS) + 1);
  assert.ok(raw.every(([, v]) => v === '2'));
  assert.ok(!e.output().includes(PASSWORD), 'the password is not in the log');
  assert.equal(await e.stop('SIGTERM'), 0);
});
