import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCmdline } from '../src/proc/parse/cmdline';

test('NUL-separated argv with the trailing NUL trimmed', () => {
  assert.deepEqual(parseCmdline('./process-exporter\0-procnames\0bash\0'), ['./process-exporter', '-procnames', 'bash']);
});

test('kernel threads: an empty file gives []', () => {
  assert.deepEqual(parseCmdline(''), []);
  assert.deepEqual(parseCmdline(Buffer.alloc(0)), []);
});

test('empty inner elements survive; all trailing NULs are trimmed', () => {
  assert.deepEqual(parseCmdline('a\0\0b\0'), ['a', '', 'b']);
  assert.deepEqual(parseCmdline('a\0b\0\0\0'), ['a', 'b']);
  assert.deepEqual(parseCmdline('\0a'), ['', 'a']);
  // Only NULs: trimmed to "", which Go's strings.Split turns into one empty element.
  assert.deepEqual(parseCmdline('\0\0'), ['']);
});

test('no trailing NUL, and a rewritten argv with spaces stays one element', () => {
  assert.deepEqual(parseCmdline('postgres: checkpointer '), ['postgres: checkpointer ']);
});

test('invalid UTF-8 decodes to U+FFFD, per element', () => {
  const b = Buffer.from([0x61, 0xff, 0x00, 0x62, 0x00]);
  assert.deepEqual(parseCmdline(b), ['a\uFFFD', 'b']);
});
