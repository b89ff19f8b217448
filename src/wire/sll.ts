/**
 * Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113, 16 bytes) and LINKTYPE_LINUX_SLL2
 * (276, 20 bytes), as written by `tcpdump -i any`.
 */
import { Problem } from './reasons.js';

export const F1 = { PKTTYPE: 0, HATYPE: 2, ADDR_LEN: 4, ADDR: 6, PROTOCOL: 14, HEADER_LEN: 16 } as const;
export const F2 = { PROTOCOL: 0, RESERVED: 2, IFINDEX: 4, HATYPE: 8, PKTTYPE: 10, ADDR_LEN: 11, ADDR: 12, HEADER_LEN: 20 } as const;

/** sll_pkttype values. */
export const SllPacketType = { HOST: 0, BROADCAST: 1, MULTICAST: 2, OTHERHOST: 3, OUTGOING: 4 } as const;

export class SllView {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  /** 1 for SLL, 2 for SLL2. */
  version = 1;
  protocol = 0;
  packetType = 0;
  hatype = 0;
  ifIndex = -1;
  payloadOff = 0;

  reset(bytes: Uint8Array, off: number, len: number, version: 1 | 2): number {
    this.bytes = bytes;
    this.off = off;
    this.version = version;
    this.ifIndex = -1;
    const hl = version === 1 ? F1.HEADER_LEN : F2.HEADER_LEN;
    this.payloadOff = off + len;
    if (len < hl) {
      this.protocol = 0;
      return Problem.SllTruncated;
    }
    if (version === 1) {
      this.packetType = (bytes[off] << 8) | bytes[off + 1];
      this.hatype = (bytes[off + 2] << 8) | bytes[off + 3];
      this.protocol = (bytes[off + 14] << 8) | bytes[off + 15];
    } else {
      this.protocol = (bytes[off] << 8) | bytes[off + 1];
      this.ifIndex = ((bytes[off + 4] << 24) | (bytes[off + 5] << 16) | (bytes[off + 6] << 8) | bytes[off + 7]) >>> 0;
      this.hatype = (bytes[off + 8] << 8) | bytes[off + 9];
      this.packetType = bytes[off + 10];
    }
    this.payloadOff = off + hl;
    return Problem.None;
  }

  headerLength(): number {
    return this.version === 1 ? F1.HEADER_LEN : F2.HEADER_LEN;
  }
}

/** Writes an SLL (v1) header for an outgoing/incoming packet; returns 16. */
export function emitSll(buf: Uint8Array, off: number, packetType: number, protocol: number, addr: ArrayLike<number> = [], hatype = 1): number {
  buf.fill(0, off, off + F1.HEADER_LEN);
  buf[off + 1] = packetType;
  buf[off + 2] = hatype >> 8;
  buf[off + 3] = hatype & 0xff;
  buf[off + 5] = Math.min(addr.length, 8);
  for (let i = 0; i < Math.min(addr.length, 8); i++) buf[off + 6 + i] = addr[i];
  buf[off + 14] = protocol >> 8;
  buf[off + 15] = protocol & 0xff;
  return F1.HEADER_LEN;
}

/** Writes an SLL2 header; returns 20. */
export function emitSll2(buf: Uint8Array, off: number, packetType: number, protocol: number, ifIndex: number, addr: ArrayLike<number> = [], hatype = 1): number {
  buf.fill(0, off, off + F2.HEADER_LEN);
  buf[off] = protocol >> 8;
  buf[off + 1] = protocol & 0xff;
  buf[off + 4] = (ifIndex >>> 24) & 0xff;
  buf[off + 5] = (ifIndex >>> 16) & 0xff;
  buf[off + 6] = (ifIndex >>> 8) & 0xff;
  buf[off + 7] = ifIndex & 0xff;
  buf[off + 8] = hatype >> 8;
  buf[off + 9] = hatype & 0xff;
  buf[off + 10] = packetType;
  buf[off + 11] = Math.min(addr.length, 8);
  for (let i = 0; i < Math.min(addr.length, 8); i++) buf[off + 12 + i] = addr[i];
  return F2.HEADER_LEN;
}
