/** UDP (RFC 768). */
import { Problem } from './reasons.js';

export const F = { SRC_PORT: 0, DST_PORT: 2, LENGTH: 4, CHECKSUM: 6, HEADER_LEN: 8 } as const;

export class UdpView {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;

  /** `len` = bytes present from `off`. Length-field mismatches are the decoder's to judge. */
  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    return len < F.HEADER_LEN ? Problem.UdpTruncated : Problem.None;
  }

  srcPort(): number { return (this.bytes[this.off] << 8) | this.bytes[this.off + 1]; }
  dstPort(): number { return (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  length(): number { return (this.bytes[this.off + 4] << 8) | this.bytes[this.off + 5]; }
  checksum(): number { return (this.bytes[this.off + 6] << 8) | this.bytes[this.off + 7]; }
  payloadOffset(): number { return this.off + F.HEADER_LEN; }

  setSrcPort(v: number): void { this.bytes[this.off] = v >> 8; this.bytes[this.off + 1] = v & 0xff; }
  setDstPort(v: number): void { this.bytes[this.off + 2] = v >> 8; this.bytes[this.off + 3] = v & 0xff; }
  setChecksum(v: number): void { this.bytes[this.off + 6] = v >> 8; this.bytes[this.off + 7] = v & 0xff; }
}

/** Writes a UDP header (checksum 0: fill it with the pseudo-header). Returns 8. */
export function emitUdp(buf: Uint8Array, off: number, srcPort: number, dstPort: number, length: number): number {
  buf[off] = srcPort >> 8; buf[off + 1] = srcPort & 0xff;
  buf[off + 2] = dstPort >> 8; buf[off + 3] = dstPort & 0xff;
  buf[off + 4] = length >> 8; buf[off + 5] = length & 0xff;
  buf[off + 6] = 0; buf[off + 7] = 0;
  return F.HEADER_LEN;
}
