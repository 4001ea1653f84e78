// uid -> user name for .Username, read from /etc/passwd like the reference's CGO-less build (docs/behaviour.md#name-templates).
import { readFileSync } from 'node:fs';

export class UsernameCache {
  private readonly cache = new Map<number, string>();
  private passwd: Map<number, string> | null = null;
  private loadedAtMs = 0;

  constructor(private readonly passwdPath = '/etc/passwd', private readonly now: () => number = Date.now) {}

  lookup(uid: number): string {
    const hit = this.cache.get(uid);
    if (hit !== undefined) return hit;
    // users added after start are found on a later lookup: re-read at most once a minute
    if (this.passwd === null || this.now() - this.loadedAtMs > 60_000) this.load();
    const name = this.passwd!.get(uid);
    if (name === undefined) return String(uid); // not cached: the user may appear later
    this.cache.set(uid, name);
    return name;
  }

  private load(): void {
    this.loadedAtMs = this.now();
    this.passwd = new Map();
    let text = '';
    try {
      text = readFileSync(this.passwdPath, 'utf8');
    } catch {
      return;
    }
    for (const line of text.split('\n')) {
      const f = line.split(':');
      if (f.length < 3 || line.startsWith('#')) continue;
      const uid = Number(f[2]);
      if (Number.isInteger(uid) && !this.passwd.has(uid)) this.passwd.set(uid, f[0]);
    }
  }
}
