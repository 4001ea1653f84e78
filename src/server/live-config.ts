// The web config as it is now (re-read when its file changes) and the TLS server built from it.
import { promises as fsp } from 'node:fs';
import type * as tls from 'node:tls';
import type { Logger } from '../base/log';
// only a -web.config.file needs these (about 35 KB of code): loaded with the first LiveConfig
import type * as TlsModule from './tls';
import type { BuiltTls } from './tls';
import type * as WebConfigModule from './webconfig';
import type { WebConfig } from './webconfig';
import { errorMessage } from '../base/errors';

/** A logfmt value: bare when it needs no quoting. */
export function logfmt(value: string): string {
  return /^[^\s"=\\]+$/.test(value) ? value : JSON.stringify(value);
}

export async function fileStamp(file: string): Promise<string> {
  try {
    const s = await fsp.stat(file, { bigint: true });
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (err) {
    return `error:${(err as NodeJS.ErrnoException).code ?? String(err)}`;
  }
}

export interface TlsRuntime {
  built: BuiltTls;
  server: tls.Server;
}

/**
 * The web config as it is now: re-read when the file changes (checked with a stat per request), with the
 * TLS material re-read when one of its files changes (checked per connection). A file that turns bad is
 * logged once and the last good config stays in force.
 */
export class LiveConfig {
  private seen: string;
  private generation = 0;
  private checking: Promise<WebConfig> | null = null;
  private tls: TlsRuntime | null = null;
  private tlsKey = '';
  private tlsBuilding: Promise<TlsRuntime> | null = null;

  constructor(
    private current: WebConfig,
    stamp: string,
    private readonly log: Logger,
    private readonly makeTlsServer: (b: BuiltTls) => tls.Server,
  ) {
    this.seen = stamp;
  }

  get(): Promise<WebConfig> {
    this.checking ??= this.check().finally(() => {
      this.checking = null;
    });
    return this.checking;
  }

  private async check(): Promise<WebConfig> {
    const stamp = await fileStamp(this.current.path);
    if (stamp === this.seen) return this.current;
    this.seen = stamp;
    try {
      const next = await (require('./webconfig') as typeof WebConfigModule).readWebConfigFile(this.current.path);
      if (!!next.tls !== !!this.current.tls) {
        throw new Error(`TLS cannot be switched ${next.tls ? 'on' : 'off'} while running; restart the exporter to apply this change`);
      }
      this.current = next;
      this.generation++;
      this.log.info(`level=info msg="Reloaded web config" file=${logfmt(next.path)}`);
    } catch (err) {
      this.log.error(
        `level=error msg="Unable to load the changed web config file, keeping the last good one" file=${logfmt(this.current.path)} err=${logfmt(errorMessage(err))}`,
      );
    }
    return this.current;
  }

  /** The TLS server for a new connection: rebuilt when the config or a certificate file changed. */
  async tlsRuntime(): Promise<TlsRuntime> {
    const cfg = await this.get();
    const files = cfg.tls ? [cfg.tls.certFile, cfg.tls.keyFile, cfg.tls.clientCaFile].filter((f) => f !== '') : [];
    const key = `${this.generation}|${(await Promise.all(files.map(fileStamp))).join('|')}`;
    if (key === this.tlsKey && this.tls) return this.tls;
    this.tlsBuilding ??= (async () => {
      try {
        const built = await (require('./tls') as typeof TlsModule).buildTls(cfg);
        this.tls = { built, server: this.makeTlsServer(built) };
        if (this.tlsKey !== '') this.log.info(`level=info msg="Loaded new TLS certificate" file=${logfmt(cfg.path)}`);
      } catch (err) {
        if (!this.tls) throw err;
        this.log.error(`level=error msg="Unable to load TLS material, keeping the last good one" err=${logfmt(errorMessage(err))}`);
      }
      // Remember the failed state too, so a bad file is not re-read on every connection.
      this.tlsKey = key;
      return this.tls;
    })().finally(() => {
      this.tlsBuilding = null;
    });
    return this.tlsBuilding;
  }
}
