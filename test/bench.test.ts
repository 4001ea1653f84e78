// The benchmark works end to end (`--quick`): it writes a report of the expected shape, and every
// process it started is gone when it ends, also after Ctrl-C. Never a timed assertion: figures are
// checked for shape and sanity only.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchReport } from '../bench/report';

const RUN = join(__dirname, '..', 'bench', 'run.js');
const HAVE_CC = spawnSync('cc', ['--version']).status === 0;
const outs: string[] = [];
const children: ChildProcess[] = [];
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const d of outs) rmSync(d, { recursive: true, force: true });
});

function outDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'npb-test-'));
  outs.push(d);
  return d;
}

/** Processes whose command line names the out dir: every child of the bench does (binaries, configs). */
function processesUsing(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid) || Number(pid) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (cmdline.includes(dir)) found.push(`${pid}: ${cmdline.replace(/\0/g, ' ').slice(0, 120)}`);
    } catch {
      // gone
    }
  }
  return found;
}

function benchMounts(): string[] {
  return readFileSync('/proc/mounts', 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('npbench '));
}

function run(args: string[], onLine?: (line: string, child: ChildProcess) => void): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [RUN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      if (onLine) for (const l of String(d).split('\n')) onLine(l, child);
    });
    child.stderr!.on('data', (d) => (out += d));
    // a bound on a hung bench, not a performance assertion
    const timer = setTimeout(() => child.kill('SIGKILL'), 900_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('npm run bench -- --quick', () => {
  test('writes report.json, report.md and the chart, and leaves nothing running', { timeout: 900_000 }, async () => {
    const out = outDir();
    const { code, out: log } = await run(['--quick', `--out=${out}`]);
    assert.equal(code, 0, log.slice(-3000));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as BenchReport;

    assert.equal(report.schema, 1);
    assert.equal(report.leftoverProcesses, 0);
    assert.ok(Number(report.machine.cores) >= 1);
    assert.equal(typeof report.machine.kernel, 'string');
    assert.deepEqual(report.contenders.map((c) => c.id), ['native', 'ts', 'reference', 'floor']);
    for (const c of report.contenders) assert.ok(c.reason.length > 0, `${c.id} says what runs or why it is skipped`);
    assert.ok(report.contenders.find((c) => c.id === 'ts')!.available, 'the TS reader always runs');

    const kinds = report.workloads.map((w) => w.kind);
    if (HAVE_CC) {
      for (const k of ['host', 'idle', 'threads', 'churn', 'synthetic'] as const) assert.ok(kinds.includes(k), `a ${k} workload`);
    }
    const available = report.contenders.filter((c) => c.available).map((c) => c.id);
    for (const w of report.workloads) {
      if (w.results.length === 0) {
        assert.ok(w.notes.some((n) => n.startsWith('Skipped')), `${w.id} is measured or says why not`);
        continue;
      }
      assert.deepEqual(w.results.map((r) => r.contender), available, `${w.id}: every available contender takes its turn`);
      for (const r of w.results) {
        assert.equal(r.status, 'ok', `${w.id} ${r.contender}: ${r.reason}`);
        assert.equal(r.scrapes.length, 2, `${w.id} ${r.contender}: --quick scrapes twice`);
        const s = r.summary!;
        for (const k of ['wallS', 'cpuS', 'userS', 'sysS'] as const) {
          assert.equal(s[k].n, 2);
          assert.ok(s[k].median >= 0 && s[k].p10 <= s[k].median && s[k].median <= s[k].p90, `${w.id} ${r.contender} ${k}`);
        }
        assert.ok(s.peakRssMiB > 0);
        if (r.contender === 'floor') {
          assert.equal(r.startup, null);
          assert.ok(s.procsSeen >= w.benchProcesses, `${w.id}: the floor visits every pid`);
        } else {
          assert.ok(r.startup!.wallS > 0 && r.startup!.cpuS >= 0);
          assert.ok(s.series > 0 && s.bytes > 0);
          // every exporter groups by comm (kernel threads aside): it sees every process the bench started
          assert.ok(s.procsSeen >= w.benchProcesses, `${w.id} ${r.contender} sees ${s.procsSeen} of ${w.benchProcesses}`);
        }
      }
    }
    if (HAVE_CC) {
      const threads = report.workloads.find((w) => w.kind === 'threads')!;
      assert.ok(threads.host!.tasks >= threads.processes * threads.threadsPerProcess);
      const churn = report.workloads.find((w) => w.kind === 'churn')!;
      assert.ok(churn.churn!.started > 0, 'churn processes were started');
    }

    assert.equal(report.render.length, 2);
    for (const r of report.render) {
      assert.equal(r.status, 'ok', r.reason);
      assert.ok(r.series! >= r.targetSeries * 0.9, `${r.series} series for a target of ${r.targetSeries}`);
      assert.ok(r.renderS!.median > 0 && r.hwmMiB! > 0);
    }

    const ids = report.targets.map((t) => t.id);
    const costIds = ['native-cpu-10000-vs-floor-0.6', 'native-cpu-10000-vs-reference-0.1', 'native-cpu-500-vs-floor-0.9', 'native-cpu-500-vs-reference-0.2', 'rss-host-native', 'rss-host-ts', 'rss-10k-native-vs-reference', 'rss-10k-ts-vs-reference'];
    for (const id of ['native-cpu-vs-floor', 'native-cpu-vs-reference', 'native-wall-vs-floor', 'native-growth-linear', 'ts-cpu-vs-reference', 'render-1m-series', 'rss-30k-native', 'rss-30k-ts', ...costIds]) {
      assert.ok(ids.includes(id), `target ${id} is reported`);
    }
    for (const t of report.targets) assert.ok(t.met === null || typeof t.met === 'boolean');

    const md = readFileSync(join(out, 'report.md'), 'utf8');
    assert.match(md, /^# namedprocess-exporter: what a scrape costs/);
    assert.match(md, /## Targets/);
    assert.match(md, /!\[CPU per scrape against process count\]\(cpu-per-scrape\.svg\)/);
    const svg = readFileSync(join(out, 'cpu-per-scrape.svg'), 'utf8');
    assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /<\/svg>\n$/);

    assert.ok(report.startedPids.length >= 4, 'the bench lists what it started');
    assert.deepEqual(processesUsing(out), []);
    assert.deepEqual(benchMounts(), []);
  });

  test('Ctrl-C stops every process it started', { timeout: 300_000, skip: HAVE_CC ? false : 'no C compiler: no live workload to stop' }, async () => {
    const out = outDir();
    let sent = false;
    const { code } = await run(['--quick', `--out=${out}`], (line, child) => {
      // interrupt while the idle processes and the contenders are up
      if (!sent && /started C floor|started reference|started ours, TS reader/.test(line)) {
        sent = true;
        child.kill('SIGINT');
      }
    });
    assert.ok(sent, 'the bench got as far as starting contenders');
    assert.equal(code, 130);
    assert.deepEqual(processesUsing(out), []);
    assert.deepEqual(benchMounts(), []);
    assert.equal(existsSync(join(out, 'report.json')), false, 'an interrupted run writes no report');
  });
});
