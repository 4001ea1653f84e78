// Protobuf encoding of Prometheus remote-write 1.0's WriteRequest, written by hand for its four tiny
// messages (docs/remote-write.md says why not a library):
//
//   message WriteRequest { repeated TimeSeries timeseries = 1; }
//   message TimeSeries   { repeated Label labels = 1; repeated Sample samples = 2; }
//   message Label        { string name = 1; string value = 2; }
//   message Sample       { double value = 1; int64 timestamp = 2; }   // timestamp in ms
//
// A series' labels are encoded once (encodeLabels) and reused for every sample of that series; each
// sample then goes out as its own TimeSeries, as Prometheus's own sender does.

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    buf[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** The `labels` fields of a TimeSeries (tag 1, repeated), for labels already sorted by name. */
export function encodeLabels(labels: ReadonlyArray<readonly [string, string]>): Buffer {
  let size = 0;
  const parts: Array<[number, number, number]> = [];
  for (const [name, value] of labels) {
    const n = Buffer.byteLength(name);
    const v = Buffer.byteLength(value);
    const body = 1 + varintSize(n) + n + 1 + varintSize(v) + v;
    parts.push([n, v, body]);
    size += 1 + varintSize(body) + body;
  }
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  labels.forEach(([name, value], i) => {
    const [n, v, body] = parts[i];
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, body);
    buf[pos++] = 0x0a;
    pos = writeVarint(buf, pos, n);
    pos += buf.write(name, pos, 'utf8');
    buf[pos++] = 0x12;
    pos = writeVarint(buf, pos, v);
    pos += buf.write(value, pos, 'utf8');
  });
  return buf;
}

/** Samples from..to-1 of one cycle: each series' encoded labels and its value, one timestamp (ms, >= 0). */
export interface SampleRun {
  labels: readonly Buffer[];
  values: Float64Array;
  from: number;
  to: number;
  timestampMs: number;
}

/** A WriteRequest with one TimeSeries per sample, in the order given. */
export function encodeWriteRequest(runs: readonly SampleRun[]): Buffer {
  let size = 0;
  for (const r of runs) {
    const sample = 1 + 8 + 1 + varintSize(r.timestampMs); // < 128: its length takes one byte
    for (let i = r.from; i < r.to; i++) {
      const series = r.labels[i].length + 2 + sample;
      size += 1 + varintSize(series) + series;
    }
  }
  const buf = Buffer.allocUnsafe(size);
  let pos = 0;
  for (const r of runs) {
    const sample = 1 + 8 + 1 + varintSize(r.timestampMs);
    // the Sample's timestamp bytes are the same for the whole run
    const tail = Buffer.allocUnsafe(varintSize(r.timestampMs) + 1);
    tail[0] = 0x10;
    writeVarint(tail, 1, r.timestampMs);
    for (let i = r.from; i < r.to; i++) {
      const labels = r.labels[i];
      buf[pos++] = 0x0a;
      pos = writeVarint(buf, pos, labels.length + 2 + sample);
      pos += labels.copy(buf, pos);
      buf[pos++] = 0x12;
      buf[pos++] = sample;
      buf[pos++] = 0x09;
      buf.writeDoubleLE(r.values[i], pos);
      pos += 8;
      pos += tail.copy(buf, pos);
    }
  }
  return buf;
}
