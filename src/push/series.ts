// From a cycle's exposition text (the same bytes /metrics serves) to the samples one remote_write
// endpoint sends: the labels a scrape would add (job, instance), the external labels, then the
// write_relabel_configs. A series' labels are parsed, relabelled and encoded the first time it is
// seen and kept while it goes on appearing, so a steady cycle costs a map lookup and a float parse per
// sample.
import type { RelabelRule } from '../config/remote-write';
import { encodeLabels } from './proto';
import { relabel } from './relabel';

export interface SeriesContext {
  /** added to every series, as a scrape's target labels: job and instance */
  targetLabels: ReadonlyArray<readonly [string, string]>;
  /** added when the series lacks the label (Prometheus's external_labels), sorted */
  externalLabels: ReadonlyArray<readonly [string, string]>;
  rules: readonly RelabelRule[];
}

/** One cycle's samples for one endpoint: series labels and values side by side, in exposition order. */
export interface Chunk {
  timestampMs: number;
  labels: Buffer[];
  values: Float64Array;
  /** samples before this index are sent (or dropped) */
  start: number;
}

export class ExpositionParseError extends Error {}

/** The labels of an exposition line's `name{a="b",...}` part, __name__ first. */
export function parseSeriesKey(key: string): Array<[string, string]> {
  const brace = key.indexOf('{');
  if (brace < 0) return [['__name__', key]];
  const out: Array<[string, string]> = [['__name__', key.slice(0, brace)]];
  let i = brace + 1;
  while (i < key.length && key[i] !== '}') {
    const eq = key.indexOf('="', i);
    if (eq < 0) throw new ExpositionParseError(`bad series ${JSON.stringify(key)}`);
    const name = key.slice(i, eq);
    let value = '';
    let j = eq + 2;
    for (; j < key.length; j++) {
      const c = key[j];
      if (c === '"') break;
      if (c === '\\') {
        const n = key[++j];
        value += n === 'n' ? '\n' : n;
      } else value += c;
    }
    out.push([name, value]);
    i = j + 1;
    if (key[i] === ',') i++;
  }
  return out;
}

/** An exposition value: Go's and prom-client's float texts, including NaN and ±Inf. */
export function parseValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (Number.isNaN(v) || text === '') throw new ExpositionParseError(`bad sample value ${JSON.stringify(text)}`);
  return v;
}

export class SeriesBuilder {
  /** exposition key -> encoded labels, or null when write_relabel_configs drop the series */
  private cache = new Map<string, Buffer | null>();

  constructor(private readonly ctx: SeriesContext) {}

  /** The labels a series is sent with, sorted by name; null when relabelling drops it. */
  labelsOf(key: string): Array<[string, string]> | null {
    const ls = new Map<string, string>(parseSeriesKey(key));
    for (const [name, value] of this.ctx.targetLabels) if (!ls.has(name)) ls.set(name, value);
    for (const [name, value] of this.ctx.externalLabels) if (!ls.has(name)) ls.set(name, value);
    const out = this.ctx.rules.length > 0 ? relabel(ls, this.ctx.rules) : ls;
    if (out === null || !out.has('__name__')) return null;
    return [...out].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  /** The samples of an exposition text (text format 0.0.4), stamped with one timestamp. */
  build(text: string, timestampMs: number): Chunk {
    const next = new Map<string, Buffer | null>();
    const labels: Buffer[] = [];
    const values: number[] = [];
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      if (text.charCodeAt(pos) !== 35 /* # */ && nl > pos) {
        const line = text.slice(pos, nl);
        const sp = line.lastIndexOf(' ');
        const key = line.slice(0, sp);
        let enc = this.cache.get(key);
        if (enc === undefined) {
          const ls = this.labelsOf(key);
          enc = ls === null ? null : encodeLabels(ls);
        }
        next.set(key, enc);
        if (enc !== null) {
          labels.push(enc);
          values.push(parseValue(line.slice(sp + 1)));
        }
      }
      pos = nl + 1;
    }
    this.cache = next;
    return { timestampMs, labels, values: Float64Array.from(values), start: 0 };
  }
}
