// The recipes in deploy/ as far as this machine can check them (it has systemd-analyze but no container
// runtime): the systemd unit passes `systemd-analyze verify` without a single warning and keeps its
// hardening; every command line in the unit, the Dockerfile and the DaemonSet parses with our CLI and
// says what the docs say; the DaemonSet's config loads, its mounts match its flags, its probes, Service,
// PodMonitor and namespace are what docs/deployment.md says. And the premise every recipe rests on, run
// for real: the installed package as a non-root user with only the two capabilities, on a read-only root,
// reading the host's /proc mounted read-only elsewhere, sees another user's (root's) io.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseCommandLine } from '../src/cli/flags';
import { namedprocessSamples, startExporter, type RunningExporter } from './procs';
import { readConfig } from '../src/config/load';
import { buildConfigNamer } from '../src/config/matcher';
import type { Options } from '../src/settings/registry';
import { cleanEnv, REPO } from './fresh-machine';

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
  // the release workflow's build arguments become the OCI labels
  assert.match(text, /^ARG VERSION=unknown$/m);
  assert.match(text, /^ARG REVISION=unknown$/m);
  assert.match(text, /org\.opencontainers\.image\.version="\$\{VERSION\}"/);
  assert.match(text, /org\.opencontainers\.image\.revision="\$\{REVISION\}"/);
});

/** The Dockerfile's HEALTHCHECK: its options and its command (exec form). */
function healthcheck(): { options: string; cmd: string[] } {
  const text = fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8').replace(/\\\n\s*/g, '');
  const m = /^HEALTHCHECK (.*?)CMD (\[.*\])$/m.exec(text);
  assert.ok(m, 'the Dockerfile has a HEALTHCHECK with an exec-form CMD');
  return { options: m[1].trim(), cmd: JSON.parse(m[2]) as string[] };
}

test('Dockerfile: HEALTHCHECK asks /-/healthy with the image\'s node; .dockerignore lets only the tarball in', () => {
  const { options, cmd } = healthcheck();
  assert.match(options, /--interval=\d+s/);
  assert.equal(cmd[0], '/usr/local/bin/node');
  assert.match(cmd.join(' '), /http:\/\/127\.0\.0\.1:9256\/-\/healthy/);
  // the build context (the repository root) holds the tarball `npm pack` made and nothing else
  const ignore = fs.readFileSync(path.join(REPO, '.dockerignore'), 'utf8').split('\n').filter((l) => l.trim() !== '' && !l.startsWith('#'));
  assert.deepEqual(ignore, ['*', '!namedprocess-exporter-*.tgz']);
  assert.match(fs.readFileSync(path.join(DEPLOY, 'Dockerfile'), 'utf8'), /^COPY namedprocess-exporter-\*\.tgz \/tmp\/$/m);
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

function manifests(file: string): Array<Record<string, any>> {
  const docs = parseAllDocuments(fs.readFileSync(path.join(DEPLOY, file), 'utf8'));
  for (const d of docs) assert.deepEqual(d.errors, [], `${file} parses`);
  return docs.map((d) => d.toJS() as Record<string, any>);
}

test('Kubernetes DaemonSet: flags parse, mounts match them, the config loads, the container is locked down', async () => {
  const docs = manifests('kubernetes.yaml');
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

test('Kubernetes: a namespace of its own labelled privileged, http probes, a Service, a PodMonitor, the released image', () => {
  const docs = manifests('kubernetes.yaml');
  const kinds = docs.map((d) => d.kind);
  assert.deepEqual(kinds, ['Namespace', 'ConfigMap', 'DaemonSet', 'Service']);
  const ns = docs[0];
  const name = ns.metadata.name;
  assert.notEqual(name, 'monitoring', 'another workload\'s namespace is not relaxed');
  for (const d of docs.slice(1)) assert.equal(d.metadata.namespace, name, `${d.kind} is in the exporter's namespace`);
  // the pod needs privileged (capabilities, hostPath); the stricter level is still warned about and audited
  assert.deepEqual(ns.metadata.labels, {
    'pod-security.kubernetes.io/enforce': 'privileged',
    'pod-security.kubernetes.io/enforce-version': 'latest',
    'pod-security.kubernetes.io/warn': 'baseline',
    'pod-security.kubernetes.io/warn-version': 'latest',
    'pod-security.kubernetes.io/audit': 'baseline',
    'pod-security.kubernetes.io/audit-version': 'latest',
  });

  const ds = docs[2];
  const pod = ds.spec.template;
  const [c] = pod.spec.containers;
  const port = c.ports.find((p: { name: string }) => p.name === 'metrics');
  // readiness waits for the first update cycle (/-/ready is 503 until then); liveness asks the server
  assert.deepEqual(c.readinessProbe.httpGet, { path: '/-/ready', port: 'metrics' });
  assert.deepEqual(c.livenessProbe.httpGet, { path: '/-/healthy', port: 'metrics' });
  assert.equal(c.readinessProbe.tcpSocket, undefined);
  assert.deepEqual(pod.metadata.annotations, { 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port.containerPort), 'prometheus.io/path': '/metrics' });
  // the image is the one the release workflow pushes, at this version
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
  const repo = /github\.com\/([^/]+\/[^/.]+)(\.git)?$/.exec(pkg.repository.url)![1];
  assert.equal(c.image, `ghcr.io/${repo}:${pkg.version}`);
  const release = fs.readFileSync(path.join(REPO, '.github', 'workflows', 'release.yml'), 'utf8');
  assert.match(release, /ghcr\.io\/\$\{\{ github\.repository \}\}:\$\{\{ steps\.version\.outputs\.version \}\}/);

  // the Service selects the pods and names their port
  const svc = docs[3];
  assert.deepEqual(svc.spec.selector, ds.spec.selector.matchLabels);
  assert.deepEqual(pod.metadata.labels, ds.spec.selector.matchLabels);
  assert.deepEqual(svc.spec.ports, [{ name: 'metrics', port: port.containerPort, targetPort: 'metrics' }]);

  // the PodMonitor (its own file: it needs the operator's CRDs) scrapes the same pods on the same port
  const pm = manifests('podmonitor.yaml');
  assert.deepEqual(pm.map((d) => `${d.apiVersion} ${d.kind}`), ['monitoring.coreos.com/v1 PodMonitor']);
  assert.equal(pm[0].metadata.namespace, name);
  assert.deepEqual(pm[0].spec.selector.matchLabels, ds.spec.selector.matchLabels);
  assert.equal(pm[0].spec.podMetricsEndpoints.length, 1);
  assert.equal(pm[0].spec.podMetricsEndpoints[0].port, 'metrics');
  assert.equal(pm[0].spec.podMetricsEndpoints[0].path, '/metrics');
});

// --- the premise, run for real -------------------------------------------------------------------------

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function npmCli(): string | null {
  const found = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  return found ? fs.realpathSync(found) : null;
}

function premiseSkip(): string | false {
  if (process.getuid?.() !== 0) return 'needs root, to switch to a non-root user with two capabilities';
  if (!which('bwrap')) return 'bwrap is not installed (Debian package bubblewrap)';
  if (!which('setpriv')) return 'setpriv is not installed (Debian package util-linux)';
  if (!npmCli()) return 'npm is not on PATH';
  // bwrap needs mount namespaces; a locked-down container may refuse them
  const probe = spawnSync('bwrap', ['--ro-bind', '/', '/', '--', 'true'], { encoding: 'utf8' });
  if (probe.status !== 0) return `bwrap cannot make a sandbox here: ${probe.stderr.trim()}`;
  return false;
}

const CAPS = 'sys_ptrace,dac_read_search';

/**
 * bwrap and setpriv arguments that run `argv` as the container does: uid and gid 65534 with no
 * supplementary groups, the root file system read-only, the host's /proc read-only at `hostProc`, and as
 * capabilities only the two (bounding, inheritable and ambient sets), or none.
 */
function sandbox(hostProc: string, withCaps: boolean, argv: string[]): string[] {
  const caps = withCaps
    ? [`--bounding-set=-all,+${CAPS.replace(/,/g, ',+')}`, `--inh-caps=-all,+${CAPS.replace(/,/g, ',+')}`, `--ambient-caps=+${CAPS.replace(/,/g, ',+')}`]
    : ['--bounding-set=-all', '--inh-caps=-all'];
  // a pid namespace of its own (as a container has), so that ending bwrap ends everything in it: setpriv's
  // change of user clears the parent-death signal --die-with-parent would give the exporter itself
  return ['--unshare-pid', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', '--ro-bind', '/proc', hostProc, '--', 'setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', ...caps, '--no-new-privs', '--', ...argv];
}

test('the premise of every recipe: non-root, two ambient capabilities, read-only root, the host /proc elsewhere: reads root\'s io', { skip: premiseSkip(), timeout: 600_000 }, async (t) => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-premise-'));
  fs.chmodSync(work, 0o755); // user nobody reads the installed package from here
  const writers: ChildProcess[] = [];
  t.after(() => {
    for (const w of writers) {
      try {
        process.kill(-w.pid!, 'SIGKILL');
      } catch {
        // stopped already
      }
    }
    fs.rmSync(work, { recursive: true, force: true });
  });

  // installed as the image installs it: the packed tarball, globally, without dev dependencies
  const npm = npmCli()!;
  const env = cleanEnv({});
  const pack = spawnSync(process.execPath, [npm, 'pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO, env, encoding: 'utf8', timeout: 120_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const tarball = path.join(work, (JSON.parse(pack.stdout) as { filename: string }[])[0].filename);
  const prefix = path.join(work, 'usr-local');
  const install = spawnSync(process.execPath, [npm, 'install', '--global', '--prefix', prefix, '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: work, env, encoding: 'utf8', timeout: 300_000 });
  assert.equal(install.status, 0, `${install.stdout}\n${install.stderr}`);
  const main = path.join(prefix, 'lib', 'node_modules', 'namedprocess-exporter', 'dist', 'src', 'main.js');
  assert.ok(fs.existsSync(main));

  // root's process, there before the exporter starts (so its counters count from then on): when told, it
  // writes 4 MiB to disk (its dd child's io is added to its own when reaped), then waits
  const script = path.join(work, 'npe-root-writer');
  fs.writeFileSync(script, '#!/bin/sh\nread go\ndd if=/dev/zero of="$1" bs=64k count=64 conv=fsync 2>/dev/null\nsleep 600\n', { mode: 0o755 });
  const writeBytes = (pid: number) => Number(/^write_bytes: (\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
  function rootWriter(): { write(): Promise<void>; stop(): void } {
    const w = spawn(script, [path.join(work, `written-${writers.length}`)], { detached: true, stdio: ['pipe', 'ignore', 'ignore'] });
    writers.push(w);
    return {
      async write() {
        assert.equal(writeBytes(w.pid!), 0);
        w.stdin!.end('go\n');
        for (let i = 0; i < 1200 && writeBytes(w.pid!) === 0; i++) await new Promise((r) => setTimeout(r, 50));
        assert.ok(writeBytes(w.pid!) > 0, 'the writer has written (as root sees it)');
        assert.equal(fs.statSync(`/proc/${w.pid}`).uid, 0);
      },
      stop: () => process.kill(-w.pid!, 'SIGKILL'),
    };
  }

  const hostProc = path.join(work, 'host-proc'); // a path that exists on the read-only root
  const nodeExe = fs.realpathSync(process.execPath);
  fs.mkdirSync(hostProc);
  const args = [process.execPath, main, '-procfs', hostProc, '-procnames', 'npe-root-writer'];

  /** The sandboxed exporter's scrape after root's writer wrote, once the exporter was ready. */
  async function scenario(withCaps: boolean, check: (exp: RunningExporter) => void): Promise<Map<string, number> & { text?: string }> {
    const writer = rootWriter();
    const exp = await startExporter('bwrap', sandbox(hostProc, withCaps, args), cleanEnv({}));
    try {
      let ready = await exp.scrape('/-/ready');
      for (let i = 0; i < 600 && ready.status !== 200; i++) {
        await new Promise((r) => setTimeout(r, 50));
        ready = await exp.scrape('/-/ready');
      }
      assert.equal(ready.status, 200, exp.output());
      assert.equal((await exp.scrape('/-/healthy')).status, 200);
      await writer.write();
      const text = (await exp.scrape('/metrics')).body;
      check(exp);
      return Object.assign(namedprocessSamples(text), { text });
    } finally {
      await exp.stop();
      writer.stop();
    }
  }

  // with the two capabilities: probes answer, and the scrape has root's io
  const withCaps = await scenario(true, (exp) => {
    // the exporter is what the recipes promise: uid 65534, these two capabilities only, no way to write /
    const pid = fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).find((d) => {
      try {
        // the node process itself, not bwrap's (whose command line names hostProc too); not by comm:
        // Node 24 names its main thread "MainThread"
        return fs.readFileSync(`/proc/${d}/cmdline`, 'utf8').split('\0').includes(hostProc) && fs.realpathSync(`/proc/${d}/exe`) === nodeExe;
      } catch {
        return false;
      }
    });
    assert.ok(pid, 'the exporter process is found');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    assert.match(status, /^Uid:\t65534\t65534\t65534\t65534$/m);
    assert.match(status, /^Groups:\t *$/m, "no supplementary groups");
    const twoCaps = ((1n << 19n) | (1n << 2n)).toString(16).padStart(16, '0'); // CAP_SYS_PTRACE, CAP_DAC_READ_SEARCH
    for (const set of ['CapEff', 'CapPrm', 'CapAmb', 'CapBnd']) assert.match(status, new RegExp(`^${set}:\\t${twoCaps}$`, 'm'));
    const mounts = fs.readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n').map((l) => l.split(' '));
    assert.match(mounts.find((m) => m[4] === '/')![5], /^ro\b/, 'the root is read-only');
    assert.match(mounts.find((m) => m[4] === hostProc)![5], /^ro\b/, "the host's /proc is mounted read-only");

    // the image's HEALTHCHECK command, pointed at this port, says healthy
    const { cmd } = healthcheck();
    const hc = spawnSync(process.execPath, cmd.slice(1).map((a) => a.replace('127.0.0.1:9256', `127.0.0.1:${exp.port}`)), { encoding: 'utf8', timeout: 30_000 });
    assert.equal(hc.status, 0, hc.stderr);
  });
  assert.equal(withCaps.get('namedprocess_namegroup_num_procs{groupname="npe-root-writer"}'), 2, 'the writer and its sleep');
  assert.ok(withCaps.get('namedprocess_namegroup_write_bytes_total{groupname="npe-root-writer"}')! >= 4 * 1024 * 1024, withCaps.text);

  // the same sandbox without them: root's io cannot be read (a partial error) and stays 0
  const without = await scenario(false, () => {});
  assert.equal(without.get('namedprocess_namegroup_num_procs{groupname="npe-root-writer"}'), 2);
  assert.equal(without.get('namedprocess_namegroup_write_bytes_total{groupname="npe-root-writer"}'), 0);
  assert.match(without.text!, /^namedprocess_scrape_partial_errors [1-9]\d*$/m);
});
