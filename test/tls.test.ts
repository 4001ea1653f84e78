import assert from 'node:assert/strict';
import * as bcrypt from 'bcryptjs';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { before, describe, it } from 'node:test';
import { Agent, request } from 'undici';
import { basic, deadline, issue, makePki, opensslMissing, Pki, rawExchange, sleep, startTestServer, TestServer, tmpDir } from './server-helpers.test';

type ClientCert = 'none' | 'valid' | 'self-signed' | 'other-san';

let pki: Pki;
const skip = opensslMissing();

function clientFiles(c: ClientCert): { cert?: string; key?: string } {
  switch (c) {
    case 'none':
      return {};
    case 'valid':
      return { cert: fs.readFileSync(pki.clientCrt, 'utf8'), key: fs.readFileSync(pki.clientKey, 'utf8') };
    case 'self-signed':
      return { cert: fs.readFileSync(pki.selfCrt, 'utf8'), key: fs.readFileSync(pki.selfKey, 'utf8') };
    case 'other-san':
      return { cert: fs.readFileSync(pki.otherCrt, 'utf8'), key: fs.readFileSync(pki.otherKey, 'utf8') };
  }
}

/** GET over a fresh TLS connection with undici; the status, or 'refused' when the server drops us. */
async function tlsGet(ts: TestServer, client: ClientCert, extra: tls.ConnectionOptions = {}, headers: Record<string, string> = {}): Promise<number | 'refused'> {
  const agent = new Agent({ connect: { ca: fs.readFileSync(pki.caCrt, 'utf8'), ...clientFiles(client), ...extra } });
  try {
    const r = await request(`${ts.url}/metrics`, { dispatcher: agent, headers });
    await r.body.dump();
    return r.statusCode;
  } catch {
    return 'refused';
  } finally {
    await agent.destroy();
  }
}

function configFile(text: string): string {
  const dir = tmpDir('npe-tls-');
  const p = path.join(dir, 'web.yml');
  fs.writeFileSync(p, text);
  return p;
}

function tlsConfig(extra = ''): string {
  return configFile(`tls_server_config:\n  cert_file: ${pki.serverCrt}\n  key_file: ${pki.serverKey}\n${extra}`);
}

async function withServer(file: string, fn: (ts: TestServer) => Promise<void>, limits = {}): Promise<void> {
  const ts = await startTestServer({ webConfigFile: file, scheme: 'https', limits });
  try {
    await fn(ts);
  } finally {
    await ts.server.close();
  }
}

describe('TLS: client_auth_type with real certificates', () => {
  before(() => {
    if (!skip) pki = makePki();
  });

  const matrix: [string, string, Record<ClientCert, number | 'refused'>][] = [
    ['NoClientCert', '', { none: 200, valid: 200, 'self-signed': 200, 'other-san': 200 }],
    ['RequestClientCert', '  client_auth_type: RequestClientCert\n', { none: 200, valid: 200, 'self-signed': 200, 'other-san': 200 }],
    ['RequireAnyClientCert', '  client_auth_type: RequireAnyClientCert\n', { none: 'refused', valid: 200, 'self-signed': 200, 'other-san': 200 }],
    ['VerifyClientCertIfGiven', '  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: CA\n', { none: 200, valid: 200, 'self-signed': 'refused', 'other-san': 200 }],
    ['RequireAndVerifyClientCert', '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: CA\n', { none: 'refused', valid: 200, 'self-signed': 'refused', 'other-san': 200 }],
    [
      'RequireAndVerifyClientCert with client_allowed_sans (DNS)',
      '  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: CA\n  client_allowed_sans:\n    - client.example\n',
      { none: 'refused', valid: 200, 'self-signed': 'refused', 'other-san': 'refused' },
    ],
    [
      'RequireAnyClientCert with client_allowed_sans (URI)',
      '  client_auth_type: RequireAnyClientCert\n  client_allowed_sans:\n    - spiffe://test/client\n',
      { none: 'refused', valid: 200, 'self-signed': 'refused', 'other-san': 'refused' },
    ],
  ];

  for (const [name, extra, expected] of matrix) {
    it(name, async (t) => {
      if (skip) return t.skip(skip);
      await withServer(tlsConfig(extra.replace('CA', pki.caCrt)), async (ts) => {
        for (const client of Object.keys(expected) as ClientCert[]) {
          assert.equal(await tlsGet(ts, client), expected[client], `${name}, client certificate: ${client}`);
        }
        // Refusals never reach the HTTP layer.
        const ok = Object.values(expected).filter((v) => v === 200).length;
        assert.equal(ts.scrapes, ok);
      });
    });
  }
});

describe('TLS: versions, ciphers, curves and plain HTTP', () => {
  before(() => {
    if (!skip) pki ??= makePki();
  });

  it('logs that TLS is enabled', async (t) => {
    if (skip) return t.skip(skip);
    await withServer(tlsConfig(), async (ts) => {
      assert.ok(ts.log.lines.includes(`level=info msg="TLS is enabled." http2=false address=127.0.0.1:${ts.server.port}`), ts.log.lines.join('\n'));
    });
  });

  it('defaults to TLS 1.2 as the minimum and honours min_version', async (t) => {
    if (skip) return t.skip(skip);
    await withServer(tlsConfig(), async (ts) => {
      assert.equal(await tlsGet(ts, 'none', { maxVersion: 'TLSv1.2' }), 200);
      assert.equal(await tlsGet(ts, 'none', { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }), 'refused');
    });
    await withServer(tlsConfig('  min_version: TLS13\n'), async (ts) => {
      assert.equal(await tlsGet(ts, 'none', { maxVersion: 'TLSv1.2' }), 'refused');
      assert.equal(await tlsGet(ts, 'none', { minVersion: 'TLSv1.3' }), 200);
    });
  });

  it('maps Go cipher and curve names onto OpenSSL', async (t) => {
    if (skip) return t.skip(skip);
    const extra = '  max_version: TLS12\n  cipher_suites:\n    - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384\n  curve_preferences:\n    - CurveP384\n';
    await withServer(tlsConfig(extra), async (ts) => {
      const info = await new Promise<{ cipher: string; curve?: string }>((resolve, reject) => {
        const s = tls.connect({ host: '127.0.0.1', port: ts.server.port, ca: fs.readFileSync(pki.caCrt), ecdhCurve: 'X25519:P-256:P-384' }, () => {
          resolve({ cipher: s.getCipher().standardName, curve: (s.getEphemeralKeyInfo() as tls.EphemeralKeyInfo | null)?.name });
          s.destroy();
        });
        s.on('error', reject);
      });
      assert.equal(info.cipher, 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384');
      assert.equal(info.curve, 'secp384r1');
    });
  });

  it('answers plain HTTP on the TLS port like Go', async (t) => {
    if (skip) return t.skip(skip);
    await withServer(tlsConfig(), async (ts) => {
      const r = await rawExchange(ts.server.port, 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(r, 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n');
      assert.equal(ts.scrapes, 0);
    });
  });

  it('drops a client that stalls before or during the handshake', async (t) => {
    if (skip) return t.skip(skip);
    await withServer(
      tlsConfig(),
      async (ts) => {
        for (const first of [null, Buffer.from([0x16, 0x03])]) {
          const sock = net.connect(ts.server.port, '127.0.0.1');
          sock.on('error', () => {});
          await new Promise((r) => sock.once('connect', r));
          if (first) sock.write(first);
          const closedIn = await Promise.race([new Promise<boolean>((r) => sock.once('close', () => r(true))), deadline(5000).then(() => false)]);
          assert.ok(closedIn, `a stalled client (${first ? 'mid-handshake' : 'silent'}) was not dropped`);
          sock.destroy();
        }
        assert.equal(await tlsGet(ts, 'none'), 200);
      },
      { headersTimeoutMs: 500, requestTimeoutMs: 1000 },
    );
  });

  it('at the connection ceiling an idle connection makes room for a TLS scrape', async (t) => {
    if (skip) return t.skip(skip);
    await withServer(
      tlsConfig(),
      async (ts) => {
        const idle = net.connect(ts.server.port, '127.0.0.1');
        idle.on('error', () => {});
        const idleClosed = new Promise((r) => idle.once('close', r));
        await new Promise((r) => idle.once('connect', r));
        await sleep(50);
        assert.equal(await tlsGet(ts, 'none'), 200);
        await idleClosed;
      },
      { maxConnections: 1 },
    );
  });

  it('combines TLS with basic auth and headers', async (t) => {
    if (skip) return t.skip(skip);
    const hash = bcrypt.hashSync('secret', 4);
    const file = tlsConfig(`basic_auth_users:\n  alice: ${hash}\nhttp_server_config:\n  headers:\n    Strict-Transport-Security: max-age=31536000\n`);
    await withServer(file, async (ts) => {
      assert.equal(await tlsGet(ts, 'none'), 401);
      assert.equal(await tlsGet(ts, 'none', {}, { authorization: basic('alice', 'secret') }), 200);
      const agent = new Agent({ connect: { ca: fs.readFileSync(pki.caCrt, 'utf8') } });
      const r = await request(`${ts.url}/nope`, { dispatcher: agent });
      await r.body.dump();
      await agent.destroy();
      assert.equal(r.statusCode, 401);
      assert.equal(r.headers['strict-transport-security'], 'max-age=31536000');
    });
  });
});

describe('TLS: certificates re-read from disk', () => {
  before(() => {
    if (!skip) pki ??= makePki();
  });

  function peerSerial(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, ca: fs.readFileSync(pki.caCrt) }, () => {
        resolve(s.getPeerX509Certificate()!.serialNumber);
        s.destroy();
      });
      s.on('error', reject);
    });
  }

  it('serves a replaced certificate on the next connection, and keeps the old one if the new one is bad', async (t) => {
    if (skip) return t.skip(skip);
    const dir = tmpDir('npe-rotate-');
    fs.copyFileSync(pki.serverCrt, path.join(dir, 'server.crt'));
    fs.copyFileSync(pki.serverKey, path.join(dir, 'server.key'));
    const file = path.join(dir, 'web.yml');
    fs.writeFileSync(file, 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n');
    await withServer(file, async (ts) => {
      const first = await peerSerial(ts.server.port);
      assert.equal(first, await peerSerial(ts.server.port));

      // Rotate: a new certificate for the same key, moved into place.
      const fresh = issue(pki.dir, `rotated-${Date.now()}.crt`, pki.serverKey, 'localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth');
      fs.copyFileSync(fresh, path.join(dir, 'server.crt.new'));
      fs.renameSync(path.join(dir, 'server.crt.new'), path.join(dir, 'server.crt'));
      const second = await peerSerial(ts.server.port);
      assert.notEqual(second, first);
      assert.equal(await tlsGet(ts, 'none'), 200);

      // A broken certificate is logged once; the last good one stays in use.
      fs.writeFileSync(path.join(dir, 'server.crt'), 'not a certificate\n');
      assert.equal(await peerSerial(ts.server.port), second);
      assert.equal(await peerSerial(ts.server.port), second);
      const complaints = ts.log.lines.filter((l) => l.includes('Unable to load TLS material'));
      assert.equal(complaints.length, 1, ts.log.lines.join('\n'));
      assert.match(complaints[0], /line 2: failed to load X509KeyPair: tls: failed to find any PEM data in certificate input/);

      // Edited in place this time.
      fs.copyFileSync(pki.serverCrt, path.join(dir, 'server.crt'));
      assert.equal(await peerSerial(ts.server.port), first);
    });
  });

  it('switches to a new client CA policy when the web config changes', async (t) => {
    if (skip) return t.skip(skip);
    const file = tlsConfig();
    await withServer(file, async (ts) => {
      assert.equal(await tlsGet(ts, 'none'), 200);
      fs.writeFileSync(file, `tls_server_config:\n  cert_file: ${pki.serverCrt}\n  key_file: ${pki.serverKey}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ${pki.caCrt}\n`);
      assert.equal(await tlsGet(ts, 'none'), 'refused');
      assert.equal(await tlsGet(ts, 'valid'), 200);
      // Switching TLS off is refused while running: the last good config stays.
      fs.writeFileSync(file, 'http_server_config:\n  http2: false\n');
      assert.equal(await tlsGet(ts, 'valid'), 200);
      assert.ok(ts.log.lines.some((l) => l.includes('TLS cannot be switched off while running')), ts.log.lines.join('\n'));
    });
  });
});
