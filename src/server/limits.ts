// Per-client connection slots and the web config's token-bucket rate limit.

import type { Socket } from 'node:net';

const kStart = Symbol('start');

/**
 * Clients are keyed by IPv4 address, or by /64 for IPv6 (one host usually owns a whole /64).
 */
export function clientKey(remote: string | undefined): string {
  if (!remote) return '?';
  if (remote.startsWith('::ffff:') && remote.includes('.')) return remote.slice(7);
  if (!remote.includes(':')) return remote;
  const [head, tail = ''] = remote.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = remote.includes('::') ? [...h, ...Array<string>(Math.max(0, 8 - h.length - t.length)).fill('0'), ...t] : h;
  return groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':') + '::/64';
}

interface Client {
  active: number;
  queue: Socket[];
}

/**
 * At most `max` connections per client are served at once; further ones wait paused (nothing is read from
 * them) until one closes, so a slow or greedy client only holds up itself. A client with too many waiting
 * connections, or one that waits longer than `queueTimeoutMs`, is disconnected.
 */
export class ClientSlots {
  private readonly clients = new Map<string, Client>();

  constructor(
    private readonly max: number,
    private readonly maxQueued: number,
    private readonly queueTimeoutMs: number,
  ) {}

  admit(sock: Socket, onAdmit: () => void): void {
    const key = clientKey(sock.remoteAddress);
    let c = this.clients.get(key);
    if (!c) {
      c = { active: 0, queue: [] };
      this.clients.set(key, c);
    }
    const client = c;
    const start = () => {
      client.active++;
      sock.once('close', () => {
        client.active--;
        this.next(key, client);
      });
      onAdmit();
    };
    if (client.active < this.max) {
      start();
      return;
    }
    if (client.queue.length >= this.maxQueued) {
      sock.destroy();
      return;
    }
    sock.pause();
    client.queue.push(sock);
    const timer = setTimeout(() => sock.destroy(), this.queueTimeoutMs);
    timer.unref();
    const onClose = () => {
      clearTimeout(timer);
      const i = client.queue.indexOf(sock);
      if (i >= 0) client.queue.splice(i, 1);
      this.next(key, client);
    };
    sock.once('close', onClose);
    (sock as Socket & { [kStart]?: () => void })[kStart] = () => {
      clearTimeout(timer);
      sock.removeListener('close', onClose);
      start();
    };
  }

  private next(key: string, client: Client): void {
    while (client.active < this.max && client.queue.length > 0) {
      const s = client.queue.shift() as Socket & { [kStart]?: () => void };
      if (!s.destroyed) s[kStart]?.();
    }
    if (client.active === 0 && client.queue.length === 0) this.clients.delete(key);
  }

  /** Disconnect every waiting connection (shutdown). */
  dropQueued(): void {
    for (const c of this.clients.values()) for (const s of [...c.queue]) s.destroy();
  }
}

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
