#!/usr/bin/env node
// What the remote_write push adds to the cycles: on a synthetic tree of N processes, CPU time of the
// update cycles alone against the push of each cycle (render the exposition, build the samples, encode,
// snappy, POST to a receiver in another process that discards them). The target: the push costs at
// most 10% on top of the cycles at 10,000 processes.
//
//   node dist/bench/push-cost.js [--procs=10000] [--cycles=10] [--groups=comm|pid]
//   npm run bench -- --push-cost [same flags]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSyntheticTree, tmpfsDir } from './synthetic';
import { cleanupAll, installCleanupHandlers, trackDir, trackGroup, unmount } from './cleanup';
import { defaultOptions } from '../src/settings/registry';
import { buildNamer, ProcessCollector } from '../src/collector/collector';
import { selectScanner } from '../src/proc/select';
import { createLogger } from '../src/base/log';
import { parsePushConfig } from '../src/config/remote-write';
import { Endpoint } from '../src/push/sender';
import { PushMetrics } from '../src/push/metrics';
import { PUSH_JOB } from '../src/push';

const say = (line: string) => process.stdout.write(line + '\n');
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

// the receiver: reads each request whole and answers 204, in its own process so its CPU is not ours
const RECEIVER = `
const http = require('node:http');
const s = http.createServer((req, res) => { let n = 0; req.on('data', (c) => (n += c.length)); req.on('end', () => { res.writeHead(204); res.end(); }); });
s.listen(0, '127.0.0.1', () => process.stdout.write(String(s.address().port) + '\\n'));
`;

function flag(argv: string[], name: string, dflt: string): string {
  const a = argv.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? dflt : a.slice(name.length + 3);
}

export async function main(argv: string[]): Promise<number> {
  const procs = Number(flag(argv, 'procs', '10000'));
  const cycles = Number(flag(argv, 'cycles', '10'));
  const groups = flag(argv, 'groups', 'comm');
  if (!Number.isInteger(procs) || procs <= 0 || !Number.isInteger(cycles) || cycles <= 0 || (groups !== 'comm' && groups !== 'pid')) {
    process.stderr.write('usage: push-cost [--procs=N] [--cycles=N] [--groups=comm|pid]\n');
    return 2;
  }
  installCleanupHandlers();
  const tree = tmpfsDir('npb-push-');
  try {
    await buildSyntheticTree(tree.dir, procs, 100, () => {});
    const receiver = spawn(process.execPath, ['-e', RECEIVER], { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
    trackGroup(receiver, 'push-cost receiver');
    const port = await new Promise<number>((resolve) => receiver.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));

    // grouped by comm (100 groups, the main bench's config) or one group per process (the worst case)
    const cfgDir = mkdtempSync(join(tmpdir(), 'npb-push-cfg-'));
    trackDir(cfgDir);
    const cfgFile = join(cfgDir, 'pe.yml');
    writeFileSync(cfgFile, `process_names:\n  - name: "${groups === 'pid' ? '{{.Comm}}-{{.PID}}' : '{{.Comm}}'}"\n    cmdline: ['.+']\n`);
    const options = { ...defaultOptions, procfs: tree.dir, configPath: cfgFile };
    const log = createLogger({ level: 'error' });
    const { scanner } = selectScanner({ procfs: tree.dir });
    const collector = await ProcessCollector.create(options, { log, scanner, namer: await buildNamer(options, log), version: 'bench' });
    await collector.prime();
    const cfg = parsePushConfig(`remote_write:\n  - url: http://127.0.0.1:${port}/api/v1/write\n    name: bench\n`, 'bench')!;
    const metrics = new PushMetrics();
    collector.addOwnMetrics((format) => metrics.render(format));
    const endpoint = new Endpoint(cfg.remoteWrite[0], { targetLabels: [['instance', 'bench'], ['job', PUSH_JOB]], externalLabels: [['site', 'bench']], rules: [] }, {
      log,
      stats: metrics.endpoint({ remote_name: 'bench', url: cfg.remoteWrite[0].url }),
      userAgent: 'bench',
      tls: {},
    });

    say(`push cost: ${procs.toLocaleString('en-US')} processes (${tree.tmpfs ? 'tmpfs' : 'NOT tmpfs'}), grouped by ${groups === 'pid' ? 'process (one group each)' : 'comm (100 groups)'}, ${scanner.kind} scanner, ${cycles} cycles after 2 warm-up`);
    let cycleCpu = 0;
    let pushCpu = 0;
    let renderCpu = 0;
    let buildCpu = 0;
    let cycleWall = 0;
    let pushWall = 0;
    let samples = 0;
    for (let i = -2; i < cycles; i++) {
      const c0 = process.cpuUsage();
      const w0 = performance.now();
      const snap = await collector.collect();
      const c1 = process.cpuUsage();
      const w1 = performance.now();
      const text = await collector.renderCycle(snap, 'text');
      const c2 = process.cpuUsage();
      const before = endpoint.queue.pending + metrics.endpoints[0].sent;
      endpoint.enqueue(text, Date.now());
      const cb = process.cpuUsage();
      const queued = endpoint.queue.pending + metrics.endpoints[0].sent - before;
      await endpoint.whenIdle();
      const c3 = process.cpuUsage();
      const w3 = performance.now();
      if (i < 0) continue;
      cycleCpu += cpuMs(process.cpuUsage(c0)) - cpuMs(process.cpuUsage(c1));
      renderCpu += cpuMs(process.cpuUsage(c1)) - cpuMs(process.cpuUsage(c2));
      buildCpu += cpuMs(process.cpuUsage(c2)) - cpuMs(process.cpuUsage(cb));
      pushCpu += cpuMs(process.cpuUsage(c1)) - cpuMs(process.cpuUsage(c3));
      cycleWall += w1 - w0;
      pushWall += w3 - w1;
      samples += queued;
    }
    const s = metrics.endpoints[0];
    if (s.failed + s.retried + s.dropped > 0) throw new Error(`the receiver did not take everything: failed ${s.failed}, retried ${s.retried}, dropped ${s.dropped}`);
    const per = (x: number) => (x / cycles).toFixed(1);
    say(`  samples pushed per cycle: ${(samples / cycles).toFixed(0)}`);
    say(`  cycle alone:  ${per(cycleCpu)} ms CPU, ${per(cycleWall)} ms wall per cycle`);
    say(`  push:         ${per(pushCpu)} ms CPU, ${per(pushWall)} ms wall per cycle`);
    say(`    render the exposition ${per(renderCpu)} ms, build the samples ${per(buildCpu)} ms, encode + snappy + send ${per(pushCpu - renderCpu - buildCpu)} ms CPU`);
    const ratio = (100 * pushCpu) / cycleCpu;
    say(`  push / cycle: ${ratio.toFixed(1)}% CPU  (target: at most 10%) ${ratio <= 10 ? 'MET' : 'MISSED'}`);
    await endpoint.stop(1000);
    collector.close();
    receiver.kill();
    return 0;
  } finally {
    if (tree.mounted) unmount(tree.dir);
    cleanupAll();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`push-cost: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exit(1);
    },
  );
}
