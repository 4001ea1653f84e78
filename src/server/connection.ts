// The connection layer: which connections are taken, what each may cost, TLS, and shutdown.
//
// What a connection may cost is bounded by time and size, never by how many others come from the same
// address (a scraper, an agent and everything behind one NAT share an address):
// - its request head must arrive within headersTimeoutMs (a silent or dripping client gets 408 and is
//   closed), the whole request within requestTimeoutMs, and be at most maxHeaderBytes (431);
// - between requests, a keep-alive connection may idle for keepAliveTimeoutMs;
// - a socket that neither sends nor reads for IDLE_SOCKET_TIMEOUT_MS (e.g. never reads its response)
//   is dropped;
// - at most maxConnections are open at once. An idle connection (no request in flight) costs a socket
//   and a few kB, so the ceiling is in the thousands; when it is reached, the oldest idle connection
//   makes room for the new one, so idle sockets can delay nobody's scrape;
// - one request is answered at a time: while it is, the socket is not read, so further pipelined
//   requests wait unparsed in the kernel (those already parsed from the same read, at most
//   MAX_PIPELINED, wait their turn; past that the connection closes after their answers, and the
//   client sends the rest again on a new one, as HTTP/1.1 allows). A client that sends without reading
//   holds at most one response in memory, and its own connection only.

import * as fs from 'node:fs';
import * as http from 'node:http';
import type { Socket } from 'node:net';
import type * as tls from 'node:tls';
import type { Logger } from '../base/log';
import { logfmt, type LiveConfig, type TlsRuntime } from './live-config';
import type * as TlsModule from './tls';
import type { BuiltTls } from './tls';
import type { RequestHandler } from './routes';
import { receivedAt } from './handler';
import { errorMessage } from '../base/errors';

export interface ConnectionLimits {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  maxHeaderBytes: number;
  keepAliveTimeoutMs: number;
  /** connections open at once, all clients together */
  maxConnections: number;
}

// A socket that neither sends nor receives for this long (e.g. never reads its response) is dropped.
const IDLE_SOCKET_TIMEOUT_MS = 120_000;
/** In-flight responses get this long to finish at shutdown; then every connection is closed. */
const SHUTDOWN_GRACE_MS = 5_000;
/** Requests parsed behind the one being answered that wait their turn; more close the connection. */
export const MAX_PIPELINED = 32;
/** File descriptors kept free for /proc reads when the connection ceiling follows the fd limit. */
const FD_RESERVE = 256;

/** The default connection ceiling: 4096, or fewer when the soft fd limit would not allow that many. */
export function defaultMaxConnections(limitsFile = '/proc/self/limits'): number {
  let soft = Infinity;
  try {
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(fs.readFileSync(limitsFile, 'latin1'));
    if (m && m[1] !== 'unlimited') soft = Number(m[1]);
  } catch {
    // no procfs for ourselves: keep the default
  }
  return Math.max(64, Math.min(4096, soft - FD_RESERVE));
}

const kConn = Symbol('connection');

interface Conn {
  raw: Socket;
  /** requests being answered: 0 or 1 */
  inFlight: number;
  /** pipelined requests parsed while another was answered, in order */
  waiting: Array<[http.IncomingMessage, http.ServerResponse]>;
  /** more than MAX_PIPELINED came: the connection closes after the last waiting one is answered */
  closeAfter: boolean;
}

type WithConn = Socket & { [kConn]?: Conn };

export interface ConnectionLayer {
  readonly server: http.Server;
  /** open connections (raw sockets) */
  readonly size: number;
  /** stop accepting, give in-flight responses up to graceMs, then close every connection */
  close(graceMs?: number): Promise<void>;
}

export function createConnectionLayer(opts: {
  limits: ConnectionLimits;
  handler: RequestHandler;
  live: LiveConfig | null;
  useTls: boolean;
  log: Logger;
  /** set when shutdown begins, so responses say Connection: close */
  onClosing(): void;
  /** receives the factory the live config uses to build a TLS server from its material */
  registerTlsFactory(make: (b: BuiltTls) => tls.Server): void;
}): ConnectionLayer {
  const { limits, log, live, useTls } = opts;
  let closing = false;

  // Every open connection, oldest first (a Map keeps insertion order): the eviction order at the ceiling.
  const conns = new Map<Socket, Conn>();
  // Raw sockets in the TLS handshake or before their first byte: the HTTP server does not see them yet.
  const pending = new Set<Socket>();

  const server = http.createServer({
    maxHeaderSize: limits.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
    requestTimeout: limits.requestTimeoutMs,
    headersTimeout: limits.headersTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  server.timeout = IDLE_SOCKET_TIMEOUT_MS;

  // The HTTP server's own connection handler runs only after admission (and, with TLS, a handshake).
  const httpConnection = server.listeners('connection') as ((s: Socket) => void)[];
  server.removeAllListeners('connection');
  const serveHttp = (s: Socket) => {
    for (const l of httpConnection) l.call(server, s);
  };

  // One request at a time per connection (see the top of this file). Node parses every request of a read
  // at once and would render them all; the ones behind the first wait here, the socket paused meanwhile.
  const answer = (conn: Conn, req: http.IncomingMessage, res: http.ServerResponse) => {
    conn.inFlight++;
    if (conn.closeAfter && conn.waiting.length === 0) res.setHeader('Connection', 'close');
    res.once('close', () => {
      conn.inFlight--;
      const sock = req.socket;
      if (sock.destroyed) {
        conn.waiting.length = 0; // nobody to answer: render nothing more for it
        return;
      }
      const next = conn.waiting.shift();
      if (next !== undefined) answer(conn, next[0], next[1]);
      else if (!conn.closeAfter) sock.resume();
    });
    opts.handler(req, res);
  };
  const track = (req: http.IncomingMessage, res: http.ServerResponse) => {
    receivedAt.set(req, Date.now());
    const conn = (req.socket as WithConn)[kConn];
    if (!conn) return opts.handler(req, res);
    if (conn.inFlight === 0 && conn.waiting.length === 0) return answer(conn, req, res);
    req.socket.pause();
    if (conn.waiting.length < MAX_PIPELINED && !conn.closeAfter) conn.waiting.push([req, res]);
    // past the bound this request gets no answer: the connection closes after the waiting ones
    else conn.closeAfter = true;
  };
  server.on('request', track);
  // Answer 100-continue ourselves: no body is ever accepted, so the client must not send one.
  server.on('checkContinue', track);

  opts.registerTlsFactory((built: BuiltTls): tls.Server => {
    // node:tls is loaded only when the web config asks for TLS
    const t = (require('node:tls') as typeof tls).createServer({ ...built.options, handshakeTimeout: limits.headersTimeoutMs });
    const { checkClient } = require('./tls') as typeof TlsModule;
    t.on('secureConnection', (sock: tls.TLSSocket) => {
      const why = checkClient(sock, built);
      if (why) {
        log.debug(`level=debug msg="TLS client refused" remote=${logfmt(String(sock.remoteAddress))} reason=${logfmt(why)}`);
        sock.destroy();
        return;
      }
      const raw = (sock as unknown as { _parent?: Socket })._parent;
      const conn = raw ? conns.get(raw) : undefined;
      if (conn) (sock as WithConn)[kConn] = conn;
      serveHttp(sock);
    });
    t.on('tlsClientError', (err: Error, sock: tls.TLSSocket) => {
      log.debug(`level=debug msg="TLS handshake error" remote=${logfmt(String(sock.remoteAddress ?? '-'))} err=${logfmt(err.message)}`);
      sock.destroy();
    });
    return t;
  });

  const startTls = async (raw: Socket) => {
    pending.add(raw);
    raw.once('close', () => pending.delete(raw));
    const first = await firstChunk(raw, limits.headersTimeoutMs);
    if (!first || raw.destroyed || closing) {
      raw.destroy();
      return;
    }
    if (first[0] !== 0x16) {
      // Go's answer to plain HTTP on a TLS port; anything else is not worth a reply.
      if (first[0] >= 0x41 && first[0] <= 0x5a) {
        // Drain what the client sends and close on its FIN, but never wait for it long.
        raw.allowHalfOpen = false;
        raw.resume();
        raw.end('HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
        setTimeout(() => raw.destroy(), 1000).unref();
      } else {
        raw.destroy();
      }
      return;
    }
    let rt: TlsRuntime;
    try {
      rt = await (live as LiveConfig).tlsRuntime();
    } catch (err) {
      log.error(`level=error msg="TLS is not available" err=${logfmt(errorMessage(err))}`);
      raw.destroy();
      return;
    }
    if (raw.destroyed || closing) {
      raw.destroy();
      return;
    }
    // The TLS server takes over: its handshake timeout applies, then the HTTP server tracks the connection.
    // The TLS socket inherits allowHalfOpen (true on the HTTP server's sockets): without this, a client
    // that leaves mid-handshake would keep its socket until the handshake timeout.
    raw.allowHalfOpen = false;
    pending.delete(raw);
    rt.server.emit('connection', raw);
  };

  /** Makes room for one more connection: closes the oldest idle one. False when every one is busy. */
  const evictIdle = (): boolean => {
    for (const conn of conns.values()) {
      if (conn.inFlight === 0) {
        conn.raw.destroy();
        conns.delete(conn.raw);
        return true;
      }
    }
    return false;
  };

  server.on('connection', (raw: Socket) => {
    raw.on('error', () => {}); // resets by clients are routine; the owning layer reports what matters
    if (closing || (conns.size >= limits.maxConnections && !evictIdle())) {
      raw.destroy();
      return;
    }
    const conn: Conn = { raw, inFlight: 0, waiting: [], closeAfter: false };
    (raw as WithConn)[kConn] = conn;
    conns.set(raw, conn);
    raw.once('close', () => conns.delete(raw));
    if (useTls) {
      void startTls(raw);
    } else {
      serveHttp(raw);
    }
  });

  let closed: Promise<void> | null = null;
  return {
    server,
    get size() {
      return conns.size;
    },
    close(graceMs = SHUTDOWN_GRACE_MS): Promise<void> {
      closed ??= (async () => {
        closing = true;
        opts.onClosing();
        for (const s of pending) s.destroy();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([done, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
        clearTimeout(timer);
        server.closeAllConnections();
        for (const s of conns.keys()) s.destroy();
        await done;
      })();
      return closed;
    },
  };
}

/** Wait for a socket's first bytes and put them back, or null on timeout or close. */
function firstChunk(sock: Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const cleanup = () => {
      clearTimeout(timer);
      sock.removeListener('data', onData);
      sock.removeListener('close', onEnd);
      sock.removeListener('end', onEnd);
    };
    const onData = (chunk: Buffer) => {
      cleanup();
      sock.pause();
      sock.unshift(chunk);
      resolve(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(null);
    };
    const timer = setTimeout(onEnd, timeoutMs);
    sock.on('data', onData);
    sock.once('close', onEnd);
    sock.once('end', onEnd);
  });
}
