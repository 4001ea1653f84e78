// For each figure on the page, the PromQL that graphs the same figure from what /metrics exposes. The
// page fills in the group; `{{group}}` stands for the label value, already escaped for a PromQL string.
import { FAMILIES } from '../expose/text';

const { cpu, mem, read, write, fds, ratio, numThreads, numProcs, oldest } = FAMILIES;

/** Window of the rate() queries: long enough for a few 15 s scrapes, and the reason Prometheus lags. */
const RATE_WINDOW = '1m';

export const FIGURE_QUERIES: Readonly<Record<string, string>> = Object.freeze({
  cpu: `sum by (groupname) (rate(${cpu.name}{groupname="{{group}}"}[${RATE_WINDOW}])) * 100`,
  cpuUser: `sum by (groupname) (rate(${cpu.name}{groupname="{{group}}",mode="user"}[${RATE_WINDOW}])) * 100`,
  cpuSystem: `sum by (groupname) (rate(${cpu.name}{groupname="{{group}}",mode="system"}[${RATE_WINDOW}])) * 100`,
  resident: `${mem.name}{groupname="{{group}}",memtype="resident"}`,
  proportionalResident: `${mem.name}{groupname="{{group}}",memtype="proportionalResident"}`,
  swapped: `${mem.name}{groupname="{{group}}",memtype="swapped"}`,
  readBps: `rate(${read.name}{groupname="{{group}}"}[${RATE_WINDOW}])`,
  writeBps: `rate(${write.name}{groupname="{{group}}"}[${RATE_WINDOW}])`,
  openFds: `${fds.name}{groupname="{{group}}"}`,
  worstFdRatio: `${ratio.name}{groupname="{{group}}"}`,
  numThreads: `${numThreads.name}{groupname="{{group}}"}`,
  numProcs: `${numProcs.name}{groupname="{{group}}"}`,
  oldest: `time() - ${oldest.name}{groupname="{{group}}"}`,
});
