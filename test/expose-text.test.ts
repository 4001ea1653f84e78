import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  FAMILY_ORDER,
  renderGroupFamilies,
} from '../src/expose/text';
import { GO_ZERO_TIME_UNIX, type CycleSnapshot, type GroupSnapshot, type ThreadNameSnapshot } from '../src/expose/snapshot';

/** The line that ends an OpenMetrics exposition, after every family. */
const OPENMETRICS_EOF = '# EOF\n';

function group(name: string, over: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    name,
    numProcs: 0,
    cpuUser: 0,
    cpuSystem: 0,
    readBytes: 0,
    writeBytes: 0,
    majorPageFaults: 0,
    minorPageFaults: 0,
    ctxVoluntary: 0,
    ctxNonvoluntary: 0,
    resident: 0,
    virtual: 0,
    swapped: 0,
    proportionalResident: 0,
    proportionalSwapped: 0,
    openFds: 0,
    worstFdRatio: 0,
    oldestStartTime: GO_ZERO_TIME_UNIX,
    numThreads: 0,
    states: { running: 0, sleeping: 0, waiting: 0, zombie: 0, other: 0 },
    wchans: new Map(),
    threads: [],
    ...over,
  };
}

function thread(name: string, over: Partial<ThreadNameSnapshot> = {}): ThreadNameSnapshot {
  return {
    name,
    count: 0,
    cpuUser: 0,
    cpuSystem: 0,
    readBytes: 0,
    writeBytes: 0,
    majorPageFaults: 0,
    minorPageFaults: 0,
    ctxVoluntary: 0,
    ctxNonvoluntary: 0,
    ...over,
  };
}

// A live multi-threaded group and an empty one that kept its accumulated counters (docs/behaviour.md#groups).
// "Zempty" < "java" byte-wise ('Z' is 0x5a), which localeCompare would get the other way round.
function snapshot(over: Partial<CycleSnapshot> = {}): CycleSnapshot {
  return {
    ok: true,
    gatherSmaps: true,
    scrapeErrors: 0,
    procReadErrors: 2,
    partialErrors: 5,
    groups: [
      group('java', {
        numProcs: 1,
        cpuUser: 12.34,
        cpuSystem: 0.19999999999999996,
        readBytes: 40960,
        writeBytes: 1048576,
        majorPageFaults: 3,
        minorPageFaults: 1700000123,
        ctxVoluntary: 100000,
        ctxNonvoluntary: 7,
        resident: 1234567,
        virtual: 3e9,
        swapped: 40960,
        proportionalResident: 1048576,
        proportionalSwapped: 0,
        openFds: 10,
        worstFdRatio: 5.421010862427522e-19,
        oldestStartTime: 1700000000,
        numThreads: 3,
        states: { running: 1, sleeping: 2, waiting: 0, zombie: 0, other: 0 },
        wchans: new Map([
          ['futex_wait_queue', 2],
          ['ep_poll', 1],
        ]),
        threads: [
          thread('java', {
            count: 1,
            cpuUser: 9.84,
            cpuSystem: 0.19,
            readBytes: 40960,
            writeBytes: 1048576,
            majorPageFaults: 3,
            minorPageFaults: 200,
            ctxVoluntary: 49950,
            ctxNonvoluntary: 2,
          }),
          thread('GC Thread#0', {
            count: 2,
            cpuUser: 2.5,
            cpuSystem: 0.01,
            minorPageFaults: 100,
            ctxVoluntary: 50,
            ctxNonvoluntary: 5,
          }),
        ],
      }),
      group('Zempty', {
        cpuUser: 1.5,
        cpuSystem: 0.5,
        readBytes: 8192,
        minorPageFaults: 11,
        ctxVoluntary: 9,
        ctxNonvoluntary: 4,
      }),
    ],
    ...over,
  };
}

const FULL_TEXT = `# HELP namedprocess_namegroup_context_switches_total Context switches
# TYPE namedprocess_namegroup_context_switches_total counter
namedprocess_namegroup_context_switches_total{ctxswitchtype="nonvoluntary",groupname="Zempty"} 4
namedprocess_namegroup_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java"} 7
namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="Zempty"} 9
namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="java"} 100000
# HELP namedprocess_namegroup_cpu_seconds_total Cpu user usage in seconds
# TYPE namedprocess_namegroup_cpu_seconds_total counter
namedprocess_namegroup_cpu_seconds_total{groupname="Zempty",mode="system"} 0.5
namedprocess_namegroup_cpu_seconds_total{groupname="Zempty",mode="user"} 1.5
namedprocess_namegroup_cpu_seconds_total{groupname="java",mode="system"} 0.19999999999999996
namedprocess_namegroup_cpu_seconds_total{groupname="java",mode="user"} 12.34
# HELP namedprocess_namegroup_major_page_faults_total Major page faults
# TYPE namedprocess_namegroup_major_page_faults_total counter
namedprocess_namegroup_major_page_faults_total{groupname="Zempty"} 0
namedprocess_namegroup_major_page_faults_total{groupname="java"} 3
# HELP namedprocess_namegroup_memory_bytes number of bytes of memory in use
# TYPE namedprocess_namegroup_memory_bytes gauge
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="proportionalResident"} 0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="proportionalSwapped"} 0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="resident"} 0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="swapped"} 0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="virtual"} 0
namedprocess_namegroup_memory_bytes{groupname="java",memtype="proportionalResident"} 1.048576e+06
namedprocess_namegroup_memory_bytes{groupname="java",memtype="proportionalSwapped"} 0
namedprocess_namegroup_memory_bytes{groupname="java",memtype="resident"} 1.234567e+06
namedprocess_namegroup_memory_bytes{groupname="java",memtype="swapped"} 40960
namedprocess_namegroup_memory_bytes{groupname="java",memtype="virtual"} 3e+09
# HELP namedprocess_namegroup_minor_page_faults_total Minor page faults
# TYPE namedprocess_namegroup_minor_page_faults_total counter
namedprocess_namegroup_minor_page_faults_total{groupname="Zempty"} 11
namedprocess_namegroup_minor_page_faults_total{groupname="java"} 1.700000123e+09
# HELP namedprocess_namegroup_num_procs number of processes in this group
# TYPE namedprocess_namegroup_num_procs gauge
namedprocess_namegroup_num_procs{groupname="Zempty"} 0
namedprocess_namegroup_num_procs{groupname="java"} 1
# HELP namedprocess_namegroup_num_threads Number of threads
# TYPE namedprocess_namegroup_num_threads gauge
namedprocess_namegroup_num_threads{groupname="Zempty"} 0
namedprocess_namegroup_num_threads{groupname="java"} 3
# HELP namedprocess_namegroup_oldest_start_time_seconds start time in seconds since 1970/01/01 of oldest process in group
# TYPE namedprocess_namegroup_oldest_start_time_seconds gauge
namedprocess_namegroup_oldest_start_time_seconds{groupname="Zempty"} -6.21355968e+10
namedprocess_namegroup_oldest_start_time_seconds{groupname="java"} 1.7e+09
# HELP namedprocess_namegroup_open_filedesc number of open file descriptors for this group
# TYPE namedprocess_namegroup_open_filedesc gauge
namedprocess_namegroup_open_filedesc{groupname="Zempty"} 0
namedprocess_namegroup_open_filedesc{groupname="java"} 10
# HELP namedprocess_namegroup_read_bytes_total number of bytes read by this group
# TYPE namedprocess_namegroup_read_bytes_total counter
namedprocess_namegroup_read_bytes_total{groupname="Zempty"} 8192
namedprocess_namegroup_read_bytes_total{groupname="java"} 40960
# HELP namedprocess_namegroup_states Number of processes in states Running, Sleeping, Waiting, Zombie, or Other
# TYPE namedprocess_namegroup_states gauge
namedprocess_namegroup_states{groupname="Zempty",state="Other"} 0
namedprocess_namegroup_states{groupname="Zempty",state="Running"} 0
namedprocess_namegroup_states{groupname="Zempty",state="Sleeping"} 0
namedprocess_namegroup_states{groupname="Zempty",state="Waiting"} 0
namedprocess_namegroup_states{groupname="Zempty",state="Zombie"} 0
namedprocess_namegroup_states{groupname="java",state="Other"} 0
namedprocess_namegroup_states{groupname="java",state="Running"} 1
namedprocess_namegroup_states{groupname="java",state="Sleeping"} 2
namedprocess_namegroup_states{groupname="java",state="Waiting"} 0
namedprocess_namegroup_states{groupname="java",state="Zombie"} 0
# HELP namedprocess_namegroup_thread_context_switches_total Context switches for these threads
# TYPE namedprocess_namegroup_thread_context_switches_total counter
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java",threadname="GC Thread#0"} 5
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java",threadname="java"} 2
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",groupname="java",threadname="GC Thread#0"} 50
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",groupname="java",threadname="java"} 49950
# HELP namedprocess_namegroup_thread_count Number of threads in this group with same threadname
# TYPE namedprocess_namegroup_thread_count gauge
namedprocess_namegroup_thread_count{groupname="java",threadname="GC Thread#0"} 2
namedprocess_namegroup_thread_count{groupname="java",threadname="java"} 1
# HELP namedprocess_namegroup_thread_cpu_seconds_total Cpu user/system usage in seconds
# TYPE namedprocess_namegroup_thread_cpu_seconds_total counter
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="system",threadname="GC Thread#0"} 0.01
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="system",threadname="java"} 0.19
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="user",threadname="GC Thread#0"} 2.5
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="user",threadname="java"} 9.84
# HELP namedprocess_namegroup_thread_io_bytes_total number of bytes read/written by these threads
# TYPE namedprocess_namegroup_thread_io_bytes_total counter
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="read",threadname="GC Thread#0"} 0
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="read",threadname="java"} 40960
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="write",threadname="GC Thread#0"} 0
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="write",threadname="java"} 1.048576e+06
# HELP namedprocess_namegroup_thread_major_page_faults_total Major page faults for these threads
# TYPE namedprocess_namegroup_thread_major_page_faults_total counter
namedprocess_namegroup_thread_major_page_faults_total{groupname="java",threadname="GC Thread#0"} 0
namedprocess_namegroup_thread_major_page_faults_total{groupname="java",threadname="java"} 3
# HELP namedprocess_namegroup_thread_minor_page_faults_total Minor page faults for these threads
# TYPE namedprocess_namegroup_thread_minor_page_faults_total counter
namedprocess_namegroup_thread_minor_page_faults_total{groupname="java",threadname="GC Thread#0"} 100
namedprocess_namegroup_thread_minor_page_faults_total{groupname="java",threadname="java"} 200
# HELP namedprocess_namegroup_threads_wchan Number of threads in this group waiting on each wchan
# TYPE namedprocess_namegroup_threads_wchan gauge
namedprocess_namegroup_threads_wchan{groupname="java",wchan="ep_poll"} 1
namedprocess_namegroup_threads_wchan{groupname="java",wchan="futex_wait_queue"} 2
# HELP namedprocess_namegroup_worst_fd_ratio the worst (closest to 1) ratio between open fds and max fds among all procs in this group
# TYPE namedprocess_namegroup_worst_fd_ratio gauge
namedprocess_namegroup_worst_fd_ratio{groupname="Zempty"} 0
namedprocess_namegroup_worst_fd_ratio{groupname="java"} 5.421010862427522e-19
# HELP namedprocess_namegroup_write_bytes_total number of bytes written by this group
# TYPE namedprocess_namegroup_write_bytes_total counter
namedprocess_namegroup_write_bytes_total{groupname="Zempty"} 0
namedprocess_namegroup_write_bytes_total{groupname="java"} 1.048576e+06
# HELP namedprocess_scrape_errors general scrape errors: no proc metrics collected during a cycle
# TYPE namedprocess_scrape_errors counter
namedprocess_scrape_errors 0
# HELP namedprocess_scrape_partial_errors incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats
# TYPE namedprocess_scrape_partial_errors counter
namedprocess_scrape_partial_errors 5
# HELP namedprocess_scrape_procread_errors incremented each time a proc's metrics collection fails
# TYPE namedprocess_scrape_procread_errors counter
namedprocess_scrape_procread_errors 2
`;

// The same exposition as expfmt's OpenMetrics encoder writes it (before the caller's `# EOF`).
const FULL_OPENMETRICS = `# HELP namedprocess_namegroup_context_switches Context switches
# TYPE namedprocess_namegroup_context_switches counter
namedprocess_namegroup_context_switches_total{ctxswitchtype="nonvoluntary",groupname="Zempty"} 4.0
namedprocess_namegroup_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java"} 7.0
namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="Zempty"} 9.0
namedprocess_namegroup_context_switches_total{ctxswitchtype="voluntary",groupname="java"} 100000.0
# HELP namedprocess_namegroup_cpu_seconds Cpu user usage in seconds
# TYPE namedprocess_namegroup_cpu_seconds counter
namedprocess_namegroup_cpu_seconds_total{groupname="Zempty",mode="system"} 0.5
namedprocess_namegroup_cpu_seconds_total{groupname="Zempty",mode="user"} 1.5
namedprocess_namegroup_cpu_seconds_total{groupname="java",mode="system"} 0.19999999999999996
namedprocess_namegroup_cpu_seconds_total{groupname="java",mode="user"} 12.34
# HELP namedprocess_namegroup_major_page_faults Major page faults
# TYPE namedprocess_namegroup_major_page_faults counter
namedprocess_namegroup_major_page_faults_total{groupname="Zempty"} 0.0
namedprocess_namegroup_major_page_faults_total{groupname="java"} 3.0
# HELP namedprocess_namegroup_memory_bytes number of bytes of memory in use
# TYPE namedprocess_namegroup_memory_bytes gauge
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="proportionalResident"} 0.0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="proportionalSwapped"} 0.0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="resident"} 0.0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="swapped"} 0.0
namedprocess_namegroup_memory_bytes{groupname="Zempty",memtype="virtual"} 0.0
namedprocess_namegroup_memory_bytes{groupname="java",memtype="proportionalResident"} 1.048576e+06
namedprocess_namegroup_memory_bytes{groupname="java",memtype="proportionalSwapped"} 0.0
namedprocess_namegroup_memory_bytes{groupname="java",memtype="resident"} 1.234567e+06
namedprocess_namegroup_memory_bytes{groupname="java",memtype="swapped"} 40960.0
namedprocess_namegroup_memory_bytes{groupname="java",memtype="virtual"} 3e+09
# HELP namedprocess_namegroup_minor_page_faults Minor page faults
# TYPE namedprocess_namegroup_minor_page_faults counter
namedprocess_namegroup_minor_page_faults_total{groupname="Zempty"} 11.0
namedprocess_namegroup_minor_page_faults_total{groupname="java"} 1.700000123e+09
# HELP namedprocess_namegroup_num_procs number of processes in this group
# TYPE namedprocess_namegroup_num_procs gauge
namedprocess_namegroup_num_procs{groupname="Zempty"} 0.0
namedprocess_namegroup_num_procs{groupname="java"} 1.0
# HELP namedprocess_namegroup_num_threads Number of threads
# TYPE namedprocess_namegroup_num_threads gauge
namedprocess_namegroup_num_threads{groupname="Zempty"} 0.0
namedprocess_namegroup_num_threads{groupname="java"} 3.0
# HELP namedprocess_namegroup_oldest_start_time_seconds start time in seconds since 1970/01/01 of oldest process in group
# TYPE namedprocess_namegroup_oldest_start_time_seconds gauge
namedprocess_namegroup_oldest_start_time_seconds{groupname="Zempty"} -6.21355968e+10
namedprocess_namegroup_oldest_start_time_seconds{groupname="java"} 1.7e+09
# HELP namedprocess_namegroup_open_filedesc number of open file descriptors for this group
# TYPE namedprocess_namegroup_open_filedesc gauge
namedprocess_namegroup_open_filedesc{groupname="Zempty"} 0.0
namedprocess_namegroup_open_filedesc{groupname="java"} 10.0
# HELP namedprocess_namegroup_read_bytes number of bytes read by this group
# TYPE namedprocess_namegroup_read_bytes counter
namedprocess_namegroup_read_bytes_total{groupname="Zempty"} 8192.0
namedprocess_namegroup_read_bytes_total{groupname="java"} 40960.0
# HELP namedprocess_namegroup_states Number of processes in states Running, Sleeping, Waiting, Zombie, or Other
# TYPE namedprocess_namegroup_states gauge
namedprocess_namegroup_states{groupname="Zempty",state="Other"} 0.0
namedprocess_namegroup_states{groupname="Zempty",state="Running"} 0.0
namedprocess_namegroup_states{groupname="Zempty",state="Sleeping"} 0.0
namedprocess_namegroup_states{groupname="Zempty",state="Waiting"} 0.0
namedprocess_namegroup_states{groupname="Zempty",state="Zombie"} 0.0
namedprocess_namegroup_states{groupname="java",state="Other"} 0.0
namedprocess_namegroup_states{groupname="java",state="Running"} 1.0
namedprocess_namegroup_states{groupname="java",state="Sleeping"} 2.0
namedprocess_namegroup_states{groupname="java",state="Waiting"} 0.0
namedprocess_namegroup_states{groupname="java",state="Zombie"} 0.0
# HELP namedprocess_namegroup_thread_context_switches Context switches for these threads
# TYPE namedprocess_namegroup_thread_context_switches counter
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java",threadname="GC Thread#0"} 5.0
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="nonvoluntary",groupname="java",threadname="java"} 2.0
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",groupname="java",threadname="GC Thread#0"} 50.0
namedprocess_namegroup_thread_context_switches_total{ctxswitchtype="voluntary",groupname="java",threadname="java"} 49950.0
# HELP namedprocess_namegroup_thread_count Number of threads in this group with same threadname
# TYPE namedprocess_namegroup_thread_count gauge
namedprocess_namegroup_thread_count{groupname="java",threadname="GC Thread#0"} 2.0
namedprocess_namegroup_thread_count{groupname="java",threadname="java"} 1.0
# HELP namedprocess_namegroup_thread_cpu_seconds Cpu user/system usage in seconds
# TYPE namedprocess_namegroup_thread_cpu_seconds counter
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="system",threadname="GC Thread#0"} 0.01
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="system",threadname="java"} 0.19
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="user",threadname="GC Thread#0"} 2.5
namedprocess_namegroup_thread_cpu_seconds_total{groupname="java",mode="user",threadname="java"} 9.84
# HELP namedprocess_namegroup_thread_io_bytes number of bytes read/written by these threads
# TYPE namedprocess_namegroup_thread_io_bytes counter
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="read",threadname="GC Thread#0"} 0.0
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="read",threadname="java"} 40960.0
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="write",threadname="GC Thread#0"} 0.0
namedprocess_namegroup_thread_io_bytes_total{groupname="java",iomode="write",threadname="java"} 1.048576e+06
# HELP namedprocess_namegroup_thread_major_page_faults Major page faults for these threads
# TYPE namedprocess_namegroup_thread_major_page_faults counter
namedprocess_namegroup_thread_major_page_faults_total{groupname="java",threadname="GC Thread#0"} 0.0
namedprocess_namegroup_thread_major_page_faults_total{groupname="java",threadname="java"} 3.0
# HELP namedprocess_namegroup_thread_minor_page_faults Minor page faults for these threads
# TYPE namedprocess_namegroup_thread_minor_page_faults counter
namedprocess_namegroup_thread_minor_page_faults_total{groupname="java",threadname="GC Thread#0"} 100.0
namedprocess_namegroup_thread_minor_page_faults_total{groupname="java",threadname="java"} 200.0
# HELP namedprocess_namegroup_threads_wchan Number of threads in this group waiting on each wchan
# TYPE namedprocess_namegroup_threads_wchan gauge
namedprocess_namegroup_threads_wchan{groupname="java",wchan="ep_poll"} 1.0
namedprocess_namegroup_threads_wchan{groupname="java",wchan="futex_wait_queue"} 2.0
# HELP namedprocess_namegroup_worst_fd_ratio the worst (closest to 1) ratio between open fds and max fds among all procs in this group
# TYPE namedprocess_namegroup_worst_fd_ratio gauge
namedprocess_namegroup_worst_fd_ratio{groupname="Zempty"} 0.0
namedprocess_namegroup_worst_fd_ratio{groupname="java"} 5.421010862427522e-19
# HELP namedprocess_namegroup_write_bytes number of bytes written by this group
# TYPE namedprocess_namegroup_write_bytes counter
namedprocess_namegroup_write_bytes_total{groupname="Zempty"} 0.0
namedprocess_namegroup_write_bytes_total{groupname="java"} 1.048576e+06
# HELP namedprocess_scrape_errors general scrape errors: no proc metrics collected during a cycle
# TYPE namedprocess_scrape_errors unknown
namedprocess_scrape_errors 0.0
# HELP namedprocess_scrape_partial_errors incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats
# TYPE namedprocess_scrape_partial_errors unknown
namedprocess_scrape_partial_errors 5.0
# HELP namedprocess_scrape_procread_errors incremented each time a proc's metrics collection fails
# TYPE namedprocess_scrape_procread_errors unknown
namedprocess_scrape_procread_errors 2.0
`;

const without = (text: string, drop: (line: string) => boolean): string =>
  text
    .split('\n')
    .filter((l) => !drop(l))
    .join('\n');

const isThreadFamily = (l: string): boolean => l.includes('namedprocess_namegroup_thread_');
const isProportional = (l: string): boolean => l.includes('memtype="proportional');

test('FAMILY_ORDER is sorted byte-wise, as Gather sorts families by name', () => {
  const sorted = [...FAMILY_ORDER].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  assert.deepEqual(FAMILY_ORDER, sorted);
  assert.equal(new Set(FAMILY_ORDER).size, 32);
});

test('text: full exposition with an empty group, threads, wchans and smaps', () => {
  assert.equal(renderGroupFamilies(snapshot(), { threads: true, format: 'text' }), FULL_TEXT);
});

test('text: the snapshot group order does not matter', () => {
  const s = snapshot();
  s.groups.reverse();
  assert.equal(renderGroupFamilies(s, { threads: true, format: 'text' }), FULL_TEXT);
});

test('text: -gather-smaps=false drops only the proportional memtypes', () => {
  const got = renderGroupFamilies(snapshot({ gatherSmaps: false }), { threads: true, format: 'text' });
  assert.equal(got, without(FULL_TEXT, isProportional));
  assert.ok(!got.includes('proportional'));
});

test('text: -threads=false drops the six thread families (header lines included)', () => {
  const got = renderGroupFamilies(snapshot(), { threads: false, format: 'text' });
  assert.equal(got, without(FULL_TEXT, isThreadFamily));
  // threads_wchan is not a thread family and stays.
  assert.ok(got.includes('# TYPE namedprocess_namegroup_threads_wchan gauge\n'));
});

test('text: groups without thread data or wchans write no such families at all', () => {
  const s = snapshot();
  s.groups[0].threads = [];
  s.groups[0].wchans = new Map();
  const got = renderGroupFamilies(s, { threads: true, format: 'text' });
  assert.equal(got, without(FULL_TEXT, (l) => isThreadFamily(l) || l.includes('namedprocess_namegroup_threads_wchan')));
});

test('text: a failed cycle writes only the three scrape counters', () => {
  const got = renderGroupFamilies(snapshot({ ok: false, scrapeErrors: 1 }), { threads: true, format: 'text' });
  assert.equal(
    got,
    `# HELP namedprocess_scrape_errors general scrape errors: no proc metrics collected during a cycle
# TYPE namedprocess_scrape_errors counter
namedprocess_scrape_errors 1
# HELP namedprocess_scrape_partial_errors incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats
# TYPE namedprocess_scrape_partial_errors counter
namedprocess_scrape_partial_errors 5
# HELP namedprocess_scrape_procread_errors incremented each time a proc's metrics collection fails
# TYPE namedprocess_scrape_procread_errors counter
namedprocess_scrape_procread_errors 2
`,
  );
});

test('text: no groups at all writes only the scrape counters (no empty families)', () => {
  const got = renderGroupFamilies(snapshot({ groups: [] }), { threads: true, format: 'text' });
  assert.equal(got, renderGroupFamilies(snapshot({ ok: false }), { threads: true, format: 'text' }));
  assert.equal(got.split('\n').length - 1, 9);
});

test('openmetrics: full exposition', () => {
  const got = renderGroupFamilies(snapshot(), { threads: true, format: 'openmetrics' });
  assert.equal(got, FULL_OPENMETRICS);
  checkOpenMetrics(got + OPENMETRICS_EOF);
});

test('openmetrics: smaps off, threads off, failed cycle', () => {
  const a = renderGroupFamilies(snapshot({ gatherSmaps: false }), { threads: true, format: 'openmetrics' });
  assert.equal(a, without(FULL_OPENMETRICS, isProportional));
  checkOpenMetrics(a + OPENMETRICS_EOF);
  const b = renderGroupFamilies(snapshot(), { threads: false, format: 'openmetrics' });
  assert.equal(b, without(FULL_OPENMETRICS, isThreadFamily));
  checkOpenMetrics(b + OPENMETRICS_EOF);
  const c = renderGroupFamilies(snapshot({ ok: false }), { threads: true, format: 'openmetrics' });
  assert.equal(
    c,
    `# HELP namedprocess_scrape_errors general scrape errors: no proc metrics collected during a cycle
# TYPE namedprocess_scrape_errors unknown
namedprocess_scrape_errors 0.0
# HELP namedprocess_scrape_partial_errors incremented each time a tracked proc's metrics collection fails partially, e.g. unreadable I/O stats
# TYPE namedprocess_scrape_partial_errors unknown
namedprocess_scrape_partial_errors 5.0
# HELP namedprocess_scrape_procread_errors incremented each time a proc's metrics collection fails
# TYPE namedprocess_scrape_procread_errors unknown
namedprocess_scrape_procread_errors 2.0
`,
  );
  checkOpenMetrics(c + OPENMETRICS_EOF);
  assert.equal(OPENMETRICS_EOF, '# EOF\n');
});

// Names exercising escaping, byte-wise UTF-8 order and sanitising (docs/behaviour.md differences #13: never a crash).
const ODD_NAMES = [
  'a',
  'Z',
  'a"b',
  'a\\',
  'a\n',
  'tab\there',
  'nul\u0000x',
  'caf\u00e9',
  '\ufffd',
  '\ud83d\ude00',
  '\ud800x',
];

test('text: label escaping, invalid chars and byte-wise UTF-8 ordering of group names', () => {
  const s = snapshot({ groups: ODD_NAMES.map((n, i) => group(n, { numProcs: i })) });
  const got = renderGroupFamilies(s, { threads: true, format: 'text' });
  const lines = got.split('\n').filter((l) => l.startsWith('namedprocess_namegroup_num_procs{'));
  // Go sorts the raw values: 'Z' (5a) < 'a' < 'a\n' (0a) < 'a"' (22) < 'a\\' (5c) < 'caf\u00e9' < 'nul'
  // < 'tab' < U+FFFD (ef bf bd) < U+FFFD 'x' (the lone surrogate, replaced) < U+1F600 (f0 9f 98 80).
  assert.deepEqual(lines, [
    'namedprocess_namegroup_num_procs{groupname="Z"} 1',
    'namedprocess_namegroup_num_procs{groupname="a"} 0',
    'namedprocess_namegroup_num_procs{groupname="a\\n"} 4',
    'namedprocess_namegroup_num_procs{groupname="a\\"b"} 2',
    'namedprocess_namegroup_num_procs{groupname="a\\\\"} 3',
    'namedprocess_namegroup_num_procs{groupname="caf\u00e9"} 7',
    'namedprocess_namegroup_num_procs{groupname="nul\u0000x"} 6',
    'namedprocess_namegroup_num_procs{groupname="tab\there"} 5',
    'namedprocess_namegroup_num_procs{groupname="\ufffd"} 8',
    'namedprocess_namegroup_num_procs{groupname="\ufffdx"} 10',
    'namedprocess_namegroup_num_procs{groupname="\ud83d\ude00"} 9',
  ]);
  // The output is well-formed and survives a UTF-8 round trip unchanged.
  assert.equal(Buffer.from(got, 'utf8').toString('utf8'), got);
  // Every line is either a comment or one sample: no raw newline leaked out of a label.
  for (const l of got.split('\n')) {
    if (l === '') continue;
    assert.ok(l.startsWith('# ') || /^namedprocess_[a-z_]+(\{.*\})? \S+$/su.test(l), l);
  }
});

test('text: wchan and thread names are escaped and sorted the same way', () => {
  const s = snapshot({
    groups: [
      group('g', {
        numProcs: 1,
        wchans: new Map([
          ['z"q', 1],
          ['a\\b', 2],
          ['\ud83d\ude00', 3],
          ['\uffee', 4],
        ]),
        threads: [thread('t\nx', { count: 1 }), thread('T', { count: 2 })],
      }),
    ],
  });
  const got = renderGroupFamilies(s, { threads: true, format: 'text' });
  const w = got.split('\n').filter((l) => l.startsWith('namedprocess_namegroup_threads_wchan{'));
  assert.deepEqual(w, [
    'namedprocess_namegroup_threads_wchan{groupname="g",wchan="a\\\\b"} 2',
    'namedprocess_namegroup_threads_wchan{groupname="g",wchan="z\\"q"} 1',
    'namedprocess_namegroup_threads_wchan{groupname="g",wchan="\uffee"} 4',
    'namedprocess_namegroup_threads_wchan{groupname="g",wchan="\ud83d\ude00"} 3',
  ]);
  const t = got.split('\n').filter((l) => l.startsWith('namedprocess_namegroup_thread_count{'));
  assert.deepEqual(t, [
    'namedprocess_namegroup_thread_count{groupname="g",threadname="T"} 2',
    'namedprocess_namegroup_thread_count{groupname="g",threadname="t\\nx"} 1',
  ]);
});

test('openmetrics: odd names still give a structurally valid exposition', () => {
  const groups = ODD_NAMES.map((n, i) =>
    group(n, { numProcs: i, wchans: new Map([[n, 1]]), threads: [thread(n, { count: 2 })] }),
  );
  const got = renderGroupFamilies(snapshot({ groups }), { threads: true, format: 'openmetrics' });
  checkOpenMetrics(got + OPENMETRICS_EOF);
});

test('label values are escaped as expfmt does: backslash, quote and newline; a tab stays', () => {
  const numProcs = (name: string) =>
    renderGroupFamilies(snapshot({ groups: [group(name, { numProcs: 1 })] }), { threads: false, format: 'text' })
      .split('\n')
      .filter((l) => l.startsWith('namedprocess_namegroup_num_procs{'));
  assert.deepEqual(numProcs('plain'), ['namedprocess_namegroup_num_procs{groupname="plain"} 1']);
  assert.deepEqual(numProcs('a\\b"c\nd\te'), ['namedprocess_namegroup_num_procs{groupname="a\\\\b\\"c\\nd\te"} 1']);
});

test('100,000 groups render without throwing, with the expected number of lines', () => {
  const groups: GroupSnapshot[] = [];
  for (let i = 0; i < 100000; i++) {
    groups.push(group('group-' + i, { numProcs: i % 7, cpuUser: i / 100, readBytes: i * 4096, oldestStartTime: 1700000000 + i }));
  }
  const text = renderGroupFamilies(snapshot({ groups }), { threads: true, format: 'text' });
  let lines = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) lines++;
  // 23 samples per group (2 ctx + 2 cpu + 5 memory + 5 states + 9 single ones), 13 families x 2
  // header lines, and the three scrape counters at 3 lines each.
  assert.equal(lines, 23 * 100000 + 13 * 2 + 3 * 3);
  assert.ok(text.endsWith('namedprocess_scrape_procread_errors 2\n'));
});

/**
 * A structural OpenMetrics 1.0 check: families are contiguous and unique, each opens with HELP then
 * TYPE, every sample name is the family name (plus `_total` for counters), label sets are unique in
 * a family, values parse as OpenMetrics numbers, and the text ends with `# EOF`.
 */
function checkOpenMetrics(text: string): void {
  assert.ok(text.endsWith('\n# EOF\n'), 'ends with # EOF');
  const lines = text.slice(0, -'# EOF\n'.length).split('\n');
  assert.equal(lines.pop(), '');
  const seen = new Set<string>();
  let fam: { name: string; type: string; keys: Set<string> } | undefined;
  let pendingHelp: string | undefined;
  for (const l of lines) {
    if (l.startsWith('# HELP ')) {
      const name = l.slice(7).split(' ')[0];
      assert.ok(!seen.has(name), `family ${name} appears twice`);
      assert.match(name, /^[a-zA-Z_:][a-zA-Z0-9_:]*$/);
      seen.add(name);
      pendingHelp = name;
      fam = undefined;
      continue;
    }
    if (l.startsWith('# TYPE ')) {
      const [name, type] = l.slice(7).split(' ');
      assert.equal(name, pendingHelp, 'TYPE follows its HELP');
      assert.ok(['counter', 'gauge', 'unknown'].includes(type), type);
      assert.ok(!(type === 'counter' && name.endsWith('_total')), 'counter family names have no _total');
      fam = { name, type, keys: new Set() };
      pendingHelp = undefined;
      continue;
    }
    assert.ok(!l.startsWith('#'), `unexpected comment ${l}`);
    assert.ok(fam, `sample outside a family: ${l}`);
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*",?)*\})? (\S+)$/su.exec(l);
    assert.ok(m, `malformed sample: ${JSON.stringify(l)}`);
    const [, name, labels, value] = m;
    assert.equal(name, fam.type === 'counter' ? fam.name + '_total' : fam.name);
    assert.ok(!fam.keys.has(labels ?? ''), `duplicate series ${l}`);
    fam.keys.add(labels ?? '');
    assert.match(value, /^(NaN|[+-]Inf|-?[0-9]+(\.[0-9]+)?(e[+-][0-9]+)?)$/);
    if (fam.type === 'counter') assert.ok(Number(value) >= 0, 'counter values are non-negative');
  }
  assert.equal(pendingHelp, undefined, 'every HELP has a TYPE');
}
