/**
 * Interning of IPv6 addresses into small integers, so that the NAT64 tables can key IPv6
 * transport addresses by a number (`id * 65536 + port`) instead of building a string per packet.
 * An open-addressing hash table over a Uint32Array of address words: lookups allocate nothing.
 *
 * Ids are never recycled (an address seen once keeps its id for the life of the engine): the
 * number of distinct IPv6 addresses in a capture is small next to its packets.
 */

const EMPTY = 0;

export class Addr6Intern {
  /** Address words, 4 per id. */
  private words = new Uint32Array(64 * 4);
  /** Hash slot -> id + 1 (0 = empty). Size is a power of two. */
  private slots = new Int32Array(128);
  private mask = 127;
  count = 0;

  /** The id of the address at b[off..off+16), or -1 when it was never interned. */
  find(b: Uint8Array, off: number): number {
    const w0 = word(b, off), w1 = word(b, off + 4), w2 = word(b, off + 8), w3 = word(b, off + 12);
    let i = hash(w0, w1, w2, w3) & this.mask;
    for (;;) {
      const s = this.slots[i];
      if (s === EMPTY) return -1;
      const id = s - 1;
      const p = id * 4;
      const w = this.words;
      if (w[p] === w0 && w[p + 1] === w1 && w[p + 2] === w2 && w[p + 3] === w3) return id;
      i = (i + 1) & this.mask;
    }
  }

  /** The id of the address at b[off..off+16), interning it if new. */
  intern(b: Uint8Array, off: number): number {
    const found = this.find(b, off);
    if (found >= 0) return found;
    if ((this.count + 1) * 2 > this.slots.length) this.grow();
    const id = this.count++;
    if (id * 4 + 4 > this.words.length) {
      const nw = new Uint32Array(this.words.length * 2);
      nw.set(this.words);
      this.words = nw;
    }
    const p = id * 4;
    this.words[p] = word(b, off);
    this.words[p + 1] = word(b, off + 4);
    this.words[p + 2] = word(b, off + 8);
    this.words[p + 3] = word(b, off + 12);
    this.place(id);
    return id;
  }

  /** The address words, 4 per id (big-endian words of the address); replaced as the table grows. */
  addressWords(): Uint32Array {
    return this.words;
  }

  /** Writes the address of `id` into out[off..off+16). */
  copyTo(id: number, out: Uint8Array, off: number): void {
    const p = id * 4;
    for (let k = 0; k < 4; k++) {
      const v = this.words[p + k];
      out[off + k * 4] = v >>> 24;
      out[off + k * 4 + 1] = (v >>> 16) & 0xff;
      out[off + k * 4 + 2] = (v >>> 8) & 0xff;
      out[off + k * 4 + 3] = v & 0xff;
    }
  }

  /** A new 16-byte array holding the address of `id` (snapshots only). */
  bytes(id: number): Uint8Array {
    const out = new Uint8Array(16);
    this.copyTo(id, out, 0);
    return out;
  }

  /** First 4 bytes of hash of the address of `id` (used for deterministic port selection). */
  hashOf(id: number): number {
    const p = id * 4;
    return hash(this.words[p], this.words[p + 1], this.words[p + 2], this.words[p + 3]);
  }

  private place(id: number): void {
    const p = id * 4;
    let i = hash(this.words[p], this.words[p + 1], this.words[p + 2], this.words[p + 3]) & this.mask;
    while (this.slots[i] !== EMPTY) i = (i + 1) & this.mask;
    this.slots[i] = id + 1;
  }

  private grow(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.count; id++) this.place(id);
  }
}

function word(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** A 32-bit mix of four words (murmur3 finalizer on a multiplicative combination). */
export function hash(w0: number, w1: number, w2: number, w3: number): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ w0, 0x01000193);
  h = Math.imul(h ^ w1, 0x01000193);
  h = Math.imul(h ^ w2, 0x01000193);
  h = Math.imul(h ^ w3, 0x01000193);
  return fmix(h);
}

export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
