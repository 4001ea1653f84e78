// The web config's token-bucket rate limit, and the budget of response bytes being written.

/** golang.org/x/time/rate's Limiter.Allow: `burst` tokens, one more every `intervalMs`. */
export class RateLimiter {
  private tokens: number;
  private last = Date.now();

  constructor(
    readonly intervalMs: number,
    readonly burst: number,
  ) {
    this.tokens = burst;
  }

  allow(now = Date.now()): boolean {
    this.tokens = Math.min(this.burst, this.tokens + (now - this.last) / this.intervalMs);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/**
 * The bytes of response bodies being written, all connections together. A body counts once however many
 * responses send it (scrapes of one cycle share its text, so they share its buffer). A new body that would
 * pass the budget waits until enough is written; one body alone always goes, whatever its size.
 */
export class ResponseBudget {
  private readonly held = new Map<Buffer, number>();
  private bytes = 0;
  private waiters: Array<() => void> = [];

  constructor(readonly maxBytes: number) {}

  /** bytes of the distinct bodies being written */
  get inUse(): number {
    return this.bytes;
  }

  /** Resolves once buf may be written; every acquire needs one release. */
  async acquire(buf: Buffer): Promise<void> {
    for (;;) {
      const n = this.held.get(buf);
      if (n !== undefined) {
        this.held.set(buf, n + 1);
        return;
      }
      if (this.bytes === 0 || this.bytes + buf.length <= this.maxBytes) {
        this.held.set(buf, 1);
        this.bytes += buf.length;
        return;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(buf: Buffer): void {
    const n = this.held.get(buf);
    if (n === undefined) return;
    if (n > 1) {
      this.held.set(buf, n - 1);
      return;
    }
    this.held.delete(buf);
    this.bytes -= buf.length;
    const woken = this.waiters;
    this.waiters = [];
    for (const w of woken) w();
  }
}
