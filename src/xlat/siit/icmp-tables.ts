/**
 * RFC 7915 ICMP translation tables: §4.2 (ICMPv4 -> ICMPv6) and §5.2 (ICMPv6 -> ICMPv4), with the
 * Parameter Problem pointer maps of Figure 3 (IPv4 -> IPv6) and Figure 6 (IPv6 -> IPv4).
 * Pure functions over small integers; they write into a caller-owned result object.
 */
import { Reason } from '../../diag/reasons.js';

/** What a translated ICMP header becomes (MTU fields are computed by the translator). */
export interface IcmpMapping {
  type: number;
  code: number;
  /** Parameter Problem pointer of the output, or -1 when the output carries none. */
  pointer: number;
  /** The output is Packet Too Big (6) / Fragmentation Needed (4): the MTU must be computed. */
  mtu: boolean;
  /** The input/output is an error message (with a packet inside), not a query. */
  error: boolean;
}

export function newMapping(): IcmpMapping {
  return { type: 0, code: 0, pointer: -1, mtu: false, error: false };
}

const NA = -1;

/**
 * RFC 7915 §4.2 Figure 3: Pointer Value for Translating from IPv4 to IPv6. Index = original IPv4
 * pointer (0..19); value = translated IPv6 pointer, or -1 for "n/a". Values past 19 are not listed.
 */
export const POINTER_4TO6: readonly number[] = [
  0, // 0  Version/IHL -> 0 Version/Traffic Class
  1, // 1  Type Of Service -> 1 Traffic Class/Flow Label
  4, 4, // 2,3 Total Length -> 4 Payload Length
  NA, NA, // 4,5 Identification -> n/a
  NA, // 6  Flags/Fragment Offset -> n/a
  NA, // 7  Fragment Offset -> n/a
  7, // 8  Time to Live -> 7 Hop Limit
  6, // 9  Protocol -> 6 Next Header
  NA, NA, // 10,11 Header Checksum -> n/a
  8, 8, 8, 8, // 12-15 Source Address -> 8 Source Address
  24, 24, 24, 24, // 16-19 Destination Address -> 24 Destination Address
];

/**
 * RFC 7915 §5.2 Figure 6: Pointer Value for Translating from IPv6 to IPv4. Index = original IPv6
 * pointer (0..39); value = translated IPv4 pointer, or -1 for "n/a".
 */
export const POINTER_6TO4: readonly number[] = [
  0, // 0 Version/Traffic Class -> 0 Version/IHL, Type Of Service
  1, // 1 Traffic Class/Flow Label -> 1 Type Of Service
  NA, NA, // 2,3 Flow Label -> n/a
  2, 2, // 4,5 Payload Length -> 2 Total Length
  9, // 6 Next Header -> 9 Protocol
  8, // 7 Hop Limit -> 8 Time to Live
  12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, 12, // 8-23 Source Address -> 12
  16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, 16, // 24-39 Destination Address -> 16
];

export function pointer4to6(p: number): number {
  return p >= 0 && p < POINTER_4TO6.length ? POINTER_4TO6[p] : NA;
}

export function pointer6to4(p: number): number {
  return p >= 0 && p < POINTER_6TO4.length ? POINTER_6TO4[p] : NA;
}

/** ICMPv4 error types (RFC 792): the ones that carry a packet inside. */
export function isIcmp4Error(type: number): boolean {
  return type === 3 || type === 4 || type === 5 || type === 11 || type === 12;
}

/** ICMPv6 error types are 0..127 (RFC 4443 §2.1). */
export function isIcmp6Error(type: number): boolean {
  return type < 128;
}

/**
 * RFC 7915 §4.2, ICMPv4 -> ICMPv6. `pointer` is the ICMPv4 Parameter Problem pointer (byte 4).
 * Returns 0 and fills `m`, or a drop reason ("silently drop").
 */
export function mapIcmp4to6(type: number, code: number, pointer: number, m: IcmpMapping): number {
  m.pointer = -1;
  m.mtu = false;
  m.error = false;
  switch (type) {
    case 8: // Echo -> 128
    case 0: // Echo Reply -> 129
      m.type = type === 8 ? 128 : 129;
      m.code = code;
      return Reason.None;
    case 3: // Destination Unreachable -> 1, code translated
      m.error = true;
      m.type = 1;
      switch (code) {
        case 0: case 1: // Net/Host Unreachable -> 0 No route to destination
        case 5: // Source Route Failed -> 0
        case 6: case 7: case 8: // -> 0
        case 11: case 12: // -> 0
          m.code = 0;
          return Reason.None;
        case 2: // Protocol Unreachable -> Parameter Problem 4/1, pointer to Next Header
          m.type = 4;
          m.code = 1;
          m.pointer = 6;
          return Reason.None;
        case 3: // Port Unreachable -> 4
          m.code = 4;
          return Reason.None;
        case 4: // Fragmentation Needed -> Packet Too Big 2/0
          m.type = 2;
          m.code = 0;
          m.mtu = true;
          return Reason.None;
        case 9: case 10: // Administratively prohibited -> 1
        case 13: // Communication Administratively Prohibited -> 1
        case 15: // Precedence cutoff in effect -> 1
          m.code = 1;
          return Reason.None;
        default: // 14 Host Precedence Violation, and other codes: silently drop
          return Reason.UntranslatableIcmp4Type;
      }
    case 11: // Time Exceeded -> 3, code unchanged
      m.error = true;
      m.type = 3;
      m.code = code;
      return Reason.None;
    case 12: // Parameter Problem -> 4
      m.error = true;
      if (code === 0 || code === 2) {
        const p = pointer4to6(pointer);
        if (p < 0) return Reason.UntranslatableParamProblemPointer;
        m.type = 4;
        m.code = 0;
        m.pointer = p;
        return Reason.None;
      }
      return Reason.UntranslatableIcmp4Type; // 1 Missing a required option, others
    default:
      // 4 Source Quench, 5 Redirect, 6 Alternative Host Address, 9/10 Router Advertisement/
      // Solicitation, 13/14 Timestamp, 15/16 Information, 17/18 Address Mask, unknown types.
      return Reason.UntranslatableIcmp4Type;
  }
}

/**
 * RFC 7915 §5.2, ICMPv6 -> ICMPv4. `pointer` is the ICMPv6 Parameter Problem pointer (32 bits).
 * Returns 0 and fills `m`, or a drop reason ("silently drop").
 */
export function mapIcmp6to4(type: number, code: number, pointer: number, m: IcmpMapping): number {
  m.pointer = -1;
  m.mtu = false;
  m.error = false;
  switch (type) {
    case 128: // Echo Request -> 8
    case 129: // Echo Reply -> 0
      m.type = type === 128 ? 8 : 0;
      m.code = code;
      return Reason.None;
    case 1: // Destination Unreachable -> 3
      m.error = true;
      m.type = 3;
      switch (code) {
        case 0: // No route to destination -> 1 Host unreachable
        case 2: // Beyond scope of source address -> 1
        case 3: // Address unreachable -> 1
          m.code = 1;
          return Reason.None;
        case 1: // Administratively prohibited -> 10
          m.code = 10;
          return Reason.None;
        case 4: // Port unreachable -> 3
          m.code = 3;
          return Reason.None;
        default:
          return Reason.UntranslatableIcmp6Type;
      }
    case 2: // Packet Too Big -> 3/4 Fragmentation Needed
      m.error = true;
      m.type = 3;
      m.code = 4;
      m.mtu = true;
      return Reason.None;
    case 3: // Time Exceeded -> 11, code unchanged
      m.error = true;
      m.type = 11;
      m.code = code;
      return Reason.None;
    case 4: // Parameter Problem
      m.error = true;
      if (code === 0) {
        const p = pointer6to4(pointer);
        if (p < 0) return Reason.UntranslatableParamProblemPointer;
        m.type = 12;
        m.code = 0;
        m.pointer = p;
        return Reason.None;
      }
      if (code === 1) { // Unrecognized Next Header -> 3/2 Protocol Unreachable
        m.type = 3;
        m.code = 2;
        return Reason.None;
      }
      return Reason.UntranslatableIcmp6Type; // 2 Unrecognized IPv6 option, others
    default:
      // 130-132 MLD, 133-137 Neighbor Discovery, unknown informational and error types.
      return Reason.UntranslatableIcmp6Type;
  }
}

/** ICMPv4 types whose byte 5 is the RFC 4884 length (in 32-bit words). */
export function icmp4HasLength(type: number): boolean {
  return type === 3 || type === 11 || type === 12;
}

/** ICMPv6 types whose byte 4 is the RFC 4884 length (in 64-bit words). */
export function icmp6HasLength(type: number): boolean {
  return type === 1 || type === 3;
}

/**
 * RFC 1191 §7 plateau search (RFC 7915 §4.2): the greatest plateau strictly less than the Total
 * Length of the packet in error, or 0 when none is.
 */
export function plateauBelow(plateaus: readonly number[], totalLength: number): number {
  let best = 0;
  for (let i = 0; i < plateaus.length; i++) {
    const p = plateaus[i];
    if (p < totalLength && p > best) best = p;
  }
  return best;
}
