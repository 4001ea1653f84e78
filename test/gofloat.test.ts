import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoFloat, formatOpenMetricsFloat, formatTextFloat } from '../src/expose/gofloat';

// Expected strings are what Go's strconv.FormatFloat(v, 'g', -1, 64) prints.
const GO_CASES: [number, string][] = [
  [0, '0'],
  [-0, '-0'],
  [1, '1'],
  [-1, '-1'],
  [40960, '40960'],
  [100000, '100000'],
  [999999, '999999'],
  [-999999, '-999999'],
  [1e6, '1e+06'],
  [-1e6, '-1e+06'],
  [1048576, '1.048576e+06'],
  [1700000123, '1.700000123e+09'],
  [0.0001, '0.0001'],
  [0.00001, '1e-05'],
  [0.000123, '0.000123'],
  [0.0000123, '1.23e-05'],
  [5.421010862427522e-19, '5.421010862427522e-19'],
  [18446744073709551615, '1.8446744073709552e+19'],
  [0.19999999999999996, '0.19999999999999996'],
  [0.1, '0.1'],
  [123456, '123456'],
  [123456.5, '123456.5'],
  [999999.5, '999999.5'],
  [1234567, '1.234567e+06'],
  [1234567.5, '1.2345675e+06'],
  [-62135596800, '-6.21355968e+10'],
  [1e21, '1e+21'],
  [1e100, '1e+100'],
  [1e-7, '1e-07'],
  [5e-324, '5e-324'],
  [1.7976931348623157e308, '1.7976931348623157e+308'],
  [2 ** 53, '9.007199254740992e+15'],
  [Infinity, '+Inf'],
  [-Infinity, '-Inf'],
  [NaN, 'NaN'],
];

test('formatGoFloat matches Go strconv.FormatFloat(v, g, -1, 64)', () => {
  for (const [v, want] of GO_CASES) assert.equal(formatGoFloat(v), want, `value ${v}`);
});

test('formatGoFloat: round-trips, uses shortest digits, and picks %e exactly when exp < -4 || exp >= 6', () => {
  // Deterministic pseudo-random doubles over the whole exponent range, plus integers.
  let seed = 0x12345678;
  const rnd = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const buf = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < 20000; i++) {
    let v: number;
    if (i % 3 === 0) {
      buf.setUint32(0, (rnd() * 2 ** 32) >>> 0);
      buf.setUint32(4, (rnd() * 2 ** 32) >>> 0);
      v = buf.getFloat64(0);
      if (!Number.isFinite(v)) continue;
    } else if (i % 3 === 1) {
      v = Math.floor(rnd() * 10 ** Math.floor(rnd() * 16)) * (rnd() < 0.5 ? -1 : 1);
    } else {
      v = rnd() * 10 ** (Math.floor(rnd() * 24) - 10);
    }
    if (v === 0) continue;
    const s = formatGoFloat(v);
    assert.equal(Number(s), v, `round trip of ${v}: ${s}`);
    const e = s.indexOf('e');
    const digits = (e < 0 ? s : s.slice(0, e)).replace('-', '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    const exp = Math.floor(Math.log10(Math.abs(Number(s))));
    // JS exponent of the shortest representation (log10 may be off by one at powers of ten).
    const jsExp = Number(Math.abs(v).toExponential().split('e')[1]);
    assert.ok(Math.abs(exp - jsExp) <= 1);
    const shortest = Math.abs(v).toExponential().split('e')[0].replace('.', '');
    assert.equal(digits, shortest.replace(/0+$/, ''), `digits of ${v}`);
    if (jsExp < -4 || jsExp >= 6) {
      assert.ok(e > 0, `${v} should be in e-form: ${s}`);
      const ex = s.slice(e + 2);
      assert.ok(ex.length >= 2 && (ex.length === 2 || ex[0] !== '0'), `exponent digits of ${s}`);
      assert.ok(s[e + 1] === '+' || s[e + 1] === '-');
    } else {
      assert.equal(e, -1, `${v} should be plain: ${s}`);
    }
  }
});

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
