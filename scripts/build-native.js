#!/usr/bin/env node
// Install step: build the native /proc scanner when a compiler is there; never fail the install.
//   node scripts/build-native.js              build build/Release/namedprocess_scanner.node (exit 0 always)
//   node scripts/build-native.js --asan       build an AddressSanitizer copy in node_modules/.cache (fails loudly)
//   node scripts/build-native.js --asan-test  the ASan build, then the native tests under it (npm run test:asan)
// Headers come from the local Node install (nodedir); node-gyp is never allowed to download anything.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const ADDON = 'namedprocess_scanner.node';
const ASAN_DIR = path.join(ROOT, 'node_modules', '.cache', 'namedprocess-asan');
const PREFIX = 'namedprocess-exporter:';

function fallbackLine(reason) {
  return `${PREFIX} native scanner not built (${reason}); using the TypeScript /proc reader`;
}

function which(cmd, env) {
  if (cmd.includes('/')) return fs.existsSync(cmd) ? cmd : null;
  for (const dir of (env.PATH || '').split(path.delimiter)) {
    if (!dir) continue;
    const p = path.join(dir, cmd);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

/** npm's bundled node-gyp (the one that works on Node 20), else a local one. */
function findNodeGyp(env) {
  const candidates = [];
  if (env.npm_config_node_gyp) candidates.push(env.npm_config_node_gyp);
  const prefix = path.resolve(path.dirname(process.execPath), '..');
  candidates.push(path.join(prefix, 'lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  candidates.push(path.join(prefix, 'node_modules/npm/node_modules/node-gyp/bin/node-gyp.js'));
  try {
    candidates.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [ROOT] }));
  } catch {
    // no local node-gyp
  }
  if (env.npm_execpath) {
    // .../npm/bin/npm-cli.js -> .../npm/node_modules/node-gyp
    candidates.push(path.resolve(path.dirname(env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'));
  }
  return candidates.find((c) => fs.existsSync(c)) || null;
}

/** A directory holding include/node/node_api.h: the headers node-gyp would otherwise download. */
function findNodeDir(env) {
  const candidates = [env.npm_config_nodedir, path.resolve(path.dirname(process.execPath), '..'), '/usr', '/usr/local'];
  return candidates.find((d) => d && fs.existsSync(path.join(d, 'include', 'node', 'node_api.h'))) || null;
}

/** The first thing that stops a build, as a short reason; null when a build can be tried. */
function preflight(env) {
  if (process.platform !== 'linux') return `${process.platform} is not Linux`;
  const cxx = (env.CXX || 'g++').trim().split(/\s+/)[0];
  const cxxPath = which(cxx, env);
  if (!cxxPath) return `no C++ compiler: ${cxx} not found`;
  const probe = spawnSync(cxxPath, ['--version'], { env, stdio: 'ignore', timeout: 30000 });
  if (probe.status !== 0) return `no working C++ compiler: ${cxx} --version failed`;
  if (!which('make', env)) return 'make not found';
  if (!which('python3', env) && !which('python', env)) return 'python3 not found (node-gyp needs it)';
  return null;
}

/** The most telling line of a failed build's output. */
function shortReason(output) {
  const lines = output.split('\n').map((l) => l.trim());
  const pick =
    lines.find((l) => /\berror:/.test(l) && !l.startsWith('gyp ERR!')) ||
    lines.find((l) => /^gyp ERR! stack Error:/.test(l)) ||
    lines.find((l) => /ERR!/.test(l)) ||
    'node-gyp failed';
  return pick.replace(/^gyp ERR! stack /, '').slice(0, 200);
}

function runNodeGyp(cwd, env, nodeGyp, nodedir) {
  const gypEnv = {
    ...env,
    // Every spelling node-gyp honours for "headers are here, do not download".
    npm_config_nodedir: nodedir,
    npm_config_offline: 'true',
  };
  const res = spawnSync(process.execPath, [nodeGyp, 'rebuild', `--nodedir=${nodedir}`, '--jobs=max'], {
    cwd,
    env: gypEnv,
    encoding: 'utf8',
    timeout: 10 * 60 * 1000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${res.stdout || ''}\n${res.stderr || ''}`;
  const ok = res.status === 0 && !res.error;
  return { ok, output, error: res.error };
}

/** Does the built file load in a fresh Node? (a wrong ABI or a missing libasan shows up here) */
function loads(file, env) {
  const res = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(file)}).createScanner('/proc', 1)`], {
    env,
    encoding: 'utf8',
    timeout: 60000,
  });
  return res.status === 0 ? null : (res.stderr || '').split('\n').find((l) => l.trim()) || `exit ${res.status}`;
}

function writeLog(output) {
  try {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'namedprocess-build-'));
    const file = path.join(dir, 'native-build.log');
    fs.writeFileSync(file, output);
    return file;
  } catch {
    return null;
  }
}

function buildRelease(env) {
  if (env.NAMEDPROCESS_SKIP_NATIVE === '1' || env.NAMEDPROCESS_SKIP_NATIVE === 'true') {
    console.log(fallbackLine('NAMEDPROCESS_SKIP_NATIVE is set'));
    return 0;
  }
  const blocker = preflight(env);
  if (blocker) {
    console.log(fallbackLine(blocker));
    return 0;
  }
  const nodeGyp = findNodeGyp(env);
  if (!nodeGyp) {
    console.log(fallbackLine('node-gyp not found'));
    return 0;
  }
  const nodedir = findNodeDir(env);
  if (!nodedir) {
    console.log(fallbackLine('Node headers (include/node/node_api.h) not found and downloads are off'));
    return 0;
  }
  const res = runNodeGyp(ROOT, env, nodeGyp, nodedir);
  if (!res.ok) {
    const log = writeLog(res.output);
    const why = res.error ? res.error.message : shortReason(res.output);
    console.log(fallbackLine(`${why}${log ? `; full log: ${log}` : ''}`));
    return 0;
  }
  const file = path.join(ROOT, 'build', 'Release', ADDON);
  const loadError = loads(file, env);
  if (loadError) {
    console.log(fallbackLine(`built but does not load: ${loadError}`));
    return 0;
  }
  console.log(`${PREFIX} native scanner built (${path.relative(ROOT, file)})`);
  return 0;
}

function libasanPath(env) {
  const cc = (env.CXX || 'g++').trim().split(/\s+/)[0];
  const res = spawnSync(cc, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const p = (res.stdout || '').trim();
  return p && path.isAbsolute(p) && fs.existsSync(p) ? fs.realpathSync(p) : null;
}

/** Same sources and flags as binding.gyp, plus AddressSanitizer, in a directory of its own. */
function buildAsan(env) {
  const nodeGyp = findNodeGyp(env);
  const nodedir = findNodeDir(env);
  if (!nodeGyp || !nodedir) throw new Error('node-gyp or Node headers not found');
  const gyp = JSON.parse(fs.readFileSync(path.join(ROOT, 'binding.gyp'), 'utf8'));
  const t = gyp.targets[0];
  // gyp wants sources below the .gyp file: build from a fresh copy of native/.
  fs.rmSync(path.join(ASAN_DIR, 'native'), { recursive: true, force: true });
  fs.mkdirSync(ASAN_DIR, { recursive: true });
  fs.cpSync(path.join(ROOT, 'native'), path.join(ASAN_DIR, 'native'), { recursive: true });
  const san = ['-fsanitize=address', '-fno-omit-frame-pointer', '-g'];
  t.cflags = [...t.cflags.filter((f) => f !== '-O2'), '-O1', ...san];
  t.cflags_cc = [...t.cflags_cc.filter((f) => f !== '-O2'), '-O1', ...san];
  t['cflags!'] = [...(t['cflags!'] || []), '-O2'];
  t['cflags_cc!'] = [...(t['cflags_cc!'] || []), '-O2'];
  t.ldflags = [...(t.ldflags || []), '-fsanitize=address'];
  t.include_dirs = [path.join(ROOT, 'node_modules', 'node-addon-api')];
  fs.mkdirSync(ASAN_DIR, { recursive: true });
  fs.writeFileSync(path.join(ASAN_DIR, 'binding.gyp'), JSON.stringify(gyp, null, 2));
  const res = runNodeGyp(ASAN_DIR, env, nodeGyp, nodedir);
  if (!res.ok) {
    process.stderr.write(res.output);
    throw new Error(`ASan build failed: ${shortReason(res.output)}`);
  }
  return path.join(ASAN_DIR, 'build', 'Release', ADDON);
}

function asanTest(env) {
  const addon = buildAsan(env);
  const libasan = libasanPath(env);
  if (!libasan) throw new Error('libasan.so not found (g++ -print-file-name=libasan.so)');
  const distTest = path.join(ROOT, 'dist', 'test');
  const files = fs
    .readdirSync(distTest)
    .filter((f) => /^(native|reader-diff).*\.test\.js$/.test(f))
    .map((f) => path.join(distTest, f));
  if (files.length === 0) throw new Error(`no native tests in ${distTest} (run tsc first)`);
  const testEnv = {
    ...env,
    // Node itself is not built with ASan: the runtime must come first, and Node's own allocations at
    // exit are not ours to report (detect_leaks=0); everything the addon touches is still checked.
    LD_PRELOAD: [libasan, env.LD_PRELOAD].filter(Boolean).join(' '),
    ASAN_OPTIONS: 'detect_leaks=0:abort_on_error=1:halt_on_error=1:detect_stack_use_after_return=1',
    NAMEDPROCESS_NATIVE_PATH: addon,
    NAMEDPROCESS_REQUIRE_NATIVE: '1',
  };
  console.log(`${PREFIX} running ${files.length} test file(s) against ${path.relative(ROOT, addon)} with ${libasan}`);
  const res = spawnSync(process.execPath, ['--test', ...files], { env: testEnv, stdio: 'inherit' });
  return res.status === null ? 1 : res.status;
}

function main() {
  const mode = process.argv[2];
  const env = process.env;
  if (mode === '--asan') {
    const file = buildAsan(env);
    console.log(`${PREFIX} ASan build: ${file}`);
    return 0;
  }
  if (mode === '--asan-test') return asanTest(env);
  try {
    return buildRelease(env);
  } catch (e) {
    // Whatever went wrong, the install goes on with the TS reader.
    console.log(fallbackLine(e instanceof Error ? e.message.split('\n')[0] : String(e)));
    return 0;
  }
}

process.exitCode = main();
