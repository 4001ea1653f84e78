// -top-processes 3 on the live /proc, as a user would check it: four CPU-bound processes and one of
// 300 MB among 30 idle ones, all in groups. Within two cycles the busy ones (the three busiest at
// least) and the big one are exported, no idle one is, at most 9 processes are; and a process's CPU
// counters equal its /proc utime and stime to the tick.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { setPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUR_MAIN, startExporter, type RunningExporter } from './procs';
import { parseSamples } from './harness';

const CONFIG = `process_names:
  - cmdline: ['^npetop-']
    name: "{{.ExeBase}}"
`;

const children: ChildProcess[] = [];
after(async () => {
  await Promise.all(
    children.map((c) =>
      c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((resolve) => {
        c.once('exit', resolve);
        c.kill('SIGKILL');
      }),
    ),
  );
});

async function launch(cmd: string, args: string[], argv0: string, readyLine?: string): Promise<number> {
  const child = spawn(cmd, args, { argv0, stdio: ['ignore', readyLine === undefined ? 'ignore' : 'pipe', 'ignore'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    if (readyLine === undefined) child.once('spawn', () => resolve());
    else {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes(readyLine)) resolve();
      });
      child.once('exit', (code) => reject(new Error(`${argv0} exited (${code}) before it was ready`)));
    }
  });
  return child.pid!;
}

/** utime and stime of a pid, in ticks */
function cpuTicks(pid: number): [number, number] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return [Number(f[11]), Number(f[12])];
}

function state(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat[stat.lastIndexOf(')') + 2];
}

/** exported pid -> its samples (`family{mode or memtype}` -> value) */
function byPid(text: string): Map<number, Map<string, number>> {
  const out = new Map<number, Map<string, number>>();
  for (const [series, v] of parseSamples(text)) {
    const m = /^namedprocess_process_(\w+)\{comm="[^"]*",groupname="[^"]*",(?:(?:mode|memtype)="(\w+)",)?pid="(\d+)"\}$/.exec(series);
    if (m === null) continue;
    const pid = Number(m[3]);
    if (!out.has(pid)) out.set(pid, new Map());
    out.get(pid)!.set(m[2] === undefined ? m[1] : `${m[1]}{${m[2]}}`, Number(v));
  }
  return out;
}

describe('-top-processes 3 on real processes', { timeout: 180_000 }, () => {
  const busy: number[] = [];
  const idle: number[] = [];
  let big = 0;
  const config = join(mkdtempSync(join(tmpdir(), 'npe-top-real-')), 'c.yml');

  before(async () => {
    writeFileSync(config, CONFIG);
    for (let i = 0; i < 30; i++) idle.push(await launch('sleep', ['600'], 'npetop-idle'));
    // at the lowest priority: they must not starve the exporter (or the rest of the suite)
    for (let i = 0; i < 4; i++) {
      busy.push(await launch(process.execPath, ['-e', 'for (;;) {}'], 'npetop-busy'));
      setPriority(busy[i], 19);
    }
    // 300 MB written, so resident, then asleep
    big = await launch(process.execPath, ['-e', 'globalThis.b = Buffer.alloc(300 * 1024 * 1024, 1); console.log("ready"); setInterval(() => {}, 1e9)'], 'npetop-big', 'ready');
  });

  for (const reader of ['native', 'ts'] as const) {
    test(`${reader} reader`, async () => {
      const ex: RunningExporter = await startExporter(OUR_MAIN, ['-config.path', config, '-top-processes', '3'], { NAMEDPROCESS_READER: reader });
      try {
        // the priming cycle ran; let the busy ones use some CPU before the second cycle
        await new Promise((r) => setTimeout(r, 2000));
        const first = byPid((await ex.scrape()).body);
        const pids = [...first.keys()];
        assert.ok(pids.length <= 9, `at most 9 processes: ${pids}`);
        assert.ok(first.has(big), `the 300 MB process ${big} is exported: ${pids}`);
        assert.ok(first.get(big)!.get('memory_bytes{resident}')! >= 300 * 1024 * 1024);
        assert.ok(busy.filter((p) => first.has(p)).length >= 3, `the three busiest of ${busy} are exported: ${pids}`);
        assert.deepEqual(pids.filter((p) => idle.includes(p)), [], 'no idle process is exported');
        assert.deepEqual(pids.filter((p) => !busy.includes(p) && p !== big), [], 'only processes of the groups are');

        // frozen, their counters stand still: the exported ones must be /proc's to the tick
        const stopped = busy.find((p) => first.has(p))!;
        for (const p of [stopped, big]) process.kill(p, 'SIGSTOP');
        for (const p of [stopped, big]) while (state(p) !== 'T') await new Promise((r) => setTimeout(r, 10));
        const second = byPid((await ex.scrape()).body);
        assert.ok(second.size <= 9);
        for (const p of [stopped, big]) {
          const [utime, stime] = cpuTicks(p);
          assert.ok(second.has(p), `${p} is still exported (it qualified in the last cycle)`);
          assert.equal(Math.round(second.get(p)!.get('cpu_seconds_total{user}')! * 100), utime, `pid ${p} user ticks`);
          assert.equal(Math.round(second.get(p)!.get('cpu_seconds_total{system}')! * 100), stime, `pid ${p} system ticks`);
        }
        for (const p of [stopped, big]) process.kill(p, 'SIGCONT');
      } finally {
        await ex.stop();
      }
    });
  }
});
