// End to end, node_exporter style: the built binary on a fixed fake /proc tree, the whole exposition
// of -once-to-stdout-delay compared with test/golden/<case>.prom, once per reader. After a deliberate
// change, `UPDATE_GOLDEN=1 npm run test:golden` rewrites the files; review their diff.
//
// The prom-client families about the exporter's own Node process (process_*, nodejs_*) are left out
// and the few values that depend on the host (build labels, the cycle's wall time, the start time) are masked: the
// rest is the exact text a user gets.
import { after, before, describe, test } from 'node:test';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FakeProcfs, type FakeProc } from './fakeproc';
import { assertGolden, GOLDEN_DIR } from './golden';
import { OUR_MAIN } from './procs';
import { loadNative } from '../src/proc/native';

/** The fixture: a small host with the cases that shape the output. */
const FIXTURE: FakeProc[] = [
  { pid: 1, comm: 'systemd', cmdline: ['/sbin/init'], starttime: 1, rss: 3000, vsize: 170_000_000, fdCount: 90, fdSoftLimit: 'unlimited' },
  { pid: 2, comm: 'kthreadd', ppid: 0, cmdline: [], starttime: 1 },
  { pid: 40, comm: 'kworker/0:1-events', ppid: 2, cmdline: [], state: 'I', starttime: 2 },
  {
    pid: 100, comm: 'nginx', cmdline: ['nginx: master process', '/usr/sbin/nginx'], starttime: 900, utime: 120, stime: 30,
    minflt: 5000, majflt: 12, rss: 400, vsize: 55_000_000, wchan: 'sigsuspend', fdCount: 12, fdSoftLimit: 1024,
    pssKb: 900, swapPssKb: 10, vmSwapKb: 40, readBytes: 1 << 20, writeBytes: 4096, ctxVol: 77, ctxNonvol: 3,
  },
  { pid: 101, comm: 'nginx', ppid: 100, cmdline: ['nginx: worker process'], starttime: 905, state: 'R', utime: 7, wchan: 'ep_poll', fdCount: 1000, fdSoftLimit: 1024, pssKb: 300 },
  {
    pid: 200, comm: 'java', cmdline: ['java', '-jar', 'app.jar'], starttime: 1200, utime: 9000, stime: 800, rss: 250_000, vsize: 4_000_000_000,
    threads: [
      { tid: 200, comm: 'java', state: 'S', utime: 10, ctxVol: 5, wchan: 'futex_wait_queue' },
      { tid: 201, comm: 'GC Thread#0', state: 'R', utime: 4000, ctxNonvol: 90 },
      { tid: 202, comm: 'GC Thread#1', state: 'S', utime: 3900, wchan: 'futex_wait_queue' },
      { tid: 203, comm: 'C2 "Compiler"', state: 'D', utime: 1090, readBytes: 8192, wchan: 'io_schedule' },
    ],
  },
  { pid: 300, comm: 'postgres', cmdline: ['/usr/lib/postgresql/bin/postgres', '-D', '/var/lib/pg'], starttime: 1500, omit: ['io'] },
  { pid: 301, comm: 'postgres', ppid: 300, cmdline: ['postgres: checkpointer '], starttime: 1510, state: 'S' },
  { pid: 302, comm: 'postgres', ppid: 300, cmdline: ['postgres: walwriter '], starttime: 1511, state: 'Z' },
  { pid: 400, comm: 'tmux: server', cmdline: ['tmux'], starttime: 3000, uid: 0, omit: ['smaps_rollup', 'wchan'] },
  { pid: 401, comm: 'bash', ppid: 400, cmdline: ['-bash'], starttime: 3100, state: 'T' },
  { pid: 500, comm: 'broken', raw: { stat: 'garbage' } },
  { pid: 600, comm: 'cron', cmdline: ['/usr/sbin/cron', '-f'], starttime: 700, omit: ['limits'] },
];

interface GoldenCase {
  name: string;
  args: string[];
}

const CASES: GoldenCase[] = [
  { name: 'default.prom', args: [] },
  { name: 'config.prom', args: ['-config.path', join(GOLDEN_DIR, 'config.yml'), '-threads=false', '-gather-smaps=false'] },
  { name: 'procnames.prom', args: ['-procnames', 'nginx,java,tmux: server', '-children=false'] },
];

/** Families of prom-client's default metrics: they describe the Node process running the test. */
const RUNTIME_FAMILY = /^(nodejs_|process_(?!exporter_build_info))/;

/** The exposition without the runtime families, with host-dependent values masked. */
export function normalize(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const name = line.startsWith('# ') ? line.split(' ')[2] ?? '' : line.split(/[{ ]/)[0];
    if (RUNTIME_FAMILY.test(name)) continue;
    if (name === 'process_exporter_build_info' && !line.startsWith('#')) {
      out.push(line.replace(/(branch|goarch|goos|goversion|reader|revision|version)="[^"]*"/g, '$1="<host>"'));
    } else if (name === 'namedprocess_exporter_cycle_duration_seconds' && !line.startsWith('#')) {
      out.push(`${name} <seconds>`);
    } else if (name === 'namedprocess_exporter_config_last_reload_success_timestamp_seconds' && !line.startsWith('#')) {
      out.push(`${name} <start time>`);
    } else {
      out.push(line);
    }
  }
  return out.join('\n');
}

const native = loadNative();
const READERS: Array<{ reader: string; skip: string | false }> = [
  { reader: 'ts', skip: false },
  { reader: 'native', skip: native.addon ? false : `the native scanner is not built: ${native.reason}` },
];

describe('golden: the binary on a fixed tree, whole exposition', () => {
  let tree: FakeProcfs;
  before(async () => {
    tree = await FakeProcfs.create({ btime: 1700000000 });
    await tree.set(FIXTURE);
  });
  after(async () => {
    await tree.remove();
  });

  for (const { reader, skip } of READERS) {
    for (const c of CASES) {
      test(`${reader} reader: ${c.name}`, { skip }, () => {
        const res = spawnSync(process.execPath, [OUR_MAIN, '-procfs', tree.root, ...c.args, '-once-to-stdout-delay', '1ms'], {
          encoding: 'utf8',
          timeout: 60_000,
          env: { ...process.env, NAMEDPROCESS_READER: reader },
        });
        if (res.status !== 0) throw new Error(`exit ${res.status}: ${res.stderr}`);
        assertGolden(c.name, normalize(res.stdout));
      });
    }
  }
});
