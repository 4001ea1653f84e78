#!/usr/bin/env node
// Writes dist/build-info.json: the git revision (short), the branch and whether the work tree had
// uncommitted changes, taken when the build runs (the build, prepare and test scripts run this after
// tsc). `-version` and process_exporter_build_info print it (src/base/version.ts reads it). The file ships in
// the packed tarball, so an install from it names the commit it was built from.
//
// Only this checkout's own repository counts: a package directory inside someone else's repository (a
// node_modules folder) has no revision of its own. Without git, an existing file is left as it is (a
// tarball's, for instance); otherwise the fields say "unknown".
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const out = path.join(root, 'dist', 'build-info.json');

function git(...args) {
  const res = spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', timeout: 30_000 });
  return res.status === 0 ? res.stdout.trim() : null;
}

function stamp() {
  const top = git('rev-parse', '--show-toplevel');
  if (top === null || fs.realpathSync(top) !== fs.realpathSync(root)) return null;
  const revision = git('rev-parse', '--short', 'HEAD');
  if (revision === null) return null; // a repository without a commit
  // "HEAD" on a detached checkout (a tag, as in the release workflow), as prometheus/common's tools print it
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD') ?? 'unknown';
  // tracked files that differ from the commit; build output and node_modules are ignored files
  const status = git('status', '--porcelain', '--untracked-files=no');
  return { revision, branch, dirty: status === null ? false : status !== '' };
}

const info = stamp();
if (info === null && fs.existsSync(out)) process.exit(0);
fs.mkdirSync(path.dirname(out), { recursive: true });
fs.writeFileSync(out, `${JSON.stringify(info ?? { revision: 'unknown', branch: 'unknown', dirty: false })}\n`);
