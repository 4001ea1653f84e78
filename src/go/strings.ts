// Go's string ordering: byte-wise over UTF-8, as sort.Strings and the template engine's map
// iteration order it; the exposition sorts label values the same way.

/**
 * Go string comparison (byte-wise over UTF-8) for well-formed JS strings. UTF-16 code-unit order
 * equals code-point (= UTF-8 byte) order except that surrogates (U+10000 and up) sort below
 * U+E000..U+FFFF; that one case is remapped.
 */
export function compareGoStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // Surrogates go above U+E000..U+FFFF, as their 4-byte UTF-8 encodings do.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x - y;
    }
  }
  return a.length - b.length;
}
