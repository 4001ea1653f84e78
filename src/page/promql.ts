// For each figure on the page, the PromQL that graphs the same figure from what /metrics exposes. The
// page fills in the group; `{{group}}` stands for the label value, already escaped for a PromQL string.

/** Window of the rate() queries: long enough for a few 15 s scrapes, and the reason Prometheus lags. */
const RATE_WINDOW = '1m';

export const FIGURE_QUERIES: Readonly<Record<string, string>> = Object.freeze({
  cpu: `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="{{group}}"}[${RATE_WINDOW}])) * 100`,
  cpuUser: `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="{{group}}",mode="user"}[${RATE_WINDOW}])) * 100`,
  cpuSystem: `sum by (groupname) (rate(namedprocess_namegroup_cpu_seconds_total{groupname="{{group}}",mode="system"}[${RATE_WINDOW}])) * 100`,
  resident: 'namedprocess_namegroup_memory_bytes{groupname="{{group}}",memtype="resident"}',
  proportionalResident: 'namedprocess_namegroup_memory_bytes{groupname="{{group}}",memtype="proportionalResident"}',
  swapped: 'namedprocess_namegroup_memory_bytes{groupname="{{group}}",memtype="swapped"}',
  readBps: `rate(namedprocess_namegroup_read_bytes_total{groupname="{{group}}"}[${RATE_WINDOW}])`,
  writeBps: `rate(namedprocess_namegroup_write_bytes_total{groupname="{{group}}"}[${RATE_WINDOW}])`,
  openFds: 'namedprocess_namegroup_open_filedesc{groupname="{{group}}"}',
  worstFdRatio: 'namedprocess_namegroup_worst_fd_ratio{groupname="{{group}}"}',
  numThreads: 'namedprocess_namegroup_num_threads{groupname="{{group}}"}',
  numProcs: 'namedprocess_namegroup_num_procs{groupname="{{group}}"}',
  oldest: 'time() - namedprocess_namegroup_oldest_start_time_seconds{groupname="{{group}}"}',
});
