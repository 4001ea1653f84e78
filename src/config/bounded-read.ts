// Reading a file the exporter does not own (a password_file, a credentials_file, TLS material, a /proc
// file read on request): bounded in size and in time, and never blocking on a FIFO.
//
// A FIFO nobody writes is opened without blocking and refused as not a regular file. A file on a dead
// mount can still block open() or read() in the kernel: the caller stops waiting after timeoutMs, the
// read keeps its thread-pool thread until the kernel lets go, and stuckReads() says so, so that shutdown
// ends the process without joining that thread (src/runtime/shutdown.ts).
import { constants, promises as fsp } from 'node:fs';

/** Reads that timed out and have not returned yet. */
let stuck = 0;

/** How many reads timed out and are still blocked in the kernel. */
export function stuckReads(): number {
  return stuck;
}

export class BoundedReadError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

export interface BoundedReadOptions {
  maxBytes: number;
  /** a longer file is not an error: its first maxBytes + 1 bytes are returned (more than maxBytes: it goes on) */
  prefix?: boolean;
  timeoutMs: number;
  /** stops waiting at once (shutdown) */
  signal?: AbortSignal;
}

async function readRegular(path: string, maxBytes: number, prefix: boolean): Promise<Buffer> {
  const fh = await fsp.open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new BoundedReadError('not a regular file', 'ENOTREG');
    const buf = Buffer.allocUnsafe(maxBytes + 1);
    let n = 0;
    while (n < buf.length) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
    }
    if (n > maxBytes && !prefix) throw new BoundedReadError(`larger than ${maxBytes} bytes`, 'EFBIG');
    return Buffer.from(buf.subarray(0, n));
  } finally {
    await fh.close().catch(() => {});
  }
}

/**
 * The contents of a regular file of at most maxBytes, within timeoutMs. Rejects with the fs error
 * (code ENOENT, EACCES, ...) or a BoundedReadError: ENOTREG (a FIFO, a device, a directory), EFBIG,
 * ETIMEDOUT, or EABORTED when the signal fired.
 */
export function readBoundedFile(path: string, opts: BoundedReadOptions): Promise<Buffer> {
  const read = readRegular(path, opts.maxBytes, opts.prefix === true);
  return new Promise<Buffer>((resolve, reject) => {
    let waiting = true;
    const finish = () => {
      waiting = false;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const giveUp = (err: BoundedReadError) => {
      if (!waiting) return;
      finish();
      stuck++;
      read.then(
        () => stuck--,
        () => stuck--,
      );
      reject(err);
    };
    const onAbort = () => giveUp(new BoundedReadError('read abandoned at shutdown', 'EABORTED'));
    const timer = setTimeout(() => giveUp(new BoundedReadError(`no answer within ${opts.timeoutMs} ms`, 'ETIMEDOUT')), opts.timeoutMs);
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    read.then(
      (buf) => {
        if (!waiting) return;
        finish();
        resolve(buf);
      },
      (err: unknown) => {
        if (!waiting) return;
        finish();
        reject(err);
      },
    );
  });
}
