// The exporter's own metrics, written without prom-client: the families, HELP texts, types and order
// prom-client's default metrics had, in both formats, and the cycle gauges' values.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SelfMetrics } from '../src/expose/self-metrics';

const self = new SelfMetrics({ version: '1.2.3', reader: 'native' });
after(() => self.close());

/** `# HELP`/`# TYPE` lines only: the values move. */
const heads = (text: string) => text.split('\n').filter((l) => l.startsWith('# HELP') || l.startsWith('# TYPE')).join('\n');

const HEADS = `# HELP process_cpu_user_seconds_total Total user CPU time spent in seconds.
# TYPE process_cpu_user_seconds_total counter
# HELP process_cpu_system_seconds_total Total system CPU time spent in seconds.
# TYPE process_cpu_system_seconds_total counter
# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.
# TYPE process_cpu_seconds_total counter
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
# HELP process_virtual_memory_bytes Virtual memory size in bytes.
# TYPE process_virtual_memory_bytes gauge
# HELP process_heap_bytes Process heap size in bytes.
# TYPE process_heap_bytes gauge
# HELP process_open_fds Number of open file descriptors.
# TYPE process_open_fds gauge
# HELP process_max_fds Maximum number of open file descriptors.
# TYPE process_max_fds gauge
# HELP nodejs_eventloop_lag_seconds Lag of event loop in seconds.
# TYPE nodejs_eventloop_lag_seconds gauge
# HELP nodejs_eventloop_lag_min_seconds The minimum recorded event loop delay.
# TYPE nodejs_eventloop_lag_min_seconds gauge
# HELP nodejs_eventloop_lag_max_seconds The maximum recorded event loop delay.
# TYPE nodejs_eventloop_lag_max_seconds gauge
# HELP nodejs_eventloop_lag_mean_seconds The mean of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_mean_seconds gauge
# HELP nodejs_eventloop_lag_stddev_seconds The standard deviation of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_stddev_seconds gauge
# HELP nodejs_eventloop_lag_p50_seconds The 50th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p50_seconds gauge
# HELP nodejs_eventloop_lag_p90_seconds The 90th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p90_seconds gauge
# HELP nodejs_eventloop_lag_p99_seconds The 99th percentile of the recorded event loop delays.
# TYPE nodejs_eventloop_lag_p99_seconds gauge
# HELP nodejs_active_resources Number of active resources that are currently keeping the event loop alive, grouped by async resource type.
# TYPE nodejs_active_resources gauge
# HELP nodejs_active_handles Number of active libuv handles grouped by handle type. Every handle type is C++ class name.
# TYPE nodejs_active_handles gauge
# HELP nodejs_active_requests Number of active libuv requests grouped by request type. Every request type is C++ class name.
# TYPE nodejs_active_requests gauge
# HELP nodejs_heap_size_total_bytes Process heap size from Node.js in bytes.
# TYPE nodejs_heap_size_total_bytes gauge
# HELP nodejs_heap_size_used_bytes Process heap size used from Node.js in bytes.
# TYPE nodejs_heap_size_used_bytes gauge
# HELP nodejs_external_memory_bytes Node.js external memory size in bytes.
# TYPE nodejs_external_memory_bytes gauge
# HELP nodejs_heap_space_size_total_bytes Process heap space size total from Node.js in bytes.
# TYPE nodejs_heap_space_size_total_bytes gauge
# HELP nodejs_heap_space_size_used_bytes Process heap space size used from Node.js in bytes.
# TYPE nodejs_heap_space_size_used_bytes gauge
# HELP nodejs_heap_space_size_available_bytes Process heap space size available from Node.js in bytes.
# TYPE nodejs_heap_space_size_available_bytes gauge
# HELP nodejs_version_info Node.js version info.
# TYPE nodejs_version_info gauge
# HELP nodejs_gc_duration_seconds Garbage collection duration by kind, one of major, minor, incremental or weakcb.
# TYPE nodejs_gc_duration_seconds histogram
# HELP process_exporter_build_info A metric with a constant '1' value labeled by version, revision, branch, goversion from which process_exporter was built, and the goos and goarch for the build.
# TYPE process_exporter_build_info gauge
# HELP namedprocess_exporter_cycle_duration_seconds Wall time of the last update cycle (scan, track, group).
# TYPE namedprocess_exporter_cycle_duration_seconds gauge
# HELP namedprocess_exporter_cycle_procs_read Processes whose stat was read in the last update cycle.
# TYPE namedprocess_exporter_cycle_procs_read gauge
# HELP namedprocess_exporter_cycle_threads_read Threads read in the last update cycle (multi-threaded tracked processes only).
# TYPE namedprocess_exporter_cycle_threads_read gauge
# HELP namedprocess_exporter_cycle_smaps_read Processes whose smaps was read in the last update cycle (the others report their last values read).
# TYPE namedprocess_exporter_cycle_smaps_read gauge
# HELP namedprocess_exporter_cycle_idle_held Processes that had not run since their last read, whose status, io and wchan were not read in the last update cycle (their last values are reported).
# TYPE namedprocess_exporter_cycle_idle_held gauge
# HELP namedprocess_exporter_cycle_threads_held Threads that had not run since their last read, whose status, io and wchan were not read in the last update cycle (their last values are reported).
# TYPE namedprocess_exporter_cycle_threads_held gauge
# HELP namedprocess_exporter_tracked_procs Processes currently tracked in a group.
# TYPE namedprocess_exporter_tracked_procs gauge
# HELP namedprocess_exporter_ignored_procs Processes currently ignored (matched no rule): only their stat is read.
# TYPE namedprocess_exporter_ignored_procs gauge
# HELP namedprocess_exporter_label_values_cut_total Label values longer than 256 characters cut to a prefix and a hash: group names once per process named, thread names and wchans once per thread and cycle.
# TYPE namedprocess_exporter_label_values_cut_total counter
# HELP namedprocess_exporter_match_errors_total Processes whose matching or naming failed; each is left unmatched and the cycle goes on.
# TYPE namedprocess_exporter_match_errors_total counter
# HELP namedprocess_exporter_config_last_reload_successful Whether the last configuration reload attempt was successful.
# TYPE namedprocess_exporter_config_last_reload_successful gauge
# HELP namedprocess_exporter_config_last_reload_success_timestamp_seconds Timestamp of the last successful configuration reload.
# TYPE namedprocess_exporter_config_last_reload_success_timestamp_seconds gauge`;

test('the text format: prom-client\'s families, HELP and TYPE, in its order, then ours', () => {
  const text = self.render('text');
  assert.equal(heads(text), HEADS);
  assert.ok(text.endsWith('\n') && !text.includes('\n\n'));
});

test('OpenMetrics names counter families without _total and ends with # EOF', () => {
  const om = self.render('openmetrics');
  const expected = HEADS.replace(/^(# (?:HELP|TYPE) (?:process_cpu(?:_user|_system)?_seconds|namedprocess_exporter_label_values_cut|namedprocess_exporter_match_errors))_total/gm, '$1');
  assert.equal(heads(om), expected);
  assert.match(om, /\nprocess_cpu_seconds_total \d/);
  assert.ok(om.endsWith('\n# EOF\n'));
});

test('values: the last cycle, build info, node version, memory from /proc/self', () => {
  self.recordCycle(0.25, { procsRead: 120, threadsRead: 7, smapsRead: 3, idleHeld: 11, threadsHeld: 13, tracked: 40, ignored: 80 });
  const text = self.render('text');
  const line = (name: string) => text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  assert.equal(line('namedprocess_exporter_cycle_duration_seconds'), 'namedprocess_exporter_cycle_duration_seconds 0.25');
  assert.equal(line('namedprocess_exporter_cycle_procs_read'), 'namedprocess_exporter_cycle_procs_read 120');
  assert.equal(line('namedprocess_exporter_cycle_threads_read'), 'namedprocess_exporter_cycle_threads_read 7');
  assert.equal(line('namedprocess_exporter_cycle_smaps_read'), 'namedprocess_exporter_cycle_smaps_read 3');
  assert.equal(line('namedprocess_exporter_cycle_idle_held'), 'namedprocess_exporter_cycle_idle_held 11');
  assert.equal(line('namedprocess_exporter_cycle_threads_held'), 'namedprocess_exporter_cycle_threads_held 13');
  assert.equal(line('namedprocess_exporter_tracked_procs'), 'namedprocess_exporter_tracked_procs 40');
  assert.equal(line('namedprocess_exporter_ignored_procs'), 'namedprocess_exporter_ignored_procs 80');
  const goarch = process.arch === 'x64' ? 'amd64' : process.arch;
  assert.equal(line('process_exporter_build_info'), `process_exporter_build_info{branch="",goarch="${goarch}",goos="linux",goversion="node ${process.version}",reader="native",revision="",tags="",version="1.2.3"} 1`);
  // the build stamp, escaped as any label value
  const stamped = new SelfMetrics({ version: '1.2.3', reader: 'ts', revision: 'abc1234-dirty', branch: 'fix"x' }).render('text');
  assert.equal(stamped.split('\n').find((l) => l.startsWith('process_exporter_build_info{')), `process_exporter_build_info{branch="fix\\"x",goarch="${goarch}",goos="linux",goversion="node ${process.version}",reader="ts",revision="abc1234-dirty",tags="",version="1.2.3"} 1`);
  const [major, minor, patch] = process.version.slice(1).split('.');
  assert.equal(line('nodejs_version_info'), `nodejs_version_info{version="${process.version}",major="${major}",minor="${minor}",patch="${patch}"} 1`);
  const rss = Number(line('process_resident_memory_bytes')!.split(' ')[1]);
  assert.ok(rss > 1024 * 1024 && rss % 1024 === 0, `resident ${rss}`);
  assert.match(line('nodejs_heap_space_size_used_bytes')!, /^nodejs_heap_space_size_used_bytes\{space="[a-z_]+"\} \d+$/);
});

test('a garbage collection shows in the histogram by kind, with cumulative buckets', async () => {
  // allocate until a minor GC has been observed (bounded)
  for (let round = 0; round < 50 && !self.render('text').includes('nodejs_gc_duration_seconds_count{kind='); round++) {
    let junk: object[] = [];
    for (let i = 0; i < 100_000; i++) junk.push({ i });
    junk = [];
    await new Promise((r) => setImmediate(r));
  }
  const text = self.render('text');
  const m = /nodejs_gc_duration_seconds_count\{kind="(\w+)"\} (\d+)/.exec(text);
  assert.ok(m, 'a GC was observed');
  const [, kind, count] = m;
  assert.match(text, new RegExp(`nodejs_gc_duration_seconds_bucket\\{le="\\+Inf",kind="${kind}"\\} ${count}\\n`));
  const buckets = [...text.matchAll(new RegExp(`nodejs_gc_duration_seconds_bucket\\{le="[^"]+",kind="${kind}"\\} (\\d+)`, 'g'))].map((x) => Number(x[1]));
  assert.equal(buckets.length, 7);
  for (let i = 1; i < buckets.length; i++) assert.ok(buckets[i] >= buckets[i - 1]);
});
