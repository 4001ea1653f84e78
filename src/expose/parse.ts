// Reading the exporter's own exposition text back: the library mode hands its samples to an app's
// prom-client registry and the push turns them into remote-write series, so names, labels and values
// keep the one definition the writer (text.ts) gives them.

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
export function parseSampleValue(text: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (Number.isNaN(v) || text === '') throw new ExpositionParseError(`bad sample value ${JSON.stringify(text)}`);
  return v;
}
