// Which systemd unit, container and pod a tracked process is in, for the page's service and container
// views. Read on request from <procfs>/<pid>/cgroup, once per process (cached by pid and start time, and
// forgotten when the process is no longer asked about), never on a scrape.
import { readFile } from 'node:fs';
import { join } from 'node:path';
import type { TrackedProcessView } from '../track/tracker';

export interface CgroupIdentity {
  /** innermost path component ending in .service or .scope; "" when none */
  systemdUnit: string;
  /** 64 hex digits of the innermost container component; "" when none */
  containerId: string;
  /** the Kubernetes pod's UID; "" when none */
  podUid: string;
}

export const NO_IDENTITY: CgroupIdentity = Object.freeze({ systemdUnit: '', containerId: '', podUid: '' });

const HEX64 = /^[0-9a-f]{64}$/;
const SCOPED = /^(?:docker|cri-containerd|crio|libpod)-([0-9a-f]{64})\.scope$/;
const POD_SLICE = /^kubepods(?:-[a-z]+)?-pod([0-9a-f_]+)\.slice$/;
const POD_DIR = /^pod([0-9a-f-]+)$/;

/** The cgroup path of a /proc/<pid>/cgroup text: the unified (0::) line, else the v1 name=systemd line. */
export function cgroupPath(text: string): string {
  let v1 = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('0::')) return line.slice(3);
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b > 0 && line.slice(a + 1, b).split(',').includes('name=systemd')) v1 = line.slice(b + 1);
  }
  return v1;
}

/** Unit, container and pod named by a cgroup path. */
export function identityOfPath(path: string): CgroupIdentity {
  let systemdUnit = '';
  let containerId = '';
  let podUid = '';
  const parts = path.split('/');
  for (let i = 0; i < parts.length; i++) {
    const c = parts[i];
    if (c.endsWith('.service') || c.endsWith('.scope')) systemdUnit = c;
    const scoped = SCOPED.exec(c);
    if (scoped) containerId = scoped[1];
    else if (HEX64.test(c)) containerId = c;
    const slice = POD_SLICE.exec(c);
    if (slice) podUid = slice[1].replace(/_/g, '-');
    else if (parts.includes('kubepods') && POD_DIR.test(c)) podUid = POD_DIR.exec(c)![1];
  }
  return systemdUnit === '' && containerId === '' && podUid === '' ? NO_IDENTITY : { systemdUnit, containerId, podUid };
}

/** The identity the tracker holds for a process, when it holds one. */
type WithIdentity = TrackedProcessView & Partial<CgroupIdentity>;

export class IdentityCache {
  private known = new Map<string, CgroupIdentity>();
  private seen = new Map<string, CgroupIdentity>();

  constructor(private readonly procfs: string) {}

  /** Identities of these processes, in order; a process whose cgroup file cannot be read has none. */
  async of(procs: readonly TrackedProcessView[]): Promise<CgroupIdentity[]> {
    const out = await Promise.all(procs.map((p) => this.one(p as WithIdentity)));
    return out;
  }

  /** Forgets the processes not asked about since the last call to sweep(). */
  sweep(): void {
    this.known = this.seen;
    this.seen = new Map();
  }

  private async one(p: WithIdentity): Promise<CgroupIdentity> {
    if (p.systemdUnit !== undefined) return { systemdUnit: p.systemdUnit, containerId: p.containerId ?? '', podUid: p.podUid ?? '' };
    const key = `${p.pid}:${p.startTimeMs}`;
    let id = this.seen.get(key) ?? this.known.get(key);
    if (id === undefined) {
      id = await new Promise<CgroupIdentity>((resolve) =>
        readFile(join(this.procfs, String(p.pid), 'cgroup'), 'utf8', (err, text) => resolve(err ? NO_IDENTITY : identityOfPath(cgroupPath(text)))),
      );
    }
    this.seen.set(key, id);
    return id;
  }
}
