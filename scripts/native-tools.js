// What the native build scripts share: where node-gyp and the Node headers are, how to run node-gyp,
// and the fingerprint of the addon's sources that prebuilds/ records.
//   install.js   the install step: a prebuild that loads, else a build from source, else the TS reader
//   prebuild.js  `npm run build:prebuilds`: the binaries committed under prebuilds/
//   asan.js      `npm run test:asan`: an AddressSanitizer build and the native tests under it
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const PREFIX = 'namedprocess-exporter:';

/**
 * node-gyp as a command: the declared dev dependency when it is installed (a clone), else the one the
 * package manager puts on PATH while it runs install scripts (npm, pnpm and yarn all do).
 */
function nodeGypCommand() {
  try {
    return [process.execPath, require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] })];
  } catch {
    return ['node-gyp'];
  }
}

/**
 * A directory holding include/node/node_api.h next to the running Node (distribution packages and the
 * official tarballs have one). Passed as --nodedir so node-gyp needs no download; null when there is
 * none, and node-gyp then fetches the headers for this Node version as usual.
 */
function localNodeDir(env = process.env) {
  const candidates = [env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..')];
  return candidates.find((d) => d && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h'))) || null;
}

/** Runs `node-gyp <args>` in cwd; returns { ok, output, error }. */
function runNodeGyp(cwd, args, env = process.env) {
  const [cmd, ...pre] = nodeGypCommand();
  const nodedir = localNodeDir(env);
  const full = [...pre, ...args, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const res = spawnSync(cmd, full, {
    cwd,
    env: nodedir ? { ...env, npm_config_nodedir: nodedir } : env,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${res.stdout || ''}\n${res.stderr || ''}`;
  return { ok: res.status === 0 && !res.error, output, error: res.error };
}

/** The most telling line of a failed node-gyp run: a compiler error, a missing tool, else node-gyp's own. */
function shortReason(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const own = (l) => l.startsWith('gyp ');
  const pick =
    lines.find((l) => /\berror:/.test(l) && !own(l)) ||
    lines.find((l) => /(No such file or directory|not found)$/.test(l) && !own(l)) ||
    lines.find((l) => /^gyp ERR! stack Error: /.test(l)) ||
    lines.find((l) => /^gyp ERR! /.test(l) && !/ERR! (find Python|configure error|build error)\s*$/.test(l)) ||
    'node-gyp failed';
  return pick.replace(/^gyp ERR! (stack )?(Error: )?/, '').slice(0, 200);
}

/** The files that make the addon: binding.gyp and everything in native/, in a fixed order. */
function nativeSources(root = ROOT) {
  const files = fs
    .readdirSync(path.join(root, 'native'))
    .filter((f) => fs.statSync(path.join(root, 'native', f)).isFile())
    .map((f) => `native/${f}`)
    .sort();
  return ['binding.gyp', ...files];
}

/** sha256 over the sources' names and contents: what prebuilds/SOURCES.sha256 records. */
function sourcesHash(root = ROOT) {
  const h = crypto.createHash('sha256');
  for (const f of nativeSources(root)) {
    h.update(`${f}\0`);
    h.update(fs.readFileSync(path.join(root, f)));
    h.update('\0');
  }
  return h.digest('hex');
}

const SOURCES_FILE = path.join('prebuilds', 'SOURCES.sha256');

module.exports = { ROOT, PREFIX, SOURCES_FILE, nodeGypCommand, localNodeDir, runNodeGyp, shortReason, nativeSources, sourcesHash };
