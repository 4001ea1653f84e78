#!/usr/bin/env node
// `npm run build:prebuilds`: builds the N-API binaries that ship in the package, one per
// platform-arch-libc (N-API version 8 serves every Node version from 20 on), with prebuildify, into
// prebuilds/<platform>-<arch>/namedprocess-exporter.<libc>.node, and records the fingerprint of the
// sources they were built from in prebuilds/SOURCES.sha256 (test/prebuild.test.ts compares it).
//
// The binaries are committed, so that `npm pack` on a clean checkout carries them without a compiler.
// Run it after every change to native/ or binding.gyp, and commit prebuilds/.
//
// Targets, by default: linux-x64 glibc with the host g++ (required); linux-arm64 glibc with Debian's
// g++-aarch64-linux-gnu when it is installed. These replace prebuilds/ as a whole.
//
// `--libc=musl` builds linux-<this arch> musl with the host's g++, on a musl system (Alpine: `apk add
// python3 make g++`), since Debian has no C++ toolchain for musl (musl-tools is C only). It adds that one
// binary to prebuilds/ and keeps the others, and fails unless prebuilds/SOURCES.sha256 already records the
// current sources (the glibc binaries beside it must not be stale). The release workflow runs it in an
// Alpine container on an x64 and on an arm64 runner; node-gyp-build picks the musl binary on Alpine.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { ROOT, PREFIX, SOURCES_FILE, nodeGypCommand, localNodeDir, nativeSources, sourcesHash } = require('./native-tools');

const GLIBC_TARGETS = [
  { arch: 'x64', libc: 'glibc', host: true },
  { arch: 'arm64', libc: 'glibc', cross: 'aarch64-linux-gnu' },
];

/** The options of the command line: `--libc=glibc` (the default) or `--libc=musl`. */
function parseArgs(argv) {
  let libc = 'glibc';
  for (const a of argv) {
    const m = /^--libc=(glibc|musl)$/.exec(a);
    if (m) libc = m[1];
    else throw new Error(`unknown argument ${a} (usage: prebuild.js [--libc=glibc|musl])`);
  }
  return { libc };
}

/** Whether this Node runs on musl: its report names no glibc version. */
function hostIsMusl() {
  const header = process.report && process.report.getReport().header;
  return Boolean(header) && !header.glibcVersionRuntime;
}

function which(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).stdout.trim() || null;
}

/** A copy of the addon's sources in a temp dir, so the build leaves the checkout's build/ alone. */
function stage() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'namedprocess-prebuild-'));
  for (const f of nativeSources()) {
    fs.mkdirSync(path.join(dir, path.dirname(f)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
  }
  fs.copyFileSync(path.join(ROOT, 'package.json'), path.join(dir, 'package.json'));
  // binding.gyp asks node-addon-api for its include dir
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
  return dir;
}

function build(target, out) {
  const env = { ...process.env };
  let strip = 'strip';
  if (target.cross) {
    const cxx = which(`${target.cross}-g++`);
    if (!cxx) return `${target.cross}-g++ not found (apt-get install g++-${target.cross})`;
    Object.assign(env, { CC: `${target.cross}-gcc`, CXX: `${target.cross}-g++`, LINK: `${target.cross}-g++`, AR: `${target.cross}-ar` });
    strip = `${target.cross}-strip`;
  } else if (os.arch() !== target.arch) {
    return `host is ${os.arch()}`;
  }
  const nodedir = localNodeDir();
  if (!nodedir) return 'no Node headers next to this node (include/node/node_api.h)';
  env.npm_config_nodedir = nodedir;
  const src = stage();
  try {
    const [cmd, ...pre] = nodeGypCommand();
    // prebuildify runs node-gyp as one executable: a tiny wrapper gives it ours.
    const wrapper = path.join(src, 'node-gyp.sh');
    fs.writeFileSync(wrapper, `#!/bin/sh\nexec ${[cmd, ...pre].map((a) => JSON.stringify(a)).join(' ')} "$@" --nodedir=${JSON.stringify(nodedir)}\n`, { mode: 0o755 });
    const args = [
      require.resolve('prebuildify/bin.js', { paths: [ROOT] }),
      '--napi',
      '--strip',
      `--strip-bin=${strip}`,
      `--arch=${target.arch}`,
      `--tag-libc=${target.libc}`,
      `--node-gyp=${wrapper}`,
      `--out=${out}`,
      src,
    ];
    const res = spawnSync(process.execPath, args, { cwd: src, env, encoding: 'utf8', timeout: 10 * 60 * 1000 });
    if (res.status !== 0) {
      process.stderr.write(`${res.stdout}\n${res.stderr}`);
      throw new Error(`prebuildify failed for linux-${target.arch} ${target.libc}`);
    }
    return null;
  } finally {
    fs.rmSync(src, { recursive: true, force: true });
  }
}

/** `--libc=musl`: one binary for this machine's arch, added to prebuilds/. */
function mainMusl() {
  if (!hostIsMusl()) throw new Error('--libc=musl builds with the host compiler on a musl system (Alpine); this one runs glibc');
  const hash = sourcesHash();
  const recorded = fs.existsSync(path.join(ROOT, SOURCES_FILE)) ? fs.readFileSync(path.join(ROOT, SOURCES_FILE), 'utf8').trim() : '';
  if (recorded !== hash) throw new Error(`${SOURCES_FILE} does not record the current sources: run npm run build:prebuilds (glibc) first`);
  const target = { arch: os.arch(), libc: 'musl', host: true };
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'namedprocess-prebuilds-'));
  try {
    const skipped = build(target, out);
    if (skipped) throw new Error(`cannot build linux-${target.arch} musl: ${skipped}`);
    const rel = path.join('prebuilds', `linux-${target.arch}`, 'namedprocess-exporter.musl.node');
    fs.mkdirSync(path.dirname(path.join(ROOT, rel)), { recursive: true });
    fs.copyFileSync(path.join(out, rel), path.join(ROOT, rel));
    console.log(`${PREFIX} ${rel} (${fs.statSync(path.join(ROOT, rel)).size} bytes)`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

function main() {
  if (process.platform !== 'linux') throw new Error('prebuilds are made on Linux');
  if (parseArgs(process.argv.slice(2)).libc === 'musl') {
    mainMusl();
    return;
  }
  const TARGETS = GLIBC_TARGETS;
  const hash = sourcesHash();
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'namedprocess-prebuilds-'));
  const built = [];
  try {
    for (const t of TARGETS) {
      const skipped = build(t, out);
      const name = `linux-${t.arch} ${t.libc}`;
      if (skipped && t.host) throw new Error(`cannot build ${name}: ${skipped}`);
      if (skipped) console.log(`${PREFIX} skipped ${name}: ${skipped}`);
      else built.push(name);
    }
    // Replace prebuilds/ as a whole: a binary that could not be rebuilt here would be stale, and a
    // stale binary is worse than none (that platform then builds from source).
    const dest = path.join(ROOT, 'prebuilds');
    fs.rmSync(dest, { recursive: true, force: true });
    fs.cpSync(path.join(out, 'prebuilds'), dest, { recursive: true });
    fs.writeFileSync(path.join(ROOT, SOURCES_FILE), `${hash}\n`);
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
  for (const f of fs.readdirSync(path.join(ROOT, 'prebuilds'), { recursive: true })) {
    const p = path.join(ROOT, 'prebuilds', f);
    if (fs.statSync(p).isFile()) console.log(`${PREFIX} prebuilds/${f} (${fs.statSync(p).size} bytes)`);
  }
  console.log(`${PREFIX} built ${built.join(', ')}; commit prebuilds/`);
}

try {
  main();
} catch (e) {
  console.error(`${PREFIX} ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
