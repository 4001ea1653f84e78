// Go's strconv quoting (Quote, QuoteToASCII, QuoteRune, CanBackquote) and unicode.IsPrint, byte
// for byte: config errors, flag errors, /proc parse errors and name templates print strings this way.

// unicode.IsPrint for non-ASCII: letters, marks, numbers, punctuation, symbols
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

export function isPrint(r: number): boolean {
  if (r < 0x80) return r >= 0x20 && r < 0x7f;
  if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) return false;
  return PRINTABLE.test(String.fromCodePoint(r));
}

export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function appendEscapedRune(out: string[], r: number, quote: number, asciiOnly: boolean): void {
  if (r === quote || r === 0x5c) { out.push('\\', String.fromCodePoint(r)); return; }
  if (asciiOnly ? r < 0x80 && isPrint(r) : isPrint(r)) { out.push(String.fromCodePoint(r)); return; }
  switch (r) {
    case 7: out.push('\\a'); return;
    case 8: out.push('\\b'); return;
    case 12: out.push('\\f'); return;
    case 10: out.push('\\n'); return;
    case 13: out.push('\\r'); return;
    case 9: out.push('\\t'); return;
    case 11: out.push('\\v'); return;
  }
  if (r < 0x20 || r === 0x7f) out.push('\\x', hex(r, 2));
  else if (r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) out.push('\\ufffd');
  else if (r < 0x10000) out.push('\\u', hex(r, 4));
  else out.push('\\U', hex(r, 8));
}

/** strconv.Quote (asciiOnly: strconv.QuoteToASCII). */
export function goQuote(s: string, asciiOnly = false): string {
  const out: string[] = ['"'];
  for (const ch of s) appendEscapedRune(out, ch.codePointAt(0)!, 0x22, asciiOnly);
  out.push('"');
  return out.join('');
}

/** strconv.QuoteRune (asciiOnly: QuoteRuneToASCII). */
export function goQuoteRune(r: number, asciiOnly = false): string {
  if (r < 0 || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) r = 0xfffd;
  const out: string[] = ["'"];
  appendEscapedRune(out, r, 0x27, asciiOnly);
  out.push("'");
  return out.join('');
}

/** strconv.CanBackquote. */
export function canBackquote(s: string): boolean {
  for (const ch of s) {
    const r = ch.codePointAt(0)!;
    if (r === 0x60 || r === 0xfeff) return false;
    if ((r < 0x20 && r !== 9) || r === 0x7f) return false;
  }
  return true;
}
