#!/usr/bin/env node
// Entry point of the `process-exporter` / `namedprocess-exporter` binaries.
console.error('namedprocess-exporter: not wired yet');
process.exit(1);
