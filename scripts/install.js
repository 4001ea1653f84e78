#!/usr/bin/env node
// The install step. The scanner comes, in this order, from:
//   1. a prebuilt binary in prebuilds/<platform>-<arch>/ (what node-gyp-build picks at run time), when it loads;
//   2. a build from source with node-gyp, when none fits (or with --build-from-source, which is also
//      `npm run build:native` for a developer changing native/);
//   3. nowhere: the exporter then runs the TypeScript reader, and this prints one line saying why.
// It never fails the install. With --ignore-scripts it does not run at all, and step 1 still happens
// at run time, since the loader looks in prebuilds/ itself.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, PREFIX, runNodeGyp, shortReason } = require('./native-tools');

function fallbackLine(reason) {
  return `${PREFIX} native scanner not built (${reason}); using the TypeScript /proc reader`;
}

/** node-gyp-build's choice for this platform, or the reason there is none. */
function resolveAddon() {
  try {
    return { file: require('node-gyp-build').path(ROOT) };
  } catch (e) {
    return { error: (e instanceof Error ? e.message : String(e)).split('\n')[0] };
  }
}

/** null when `file` loads and makes a scanner, else the first line of the error. */
function loadError(file) {
  try {
    require(file).createScanner('/proc', 1).close();
    return null;
  } catch (e) {
    return (e instanceof Error ? e.message : String(e)).split('\n')[0];
  }
}

function writeLog(output) {
  try {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'namedprocess-build-')), 'native-build.log');
    fs.writeFileSync(file, output);
    return file;
  } catch {
    return null;
  }
}

function main() {
  if (process.platform !== 'linux') {
    console.log(fallbackLine(`${process.platform} is not Linux`));
    return;
  }
  const fromSource = process.env.npm_config_build_from_source === 'true' || process.argv.includes('--build-from-source');
  if (!fromSource) {
    const found = resolveAddon();
    const why = found.file ? loadError(found.file) : found.error;
    if (found.file && !why) {
      console.log(`${PREFIX} native scanner ${path.relative(ROOT, found.file)}`);
      return;
    }
    // No prebuild fits this platform (or the one found does not load): build from source.
    if (found.file) console.log(`${PREFIX} ${path.relative(ROOT, found.file)} does not load (${why}); building from source`);
  }
  const res = runNodeGyp(ROOT, ['rebuild']);
  if (!res.ok) {
    // what a failed build leaves (a Makefile, objects) is of no use to anyone
    fs.rmSync(path.join(ROOT, 'build'), { recursive: true, force: true });
    const log = writeLog(res.output);
    const why = res.error ? res.error.message : shortReason(res.output);
    console.log(fallbackLine(`${why}${log ? `; full log: ${log}` : ''}`));
    return;
  }
  const file = path.join(ROOT, 'build', 'Release', 'namedprocess_scanner.node');
  const why = loadError(file);
  if (why) {
    // A build that does not load would shadow the prebuilds at run time: remove it.
    fs.rmSync(path.join(ROOT, 'build'), { recursive: true, force: true });
    console.log(fallbackLine(`built but does not load: ${why}`));
    return;
  }
  console.log(`${PREFIX} native scanner built from source (${path.relative(ROOT, file)})`);
}

try {
  main();
} catch (e) {
  // Whatever went wrong, the install goes on with the TS reader.
  console.log(fallbackLine(e instanceof Error ? e.message.split('\n')[0] : String(e)));
}
