#!/usr/bin/env node
// What -top-processes costs: two exporters on the same live workload of N idle processes (forked by
// bench/spawner.c), one with default flags and one with -top-processes K, scraped in turn; the CPU each
// used per scrape (utime + stime of /proc/<pid>/stat around the scrape, the priming cycle excluded).
//
//   node dist/bench/top-cost.js [--procs=10000] [--scrapes=15] [--top=10] [--reader=native]
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { request } from 'undici';
import { cleanupAll, installCleanupHandlers, trackGroup } from './cleanup';
import { cpuOf } from './procstat';
import { spread } from './stats';

const median = (v: number[]) => spread(v).median;
import { Spawner } from './workloads';

const MAIN = path.resolve(__dirname, '..', 'src', 'main.js');
const SPAWNER_SRC = path.resolve(__dirname, '..', '..', 'bench', 'spawner.c');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Opts {
  procs: number;
  scrapes: number;
  top: number;
  reader: string;
}

function parse(argv: string[]): Opts {
  const o: Opts = { procs: 10_000, scrapes: 15, top: 10, reader: 'native' };
  for (const a of argv) {
    const m = /^--(procs|scrapes|top|reader)=(\w+)$/.exec(a);
    if (!m) throw new Error(`unknown argument ${a}: node dist/bench/top-cost.js [--procs=10000] [--scrapes=15] [--top=10] [--reader=native|ts]`);
    if (m[1] === 'reader') o.reader = m[2];
    else o[m[1] as 'procs' | 'scrapes' | 'top'] = Number(m[2]);
  }
  return o;
}

async function startOurs(args: string[], reader: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, [MAIN, '-web.listen-address', '127.0.0.1:0', ...args], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NAMEDPROCESS_READER: reader },
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

/** One scrape; the CPU seconds the exporter used for it and the namedprocess_process_* pids exported. */
async function scrape(e: { child: ChildProcess; port: number }): Promise<{ cpuS: number; pids: number }> {
  const before = cpuOf(e.child.pid!)!;
  const r = await request(`http://127.0.0.1:${e.port}/metrics`, { headersTimeout: 600_000, bodyTimeout: 600_000 });
  const body = await r.body.text();
  await sleep(200); // work finished after the response still counts
  const after = cpuOf(e.child.pid!)!;
  const pids = new Set([...body.matchAll(/^namedprocess_process_start_time_seconds\{.*pid="(\d+)"\}/gm)].map((m) => m[1])).size;
  return { cpuS: after.userS + after.sysS - before.userS - before.sysS, pids };
}

async function main(): Promise<void> {
  const o = parse(process.argv.slice(2));
  installCleanupHandlers();
  const bin = path.join(mkdtempSync(path.join(tmpdir(), 'npe-top-cost-')), 'spawner');
  const cc = spawnSync('cc', ['-O2', '-pthread', '-o', bin, SPAWNER_SRC], { encoding: 'utf8' });
  if (cc.status !== 0) throw new Error(`cc failed: ${cc.stderr}`);
  const sp = Spawner.start(bin);
  const alive = await sp.spawnIdle(o.procs, 50, 1, 'npetc');
  process.stdout.write(`${alive} idle processes; reader ${o.reader}; ${o.scrapes} scrapes each, in turn\n`);
  const arms = [
    { name: 'default flags', e: await startOurs([], o.reader), cpu: [] as number[], pids: 0 },
    { name: `-top-processes ${o.top}`, e: await startOurs(['-top-processes', String(o.top)], o.reader), cpu: [] as number[], pids: 0 },
  ];
  for (let i = 0; i < o.scrapes; i++) {
    const order = i % 2 === 0 ? arms : [...arms].reverse();
    for (const a of order) {
      const s = await scrape(a.e);
      a.cpu.push(s.cpuS);
      a.pids = Math.max(a.pids, s.pids);
    }
  }
  for (const a of arms) {
    const sum = a.cpu.reduce((x, y) => x + y, 0);
    process.stdout.write(`${a.name.padEnd(20)} CPU per scrape: median ${(median(a.cpu) * 1000).toFixed(0)} ms, mean ${((sum / a.cpu.length) * 1000).toFixed(0)} ms; at most ${a.pids} processes exported\n`);
  }
  const ratio = arms[1].cpu.reduce((x, y) => x + y, 0) / arms[0].cpu.reduce((x, y) => x + y, 0);
  process.stdout.write(`ratio (mean): ${ratio.toFixed(3)}; median ratio ${(median(arms[1].cpu) / median(arms[0].cpu)).toFixed(3)}\n`);
  await sp.stop();
  cleanupAll();
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  cleanupAll();
  process.exit(1);
});
