// /proc/<pid>/wchan: taken verbatim, no trimming (SPEC §4.3).
import { asBytes, Text } from './go';

export function parseWchan(text: Text): Uint8Array {
  return asBytes(text);
}

/** procfs returns "" for an empty file and for "0"; both mean "no wchan". */
export function wchanLabel(text: Text): string {
  const s = typeof text === 'string' ? text : Buffer.from(asBytes(text)).toString('utf8');
  return s === '0' ? '' : s;
}
