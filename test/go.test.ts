import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { formatGoDuration, parseGoDuration, yamlDurationMs } from '../src/go/duration';
import { goErrText, goPathError } from '../src/go/errno';
import { formatFloat, formatGoFloat } from '../src/go/float';
import { goQuote, goQuoteRune, isPrint } from '../src/go/quote';
import { compareGoStrings } from '../src/go/strings';
import { goArch, goOs } from '../src/go/platform';

// ---------------------------------------------------------------- strconv quoting

describe('goQuote', () => {
  test('matches strconv.Quote', () => {
    assert.equal(goQuote('abc'), '"abc"');
    assert.equal(goQuote('a b'), '"a b"');
    assert.equal(goQuote('"\\'), '"\\"\\\\"');
    assert.equal(goQuote('\n\t\r\x07\x08\x0c\x0b'), '"\\n\\t\\r\\a\\b\\f\\v"');
    assert.equal(goQuote('\x00\x7f'), '"\\x00\\x7f"');
    assert.equal(goQuote('\u00b5s'), '"\u00b5s"');
    assert.equal(goQuote('\u00a0'), '"\\u00a0"'); // NBSP is not printable for Go
    assert.equal(goQuote('\u{1F600}'), '"\u{1F600}"');
    assert.equal(goQuote('\u{E0001}'), '"\\U000e0001"');
  });
});

test('goQuoteRune and QuoteToASCII', () => {
  assert.equal(goQuoteRune(0x61), "'a'");
  assert.equal(goQuoteRune(0x27), "'\\''");
  assert.equal(goQuoteRune(0xd800), "'\ufffd'"); // a surrogate is not a rune: U+FFFD, printable
  assert.equal(goQuote('\u00b5', true), '"\\u00b5"');
  assert.equal(isPrint(0x20), true);
  assert.equal(isPrint(0xa0), false);
});

// ---------------------------------------------------------------- float formatting

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

test('formatFloat: the other verbs and precisions of strconv.FormatFloat', () => {
  const cases: [number, string, number, string][] = [
    [1.5, 'e', -1, '1.5e+00'],
    [1.5, 'f', -1, '1.5'],
    [1.5, 'f', 3, '1.500'],
    [2.5, 'f', 0, '2'],
    [3.5, 'f', 0, '4'],
    [123456789, 'g', 4, '1.235e+08'],
    [0.000012345, 'G', -1, '1.2345E-05'],
    [1e21, 'f', -1, '1000000000000000000000'],
    [-0, 'e', 2, '-0.00e+00'],
    [Infinity, 'f', 2, '+Inf'],
  ];
  for (const [v, fmt, prec, want] of cases) assert.equal(formatFloat(v, fmt, prec), want, `${v} ${fmt} ${prec}`);
  // The shortest %G and %g agree but for the letter case.
  for (const v of [0.1, 1e-7, 123456.5, 1234567, 5e-324, 2 ** 53]) assert.equal(formatFloat(v, 'G', -1).toLowerCase(), formatGoFloat(v));
});

// ---------------------------------------------------------------- durations

describe('time.ParseDuration', () => {
test('parseGoDuration accepts what time.ParseDuration accepts', () => {
  const ok: Array<[string, bigint]> = [
    ['0', 0n],
    ['+0', 0n],
    ['-0', 0n],
    ['0s', 0n],
    ['5s', 5_000_000_000n],
    ['500ms', 500_000_000n],
    ['1m30s', 90_000_000_000n],
    ['1h30m', 5_400_000_000_000n],
    ['1.5h', 5_400_000_000_000n],
    ['-1s', -1_000_000_000n],
    ['+2m', 120_000_000_000n],
    ['.5s', 500_000_000n],
    ['1.s', 1_000_000_000n],
    ['1ns', 1n],
    ['1us', 1000n],
    ['1\u00b5s', 1000n],
    ['1\u03bcs', 1000n],
    ['3h2m1s', 10_921_000_000_000n],
    ['1s1s', 2_000_000_000n],
    ['0.3333333333333333333h', 1_200_000_000_000n],
    ['1.0000000000000000000001s', 1_000_000_000n],
    ['9223372036854775807ns', 9_223_372_036_854_775_807n],
    ['-9223372036854775808ns', -9_223_372_036_854_775_808n],
    ['2562047h47m16.854775807s', 9_223_372_036_854_775_807n],
  ];
  for (const [s, ns] of ok) assert.equal(parseGoDuration(s), ns, s);
});

test('parseGoDuration rejects what time.ParseDuration rejects, with Go messages', () => {
  const bad: Array<[string, string]> = [
    ['', 'time: invalid duration ""'],
    ['5', 'time: missing unit in duration "5"'],
    ['1.', 'time: missing unit in duration "1."'],
    ['-', 'time: invalid duration "-"'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['1 s', 'time: unknown unit " s" in duration "1 s"'],
    ['1S', 'time: unknown unit "S" in duration "1S"'],
    ['1s5', 'time: missing unit in duration "1s5"'],
    ['--1s', 'time: invalid duration "--1s"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['2562047h47m16.854775808s', 'time: invalid duration "2562047h47m16.854775808s"'],
    ['99999999999999999999s', 'time: invalid duration "99999999999999999999s"'],
  ];
  for (const [s, msg] of bad) assert.throws(() => parseGoDuration(s), { message: msg }, s);
});
});

test('yamlDurationMs: integers are nanoseconds, other text is time.ParseDuration, junk is null', () => {
  assert.equal(yamlDurationMs('1s'), 1000);
  assert.equal(yamlDurationMs('1m30s'), 90_000);
  assert.equal(yamlDurationMs('250ms'), 250);
  assert.equal(yamlDurationMs('1.5h'), 5_400_000);
  assert.equal(yamlDurationMs('0'), 0);
  assert.equal(yamlDurationMs('10'), 0.00001);
  assert.equal(yamlDurationMs('1d'), null);
  assert.equal(yamlDurationMs('10 s'), null);
  assert.equal(yamlDurationMs(''), null);
});

// ---------------------------------------------------------------- errno texts

test('goErrText and goPathError word errors like Go', () => {
  const err = (code: string) => Object.assign(new Error(`${code}: node wording`), { code });
  assert.equal(goPathError('open', '/x', err('ENOENT')), 'open /x: no such file or directory');
  assert.equal(goErrText(err('EACCES')), 'permission denied');
  assert.equal(goErrText(err('EADDRINUSE')), 'address already in use');
  assert.equal(goErrText(err('EWHATEVER')), 'EWHATEVER: node wording');
  assert.equal(goErrText('plain'), 'plain');
});

// ---------------------------------------------------------------- string ordering

test('compareGoStrings orders by UTF-8 bytes', () => {
  assert.ok(compareGoStrings('Z', 'a') < 0);
  assert.ok(compareGoStrings('a', 'ab') < 0);
  assert.equal(compareGoStrings('x', 'x'), 0);
  // U+FFFF (ef bf bf) < U+10000 (f0 90 80 80), though '\uffff' > '\ud800' as UTF-16.
  assert.ok(compareGoStrings('\uffff', '\ud800\udc00') < 0);
  assert.ok(compareGoStrings('\ud800\udc00', '\ue000') > 0);
  assert.ok(compareGoStrings('\ud7ff', '\ud800\udc00') < 0);
  assert.ok(compareGoStrings('\ud800\udc00', '\ud800\udc01') < 0);
});

describe('Go platform names', () => {
  test('GOARCH for Node arch names, ppc64 by byte order', () => {
    assert.deepEqual(
      [goArch('x64'), goArch('ia32'), goArch('arm64'), goArch('arm'), goArch('mipsel'), goArch('s390x'), goArch('ppc64', true), goArch('ppc64', false)],
      ['amd64', '386', 'arm64', 'arm', 'mipsle', 's390x', 'ppc64le', 'ppc64'],
    );
  });
  test('GOOS for Node platform names', () => {
    assert.deepEqual([goOs('linux'), goOs('darwin'), goOs('win32'), goOs('sunos')], ['linux', 'darwin', 'windows', 'solaris']);
  });
});

describe('formatGoDuration', () => {
  test('matches time.Duration.String', () => {
    const cases: Array<[bigint, string]> = [
      [0n, '0s'], [12n, '12ns'], [1_500n, '1.5\u00b5s'], [1_500_000n, '1.5ms'], [3_000_000_000n, '3s'],
      [90_000_000_000n, '1m30s'], [300_000_000_000n, '5m0s'], [5_400_000_000_000n, '1h30m0s'],
      [3_723_500_000_000n, '1h2m3.5s'], [1_000_000_001n, '1.000000001s'], [-2_000_000_000n, '-2s'],
    ];
    for (const [ns, want] of cases) assert.equal(formatGoDuration(ns), want, String(ns));
  });
  test('round-trips through time.ParseDuration', () => {
    for (const s of ['5m0s', '1h2m3.5s', '250ms', '1.5\u00b5s']) assert.equal(formatGoDuration(parseGoDuration(s)), s);
  });
});
