// V8 settings of the exporter binary, applied when this module is loaded: main.ts imports it first,
// before any heavy allocation. An exporter keeps little alive between cycles (a few MB of columns and
// strings) but allocates a lot of short-lived garbage during each one; V8's defaults are tuned for
// applications with a large live heap and hot code. What they cost an exporter, measured on a 2-core VM
// (docs/performance.md#memory-where-it-goes-and-what-was-taken-out):
//
// - semi-space-growth-factor=1: the young generation keeps its initial size (1 MB per semi-space, as
//   `node --max-semi-space-size=1` would give) instead of doubling up to 16 MB; short-lived cycle data
//   is still collected by cheap scavenges.
// - optimize-for-size: V8's memory-saving mode; among other things the old generation is collected
//   closer to what is live.
//   Together: peak RSS 98 -> 84 MiB at 10,000 processes and 72 -> 66 MiB on an 80-process host, CPU
//   per scrape unchanged within the noise.
// - The compilers come on with the size of the host, for good, from the first cycle that reads that many
//   processes (the priming cycle, on such a host). A small host (under 200 processes) is where an
//   exporter is judged by its memory; from a typical host (200 to 1,000 processes) on, the CPU of the JS
//   that tracks every process counts more.
//   - Sparkplug, the baseline compiler, from BASELINE_FROM_PROCESSES: its code and the compiler's own
//     pages cost 0.5 to 1 MiB of peak RSS; it saves 6 to 8% of a scrape's CPU (500 processes: 6.5 against
//     7.5 ms of user time per scrape, 200 scrapes; 10,000 processes: 25.1 against 26.9 ticks of 10 ms).
//   - TurboFan, the optimizing compiler, from OPTIMIZE_FROM_PROCESSES: its code and its compilations cost
//     4 to 6 MiB as soon as anything is optimized (Node's own module loader is, at start-up). CPU per
//     scrape was the same without it at 350, 500 and 1,000 processes, and about 5% higher at 10,000,
//     where it cost 4 to 5 MiB of peak RSS (72-73 against 75-80 MiB, in a pid namespace of 10,000 idle
//     processes).
//   The TS reader parses every file in JS and is 50% slower without TurboFan at 1,000 processes: with it
//   (readerParsesInJs) TurboFan comes on from PARSING_IN_JS_FROM_PROCESSES. Below that a scrape of the
//   idle host costs it 2 ms more, and its peak RSS is 8 MiB lower (61 against 69 MiB, 70 processes).
// - A full collection as a cycle starts, once the old generation has grown by HEAP_STEP_BYTES or the
//   memory JS objects hold outside the heap by EXTERNAL_STEP_BYTES since the last one (collectIfGrown,
//   src/runtime/heap-step.ts).
//   What a cycle leaves behind (its snapshot, strings of new processes) is promoted to the old generation
//   and dies there a cycle later, so the old generation fills with garbage until V8 collects it on its
//   own, 2 MB further on even with optimize-for-size, and the pages it grew into stay resident; each
//   scrape's response body is a buffer outside the heap, which V8 frees only after 64 MB of them. Peak RSS
//   at 500 processes after 200 scrapes: 52.8-53.3 MiB, against 66-94 MiB when it is left to V8; on a
//   70-process host after 30 scrapes, about 2 MiB less. A full collection of the exporter's 5-7 MB heap
//   takes 3-7 ms; it runs about every ninth scrape at 500 processes, every second cycle at 10,000
//   processes (5 ms of a 250 ms cycle). The first cycle always collects what start-up left (config parsing, module
//   initialisation) before it allocates its own.
//
// These flags are read by V8 while it runs, so setting them here works (test/memory.test.ts checks
// each); most other heap flags are read once when V8 starts and would do nothing from here.
// The library API (src/index.ts) does not apply them: the embedding application owns its V8.
import { setFlagsFromString } from 'node:v8';
import { HeapStep } from './heap-step';

/** From this many processes read in one cycle, the baseline compiler (Sparkplug) is on. */
export const BASELINE_FROM_PROCESSES = 200;
/** From this many processes read in one cycle, the optimizing compiler (TurboFan) is on too. */
export const OPTIMIZE_FROM_PROCESSES = 20_000;
/** With the TS reader, from this many processes read in one cycle the optimizing compiler is on. */
export const PARSING_IN_JS_FROM_PROCESSES = 1_000;

const YOUNG_GENERATION_KEPT = '--semi-space-growth-factor=1';
setFlagsFromString(YOUNG_GENERATION_KEPT);
setFlagsFromString('--optimize-for-size');
setFlagsFromString('--no-sparkplug');
setFlagsFromString('--no-opt');
// Node 22 and 24 also optimize with Maglev, a mid-tier compiler that --no-opt leaves on (Node 20 ships it
// off); it stays off, so that every Node version runs the same tiers: Ignition, then Sparkplug, then
// TurboFan.
setFlagsFromString('--no-maglev');

// A full, synchronous collection: V8's runtime function %CollectGarbage, which only compiles with natives
// syntax allowed. It is the only way to collect from inside the process: `global.gc` needs `--expose-gc`
// on node's command line, and a new vm context that would carry it costs more memory than the collections
// save. Natives syntax is allowed only while the function is made and while it runs (V8 may drop its
// bytecode when it has not run for a while and compile it again on the next call; nothing else compiles
// during the call), unless node was started with --allow-natives-syntax. If this V8 refuses it, the heap
// is left to V8's own schedule.
const GC_SOURCE = '%CollectGarbage(null)';
let nativesAlways = false;
let collectGarbage: (() => void) | null = (() => {
  try {
    const f = new Function(GC_SOURCE) as () => void;
    nativesAlways = true;
    return f;
  } catch {
    // natives syntax is off, as it is by default
  }
  try {
    setFlagsFromString('--allow-natives-syntax');
    return new Function(GC_SOURCE) as () => void;
  } catch {
    return null;
  } finally {
    setFlagsFromString('--no-allow-natives-syntax');
  }
})();

/** Whether collectIfGrown can collect on this V8 (false from the first time it refused). */
export function canCollect(): boolean {
  return collectGarbage !== null;
}

/** Runs a full collection; a V8 that refuses it once is left to its own schedule from then on. */
function collectNow(): boolean {
  if (collectGarbage === null) return false;
  if (!nativesAlways) setFlagsFromString('--allow-natives-syntax');
  try {
    collectGarbage();
    return true;
  } catch {
    collectGarbage = null;
    return false;
  } finally {
    if (!nativesAlways) setFlagsFromString('--no-allow-natives-syntax');
  }
}

const mainHeap = new HeapStep(collectNow);

/**
 * As a cycle starts: a full collection if the old generation grew by HEAP_STEP_BYTES or the memory outside
 * the heap by EXTERNAL_STEP_BYTES since the last one (src/runtime/heap-step.ts). True if it ran.
 */
export function collectIfGrown(): boolean {
  return collectGarbage !== null && mainHeap.collectIfGrown();
}

/**
 * Around the start of a worker thread (the TS reader's, src/proc/ts-reader.ts): V8 gives `gc` to the
 * contexts created while --expose-gc is set, so that the worker collects its own heap on the same step
 * (src/runtime/heap-step.ts); and a new isolate raises the young generation's growth factor back to V8's minimum
 * of 2 for the whole process, so the main thread's young generation would double up to 32 MB again (the
 * TS reader under five minutes of churn, `npm run reliability -- --reader ts`: 66.9 -> 84.6 MiB of RSS,
 * 64.1 -> 66.1 MiB with it set again): it is set again once the worker runs.
 */
export const workerStart = {
  before(): void {
    setFlagsFromString('--expose-gc');
  },
  after(): void {
    setFlagsFromString('--no-expose-gc');
    setFlagsFromString(YOUNG_GENERATION_KEPT);
  },
};

let baseline = false;
let optimizing = false;
let optimizeFrom = OPTIMIZE_FROM_PROCESSES;

/** The TS reader parses every file in JS: the optimizing compiler comes on at a smaller host. */
export function readerParsesInJs(): void {
  optimizeFrom = PARSING_IN_JS_FROM_PROCESSES;
}

/** Turns the baseline compiler on, for good. */
function startBaseline(): void {
  if (baseline) return;
  baseline = true;
  setFlagsFromString('--sparkplug');
}

/** Turns the baseline and optimizing compilers on, for good. */
function startOptimizing(): void {
  startBaseline();
  if (optimizing) return;
  optimizing = true;
  setFlagsFromString('--opt');
}

/** After each cycle: turns the compilers on once a cycle is large enough to gain from them. */
export function noteProcessesRead(processes: number): void {
  if (processes >= optimizeFrom) startOptimizing();
  else if (processes >= BASELINE_FROM_PROCESSES) startBaseline();
}
