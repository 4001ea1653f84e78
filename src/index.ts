// The library API: run the collector inside a Node app that already serves metrics with prom-client.
//
//   const { createCollector } = require('namedprocess-exporter');
//   const collector = await createCollector({ procnames: ['node', 'MainThread'] }); // Node 24 on: "MainThread"
//   collector.registerIn(register);          // prom-client's default registry, or your own
//   // `await register.metrics()` now carries the namedprocess_* families
import { defaultOptions, FILE_SETTINGS, freshDefaults, SETTING_BY_KEY, type AlloyOptions, type Options } from './settings/registry';
import { adaptLogger, createLogger, type Logger } from './base/log';
import { resolveConfig, ProcessCollector } from './collector/collector';
import { StartupError } from './base/errors';
import { selectScanner } from './proc/select';
import { FAMILY_INFO, FAMILY_ORDER, renderGroupFamilies } from './expose/text';
import type { CycleSnapshot } from './expose/snapshot';
import { BUILD, VERSION } from './base/version';
import { parseSampleValue, parseSeriesKey } from './expose/parse';

export { defaultOptions, type AlloyOptions, type Options } from './settings/registry';
export { ProcessCollector } from './collector/collector';
export { StartupError } from './base/errors';
export type { CycleSnapshot, GroupSnapshot, ProcessSnapshot, ThreadNameSnapshot } from './expose/snapshot';

/**
 * What registerIn uses of a prom-client Registry, written out here so that these types compile in a project
 * without prom-client (an optional peer). prom-client's Registry (version 15) is one.
 */
export interface MetricRegistry {
  registerMetric(metric: never): void;
  removeSingleMetric(name: string): void;
}

export interface EmbeddedCollector {
  readonly collector: ProcessCollector;
  /** Adds the namedprocess_* families to a prom-client Registry; one update cycle per scrape. */
  registerIn(registry: MetricRegistry): void;
  /** The namedprocess_* families and the exporter's own metrics as text, like the CLI serves them. */
  metrics(format?: 'text' | 'openmetrics'): Promise<string>;
  close(): void;
}

export type CollectorOptions = Partial<Options> & AlloyOptions;

/**
 * The options object with the CLI's defaults filled in, Alloy's names mapped to ours, and the keys given
 * marked as explicit (they win over a config file's settings). An unknown key, a value of the wrong type,
 * or the same setting given twice with different values is an error that names it.
 */
function normalizeOptions(input: CollectorOptions): { options: Options; given: Array<keyof Options> } {
  const out: Record<string, unknown> = freshDefaults();
  const given = new Set<keyof Options>();
  const from = new Map<string, string>();
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined) continue;
    const field = (FILE_SETTINGS.get(key)?.key ?? key) as keyof Options;
    if (!Object.hasOwn(defaultOptions, field)) {
      throw new StartupError(`createCollector: unknown option ${JSON.stringify(key)} (options are ${[...Object.keys(defaultOptions), ...FILE_SETTINGS.keys()].join(', ')})`);
    }
    const want = Array.isArray(defaultOptions[field]) ? 'array' : typeof defaultOptions[field];
    const got = Array.isArray(value) ? 'array' : typeof value;
    if (want !== got) throw new StartupError(`createCollector: option ${JSON.stringify(key)} must be a${want === 'array' ? 'n' : ''} ${want}, not ${got === 'object' && value === null ? 'null' : got}`);
    const range = SETTING_BY_KEY.get(field)?.range;
    if (range !== undefined && !(Number.isInteger(value) && (value as number) >= range.min && (value as number) <= range.max)) {
      throw new StartupError(`createCollector: option ${JSON.stringify(key)} must be an integer ${range.says}, not ${String(value)}`);
    }
    const earlier = from.get(field);
    if (earlier !== undefined && out[field] !== value) {
      throw new StartupError(`createCollector: options ${JSON.stringify(earlier)} and ${JSON.stringify(key)} set the same thing to different values`);
    }
    from.set(field, key);
    out[field] = value;
    given.add(field);
  }
  return { options: out as unknown as Options, given: [...given] };
}

/**
 * Builds a collector from the same options object the CLI builds (missing fields take the CLI defaults),
 * or from Grafana Alloy's argument names. A config file's top-level settings apply to what is not given.
 */
export async function createCollector(options: CollectorOptions = {}, deps: { log?: Partial<Logger> & Pick<Logger, 'info' | 'error'> } = {}): Promise<EmbeddedCollector> {
  const { options: asked, given } = normalizeOptions(options);
  const debug = asked.debug || asked.logLevel === 'debug';
  const log = deps.log ? adaptLogger(deps.log, debug) : createLogger({ level: debug ? 'debug' : asked.logLevel, format: asked.logFormat });
  const { namer, options: opts } = await resolveConfig(asked, log, given);
  const { scanner } = selectScanner({ procfs: opts.procfs });
  const collector = await ProcessCollector.create(opts, { log, scanner, namer, version: VERSION, ...BUILD });
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
      current.samples.push({ labels: Object.fromEntries(parseSeriesKey(line.slice(0, sp)).slice(1)), value: parseSampleValue(line.slice(sp + 1)) });
    }
  }
  return out;
}

// A family is in the registry only while the last cycle gave it samples, as the CLI writes only families
// with samples (prom-client would write a header-only family). The set is brought up to date after every
// cycle, so a family that loses its last sample in a cycle is written header-only by that one scrape.
function registerFamilies(collector: ProcessCollector, registry: MetricRegistry): void {
  // registry.metrics() asks every family at once: they share one cycle, parsed once
  let parsed: { snap: CycleSnapshot; families: ReturnType<typeof familiesOf> } | null = null;
  const parse = (snap: CycleSnapshot) => {
    if (parsed === null || parsed.snap !== snap) parsed = { snap, families: familiesOf(snap, collector.options.threads) };
    return parsed.families;
  };
  const familiesNow = async () => parse(await collector.collect());
  const registered = new Set<string>();
  const sync = (snap: CycleSnapshot) => {
    const families = parse(snap);
    for (const name of FAMILY_ORDER) {
      const has = (families.get(name)?.samples.length ?? 0) > 0;
      if (has && !registered.has(name)) {
        registry.registerMetric(familyMetric(name, familiesNow) as never);
        registered.add(name);
      } else if (!has && registered.has(name)) {
        registry.removeSingleMetric(name);
        registered.delete(name);
      }
    }
  };
  const latest = collector.latest;
  if (latest !== null) sync(latest.snap);
  collector.onCycle((snap) => sync(snap));
}

function familyMetric(name: string, familiesNow: () => Promise<Map<string, { help: string; samples: Sample[] }>>) {
  const info = FAMILY_INFO.get(name)!;
  const metric = {
    name,
    help: info.help,
    type: info.type,
    aggregator: 'sum',
    async get() {
      const fam = (await familiesNow()).get(name);
      return { name: metric.name, help: info.help, type: metric.type, aggregator: 'sum', values: fam?.samples ?? [] };
    },
    reset() {},
  };
  return metric;
}
