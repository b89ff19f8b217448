/**
 * Stateless SIIT (RFC 7915) with Explicit Address Mappings (RFC 7757): `process()` takes the
 * direction from the packet's IP version, computes the outgoing addresses, and hands the packet to
 * the HeaderTranslator.
 *
 * Address mapping (RFC 7915 §4.1 / §5.1, RFC 7757 §3.3): EAM first (longest prefix), then pool6
 * (RFC 6052, u octet must be zero). Addresses derived through pool6 are refused when they are in
 * `denylist4` (Jool's blacklist4: EAM still applies) and, with `strictWellKnownPrefix`, when they
 * are not global and sit behind 64:ff9b::/96 (RFC 6052 §3.1). The packet inside an ICMP error is
 * mapped the same way (without those two checks: it already crossed the translator once).
 *
 * ICMP errors whose source has no translated form: 6 -> 4 uses an address of the RFC 6791 IPv4
 * pool (a hash of the IPv6 source picks it, so one router keeps one address), else
 * translator.ipv4; 4 -> 6 uses, with `sourceIcmpv6ErrorsBetter`, the pool6 form of the IPv4
 * source even where the checks above refuse it, else the RFC 6791 IPv6 prefix (hash of the IPv4
 * source in its host bits), else translator.ipv6.
 *
 * Hairpinning (RFC 7757 §4) for packets from IPv6 to an EAM IPv4 address:
 * - off: no special handling; the IPv4 translation is emitted.
 * - simple: the IPv4 network routes the packet back; the translator, translating IPv4 -> IPv6,
 *   maps the source with pool6 instead of EAM (ICMP errors: only when their source is the inner
 *   packet's destination) and the inner destination with pool6 (Jool's EHM_SIMPLE).
 * - intrinsic: when the IPv6 destination is the pool6 form of an EAM IPv4 address, the translator
 *   loops the packet back itself: 6 -> 4, then 4 -> 6 with the simple rules, TTL not decremented
 *   the second time; only the IPv6 packet is emitted (kind Hairpinned). A destination that is an
 *   EAM IPv6 address itself is translated normally.
 */
import { copyWithHopsRaised, ReconstructSink } from '../reconstruct-common.js';
import { Reason } from '../../diag/reasons.js';
import { EmitKind, type Clock, type Engine, type XlatSink } from '../types.js';
import type { EngineConfig } from '../config-types.js';
import { Ipv6View } from '../../wire/ipv6.js';
import { embedIpv4, extractIpv4, inPrefix, WKP } from '../rfc6052.js';
import { isGlobalIpv4 } from '../special-purpose.js';
import type { EamTable } from '../eam.js';
import { HeaderTranslator, tuple4, type InnerMapper4, type Tuple4, type Tuple6 } from './header-translator.js';
import { isIcmp4Error } from './icmp-tables.js';

function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function hash32(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

export class SiitEngine implements Engine {
  readonly cfg: EngineConfig;
  /** The translator of the main pass. */
  readonly xlat: HeaderTranslator;
  /** The translator of the second (4 -> 6) pass of intrinsic hairpinning. */
  private readonly hair: HeaderTranslator;
  private readonly eam: EamTable;
  private readonly v6 = new Ipv6View();
  private readonly o4: Tuple4 = tuple4();
  private readonly o6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  private readonly h6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  private readonly denyAddr: Uint32Array;
  private readonly denyMask: Uint32Array;
  private readonly poolIsWkp: boolean;
  private readonly mode: 'off' | 'simple' | 'intrinsic';
  private readonly hairSink: XlatSink;
  private realSink: XlatSink | null = null;

  constructor(cfg: EngineConfig) {
    this.cfg = cfg;
    this.xlat = new HeaderTranslator(cfg);
    this.hair = new HeaderTranslator(cfg);
    this.eam = this.xlat.eam;
    this.mode = cfg.hairpinning;
    this.denyAddr = new Uint32Array(cfg.denylist4.length);
    this.denyMask = new Uint32Array(cfg.denylist4.length);
    cfg.denylist4.forEach((p, i) => {
      const m = p.len === 0 ? 0 : (0xffffffff << (32 - p.len)) >>> 0;
      this.denyMask[i] = m;
      this.denyAddr[i] = (p.addr & m) >>> 0;
    });
    const p6 = cfg.pool6;
    this.poolIsWkp = p6 !== null && p6.len === 96 && inPrefix(p6.bytes, 0, WKP);

    // Inner packets of hairpinned / simple-mode ICMP errors: destination through pool6, not EAM.
    const hairInner4: InnerMapper4 = (b, s, d, out) => {
      if (!this.xlat.addr4to6(rd32(b, s), out.src, 0)) return Reason.Untranslatable4Src;
      const pool = this.cfg.pool6;
      if (!pool) return Reason.Untranslatable4Dst;
      embedIpv4(out.dst, 0, pool, rd32(b, d));
      out.sport = -1;
      out.dport = -1;
      return Reason.None;
    };
    this.hair.mapInner4 = hairInner4;
    if (this.mode === 'simple') this.xlat.mapInner4 = hairInner4;

    this.hairSink = {
      emit: (b, o, l, family, kind, about) => {
        const sink = this.realSink as XlatSink;
        if (family === 4 && kind === EmitKind.Translated) this.hairpin4to6(b, o, l, about, sink);
        else sink.emit(b, o, l, family, kind, about);
      },
      drop: (reason, about) => (this.realSink as XlatSink).drop(reason, about),
    };
  }

  process(bytes: Uint8Array, off: number, len: number, _now: Clock, n: number, sink: XlatSink): void {
    if (len < 1) {
      sink.drop(Reason.NotIp, n);
      return;
    }
    const ver = bytes[off] >> 4;
    if (ver === 6) this.from6(bytes, off, len, n, sink);
    else if (ver === 4) this.from4(bytes, off, len, n, sink);
    else sink.drop(Reason.NotIp, n);
  }

  advance(_now: Clock, _sink: XlatSink): void {
    // Stateless: no timers.
  }

  drain(_sink: XlatSink, _final?: boolean): void {
    // Stateless: nothing pending.
  }

  private readonly recBuf = new Uint8Array(65536 + 64);
  private readonly recSink = new ReconstructSink();
  /** Where the forward translation of each reconstructed packet goes (tests: it must equal the original). */
  forwardCheck: XlatSink | null = null;
  private readonly r4: Tuple4 = tuple4();
  private readonly r6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };

  /**
   * SPEC §4 `--side`. An IPv6 packet from a pool6 source came out of the translator: it received
   * IPv4 from that embedded address to the IPv4 form of the IPv6 destination. An IPv4 packet from
   * an EAM IPv4 address came out too: it received IPv6 from the mapped IPv6 host. Stateless, so
   * the reconstruction is the whole job.
   */
  reconstruct(bytes: Uint8Array, off: number, len: number, _now: Clock, n: number, sink: XlatSink): boolean {
    if (len < 20) return false;
    const ver = bytes[off] >> 4;
    const p6 = this.cfg.pool6;
    this.recSink.target = sink;
    this.recSink.len = 0;
    if (ver === 6) {
      if (len < 40 || p6 === null || !inPrefix(bytes, off + 8, p6)) return false;
      const t = this.r4;
      t.src = extractIpv4(bytes, off + 8, p6.len);
      const d = this.eam.lookup6(bytes, off + 24);
      const dst = d >= 0 ? d : inPrefix(bytes, off + 24, p6) ? extractIpv4(bytes, off + 24, p6.len) : -1;
      if (dst < 0) {
        sink.drop(Reason.CannotReconstruct, n);
        return true;
      }
      t.dst = dst;
      const l = copyWithHopsRaised(bytes, off, len, this.recBuf);
      const r = this.xlat.to4(this.recBuf, 0, l, t, null, n, this.recSink, EmitKind.Reconstructed);
      if (r !== Reason.None || this.recSink.len === 0) sink.drop(r || Reason.CannotReconstruct, n);
      else if (this.forwardCheck) this.process(this.recSink.buf, 0, this.recSink.len, _now, n, this.forwardCheck);
      return true;
    }
    if (ver !== 4) return false;
    const src4 = rd32(bytes, off + 12);
    if (!this.eam.has4(src4)) return false;
    const t = this.r6;
    this.eam.lookup4(src4, t.src, 0);
    if (!this.xlat.addr4to6(rd32(bytes, off + 16), t.dst, 0)) {
      sink.drop(Reason.CannotReconstruct, n);
      return true;
    }
    const l = copyWithHopsRaised(bytes, off, len, this.recBuf);
    const r = this.xlat.to6(this.recBuf, 0, l, t, null, n, this.recSink, EmitKind.Reconstructed);
    if (r !== Reason.None || this.recSink.len === 0) sink.drop(r || Reason.CannotReconstruct, n);
    else if (this.forwardCheck) this.process(this.recSink.buf, 0, this.recSink.len, _now, n, this.forwardCheck);
    return true;
  }

  // --- IPv6 -> IPv4 ------------------------------------------------------------------------------

  private from6(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink): void {
    if (len < 40) {
      sink.drop(Reason.Truncated, n);
      return;
    }
    const v = this.v6;
    v.reset(bytes, off, len);
    const icmpErr = v.finalProto === 58 && (v.fragHdrOff < 0 || v.fragOffsetBytes === 0) &&
      v.upperOff < off + len && bytes[v.upperOff] < 128;
    let src = this.map6to4(bytes, off + 8, true, !icmpErr);
    if (src < 0 && icmpErr) {
      const alt = this.rfc6791v4(bytes, off + 8);
      if (alt >= 0) src = alt;
    }
    if (src < 0) {
      sink.drop(-src, n);
      return;
    }
    const dst = this.map6to4(bytes, off + 24, false, true);
    if (dst < 0) {
      sink.drop(-dst, n);
      return;
    }
    const t = this.o4;
    t.src = src;
    t.dst = dst;
    t.sport = -1;
    t.dport = -1;
    if (this.mode === 'intrinsic' && this.eam.has4(dst) && !this.eam.has6(bytes, off + 24)) {
      this.realSink = sink;
      const r = this.xlat.to4(bytes, off, len, t, null, n, this.hairSink);
      this.realSink = null;
      if (r !== Reason.None) sink.drop(r, n);
      return;
    }
    const r = this.xlat.to4(bytes, off, len, t, null, n, sink);
    if (r !== Reason.None) sink.drop(r, n);
  }

  /** The second pass of an intrinsic hairpin: the IPv4 translation goes back to IPv6. */
  private hairpin4to6(b: Uint8Array, o: number, l: number, n: number, sink: XlatSink): void {
    const src4 = rd32(b, o + 12);
    const dst4 = rd32(b, o + 16);
    const ihl = (b[o] & 15) * 4;
    const isErr = b[o + 9] === 1 && l >= ihl + 1 && isIcmp4Error(b[o + ihl]);
    const useEamSrc = isErr && l >= ihl + 28 && src4 !== rd32(b, o + ihl + 8 + 16);
    const t = this.h6;
    let r = this.map4to6(src4, t.src, true, useEamSrc, false);
    if (r === Reason.None) r = this.map4to6(dst4, t.dst, false, true, false);
    if (r === Reason.None) r = this.hair.to6(b, o, l, t, null, n, sink, EmitKind.Hairpinned);
    if (r !== Reason.None) sink.drop(r, n);
  }

  /**
   * 6 -> 4 for one address: the IPv4 address (u32), or minus a reason. `checks`: apply the
   * denylist to pool6-derived addresses (off for ICMP error sources).
   */
  private map6to4(b: Uint8Array, off: number, isSrc: boolean, checks: boolean): number {
    const e = this.eam.lookup6(b, off);
    if (e >= 0) return e;
    const p = this.cfg.pool6;
    if (p === null || !inPrefix(b, off, p)) return -(isSrc ? Reason.Untranslatable6Src : Reason.Untranslatable6Dst);
    if (p.len !== 96 && b[off + 8] !== 0) return -Reason.UOctetNotZero;
    const a = extractIpv4(b, off, p.len);
    if (this.cfg.strictWellKnownPrefix && inPrefix(b, off, WKP) && !isGlobalIpv4(a)) return -Reason.WellKnownPrefixNonGlobal;
    if (checks && this.denied(a)) return -Reason.Denylisted4;
    return a;
  }

  /** 4 -> 6 for one address into out[0..16): 0 or a reason. */
  private map4to6(a: number, out: Uint8Array, isSrc: boolean, useEam: boolean, checks: boolean): number {
    if (useEam && this.eam.lookup4(a, out, 0)) return Reason.None;
    const p = this.cfg.pool6;
    if (p === null) return isSrc ? Reason.Untranslatable4Src : Reason.Untranslatable4Dst;
    if (checks && this.denied(a)) return Reason.Denylisted4;
    if (this.cfg.strictWellKnownPrefix && this.poolIsWkp && !isGlobalIpv4(a)) return Reason.WellKnownPrefixNonGlobal;
    embedIpv4(out, 0, p, a);
    return Reason.None;
  }

  private denied(a: number): boolean {
    const addr = this.denyAddr;
    const mask = this.denyMask;
    for (let i = 0; i < addr.length; i++) if (((a & mask[i]) >>> 0) === addr[i]) return true;
    return false;
  }

  /** RFC 6791: an IPv4 source for an ICMPv6 error from an untranslatable IPv6 address, or -1. */
  private rfc6791v4(b: Uint8Array, off: number): number {
    const pool = this.cfg.rfc6791.ipv4;
    if (pool !== null) {
      const hostBits = 32 - pool.len;
      if (hostBits === 0) return pool.addr >>> 0;
      let h = 0;
      for (let i = 0; i < 16; i += 4) h = hash32(h ^ rd32(b, off + i));
      const mask = hostBits === 32 ? 0xffffffff : (1 << hostBits) - 1;
      const net = pool.len === 0 ? 0 : pool.addr & ((0xffffffff << hostBits) >>> 0);
      return (net | (h & mask)) >>> 0;
    }
    const own = this.cfg.translator.ipv4;
    return own === null ? -1 : own >>> 0;
  }

  /** An IPv6 source for an ICMPv4 error from an untranslatable IPv4 address; false if none. */
  private rfc6791v6(a: number, out: Uint8Array): boolean {
    const cfg = this.cfg;
    if (cfg.sourceIcmpv6ErrorsBetter && cfg.pool6 !== null) {
      embedIpv4(out, 0, cfg.pool6, a);
      return true;
    }
    const pool = cfg.rfc6791.ipv6;
    if (pool !== null) {
      const p = pool.bytes;
      for (let i = 0; i < 16; i++) out[i] = p[i];
      if (pool.len < 128) {
        // Host bits (at most the last 32) from a hash of the IPv4 source.
        const h = hash32(a);
        for (let bit = Math.max(pool.len, 96); bit < 128; bit++) {
          const byte = bit >> 3;
          const mask = 0x80 >> (bit & 7);
          if ((h >>> (127 - bit)) & 1) out[byte] |= mask;
          else out[byte] &= ~mask;
        }
      }
      return true;
    }
    const own = cfg.translator.ipv6;
    if (own === null) return false;
    for (let i = 0; i < 16; i++) out[i] = own[i];
    return true;
  }

  // --- IPv4 -> IPv6 ------------------------------------------------------------------------------

  private from4(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink): void {
    if (len < 20) {
      sink.drop(Reason.Truncated, n);
      return;
    }
    const ihl = (bytes[off] & 15) * 4;
    if (ihl < 20 || ihl > len) {
      sink.drop(Reason.Malformed, n);
      return;
    }
    const src4 = rd32(bytes, off + 12);
    const dst4 = rd32(bytes, off + 16);
    const fo = ((bytes[off + 6] & 0x1f) << 8) | bytes[off + 7];
    const icmpErr = bytes[off + 9] === 1 && fo === 0 && len > ihl && isIcmp4Error(bytes[off + ihl]);
    let useEamSrc = true;
    if (this.mode === 'simple') {
      useEamSrc = icmpErr && !(len >= ihl + 28 && src4 === rd32(bytes, off + ihl + 8 + 16));
    }
    const t = this.o6;
    let r = this.map4to6(src4, t.src, true, useEamSrc, !icmpErr);
    if (r !== Reason.None && icmpErr && this.rfc6791v6(src4, t.src)) r = Reason.None;
    if (r === Reason.None) r = this.map4to6(dst4, t.dst, false, true, true);
    if (r !== Reason.None) {
      sink.drop(r, n);
      return;
    }
    t.sport = -1;
    t.dport = -1;
    r = this.xlat.to6(bytes, off, len, t, null, n, sink);
    if (r !== Reason.None) sink.drop(r, n);
  }
}
