// The push to remote_write, piece by piece: the WriteRequest encoding, the series built from an
// exposition, write_relabel_configs, the bounded queue, and one endpoint's delivery against an
// in-process receiver (400 not retried, 503 retried with backoff, 429, outages, shutdown, secrets).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeLabels, encodeWriteRequest, type SampleRun } from '../src/push/proto';
import { SeriesBuilder, type Chunk } from '../src/push/series';
import { SampleQueue } from '../src/push/queue';
import { relabel } from '../src/push/relabel';
import { Endpoint } from '../src/push/sender';
import { PushMetrics } from '../src/push/metrics';
import { parsePushConfig, type PushConfig } from '../src/config/remote-write';
import { memoryLogger } from './memory-logger';
import { decodeWriteRequest, startReceiver, type TestReceiver } from './remote-write-receiver';
import { makePki, opensslMissing } from './server-helpers.test';
import { Harness } from './harness';
import { Pusher, PUSH_JOB } from '../src/push';

const receivers: TestReceiver[] = [];
after(async () => {
  for (const r of receivers) await r.close();
});

/** One sample as a run of its own. */
function one(labels: Array<[string, string]>, value: number, timestampMs: number): SampleRun {
  return { labels: [encodeLabels(labels)], values: Float64Array.of(value), from: 0, to: 1, timestampMs };
}

function decodeChunk(c: Chunk) {
  return decodeWriteRequest(encodeWriteRequest([{ labels: c.labels, values: c.values, from: c.start, to: c.values.length, timestampMs: c.timestampMs }]));
}

/** [timestamp, value] of every sample of some runs. */
function flat(runs: SampleRun[]): Array<[number, number]> {
  return runs.flatMap((r) => Array.from({ length: r.to - r.from }, (_, i): [number, number] => [r.timestampMs, r.values[r.from + i]]));
}

describe('WriteRequest encoding', () => {
  test('matches protobufjs byte for byte on a known message', () => {
    // protobufjs 8.8.1's encoding of the same WriteRequest from remote.proto (proto3): known good
    const expected =
      '0a2f0a0e0a085f5f6e616d655f5f120275700a0b0a036a6f621204c3a92278121009000000000000f83f10fbd095ffbc31' +
      '0a1c0a0d0a085f5f6e616d655f5f120162120b099c7500883ce447fe1001';
    const got = encodeWriteRequest([one([['__name__', 'up'], ['job', 'é"x']], 1.5, 1700000000123), one([['__name__', 'b']], -2e300, 1)]);
    assert.equal(got.toString('hex'), expected);
  });

  test('decodes back to the same series, values and timestamps, long labels and NaN included', () => {
    const long = 'x'.repeat(300);
    const input = [
      { labels: [['__name__', 'a'], ['g', long]] as Array<[string, string]>, value: NaN, timestampMs: 2 ** 45 + 7 },
      { labels: [['__name__', 'b']] as Array<[string, string]>, value: Infinity, timestampMs: 0 },
      { labels: [['__name__', 'c'], ['z', 'ü']] as Array<[string, string]>, value: 0.1, timestampMs: 1732800000000 },
    ];
    const decoded = decodeWriteRequest(encodeWriteRequest(input.map((s) => one(s.labels, s.value, s.timestampMs))));
    assert.deepEqual(decoded, input.map((s) => ({ labels: s.labels, samples: [{ value: s.value, timestampMs: s.timestampMs }] })));
  });
});

describe('series from the exposition', () => {
  const text =
    '# HELP namedprocess_namegroup_num_procs number of processes in this group\n' +
    '# TYPE namedprocess_namegroup_num_procs gauge\n' +
    'namedprocess_namegroup_num_procs{groupname="a\\"b\\\\c\\nd"} 3\n' +
    'namedprocess_namegroup_memory_bytes{groupname="x",memtype="resident"} 1.2e+06\n' +
    'namedprocess_scrape_errors 0\n' +
    'nodejs_gc_duration_seconds_bucket{le="+Inf",kind="minor"} 5\n' +
    'weird NaN\n';

  test('labels are unescaped; values parse, Go float texts included', () => {
    const bare = () => new SeriesBuilder({ targetLabels: [], externalLabels: [], rules: [] });
    assert.deepEqual(bare().labelsOf('m{groupname="a\\"b\\\\c\\nd",x=""}'), [['__name__', 'm'], ['groupname', 'a"b\\c\nd'], ['x', '']]);
    assert.deepEqual(bare().labelsOf('m'), [['__name__', 'm']]);
    assert.deepEqual([...bare().build('a +Inf\nb -Inf\nc NaN\nd 1.2e+06\n', 1).values], [Infinity, -Infinity, NaN, 1.2e6]);
    assert.throws(() => bare().build('a abc\n', 1), { message: 'bad sample value "abc"' });
  });

  test('job and instance like a scrape, external labels, sorted; every sample stamped with the cycle time', () => {
    const b = new SeriesBuilder({ targetLabels: [['instance', 'host1'], ['job', 'j']], externalLabels: [['job', 'ignored'], ['region', 'eu']], rules: [] });
    const chunk = b.build(text, 1234);
    const decoded = decodeChunk(chunk);
    assert.deepEqual(decoded.map((s) => s.labels), [
      [['__name__', 'namedprocess_namegroup_num_procs'], ['groupname', 'a"b\\c\nd'], ['instance', 'host1'], ['job', 'j'], ['region', 'eu']],
      [['__name__', 'namedprocess_namegroup_memory_bytes'], ['groupname', 'x'], ['instance', 'host1'], ['job', 'j'], ['memtype', 'resident'], ['region', 'eu']],
      [['__name__', 'namedprocess_scrape_errors'], ['instance', 'host1'], ['job', 'j'], ['region', 'eu']],
      [['__name__', 'nodejs_gc_duration_seconds_bucket'], ['instance', 'host1'], ['job', 'j'], ['kind', 'minor'], ['le', '+Inf'], ['region', 'eu']],
      [['__name__', 'weird'], ['instance', 'host1'], ['job', 'j'], ['region', 'eu']],
    ]);
    assert.deepEqual(decoded.slice(0, 4).map((s) => s.samples), [[{ value: 3, timestampMs: 1234 }], [{ value: 1.2e6, timestampMs: 1234 }], [{ value: 0, timestampMs: 1234 }], [{ value: 5, timestampMs: 1234 }]]);
    // a second cycle reuses the encoded labels of series it saw
    const again = b.build(text, 5678);
    assert.equal(again.labels[1], chunk.labels[1]);
  });

  test('a group that comes or goes between cycles: the others keep their encoded labels', () => {
    const b = new SeriesBuilder({ targetLabels: [], externalLabels: [], rules: [] });
    const first = b.build('m{g="a"} 1\nm{g="c"} 3\n', 1);
    const second = b.build('m{g="a"} 1\nm{g="b"} 2\nm{g="c"} 3\n', 2);
    assert.equal(second.labels[0], first.labels[0]);
    assert.equal(second.labels[2], first.labels[1]);
    assert.deepEqual(decodeChunk(second).map((x) => [x.labels[1][1], x.samples[0].value]), [['a', 1], ['b', 2], ['c', 3]]);
    const third = b.build('m{g="c"} 4\n', 3);
    assert.equal(third.labels[0], first.labels[1]);
    assert.throws(() => b.build('m{g="c"} 4\nbroken\n', 4), /no value in "broken"/);
  });

  test('write_relabel_configs: keep, drop, replace, labeldrop', () => {
    const cfg = pushConfig(`remote_write:
  - url: http://127.0.0.1:1/w
    write_relabel_configs:
      - source_labels: [__name__]
        regex: namedprocess_.*
        action: keep
      - source_labels: [groupname]
        regex: x
        action: drop
      - source_labels: [__name__, instance]
        separator: '@'
        regex: 'namedprocess_(\\w+)@(.*)'
        target_label: what
        replacement: '\${1}-$2'
      - regex: job
        action: labeldrop
`);
    const b = new SeriesBuilder({ targetLabels: [['instance', 'h'], ['job', 'j']], externalLabels: [], rules: cfg.remoteWrite[0].writeRelabel });
    const chunk = b.build(text, 1);
    const decoded = decodeChunk(chunk);
    assert.deepEqual(decoded.map((s) => s.labels), [
      [['__name__', 'namedprocess_namegroup_num_procs'], ['groupname', 'a"b\\c\nd'], ['instance', 'h'], ['what', 'namegroup_num_procs-h']],
      [['__name__', 'namedprocess_scrape_errors'], ['instance', 'h'], ['what', 'scrape_errors-h']],
    ]);
  });

  test('relabel: labelkeep, labelmap, lowercase, hashmod, empty replacement removes the label; Go Expand rules', () => {
    const cfg = pushConfig(`remote_write:
  - url: http://127.0.0.1:1/w
    write_relabel_configs:
      - regex: 'g_(.*)'
        action: labelmap
        replacement: 'h_$1'
      - source_labels: [h_a]
        target_label: low
        action: lowercase
      - source_labels: [h_a]
        target_label: shard
        modulus: 8
        action: hashmod
      - source_labels: [b]
        target_label: b
        replacement: ''
      - regex: '__name__|h_.*|low|shard|b'
        action: labelkeep
`);
    const out = relabel(new Map([['__name__', 'm'], ['g_a', 'ABC'], ['b', 'gone'], ['c', 'dropped']]), cfg.remoteWrite[0].writeRelabel);
    // md5("ABC") = 902fbdd2b1df0c4f70b4a5d23525e932: last 8 bytes 70b4a5d23525e932 mod 8 = 2
    assert.deepEqual([...(out ?? [])].sort(), [['__name__', 'm'], ['h_a', 'ABC'], ['low', 'abc'], ['shard', '2']]);
    // Go's regexp.Expand in a replacement: $1x names the absent group "1x"; ${1}x, $$, $name and ${name}
    const expand = pushConfig(`remote_write:
  - url: http://127.0.0.1:1/w
    write_relabel_configs:
      - source_labels: [v]
        regex: '(A)(?P<name>B)'
        target_label: out
        replacement: '$1x|\${1}x|$$|$name|\${name}'
`);
    assert.equal(relabel(new Map([['__name__', 'm'], ['v', 'AB']]), expand.remoteWrite[0].writeRelabel)?.get('out'), '|Ax|$|B|B');
  });
});

describe('the bounded queue', () => {
  const chunk = (ts: number, n: number): Chunk => ({ timestampMs: ts, labels: Array.from({ length: n }, (_, i) => encodeLabels([['__name__', `m${i}`]])), values: Float64Array.from({ length: n }, (_, i) => ts * 10 + i), start: 0 });

  test('keeps samples in order across cycles and hands out batches of at most max', () => {
    const q = new SampleQueue(100);
    q.push(chunk(1, 3));
    q.push(chunk(2, 3));
    assert.equal(q.pending, 6);
    assert.deepEqual(flat(q.peek(4).runs), [[1, 10], [1, 11], [1, 12], [2, 20]]);
    assert.equal(q.peek(4).count, 4);
    q.discardUpTo(q.head + 4);
    assert.deepEqual(flat(q.peek(4).runs), [[2, 21], [2, 22]]);
    assert.equal(q.pending, 2);
  });

  test('at the bound the oldest are dropped and counted; a batch in flight is not discarded twice', () => {
    const q = new SampleQueue(5);
    q.push(chunk(1, 3));
    const head = q.head;
    const batch = q.peek(3).count;
    assert.equal(q.push(chunk(2, 3)), 1);
    assert.equal(q.push(chunk(3, 3)), 3);
    assert.equal(q.pending, 5);
    q.discardUpTo(head + batch); // all three were dropped meanwhile: nothing more goes
    assert.deepEqual(flat(q.peek(10).runs).map(([, v]) => v), [21, 22, 30, 31, 32]);
  });
});

function pushConfig(yaml: string): PushConfig {
  const cfg = parsePushConfig(yaml, 'test.yml');
  assert.ok(cfg);
  return cfg;
}

interface Rig {
  endpoint: Endpoint;
  metrics: PushMetrics;
  log: ReturnType<typeof memoryLogger>;
  waits: number[];
  receiver: TestReceiver;
}

async function rig(queueYaml: string, extra = ''): Promise<Rig> {
  const receiver = await startReceiver();
  receivers.push(receiver);
  const cfg = pushConfig(`remote_write:\n  - url: ${receiver.url}\n    name: test\n    queue_config:\n${queueYaml}${extra}`);
  const metrics = new PushMetrics();
  const log = memoryLogger();
  const waits: number[] = [];
  const stats = metrics.endpoint({ remote_name: 'test', url: receiver.url });
  const endpoint = new Endpoint(cfg.remoteWrite[0], { targetLabels: [['instance', 'h'], ['job', 'j']], externalLabels: [], rules: [] }, {
    log,
    stats,
    userAgent: 'test',
    tls: {},
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  return { endpoint, metrics, log, waits, receiver };
}

const CYCLE = 'a{g="1"} 1\na{g="2"} 2\nb 3\n';

describe('delivery to a receiver', () => {
  test('a 400 is not retried: counted as failed, logged once per cause', async () => {
    const r = await rig('      min_backoff: 10ms\n');
    r.receiver.answers.push({ status: 400, body: 'out of order sample\nmore' }, { status: 204 }, { status: 400, body: 'other text' });
    for (const ts of [1000, 2000, 3000]) {
      r.endpoint.enqueue(CYCLE, ts);
      await r.endpoint.whenIdle();
    }
    const s = r.metrics.endpoints[0];
    assert.equal(r.receiver.requests.length, 3);
    assert.deepEqual([s.sent, s.failed, s.retried, s.dropped, s.pending], [3, 6, 0, 0, 0]);
    assert.deepEqual(r.log.lines.filter((l) => !l.startsWith('debug: ')), ['remote_write test: server returned HTTP status 400: out of order sample: 3 samples not sent, not retrying']);
    assert.deepEqual(r.waits, []);
    await r.endpoint.stop(0);
  });

  test('a 503 is retried with exponential backoff up to max_backoff, then the same samples go through', async () => {
    const r = await rig('      min_backoff: 10ms\n      max_backoff: 30ms\n');
    r.receiver.answers.push({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    r.endpoint.enqueue(CYCLE, 1000);
    await r.endpoint.whenIdle();
    const s = r.metrics.endpoints[0];
    assert.equal(r.receiver.requests.length, 5);
    assert.deepEqual(r.waits, [10, 20, 30, 30]);
    assert.deepEqual([s.sent, s.failed, s.retried, s.dropped, s.pending, s.highestSentSeconds], [3, 0, 12, 0, 0, 1]);
    assert.deepEqual(r.receiver.requests[4].series, r.receiver.requests[0].series);
    assert.deepEqual(r.receiver.requests[4].series.map((x) => x.samples[0]), [{ value: 1, timestampMs: 1000 }, { value: 2, timestampMs: 1000 }, { value: 3, timestampMs: 1000 }]);
    const errors = r.log.lines.filter((l) => !l.startsWith('debug: '));
    assert.deepEqual(errors, ['remote_write test: server returned HTTP status 503: retrying with backoff (the queue keeps 3 samples)', 'remote_write test: sending again after 4 failed attempts']);
    await r.endpoint.stop(0);
  });

  test('429: retried after Retry-After only with retry_on_http_429, else a failure; a 503 Retry-After too', async () => {
    const on = await rig('      retry_on_http_429: true\n');
    on.receiver.answers.push({ status: 429, headers: { 'retry-after': '2' } }, { status: 503, headers: { 'retry-after': '7' } }, { status: 503 });
    on.endpoint.enqueue(CYCLE, 1000);
    await on.endpoint.whenIdle();
    assert.deepEqual(on.waits, [2000, 7000, 120]); // the backoff went on doubling meanwhile: 30, 60, 120 ms
    assert.deepEqual([on.metrics.endpoints[0].sent, on.metrics.endpoints[0].retried], [3, 9]);
    await on.endpoint.stop(0);
    const off = await rig('      retry_on_http_429: false\n');
    off.receiver.answers.push({ status: 429, headers: { 'retry-after': '2' } });
    off.endpoint.enqueue(CYCLE, 1000);
    await off.endpoint.whenIdle();
    assert.deepEqual([off.metrics.endpoints[0].sent, off.metrics.endpoints[0].failed, off.waits.length], [0, 3, 0]);
    await off.endpoint.stop(0);
  });

  test('Retry-After as an HTTP date waits until then (0 when past); one that cannot be read leaves the backoff', async (t) => {
    t.mock.timers.enable({ apis: ['Date'], now: Date.parse('Wed, 21 Oct 2015 07:28:00 GMT') });
    const r = await rig('      retry_on_http_429: true\n');
    r.receiver.answers.push(
      { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:28:10 GMT' } },
      { status: 503, headers: { 'retry-after': 'Wed, 21 Oct 2015 07:27:00 GMT' } },
      { status: 503, headers: { 'retry-after': 'soon' } },
    );
    r.endpoint.enqueue(CYCLE, 1000);
    await r.endpoint.whenIdle();
    assert.deepEqual(r.waits, [10_000, 0, 120]);
    await r.endpoint.stop(0);
  });

  test('batches of max_samples_per_send, in order, with the protocol headers', async () => {
    const r = await rig('      max_samples_per_send: 2\n');
    r.endpoint.enqueue(CYCLE, 1000);
    r.endpoint.enqueue(CYCLE, 2000);
    await r.endpoint.whenIdle();
    assert.deepEqual(r.receiver.requests.map((q) => q.series.map((x) => `${x.labels[0][1]}@${x.samples[0].timestampMs}`)), [['a@1000', 'a@1000'], ['b@1000', 'a@2000'], ['a@2000', 'b@2000']]);
    const h = r.receiver.requests[0].headers;
    assert.deepEqual([h['content-encoding'], h['content-type'], h['x-prometheus-remote-write-version'], h['user-agent']], ['snappy', 'application/x-protobuf', '0.1.0', 'test']);
    await r.endpoint.stop(0);
  });

  test('an unreachable receiver: retried, the queue keeps the oldest dropped at capacity, all sent in order when it is back', async () => {
    const r = await rig('      capacity: 7\n      min_backoff: 1ms\n      max_backoff: 1ms\n');
    const url = r.receiver.url;
    await r.receiver.close();
    // the endpoint retries forever while the receiver is away: let its waits pass only a few times
    let released = 0;
    const gate: Array<() => void> = [];
    (r.endpoint as unknown as { deps: { sleep: (ms: number) => Promise<void> } }).deps.sleep = () => new Promise<void>((resolve) => {
      released++;
      gate.push(resolve);
    });
    r.endpoint.enqueue(CYCLE, 1000);
    for (let i = 0; i < 200 && released === 0; i++) await new Promise((res) => setTimeout(res, 10));
    r.endpoint.enqueue(CYCLE, 2000);
    r.endpoint.enqueue(CYCLE, 3000);
    const s = r.metrics.endpoints[0];
    assert.deepEqual([s.dropped, s.pending, s.sent], [2, 7, 0]);
    assert.match(r.log.lines.join('\n'), /remote_write test: send failed: ECONNREFUSED: retrying with backoff/);
    assert.match(r.log.lines.join('\n'), /remote_write test: the queue is full \(capacity 7 samples\): dropping the oldest samples/);
    // the receiver comes back on the same port
    const back = await startReceiverOn(url);
    (r.endpoint as unknown as { deps: { sleep: (ms: number) => Promise<void> } }).deps.sleep = async () => {};
    gate.shift()?.();
    await r.endpoint.whenIdle();
    const got = back.requests.flatMap((q) => q.series.map((x) => `${x.labels[0][1]}${x.labels.find((l) => l[0] === 'g')?.[1] ?? ''}@${x.samples[0].timestampMs}`));
    assert.deepEqual(got, ['b@1000', 'a1@2000', 'a2@2000', 'b@2000', 'a1@3000', 'a2@3000', 'b@3000']);
    assert.deepEqual([s.dropped, s.pending, s.sent], [2, 0, 7]);
    await r.endpoint.stop(0);
  });

  test('shutdown flushes what it can within the bound; what is left is counted as dropped', async () => {
    const ok = await rig('      min_backoff: 1ms\n');
    ok.endpoint.enqueue(CYCLE, 1000);
    await ok.endpoint.stop(5000);
    assert.equal(ok.metrics.endpoints[0].sent, 3);
    const down = await rig('      min_backoff: 1ms\n');
    (down.endpoint as unknown as { deps: { sleep?: unknown } }).deps.sleep = undefined; // real, abortable waits
    for (let i = 0; i < 1000; i++) down.receiver.answers.push({ status: 503 });
    down.endpoint.enqueue(CYCLE, 1000);
    await down.endpoint.stop(50);
    const s = down.metrics.endpoints[0];
    assert.deepEqual([s.sent, s.dropped, s.pending], [0, 3, 0]);
    assert.match(down.log.lines.join('\n'), /remote_write test: 3 samples not sent at shutdown/);
  });

  test('secrets never reach the log: basic_auth password, password_file, bearer credentials, headers', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-push-secret-'));
    writeFileSync(join(dir, 'pw'), 'file-secret-42\n');
    const basic = await rig('      min_backoff: 1ms\n', `    basic_auth:\n      username: u\n      password_file: ${join(dir, 'pw')}\n    headers:\n      X-Scope-OrgID: header-secret-7\n`);
    basic.receiver.answers.push({ status: 401, body: 'Unauthorized' }, { status: 503 });
    basic.endpoint.enqueue(CYCLE, 1000);
    await basic.endpoint.whenIdle();
    basic.endpoint.enqueue(CYCLE, 2000);
    await basic.endpoint.whenIdle();
    assert.equal(basic.receiver.requests[0].headers.authorization, 'Basic ' + Buffer.from('u:file-secret-42').toString('base64'));
    assert.equal(basic.receiver.requests[0].headers['x-scope-orgid'], 'header-secret-7');
    const bearer = await rig('      min_backoff: 1ms\n', '    authorization:\n      credentials: bearer-secret-9\n');
    bearer.receiver.answers.push({ status: 403 });
    bearer.endpoint.enqueue(CYCLE, 1000);
    await bearer.endpoint.whenIdle();
    assert.equal(bearer.receiver.requests[0].headers.authorization, 'Bearer bearer-secret-9');
    const inline = await rig('      min_backoff: 1ms\n', '    basic_auth:\n      username: u\n      password: inline-secret-5\n');
    const url = inline.receiver.url;
    await inline.receiver.close();
    let calls = 0;
    (inline.endpoint as unknown as { deps: { sleep: (ms: number, s: AbortSignal) => Promise<void> } }).deps.sleep = async () => {
      if (++calls >= 3) await startReceiverOn(url);
    };
    inline.endpoint.enqueue(CYCLE, 1000);
    await inline.endpoint.whenIdle();
    const logs = [...basic.log.lines, ...bearer.log.lines, ...inline.log.lines].join('\n');
    assert.match(logs, /server returned HTTP status 401: Unauthorized/);
    assert.match(logs, /server returned HTTP status 403/);
    assert.match(logs, /send failed: ECONNREFUSED/);
    for (const secret of ['file-secret-42', 'header-secret-7', 'bearer-secret-9', 'inline-secret-5', Buffer.from('u:file-secret-42').toString('base64'), Buffer.from('u:inline-secret-5').toString('base64')]) {
      assert.ok(!logs.includes(secret), `${secret} appears in the log:\n${logs}`);
    }
    for (const r of [basic, bearer, inline]) await r.endpoint.stop(0);
  });

  test('the metrics, in both formats, with remote_name and url', async () => {
    const r = await rig('      min_backoff: 1ms\n');
    r.receiver.answers.push({ status: 500 }, { status: 400 });
    r.endpoint.enqueue(CYCLE, 1_700_000_000_000);
    await r.endpoint.whenIdle();
    r.endpoint.enqueue(CYCLE, 1_700_000_001_000);
    await r.endpoint.whenIdle();
    r.metrics.highestSeconds = 1_700_000_001;
    const text = r.metrics.render('text');
    const om = r.metrics.render('openmetrics');
    assert.ok(om.includes('# TYPE namedprocess_exporter_remote_storage_samples counter\n'), om);
    assert.ok(text.includes('# TYPE namedprocess_exporter_remote_storage_samples_total counter\n'), text);
    const l = `remote_name="test",url="${r.receiver.url}"`;
    for (const line of [
      `namedprocess_exporter_remote_storage_samples_total{${l}} 3`,
      `namedprocess_exporter_remote_storage_samples_failed_total{${l}} 3`,
      `namedprocess_exporter_remote_storage_samples_retried_total{${l}} 3`,
      `namedprocess_exporter_remote_storage_samples_dropped_total{${l}} 0`,
      `namedprocess_exporter_remote_storage_samples_pending{${l}} 0`,
      `namedprocess_exporter_remote_storage_queue_highest_sent_timestamp_seconds{${l}} 1700000001`,
      'namedprocess_exporter_remote_storage_highest_timestamp_in_seconds 1700000001',
      `namedprocess_exporter_remote_storage_sent_batch_duration_seconds_count{${l}} 3`,
    ]) {
      assert.ok(text.split('\n').includes(line), `missing ${line} in\n${text}`);
    }
    await r.endpoint.stop(0);
  });

  test('an error answer with an endless body: its first KiB is read, the rest never; the log says the status', async () => {
    // a receiver that answers 500 and then writes body chunks for as long as anyone reads them
    let written = 0;
    let requests = 0;
    const server = createHttpServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (++requests > 1) {
          res.writeHead(204).end();
          return;
        }
        res.writeHead(500, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        chunk.write('disk on fire\n');
        const pump = () => {
          while (!res.destroyed && written < 128 * 1024 * 1024) {
            written += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', pump);
          }
          res.end();
        };
        pump();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/w`;
      // remote_timeout far beyond the test's life: only a bounded read lets the send end
      const cfg = pushConfig(`remote_write:\n  - url: ${url}\n    name: test\n    remote_timeout: 1h\n    queue_config:\n      min_backoff: 1ms\n`);
      const metrics = new PushMetrics();
      const log = memoryLogger();
      const endpoint = new Endpoint(cfg.remoteWrite[0], { targetLabels: [], externalLabels: [], rules: [] }, { log, stats: metrics.endpoint({ remote_name: 'test', url }), userAgent: 'test', tls: {}, sleep: async () => {} });
      endpoint.enqueue(CYCLE, 1000);
      await endpoint.whenIdle();
      assert.deepEqual([metrics.endpoints[0].sent, metrics.endpoints[0].retried], [3, 3]);
      assert.deepEqual(log.lines.filter((l) => !l.startsWith('debug: ')), ['remote_write test: server returned HTTP status 500: disk on fire: retrying with backoff (the queue keeps 3 samples)', 'remote_write test: sending again after 1 failed attempts']);
      // what the receiver got to write before the connection was dropped: socket buffers, not the body
      assert.ok(written < 64 * 1024 * 1024, `the receiver wrote ${written} bytes`);
      await endpoint.stop(0);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  test('redirects: a 307 is followed to where it points, with the same body and headers; up to 10; follow_redirects: false refuses', async () => {
    const there = await startReceiver();
    receivers.push(there);
    const r = await rig('      min_backoff: 1ms\n', '    headers:\n      X-Scope-OrgID: t1\n');
    r.receiver.answers.push({ status: 307, headers: { location: there.url } });
    r.endpoint.enqueue(CYCLE, 1000);
    await r.endpoint.whenIdle();
    assert.equal(there.requests.length, 1);
    assert.deepEqual(there.requests[0].series, r.receiver.requests[0].series);
    assert.equal(there.requests[0].headers['x-scope-orgid'], 't1');
    assert.deepEqual([r.metrics.endpoints[0].sent, r.metrics.endpoints[0].failed], [3, 0]);
    // a relative Location, a 308 and a 302 on the same receiver: each is followed
    r.receiver.answers.push({ status: 308, headers: { location: '/other' } }, { status: 302, headers: { location: 'third' } });
    r.endpoint.enqueue(CYCLE, 2000);
    await r.endpoint.whenIdle();
    assert.equal(r.receiver.requests.length, 4);
    assert.equal(r.metrics.endpoints[0].sent, 6);
    // eleven redirects in a row: the eleventh is not followed, the attempt is retried
    for (let i = 0; i < 11; i++) r.receiver.answers.push({ status: 307, headers: { location: r.receiver.url } });
    r.endpoint.enqueue(CYCLE, 3000);
    await r.endpoint.whenIdle();
    assert.equal(r.receiver.requests.length, 4 + 11 + 1);
    assert.match(r.log.lines.join('\n'), /remote_write test: stopped after 10 redirects: retrying with backoff/);
    assert.equal(r.metrics.endpoints[0].sent, 9);
    await r.endpoint.stop(0);

    const off = await rig('      min_backoff: 1ms\n', '    follow_redirects: false\n');
    off.receiver.answers.push({ status: 307, headers: { location: there.url } });
    off.endpoint.enqueue(CYCLE, 1000);
    await off.endpoint.whenIdle();
    assert.equal(there.requests.length, 1);
    assert.deepEqual([off.metrics.endpoints[0].sent, off.metrics.endpoints[0].failed], [0, 3]);
    assert.match(off.log.lines.join('\n'), /server returned HTTP status 307: 3 samples not sent, not retrying/);
    await off.endpoint.stop(0);
  });

  test('"the queue is full" is logged once while the backlog of an outage drains, again only after it caught up', async () => {
    const r = await rig('      capacity: 6\n      max_samples_per_send: 3\n      min_backoff: 1ms\n      max_backoff: 1ms\n');
    const gate: Array<() => void> = [];
    (r.endpoint as unknown as { deps: { sleep: (ms: number) => Promise<void> } }).deps.sleep = () => new Promise<void>((resolve) => gate.push(resolve));
    const waitForGate = async () => {
      for (let i = 0; i < 500 && gate.length === 0; i++) await new Promise((res) => setTimeout(res, 5));
      assert.equal(gate.length, 1);
    };
    // the outage: the first attempt fails, cycles keep coming, the queue overflows
    r.receiver.answers.push({ status: 503 }, { status: 204 }, { status: 503 });
    r.endpoint.enqueue(CYCLE, 1000);
    await waitForGate();
    for (const ts of [2000, 3000, 4000]) r.endpoint.enqueue(CYCLE, ts);
    // the receiver is back for one batch, then away again: the queue has not emptied, more cycles drop
    gate.shift()!();
    await waitForGate();
    for (const ts of [5000, 6000]) r.endpoint.enqueue(CYCLE, ts);
    gate.shift()!();
    await r.endpoint.whenIdle();
    const s = r.metrics.endpoints[0];
    assert.equal(s.pending, 0);
    const errors = r.log.lines.filter((l) => !l.startsWith('debug: '));
    assert.equal(errors.filter((l) => l.includes('the queue is full')).length, 1, errors.join('\n'));
    assert.equal(r.log.lines.filter((l) => l.includes('the queue is full')).length, 3);
    assert.match(errors.join('\n'), /remote_write test: the queue has caught up/);
    // caught up: a new overflow is a new episode, logged again
    r.receiver.answers.push({ status: 503 });
    r.endpoint.enqueue(CYCLE, 7000);
    await waitForGate();
    for (const ts of [8000, 9000]) r.endpoint.enqueue(CYCLE, ts);
    assert.equal(r.log.lines.filter((l) => !l.startsWith('debug: ') && l.includes('the queue is full')).length, 2);
    gate.shift()!();
    await r.endpoint.whenIdle();
    await r.endpoint.stop(0);
  });

  // a read that waited for the FIFO would never end: the timeout turns that into a failure
  test('password_file: a FIFO is refused, not waited for; a file that turns unreadable keeps the last value', { timeout: 60_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npe-push-fifo-'));
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const r = await rig('      min_backoff: 1ms\n', `    basic_auth:\n      username: u\n      password_file: ${fifo}\n`);
    let waits = 0;
    let stopped: Promise<void> | undefined;
    (r.endpoint as unknown as { deps: { sleep: (ms: number) => Promise<void> } }).deps.sleep = async () => {
      if (++waits === 3) stopped = r.endpoint.stop(0);
    };
    r.endpoint.enqueue(CYCLE, 1000);
    await r.endpoint.whenIdle();
    await stopped;
    assert.equal(r.receiver.requests.length, 0);
    assert.match(r.log.lines.join('\n'), new RegExp(`remote_write test: cannot read basic_auth.password_file ${fifo}: ENOTREG: retrying with backoff`));

    const pw = join(dir, 'pw');
    writeFileSync(pw, 'first\n');
    const k = await rig('      min_backoff: 1ms\n', `    basic_auth:\n      username: u\n      password_file: ${pw}\n`);
    k.endpoint.enqueue(CYCLE, 1000);
    await k.endpoint.whenIdle();
    // the file becomes a FIFO, then a file too large to be a secret: the last value read goes on
    unlinkSync(pw);
    execFileSync('mkfifo', [pw]);
    k.endpoint.enqueue(CYCLE, 2000);
    await k.endpoint.whenIdle();
    unlinkSync(pw);
    writeFileSync(pw, 'x'.repeat(100 * 1024));
    k.endpoint.enqueue(CYCLE, 3000);
    await k.endpoint.whenIdle();
    writeFileSync(pw, 'second');
    k.endpoint.enqueue(CYCLE, 4000);
    await k.endpoint.whenIdle();
    const basic = (p: string) => 'Basic ' + Buffer.from(`u:${p}`).toString('base64');
    assert.deepEqual(k.receiver.requests.map((q) => q.headers.authorization), [basic('first'), basic('first'), basic('first'), basic('second')]);
    assert.deepEqual(k.log.lines.filter((l) => !l.startsWith('debug: ')), [
      `remote_write test: cannot read basic_auth.password_file ${pw}: ENOTREG: using the value read before`,
      `remote_write test: cannot read basic_auth.password_file ${pw}: EFBIG: using the value read before`,
    ]);
    await k.endpoint.stop(0);
  });

});

/** A receiver on the port of a URL a closed one had. */
async function startReceiverOn(url: string): Promise<TestReceiver> {
  const rec = await startReceiver(Number(new URL(url).port));
  receivers.push(rec);
  return rec;
}

describe('TLS to the receiver', { skip: opensslMissing() }, () => {
  test('ca_file, client certificate, server_name and insecure_skip_verify', async () => {
    const pki = makePki();
    const seen: Array<{ authorized: boolean; cn: string }> = [];
    const server = createHttpsServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCrt), ca: readFileSync(pki.caCrt), requestCert: true, rejectUnauthorized: false }, (req, res) => {
      const sock = req.socket as TLSSocket;
      seen.push({ authorized: sock.authorized, cn: String(sock.getPeerCertificate()?.subject?.CN ?? '') });
      req.resume();
      req.on('end', () => {
        res.writeHead(204);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/write`;
    const attempt = async (tlsYaml: string): Promise<{ sent: number; log: string }> => {
      const cfg = pushConfig(`remote_write:\n  - url: ${url}\n    name: tls\n    tls_config:\n${tlsYaml}`);
      const metrics = new PushMetrics();
      const log = memoryLogger();
      const rw = cfg.remoteWrite[0];
      const read = (f: string) => (f === '' ? undefined : readFileSync(f, 'utf8'));
      const endpoint: Endpoint = new Endpoint(rw, { targetLabels: [], externalLabels: [], rules: [] }, {
        log,
        stats: metrics.endpoint({ remote_name: 'tls', url }),
        userAgent: 'test',
        tls: { ca: read(rw.tls.caFile), cert: read(rw.tls.certFile), key: read(rw.tls.keyFile) },
        // a failed attempt ends the test's sending: stop instead of waiting to retry
        sleep: async () => (endpoint as unknown as { abort: AbortController }).abort.abort(),
      });
      endpoint.enqueue(CYCLE, 1000);
      await endpoint.whenIdle();
      await endpoint.stop(0);
      return { sent: metrics.endpoints[0].sent, log: log.lines.join('\n') };
    };
    try {
      assert.equal((await attempt(`      ca_file: ${pki.caCrt}\n      cert_file: ${pki.clientCrt}\n      key_file: ${pki.clientKey}\n`)).sent, 3);
      assert.deepEqual(seen.pop(), { authorized: true, cn: 'client' });
      assert.equal((await attempt(`      ca_file: ${pki.caCrt}\n      server_name: localhost\n`)).sent, 3);
      assert.deepEqual(seen.pop(), { authorized: false, cn: '' });
      const wrongName = await attempt(`      ca_file: ${pki.caCrt}\n      server_name: other.example\n`);
      assert.equal(wrongName.sent, 0);
      assert.match(wrongName.log, /remote_write tls: send failed: ERR_TLS_CERT_ALTNAME_INVALID: retrying with backoff/);
      const noCa = await attempt('      server_name: localhost\n');
      assert.equal(noCa.sent, 0);
      assert.match(noCa.log, /remote_write tls: send failed: SELF_SIGNED_CERT_IN_CHAIN: retrying with backoff/);
      assert.equal((await attempt('      insecure_skip_verify: true\n')).sent, 3);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });
});

describe('the push schedule', () => {
  test('each cycle is pushed once, all its samples with its end time; the groups, the own metrics, job and instance', async () => {
    const h = await Harness.start([{ pid: 10, comm: 'alpha' }, { pid: 11, comm: 'alpha' }], { procnames: ['alpha'] });
    const receiver = await startReceiver();
    receivers.push(receiver);
    const cfg = pushConfig(`global:\n  scrape_interval: 100ms\n  external_labels: {site: t}\nremote_write:\n  - url: ${receiver.url}\n    name: sched\n`);
    const pusher = await Pusher.create(cfg, { collector: h.collector, log: h.log, version: 'test', instance: 'box' });
    pusher.start();
    for (let i = 0; i < 300 && receiver.requests.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await pusher.stop(1000);
    assert.ok(receiver.requests.length >= 3, `pushes: ${receiver.requests.length}`);
    const stamps = receiver.requests.map((q) => new Set(q.series.map((x) => x.samples[0].timestampMs)));
    assert.ok(stamps.every((s) => s.size === 1), 'one timestamp per cycle');
    const ts = stamps.map((s) => [...s][0]);
    assert.ok(ts.every((t, i) => i === 0 || t > ts[i - 1]), `increasing: ${ts.join(' ')}`);
    const names = (q: { series: Array<{ labels: Array<[string, string]> }> }) => q.series.map((x) => Object.fromEntries(x.labels));
    const last = names(receiver.requests[receiver.requests.length - 1]);
    assert.deepEqual(last.find((l) => l.__name__ === 'namedprocess_namegroup_num_procs'), { __name__: 'namedprocess_namegroup_num_procs', groupname: 'alpha', instance: 'box', job: PUSH_JOB, site: 't' });
    assert.ok(last.some((l) => l.__name__ === 'namedprocess_exporter_remote_storage_samples_total' && l.remote_name === 'sched'));
    assert.ok(last.some((l) => l.__name__ === 'process_exporter_build_info'));
    assert.match(h.log.lines.join('\n'), /Pushing every 0\.1s to remote_write sched \(http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write\)/);
    await h.close();
  });
});
