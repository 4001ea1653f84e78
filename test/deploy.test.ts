// The recipes in deploy/ as far as this machine can check them (it has systemd-analyze but no container
// runtime): the systemd unit passes `systemd-analyze verify` without a single warning and keeps its
// hardening; every command line in the unit, the Dockerfile and the DaemonSet parses with our CLI and
// says what the docs say; the DaemonSet's config loads and its mounts match its flags.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../src/cli/flags';
import { readConfig } from '../src/config/load';
import { buildConfigNamer } from '../src/config/matcher';
import type { Options } from '../src/settings/registry';
import { REPO } from './fresh-machine';

const DEPLOY = path.join(REPO, 'deploy');
const UNIT = fs.readFileSync(path.join(DEPLOY, 'namedprocess-exporter.service'), 'utf8');
const EXEC = '/usr/local/bin/process-exporter';

function flags(args: string[]): Options {
  const res = parseCommandLine(args);
  assert.equal(res.kind, 'run', JSON.stringify(res));
  if (res.kind !== 'run') throw new Error('unreachable');
  assert.deepEqual(res.warnings, []);
  return res.options;
}

/** The unit's [Service] settings: key -> every value, in order. */
function unitSettings(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out.set(m[1], [...(out.get(m[1]) ?? []), m[2]]);
  }
  return out;
}

const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
const noAnalyze = analyze.status === 0 ? false : 'systemd-analyze is not installed (Debian package systemd)';

/** systemd-analyze verify on a copy of `text` whose ExecStart program exists (verify checks it). */
function verify(text: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-unit-'));
  try {
    const exe = path.join(dir, 'process-exporter');
    fs.writeFileSync(exe, '#!/bin/sh\n', { mode: 0o755 });
    const unit = path.join(dir, 'namedprocess-exporter.service');
    fs.writeFileSync(unit, text.split(EXEC).join(exe));
    const res = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { encoding: 'utf8', timeout: 60_000 });
    return { status: res.status, output: `${res.stdout}${res.stderr}`.trim() };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test('systemd unit: systemd-analyze verify passes without a warning', { skip: noAnalyze }, () => {
  assert.ok(UNIT.includes(`ExecStart=${EXEC} `));
  assert.deepEqual(verify(UNIT), { status: 0, output: '' });
  // the check is strict enough to catch a typo or a bad value (verify itself exits 0 on both)
  const bad = verify(UNIT.replace('ProtectHome=yes', 'ProtectHome=bogus').replace('RestartSec=5s', 'RestartSecs=5s'));
  assert.match(bad.output, /Unknown key 'RestartSecs'/);
  assert.match(bad.output, /Failed to parse protect home value/);
});

test('systemd unit: non-root with exactly the two capabilities, read-only, reloads with SIGHUP', () => {
  const s = unitSettings(UNIT);
  assert.deepEqual(s.get('DynamicUser'), ['yes']);
  assert.equal(s.get('User'), undefined);
  assert.deepEqual(s.get('AmbientCapabilities'), ['CAP_SYS_PTRACE CAP_DAC_READ_SEARCH']);
  assert.deepEqual(s.get('CapabilityBoundingSet'), ['CAP_SYS_PTRACE CAP_DAC_READ_SEARCH']);
  assert.deepEqual(s.get('NoNewPrivileges'), ['yes']);
  assert.deepEqual(s.get('ProtectSystem'), ['strict']);
  assert.deepEqual(s.get('ExecReload'), ['/bin/kill -HUP $MAINPID']);
  // what would break the exporter stays off: it reads every pid's directory and /proc/stat, and V8 JITs
  for (const k of ['ProcSubset', 'ProtectProc', 'PrivateUsers', 'MemoryDenyWriteExecute']) assert.equal(s.get(k), undefined, k);
});

test('systemd unit: the flags of ExecStart parse, with $ARGS empty by default', () => {
  const s = unitSettings(UNIT);
  assert.deepEqual(s.get('Environment'), ['ARGS=']);
  const [exe, ...args] = s.get('ExecStart')![0].split(/\s+/);
  assert.equal(exe, EXEC);
  assert.equal(args.pop(), '$ARGS');
  const o = flags(args);
  assert.equal(o.listenAddress, ':9256');
  assert.equal(o.procfs, '/proc');
});

test('Dockerfile: non-root, the entry point is the package binary, and ENTRYPOINT + CMD flags parse', () => {
  const text = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8');
  const instr = (name: string): string[] => text.split('\n').filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1));
  assert.deepEqual(instr('USER'), ['65534:65534']);
  assert.match(text, /setcap cap_sys_ptrace,cap_dac_read_search\+ep \/usr\/local\/bin\/namedprocess-node/);
  const entry = JSON.parse(instr('ENTRYPOINT')[0]) as string[];
  // the package's binary (the launcher, with the V8 settings) runs the node that carries the capabilities
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
  assert.deepEqual(entry, [`/usr/local/lib/node_modules/namedprocess-exporter/${pkg.bin['process-exporter']}`]);
  assert.deepEqual(instr('ENV'), ['NAMEDPROCESS_NODE=/usr/local/bin/namedprocess-node']);
  const o = flags(JSON.parse(instr('CMD')[0]) as string[]);
  assert.equal(o.procfs, '/host/proc');
  assert.equal(o.listenAddress, ':9256');
  // the docker run line in the header mounts what the flags read
  assert.match(text, /-v \/proc:\/host\/proc:ro -v \/etc\/passwd:\/etc\/passwd:ro/);
  assert.match(text, /--read-only --cap-drop ALL --cap-add SYS_PTRACE --cap-add DAC_READ_SEARCH/);
});

interface Mount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Volume {
  name: string;
  hostPath?: { path: string; type?: string };
  configMap?: { name: string };
}

test('Kubernetes DaemonSet: flags parse, mounts match them, the config loads, the container is locked down', async () => {
  const docs = parseAllDocuments(fs.readFileSync(path.join(DEPLOY, 'kubernetes.yaml'), 'utf8')).map((d) => d.toJS() as Record<string, any>);
  const ds = docs.find((d) => d.kind === 'DaemonSet')!;
  const cm = docs.find((d) => d.kind === 'ConfigMap')!;
  assert.ok(ds && cm);
  const pod = ds.spec.template.spec;
  assert.equal(pod.hostPID, false);
  const [c] = pod.containers;
  const o = flags(c.args);
  const mounts = c.volumeMounts as Mount[];
  const volumes = pod.volumes as Volume[];
  const volumeAt = (mountPath: string): { mount: Mount; volume: Volume } => {
    const mount = mounts.find((m) => m.mountPath === mountPath);
    assert.ok(mount, `a volume is mounted at ${mountPath}`);
    return { mount, volume: volumes.find((v) => v.name === mount.name)! };
  };

  // -procfs points at the host's /proc, read-only
  const proc = volumeAt(o.procfs);
  assert.equal(proc.mount.readOnly, true);
  assert.deepEqual(proc.volume.hostPath, { path: '/proc', type: 'Directory' });
  // .Username reads /etc/passwd: the host's
  const passwd = volumeAt('/etc/passwd');
  assert.equal(passwd.mount.readOnly, true);
  assert.deepEqual(passwd.volume.hostPath, { path: '/etc/passwd', type: 'File' });
  // -config.path is a file of the mounted ConfigMap, and that config loads
  const cfg = volumeAt(path.dirname(o.configPath));
  assert.equal(cfg.volume.configMap?.name, cm.metadata.name);
  // the ConfigMap's file as the pod sees it, read as the exporter reads it
  const mounted = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-deploy-cm-'));
  fs.writeFileSync(path.join(mounted, path.basename(o.configPath)), cm.data[path.basename(o.configPath)]);
  const rules = (await readConfig(path.join(mounted, path.basename(o.configPath)))).rules;
  fs.rmSync(mounted, { recursive: true });
  assert.equal(rules.length, 1);
  buildConfigNamer(rules, o.configPath, (msg) => assert.fail(msg)); // regexes and templates compile

  assert.equal(c.ports[0].containerPort, Number(o.listenAddress.split(':').pop()));
  assert.equal(ds.spec.template.metadata.annotations['prometheus.io/port'], String(c.ports[0].containerPort));
  const sc = c.securityContext;
  assert.equal(sc.runAsNonRoot, true);
  assert.notEqual(sc.runAsUser, 0);
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.deepEqual(sc.capabilities, { drop: ['ALL'], add: ['SYS_PTRACE', 'DAC_READ_SEARCH'] });
});
