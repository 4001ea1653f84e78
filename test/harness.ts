// A whole exporter on a fake procfs tree with a fixed clock: replay states, scrape, read samples.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { defaultOptions, type Options } from '../src/settings/registry';
import { buildNamer, ProcessCollector } from '../src/collector/collector';
import { memoryLogger } from './memory-logger';
import { createTsScanner } from '../src/proc/ts-reader';
import { renderGroupFamilies } from '../src/expose/text';
import type { Scanner } from '../src/proc/columns';
import type { CycleSnapshot } from '../src/expose/snapshot';

export const BTIME = 1_700_000_000;
/** the exporter starts 1000 s after boot: processes with starttime > 100000 ticks are born after it */
export const START_MS = (BTIME + 1000) * 1000;
export const AFTER_START_TICKS = 100_100;

export type ScannerFactory = (procfs: string) => Scanner;
export const tsScanner: ScannerFactory = (procfs) => createTsScanner({ procfs });

export class Harness {
  nowMs = START_MS;
  readonly log = memoryLogger();
  collector!: ProcessCollector;
  private constructor(readonly fs: FakeProcfs, readonly options: Options) {}

  static async start(procs: FakeProc[], opts: Partial<Options> = {}, scanner: ScannerFactory = tsScanner): Promise<Harness> {
    const fs = await FakeProcfs.create({ btime: BTIME });
    await fs.set(procs);
    const options = { ...defaultOptions, ...opts };
    const h = new Harness(fs, options);
    const passwd = join(mkdtempSync(join(tmpdir(), 'npe-passwd-')), 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n');
    const namer = await buildNamer(options, h.log);
    h.collector = await ProcessCollector.create(options, { log: h.log, scanner: scanner(fs.root), namer, now: () => h.nowMs, pageSize: 4096, passwdPath: passwd, version: 'test' });
    await h.collector.prime();
    return h;
  }

  async set(procs: FakeProc[]): Promise<void> {
    await this.fs.set(procs);
  }

  /** One scrape: the namedprocess_* text as the HTTP handler writes it. */
  async scrape(): Promise<string> {
    this.nowMs += 15_000;
    const snap: CycleSnapshot = await this.collector.collect();
    return renderGroupFamilies(snap, { threads: this.options.threads, format: 'text' });
  }

  /** One scrape, as a map from `name{labels}` to the value text. */
  async samples(): Promise<Map<string, string>> {
    return parseSamples(await this.scrape());
  }

  async close(): Promise<void> {
    this.collector.close();
    await this.fs.remove();
  }
}

export function parseSamples(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const sp = line.lastIndexOf(' ');
    m.set(line.slice(0, sp), line.slice(sp + 1));
  }
  return m;
}

/** The samples of one group, without the groupname label: `name{other labels}` -> value. */
export function groupSamples(all: Map<string, string>, group: string): Map<string, string> {
  const out = new Map<string, string>();
  const needle = `groupname="${group}"`;
  for (const [k, v] of all) {
    if (!k.includes(needle)) continue;
    const key = k.replace(needle + ',', '').replace(',' + needle, '').replace(`{${needle}}`, '');
    out.set(key, v);
  }
  return out;
}
