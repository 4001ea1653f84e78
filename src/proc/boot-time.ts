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

/** A whole file without blocking the event loop; errors read as Go's "open <file>: <errno text>" (or "read"). */
async function readWhole(p: string): Promise<Buffer> {
  try {
    return await promisify(fs.readFile)(p);
  } catch (e) {
    throw new Error(goPathError((e as NodeJS.ErrnoException).syscall === 'read' ? 'read' : 'open', p, e));
  }
}
