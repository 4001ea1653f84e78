// Loader for the native /proc scanner (native/*.cc, built by scripts/build-native.js at install).
// A few lines the bufferutil way: try the addon, report why not, and let select.ts fall back to the
// TypeScript reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ProcfsListError } from './columns';
import type { DetailColumns, DetailRequest, Scanner, StatColumns } from './columns';
import { createTsScanner } from './ts-reader';

/** What the compiled addon exports (native/addon.cc). */
export interface NativeAddon {
  createScanner(procfs: string, threads: number): NativeHandle;
  /** the number of cores we may run on, at most 4 */
  readonly defaultThreads: number;
  /** _exit(code): ends the process without joining threads (absent from addons built before it) */
  exitNow?(code: number): never;
}

export interface NativeHandle {
  bootTime(): Promise<number>;
  listProcs(): Promise<StatColumns>;
  readDetails(req: DetailRequest): Promise<DetailColumns>;
  close(): void;
  info(): NativeInfo;
}

export interface NativeInfo {
  procfs: string;
  /** worker threads per scan */
  threads: number;
  /** statfs magic 0x9fa0: st_size of <pid>/fd is used for the fd count */
  realProcfs: boolean;
  /** our own pid namespace's /proc: prlimit() replaces reading limits */
  ownProcfs: boolean;
}

export const ADDON_FILE = 'namedprocess_scanner.node';

/** Where the addon is looked for: NAMEDPROCESS_NATIVE_PATH (e.g. the ASan build), else build/Release. */
export function addonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.NAMEDPROCESS_NATIVE_PATH) return [path.resolve(env.NAMEDPROCESS_NATIVE_PATH)];
  // dist/src/proc -> package root; src/proc (ts-node style) -> package root
  return [
    path.resolve(__dirname, '../../../build/Release', ADDON_FILE),
    path.resolve(__dirname, '../../build/Release', ADDON_FILE),
  ];
}

export type NativeLoad = { addon: NativeAddon; path: string; reason: string } | { addon: undefined; reason: string };

const cache = new Map<string, NativeLoad>();

/** Loads the addon; never throws. `reason` says which file loaded, or why none did. */
export function loadNative(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  const candidates = addonCandidates(env);
  const key = candidates.join('\0');
  const hit = cache.get(key);
  if (hit) return hit;
  let result: NativeLoad | undefined;
  const errors: string[] = [];
  for (const file of candidates) {
    if (!fs.existsSync(file)) {
      errors.push(`${file} does not exist (not built: no compiler at install, or NAMEDPROCESS_SKIP_NATIVE)`);
      continue;
    }
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(file) as NativeAddon;
      if (typeof addon?.createScanner !== 'function') throw new Error('createScanner is missing');
      result = { addon, path: file, reason: `loaded ${file}` };
      break;
    } catch (e) {
      errors.push(`${file}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  if (!result) result = { addon: undefined, reason: errors[0] ?? 'no candidate path' };
  cache.set(key, result);
  return result;
}

/** A Scanner (kind 'native') over an addon handle. */
export class NativeScanner implements Scanner {
  readonly kind = 'native' as const;

  constructor(private readonly handle: NativeHandle) {}

  info(): NativeInfo {
    return this.handle.info();
  }

  /** Read once at start-up: the TS parser validates every line of <procfs>/stat and words its errors
   *  like the reference (SPEC §6), so both readers fail start-up identically. The addon's own
   *  bootTime() (btime only) is there for the native tests. */
  bootTime(): Promise<number> {
    return createTsScanner({ procfs: this.handle.info().procfs }).bootTime();
  }

  async listProcs(): Promise<StatColumns> {
    try {
      return await this.handle.listProcs();
    } catch (e) {
      // The addon rejects only when <procfs> itself cannot be listed: the cycle fails (SPEC §6).
      throw new ProcfsListError(e instanceof Error ? e.message : String(e));
    }
  }

  readDetails(req: DetailRequest): Promise<DetailColumns> {
    return this.handle.readDetails(req);
  }

  close(): void {
    this.handle.close();
  }
}

/** The native scanner for `procfs`, or undefined with the reason it is not available. */
export function createNativeScanner(opts: {
  procfs: string;
  threads?: number;
  env?: NodeJS.ProcessEnv;
}): { scanner: NativeScanner | undefined; reason: string } {
  const load = loadNative(opts.env ?? process.env);
  if (!load.addon) return { scanner: undefined, reason: load.reason };
  try {
    const handle = load.addon.createScanner(opts.procfs, opts.threads ?? 0);
    return { scanner: new NativeScanner(handle), reason: load.reason };
  } catch (e) {
    return { scanner: undefined, reason: `createScanner failed: ${e instanceof Error ? e.message : String(e)}` };
  }
}
