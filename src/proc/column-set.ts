// Operations on column sets, driven by their schema in columns.ts: the TS reader builds rows into a
// ColumnsBuilder, joins the slices its workers return with catColumns, and transfers their buffers
// with transferables. A new column is a line in the schema; nothing here names a column.
import { ColumnSchema, ColumnsOf, PackedStrings, PackedStringsBuilder, RowOf } from './columns';

type NumericArray = Int32Array | Float64Array | Uint8Array | Uint16Array;

const ARRAY_OF = {
  i32: Int32Array,
  f64: Float64Array,
  u8: Uint8Array,
  u16: Uint16Array,
} as const;

const EMPTY = new Uint8Array(0);

/** Splits a schema into its numeric and string fields, in schema order. */
function fieldsOf(schema: ColumnSchema): { nums: string[]; strs: string[] } {
  const nums: string[] = [];
  const strs: string[] = [];
  for (const k of Object.keys(schema)) (schema[k] === 'str' ? strs : nums).push(k);
  return { nums, strs };
}

/** A row of a schema with every number 0 and every string empty. */
export function emptyRow<S extends ColumnSchema>(schema: S): RowOf<S> {
  const row: Record<string, number | Uint8Array> = {};
  for (const k of Object.keys(schema)) row[k] = schema[k] === 'str' ? EMPTY : 0;
  return row as RowOf<S>;
}

/** Appends rows to the columns of one schema; arrays grow by doubling and are cut to size by build(). */
export class ColumnsBuilder<S extends ColumnSchema> {
  private cap: number;
  private n = 0;
  private readonly numKeys: string[];
  private readonly strKeys: string[];
  // parallel to numKeys / strKeys: plain arrays indexed in a loop are what the per-row push costs
  private numCols: NumericArray[];
  private readonly strCols: PackedStringsBuilder[];

  /** `capacity`: the expected number of rows (more may be pushed). */
  constructor(
    private readonly schema: S,
    capacity = 16,
  ) {
    const { nums, strs } = fieldsOf(schema);
    this.numKeys = nums;
    this.strKeys = strs;
    this.cap = Math.max(0, capacity);
    this.numCols = nums.map((k) => new ARRAY_OF[schema[k] as keyof typeof ARRAY_OF](this.cap));
    this.strCols = strs.map(() => new PackedStringsBuilder());
  }

  get count(): number {
    return this.n;
  }

  /** Appends one row; string fields are copied, so they may be views into a reused read buffer. */
  push(row: RowOf<S>): void {
    const r = row as Record<string, number | Uint8Array>;
    if (this.n === this.cap) this.grow();
    const n = this.n;
    const keys = this.numKeys;
    const cols = this.numCols;
    for (let i = 0; i < keys.length; i++) cols[i][n] = r[keys[i]] as number;
    const skeys = this.strKeys;
    for (let i = 0; i < skeys.length; i++) this.strCols[i].pushBytes(r[skeys[i]] as Uint8Array);
    this.n = n + 1;
  }

  private grow(): void {
    this.cap = Math.max(16, this.cap * 2);
    this.numCols = this.numCols.map((old, i) => {
      const a = new ARRAY_OF[this.schema[this.numKeys[i]] as keyof typeof ARRAY_OF](this.cap);
      a.set(old);
      return a;
    });
  }

  /** The columns of the rows pushed so far. */
  build(): ColumnsOf<S> {
    const out: Record<string, unknown> = { count: this.n };
    // in schema order, as the native scanner's columns are
    for (const k of Object.keys(this.schema)) {
      const i = this.numKeys.indexOf(k);
      if (i >= 0) out[k] = this.n === this.cap ? this.numCols[i] : this.numCols[i].slice(0, this.n);
      else out[k] = this.n === 0 ? emptyPacked() : this.strCols[this.strKeys.indexOf(k)].build();
    }
    return out as ColumnsOf<S>;
  }
}

function emptyPacked(): PackedStrings {
  return { bytes: EMPTY, offsets: new Uint32Array(1) };
}

/** Packed strings of consecutive slices, joined in order. */
function catPacked(parts: PackedStrings[]): PackedStrings {
  let nb = 0;
  let ns = 0;
  for (const p of parts) {
    nb += p.bytes.length;
    ns += p.offsets.length - 1;
  }
  const bytes = new Uint8Array(nb);
  const offsets = new Uint32Array(ns + 1);
  let bo = 0;
  let so = 0;
  for (const p of parts) {
    bytes.set(p.bytes, bo);
    const m = p.offsets.length - 1;
    for (let k = 1; k <= m; k++) offsets[so + k] = p.offsets[k] + bo;
    bo += p.bytes.length;
    so += m;
  }
  return nb === 0 ? { bytes: EMPTY, offsets } : { bytes, offsets };
}

/** Columns of one schema from consecutive slices, joined in order. */
export function catColumns<S extends ColumnSchema>(schema: S, parts: ColumnsOf<S>[]): ColumnsOf<S> {
  const ps = parts as unknown as Record<string, unknown>[];
  let count = 0;
  for (const p of parts) count += p.count;
  const out: Record<string, unknown> = { count };
  for (const k of Object.keys(schema)) {
    const kind = schema[k];
    if (kind === 'str') {
      out[k] = catPacked(ps.map((p) => p[k] as PackedStrings));
      continue;
    }
    const a = new ARRAY_OF[kind](count);
    let off = 0;
    for (const p of ps) {
      const v = p[k] as NumericArray;
      a.set(v, off);
      off += v.length;
    }
    out[k] = a;
  }
  return out as ColumnsOf<S>;
}

/** Every typed array's buffer in a column set, for a postMessage transfer list (each once). */
export function transferables(x: unknown, out: Set<ArrayBuffer> = new Set()): ArrayBuffer[] {
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer;
      // only buffers the view owns entirely (a shared EMPTY or a pooled buffer must not move)
      if (b instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === b.byteLength && b.byteLength > 0) out.add(b);
      return;
    }
    if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  walk(x);
  return [...out];
}
