import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatOpenMetricsFloat, formatTextFloat } from '../src/expose/gofloat';

test('formatTextFloat: expfmt writeFloat prints both zeros as 0', () => {
  assert.equal(formatTextFloat(0), '0');
  assert.equal(formatTextFloat(-0), '0');
  assert.equal(formatTextFloat(1), '1');
  assert.equal(formatTextFloat(-1), '-1');
  assert.equal(formatTextFloat(1e6), '1e+06');
  assert.equal(formatTextFloat(0.5), '0.5');
  assert.equal(formatTextFloat(NaN), 'NaN');
  assert.equal(formatTextFloat(Infinity), '+Inf');
});

test('formatOpenMetricsFloat: expfmt writeOpenMetricsFloat appends .0 to integral values', () => {
  const cases: [number, string][] = [
    [0, '0.0'],
    [-0, '0.0'],
    [1, '1.0'],
    [-1, '-1.0'],
    [40960, '40960.0'],
    [-7, '-7.0'],
    [1e6, '1e+06'],
    [1048576, '1.048576e+06'],
    [0.5, '0.5'],
    [0.00001, '1e-05'],
    [-62135596800, '-6.21355968e+10'],
    [NaN, 'NaN'],
    [Infinity, '+Inf'],
    [-Infinity, '-Inf'],
  ];
  for (const [v, want] of cases) assert.equal(formatOpenMetricsFloat(v), want, `value ${v}`);
});
