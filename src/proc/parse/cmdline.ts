// /proc/<pid>/cmdline, split as prometheus/procfs v0.14 CmdLine does.
import { asBytes, Text } from './go';

/**
 * Raw argv elements: an empty file gives []; otherwise trailing NULs are trimmed and the rest is
 * split on NUL, keeping empty inner elements ("a\0\0b\0" → a, "", b; "\0\0" → one "").
 */
function splitCmdline(text: Text): Uint8Array[] {
  const b = asBytes(text);
  if (b.length === 0) return [];
  let end = b.length;
  while (end > 0 && b[end - 1] === 0) end--;
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < end; i++) {
    if (b[i] === 0) {
      out.push(b.subarray(start, i));
      start = i + 1;
    }
  }
  out.push(b.subarray(start, end));
  return out;
}

/** argv as strings; invalid UTF-8 becomes U+FFFD. */
export function parseCmdline(text: Text): string[] {
  return splitCmdline(text).map((e) => Buffer.from(e.buffer, e.byteOffset, e.byteLength).toString('utf8'));
}
