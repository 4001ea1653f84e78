import { test } from 'node:test';
import assert from 'node:assert/strict';
import { busyFraction, parseHostCpu, parseHostMemory } from '../src/proc/parse/host';
import { systemStatText } from './fakeproc';

test('the aggregate cpu line: busy excludes idle and iowait, cores are the cpuN lines', () => {
  // cpu  2891 0 1528 54067 204 0 75 10 0 0 (user nice system idle iowait irq softirq steal guest guest_nice)
  assert.deepEqual(parseHostCpu(systemStatText(1)), { busy: 2891 + 1528 + 75 + 10, total: 2891 + 1528 + 75 + 10 + 54067 + 204, cores: 2 });
});

test('an old kernel with four cpu fields still parses', () => {
  assert.deepEqual(parseHostCpu('cpu 10 0 5 85\ncpu0 10 0 5 85\n'), { busy: 15, total: 100, cores: 1 });
});

test('a stat file without a usable cpu line is an error naming the file', () => {
  assert.throws(() => parseHostCpu('intr 1\nbtime 5\n'), { message: 'stat: no valid aggregate "cpu" line' });
  assert.throws(() => parseHostCpu('cpu 1 x 3 4\n'), { message: 'stat: no valid aggregate "cpu" line' });
});

test('busy fraction between two readings', () => {
  const a = { busy: 100, total: 1000, cores: 2 };
  assert.equal(busyFraction(a, { busy: 150, total: 1200, cores: 2 }), 0.25);
  assert.equal(busyFraction(a, a), null);
});

test('meminfo: used is total minus available, in bytes', () => {
  const text = 'MemTotal:       24684084 kB\nMemFree:        23389200 kB\nMemAvailable:   23956096 kB\nBuffers:           21004 kB\nHugePages_Total:       0\n';
  assert.deepEqual(parseHostMemory(text), { totalBytes: 24684084 * 1024, usedBytes: (24684084 - 23956096) * 1024 });
});

test('meminfo without MemAvailable falls back to free + buffers + cached', () => {
  assert.deepEqual(parseHostMemory('MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 50 kB\nCached: 250 kB\n'), { totalBytes: 1024000, usedBytes: 600 * 1024 });
  assert.throws(() => parseHostMemory('MemFree: 100 kB\n'), { message: 'meminfo: no MemTotal line' });
});
