/**
 * RFC 7915 header translation, both directions, shared by the stateless SIIT engine and the
 * stateful NAT64 engine (which supplies the outgoing addresses/ports as tuples). One instance per
 * pipeline: the output buffer and the views are preallocated and reused, nothing is allocated per
 * packet, malformed input never throws (it returns a reason), checksums are updated incrementally
 * (RFC 1624) except where the RFC changes the covered data wholesale (ICMP errors) or the input has
 * none (IPv4 UDP checksum 0 with udpZeroChecksum: compute).
 *
 * Steps per direction (Jool's rfc7915/ layout): validate -> router duties (TTL / hop limit,
 * source route / routing header, MTU) -> IP header (§4.1 / §5.1) -> transport (§4.2-4.5 /
 * §5.2-5.5), the packet inside an ICMP error going through the same IP/transport steps with TTL not
 * decremented and checksums left alone when it is truncated.
 *
 * Decisions where RFC 7915 leaves room (documented, tested):
 * - TTL / hop limit are not decremented for kind = Hairpinned (the packet's second pass through the
 *   translator, as Jool's intrinsic hairpinning does).
 * - Generated ICMP errors (§4.4 / §5.4) come from `translator.ipv4` / `translator.ipv6`. Without a
 *   translator address: IPv4 falls back to the IPv4 form of translator.ipv6 under pool6, then the
 *   first address of the RFC 6791 IPv4 pool; IPv6 falls back to translator.ipv4 embedded in pool6,
 *   then the RFC 6791 IPv6 prefix. With none of those no error is sent (it is a SHOULD) and the
 *   packet is dropped with the same reason.
 * - No error is generated about an ICMP error, a non-first fragment, or to an unspecified /
 *   multicast / broadcast source (RFC 1812 §4.3.2.7, RFC 4443 §2.4 e).
 * - IPv6 -> IPv4 packets over mtu.ipv4 get Packet Too Big (MTU max(1280, mtu.ipv4 + 20)) whatever
 *   their DF; non-first fragments that are too big are dropped silently (Jool).
 * - The MTU of a translated PTB / Fragmentation Needed accounts for a Fragment Header in the
 *   packet in error (RFC 7915 §4.2 / §5.2 "taking into account whether or not the packet in error
 *   includes a Fragment Header"): ±28 instead of ±20 then.
 * - The first fragment of a fragmented ICMP message is dropped (IcmpFragment): its checksum cannot
 *   be fixed without the whole message.
 * - IPv4 Identification of the packet inside an ICMPv6 error: the Fragment Header's low 16 bits, or
 *   0 (the original IPv4 identification is unknowable).
 * - ipv4Identification `hash`: a 16-bit mix of the IPv4 addresses, protocol and the first 8 bytes
 *   of the transport header (ports + sequence number / length + checksum / id + sequence), so it is
 *   deterministic per packet and varies within a flow.
 */
import { Reason } from '../../diag/reasons.js';
import { EmitKind, SPLIT_HEADROOM, type XlatSink } from '../types.js';
import { ViewCache, viewOf } from '../../wire/word-copy.js';
import type { EngineConfig } from '../config-types.js';
import { Ipv4View } from '../../wire/ipv4.js';
import { Ipv6View } from '../../wire/ipv6.js';
import { Problem } from '../../wire/reasons.js';
import { sum, fold, finish, pseudo6, updateSums } from '../../wire/checksum.js';
import { embedIpv4, extractIpv4, inPrefix } from '../rfc6052.js';
import { EamTable } from '../eam.js';
import {
  newMapping, mapIcmp4to6, mapIcmp6to4, icmp4HasLength, icmp6HasLength, isIcmp4Error, plateauBelow,
} from './icmp-tables.js';

/** Outgoing IPv4 addresses and ports (or the ICMP identifier in both sport and dport); -1 = keep. */
export interface Tuple4 { src: number; dst: number; sport: number; dport: number }
/**
 * A new Tuple4. Not an object literal: literals `{ src, dst, sport, dport }` share V8's map tree
 * with Tuple6's, whose `src` / `dst` hold arrays, so those fields are tagged, and every IPv4
 * address past 2^31 stored in one became a new heap number (one per packet on the fast path). A
 * class of its own keeps them numbers, updated in place.
 */
export function tuple4(): Tuple4 {
  return new Tuple4Fields();
}
class Tuple4Fields implements Tuple4 {
  src = 0;
  dst = 0;
  sport = -1;
  dport = -1;
}
/** Outgoing IPv6 addresses (16 bytes each) and ports / ICMP identifier; -1 = keep. */
export interface Tuple6 { src: Uint8Array; dst: Uint8Array; sport: number; dport: number }

/**
 * Maps the addresses of the IPv6 packet inside an ICMPv6 error (bytes at srcOff/dstOff) into
 * `out` (set src, dst, sport, dport; -1 keeps a port). Returns 0 or a reason.
 */
export type InnerMapper6 = (bytes: Uint8Array, srcOff: number, dstOff: number, out: Tuple4) => number;
/** Same for the IPv4 packet inside an ICMPv4 error (write out.src / out.dst in place). */
export type InnerMapper4 = (bytes: Uint8Array, srcOff: number, dstOff: number, out: Tuple6) => number;

/** Largest IP packet + room for the headers translation adds. */
const OUT_SIZE = 65536 + 1024;
const IPV4_ERROR_MAX = 576;
const IPV6_ERROR_MAX = 1280;
const DF_LIMIT = 1260;

const ID_ZERO = 0;
const ID_SEQUENTIAL = 1;
const ID_HASH = 2;

// Native memcpy between two Uint8Arrays with no allocation (Buffer's copy accepts any Uint8Array).
const bufferCopy = Buffer.prototype.copy as (this: Uint8Array, target: Uint8Array, targetStart: number, sourceStart: number, sourceEnd: number) => number;

function copy(src: Uint8Array, from: number, len: number, dst: Uint8Array, to: number): void {
  if (len > 0) bufferCopy.call(src, dst, to, from, from + len);
}

function rd16(b: Uint8Array, o: number): number {
  return (b[o] << 8) | b[o + 1];
}
function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}
function wr16(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 8) & 0xff;
  b[o + 1] = v & 0xff;
}
function wr32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}
/**
 * {@link updateSums} for the fast path, where every argument is a small non-negative integer
 * (a checksum field; sums of a dozen 16-bit words): the same result with int32 folds instead of
 * the general fold's float division.
 */
function updateSmall(check: number, oldSum: number, newSum: number): number {
  return ~fold32((~check & 0xffff) + (~fold32(oldSum) & 0xffff) + fold32(newSum)) & 0xffff;
}

/** fold() for 0 <= s < 2^31: two end-around-carry rounds always reach 16 bits. */
function fold32(s: number): number {
  s = (s >>> 16) + (s & 0xffff);
  return (s >>> 16) + (s & 0xffff);
}

/** Unfolded sum of a 16-byte address. */
function sumAddr6(b: Uint8Array, o: number): number {
  let s = 0;
  for (let i = 0; i < 16; i += 2) s += (b[o + i] << 8) | b[o + i + 1];
  return s;
}
/** Unfolded sum of an IPv4 address given as u32. */
function sumAddr4(a: number): number {
  return (a >>> 16) + (a & 0xffff);
}
function isUnspecifiedOrMulticast6(b: Uint8Array, o: number): boolean {
  if (b[o] === 0xff) return true;
  for (let i = 0; i < 16; i++) if (b[o + i] !== 0) return false;
  return true;
}
function isBadIcmp4Destination(a: number): boolean {
  const first = a >>> 24;
  return first === 0 || first >= 224; // this-network, multicast, reserved, limited broadcast
}

/**
 * The checksum to store so that a message whose correct checksum is finish(s) keeps the input's
 * verdict: good input -> good output; a bad input stays exactly as wrong (its residual is carried).
 */
function carryChecksum(s: number, inputTotal: number): number {
  const good = finish(s);
  if (inputTotal === 0xffff) return good;
  return fold(inputTotal + good);
}

export class HeaderTranslator {
  readonly cfg: EngineConfig;
  readonly eam: EamTable;
  /** The output buffer (valid until the next call). */
  readonly out = new Uint8Array(OUT_SIZE);
  private readonly outView = viewOf(this.out);
  /** DataView of the input of the fast path. */
  private readonly inView = new ViewCache();
  /**
   * Largest ICMPv4 error a translated ICMPv6 error becomes (RFC 7915 §5.2 / RFC 1812: 576).
   * Reconstruction raises it: the IPv4 error a real translator received may have been longer.
   */
  translatedErrorMax4 = IPV4_ERROR_MAX;
  /** Addresses for the packet inside an ICMPv6 error when `inner` is null (default: EAM, then pool6). */
  mapInner6: InnerMapper6;
  /** Addresses for the packet inside an ICMPv4 error when `inner` is null (default: EAM, then pool6). */
  mapInner4: InnerMapper4;

  private readonly v4 = new Ipv4View();
  private readonly v6 = new Ipv6View();
  private readonly i4 = new Ipv4View();
  private readonly i6 = new Ipv6View();
  private readonly m = newMapping();
  private readonly t4: Tuple4 = tuple4();
  private readonly t6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  /** Source of generated ICMPv4 errors (u32) or -1; of ICMPv6 errors, or null. */
  private readonly own4: number;
  private readonly own6: Uint8Array | null;
  private readonly idMode: number;
  private readonly overrideTos: number;
  private readonly zeroizeTc: boolean;
  private seq = 0;

  constructor(cfg: EngineConfig) {
    this.cfg = cfg;
    this.eam = new EamTable(cfg.eam);
    this.idMode = cfg.ipv4Identification === 'sequential' ? ID_SEQUENTIAL : cfg.ipv4Identification === 'hash' ? ID_HASH : ID_ZERO;
    this.overrideTos = cfg.trafficClass.overrideTos ?? -1;
    this.zeroizeTc = cfg.trafficClass.zeroize;
    const t = cfg.translator;
    let own4 = -1;
    if (t.ipv4 !== null) own4 = t.ipv4 >>> 0;
    else if (t.ipv6 && cfg.pool6 && inPrefix(t.ipv6, 0, cfg.pool6)) own4 = extractIpv4(t.ipv6, 0, cfg.pool6.len);
    else if (cfg.rfc6791.ipv4) own4 = cfg.rfc6791.ipv4.addr >>> 0;
    this.own4 = own4;
    let own6: Uint8Array | null = null;
    if (t.ipv6) own6 = t.ipv6.slice();
    else if (t.ipv4 !== null && cfg.pool6) {
      own6 = new Uint8Array(16);
      embedIpv4(own6, 0, cfg.pool6, t.ipv4 >>> 0);
    } else if (cfg.rfc6791.ipv6) own6 = cfg.rfc6791.ipv6.bytes.slice();
    this.own6 = own6;
    this.mapInner6 = (b, s, d, out) => {
      const a = this.addr6to4(b, s);
      if (a < 0) return Reason.Untranslatable6Src;
      const c = this.addr6to4(b, d);
      if (c < 0) return Reason.Untranslatable6Dst;
      out.src = a;
      out.dst = c;
      out.sport = -1;
      out.dport = -1;
      return Reason.None;
    };
    this.mapInner4 = (b, s, d, out) => {
      if (!this.addr4to6(rd32(b, s), out.src, 0)) return Reason.Untranslatable4Src;
      if (!this.addr4to6(rd32(b, d), out.dst, 0)) return Reason.Untranslatable4Dst;
      out.sport = -1;
      out.dport = -1;
      return Reason.None;
    };
  }

  /** Plain SIIT address mapping 6 -> 4 (EAM, then pool6 with the u octet checked); -1 if none. */
  addr6to4(b: Uint8Array, off: number): number {
    const e = this.eam.lookup6(b, off);
    if (e >= 0) return e;
    const p = this.cfg.pool6;
    if (p && inPrefix(b, off, p) && (p.len === 96 || b[off + 8] === 0)) return extractIpv4(b, off, p.len);
    return -1;
  }

  /** Plain SIIT address mapping 4 -> 6 (EAM, then pool6) into out[off..off+16); false if none. */
  addr4to6(a: number, out: Uint8Array, off: number): boolean {
    if (this.eam.lookup4(a, out, off)) return true;
    const p = this.cfg.pool6;
    if (!p) return false;
    embedIpv4(out, off, p, a >>> 0);
    return true;
  }

  // ---------------------------------------------------------------------------------------------
  // IPv6 -> IPv4 (RFC 7915 §5)
  // ---------------------------------------------------------------------------------------------

  /**
   * IPv6 packet -> IPv4 with the given outgoing addresses/ports; `inner` gives the addresses/ports
   * for the packet inside an ICMPv6 error (null: map with `mapInner6`). Emits through sink (kind
   * Translated by default), or emits an ICMPv6 error back (kind IcmpError) and returns the reason;
   * returns 0 when translated. Never calls sink.drop: the caller reports the returned reason.
   */
  to4(bytes: Uint8Array, off: number, len: number, outer: Tuple4, inner: Tuple4 | null, n: number, sink: XlatSink, kind: EmitKind = EmitKind.Translated): number {
    const v = this.v6;
    const code = v.reset(bytes, off, len);
    if (code !== Problem.None && code !== Problem.Ipv6Jumbo && code !== Problem.Ipv6Esp) {
      return code === Problem.Ipv6Truncated || code === Problem.Ipv6CaptureShort ? Reason.Truncated : Reason.Malformed;
    }
    const u = v.upperOff;
    const ulen = v.payloadLen - v.extLen;
    if (ulen < 0 || u + ulen > off + len) return Reason.Truncated;
    const proto6 = v.finalProto;
    const isFrag = v.fragHdrOff >= 0;
    const first = !isFrag || v.fragOffsetBytes === 0;
    const icmpErr = proto6 === 58 && first && ulen >= 1 && bytes[u] < 128;
    const noError = icmpErr || !first;

    // Router duties: hop limit (§5.1 "Time to Live"), routing header (§5.1).
    let hop = v.hopLimit();
    if (kind !== EmitKind.Hairpinned) {
      if (hop <= 1) return this.icmp6Error(bytes, off, len, 3, 0, 0, Reason.HopLimitExpired, noError, n, sink);
      hop--;
    }
    if (v.routingOff >= 0 && v.segmentsLeft !== 0) {
      return this.icmp6Error(bytes, off, len, 4, 0, v.routingOff - off + 3, Reason.RoutingHeaderSegmentsLeft, noError, n, sink);
    }

    const proto4 = proto6 === 58 ? 1 : proto6;
    if (proto6 === 58 && first) {
      if (isFrag) return Reason.IcmpFragment;
      if (ulen < 8) return Reason.Malformed;
      const r = mapIcmp6to4(bytes[u], bytes[u + 1], rd32(bytes, u + 4), this.m);
      if (r !== Reason.None) return r;
      if (this.m.error) return this.icmpError6to4(bytes, off, outer, inner, hop, n, sink, kind);
    } else if (first && (proto6 === 6 ? ulen < 18 : proto6 === 17 ? ulen < 8 : false)) {
      return Reason.Malformed;
    }

    const tot = 20 + ulen;
    if (tot > this.cfg.mtu.ipv4) {
      if (!first) return Reason.PacketTooBig;
      const mtu = Math.max(1280, this.cfg.mtu.ipv4 + 20);
      return this.icmp6Error(bytes, off, len, 2, 0, mtu, Reason.PacketTooBig, noError, n, sink);
    }

    const o = this.out;
    let id: number;
    let flags: number;
    if (isFrag) {
      id = v.fragId & 0xffff;
      flags = (v.fragMore ? 0x2000 : 0) | (v.fragOffsetBytes >>> 3);
    } else {
      id = this.ident(outer.src, outer.dst, proto4, bytes, u, ulen);
      flags = tot > DF_LIMIT ? 0x4000 : 0;
    }
    this.ipv4Header(o, 0, this.overrideTos >= 0 ? this.overrideTos : v.trafficClass(), tot, id, flags, hop, proto4, outer.src, outer.dst);
    copy(bytes, u, ulen, o, 20);
    if (first) {
      const oldAddr = sumAddr6(bytes, off + 8) + sumAddr6(bytes, off + 24);
      const newAddr = sumAddr4(outer.src) + sumAddr4(outer.dst);
      const ph = proto6 === 58 ? pseudo6(bytes, off + 8, off + 24, 58, ulen) : 0;
      const r = this.l4to4(o, 20, ulen, proto6, true, outer, oldAddr, newAddr, ph, false);
      if (r !== Reason.None) return r;
    }
    sink.emit(o, 0, tot, 4, kind, n);
    return Reason.None;
  }

  /**
   * The per-flow fast path 6 -> 4 (stateful NAT64, src/xlat/nat64/fast-path.ts): exactly what
   * {@link to4} does for an IPv6 packet the caller has already checked to be the plain case — no
   * extension header, TCP (>= 20 bytes) / UDP (>= 8) / ICMPv6 echo (>= 8), payload length > 0 and
   * captured whole, hop limit > 1, 20 + `ulen` within mtu.ipv4, kind Translated — with `hop`
   * already decremented and t.sport / t.dport set. TCP and UDP: only the IPv4 header and the
   * rewritten start of the transport header are built (a word at a time, at SPLIT_HEADROOM in
   * the output buffer); the rest of the payload goes to the sink straight from the input
   * (XlatSink.emitSplit), or is copied after them when the sink has no emitSplit.
   */
  fastTo4(bytes: Uint8Array, off: number, ulen: number, proto6: number, hop: number, t: Tuple4, n: number, sink: XlatSink): void {
    const o = this.out;
    const H = SPLIT_HEADROOM;
    const u = off + 40;
    const k = this.fastHead4(bytes, off, ulen, proto6, hop, t, this.outView, H);
    if (proto6 === 58) {
      copy(bytes, u, ulen, o, H + 20);
      let oldAddr = 0;
      for (let i = off + 8; i < off + 40; i += 2) oldAddr += (bytes[i] << 8) | bytes[i + 1];
      this.l4to4(o, H + 20, ulen, 58, true, t, oldAddr, sumAddr4(t.src) + sumAddr4(t.dst), pseudo6(bytes, off + 8, off + 24, 58, ulen), false);
      sink.emit(o, H, 20 + ulen, 4, EmitKind.Translated, n);
      return;
    }
    this.emitFast(20 + k, bytes, u + k, ulen - k, 4, n, sink);
  }

  /**
   * A fast path's translation: the headers out[SPLIT_HEADROOM..+headLen) then bytes[off..+len),
   * to the sink in two parts (XlatSink.emitSplit), or joined when it takes only whole packets.
   */
  private emitFast(headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, n: number, sink: XlatSink): void {
    const o = this.out;
    const H = SPLIT_HEADROOM;
    if (sink.emitSplit !== undefined) {
      sink.emitSplit(o, H, headLen, bytes, off, len, family, EmitKind.Translated, n);
    } else {
      copy(bytes, off, len, o, H + headLen);
      sink.emit(o, H, headLen + len, family, EmitKind.Translated, n);
    }
  }

  /**
   * {@link fastTo4}'s headers, written at ov[at..): the IPv4 header (as ipv4Header()), its
   * checksum summed from the field values; for TCP / UDP also the start of the transport header
   * that changes (fastL4: ports and checksum). Returns the transport bytes written (0 for ICMPv6:
   * the caller translates the message). The rest of the packet is bytes[off + 40 + k ..) as it is.
   */
  fastHead4(bytes: Uint8Array, off: number, ulen: number, proto6: number, hop: number, t: Tuple4, ov: DataView, at: number): number {
    const iv = this.inView.of(bytes);
    const u = off + 40;
    const tot = 20 + ulen;
    const proto4 = proto6 === 58 ? 1 : proto6;
    const src = t.src;
    const dst = t.dst;
    const id = this.ident(src, dst, proto4, bytes, u, ulen);
    const tos = this.overrideTos >= 0 ? this.overrideTos : ((bytes[off] & 0x0f) << 4) | (bytes[off + 1] >> 4);
    const flags = tot > DF_LIMIT ? 0x4000 : 0;
    const newAddr = sumAddr4(src) + sumAddr4(dst);
    const hc = ~fold32((0x4500 | tos) + tot + id + flags + ((hop << 8) | proto4) + newAddr) & 0xffff;
    ov.setInt32(at, 0x45000000 | (tos << 16) | tot);
    ov.setInt32(at + 4, (id << 16) | flags);
    ov.setInt32(at + 8, (hop << 24) | (proto4 << 16) | hc);
    ov.setUint32(at + 12, src);
    ov.setUint32(at + 16, dst);
    if (proto6 === 58) return 0;
    let oldAddr = 0;
    for (let i = off + 8; i < off + 40; i += 4) {
      const w = iv.getUint32(i);
      oldAddr += (w >>> 16) + (w & 0xffff);
    }
    return this.fastL4(iv, u, ov, at + 20, proto6, t.sport, t.dport, oldAddr, newAddr);
  }

  /**
   * TCP / UDP ports and checksum of the fast path, exactly as l4to4 / l4to6 (`fix` true): the
   * first 18 (TCP) or 8 (UDP) bytes of the transport header from in[u..) to out[at..), with the
   * ports replaced and the checksum updated (RFC 1624; a UDP checksum 0 stays 0, a computed 0
   * becomes 0xffff). Returns how many bytes it wrote.
   */
  private fastL4(iv: DataView, u: number, ov: DataView, at: number, proto: number, ns: number, nd: number, oldAddr: number, newAddr: number): number {
    const ports = iv.getUint32(u);
    const os = ports >>> 16;
    const od = ports & 0xffff;
    ov.setInt32(at, (ns << 16) | nd);
    if (proto === 6) {
      ov.setInt32(at + 4, iv.getInt32(u + 4));
      ov.setInt32(at + 8, iv.getInt32(u + 8));
      ov.setInt32(at + 12, iv.getInt32(u + 12));
      ov.setUint16(at + 16, updateSmall(iv.getUint16(u + 16), oldAddr + os + od, newAddr + ns + nd));
      return 18;
    }
    ov.setUint16(at + 4, iv.getUint16(u + 4));
    const c = iv.getUint16(u + 6);
    let nc = 0;
    if (c !== 0) {
      nc = updateSmall(c, oldAddr + os + od, newAddr + ns + nd);
      if (nc === 0) nc = 0xffff;
    }
    ov.setUint16(at + 6, nc);
    return 8;
  }

  /** Transport fix-ups 6 -> 4 on o[at..at+avail): ports, ICMP echo type/id, checksums. */
  private l4to4(o: Uint8Array, at: number, avail: number, proto6: number, fix: boolean, t: Tuple4, oldAddr: number, newAddr: number, ph6: number, inner: boolean): number {
    if (proto6 === 6 || proto6 === 17) {
      if (avail < 4) return Reason.None;
      const os = rd16(o, at);
      const od = rd16(o, at + 2);
      const ns = t.sport >= 0 ? t.sport : os;
      const nd = t.dport >= 0 ? t.dport : od;
      wr16(o, at, ns);
      wr16(o, at + 2, nd);
      const cs = at + (proto6 === 6 ? 16 : 6);
      if (fix && cs + 2 <= at + avail) {
        const c = rd16(o, cs);
        if (proto6 === 17 && c === 0) return Reason.None; // no checksum stays no checksum in IPv4
        let nc = updateSums(c, oldAddr + os + od, newAddr + ns + nd);
        if (proto6 === 17 && nc === 0) nc = 0xffff;
        wr16(o, cs, nc);
      }
      return Reason.None;
    }
    if (proto6 === 58) {
      if (avail < 1) return Reason.None;
      const t6 = o[at];
      if (t6 !== 128 && t6 !== 129) return inner ? Reason.UntranslatableInnerPacket : Reason.UntranslatableIcmp6Type;
      const t4 = t6 === 128 ? 8 : 0;
      const codeB = avail >= 2 ? o[at + 1] : 0;
      o[at] = t4;
      if (avail < 6) return Reason.None;
      const oldId = rd16(o, at + 4);
      const newId = t.sport >= 0 ? t.sport : t.dport >= 0 ? t.dport : oldId;
      wr16(o, at + 4, newId);
      if (fix && avail >= 8) {
        const c = rd16(o, at + 2);
        let nc = updateSums(c, ph6 + ((t6 << 8) | codeB) + oldId, ((t4 << 8) | codeB) + newId);
        // RFC 1624 eqn. 3 gives 0x0000 for a message whose words sum to one's-complement zero;
        // when that zero is +0 (every byte 0: an echo reply with id, sequence and data all 0,
        // ICMPv4 has no pseudo-header), the checksum that verifies is 0xffff.
        if (nc === 0 && allZero(o, at, 2) && allZero(o, at + 4, avail - 4)) nc = 0xffff; // (the field itself still holds the old value)
        wr16(o, at + 2, nc);
      }
    }
    return Reason.None;
  }

  /** RFC 7915 §5.2 + §5.3: an ICMPv6 error (already mapped in this.m) -> ICMPv4 error. */
  private icmpError6to4(bytes: Uint8Array, off: number, outer: Tuple4, inner: Tuple4 | null, hop: number, n: number, sink: XlatSink, kind: EmitKind): number {
    const v = this.v6;
    const m = this.m;
    const u = v.upperOff;
    const ulen = v.payloadLen - v.extLen;
    const inType = bytes[u];
    const region = ulen - 8;
    let ipl = 0;
    if (icmp6HasLength(inType)) {
      ipl = bytes[u + 4] * 8;
      if (ipl > region) return Reason.Malformed;
      if (ipl === region) ipl = 0;
    }
    const innerOff = u + 8;
    const innerLen = ipl !== 0 ? ipl : region;
    const inTotal = fold(sum(bytes, u, ulen, pseudo6(bytes, off + 8, off + 24, 58, ulen)));

    // The packet inside (§5.3): an IPv6 header, translated like the outer one, TTL kept.
    const iv = this.i6;
    const ic = iv.reset(bytes, innerOff, innerLen);
    if (ic === Problem.Ipv6Truncated || ic === Problem.Ipv6BadVersion || ic === Problem.Ipv6ExtTruncated ||
        ic === Problem.Ipv6TooManyExt || ic === Problem.Ipv6HopByHopNotFirst) return Reason.UntranslatableInnerPacket;
    if (iv.finalProto === 59 && iv.nextHeader() !== 59) return Reason.UntranslatableInnerPacket; // chain cut short
    const iu = iv.upperOff;
    const iAvail = innerOff + innerLen - iu;
    if (iAvail < 0) return Reason.UntranslatableInnerPacket;
    const iFull = iv.payloadLengthField() - iv.extLen;
    const iProto6 = iv.finalProto;
    const iProto4 = iProto6 === 58 ? 1 : iProto6;
    const iFrag = iv.fragHdrOff >= 0;
    const iFirst = !iFrag || iv.fragOffsetBytes === 0;
    if (iProto6 === 58 && iFirst && iAvail >= 1 && bytes[iu] < 128) return Reason.IcmpErrorAboutError;
    let it = inner;
    if (it === null) {
      if (this.mapInner6(bytes, innerOff + 8, innerOff + 24, this.t4) !== Reason.None) return Reason.UntranslatableInnerPacket;
      it = this.t4;
    }

    const o = this.out;
    // Inner IPv4 header at 28, its transport at 48.
    const iTot = Math.min(0xffff, 20 + (iFull > 0 ? iFull : iAvail));
    let iId = 0;
    let iFlags = iTot > DF_LIMIT ? 0x4000 : 0;
    if (iFrag) {
      iId = iv.fragId & 0xffff;
      iFlags = (iv.fragMore ? 0x2000 : 0) | (iv.fragOffsetBytes >>> 3);
    }
    this.ipv4Header(o, 28, this.overrideTos >= 0 ? this.overrideTos : iv.trafficClass(), iTot, iId, iFlags, iv.hopLimit(), iProto4, it.src, it.dst);
    copy(bytes, iu, iAvail, o, 48);
    if (iFirst) {
      const complete = !iFrag && iFull >= 0 && iAvail >= iFull;
      const oldAddr = sumAddr6(bytes, innerOff + 8) + sumAddr6(bytes, innerOff + 24);
      const newAddr = sumAddr4(it.src) + sumAddr4(it.dst);
      const ph = iProto6 === 58 && complete ? pseudo6(bytes, innerOff + 8, innerOff + 24, 58, iFull) : 0;
      const r = this.l4to4(o, 48, iAvail, iProto6, complete, it, oldAddr, newAddr, ph, true);
      if (r !== Reason.None) return r;
    }
    const innerOut = 20 + iAvail;

    // RFC 4884 extension (§5.2 "ICMP Error Payload"), then truncation to 576 bytes (§5.4, Jool).
    const extOff = innerOff + innerLen;
    const extLen = ipl !== 0 ? u + ulen - extOff : 0;
    let total: number;
    let lenField = 0;
    if (extLen > 0 && icmp4HasLength(m.type) && extLen <= this.translatedErrorMax4 - 28 - 128) {
      const ipl4 = Math.min(innerOut, this.translatedErrorMax4 - 28 - extLen) & ~3;
      const pad = ipl4 < 128 ? 128 - ipl4 : 0;
      o.fill(0, 28 + ipl4, 28 + ipl4 + pad);
      copy(bytes, extOff, extLen, o, 28 + ipl4 + pad);
      lenField = (ipl4 + pad) >>> 2;
      total = 28 + ipl4 + pad + extLen;
    } else {
      total = Math.min(28 + innerOut, this.translatedErrorMax4);
    }

    // ICMPv4 header at 20.
    o[20] = m.type;
    o[21] = m.code;
    o[22] = 0;
    o[23] = 0;
    if (m.mtu) {
      const adv = rd32(bytes, u + 4);
      const delta = iFrag ? 28 : 20;
      let mtu = Math.min(adv - delta, this.cfg.mtu.ipv4, this.cfg.mtu.ipv6 - 20);
      if (mtu < 0) mtu = 0;
      if (mtu > 0xffff) mtu = 0xffff;
      o[24] = 0;
      o[25] = 0;
      wr16(o, 26, mtu);
    } else {
      o[24] = m.pointer >= 0 ? m.pointer : 0;
      o[25] = icmp4HasLength(m.type) ? lenField : 0;
      o[26] = 0;
      o[27] = 0;
    }
    wr16(o, 22, carryChecksum(sum(o, 20, total - 20), inTotal));
    const id = this.ident(outer.src, outer.dst, 1, o, 20, 8);
    this.ipv4Header(o, 0, this.overrideTos >= 0 ? this.overrideTos : v.trafficClass(), total, id, total > DF_LIMIT ? 0x4000 : 0, hop, 1, outer.src, outer.dst);
    sink.emit(o, 0, total, 4, kind, n);
    return Reason.None;
  }

  private ipv4Header(o: Uint8Array, at: number, tos: number, tot: number, id: number, flags: number, ttl: number, proto: number, src: number, dst: number): void {
    o[at] = 0x45;
    o[at + 1] = tos;
    wr16(o, at + 2, tot);
    wr16(o, at + 4, id);
    wr16(o, at + 6, flags);
    o[at + 8] = ttl;
    o[at + 9] = proto;
    o[at + 10] = 0;
    o[at + 11] = 0;
    wr32(o, at + 12, src);
    wr32(o, at + 16, dst);
    wr16(o, at + 10, finish(sum(o, at, 20)));
  }

  /** IPv4 Identification of an unfragmented 6 -> 4 translation (ipv4Identification). */
  private ident(src: number, dst: number, proto: number, b: Uint8Array, l4: number, l4len: number): number {
    if (this.idMode === ID_ZERO) return 0;
    if (this.idMode === ID_SEQUENTIAL) {
      this.seq = (this.seq + 1) & 0xffff;
      return this.seq;
    }
    let h = Math.imul((src ^ 0x9e3779b9) | 0, 0x85ebca6b);
    h = Math.imul(h ^ dst ^ (h >>> 16), 0xc2b2ae35);
    h ^= proto;
    if (l4len >= 8) {
      h = Math.imul(h ^ rd32(b, l4) ^ (h >>> 15), 0x2c1b3c6d);
      h = Math.imul(h ^ rd32(b, l4 + 4) ^ (h >>> 13), 0x297a2d39);
    }
    h ^= h >>> 16;
    return h & 0xffff;
  }

  /** §5.4: an ICMPv6 error about the IPv6 packet at bytes[off..), from the translator. */
  private icmp6Error(bytes: Uint8Array, off: number, len: number, type: number, code: number, rest: number, reason: number, suppress: boolean, n: number, sink: XlatSink): number {
    const own = this.own6;
    if (suppress || own === null || isUnspecifiedOrMulticast6(bytes, off + 8)) return reason;
    const o = this.out;
    const pl = (bytes[off + 4] << 8) | bytes[off + 5];
    const pktLen = pl === 0 ? len : Math.min(len, 40 + pl);
    const quote = Math.min(pktLen, IPV6_ERROR_MAX - 48);
    const plen = 8 + quote;
    o[0] = 0x60;
    o[1] = 0;
    o[2] = 0;
    o[3] = 0;
    wr16(o, 4, plen);
    o[6] = 58;
    o[7] = 64;
    for (let i = 0; i < 16; i++) {
      o[8 + i] = own[i];
      o[24 + i] = bytes[off + 8 + i];
    }
    o[40] = type;
    o[41] = code;
    o[42] = 0;
    o[43] = 0;
    wr32(o, 44, rest);
    copy(bytes, off, quote, o, 48);
    wr16(o, 42, finish(sum(o, 40, plen, pseudo6(o, 8, 24, 58, plen))));
    sink.emit(o, 0, 40 + plen, 6, EmitKind.IcmpError, n);
    return reason;
  }

  // ---------------------------------------------------------------------------------------------
  // IPv4 -> IPv6 (RFC 7915 §4)
  // ---------------------------------------------------------------------------------------------

  /**
   * IPv4 packet -> IPv6 with the given outgoing addresses/ports; `inner` gives the addresses/ports
   * for the packet inside an ICMPv4 error (null: map with `mapInner4`). Emits through sink (kind
   * Translated by default; several emits when it fragments), or emits an ICMPv4 error back (kind
   * IcmpError) and returns the reason; returns 0 when translated. Never calls sink.drop.
   */
  to6(bytes: Uint8Array, off: number, len: number, outer: Tuple6, inner: Tuple6 | null, n: number, sink: XlatSink, kind: EmitKind = EmitKind.Translated): number {
    const v = this.v4;
    const code = v.reset(bytes, off, len);
    if (v.hdrLen === 0 || code === Problem.Ipv4BadTotalLength) return code === Problem.Ipv4Truncated ? Reason.Truncated : Reason.Malformed;
    if (code === Problem.Ipv4CaptureShort) return Reason.Truncated;
    const proto4 = v.protocol();
    const p = v.payloadOffset();
    const plen = v.payloadLength();
    const mf = v.moreFragments();
    const fo = v.fragOffset();
    const isFrag = mf || fo !== 0;
    const first = fo === 0;
    const icmpErr = proto4 === 1 && first && plen >= 1 && isIcmp4Error(bytes[p]);
    const noError = icmpErr || !first;
    const pktLen = Math.min(len, v.totalLen);

    // Router duties: TTL (§4.1 "Hop Limit"), source route (§4.1).
    let ttl = v.ttl();
    if (kind !== EmitKind.Hairpinned) {
      if (ttl <= 1) return this.icmp4Error(bytes, off, pktLen, 11, 0, 0, Reason.TtlExpired, noError, n, sink);
      ttl--;
    }
    if (v.sourceRoute) return this.icmp4Error(bytes, off, pktLen, 3, 5, 0, Reason.SourceRoute, noError, n, sink);

    let zeroUdp = false;
    if (proto4 === 1 && first) {
      if (isFrag) return Reason.IcmpFragment;
      if (plen < 8) return Reason.Malformed;
      const r = mapIcmp4to6(bytes[p], bytes[p + 1], bytes[p + 4], this.m);
      if (r !== Reason.None) return r;
      if (this.m.error) return this.icmpError4to6(bytes, off, outer, inner, ttl, n, sink, kind);
    } else if (proto4 === 17 && first) {
      if (plen < 8) return Reason.Malformed;
      if (rd16(bytes, p + 6) === 0) {
        // §4.5: a stateless translator cannot compute the checksum of a fragmented datagram.
        if (isFrag) return Reason.UdpZeroChecksumFragment;
        if (this.cfg.udpZeroChecksum === 'drop') return Reason.UdpZeroChecksum;
        zeroUdp = true;
      }
    } else if (proto4 === 6 && first && plen < 18) {
      return Reason.Malformed;
    }

    // MTU: DF=1 too big -> Fragmentation Needed; DF=0 -> fragment to the lowest IPv6 MTU (§4).
    let fragHdr = isFrag;
    let chunk = 0;
    if (v.dontFragment()) {
      const size = (isFrag ? 48 : 40) + plen;
      if (size > this.cfg.mtu.ipv6) {
        const mtu = Math.max(0, this.cfg.mtu.ipv6 - (isFrag ? 28 : 20)) & 0xffff;
        return this.icmp4Error(bytes, off, pktLen, 3, 4, mtu, Reason.FragmentationNeeded, noError, n, sink);
      }
    } else {
      const lim = Math.min(this.cfg.mtu.lowestIpv6Mtu, this.cfg.mtu.ipv6);
      if (!isFrag && 40 + plen > lim) fragHdr = true;
      if (fragHdr && 48 + plen > lim) chunk = Math.max(8, (lim - 48) & ~7);
    }

    const o = this.out;
    const nh = proto4 === 1 ? 58 : proto4;
    const at = fragHdr ? 48 : 40;
    const tc = this.zeroizeTc ? 0 : v.tos();
    this.ipv6Header(o, 0, tc, (fragHdr ? 8 : 0) + plen, fragHdr ? 44 : nh, ttl, outer.src, outer.dst);
    copy(bytes, p, plen, o, at);
    if (first) {
      if (zeroUdp) {
        this.l4to6(o, at, plen, proto4, false, outer, 0, 0, 0, false);
        let c = finish(sum(o, at, plen, pseudo6(o, 8, 24, 17, plen)));
        if (c === 0) c = 0xffff;
        wr16(o, at + 6, c);
      } else {
        const oldAddr = sumAddr4(v.src()) + sumAddr4(v.dst());
        const newAddr = sumAddr6(outer.src, 0) + sumAddr6(outer.dst, 0);
        const ph = proto4 === 1 ? pseudo6(o, 8, 24, 58, plen) : 0;
        const r = this.l4to6(o, at, plen, proto4, true, outer, oldAddr, newAddr, ph, false);
        if (r !== Reason.None) return r;
      }
    }
    const id = v.ident();
    if (chunk === 0) {
      if (fragHdr) fragmentHeader(o, 40, nh, fo, mf, id);
      sink.emit(o, 0, at + plen, 6, kind, n);
      return Reason.None;
    }
    // Fragment: chunk k's data sits at 48 + done; its headers go in the 48 bytes before it, over
    // the tail of the chunk already emitted.
    let done = 0;
    while (done < plen) {
      const cl = Math.min(chunk, plen - done);
      const last = done + cl >= plen;
      if (done !== 0) this.ipv6Header(o, done, tc, 8 + cl, 44, ttl, outer.src, outer.dst);
      else wr16(o, 4, 8 + cl);
      fragmentHeader(o, done + 40, nh, fo + done, !last || mf, id);
      sink.emit(o, done, 48 + cl, 6, kind, n);
      done += cl;
    }
    return Reason.None;
  }

  /**
   * The per-flow fast path 4 -> 6: exactly what {@link to6} does for an IPv4 packet the caller has
   * checked to be the plain case — IHL 5, not a fragment, total length >= 28 and captured whole,
   * TCP (>= 20 bytes) / UDP (>= 8, checksum not 0) / ICMP echo (>= 8), TTL > 1, no fragmentation
   * needed (DF=1: 40 + `plen` within mtu.ipv6; DF=0: within the lowest IPv6 MTU), kind Translated
   * — with `ttl` already decremented. The outgoing source and destination addresses are the
   * eight 32-bit words `w6`; ports in t.sport / t.dport (t.src / t.dst are not read). Output as
   * in {@link fastTo4}.
   */
  fastTo6(bytes: Uint8Array, off: number, plen: number, proto4: number, ttl: number, w6: Int32Array, t: Tuple6, n: number, sink: XlatSink): void {
    const o = this.out;
    const H = SPLIT_HEADROOM;
    const p = off + 20;
    const k = this.fastHead6(bytes, off, plen, proto4, ttl, w6, t, this.outView, H);
    if (proto4 === 1) {
      copy(bytes, p, plen, o, H + 40);
      let newAddr = 0;
      for (let i = 0; i < 8; i++) newAddr += (w6[i] >>> 16) + (w6[i] & 0xffff);
      const oldAddr = sumAddr4(rd32(bytes, off + 12)) + sumAddr4(rd32(bytes, off + 16));
      this.l4to6(o, H + 40, plen, 1, true, t, oldAddr, newAddr, pseudo6(o, H + 8, H + 24, 58, plen), false);
      sink.emit(o, H, 40 + plen, 6, EmitKind.Translated, n);
      return;
    }
    this.emitFast(40 + k, bytes, p + k, plen - k, 6, n, sink);
  }

  /**
   * {@link fastTo6}'s headers, written at ov[at..): the IPv6 header, and for TCP / UDP the start
   * of the transport header that changes (fastL4). Returns the transport bytes written (0 for
   * ICMP: the caller translates the message). The rest is bytes[off + 20 + k ..) as it is.
   */
  fastHead6(bytes: Uint8Array, off: number, plen: number, proto4: number, ttl: number, w6: Int32Array, t: Tuple6, ov: DataView, at: number): number {
    const iv = this.inView.of(bytes);
    const nh = proto4 === 1 ? 58 : proto4;
    const tc = this.zeroizeTc ? 0 : bytes[off + 1];
    ov.setInt32(at, 0x60000000 | (tc << 20));
    ov.setInt32(at + 4, (plen << 16) | (nh << 8) | ttl);
    let newAddr = 0;
    for (let i = 0; i < 8; i++) {
      const w = w6[i];
      ov.setInt32(at + 8 + i * 4, w);
      newAddr += (w >>> 16) + (w & 0xffff);
    }
    if (proto4 === 1) return 0;
    const oldAddr = sumAddr4(iv.getUint32(off + 12)) + sumAddr4(iv.getUint32(off + 16));
    return this.fastL4(iv, off + 20, ov, at + 40, proto4, t.sport, t.dport, oldAddr, newAddr);
  }

  /** Transport fix-ups 4 -> 6 on o[at..at+avail). */
  private l4to6(o: Uint8Array, at: number, avail: number, proto4: number, fix: boolean, t: Tuple6, oldAddr: number, newAddr: number, ph6: number, inner: boolean): number {
    if (proto4 === 6 || proto4 === 17) {
      if (avail < 4) return Reason.None;
      const os = rd16(o, at);
      const od = rd16(o, at + 2);
      const ns = t.sport >= 0 ? t.sport : os;
      const nd = t.dport >= 0 ? t.dport : od;
      wr16(o, at, ns);
      wr16(o, at + 2, nd);
      const cs = at + (proto4 === 6 ? 16 : 6);
      if (fix && cs + 2 <= at + avail) {
        const c = rd16(o, cs);
        if (proto4 === 17 && c === 0) return Reason.None;
        let nc = updateSums(c, oldAddr + os + od, newAddr + ns + nd);
        if (proto4 === 17 && nc === 0) nc = 0xffff;
        wr16(o, cs, nc);
      }
      return Reason.None;
    }
    if (proto4 === 1) {
      if (avail < 1) return Reason.None;
      const t4 = o[at];
      if (t4 !== 8 && t4 !== 0) return inner ? Reason.UntranslatableInnerPacket : Reason.UntranslatableIcmp4Type;
      const t6 = t4 === 8 ? 128 : 129;
      const codeB = avail >= 2 ? o[at + 1] : 0;
      o[at] = t6;
      if (avail < 6) return Reason.None;
      const oldId = rd16(o, at + 4);
      const newId = t.sport >= 0 ? t.sport : t.dport >= 0 ? t.dport : oldId;
      wr16(o, at + 4, newId);
      if (fix && avail >= 8) {
        const c = rd16(o, at + 2);
        wr16(o, at + 2, updateSums(c, ((t4 << 8) | codeB) + oldId, ph6 + ((t6 << 8) | codeB) + newId));
      }
    }
    return Reason.None;
  }

  /** RFC 7915 §4.2 + §4.3: an ICMPv4 error (already mapped in this.m) -> ICMPv6 error. */
  private icmpError4to6(bytes: Uint8Array, off: number, outer: Tuple6, inner: Tuple6 | null, ttl: number, n: number, sink: XlatSink, kind: EmitKind): number {
    const v = this.v4;
    const m = this.m;
    const u = v.payloadOffset();
    const ulen = v.payloadLength();
    const inType = bytes[u];
    const region = ulen - 8;
    let ipl = 0;
    if (icmp4HasLength(inType)) {
      ipl = bytes[u + 5] * 4;
      if (ipl > region) return Reason.Malformed;
      if (ipl === region) ipl = 0;
    }
    const innerOff = u + 8;
    const innerLen = ipl !== 0 ? ipl : region;
    const inTotal = fold(sum(bytes, u, ulen));

    const iv = this.i4;
    const ic = iv.reset(bytes, innerOff, innerLen);
    if (iv.hdrLen === 0 || ic === Problem.Ipv4BadTotalLength) return Reason.UntranslatableInnerPacket;
    const iu = iv.payloadOffset();
    const iAvail = innerOff + innerLen - iu;
    const iFull = iv.payloadLength();
    const iProto4 = iv.protocol();
    const iFo = iv.fragOffset();
    const iMf = iv.moreFragments();
    const iFrag = iMf || iFo !== 0;
    const iFirst = iFo === 0;
    if (iProto4 === 1 && iFirst && iAvail >= 1 && isIcmp4Error(bytes[iu])) return Reason.IcmpErrorAboutError;
    let it = inner;
    if (it === null) {
      if (this.mapInner4(bytes, innerOff + 12, innerOff + 16, this.t6) !== Reason.None) return Reason.UntranslatableInnerPacket;
      it = this.t6;
    }

    const o = this.out;
    const iNh = iProto4 === 1 ? 58 : iProto4;
    const iAt = iFrag ? 96 : 88;
    this.ipv6Header(o, 48, this.zeroizeTc ? 0 : iv.tos(), Math.min(0xffff, iFull + (iFrag ? 8 : 0)), iFrag ? 44 : iNh, iv.ttl(), it.src, it.dst);
    if (iFrag) fragmentHeader(o, 88, iNh, iFo, iMf, iv.ident());
    copy(bytes, iu, iAvail, o, iAt);
    if (iFirst) {
      const complete = !iFrag && iAvail >= iFull;
      const oldAddr = sumAddr4(rd32(bytes, innerOff + 12)) + sumAddr4(rd32(bytes, innerOff + 16));
      const newAddr = sumAddr6(it.src, 0) + sumAddr6(it.dst, 0);
      const ph = iProto4 === 1 && complete ? pseudo6(o, 56, 72, 58, iFull) : 0;
      const r = this.l4to6(o, iAt, iAvail, iProto4, complete, it, oldAddr, newAddr, ph, true);
      if (r !== Reason.None) return r;
    }
    const innerOut = iAt - 48 + iAvail;

    // RFC 4884 extension (§4.2 "ICMP Error Payload"), then truncation to 1280 bytes.
    const extOff = innerOff + innerLen;
    const extLen = ipl !== 0 ? u + ulen - extOff : 0;
    let total: number;
    let lenField = 0;
    if (extLen > 0 && icmp6HasLength(m.type) && extLen <= IPV6_ERROR_MAX - 48 - 128) {
      const ipl6 = Math.min(innerOut, IPV6_ERROR_MAX - 48 - extLen) & ~7;
      const pad = ipl6 < 128 ? 128 - ipl6 : 0;
      o.fill(0, 48 + ipl6, 48 + ipl6 + pad);
      copy(bytes, extOff, extLen, o, 48 + ipl6 + pad);
      lenField = (ipl6 + pad) >>> 3;
      total = 48 + ipl6 + pad + extLen;
    } else {
      total = Math.min(48 + innerOut, IPV6_ERROR_MAX);
    }

    this.ipv6Header(o, 0, this.zeroizeTc ? 0 : v.tos(), total - 40, 58, ttl, outer.src, outer.dst);
    o[40] = m.type;
    o[41] = m.code;
    o[42] = 0;
    o[43] = 0;
    if (m.mtu) {
      let adv = rd16(bytes, u + 6);
      if (adv === 0) adv = plateauBelow(this.cfg.mtu.plateaus, iv.totalLengthField());
      const delta = iFrag ? 28 : 20;
      let mtu = Math.min(adv + delta, this.cfg.mtu.ipv6, this.cfg.mtu.ipv4 + 20);
      if (mtu < 1280) mtu = 1280;
      wr32(o, 44, mtu);
    } else if (m.pointer >= 0) {
      wr32(o, 44, m.pointer);
    } else {
      wr32(o, 44, 0);
      if (icmp6HasLength(m.type)) o[44] = lenField;
    }
    wr16(o, 42, carryChecksum(sum(o, 40, total - 40, pseudo6(o, 8, 24, 58, total - 40)), inTotal));
    sink.emit(o, 0, total, 6, kind, n);
    return Reason.None;
  }

  private ipv6Header(o: Uint8Array, at: number, tc: number, plen: number, nh: number, hop: number, src: Uint8Array, dst: Uint8Array): void {
    o[at] = 0x60 | (tc >>> 4);
    o[at + 1] = (tc & 0x0f) << 4;
    o[at + 2] = 0;
    o[at + 3] = 0;
    wr16(o, at + 4, plen);
    o[at + 6] = nh;
    o[at + 7] = hop;
    for (let i = 0; i < 16; i++) {
      o[at + 8 + i] = src[i];
      o[at + 24 + i] = dst[i];
    }
  }

  /** §4.4: an ICMPv4 error about the IPv4 packet at bytes[off..off+pktLen), from the translator. */
  private icmp4Error(bytes: Uint8Array, off: number, pktLen: number, type: number, code: number, rest: number, reason: number, suppress: boolean, n: number, sink: XlatSink): number {
    const own = this.own4;
    const dst = rd32(bytes, off + 12);
    if (suppress || own < 0 || isBadIcmp4Destination(dst)) return reason;
    const o = this.out;
    const quote = Math.min(pktLen, IPV4_ERROR_MAX - 28);
    const total = 28 + quote;
    o[20] = type;
    o[21] = code;
    o[22] = 0;
    o[23] = 0;
    wr32(o, 24, rest);
    copy(bytes, off, quote, o, 28);
    wr16(o, 22, finish(sum(o, 20, 8 + quote)));
    this.ipv4Header(o, 0, 0, total, 0, 0, 64, 1, own, dst);
    sink.emit(o, 0, total, 4, EmitKind.IcmpError, n);
    return reason;
  }
}

function fragmentHeader(o: Uint8Array, at: number, nh: number, offsetBytes: number, more: boolean, id: number): void {
  o[at] = nh;
  o[at + 1] = 0;
  wr16(o, at + 2, (offsetBytes & 0xfff8) | (more ? 1 : 0));
  wr32(o, at + 4, id >>> 0);
}

/** True when b[off..off+len) holds only zero bytes. */
function allZero(b: Uint8Array, off: number, len: number): boolean {
  for (let i = 0; i < len; i++) if (b[off + i] !== 0) return false;
  return true;
}
