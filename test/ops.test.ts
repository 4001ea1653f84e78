// Operating the built exporter on a fake procfs tree: config reload (SIGHUP, POST /-/reload), the probe
// routes, and log lines that parse (logfmt by default, JSON with -log.format=json).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { startExporter, OUR_MAIN, type RunningExporter } from './procs';
import { parseSamples } from './harness';
import { parseLogfmt } from '../src/base/log';

const BTIME = 1_700_000_000;
const cleanups: Array<() => Promise<unknown>> = [];
after(async () => {
  for (const c of cleanups) await c();
});

async function tree(procs: FakeProc[]): Promise<FakeProcfs> {
  const fs = await FakeProcfs.create({ btime: BTIME });
  await fs.set(procs);
  cleanups.push(() => fs.remove());
  return fs;
}

async function exporter(args: string[]): Promise<RunningExporter> {
  const e = await startExporter(OUR_MAIN, args);
  cleanups.push(() => e.stop('SIGKILL'));
  return e;
}

/** Waits until the exporter's output has `needle` n times (bounded). */
async function waitForOutput(e: RunningExporter, needle: string, n = 1): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (e.output().split(needle).length - 1 < n) {
    if (Date.now() > deadline) assert.fail(`no ${JSON.stringify(needle)} (x${n}) in:\n${e.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function samples(e: RunningExporter): Promise<Map<string, string>> {
  const r = await e.scrape();
  assert.equal(r.status, 200);
  return parseSamples(r.body);
}

async function post(e: RunningExporter, path: string): Promise<{ status: number; body: string; allow?: string }> {
  const r = await request(`http://127.0.0.1:${e.port}${path}`, { method: 'POST' });
  return { status: r.statusCode, body: await r.body.text(), allow: r.headers.allow as string | undefined };
}

const alpha = (utime: number): FakeProc => ({ pid: 10, comm: 'alpha', starttime: 500, utime });
const beta = (utime: number): FakeProc => ({ pid: 11, comm: 'beta', starttime: 600, utime });
const RULE_A = 'process_names:\n  - comm: [alpha]\n    name: A\n';
const RULES_AB = RULE_A + '  - comm: [beta]\n    name: B\n';
const BROKEN = 'process_names:\n  - comm: [alpha]\n    name: A\n  - cmdline: ["a("]\n    name: C\n';

const cpuUser = (m: Map<string, string>, g: string) => m.get(`namedprocess_namegroup_cpu_seconds_total{groupname="${g}",mode="user"}`);
const numProcs = (m: Map<string, string>, g: string) => m.get(`namedprocess_namegroup_num_procs{groupname="${g}"}`);

/**
 * The scenario both triggers run: a new group appears, a kept group's counter continues exactly, a
 * broken file keeps the old config serving with the gauge at 0, a fixed file sets it back to 1.
 */
async function reloadScenario(trigger: (e: RunningExporter) => Promise<void>, extraArgs: string[]): Promise<RunningExporter> {
  const fs = await tree([alpha(1000), beta(0)]);
  const cfg = join(mkdtempSync(join(tmpdir(), 'npe-reload-')), 'c.yml');
  writeFileSync(cfg, RULE_A);
  const e = await exporter(['-procfs', fs.root, '-config.path', cfg, ...extraArgs]);

  let m = await samples(e);
  assert.equal(numProcs(m, 'A'), '1');
  assert.equal(cpuUser(m, 'A'), '0');
  assert.equal(numProcs(m, 'B'), undefined);
  assert.equal(m.get('namedprocess_exporter_config_last_reload_successful'), '1');
  const startedAt = Number(m.get('namedprocess_exporter_config_last_reload_success_timestamp_seconds'));
  assert.ok(startedAt > BTIME, `start-up load time ${startedAt}`);

  await fs.set([alpha(1500), beta(0)]);
  assert.equal(cpuUser(await samples(e), 'A'), '5');

  // a new rule: B appears, A continues from 5 with exactly this interval's 3 s
  writeFileSync(cfg, RULES_AB);
  await fs.set([alpha(1800), beta(100)]);
  await trigger(e);
  m = await samples(e);
  assert.equal(cpuUser(m, 'A'), '8');
  assert.equal(numProcs(m, 'A'), '1');
  assert.equal(numProcs(m, 'B'), '1');
  assert.equal(cpuUser(m, 'B'), '0', 'beta was running before: it counts from now');
  assert.equal(m.get('namedprocess_exporter_config_last_reload_successful'), '1');

  // a broken file: nothing changes but the gauge
  writeFileSync(cfg, BROKEN);
  await fs.set([alpha(2000), beta(300)]);
  await trigger(e);
  m = await samples(e);
  assert.equal(m.get('namedprocess_exporter_config_last_reload_successful'), '0');
  assert.equal(cpuUser(m, 'A'), '10');
  assert.equal(cpuUser(m, 'B'), '2');
  assert.equal(numProcs(m, 'C'), undefined);
  assert.match(e.output(), new RegExp(`level=error msg="Error reloading the config file, the last good one stays in force" trigger=\\S+ file=${cfg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} err=".*${cfg.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:4:15: process_names\\[1\\] \\(name \\\\"C\\\\"\\): bad cmdline regex`));

  // fixed again: back to 1, with a newer success time
  writeFileSync(cfg, RULE_A);
  await trigger(e);
  m = await samples(e);
  assert.equal(m.get('namedprocess_exporter_config_last_reload_successful'), '1');
  assert.ok(Number(m.get('namedprocess_exporter_config_last_reload_success_timestamp_seconds')) >= startedAt);
  assert.equal(numProcs(m, 'B'), '0', 'B lost its rule: an empty group, as the reference keeps them');
  assert.equal(cpuUser(m, 'A'), '10');
  return e;
}

describe('config reload', () => {
  test('SIGHUP: new groups appear, kept counters continue, a broken file keeps the old config', async () => {
    let hups = 0;
    const e = await reloadScenario(async (x) => {
      hups++;
      x.child.kill('SIGHUP');
      await waitForOutput(x, 'msg="Received SIGHUP, reloading the config"', hups);
      // the reload ends with one of these two lines
      const deadline = Date.now() + 20_000;
      while ((x.output().match(/Completed loading of configuration file|Error reloading the config file/g) ?? []).length < hups) {
        if (Date.now() > deadline) assert.fail(`reload ${hups} did not finish:\n${x.output()}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    }, []);
    assert.equal(e.child.exitCode, null, 'SIGHUP does not end the exporter');
  });

  test('POST /-/reload with -web.enable-lifecycle does the same, answering 200 or 500', async () => {
    const outcomes: number[] = [];
    await reloadScenario(async (x) => {
      const r = await post(x, '/-/reload');
      outcomes.push(r.status);
      if (r.status === 500) assert.match(r.body, /^failed to reload config: error reading config file ".*": .*bad cmdline regex "a\(": error parsing regexp: missing closing \): `a\(`\n$/);
      else assert.equal(r.body, '');
    }, ['-web.enable-lifecycle']);
    assert.deepEqual(outcomes, [200, 500, 200]);
  });

  test('without -web.enable-lifecycle POST /-/reload is refused; GET is 405', async () => {
    const fs = await tree([alpha(0)]);
    const e = await exporter(['-procfs', fs.root, '-procnames', 'alpha']);
    assert.deepEqual(await post(e, '/-/reload'), { status: 403, body: 'Lifecycle API is not enabled.\n', allow: undefined });
    const get = await e.scrape('/-/reload');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST, PUT');
  });

  test('a flag given on the command line keeps its value over the reloaded file', async () => {
    const fs = await tree([{ pid: 20, comm: 'multi', threads: [{ tid: 20, comm: 'multi' }, { tid: 21, comm: 'worker' }] }]);
    const cfg = join(mkdtempSync(join(tmpdir(), 'npe-reload-')), 'c.yml');
    writeFileSync(cfg, 'track_threads: false\nprocess_names:\n  - comm: [multi]\n');
    const e = await exporter(['-procfs', fs.root, '-config.path', cfg, '-threads=true', '-web.enable-lifecycle']);
    assert.match((await e.scrape()).body, /^namedprocess_namegroup_thread_count\{groupname="multi",threadname="worker"\} 1$/m);
    writeFileSync(cfg, 'track_threads: false\ngather_smaps: false\nprocess_names:\n  - comm: [multi]\n');
    assert.equal((await post(e, '/-/reload')).status, 200);
    const body = (await e.scrape()).body;
    assert.match(body, /^namedprocess_namegroup_thread_count\{groupname="multi",threadname="worker"\} 1$/m, 'the flag wins');
    assert.doesNotMatch(body, /memtype="proportionalResident"/, 'the file sets what no flag set');
  });
});

describe('probes', () => {
  test('/-/healthy and /-/ready answer 200 once the first cycle is done', async () => {
    const fs = await tree([alpha(0)]);
    const e = await exporter(['-procfs', fs.root, '-procnames', 'alpha']);
    const healthy = await e.scrape('/-/healthy');
    assert.deepEqual([healthy.status, healthy.body], [200, 'Named Process Exporter is Healthy.\n']);
    const ready = await e.scrape('/-/ready');
    assert.deepEqual([ready.status, ready.body], [200, 'Named Process Exporter is Ready.\n']);
  });
});

describe('every log line parses', () => {
  // a run that logs at every level it can: debug explanations, a template warning, a reload error,
  // the web server's lines, shutdown
  async function noisyRun(format: string): Promise<string> {
    const fs = await tree([alpha(0), beta(0), { pid: 12, ppid: 10, comm: 'child', starttime: 700 }, { pid: 13, comm: 'kthread', cmdline: [] }]);
    const dir = mkdtempSync(join(tmpdir(), 'npe-logs-'));
    const cfg = join(dir, 'c.yml');
    writeFileSync(cfg, 'process_names:\n  - comm: [alpha]\n    name: "{{index .Cgroups 7}}x"\n  - comm: [beta]\n    name: \'quote"d = b\'\n');
    const e = await exporter(['-procfs', fs.root, '-config.path', cfg, '-debug', '-log.format', format, '-web.enable-lifecycle']);
    await e.scrape();
    writeFileSync(cfg, BROKEN);
    assert.equal((await post(e, '/-/reload')).status, 500);
    e.child.kill('SIGHUP');
    await waitForOutput(e, 'Error reloading the config file', 2);
    assert.equal(await e.stop('SIGTERM'), 0);
    return e.output();
  }

  test('logfmt by default: ts, level, msg first, then pairs', async () => {
    const out = await noisyRun('logfmt');
    const lines = out.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 10, out);
    const levels = new Set<string>();
    for (const line of lines) {
      const pairs = parseLogfmt(line);
      assert.ok(pairs !== null, `not logfmt: ${line}`);
      assert.deepEqual(pairs.slice(0, 3).map(([k]) => k), ['ts', 'level', 'msg'], line);
      assert.match(pairs[0]![1], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.equal(new Set(pairs.map(([k]) => k)).size, pairs.length, `a key twice: ${line}`);
      levels.add(pairs[1]![1]);
    }
    assert.deepEqual([...levels].sort(), ['debug', 'error', 'info', 'warn']);
    // the server's own lines are fields, not a logfmt string inside msg
    assert.ok(lines.some((l) => /^ts=\S+ level=info msg="Listening on" address=127\.0\.0\.1:\d+$/.test(l)), out);
  });

  test('JSON with -log.format=json', async () => {
    const out = await noisyRun('json');
    const lines = out.split('\n').filter((l) => l !== '');
    assert.ok(lines.length >= 10, out);
    for (const line of lines) {
      let obj: Record<string, unknown>;
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        assert.fail(`not JSON: ${line}`);
      }
      assert.deepEqual(Object.keys(obj).slice(0, 3), ['ts', 'level', 'msg'], line);
    }
    assert.ok(lines.some((l) => JSON.parse(l).msg === 'new process matched no rule' && JSON.parse(l).comm === 'kthread'), out);
  });
});

describe('lifecycle routes on the server', () => {
  test('/-/ready is 503 until the first cycle, then 200; HEAD works; a reload error is a 500', async () => {
    const { startServer } = await import('../src/server');
    const { lifecycleRoutes } = await import('../src/ops/lifecycle');
    const { memoryLogger } = await import('./memory-logger');
    let ready = false;
    const server = await startServer({
      listenAddress: '127.0.0.1:0',
      telemetryPath: '/metrics',
      webConfigFile: '',
      log: memoryLogger(),
      scrape: async () => ({ body: '', contentType: 'text/plain' }),
      routes: lifecycleRoutes({ ready: () => ready, reload: async () => ({ ok: false, error: 'bad file' }) }),
    });
    cleanups.push(() => server.close());
    const get = async (path: string, method = 'GET') => {
      const r = await request(`http://127.0.0.1:${server.port}${path}`, { method: method as 'GET' });
      return [r.statusCode, await r.body.text()];
    };
    assert.deepEqual(await get('/-/ready'), [503, 'Service Unavailable\n']);
    assert.deepEqual(await get('/-/healthy'), [200, 'Named Process Exporter is Healthy.\n']);
    ready = true;
    assert.deepEqual(await get('/-/ready'), [200, 'Named Process Exporter is Ready.\n']);
    assert.deepEqual(await get('/-/ready', 'HEAD'), [200, '']);
    assert.deepEqual(await get('/-/reload', 'PUT'), [500, 'failed to reload config: bad file\n']);
    assert.deepEqual((await get('/-/healthy', 'POST'))[0], 405);
  });
});
