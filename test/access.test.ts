// What the exporter can read of other users' processes, found at start: one warning when it cannot read
// them all (no CAP_SYS_PTRACE or CAP_DAC_READ_SEARCH, or hidepid= on the procfs), none when it can.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { accessWarning, hidepidOf, missingCapabilities, mountOf } from '../src/proc/access';
import { nobodySkip, OUR_LAUNCHER } from './procs';

test('missing capabilities are read from the CapEff mask', () => {
  // root's full set; none; CAP_SYS_PTRACE (19) and CAP_DAC_READ_SEARCH (2) only; CAP_DAC_OVERRIDE (1) stands in for 2
  assert.deepEqual(missingCapabilities('Name:\tx\nCapEff:\t000001ffffffffff\n'), []);
  assert.deepEqual(missingCapabilities('CapEff:\t0000000000000000\n'), ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH']);
  assert.deepEqual(missingCapabilities('CapEff:\t0000000000080004\n'), []);
  assert.deepEqual(missingCapabilities('CapEff:\t0000000000080002\n'), []);
  assert.deepEqual(missingCapabilities('CapEff:\t0000000000000004\n'), ['CAP_SYS_PTRACE']);
  assert.deepEqual(missingCapabilities('CapEff:\t0000000000080000\n'), ['CAP_DAC_READ_SEARCH']);
  assert.deepEqual(missingCapabilities(''), ['CAP_SYS_PTRACE', 'CAP_DAC_READ_SEARCH']);
});

test('the mount that holds a path, and its hidepid', () => {
  const info = [
    '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
    '23 22 0:22 / /proc rw,nosuid,nodev,noexec,relatime shared:12 - proc proc rw,hidepid=invisible',
    '24 22 0:23 / /host/proc ro,relatime - proc proc rw',
    '25 22 0:24 / /mnt/with\\040space rw - tmpfs tmpfs rw',
  ].join('\n');
  assert.deepEqual(mountOf(info, '/proc'), { fstype: 'proc', superOptions: 'rw,hidepid=invisible' });
  assert.deepEqual(mountOf(info, '/host/proc'), { fstype: 'proc', superOptions: 'rw' });
  assert.deepEqual(mountOf(info, '/procfoo'), { fstype: 'ext4', superOptions: 'rw' });
  assert.deepEqual(mountOf(info, '/mnt/with space/x'), { fstype: 'tmpfs', superOptions: 'rw' });
  assert.equal(hidepidOf('rw,hidepid=invisible'), 'invisible');
  assert.equal(hidepidOf('rw,hidepid=2,gid=10'), '2');
  assert.equal(hidepidOf('rw,hidepid=0'), null);
  assert.equal(hidepidOf('rw,hidepid=off'), null);
  assert.equal(hidepidOf('rw'), null);
});

test('the warning says what is missing and how to grant it; nothing when all is readable or the tree is not a procfs', () => {
  assert.equal(accessWarning(null), null);
  assert.equal(accessWarning({ missingCaps: [], hidepid: null }), null);
  assert.equal(
    accessWarning({ missingCaps: ['CAP_SYS_PTRACE'], hidepid: 'invisible' }),
    "Not every process is readable: without CAP_SYS_PTRACE, other users' processes cannot be read in full: their I/O (read and write bytes), proportional memory (PSS, with -gather-smaps) and executable path are missing, so their groups' I/O and proportional memory are counted as partial errors and shown as n/a on the page; the procfs is mounted with hidepid=invisible, which hides other users' processes from this user. Run as root, or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (AmbientCapabilities= in the systemd unit, as deploy/namedprocess-exporter.service does; --cap-add for a container)",
  );
});


/** Runs the installed binary once as nobody (with `caps` as ambient capabilities): its warn lines and output. */
function asNobody(caps: string[], procnames: string): { status: number | null; warnings: string[]; stdout: string } {
  const capArgs = caps.length === 0 ? [] : [`--inh-caps=${caps.map((c) => `+${c}`).join(',')}`, `--ambient-caps=${caps.map((c) => `+${c}`).join(',')}`];
  const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', ...capArgs, OUR_LAUNCHER, '-procnames', procnames, '-once-to-stdout-delay', '1s'], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NAMEDPROCESS_NODE: process.execPath },
  });
  return { status: r.status, warnings: r.stderr.split('\n').filter((l) => l.includes('level=warn')), stdout: r.stdout };
}

/** A root-owned process of a comm of its own that keeps writing to a file (so its io write_bytes grow). */
function rootWriter(dir: string, comm: string): ChildProcess {
  const sh = path.join(dir, comm);
  copyFileSync('/bin/sh', sh);
  chmodSync(sh, 0o755);
  const out = path.join(dir, 'out');
  return spawn(sh, ['-c', `while :; do dd if=/dev/zero of=${out} bs=64k count=4 2>/dev/null; rm -f ${out}; sleep 0.1; done`], { stdio: 'ignore' });
}

const skip = nobodySkip('/usr/bin/setpriv');

test('as nobody: one warning at start that names the missing capabilities, and a root process\'s writes are not read', { skip }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npe-access-'));
  const writer = rootWriter(dir, 'npewrnocap');
  try {
    const r = asNobody([], 'npewrnocap');
    assert.equal(r.status, 0);
    assert.equal(r.warnings.length, 1, r.warnings.join('\n'));
    assert.match(r.warnings[0]!, /msg="Not every process is readable: without CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH, other users' processes cannot be read in full/);
    assert.match(r.stdout, /^namedprocess_namegroup_write_bytes_total\{groupname="npewrnocap"\} 0$/m);
  } finally {
    writer.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('as nobody with CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH as ambient capabilities: no warning, and a root process\'s writes are read', { skip }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'npe-access-'));
  const writer = rootWriter(dir, 'npewrcaps');
  try {
    const r = asNobody(['sys_ptrace', 'dac_read_search'], 'npewrcaps');
    assert.equal(r.status, 0);
    assert.deepEqual(r.warnings, []);
    const written = Number(/^namedprocess_namegroup_write_bytes_total\{groupname="npewrcaps"\} (\S+)$/m.exec(r.stdout)?.[1]);
    assert.ok(written > 0, `write_bytes_total ${written}`);
  } finally {
    writer.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
