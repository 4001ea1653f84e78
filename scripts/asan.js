#!/usr/bin/env node
// Development: the native scanner under AddressSanitizer.
//   node scripts/asan.js          build an ASan copy of the addon in node_modules/.cache (fails loudly)
//   node scripts/asan.js --test   that build, then the native tests under it (npm run test:asan)
// Same sources and flags as binding.gyp, plus -fsanitize=address, in a directory of its own, so neither
// build/ nor prebuilds/ is touched.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, PREFIX, runNodeGyp, shortReason } = require('./native-tools');

const ASAN_DIR = path.join(ROOT, 'node_modules', '.cache', 'namedprocess-asan');
const ADDON = 'namedprocess_scanner.node';

function libasanPath(env) {
  const cc = (env.CXX || 'g++').trim().split(/\s+/)[0];
  const res = spawnSync(cc, ['-print-file-name=libasan.so'], { encoding: 'utf8' });
  const p = (res.stdout || '').trim();
  return p && path.isAbsolute(p) && fs.existsSync(p) ? fs.realpathSync(p) : null;
}

function buildAsan(env) {
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
  fs.writeFileSync(path.join(ASAN_DIR, 'binding.gyp'), JSON.stringify(gyp, null, 2));
  const res = runNodeGyp(ASAN_DIR, ['rebuild', '--jobs=max'], env);
  if (!res.ok) {
    process.stderr.write(res.output);
    throw new Error(`ASan build failed: ${res.error ? res.error.message : shortReason(res.output)}`);
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

try {
  if (process.argv[2] === '--test') {
    process.exitCode = asanTest(process.env);
  } else {
    console.log(`${PREFIX} ASan build: ${buildAsan(process.env)}`);
  }
} catch (e) {
  console.error(`${PREFIX} ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
}
