// Exposition at high cardinality, in a process of its own so that its memory figures are its own:
// one group per process ({{.PID}}) on a synthetic tree, then the text exposition rendered a few times.
//   node dist/bench/render-worker.js '{"procfs": DIR, "config": FILE, "renders": 3}'
// prints one JSON line.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createCollector } from '../src/index';
import { renderGroupFamilies } from '../src/expose/text';
import { createLogger } from '../src/base/log';

function vm(key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'latin1'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2]) as { procfs: string; config: string; renders: number };
  const rssStart = vm('VmRSS');
  const t0 = performance.now();
  const c = await createCollector({ procfs: args.procfs, configPath: args.config }, { log: createLogger({ debug: false }) });
  const primeS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const snap = await c.collector.collect();
  const cycleS = (performance.now() - t1) / 1000;
  const rssBeforeRender = vm('VmRSS');
  const hwmBeforeRender = vm('VmHWM');
  const renderS: number[] = [];
  let bytes = 0;
  let series = 0;
  let rssAfterRender = 0;
  for (let i = 0; i < args.renders; i++) {
    const s = performance.now();
    const text = renderGroupFamilies(snap, { threads: c.collector.options.threads, format: 'text' });
    renderS.push((performance.now() - s) / 1000);
    rssAfterRender = Math.max(rssAfterRender, vm('VmRSS'));
    if (i === 0) {
      bytes = Buffer.byteLength(text);
      for (let p = text.indexOf('\n'), prev = 0; p >= 0; prev = p + 1, p = text.indexOf('\n', p + 1)) {
        if (text.charCodeAt(prev) !== 35 /* # */ && p > prev) series++;
      }
    }
  }
  // a whole scrape as the HTTP handler does it: a cycle, then the render with the exporter's own metrics
  const s = performance.now();
  await c.metrics('text');
  const scrapeS = (performance.now() - s) / 1000;
  c.close();
  const out = {
    groups: snap.groups.length,
    series,
    bytes,
    primeS,
    cycleS,
    renderS,
    scrapeS,
    rssStartMiB: rssStart,
    rssBeforeRenderMiB: rssBeforeRender,
    hwmBeforeRenderMiB: hwmBeforeRender,
    rssAfterRenderMiB: rssAfterRender,
    hwmMiB: vm('VmHWM'),
    reader: c.collector.readerKind,
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`render-worker: ${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
