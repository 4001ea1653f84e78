// HTTP basic auth against bcrypt hashes, as exporter-toolkit does it, with two changes:
// the dummy hash for unknown users has the cost of the real ones (so timing does not tell users apart),
// and only successful checks are cached (so failed guesses cannot evict Prometheus's entry).

import type * as Bcrypt from 'bcryptjs';
import type * as Crypto from 'node:crypto';

type AuthResult = 'ok' | 'denied' | 'busy';

const CACHE_SIZE = 64;
const MAX_WAITING = 32;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Go's Request.BasicAuth: "Basic " (any case) + standard base64 of "user:password". */
function parseBasicAuth(header: string | undefined): { user: string; pass: string } | null {
  if (!header || header.length < 6 || header.slice(0, 6).toLowerCase() !== 'basic ') return null;
  const b64 = header.slice(6);
  if (b64.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return null;
  let text: string;
  try {
    text = utf8.decode(Buffer.from(b64, 'base64'));
  } catch {
    return null;
  }
  const i = text.indexOf(':');
  if (i < 0) return null;
  return { user: text.slice(0, i), pass: text.slice(i + 1) };
}

const DUMMY_SALT = 'namedprocessexporterAu'; // 22 characters
const DUMMY_DIGEST = 'DummyHashForUnknownUsersNoMatch'; // 31 characters

// A well-formed hash that no password is expected to match; only its cost matters for the timing.
function dummyHash(cost: number): string {
  return `$2b$${String(cost).padStart(2, '0')}$${DUMMY_SALT}${DUMMY_DIGEST}`;
}

/** The most common cost among the users' hashes (ties: the higher one). */
function typicalCost(users: Map<string, string>): number {
  const counts = new Map<number, number>();
  for (const h of users.values()) {
    const c = Number(h.slice(4, 6));
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  let best = 10;
  let bestN = 0;
  for (const [c, n] of counts) {
    if (n > bestN || (n === bestN && c > best)) {
      best = c;
      bestN = n;
    }
  }
  return best;
}

export class BasicAuth {
  private readonly cache = new Map<string, true>();
  private chain: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  private running = 0;
  /** bcrypt comparisons run so far, and the most that ever ran at once (for tests and debugging) */
  bcryptRuns = 0;
  bcryptPeak = 0;

  /** Check an Authorization header against the users; at most one bcrypt runs at a time. */
  async check(header: string | undefined, users: Map<string, string>): Promise<AuthResult> {
    const creds = parseBasicAuth(header);
    if (!creds) return 'denied';
    const known = users.get(creds.user);
    const hash = known ?? dummyHash(typicalCost(users));
    // node:crypto is loaded by the first check: a server without basic auth never needs it
    const { createHash } = require('node:crypto') as typeof Crypto;
    const key = createHash('sha256').update(`${creds.user}\0${hash}\0${creds.pass}`).digest('base64');
    const cached = this.cache.has(key);
    if (cached && known !== undefined) {
      // Refresh the entry's place so the least recently used one is evicted first.
      this.cache.delete(key);
      this.cache.set(key, true);
      return 'ok';
    }
    // Shed load before looking at the result, so the refusal says nothing about the user.
    if (this.waiting >= MAX_WAITING) return 'busy';
    this.waiting++;
    const run = this.chain.then(async () => {
      this.bcryptRuns++;
      this.bcryptPeak = Math.max(this.bcryptPeak, ++this.running);
      try {
        // loaded at the first check: without basic_auth_users it would cost about 3 MB of RSS for nothing
        const bcrypt = require('bcryptjs') as typeof Bcrypt;
        return await bcrypt.compare(creds.pass, hash);
      } finally {
        this.running--;
      }
    });
    this.chain = run.catch(() => false);
    let match = false;
    try {
      match = await run;
    } catch {
      match = false;
    } finally {
      this.waiting--;
    }
    if (!match || known === undefined) return 'denied';
    this.cache.set(key, true);
    if (this.cache.size > CACHE_SIZE) this.cache.delete(this.cache.keys().next().value as string);
    return 'ok';
  }
}
