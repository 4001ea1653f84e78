// Live workloads: idle processes, thread-heavy processes and churn, all forked by bench/spawner.c so that
// starting 30,000 processes takes a second and one kill of its process group removes them all.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { trackGroup, killGroup } from './cleanup';

export class Spawner {
  private readonly waiting: Array<(line: string) => void> = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (l) => this.waiting.shift()?.(l));
    child.stderr!.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4096)));
    child.once('exit', () => {
      for (const w of this.waiting.splice(0)) w(`error: the spawner exited: ${this.stderr.trim()}`);
    });
  }

  static start(bin: string): Spawner {
    const child = spawn(bin, [], { detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    trackGroup(child, 'spawner');
    return new Spawner(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private command(line: string): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push((answer) => (answer.startsWith('ok') ? resolve(answer) : reject(new Error(`spawner: ${answer}`))));
      this.child.stdin!.write(line + '\n');
    });
  }

  /** Forks n more idle processes named prefix00..prefix(names-1), each with `threads` threads; resolves to the idle count. */
  async spawnIdle(n: number, names: number, threads: number, prefix: string): Promise<number> {
    const answer = await this.command(`spawn ${n} ${names} ${threads} ${prefix}`);
    return Number(answer.split(' ')[1]);
  }

  /** Forks perSecond short-lived processes a second named prefix, or (distinct) prefix<number>, each its own name. */
  async churn(perSecond: number, lifeMs: number, prefix: string, distinct = false): Promise<void> {
    await this.command(`churn ${perSecond} ${lifeMs} ${prefix}${distinct ? ' distinct' : ''}`);
  }

  async count(): Promise<{ idle: number; churnAlive: number; churnStarted: number }> {
    const [, idle, alive, started] = (await this.command('count')).split(' ').map(Number);
    return { idle, churnAlive: alive, churnStarted: started };
  }

  /** Kills every process it forked (and waits for them), keeps running. */
  async killAll(): Promise<void> {
    await this.command('kill');
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
    this.child.stdin!.end('exit\n');
    const timer = setTimeout(() => killGroup(this.pid), 30_000);
    await exited;
    clearTimeout(timer);
  }

  stderrText(): string {
    return this.stderr;
  }
}
