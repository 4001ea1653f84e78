import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIo } from '../src/proc/parse/io';

const REAL =
  'rchar: 1605958\nwchar: 69\nsyscr: 5534\nsyscw: 1\nread_bytes: 1814455\nwrite_bytes: 12\ncancelled_write_bytes: 0\n';

test('parses read_bytes and write_bytes of a real io file', () => {
  assert.deepEqual(parseIo(REAL), { readBytes: 1814455, writeBytes: 12 });
  assert.deepEqual(parseIo(Buffer.from(REAL)), { readBytes: 1814455, writeBytes: 12 });
});

test('a missing trailing newline and trailing text are accepted like Sscanf', () => {
  assert.deepEqual(parseIo(REAL.slice(0, -1)), { readBytes: 1814455, writeBytes: 12 });
  assert.deepEqual(parseIo(REAL + 'extra: 1\n'), { readBytes: 1814455, writeBytes: 12 });
  // cancelled_write_bytes is an int64 in procfs, so a sign is fine there.
  assert.deepEqual(parseIo(REAL.replace('cancelled_write_bytes: 0', 'cancelled_write_bytes: -5')).readBytes, 1814455);
});

test('missing lines, garbage and bad numbers fail', () => {
  assert.throws(() => parseIo(''), /EOF/);
  assert.throws(() => parseIo('rchar: 1\nwchar: 2\nsyscr: 3\nsyscw: 4\n'), /EOF/);
  assert.throws(() => parseIo('garbage'), /does not match/);
  assert.throws(() => parseIo(REAL.replace('read_bytes: 1814455', 'read_bytes: -1')), /expected integer/);
  assert.throws(() => parseIo(REAL.replace('read_bytes: 1814455', 'read_bytes:1814455')), /expected space/);
  assert.throws(() => parseIo(REAL.replace('read_bytes: 1814455', 'read_bytes: 18446744073709551616')), /out of range/);
  assert.throws(() => parseIo(REAL.replace('syscw: 1', 'syscw: 1 2')), /newline/);
});

test('the full uint64 range parses to the nearest float64', () => {
  const io = parseIo(REAL.replace('read_bytes: 1814455', 'read_bytes: 18446744073709551615'));
  assert.equal(io.readBytes, 18446744073709551615);
});
