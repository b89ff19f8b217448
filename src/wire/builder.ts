/**
 * A packet builder on top of the emitters: describe a packet layer by layer, get its bytes with
 * every length and checksum right (or deliberately wrong). Used by the fixture scripts, the
 * benchmark generator and the tests; allocation here is fine (it is never on a decode path).
 */
import { emitEthernet, emitVlanTag, EtherType } from './ethernet.js';
import { emitSll, emitSll2 } from './sll.js';
import { emitNull } from './null.js';
import { emitIpv4, IpProto } from './ipv4.js';
import { emitIpv6, emitFragmentHeader, emitExtensionHeader } from './ipv6.js';
import { emitTcp, type TcpFields } from './tcp.js';
import { emitUdp } from './udp.js';
import { emitIcmpv4 } from './icmpv4.js';
import { emitIcmpv6 } from './icmpv6.js';
import { sum, fold, finish, pseudo4, pseudo6 } from './checksum.js';
import { parseIpv4, parseIpv6 } from './addr-text.js';
import { LinkType } from '../pcap/linktype.js';

export type LinkSpec =
  | { type: 'ethernet'; src?: string; dst?: string; vlans?: number[]; qinq?: boolean }
  | { type: 'raw' | 'ipv4' | 'ipv6' | 'null' | 'loop' }
  | { type: 'sll'; packetType?: number }
  | { type: 'sll2'; packetType?: number; ifIndex?: number };

export type ExtSpec =
  | { type: 'hbh' | 'dst'; len?: number }
  | { type: 'routing'; routingType?: number; segmentsLeft?: number; addresses?: string[] }
  | { type: 'frag'; offset: number; more: boolean; id: number }
  | { type: 'raw'; proto: number; len: number };

export interface Ip6Spec { v: 6; src: string; dst: string; hopLimit?: number; trafficClass?: number; flowLabel?: number; ext?: ExtSpec[]; payloadLength?: number }
export interface Ip4Spec { v: 4; src: string; dst: string; ttl?: number; tos?: number; id?: number; df?: boolean; mf?: boolean; fragOffset?: number; options?: number[]; totalLength?: number; checksum?: number }

export type L4Spec =
  | { tcp: TcpFields }
  | { udp: { sport: number; dport: number; length?: number } }
  | { icmp4: { type: number; code: number; rest?: number } }
  | { icmp6: { type: number; code: number; rest?: number } }
  | { proto: number };

export interface PacketSpec {
  link?: LinkSpec;
  ip: Ip6Spec | Ip4Spec;
  l4?: L4Spec;
  payload?: Uint8Array | string;
  /** Transport checksum: 'good' (default), 'bad' (off by one), 'zero', 'partial' (pseudo-header only), or a number. */
  l4Checksum?: 'good' | 'bad' | 'zero' | 'partial' | number;
}

export function linkTypeOf(link: LinkSpec | undefined): number {
  switch (link?.type ?? 'raw') {
    case 'ethernet': return LinkType.ETHERNET;
    case 'raw': return LinkType.RAW;
    case 'ipv4': return LinkType.IPV4;
    case 'ipv6': return LinkType.IPV6;
    case 'null': return LinkType.NULL;
    case 'loop': return LinkType.LOOP;
    case 'sll': return LinkType.LINUX_SLL;
    case 'sll2': return LinkType.LINUX_SLL2;
  }
  return LinkType.RAW;
}

export function ip6(text: string): Uint8Array {
  const b = new Uint8Array(16);
  if (!parseIpv6(text, b, 0)) throw new Error(`bad IPv6 address ${text}`);
  return b;
}
export function ip4(text: string): Uint8Array {
  const b = new Uint8Array(4);
  if (!parseIpv4(text, b, 0)) throw new Error(`bad IPv4 address ${text}`);
  return b;
}
export function mac(text: string): Uint8Array {
  const parts = text.split(':').map((h) => parseInt(h, 16));
  if (parts.length !== 6 || parts.some((n) => !(n >= 0 && n <= 255))) throw new Error(`bad MAC ${text}`);
  return Uint8Array.from(parts);
}

const enc = new TextEncoder();

function l4Proto(l4: L4Spec | undefined): number {
  if (!l4) return IpProto.NONE;
  if ('tcp' in l4) return IpProto.TCP;
  if ('udp' in l4) return IpProto.UDP;
  if ('icmp4' in l4) return IpProto.ICMP;
  if ('icmp6' in l4) return IpProto.ICMPV6;
  return l4.proto;
}

/** Builds the transport segment (header + payload) with its checksum given the address bytes. */
function buildL4(spec: PacketSpec, src: Uint8Array, dst: Uint8Array, v6: boolean): Uint8Array {
  const payload = typeof spec.payload === 'string' ? enc.encode(spec.payload) : spec.payload ?? new Uint8Array(0);
  const l4 = spec.l4;
  const buf = new Uint8Array(60 + payload.length + 8);
  let hl = 0;
  let csOff = -1;
  const proto = l4Proto(l4);
  if (!l4 || 'proto' in l4) {
    return payload.slice();
  } else if ('tcp' in l4) {
    hl = emitTcp(buf, 0, l4.tcp);
    csOff = 16;
  } else if ('udp' in l4) {
    hl = emitUdp(buf, 0, l4.udp.sport, l4.udp.dport, l4.udp.length ?? 8 + payload.length);
    csOff = 6;
  } else if ('icmp4' in l4) {
    hl = emitIcmpv4(buf, 0, l4.icmp4.type, l4.icmp4.code, l4.icmp4.rest ?? 0);
    csOff = 2;
  } else {
    hl = emitIcmpv6(buf, 0, l4.icmp6.type, l4.icmp6.code, l4.icmp6.rest ?? 0);
    csOff = 2;
  }
  buf.set(payload, hl);
  const seg = buf.slice(0, hl + payload.length);
  const L = seg.length;
  let ph = 0;
  if (proto !== IpProto.ICMP) {
    const a = new Uint8Array(32);
    a.set(src, 0);
    a.set(dst, 16);
    ph = v6 ? pseudo6(a, 0, 16, proto, L) : pseudo4(a, 0, 16, proto, L);
  }
  const mode = spec.l4Checksum ?? 'good';
  let c: number;
  if (typeof mode === 'number') c = mode;
  else if (mode === 'zero') c = 0;
  else if (mode === 'partial') c = fold(ph);
  else {
    c = finish(sum(seg, 0, L, ph));
    if (c === 0 && proto === IpProto.UDP) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
    if (mode === 'bad') c = (c + 1) & 0xffff || 1;
  }
  seg[csOff] = c >> 8;
  seg[csOff + 1] = c & 0xff;
  return seg;
}

/** Builds the IP packet (no link layer). */
export function buildIp(spec: PacketSpec): Uint8Array {
  const ip = spec.ip;
  if (ip.v === 6) {
    const src = ip6(ip.src);
    const dst = ip6(ip.dst);
    // Pseudo-header uses the final destination when a routing header lists addresses.
    const routing = ip.ext?.find((e) => e.type === 'routing') as Extract<ExtSpec, { type: 'routing' }> | undefined;
    const finalDst = routing && routing.addresses?.length && (routing.segmentsLeft ?? 0) > 0 ? ip6(routing.addresses[routing.addresses.length - 1]) : dst;
    const seg = buildL4(spec, src, finalDst, true);
    const exts = ip.ext ?? [];
    const extLens = exts.map((e) => (e.type === 'frag' ? 8 : e.type === 'routing' ? 8 + 16 * (e.addresses?.length ?? 0) : e.len ?? 8));
    const extTotal = extLens.reduce((a, b) => a + b, 0);
    const out = new Uint8Array(40 + extTotal + seg.length);
    const first = exts.length ? extProto(exts[0]) : l4Proto(spec.l4);
    emitIpv6(out, 0, { payloadLength: ip.payloadLength ?? extTotal + seg.length, nextHeader: first, hopLimit: ip.hopLimit ?? 64, trafficClass: ip.trafficClass, flowLabel: ip.flowLabel, src, dst });
    let p = 40;
    exts.forEach((e, i) => {
      const nh = i + 1 < exts.length ? extProto(exts[i + 1]) : l4Proto(spec.l4);
      if (e.type === 'frag') p += emitFragmentHeader(out, p, nh, e.offset, e.more, e.id);
      else if (e.type === 'routing') {
        emitExtensionHeader(out, p, nh, extLens[i], { type: e.routingType ?? 0, segmentsLeft: e.segmentsLeft ?? 0 });
        (e.addresses ?? []).forEach((a, k) => out.set(ip6(a), p + 8 + 16 * k));
        p += extLens[i];
      } else p += emitExtensionHeader(out, p, nh, extLens[i]);
    });
    out.set(seg, p);
    return out;
  }
  const src = ip4(ip.src);
  const dst = ip4(ip.dst);
  const seg = ip.fragOffset ? (typeof spec.payload === 'string' ? enc.encode(spec.payload) : spec.payload ?? new Uint8Array(0)) : buildL4(spec, src, dst, false);
  const optLen = ip.options ? (ip.options.length + 3) & ~3 : 0;
  const out = new Uint8Array(20 + optLen + seg.length);
  emitIpv4(out, 0, {
    tos: ip.tos, totalLength: ip.totalLength ?? out.length, ident: ip.id ?? 0, dontFragment: ip.df, moreFragments: ip.mf,
    fragOffset: ip.fragOffset, ttl: ip.ttl ?? 64, protocol: l4Proto(spec.l4), src, dst, options: ip.options, checksum: ip.checksum,
  });
  out.set(seg, 20 + optLen);
  return out;
}

function extProto(e: ExtSpec): number {
  switch (e.type) {
    case 'hbh': return IpProto.HOPOPT;
    case 'dst': return IpProto.DSTOPTS;
    case 'routing': return IpProto.ROUTING;
    case 'frag': return IpProto.FRAGMENT;
    case 'raw': return e.proto;
  }
}

/** Wraps an IP packet in the given link layer. */
export function frame(link: LinkSpec | undefined, ipPacket: Uint8Array): Uint8Array {
  const v = ipPacket[0] >> 4;
  const et = v === 6 ? EtherType.IPV6 : EtherType.IPV4;
  const l = link ?? { type: 'raw' };
  let hdr: Uint8Array;
  switch (l.type) {
    case 'ethernet': {
      const tags = l.vlans ?? [];
      hdr = new Uint8Array(14 + 4 * tags.length);
      emitEthernet(hdr, 0, mac(l.dst ?? '02:00:00:00:00:02'), mac(l.src ?? '02:00:00:00:00:01'), tags.length ? (l.qinq ? EtherType.QINQ : EtherType.VLAN) : et);
      tags.forEach((vid, i) => {
        const nextTpid = i + 1 < tags.length ? EtherType.VLAN : et;
        // A tag is TPID(2)+TCI(2); the TPID of tag i sits at 12+4i, so write TCI then the next type.
        emitVlanTag(hdr, 12 + 4 * i, i === 0 ? (l.qinq ? EtherType.QINQ : EtherType.VLAN) : EtherType.VLAN, vid);
        hdr[16 + 4 * i] = nextTpid >> 8;
        hdr[17 + 4 * i] = nextTpid & 0xff;
      });
      break;
    }
    case 'sll':
      hdr = new Uint8Array(16);
      emitSll(hdr, 0, l.packetType ?? 4, et, mac('02:00:00:00:00:01'));
      break;
    case 'sll2':
      hdr = new Uint8Array(20);
      emitSll2(hdr, 0, l.packetType ?? 4, et, l.ifIndex ?? 2, mac('02:00:00:00:00:01'));
      break;
    case 'null':
    case 'loop':
      hdr = new Uint8Array(4);
      emitNull(hdr, 0, v === 6 ? (l.type === 'null' ? 24 : 30) : 2, l.type === 'loop');
      break;
    default:
      return ipPacket;
  }
  const out = new Uint8Array(hdr.length + ipPacket.length);
  out.set(hdr, 0);
  out.set(ipPacket, hdr.length);
  return out;
}

/** Builds a whole frame. */
export function buildPacket(spec: PacketSpec): Uint8Array {
  return frame(spec.link, buildIp(spec));
}
