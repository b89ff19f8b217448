/** ICMPv6 (RFC 4443, RFC 4884), Router Advertisements (RFC 4861) with PREF64 (RFC 8781). */
import { Problem } from './reasons.js';

export const F = { TYPE: 0, CODE: 1, CHECKSUM: 2, IDENT: 4, SEQ: 6, MTU: 4, POINTER: 4, RFC4884_LEN: 4, HEADER_LEN: 8 } as const;

/** Router Advertisement layout (RFC 4861 §4.2). */
export const RA = { CUR_HOP_LIMIT: 4, FLAGS: 5, ROUTER_LIFETIME: 6, REACHABLE: 8, RETRANS: 12, OPTIONS: 16 } as const;

export const Icmpv6Type = {
  DEST_UNREACH: 1, PACKET_TOO_BIG: 2, TIME_EXCEEDED: 3, PARAM_PROBLEM: 4, ECHO_REQUEST: 128,
  ECHO_REPLY: 129, MLD_QUERY: 130, MLD_REPORT: 131, MLD_DONE: 132, ROUTER_SOLICIT: 133,
  ROUTER_ADVERT: 134, NEIGHBOR_SOLICIT: 135, NEIGHBOR_ADVERT: 136, REDIRECT: 137, MLDV2_REPORT: 143,
} as const;

/** NDP option types used here. */
export const NdOption = { SOURCE_LLA: 1, TARGET_LLA: 2, PREFIX_INFO: 3, MTU: 5, RDNSS: 25, DNSSL: 31, PREF64: 38 } as const;

/** RFC 8781 §4 Prefix Length Code -> prefix length. */
export const PLC_TO_LEN = [96, 64, 56, 48, 40, 32] as const;

export function isIcmpv6Error(type: number): boolean {
  return type < 128;
}

export class Icmpv6View {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  innerOff = 0;
  innerLen = 0;
  rfc4884Len = 0;
  /** RA PREF64 option: count, and the first one's prefix offset (12 bytes), length and lifetime. */
  pref64Count = 0;
  pref64Off = -1;
  pref64Len = 0;
  pref64Lifetime = 0;

  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.innerOff = off + len;
    this.innerLen = 0;
    this.rfc4884Len = 0;
    this.pref64Count = 0;
    this.pref64Off = -1;
    this.pref64Len = 0;
    this.pref64Lifetime = 0;
    if (len < F.HEADER_LEN) return Problem.IcmpTruncated;
    const t = bytes[off];
    if (t < 128) {
      this.innerOff = off + F.HEADER_LEN;
      this.innerLen = len - F.HEADER_LEN;
      if (t === 1 || t === 3) {
        const l = bytes[off + 4] * 8;
        if (l !== 0) {
          this.rfc4884Len = l;
          if (l > this.innerLen) return Problem.IcmpBadRfc4884Length;
          this.innerLen = l;
        }
      }
      return Problem.None;
    }
    if (t === Icmpv6Type.ROUTER_ADVERT) return this.scanRaOptions();
    return Problem.None;
  }

  private scanRaOptions(): number {
    const b = this.bytes;
    let p = this.off + RA.OPTIONS;
    const end = this.off + this.len;
    if (p > end) return Problem.IcmpTruncated;
    // RFC 8781 §4: a PREF64 option of another length, or with a PLC not listed, is ignored (the
    // rest of the RA still counts): reported as a problem, the scan goes on to the next option.
    let problem: number = Problem.None;
    while (p + 2 <= end) {
      const ot = b[p];
      const ol = b[p + 1] * 8;
      if (ol === 0 || p + ol > end) return Problem.NdpBadOption;
      if (ot === NdOption.PREF64) {
        if (ol !== 16) problem = Problem.Pref64BadLength;
        else {
          const w = (b[p + 2] << 8) | b[p + 3];
          const plc = w & 7;
          if (plc < PLC_TO_LEN.length) {
            if (this.pref64Count === 0) {
              this.pref64Off = p + 4;
              this.pref64Len = PLC_TO_LEN[plc];
              this.pref64Lifetime = (w >> 3) * 8;
            }
            this.pref64Count++;
          }
        }
      }
      p += ol;
    }
    return problem;
  }

  type(): number { return this.bytes[this.off]; }
  code(): number { return this.bytes[this.off + 1]; }
  checksum(): number { return (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  isError(): boolean { return this.bytes[this.off] < 128; }
  isEcho(): boolean { const t = this.type(); return t === 128 || t === 129; }
  ident(): number { return (this.bytes[this.off + 4] << 8) | this.bytes[this.off + 5]; }
  seqNo(): number { return (this.bytes[this.off + 6] << 8) | this.bytes[this.off + 7]; }
  /** Packet Too Big MTU (32 bits). */
  mtu(): number { return u32(this.bytes, this.off + 4); }
  /** Parameter Problem pointer (32 bits). */
  pointer(): number { return u32(this.bytes, this.off + 4); }
  routerLifetime(): number { return (this.bytes[this.off + 6] << 8) | this.bytes[this.off + 7]; }
  setChecksum(v: number): void { this.bytes[this.off + 2] = v >> 8; this.bytes[this.off + 3] = v & 0xff; }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Writes an ICMPv6 header; `rest` is the 32-bit rest-of-header. Checksum left 0. */
export function emitIcmpv6(buf: Uint8Array, off: number, type: number, code: number, rest: number): number {
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

/**
 * Writes a PREF64 option (RFC 8781 §4): 16 bytes. `prefix` holds at least 12 bytes; `lifetime`
 * in seconds (rounded up to a multiple of 8, at most 65528).
 */
export function emitPref64Option(buf: Uint8Array, off: number, prefix: ArrayLike<number>, prefixLen: number, lifetime: number): number {
  const plc = PLC_TO_LEN.indexOf(prefixLen as (typeof PLC_TO_LEN)[number]);
  if (plc < 0) throw new RangeError(`PREF64 prefix length ${prefixLen} is not one of 96,64,56,48,40,32`);
  const scaled = Math.min(8191, Math.ceil(lifetime / 8));
  buf[off] = NdOption.PREF64;
  buf[off + 1] = 2;
  const w = (scaled << 3) | plc;
  buf[off + 2] = w >> 8;
  buf[off + 3] = w & 0xff;
  for (let i = 0; i < 12; i++) buf[off + 4 + i] = i < prefixLen / 8 ? prefix[i] : 0;
  return 16;
}

const NAMES: Record<number, string> = {
  1: 'Destination Unreachable', 2: 'Packet Too Big', 3: 'Time Exceeded', 4: 'Parameter Problem',
  128: 'Echo (ping) request', 129: 'Echo (ping) reply', 130: 'Multicast Listener Query',
  131: 'Multicast Listener Report', 132: 'Multicast Listener Done', 133: 'Router Solicitation',
  134: 'Router Advertisement', 135: 'Neighbor Solicitation', 136: 'Neighbor Advertisement',
  137: 'Redirect', 143: 'Multicast Listener Report Message v2',
};
const UNREACH: Record<number, string> = {
  0: 'no route to destination', 1: 'administratively prohibited', 2: 'beyond scope of source address',
  3: 'address unreachable', 4: 'port unreachable', 5: 'source address failed ingress/egress policy',
  6: 'reject route to destination',
};

export function icmpv6Text(type: number, code: number): string {
  if (type === 1) return `Destination Unreachable (${UNREACH[code] ?? `code ${code}`})`;
  if (type === 3) return code === 0 ? 'Time Exceeded (hop limit exceeded in transit)' : 'Time Exceeded (fragment reassembly time exceeded)';
  return NAMES[type] ?? `ICMPv6 type ${type} code ${code}`;
}
