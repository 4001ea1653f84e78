// The TypeScript /proc scanner: the fallback when the native scanner is not built. The reads are
// synchronous (open/read/close into one reusable buffer, ts-reader-core.ts) and run in a worker thread
// (ts-reader-worker.ts), created on first use and kept for the scanner's life, so the event loop is
// never blocked and no file costs thread-pool round trips or promises. The worker lists the procfs
// root, reads the stats and the details and posts the columns back (buffers transferred); once the
// caller is done with a cycle's columns (release), their buffers go back to the worker to be filled
// again. Given more workers, each handles a contiguous slice of the rows and the slices are joined in
// order. Without workers (the worker script missing, or `workers: 0`) the same reads run on the main
// thread in small chunks with setImmediate yields in between.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { DetailColumns, DetailRequest, ProcfsListError, Scanner, StatColumns } from './columns';
import { transferables } from './column-set';
import { goErrText } from '../go/errno';
import { readBootTime } from './boot-time';
import {
  catDetails,
  catStats,
  DetailJob,
  listProcfsRootSync,
  pidsOf,
  readDetailsSync,
  readStats,
  SyncReader,
} from './ts-reader-core';
import { errorMessage } from '../base/errors';

export { parsePidName } from './ts-reader-core';

interface TsScannerOptions {
  procfs: string;
  /** worker threads (default 1); 0 reads everything on the main thread in yielding chunks */
  workers?: number;
}

/**
 * One worker by default, whatever the host's size: each worker is a V8 isolate of its own, and a second
 * one saves no CPU, it only shortens a cycle's wall time where a core is spare
 * (docs/performance.md#the-typescript-reader). Details must stay off the main thread in any case: a read
 * of a process stuck in the kernel blocks.
 */
const DEFAULT_WORKERS = 1;

/** statfs f_type of a real procfs mount (PROC_SUPER_MAGIC). */
const PROC_SUPER_MAGIC = 0x9fa0;
/** Below this many rows per worker a job is not split (a round trip costs more than the reads). */
const MIN_ROWS_PER_WORKER = 64;
/** Rows read between two yields to the event loop when reading on the main thread. */
const CHUNK_ROWS = 32;

const WORKER_FILE = path.join(__dirname, 'ts-reader-worker.js');
/**
 * A worker allocates short-lived garbage only (the parsers' strings, per-file views): a small young
 * generation keeps each worker's RSS small at no measurable CPU cost (docs/performance.md#the-typescript-reader).
 */
const WORKER_YOUNG_GENERATION_MB = 2;

// ---------------------------------------------------------------- the worker protocol

export type WorkerRequest =
  | { id: number; op: 'liststat'; root: string }
  | { id: number; op: 'list'; root: string }
  | { id: number; op: 'stat'; root: string; pids: Int32Array }
  | { id: number; op: 'details'; job: DetailJob }
  /** buffers of columns the caller has finished with; no reply */
  | { op: 'recycle'; buffers: ArrayBuffer[] };

/** A request that is answered (all but 'recycle'). */
type JobRequest = Exclude<WorkerRequest, { op: 'recycle' }>;

export type WorkerReply =
  | { id: number; ok: true; value: Int32Array | StatColumns | DetailColumns }
  | { id: number; ok: false; error: { message: string; code?: string; name: string } };

/** An error the worker caught and sent back (a failed listing, or a bug). */
class WorkerJobError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
}

/** One worker thread; replaced by a new one after it dies. */
class Slot {
  readonly worker: Worker;
  readonly pending = new Map<number, Pending>();
  dead = false;
  /** it answered at least once (a worker that dies before that may not be able to start at all) */
  replied = false;

  constructor(onDeath: (s: Slot) => void) {
    // node:worker_threads is loaded with the first worker: the native scanner's start-up (bootTime) never needs it
    const { Worker: WorkerThread } = require('node:worker_threads') as typeof import('node:worker_threads');
    const w = new WorkerThread(WORKER_FILE, {
      stdout: false,
      stderr: false,
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    this.worker = w;
    w.unref();
    w.on('message', (m: WorkerReply) => {
      this.replied = true;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (this.pending.size === 0) w.unref();
      if (m.ok) p.resolve(m.value);
      else p.reject(new WorkerJobError(m.error.message, m.error.code));
    });
    const die = (why: string) => {
      if (!this.dead) {
        this.dead = true;
        onDeath(this);
      }
      this.failAll(why);
    };
    w.on('error', (e) => die(`ts reader worker failed: ${errorMessage(e)}`));
    w.on('messageerror', (e) => die(`ts reader worker message error: ${errorMessage(e)}`));
    w.on('exit', (c) => die(`ts reader worker exited (code ${c})`));
  }

  failAll(why: string): void {
    const ps = [...this.pending.values()];
    this.pending.clear();
    for (const p of ps) p.reject(new Error(why));
  }

  call<T>(id: number, req: JobRequest, transfer: ArrayBuffer[]): Promise<T> {
    if (this.dead) return Promise.reject(new Error('ts reader worker is gone'));
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        this.worker.postMessage(req, transfer);
      } catch (e) {
        this.pending.delete(id);
        if (this.pending.size === 0) this.worker.unref();
        reject(e as Error);
      }
    });
  }
}

/** Contiguous [from, to) slices of n rows over at most `width` workers. */
function slices(n: number, width: number): Array<[number, number]> {
  const k = Math.max(1, Math.min(width, Math.floor(n / MIN_ROWS_PER_WORKER)));
  const out: Array<[number, number]> = [];
  for (let w = 0; w < k; w++) out.push([Math.floor((n * w) / k), Math.floor((n * (w + 1)) / k)]);
  return out;
}

function yieldNow(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------- the scanner

class TsScanner implements Scanner {
  readonly kind = 'ts' as const;
  private readonly root: string;
  private readonly width: number;
  private readonly slots: (Slot | null)[];
  /** false once workers proved unavailable: read on the main thread */
  private useWorkers: boolean;
  private reader: SyncReader | null = null;
  private real: Promise<boolean> | null = null;
  private nextId = 1;
  /** workers in a row that died before answering anything */
  private failedStarts = 0;
  /** column sets that came whole from worker 0: their buffers may go back to it (release) */
  private readonly fromWorker = new WeakSet<object>();

  constructor(opts: TsScannerOptions) {
    this.root = opts.procfs;
    const w = opts.workers ?? DEFAULT_WORKERS;
    this.width = Math.max(1, Math.floor(w));
    this.useWorkers = w >= 1 && fs.existsSync(WORKER_FILE);
    this.slots = new Array(this.width).fill(null);
  }

  bootTime(): Promise<number> {
    return readBootTime(this.root);
  }

  private isRealProcfs(): Promise<boolean> {
    if (!this.real) {
      this.real = fs.promises.statfs(this.root).then(
        (s) => s.type === PROC_SUPER_MAGIC,
        () => false,
      );
    }
    return this.real;
  }

  /** Worker w (created on first use, or again after a crash); null when workers cannot run here. */
  private slot(w: number): Slot | null {
    if (!this.useWorkers) return null;
    let s = this.slots[w];
    if (s && !s.dead) return s;
    try {
      s = new Slot((dead) => {
        if (this.slots[w] === dead) this.slots[w] = null;
        // A worker that cannot even start (three times in a row) will not: read on the main thread.
        this.failedStarts = dead.replied ? 0 : this.failedStarts + 1;
        if (this.failedStarts >= 3) this.useWorkers = false;
      });
    } catch {
      this.useWorkers = false;
      return null;
    }
    this.slots[w] = s;
    return s;
  }

  private call<T>(w: number, req: JobRequest, transfer: ArrayBuffer[] = []): Promise<T> {
    const s = this.slot(w);
    if (!s) return Promise.reject(new Error('ts reader workers are unavailable'));
    return s.call<T>(req.id, req, transfer);
  }

  private id(): number {
    return this.nextId++;
  }

  private syncReader(): SyncReader {
    return (this.reader ??= new SyncReader());
  }

  async listProcs(): Promise<StatColumns> {
    if (!this.slot(0)) return this.listProcsHere();
    if (this.width === 1) {
      // one round trip: the worker lists and reads the stats
      const cols = await this.listing<StatColumns>({ id: this.id(), op: 'liststat', root: this.root });
      this.fromWorker.add(cols);
      return cols;
    }
    return this.statsInWorkers(await this.listing<Int32Array>({ id: this.id(), op: 'list', root: this.root }));
  }

  /** A listing by worker 0; its failure to list the root is a ProcfsListError worded like Go. */
  private async listing<T>(req: JobRequest): Promise<T> {
    try {
      return await this.call<T>(0, req);
    } catch (e) {
      if (e instanceof WorkerJobError) throw new ProcfsListError(`open ${this.root}: ${goErrText(e)}`);
      throw e;
    }
  }

  /**
   * The caller is done with columns this scanner returned: their buffers go back to the worker, which
   * builds the next cycle's columns in them (they read as empty from now on). Columns not made whole by
   * worker 0 are left to the garbage collector.
   */
  release(cols: StatColumns | DetailColumns): void {
    if (!this.fromWorker.has(cols)) return;
    this.fromWorker.delete(cols);
    const s = this.slots[0];
    if (!s || s.dead) return;
    const buffers = transferables(cols, true);
    try {
      s.worker.postMessage({ op: 'recycle', buffers } satisfies WorkerRequest, buffers);
    } catch {
      // a worker that cannot take them any more: the garbage collector frees them
    }
  }

  private async statsInWorkers(pids: Int32Array): Promise<StatColumns> {
    const parts = await Promise.all(
      slices(pids.length, this.width).map(([a, b], w) => {
        const part = pids.slice(a, b);
        return this.call<StatColumns>(w, { id: this.id(), op: 'stat', root: this.root, pids: part }, [part.buffer]);
      }),
    );
    return catStats(parts);
  }

  async readDetails(req: DetailRequest): Promise<DetailColumns> {
    checkKnownThreads(req);
    const real = await this.isRealProcfs();
    const n = req.pids.length;
    const job = (a: number, b: number): DetailJob => ({
      ...knownThreadsOf(req, a, b),
      root: this.root,
      real,
      // copies: the caller's arrays stay attached
      pids: req.pids.slice(a, b),
      wantThreads: req.wantThreads.slice(a, b),
      wantStatic: req.wantStatic.slice(a, b),
      gatherSmaps: req.gatherSmaps,
      readSmaps: req.readSmaps?.slice(a, b),
      sched: req.sched?.slice(a, b),
      schedPrev: req.schedPrev?.slice(2 * a, 2 * b),
      threadIo: req.threadIo,
    });
    if (n === 0 || !this.slot(0)) return this.readDetailsHere(n, job);
    // Details always read off the main thread: a process stuck in the kernel (a dead NFS mount) blocks a
    // read of its cmdline or smaps, and on the main thread that would stop the server and the signals
    // with it.
    const parts = await Promise.all(
      slices(n, this.width).map(([a, b], w) => {
        const j = job(a, b);
        return this.call<DetailColumns>(w, { id: this.id(), op: 'details', job: j }, [
          j.pids.buffer as ArrayBuffer,
          j.wantThreads.buffer as ArrayBuffer,
          j.wantStatic.buffer as ArrayBuffer,
          ...(j.readSmaps ? [j.readSmaps.buffer as ArrayBuffer] : []),
          ...(j.sched ? [j.sched.buffer as ArrayBuffer] : []),
          ...(j.schedPrev ? [j.schedPrev.buffer as ArrayBuffer] : []),
          ...(j.threadHold ? [j.threadHold.buffer, j.knownStart!.buffer, j.knownTid!.buffer, j.knownSched!.buffer, j.knownState!.buffer] as ArrayBuffer[] : []),
        ].filter((b) => b.byteLength > 0));
      }),
    );
    const det = catDetails(parts);
    if (parts.length === 1) this.fromWorker.add(det);
    return det;
  }

  // ------------------------------------------------ without workers: main thread, yielding chunks

  private async listProcsHere(): Promise<StatColumns> {
    let names: string[];
    try {
      // one getdents batch after another: quick, and tolerant of processes that exit meanwhile
      names = listProcfsRootSync(this.root);
    } catch (e) {
      throw new ProcfsListError(`open ${this.root}: ${goErrText(e)}`);
    }
    const pids = pidsOf(names);
    const r = this.syncReader();
    const parts: StatColumns[] = [];
    for (let a = 0; a === 0 || a < pids.length; a += CHUNK_ROWS) {
      if (a > 0) await yieldNow();
      parts.push(readStats(r, this.root, pids.subarray(a, a + CHUNK_ROWS)));
    }
    return catStats(parts);
  }

  private async readDetailsHere(n: number, job: (a: number, b: number) => DetailJob): Promise<DetailColumns> {
    const r = this.syncReader();
    const parts: DetailColumns[] = [];
    for (let a = 0; a === 0 || a < n; a += CHUNK_ROWS) {
      if (a > 0) await yieldNow();
      parts.push(readDetailsSync(r, job(a, Math.min(n, a + CHUNK_ROWS))));
    }
    return catDetails(parts);
  }

  close(): void {
    for (let w = 0; w < this.slots.length; w++) {
      const s = this.slots[w];
      this.slots[w] = null;
      if (!s) continue;
      s.dead = true;
      s.failAll('ts reader closed');
      s.worker.terminate().catch(() => undefined);
    }
    this.reader = null;
  }
}

/** The same checks of the known-thread arrays as the native scanner's (native/addon.cc), with its messages. */
function checkKnownThreads(req: DetailRequest): void {
  if (req.threadHold === undefined) return;
  const bad = (msg: string): never => {
    throw Object.assign(new Error(`readDetails: ${msg}`), { code: 'ERR_INVALID_ARG' });
  };
  if (!(req.threadHold instanceof Uint8Array)) bad('threadHold must be a Uint8Array');
  const { knownStart: ks, knownTid: kt, knownSched: kc, knownState: ke } = req;
  if (!(ks instanceof Uint32Array && kt instanceof Int32Array && kc instanceof Float64Array && ke instanceof Uint8Array))
    bad('threadHold needs knownStart (Uint32Array), knownTid (Int32Array), knownSched (Float64Array) and knownState (Uint8Array)');
  let ok = ks!.length === req.pids.length + 1 && kc!.length === 2 * kt!.length && ke!.length === kt!.length;
  for (let k = 0; ok && k + 1 < ks!.length; k++) ok = ks![k] <= ks![k + 1];
  if (ok && ks!.length > 0) ok = ks![ks!.length - 1] <= kt!.length;
  if (!ok) bad('knownStart, knownTid, knownSched and knownState do not fit the request');
}

/** Rows [a, b) of the request's thread hold: its known threads copied out, knownStart counted from 0. */
function knownThreadsOf(req: DetailRequest, a: number, b: number): Partial<DetailRequest> {
  if (req.threadHold === undefined) return {};
  const ks = req.knownStart!;
  const from = ks[a];
  const to = ks[b];
  const knownStart = ks.slice(a, b + 1);
  for (let k = 0; k < knownStart.length; k++) knownStart[k] -= from;
  const threadHold = new Uint8Array(b - a);
  threadHold.set(req.threadHold.subarray(a, Math.min(b, req.threadHold.length)));
  return {
    threadHold,
    knownStart,
    knownTid: req.knownTid!.slice(from, to),
    knownSched: req.knownSched!.slice(2 * from, 2 * to),
    knownState: req.knownState!.slice(from, to),
  };
}

export function createTsScanner(opts: TsScannerOptions): Scanner {
  return new TsScanner(opts);
}
