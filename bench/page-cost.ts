#!/usr/bin/env node
// What an open page costs the exporter: the page polling api/groups every second, plus Prometheus
// scraping every 15 s, against the budget of Prometheus every 15 s plus scrapes at the page's own
// interval (-web.page-interval). Both run on the same synthetic procfs tree of N processes, one
// exporter each, for the same time; the exporter's CPU (utime + stime) over the window is compared.
//
//   node dist/bench/page-cost.js [--procs=10000] [--seconds=60] [--interval=3] [--rounds=1]
//   npm run bench -- --page-cost [the same flags]
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { request } from 'undici';
import { cleanupAll, installCleanupHandlers, trackGroup } from './cleanup';
import { cpuOf } from './procstat';
import { buildSyntheticTree, tmpfsDir } from './synthetic';

const MAIN = path.resolve(__dirname, '..', 'src', 'main.js');
const PROMETHEUS_EVERY_S = 15;
const PAGE_EVERY_S = 1;

interface PageCostOptions {
  procs: number;
  seconds: number;
  intervalS: number;
  rounds: number;
}

const USAGE = `node dist/bench/page-cost.js [--procs=10000] [--seconds=60] [--interval=3] [--rounds=1]

  --procs=N      processes in the synthetic procfs tree (default 10000)
  --seconds=S    measured time per arm (default 60)
  --interval=S   the exporter's -web.page-interval, seconds (default 3)
  --rounds=R     run the arms R times, alternating, and sum (default 1)
`;

function parse(argv: string[]): PageCostOptions | 'help' {
  const o: PageCostOptions = { procs: 10_000, seconds: 60, intervalS: 3, rounds: 1 };
  for (const a of argv) {
    if (a === '-h' || a === '--help') return 'help';
    const m = /^--(procs|seconds|interval|rounds)=(\d+(?:\.\d+)?)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}\n${USAGE}`);
    const v = Number(m[2]);
    if (!(v > 0)) throw new Error(`--${m[1]} must be positive`);
    if (m[1] === 'procs') o.procs = Math.floor(v);
    else if (m[1] === 'seconds') o.seconds = v;
    else if (m[1] === 'interval') o.intervalS = v;
    else o.rounds = Math.floor(v);
  }
  return o;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const say = (line: string) => process.stdout.write(line + '\n');

async function get(port: number, p: string): Promise<string> {
  const r = await request(`http://127.0.0.1:${port}${p}`, { headersTimeout: 600_000, bodyTimeout: 600_000 });
  const body = await r.body.text();
  if (r.statusCode !== 200) throw new Error(`${p}: HTTP ${r.statusCode}: ${body.slice(0, 200)}`);
  return body;
}

async function startOurs(procfs: string, intervalS: number): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN, '-procfs', procfs, '-web.listen-address', '127.0.0.1:0', '-web.page-interval', `${intervalS}s`], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  trackGroup(child, 'exporter');
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const deadline = Date.now() + 300_000;
  for (;;) {
    const port = /address=127\.0\.0\.1:(\d+)/.exec(out)?.[1];
    if (port && out.includes('First update cycle done')) return { child, port: Number(port) };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`exporter did not start: ${out}`);
    await sleep(20);
  }
}

/** Requests on a schedule (path, every seconds) for `seconds`; returns CPU seconds the exporter used. */
async function arm(procfs: string, o: PageCostOptions, schedule: Array<{ path: string; everyS: number }>): Promise<{ cpuS: number; requests: number; pageCycles: number }> {
  const { child, port } = await startOurs(procfs, o.intervalS);
  try {
    // settle: one of each request, so every code path is warm, then a pause
    for (const s of schedule) await get(port, s.path);
    await sleep(2000);
    const before = cpuOf(child.pid!)!;
    const t0 = Date.now();
    const end = t0 + o.seconds * 1000;
    let requests = 0;
    const cycles = new Set<number>();
    await Promise.all(
      schedule.map(async (s) => {
        for (let k = 0; ; k++) {
          const at = t0 + k * s.everyS * 1000;
          if (at >= end) return;
          await sleep(Math.max(0, at - Date.now()));
          const body = await get(port, s.path);
          requests++;
          if (s.path === '/api/groups') cycles.add((JSON.parse(body) as { updatedAt: number }).updatedAt);
        }
      }),
    );
    await sleep(Math.max(0, end - Date.now()));
    const after = cpuOf(child.pid!)!;
    return { cpuS: after.userS + after.sysS - (before.userS + before.sysS), requests, pageCycles: cycles.size };
  } finally {
    child.kill('SIGKILL');
  }
}

export async function pageCostMain(argv: string[]): Promise<number> {
  let o: PageCostOptions | 'help';
  try {
    o = parse(argv);
  } catch (e) {
    process.stderr.write(`page-cost: ${(e as Error).message}\n`);
    return 2;
  }
  if (o === 'help') {
    process.stdout.write(USAGE);
    return 0;
  }
  installCleanupHandlers();
  try {
    const { dir } = tmpfsDir('npb-page-');
    say(`page-cost: building a synthetic tree of ${o.procs} processes in ${dir}`);
    await buildSyntheticTree(dir, o.procs, 100, () => {});
    const page = [
      { path: '/api/groups', everyS: PAGE_EVERY_S },
      { path: '/metrics', everyS: PROMETHEUS_EVERY_S },
    ];
    const budget = [
      { path: '/metrics', everyS: PROMETHEUS_EVERY_S },
      { path: '/metrics', everyS: o.intervalS },
    ];
    const prometheusOnly = [{ path: '/metrics', everyS: PROMETHEUS_EVERY_S }];
    const sum = { page: 0, budget: 0, prometheus: 0 };
    for (let r = 0; r < o.rounds; r++) {
      const a = await arm(dir, o, page);
      say(`  page every ${PAGE_EVERY_S}s + Prometheus every ${PROMETHEUS_EVERY_S}s: ${a.cpuS.toFixed(2)} CPU s in ${o.seconds}s (${a.requests} requests, ${a.pageCycles} distinct cycles seen by the page)`);
      const b = await arm(dir, o, budget);
      say(`  budget: Prometheus every ${PROMETHEUS_EVERY_S}s + scrapes every ${o.intervalS}s: ${b.cpuS.toFixed(2)} CPU s in ${o.seconds}s (${b.requests} requests)`);
      const p = await arm(dir, o, prometheusOnly);
      say(`  Prometheus every ${PROMETHEUS_EVERY_S}s alone: ${p.cpuS.toFixed(2)} CPU s in ${o.seconds}s (${p.requests} requests)`);
      sum.page += a.cpuS;
      sum.budget += b.cpuS;
      sum.prometheus += p.cpuS;
    }
    const ratio = sum.page / sum.budget;
    say(`page-cost: ${o.procs} processes, -web.page-interval ${o.intervalS}s, ${o.rounds} x ${o.seconds}s per arm`);
    say(`  page + Prometheus: ${(sum.page / (o.rounds * o.seconds) * 100).toFixed(1)}% of a core; budget: ${(sum.budget / (o.rounds * o.seconds) * 100).toFixed(1)}%; Prometheus alone: ${(sum.prometheus / (o.rounds * o.seconds) * 100).toFixed(1)}%`);
    say(`  page / budget = ${ratio.toFixed(2)}: ${ratio <= 1 ? 'MET' : ratio <= 1.1 ? 'within 10% (noise on a shared host?)' : 'MISS'}`);
    return 0;
  } finally {
    cleanupAll();
  }
}

if (require.main === module) {
  pageCostMain(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`page-cost: ${(e as Error)?.stack ?? e}\n`);
      cleanupAll();
      process.exit(1);
    },
  );
}
