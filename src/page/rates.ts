// Per-process rates for the page (CPU, read and write bytes per second), from the tracker's readings at
// the cycles the page asks about: each process's last two readings at least MIN_RATE_SPAN_MS apart.
// Kept only for the processes asked about in the last minute, so it costs nothing while no page looks.
import { MIN_RATE_SPAN_MS } from '../history/store';
import type { TrackedProcessView } from '../track/tracker';

/** A process not asked about for this long is forgotten. */
const FORGET_MS = 60_000;

/** A process's last two readings (b: the base, c: the current one), flat so 10,000 of them stay cheap. */
interface Entry {
  start: number;
  bAt: number;
  bUser: number;
  bSystem: number;
  bRead: number;
  bWrite: number;
  cAt: number;
  cUser: number;
  cSystem: number;
  cRead: number;
  cWrite: number;
}

export interface ProcessRate {
  /** percent of one core; null until two readings */
  cpuUserPercent: number | null;
  cpuSystemPercent: number | null;
  /** bytes per second; null until two readings, or when its io cannot be read */
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
}

const NO_RATE: ProcessRate = Object.freeze({ cpuUserPercent: null, cpuSystemPercent: null, readBytesPerSecond: null, writeBytesPerSecond: null });

const perSecond = (cur: number, prev: number, dtMs: number): number | null =>
  Number.isNaN(cur) || Number.isNaN(prev) ? null : cur > prev ? ((cur - prev) * 1000) / dtMs : 0;

export class ProcessRates {
  /** by pid; an entry whose start time differs is a reused pid and starts over */
  private readonly last = new Map<number, Entry>();
  private sweptAt = 0;

  /** The rates of these processes at the cycle that ended at atMs (the same cycle asked again gives the same). */
  of(procs: readonly TrackedProcessView[], atMs: number): ProcessRate[] {
    const out: ProcessRate[] = new Array(procs.length);
    for (let i = 0; i < procs.length; i++) {
      const p = procs[i];
      const user = p.cpuUserSeconds ?? p.cpuSeconds;
      const system = p.cpuSystemSeconds ?? 0;
      const read = p.readBytes ?? NaN;
      const write = p.writeBytes ?? NaN;
      let e = this.last.get(p.pid);
      if (e === undefined || e.start !== p.startTimeMs) {
        e = { start: p.startTimeMs, bAt: atMs, bUser: user, bSystem: system, bRead: read, bWrite: write, cAt: atMs, cUser: user, cSystem: system, cRead: read, cWrite: write };
        this.last.set(p.pid, e);
      } else if (atMs > e.cAt) {
        // a new cycle: the last reading becomes the base once it is far enough from the one before it
        if (e.bAt === e.cAt || e.cAt - e.bAt >= MIN_RATE_SPAN_MS) {
          e.bAt = e.cAt;
          e.bUser = e.cUser;
          e.bSystem = e.cSystem;
          e.bRead = e.cRead;
          e.bWrite = e.cWrite;
        }
        e.cAt = atMs;
        e.cUser = user;
        e.cSystem = system;
        e.cRead = read;
        e.cWrite = write;
      }
      const dt = e.cAt - e.bAt;
      if (dt <= 0) {
        out[i] = NO_RATE;
        continue;
      }
      out[i] = {
        cpuUserPercent: (Math.max(0, e.cUser - e.bUser) * 100_000) / dt,
        cpuSystemPercent: (Math.max(0, e.cSystem - e.bSystem) * 100_000) / dt,
        readBytesPerSecond: perSecond(e.cRead, e.bRead, dt),
        writeBytesPerSecond: perSecond(e.cWrite, e.bWrite, dt),
      };
    }
    if (atMs - this.sweptAt >= FORGET_MS / 4) {
      this.sweptAt = atMs;
      for (const [k, e] of this.last) if (atMs - e.cAt > FORGET_MS) this.last.delete(k);
    }
    return out;
  }
}
