// /proc/<pid>/io, parsed as prometheus/procfs v0.14 does: fmt.Sscanf with the fixed format
// "rchar: %d\nwchar: %d\nsyscr: %d\nsyscw: %d\nread_bytes: %d\nwrite_bytes: %d\ncancelled_write_bytes: %d\n".
import { asBytes, ParseError, parseInt10, parseUint10, Text } from './go';

interface ProcIoInfo {
  readBytes: number;
  writeBytes: number;
}

const KEYS = ['rchar', 'wchar', 'syscr', 'syscw', 'read_bytes', 'write_bytes', 'cancelled_write_bytes'];

// Sscanf's idea of a space: any whitespace except newline.
function isBlank(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0x0d;
}

export function parseIo(text: Text): ProcIoInfo {
  const b = asBytes(text);
  const end = b.length;
  let pos = 0;
  const values: number[] = [];
  for (let k = 0; k < KEYS.length; k++) {
    const key = KEYS[k];
    // Literal "key:" must match byte for byte.
    for (let i = 0; i < key.length; i++, pos++) {
      if (pos >= end) throw new ParseError('unexpected EOF');
      if (b[pos] !== key.charCodeAt(i)) throw new ParseError('input does not match format');
    }
    if (pos >= end) throw new ParseError('unexpected EOF');
    if (b[pos] !== 0x3a) throw new ParseError('input does not match format');
    pos++;
    // A space in the format needs one or more spaces (or end of input).
    if (pos >= end) throw new ParseError('unexpected EOF');
    if (!isBlank(b[pos])) throw new ParseError('expected space in input to match format');
    while (pos < end && isBlank(b[pos])) pos++;
    if (pos >= end) throw new ParseError('unexpected EOF');
    if (b[pos] === 0x0a) throw new ParseError('unexpected newline');
    // %d: uint64 fields take digits only; cancelled_write_bytes is an int64 and takes a sign.
    const signed = k === KEYS.length - 1;
    const start = pos;
    if (signed && (b[pos] === 0x2b || b[pos] === 0x2d)) pos++;
    const digitsStart = pos;
    while (pos < end && b[pos] >= 0x30 && b[pos] <= 0x39) pos++;
    if (pos === digitsStart) throw new ParseError('expected integer');
    const tok = Buffer.from(b.buffer, b.byteOffset + start, pos - start).toString('latin1');
    values.push(signed ? parseInt10(tok) : parseUint10(tok));
    // The format's newline matches optional spaces then a newline or the end of input.
    while (pos < end && isBlank(b[pos])) pos++;
    if (pos < end) {
      if (b[pos] !== 0x0a) throw new ParseError('newline in format does not match input');
      pos++;
    }
  }
  return { readBytes: values[4], writeBytes: values[5] };
}
