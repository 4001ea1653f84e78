// -top-processes on fake trees with a fixed clock: which processes are exported one by one, the exact
// text of the namedprocess_process_* families, the retention rule and the 3N bound.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { Harness, BTIME, AFTER_START_TICKS } from './harness';
import type { FakeProc } from './fakeproc';
import { RETAIN_MS } from '../src/track/top-processes';

const open: Harness[] = [];
after(async () => {
  for (const h of open) await h.close();
});
async function start(procs: FakeProc[], opts: Parameters<typeof Harness.start>[1]): Promise<Harness> {
  const h = await Harness.start(procs, { gatherSmaps: false, threads: false, ...opts });
  open.push(h);
  return h;
}

/** the namedprocess_process_* part of a scrape */
function processPart(text: string): string {
  const from = text.indexOf('# HELP namedprocess_process_');
  return from < 0 ? '' : text.slice(from, text.indexOf('# HELP namedprocess_scrape_errors'));
}

/** the pids with a start_time sample, in the exposition's order */
function exportedPids(text: string): number[] {
  return [...text.matchAll(/^namedprocess_process_start_time_seconds\{.*pid="(\d+)"\}/gm)].map((m) => Number(m[1]));
}

const A: FakeProc = { pid: 10, comm: 'a', starttime: 500, utime: 100, stime: 50, rss: 10, readBytes: 1000, writeBytes: 2000, majflt: 1, minflt: 2, fdCount: 3 };
const B: FakeProc = { pid: 20, comm: 'b', starttime: 600, rss: 1000, utime: 7, stime: 1 };
const C: FakeProc = { pid: 9, comm: 'c', rss: 5, utime: 3 };

describe('-top-processes', () => {
  test('off by default: no namedprocess_process_* family', async () => {
    const h = await start([A, B, C], { procnames: ['a', 'b', 'c'] });
    await h.set([{ ...A, utime: 250 }, B, C]);
    assert.equal(processPart(await h.scrape()), '');
  });

  test('the busiest and the largest, with their own totals: exact text', async () => {
    const h = await start([A, B, C], { procnames: ['a', 'b', 'c'], topProcesses: 1 });
    await h.set([{ ...A, utime: 250 }, B, C]);
    assert.equal(processPart(await h.scrape()), [
      '# HELP namedprocess_process_cpu_seconds_total CPU seconds used by this process since it started, by mode',
      '# TYPE namedprocess_process_cpu_seconds_total counter',
      'namedprocess_process_cpu_seconds_total{comm="a",groupname="a",mode="system",pid="10"} 0.5',
      'namedprocess_process_cpu_seconds_total{comm="a",groupname="a",mode="user",pid="10"} 2.5',
      'namedprocess_process_cpu_seconds_total{comm="b",groupname="b",mode="system",pid="20"} 0.01',
      'namedprocess_process_cpu_seconds_total{comm="b",groupname="b",mode="user",pid="20"} 0.07',
      '# HELP namedprocess_process_major_page_faults_total Major page faults of this process since it started',
      '# TYPE namedprocess_process_major_page_faults_total counter',
      'namedprocess_process_major_page_faults_total{comm="a",groupname="a",pid="10"} 1',
      'namedprocess_process_major_page_faults_total{comm="b",groupname="b",pid="20"} 0',
      '# HELP namedprocess_process_memory_bytes number of bytes of memory used by this process, by memtype',
      '# TYPE namedprocess_process_memory_bytes gauge',
      'namedprocess_process_memory_bytes{comm="a",groupname="a",memtype="resident",pid="10"} 40960',
      'namedprocess_process_memory_bytes{comm="a",groupname="a",memtype="swapped",pid="10"} 0',
      'namedprocess_process_memory_bytes{comm="a",groupname="a",memtype="virtual",pid="10"} 3.13344e+06',
      'namedprocess_process_memory_bytes{comm="b",groupname="b",memtype="resident",pid="20"} 4.096e+06',
      'namedprocess_process_memory_bytes{comm="b",groupname="b",memtype="swapped",pid="20"} 0',
      'namedprocess_process_memory_bytes{comm="b",groupname="b",memtype="virtual",pid="20"} 3.13344e+06',
      '# HELP namedprocess_process_minor_page_faults_total Minor page faults of this process since it started',
      '# TYPE namedprocess_process_minor_page_faults_total counter',
      'namedprocess_process_minor_page_faults_total{comm="a",groupname="a",pid="10"} 2',
      'namedprocess_process_minor_page_faults_total{comm="b",groupname="b",pid="20"} 0',
      '# HELP namedprocess_process_num_threads Number of threads of this process',
      '# TYPE namedprocess_process_num_threads gauge',
      'namedprocess_process_num_threads{comm="a",groupname="a",pid="10"} 1',
      'namedprocess_process_num_threads{comm="b",groupname="b",pid="20"} 1',
      '# HELP namedprocess_process_open_filedesc number of open file descriptors of this process',
      '# TYPE namedprocess_process_open_filedesc gauge',
      'namedprocess_process_open_filedesc{comm="a",groupname="a",pid="10"} 3',
      'namedprocess_process_open_filedesc{comm="b",groupname="b",pid="20"} 3',
      '# HELP namedprocess_process_read_bytes_total number of bytes read from storage by this process since it started',
      '# TYPE namedprocess_process_read_bytes_total counter',
      'namedprocess_process_read_bytes_total{comm="a",groupname="a",pid="10"} 1000',
      'namedprocess_process_read_bytes_total{comm="b",groupname="b",pid="20"} 0',
      '# HELP namedprocess_process_start_time_seconds start time of this process in seconds since 1970/01/01',
      '# TYPE namedprocess_process_start_time_seconds gauge',
      'namedprocess_process_start_time_seconds{comm="a",groupname="a",pid="10"} 1.700000005e+09',
      'namedprocess_process_start_time_seconds{comm="b",groupname="b",pid="20"} 1.700000006e+09',
      '# HELP namedprocess_process_write_bytes_total number of bytes written to storage by this process since it started',
      '# TYPE namedprocess_process_write_bytes_total counter',
      'namedprocess_process_write_bytes_total{comm="a",groupname="a",pid="10"} 2000',
      'namedprocess_process_write_bytes_total{comm="b",groupname="b",pid="20"} 0',
      '',
    ].join('\n'));
  });

  test('sorted by comm, groupname, then pid as text; labels escaped; proportional memtypes with -gather-smaps', async () => {
    const cfg = (comm: string, pid: number, utime: number): FakeProc => ({ pid, comm, starttime: 100, utime, rss: 1, pssKb: 2 });
    const tree = [cfg('x"y', 9, 0), cfg('w', 10, 0), cfg('w', 100, 0), cfg('w', 9999, 0)];
    const h = await start(tree, { procnames: ['w', 'x"y'], topProcesses: 4, gatherSmaps: true });
    await h.set([cfg('x"y', 9, 1), cfg('w', 10, 1), cfg('w', 100, 1), cfg('w', 9999, 1)]);
    const text = processPart(await h.scrape());
    assert.deepEqual(text.split('\n').filter((l) => l.startsWith('namedprocess_process_memory_bytes{')).map((l) => l.slice(33)), [
      '{comm="w",groupname="w",memtype="proportionalResident",pid="10"} 2048',
      '{comm="w",groupname="w",memtype="proportionalResident",pid="100"} 2048',
      '{comm="w",groupname="w",memtype="proportionalResident",pid="9999"} 2048',
      '{comm="w",groupname="w",memtype="proportionalSwapped",pid="10"} 0',
      '{comm="w",groupname="w",memtype="proportionalSwapped",pid="100"} 0',
      '{comm="w",groupname="w",memtype="proportionalSwapped",pid="9999"} 0',
      '{comm="w",groupname="w",memtype="resident",pid="10"} 4096',
      '{comm="w",groupname="w",memtype="resident",pid="100"} 4096',
      '{comm="w",groupname="w",memtype="resident",pid="9999"} 4096',
      '{comm="w",groupname="w",memtype="swapped",pid="10"} 0',
      '{comm="w",groupname="w",memtype="swapped",pid="100"} 0',
      '{comm="w",groupname="w",memtype="swapped",pid="9999"} 0',
      '{comm="w",groupname="w",memtype="virtual",pid="10"} 3.13344e+06',
      '{comm="w",groupname="w",memtype="virtual",pid="100"} 3.13344e+06',
      '{comm="w",groupname="w",memtype="virtual",pid="9999"} 3.13344e+06',
      '{comm="x\\"y",groupname="x\\"y",memtype="proportionalResident",pid="9"} 2048',
      '{comm="x\\"y",groupname="x\\"y",memtype="proportionalSwapped",pid="9"} 0',
      '{comm="x\\"y",groupname="x\\"y",memtype="resident",pid="9"} 4096',
      '{comm="x\\"y",groupname="x\\"y",memtype="swapped",pid="9"} 0',
      '{comm="x\\"y",groupname="x\\"y",memtype="virtual",pid="9"} 3.13344e+06',
    ]);
  });

  test('only processes in a group are candidates; no CPU in the cycle and no memory do not qualify', async () => {
    const busyStranger: FakeProc = { pid: 30, comm: 'stranger', rss: 99999, utime: 0 };
    const h = await start([A, { ...B, rss: 0 }, C, busyStranger], { procnames: ['a', 'b', 'c'], topProcesses: 2 });
    await h.set([A, { ...B, rss: 0 }, C, { ...busyStranger, utime: 9999 }]);
    // no tracked process used CPU; a and c qualify by memory, b has none
    assert.deepEqual(exportedPids(await h.scrape()), [10, 9]);
  });

  test('a process that leaves the top stays exported for 5 minutes after it last qualified', async () => {
    assert.equal(RETAIN_MS, 300_000);
    const p = (pid: number, utime: number): FakeProc => ({ pid, comm: 'w', starttime: 100, utime, rss: 0 });
    const h = await start([p(1, 0), p(2, 0)], { procnames: ['w'], topProcesses: 1 });
    await h.set([p(1, 100), p(2, 0)]);
    assert.deepEqual(exportedPids(await h.scrape()), [1]);
    // pid 2 is the busiest from now on; pid 1 stays while within 5 minutes of its last qualifying cycle
    let t1 = 100;
    let t2 = 0;
    for (let elapsed = 15_000; elapsed <= RETAIN_MS; elapsed += 15_000) {
      await h.set([p(1, t1), p(2, (t2 += 10))]);
      assert.deepEqual(exportedPids(await h.scrape()), [1, 2], `${elapsed / 1000} s after pid 1 last qualified`);
    }
    await h.set([p(1, t1), p(2, (t2 += 10))]);
    assert.deepEqual(exportedPids(await h.scrape()), [2], 'gone 315 s after');
    // it qualifies again: back at once
    await h.set([p(1, (t1 += 1000)), p(2, (t2 += 10))]);
    assert.deepEqual(exportedPids(await h.scrape()), [1, 2]);
  });

  test('at most 3N processes whatever the churn: the N that qualified most recently are kept', async () => {
    const N = 2;
    // 40 processes; every cycle two new ones are the busiest and two others the largest
    const tree = (cycle: number): FakeProc[] =>
      Array.from({ length: 40 }, (_, i) => ({
        pid: 100 + i,
        comm: 'w',
        starttime: 100,
        utime: i === (2 * cycle) % 40 || i === (2 * cycle + 1) % 40 ? 1000 * cycle : 0,
        rss: i === (2 * cycle + 10) % 40 || i === (2 * cycle + 11) % 40 ? 1000 + cycle : 1,
      }));
    const h = await start(tree(0), { procnames: ['w'], topProcesses: N });
    let prev = [110, 111]; // the largest in the priming cycle
    for (let cycle = 1; cycle <= 12; cycle++) {
      await h.set(tree(cycle));
      const pids = exportedPids(await h.scrape());
      assert.ok(pids.length <= 3 * N, `cycle ${cycle}: ${pids.length} processes`);
      const qualified = [100 + ((2 * cycle) % 40), 100 + ((2 * cycle + 1) % 40), 100 + ((2 * cycle + 10) % 40), 100 + ((2 * cycle + 11) % 40)];
      for (const q of qualified) assert.ok(pids.includes(q), `cycle ${cycle}: ${q} qualified`);
      if (cycle > 1) assert.equal(pids.length, 3 * N, `cycle ${cycle}: N of the last cycle's are kept`);
      // the kept ones are from the last cycle
      for (const k of pids.filter((x) => !qualified.includes(x))) assert.ok(prev.includes(k), `cycle ${cycle}: ${k} kept`);
      prev = pids;
    }
  });

  test('a reused pid is another process: its own start time and counters', async () => {
    const h = await start([{ pid: 7, comm: 'w', starttime: 100, utime: 500 }], { procnames: ['w'], topProcesses: 1 });
    await h.set([{ pid: 7, comm: 'w', starttime: 100, utime: 600 }]);
    let text = await h.scrape();
    assert.match(text, /^namedprocess_process_cpu_seconds_total\{comm="w",groupname="w",mode="user",pid="7"\} 6$/m);
    assert.match(text, /^namedprocess_process_start_time_seconds\{comm="w",groupname="w",pid="7"\} 1\.700000001e\+09$/m);
    await h.set([{ pid: 7, comm: 'w', starttime: AFTER_START_TICKS + 100, utime: 3 }]);
    text = await h.scrape();
    assert.match(text, /^namedprocess_process_cpu_seconds_total\{comm="w",groupname="w",mode="user",pid="7"\} 0\.03$/m);
    assert.match(text, new RegExp(`^namedprocess_process_start_time_seconds\\{comm="w",groupname="w",pid="7"\\} ${String(BTIME + (AFTER_START_TICKS + 100) / 100).replace(/^(\d)(\d+)$/, (_, a, b) => `${a}\\.${b.replace(/0+$/, '')}e\\+09`)}$`, 'm'));
  });

  test('a value never read is left out, not written as NaN', async () => {
    const h = await start([{ pid: 5, comm: 'w', starttime: 100, utime: 1, omit: ['io', 'fd'] }], { procnames: ['w'], topProcesses: 1 });
    await h.set([{ pid: 5, comm: 'w', starttime: 100, utime: 2, omit: ['io', 'fd'] }]);
    const text = processPart(await h.scrape());
    assert.doesNotMatch(text, /NaN/);
    assert.doesNotMatch(text, /namedprocess_process_(read_bytes_total|write_bytes_total|open_filedesc)/);
    assert.match(text, /namedprocess_process_num_threads\{comm="w",groupname="w",pid="5"\} 1/);
  });

  test('an fd count read before and unreadable now is left out, as the group leaves it out', async () => {
    const h = await start([{ pid: 5, comm: 'w', starttime: 100, utime: 1, fdCount: 4 }], { procnames: ['w'], topProcesses: 1 });
    await h.set([{ pid: 5, comm: 'w', starttime: 100, utime: 2, fdCount: 4 }]);
    assert.match(processPart(await h.scrape()), /^namedprocess_process_open_filedesc\{comm="w",groupname="w",pid="5"\} 4$/m);
    await h.set([{ pid: 5, comm: 'w', starttime: 100, utime: 3, omit: ['fd'] }]);
    const text = await h.scrape();
    assert.doesNotMatch(processPart(text), /namedprocess_process_open_filedesc/);
    assert.match(text, /^namedprocess_namegroup_open_filedesc\{groupname="w"\} 0$/m);
    assert.match(processPart(text), /namedprocess_process_num_threads\{comm="w",groupname="w",pid="5"\} 1/);
  });
});
