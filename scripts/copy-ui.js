#!/usr/bin/env node
// Copies the page's files (src/ui/) and uPlot's build into dist/ui/, where the exporter serves them from
// and from where they ship in the package. Run by the build, prepare and test scripts after tsc.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const out = path.join(root, 'dist', 'ui');
fs.mkdirSync(out, { recursive: true });
for (const name of fs.readdirSync(path.join(root, 'src', 'ui'))) {
  fs.copyFileSync(path.join(root, 'src', 'ui', name), path.join(out, name));
}
let uplotDist;
try {
  uplotDist = path.dirname(require.resolve('uplot/dist/uPlot.iife.min.js', { paths: [root] }));
} catch {
  // an install without dev dependencies: a packaged dist/ui already holds uPlot
  if (fs.existsSync(path.join(out, 'uPlot.iife.min.js'))) process.exit(0);
  console.error('copy-ui: uplot is not installed (npm install) and dist/ui has no copy of it');
  process.exit(1);
}
for (const name of ['uPlot.iife.min.js', 'uPlot.min.css']) fs.copyFileSync(path.join(uplotDist, name), path.join(out, name));
