/**
 * Records by DNS name, looked up with the name's wire bytes straight from a packet: open
 * addressing over typed arrays (slot -> record index, slot -> hash), the names' lowercased wire
 * bytes in one array. A lookup is a hash probe and one byte compare, with no string and no boxed
 * number; the DNS64 engine does one per query and answer (Dns64Engine.firstRec).
 *
 * The caller hashes the name (it walks the labels anyway, checking them) and passes the bytes
 * from the first label's length byte up to, not including, the root label; names compare ASCII
 * case-insensitively (RFC 4343), as the stored bytes are lowercased.
 */
export class NameTable<R> {
  /** The records, in the order added (index = the value of a slot minus 1). */
  readonly recs: R[] = [];
  private slots = new Int32Array(1 << 10);
  private hashes = new Int32Array(1 << 10);
  private mask = (1 << 10) - 1;
  /** Per record: its hash, where its name's bytes start in {@link keys}, their length. */
  private recHash = new Int32Array(1 << 9);
  private keyAt = new Int32Array(1 << 9);
  private keyLen = new Int32Array(1 << 9);
  private keys = new Uint8Array(1 << 14);
  private keysTop = 0;

  get size(): number {
    return this.recs.length;
  }

  /** The record of the name at bytes[from .. to) with hash `h` (a small integer), or null. */
  find(h: number, bytes: Uint8Array, from: number, to: number): R | null {
    const slots = this.slots;
    const hashes = this.hashes;
    const mask = this.mask;
    const len = to - from;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const s = slots[i];
      if (s === 0) return null;
      if (hashes[i] === h && this.keyLen[s - 1] === len && this.same(bytes, from, len, this.keyAt[s - 1])) return this.recs[s - 1];
    }
  }

  /** Adds `rec` for the name at bytes[from .. to) with hash `h` (not in the table: see {@link find}). */
  add(h: number, bytes: Uint8Array, from: number, to: number, rec: R): void {
    const idx = this.recs.length;
    if ((idx + 1) * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    if (idx === this.recHash.length) {
      this.recHash = grown(this.recHash, idx * 2);
      this.keyAt = grown(this.keyAt, idx * 2);
      this.keyLen = grown(this.keyLen, idx * 2);
    }
    const len = to - from;
    if (this.keysTop + len > this.keys.length) {
      const k = new Uint8Array(Math.max(this.keys.length * 2, this.keysTop + len));
      k.set(this.keys.subarray(0, this.keysTop));
      this.keys = k;
    }
    const keys = this.keys;
    const at = this.keysTop;
    for (let i = 0; i < len; i++) {
      const c = bytes[from + i];
      keys[at + i] = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
    }
    this.keysTop += len;
    this.recs.push(rec);
    this.recHash[idx] = h;
    this.keyAt[idx] = at;
    this.keyLen[idx] = len;
    this.place(h, idx + 1);
  }

  private same(bytes: Uint8Array, from: number, len: number, at: number): boolean {
    const keys = this.keys;
    for (let i = 0; i < len; i++) {
      const c = bytes[from + i];
      if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== keys[at + i]) return false;
    }
    return true;
  }

  private place(h: number, v: number): void {
    const mask = this.mask;
    let i = h & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = v;
    this.hashes[i] = h;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    this.hashes = new Int32Array(size);
    this.mask = size - 1;
    for (let k = 0; k < this.recs.length; k++) this.place(this.recHash[k], k + 1);
  }
}

function grown(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}
