/** ICMPv4 (RFC 792, RFC 1191, RFC 4884). */
import { Problem } from './reasons.js';

export const F = { TYPE: 0, CODE: 1, CHECKSUM: 2, IDENT: 4, SEQ: 6, POINTER: 4, RFC4884_LEN: 5, MTU: 6, HEADER_LEN: 8 } as const;

export const Icmpv4Type = {
  ECHO_REPLY: 0, DEST_UNREACH: 3, SOURCE_QUENCH: 4, REDIRECT: 5, ECHO_REQUEST: 8,
  ROUTER_ADVERT: 9, ROUTER_SOLICIT: 10, TIME_EXCEEDED: 11, PARAM_PROBLEM: 12, TIMESTAMP: 13,
  TIMESTAMP_REPLY: 14, INFO_REQUEST: 15, INFO_REPLY: 16,
} as const;

export function isIcmpv4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

export class Icmpv4View {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  /** For errors: offset and captured length of the embedded datagram (after any RFC 4884 limit). */
  innerOff = 0;
  innerLen = 0;
  /** RFC 4884 original-datagram length in bytes (0 when the field is 0 / not applicable). */
  rfc4884Len = 0;

  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.innerOff = off + len;
    this.innerLen = 0;
    this.rfc4884Len = 0;
    if (len < F.HEADER_LEN) return Problem.IcmpTruncated;
    const t = bytes[off];
    if (isIcmpv4Error(t)) {
      this.innerOff = off + F.HEADER_LEN;
      this.innerLen = len - F.HEADER_LEN;
      if (t === 3 || t === 11 || t === 12) {
        const l = bytes[off + 5] * 4;
        if (l !== 0) {
          this.rfc4884Len = l;
          if (l > this.innerLen) return Problem.IcmpBadRfc4884Length;
          this.innerLen = l;
        }
      }
    }
    return Problem.None;
  }

  type(): number { return this.bytes[this.off]; }
  code(): number { return this.bytes[this.off + 1]; }
  checksum(): number { return (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  isError(): boolean { return isIcmpv4Error(this.type()); }
  isEcho(): boolean { const t = this.type(); return t === 0 || t === 8; }
  ident(): number { return (this.bytes[this.off + 4] << 8) | this.bytes[this.off + 5]; }
  seqNo(): number { return (this.bytes[this.off + 6] << 8) | this.bytes[this.off + 7]; }
  /** Next-hop MTU of Fragmentation Needed (type 3 code 4, RFC 1191). */
  mtu(): number { return (this.bytes[this.off + 6] << 8) | this.bytes[this.off + 7]; }
  /** Parameter Problem pointer. */
  pointer(): number { return this.bytes[this.off + 4]; }
  setChecksum(v: number): void { this.bytes[this.off + 2] = v >> 8; this.bytes[this.off + 3] = v & 0xff; }
}

/** Writes an ICMPv4 header; `rest` is the 4-byte rest-of-header as a number. Checksum left 0. */
export function emitIcmpv4(buf: Uint8Array, off: number, type: number, code: number, rest: number): number {
  buf[off] = type;
  buf[off + 1] = code;
  buf[off + 2] = 0;
  buf[off + 3] = 0;
  buf[off + 4] = (rest >>> 24) & 0xff;
  buf[off + 5] = (rest >>> 16) & 0xff;
  buf[off + 6] = (rest >>> 8) & 0xff;
  buf[off + 7] = rest & 0xff;
  return F.HEADER_LEN;
}

const NAMES: Record<number, string> = {
  0: 'Echo (ping) reply', 3: 'Destination unreachable', 4: 'Source quench', 5: 'Redirect',
  8: 'Echo (ping) request', 9: 'Router advertisement', 10: 'Router solicitation', 11: 'Time-to-live exceeded',
  12: 'Parameter problem', 13: 'Timestamp request', 14: 'Timestamp reply',
};
const UNREACH: Record<number, string> = {
  0: 'Network unreachable', 1: 'Host unreachable', 2: 'Protocol unreachable', 3: 'Port unreachable',
  4: 'Fragmentation needed', 5: 'Source route failed', 6: 'Destination network unknown',
  7: 'Destination host unknown', 9: 'Network administratively prohibited',
  10: 'Host administratively prohibited', 13: 'Communication administratively filtered',
};

/** A human description like tshark's Info column. */
export function icmpv4Text(type: number, code: number): string {
  if (type === 3) return `${NAMES[3]} (${UNREACH[code] ?? `code ${code}`})`;
  if (type === 11) return code === 0 ? 'Time-to-live exceeded (in transit)' : 'Time-to-live exceeded (fragment reassembly)';
  return NAMES[type] ?? `ICMP type ${type} code ${code}`;
}
