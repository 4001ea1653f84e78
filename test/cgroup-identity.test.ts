// {{.SystemdUnit}}, {{.ContainerID}} and {{.PodUID}} through the whole cycle on fake trees, with both
// readers: read when a process is named (first sight, an exec under -recheck, a reload), and kept by the
// tracker for each tracked process.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Harness, tsScanner, type ScannerFactory } from './harness';
import { ConfigReloader } from '../src/ops/reload';
import type { FakeProc } from './fakeproc';

const ID = 'c0ffee00'.repeat(8);
const UID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const POD = `0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod${UID.replace(/-/g, '_')}.slice/cri-containerd-${ID}.scope\n`;
const RULES = `process_names:
  - comm: [web]
    name: "pod {{.PodUID}} container {{.ContainerID}} unit {{.SystemdUnit}}"
  - comm: [cron]
    name: "{{.SystemdUnit}}"
  - comm: [bare]
    name: "[{{.SystemdUnit}}|{{.ContainerID}}|{{.PodUID}}]"
`;

function suite(label: string, scanner: ScannerFactory): void {
  const open: Harness[] = [];
  after(async () => {
    for (const h of open) await h.close();
  });
  const start = async (yaml: string, tree: FakeProc[], opts: Parameters<typeof Harness.start>[1] = {}) => {
    const cfg = join(mkdtempSync(join(tmpdir(), 'npe-cgid-')), 'c.yml');
    writeFileSync(cfg, yaml);
    const h = await Harness.start(tree, { configPath: cfg, ...opts }, scanner);
    open.push(h);
    return { h, cfg };
  };
  const groups = (m: Map<string, string>) =>
    [...m.keys()].filter((k) => k.startsWith('namedprocess_namegroup_num_procs{')).map((k) => `${/groupname="([^"]*)"/.exec(k)![1]}=${m.get(k)}`).sort();

  describe(`${label}: cgroup identity`, () => {
    test('the three fields name groups, "" where the path has none; the tracker keeps each process\'s identity', async () => {
      const { h } = await start(RULES, [
        { pid: 10, comm: 'web', cgroup: POD },
        { pid: 11, comm: 'cron', cgroup: '12:pids:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n' },
        { pid: 12, comm: 'bare', cgroup: '0::/\n' },
        { pid: 13, comm: 'bare', omit: ['cgroup'] },
      ]);
      assert.deepEqual(groups(await h.samples()), [
        `[||]=2`,
        'cron.service=1',
        `pod ${UID} container ${ID} unit cri-containerd-${ID}.scope=1`,
      ]);
      const byPid = new Map([...h.collector.tracker.trackedProcesses()].map((p) => [p.pid, p]));
      assert.deepEqual({ ...byPid.get(10)!.cgroup }, { path: POD.slice(3, -1), systemdUnit: `cri-containerd-${ID}.scope`, containerId: ID, podUid: UID });
      assert.deepEqual({ ...byPid.get(11)!.cgroup }, { path: '/system.slice/cron.service', systemdUnit: 'cron.service', containerId: '', podUid: '' });
      assert.deepEqual({ ...byPid.get(12)!.cgroup }, { path: '/', systemdUnit: '', containerId: '', podUid: '' });
      assert.deepEqual({ ...byPid.get(13)!.cgroup }, { path: '', systemdUnit: '', containerId: '', podUid: '' });
      assert.equal(byPid.get(10)!.group, `pod ${UID} container ${ID} unit cri-containerd-${ID}.scope`);
      assert.deepEqual([...h.collector.tracker.membersOf('cron.service')].map((p) => [p.pid, p.cgroup.systemdUnit]), [[11, 'cron.service']]);
    });

    test('read once: a process moved to another cgroup keeps its identity until it is named again', async () => {
      const { h, cfg } = await start(RULES, [{ pid: 20, comm: 'cron', cgroup: '0::/system.slice/a.service\n' }]);
      await h.scrape();
      await h.set([{ pid: 20, comm: 'cron', cgroup: '0::/system.slice/b.service\n' }]);
      assert.deepEqual(groups(await h.samples()), ['a.service=1']);
      const reloader = new ConfigReloader(h.collector, h.options, [], h.log);
      writeFileSync(cfg, RULES + '\n');
      assert.deepEqual(await reloader.reload('test'), { ok: true });
      assert.deepEqual(groups(await h.samples()), ['a.service=0', 'b.service=1'], 'a reload names it again, from its cgroup now');
      assert.equal([...h.collector.tracker.trackedProcesses()][0].cgroup.systemdUnit, 'b.service');
    });

    test('an exec under -recheck reads the cgroup again', async () => {
      const { h } = await start(RULES, [{ pid: 30, comm: 'bare', cgroup: '0::/system.slice/a.service\n' }], { recheck: true });
      assert.deepEqual(groups(await h.samples()), ['[a.service||]=1']);
      await h.set([{ pid: 30, comm: 'cron', cgroup: `0::/system.slice/docker-${ID}.scope\n` }]);
      assert.deepEqual(groups(await h.samples()), ['[a.service||]=0', `docker-${ID}.scope=1`]);
      assert.equal([...h.collector.tracker.trackedProcesses()][0].cgroup.containerId, ID);
    });

    test('an unknown field is still a config error at load', async () => {
      const cfg = join(mkdtempSync(join(tmpdir(), 'npe-cgid-')), 'c.yml');
      writeFileSync(cfg, 'process_names:\n  - comm: [a]\n    name: "{{.ContainerId}}"\n');
      await assert.rejects(Harness.start([], { configPath: cfg }, scanner), /c\.yml:3:11: process_names\[0\] \(name "\{\{\.ContainerId\}\}"\): bad name template "\{\{\.ContainerId\}\}": template: cmdname:1:2: executing "cmdname" at <\.ContainerId>: can't evaluate field ContainerId in type \*config\.templateParams/);
    });
  });
}

suite('ts reader', tsScanner);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { loadNative, createNativeScanner } = require('../src/proc/native') as typeof import('../src/proc/native');
const native = loadNative();
if (native.addon !== undefined) suite('native reader', (procfs) => createNativeScanner({ procfs }).scanner!);
else test('native reader: cgroup identity', { skip: `the native scanner is not built: ${native.reason}` }, () => {});
