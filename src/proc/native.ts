// Loader for the native /proc scanner (native/*.cc): the prebuilt binary shipped in prebuilds/, or a
// build from source made at install (scripts/install.js), found the bufferutil way with node-gyp-build.
// It reports why when there is none, and select.ts then falls back to the TypeScript reader.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { BufferPool, transferables } from './column-set';
import { ProcfsListError } from './columns';
import type { DetailColumns, DetailRequest, Scanner, StatColumns } from './columns';
import { readBootTime } from './boot-time';
import { errorMessage } from '../base/errors';

/** What the compiled addon exports (native/addon.cc). */
interface NativeAddon {
  createScanner(procfs: string, threads: number): NativeHandle;
  /** the number of cores we may run on, at most 4 */
  readonly defaultThreads: number;
  /** _exit(code): ends the process without joining threads (absent from addons built before it) */
  exitNow?(code: number): never;
}

/** Where the addon takes the memory of the columns it returns: an ArrayBuffer of at least `bytes`. */
type TakeBuffer = (bytes: number) => ArrayBuffer;

interface NativeHandle {
  listProcs(take?: TakeBuffer): Promise<StatColumns>;
  readDetails(req: DetailRequest, take?: TakeBuffer): Promise<DetailColumns>;
  close(): void;
  info(): NativeInfo;
}

interface NativeInfo {
  procfs: string;
  /** worker threads per scan */
  threads: number;
  /** statfs magic 0x9fa0: st_size of <pid>/fd is used for the fd count */
  realProcfs: boolean;
  /** our own pid namespace's /proc: prlimit() replaces reading limits */
  ownProcfs: boolean;
}

const ADDON_FILE = 'namedprocess_scanner.node';

/** The package root: the nearest directory above this file that holds package.json (dist/src/proc or src/proc). */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 4; i++) {
    dir = path.dirname(dir);
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
  }
  return path.resolve(__dirname, '../../..');
}

/**
 * The addon file to load and where it comes from: NAMEDPROCESS_NATIVE_PATH (e.g. the ASan build), else
 * node-gyp-build's choice (build/Release from a build from source, else the prebuilt binary in
 * prebuilds/<platform>-<arch>/ that fits this libc); `error` when there is none.
 */
function findAddon(env: NodeJS.ProcessEnv = process.env): { file: string; origin: string } | { error: string } {
  if (env.NAMEDPROCESS_NATIVE_PATH) {
    const file = path.resolve(env.NAMEDPROCESS_NATIVE_PATH);
    return fs.existsSync(file) ? { file, origin: 'NAMEDPROCESS_NATIVE_PATH' } : { error: `${file} does not exist (NAMEDPROCESS_NATIVE_PATH)` };
  }
  const root = packageRoot();
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const file = (require('node-gyp-build') as { path(dir: string): string }).path(root);
    const origin = file.startsWith(path.join(root, 'build') + path.sep) ? 'locally built' : 'prebuilt';
    return { file, origin };
  } catch (e) {
    // "No native build was found for platform=linux arch=... libc=... node=..."
    const first = errorMessage(e).split('\n')[0];
    return { error: `${first} (no prebuilt binary fits, and none was built from source at install)` };
  }
}

type NativeLoad = { addon: NativeAddon; path: string; reason: string } | { addon: undefined; reason: string };

const cache = new Map<string, NativeLoad>();

/** Loads the addon; never throws. `reason` says which file loaded and from where, or why none did. */
export function loadNative(env: NodeJS.ProcessEnv = process.env): NativeLoad {
  const key = env.NAMEDPROCESS_NATIVE_PATH ?? '';
  const hit = cache.get(key);
  if (hit) return hit;
  let result: NativeLoad;
  const found = findAddon(env);
  if ('error' in found) {
    result = { addon: undefined, reason: found.error };
  } else {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const addon = require(found.file) as NativeAddon;
      if (typeof addon?.createScanner !== 'function') throw new Error('createScanner is missing');
      result = { addon, path: found.file, reason: `${found.origin} addon ${found.file}` };
    } catch (e) {
      result = { addon: undefined, reason: `${found.origin} addon ${found.file} does not load: ${errorMessage(e).split('\n')[0]}` };
    }
  }
  cache.set(key, result);
  return result;
}

/** The native scanner: a Scanner that also reports what the addon was built and started with. */
export interface NativeScanner extends Scanner {
  readonly kind: 'native';
  info(): NativeInfo;
}

/** A NativeScanner over an addon handle. */
class AddonScanner implements NativeScanner {
  readonly kind = 'native' as const;
  /** the buffers of the columns the caller has released: the next cycle's columns are copied into them */
  private readonly pool = new BufferPool();
  private readonly take: TakeBuffer = (bytes) => this.pool.take(bytes);

  constructor(private readonly handle: NativeHandle) {}

  info(): NativeInfo {
    return this.handle.info();
  }

  /** Read once at start-up, as the TS reader does: the same parser validates every line of <procfs>/stat
   *  and words its errors like the reference (docs/behaviour.md#errors), so both readers fail start-up identically. */
  bootTime(): Promise<number> {
    return readBootTime(this.handle.info().procfs);
  }

  async listProcs(): Promise<StatColumns> {
    try {
      return await this.handle.listProcs(this.take);
    } catch (e) {
      // The addon rejects only when <procfs> itself cannot be listed: the cycle fails (docs/behaviour.md#errors).
      throw new ProcfsListError(errorMessage(e));
    }
  }

  async readDetails(req: DetailRequest): Promise<DetailColumns> {
    try {
      return await this.handle.readDetails(req, this.take);
    } finally {
      // what this cycle's columns did not take is more than the host needs now: left to the collector
      this.pool.clear();
    }
  }

  release(cols: StatColumns | DetailColumns): void {
    this.pool.give(transferables(cols, true));
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
    return { scanner: new AddonScanner(handle), reason: load.reason };
  } catch (e) {
    return { scanner: undefined, reason: `createScanner failed: ${errorMessage(e)}` };
  }
}
