// The HTTP(S) server: telemetry path, landing page, exporter-toolkit web config (TLS, basic auth, headers,
// rate limit) and bounds on what a connection may cost (docs/behaviour.md#http, docs/behaviour.md differences #18). HTTP/1.1 only (the web
// config refuses `http2: true`).
//
// Two layers: connection.ts takes connections (admission, TLS, timeouts, shutdown) and handler.ts
// answers requests (routing, auth, rate limit, gzip); routes.ts holds what a route sees. This file wires them.

import type * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from '../base/log';
import { goListenError, joinHostPort, resolveListenAddress } from './address';
import { createConnectionLayer, defaultMaxConnections } from './connection';
import { checkTelemetryPath, createRequestHandler, RESPONSE_BUDGET_BYTES } from './handler';
import { fileStamp, LiveConfig, logfmt } from './live-config';
import type { Route, ScrapeResponse } from './routes';
// the web config's modules are loaded only when -web.config.file is given
import type * as TlsModule from './tls';
import type { BuiltTls } from './tls';
import type * as WebConfigModule from './webconfig';
import type { WebConfig } from './webconfig';

export { acceptsGzip, cleanPath, landingPage } from './handler';
export type { Route, RouteRequest, RouteResponse, ScrapeResponse } from './routes';
export type { WebConfig, TlsServerConfig, ClientAuthType } from './webconfig';

export interface ServerLimits {
  /** time allowed for a request's headers (and the TLS handshake, and a new connection's first byte) */
  headersTimeoutMs: number;
  /** time allowed to receive a whole request */
  requestTimeoutMs: number;
  /** largest request head; bigger ones get 431 */
  maxHeaderBytes: number;
  /** connections open at once, all clients together; at the ceiling the oldest idle one makes room */
  maxConnections: number;
  /** idle time before a keep-alive connection is closed */
  keepAliveTimeoutMs: number;
  /** bytes of large response bodies being written at once, all connections together (handler.ts) */
  responseBudgetBytes: number;
}

export interface ServerDeps {
  listenAddress: string;
  telemetryPath: string;
  webConfigFile: string;
  /** receivedAtMs: when the request arrived (a pipelined one waits for those before it to be answered) */
  scrape(req: { accept?: string; receivedAtMs: number }): Promise<ScrapeResponse>;
  log: Logger;
  limits?: Partial<ServerLimits>;
  /** extra paths; checked after the telemetry path and before the landing page */
  routes?: readonly Route[];
}

export interface RunningServer {
  readonly port: number;
  readonly address: string;
  close(): Promise<void>;
}

const DEFAULT_LIMITS: Readonly<ServerLimits> = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  maxHeaderBytes: 16 * 1024,
  maxConnections: defaultMaxConnections(),
  // Longer than Prometheus's default 15 s scrape interval, so its connection is reused.
  keepAliveTimeoutMs: 20_000,
  responseBudgetBytes: RESPONSE_BUDGET_BYTES,
};

/** Read and strictly check a web config file, including its certificates (for `-web.config.file` at start). */
export async function loadWebConfig(file: string): Promise<WebConfig> {
  const cfg = await (require('./webconfig') as typeof WebConfigModule).readWebConfigFile(file);
  if (cfg.tls) await (require('./tls') as typeof TlsModule).buildTls(cfg);
  return cfg;
}

/** Start listening; rejects with a clear Error (bad web config, bad telemetry path, listen error). */
export async function startServer(deps: ServerDeps): Promise<RunningServer> {
  const log = deps.log;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  limits.requestTimeoutMs = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  checkTelemetryPath(deps.telemetryPath);
  const target = await resolveListenAddress(deps.listenAddress);

  let closing = false;
  let makeTlsServer: ((b: BuiltTls) => tls.Server) | null = null;
  let live: LiveConfig | null = null;
  let initial: WebConfig | null = null;
  if (deps.webConfigFile !== '') {
    const stamp = await fileStamp(deps.webConfigFile);
    initial = await (require('./webconfig') as typeof WebConfigModule).readWebConfigFile(deps.webConfigFile);
    live = new LiveConfig(initial, stamp, log, (b) => (makeTlsServer as (b: BuiltTls) => tls.Server)(b));
  }
  const useTls = !!initial?.tls;

  const handler = createRequestHandler({
    telemetryPath: deps.telemetryPath,
    scrape: deps.scrape,
    routes: deps.routes ?? [],
    log,
    live,
    closing: () => closing,
    responseBudgetBytes: limits.responseBudgetBytes,
  });
  const layer = createConnectionLayer({
    limits,
    handler,
    live,
    useTls,
    log,
    onClosing: () => (closing = true),
    registerTlsFactory: (make) => (makeTlsServer = make),
  });
  if (live && useTls) await live.tlsRuntime();
  const server = layer.server;

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(goListenError(target, err));
    server.once('error', onError);
    server.listen({ host: target.host, port: target.port }, () => {
      server.removeListener('error', onError);
      resolve();
    });
  });
  server.on('error', (err: Error) => log.error(`level=error msg="Server error" err=${logfmt(err.message)}`));

  const addr = server.address() as AddressInfo;
  const address = joinHostPort(addr.address, addr.port);
  log.info(`level=info msg="Listening on" address=${address}`);
  if (useTls) {
    // HTTP/2 is not offered: `http2: true` is refused at load, and TLS clients negotiate HTTP/1.1.
    log.info(`level=info msg="TLS is enabled." http2=false address=${address}`);
  } else {
    log.info(`level=info msg="TLS is disabled." http2=false address=${address}`);
  }
  if (initial && initial.users.size > 0) log.info(`level=info msg="Basic authentication is enabled." users=${initial.users.size} file=${logfmt(initial.path)}`);

  return {
    port: addr.port,
    address,
    close: () => layer.close(),
  };
}
