// Which /proc reader runs: the native scanner when it loads, else the TypeScript one;
// NAMEDPROCESS_READER=native|ts forces one (DESIGN.md, "native plus fallback").
import type { Scanner } from './columns';
import { createTsScanner } from './ts-reader';

export function selectScanner(opts: { procfs: string; env?: NodeJS.ProcessEnv; threads?: number }): { scanner: Scanner; reason: string } {
  const env = opts.env ?? process.env;
  const forced = env.NAMEDPROCESS_READER ?? '';
  if (forced !== '' && forced !== 'native' && forced !== 'ts') {
    throw new Error(`NAMEDPROCESS_READER=${forced} is not a reader: use native or ts`);
  }
  if (forced === 'native') throw new Error('NAMEDPROCESS_READER=native but the native scanner is not available: not built');
  return { scanner: createTsScanner({ procfs: opts.procfs }), reason: forced === 'ts' ? 'forced by NAMEDPROCESS_READER=ts' : 'the native scanner is not built' };
}
