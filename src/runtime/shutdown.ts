// Ending the process at shutdown, also when a /proc read is stuck in the kernel (a process blocked on a
// dead NFS mount makes reading its cmdline block; so does a FIFO in a test tree). Node's process.exit()
// joins the libuv thread pool, where the native scanner reads, and every worker thread, where the
// TypeScript reader reads: with one read stuck it never returns. So when a cycle is still running after
// the grace period, the process ends without joining: through the native addon's _exit() with the same
// exit code (passed in as `exitNow`), or, when no addon can be loaded, by dying of the signal that asked it
// to stop.

/** How long a running cycle may take to finish once the server is closed, before it counts as stuck. */
export const CYCLE_GRACE_MS = 2_000;

/** Resolves when `running` settles or after ms, whichever comes first; true when it settled. */
export async function settleWithin(running: Promise<unknown> | null, ms: number): Promise<boolean> {
  if (running === null) return true;
  let timer: NodeJS.Timeout | undefined;
  const settled = await Promise.race([
    running.then(
      () => true,
      () => true,
    ),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]);
  clearTimeout(timer);
  return settled;
}

/**
 * Exit with `code`; `stuck`: a read may be blocked in the kernel, so no thread may be joined. `exitNow`
 * ends the process without joining any thread (the native addon's); it returns when there is no addon.
 */
export function endProcess(code: number, stuck: boolean, signal?: NodeJS.Signals, exitNow?: (code: number) => void): void {
  if (!stuck) {
    process.exit(code);
  }
  exitNow?.(code);
  if (signal) {
    // no handler left: the default action ends the process at once
    process.removeAllListeners(signal);
    process.kill(process.pid, signal);
    return;
  }
  process.kill(process.pid, 'SIGKILL');
}
