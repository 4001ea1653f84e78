// Targets for what the exporter takes from a host at every scale: CPU per scrape at 500 and 10,000
// processes and on the thread-heavy workloads against the bare C floor and the reference, and peak RSS
// (VmHWM) from an idle host to 30,000 processes. Each is printed as met or not, with the figures it was judged on.
import { check, med, result, TARGET_SIZE, type BenchReport, type TargetCheck, type WorkloadReport } from './report';
import { LABELS } from './contenders';

/** The typical-host workload: small enough that the cost per scrape that does not grow with processes shows. */
export const SMALL_SIZE = 500;

const MB = 1e6;

export function costTargets(r: Pick<BenchReport, 'workloads'>): TargetCheck[] {
  const idle = (n: number): WorkloadReport | undefined => r.workloads.find((w) => w.id === `idle-${n}` && w.results.length > 0);
  const host = r.workloads.find((w) => w.kind === 'host' && w.results.length > 0);
  const out: TargetCheck[] = [];
  const ratio = (a: number | null, b: number | null) => (a === null || b === null || b === 0 ? null : a / b);
  const cpuRatio = (w: WorkloadReport | undefined, size: number, vs: 'floor' | 'reference', limit: number, threads = 1) => {
    const ours = result(w, 'native');
    const other = result(w, vs);
    const v = ratio(med(ours, 'cpuS'), med(other, 'cpuS'));
    const n = size.toLocaleString('en-US');
    const shape = threads > 1 ? `${n} processes × ${threads} threads` : `${n} processes`;
    out.push(
      check(
        threads > 1 ? `native-cpu-threads-${size}x${threads}-vs-${vs}-${limit}` : `native-cpu-${size}-vs-${vs}-${limit}`,
        `native, ${shape}, default flags: CPU per scrape ≤ ${limit}× the ${vs}’s`,
        v,
        limit,
        `× ${vs} CPU`,
        (x) => `${(med(ours, 'cpuS')! * 1000).toFixed(1)} ms vs ${vs} ${(med(other, 'cpuS')! * 1000).toFixed(1)} ms: ${x.toFixed(2)}×${x > limit ? `, ${(x / limit).toFixed(2)}× the target` : ''}`,
        `not measured: ${w ? `native or ${vs} at ${shape}` : `no ${shape} workload`}`,
      ),
    );
  };
  cpuRatio(idle(TARGET_SIZE), TARGET_SIZE, 'floor', 0.6);
  cpuRatio(idle(TARGET_SIZE), TARGET_SIZE, 'reference', 0.1);
  cpuRatio(idle(SMALL_SIZE), SMALL_SIZE, 'floor', 0.9);
  cpuRatio(idle(SMALL_SIZE), SMALL_SIZE, 'reference', 0.2);
  // thread-heavy hosts, where idle threads are held (docs/performance.md): every shape the bench ran
  for (const w of r.workloads) {
    if (w.kind !== 'threads' || w.results.length === 0) continue;
    cpuRatio(w, w.processes, 'floor', 0.5, w.threadsPerProcess);
    cpuRatio(w, w.processes, 'reference', 0.1, w.threadsPerProcess);
  }

  const peakMB = (w: WorkloadReport | undefined, c: 'native' | 'ts' | 'reference') => {
    const s = result(w, c)?.summary;
    return s ? (s.peakRssMiB * 1048576) / MB : null;
  };
  for (const c of ['native', 'ts'] as const) {
    const v = peakMB(host, c);
    out.push(check(`rss-host-${c}`, `${LABELS[c]}: peak RSS on the idle host (${host ? `${host.processes} processes` : 'no host workload'}) ≤ 55 MB`, v, 55, 'MB', (x) => `peak ${x.toFixed(1)} MB; reference ${peakMB(host, 'reference')?.toFixed(1) ?? '–'} MB`, `not measured: ${LABELS[c]} on the idle host`));
  }
  for (const c of ['native', 'ts'] as const) {
    const w = idle(TARGET_SIZE);
    const v = ratio(peakMB(w, c), peakMB(w, 'reference'));
    out.push(check(`rss-10k-${c}-vs-reference`, `${LABELS[c]}: peak RSS at 10,000 processes ≤ 1.5× the reference’s`, v, 1.5, '× reference peak RSS', (x) => `${peakMB(w, c)!.toFixed(0)} MB vs reference ${peakMB(w, 'reference')!.toFixed(0)} MB: ${x.toFixed(2)}×${x > 1.5 ? `, ${(peakMB(w, c)! - 1.5 * peakMB(w, 'reference')!).toFixed(0)} MB over` : ''}`, `not measured: ${LABELS[c]} or the reference at 10,000`));
  }
  // the 30,000-process RSS target (≤ 150 MB with either reader) is checked by checkTargets (rss-30k-*)
  return out;
}
