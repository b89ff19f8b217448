/**
 * An open-addressing hash table from three 32-bit integers to a non-negative integer: the NAT64
 * tables' index (BIB entry by IPv6 or IPv4 transport address, session by BIB entry and remote
 * transport address, sessions per remote address).
 *
 * Why not a Map: the natural number keys (`addr * 65536 + port`) leave V8's small-integer range,
 * so every lookup boxes a heap number and hashes it; per-BIB-entry Maps cost ~100 bytes each.
 * Here a slot is four words of one Int32Array, the key and the value + 1 (0: a free slot), at
 * most two thirds of the slots in use (memory is what a long capture's tables cost most), so a
 * probe reads one cache line, lookups allocate nothing, the garbage collector has nothing to trace
 * (the values are ids into typed arrays: bib.ts, session-table.ts), and deletion shifts the probe
 * chain back (no tombstones), so the table never degrades however many entries come and go.
 */

const MIN_CAPACITY = 64;
/** Words per slot: a, b, c, value + 1. */
const W = 4;

export class KeyTable {
  private slots: Int32Array;
  private mask: number;
  size = 0;

  constructor(capacity = MIN_CAPACITY) {
    let c = MIN_CAPACITY;
    while (c < capacity * 2) c *= 2;
    this.slots = new Int32Array(c * W);
    this.mask = c - 1;
  }

  /** The value of key (a, b, c), or -1. */
  get(a: number, b: number, c: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    const s = this.slots;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const k = i * W;
      const v = s[k + 3];
      if (v === 0) return -1;
      if (s[k] === a && s[k + 1] === b && s[k + 2] === c) return v - 1;
      i = (i + 1) & mask;
    }
  }

  has(a: number, b: number, c: number): boolean {
    return this.get(a, b, c) >= 0;
  }

  /** Inserts or replaces. `v` must be in [0, 2^31 - 1). */
  set(a: number, b: number, c: number, v: number): void {
    a |= 0;
    b |= 0;
    c |= 0;
    if ((this.size + 1) * 3 > (this.mask + 1) * 2) this.grow();
    const s = this.slots;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const k = i * W;
      if (s[k + 3] === 0) {
        s[k] = a;
        s[k + 1] = b;
        s[k + 2] = c;
        s[k + 3] = v + 1;
        this.size++;
        return;
      }
      if (s[k] === a && s[k + 1] === b && s[k + 2] === c) {
        s[k + 3] = v + 1;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  /** Removes the entry; returns its value (-1 when there was none). */
  delete(a: number, b: number, c: number): number {
    a |= 0;
    b |= 0;
    c |= 0;
    const s = this.slots;
    const mask = this.mask;
    let i = slotOf(a, b, c) & mask;
    for (;;) {
      const k = i * W;
      if (s[k + 3] === 0) return -1;
      if (s[k] === a && s[k + 1] === b && s[k + 2] === c) break;
      i = (i + 1) & mask;
    }
    const removed = s[i * W + 3] - 1;
    // Backward-shift deletion (Knuth 6.4 algorithm R): move later members of the probe chain
    // into the hole when their home slot does not lie cyclically in (hole, their slot].
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const kj = j * W;
      const v = s[kj + 3];
      if (v === 0) break;
      const home = slotOf(s[kj], s[kj + 1], s[kj + 2]) & mask;
      const inRange = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (inRange) continue;
      const kh = hole * W;
      s[kh] = s[kj];
      s[kh + 1] = s[kj + 1];
      s[kh + 2] = s[kj + 2];
      s[kh + 3] = v;
      hole = j;
    }
    s[hole * W + 3] = 0;
    this.size--;
    return removed;
  }

  /** Every value, in slot order (callers that need an order sort). */
  values(): number[] {
    const out: number[] = [];
    const s = this.slots;
    for (let k = 3; k < s.length; k += W) if (s[k] !== 0) out.push(s[k] - 1);
    return out;
  }

  private grow(): void {
    const old = this.slots;
    const c = (this.mask + 1) * 2;
    this.slots = new Int32Array(c * W);
    this.mask = c - 1;
    this.size = 0;
    for (let k = 0; k < old.length; k += W) {
      const v = old[k + 3];
      if (v !== 0) this.set(old[k], old[k + 1], old[k + 2], v - 1);
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
