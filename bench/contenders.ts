// The contenders: our exporter with each reader, the reference exporter, and the floor loop. Each runs
// as its own detached process; a "scrape" is an HTTP GET of /metrics (the floor: one pass on request).
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { performance } from 'node:perf_hooks';
import { request } from 'undici';
import { trackGroup, killGroup } from './cleanup';
import { cpuOf, memOf, threadsOf, type Cpu, type Mem, type ThreadCpu } from './procstat';

export type ContenderId = 'native' | 'ts' | 'reference' | 'floor';
export const ALL_CONTENDERS: ContenderId[] = ['native', 'ts', 'reference', 'floor'];

export const LABELS: Record<ContenderId, string> = {
  native: 'ours, native scanner',
  ts: 'ours, TS reader',
  reference: 'reference 0.7.10',
  floor: 'C floor',
};

export interface ContenderSpec {
  id: ContenderId;
  available: boolean;
  /** why it is skipped, or what runs */
  reason: string;
}

export interface Paths {
  node: string;
  ourMain: string;
  /** bin/namedprocess-exporter: ours is measured as it is launched, with its V8 settings */
  ourLauncher: string;
  reference: string;
  floorBin: string;
  /** `spawner -e`: runs a program that dies with the bench even if the bench is SIGKILLed */
  deathWrap: string | null;
}

/** spawn() through the death wrapper when there is one. */
export function spawnBound(paths: Paths, cmd: string, args: string[], opts: Parameters<typeof spawn>[2]): ChildProcess {
  return paths.deathWrap ? spawn(paths.deathWrap, ['-e', cmd, ...args], opts) : spawn(cmd, args, opts);
}

export interface Target {
  procfs: string;
  /** the config every exporter gets (the same grouping for all) */
  configPath: string;
  /** the floor also walks task/ of multi-threaded processes */
  floorThreads: boolean;
  /** extra flags for every exporter */
  extraArgs?: string[];
  /** run ours under `node --cpu-prof` into this dir */
  cpuProfDir?: string;
}

export interface ScrapeOutcome {
  wallS: number;
  bytes: number;
  /** sample lines */
  series: number;
  /** sum of namedprocess_namegroup_num_procs; for the floor, the pids it visited */
  procsSeen: number;
  /** ours: the reader="..." label of process_exporter_build_info */
  reader?: string;
}

export interface Startup {
  /** spawn to ready (ours: "First update cycle done"; the reference primes before it opens its port) */
  wallS: number;
  /** CPU the process used until ready */
  cpuS: number;
  /** ours: the priming cycle's own duration, from its log line */
  primeS?: number;
  rssMiB?: number;
}

export interface Running {
  id: ContenderId;
  pid: number;
  /** ours: "Reading /proc with the … scanner: …" from its log */
  readerLine?: string;
  startup: Startup | null;
  scrape(): Promise<ScrapeOutcome>;
  cpu(): Cpu | null;
  threads(): ThreadCpu[];
  mem(): Mem | null;
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// keep the tail of a child's log only: a long run must not grow the bench's memory
function tailCollector(child: ChildProcess): () => string {
  let out = '';
  const add = (d: Buffer) => {
    out += d.toString();
    if (out.length > 65536) out = out.slice(-32768);
  };
  child.stdout?.on('data', add);
  child.stderr?.on('data', add);
  return () => out;
}

function stopChild(child: ChildProcess, graceful: boolean): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.pid !== undefined && killGroup(child.pid), graceful ? 20_000 : 0);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (graceful) child.kill('SIGTERM');
    else if (child.pid !== undefined) killGroup(child.pid);
  });
}

export function parseExposition(body: string): { series: number; procsSeen: number; reader?: string } {
  let series = 0;
  let procsSeen = 0;
  let reader: string | undefined;
  let start = 0;
  while (start < body.length) {
    let end = body.indexOf('\n', start);
    if (end < 0) end = body.length;
    if (end > start && body.charCodeAt(start) !== 35 /* # */) {
      series++;
      if (body.startsWith('namedprocess_namegroup_num_procs{', start)) {
        procsSeen += Number(body.slice(body.lastIndexOf(' ', end) + 1, end));
      } else if (body.startsWith('process_exporter_build_info{', start)) {
        reader = /reader="([^"]*)"/.exec(body.slice(start, end))?.[1];
      }
    }
    start = end + 1;
  }
  return { series, procsSeen, reader };
}

export async function startExporter(id: 'native' | 'ts' | 'reference', paths: Paths, target: Target, timeoutMs: number): Promise<Running> {
  const port = await freePort();
  const args = ['-config.path', target.configPath, '-web.listen-address', `127.0.0.1:${port}`, ...(target.extraArgs ?? [])];
  if (target.procfs !== '/proc') args.push('-procfs', target.procfs);
  const ours = id !== 'reference';
  // the launcher runs this node; a profile is asked for through NODE_OPTIONS, the launcher's flags stay as shipped
  const ourEnv = { ...process.env, NAMEDPROCESS_READER: id, NAMEDPROCESS_NODE: paths.node, ...(target.cpuProfDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${target.cpuProfDir}` } : {}) };
  const t0 = performance.now();
  const child = ours
    ? spawnBound(paths, paths.ourLauncher, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: ourEnv })
    : spawnBound(paths, paths.reference, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  trackGroup(child, `${id} exporter`);
  const output = tailCollector(child);
  const pid = child.pid!;
  const url = `http://127.0.0.1:${port}/metrics`;
  const deadline = Date.now() + timeoutMs;
  let primeS: number | undefined;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited early (${child.exitCode ?? child.signalCode}): ${lastLines(output())}`);
      if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs / 1000}s: ${lastLines(output())}`);
      if (ours) {
        // ours opens its port at once; the priming cycle ends with this log line
        const m = /First update cycle done in ([\d.]+)s/.exec(output());
        if (m) {
          primeS = Number(m[1]);
          break;
        }
        await sleep(10);
      } else {
        try {
          const r = await request(`http://127.0.0.1:${port}/`, { headersTimeout: 2000, bodyTimeout: 2000 });
          await r.body.dump();
          break;
        } catch {
          await sleep(25);
        }
      }
    }
  } catch (e) {
    await stopChild(child, false);
    throw e;
  }
  const readyS = (performance.now() - t0) / 1000;
  const c = cpuOf(pid);
  const startup: Startup = { wallS: readyS, cpuS: c ? c.userS + c.sysS : NaN, primeS, rssMiB: memOf(pid)?.rssMiB };
  return {
    id,
    pid,
    startup,
    readerLine: /Reading \/proc with the [^\n"]*/.exec(output())?.[0],
    output,
    cpu: () => cpuOf(pid),
    threads: () => threadsOf(pid),
    mem: () => memOf(pid),
    scrape: async () => {
      const s = performance.now();
      const res = await request(url, { headersTimeout: 900_000, bodyTimeout: 900_000 });
      const body = await res.body.text();
      const wallS = (performance.now() - s) / 1000;
      if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${body.slice(0, 200)}`);
      return { wallS, bytes: Buffer.byteLength(body), ...parseExposition(body) };
    },
    // ours shuts down gracefully (and writes its CPU profile); the Debian reference just dies of SIGTERM
    stop: () => stopChild(child, ours),
  };
}

export async function startFloor(paths: Paths, target: Target): Promise<Running> {
  const child = spawn(paths.floorBin, [target.procfs, target.floorThreads ? '1' : '0'], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  trackGroup(child, 'floor');
  const output = tailCollector(child);
  const pid = child.pid!;
  const lines = createInterface({ input: child.stdout! });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (l) => waiting.shift()?.(l));
  child.once('exit', () => {
    for (const w of waiting.splice(0)) w('error: the floor exited');
  });
  return {
    id: 'floor',
    pid,
    startup: null,
    output,
    cpu: () => cpuOf(pid),
    threads: () => threadsOf(pid),
    mem: () => memOf(pid),
    scrape: async () => {
      const s = performance.now();
      const line = await new Promise<string>((resolve) => {
        waiting.push(resolve);
        child.stdin!.write('scan\n');
      });
      const wallS = (performance.now() - s) / 1000;
      const m = /^(\d+) (\d+) (\d+) (\d+)$/.exec(line);
      if (!m) throw new Error(`floor: ${line}`);
      return { wallS, bytes: Number(m[4]), series: 0, procsSeen: Number(m[1]) };
    },
    stop: async () => {
      child.stdin!.end('exit\n');
      await stopChild(child, true);
    },
  };
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
