// A worker thread of the TypeScript /proc scanner (ts-reader.ts): it reads with synchronous fs calls
// into one reusable buffer (ts-reader-core.ts), so the main thread's event loop is never blocked and no
// read goes through the libuv thread pool, and posts its slice of the columns back with the typed
// arrays' buffers transferred, not copied. The buffers of a cycle's columns come back once the main
// thread is done with them ('recycle') and the next cycle's columns are built in them.
import { parentPort } from 'node:worker_threads';
import { heapStepWithExposedGc } from '../runtime/heap-step';
import { errorMessage } from '../base/errors';
import { BufferPool, transferables } from './column-set';
import { listProcfsRootSync, pidsOf, readDetailsSync, readStats, SyncReader } from './ts-reader-core';
import type { WorkerReply, WorkerRequest } from './ts-reader';

const port = parentPort;
if (!port) throw new Error('ts-reader-worker.js must run as a worker thread');

// Launched with --expose-gc (bin/namedprocess-exporter), the worker's heap is collected on the same step as
// the main thread's, after the job that grew it is answered (docs/performance.md#the-heap-step).
const heap = heapStepWithExposedGc();

const pool = new BufferPool();
const reader = new SyncReader(pool);

function errInfo(e: unknown): { message: string; code?: string; name: string } {
  const err = e as NodeJS.ErrnoException;
  return {
    message: errorMessage(e),
    code: typeof err?.code === 'string' ? err.code : undefined,
    name: err instanceof Error ? err.constructor.name : 'Error',
  };
}

/** a job ran since the last buffers came back: spares left over from before it are dropped at the next */
let jobsRan = false;

port.on('message', (m: WorkerRequest) => {
  if (m.op === 'recycle') {
    // a cycle's buffers (in one or more messages): the next cycle's columns are built in them; what the
    // cycles before left unused is dropped
    if (jobsRan) pool.clear();
    jobsRan = false;
    pool.give(m.buffers);
    return;
  }
  jobsRan = true;
  let reply: WorkerReply;
  try {
    switch (m.op) {
      case 'liststat':
        reply = { id: m.id, ok: true, value: readStats(reader, m.root, pidsOf(listProcfsRootSync(m.root))) };
        break;
      case 'list':
        reply = { id: m.id, ok: true, value: pidsOf(listProcfsRootSync(m.root)) };
        break;
      case 'stat':
        reply = { id: m.id, ok: true, value: readStats(reader, m.root, m.pids) };
        break;
      case 'details':
        reply = { id: m.id, ok: true, value: readDetailsSync(reader, m.job) };
        break;
      default:
        throw new Error(`ts-reader worker: unknown op ${JSON.stringify((m as { op: unknown }).op)}`);
    }
  } catch (e) {
    port.postMessage({ id: m.id, ok: false, error: errInfo(e) } satisfies WorkerReply);
    return;
  }
  port.postMessage(reply, transferables(reply.ok ? reply.value : null));
  heap?.collectIfGrown();
});
