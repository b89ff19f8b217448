/**
 * An open-addressing hash table from three 32-bit integers to a value: the NAT64 tables' index
 * (BIB by IPv6 or IPv4 transport address, sessions by BIB entry and remote transport address).
 *
 * Why not a Map: the natural number keys (`addr * 65536 + port`) leave V8's small-integer range,
 * so every lookup boxes a heap number and hashes it; per-BIB-entry Maps cost ~100 bytes each.
 * Here keys live in one Int32Array, lookups allocate nothing, and deletion shifts the probe chain
 * back (no tombstones), so the table never degrades however many entries come and go.
 */

const MIN_CAPACITY = 64;

export class KeyTable<V> {
  /** Keys, 3 per slot; a slot is free when its value is undefined. */
  private keys: Int32Array;
  private vals: (V | undefined)[];
  private mask: number;
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity * 2) c *= 2;
    this.keys = new Int32Array(c * 3);
    this.vals = new Array<V | undefined>(c).fill(undefined);
    this.mask = c - 1;
  }

  get(a: number, b: number, c: number): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const v = vals[i];
      if (v === undefined) return undefined;
      const k = i * 3;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) return v;
      i = (i + 1) & mask;
    }
  }

  has(a: number, b: number, c: number): boolean {
    return this.get(a, b, c) !== undefined;
  }

  /** Inserts or replaces. `v` must not be undefined. */
  set(a: number, b: number, c: number, v: V): void {
    a |= 0;
    b |= 0;
    c |= 0;
    if ((this.size + 1) * 2 > this.vals.length) this.grow();
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const k = i * 3;
      if (vals[i] === undefined) {
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        vals[i] = v;
        this.size++;
        return;
      }
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) {
        vals[i] = v;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes the entry; returns its value (undefined when there was none). */
  delete(a: number, b: number, c: number): V | undefined {
    a |= 0;
    b |= 0;
    c |= 0;
    const keys = this.keys;
    const vals = this.vals;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const v = vals[i];
      if (v === undefined) return undefined;
      const k = i * 3;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c) break;
      i = (i + 1) & mask;
    }
    const removed = vals[i];
    // Backward-shift deletion (Knuth 6.4 algorithm R): move later members of the probe chain
    // into the hole when their home slot does not lie cyclically in (hole, their slot].
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const v = vals[j];
      if (v === undefined) break;
      const kj = j * 3;
      const home = slotOf(keys[kj], keys[kj + 1], keys[kj + 2]) & mask;
      const inRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (inRange) continue;
      const kh = hole * 3;
      keys[kh] = keys[kj];
      keys[kh + 1] = keys[kj + 1];
      keys[kh + 2] = keys[kj + 2];
      vals[hole] = v;
      hole = j;
    }
    vals[hole] = undefined;
    this.size--;
    return removed;
  }

  /** Every value, in slot order (callers that need an order sort). */
  values(): V[] {
    const out: V[] = [];
    for (const v of this.vals) if (v !== undefined) out.push(v);
    return out;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldVals = this.vals;
    const c = oldVals.length * 2;
    this.keys = new Int32Array(c * 3);
    this.vals = new Array<V | undefined>(c).fill(undefined);
    this.mask = c - 1;
    this.size = 0;
    for (let i = 0; i < oldVals.length; i++) {
      const v = oldVals[i];
      if (v !== undefined) this.set(oldKeys[i * 3], oldKeys[i * 3 + 1], oldKeys[i * 3 + 2], v);
    }
  }
}

/** A 32-bit mix of three words (murmur3-style). */
function slotOf(a: number, b: number, c: number): number {
  let h = Math.imul(a, 0xcc9e2d51) ^ Math.imul(b ^ (b >>> 16), 0x1b873593) ^ Math.imul(c, 0x9e3779b1);
  h ^= h >>> 15;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
