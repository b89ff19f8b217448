/**
 * RFC 6146 §3.4 Determining the Incoming Tuple: the 5-tuple (TCP, UDP), the 3-tuple (ICMP query:
 * addresses and identifier), or for an ICMP error the tuple of the packet inside it (kept here as
 * it is; the later steps read it reversed). Also rejects what the stateful NAT64 cannot translate
 * (RFC 6146 §3.4: protocols other than TCP, UDP, ICMP; ICMP types with no counterpart) and applies
 * the fragment policy (policy.dropFragments).
 */
import { Reason } from '../../../diag/reasons.js';
import { Problem } from '../../../wire/reasons.js';
import { IpProto } from '../../../wire/ipv4.js';
import { Proto } from '../pool4.js';
import type { Nat64Core } from '../core.js';

function protoOf(ipProto: number, v6: boolean): number {
  if (ipProto === IpProto.TCP) return Proto.Tcp;
  if (ipProto === IpProto.UDP) return Proto.Udp;
  if (ipProto === (v6 ? IpProto.ICMPV6 : IpProto.ICMP)) return Proto.Icmp;
  return -1;
}

function readTcp(core: Nat64Core, l4: number, cap: number, segLen: number): number {
  const st = core.st;
  const b = st.bytes;
  if (cap < 20) return Reason.Truncated;
  st.sport = (b[l4] << 8) | b[l4 + 1];
  st.dport = (b[l4 + 2] << 8) | b[l4 + 3];
  st.tcpSeq = ((b[l4 + 4] << 24) | (b[l4 + 5] << 16) | (b[l4 + 6] << 8) | b[l4 + 7]) >>> 0;
  st.tcpAck = ((b[l4 + 8] << 24) | (b[l4 + 9] << 16) | (b[l4 + 10] << 8) | b[l4 + 11]) >>> 0;
  st.tcpFlags = b[l4 + 13] | ((b[l4 + 12] & 1) << 8);
  const hl = (b[l4 + 12] >> 4) * 4;
  st.tcpSegLen = Math.max(0, segLen - hl) + (st.tcpFlags & 2 ? 1 : 0) + (st.tcpFlags & 1 ? 1 : 0);
  return 0;
}

function innerPorts(core: Nat64Core, proto: number, l4: number, cap: number, v6: boolean): number {
  const st = core.st;
  const b = st.bytes;
  if (proto === Proto.Icmp) {
    if (cap < 8) return Reason.UntranslatableInnerPacket;
    const t = b[l4];
    if (v6 ? t < 128 : t === 3 || t === 4 || t === 5 || t === 11 || t === 12) return Reason.IcmpErrorAboutError;
    if (v6 ? t !== 128 && t !== 129 : t !== 0 && t !== 8) return Reason.UntranslatableInnerPacket;
    st.innerSport = st.innerDport = (b[l4 + 4] << 8) | b[l4 + 5];
    return 0;
  }
  if (cap < 4) return Reason.UntranslatableInnerPacket;
  st.innerSport = (b[l4] << 8) | b[l4 + 1];
  st.innerDport = (b[l4 + 2] << 8) | b[l4 + 3];
  return 0;
}

/** IPv6 side. Returns 0 or a drop reason. */
export function determineIncomingTuple6(core: Nat64Core): number {
  const st = core.st;
  const v = core.ip6;
  const code = v.reset(st.bytes, st.off, st.len);
  if (code === Problem.Ipv6Truncated || code === Problem.Ipv6ExtTruncated) return Reason.Truncated;
  if (code === Problem.Ipv6BadVersion || code === Problem.Ipv6HopByHopNotFirst || code === Problem.Ipv6TooManyExt) return Reason.Malformed;
  st.src6Off = st.off + 8;
  st.dst6Off = st.off + 24;
  st.ipProto = v.finalProto;
  const proto = protoOf(v.finalProto, true);
  if (proto < 0) return Reason.UnknownProtocol;
  st.proto = proto;
  if (v.isFragment()) {
    st.fragment = true;
    st.fragId = v.fragId;
    st.firstFragment = v.fragOffsetBytes === 0;
    if (core.dropFrag[proto]) return Reason.FragmentPolicy;
    if (!st.firstFragment) return 0;
  }
  const l4 = v.upperOff;
  const cap = v.upperCaptured();
  const b = st.bytes;
  if (proto === Proto.Tcp) return readTcp(core, l4, cap, v.upperLength());
  if (proto === Proto.Udp) {
    if (cap < 8) return Reason.Truncated;
    st.sport = (b[l4] << 8) | b[l4 + 1];
    st.dport = (b[l4 + 2] << 8) | b[l4 + 3];
    return 0;
  }
  if (cap < 8) return Reason.Truncated;
  const t = b[l4];
  st.icmpType = t;
  if (t === 128 || t === 129) {
    st.icmpInfo = true;
    st.sport = st.dport = (b[l4 + 4] << 8) | b[l4 + 5];
    return 0;
  }
  if (t > 4 || t === 0) return Reason.UntranslatableIcmp6Type;
  // ICMPv6 error: the tuple is the inner packet's.
  st.icmpError = true;
  st.hasInner = true;
  const iv = core.inner6;
  const ic = iv.reset(b, l4 + 8, cap - 8);
  if (ic === Problem.Ipv6Truncated || ic === Problem.Ipv6BadVersion || ic === Problem.Ipv6ExtTruncated) return Reason.UntranslatableInnerPacket;
  st.innerSrc6Off = l4 + 8 + 8;
  st.innerDst6Off = l4 + 8 + 24;
  const ip = protoOf(iv.finalProto, true);
  if (ip < 0) return Reason.UntranslatableInnerPacket;
  st.proto = ip;
  if (iv.isFragment() && iv.fragOffsetBytes !== 0) return Reason.UntranslatableInnerPacket;
  return innerPorts(core, ip, iv.upperOff, iv.upperCaptured(), true);
}

/** IPv4 side. */
export function determineIncomingTuple4(core: Nat64Core): number {
  const st = core.st;
  const v = core.ip4;
  const code = v.reset(st.bytes, st.off, st.len);
  if (v.hdrLen === 0) return code === Problem.Ipv4Truncated ? Reason.Truncated : Reason.Malformed;
  if (code === Problem.Ipv4BadTotalLength || code === Problem.Ipv4BadOptions) return Reason.Malformed;
  st.src4 = v.src();
  st.dst4 = v.dst();
  st.ipProto = v.protocol();
  const proto = protoOf(st.ipProto, false);
  if (proto < 0) return Reason.UnknownProtocol;
  st.proto = proto;
  if (v.isFragment()) {
    st.fragment = true;
    st.fragId = v.ident();
    st.firstFragment = v.fragOffset() === 0;
    if (core.dropFrag[proto]) return Reason.FragmentPolicy;
    if (!st.firstFragment) return 0;
  }
  const l4 = v.payloadOffset();
  const cap = v.payloadCaptured;
  const b = st.bytes;
  if (proto === Proto.Tcp) return readTcp(core, l4, cap, v.payloadLength());
  if (proto === Proto.Udp) {
    if (cap < 8) return Reason.Truncated;
    st.sport = (b[l4] << 8) | b[l4 + 1];
    st.dport = (b[l4 + 2] << 8) | b[l4 + 3];
    return 0;
  }
  if (cap < 8) return Reason.Truncated;
  const t = b[l4];
  st.icmpType = t;
  if (t === 0 || t === 8) {
    st.icmpInfo = true;
    st.sport = st.dport = (b[l4 + 4] << 8) | b[l4 + 5];
    return 0;
  }
  if (t !== 3 && t !== 11 && t !== 12) return Reason.UntranslatableIcmp4Type;
  st.icmpError = true;
  st.hasInner = true;
  const iv = core.inner4;
  iv.reset(b, l4 + 8, cap - 8);
  if (iv.hdrLen === 0) return Reason.UntranslatableInnerPacket;
  st.innerSrc4 = iv.src();
  st.innerDst4 = iv.dst();
  const ip = protoOf(iv.protocol(), false);
  if (ip < 0) return Reason.UntranslatableInnerPacket;
  st.proto = ip;
  if (iv.fragOffset() !== 0) return Reason.UntranslatableInnerPacket;
  const il4 = l4 + 8 + iv.hdrLen;
  return innerPorts(core, ip, il4, cap - 8 - iv.hdrLen, false);
}
