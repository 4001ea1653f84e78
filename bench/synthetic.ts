// A synthetic procfs tree on tmpfs, for process counts beyond pid_max, read through -procfs. The files
// come from test/fakeproc.ts, so both our readers and the reference accept them.
import { mkdirSync, mkdtempSync, statfsSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { join } from 'node:path';
import { renderProc, systemStatText } from '../test/fakeproc';
import { spawnSync } from 'node:child_process';
import { trackDir, trackMount } from './cleanup';

const TMPFS_MAGIC = 0x01021994;

/** A fresh directory on tmpfs: a tmpfs of its own when we may mount one, else under /dev/shm, else the temp dir. */
export function tmpfsDir(prefix: string): { dir: string; tmpfs: boolean; mounted: boolean } {
  if (process.getuid?.() === 0) {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    trackDir(dir);
    if (spawnSync('mount', ['-t', 'tmpfs', '-o', 'mode=0755', 'npbench', dir], { stdio: 'ignore' }).status === 0) {
      trackMount(dir);
      return { dir, tmpfs: true, mounted: true };
    }
  }
  for (const base of ['/dev/shm', tmpdir()]) {
    try {
      const tmpfs = statfsSync(base).type === TMPFS_MAGIC;
      if (!tmpfs && base === '/dev/shm') continue;
      const dir = mkdtempSync(join(base, prefix));
      trackDir(dir);
      return { dir, tmpfs, mounted: false };
    } catch {
      // not there or not writable: next
    }
  }
  throw new Error('no writable temp dir');
}

export const SYN_PREFIX = 'syn';

export function synName(i: number, names: number): string {
  return `${SYN_PREFIX}${String(i % names).padStart(2, '0')}`;
}

/** Writes processes with pids start+1..end under `names` comm names into an existing root. */
function writeProcs(root: string, start: number, end: number, names: number, progress: (done: number) => void): void {
  for (let i = start; i < end; i++) {
    const pid = i + 1;
    const files = renderProc({
      pid,
      comm: synName(i, names),
      ppid: 1,
      starttime: 1000 + i,
      utime: i % 997,
      stime: i % 101,
      minflt: 1000 + i,
      readBytes: 4096 * (i % 50),
      fdCount: 3,
    });
    const dir = join(root, String(pid));
    mkdirSync(dir);
    // renderProc lists every directory before its contents
    for (const [rel, e] of files) {
      const abs = join(dir, rel);
      if (e.kind === 'dir') mkdirSync(abs);
      else if (e.kind === 'file') writeFileSync(abs, e.data);
      else symlinkSync(e.target, abs);
    }
    if ((i & 1023) === 1023) progress(1024);
  }
}

/** Writes n processes (pids 1..n) under `names` comm names, on every core (file creation is kernel time). */
export async function buildSyntheticTree(root: string, n: number, names: number, progress: (done: number) => void): Promise<void> {
  writeFileSync(join(root, 'stat'), systemStatText(1_700_000_000));
  const workers = Math.max(1, Math.min(availableParallelism(), 4, Math.ceil(n / 2000)));
  let done = 0;
  const chunk = Math.ceil(n / workers);
  await Promise.all(
    Array.from({ length: workers }, (_, w) => {
      return new Promise<void>((resolve, reject) => {
        const worker = new Worker(__filename, { workerData: { root, start: w * chunk, end: Math.min(n, (w + 1) * chunk), names } });
        worker.on('message', (k: number) => progress((done += k)));
        worker.once('error', reject);
        worker.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`synthetic tree worker exited with ${code}`))));
      });
    }),
  );
}

if (!isMainThread && workerData?.root !== undefined) {
  const { root, start, end, names } = workerData as { root: string; start: number; end: number; names: number };
  writeProcs(root, start, end, names, (k) => parentPort!.postMessage(k));
}
