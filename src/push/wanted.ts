// Whether the -config.path file may configure a push, told from its text alone: without `global` or
// `remote_write` (nearly every config) the push modules and their config parser (remote-write.ts) are
// never loaded.
import { readFile } from 'node:fs';
import { promisify } from 'node:util';

/** false only when the file cannot have a top-level `global` or `remote_write` key */
export async function mayConfigurePush(configPath: string): Promise<boolean> {
  if (configPath === '') return false;
  let text: string;
  try {
    text = await promisify(readFile)(configPath, 'utf8');
  } catch {
    // the push config loader words this error
    return true;
  }
  // a YAML key spells its name out, unless it is written with escapes in a double-quoted scalar
  return text.includes('remote_write') || text.includes('global') || text.includes('\\');
}
