// Logging in the reference's format (Go `log`: `YYYY/MM/DD HH:MM:SS msg` on stderr, SPEC §1.1).

export interface Logger {
  info(msg: string): void;
  error(msg: string): void;
  /** only printed with -debug */
  debug(msg: string): void;
}

function pad(n: number): string {
  return n < 10 ? '0' + n : String(n);
}

export function goLogTimestamp(d: Date): string {
  return `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

export function createLogger(opts: { debug?: boolean; write?: (line: string) => void } = {}): Logger {
  const write = opts.write ?? ((line: string) => process.stderr.write(line));
  const emit = (msg: string) => write(`${goLogTimestamp(new Date())} ${msg}\n`);
  return {
    info: emit,
    error: emit,
    debug: opts.debug ? emit : () => {},
  };
}
