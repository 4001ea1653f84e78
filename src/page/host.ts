// The host's totals for the page's header: CPU busy since the previous reading (at least a second
// before), memory used of total. Read when the page asks, from <procfs>/stat and <procfs>/meminfo.
import { readFile } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { busyFraction, parseHostCpu, parseHostMemory, type HostCpuTimes } from '../proc/parse/host';
import { MIN_RATE_SPAN_MS } from '../history/store';
import { errorMessage } from '../base/errors';

export interface HostTotals {
  /** share of all CPUs busy, 0..100; null until two readings a second apart exist */
  cpuBusyPercent: number | null;
  cores: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
}

export class HostReader {
  private base: { at: number; cpu: HostCpuTimes } | null = null;
  private busy: number | null = null;
  private reported = false;

  constructor(private readonly procfs: string, private readonly onError: (msg: string) => void, private readonly now: () => number = Date.now) {}

  /** The totals now, or null when a file cannot be read or parsed (logged once). */
  async read(): Promise<HostTotals | null> {
    try {
      // the callback API: this first reading runs at start-up, and node:fs/promises costs half a MiB resident
      const read = promisify(readFile);
      const [statText, memText] = await Promise.all([read(join(this.procfs, 'stat'), 'utf8'), read(join(this.procfs, 'meminfo'), 'utf8')]);
      const cpu = parseHostCpu(statText);
      const mem = parseHostMemory(memText);
      const at = this.now();
      if (this.base === null) this.base = { at, cpu };
      else if (at - this.base.at >= MIN_RATE_SPAN_MS) {
        this.busy = busyFraction(this.base.cpu, cpu) ?? this.busy;
        this.base = { at, cpu };
      }
      this.reported = false;
      return { cpuBusyPercent: this.busy === null ? null : this.busy * 100, cores: cpu.cores, memoryUsedBytes: mem.usedBytes, memoryTotalBytes: mem.totalBytes };
    } catch (e) {
      if (!this.reported) this.onError(`host totals unavailable: ${errorMessage(e)}`);
      this.reported = true;
      return null;
    }
  }
}
