// Which /proc reader runs, decided once at start-up: the native scanner when it loads, else the
// TypeScript reader; NAMEDPROCESS_READER=native|ts forces one (docs/deployment.md#the-native-scanner).
import type { Scanner } from './columns';
import { createNativeScanner } from './native';
import type * as TsReader from './ts-reader';

/** NAMEDPROCESS_READER asks for something this install cannot give: a start-up error for the user. */
export class ReaderSelectionError extends Error {}

const READER_ENV = 'NAMEDPROCESS_READER';

/** The TypeScript reader's module, loaded only when it is the reader: it brings worker_threads and its parsers. */
function tsReader(): typeof TsReader {
  return require('./ts-reader') as typeof TsReader;
}

interface SelectedScanner {
  scanner: Scanner;
  /** why this reader, for the start-up log line */
  reason: string;
}

export function selectScanner(opts: { procfs: string; env?: NodeJS.ProcessEnv; threads?: number }): SelectedScanner {
  const env = opts.env ?? process.env;
  const forced = env[READER_ENV] ?? '';
  if (forced !== '' && forced !== 'native' && forced !== 'ts') {
    throw new ReaderSelectionError(`${READER_ENV} must be "native" or "ts", got ${JSON.stringify(forced)}`);
  }
  if (forced === 'ts') {
    return { scanner: tsReader().createTsScanner({ procfs: opts.procfs }), reason: `forced by ${READER_ENV}=ts` };
  }
  const native = createNativeScanner({ procfs: opts.procfs, threads: opts.threads, env });
  if (native.scanner) {
    const info = native.scanner.info();
    const loaded = `${native.reason}, ${info.threads} thread${info.threads === 1 ? '' : 's'}`;
    return { scanner: native.scanner, reason: forced === 'native' ? `forced by ${READER_ENV}=native; ${loaded}` : loaded };
  }
  if (forced === 'native') {
    throw new ReaderSelectionError(`${READER_ENV}=native but the native scanner is not available: ${native.reason}`);
  }
  return { scanner: tsReader().createTsScanner({ procfs: opts.procfs }), reason: `the native scanner is not available: ${native.reason}` };
}
