// Real cgroups, as systemd, the kubelet with containerd and Docker make them: as root, a test-owned
// subtree under the cgroup2 mount, processes moved in through cgroup.procs, and the built exporter
// (both readers) naming them by {{.SystemdUnit}}, {{.ContainerID}} and {{.PodUID}}. Removed after.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OUR_MAIN, startExporter, namedprocessSamples } from './procs';

const ID_POD = 'a1'.repeat(32);
const ID_DOCKER = 'd0'.repeat(32);
const ID_CGROUPFS = 'cf'.repeat(32);
const UID = '7c3a1b2e-4f5d-4e6a-9b8c-0d1e2f3a4b5c';
const UID2 = '0f9e8d7c-6b5a-4948-8372-615049382716';
const TOP = `npe-test-${process.pid}`;

/** The mount point of a hierarchy in /proc/self/mounts: the cgroup2 one, or the v1 one with an option. */
function mountOf(type: 'cgroup2' | 'cgroup', option?: string): string | undefined {
  for (const line of readFileSync('/proc/self/mounts', 'utf8').split('\n')) {
    const [, dir, fstype, opts] = line.split(' ');
    if (fstype === type && (option === undefined || opts.split(',').includes(option))) return dir.replace(/\\040/g, ' ');
  }
  return undefined;
}

// [the process's argv[0], the cgroup below the test's own top directory, the group it must be named]
const PLACES: Array<[string, string, string]> = [
  ['npecg-unit', 'system.slice/foo.service', 'npecg-unit|foo.service||'],
  [
    'npecg-pod',
    `kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID_POD}.scope`,
    `npecg-pod|cri-containerd-${ID_POD}.scope|${ID_POD}|${UID}`,
  ],
  ['npecg-docker', `system.slice/docker-${ID_DOCKER}.scope`, `npecg-docker|docker-${ID_DOCKER}.scope|${ID_DOCKER}|`],
  ['npecg-cgroupfs', `kubepods/besteffort/pod${UID2}/${ID_CGROUPFS}`, `npecg-cgroupfs||${ID_CGROUPFS}|${UID2}`],
];

const CONFIG = `process_names:
  - cmdline: ['^npecg-']
    name: "{{.ExeBase}}|{{.SystemdUnit}}|{{.ContainerID}}|{{.PodUID}}"
`;

/** Why real cgroups cannot be made here, or undefined when they can (the probe directory is removed). */
function cannotMakeCgroups(): string | undefined {
  if (process.getuid?.() !== 0) return 'creating cgroups needs root (run npm test as root, as CI does)';
  const mnt = mountOf('cgroup2');
  if (mnt === undefined) return 'no cgroup2 hierarchy is mounted (see /proc/self/mounts)';
  const probe = join(mnt, `${TOP}-probe`);
  try {
    mkdirSync(probe);
    rmdirSync(probe);
  } catch (e) {
    return `cannot create a cgroup under the cgroup2 mount ${mnt}: ${(e as Error).message}`;
  }
  return undefined;
}

const skip = cannotMakeCgroups();

class Cgroups {
  private readonly dirs: string[] = [];
  private readonly children: ChildProcess[] = [];
  constructor(readonly mount: string) {}

  /** mkdir -p below the test's top directory, remembering what it made (to remove it leaf-first) */
  make(rel: string): string {
    let dir = this.mount;
    for (const part of [TOP, ...rel.split('/')]) {
      dir = join(dir, part);
      if (!existsSync(dir)) {
        mkdirSync(dir);
        this.dirs.push(dir);
      }
    }
    return dir;
  }

  /** a long sleep whose argv[0] is name, moved into dir */
  async spawnInto(name: string, dir: string): Promise<ChildProcess> {
    const child = spawn('sleep', ['600'], { argv0: name, stdio: 'ignore' });
    this.children.push(child);
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', reject);
    });
    writeFileSync(join(dir, 'cgroup.procs'), `${child.pid}\n`);
    return child;
  }

  /** the processes killed and reaped, then the cgroups removed deepest first */
  async remove(): Promise<void> {
    await Promise.all(
      this.children.map((c) =>
        c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((resolve) => {
          c.once('exit', resolve);
          c.kill('SIGKILL');
        }),
      ),
    );
    for (const dir of this.dirs.reverse()) {
      // an exited process leaves its cgroup a moment after it is reaped
      for (let i = 0; ; i++) {
        try {
          rmdirSync(dir);
          break;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'ENOENT') break;
          if (i >= 100) throw e;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    }
  }
}

async function groupsNamed(reader: 'native' | 'ts', config: string, prefix: string): Promise<string[]> {
  const ex = await startExporter(OUR_MAIN, ['-config.path', config], { NAMEDPROCESS_READER: reader });
  try {
    const m = namedprocessSamples((await ex.scrape()).body);
    const out: string[] = [];
    for (const [series, v] of m) {
      const g = /^namedprocess_namegroup_num_procs\{groupname="(.*)"\}$/.exec(series);
      if (g !== null && g[1].startsWith(prefix)) out.push(`${g[1]}=${v}`);
    }
    return out.sort();
  } finally {
    await ex.stop();
  }
}

describe('processes in real cgroups are named by their unit, container and pod', { skip }, () => {
  let cg: Cgroups;
  const config = join(mkdtempSync(join(tmpdir(), 'npe-cgroup-real-')), 'c.yml');
  before(async () => {
    writeFileSync(config, CONFIG);
    cg = new Cgroups(mountOf('cgroup2')!);
    for (const [name, rel] of PLACES) {
      const child = await cg.spawnInto(name, cg.make(rel));
      const line = readFileSync(`/proc/${child.pid}/cgroup`, 'utf8').split('\n').find((l) => l.startsWith('0::'));
      assert.ok(line?.endsWith(`/${TOP}/${rel}`), `pid ${child.pid} is in ${line}`);
    }
  });
  after(async () => {
    await cg?.remove();
  });

  for (const reader of ['native', 'ts'] as const) {
    test(`${reader} reader`, { timeout: 120_000 }, async () => {
      assert.deepEqual(await groupsNamed(reader, config, 'npecg-'), PLACES.map(([, , group]) => `${group}=1`).sort());
    });
  }
});

// On a v1 or hybrid host the name=systemd hierarchy says where a process is when the unified one does not.
const v1Mount = mountOf('cgroup', 'name=systemd');
describe('a v1 name=systemd cgroup, the unified one unused', { skip: skip ?? (v1Mount === undefined ? 'no v1 name=systemd hierarchy is mounted (a cgroup v2 only host)' : false) }, () => {
  let v1: Cgroups;
  let pid = 0;
  const config = join(mkdtempSync(join(tmpdir(), 'npe-cgroup-v1-')), 'c.yml');
  before(async () => {
    writeFileSync(config, CONFIG.replace("'^npecg-'", "'^npecgv1-'"));
    v1 = new Cgroups(v1Mount!);
    const child = await v1.spawnInto('npecgv1-unit', v1.make('system.slice/bar.service'));
    pid = child.pid!;
    // its unified cgroup is the root: "0::/" (as on a hybrid host whose systemd does not use it)
    writeFileSync(join(mountOf('cgroup2')!, 'cgroup.procs'), `${pid}\n`);
  });
  after(async () => {
    await v1?.remove();
  });

  for (const reader of ['native', 'ts'] as const) {
    test(`${reader} reader`, { timeout: 120_000 }, async (t) => {
      const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8');
      if (!lines.includes('\n0::/\n') && !lines.startsWith('0::/\n')) {
        t.skip(`the process cannot be left in the unified root here (${JSON.stringify(lines)})`);
        return;
      }
      assert.deepEqual(await groupsNamed(reader, config, 'npecgv1-'), ['npecgv1-unit|bar.service||=1']);
    });
  }
});
