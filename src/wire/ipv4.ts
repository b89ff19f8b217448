/** IPv4 (RFC 791): header view with options and fragments, and emit. */
import { Problem } from './reasons.js';
import { sum, fold, finish } from './checksum.js';

export const F = {
  VER_IHL: 0, TOS: 1, TOTAL_LENGTH: 2, IDENT: 4, FLAGS_FRAG: 6, TTL: 8, PROTOCOL: 9, CHECKSUM: 10,
  SRC: 12, DST: 16, MIN_HEADER_LEN: 20,
} as const;

export const IpProto = {
  HOPOPT: 0, ICMP: 1, IGMP: 2, TCP: 6, UDP: 17, IPV6: 41, ROUTING: 43, FRAGMENT: 44, GRE: 47,
  ESP: 50, AH: 51, ICMPV6: 58, NONE: 59, DSTOPTS: 60, MOBILITY: 135, HIP: 139, SHIM6: 140,
  EXP1: 253, EXP2: 254,
} as const;

/** IPv4 option types (RFC 791, IANA ip-parameters). */
export const Ipv4Option = { EOL: 0, NOP: 1, LSRR: 131, SSRR: 137, RR: 7, TS: 68 } as const;

export class Ipv4View {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  /** Bytes available from `off` (captured). */
  len = 0;
  /** Header length in bytes. */
  hdrLen = 0;
  /** Total length used for the payload: the header's, or the captured length when that is 0. */
  totalLen = 0;
  /** Payload bytes actually present in the capture. */
  payloadCaptured = 0;
  /** True when the capture holds fewer bytes than total length. */
  captureShort = false;
  /** True when a loose/strict source route option with pointer not past its end is present. */
  sourceRoute = false;

  /**
   * Checks the header. Returns Problem.None, or a code; Ipv4TotalLengthZero and
   * Ipv4CaptureShort leave the view usable (accessors work, payload limited to what was captured).
   */
  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.hdrLen = 0;
    this.totalLen = 0;
    this.payloadCaptured = 0;
    this.captureShort = false;
    this.sourceRoute = false;
    if (len < F.MIN_HEADER_LEN) return Problem.Ipv4Truncated;
    const vi = bytes[off];
    if (vi >> 4 !== 4) return Problem.Ipv4BadVersion;
    const hl = (vi & 0x0f) * 4;
    if (hl < F.MIN_HEADER_LEN) return Problem.Ipv4BadIhl;
    if (hl > len) return Problem.Ipv4Truncated;
    this.hdrLen = hl;
    let tl = (bytes[off + 2] << 8) | bytes[off + 3];
    let code: number = Problem.None;
    if (tl === 0) {
      tl = len;
      code = Problem.Ipv4TotalLengthZero;
    } else if (tl < hl) {
      return Problem.Ipv4BadTotalLength;
    }
    this.totalLen = tl;
    if (tl > len) {
      this.captureShort = true;
      this.payloadCaptured = len - hl;
      if (code === Problem.None) code = Problem.Ipv4CaptureShort;
    } else {
      this.payloadCaptured = tl - hl;
    }
    if (hl > F.MIN_HEADER_LEN) {
      const oc = this.scanOptions();
      if (oc !== Problem.None && code === Problem.None) code = oc;
    }
    return code;
  }

  private scanOptions(): number {
    const b = this.bytes;
    let p = this.off + F.MIN_HEADER_LEN;
    const end = this.off + this.hdrLen;
    while (p < end) {
      const t = b[p];
      if (t === Ipv4Option.EOL) break;
      if (t === Ipv4Option.NOP) { p++; continue; }
      if (p + 1 >= end) return Problem.Ipv4BadOptions;
      const ol = b[p + 1];
      if (ol < 2 || p + ol > end) return Problem.Ipv4BadOptions;
      if ((t === Ipv4Option.LSRR || t === Ipv4Option.SSRR) && ol >= 3) {
        // RFC 791: the route is unexpired while pointer <= length.
        if (b[p + 2] <= ol) this.sourceRoute = true;
      }
      p += ol;
    }
    return Problem.None;
  }

  version(): number { return this.bytes[this.off] >> 4; }
  headerLength(): number { return this.hdrLen; }
  tos(): number { return this.bytes[this.off + 1]; }
  dscp(): number { return this.bytes[this.off + 1] >> 2; }
  ecn(): number { return this.bytes[this.off + 1] & 3; }
  /** The total length field as written (0 for offloaded frames). */
  totalLengthField(): number { return (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  ident(): number { return (this.bytes[this.off + 4] << 8) | this.bytes[this.off + 5]; }
  dontFragment(): boolean { return (this.bytes[this.off + 6] & 0x40) !== 0; }
  moreFragments(): boolean { return (this.bytes[this.off + 6] & 0x20) !== 0; }
  reservedFlag(): boolean { return (this.bytes[this.off + 6] & 0x80) !== 0; }
  /** Fragment offset in bytes. */
  fragOffset(): number { return (((this.bytes[this.off + 6] & 0x1f) << 8) | this.bytes[this.off + 7]) * 8; }
  isFragment(): boolean { return this.moreFragments() || this.fragOffset() !== 0; }
  ttl(): number { return this.bytes[this.off + 8]; }
  protocol(): number { return this.bytes[this.off + 9]; }
  checksum(): number { return (this.bytes[this.off + 10] << 8) | this.bytes[this.off + 11]; }
  srcOffset(): number { return this.off + F.SRC; }
  dstOffset(): number { return this.off + F.DST; }
  src(): number { return u32(this.bytes, this.off + F.SRC); }
  dst(): number { return u32(this.bytes, this.off + F.DST); }
  payloadOffset(): number { return this.off + this.hdrLen; }
  /** Payload length according to the header (total length - header length). */
  payloadLength(): number { return this.totalLen - this.hdrLen; }
  /** True when the header checksum verifies. */
  checksumOk(): boolean { return fold(sum(this.bytes, this.off, this.hdrLen)) === 0xffff; }

  setTtl(v: number): void { this.bytes[this.off + 8] = v; }
  setChecksum(v: number): void { this.bytes[this.off + 10] = v >> 8; this.bytes[this.off + 11] = v & 0xff; }
  fillChecksum(): void {
    this.setChecksum(0);
    this.setChecksum(finish(sum(this.bytes, this.off, this.hdrLen)));
  }
}

export function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

export interface Ipv4Fields {
  tos?: number;
  totalLength: number;
  ident?: number;
  dontFragment?: boolean;
  moreFragments?: boolean;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  ttl?: number;
  protocol: number;
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
  /** Raw option bytes (padded to a multiple of 4 by emit). */
  options?: ArrayLike<number>;
  /** Checksum to store; omitted = computed. */
  checksum?: number;
}

/** Writes an IPv4 header (with a correct checksum unless one is given); returns its length. */
export function emitIpv4(buf: Uint8Array, off: number, f: Ipv4Fields): number {
  const optLen = f.options ? (f.options.length + 3) & ~3 : 0;
  const hl = F.MIN_HEADER_LEN + optLen;
  buf[off] = 0x40 | (hl >> 2);
  buf[off + 1] = f.tos ?? 0;
  buf[off + 2] = f.totalLength >> 8;
  buf[off + 3] = f.totalLength & 0xff;
  const id = f.ident ?? 0;
  buf[off + 4] = id >> 8;
  buf[off + 5] = id & 0xff;
  const fo = ((f.fragOffset ?? 0) >> 3) | (f.dontFragment ? 0x4000 : 0) | (f.moreFragments ? 0x2000 : 0);
  buf[off + 6] = fo >> 8;
  buf[off + 7] = fo & 0xff;
  buf[off + 8] = f.ttl ?? 64;
  buf[off + 9] = f.protocol;
  buf[off + 10] = 0;
  buf[off + 11] = 0;
  for (let i = 0; i < 4; i++) {
    buf[off + 12 + i] = f.src[i];
    buf[off + 16 + i] = f.dst[i];
  }
  if (f.options) {
    buf.fill(0, off + 20, off + hl);
    for (let i = 0; i < f.options.length; i++) buf[off + 20 + i] = f.options[i];
  }
  const c = f.checksum ?? finish(sum(buf, off, hl));
  buf[off + 10] = c >> 8;
  buf[off + 11] = c & 0xff;
  return hl;
}
