import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseStatus } from '../src/proc/parse/status';

// From a real 6.18 kernel, shortened in the middle (the parser skips unknown keys).
const REAL = [
  'Name:\tcat',
  'Umask:\t0022',
  'State:\tR (running)',
  'Tgid:\t5091',
  'Pid:\t5091',
  'PPid:\t5088',
  'Uid:\t1000\t1001\t1002\t1003',
  'Gid:\t0\t0\t0\t0',
  'Groups:\t ',
  'VmRSS:\t    1664 kB',
  'VmSwap:\t      10 kB',
  'Threads:\t1',
  'Cpus_allowed_list:\t0-1',
  'voluntary_ctxt_switches:\t72',
  'nonvoluntary_ctxt_switches:\t6',
  '',
].join('\n');

test('parses uid, ctx switches and VmSwap from a real status', () => {
  assert.deepEqual(parseStatus(REAL), { uid: 1001, ctxVol: 72, ctxNonvol: 6, swapBytes: 10 * 1024 });
});

test('without a Uid line the uid is 0 (HEAD)', () => {
  const s = parseStatus(REAL.replace(/^Uid:.*\n/m, ''));
  assert.equal(s.uid, 0);
  assert.equal(s.ctxVol, 72);
});

test('missing ctxt and VmSwap lines read as 0', () => {
  assert.deepEqual(parseStatus('Name:\tx\nUid:\t5\t6\t7\t8\n'), { uid: 6, ctxVol: 0, ctxNonvol: 0, swapBytes: 0 });
  assert.deepEqual(parseStatus(''), { uid: 0, ctxVol: 0, ctxNonvol: 0, swapBytes: 0 });
});

test('a bad Uid or Gid line fails the read', () => {
  assert.throws(() => parseStatus('Uid:\t1000 1000 1000 1000\n'), /invalid syntax/);
  assert.throws(() => parseStatus('Uid:\tabc\t1\t1\t1\n'), /invalid syntax/);
  assert.throws(() => parseStatus('Uid:\n'), /invalid syntax/);
  assert.throws(() => parseStatus('Gid:\t-1\t0\t0\t0\n'), /invalid syntax/);
  assert.throws(() => parseStatus('Uid:\t1\t2\t3\t4\t5\n'), /more than 4/);
});

test('an unparsable counter makes the whole file unparsable, naming the key', () => {
  assert.throws(() => parseStatus('voluntary_ctxt_switches:\tlots\n'), { name: 'ParseError', message: 'voluntary_ctxt_switches: strconv.ParseUint: parsing "lots": invalid syntax' });
  assert.throws(() => parseStatus('nonvoluntary_ctxt_switches:\t-3\n'), { message: 'nonvoluntary_ctxt_switches: strconv.ParseUint: parsing "-3": invalid syntax' });
  assert.throws(() => parseStatus('voluntary_ctxt_switches:\t99999999999999999999\n'), { message: 'voluntary_ctxt_switches: strconv.ParseUint: parsing "99999999999999999999": value out of range' });
  assert.throws(() => parseStatus('VmSwap:\tx kB\n'), { message: 'VmSwap: strconv.ParseUint: parsing "x": invalid syntax' });
});

test('values are trimmed of spaces, k and B on both ends', () => {
  // bytes.Trim(v, " kB") in procfs v0.14, so "10kB" still reads as 10.
  assert.equal(parseStatus('VmSwap:\t10kB\n').swapBytes, 10240);
  assert.equal(parseStatus('voluntary_ctxt_switches:   7  \r\n').ctxVol, 7);
});

test('huge values: nearest float64, and VmSwap wraps like a uint64 multiply', () => {
  assert.equal(parseStatus('voluntary_ctxt_switches:\t18446744073709551615\n').ctxVol, 2 ** 64);
  // (2^54 + 1) kB * 1024 = 2^64 + 1024, which wraps to 1024.
  assert.equal(parseStatus('VmSwap:\t18014398509481985 kB\n').swapBytes, 1024);
  assert.equal(parseStatus('VmSwap:\t8796093022207 kB\n').swapBytes, 8796093022207 * 1024);
});

test('a one-field Uid line leaves the effective uid from an earlier line', () => {
  assert.equal(parseStatus('Uid:\t1\t2\t3\t4\nUid:\t9\n').uid, 2);
});
