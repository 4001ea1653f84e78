// The web config's token-bucket rate limit.

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
