// Shared helpers for the server, web config and TLS tests (this file holds no tests of its own).

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { memoryLogger } from './memory-logger';
import { RunningServer, ScrapeResponse, ServerDeps, startServer } from '../src/server';

export const OPENSSL = '/usr/bin/openssl';

export function opensslMissing(): string | false {
  const r = spawnSync(OPENSSL, ['version'], { encoding: 'utf8' });
  return r.status === 0 ? false : `openssl not found at ${OPENSSL}: TLS certificates cannot be generated, skipping`;
}

export function tmpDir(prefix = 'npe-server-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

function openssl(args: string[], cwd: string): void {
  execFileSync(OPENSSL, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export interface Pki {
  dir: string;
  caCrt: string;
  caKey: string;
  serverCrt: string;
  serverKey: string;
  /** CA-signed, SAN DNS:client.example */
  clientCrt: string;
  clientKey: string;
  /** CA-signed, SAN DNS:other.example */
  otherCrt: string;
  otherKey: string;
  /** self-signed, SAN DNS:client.example */
  selfCrt: string;
  selfKey: string;
}

function key(dir: string, name: string): string {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name], dir);
  return path.join(dir, name);
}

/** Issue a certificate for `keyFile` signed by the test CA. */
export function issue(dir: string, name: string, keyFile: string, cn: string, san: string, usage: 'serverAuth' | 'clientAuth'): string {
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
  openssl(['req', '-new', '-key', keyFile, '-subj', `/CN=${cn}`, '-out', `${name}.csr`], dir);
  const serial = '0x' + Math.floor(Math.random() * 2 ** 48).toString(16);
  openssl(['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', serial, '-days', '2', '-extfile', ext, '-out', name], dir);
  return path.join(dir, name);
}

/** A CA, a server certificate for localhost/127.0.0.1, and client certificates, made with openssl. */
export function makePki(dir = tmpDir('npe-pki-')): Pki {
  const caKey = key(dir, 'ca.key');
  openssl(
    ['req', '-x509', '-new', '-key', 'ca.key', '-subj', '/CN=Test CA', '-days', '2', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign', '-out', 'ca.crt'],
    dir,
  );
  const serverKey = key(dir, 'server.key');
  const serverCrt = issue(dir, 'server.crt', serverKey, 'localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
  const clientKey = key(dir, 'client.key');
  const clientCrt = issue(dir, 'client.crt', clientKey, 'client', 'DNS:client.example,URI:spiffe://test/client', 'clientAuth');
  const otherKey = key(dir, 'other.key');
  const otherCrt = issue(dir, 'other.crt', otherKey, 'other', 'DNS:other.example', 'clientAuth');
  const selfKey = key(dir, 'self.key');
  openssl(['req', '-x509', '-new', '-key', 'self.key', '-subj', '/CN=client', '-days', '2', '-addext', 'subjectAltName=DNS:client.example', '-out', 'self.crt'], dir);
  return { dir, caCrt: path.join(dir, 'ca.crt'), caKey, serverCrt, serverKey, clientCrt, clientKey, otherCrt, otherKey, selfCrt: path.join(dir, 'self.crt'), selfKey };
}

export interface TestServer {
  server: RunningServer;
  log: ReturnType<typeof memoryLogger>;
  url: string;
  scrapes: number;
}

/** Start a server on 127.0.0.1 with a trivial exposition. */
export async function startTestServer(opts: Partial<ServerDeps> & { scheme?: 'http' | 'https' } = {}): Promise<TestServer> {
  const log = memoryLogger();
  const ts = { log, scrapes: 0 } as TestServer;
  const scrape =
    opts.scrape ??
    (async (): Promise<ScrapeResponse> => {
      ts.scrapes++;
      return { body: 'up 1\n', contentType: 'text/plain; version=0.0.4; charset=utf-8' };
    });
  ts.server = await startServer({
    listenAddress: '127.0.0.1:0',
    telemetryPath: '/metrics',
    webConfigFile: '',
    log,
    ...opts,
    scrape,
  });
  ts.url = `${opts.scheme ?? 'http'}://127.0.0.1:${ts.server.port}`;
  return ts;
}

/** Send raw bytes and collect everything the server answers until it closes (or `waitMs` passes). */
export function rawExchange(port: number, data: string | Buffer, waitMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => sock.destroy(), waitMs);
    sock.on('connect', () => sock.write(data));
    sock.on('data', (c: Buffer) => chunks.push(c));
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    sock.on('timeout', () => reject(new Error('timeout')));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Like sleep, for the losing side of a race: it does not keep the test process alive. */
export function deadline(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

export function basic(user: string, pass: string): string {
  return 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
}
