// The exporter's log: one line per event on stderr, as logfmt (the default) or JSON, with the keys
// Prometheus exporters use: ts, level, msg, then the event's own key=value pairs in the order given.
//
//   ts=2026-11-29T07:47:36.512Z level=info msg="Listening on" address=[::]:9256
//   {"ts":"2026-11-29T07:47:36.512Z","level":"info","msg":"Listening on","address":"[::]:9256"}
//
// This module owns the format: every line the exporter writes to stderr goes through formatLogLine.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
export const LOG_FORMATS: readonly LogFormat[] = ['logfmt', 'json'];

/** An event's own keys; undefined values are left out. */
export type LogFields = Record<string, string | number | boolean | bigint | null | undefined>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** false when debug lines are dropped: callers skip building them */
  readonly debugEnabled: boolean;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** A logfmt value: bare when it has no space, quote, '=' or control character, else a quoted string. */
function logfmtValue(v: string): string {
  // eslint-disable-next-line no-control-regex
  return v !== '' && !/[\s"=\\\x00-\x1f\x7f\u2028\u2029]/.test(v) ? v : JSON.stringify(v);
}

// keys are identifiers in practice; anything else is made one so the line still parses
function logfmtKey(k: string): string {
  const s = k.replace(/[^A-Za-z0-9_.\-/]/g, '_');
  return s === '' ? '_' : s;
}

function valueText(v: string | number | boolean | bigint | null): string {
  return v === null ? 'null' : String(v);
}

/**
 * A message written by code that formats logfmt itself (`level=error msg="..." err=...`): its msg and
 * pairs become the line's message and fields, so the line is not nested inside another msg.
 */
function splitEmbedded(msg: string): { msg: string; fields: LogFields } | null {
  if (!msg.startsWith('level=')) return null;
  const pairs = parseLogfmt(msg);
  if (pairs === null) return null;
  let text = '';
  const fields: LogFields = {};
  for (const [k, v] of pairs) {
    if (k === 'level') continue;
    if (k === 'msg') text = v;
    else fields[k] = v;
  }
  return { msg: text, fields };
}

/** One log line, newline included. */
export function formatLogLine(format: LogFormat, level: LogLevel, msg: string, fields: LogFields = {}, now: Date = new Date()): string {
  const embedded = splitEmbedded(msg);
  if (embedded !== null) {
    msg = embedded.msg;
    fields = { ...embedded.fields, ...fields };
  }
  const ts = now.toISOString();
  if (format === 'json') {
    const obj: Record<string, unknown> = { ts, level, msg };
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || k === 'ts' || k === 'level' || k === 'msg') continue;
      obj[k] = typeof v === 'bigint' ? String(v) : typeof v === 'number' && !Number.isFinite(v) ? String(v) : v;
    }
    return JSON.stringify(obj) + '\n';
  }
  let line = `ts=${ts} level=${level} msg=${logfmtValue(msg)}`;
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined || k === 'ts' || k === 'level' || k === 'msg') continue;
    line += ` ${logfmtKey(k)}=${logfmtValue(valueText(v))}`;
  }
  return line + '\n';
}

/**
 * A logfmt line as key/value pairs, or null when it is not valid logfmt. Strict: keys are bare,
 * values bare or double-quoted with JSON escapes, pairs separated by single spaces.
 */
export function parseLogfmt(line: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  let i = 0;
  while (i < line.length) {
    const eq = line.indexOf('=', i);
    if (eq <= i) return null;
    const key = line.slice(i, eq);
    if (/[\s"]/.test(key)) return null;
    let j = eq + 1;
    let value: string;
    if (line[j] === '"') {
      let k = j + 1;
      while (k < line.length && line[k] !== '"') k += line[k] === '\\' ? 2 : 1;
      if (k >= line.length) return null;
      try {
        value = JSON.parse(line.slice(j, k + 1)) as string;
      } catch {
        return null;
      }
      j = k + 1;
    } else {
      let k = j;
      while (k < line.length && line[k] !== ' ') k++;
      value = line.slice(j, k);
      if (/["=]/.test(value)) return null;
      j = k;
    }
    out.push([key, value]);
    if (j < line.length) {
      if (line[j] !== ' ' || j + 1 >= line.length) return null;
      j++;
    }
    i = j;
  }
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** true: the same as level 'debug' (the -debug flag) */
  debug?: boolean;
  format?: LogFormat;
  /** where lines go (default: stderr) */
  write?: (line: string) => void;
  /** clock (tests) */
  now?: () => Date;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const format = opts.format ?? 'logfmt';
  const min = RANK[opts.debug ? 'debug' : (opts.level ?? 'info')];
  const now = opts.now ?? (() => new Date());
  const at = (level: LogLevel) =>
    RANK[level] >= min ? (msg: string, fields?: LogFields) => write(formatLogLine(format, level, msg, fields, now())) : () => {};
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), debugEnabled: min === RANK.debug };
}

/**
 * A logger written by an embedding app with only some of the methods, or (msg) => void ones: fields are
 * appended to the message as logfmt pairs so nothing is lost.
 */
export function adaptLogger(l: Partial<Logger> & Pick<Logger, 'info' | 'error'>, debug = false): Logger {
  const withFields = (f: (m: string) => void) => (msg: string, fields?: LogFields) => {
    let text = msg;
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) text += ` ${logfmtKey(k)}=${logfmtValue(valueText(v))}`;
    f.call(l, text);
  };
  return {
    debug: l.debug ? withFields(l.debug) : () => {},
    info: withFields(l.info),
    warn: withFields(l.warn ?? l.info),
    error: withFields(l.error),
    // the match explanations cost a line per new process: only when the app asks for them
    debugEnabled: l.debugEnabled ?? debug,
  };
}
