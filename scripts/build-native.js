#!/usr/bin/env node
// Install step: build the native /proc scanner when a compiler is there; never fail the install.
// Placeholder until the addon lands (issue 4): the TypeScript reader is used.
console.log('namedprocess-exporter: native scanner not built yet; the TypeScript /proc reader will be used');
