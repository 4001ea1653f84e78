// Per-process rates for the page (CPU, read and write bytes per second), from the tracker's readings at
// the cycles the page asks about: each process's last two readings at least MIN_RATE_SPAN_MS apart.
// Kept only for the processes asked about in the last minute, so it costs nothing while no page looks.
import { MIN_RATE_SPAN_MS } from '../history/store';
import type { TrackedProcessView } from '../track/tracker';

/** A process not asked about for this long is forgotten. */
const FORGET_MS = 60_000;

interface Reading {
  at: number;
  user: number;
  system: number;
  read: number;
  write: number;
}

export interface ProcessRate {
  /** percent of one core; null until two readings */
  cpuUserPercent: number | null;
  cpuSystemPercent: number | null;
  /** bytes per second; null until two readings, or when its io cannot be read */
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
}

const perSecond = (cur: number, prev: number, dtMs: number): number | null =>
  Number.isNaN(cur) || Number.isNaN(prev) ? null : cur > prev ? ((cur - prev) * 1000) / dtMs : 0;

export class ProcessRates {
  private readonly last = new Map<string, { base: Reading; cur: Reading }>();
  private sweptAt = 0;

  /** The rates of these processes at the cycle that ended at atMs (the same cycle asked again gives the same). */
  of(procs: readonly TrackedProcessView[], atMs: number): ProcessRate[] {
    const out: ProcessRate[] = [];
    for (const p of procs) {
      const key = `${p.pid}:${p.startTimeMs}`;
      const now: Reading = {
        at: atMs,
        user: p.cpuUserSeconds ?? p.cpuSeconds,
        system: p.cpuSystemSeconds ?? 0,
        read: p.readBytes ?? NaN,
        write: p.writeBytes ?? NaN,
      };
      let e = this.last.get(key);
      if (e === undefined) {
        e = { base: now, cur: now };
        this.last.set(key, e);
      } else if (atMs > e.cur.at) {
        // a new cycle: the last reading becomes the base once it is far enough from the one before it
        if (e.base === e.cur || e.cur.at - e.base.at >= MIN_RATE_SPAN_MS) e.base = e.cur;
        e.cur = now;
      }
      const dt = e.cur.at - e.base.at;
      if (dt <= 0) {
        out.push({ cpuUserPercent: null, cpuSystemPercent: null, readBytesPerSecond: null, writeBytesPerSecond: null });
        continue;
      }
      const cpu = (c: number, b: number) => Math.max(0, c - b) / (dt / 1000) * 100;
      out.push({
        cpuUserPercent: cpu(e.cur.user, e.base.user),
        cpuSystemPercent: cpu(e.cur.system, e.base.system),
        readBytesPerSecond: perSecond(e.cur.read, e.base.read, dt),
        writeBytesPerSecond: perSecond(e.cur.write, e.base.write, dt),
      });
    }
    if (atMs - this.sweptAt >= FORGET_MS / 4) {
      this.sweptAt = atMs;
      for (const [k, e] of this.last) if (atMs - e.cur.at > FORGET_MS) this.last.delete(k);
    }
    return out;
  }
}
