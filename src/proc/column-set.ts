// Operations on column sets, driven by their schema in columns.ts: the TS reader builds rows into a
// ColumnsBuilder, joins the slices its workers return with catColumns, and transfers their buffers
// with transferables. A new column is a line in the schema; nothing here names a column.
//
// Inside a reader worker the builders take their memory from a BufferPool they are given: the
// buffers of the columns the main thread has finished with come back to the worker and are filled
// again, so each cycle does not leave a new set of dead buffers behind for the main thread's garbage
// collector to free only seconds later (docs/performance.md#memory-where-it-goes-and-what-was-taken-out).
import { ColumnSchema, ColumnsOf, PackedStrings, RowOf } from './columns';

type NumericArray = Int32Array | Float64Array | Uint8Array | Uint16Array;

const ARRAY_OF = {
  i32: Int32Array,
  f64: Float64Array,
  u8: Uint8Array,
  u16: Uint16Array,
} as const;

const EMPTY = new Uint8Array(0);

/** A zeroed numeric column of one kind: the readers' columns and the tracker's per-process table use it. */
export function newColumn<K extends keyof typeof ARRAY_OF>(kind: K, length: number): InstanceType<(typeof ARRAY_OF)[K]> {
  return new ARRAY_OF[kind](length) as InstanceType<(typeof ARRAY_OF)[K]>;
}

/** Buffers this module allocated or was handed for reuse: they belong to one column each and may be
 *  transferred whole, even where the column's view covers only the front of them. */
const owned = new WeakSet<ArrayBuffer>();

/**
 * Spare ArrayBuffers to build columns in. take() hands out the smallest spare buffer that fits (and is not
 * more than about twice the size asked), else a new one with some headroom (the next cycle usually has a
 * few rows more), so that buffers given back after a cycle fit the same columns of the next one.
 */
export class BufferPool {
  private spare: ArrayBuffer[] = [];

  take(bytes: number): ArrayBuffer {
    // a spare buffer far larger than asked stays for a column of its size
    const most = bytes * 2 + 4096;
    let best = -1;
    for (let i = 0; i < this.spare.length; i++) {
      const b = this.spare[i].byteLength;
      if (b >= bytes && b <= most && (best < 0 || b < this.spare[best].byteLength)) best = i;
    }
    if (best >= 0) {
      const b = this.spare[best];
      this.spare[best] = this.spare[this.spare.length - 1];
      this.spare.pop();
      return b;
    }
    const b = new ArrayBuffer(bytes < 1024 ? bytes : bytes + Math.ceil(bytes / 16 / 8) * 8);
    owned.add(b);
    return b;
  }

  give(bufs: Iterable<ArrayBuffer>): void {
    for (const b of bufs) {
      if (b.byteLength === 0) continue;
      owned.add(b);
      this.spare.push(b);
    }
  }

  /** Drops the spare buffers (the garbage collector frees them). */
  clear(): void {
    this.spare = [];
  }

  get size(): number {
    return this.spare.length;
  }
}

type NumericCtor = (typeof ARRAY_OF)[keyof typeof ARRAY_OF] | Uint32ArrayConstructor;

/** A zeroed typed array of `length` elements, in pooled memory when there is a pool. */
function numericArray<C extends NumericCtor>(pool: BufferPool | null, ctor: C, length: number): InstanceType<C> {
  if (!pool || length === 0) return new ctor(length) as InstanceType<C>;
  const a = new ctor(pool.take(length * ctor.BYTES_PER_ELEMENT), 0, length) as InstanceType<C>;
  a.fill(0);
  return a;
}

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

  /** `capacity`: the expected number of rows (more may be pushed); `pool`: where the arrays' memory comes from (none: plain allocations). */
  constructor(
    private readonly schema: S,
    capacity = 16,
    private readonly pool: BufferPool | null = null,
  ) {
    const { nums, strs } = fieldsOf(schema);
    this.numKeys = nums;
    this.strKeys = strs;
    this.cap = Math.max(0, capacity);
    this.numCols = nums.map((k) => numericArray(pool, ARRAY_OF[schema[k] as keyof typeof ARRAY_OF], this.cap));
    this.strCols = strs.map(() => new PackedStringsBuilder(pool));
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
      const a = numericArray(this.pool, ARRAY_OF[this.schema[this.numKeys[i]] as keyof typeof ARRAY_OF], this.cap);
      a.set(old);
      this.pool?.give([old.buffer as ArrayBuffer]);
      return a;
    });
  }

  /** The columns of the rows pushed so far. */
  build(): ColumnsOf<S> {
    const out: Record<string, unknown> = { count: this.n };
    // in schema order, as the native scanner's columns are
    for (const k of Object.keys(this.schema)) {
      const i = this.numKeys.indexOf(k);
      // in pooled memory a view of the first n rows (its whole buffer is transferred), else a copy cut to size
      if (i >= 0) out[k] = this.n === this.cap ? this.numCols[i] : this.pool ? this.numCols[i].subarray(0, this.n) : this.numCols[i].slice(0, this.n);
      else out[k] = this.n === 0 ? emptyPacked() : this.strCols[this.strKeys.indexOf(k)].build();
    }
    return out as ColumnsOf<S>;
  }
}

/** Builds PackedStrings row by row: bytes and offsets grow by doubling; in pooled memory when there is a pool. */
class PackedStringsBuilder {
  private buf = EMPTY;
  private len = 0;
  private offs = new Uint32Array(0);
  private n = 0;

  constructor(private readonly pool: BufferPool | null) {}

  pushBytes(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) {
      let size = Math.max(4096, this.buf.length * 2);
      while (size < this.len + b.length) size *= 2;
      const nb = numericArray(this.pool, Uint8Array, size);
      nb.set(this.buf.subarray(0, this.len));
      this.release(this.buf);
      this.buf = nb;
    }
    this.buf.set(b, this.len);
    this.len += b.length;
    if (this.n + 2 > this.offs.length) {
      const no = numericArray(this.pool, Uint32Array, Math.max(256, this.offs.length * 2));
      no.set(this.offs.subarray(0, this.n + 1));
      this.release(this.offs);
      this.offs = no;
    }
    this.offs[++this.n] = this.len;
  }

  private release(a: Uint8Array | Uint32Array): void {
    if (this.pool && a.byteLength > 0) this.pool.give([a.buffer as ArrayBuffer]);
  }

  build(): PackedStrings {
    if (this.pool) return { bytes: this.buf.subarray(0, this.len), offsets: this.offs.subarray(0, this.n + 1) };
    return { bytes: this.buf.slice(0, this.len), offsets: this.offs.slice(0, this.n + 1) };
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

/**
 * Every typed array's buffer in a column set, for a postMessage transfer list (each once): buffers the
 * view owns entirely, and buffers from a BufferPool (a shared EMPTY or Node's pooled Buffers must not
 * move). `all`: every non-empty buffer, for a column set that came whole from a worker and is given back.
 */
export function transferables(x: unknown, all = false): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  const walk = (v: unknown): void => {
    if (ArrayBuffer.isView(v)) {
      const b = v.buffer;
      if (!(b instanceof ArrayBuffer) || b.byteLength === 0) return;
      if (all || owned.has(b) || (v.byteOffset === 0 && v.byteLength === b.byteLength)) out.add(b);
      return;
    }
    if (v && typeof v === 'object') for (const k of Object.keys(v)) walk((v as Record<string, unknown>)[k]);
  };
  walk(x);
  return [...out];
}
