import { adaptLogger, type Logger } from '../src/base/log';

/**
 * A logger that keeps messages in memory (fields as logfmt pairs after the message, as an embedding app's
 * logger gets them), for assertions. Debug lines are always kept; `debug: true` also turns on what only
 * debug level produces (the match explanations).
 */
export function memoryLogger(opts: { debug?: boolean } = {}): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (prefix: string) => (text: string) => {
    lines.push(prefix + text);
  };
  return { lines, ...adaptLogger({ info: keep(''), warn: keep(''), error: keep(''), debug: keep('debug: '), debugEnabled: opts.debug ?? false }) };
}
