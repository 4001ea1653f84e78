// Every query of dashboards/task-manager.json, of grafana.com dashboard 249 and of the page's PromQL,
// run against a real Prometheus scraping the built exporter on the live /proc: each must return data.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { request } from 'undici';
import { startExporter, freePort, OUR_MAIN, type RunningExporter } from './procs';
import { FIGURE_QUERIES } from '../src/page/promql';

const PROMETHEUS = '/usr/bin/prometheus';
const DASHBOARD = resolve(__dirname, '..', '..', 'dashboards', 'task-manager.json');
const GROUP = 'npe-dash';
const skip = existsSync(PROMETHEUS) ? false : `prometheus is not installed (${PROMETHEUS}; apt-get install prometheus)`;

// grafana.com dashboard 249 ("Named processes"), revision as published for process-exporter: its
// variables are $processes (label_values(namedprocess_namegroup_cpu_seconds_total, groupname), All = .+)
// and $interval (1m … 30d, default 10m); these are its panels' queries.
const DASHBOARD_249 = [
  'sum(namedprocess_namegroup_num_procs{groupname=~"$processes"}) without (mode)',
  'sum(rate(namedprocess_namegroup_cpu_seconds_total{groupname=~"$processes"}[$interval] )) without (mode)',
  'rate(namedprocess_namegroup_read_bytes_total{groupname=~"$processes"}[$interval])',
  'rate(namedprocess_namegroup_write_bytes_total{groupname=~"$processes"}[$interval])',
  'sum(namedprocess_namegroup_memory_bytes{groupname=~"$processes", memtype="resident"}) without (mode)',
  'sum(namedprocess_namegroup_memory_bytes{groupname=~"$processes", memtype="virtual"}) without (mode)',
];

interface Target {
  expr: string;
}
interface Panel {
  title: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  allValue?: string;
  includeAll?: boolean;
  current?: { value?: string | string[] };
}

/** Grafana's substitution for a query run by hand: All for multi-value variables, the current value otherwise. */
function substitute(expr: string, vars: Record<string, string>): string {
  return expr.replace(/\$(__\w+|\w+)|\$\{(\w+)\}/g, (m, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    if (!(name in vars)) throw new Error(`unknown variable ${m} in ${expr}`);
    return vars[name];
  });
}

const children: ChildProcess[] = [];
const dirs: string[] = [];
let exporter: RunningExporter;
let promPort = 0;

async function prom(path: string): Promise<{ status: string; data?: { result?: unknown[] } | string[]; error?: string }> {
  const r = await request(`http://127.0.0.1:${promPort}${path}`, { headersTimeout: 10_000, bodyTimeout: 10_000 });
  return JSON.parse(await r.body.text());
}

async function instant(expr: string): Promise<number> {
  const body = await prom(`/api/v1/query?query=${encodeURIComponent(expr)}`);
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return ((body.data as { result: unknown[] }).result ?? []).length;
}

/** Runs every query until all return data, or until the deadline; returns the ones that never did. */
async function untilAllHaveData(exprs: string[], deadlineMs = 90_000): Promise<string[]> {
  const end = Date.now() + deadlineMs;
  let empty = exprs;
  for (;;) {
    const next: string[] = [];
    for (const e of empty) if ((await instant(e)) === 0) next.push(e);
    empty = next;
    if (empty.length === 0 || Date.now() > end) return empty;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('dashboard queries against a real Prometheus', { skip, timeout: 240_000 }, () => {
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-dash-'));
    dirs.push(dir);
    const bin = join(dir, GROUP);
    copyFileSync('/bin/sleep', bin);
    chmodSync(bin, 0o755);
    for (let i = 0; i < 2; i++) children.push(spawn(bin, ['600'], { stdio: 'ignore' }));
    exporter = await startExporter(OUR_MAIN, []);
    promPort = await freePort();
    writeFileSync(join(dir, 'prometheus.yml'), `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: npe\n    static_configs:\n      - targets: ['127.0.0.1:${exporter.port}']\n`);
    children.push(spawn(PROMETHEUS, [`--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], { stdio: 'ignore' }));
    // ready once the group we started has been scraped
    const end = Date.now() + 90_000;
    for (;;) {
      try {
        if ((await instant(`namedprocess_namegroup_num_procs{groupname="${GROUP}"}`)) === 1) break;
      } catch {
        // not up yet
      }
      if (Date.now() > end) throw new Error('Prometheus never scraped the exporter');
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  after(async () => {
    await exporter?.stop('SIGKILL');
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('dashboards/task-manager.json: every variable lists values and every panel query returns data, for All and for one group', async () => {
    const dash = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { panels: Panel[]; templating: { list: Variable[] } };
    const vars = dash.templating.list;
    assert.deepEqual(vars.map((v) => v.name), ['datasource', 'job', 'instance', 'groupname', 'topk']);
    const all: Record<string, string> = { __rate_interval: '1m', __interval: '15s', __range: '1h' };
    for (const v of vars) {
      if (v.type === 'custom') all[v.name] = String(v.current?.value);
      else if (v.type === 'query') {
        assert.ok(v.includeAll && v.allValue, `${v.name} offers All`);
        all[v.name] = v.allValue!;
      }
    }
    // label_values(metric{selector}, label): what Grafana asks the series API for
    for (const v of vars.filter((x) => x.type === 'query')) {
      const q = typeof v.query === 'string' ? v.query : v.query!.query;
      const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q);
      assert.ok(m, `variable ${v.name}: ${q}`);
      const body = await prom(`/api/v1/label/${m[2]}/values?match[]=${encodeURIComponent(substitute(m[1], all))}`);
      const values = body.data as string[];
      assert.ok(values.length > 0, `variable ${v.name} lists no values`);
      if (v.name === 'groupname') assert.ok(values.includes(GROUP), `groupname lists ${values.join(', ')}`);
    }
    const panels = dash.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
    const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr));
    assert.ok(exprs.length >= 20, `only ${exprs.length} queries`);
    const one = { ...all, groupname: GROUP };
    const failed = await untilAllHaveData([...new Set([...exprs.map((e) => substitute(e, all)), ...exprs.map((e) => substitute(e, one))])]);
    assert.deepEqual(failed, [], 'queries that returned no data');
  });

  test("grafana.com dashboard 249's queries return data", async () => {
    const body = await prom(`/api/v1/label/groupname/values?match[]=${encodeURIComponent('namedprocess_namegroup_cpu_seconds_total')}`);
    assert.ok((body.data as string[]).includes(GROUP));
    const failed = await untilAllHaveData(DASHBOARD_249.map((e) => substitute(e, { processes: '.+', interval: '10m' })));
    assert.deepEqual(failed, []);
  });

  test("the page's PromQL for every figure returns data", async () => {
    const failed = await untilAllHaveData(Object.values(FIGURE_QUERIES).map((q) => q.split('{{group}}').join(GROUP)) /* as the page fills them in; GROUP needs no escaping */);
    assert.deepEqual(failed, []);
  });
});
