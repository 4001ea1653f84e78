// Which systemd unit, container and Kubernetes pod a process runs in, from its /proc/<pid>/cgroup
// (docs/behaviour.md#cgroup-identity). Read once per process (and again when it is named again), never
// on an idle cycle: the readers read `cgroup` only for processes they are asked to name.
import { asBytes, type Text } from './go';

/** A process's place in the cgroup tree and what it says; every field is "" when the path has none. */
export interface CgroupIdentity {
  /** the path the fields come from: the unified hierarchy's, else the v1 name=systemd one's ("" when neither) */
  readonly path: string;
  /** innermost path component ending in .service or .scope (a container's own scope included) */
  readonly systemdUnit: string;
  /** 64 lower-case hex digits of the innermost container component */
  readonly containerId: string;
  /** Kubernetes pod UID, with dashes, of the innermost pod component */
  readonly podUid: string;
}

export const NO_CGROUP_IDENTITY: CgroupIdentity = Object.freeze({ path: '', systemdUnit: '', containerId: '', podUid: '' });

/**
 * The path the identity is read from. The unified hierarchy (`0::`) is the one systemd, container
 * runtimes and the kubelet place processes in on a cgroup v2 host. On a v1 host there is no `0::` line,
 * and on a hybrid host it may be present but unused ("/" for every process): then the v1 `name=systemd`
 * hierarchy, which systemd and cgroupfs-driven runtimes use there, says where the process is.
 */
export function identityPath(text: Text): string {
  const s = typeof text === 'string' ? text : Buffer.from(asBytes(text)).toString('utf8');
  let unified: string | undefined;
  let named: string | undefined;
  let start = 0;
  while (start < s.length) {
    let end = s.indexOf('\n', start);
    if (end < 0) end = s.length;
    const a = s.indexOf(':', start);
    const b = a < 0 || a >= end ? -1 : s.indexOf(':', a + 1);
    if (b >= 0 && b < end) {
      const id = s.slice(start, a);
      const controllers = s.slice(a + 1, b);
      if (id === '0' && controllers === '' && unified === undefined) unified = s.slice(b + 1, end);
      else if (named === undefined && controllers.split(',').includes('name=systemd')) named = s.slice(b + 1, end);
    }
    start = end + 1;
  }
  if (unified !== undefined && unified !== '/') return unified;
  return named ?? unified ?? '';
}

const HEX64 = /^[0-9a-f]{64}$/;
// docker-<id>.scope (Docker, systemd driver), cri-containerd-<id>.scope (containerd), crio-<id>.scope
// (CRI-O), libpod-<id>.scope (Podman); without ".scope" as the cgroupfs drivers of CRI-O and Podman name
// them. crio-conmon-<id> and libpod-conmon-<id> are the runtimes' monitors, outside the container.
const CONTAINER = /^(?:docker|cri-containerd|crio|libpod)-([0-9a-f]{64})(?:\.scope)?$/;
// kubepods-<qos>-pod<uid>.slice, kubepods-pod<uid>.slice (Guaranteed), and under a kubelet
// --cgroup-root such as kind's: kubelet-kubepods-<qos>-pod<uid>.slice. systemd escapes the UID's dashes as "_".
const POD_SLICE = /(?:^|-)kubepods(?:-[a-z]+)?-pod([0-9a-fA-F_]+)\.slice$/;
// cgroupfs driver: .../kubepods/<qos>/pod<uid>/<id> and .../kubepods/pod<uid>/<id>
const POD_DIR = /^pod([0-9a-fA-F-]+)$/;

/** The unit, container and pod a cgroup path names. */
export function identityOfPath(path: string): CgroupIdentity {
  let systemdUnit = '';
  let containerId = '';
  let podUid = '';
  let underKubepods = false;
  for (const c of path.split('/')) {
    if (c === '' || c === '.' || c === '..') continue;
    if (c.endsWith('.service') || c.endsWith('.scope')) systemdUnit = c;
    let m = CONTAINER.exec(c);
    if (m !== null) containerId = m[1];
    else if (HEX64.test(c)) containerId = c;
    m = POD_SLICE.exec(c);
    if (m !== null) podUid = m[1].replace(/_/g, '-');
    else if (c === 'kubepods') underKubepods = true;
    else if (underKubepods && (m = POD_DIR.exec(c)) !== null) podUid = m[1];
  }
  if (systemdUnit === '' && containerId === '' && podUid === '') return path === '' ? NO_CGROUP_IDENTITY : { ...NO_CGROUP_IDENTITY, path };
  return { path, systemdUnit, containerId, podUid };
}

/**
 * Identities by path, shared: the processes of one service or container have the same one. Bounded like
 * the tracker's other caches: past the limit it starts again (a few parses more, never more memory).
 */
export class CgroupIdentities {
  private readonly byPath = new Map<string, CgroupIdentity>();
  constructor(private readonly limit = 4096) {}

  /** The identity of a raw /proc/<pid>/cgroup file. */
  of(text: Text): CgroupIdentity {
    const path = identityPath(text);
    if (path === '') return NO_CGROUP_IDENTITY;
    let id = this.byPath.get(path);
    if (id === undefined) {
      if (this.byPath.size >= this.limit) this.byPath.clear();
      id = identityOfPath(path);
      this.byPath.set(path, id);
    }
    return id;
  }
}
