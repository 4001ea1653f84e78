// Running exporters as child processes for end-to-end tests: ours (dist/src/main.js) and the reference.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { request } from 'undici';
import { parseSamples } from './harness';

export const REFERENCE_BIN = '/usr/bin/prometheus-process-exporter';
export const OUR_MAIN = join(__dirname, '..', 'src', 'main.js');
/** The package's binary: the launcher that runs OUR_MAIN with the exporter's V8 settings, on this test's node. */
export const OUR_LAUNCHER = join(__dirname, '..', '..', 'bin', 'namedprocess-exporter');

/**
 * Why the built exporter cannot run as user nobody here, or false when it can: it needs root to switch users
 * and every folder up to the build searchable (and the build readable) by other users. With `setpriv` (the
 * command's path), also that setpriv can switch to nobody with the two capabilities as ambient capabilities.
 */
export function nobodySkip(setpriv?: string): string | false {
  if (process.getuid?.() !== 0) return 'needs root to run the exporter as user nobody';
  for (let p = OUR_MAIN; p !== dirname(p); p = dirname(p)) {
    const mode = statSync(p).mode;
    if ((mode & (p === OUR_MAIN ? 0o004 : 0o001)) === 0) return `${p} is not accessible to other users (mode ${(mode & 0o777).toString(8)})`;
  }
  if (setpriv === undefined) return false;
  if (!existsSync(setpriv)) return `${setpriv} is missing (Debian package util-linux)`;
  const caps = ['--inh-caps=+sys_ptrace,+dac_read_search', '--ambient-caps=+sys_ptrace,+dac_read_search'];
  const probe = spawnSync(setpriv, ['--reuid=nobody', '--regid=nogroup', '--clear-groups', ...caps, 'true']);
  if (probe.status !== 0) return `setpriv cannot grant ambient capabilities here: ${String(probe.stderr).trim()}`;
  return false;
}

export function haveReference(): boolean {
  return existsSync(REFERENCE_BIN);
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

export interface RunningExporter {
  port: number;
  child: ChildProcess;
  output(): string;
  scrape(path?: string, headers?: Record<string, string>): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts an exporter listening on a free loopback port and waits until it answers. */
export async function startExporter(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}, wrap: string[] = []): Promise<RunningExporter> {
  const port = await freePort();
  const fullArgs = [...args, '-web.listen-address', `127.0.0.1:${port}`];
  // wrap: a command that runs the exporter (e.g. setpriv to run it as another user)
  const argv = cmd.endsWith('.js') ? [...wrap, process.execPath, cmd, ...fullArgs] : [...wrap, cmd, ...fullArgs];
  const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...(cmd === OUR_LAUNCHER ? { NAMEDPROCESS_NODE: process.execPath } : {}), ...env } });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const scrape: RunningExporter['scrape'] = async (path = '/metrics', headers = {}) => {
    const res = await request(`http://127.0.0.1:${port}${path}`, { headers, headersTimeout: 60_000, bodyTimeout: 60_000 });
    return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
  };
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${cmd} exited early (${child.exitCode}): ${out}`);
    try {
      await request(`http://127.0.0.1:${port}/`, { headersTimeout: 2000 }).then((r) => r.body.dump());
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`${cmd} did not answer on port ${port}: ${out}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  // ours opens the port before its priming cycle ends: tests that change the tree wait for that cycle
  while ((cmd === OUR_MAIN || cmd === OUR_LAUNCHER) && !out.includes('First update cycle done')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no first cycle: ${out}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    port,
    child,
    output: () => out,
    scrape,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** `name{labels}` -> value for the namedprocess_* samples of an exposition. */
export function namedprocessSamples(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const [series, v] of parseSamples(text)) {
    if (!series.startsWith('namedprocess_') || series.startsWith('namedprocess_exporter_')) continue;
    m.set(series, v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v));
  }
  return m;
}
