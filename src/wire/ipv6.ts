/** IPv6 (RFC 8200): fixed header, extension-header walk, fragment header, and emit. */
import { Problem } from './reasons.js';
import { IpProto } from './ipv4.js';

export const F = {
  VER_TC_FL: 0, PAYLOAD_LENGTH: 4, NEXT_HEADER: 6, HOP_LIMIT: 7, SRC: 8, DST: 24, HEADER_LEN: 40,
} as const;

/** Fragment header layout (RFC 8200 §4.5). */
export const FRAG = { NEXT_HEADER: 0, RESERVED: 1, OFFSET_FLAGS: 2, IDENT: 4, LEN: 8 } as const;

const MAX_EXT = 16;

/** True for the protocol numbers of the IANA IPv6 Extension Header Types registry. */
export function isExtensionHeader(nh: number): boolean {
  return nh === IpProto.HOPOPT || nh === IpProto.ROUTING || nh === IpProto.FRAGMENT ||
    nh === IpProto.DSTOPTS || nh === IpProto.AH || nh === IpProto.ESP || nh === IpProto.MOBILITY ||
    nh === IpProto.HIP || nh === IpProto.SHIM6 || nh === IpProto.EXP1 || nh === IpProto.EXP2;
}

export class Ipv6View {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  /** Payload length used (field, or what was captured when the field is 0). */
  payloadLen = 0;
  captureShort = false;
  /** Protocol after the extension headers (59 = no next header). */
  finalProto = 0;
  /** Offset of the upper-layer header (after all extension headers). */
  upperOff = 0;
  /** Bytes of extension headers. */
  extLen = 0;
  extCount = 0;
  /** Fragment header: offset of it, or -1; its fields. */
  fragHdrOff = -1;
  fragId = 0;
  fragOffsetBytes = 0;
  fragMore = false;
  /** Routing header: offset or -1; type and segments left. */
  routingOff = -1;
  routingType = 0;
  segmentsLeft = 0;
  hasHopByHop = false;
  hasDestOpts = false;
  /** An extension header the decoder does not know the format of was skipped by its length. */
  unknownExt = false;

  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.payloadLen = 0;
    this.captureShort = false;
    this.finalProto = IpProto.NONE;
    this.upperOff = off + len;
    this.extLen = 0;
    this.extCount = 0;
    this.fragHdrOff = -1;
    this.fragId = 0;
    this.fragOffsetBytes = 0;
    this.fragMore = false;
    this.routingOff = -1;
    this.routingType = 0;
    this.segmentsLeft = 0;
    this.hasHopByHop = false;
    this.hasDestOpts = false;
    this.unknownExt = false;
    if (len < F.HEADER_LEN) return Problem.Ipv6Truncated;
    if (bytes[off] >> 4 !== 6) return Problem.Ipv6BadVersion;
    let pl = (bytes[off + 4] << 8) | bytes[off + 5];
    let code: number = Problem.None;
    const avail = len - F.HEADER_LEN;
    if (pl === 0) {
      pl = avail;
      if (avail > 0) code = Problem.Ipv6Jumbo;
    }
    if (pl > avail) {
      this.captureShort = true;
      code = Problem.Ipv6CaptureShort;
    }
    this.payloadLen = pl;
    const end = off + F.HEADER_LEN + Math.min(pl, avail);
    let nh = bytes[off + 6];
    let p = off + F.HEADER_LEN;
    while (isExtensionHeader(nh)) {
      if (nh === IpProto.ESP) {
        // Everything after ESP is encrypted.
        this.finalProto = nh;
        this.upperOff = p;
        this.extLen = p - off - F.HEADER_LEN;
        return code === Problem.None ? Problem.Ipv6Esp : code;
      }
      if (this.extCount === MAX_EXT) return Problem.Ipv6TooManyExt;
      if (nh === IpProto.HOPOPT && this.extCount !== 0) return Problem.Ipv6HopByHopNotFirst;
      if (p + 8 > end) return this.captureShort ? Problem.Ipv6CaptureShort : Problem.Ipv6ExtTruncated;
      let hl: number;
      if (nh === IpProto.FRAGMENT) {
        hl = FRAG.LEN;
        this.fragHdrOff = p;
        const of = (bytes[p + 2] << 8) | bytes[p + 3];
        this.fragOffsetBytes = of & 0xfff8;
        this.fragMore = (of & 1) !== 0;
        this.fragId = ((bytes[p + 4] << 24) | (bytes[p + 5] << 16) | (bytes[p + 6] << 8) | bytes[p + 7]) >>> 0;
      } else if (nh === IpProto.AH) {
        hl = (bytes[p + 1] + 2) * 4;
      } else {
        hl = (bytes[p + 1] + 1) * 8;
        if (nh === IpProto.ROUTING) {
          this.routingOff = p;
          this.routingType = bytes[p + 2];
          this.segmentsLeft = bytes[p + 3];
        } else if (nh === IpProto.HOPOPT) this.hasHopByHop = true;
        else if (nh === IpProto.DSTOPTS) this.hasDestOpts = true;
        else this.unknownExt = true;
      }
      if (p + hl > end) return this.captureShort ? Problem.Ipv6CaptureShort : Problem.Ipv6ExtTruncated;
      nh = bytes[p];
      p += hl;
      this.extCount++;
      // A non-first fragment carries no upper-layer header.
      if (this.fragHdrOff >= 0 && this.fragOffsetBytes !== 0) break;
    }
    this.finalProto = nh;
    this.upperOff = p;
    this.extLen = p - off - F.HEADER_LEN;
    return code;
  }

  version(): number { return this.bytes[this.off] >> 4; }
  trafficClass(): number { return ((this.bytes[this.off] & 0x0f) << 4) | (this.bytes[this.off + 1] >> 4); }
  flowLabel(): number { return ((this.bytes[this.off + 1] & 0x0f) << 16) | (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  payloadLengthField(): number { return (this.bytes[this.off + 4] << 8) | this.bytes[this.off + 5]; }
  nextHeader(): number { return this.bytes[this.off + 6]; }
  hopLimit(): number { return this.bytes[this.off + 7]; }
  srcOffset(): number { return this.off + F.SRC; }
  dstOffset(): number { return this.off + F.DST; }
  isFragment(): boolean { return this.fragHdrOff >= 0; }
  /** Upper-layer length per the header: payload length minus extension headers. */
  upperLength(): number { return this.payloadLen - this.extLen; }
  /** Upper-layer bytes present in the capture. */
  upperCaptured(): number {
    const avail = this.off + this.len - this.upperOff;
    const ul = this.upperLength();
    return ul < avail ? ul : avail;
  }

  setHopLimit(v: number): void { this.bytes[this.off + 7] = v; }
}

export interface Ipv6Fields {
  trafficClass?: number;
  flowLabel?: number;
  payloadLength: number;
  nextHeader: number;
  hopLimit?: number;
  src: ArrayLike<number>;
  dst: ArrayLike<number>;
}

/** Writes the 40-byte fixed header; returns 40. */
export function emitIpv6(buf: Uint8Array, off: number, f: Ipv6Fields): number {
  const tc = f.trafficClass ?? 0;
  const fl = f.flowLabel ?? 0;
  buf[off] = 0x60 | (tc >> 4);
  buf[off + 1] = ((tc & 0x0f) << 4) | ((fl >> 16) & 0x0f);
  buf[off + 2] = (fl >> 8) & 0xff;
  buf[off + 3] = fl & 0xff;
  buf[off + 4] = f.payloadLength >> 8;
  buf[off + 5] = f.payloadLength & 0xff;
  buf[off + 6] = f.nextHeader;
  buf[off + 7] = f.hopLimit ?? 64;
  for (let i = 0; i < 16; i++) {
    buf[off + 8 + i] = f.src[i];
    buf[off + 24 + i] = f.dst[i];
  }
  return F.HEADER_LEN;
}

/** Writes a fragment header (RFC 8200 §4.5); offset in bytes. Returns 8. */
export function emitFragmentHeader(buf: Uint8Array, off: number, nextHeader: number, offsetBytes: number, more: boolean, ident: number): number {
  buf[off] = nextHeader;
  buf[off + 1] = 0;
  const of = (offsetBytes & 0xfff8) | (more ? 1 : 0);
  buf[off + 2] = of >> 8;
  buf[off + 3] = of & 0xff;
  buf[off + 4] = (ident >>> 24) & 0xff;
  buf[off + 5] = (ident >>> 16) & 0xff;
  buf[off + 6] = (ident >>> 8) & 0xff;
  buf[off + 7] = ident & 0xff;
  return FRAG.LEN;
}

/**
 * Writes a generic extension header (hop-by-hop, destination options, routing) of `len` bytes
 * (a multiple of 8, at least 8), padded with PadN; for routing headers pass type and segments left.
 */
export function emitExtensionHeader(buf: Uint8Array, off: number, nextHeader: number, len: number, routing?: { type: number; segmentsLeft: number }): number {
  buf.fill(0, off, off + len);
  buf[off] = nextHeader;
  buf[off + 1] = len / 8 - 1;
  if (routing) {
    buf[off + 2] = routing.type;
    buf[off + 3] = routing.segmentsLeft;
  } else if (len - 2 >= 2) {
    buf[off + 2] = 1; // PadN
    buf[off + 3] = len - 4;
  }
  return len;
}
