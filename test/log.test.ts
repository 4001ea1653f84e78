// The log line format (src/base/log.ts): logfmt and JSON, levels, and messages that carry their own logfmt.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { adaptLogger, createLogger, formatLogLine, parseLogfmt } from '../src/base/log';

const T = new Date(Date.UTC(2026, 10, 29, 7, 47, 36, 512));

describe('formatLogLine', () => {
  test('logfmt: ts, level, msg, then the pairs in order; values quoted only when needed', () => {
    assert.equal(
      formatLogLine('logfmt', 'info', 'Listening on', { address: '[::]:9256', n: 3, ok: true, none: undefined, empty: '', q: 'a "b" = c\nd' }, T),
      'ts=2026-11-29T07:47:36.512Z level=info msg="Listening on" address=[::]:9256 n=3 ok=true empty="" q="a \\"b\\" = c\\nd"\n',
    );
    assert.equal(formatLogLine('logfmt', 'warn', 'x', {}, T), 'ts=2026-11-29T07:47:36.512Z level=warn msg=x\n');
  });

  test('JSON: the same keys in the same order', () => {
    const line = formatLogLine('json', 'error', 'boom', { err: 'e', pid: 7 }, T);
    assert.equal(line, '{"ts":"2026-11-29T07:47:36.512Z","level":"error","msg":"boom","err":"e","pid":7}\n');
  });

  test('a message that is itself logfmt (level=... msg=...) becomes the line, not a quoted msg', () => {
    assert.equal(
      formatLogLine('logfmt', 'error', 'level=error msg="Error gathering metrics" err="procfs went away"', {}, T),
      'ts=2026-11-29T07:47:36.512Z level=error msg="Error gathering metrics" err="procfs went away"\n',
    );
    assert.equal(
      formatLogLine('json', 'info', 'level=info msg="TLS is disabled." http2=false address=127.0.0.1:1', {}, T),
      '{"ts":"2026-11-29T07:47:36.512Z","level":"info","msg":"TLS is disabled.","http2":"false","address":"127.0.0.1:1"}\n',
    );
    // not valid logfmt after all: kept whole as the message, and the line still parses
    const odd = formatLogLine('logfmt', 'error', 'level=error msg="Error serving /a"b" err=x', {}, T);
    assert.deepEqual(parseLogfmt(odd.trimEnd())?.map(([k]) => k), ['ts', 'level', 'msg']);
  });

  test('keys that are not identifiers are made into ones', () => {
    assert.equal(formatLogLine('logfmt', 'info', 'm', { 'a b=c': 1 }, T), 'ts=2026-11-29T07:47:36.512Z level=info msg=m a_b_c=1\n');
  });
});

describe('parseLogfmt', () => {
  test('accepts what the formatter writes and rejects broken lines', () => {
    assert.deepEqual(parseLogfmt('a=1 b="x y" c=""'), [['a', '1'], ['b', 'x y'], ['c', '']]);
    assert.equal(parseLogfmt('2026/11/29 07:47:36 level=info msg="Listening on"'), null);
    assert.equal(parseLogfmt('a="unterminated'), null);
    assert.equal(parseLogfmt('a=1  b=2'), null);
    assert.equal(parseLogfmt('a=b"c'), null);
  });
});

describe('createLogger', () => {
  test('drops lines below the level; -debug is level debug', () => {
    const out: string[] = [];
    const log = createLogger({ level: 'warn', write: (l) => out.push(l), now: () => T });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.deepEqual(out.map((l) => parseLogfmt(l.trimEnd())![1]![1]), ['warn', 'error']);
    assert.equal(log.debugEnabled, false);
    assert.equal(createLogger({ debug: true, write: () => {} }).debugEnabled, true);
  });

  test("an app's logger gets the fields appended to the message", () => {
    const got: string[] = [];
    const log = adaptLogger({ info: (m: string) => got.push(m), error: (m: string) => got.push('E ' + m) });
    log.info('Listening on', { address: ':9256' });
    log.warn('w');
    log.debug('not kept');
    assert.deepEqual(got, ['Listening on address=:9256', 'w']);
    assert.equal(log.debugEnabled, false);
  });
});
