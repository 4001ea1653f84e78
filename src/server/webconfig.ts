// Strict parser for exporter-toolkit's web config file (`-web.config.file`, docs/behaviour.md#http).
// Accepts every key of exporter-toolkit's docs/web-configuration.md; anything else is an error
// that names the file, the line and the key, as Go's yaml.UnmarshalStrict would refuse it.

import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Scalar } from '../config/yaml';
import type { Document, Node as YamlNode, YAMLMap } from 'yaml';
import { yamlDurationMs } from '../go/duration';
import { goPathError } from '../go/errno';

export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

type TlsVersionName = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface TlsServerConfig {
  /** inline PEM (`cert`), used when certFile is empty, as Go does */
  cert: string;
  key: string;
  clientCa: string;
  /** absolute paths ("" = not set); relative ones resolved against the config file's folder */
  certFile: string;
  keyFile: string;
  clientCaFile: string;
  clientAuthType: ClientAuthType;
  /** null = no SAN check */
  clientAllowedSans: string[] | null;
  minVersion: TlsVersionName;
  maxVersion: TlsVersionName;
  /** Go names as written in the file */
  cipherSuites: string[];
  preferServerCipherSuites: boolean;
  /** Go names as written in the file */
  curvePreferences: string[];
}

export interface WebConfig {
  /** absolute path of the file */
  path: string;
  /** null when no TLS key is set: plain HTTP, like exporter-toolkit */
  tls: TlsServerConfig | null;
  /** always false: this server speaks HTTP/1.1, and `http2: true` is refused at load */
  http2: boolean;
  headers: Record<string, string>;
  /** user → bcrypt hash */
  users: Map<string, string>;
  basicAuthExcludedPaths: string[];
  /** null = no rate limit */
  rateLimit: { intervalMs: number; burst: number } | null;
  /** line of each key ("tls_server_config.cert_file" → 3), so later errors can name it */
  lines: Record<string, number>;
}

/** A bad web config: the message names the file, the line and the key. */
export class WebConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebConfigError';
  }
}

// Go's tls.CipherSuites() names → OpenSSL names. TLS 1.3 suites are accepted but, as in Go, not configurable.
export const GO_CIPHERS: Readonly<Record<string, string | null>> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_AES_128_GCM_SHA256: null,
  TLS_AES_256_GCM_SHA384: null,
  TLS_CHACHA20_POLY1305_SHA256: null,
};

// Go's curve names → OpenSSL group names; null = accepted but not available in this OpenSSL.
export const GO_CURVES: Readonly<Record<string, string | null>> = {
  CurveP256: 'P-256',
  CurveP384: 'P-384',
  CurveP521: 'P-521',
  X25519: 'X25519',
  X25519MLKEM768: null,
};

const TLS_VERSIONS: Readonly<Record<string, TlsVersionName>> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};
const VERSION_ORDER: readonly TlsVersionName[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

const CLIENT_AUTH: Readonly<Record<string, ClientAuthType>> = {
  '': 'NoClientCert',
  NoClientCert: 'NoClientCert',
  RequestClientCert: 'RequestClientCert',
  RequireAnyClientCert: 'RequireAnyClientCert',
  RequireClientCert: 'RequireAnyClientCert', // kept by exporter-toolkit for backwards compatibility
  VerifyClientCertIfGiven: 'VerifyClientCertIfGiven',
  RequireAndVerifyClientCert: 'RequireAndVerifyClientCert',
};

// exporter-toolkit's extraHTTPHeaders: the only headers that may be set, and their allowed values (null = any).
const EXTRA_HEADERS: Readonly<Record<string, readonly string[] | null>> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

const TOP_KEYS = ['tls_server_config', 'http_server_config', 'basic_auth_users', 'basic_auth_excluded_paths', 'rate_limit'];
const TLS_KEYS = [
  'cert',
  'key',
  'client_ca',
  'cert_file',
  'key_file',
  'client_auth_type',
  'client_ca_file',
  'cipher_suites',
  'curve_preferences',
  'min_version',
  'max_version',
  'prefer_server_cipher_suites',
  'client_allowed_sans',
];
const HTTP_KEYS = ['http2', 'headers'];
const RATE_KEYS = ['interval', 'burst'];

/** bcrypt hashes as produced by htpasswd -B, Go and bcryptjs: $2a$, $2b$ or $2y$, cost 04-31. */
const BCRYPT_RE = /^\$2[aby]\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

// YAML 1.1 booleans, as Go's yaml.v2 reads them.
const YAML11_TRUE = new Set(['y', 'Y', 'yes', 'Yes', 'YES', 'true', 'True', 'TRUE', 'on', 'On', 'ON']);
const YAML11_FALSE = new Set(['n', 'N', 'no', 'No', 'NO', 'false', 'False', 'FALSE', 'off', 'Off', 'OFF']);

class Ctx {
  readonly lines: Record<string, number> = {};
  constructor(
    readonly file: string,
    readonly doc: Document,
    readonly lc: LineCounter,
  ) {}

  lineOf(node: YamlNode | null | undefined): number {
    const r = node?.range;
    return r ? this.lc.linePos(r[0]).line : 0;
  }

  fail(line: number, msg: string): never {
    throw new WebConfigError(`web config file ${this.file}: ${line > 0 ? `line ${line}: ` : ''}${msg}`);
  }

  resolve(node: unknown): YamlNode | null {
    if (node === null || node === undefined) return null;
    if (isAlias(node)) return (node.resolve(this.doc) as YamlNode | undefined) ?? null;
    return node as YamlNode;
  }
}

function isNullNode(n: YamlNode | null): boolean {
  return n === null || (isScalar(n) && n.value === null);
}

function kind(n: YamlNode | null): string {
  if (n === null) return 'nothing';
  if (isMap(n)) return 'a mapping';
  if (isSeq(n)) return 'a list';
  if (isScalar(n)) return typeof n.value === 'string' ? 'a string' : `a ${n.value === null ? 'null' : typeof n.value}`;
  return 'an unsupported value';
}

// Scalars keep their source text, as yaml.v2 does for string fields (`X-XSS-Protection: 1` is the string "1").
function scalarText(n: Scalar): string {
  if (n.value === null) return '';
  if (n.type === 'PLAIN' && typeof n.source === 'string') return n.source;
  return String(n.value);
}

function getString(ctx: Ctx, n: YamlNode | null, key: string): string {
  if (isNullNode(n)) return '';
  if (isScalar(n)) return scalarText(n);
  return ctx.fail(ctx.lineOf(n), `${key}: expected a string, got ${kind(n)}`);
}

function getBool(ctx: Ctx, n: YamlNode | null, key: string): boolean {
  if (isNullNode(n)) return false;
  if (isScalar(n)) {
    if (typeof n.value === 'boolean') return n.value;
    const t = scalarText(n);
    if (YAML11_TRUE.has(t)) return true;
    if (YAML11_FALSE.has(t)) return false;
  }
  return ctx.fail(ctx.lineOf(n), `${key}: expected true or false, got ${isScalar(n) ? JSON.stringify(scalarText(n)) : kind(n)}`);
}

function getStringList(ctx: Ctx, n: YamlNode | null, key: string): { values: string[]; lines: number[] } | null {
  if (isNullNode(n)) return null;
  if (!isSeq(n)) return ctx.fail(ctx.lineOf(n), `${key}: expected a list of strings, got ${kind(n)}`);
  const values: string[] = [];
  const lines: number[] = [];
  for (const raw of n.items) {
    const item = ctx.resolve(raw);
    values.push(getString(ctx, item, `${key} entry`));
    lines.push(ctx.lineOf(item));
  }
  return { values, lines };
}

interface Field {
  key: string;
  node: YamlNode | null;
  line: number;
}

function fields(ctx: Ctx, n: YamlNode | null, where: string, allowed: readonly string[] | null): Field[] {
  if (isNullNode(n)) return [];
  if (!isMap(n)) return ctx.fail(ctx.lineOf(n), `${where}: expected a mapping, got ${kind(n)}`);
  const out: Field[] = [];
  for (const pair of (n as YAMLMap).items) {
    const keyNode = ctx.resolve(pair.key);
    if (!isScalar(keyNode) || keyNode.value === null) {
      return ctx.fail(ctx.lineOf(keyNode ?? ctx.resolve(pair.value)), `${where}: keys must be plain strings`);
    }
    const key = scalarText(keyNode);
    const line = ctx.lineOf(keyNode);
    if (allowed && !allowed.includes(key)) {
      return ctx.fail(line, `field ${key} not found in ${where} (valid fields: ${allowed.join(', ')})`);
    }
    out.push({ key, node: ctx.resolve(pair.value), line });
  }
  return out;
}

function joinDir(dir: string, p: string): string {
  return p === '' || path.isAbsolute(p) ? p : path.join(dir, p);
}

/** Parse and validate the text of a web config file (no file access: see loadWebConfig). */
export function parseWebConfig(text: string, file: string): WebConfig {
  const abs = path.resolve(file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true, prettyErrors: false, strict: true });
  const ctx: Ctx = new Ctx(abs, doc, lc);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    ctx.fail(lc.linePos(e.pos[0]).line, `invalid YAML: ${msg}`);
  }
  const root = ctx.resolve(doc.contents);
  if (!isNullNode(root) && !isMap(root)) {
    ctx.fail(ctx.lineOf(root), `expected a mapping with keys ${TOP_KEYS.join(', ')}, got ${kind(root)}`);
  }

  const cfg: WebConfig = {
    path: abs,
    tls: null,
    http2: false,
    headers: {},
    users: new Map(),
    basicAuthExcludedPaths: [],
    rateLimit: null,
    lines: ctx.lines,
  };
  const tlsRaw: Record<string, Field> = {};

  for (const f of fields(ctx, root, 'the web config', TOP_KEYS)) {
    ctx.lines[f.key] = f.line;
    switch (f.key) {
      case 'tls_server_config':
        for (const t of fields(ctx, f.node, 'tls_server_config', TLS_KEYS)) {
          tlsRaw[t.key] = t;
          ctx.lines[`tls_server_config.${t.key}`] = t.line;
        }
        break;
      case 'http_server_config':
        for (const h of fields(ctx, f.node, 'http_server_config', HTTP_KEYS)) {
          ctx.lines[`http_server_config.${h.key}`] = h.line;
          if (h.key !== 'http2') parseHeaders(ctx, h, cfg);
          else if (getBool(ctx, h.node, 'http_server_config.http2')) {
            // exporter-toolkit's default when the key is absent; asked for explicitly, it would be a promise
            // this server does not keep (docs/configuration.md#web-config)
            ctx.fail(h.line, 'http_server_config.http2: HTTP/2 is not supported, this exporter serves HTTP/1.1 only; set http2: false or remove the key');
          }
        }
        break;
      case 'basic_auth_users':
        for (const u of fields(ctx, f.node, 'basic_auth_users', null)) {
          const hash = getString(ctx, u.node, `basic_auth_users.${u.key}`);
          if (!BCRYPT_RE.test(hash)) {
            ctx.fail(
              ctx.lineOf(u.node) || u.line,
              `basic_auth_users: the password of user ${JSON.stringify(u.key)} is not a bcrypt hash ` +
                '(expected $2a$, $2b$ or $2y$ with cost 04-31 and 53 more characters, e.g. from `htpasswd -nBC 10 "" | tr -d \':\\n\'`)',
            );
          }
          cfg.users.set(u.key, hash);
        }
        break;
      case 'basic_auth_excluded_paths': {
        const l = getStringList(ctx, f.node, 'basic_auth_excluded_paths');
        l?.values.forEach((p, i) => {
          if (!p.startsWith('/')) ctx.fail(l.lines[i], `basic_auth_excluded_paths: ${JSON.stringify(p)} must start with "/"`);
        });
        cfg.basicAuthExcludedPaths = l?.values ?? [];
        break;
      }
      case 'rate_limit': {
        let intervalMs = 0;
        let burst = 0;
        for (const r of fields(ctx, f.node, 'rate_limit', RATE_KEYS)) {
          ctx.lines[`rate_limit.${r.key}`] = r.line;
          const text = getString(ctx, r.node, `rate_limit.${r.key}`);
          if (r.key === 'interval') {
            const ms = yamlDurationMs(text);
            if (ms === null || ms < 0) ctx.fail(r.line, `rate_limit.interval: ${JSON.stringify(text)} is not a duration like "1s" or "500ms"`);
            intervalMs = ms;
          } else {
            if (!/^\d+$/.test(text)) ctx.fail(r.line, `rate_limit.burst: ${JSON.stringify(text)} is not a non-negative integer`);
            burst = Number(text);
          }
        }
        cfg.rateLimit = intervalMs > 0 ? { intervalMs, burst } : null;
        break;
      }
    }
  }

  cfg.tls = parseTls(ctx, tlsRaw, path.dirname(abs));
  return cfg;
}

function parseHeaders(ctx: Ctx, h: Field, cfg: WebConfig): void {
  for (const hd of fields(ctx, h.node, 'http_server_config.headers', null)) {
    const allowed = EXTRA_HEADERS[hd.key];
    if (allowed === undefined) {
      ctx.fail(hd.line, `http_server_config.headers: HTTP header ${JSON.stringify(hd.key)} can not be configured (allowed: ${Object.keys(EXTRA_HEADERS).join(', ')})`);
    }
    const value = getString(ctx, hd.node, `http_server_config.headers.${hd.key}`);
    if (allowed !== null && !allowed.includes(value)) {
      ctx.fail(hd.line, `http_server_config.headers: invalid value for ${hd.key}. Expected one of: ${allowed.map((v) => JSON.stringify(v)).join(' ')}, but got: ${JSON.stringify(value)}`);
    }
    // Node refuses control characters in header values; say so at load rather than failing every response.
    if (/[\u0000-\u0008\u000a-\u001f\u007f]/.test(value) || /[^\u0000-\u00ff]/.test(value)) {
      ctx.fail(hd.line, `http_server_config.headers: the value of ${hd.key} contains characters not allowed in an HTTP header`);
    }
    if (value !== '') cfg.headers[hd.key] = value;
  }
}

function parseTls(ctx: Ctx, raw: Record<string, Field>, dir: string): TlsServerConfig | null {
  const str = (k: string): string => (raw[k] ? getString(ctx, raw[k].node, `tls_server_config.${k}`) : '');
  const line = (k: string): number => raw[k]?.line ?? ctx.lines['tls_server_config'] ?? 0;

  const clientAuthText = str('client_auth_type');
  const clientAuthType = CLIENT_AUTH[clientAuthText];
  if (clientAuthType === undefined) {
    ctx.fail(line('client_auth_type'), `tls_server_config.client_auth_type: invalid ClientAuth: ${clientAuthText} (valid: ${Object.keys(CLIENT_AUTH).filter((k) => k !== '' && k !== 'RequireClientCert').join(', ')})`);
  }

  const version = (k: string, def: TlsVersionName): TlsVersionName => {
    if (!raw[k] || isNullNode(raw[k].node)) return def;
    const v = str(k);
    const mapped = TLS_VERSIONS[v];
    if (!mapped) ctx.fail(line(k), `tls_server_config.${k}: unknown TLS version: ${v} (valid: ${Object.keys(TLS_VERSIONS).join(', ')})`);
    return mapped;
  };
  const minVersion = version('min_version', 'TLSv1.2');
  const maxVersion = version('max_version', 'TLSv1.3');
  if (VERSION_ORDER.indexOf(minVersion) > VERSION_ORDER.indexOf(maxVersion)) {
    ctx.fail(line('max_version'), `tls_server_config: min_version ${str('min_version')} is newer than max_version ${str('max_version')}`);
  }

  const names = (k: string, table: Readonly<Record<string, string | null>>, what: string): string[] => {
    const l = raw[k] ? getStringList(ctx, raw[k].node, `tls_server_config.${k}`) : null;
    if (!l) return [];
    l.values.forEach((v, i) => {
      if (!(v in table)) ctx.fail(l.lines[i], `tls_server_config.${k}: unknown ${what}: ${v}`);
    });
    return l.values;
  };
  const cipherSuites = names('cipher_suites', GO_CIPHERS, 'cipher');
  const curvePreferences = names('curve_preferences', GO_CURVES, 'curve');
  const sans = raw.client_allowed_sans ? getStringList(ctx, raw.client_allowed_sans.node, 'tls_server_config.client_allowed_sans') : null;
  const prefer = raw.prefer_server_cipher_suites ? getBool(ctx, raw.prefer_server_cipher_suites.node, 'tls_server_config.prefer_server_cipher_suites') : true;

  const t: TlsServerConfig = {
    cert: str('cert'),
    key: str('key'),
    clientCa: str('client_ca'),
    certFile: joinDir(dir, str('cert_file')),
    keyFile: joinDir(dir, str('key_file')),
    clientCaFile: joinDir(dir, str('client_ca_file')),
    clientAuthType,
    clientAllowedSans: sans ? sans.values : null,
    minVersion,
    maxVersion,
    cipherSuites,
    preferServerCipherSuites: prefer,
    curvePreferences,
  };

  // exporter-toolkit's IsEnabled: only these keys switch TLS on; the rest alone leave plain HTTP.
  const enabled = t.certFile !== '' || t.cert !== '' || t.keyFile !== '' || t.key !== '' || t.clientCaFile !== '' || t.clientCa !== '' || clientAuthText !== '';
  if (!enabled) return null;
  const tlsLine = ctx.lines['tls_server_config'] ?? 0;
  if (t.certFile === '' && t.cert === '') ctx.fail(tlsLine, 'tls_server_config: missing one of cert or cert_file');
  if (t.keyFile === '' && t.key === '') ctx.fail(tlsLine, 'tls_server_config: missing one of key or key_file');
  if ((t.clientCaFile !== '' || t.clientCa !== '') && t.clientAuthType === 'NoClientCert') {
    ctx.fail(line(raw.client_ca_file ? 'client_ca_file' : 'client_ca'), "tls_server_config: client CA's have been configured without a Client Auth Policy (set client_auth_type, e.g. RequireAndVerifyClientCert)");
  }
  if (t.clientAllowedSans !== null && t.clientAuthType !== 'RequireAnyClientCert' && t.clientAuthType !== 'RequireAndVerifyClientCert') {
    ctx.fail(line('client_allowed_sans'), 'tls_server_config: client_allowed_sans requires client_auth_type to be one of RequireAnyClientCert or RequireAndVerifyClientCert');
  }
  return t;
}

/** Read and parse a web config file. TLS files are checked by the server's TLS loader (tls.ts). */
export async function readWebConfigFile(file: string): Promise<WebConfig> {
  let text: string;
  try {
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    throw new WebConfigError(`web config file: ${goPathError('open', file, err)}`);
  }
  return parseWebConfig(text, file);
}
