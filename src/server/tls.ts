// TLS side of the web config: certificates, client authentication and SAN checks (docs/behaviour.md#http).

import type * as Crypto from 'node:crypto';
import { isIP } from 'node:net';
import type * as tls from 'node:tls';
import { readBoundedFile } from '../config/bounded-read';
import { goPathError } from '../go/errno';
import { GO_CIPHERS, GO_CURVES, WebConfig, WebConfigError, TlsServerConfig } from './webconfig';
import { errorMessage } from '../base/errors';

// Go keeps TLS 1.3 suites fixed; Node would switch TLS 1.3 off if the cipher list named none of them.
const TLS13_SUITES = 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256';

export interface BuiltTls {
  /** options for tls.createServer (without timeouts) */
  options: tls.TlsOptions;
  clientAuthType: TlsServerConfig['clientAuthType'];
  allowedSans: string[] | null;
}

function fail(cfg: WebConfig, key: string, msg: string): never {
  const line = cfg.lines[`tls_server_config.${key}`] ?? cfg.lines['tls_server_config'] ?? 0;
  throw new WebConfigError(`web config file ${cfg.path}: ${line ? `line ${line}: ` : ''}${msg}`);
}

/** Certificates, keys and CA bundles: 4 MiB holds any real bundle (Mozilla's is about 220 kB). */
const TLS_FILE_MAX_BYTES = 4 * 1024 * 1024;
const TLS_FILE_TIMEOUT_MS = 5_000;

async function readMaterial(cfg: WebConfig, key: string, file: string, inline: string): Promise<string> {
  if (file === '') return inline;
  try {
    // bounded: a FIFO or a file on a dead mount must not hold a reload (or the start) for ever
    return (await readBoundedFile(file, { maxBytes: TLS_FILE_MAX_BYTES, timeoutMs: TLS_FILE_TIMEOUT_MS })).toString('utf8');
  } catch (err) {
    return fail(cfg, key, `failed to read ${key} (${file}): ${goPathError('open', file, err)}`);
  }
}

/** Read the certificate, key and client CA of a web config and check that they work together. */
export async function buildTls(cfg: WebConfig): Promise<BuiltTls> {
  const t = cfg.tls;
  if (!t) throw new Error('buildTls called without a TLS config');
  // node:crypto and node:tls (about 2.5 MB resident together) are loaded only for a TLS web config
  const crypto = require('node:crypto') as typeof Crypto;
  const tls = require('node:tls') as typeof import('node:tls');
  const certKey = t.certFile !== '' ? 'cert_file' : 'cert';
  const keyKey = t.keyFile !== '' ? 'key_file' : 'key';
  const cert = await readMaterial(cfg, 'cert_file', t.certFile, t.cert);
  const key = await readMaterial(cfg, 'key_file', t.keyFile, t.key);

  // Go's tls.X509KeyPair messages, so the same mistakes read the same.
  if (!/-----BEGIN [A-Z0-9 ]*CERTIFICATE-----/.test(cert)) fail(cfg, certKey, 'failed to load X509KeyPair: tls: failed to find any PEM data in certificate input');
  if (!/-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.test(key)) fail(cfg, keyKey, 'failed to load X509KeyPair: tls: failed to find any PEM data in key input');
  let leaf: Crypto.X509Certificate;
  let privateKey: Crypto.KeyObject;
  try {
    leaf = new crypto.X509Certificate(cert);
  } catch (err) {
    return fail(cfg, certKey, `failed to load X509KeyPair: cannot parse the certificate: ${errorMessage(err)}`);
  }
  try {
    privateKey = crypto.createPrivateKey(key);
  } catch (err) {
    return fail(cfg, keyKey, `failed to load X509KeyPair: cannot parse the private key: ${errorMessage(err)}`);
  }
  if (!leaf.checkPrivateKey(privateKey)) fail(cfg, keyKey, 'failed to load X509KeyPair: tls: private key does not match public key');

  let ca: string | undefined;
  if (t.clientCaFile !== '' || t.clientCa !== '') {
    const caKey = t.clientCaFile !== '' ? 'client_ca_file' : 'client_ca';
    ca = await readMaterial(cfg, 'client_ca_file', t.clientCaFile, t.clientCa);
    if (!/-----BEGIN CERTIFICATE-----/.test(ca)) fail(cfg, caKey, `${caKey}${t.clientCaFile ? ` (${t.clientCaFile})` : ''} contains no PEM certificate`);
  }

  const verify = t.clientAuthType === 'RequireAndVerifyClientCert';
  const options: tls.TlsOptions = {
    cert,
    key,
    ca,
    requestCert: t.clientAuthType !== 'NoClientCert',
    // Node checks only the strict mode during the handshake; the others are checked in checkClient.
    rejectUnauthorized: verify,
    minVersion: t.minVersion,
    maxVersion: t.maxVersion,
    honorCipherOrder: t.preferServerCipherSuites,
  };
  const tls12 = t.cipherSuites.map((n) => GO_CIPHERS[n]).filter((n): n is string => !!n);
  if (tls12.length > 0) options.ciphers = `${tls12.join(':')}:${TLS13_SUITES}`;
  else if (t.cipherSuites.length > 0 && t.maxVersion !== 'TLSv1.3') {
    fail(cfg, 'cipher_suites', 'tls_server_config.cipher_suites: only TLS 1.3 suites are listed, but those are not configurable and max_version allows TLS 1.2');
  }
  const curves = t.curvePreferences.map((n) => GO_CURVES[n]).filter((n): n is string => !!n);
  if (curves.length > 0) options.ecdhCurve = curves.join(':');

  try {
    tls.createSecureContext(options);
  } catch (err) {
    const k = /cipher/i.test(errorMessage(err)) ? 'cipher_suites' : /curve|group/i.test(errorMessage(err)) ? 'curve_preferences' : certKey;
    fail(cfg, k, `cannot set up TLS: ${errorMessage(err)}`);
  }
  return {
    options,
    clientAuthType: t.clientAuthType,
    allowedSans: t.clientAllowedSans,
  };
}

function canonicalIp(s: string): string {
  const v = isIP(s);
  if (v === 4) return s;
  if (v === 6) {
    try {
      return new URL(`http://[${s}]/`).hostname.slice(1, -1);
    } catch {
      return s;
    }
  }
  return s;
}

/** SAN values of a certificate, as Go lists them: DNS names, e-mails, IPs, URIs. */
function certSans(cert: Crypto.X509Certificate): string[] {
  const text = cert.subjectAltName;
  if (!text) return [];
  const out: string[] = [];
  // Entries are "Type:value" separated by ", "; values with special characters are JSON-quoted by Node.
  const re = /(DNS|IP Address|email|URI|[A-Za-z ]+):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/g;
  for (const m of text.matchAll(re)) {
    let value = m[2];
    if (value.startsWith('"')) {
      try {
        value = JSON.parse(value) as string;
      } catch {
        continue;
      }
    }
    if (m[1] === 'IP Address') out.push(canonicalIp(value));
    else if (m[1] === 'DNS' || m[1] === 'email' || m[1] === 'URI') out.push(value);
  }
  return out;
}

/** Why a client connection must be refused under the client_auth_type and SAN rules, or null. */
export function checkClient(sock: tls.TLSSocket, built: BuiltTls): string | null {
  const mode = built.clientAuthType;
  if (mode === 'NoClientCert') return null;
  const cert = sock.getPeerX509Certificate();
  if (mode === 'RequireAnyClientCert' && !cert) return 'no client certificate';
  if (mode === 'RequireAndVerifyClientCert' && (!cert || !sock.authorized)) return `client certificate not verified: ${sock.authorizationError ?? 'none sent'}`;
  if (mode === 'VerifyClientCertIfGiven' && cert && !sock.authorized) return `client certificate not verified: ${sock.authorizationError}`;
  if (built.allowedSans !== null) {
    if (!cert) return 'client did not present a certificate to match against client_allowed_sans';
    const allowed = new Set(built.allowedSans.map(canonicalIp));
    if (!certSans(cert).some((s) => allowed.has(s))) return `could not find allowed SANs in client cert, found: [${built.allowedSans.join(' ')}]`;
  }
  return null;
}
