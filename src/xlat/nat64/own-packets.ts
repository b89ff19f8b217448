/**
 * Packets the NAT64 generates itself (not translations): ICMPv6 / ICMPv4 errors quoting a packet,
 * and bare TCP segments over IPv6 (the RST of an idle-timed-out connection, the probe of an
 * expired ESTABLISHED session). Written into a caller's buffer with every checksum right.
 */
import { emitIpv4, IpProto } from '../../wire/ipv4.js';
import { emitIpv6 } from '../../wire/ipv6.js';
import { emitIcmpv4 } from '../../wire/icmpv4.js';
import { emitIcmpv6 } from '../../wire/icmpv6.js';
import { emitTcp } from '../../wire/tcp.js';
import { sum, finish, pseudo6 } from '../../wire/checksum.js';

/** RFC 4443 §2.4 (c): an ICMPv6 error packet is at most the minimum IPv6 MTU. */
export const ICMP6_ERROR_MAX = 1280;
/** RFC 1812 §4.3.2.3: an ICMPv4 error is at most 576 bytes. */
export const ICMP4_ERROR_MAX = 576;

/**
 * ICMPv6 error from src to dst (16-byte addresses at the given offsets) quoting q[qoff..qoff+qlen)
 * (cut to fit 1280 bytes). Returns the packet length written at out[0..).
 */
export function buildIcmp6Error(out: Uint8Array, type: number, code: number, rest: number,
  src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number,
  q: Uint8Array, qoff: number, qlen: number): number {
  const quote = Math.min(qlen, ICMP6_ERROR_MAX - 48);
  const l4 = 8 + quote;
  emitIpv6(out, 0, { payloadLength: l4, nextHeader: IpProto.ICMPV6, hopLimit: 64, src: src.subarray(srcOff, srcOff + 16), dst: dst.subarray(dstOff, dstOff + 16) });
  emitIcmpv6(out, 40, type, code, rest);
  out.set(q.subarray(qoff, qoff + quote), 48);
  const c = finish(sum(out, 40, l4, pseudo6(out, 8, 24, IpProto.ICMPV6, l4)));
  out[42] = c >> 8;
  out[43] = c & 0xff;
  return 40 + l4;
}

const a4 = new Uint8Array(4);
const b4 = new Uint8Array(4);

/** ICMPv4 error from src to dst quoting q[qoff..qoff+qlen) (cut to fit 576 bytes). */
export function buildIcmp4Error(out: Uint8Array, type: number, code: number, rest: number,
  src: number, dst: number, q: Uint8Array, qoff: number, qlen: number): number {
  const quote = Math.min(qlen, ICMP4_ERROR_MAX - 28);
  put32(a4, src);
  put32(b4, dst);
  emitIpv4(out, 0, { totalLength: 28 + quote, ttl: 64, protocol: IpProto.ICMP, src: a4, dst: b4 });
  emitIcmpv4(out, 20, type, code, rest);
  out.set(q.subarray(qoff, qoff + quote), 28);
  const c = finish(sum(out, 20, 8 + quote));
  out[22] = c >> 8;
  out[23] = c & 0xff;
  return 28 + quote;
}

/** A TCP segment with no data over IPv6 (RST or probe). */
export function buildTcp6(out: Uint8Array, src: Uint8Array, srcOff: number, dst: Uint8Array, dstOff: number,
  sport: number, dport: number, seq: number, ack: number, flags: number): number {
  emitIpv6(out, 0, { payloadLength: 20, nextHeader: IpProto.TCP, hopLimit: 64, src: src.subarray(srcOff, srcOff + 16), dst: dst.subarray(dstOff, dstOff + 16) });
  emitTcp(out, 40, { srcPort: sport, dstPort: dport, seq, ack, flags, window: 0 });
  const c = finish(sum(out, 40, 20, pseudo6(out, 8, 24, IpProto.TCP, 20)));
  out[56] = c >> 8;
  out[57] = c & 0xff;
  return 60;
}

export function put32(b: Uint8Array, v: number, off = 0): void {
  b[off] = v >>> 24;
  b[off + 1] = (v >>> 16) & 0xff;
  b[off + 2] = (v >>> 8) & 0xff;
  b[off + 3] = v & 0xff;
}
