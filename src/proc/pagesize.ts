// The host's page size, for resident memory (rss pages x page size, docs/behaviour.md#metrics). Node does not expose it.
import { execFileSync } from 'node:child_process';

let cached: number | undefined;

export function pageSize(): number {
  if (cached !== undefined) return cached;
  cached = 4096;
  try {
    const n = Number(execFileSync('getconf', ['PAGESIZE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(n) && n > 0) cached = n;
  } catch {
    // getconf missing: 4096 is the page size of every common Linux platform but arm64 64k kernels
  }
  return cached;
}
