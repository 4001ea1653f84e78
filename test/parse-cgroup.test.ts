import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cgroupPathsOrEmpty, parseCgroupPaths } from '../src/proc/parse/cgroup';

test('v1 and v2 lines: the third field, in order', () => {
  const real = '9:name=systemd:/\n4:memory:/process_api/f3f1\n1:cpu:/\n0::/system.slice/docker-8dde.scope\n';
  assert.deepEqual(parseCgroupPaths(real), ['/', '/process_api/f3f1', '/', '/system.slice/docker-8dde.scope']);
});

test('the path may itself contain colons', () => {
  assert.deepEqual(parseCgroupPaths('0::/a:b:c\n'), ['/a:b:c']);
});

test('an empty file gives no paths; a final line without newline counts', () => {
  assert.deepEqual(parseCgroupPaths(''), []);
  assert.deepEqual(parseCgroupPaths('0::/x'), ['/x']);
});

test('a short line or a bad hierarchy id fails; the exporter then uses []', () => {
  assert.throws(() => parseCgroupPaths('0:/x\n'), /3\+ fields/);
  assert.throws(() => parseCgroupPaths('x::/a\n'), /hierarchy ID/);
  assert.throws(() => parseCgroupPaths('0::/a\n\n0::/b\n'), /3\+ fields/);
  assert.deepEqual(cgroupPathsOrEmpty('0::/a\nbroken\n'), []);
  assert.deepEqual(cgroupPathsOrEmpty('-1::/a\n'), ['/a']);
});
