// V8 heap settings of the exporter binary, applied when this module is loaded: main.ts imports it
// first, before any heavy allocation. An exporter keeps little alive between cycles (a few MB of columns and strings) but
// allocates a lot of short-lived garbage during each one; V8's defaults, tuned for applications with a
// large live heap, let the young generation grow to 16 MB per semi-space and the old generation run far
// ahead of what is live before collecting it. Both show up as resident memory that is mostly garbage.
//
// - semi-space-growth-factor=1: the young generation keeps its initial size (1 MB per semi-space, as
//   `node --max-semi-space-size=1` would give) instead of doubling up to 16 MB; short-lived cycle data
//   is still collected by cheap scavenges.
// - optimize-for-size: V8's memory-saving mode; among other things the old generation is collected
//   closer to what is live.
//
// Measured on a 2-core VM (docs/performance.md#memory-where-it-goes-and-what-was-taken-out): peak RSS
// 98 -> 84 MiB at 10,000 processes and 72 -> 66 MiB on an 80-process host, CPU per scrape within the
// noise (42-44 ticks either way). These two flags are read by the garbage collector while it runs, so
// setting them here works; most other heap flags are read once when V8 starts and would do nothing.
// The library API (src/index.ts) does not apply them: the embedding application owns its heap.
import { setFlagsFromString } from 'node:v8';

/** The flags, one per array element; each exists in the V8 of every Node version the package supports. */
export const EXPORTER_V8_FLAGS = ['--semi-space-growth-factor=1', '--optimize-for-size'];

for (const flag of EXPORTER_V8_FLAGS) setFlagsFromString(flag);
