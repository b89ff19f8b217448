/**
 * pool4: the IPv4 transport addresses the stateful NAT64 maps IPv6 flows to (RFC 6146 §3.5.1.1,
 * §3.5.2.3, §3.5.3), with a port (ICMP: identifier) range and a protocol set per entry.
 *
 * Allocation of a new mapping for an IPv6 source transport address (X',x):
 * - port range preserved (RFC 6146 §3.5.1.1, RFC 4787 REQ-3): a source port in 0-1023 gets a
 *   port in 0-1023, a port in 1024-65535 one in 1024-65535; only when that range is full is the
 *   other one used (the RFC's MAY);
 * - parity preserved for TCP and UDP (RFC 4787 REQ-4 / RFC 6146 §3.5.1.1 "SHOULD preserve the
 *   port parity"); when no port of the same parity is free, the other parity is used;
 * - ICMP identifiers: any free identifier of the range;
 * - deterministic (RFC 6056 algorithm 3 without the secret, as Jool's rfc6056.c): a hash of
 *   (protocol, IPv6 source address, source port) picks a start point in the flattened list of
 *   candidate (address, port) pairs, then a linear probe finds the first one no BIB entry holds.
 *   Same input sequence -> same ports; endpoint-independent mapping is the BIB's job (a mapping
 *   that exists is reused, RFC 6146 §3.5.1.1).
 * - exhaustion: allocate() returns -1; the engine drops with ICMPv6 1/3 (RFC 6146 §3.5.1.1).
 *
 * A transport address is the number `addr * 65536 + port` (an exact integer < 2^48).
 */
import type { Pool4Entry, Protocol } from '../config-types.js';

/** Protocol index used by every NAT64 table. */
export const Proto = { Tcp: 0, Udp: 1, Icmp: 2 } as const;
export type Proto = (typeof Proto)[keyof typeof Proto];
export const PROTO_NAMES: readonly Protocol[] = ['tcp', 'udp', 'icmp'];

export function protoIndex(p: Protocol): Proto {
  return p === 'tcp' ? Proto.Tcp : p === 'udp' ? Proto.Udp : Proto.Icmp;
}

/** `addr * 65536 + port` */
export function taddr4(addr: number, port: number): number {
  return addr * 65536 + port;
}
export function taddrAddr(key: number): number {
  return Math.floor(key / 65536);
}
export function taddrPort(key: number): number {
  return key % 65536;
}

/** Something that says whether a transport address is taken (the BIB's by-IPv4 map). */
export interface UsedSet {
  /** True when the IPv4 transport address (addr, port) is taken. */
  has4(addr: number, port: number): boolean;
}

interface Segment {
  /** First address and number of addresses. */
  addr: number;
  count: number;
  portMin: number;
  portMax: number;
}

const LOW = 0;
const HIGH = 1;

export class Pool4 {
  /** Segments per protocol index. */
  private readonly segs: Segment[][] = [[], [], []];

  constructor(entries: readonly Pool4Entry[]) {
    for (const e of entries) {
      const count = e.prefix.len >= 32 ? 1 : 2 ** (32 - e.prefix.len);
      const addr = e.prefix.len === 0 ? 0 : (e.prefix.addr >>> 0) - ((e.prefix.addr >>> 0) % count);
      for (const p of e.protocols) {
        this.segs[protoIndex(p)].push({ addr, count, portMin: e.portMin, portMax: e.portMax });
      }
    }
  }

  /** True when `addr` is a pool4 address for protocol `proto`. */
  contains(proto: Proto, addr: number): boolean {
    const s = this.segs[proto];
    for (let i = 0; i < s.length; i++) {
      const d = addr - s[i].addr;
      if (d >= 0 && d < s[i].count) return true;
    }
    return false;
  }

  /** True when `addr` is a pool4 address for any protocol. */
  containsAny(addr: number): boolean {
    return this.contains(Proto.Tcp, addr) || this.contains(Proto.Udp, addr) || this.contains(Proto.Icmp, addr);
  }

  /** True when (addr, port) lies in a pool4 entry for `proto`. */
  containsTransport(proto: Proto, addr: number, port: number): boolean {
    const s = this.segs[proto];
    for (let i = 0; i < s.length; i++) {
      const d = addr - s[i].addr;
      if (d >= 0 && d < s[i].count && port >= s[i].portMin && port <= s[i].portMax) return true;
    }
    return false;
  }

  /** Total (address, port) pairs of `proto` (for reports and tests). */
  size(proto: Proto): number {
    let n = 0;
    for (const s of this.segs[proto]) n += s.count * Math.max(0, s.portMax - s.portMin + 1);
    return n;
  }

  /**
   * Picks a free transport address for a new mapping of (IPv6 source, port) whose address hash
   * is `addrHash` (a 32-bit hash of the IPv6 source address). Returns `addr * 65536 + port`, or
   * -1 when pool4 has no free transport address for `proto`.
   */
  allocate(proto: Proto, addrHash: number, port6: number, used: UsedSet): number {
    const h = mix(addrHash, port6, proto);
    if (proto === Proto.Icmp) return this.probe(proto, 0, 65535, -1, h, used);
    const range = port6 < 1024 ? LOW : HIGH;
    const parity = port6 & 1;
    for (let tier = 0; tier < 4; tier++) {
      const r = tier < 2 ? range : 1 - range;
      const par = tier & 1 ? 1 - parity : parity;
      // TCP/UDP port 0 is never allocated.
      const lo = r === LOW ? 1 : 1024;
      const hi = r === LOW ? 1023 : 65535;
      const k = this.probe(proto, lo, hi, par, h, used);
      if (k >= 0) return k;
    }
    return -1;
  }

  /** Linear probe over the flattened (address, port) pairs within [lo, hi] of parity `par` (-1 = any). */
  private probe(proto: Proto, lo: number, hi: number, par: number, h: number, used: UsedSet): number {
    const segs = this.segs[proto];
    const step = par < 0 ? 1 : 2;
    // Ports per segment in this tier and the total.
    let total = 0;
    for (let i = 0; i < segs.length; i++) total += segs[i].count * tierPorts(segs[i], lo, hi, par, step);
    if (total === 0) return -1;
    let idx = h % total;
    for (let n = 0; n < total; n++, idx = idx + 1 === total ? 0 : idx + 1) {
      // Decode idx -> (segment, address, port).
      let rest = idx;
      for (let i = 0; i < segs.length; i++) {
        const s = segs[i];
        const np = tierPorts(s, lo, hi, par, step);
        const slots = s.count * np;
        if (rest < slots) {
          const a = Math.floor(rest / np);
          const pi = rest - a * np;
          const port = firstPort(s, lo, par) + pi * step;
          if (!used.has4(s.addr + a, port)) return (s.addr + a) * 65536 + port;
          break;
        }
        rest -= slots;
      }
    }
    return -1;
  }
}

function firstPort(s: Segment, lo: number, par: number): number {
  let f = Math.max(s.portMin, lo);
  if (par >= 0 && (f & 1) !== par) f++;
  return f;
}

function tierPorts(s: Segment, lo: number, hi: number, par: number, step: number): number {
  const f = firstPort(s, lo, par);
  const l = Math.min(s.portMax, hi);
  return l < f ? 0 : Math.floor((l - f) / step) + 1;
}

function mix(addrHash: number, port: number, proto: number): number {
  let h = Math.imul(addrHash ^ (port * 0x9e3779b1), 0x85ebca6b) ^ proto;
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 13;
  return h >>> 0;
}
