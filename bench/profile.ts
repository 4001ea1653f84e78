// Summarises a V8 .cpuprofile (node --cpu-prof) of our exporter's main thread: self time by category
// (our JS, Node internals, native functions and N-API calls, GC) and the top functions, counting only
// the samples taken after a given moment (after the priming cycle).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  categories: Array<{ category: string; s: number }>;
  top: Array<{ fn: string; where: string; selfS: number }>;
  /** samples counted / total */
  counted: number;
  total: number;
}

function category(n: CpuProfileNode): string {
  const { functionName: fn, url } = n.callFrame;
  if (fn === '(garbage collector)') return 'GC';
  if (fn === '(idle)') return 'idle';
  if (fn === '(program)') return 'V8 and Node C++, unattributed';
  if (fn === '(root)') return 'V8 and Node C++, unattributed';
  if (url.startsWith('node:')) return 'Node internals (JS)';
  if (url.includes('/dist/src/')) return 'our JS';
  if (url === '') return 'native functions (builtins, bindings, N-API)';
  return 'other JS';
}

/** `sinceUs`: CLOCK_MONOTONIC in µs (process.hrtime.bigint() / 1000n), the clock V8 stamps samples with. */
export function summariseProfile(file: string, sinceUs: number, perScrapes: number): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  let t = p.startTime;
  let counted = 0;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    // the time until the next sample is what this one stands for
    const weight = p.timeDeltas[i + 1] ?? 0;
    if (t < sinceUs) continue;
    counted++;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + weight);
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, { fn: string; where: string; us: number }>();
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    const c = category(n);
    cats.set(c, (cats.get(c) ?? 0) + us);
    if (c === 'idle') continue;
    const where = n.callFrame.url ? `${basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : c;
    const key = `${n.callFrame.functionName}@${where}`;
    const e = fns.get(key) ?? { fn: n.callFrame.functionName || '(anonymous)', where, us: 0 };
    e.us += us;
    fns.set(key, e);
  }
  const div = Math.max(1, perScrapes) * 1e6;
  return {
    categories: [...cats].sort((a, b) => b[1] - a[1]).map(([category, us]) => ({ category, s: us / div })),
    top: [...fns.values()]
      .sort((a, b) => b.us - a.us)
      .slice(0, 15)
      .map((e) => ({ fn: e.fn, where: e.where, selfS: e.us / div })),
    counted,
    total: p.samples.length,
  };
}
