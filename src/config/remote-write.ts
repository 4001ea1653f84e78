// Prometheus's own `global` and `remote_write` sections in the `-config.path` file, with Prometheus's
// field names, defaults and meanings. Strict, unlike the rules: an unknown key or a bad value is an
// error naming the file, line, column and field, e.g. `pe.yml:7:19: remote_write[0].queue_config.capacity: ...`.
import type * as Crypto from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isMap, isSeq, isScalar, type Node, type YAMLMap } from './yaml';
import { GoRegex, RegexSyntaxError } from './regex';
import { ConfigError } from './load';
import { errorMessage } from '../base/errors';

export interface GlobalConfig {
  /** how often the exporter runs a cycle and pushes it (Prometheus's default 1m is for scrapes; see docs) */
  scrapeIntervalMs: number;
  /** added to every pushed series that does not have the label already, sorted by name */
  externalLabels: Array<[string, string]>;
}

export type RelabelAction = 'replace' | 'keep' | 'drop' | 'labelkeep' | 'labeldrop' | 'labelmap' | 'lowercase' | 'uppercase' | 'hashmod';

export interface RelabelRule {
  sourceLabels: string[];
  separator: string;
  targetLabel: string;
  /** anchored at both ends, as Prometheus does */
  regex: GoRegex;
  modulus: number;
  replacement: string;
  action: RelabelAction;
}

export interface QueueConfig {
  /** bound of the in-memory queue, in samples: the oldest are dropped beyond it */
  capacity: number;
  maxSamplesPerSend: number;
  batchSendDeadlineMs: number;
  minBackoffMs: number;
  maxBackoffMs: number;
  retryOnHttp429: boolean;
}

export interface TlsClientConfig {
  caFile: string;
  certFile: string;
  keyFile: string;
  serverName: string;
  insecureSkipVerify: boolean;
}

export interface RemoteWriteConfig {
  url: string;
  /** the `remote_name` label of the push metrics: `name`, else a short hash of the entry, as Prometheus */
  name: string;
  remoteTimeoutMs: number;
  headers: Array<[string, string]>;
  /** follow up to MAX_REDIRECTS 3xx answers (Prometheus's default: true) */
  followRedirects: boolean;
  basicAuth: { username: string; password: string; passwordFile: string } | null;
  authorization: { type: string; credentials: string; credentialsFile: string } | null;
  tls: TlsClientConfig;
  queue: QueueConfig;
  writeRelabel: RelabelRule[];
}

export interface PushConfig {
  global: GlobalConfig;
  remoteWrite: RemoteWriteConfig[];
}

/** Prometheus's queue defaults, except capacity (see docs/remote-write.md: there is no WAL behind it). */
const DEFAULT_QUEUE: Readonly<QueueConfig> = Object.freeze({
  capacity: 500_000,
  maxSamplesPerSend: 2000,
  batchSendDeadlineMs: 5000,
  minBackoffMs: 30,
  maxBackoffMs: 5000,
  retryOnHttp429: false,
});
const DEFAULT_SCRAPE_INTERVAL_MS = 15_000;
const DEFAULT_REMOTE_TIMEOUT_MS = 30_000;

// Headers the protocol sets itself; Prometheus refuses them in `headers` too.
const RESERVED_HEADERS = new Set(['authorization', 'host', 'content-encoding', 'content-length', 'content-type', 'user-agent', 'connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'www-authenticate', 'retry-after', 'x-prometheus-remote-write-version']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const ACTIONS: readonly RelabelAction[] = ['replace', 'keep', 'drop', 'labelkeep', 'labeldrop', 'labelmap', 'lowercase', 'uppercase', 'hashmod'];

/**
 * Prometheus's model.ParseDuration: units y w d h m s ms, largest first, each at most once; "0" alone.
 * Returns milliseconds, or null when the text is not a duration.
 */
function parseDuration(text: string): number | null {
  if (text === '0') return 0;
  const m = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (m === null || text === '') return null;
  const unit = [365 * 86_400_000, 7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000, 1];
  let ms = 0;
  for (let i = 0; i < unit.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * unit[i];
  return Number.isSafeInteger(ms) ? ms : null;
}

class Reader {
  constructor(
    readonly file: string,
    private readonly lc: LineCounter,
  ) {}

  fail(node: Node | null | undefined, field: string, msg: string): never {
    const p = this.lc.linePos(node?.range?.[0] ?? 0);
    throw new ConfigError(`${this.file}:${p.line}:${p.col}: ${field}: ${msg}`);
  }

  /** The pairs of a mapping, rejecting keys not in `known` and repeated keys. */
  map(node: Node | null, field: string, known: readonly string[]): Map<string, Node | null> {
    if (!isMap(node)) this.fail(node, field, `expected a mapping, got ${what(node)}`);
    const out = new Map<string, Node | null>();
    for (const pair of (node as YAMLMap).items) {
      const keyNode = pair.key as Node | null;
      const key = isScalar(keyNode) ? String(keyNode.value) : '';
      if (!known.includes(key)) this.fail(keyNode, `${field}.${key}`, `unknown field (known: ${known.join(', ')})`);
      if (out.has(key)) this.fail(keyNode, `${field}.${key}`, 'repeated field');
      out.set(key, (pair.value as Node | null) ?? null);
    }
    return out;
  }

  string(node: Node | null, field: string): string {
    if (node === null || (isScalar(node) && node.value === null)) return '';
    if (!isScalar(node) || typeof node.value === 'object') this.fail(node, field, `expected a string, got ${what(node)}`);
    const s = node as { type?: string; source?: string; value: unknown };
    return s.type === 'PLAIN' && typeof s.source === 'string' ? s.source : String(s.value);
  }

  bool(node: Node | null, field: string): boolean {
    if (!isScalar(node) || typeof node.value !== 'boolean') this.fail(node, field, `expected true or false, got ${what(node)}`);
    return (node as { value: boolean }).value;
  }

  positiveInt(node: Node | null, field: string): number {
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) this.fail(node, field, `expected a positive integer, got ${what(node)}`);
    return v as number;
  }

  duration(node: Node | null, field: string): number {
    const text = this.string(node, field);
    const ms = parseDuration(text);
    if (ms === null) this.fail(node, field, `not a valid duration string: "${text}"`);
    return ms as number;
  }

  list(node: Node | null, field: string): Array<Node | null> {
    if (node === null || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) this.fail(node, field, `expected a list, got ${what(node)}`);
    return (node as { items: Array<Node | null> }).items;
  }

  labelName(node: Node | null, field: string): string {
    const name = this.string(node, field);
    if (!LABEL_NAME.test(name)) this.fail(node, field, `"${name}" is not a valid label name`);
    return name;
  }
}

function what(node: Node | null | undefined): string {
  if (node == null) return 'nothing';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'nothing';
    const src = (node as { source?: string }).source;
    return `\`${typeof src === 'string' ? src : String(node.value)}\``;
  }
  return 'an alias';
}

/**
 * The push sections of a config file's text; null when it has no `remote_write` entries (then the
 * exporter only serves scrapes). YAML syntax errors are left to the rules' loader, which reads first.
 */
export function parsePushConfig(text: string, file: string): PushConfig | null {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: false, version: '1.1', prettyErrors: false });
  const r = new Reader(file, lc);
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const p = lc.linePos(e.pos[0]);
    throw new ConfigError(`${file}:${p.line}:${p.col}: yaml: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents as Node | null;
  if (!isMap(root)) return null;
  let globalNode: Node | null = null;
  let rwNode: Node | null = null;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? pair.key.value : undefined;
    if (key === 'global') globalNode = (pair.value as Node | null) ?? null;
    if (key === 'remote_write') rwNode = (pair.value as Node | null) ?? null;
  }
  const global = readGlobal(r, globalNode);
  const entries = r.list(rwNode, 'remote_write');
  if (entries.length === 0) return null;
  const remoteWrite = entries.map((n, i) => readRemoteWrite(r, n, `remote_write[${i}]`));
  const names = new Set<string>();
  entries.forEach((n, i) => {
    const name = remoteWrite[i].name;
    if (names.has(name)) r.fail(n, `remote_write[${i}].name`, `found multiple remote write configs with the same name "${name}"`);
    names.add(name);
  });
  return { global, remoteWrite };
}

/**
 * The push sections of the `-config.path` file. The rules' loader (load.ts) reads the same file first,
 * accepts these two keys and leaves them to this module.
 */
export async function readPushConfigFile(path: string): Promise<PushConfig | null> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`open ${path}: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
  }
  return parsePushConfig(text, path);
}

function readGlobal(r: Reader, node: Node | null): GlobalConfig {
  const out: GlobalConfig = { scrapeIntervalMs: DEFAULT_SCRAPE_INTERVAL_MS, externalLabels: [] };
  if (node === null || (isScalar(node) && node.value === null)) return out;
  // scrape_timeout and evaluation_interval are Prometheus's too: checked, then not used here
  const g = r.map(node, 'global', ['scrape_interval', 'scrape_timeout', 'evaluation_interval', 'external_labels']);
  for (const [key, value] of g) {
    const field = `global.${key}`;
    if (key === 'external_labels') continue; // below
    const ms = r.duration(value, field);
    if (key === 'scrape_interval') {
      if (ms <= 0) r.fail(value, field, 'must be greater than 0');
      out.scrapeIntervalMs = ms;
    }
  }
  const labelsNode = g.get('external_labels') ?? null;
  if (labelsNode !== null && !(isScalar(labelsNode) && labelsNode.value === null)) {
    if (!isMap(labelsNode)) r.fail(labelsNode, 'global.external_labels', `expected a mapping, got ${what(labelsNode)}`);
    const seen = new Set<string>();
    for (const pair of (labelsNode as YAMLMap).items) {
      const name = r.labelName(pair.key as Node, 'global.external_labels');
      const field = `global.external_labels.${name}`;
      if (seen.has(name)) r.fail(pair.key as Node, field, 'repeated label name');
      if (name.startsWith('__')) r.fail(pair.key as Node, field, `"${name}" is a reserved label name`);
      seen.add(name);
      const value = r.string((pair.value as Node | null) ?? null, field);
      if (value !== '') out.externalLabels.push([name, value]);
    }
    out.externalLabels.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  }
  return out;
}

function readRemoteWrite(r: Reader, node: Node | null, field: string): RemoteWriteConfig {
  const m = r.map(node, field, ['url', 'name', 'remote_timeout', 'follow_redirects', 'headers', 'basic_auth', 'authorization', 'tls_config', 'queue_config', 'write_relabel_configs']);
  const get = (key: string) => m.get(key) ?? null;
  const urlNode = get('url');
  const url = r.string(urlNode, `${field}.url`);
  if (url === '') r.fail(urlNode ?? node, `${field}.url`, 'url for remote_write is empty');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return r.fail(urlNode, `${field}.url`, 'not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') r.fail(urlNode, `${field}.url`, `unsupported scheme "${parsed.protocol.slice(0, -1)}" (http or https)`);
  if (parsed.username !== '' || parsed.password !== '') r.fail(urlNode, `${field}.url`, 'credentials in the URL are not supported: use basic_auth');

  const out: RemoteWriteConfig = {
    url,
    name: '',
    remoteTimeoutMs: DEFAULT_REMOTE_TIMEOUT_MS,
    headers: [],
    followRedirects: true,
    basicAuth: null,
    authorization: null,
    tls: { caFile: '', certFile: '', keyFile: '', serverName: '', insecureSkipVerify: false },
    queue: { ...DEFAULT_QUEUE },
    writeRelabel: [],
  };
  if (m.has('name')) out.name = r.string(get('name'), `${field}.name`);
  if (m.has('remote_timeout')) {
    out.remoteTimeoutMs = r.duration(get('remote_timeout'), `${field}.remote_timeout`);
    if (out.remoteTimeoutMs <= 0) r.fail(get('remote_timeout'), `${field}.remote_timeout`, 'must be greater than 0');
  }
  if (m.has('follow_redirects')) out.followRedirects = r.bool(get('follow_redirects'), `${field}.follow_redirects`);
  if (m.has('headers')) {
    const h = get('headers');
    if (!isMap(h)) r.fail(h, `${field}.headers`, `expected a mapping, got ${what(h)}`);
    for (const pair of (h as YAMLMap).items) {
      const name = r.string(pair.key as Node, `${field}.headers`);
      const f = `${field}.headers.${name}`;
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) r.fail(pair.key as Node, f, 'not a valid header name');
      if (RESERVED_HEADERS.has(name.toLowerCase())) r.fail(pair.key as Node, f, `${name} is a reserved header. It must not be changed`);
      const value = r.string((pair.value as Node | null) ?? null, f);
      // RFC 9110 field-value: visible ASCII, obs-text, spaces and tabs inside; never CR, LF or NUL, which
      // would end the header early (a request the HTTP client refuses, or a header injected into it)
      const bad = /[^\t\x20-\x7e\x80-\xff]/.exec(value);
      if (bad !== null) r.fail((pair.value as Node | null) ?? (pair.key as Node), f, `not a valid header value: it contains ${JSON.stringify(bad[0])} at offset ${bad.index}`);
      if (/^[ \t]|[ \t]$/.test(value)) r.fail((pair.value as Node | null) ?? (pair.key as Node), f, 'not a valid header value: it starts or ends with white space');
      out.headers.push([name, value]);
    }
  }
  if (m.has('basic_auth')) {
    const f = `${field}.basic_auth`;
    const b = r.map(get('basic_auth'), f, ['username', 'password', 'password_file']);
    out.basicAuth = {
      username: r.string(b.get('username') ?? null, `${f}.username`),
      password: r.string(b.get('password') ?? null, `${f}.password`),
      passwordFile: r.string(b.get('password_file') ?? null, `${f}.password_file`),
    };
    if (out.basicAuth.password !== '' && out.basicAuth.passwordFile !== '') r.fail(b.get('password_file'), f, 'at most one of basic_auth password & password_file must be configured');
  }
  if (m.has('authorization')) {
    const f = `${field}.authorization`;
    const a = r.map(get('authorization'), f, ['type', 'credentials', 'credentials_file']);
    const type = r.string(a.get('type') ?? null, `${f}.type`) || 'Bearer';
    if (type.toLowerCase() === 'basic') r.fail(a.get('type'), `${f}.type`, 'authorization type cannot be set to "basic", use "basic_auth" instead');
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(type)) r.fail(a.get('type'), `${f}.type`, 'not a valid authorization scheme');
    out.authorization = {
      type,
      credentials: r.string(a.get('credentials') ?? null, `${f}.credentials`),
      credentialsFile: r.string(a.get('credentials_file') ?? null, `${f}.credentials_file`),
    };
    if (out.authorization.credentials !== '' && out.authorization.credentialsFile !== '') r.fail(a.get('credentials_file'), f, 'at most one of authorization credentials & credentials_file must be configured');
  }
  if (out.basicAuth !== null && out.authorization !== null) r.fail(get('authorization'), field, 'at most one of basic_auth & authorization must be configured');
  if (m.has('tls_config')) {
    const f = `${field}.tls_config`;
    const t = r.map(get('tls_config'), f, ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify']);
    out.tls.caFile = r.string(t.get('ca_file') ?? null, `${f}.ca_file`);
    out.tls.certFile = r.string(t.get('cert_file') ?? null, `${f}.cert_file`);
    out.tls.keyFile = r.string(t.get('key_file') ?? null, `${f}.key_file`);
    out.tls.serverName = r.string(t.get('server_name') ?? null, `${f}.server_name`);
    if (t.has('insecure_skip_verify')) out.tls.insecureSkipVerify = r.bool(t.get('insecure_skip_verify') ?? null, `${f}.insecure_skip_verify`);
    if ((out.tls.certFile === '') !== (out.tls.keyFile === '')) r.fail(get('tls_config'), f, 'exactly one of key_file and cert_file is set: client certificate authentication needs both');
  }
  if (m.has('queue_config')) {
    const f = `${field}.queue_config`;
    const q = r.map(get('queue_config'), f, ['capacity', 'max_samples_per_send', 'batch_send_deadline', 'min_backoff', 'max_backoff', 'retry_on_http_429']);
    for (const [key, value] of q) {
      const kf = `${f}.${key}`;
      if (key === 'capacity') out.queue.capacity = r.positiveInt(value, kf);
      else if (key === 'max_samples_per_send') out.queue.maxSamplesPerSend = r.positiveInt(value, kf);
      else if (key === 'batch_send_deadline') out.queue.batchSendDeadlineMs = r.duration(value, kf);
      else if (key === 'min_backoff') out.queue.minBackoffMs = r.duration(value, kf);
      else if (key === 'max_backoff') out.queue.maxBackoffMs = r.duration(value, kf);
      else out.queue.retryOnHttp429 = r.bool(value, kf);
    }
    if (out.queue.maxBackoffMs < out.queue.minBackoffMs) r.fail(q.get('max_backoff') ?? q.get('min_backoff'), `${f}.max_backoff`, 'must not be less than min_backoff');
  }
  if (m.has('write_relabel_configs')) {
    out.writeRelabel = r.list(get('write_relabel_configs'), `${field}.write_relabel_configs`).map((n, i) => readRelabel(r, n, `${field}.write_relabel_configs[${i}]`));
  }
  // Prometheus names an unnamed queue by a hash of its config; a hash of the url keeps it stable across edits
  // node:crypto is loaded only when a config pushes: most never do
  out.name = out.name || (require('node:crypto') as typeof Crypto).createHash('sha256').update(url).digest('hex').slice(0, 6);
  return out;
}

function readRelabel(r: Reader, node: Node | null, field: string): RelabelRule {
  const m = r.map(node, field, ['source_labels', 'separator', 'target_label', 'regex', 'modulus', 'replacement', 'action']);
  const get = (key: string) => m.get(key) ?? null;
  const actionText = m.has('action') ? r.string(get('action'), `${field}.action`).toLowerCase() : 'replace';
  if (!ACTIONS.includes(actionText as RelabelAction)) r.fail(get('action'), `${field}.action`, `unknown relabel action "${actionText}" (one of ${ACTIONS.join(', ')})`);
  const action = actionText as RelabelAction;
  const sourceLabels = r.list(get('source_labels'), `${field}.source_labels`).map((n, i) => r.labelName(n, `${field}.source_labels[${i}]`));
  const regexText = m.has('regex') ? r.string(get('regex'), `${field}.regex`) : '(.*)';
  let regex: GoRegex;
  try {
    regex = new GoRegex(`^(?:${regexText})$`);
  } catch (e) {
    if (e instanceof RegexSyntaxError) return r.fail(get('regex'), `${field}.regex`, e.message.replace(`^(?:${regexText})$`, regexText));
    throw e;
  }
  const rule: RelabelRule = {
    sourceLabels,
    separator: m.has('separator') ? r.string(get('separator'), `${field}.separator`) : ';',
    targetLabel: r.string(get('target_label'), `${field}.target_label`),
    regex,
    modulus: m.has('modulus') ? r.positiveInt(get('modulus'), `${field}.modulus`) : 0,
    replacement: m.has('replacement') ? r.string(get('replacement'), `${field}.replacement`) : '$1',
    action,
  };
  const needsTarget = action === 'replace' || action === 'hashmod' || action === 'lowercase' || action === 'uppercase';
  if (needsTarget && rule.targetLabel === '') r.fail(node, field, `relabel configuration for ${action} action requires 'target_label' value`);
  if (action === 'hashmod' && rule.modulus === 0) r.fail(node, field, "relabel configuration for hashmod requires non-zero modulus");
  if ((action === 'labeldrop' || action === 'labelkeep') && (sourceLabels.length > 0 || rule.targetLabel !== '' || rule.modulus !== 0 || rule.separator !== ';' || rule.replacement !== '$1')) {
    r.fail(node, field, `${action} action requires only 'regex', and no other fields`);
  }
  if (action !== 'replace' && action !== 'labelmap' && rule.targetLabel !== '' && !LABEL_NAME.test(rule.targetLabel)) r.fail(get('target_label'), `${field}.target_label`, `"${rule.targetLabel}" is invalid 'target_label' for ${action} action`);
  if (action === 'replace' && !rule.targetLabel.includes('$') && !LABEL_NAME.test(rule.targetLabel)) r.fail(get('target_label'), `${field}.target_label`, `"${rule.targetLabel}" is invalid 'target_label' for ${action} action`);
  return rule;
}
