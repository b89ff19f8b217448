/** Ethernet II with 802.1Q / 802.1ad (QinQ) tags. */
import { Problem } from './reasons.js';

export const F = { DST: 0, SRC: 6, ETHERTYPE: 12, HEADER_LEN: 14, TAG_LEN: 4 } as const;

export const EtherType = {
  IPV4: 0x0800,
  ARP: 0x0806,
  VLAN: 0x8100,
  QINQ: 0x88a8,
  QINQ_OLD: 0x9100,
  IPV6: 0x86dd,
} as const;

const MAX_TAGS = 4;

export class EthernetView {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  /** EtherType after the last VLAN tag. */
  etherType = 0;
  /** Offset of the payload (after tags). */
  payloadOff = 0;
  /** Number of VLAN tags and the first two VLAN ids (outer, inner), -1 when absent. */
  tagCount = 0;
  outerVlan = -1;
  innerVlan = -1;

  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.tagCount = 0;
    this.outerVlan = -1;
    this.innerVlan = -1;
    this.etherType = 0;
    this.payloadOff = off + len;
    if (len < F.HEADER_LEN) return Problem.EthTruncated;
    let p = off + F.ETHERTYPE;
    const end = off + len;
    let et = (bytes[p] << 8) | bytes[p + 1];
    while (et === EtherType.VLAN || et === EtherType.QINQ || et === EtherType.QINQ_OLD) {
      if (this.tagCount === MAX_TAGS) return Problem.EthTooManyTags;
      if (p + 6 > end) return Problem.EthTruncated;
      const vid = ((bytes[p + 2] << 8) | bytes[p + 3]) & 0x0fff;
      if (this.tagCount === 0) this.outerVlan = vid;
      else if (this.tagCount === 1) this.innerVlan = vid;
      this.tagCount++;
      p += 4;
      et = (bytes[p] << 8) | bytes[p + 1];
    }
    this.etherType = et;
    this.payloadOff = p + 2;
    if (et < 0x0600) return Problem.Eth8023;
    return Problem.None;
  }

  headerLength(): number {
    return this.payloadOff - this.off;
  }
  dstOffset(): number {
    return this.off + F.DST;
  }
  srcOffset(): number {
    return this.off + F.SRC;
  }
  /** Overwrites the final EtherType in place (used by translation). */
  setEtherType(et: number): void {
    const p = this.payloadOff - 2;
    this.bytes[p] = et >> 8;
    this.bytes[p + 1] = et & 0xff;
    this.etherType = et;
  }
}

/** Writes an untagged Ethernet II header; returns the header length (14). */
export function emitEthernet(buf: Uint8Array, off: number, dst: ArrayLike<number>, src: ArrayLike<number>, etherType: number): number {
  for (let i = 0; i < 6; i++) {
    buf[off + i] = dst[i];
    buf[off + 6 + i] = src[i];
  }
  buf[off + 12] = etherType >> 8;
  buf[off + 13] = etherType & 0xff;
  return F.HEADER_LEN;
}

/** Writes an 802.1Q (or 802.1ad with tpid 0x88a8) tag: TPID, PCP/DEI/VID. Returns 4. */
export function emitVlanTag(buf: Uint8Array, off: number, tpid: number, vid: number, pcp = 0): number {
  buf[off] = tpid >> 8;
  buf[off + 1] = tpid & 0xff;
  const tci = ((pcp & 7) << 13) | (vid & 0x0fff);
  buf[off + 2] = tci >> 8;
  buf[off + 3] = tci & 0xff;
  return 4;
}

export function macToString(b: Uint8Array, off: number): string {
  let s = '';
  for (let i = 0; i < 6; i++) {
    if (i) s += ':';
    s += (b[off + i] < 16 ? '0' : '') + b[off + i].toString(16);
  }
  return s;
}
