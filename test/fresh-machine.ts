// What the install tests share: a "fresh machine" for child processes, i.e. a PATH without compilers and an
// environment without whatever the outer test run set.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

/** A PATH with node and sh only (npm runs scripts through sh): no g++, cc, make or python. */
export function bareBin(): string {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'npe-barebin-'));
  fs.symlinkSync(process.execPath, path.join(bin, 'node'));
  fs.symlinkSync('/bin/sh', path.join(bin, 'sh'));
  return bin;
}

/** The outer run's environment minus what would make the machine less fresh: npm's, ours, ASan's. */
export function cleanEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k.startsWith('npm_') || k.startsWith('NAMEDPROCESS_') || k.startsWith('ASAN_')) delete env[k];
  }
  for (const k of ['LD_PRELOAD', 'CXX', 'CC', 'NODE_TEST_CONTEXT', 'PREBUILDS_ONLY']) delete env[k];
  return { ...env, ...extra };
}
