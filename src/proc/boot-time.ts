// `<procfs>/stat`'s btime, read once at start-up by both scanners: the procfs root is checked first, and
// every error is worded like the reference's (docs/behaviour.md#errors), so both fail start-up identically.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { goPathError } from '../go/errno';
import { goQuote } from '../go/quote';
import { parseSystemStat } from './parse/stat';

/** btime in seconds since the epoch (0 when the line is absent); throws with Go's error text. */
export async function readBootTime(procfs: string): Promise<number> {
  let st: fs.Stats;
  try {
    // not fs.promises: node:fs/promises costs half a MiB resident, and start-up needs nothing else from it
    st = await promisify(fs.stat)(procfs);
  } catch (e) {
    throw new Error(`could not read ${goQuote(procfs)}: ${goPathError('stat', procfs, e)}`);
  }
  if (!st.isDirectory()) throw new Error(`mount point ${goQuote(procfs)} is not a directory`);
  return parseSystemStat(await readWhole(path.join(procfs, 'stat'))).btime;
}

function openP(p: string): Promise<number> {
  return new Promise((resolve, reject) => fs.open(p, 'r', (e, fd) => (e ? reject(e) : resolve(fd))));
}

function readP(fd: number, buf: Buffer, off: number, len: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buf, off, len, null, (e, n) => (e ? reject(e) : resolve(n))));
}

function closeP(fd: number): Promise<void> {
  return new Promise((resolve) => fs.close(fd, () => resolve()));
}

/** A whole file without blocking the event loop; errors read as Go's "open <file>: <errno text>". */
async function readWhole(p: string): Promise<Buffer> {
  let fd: number;
  try {
    fd = await openP(p);
  } catch (e) {
    throw new Error(goPathError('open', p, e));
  }
  try {
    let buf = Buffer.allocUnsafe(16 * 1024);
    let off = 0;
    for (;;) {
      if (off === buf.length) {
        const nb = Buffer.allocUnsafe(buf.length * 2);
        buf.copy(nb, 0, 0, off);
        buf = nb;
      }
      let n: number;
      try {
        n = await readP(fd, buf, off, buf.length - off);
      } catch (e) {
        throw new Error(goPathError('read', p, e));
      }
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    await closeP(fd);
  }
}
