// The library API: run the collector inside a Node app that already serves metrics with prom-client.
//
//   const { createCollector } = require('namedprocess-exporter');
//   const collector = await createCollector({ procnames: ['node'] });
//   collector.registerIn(register);          // prom-client's default registry, or your own
//   // `await register.metrics()` now carries the namedprocess_* families
import type { Registry } from 'prom-client';
import { defaultOptions, type Options } from './options';
import { createLogger, type Logger } from './log';
import { buildNamer, ProcessCollector } from './collector';
import { selectScanner } from './proc/select';
import { FAMILY_ORDER, renderGroupFamilies } from './expose/text';
import type { CycleSnapshot } from './expose/snapshot';
import { VERSION } from './version';

export { defaultOptions, type Options } from './options';
export { ProcessCollector, StartupError } from './collector';
export type { CycleSnapshot, GroupSnapshot, ThreadNameSnapshot } from './expose/snapshot';

export interface EmbeddedCollector {
  readonly collector: ProcessCollector;
  /** Adds the namedprocess_* families to a prom-client Registry; one update cycle per scrape. */
  registerIn(registry: Registry): void;
  /** The namedprocess_* families and the exporter's own metrics as text, like the CLI serves them. */
  metrics(format?: 'text' | 'openmetrics'): Promise<string>;
  close(): void;
}

/** Builds a collector from the same options object the CLI builds (missing fields take the CLI defaults). */
export async function createCollector(options: Partial<Options> = {}, deps: { log?: Logger } = {}): Promise<EmbeddedCollector> {
  const opts: Options = { ...defaultOptions, ...options };
  const log = deps.log ?? createLogger({ debug: opts.debug });
  const namer = await buildNamer(opts, log);
  const { scanner } = selectScanner({ procfs: opts.procfs });
  const collector = await ProcessCollector.create(opts, { log, scanner, namer, version: VERSION });
  await collector.prime();
  return {
    collector,
    registerIn: (registry) => registerFamilies(collector, registry),
    metrics: (format = 'text') => collector.render(format),
    close: () => collector.close(),
  };
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

// The families are parsed back from our own text writer: one definition of names, labels and order.
function familiesOf(snap: CycleSnapshot, threads: boolean): Map<string, { help: string; samples: Sample[] }> {
  const out = new Map<string, { help: string; samples: Sample[] }>();
  let current: { help: string; samples: Sample[] } | undefined;
  for (const line of renderGroupFamilies(snap, { threads, format: 'text' }).split('\n')) {
    if (line.startsWith('# HELP ')) {
      const sp = line.indexOf(' ', 7);
      current = { help: line.slice(sp + 1), samples: [] };
      out.set(line.slice(7, sp), current);
    } else if (line !== '' && !line.startsWith('#') && current !== undefined) {
      const sp = line.lastIndexOf(' ');
      current.samples.push({ labels: parseLabels(line.slice(0, sp)), value: parseGoFloat(line.slice(sp + 1)) });
    }
  }
  return out;
}

function parseGoFloat(s: string): number {
  return s === '+Inf' ? Infinity : s === '-Inf' ? -Infinity : Number(s);
}

function parseLabels(series: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const open = series.indexOf('{');
  if (open < 0) return labels;
  let i = open + 1;
  while (i < series.length && series[i] !== '}') {
    const eq = series.indexOf('=', i);
    const name = series.slice(i, eq);
    let j = eq + 2;
    let value = '';
    while (series[j] !== '"') {
      if (series[j] === '\\') {
        const n = series[j + 1];
        value += n === 'n' ? '\n' : n;
        j += 2;
      } else value += series[j++];
    }
    labels[name] = value;
    i = j + 1;
    if (series[i] === ',') i++;
  }
  return labels;
}

function registerFamilies(collector: ProcessCollector, registry: Registry): void {
  // registry.metrics() asks every family at once: they share one cycle, parsed once
  let parsed: { snap: CycleSnapshot; families: ReturnType<typeof familiesOf> } | null = null;
  const familiesNow = async () => {
    const snap = await collector.collect();
    if (parsed === null || parsed.snap !== snap) parsed = { snap, families: familiesOf(snap, collector.options.threads) };
    return parsed.families;
  };
  const typeOf = (name: string) => (name.endsWith('_total') || name.startsWith('namedprocess_scrape_') ? 'counter' : 'gauge');
  for (const name of FAMILY_ORDER) {
    const metric = {
      name,
      help: '',
      type: typeOf(name),
      aggregator: 'sum',
      async get() {
        const fam = (await familiesNow()).get(name);
        return { name: metric.name, help: fam?.help ?? metric.help, type: metric.type, aggregator: 'sum', values: fam?.samples ?? [] };
      },
      reset() {},
    };
    registry.registerMetric(metric as unknown as Parameters<Registry['registerMetric']>[0]);
  }
}
