import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiate } from '../src/expose/content';

const TEXT = { format: 'text', contentType: 'text/plain; version=0.0.4; charset=utf-8; escaping=values' };
const OM_1 = { format: 'openmetrics', contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=values' };
const OM_001 = {
  format: 'openmetrics',
  contentType: 'application/openmetrics-text; version=0.0.1; charset=utf-8; escaping=values',
};

test('negotiate: text by default and for plain text requests', () => {
  assert.deepEqual(negotiate(undefined), TEXT);
  assert.deepEqual(negotiate(''), TEXT);
  assert.deepEqual(negotiate('*/*'), TEXT);
  assert.deepEqual(negotiate('text/plain'), TEXT);
  assert.deepEqual(negotiate('text/plain;version=0.0.4'), TEXT);
  assert.deepEqual(negotiate('application/json'), TEXT);
  assert.deepEqual(negotiate('garbage;;;,,,/'), TEXT);
  // Protobuf is not served: such a clause is skipped, the next acceptable one wins.
  assert.deepEqual(
    negotiate('application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.7,text/plain;version=0.0.4;q=0.3,*/*;q=0.1'),
    TEXT,
  );
});

test('negotiate: OpenMetrics when asked for, by version', () => {
  assert.deepEqual(negotiate('application/openmetrics-text; version=1.0.0'), OM_1);
  assert.deepEqual(negotiate('application/openmetrics-text;version=0.0.1'), OM_001);
  // No version: expfmt answers with its 0.0.1 content type (the body is the same).
  assert.deepEqual(negotiate('application/openmetrics-text'), OM_001);
  // An unknown version is not OpenMetrics we can produce.
  assert.deepEqual(negotiate('application/openmetrics-text;version=2.0.0'), TEXT);
  // Prometheus 2.x default scrape Accept header.
  assert.deepEqual(
    negotiate('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'),
    OM_1,
  );
});

test('negotiate: q-values decide, q=0 refuses, wildcards come last', () => {
  assert.deepEqual(negotiate('application/openmetrics-text;version=1.0.0;q=0.2,text/plain;q=0.9'), TEXT);
  assert.deepEqual(negotiate('text/plain;q=0.2,application/openmetrics-text;version=1.0.0;q=0.9'), OM_1);
  assert.deepEqual(negotiate('application/openmetrics-text;version=1.0.0;q=0,text/plain;q=0.1'), TEXT);
  assert.deepEqual(negotiate('*/*,application/openmetrics-text;version=1.0.0'), OM_1);
  // Equal q: header order.
  assert.deepEqual(negotiate('text/plain,application/openmetrics-text;version=1.0.0'), TEXT);
});

test('negotiate: an escaping parameter is echoed like expfmt does', () => {
  // Prometheus 3.x default scrape Accept header.
  const p3 =
    'application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,' +
    'text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1';
  assert.deepEqual(negotiate(p3), {
    format: 'openmetrics',
    contentType: 'application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8',
  });
  assert.deepEqual(negotiate('text/plain;version=0.0.4;escaping=underscores'), {
    format: 'text',
    contentType: 'text/plain; version=0.0.4; charset=utf-8; escaping=underscores',
  });
  // Unknown schemes are ignored.
  assert.deepEqual(negotiate('text/plain;escaping=bogus'), TEXT);
});
