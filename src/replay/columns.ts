/**
 * Append-only typed columns in fixed-size chunks: one number per packet, no per-packet objects,
 * no copy when growing (a 5M-packet index never holds two versions of a column at once).
 */
const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

type TypedArray = Float64Array | Uint32Array | Int32Array | Uint16Array | Uint8Array;
type Ctor<T extends TypedArray> = new (n: number) => T;

export class Column<T extends TypedArray> {
  private readonly chunks: T[] = [];
  constructor(private readonly ctor: Ctor<T>) {}

  /**
   * Sets the value of row i. A chunk is allocated when a value other than 0 is first written to
   * it: a column that stays 0 over 65536 rows (one link type, no drops) costs nothing there.
   */
  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    let ch = this.chunks[c];
    if (ch === undefined) {
      if (v === 0) return;
      ch = this.chunks[c] = new this.ctor(CHUNK);
    }
    ch[i & MASK] = v;
  }

  get(i: number): number {
    const ch = this.chunks[i >>> CHUNK_BITS];
    return ch === undefined ? 0 : ch[i & MASK];
  }

  /** Frees the chunks that hold only rows below `i` (live: rows that left the window read 0). */
  dropBefore(i: number): void {
    const c = Math.min(i >>> CHUNK_BITS, this.chunks.length);
    for (let k = 0; k < c; k++) if (this.chunks[k] !== undefined) this.chunks[k] = undefined as unknown as T;
  }

  /** Bytes held. */
  bytes(): number {
    let n = 0;
    for (const c of this.chunks) if (c) n += c.byteLength;
    return n;
  }
}

/**
 * Integers that stay close to each other within a chunk (seconds of a capture's timestamps): a
 * base per chunk (its first value) and 16-bit deltas; values outside base..base+0xfffe are kept
 * apart (time going backwards, a chunk spanning more than 18 hours).
 */
export class Delta16Column {
  private readonly bases: number[] = [];
  private readonly deltas = new Column(Uint16Array);
  private readonly far = new Map<number, number>();

  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    if (this.bases[c] === undefined) this.bases[c] = v;
    const d = v - this.bases[c];
    if (d >= 0 && d < 0xffff) this.deltas.set(i, d);
    else {
      this.deltas.set(i, 0xffff);
      this.far.set(i, v);
    }
  }

  get(i: number): number {
    const b = this.bases[i >>> CHUNK_BITS];
    if (b === undefined) return 0;
    const d = this.deltas.get(i);
    return d === 0xffff ? this.far.get(i) ?? b : b + d;
  }

  /** Frees the rows below `i` (see {@link Column.dropBefore}). */
  dropBefore(i: number): void {
    this.deltas.dropBefore(i);
    for (const k of this.far.keys()) if (k < i) this.far.delete(k);
  }

  bytes(): number {
    return this.deltas.bytes() + this.bases.length * 8 + this.far.size * 16;
  }
}

/** A growable list of row numbers (a filtered view): chunked like {@link Column}. */
export class RowList {
  private readonly col = new Column(Uint32Array);
  length = 0;
  push(row: number): void {
    this.col.set(this.length++, row);
  }
  get(i: number): number {
    return this.col.get(i);
  }
  /** Position of the first entry >= row (binary search: entries are increasing). */
  lowerBound(row: number): number {
    let lo = 0;
    let hi = this.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.col.get(mid) < row) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  bytes(): number {
    return this.col.bytes();
  }
  /** Frees the entries below position `i` (they read 0 afterwards). */
  dropBefore(i: number): void {
    this.col.dropBefore(i);
  }
}

/**
 * A column of increasing byte offsets (file or spool positions): one float per chunk plus a
 * 32-bit delta per row (4 bytes a row instead of 8).
 */
export class OffsetColumn {
  private readonly bases: number[] = [];
  private readonly deltas = new Column(Uint32Array);
  private readonly far = new Map<number, number>();

  set(i: number, v: number): void {
    const c = i >>> CHUNK_BITS;
    if (this.bases.length <= c) this.bases[c] = v;
    const d = v - this.bases[c];
    if (d >= 0 && d < 0x1_0000_0000) this.deltas.set(i, d);
    else {
      this.deltas.set(i, 0);
      this.far.set(i, v);
    }
  }

  get(i: number): number {
    const f = this.far.size ? this.far.get(i) : undefined;
    if (f !== undefined) return f;
    const b = this.bases[i >>> CHUNK_BITS];
    return b === undefined ? 0 : b + this.deltas.get(i);
  }

  bytes(): number {
    return this.deltas.bytes() + this.bases.length * 8;
  }

  /** Frees the rows below `i` (see {@link Column.dropBefore}). */
  dropBefore(i: number): void {
    this.deltas.dropBefore(i);
    if (this.far.size) for (const k of this.far.keys()) if (k < i) this.far.delete(k);
  }
}

/**
 * Increasing positions written row after row (where each row's records start in a spool): a base
 * per chunk and the 16-bit distance from each row to the next. Reading row i sums the distances
 * since the chunk's first row (at most 65535 additions: for the packet on screen, not per packet
 * of a scan). Half the bytes of {@link OffsetColumn}.
 */
export class RunOffsetColumn {
  private readonly bases: number[] = [];
  private readonly steps = new Column(Uint16Array);
  private readonly far = new Map<number, number>();
  private last = 0;
  private rows = 0;

  /** Sets row i = v; rows come in order (i = the previous row + 1), v never decreases. */
  set(i: number, v: number): void {
    if ((i & MASK) === 0) this.bases[i >>> CHUNK_BITS] = v;
    else {
      const d = v - this.last;
      if (d >= 0 && d < 0xffff) this.steps.set(i - 1, d);
      else {
        this.steps.set(i - 1, 0xffff);
        this.far.set(i - 1, d);
      }
    }
    this.last = v;
    this.rows = i + 1;
  }

  /** Frees the rows below `i`'s chunk (rows in later chunks never need them: each chunk has its base). */
  dropBefore(i: number): void {
    this.steps.dropBefore(i);
    for (const k of this.far.keys()) if (k < i) this.far.delete(k);
  }

  get(i: number): number {
    if (i >= this.rows) return 0;
    const c = i >>> CHUNK_BITS;
    let v = this.bases[c] ?? 0;
    for (let r = c << CHUNK_BITS; r < i; r++) {
      const d = this.steps.get(r);
      v += d === 0xffff ? this.far.get(r) ?? 0 : d;
    }
    return v;
  }

  bytes(): number {
    return this.steps.bytes() + this.bases.length * 8 + this.far.size * 16;
  }
}
