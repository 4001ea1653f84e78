// The unit, container and pod of real /proc/<pid>/cgroup files, as systemd, Docker, containerd, CRI-O,
// Podman and the kubelet write them on cgroup v1, hybrid and v2 hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CgroupIdentities, NO_CGROUP_IDENTITY, identityOfPath, identityPath } from '../src/proc/parse/cgroup-identity';

const ID = '8dde0b5b4a0a6a1ff4e3a0d15b1f0a4e3e0f6a0c2d3e4f5a6b7c8d9e0f1a2b3c';
const ID2 = 'f00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dfacef00dface';
const UID = '1b4e28ba-2fa1-11d2-883f-0016d3cca427';
const UID_ = UID.replace(/-/g, '_');
// static pods' UIDs are the hash of their manifest: 32 hex digits, no dashes
const STATIC_UID = '5c1e7b1b1f1c4e2a9d3f0a6b7c8d9e0f';

// [what, /proc/<pid>/cgroup, path, unit, container, pod]
const CASES: Array<[string, string, string, string, string, string]> = [
  ['systemd v2: a system service', '0::/system.slice/nginx.service\n', '/system.slice/nginx.service', 'nginx.service', '', ''],
  ['systemd v2: a login session', '0::/user.slice/user-1000.slice/session-3.scope\n', '/user.slice/user-1000.slice/session-3.scope', 'session-3.scope', '', ''],
  ['systemd v2: a user service, innermost unit', '0::/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service\n', '/user.slice/user-1000.slice/user@1000.service/app.slice/dbus.service', 'dbus.service', '', ''],
  ['systemd v2: a template instance', '0::/system.slice/system-getty.slice/getty@tty1.service\n', '/system.slice/system-getty.slice/getty@tty1.service', 'getty@tty1.service', '', ''],
  ['systemd v2: pid 1', '0::/init.scope\n', '/init.scope', 'init.scope', '', ''],
  ['systemd v2: a slice only', '0::/system.slice\n', '/system.slice', '', '', ''],
  ['v2, the root (kernel threads, or inside a cgroup namespace)', '0::/\n', '/', '', '', ''],
  [
    'systemd v1 (legacy): the name=systemd line',
    '12:pids:/system.slice/sshd.service\n11:memory:/system.slice/sshd.service\n2:cpu,cpuacct:/system.slice/sshd.service\n1:name=systemd:/system.slice/sshd.service\n',
    '/system.slice/sshd.service', 'sshd.service', '', '',
  ],
  [
    'hybrid: the unified line names the unit',
    '10:memory:/system.slice/cron.service\n1:name=systemd:/system.slice/cron.service\n0::/system.slice/cron.service\n',
    '/system.slice/cron.service', 'cron.service', '', '',
  ],
  [
    'hybrid with the unified hierarchy unused: name=systemd',
    '9:name=systemd:/docker/' + ID + '\n4:memory:/docker/' + ID + '\n0::/\n',
    '/docker/' + ID, '', ID, '',
  ],
  ['Docker, systemd driver (v2): the container scope is its unit', '0::/system.slice/docker-' + ID + '.scope\n', '/system.slice/docker-' + ID + '.scope', 'docker-' + ID + '.scope', ID, ''],
  ['Docker, cgroupfs driver (v2)', '0::/docker/' + ID + '\n', '/docker/' + ID, '', ID, ''],
  [
    'Docker, cgroupfs driver (v1)',
    '12:blkio:/docker/' + ID + '\n3:cpu,cpuacct:/docker/' + ID + '\n1:name=systemd:/docker/' + ID + '\n',
    '/docker/' + ID, '', ID, '',
  ],
  [
    'Docker, systemd driver, systemd running inside the container',
    '0::/system.slice/docker-' + ID + '.scope/system.slice/nginx.service\n',
    '/system.slice/docker-' + ID + '.scope/system.slice/nginx.service', 'nginx.service', ID, '',
  ],
  ['Docker in Docker: the innermost container', '0::/docker/' + ID + '/docker/' + ID2 + '\n', '/docker/' + ID + '/docker/' + ID2, '', ID2, ''],
  [
    'Kubernetes, containerd, systemd driver (v2), Burstable',
    '0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope\n',
    '/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope',
    'cri-containerd-' + ID + '.scope', ID, UID,
  ],
  [
    'Kubernetes, containerd, systemd driver, Guaranteed (no QoS slice)',
    '0::/kubepods.slice/kubepods-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope\n',
    '/kubepods.slice/kubepods-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope', 'cri-containerd-' + ID + '.scope', ID, UID,
  ],
  [
    'Kubernetes, containerd, cgroupfs driver (v1), BestEffort',
    '11:memory:/kubepods/besteffort/pod' + UID + '/' + ID + '\n1:name=systemd:/kubepods/besteffort/pod' + UID + '/' + ID + '\n',
    '/kubepods/besteffort/pod' + UID + '/' + ID, '', ID, UID,
  ],
  [
    'Kubernetes, containerd, cgroupfs driver (v2), Guaranteed, a static pod',
    '0::/kubepods/pod' + STATIC_UID + '/' + ID + '\n',
    '/kubepods/pod' + STATIC_UID + '/' + ID, '', ID, STATIC_UID,
  ],
  [
    'Kubernetes, CRI-O, systemd driver (v2)',
    '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod' + UID_ + '.slice/crio-' + ID + '.scope\n',
    '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod' + UID_ + '.slice/crio-' + ID + '.scope',
    'crio-' + ID + '.scope', ID, UID,
  ],
  [
    'Kubernetes, CRI-O: conmon runs outside the container',
    '0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod' + UID_ + '.slice/crio-conmon-' + ID + '.scope\n',
    '/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod' + UID_ + '.slice/crio-conmon-' + ID + '.scope',
    'crio-conmon-' + ID + '.scope', '', UID,
  ],
  [
    'Kubernetes, CRI-O, cgroupfs driver (v1)',
    '1:name=systemd:/kubepods/burstable/pod' + UID + '/crio-' + ID + '\n',
    '/kubepods/burstable/pod' + UID + '/crio-' + ID, '', ID, UID,
  ],
  [
    'kind: the kubelet under a --cgroup-root',
    '0::/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope\n',
    '/kubelet.slice/kubelet-kubepods.slice/kubelet-kubepods-burstable.slice/kubelet-kubepods-burstable-pod' + UID_ + '.slice/cri-containerd-' + ID + '.scope',
    'cri-containerd-' + ID + '.scope', ID, UID,
  ],
  ['Podman, rootful (v2)', '0::/machine.slice/libpod-' + ID + '.scope/container\n', '/machine.slice/libpod-' + ID + '.scope/container', 'libpod-' + ID + '.scope', ID, ''],
  [
    'Podman, rootless (v2)',
    '0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-' + ID + '.scope\n',
    '/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-' + ID + '.scope', 'libpod-' + ID + '.scope', ID, '',
  ],
  ['Podman: conmon', '0::/machine.slice/libpod-conmon-' + ID + '.scope\n', '/machine.slice/libpod-conmon-' + ID + '.scope', 'libpod-conmon-' + ID + '.scope', '', ''],
  ['Podman, cgroupfs manager (v1)', '1:name=systemd:/libpod_parent/libpod-' + ID + '\n', '/libpod_parent/libpod-' + ID, '', ID, ''],
  ['not quite: 63 hex digits, upper case, a pod outside kubepods', '0::/docker/' + ID.slice(1) + '/' + ID.toUpperCase() + '/pod' + UID + '\n', '/docker/' + ID.slice(1) + '/' + ID.toUpperCase() + '/pod' + UID, '', '', ''],
  ['a path seen from another cgroup namespace', '0::/../../system.slice/foo.service\n', '/../../system.slice/foo.service', 'foo.service', '', ''],
  ['a path with colons', '0::/a:b/x.scope\n', '/a:b/x.scope', 'x.scope', '', ''],
  ['no newline at the end', '0::/system.slice/a.service', '/system.slice/a.service', 'a.service', '', ''],
  ['an empty file (a kernel without cgroups, or a missing file)', '', '', '', '', ''],
  ['neither line', '4:memory:/system.slice/x.service\n', '', '', '', ''],
];

for (const [what, file, path, unit, container, pod] of CASES) {
  test(what, () => {
    assert.equal(identityPath(file), path, 'path');
    assert.equal(identityPath(Buffer.from(file)), path, 'path from bytes');
    assert.deepEqual({ ...identityOfPath(path) }, { path, systemdUnit: unit, containerId: container, podUid: pod });
    assert.deepEqual({ ...new CgroupIdentities().of(Buffer.from(file)) }, { path, systemdUnit: unit, containerId: container, podUid: pod });
  });
}

test('processes in one cgroup share one identity; the cache starts again past its bound', () => {
  const ids = new CgroupIdentities(2);
  const a = ids.of('0::/system.slice/a.service\n');
  assert.equal(ids.of('0::/system.slice/a.service\n'), a);
  ids.of('0::/system.slice/b.service\n');
  ids.of('0::/system.slice/c.service\n');
  const again = ids.of('0::/system.slice/a.service\n');
  assert.notEqual(again, a);
  assert.deepEqual(again, a);
  assert.equal(ids.of(''), NO_CGROUP_IDENTITY);
});
