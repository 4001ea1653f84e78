// The package version, and the commit it was built from, shown by -version and in the build-info metric.
// scripts/stamp.js writes dist/build-info.json at build time (and it ships in the tarball); without it
// (a build that skipped the stamp, or no git) revision and branch are "unknown".
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-var-requires
export const VERSION: string = (require('../../../package.json') as { version: string }).version;

export interface BuildStamp {
  /** the short git revision, with "-dirty" when the work tree had uncommitted changes */
  revision: string;
  branch: string;
}

/** The stamp in `file`, or "unknown" for each field that is missing or not a plain string. */
export function readBuildStamp(file: string): BuildStamp {
  let raw: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && typeof parsed === 'object') raw = parsed as Record<string, unknown>;
  } catch {
    // no stamp: unknown
  }
  const field = (k: string) => (typeof raw[k] === 'string' && raw[k] !== '' ? (raw[k] as string) : 'unknown');
  const revision = field('revision');
  return { revision: raw.dirty === true && revision !== 'unknown' ? `${revision}-dirty` : revision, branch: field('branch') };
}

export const BUILD: BuildStamp = readBuildStamp(path.join(__dirname, '..', '..', 'build-info.json'));
