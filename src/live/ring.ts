/**
 * A ring of recent packets for the viewer: fixed memory whatever the rate. Packet bytes live in
 * one circular arena; metadata in typed arrays indexed by sequence number modulo the capacity.
 * The oldest entries are evicted when the count or the arena runs out. Entries are captured
 * packets (kind Captured) and what the engine emitted for them (kind = EmitKind + 1, `about` =
 * the sequence number of the captured packet they came from, or -1 for a timer's packet).
 */

export const RingKind = { Captured: 0 } as const;

export interface RingEntry {
  seq: number;
  /** 0: captured; 1 + EmitKind: emitted by the engine. */
  kind: number;
  /** For emitted entries: seq of the captured packet they come from (-1: a timer). */
  about: number;
  /** Packet number (captured) or the number of the packet it came from (emitted). */
  number: number;
  iface: number;
  linkType: number;
  tsSec: number;
  tsNsec: number;
  caplen: number;
  origLen: number;
  /** Drop reason code of a captured packet (0: none). */
  reason: number;
  /** A view into the arena: valid until the entry is evicted. Copy what you keep. */
  data: Uint8Array;
}

export class PacketRing {
  readonly arena: Uint8Array;
  private readonly off: Int32Array;
  private readonly caplen: Int32Array;
  private readonly origLen: Int32Array;
  private readonly kind: Uint8Array;
  private readonly about: Float64Array;
  private readonly number: Float64Array;
  private readonly iface: Int32Array;
  private readonly linkType: Int32Array;
  private readonly tsSec: Float64Array;
  private readonly tsNsec: Int32Array;
  private readonly reason: Int32Array;
  /** Next sequence number to be written. */
  head = 0;
  /** Oldest sequence number still held. */
  tail = 0;
  private writePos = 0;
  /** Entries evicted so far. */
  evicted = 0;

  constructor(readonly capacity = 16384, arenaBytes = 32 << 20) {
    this.arena = new Uint8Array(arenaBytes);
    this.off = new Int32Array(capacity);
    this.caplen = new Int32Array(capacity);
    this.origLen = new Int32Array(capacity);
    this.kind = new Uint8Array(capacity);
    this.about = new Float64Array(capacity);
    this.number = new Float64Array(capacity);
    this.iface = new Int32Array(capacity);
    this.linkType = new Int32Array(capacity);
    this.tsSec = new Float64Array(capacity);
    this.tsNsec = new Int32Array(capacity);
    this.reason = new Int32Array(capacity);
  }

  get size(): number {
    return this.head - this.tail;
  }

  /**
   * Copies a packet in; returns its sequence number. With `keepFrom`, entries from that sequence
   * number on are never evicted: when the packet would need that, nothing is written and -1 is
   * returned (the caller counts a drop).
   */
  push(bytes: Uint8Array, off: number, len: number, origLen: number, tsSec: number, tsNsec: number, linkType: number, iface: number, number: number, kind: number, about: number, keepFrom = Infinity): number {
    const cap = this.arena.length;
    if (len > cap) len = cap;
    // Where the bytes go, and the oldest entry that survives.
    let tail = this.tail;
    const head = this.head;
    if (head - tail === this.capacity) tail++;
    let p = this.writePos;
    if (p + len > cap) {
      // Wrap: the entries between writePos and the end are the oldest; they go first.
      while (tail < head && this.off[tail % this.capacity] >= p) tail++;
      p = 0;
    }
    // Then whatever the new bytes overlap (only the oldest entries can).
    while (tail < head) {
      const i = tail % this.capacity;
      const o = this.off[i];
      if (o < p + len && o + this.caplen[i] > p) tail++;
      else break;
    }
    if (tail > keepFrom) return -1;
    this.evicted += tail - this.tail;
    this.tail = tail;
    this.arena.set(len === bytes.length && off === 0 ? bytes : bytes.subarray(off, off + len), p);
    const seq = this.head++;
    const i = seq % this.capacity;
    this.off[i] = p;
    this.caplen[i] = len;
    this.origLen[i] = origLen;
    this.kind[i] = kind;
    this.about[i] = about;
    this.number[i] = number;
    this.iface[i] = iface;
    this.linkType[i] = linkType;
    this.tsSec[i] = tsSec;
    this.tsNsec[i] = tsNsec;
    this.reason[i] = 0;
    this.writePos = p + len;
    return seq;
  }

  /** Points `p` at entry `seq` without allocating (the caller checked has(seq)). */
  fill(seq: number, p: { data: Uint8Array; offset: number; caplen: number; origLen: number; tsSec: number; tsNsec: number; linkType: number; ifIndex: number; number: number }): void {
    const i = seq % this.capacity;
    p.data = this.arena;
    p.offset = this.off[i];
    p.caplen = this.caplen[i];
    p.origLen = this.origLen[i];
    p.tsSec = this.tsSec[i];
    p.tsNsec = this.tsNsec[i];
    p.linkType = this.linkType[i];
    p.ifIndex = this.iface[i];
    p.number = this.number[i];
  }

  /** Sets the drop reason of entry `seq` (if still held). */
  setReason(seq: number, reason: number): void {
    if (seq >= this.tail && seq < this.head) this.reason[seq % this.capacity] = reason;
  }

  has(seq: number): boolean {
    return seq >= this.tail && seq < this.head;
  }

  /** Entry `seq`, or null when evicted / not written yet. */
  get(seq: number): RingEntry | null {
    if (!this.has(seq)) return null;
    const i = seq % this.capacity;
    const o = this.off[i];
    return {
      seq,
      kind: this.kind[i],
      about: this.about[i],
      number: this.number[i],
      iface: this.iface[i],
      linkType: this.linkType[i],
      tsSec: this.tsSec[i],
      tsNsec: this.tsNsec[i],
      caplen: this.caplen[i],
      origLen: this.origLen[i],
      reason: this.reason[i],
      data: this.arena.subarray(o, o + this.caplen[i]),
    };
  }

  /** The entries held, oldest first (at most `max` of the newest). */
  recent(max = Infinity): RingEntry[] {
    const out: RingEntry[] = [];
    const from = Math.max(this.tail, this.head - max);
    for (let s = from; s < this.head; s++) out.push(this.get(s) as RingEntry);
    return out;
  }
}
