// From a cycle's exposition text (the same bytes /metrics serves) to the samples one remote_write
// endpoint sends: the labels a scrape would add (job, instance), the external labels, then the
// write_relabel_configs. A series' labels are parsed, relabelled and encoded the first time it is
// seen and kept while it goes on appearing, so a steady cycle costs a map lookup and a float parse per
// sample.
import type { RelabelRule } from '../config/remote-write';
import { encodeLabels } from './proto';
import { relabel } from './relabel';
import { ExpositionParseError, parseSampleValue, parseSeriesKey } from '../expose/parse';

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

export class SeriesBuilder {
  // The exposition's order is stable from cycle to cycle (families and groups are sorted), so the
  // previous cycle's keys, position by position, answer nearly every lookup with one string compare;
  // a map of them is built only when a cycle differs (a group came or went).
  private prevKeys: string[] = [];
  private prevEnc: Array<Buffer | null> = [];

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
    const prevKeys = this.prevKeys;
    const prevEnc = this.prevEnc;
    let index: Map<string, Buffer | null> | null = null;
    const keys: string[] = [];
    const encs: Array<Buffer | null> = [];
    const labels: Buffer[] = [];
    // sized like the last cycle; grown by doubling when a cycle has more
    let values = new Float64Array(Math.max(64, prevKeys.length));
    let n = 0;
    let pos = 0;
    while (pos < text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      if (text.charCodeAt(pos) !== 35 /* # */ && nl > pos) {
        const sp = text.lastIndexOf(' ', nl - 1);
        if (sp < pos) throw new ExpositionParseError(`no value in ${JSON.stringify(text.slice(pos, nl))}`);
        const key = text.slice(pos, sp);
        const i = keys.length;
        let enc: Buffer | null | undefined;
        if (i < prevKeys.length && prevKeys[i] === key) enc = prevEnc[i];
        else {
          if (index === null) {
            index = new Map();
            for (let j = 0; j < prevKeys.length; j++) index.set(prevKeys[j], prevEnc[j]);
          }
          enc = index.get(key);
          if (enc === undefined) {
            const ls = this.labelsOf(key);
            enc = ls === null ? null : encodeLabels(ls);
          }
        }
        keys.push(key);
        encs.push(enc);
        if (enc !== null) {
          labels.push(enc);
          if (n === values.length) {
            const grown = new Float64Array(n * 2);
            grown.set(values);
            values = grown;
          }
          values[n++] = parseSampleValue(text.slice(sp + 1, nl));
        }
      }
      pos = nl + 1;
    }
    this.prevKeys = keys;
    this.prevEnc = encs;
    return { timestampMs, labels, values: values.subarray(0, n), start: 0 };
  }
}
