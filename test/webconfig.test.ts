import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it, before } from 'node:test';
import { loadWebConfig } from '../src/server';
import { parseWebConfig, WebConfigError } from '../src/server/webconfig';
import { makePki, opensslMissing, Pki, tmpDir } from './server-helpers.test';

const FILE = '/etc/exporter/web.yml';
const HASH = '$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze';

function parseError(text: string): string {
  try {
    parseWebConfig(text, FILE);
  } catch (err) {
    assert.ok(err instanceof WebConfigError, `expected a WebConfigError, got ${String(err)}`);
    return err.message;
  }
  assert.fail('expected an error');
}

describe('web config: files from the exporter-toolkit documentation', () => {
  it('accepts docs/web-config.yml (TLS files, users, excluded paths)', () => {
    const cfg = parseWebConfig(
      `# TLS and basic authentication configuration example.
#
# Additionally, a certificate and a key file are needed.
tls_server_config:
  cert_file: server.crt
  key_file: server.key

# Usernames and passwords required to connect.
basic_auth_users:
  alice: $2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze
  bob: $2y$10$hLqFl9jSjoAAy95Z/zw8Ye8wkdMBM8c5Bn1ptYqP/AXyV0.oy0S8m

# Exclude /-/healthy and /-/ready from basic authentication
basic_auth_excluded_paths:
- /-/healthy
- /-/ready
`,
      FILE,
    );
    assert.equal(cfg.tls?.certFile, '/etc/exporter/server.crt');
    assert.equal(cfg.tls?.keyFile, '/etc/exporter/server.key');
    assert.equal(cfg.tls?.minVersion, 'TLSv1.2');
    assert.equal(cfg.tls?.maxVersion, 'TLSv1.3');
    assert.equal(cfg.tls?.clientAuthType, 'NoClientCert');
    assert.equal(cfg.http2, false, 'HTTP/1.1 when the key is absent');
    assert.deepEqual([...cfg.users.keys()], ['alice', 'bob']);
    assert.deepEqual(cfg.basicAuthExcludedPaths, ['/-/healthy', '/-/ready']);
  });

  it('accepts every key of docs/web-configuration.md', () => {
    const cfg = parseWebConfig(
      `tls_server_config:
  cert_file: /abs/server.crt
  key_file: server.key
  client_auth_type: "RequireAndVerifyClientCert"
  client_ca_file: ca.crt
  client_allowed_sans:
    - client.example
  min_version: TLS12
  max_version: TLS13
  cipher_suites:
    - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
    - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  prefer_server_cipher_suites: false
  curve_preferences:
    - X25519
    - CurveP256
http_server_config:
  http2: false
  headers:
    X-Frame-Options: deny
    Strict-Transport-Security: max-age=31536000; includeSubDomains
    X-Content-Type-Options: nosniff
    X-XSS-Protection: 1
    Content-Security-Policy: "default-src 'self' *.test.example.net"
basic_auth_users:
  alice: ${HASH}
rate_limit:
  interval: 1s
  burst: 5
`,
      FILE,
    );
    const t = cfg.tls!;
    assert.equal(t.certFile, '/abs/server.crt');
    assert.equal(t.clientCaFile, '/etc/exporter/ca.crt');
    assert.equal(t.clientAuthType, 'RequireAndVerifyClientCert');
    assert.deepEqual(t.clientAllowedSans, ['client.example']);
    assert.equal(t.preferServerCipherSuites, false);
    assert.deepEqual(t.curvePreferences, ['X25519', 'CurveP256']);
    assert.equal(cfg.http2, false);
    // yaml.v2 reads the plain scalar 1 into a string field as "1".
    assert.equal(cfg.headers['X-XSS-Protection'], '1');
    assert.equal(cfg.headers['Content-Security-Policy'], "default-src 'self' *.test.example.net");
    assert.deepEqual(cfg.rateLimit, { intervalMs: 1000, burst: 5 });
  });

  it("accepts the toolkit's test files for ciphers, curves, inline certificates and users without TLS", () => {
    const allCiphers = parseWebConfig(
      `tls_server_config:
  cert_file: "server.crt"
  key_file: "server.key"
  client_auth_type: "VerifyClientCertIfGiven"
  cipher_suites:
  - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256
  - TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
  - TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256
  - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256
  - TLS_AES_128_GCM_SHA256
  - TLS_AES_256_GCM_SHA384
  - TLS_CHACHA20_POLY1305_SHA256
  - TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA
  - TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA
  - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA
  - TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA
  - TLS_RSA_WITH_AES_128_CBC_SHA
  - TLS_RSA_WITH_AES_256_CBC_SHA
  - TLS_RSA_WITH_AES_128_GCM_SHA256
  - TLS_RSA_WITH_AES_256_GCM_SHA384
`,
      FILE,
    );
    assert.equal(allCiphers.tls?.cipherSuites.length, 17);
    const allCurves = parseWebConfig(
      `tls_server_config:
  cert_file: "server.crt"
  key_file: "server.key"
  client_auth_type: "VerifyClientCertIfGiven"
  curve_preferences:
    - CurveP256
    - CurveP384
    - CurveP521
    - X25519
    - X25519MLKEM768
`,
      FILE,
    );
    assert.equal(allCurves.tls?.curvePreferences.length, 5);
    const usersNoTls = parseWebConfig(
      `basic_auth_excluded_paths:
- /

basic_auth_users:
  alice: $2y$12$1DpfPeqF9HzHJt.EWswy1exHluGfbhnn3yXhR7Xes6m3WJqFg0Wby
  bob: $2y$18$4VeFDzXIoPHKnKTU3O3GH.N.vZu06CVqczYZ8WvfzrddFU6tGqjR.
  carol: $2y$10$qRTBuFoULoYNA7AQ/F3ck.trZBPyjV64.oA4ZsSBCIWvXuvQlQTuu
  dave: $2y$10$2UXri9cIDdgeKjBo4Rlpx.U3ZLDV8X1IxKmsfOvhcM5oXQt/mLmXq
`,
      FILE,
    );
    assert.equal(usersNoTls.tls, null);
    assert.equal(usersNoTls.users.size, 4);
    const oneSecond = parseWebConfig('rate_limit:\n  interval: "1s"\n  burst: 0\n', FILE);
    assert.deepEqual(oneSecond.rateLimit, { intervalMs: 1000, burst: 0 });
  });

  it('treats an empty file, or TLS keys that do not enable TLS, as plain HTTP', () => {
    assert.equal(parseWebConfig('', FILE).tls, null);
    assert.equal(parseWebConfig('# nothing\n', FILE).tls, null);
    assert.equal(parseWebConfig('tls_server_config:\n  min_version: TLS13\n', FILE).tls, null);
  });

  it('accepts $2a$, $2b$ and $2y$ hashes and YAML 1.1 booleans', () => {
    const body = HASH.slice(4);
    const cfg = parseWebConfig(`basic_auth_users:\n  a: $2a$${body}\n  b: $2b$${body}\n  c: $2y$${body}\nhttp_server_config:\n  http2: no\n`, FILE);
    assert.equal(cfg.users.size, 3);
    assert.equal(cfg.http2, false);
  });
});

describe('web config: each bad file has its own message naming the file, line and key', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown top-level key', 'bogus: 1\n', /line 1: field bogus not found in the web config/],
    ['misspelt TLS key (toolkit web_config_junk_key.yml)', 'tls_server_config:\n  cert_filse: "server.crt"\n', /line 2: field cert_filse not found in tls_server_config/],
    ['unknown http_server_config key', 'http_server_config:\n  http3: true\n', /line 2: field http3 not found in http_server_config/],
    ['password that is not a bcrypt hash (toolkit auth_user_list_invalid)', 'tls_server_config:\n  cert_file: "server.crt"\n  key_file: "server.key"\nbasic_auth_users:\n  john: doe\n', /line 5: basic_auth_users: the password of user "john" is not a bcrypt hash/],
    ['unknown cipher', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  cipher_suites:\n    - TLS_RSA_WITH_RC4_128_SHA\n', /line 5: tls_server_config.cipher_suites: unknown cipher: TLS_RSA_WITH_RC4_128_SHA/],
    ['invented curve', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  curve_preferences:\n    - CurveP257\n', /line 5: tls_server_config.curve_preferences: unknown curve: CurveP257/],
    ['wrong TLS version', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS111\n', /line 4: tls_server_config.min_version: unknown TLS version: TLS111/],
    ['min above max', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS13\n  max_version: TLS12\n', /line 5: tls_server_config: min_version TLS13 is newer than max_version TLS12/],
    ['invalid client_auth_type', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: Always\n', /line 4: tls_server_config.client_auth_type: invalid ClientAuth: Always/],
    ['client CA without client auth', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_ca_file: ca.crt\n', /line 4: tls_server_config: client CA's have been configured without a Client Auth Policy/],
    ['SANs with a mode that does not require a certificate', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n  client_allowed_sans: [x]\n', /line 5: tls_server_config: client_allowed_sans requires client_auth_type/],
    ['missing cert', 'tls_server_config:\n  key_file: b\n', /line 1: tls_server_config: missing one of cert or cert_file/],
    ['missing key (toolkit keyPath_empty)', 'tls_server_config:\n  cert_file: a\n  key_file: ""\n', /line 1: tls_server_config: missing one of key or key_file/],
    ['header that cannot be configured', 'http_server_config:\n  headers:\n    Server: foo\n', /line 3: http_server_config.headers: HTTP header "Server" can not be configured/],
    ['bad X-Frame-Options', 'http_server_config:\n  headers:\n    X-Frame-Options: allow\n', /line 3: http_server_config.headers: invalid value for X-Frame-Options. Expected one of: "deny" "sameorigin", but got: "allow"/],
    ['bad X-Content-Type-Options', 'http_server_config:\n  headers:\n    X-Content-Type-Options: sniff\n', /line 3: .*invalid value for X-Content-Type-Options/],
    ['http2 that is not a boolean', 'http_server_config:\n  http2: maybe\n', /line 2: http_server_config.http2: expected true or false, got "maybe"/],
    ['http2 asked for (HTTP/1.1 only)', 'http_server_config:\n  headers:\n    X-Frame-Options: deny\n  http2: true\n', /^web config file \/etc\/exporter\/web\.yml: line 4: http_server_config\.http2: HTTP\/2 is not supported, this exporter serves HTTP\/1\.1 only; set http2: false or remove the key$/],
    ['a list where a mapping belongs', 'tls_server_config:\n  - cert_file\n', /line 2: tls_server_config: expected a mapping, got a list/],
    ['a string where a list belongs', 'tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAnyClientCert\n  client_allowed_sans: client.example\n', /line 5: tls_server_config.client_allowed_sans: expected a list of strings, got a string/],
    ['a duplicate key', 'basic_auth_users:\n  a: x\n  a: y\n', /line 3: invalid YAML: Map keys must be unique/],
    ['broken YAML', 'tls_server_config:\n  cert_file: "a\n', /line \d+: invalid YAML/],
    ['a top level that is not a mapping', '- a\n- b\n', /line 1: expected a mapping with keys/],
    ['a bad rate limit interval', 'rate_limit:\n  interval: soon\n', /line 2: rate_limit.interval: "soon" is not a duration/],
    ['a bad burst', 'rate_limit:\n  interval: 1s\n  burst: -1\n', /line 3: rate_limit.burst: "-1" is not a non-negative integer/],
    ['an excluded path without a slash', 'basic_auth_excluded_paths:\n  - metrics\n', /line 2: basic_auth_excluded_paths: "metrics" must start with "\/"/],
  ];
  const seen = new Set<string>();
  for (const [name, text, re] of cases) {
    it(name, () => {
      const msg = parseError(text);
      assert.match(msg, re);
      assert.ok(msg.startsWith(`web config file ${FILE}: `), msg);
      assert.ok(!seen.has(msg), `message shared with another case: ${msg}`);
      seen.add(msg);
    });
  }
});

describe('web config: loadWebConfig checks certificate files', () => {
  let pki: Pki;
  let skip: string | false = false;
  before(() => {
    skip = opensslMissing();
    if (!skip) pki = makePki();
  });

  function write(dir: string, text: string): string {
    const p = path.join(dir, 'web.yml');
    fs.writeFileSync(p, text);
    return p;
  }

  it('accepts relative certificate paths next to the config file', async (t) => {
    if (skip) return t.skip(skip);
    const dir = tmpDir();
    fs.copyFileSync(pki.serverCrt, path.join(dir, 'server.crt'));
    fs.copyFileSync(pki.serverKey, path.join(dir, 'server.key'));
    const cfg = await loadWebConfig(write(dir, 'tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n'));
    assert.equal(cfg.tls?.certFile, path.join(dir, 'server.crt'));
  });

  it('accepts inline cert and key (toolkit tlsInline)', async (t) => {
    if (skip) return t.skip(skip);
    const indent = (s: string) => s.trim().split('\n').map((l) => '    ' + l).join('\n');
    const dir = tmpDir();
    const text = `tls_server_config:\n  cert: |\n${indent(fs.readFileSync(pki.serverCrt, 'utf8'))}\n  key: |\n${indent(fs.readFileSync(pki.serverKey, 'utf8'))}\n  client_auth_type: "VerifyClientCertIfGiven"\n`;
    const cfg = await loadWebConfig(write(dir, text));
    assert.match(cfg.tls!.cert, /BEGIN CERTIFICATE/);
  });

  const fileCases: [string, (p: Pki, dir: string) => string, RegExp][] = [
    ['a missing config file', () => '', /web config file: open .*nope\.yml: no such file or directory/],
    ['a cert file that does not exist (toolkit certPath_invalid)', () => 'tls_server_config:\n  cert_file: somefile\n  key_file: server.key\n', /line 2: failed to read cert_file \(.*somefile\): open .*somefile: no such file or directory/],
    ['a key file that does not exist', (p) => `tls_server_config:\n  cert_file: ${p.serverCrt}\n  key_file: nokey\n`, /line 3: failed to read key_file/],
    ['a cert file without PEM data', (p, dir) => {
      fs.writeFileSync(path.join(dir, 'junk.crt'), 'junk');
      return `tls_server_config:\n  cert_file: junk.crt\n  key_file: ${p.serverKey}\n`;
    }, /line 2: failed to load X509KeyPair: tls: failed to find any PEM data in certificate input/],
    ['a key that does not match the certificate', (p) => `tls_server_config:\n  cert_file: ${p.serverCrt}\n  key_file: ${p.clientKey}\n`, /line 3: failed to load X509KeyPair: tls: private key does not match public key/],
    ['a client CA file without certificates', (p, dir) => {
      fs.writeFileSync(path.join(dir, 'empty-ca.crt'), '\n');
      return `tls_server_config:\n  cert_file: ${p.serverCrt}\n  key_file: ${p.serverKey}\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: empty-ca.crt\n`;
    }, /line 5: client_ca_file \(.*empty-ca\.crt\) contains no PEM certificate/],
  ];
  for (const [name, make, re] of fileCases) {
    it(name, async (t) => {
      if (skip) return t.skip(skip);
      const dir = tmpDir();
      const text = make(pki, dir);
      const file = text === '' ? path.join(dir, 'nope.yml') : write(dir, text);
      await assert.rejects(loadWebConfig(file), (err: Error) => {
        assert.match(err.message, re);
        return true;
      });
    });
  }
});
