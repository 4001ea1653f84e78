// The processes of one row of the page (a group, a unit or a container): pid, comm, user, group, unit,
// container, CPU, memory and I/O, all from the tracker's last cycle and the page's per-process rates, for
// at most MAX_PROCESS_ROWS of them, busiest first. Command lines are read only with
// -web.page-expose-cmdlines: they can carry secrets.
import { join } from 'node:path';
import { readBoundedFile } from '../config/bounded-read';
import { parseCmdline } from '../proc/parse/cmdline';
import type { TrackedProcessView } from '../track/tracker';
import { MAX_PROCESS_ROWS, type ProcessJson } from './api';

export type { TrackedProcessView } from '../track/tracker';
import type { ProcessRate } from './rates';

export interface ProcessRowsDeps {
  procfs: string;
  /** read and show command lines (-web.page-expose-cmdlines) */
  cmdlines: boolean;
  username(uid: number): string;
}

const orNull = (v: number | undefined): number | null => (v === undefined || Number.isNaN(v) ? null : v);

/**
 * What a row shows of a command line: its first 4 KiB, then CMDLINE_CUT_MARKER. Only that much is read,
 * so 200 rows of megabyte-long command lines make a response of about 1 MB, not 200 MB.
 */
export const CMDLINE_SHOWN_BYTES = 4096;
export const CMDLINE_CUT_MARKER = ' …[cut: longer than 4 KiB]';
/** a read that hangs (a process stuck on a dead mount) costs its row's command line only */
const READ_TIMEOUT_MS = 2000;

/** A process's command line, cut to CMDLINE_SHOWN_BYTES, or null when it cannot be read (gone, or not ours to read). */
async function readCmdline(procfs: string, pid: number): Promise<string | null> {
  try {
    const cmdline = await readBoundedFile(join(procfs, String(pid), 'cmdline'), { maxBytes: CMDLINE_SHOWN_BYTES, prefix: true, timeoutMs: READ_TIMEOUT_MS });
    const cut = cmdline.length > CMDLINE_SHOWN_BYTES;
    return parseCmdline(cut ? cmdline.subarray(0, CMDLINE_SHOWN_BYTES) : cmdline).join(' ') + (cut ? CMDLINE_CUT_MARKER : '');
  } catch {
    return null;
  }
}

export class ProcessRows {
  constructor(private readonly deps: ProcessRowsDeps) {}

  /** Rows for these processes (with their rates, in the same order): the busiest MAX_PROCESS_ROWS. */
  async rows(procs: readonly TrackedProcessView[], rates: readonly ProcessRate[]): Promise<{ rows: ProcessJson[]; total: number }> {
    const cpu = (i: number) => (rates[i].cpuUserPercent ?? -1) + (rates[i].cpuSystemPercent ?? 0);
    const order = procs.map((_, i) => i).sort((a, b) => cpu(b) - cpu(a) || (procs[b].residentBytes ?? 0) - (procs[a].residentBytes ?? 0) || procs[b].cpuSeconds - procs[a].cpuSeconds);
    const picked = order.slice(0, MAX_PROCESS_ROWS);
    const rows = await Promise.all(
      picked.map(async (i): Promise<ProcessJson> => {
        const p = procs[i];
        const r = rates[i];
        const uid = p.uid;
        const row: ProcessJson = {
          pid: p.pid,
          comm: p.comm,
          user: uid === undefined || Number.isNaN(uid) ? '' : this.deps.username(uid),
          group: p.group,
          service: p.cgroup.systemdUnit,
          containerId: p.cgroup.containerId,
          podUid: p.cgroup.podUid,
          cpuPercent: r.cpuUserPercent === null ? null : r.cpuUserPercent + (r.cpuSystemPercent ?? 0),
          residentBytes: p.residentBytes ?? 0,
          proportionalResidentBytes: orNull(p.proportionalResidentBytes),
          readBytesPerSecond: r.readBytesPerSecond,
          writeBytesPerSecond: r.writeBytesPerSecond,
          startTime: Math.floor(p.startTimeMs / 1000),
        };
        if (this.deps.cmdlines) row.cmdline = (await readCmdline(this.deps.procfs, p.pid)) ?? '';
        return row;
      }),
    );
    return { rows, total: procs.length };
  }
}
