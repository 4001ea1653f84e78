// Per-process rows of one group (pid, user, command line, CPU, resident memory), shown on the page only
// with -web.page-expose-cmdlines. The tracker says which processes belong to the group; their command line,
// owner and resident size are read here, on request, for at most MAX_PROCESS_ROWS of them.
import { join } from 'node:path';
import { readBoundedFile } from '../config/bounded-read';
import { parseCmdline } from '../proc/parse/cmdline';
import { parseStatus } from '../proc/parse/status';
import type { TrackedProcessView } from '../track/tracker';

const MAX_PROCESS_ROWS = 200;
/**
 * What a row shows of a command line: its first 4 KiB, then CMDLINE_CUT_MARKER. Only that much is read,
 * so 200 rows of megabyte-long command lines make a response of about 1 MB, not 200 MB.
 */
export const CMDLINE_SHOWN_BYTES = 4096;
export const CMDLINE_CUT_MARKER = ' …[cut: longer than 4 KiB]';
/** status and statm are small; a read that hangs (a process stuck on a dead mount) costs its row only */
const STATUS_MAX_BYTES = 64 * 1024;
const READ_TIMEOUT_MS = 2000;

export interface ProcessRow {
  pid: number;
  user: string;
  cmdline: string;
  comm: string;
  /** percent of one core between the last two cycles this group was asked about (null until there are two) */
  cpuPercent: number | null;
  residentBytes: number;
  /** Unix seconds */
  startTime: number;
}

export interface ProcessRowsDeps {
  procfs: string;
  pageSize: number;
  username(uid: number): string;
}

export class ProcessRows {
  /** CPU seconds of each process at the last two distinct cycles seen, for the last group asked about */
  private group = '';
  private cur: { at: number; cpu: Map<string, number> } | null = null;
  private prev: { at: number; cpu: Map<string, number> } | null = null;

  constructor(private readonly deps: ProcessRowsDeps) {}

  async rows(group: string, members: Iterable<TrackedProcessView>, cycleEndedAtMs: number): Promise<{ rows: ProcessRow[]; total: number }> {
    const all = [...members].sort((a, b) => b.cpuSeconds - a.cpuSeconds);
    if (group !== this.group) {
      this.group = group;
      this.cur = this.prev = null;
    }
    if (this.cur === null || cycleEndedAtMs > this.cur.at) {
      // a new cycle: the last one becomes the base of the CPU figures; the same cycle asked again keeps it
      const cpu = new Map<string, number>();
      for (const m of all) cpu.set(`${m.pid}:${m.startTimeMs}`, m.cpuSeconds);
      this.prev = this.cur;
      this.cur = { at: cycleEndedAtMs, cpu };
    }
    const base = this.prev;
    const read = await Promise.all(all.slice(0, MAX_PROCESS_ROWS).map((m) => this.readOne(m, base, cycleEndedAtMs)));
    return { rows: read.filter((r): r is ProcessRow => r !== null), total: all.length };
  }

  private async readOne(m: TrackedProcessView, prev: { at: number; cpu: Map<string, number> } | null, atMs: number): Promise<ProcessRow | null> {
    const dir = join(this.deps.procfs, String(m.pid));
    try {
      const read = (file: string, maxBytes: number) => readBoundedFile(join(dir, file), { maxBytes, prefix: true, timeoutMs: READ_TIMEOUT_MS });
      const [cmdline, status, statm] = await Promise.all([
        read('cmdline', CMDLINE_SHOWN_BYTES),
        read('status', STATUS_MAX_BYTES),
        read('statm', 4096).then((b) => b.toString('latin1'), () => ''),
      ]);
      const cut = cmdline.length > CMDLINE_SHOWN_BYTES;
      const before = prev?.cpu.get(`${m.pid}:${m.startTimeMs}`);
      const spanS = prev === null ? 0 : (atMs - prev.at) / 1000;
      return {
        pid: m.pid,
        user: this.deps.username(parseStatus(status).uid),
        cmdline: parseCmdline(cut ? cmdline.subarray(0, CMDLINE_SHOWN_BYTES) : cmdline).join(' ') + (cut ? CMDLINE_CUT_MARKER : ''),
        comm: m.comm,
        cpuPercent: before === undefined || spanS <= 0 ? null : (Math.max(0, m.cpuSeconds - before) / spanS) * 100,
        residentBytes: (Number(statm.split(' ')[1]) || 0) * this.deps.pageSize,
        startTime: Math.floor(m.startTimeMs / 1000),
      };
    } catch {
      return null; // gone since the cycle, or unreadable: not worth a row
    }
  }
}
