// Capture groups of long texts, found on a worker thread so that naming a process with a megabyte-long
// command line never holds the event loop (docs/hardening.md). The main thread asks, goes on, and names
// the process in a later cycle once the answer is in (regex.ts: NamingDeferred).
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';

/** What the main thread asks the worker (capture-thread.ts): one regex's groups in one text. */
export interface CaptureJob {
  id: number;
  source: string;
  text: string;
}

/** The worker's answer: the groups (null: no match), or the error that finding them raised. */
export interface CaptureReply {
  id: number;
  groups?: string[] | null;
  error?: string;
}

const WORKER_FILE = path.join(__dirname, 'capture-thread.js');
/** A worker with nothing to do for this long ends; the next long text starts another. */
const IDLE_EXIT_MS = 30_000;

interface Pending {
  resolve(groups: string[] | null): void;
  reject(err: Error): void;
}

let worker: Worker | null = null;
/** set when a worker could not start or died before answering: groups are then found on the main thread */
let unavailable = false;
let nextId = 1;
const pending = new Map<number, Pending>();
let idleTimer: NodeJS.Timeout | null = null;

/** Whether long texts go to the worker (false once it proved unable to start). */
export function offloadAvailable(): boolean {
  return !unavailable;
}

function failAll(err: Error): void {
  for (const p of pending.values()) p.reject(err);
  pending.clear();
}

function start(): Worker {
  const { Worker: WorkerThread } = require('node:worker_threads') as typeof import('node:worker_threads');
  const w = new WorkerThread(WORKER_FILE, { stdout: false, stderr: false });
  let replied = false;
  w.unref();
  w.on('message', (m: CaptureReply) => {
    replied = true;
    const p = pending.get(m.id);
    if (p === undefined) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.groups ?? null);
    if (pending.size === 0) idle();
  });
  w.on('error', (err: Error) => {
    if (!replied) unavailable = true;
    failAll(err);
  });
  w.on('exit', () => {
    if (worker === w) worker = null;
    failAll(new Error('the capture worker ended'));
  });
  return w;
}

function idle(): void {
  if (idleTimer !== null) clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    idleTimer = null;
    if (pending.size === 0 && worker !== null) {
      const w = worker;
      worker = null;
      void w.terminate();
    }
  }, IDLE_EXIT_MS);
  idleTimer.unref();
}

/** Go FindStringSubmatch of `source` on `text`, on the worker thread. */
export function findSubmatchOffThread(source: string, text: string): Promise<string[] | null> {
  if (idleTimer !== null) {
    clearTimeout(idleTimer);
    idleTimer = null;
  }
  try {
    worker ??= start();
  } catch (e) {
    unavailable = true;
    return Promise.reject(e as Error);
  }
  const id = nextId++;
  const job: CaptureJob = { id, source, text };
  return new Promise((resolve, reject) => {
    pending.set(id, { resolve, reject });
    worker!.postMessage(job);
  });
}
