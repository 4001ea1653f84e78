// What this process may read of other users' processes, found once at start-up so that a run without the
// rights says so in one log line instead of showing unreadable values as quiet zeros.
//
// Reading another user's /proc/<pid>/io, smaps_rollup and exe passes the kernel's ptrace access check
// (CAP_SYS_PTRACE), and listing its fd/ needs CAP_DAC_READ_SEARCH (or CAP_DAC_OVERRIDE); a procfs mounted
// with hidepid= hides other users' process directories or their files altogether (proc(5)).
import { readFileSync, realpathSync } from 'node:fs';

/** Bit numbers in the CapEff mask of /proc/self/status (linux/capability.h). */
const CAP_DAC_OVERRIDE = 1;
const CAP_DAC_READ_SEARCH = 2;
const CAP_SYS_PTRACE = 19;

export interface ProcAccess {
  /** the capabilities missing to read every process, by their names in capabilities(7) */
  missingCaps: string[];
  /** the procfs mount's hidepid= value when it hides anything ('1', '2', 'noaccess', 'invisible'), else null */
  hidepid: string | null;
}

/** Whether bit `n` is set in a hexadecimal capability mask. */
function hasCap(maskHex: string, n: number): boolean {
  return ((BigInt(`0x${maskHex}`) >> BigInt(n)) & 1n) === 1n;
}

/** The effective capabilities missing from a status file's CapEff line (all of them when there is none). */
export function missingCapabilities(statusText: string): string[] {
  const mask = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(statusText)?.[1] ?? '0';
  const missing: string[] = [];
  if (!hasCap(mask, CAP_SYS_PTRACE)) missing.push('CAP_SYS_PTRACE');
  if (!hasCap(mask, CAP_DAC_READ_SEARCH) && !hasCap(mask, CAP_DAC_OVERRIDE)) missing.push('CAP_DAC_READ_SEARCH');
  return missing;
}

/** A mountinfo line's unescaped mount point (the kernel writes space, tab, newline and backslash as octal). */
function unescapeMountPath(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * The mount that holds `dir`, from mountinfo's text (proc(5)): its file system type and super options;
 * null when no line covers it.
 */
export function mountOf(mountinfo: string, dir: string): { fstype: string; superOptions: string } | null {
  let best: { point: string; fstype: string; superOptions: string } | null = null;
  for (const line of mountinfo.split('\n')) {
    const dash = line.indexOf(' - ');
    if (dash < 0) continue;
    const before = line.slice(0, dash).split(' ');
    const after = line.slice(dash + 3).split(' ');
    const point = unescapeMountPath(before[4] ?? '');
    const inside = point === '/' || dir === point || dir.startsWith(`${point}/`);
    // the last of several mounts on one point is the one in effect
    if (inside && (best === null || point.length >= best.point.length)) best = { point, fstype: after[0] ?? '', superOptions: after[2] ?? '' };
  }
  return best && { fstype: best.fstype, superOptions: best.superOptions };
}

/** hidepid= of a procfs's super options when it hides something (hidepid=0 or =off hides nothing). */
export function hidepidOf(superOptions: string): string | null {
  const v = /(?:^|,)hidepid=([^,]*)/.exec(superOptions)?.[1];
  return v === undefined || v === '0' || v === 'off' ? null : v;
}

/**
 * What this process cannot read of other users' processes under `procfs`; null when `procfs` is not a
 * procfs mount (a copy or a test tree: its files are as readable as they look).
 */
export function procAccess(procfs: string): ProcAccess | null {
  let mount;
  try {
    mount = mountOf(readFileSync('/proc/self/mountinfo', 'utf8'), realpathSync(procfs));
  } catch {
    return null;
  }
  if (mount === null || mount.fstype !== 'proc') return null;
  let status = '';
  try {
    status = readFileSync('/proc/self/status', 'utf8');
  } catch {
    // unreadable: counted as no capabilities
  }
  const missingCaps = missingCapabilities(status);
  // the ptrace access check that hidepid= applies is passed with CAP_SYS_PTRACE
  return { missingCaps, hidepid: missingCaps.includes('CAP_SYS_PTRACE') ? hidepidOf(mount.superOptions) : null };
}

/** The start-up warning for what cannot be read, or null when everything can. */
export function accessWarning(a: ProcAccess | null): string | null {
  if (a === null || (a.missingCaps.length === 0 && a.hidepid === null)) return null;
  const parts: string[] = [];
  if (a.missingCaps.length > 0) {
    parts.push(
      `without ${a.missingCaps.join(' and ')}, other users' processes cannot be read in full: their I/O (read and write bytes), proportional memory (PSS, with -gather-smaps) and executable path are missing, so their groups' I/O and proportional memory are counted as partial errors and shown as n/a on the page`,
    );
  }
  if (a.hidepid !== null) parts.push(`the procfs is mounted with hidepid=${a.hidepid}, which hides other users' processes from this user`);
  return `Not every process is readable: ${parts.join('; ')}. Run as root, or grant CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH (AmbientCapabilities= in the systemd unit, as deploy/namedprocess-exporter.service does; --cap-add for a container)`;
}
