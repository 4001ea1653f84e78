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
// - The optimizing compiler (TurboFan) is off until a cycle reads OPTIMIZE_FROM_PROCESSES processes.
//   Its code and its compilations cost 4 to 6 MiB of resident memory as soon as anything is optimized
//   (Node's own module loader is, at start-up). With the native scanner the cost of a scrape is the
//   kernel's: CPU per scrape was the same without it at 350, 500 and 1,000 processes, and about 5% higher
//   at 10,000, where it cost 4 to 5 MiB of peak RSS (72-73 against 75-80 MiB, in a pid namespace of
//   10,000 idle processes). On such hosts memory is what an exporter is judged by; beyond 20,000
//   processes the CPU of a scrape counts more, and it is turned on for good by the first cycle that
//   large (the priming cycle, on such a host). The TS reader parses every file in JS
//   and is 50% slower without it at 1,000 processes: main.ts turns it on at once for that reader.
//
// These flags are read by V8 while it runs, so setting them here works (test/memory.test.ts checks
// each); most other heap flags are read once when V8 starts and would do nothing from here.
// The library API (src/index.ts) does not apply them: the embedding application owns its V8.
import { setFlagsFromString } from 'node:v8';

/** From this many processes read in one cycle, the optimizing compiler is on. */
export const OPTIMIZE_FROM_PROCESSES = 20_000;

setFlagsFromString('--semi-space-growth-factor=1');
setFlagsFromString('--optimize-for-size');
setFlagsFromString('--no-opt');
// Node 22 and 24 also optimize with Maglev, a mid-tier compiler that --no-opt leaves on (Node 20 ships it
// off); it stays off, so that every Node version runs the same tiers: Ignition and Sparkplug, and TurboFan
// once startOptimizing() is called.
setFlagsFromString('--no-maglev');

let optimizing = false;

/** Turns the optimizing compiler on, for good. */
export function startOptimizing(): void {
  if (optimizing) return;
  optimizing = true;
  setFlagsFromString('--opt');
}

/** After each cycle: turns the optimizing compiler on once a cycle is large enough to gain from it. */
export function noteProcessesRead(processes: number): void {
  if (processes >= OPTIMIZE_FROM_PROCESSES) startOptimizing();
}
