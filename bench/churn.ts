// Churn while scraping: short-lived processes forked at a steady rate by bench/spawner.c, the built
// exporter scraping the live /proc, every scrape checked. Shared by the reliability test's short form
// (test/reliability-churn.test.ts) and its long form (bench/reliability.ts, npm run reliability).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Spawner } from './workloads';

const ROOT = path.resolve(__dirname, '..', '..');
const SPAWNER_SRC = path.join(ROOT, 'bench', 'spawner.c');

export interface ChurnOptions {
  seconds: number;
  perSecond: number;
  lifeMs: number;
  scrapeEveryMs: number;
  /** RSS is sampled at every scrape; the report compares the median of the samples in the 15 s from
   *  this time with the median of the last 15 s (single samples swing with the garbage collector) */
  baselineAtSeconds: number;
  port: number;
  /** the exporter's pid, for its RSS */
  pid: number;
  /** prefix (at most 12 characters; 8 with distinct) the churn processes take as their comm */
  prefix: string;
  /** each churn process takes a name of its own (prefix<number>), as one-off programs of a host do */
  distinct?: boolean;
  progress?: (line: string) => void;
}

export interface ChurnReport {
  scrapes: number;
  /** scrapes that did not answer 200, or whose scrape_errors counter grew */
  failed: string[];
  /** counter series whose value went down between two scrapes */
  decreases: string[];
  processesStarted: number;
  rssBaselineKiB: number;
  rssEndKiB: number;
  rssMinKiB: number;
  rssMaxKiB: number;
  /** the groups' num_procs seen at least once above 0 */
  sawChurnGroup: boolean;
  /** series in a scrape: the median of the 15 s from baselineAtSeconds, and of the last 15 s */
  seriesBaseline: number;
  seriesEnd: number;
  /** series naming a churn group, ten seconds after the last churn process exited */
  leftoverSeries: number;
}

/** Builds the spawner into a temp dir; returns its path, or why it could not. */
export function buildSpawner(): { bin: string } | { reason: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'npe-churn-'));
  const bin = path.join(dir, 'spawner');
  const r = spawnSync('cc', ['-O2', '-o', bin, SPAWNER_SRC, '-pthread'], { encoding: 'utf8', timeout: 120_000 });
  if (r.error) return { reason: `cc could not run (${r.error.message}): bench/spawner.c cannot be built` };
  if (r.status !== 0) return { reason: `cc failed on bench/spawner.c: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}` };
  return { bin };
}

/** Starts the built exporter, as the package's binary starts it, on a free loopback port; resolves once its first cycle is done. */
export async function startOurs(args: string[], env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const port = await new Promise<number>((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const p = (srv.address() as { port: number }).port;
      srv.close(() => resolve(p));
    });
  });
  // as it is installed: the package's binary, the launcher with the V8 settings, on this node
  const launcher = path.join(ROOT, 'bin', 'namedprocess-exporter');
  const child = spawn(launcher, [...args, '-web.listen-address', `127.0.0.1:${port}`], { env: { ...process.env, NAMEDPROCESS_NODE: process.execPath, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 60_000;
  while (!out.includes('First update cycle done')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the exporter did not start: ${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, port, output: () => out };
}

export function rssKiB(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
  return m ? Number(m[1]) : NaN;
}

/** `name{labels}` -> value for every sample of a text exposition. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}

/** Counters: the *_total families and the scrape error counters. */
function isCounter(series: string): boolean {
  const name = series.split('{')[0];
  return name.startsWith('namedprocess_') && (name.endsWith('_total') || name.startsWith('namedprocess_scrape_'));
}

export async function runChurn(spawnerBin: string, o: ChurnOptions): Promise<ChurnReport> {
  const spawner = Spawner.start(spawnerBin);
  const report: ChurnReport = {
    scrapes: 0,
    failed: [],
    decreases: [],
    processesStarted: 0,
    rssBaselineKiB: NaN,
    rssEndKiB: NaN,
    rssMinKiB: Infinity,
    rssMaxKiB: 0,
    sawChurnGroup: false,
    seriesBaseline: NaN,
    seriesEnd: NaN,
    leftoverSeries: NaN,
  };
  const rssSamples: Array<[number, number]> = [];
  const seriesSamples: Array<[number, number]> = [];
  const churnSeries = (m: Map<string, number>) => [...m.keys()].filter((k) => k.includes(`groupname="${o.prefix}`));
  let last = new Map<string, number>();
  try {
    await spawner.churn(o.perSecond, o.lifeMs, o.prefix, o.distinct);
    const start = Date.now();
    let nextProgress = start + 30_000;
    while (Date.now() - start < o.seconds * 1000) {
      const t0 = Date.now();
      let text = '';
      try {
        const res = await fetch(`http://127.0.0.1:${o.port}/metrics`);
        text = await res.text();
        if (res.status !== 200) report.failed.push(`scrape ${report.scrapes}: HTTP ${res.status}`);
      } catch (e) {
        report.failed.push(`scrape ${report.scrapes}: ${(e as Error).message}`);
      }
      report.scrapes++;
      const now = samples(text);
      if ((now.get('namedprocess_scrape_errors') ?? 0) > 0) report.failed.push(`scrape ${report.scrapes}: scrape_errors ${now.get('namedprocess_scrape_errors')}`);
      if (churnSeries(now).some((k) => k.startsWith('namedprocess_namegroup_num_procs{') && (now.get(k) ?? 0) > 0)) report.sawChurnGroup = true;
      for (const [series, v] of now) {
        if (!isCounter(series)) continue;
        const before = last.get(series);
        if (before !== undefined && v < before) report.decreases.push(`${series}: ${before} -> ${v}`);
      }
      if (now.size > 0) last = now;
      const elapsed = (Date.now() - start) / 1000;
      const rss = rssKiB(o.pid);
      rssSamples.push([elapsed, rss]);
      if (now.size > 0) seriesSamples.push([elapsed, now.size]);
      report.rssMinKiB = Math.min(report.rssMinKiB, rss);
      report.rssMaxKiB = Math.max(report.rssMaxKiB, rss);
      if (o.progress && Date.now() >= nextProgress) {
        nextProgress += 30_000;
        o.progress(`${elapsed.toFixed(0)} s: ${report.scrapes} scrapes, ${report.failed.length} failed, RSS ${(rss / 1024).toFixed(1)} MiB`);
      }
      await new Promise((r) => setTimeout(r, Math.max(0, o.scrapeEveryMs - (Date.now() - t0))));
    }
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
    const end = rssSamples[rssSamples.length - 1]?.[0] ?? 0;
    report.rssBaselineKiB = median(rssSamples.filter(([t]) => t >= o.baselineAtSeconds && t < o.baselineAtSeconds + 15).map(([, r]) => r));
    report.rssEndKiB = median(rssSamples.filter(([t]) => t > end - 15).map(([, r]) => r));
    report.seriesBaseline = median(seriesSamples.filter(([t]) => t >= o.baselineAtSeconds && t < o.baselineAtSeconds + 15).map(([, n]) => n));
    report.seriesEnd = median(seriesSamples.filter(([t]) => t > end - 15).map(([, n]) => n));
    await spawner.churn(0, o.lifeMs, o.prefix);
    report.processesStarted = (await spawner.count()).churnStarted;
    // with distinct names: the last churn process exits within lifeMs; ten seconds later nothing should
    // name the churn groups, which are all gone
    if (o.distinct) await new Promise((r) => setTimeout(r, o.lifeMs + 10_000));
    for (let k = 0; o.distinct && k < 2; k++) {
      const res = await fetch(`http://127.0.0.1:${o.port}/metrics`);
      report.leftoverSeries = churnSeries(samples(await res.text())).length;
    }
  } finally {
    await spawner.stop();
    rmSync(path.dirname(spawnerBin), { recursive: true, force: true });
  }
  return report;
}
