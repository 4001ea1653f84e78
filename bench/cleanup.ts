// Everything the bench starts or changes is registered here and undone on every way out: normal end,
// Ctrl-C, SIGTERM, an exception. Children run in their own process group (spawn detached), so one
// kill(-pgid) takes a child down with everything it forked.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const groups = new Map<number, string>();
const dirs = new Set<string>();
const sysctls = new Map<string, string>();
const mounts = new Set<string>();
const started: Array<{ pid: number; what: string }> = [];
let installed = false;
let done = false;

/** A detached child (its pid is its process group id) to kill with its whole group at the end. */
export function trackGroup(child: ChildProcess, what: string): void {
  if (child.pid === undefined) return;
  const pid = child.pid;
  groups.set(pid, what);
  started.push({ pid, what });
  // once the leader is reaped its pid may be reused: never signal that group again (the spawner's
  // children die with it through PR_SET_PDEATHSIG)
  child.once('exit', () => groups.delete(pid));
}

/** Every child process the bench started, for the report (the test checks they are all gone). */
export function startedPids(): Array<{ pid: number; what: string }> {
  return [...started];
}

export function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // ESRCH: already gone
  }
}

// groups with a member that still runs (zombies do not count: nothing runs any more)
function liveGroups(pgids: number[]): number[] {
  const alive = pgids.filter((g) => {
    try {
      process.kill(-g, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (alive.length === 0) return alive;
  const running = new Set<number>();
  for (const d of readdirSync('/proc')) {
    if (d.charCodeAt(0) > 57) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, 'latin1').split(') ')[1]?.split(' ');
      if (f !== undefined && f[0] !== 'Z') running.add(Number(f[2]));
    } catch {
      // gone
    }
  }
  return alive.filter((g) => running.has(g));
}

export function trackDir(dir: string): void {
  dirs.add(dir);
}

export function removeDir(dir: string): void {
  // rm -rf is much faster than fs.rmSync on a tree of a million files
  if (existsSync(dir)) spawnSync('rm', ['-rf', '--one-file-system', dir], { stdio: 'ignore' });
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** A tmpfs the bench mounted: unmounting it frees a million files at once. */
export function trackMount(dir: string): void {
  mounts.add(dir);
}

export function unmount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'ignore' });
  mounts.delete(dir);
  try {
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // still mounted (busy): the lazy unmount below gets it
    spawnSync('umount', ['-l', dir], { stdio: 'ignore' });
  }
}

/** Remembers a sysctl's old value before the bench changes it, to write it back at the end. */
export function trackSysctl(file: string, oldValue: string): void {
  if (!sysctls.has(file)) sysctls.set(file, oldValue);
}

/** Kills every group, removes every temp dir, restores every sysctl. Safe to call more than once. */
export function cleanupAll(): void {
  const killed = [...groups.keys()];
  for (const pgid of killed) killGroup(pgid);
  groups.clear();
  // SIGKILL is asynchronous: wait (bounded) until the groups are empty, so that mounts are free and the
  // caller sees nothing left running
  const deadline = Date.now() + 5000;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (liveGroups(killed).length > 0 && Date.now() < deadline) Atomics.wait(sleeper, 0, 0, 20);
  for (const dir of [...mounts]) unmount(dir);
  for (const dir of [...dirs]) {
    try {
      removeDir(dir);
    } catch {
      // best effort: a leftover temp dir must not hide the real error
    }
  }
  for (const [file, value] of sysctls) {
    try {
      writeFileSync(file, value);
    } catch {
      process.stderr.write(`bench: could not restore ${file} to ${value.trim()}\n`);
    }
  }
  sysctls.clear();
}

export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => cleanupAll());
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(sig, () => {
      if (done) return;
      done = true;
      process.stderr.write(`\nbench: ${sig}, stopping every process it started\n`);
      cleanupAll();
      process.exit(130);
    });
  }
  process.on('uncaughtException', (e) => {
    process.stderr.write(`bench: ${e.stack ?? e}\n`);
    cleanupAll();
    process.exit(1);
  });
  process.on('unhandledRejection', (e) => {
    process.stderr.write(`bench: unhandled rejection: ${(e as Error)?.stack ?? e}\n`);
    cleanupAll();
    process.exit(1);
  });
}
