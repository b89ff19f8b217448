/**
 * The counterpart of a packet (what the engine emitted for it: its translation or reconstruction)
 * as analyze keeps it: a sink that reads the tuple of a plain counterpart as it is emitted, or
 * copies the head of any other for a full decode. Used by analyze on the main thread and by its
 * engine thread (src/replay/engine-thread.ts), which sends the sink's state per packet.
 */
import { L4 } from '../wire/layer-decoder.js';
import { EmitKind, type Clock, type XlatSink } from '../xlat/types.js';
import type { PacketTuple } from '../diag/rules/types.js';

/**
 * Record types of the stream analyze's engine thread sends (src/replay/engine-thread.ts): the low
 * 8 bits of a record's first word; the rest of that word is the record's length in words.
 */
export const Rec = {
  /** The sink's state after one packet ({@link CounterpartSink.writeRecord}). */
  Packet: 1,
  /** A drop about another packet than the current one (a timer's): reason, about. */
  Late: 2,
  /** After the drain: bib entries, sessions (as before the drain), translated, reconstructed, packets. */
  End: 3,
} as const;

/** The longest packet record, in words. */
export const REC_MAX = 7 + (192 >> 2);

/** Bytes of a counterpart that analyze looks at (headers; what a full decode of it sees). */
export const COPY = 192;

/**
 * The tuple of a plain counterpart (TCP, UDP or ICMP echo, no IPv6 extension header, no IPv4
 * option, not a fragment), read in {@link CounterpartSink.emit} from the engine's bytes: the
 * addresses are copied (to their offsets in an IP header of that family), nothing is decoded.
 * It holds exactly what a {@link PacketDecoder} gives for those packets; anything else (ICMP
 * errors above all) is copied and decoded in full.
 */
export class CounterpartTuple implements PacketTuple {
  ipVersion = 0;
  readonly bytes = new Uint8Array(40);
  srcOff = 0;
  dstOff = 0;
  proto = -1;
  l4 = 0;
  sport = -1;
  dport = -1;
  icmpType = -1;
  innerVersion = 0;

  /**
   * Reads the IP packet of `family` and length `len` whose first `have` bytes (all of them by
   * default) are at b[off..); false when it is not a plain one, or when its headers go beyond
   * what is at hand (the caller then joins the parts and tries again).
   */
  read(b: Uint8Array, off: number, len: number, family: number, have = len): boolean {
    // The full decode saw at most COPY bytes of the counterpart: the same limit here.
    const cap = len < COPY ? len : COPY;
    const end = off + (have < cap ? have : cap);
    let l4Off: number;
    let avail: number;
    let proto: number;
    if (family === 6) {
      if (cap < 40 || end - off < 40 || b[off] >> 4 !== 6) return false;
      const pl = (b[off + 4] << 8) | b[off + 5];
      proto = b[off + 6];
      if (pl === 0 || (proto !== 6 && proto !== 17 && proto !== 58)) return false;
      l4Off = off + 40;
      avail = cap - 40 < pl ? cap - 40 : pl;
      const t = this.bytes;
      for (let i = 8; i < 40; i++) t[i] = b[off + i];
      this.srcOff = 8;
      this.dstOff = 24;
    } else {
      if (cap < 20 || end - off < 20 || b[off] !== 0x45) return false;
      const tl = (b[off + 2] << 8) | b[off + 3];
      // Not a fragment (MF clear, offset 0); the DF bit may be set.
      if (tl < 20 || (((b[off + 6] << 8) | b[off + 7]) & 0x3fff) !== 0) return false;
      proto = b[off + 9];
      if (proto !== 6 && proto !== 17 && proto !== 1) return false;
      l4Off = off + 20;
      avail = cap - 20 < tl - 20 ? cap - 20 : tl - 20;
      const t = this.bytes;
      for (let i = 12; i < 20; i++) t[i] = b[off + i];
      this.srcOff = 12;
      this.dstOff = 16;
    }
    // Every byte read below lies before l4Off + 14 (TCP), l4Off + 8 (UDP, ICMP).
    if (l4Off + (proto === 6 ? 14 : 8) > end) return false;
    if (proto === 6) {
      const hl = (b[l4Off + 12] >> 4) * 4;
      if (avail < 20 || hl < 20 || hl > avail) return false;
      this.l4 = L4.TCP;
      this.icmpType = -1;
    } else if (proto === 17) {
      if (avail < 8) return false;
      this.l4 = L4.UDP;
      this.icmpType = -1;
    } else {
      const type = avail >= 8 ? b[l4Off] : -1;
      if (family === 6 ? type !== 128 && type !== 129 : type !== 0 && type !== 8) return false;
      this.l4 = family === 6 ? L4.ICMPV6 : L4.ICMP;
      this.icmpType = type;
      this.sport = this.dport = (b[l4Off + 4] << 8) | b[l4Off + 5];
    }
    if (proto !== 1 && proto !== 58) {
      this.sport = (b[l4Off] << 8) | b[l4Off + 1];
      this.dport = (b[l4Off + 2] << 8) | b[l4Off + 3];
    }
    this.ipVersion = family;
    this.proto = proto;
    return true;
  }
}

/**
 * Keeps the first counterpart the engine emits for the current packet: its tuple when it is a
 * plain packet ({@link CounterpartTuple}), else its first {@link COPY} bytes for a full decode.
 */
export class CounterpartSink implements XlatSink {
  readonly buf = new Uint8Array(COPY);
  readonly tuple = new CounterpartTuple();
  /** 0: no counterpart; 1: `tuple` holds it; 2: `buf[0..len)` holds its first bytes. */
  has = 0;
  len = 0;
  family = 0;
  kinds = 0;
  drop_ = 0;
  /** The number of the packet being processed; drops about other packets (timers) go to `late`. */
  cur = -1;
  late: (reason: number, about: number) => void = () => undefined;
  translated = 0;
  reconstructed = 0;
  clock: Clock = { sec: 0, nsec: 0 };
  /** tuple.bytes and buf as native-order words (a record carries them word by word). */
  private readonly tupleWords = new Int32Array(this.tuple.bytes.buffer, 0, 10);
  private readonly bufWords = new Int32Array(this.buf.buffer, 0, COPY >> 2);

  /**
   * Writes this sink's state after packet `n` as a {@link Rec.Packet} record into the ring `r`
   * (`mask` = its length - 1) at `pos`; at most {@link REC_MAX} words. `sumRel`: offset (from the
   * packet's first byte) of a folded upper-layer sum `sum` over `sumLen` bytes, or -1.
   * Returns the words written. Layout: [head, n, has | fromTranslator << 2 | family << 3 |
   * kinds << 8 | drop << 16, sumRel, sumLen, sum], then for a tuple [proto | l4 << 8 |
   * (icmpType + 1) << 16, sport | dport << 16, address words], for a copied head [len, words].
   * The translated/reconstructed counters are read only at the end: the End record has them.
   */
  writeRecord(r: Int32Array, mask: number, pos: number, n: number, fromTranslator: boolean, sumRel: number, sumLen: number, sum: number): number {
    const has = this.has;
    r[(pos + 1) & mask] = n;
    r[(pos + 2) & mask] = has | (fromTranslator ? 4 : 0) | (this.family << 3) | (this.kinds << 8) | (this.drop_ << 16);
    r[(pos + 3) & mask] = sumRel;
    r[(pos + 4) & mask] = sumLen;
    r[(pos + 5) & mask] = sum;
    let k = 6;
    if (has === 1) {
      const t = this.tuple;
      r[(pos + 6) & mask] = t.proto | (t.l4 << 8) | ((t.icmpType + 1) << 16);
      r[(pos + 7) & mask] = t.sport | (t.dport << 16);
      k = 8;
      const w = this.tupleWords;
      // The addresses: bytes 8..40 of an IPv6 header, 12..20 of an IPv4 one.
      const from = t.ipVersion === 6 ? 2 : 3;
      const to = t.ipVersion === 6 ? 10 : 5;
      for (let i = from; i < to; i++) r[(pos + k++) & mask] = w[i];
    } else if (has === 2) {
      r[(pos + 6) & mask] = this.len;
      k = 7;
      const w = this.bufWords;
      const words = (this.len + 3) >> 2;
      for (let i = 0; i < words; i++) r[(pos + k++) & mask] = w[i];
    }
    r[pos & mask] = Rec.Packet | (k << 8);
    return k;
  }

  /**
   * Restores the state a {@link writeRecord} record at `pos` carries (after {@link reset});
   * returns whether the packet came out of a translator (reconstruct() took it).
   */
  readRecord(r: Int32Array, mask: number, pos: number): boolean {
    const flags = r[(pos + 2) & mask];
    const has = flags & 3;
    this.has = has;
    this.family = (flags >> 3) & 7;
    this.kinds = (flags >> 8) & 0xff;
    this.drop_ = flags >>> 16;
    if (has === 1) {
      const t = this.tuple;
      const v = this.family;
      const a = r[(pos + 6) & mask];
      const ports = r[(pos + 7) & mask];
      t.ipVersion = v;
      t.proto = a & 0xff;
      t.l4 = (a >> 8) & 0xff;
      t.icmpType = (a >>> 16) - 1;
      t.sport = ports & 0xffff;
      t.dport = ports >>> 16;
      t.srcOff = v === 6 ? 8 : 12;
      t.dstOff = v === 6 ? 24 : 16;
      const w = this.tupleWords;
      const from = v === 6 ? 2 : 3;
      const to = v === 6 ? 10 : 5;
      let k = 8;
      for (let i = from; i < to; i++) w[i] = r[(pos + k++) & mask];
    } else if (has === 2) {
      const len = r[(pos + 6) & mask];
      this.len = len;
      const w = this.bufWords;
      const words = (len + 3) >> 2;
      for (let i = 0; i < words; i++) w[i] = r[(pos + 7 + i) & mask];
    }
    return (flags & 4) !== 0;
  }

  reset(): void {
    this.has = 0;
    this.len = 0;
    this.family = 0;
    this.kinds = 0;
    this.drop_ = 0;
  }
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind): void {
    if (this.count(kind)) this.keep(bytes, off, len, len, null, 0, family);
  }

  /**
   * XlatSink.emitSplit (engines that have it call it instead of emit): the packet is
   * head[headOff..headOff+headLen) then bytes[off..off+len); the tuple is read from the head,
   * the payload is never joined to it.
   */
  emitSplit(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind): void {
    if (this.count(kind)) this.keep(head, headOff, headLen + len, headLen, bytes, off, family);
  }

  /** Counts an emission; true when it is the counterpart to keep. */
  private count(kind: EmitKind): boolean {
    this.kinds |= 1 << kind;
    if (kind === EmitKind.Translated) this.translated++;
    else if (kind === EmitKind.Reconstructed) this.reconstructed++;
    return this.has === 0 && (kind === EmitKind.Translated || kind === EmitKind.Reconstructed || kind === EmitKind.Hairpinned);
  }

  /** A packet of `len` bytes: the first `have` at b[off..), the rest at rest[restOff..). */
  private keep(b: Uint8Array, off: number, len: number, have: number, rest: Uint8Array | null, restOff: number, family: 4 | 6): void {
    this.family = family;
    if (this.tuple.read(b, off, len, family, have)) {
      this.has = 1;
      return;
    }
    const n = len < COPY ? len : COPY;
    const buf = this.buf;
    const h = have < n ? have : n;
    for (let i = 0; i < h; i++) buf[i] = b[off + i];
    if (rest !== null) for (let i = h; i < n; i++) buf[i] = rest[restOff + i - h];
    this.len = n;
    this.has = have < n && this.tuple.read(buf, 0, len, family, n) ? 1 : 2;
  }
  drop(reason: number, about: number): void {
    if (about !== this.cur && about >= 0) this.late(reason, about);
    else if (this.drop_ === 0) this.drop_ = reason;
  }
}

