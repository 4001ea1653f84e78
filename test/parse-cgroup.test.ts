import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupPathsOrEmpty } from '../src/proc/parse/cgroup';

test('v1 and v2 lines: the third field, in order', () => {
  const real = '9:name=systemd:/\n4:memory:/process_api/f3f1\n1:cpu:/\n0::/system.slice/docker-8dde.scope\n';
  assert.deepEqual(cgroupPathsOrEmpty(real), ['/', '/process_api/f3f1', '/', '/system.slice/docker-8dde.scope']);
});

test('the path may itself contain colons', () => {
  assert.deepEqual(cgroupPathsOrEmpty('0::/a:b:c\n'), ['/a:b:c']);
});

test('an empty file gives no paths; a final line without newline counts', () => {
  assert.deepEqual(cgroupPathsOrEmpty(''), []);
  assert.deepEqual(cgroupPathsOrEmpty('0::/x'), ['/x']);
});

test('a short line, a bad hierarchy id or an over-long line: the exporter uses []', () => {
  assert.deepEqual(cgroupPathsOrEmpty('0:/x\n'), []); // 2 fields
  assert.deepEqual(cgroupPathsOrEmpty('x::/a\n'), []); // hierarchy id not an integer
  assert.deepEqual(cgroupPathsOrEmpty('0::/a\n\n0::/b\n'), []); // an empty line has 1 field
  assert.deepEqual(cgroupPathsOrEmpty(`0::/${'a'.repeat(70_000)}\n`), []); // longer than bufio.Scanner's token
  assert.deepEqual(cgroupPathsOrEmpty('0::/a\nbroken\n'), []);
  assert.deepEqual(cgroupPathsOrEmpty('-1::/a\n'), ['/a']);
});
