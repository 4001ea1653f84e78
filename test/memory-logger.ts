import type { Logger } from '../src/log';

/** A logger that keeps its lines in memory, for assertions. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => lines.push(m), error: (m) => lines.push(m), debug: (m) => lines.push('debug: ' + m) };
}
