import { logfmtKey, logfmtValue, type LogFields, type Logger } from '../src/log';

/**
 * A logger that keeps messages in memory (fields as logfmt pairs after the message), for assertions. Debug
 * lines are always kept; `debug: true` also turns on what only debug level produces (the match explanations).
 */
export function memoryLogger(opts: { debug?: boolean } = {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (prefix: string) => (msg: string, fields?: LogFields) => {
    let text = prefix + msg;
    if (fields) for (const [k, v] of Object.entries(fields)) if (v !== undefined) text += ` ${logfmtKey(k)}=${logfmtValue(v === null ? 'null' : String(v))}`;
    lines.push(text);
  };
  return { lines, info: keep(''), warn: keep(''), error: keep(''), debug: keep('debug: '), debugEnabled: opts.debug ?? false };
}
