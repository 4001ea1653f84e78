// A remote-write receiver for tests: decodes what arrives (snappy, then the WriteRequest protobuf)
// and answers what the test says.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { uncompress } from 'snappyjs';

export interface DecodedSeries {
  labels: Array<[string, string]>;
  samples: Array<{ value: number; timestampMs: number }>;
}

function varint(buf: Buffer, pos: number): [number, number] {
  let n = 0;
  let mul = 1;
  for (;;) {
    const b = buf[pos++];
    n += (b & 0x7f) * mul;
    if (b < 0x80) return [n, pos];
    mul *= 128;
  }
}

/** The fields of one protobuf message: [field number, wire type, bytes or number]. */
function fields(buf: Buffer): Array<[number, number, Buffer | number]> {
  const out: Array<[number, number, Buffer | number]> = [];
  let pos = 0;
  while (pos < buf.length) {
    let tag: number;
    [tag, pos] = varint(buf, pos);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (wire === 0) {
      let v: number;
      [v, pos] = varint(buf, pos);
      out.push([field, wire, v]);
    } else if (wire === 1) {
      out.push([field, wire, buf.readDoubleLE(pos)]);
      pos += 8;
    } else if (wire === 2) {
      let len: number;
      [len, pos] = varint(buf, pos);
      out.push([field, wire, buf.subarray(pos, pos + len)]);
      pos += len;
    } else {
      throw new Error(`unexpected wire type ${wire}`);
    }
  }
  return out;
}

/** A WriteRequest's series, decoded independently of the encoder under test. */
export function decodeWriteRequest(buf: Buffer): DecodedSeries[] {
  const out: DecodedSeries[] = [];
  for (const [f, , ts] of fields(buf)) {
    if (f !== 1) throw new Error(`unexpected WriteRequest field ${f}`);
    const series: DecodedSeries = { labels: [], samples: [] };
    for (const [g, , v] of fields(ts as Buffer)) {
      if (g === 1) {
        const l = fields(v as Buffer);
        series.labels.push([(l.find((x) => x[0] === 1)?.[2] as Buffer)?.toString('utf8') ?? '', (l.find((x) => x[0] === 2)?.[2] as Buffer)?.toString('utf8') ?? '']);
      } else if (g === 2) {
        const s = fields(v as Buffer);
        series.samples.push({ value: (s.find((x) => x[0] === 1)?.[2] as number) ?? 0, timestampMs: (s.find((x) => x[0] === 2)?.[2] as number) ?? 0 });
      }
    }
    out.push(series);
  }
  return out;
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  series: DecodedSeries[];
}

export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** answers the next requests with these statuses in turn, then 204 */
  answers: Array<{ status: number; body?: string; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

/** A receiver on an ephemeral port, or on `port` (one a closed receiver had). */
export async function startReceiver(port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  const answers: TestReceiver['answers'] = [];
  const server: Server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      const raw = Buffer.from(uncompress(Buffer.concat(parts)));
      requests.push({ headers: req.headers, series: decodeWriteRequest(raw) });
      const a = answers.shift() ?? { status: 204 };
      res.writeHead(a.status, a.headers ?? {});
      res.end(a.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`,
    requests,
    answers,
    close: () => {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
