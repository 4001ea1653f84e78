// The host's page size, for resident memory (rss pages x page size, docs/behaviour.md#metrics). Node does
// not expose it. The kernel hands it to every process in the auxiliary vector (AT_PAGESZ), readable at
// /proc/self/auxv; `getconf PAGESIZE` (a child process) is asked only when that file cannot be read.
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

const AT_NULL = 0;
const AT_PAGESZ = 6;

let cached: number | undefined;

/** AT_PAGESZ from an auxiliary vector (pairs of native-endian words), or undefined. */
export function pageSizeFromAuxv(auxv: Buffer, wordBytes: 4 | 8, little: boolean): number | undefined {
  const word = (off: number): number => {
    if (wordBytes === 4) return little ? auxv.readUInt32LE(off) : auxv.readUInt32BE(off);
    return Number(little ? auxv.readBigUInt64LE(off) : auxv.readBigUInt64BE(off));
  };
  for (let off = 0; off + 2 * wordBytes <= auxv.length; off += 2 * wordBytes) {
    const key = word(off);
    if (key === AT_NULL) break;
    if (key === AT_PAGESZ) {
      const n = word(off + wordBytes);
      return Number.isInteger(n) && n > 0 ? n : undefined;
    }
  }
  return undefined;
}

function fromGetconf(): number | undefined {
  try {
    const { execFileSync } = require('node:child_process') as typeof import('node:child_process');
    const n = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

export function pageSize(): number {
  if (cached !== undefined) return cached;
  let n: number | undefined;
  try {
    const wordBytes = process.arch === 'arm' || process.arch === 'ia32' ? 4 : 8;
    n = pageSizeFromAuxv(readFileSync('/proc/self/auxv'), wordBytes, endianness() === 'LE');
  } catch {
    // no /proc/self/auxv (a sandbox without /proc): ask getconf
  }
  // neither: 4096 is the page size of every common Linux platform but arm64 64k kernels
  cached = n ?? fromGetconf() ?? 4096;
  return cached;
}
