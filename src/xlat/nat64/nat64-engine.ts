/**
 * The stateful NAT64 of RFC 6146 as an Engine: packets and a capture-time clock in, translated
 * packets, generated errors and drop reasons out. Deterministic: the same packets and clock give
 * the same mappings, ports and output.
 *
 * The pipeline (Jool's steps, named after RFC 6146's section titles):
 *   determine-incoming-tuple (§3.4) -> filtering-and-updating (§3.5) -> compute-outgoing-tuple
 *   (§3.6) -> translating-the-packet (§3.7, RFC 7915 via HeaderTranslator) -> handling-hairpinning
 *   (§3.8).
 *
 * Fragments: a fragment without the transport header that arrives before the one with it is held
 * (copied; at most maxHeldFragments / maxHeldBytes) and reported as FragmentsHeld; when the first
 * fragment has gone through, the held ones are translated with its tuple (emitted about their own
 * numbers), as are later fragments of the datagram within timeouts.fragment. Held fragments still
 * waiting when it expires are dropped with FragmentTimeout.
 *
 * Packets the NAT64 builds itself:
 * - ICMPv6 1/3 (Address Unreachable) when pool4 is exhausted (§3.5.1.1): kind IcmpError, from
 *   translator.ipv6 or else the packet's destination;
 * - ICMPv4 3/3 (Port Unreachable) with a stored V4 SYN after TCP_INCOMING_SYN (§3.5.2.2): kind
 *   Deferred, about the SYN's number, from translator.ipv4 or else the SYN's destination;
 * - TCP probe (ACK, seq 0, ack 0) to the IPv6 end of an expired ESTABLISHED session (§3.5.2.2
 *   SHOULD; Jool does): kind Deferred, about -1 (option probeOnEstablishedExpiry);
 * - policy.tcpIdleRst (AWS NAT gateway): an IPv6 packet of a TCP connection idle longer than that
 *   is answered with a RST to its sender (the inside host) and dropped with TcpIdleRst; kind
 *   IcmpError, the kind of "a packet generated about the input, sent back to its source" (there
 *   is no RST kind, and the reply goes where an ICMP error would). The session is forgotten; an
 *   IPv4 packet of such a connection finds no session (AWS sends the RST inside only).
 *
 * The clock never goes backwards: a timestamp earlier than the last one counts as the last.
 */
import type { EngineConfig, Protocol } from '../config-types.js';
import { EmitKind, type Clock, type Engine, type XlatSink } from '../types.js';
import { Reason } from '../../diag/reasons.js';
import { embedIpv4, extractIpv4, inPrefix } from '../rfc6052.js';
import { update16 } from '../../wire/checksum.js';
import { copyWithHopsRaised, ReconstructSink, NULL_SINK } from '../reconstruct-common.js';
import type { Tuple4, Tuple6 } from './translator.js';
import { HeaderTranslator, tuple4 } from '../siit/header-translator.js';
import { FragEntry, Nat64Core, TimerKind, type Nat64Options } from './core.js';
import { PROTO_NAMES, Proto } from './pool4.js';
import { NO_BIB } from './bib.js';
import { TCP_STATE_NAMES } from './tcp-state-machine.js';
import { clockOf, ticksOf } from './timers.js';
import { determineIncomingTuple4, determineIncomingTuple6 } from './steps/determine-incoming-tuple.js';
import { STOLEN, filteringAndUpdating4, filteringAndUpdating6 } from './steps/filtering-and-updating.js';
import { computeOutgoingTuple4, computeOutgoingTuple6 } from './steps/compute-outgoing-tuple.js';
import { translatingThePacket4, translatingThePacket6 } from './steps/translating-the-packet.js';
import { HairpinSink, needsHairpin } from './steps/handling-hairpinning.js';
import { FastPath } from './fast-path.js';

export type { Nat64Options } from './core.js';

/** A BIB entry as the viewer and the diagnoses see it. */
export interface BibSnapshot {
  protocol: Protocol;
  ipv6: Uint8Array;
  port6: number;
  ipv4: number;
  port4: number;
  isStatic: boolean;
  sessions: number;
}

/** A session as the viewer and the diagnoses see it (ports: ICMP identifiers for ICMP). */
export interface SessionSnapshot {
  protocol: Protocol;
  v6: { src: Uint8Array; sport: number; dst: Uint8Array; dport: number };
  v4: { src: number; sport: number; dst: number; dport: number };
  /** TCP state name (RFC 6146 §3.5.2.2); 'ESTABLISHED' for UDP and ICMP. */
  state: string;
  /** When its lifetime ends, on the capture clock. */
  expires: Clock;
  /** Last packet translated for it. */
  lastSeen: Clock;
}

export class Nat64Engine implements Engine {
  private readonly core: Nat64Core;
  private readonly hairpinSink = new HairpinSink();
  /** The per-flow fast path (fast-path.ts), or null (Nat64Options.fastPath false, or a custom translator). */
  readonly fast: FastPath | null;

  constructor(cfg: EngineConfig, opts: Nat64Options = {}) {
    this.core = new Nat64Core(cfg, opts);
    // (the first packets look at the timer lists: see warmTimers)
    this.core.nextDue = -Infinity;
    const translator = opts.translator ?? new HeaderTranslator(cfg);
    this.core.translator = translator;
    const fast = opts.fastPath !== false && translator instanceof HeaderTranslator ? new FastPath(this.core, translator) : null;
    this.fast = fast;
    if (fast !== null) this.core.forget = (s) => fast.forget(s);
  }

  process(bytes: Uint8Array, off: number, len: number, now: Clock, n: number, sink: XlatSink): void {
    this.advanceTo(ticksOf(now), sink);
    const v = len > 0 ? bytes[off] >> 4 : 0;
    const fast = this.fast;
    if (v === 6) {
      if (fast === null || !fast.try6(bytes, off, len, n, sink)) this.run6(bytes, off, len, n, sink);
    } else if (v === 4) {
      if (fast === null || !fast.try4(bytes, off, len, n, sink)) this.run4(bytes, off, len, n, sink, false);
    } else this.core.drop(sink, Reason.NotIp, n);
  }

  touch(bytes: Uint8Array, pkts: Int32Array, count: number): void {
    if (this.fast !== null) this.fast.touch(bytes, pkts, count);
  }

  advance(now: Clock, sink: XlatSink): void {
    this.advanceTo(ticksOf(now), sink);
  }

  drain(sink: XlatSink, final = false): void {
    // Every timer, in (expiry, arming) order, including those armed while draining (an expired
    // ESTABLISHED session goes to TRANS): what stepping from expiry to expiry would fire. A final
    // drain fires only the timers whose expiry shows (core.finalTimers).
    this.core.final = final;
    this.core.fireUntil(Infinity, sink, final ? this.core.finalTimers : this.core.timers);
    this.core.nextDue = Infinity;
  }

  private readonly recBuf = new Uint8Array(65536 + 64);
  private readonly recSink = new ReconstructSink();
  /** Where the forward translation of each reconstructed packet goes (tests: it must equal the original). */
  forwardCheck: XlatSink | null = null;
  private readonly r4: Tuple4 = tuple4();
  private readonly r6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };

  /**
   * SPEC §4 `--side`: a packet that came out of the translator is rebuilt into what it received,
   * through the BIB learnt from the packets that went in earlier in the capture, then run forward
   * (output discarded) so that sessions and TCP states move as they did in the real translator.
   * IPv6 from a pool6 source to X',x: the translator received IPv4 from Y,y to the BIB's X,x4.
   * IPv4 from a pool4 address X,x4: it received IPv6 from the BIB's X',x to pool6(Y),y.
   * ICMPv6 errors that came out (about IPv4 packets it had sent) are rebuilt through the BIB entry
   * of the packet they quote; ICMPv4 errors that came out (their IPv6 source is lost) and packets
   * whose mapping never appeared cannot be rebuilt.
   */
  reconstruct(bytes: Uint8Array, off: number, len: number, now: Clock, n: number, sink: XlatSink): boolean {
    const core = this.core;
    const pool6 = core.cfg.pool6;
    if (len < 20 || pool6 === null) return false;
    const ver = bytes[off] >> 4;
    if (ver === 6) {
      if (len < 40 || !inPrefix(bytes, off + 8, pool6)) return false;
    } else if (ver === 4) {
      if (!core.pool4.containsAny(rd32(bytes, off + 12))) return false;
    } else return false;
    this.advanceTo(ticksOf(now), sink);
    // The transport ports (or ICMP echo identifier) of the packet as it came out.
    const v6 = ver === 6;
    const ip = v6 ? core.ip6 : core.ip4;
    if (ip.reset(bytes, off, len) !== 0 && (v6 ? core.ip6.upperOff >= off + len : core.ip4.hdrLen === 0)) return this.cannot(sink, n);
    const l4 = v6 ? core.ip6.upperOff : off + core.ip4.hdrLen;
    const proto = v6 ? core.ip6.finalProto : core.ip4.protocol();
    let p: number;
    let sport: number;
    let dport: number;
    if (l4 + 8 > off + len) return this.cannot(sink, n);
    if (proto === 6 || proto === 17) {
      p = proto === 6 ? Proto.Tcp : Proto.Udp;
      sport = (bytes[l4] << 8) | bytes[l4 + 1];
      dport = (bytes[l4 + 2] << 8) | bytes[l4 + 3];
    } else if ((v6 && proto === 58) || (!v6 && proto === 1)) {
      const type = bytes[l4];
      const echo = v6 ? type === 128 || type === 129 : type === 0 || type === 8;
      if (v6 && type >= 1 && type <= 4) return this.reconstructError6(bytes, off, len, l4, n, sink);
      if (!echo) return this.cannot(sink, n);
      p = Proto.Icmp;
      sport = dport = (bytes[l4 + 4] << 8) | bytes[l4 + 5];
    } else return this.cannot(sink, n);
    const rs = this.recSink;
    rs.target = sink;
    rs.len = 0;
    const l = copyWithHopsRaised(bytes, off, len, this.recBuf);
    let r: number;
    if (v6) {
      const id = core.intern.find(bytes, off + 24);
      const bib = id < 0 ? NO_BIB : core.bibs[p].find6(id, dport);
      if (bib === NO_BIB) return this.cannot(sink, n);
      const x = core.entries;
      const t = this.r4;
      t.src = extractIpv4(bytes, off + 8, pool6.len);
      t.dst = x.addr4Of(bib);
      t.sport = p === Proto.Icmp ? x.port4[bib] : sport;
      t.dport = x.port4[bib];
      r = core.translator.to4(this.recBuf, 0, l, t, null, n, rs, EmitKind.Reconstructed);
    } else {
      const bib = core.bibs[p].find4(rd32(bytes, off + 12), sport);
      if (bib === NO_BIB) return this.cannot(sink, n);
      const x = core.entries;
      const t = this.r6;
      core.intern.copyTo(x.addr6[bib], t.src, 0);
      embedIpv4(t.dst, 0, pool6, rd32(bytes, off + 16));
      t.sport = x.port6[bib];
      t.dport = p === Proto.Icmp ? x.port6[bib] : dport;
      r = core.translator.to6(this.recBuf, 0, l, t, null, n, rs, EmitKind.Reconstructed);
    }
    if (r !== 0 || rs.len === 0) {
      sink.drop(r || Reason.CannotReconstruct, n);
      return true;
    }
    // Run the rebuilt packet forward for its effect on the state; its translation is the
    // captured packet itself, so it is not emitted again.
    const fwd = this.forwardCheck ?? NULL_SINK;
    if (rs.family === 4) this.run4(rs.buf, 0, rs.len, n, fwd, false);
    else this.run6(rs.buf, 0, rs.len, n, fwd);
    return true;
  }

  private readonly rInner4: Tuple4 = tuple4();

  /**
   * An ICMPv6 error that came out of the translator (from pool6(R), to X'): it translated an ICMPv4
   * error from router R to X about a packet X,x4 -> Y,y that it had sent for X',x -> pool6(Y),y.
   * The BIB entry of the quoted packet's source (X',x) gives X,x4; the rebuilt IPv4 error goes to
   * X with the quoted packet's source mapped back.
   */
  private reconstructError6(bytes: Uint8Array, off: number, len: number, l4: number, n: number, sink: XlatSink): boolean {
    const core = this.core;
    const pool6 = core.cfg.pool6!;
    const q = l4 + 8;
    const end = off + len;
    const inner = core.inner6;
    if (q + 40 > end) return this.cannot(sink, n);
    inner.reset(bytes, q, end - q);
    if (!inPrefix(bytes, q + 24, pool6)) return this.cannot(sink, n);
    const u = inner.upperOff;
    const proto = inner.finalProto;
    let p: number;
    let x: number;
    if ((proto === 6 || proto === 17) && u + 4 <= end) {
      p = proto === 6 ? Proto.Tcp : Proto.Udp;
      x = (bytes[u] << 8) | bytes[u + 1];
    } else if (proto === 58 && u + 6 <= end && (bytes[u] === 128 || bytes[u] === 129)) {
      p = Proto.Icmp;
      x = (bytes[u + 4] << 8) | bytes[u + 5];
    } else return this.cannot(sink, n);
    const id = core.intern.find(bytes, q + 8);
    const bib = id < 0 ? NO_BIB : core.bibs[p].find6(id, x);
    if (bib === NO_BIB) return this.cannot(sink, n);
    const addr4 = core.entries.addr4Of(bib);
    const port4 = core.entries.port4[bib];
    const rs = this.recSink;
    rs.target = sink;
    rs.len = 0;
    const l = copyWithHopsRaised(bytes, off, len, this.recBuf);
    const t = this.r4;
    t.src = extractIpv4(bytes, off + 8, pool6.len);
    t.dst = addr4;
    t.sport = -1;
    t.dport = -1;
    const it = this.rInner4;
    it.src = addr4;
    it.dst = extractIpv4(bytes, q + 24, pool6.len);
    it.sport = port4;
    it.dport = p === Proto.Icmp ? port4 : -1;
    rs.hold = true;
    // The quoted packet is kept whole: the IPv4 error the translator received was at least as
    // long as what it sent on (an IPv6 error quotes up to 1280 bytes, an IPv4 one is cut at 576).
    const max4 = core.translator.translatedErrorMax4;
    core.translator.translatedErrorMax4 = 0xffff;
    const r = core.translator.to4(this.recBuf, 0, l, t, it, n, rs, EmitKind.Reconstructed);
    core.translator.translatedErrorMax4 = max4;
    rs.hold = false;
    if (r !== 0 || rs.len === 0) {
      sink.drop(r || Reason.CannotReconstruct, n);
      return true;
    }
    const b = rs.buf;
    const h = (b[0] & 0x0f) * 4;
    if (bytes[l4] === 2 && b[h] === 3 && b[h + 1] === 4 && h + 8 <= rs.len) {
      // The forward rule (RFC 7915 §4.2: PTB MTU = Frag Needed MTU + 20, clamped by this
      // translator's own link MTUs) is inverted without the clamps, which belong to the real
      // translator: the IPv4 MTU it received is the PTB's minus 20 (1280 means "1260 or less").
      const ptb = rd32(bytes, l4 + 4);
      const mtu = Math.max(68, Math.min(0xffff, ptb - 20));
      const old = (b[h + 6] << 8) | b[h + 7];
      b[h + 6] = mtu >> 8;
      b[h + 7] = mtu & 0xff;
      const c = update16((b[h + 2] << 8) | b[h + 3], old, mtu);
      b[h + 2] = c >> 8;
      b[h + 3] = c & 0xff;
    }
    sink.emit(b, 0, rs.len, 4, EmitKind.Reconstructed, n);
    // Errors change no state (RFC 6146 §3.5.4): run forward only when a test checks the round trip.
    if (this.forwardCheck) this.run4(rs.buf, 0, rs.len, n, this.forwardCheck, false);
    return true;
  }

  private cannot(sink: XlatSink, n: number): boolean {
    sink.drop(Reason.CannotReconstruct, n);
    return true;
  }

  private advanceTo(t: number, sink: XlatSink): void {
    const core = this.core;
    if (t <= core.now) return;
    if (t >= core.nextDue) {
      core.fireUntil(t, sink);
      const next = core.nextExpiry();
      core.nextDue = next < 0 ? Infinity : next;
      if (this.warmTimers > 0) {
        this.warmTimers--;
        core.nextDue = -Infinity;
      }
    }
    core.now = t;
  }

  /**
   * The first packets look at the timer lists even when nothing can be due (fireUntil then fires
   * nothing; what is due it would fire now anyway): V8 records how that code runs only once a
   * function has run a few times, and code optimized without that record is thrown away at the
   * run's first timer.
   */
  private warmTimers = 64;

  // --- IPv6 side ---------------------------------------------------------------------------

  private run6(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink): void {
    const core = this.core;
    const st = core.st;
    st.reset(bytes, off, len, n, 6);
    let r = determineIncomingTuple6(core);
    if (r) return core.drop(sink, r, n);
    if (st.fragment && !st.firstFragment) return this.laterFragment(sink);
    r = filteringAndUpdating6(core, sink);
    if (r === STOLEN) return;
    if (r) return core.drop(sink, r, n);
    computeOutgoingTuple4(core);
    const hairpin = needsHairpin(core);
    const frag = st.fragment ? this.fragmentReady(hairpin) : null;
    this.send4(hairpin, sink);
    if (frag) this.release(frag, sink);
    // The session's flow cache rows, for its next packets on either side.
    if (!st.fragment && !hairpin && this.fast !== null && st.session >= 0) this.fast.learn6(bytes, off, len, st.session);
  }

  /** translating-the-packet (6 -> 4), then handling-hairpinning when the destination is ours. */
  private send4(hairpin: boolean, sink: XlatSink): void {
    const core = this.core;
    const n = core.st.n;
    if (!hairpin) {
      const r = translatingThePacket4(core, sink, EmitKind.Translated);
      if (r) core.drop(sink, r, n);
      return;
    }
    const hs = this.hairpinSink;
    hs.target = sink;
    hs.packets.length = 0;
    const r = translatingThePacket4(core, hs, EmitKind.Translated);
    if (r) return core.drop(sink, r, n);
    const pkts = hs.packets.splice(0);
    for (const p of pkts) this.run4(p, 0, p.length, n, sink, true);
  }

  // --- IPv4 side ---------------------------------------------------------------------------

  private run4(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink, hairpin: boolean): void {
    const core = this.core;
    const st = core.st;
    st.reset(bytes, off, len, n, 4);
    st.hairpin = hairpin;
    if (!core.cfg.pool6) return core.drop(sink, Reason.Untranslatable4Src, n);
    let r = determineIncomingTuple4(core);
    if (r) return core.drop(sink, r, n);
    if (st.fragment && !st.firstFragment) return this.laterFragment(sink);
    r = filteringAndUpdating4(core, sink);
    if (r === STOLEN) return;
    if (r) return core.drop(sink, r, n);
    computeOutgoingTuple6(core);
    const frag = st.fragment ? this.fragmentReady(hairpin) : null;
    r = translatingThePacket6(core, sink, hairpin ? EmitKind.Hairpinned : EmitKind.Translated);
    if (r) core.drop(sink, r, n);
    if (frag) this.release(frag, sink);
  }

  // --- Fragments ---------------------------------------------------------------------------

  /** The first fragment went through: its datagram's later fragments use its outgoing tuple. */
  private fragmentReady(hairpin: boolean): FragEntry {
    const core = this.core;
    const st = core.st;
    const key = core.fragKey();
    let e = core.frags.get(key);
    if (!e) {
      e = new FragEntry(key, st.family, core.store);
      core.frags.set(key, e);
      core.arm(e, TimerKind.Fragment);
    }
    e.ready = true;
    e.hairpin = hairpin;
    if (st.family === 6) {
      e.out4.src = st.out4.src;
      e.out4.dst = st.out4.dst;
    } else {
      e.out6.src.set(st.out6.src);
      e.out6.dst.set(st.out6.dst);
    }
    return e;
  }

  /** A fragment without the transport header: translated with its datagram's tuple, or held. */
  private laterFragment(sink: XlatSink): void {
    const core = this.core;
    const st = core.st;
    const key = core.fragKey();
    let e = core.frags.get(key);
    if (e && e.ready) {
      if (st.family === 6) {
        st.out4.src = e.out4.src;
        st.out4.dst = e.out4.dst;
        st.out4.sport = st.out4.dport = -1;
        this.send4(e.hairpin, sink);
      } else {
        st.out6.src.set(e.out6.src);
        st.out6.dst.set(e.out6.dst);
        st.out6.sport = st.out6.dport = -1;
        const r = translatingThePacket6(core, sink, st.hairpin ? EmitKind.Hairpinned : EmitKind.Translated);
        if (r) core.drop(sink, r, st.n);
      }
      return;
    }
    if (core.heldCount >= core.maxHeld || core.heldBytes + st.len > core.maxHeldBytes) {
      return core.drop(sink, Reason.FragmentBufferFull, st.n);
    }
    if (!e) {
      e = new FragEntry(key, st.family, core.store);
      core.frags.set(key, e);
      core.arm(e, TimerKind.Fragment);
    }
    e.held.push({ bytes: st.bytes.slice(st.off, st.off + st.len), n: st.n });
    core.heldCount++;
    core.heldBytes += st.len;
    core.drop(sink, Reason.FragmentsHeld, st.n);
  }

  private release(e: FragEntry, sink: XlatSink): void {
    if (e.held.length === 0) return;
    const core = this.core;
    const held = e.held.splice(0);
    for (const h of held) {
      core.heldCount--;
      core.heldBytes -= h.bytes.length;
      if (e.family === 6) this.run6(h.bytes, 0, h.bytes.length, h.n, sink);
      else this.run4(h.bytes, 0, h.bytes.length, h.n, sink, e.hairpin);
    }
  }

  // --- Snapshots ---------------------------------------------------------------------------

  /**
   * Every BIB entry: TCP, UDP, ICMP, each in creation order (static entries first). `first`: only
   * the first that many (= `bibEntries().slice(0, first)`, without building the others).
   */
  bibEntries(first = Number.POSITIVE_INFINITY): BibSnapshot[] {
    const out: BibSnapshot[] = [];
    const core = this.core;
    for (const bib of core.bibs) {
      if (out.length >= first) break;
      const x = core.entries;
      for (const e of bib.list()) {
        if (out.length >= first) break;
        out.push({ protocol: PROTO_NAMES[x.proto[e]], ipv6: core.intern.bytes(x.addr6[e]), port6: x.port6[e], ipv4: x.addr4Of(e), port4: x.port4[e], isStatic: x.isStatic[e] === 1, sessions: x.sessionCount[e] });
      }
    }
    return out;
  }

  /**
   * Every session: TCP, UDP, ICMP, each in creation order. `last`: only the last that many
   * (= `sessions().slice(-last)`, without building the others: a viewer's bounded snapshot of
   * big tables makes a few objects, not several per session).
   */
  sessions(last = Number.POSITIVE_INFINITY): SessionSnapshot[] {
    const core = this.core;
    const parts: number[][] = [];
    const created = core.sessions.created;
    let want = last;
    for (let i = core.bibs.length - 1; i >= 0 && want > 0; i--) {
      const all = core.bibs[i].sessions.values();
      all.sort((a, b) => created[a] - created[b]);
      const take = all.length <= want ? all : all.slice(all.length - want);
      want -= take.length;
      parts.unshift(take);
    }
    const out: SessionSnapshot[] = [];
    for (const part of parts) for (const s of part) out.push(this.sessionSnapshot(s));
    return out;
  }

  /** The sizes of the tables: `bibEntries().length` and `sessions().length`, nothing copied. */
  tableSizes(): { bib: number; sessions: number } {
    let bib = 0;
    let sessions = 0;
    for (const b of this.core.bibs) {
      bib += b.size;
      sessions += b.sessions.size;
    }
    return { bib, sessions };
  }

  private sessionSnapshot(s: number): SessionSnapshot {
    const core = this.core;
    const pool6 = core.cfg.pool6;
    const t = core.sessions;
    const x = core.entries;
    const e = t.bib[s];
    const icmp = x.proto[e] === Proto.Icmp;
    const remote4 = t.remote4(s);
    const rport = t.rport[s];
    const dst6 = new Uint8Array(16);
    if (pool6) embedIpv4(dst6, 0, pool6, remote4);
    return {
      protocol: PROTO_NAMES[x.proto[e]],
      v6: { src: core.intern.bytes(x.addr6[e]), sport: x.port6[e], dst: dst6, dport: icmp ? x.port6[e] : rport },
      v4: { src: x.addr4Of(e), sport: x.port4[e], dst: remote4, dport: icmp ? x.port4[e] : rport },
      state: TCP_STATE_NAMES[t.state(s)],
      expires: clockOf(t.expires(s)),
      lastSeen: clockOf(t.lastSeen(s)),
    };
  }

  /** Packets reported to the sink per drop reason (FragmentsHeld counts fragments held, not lost). */
  dropCounts(): ReadonlyMap<number, number> {
    return this.core.drops;
  }

  /** V4 SYNs stored waiting for a simultaneous open (both kinds). */
  storedSyns(): number {
    return this.core.storedCount;
  }

  /** Fragments held waiting for their datagram's first fragment. */
  heldFragments(): number {
    return this.core.heldCount;
  }
}

function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

