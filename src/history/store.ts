// The last 15 minutes of each group's figures, in memory, for the page's sparklines and charts. Fed by
// the collector's cycles (it never reads /proc): every cycle's snapshot gives cumulative counters and
// gauges; a point is appended when at least POINT_SPACING_MS passed since the group's last point, and
// its rates are the counters' increase since that point over the time between them.
//
// Bounded whatever the number of groups: at most MAX_GROUPS groups have a history (when there are more,
// the busiest by CPU, then resident memory, keep theirs), each a ring of POINTS_PER_GROUP points of
// FIELD_COUNT float64 figures: 500 × 300 × 11 × 8 bytes ≈ 13 MB at most, reached only after 15 minutes
// with that many groups (a ring grows as its points come).
import type { CycleSnapshot, GroupSnapshot } from '../expose/snapshot';

export const HISTORY_WINDOW_MS = 15 * 60_000;
const POINTS_PER_GROUP = 300;
/** 15 min / 300 points: one point per 3 s at most */
const POINT_SPACING_MS = HISTORY_WINDOW_MS / POINTS_PER_GROUP;
const MAX_GROUPS = 500;
/** table rates are taken over at least this long, so two cycles close together do not give noise */
export const MIN_RATE_SPAN_MS = 1000;

/** The figures of one point, in this order in the ring. CPU is in cores (1 = one core busy). */
export const FIELDS = ['cpuUser', 'cpuSystem', 'resident', 'proportionalResident', 'swapped', 'readBps', 'writeBps', 'openFds', 'numThreads', 'numProcs', 'worstFdRatio'] as const;
export type Field = (typeof FIELDS)[number];
const FIELD_COUNT = FIELDS.length;
const F = Object.fromEntries(FIELDS.map((f, i) => [f, i])) as Record<Field, number>;

export type Figures = Record<Field, number>;

interface CounterReading {
  t: number;
  cpuUser: number;
  cpuSystem: number;
  readBytes: number;
  writeBytes: number;
}

function reading(g: GroupSnapshot, t: number): CounterReading {
  return { t, cpuUser: g.cpuUser, cpuSystem: g.cpuSystem, readBytes: g.readBytes, writeBytes: g.writeBytes };
}

/** Increase per second; a counter that went down (group restarted after -remove-empty-groups) gives 0. */
function perSecond(cur: number, prev: number, dtMs: number): number {
  return cur > prev ? ((cur - prev) * 1000) / dtMs : 0;
}

/** Whether no process of the group could give this figure this cycle (an empty group gives 0, known). */
export function noneReadable(g: Pick<GroupSnapshot, 'numProcs'>, unreadable: number | undefined): boolean {
  return g.numProcs > 0 && (unreadable ?? 0) >= g.numProcs;
}

/** NaN marks a figure no process of the group could give (JSON writes it as null). */
function figures(g: GroupSnapshot, cur: CounterReading, base: CounterReading | null): Figures {
  const dt = base === null ? 0 : cur.t - base.t;
  const rate = (k: 'cpuUser' | 'cpuSystem' | 'readBytes' | 'writeBytes') => (base === null || dt <= 0 ? 0 : perSecond(cur[k], base[k], dt));
  const io = noneReadable(g, g.ioUnreadable) ? NaN : 1;
  return {
    cpuUser: rate('cpuUser'),
    cpuSystem: rate('cpuSystem'),
    resident: g.resident,
    proportionalResident: noneReadable(g, g.proportionalUnreadable) ? NaN : g.proportionalResident,
    swapped: g.swapped,
    readBps: io * rate('readBytes'),
    writeBps: io * rate('writeBytes'),
    openFds: g.openFds,
    numThreads: g.numThreads,
    numProcs: g.numProcs,
    worstFdRatio: g.worstFdRatio,
  };
}

/** The first capacity of a group's ring, in points: it doubles as points come, up to POINTS_PER_GROUP. */
const FIRST_RING_POINTS = 16;

/**
 * A ring of points: times and FIELD_COUNT figures per point. It starts small and doubles while it fills,
 * so a group costs what its history holds (an exporter up for a minute keeps 20 points per group, not
 * room for 300); once at POINTS_PER_GROUP it overwrites its oldest point.
 */
class Ring {
  t = new Float64Array(FIRST_RING_POINTS);
  v = new Float64Array(FIRST_RING_POINTS * FIELD_COUNT);
  /** next slot to write */
  private head = 0;
  size = 0;

  private get cap(): number {
    return this.t.length;
  }

  push(t: number, f: Figures): void {
    if (this.size === this.cap && this.cap < POINTS_PER_GROUP) this.grow(Math.min(POINTS_PER_GROUP, this.cap * 2));
    this.t[this.head] = t;
    const o = this.head * FIELD_COUNT;
    for (let i = 0; i < FIELD_COUNT; i++) this.v[o + i] = f[FIELDS[i]];
    this.head = (this.head + 1) % this.cap;
    if (this.size < this.cap) this.size++;
  }

  /** Before the ring first wraps, its points are in slots 0 .. size-1: growing keeps them there. */
  private grow(cap: number): void {
    const t = new Float64Array(cap);
    t.set(this.t);
    const v = new Float64Array(cap * FIELD_COUNT);
    v.set(this.v);
    this.t = t;
    this.v = v;
    this.head = this.size;
  }

  /** Slot indexes, oldest first, of the points at or after sinceMs. */
  slots(sinceMs: number): number[] {
    const out: number[] = [];
    const start = (this.head - this.size + this.cap) % this.cap;
    for (let k = 0; k < this.size; k++) {
      const s = (start + k) % this.cap;
      if (this.t[s] >= sinceMs) out.push(s);
    }
    return out;
  }

  value(slot: number, field: Field): number {
    return this.v[slot * FIELD_COUNT + F[field]];
  }

  get lastT(): number {
    return this.size === 0 ? -Infinity : this.t[(this.head - 1 + this.cap) % this.cap];
  }
}

interface GroupState {
  /** counters at the group's last history point: the next point's rates start here */
  pointBase: CounterReading;
  /** counters the current table rates were taken from, and those rates */
  rateBase: CounterReading;
  current: Figures;
  ring: Ring | null;
  seenAtMs: number;
}

/** One group's figures now, for the table. */
export interface GroupNow extends Figures {
  name: string;
  oldestStartTime: number;
  /** processes whose io, or smaps, could not be read in the last cycle */
  ioUnreadable: number;
  proportionalUnreadable: number;
  /** whether the group's figures are being kept (see MAX_GROUPS) */
  hasHistory: boolean;
}

export interface Series {
  /** Unix milliseconds of each point */
  t: number[];
  values: Record<Field, number[]>;
}

export class HistoryStore {
  private readonly groups = new Map<string, GroupState>();
  private lastSnap: CycleSnapshot | null = null;
  private lastAtMs = 0;

  constructor(private readonly limits = { maxGroups: MAX_GROUPS, windowMs: HISTORY_WINDOW_MS, spacingMs: POINT_SPACING_MS }) {}

  /** The collector's cycle listener. */
  readonly record = (snap: CycleSnapshot, endedAtMs: number): void => {
    if (!snap.ok) return; // a failed listing says nothing about the groups
    const seen = new Set<string>();
    for (const g of snap.groups) {
      seen.add(g.name);
      const cur = reading(g, endedAtMs);
      let st = this.groups.get(g.name);
      if (st === undefined) {
        st = { pointBase: cur, rateBase: cur, current: figures(g, cur, null), ring: null, seenAtMs: endedAtMs };
        this.groups.set(g.name, st);
      } else if (endedAtMs - st.rateBase.t >= MIN_RATE_SPAN_MS) {
        st.current = figures(g, cur, st.rateBase);
        st.rateBase = cur;
      } else {
        // too soon for a new rate: gauges are fresh, rates stay those of the last span
        const io = noneReadable(g, g.ioUnreadable) ? NaN : 1;
        st.current = { ...figures(g, cur, null), cpuUser: st.current.cpuUser, cpuSystem: st.current.cpuSystem, readBps: io * st.current.readBps, writeBps: io * st.current.writeBps };
      }
      st.seenAtMs = endedAtMs;
    }
    // groups gone from the snapshot (-remove-empty-groups) are forgotten with their history
    for (const name of this.groups.keys()) if (!seen.has(name)) this.groups.delete(name);
    this.assignRings();
    for (const g of snap.groups) {
      const st = this.groups.get(g.name)!;
      if (st.ring === null || endedAtMs - st.ring.lastT < this.limits.spacingMs * 0.75) continue;
      const cur = reading(g, endedAtMs);
      // the first point of a ring has no span behind it: it starts the rates, it is not drawn
      if (st.pointBase.t < endedAtMs) st.ring.push(endedAtMs, figures(g, cur, st.pointBase));
      st.pointBase = cur;
    }
    this.lastSnap = snap;
    this.lastAtMs = endedAtMs;
  };

  /** Give rings to the busiest groups when there are more than maxGroups; the others lose theirs. */
  private assignRings(): void {
    const max = this.limits.maxGroups;
    if (this.groups.size <= max) {
      for (const st of this.groups.values()) if (st.ring === null) this.giveRing(st);
      return;
    }
    const ranked = [...this.groups.values()].sort(
      (a, b) => b.current.cpuUser + b.current.cpuSystem - (a.current.cpuUser + a.current.cpuSystem) || b.current.resident - a.current.resident,
    );
    ranked.forEach((st, i) => {
      if (i < max && st.ring === null) this.giveRing(st);
      else if (i >= max) st.ring = null;
    });
  }

  private giveRing(st: GroupState): void {
    st.ring = new Ring();
    st.pointBase = st.rateBase;
  }

  get groupCount(): number {
    return this.groups.size;
  }

  /** When the last recorded cycle ended (0 before any). */
  get updatedAtMs(): number {
    return this.lastAtMs;
  }

  /** Every group of the last cycle with its current figures. */
  now(): GroupNow[] {
    const snap = this.lastSnap;
    if (snap === null) return [];
    const out: GroupNow[] = [];
    for (const g of snap.groups) {
      const st = this.groups.get(g.name);
      if (st === undefined) continue;
      out.push({ name: g.name, oldestStartTime: g.oldestStartTime, ioUnreadable: g.ioUnreadable ?? 0, proportionalUnreadable: g.proportionalUnreadable ?? 0, hasHistory: st.ring !== null, ...st.current });
    }
    return out;
  }

  /** The window's points of one group (null for a group without history), oldest first. */
  series(name: string, fields: readonly Field[] = FIELDS, nowMs = this.lastAtMs): Series | null {
    const ring = this.groups.get(name)?.ring;
    if (!ring) return null;
    const slots = ring.slots(nowMs - this.limits.windowMs);
    const values = {} as Record<Field, number[]>;
    for (const f of fields) values[f] = slots.map((s) => ring.value(s, f));
    return { t: slots.map((s) => ring.t[s]), values };
  }
}
