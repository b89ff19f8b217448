/**
 * The stateful NAT64's tables and services shared by the steps: configuration, pool4, BIBs,
 * sessions, stored SYNs, held fragments, timers, and the packets the NAT64 builds itself.
 */
import type { EngineConfig } from '../config-types.js';
import { EmitKind, type XlatSink, type Clock } from '../types.js';
import { Reason } from '../../diag/reasons.js';
import { Ipv4View } from '../../wire/ipv4.js';
import { Ipv6View } from '../../wire/ipv6.js';
import { TcpFlag } from '../../wire/tcp.js';
import { embedIpv4 } from '../rfc6052.js';
import { Addr6Intern } from './addr6-intern.js';
import { Pool4, Proto, protoIndex } from './pool4.js';
import { Bib, BibEntries, NO_BIB } from './bib.js';
import { SessionTable, StoredSyn, SynQueue } from './session-table.js';
import { TimerList, TimerNode, TimerStore, secondsToTicks, clockOf, slotOf, type Ticks } from './timers.js';
import { TcpState } from './tcp-state-machine.js';
import { buildIcmp4Error, buildIcmp6Error, buildTcp6 } from './own-packets.js';
import { PacketState } from './state.js';
import type { Translator, Tuple4, Tuple6 } from './translator.js';
import { tuple4 } from '../siit/header-translator.js';

/** Timer list kinds. */
export const TimerKind = { Udp: 0, Icmp: 1, TcpEst: 2, TcpTrans: 3, TcpIncomingSyn: 4, StoredSyn: 5, Fragment: 6 } as const;

export interface Nat64Options {
  /** RFC 6146 §3.5.2.2: on ESTABLISHED expiry send a probe (ACK, seq 0, ack 0) to the IPv6 end. Default true (Jool does). */
  probeOnEstablishedExpiry?: boolean;
  /** Stored V4 SYNs (simultaneous open), all kinds. Default 64 (past it: ICMP 3/3 at once, as Jool's max_stored_pkts). */
  maxStoredSyns?: number;
  /** Fragments held waiting for the one carrying the transport header: count and bytes. Defaults 64, 256 KiB. */
  maxHeldFragments?: number;
  maxHeldBytes?: number;
  /** The RFC 7915 header translator (default: src/xlat/siit/header-translator.ts). */
  translator?: Translator;
  /**
   * The per-flow fast path for packets of established sessions (fast-path.ts). Default true;
   * false runs every packet through the general pipeline (same output, slower: tests compare).
   */
  fastPath?: boolean;
}

export interface HeldFragment {
  bytes: Uint8Array;
  n: number;
}

/** One fragmented datagram: its outgoing tuple once the first fragment went through, and fragments held until then. */
export class FragEntry extends TimerNode {
  ready = false;
  hairpin = false;
  readonly out4: Tuple4 = tuple4();
  readonly out6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  readonly held: HeldFragment[] = [];
  constructor(readonly key: string, readonly family: 4 | 6, store: TimerStore) {
    super(store);
  }
}

export class Nat64Core {
  readonly intern = new Addr6Intern();
  readonly pool4: Pool4;
  /** The fields of every BIB entry (bib.ts); the Bibs index them. */
  readonly entries = new BibEntries();
  readonly bibs: readonly [Bib, Bib, Bib] = [new Bib(Proto.Tcp, this.entries), new Bib(Proto.Udp, this.entries), new Bib(Proto.Icmp, this.entries)];
  readonly sessions: SessionTable;
  readonly syns = new SynQueue();
  readonly frags = new Map<string, FragEntry>();
  heldCount = 0;
  heldBytes = 0;
  /** IPv4 addresses of static BIB entries, per protocol (they accept IPv4 traffic outside pool4). */
  readonly staticAddrs: readonly [Set<number>, Set<number>, Set<number>] = [new Set(), new Set(), new Set()];
  readonly timers: TimerList[];
  /**
   * The lists a final drain fires (Engine.drain(sink, true)): those whose expiries emit or drop
   * something, or arm another timer (ESTABLISHED -> TRANS, with its probe). A UDP, ICMP or TRANS
   * expiry only removes a session, which a final drain does not do (see {@link final}): firing
   * them would change nothing but the clock, which each fire sets from its own expiry. The
   * observable fires keep their order (expiry, then the arming sequence, across lists).
   */
  readonly finalTimers: readonly TimerList[];
  /** The timer state of every session, stored SYN and fragment entry, by id (timers.ts). */
  readonly store = new TimerStore();
  readonly drops = new Map<number, number>();
  seq = 0;
  now: Ticks = 0;
  storedCount = 0;

  readonly st = new PacketState();
  readonly ip6 = new Ipv6View();
  readonly ip4 = new Ipv4View();
  readonly inner6 = new Ipv6View();
  readonly inner4 = new Ipv4View();
  /** Output buffer for packets the NAT64 builds itself. */
  readonly out = new Uint8Array(1600);
  readonly scratch16 = new Uint8Array(16);
  private readonly probeLocal = new Uint8Array(16);
  readonly probe: boolean;
  readonly maxStored: number;
  readonly maxHeld: number;
  readonly maxHeldBytes: number;
  translator!: Translator;
  /** Called with every session removed (the fast path drops it from its flow cache). */
  forget: ((s: number) => void) | null = null;
  readonly dropFrag: readonly [boolean, boolean, boolean];
  readonly idleRst: Ticks;

  constructor(readonly cfg: EngineConfig, opts: Nat64Options) {
    this.pool4 = new Pool4(cfg.pool4);
    this.sessions = new SessionTable(this.bibs, this.entries, this.store, cfg.policy.maxConnectionsPerDestination !== null, cfg.filtering.addressDependent);
    const t = cfg.timeouts;
    this.timers = [
      new TimerList(TimerKind.Udp, secondsToTicks(t.udp), this.store),
      new TimerList(TimerKind.Icmp, secondsToTicks(t.icmp), this.store),
      new TimerList(TimerKind.TcpEst, secondsToTicks(t.tcpEstablished), this.store),
      new TimerList(TimerKind.TcpTrans, secondsToTicks(t.tcpTransitory), this.store),
      new TimerList(TimerKind.TcpIncomingSyn, secondsToTicks(t.tcpIncomingSyn), this.store),
      new TimerList(TimerKind.StoredSyn, secondsToTicks(t.tcpIncomingSyn), this.store),
      new TimerList(TimerKind.Fragment, secondsToTicks(t.fragment), this.store),
    ];
    const l = this.timers;
    this.finalTimers = [l[TimerKind.TcpEst], l[TimerKind.TcpIncomingSyn], l[TimerKind.StoredSyn], l[TimerKind.Fragment]];
    this.probe = opts.probeOnEstablishedExpiry ?? true;
    this.maxStored = opts.maxStoredSyns ?? 64;
    this.maxHeld = opts.maxHeldFragments ?? 64;
    this.maxHeldBytes = opts.maxHeldBytes ?? 256 * 1024;
    const df = cfg.policy.dropFragments;
    this.dropFrag = [df.includes('tcp'), df.includes('udp'), df.includes('icmp')];
    this.idleRst = cfg.policy.tcpIdleRst === null ? -1 : secondsToTicks(cfg.policy.tcpIdleRst);
    for (const e of cfg.bib) {
      const p = protoIndex(e.protocol);
      const id = this.intern.intern(e.ipv6, 0);
      if (this.bibs[p].add(id, e.port6, e.ipv4 >>> 0, e.port4, true) !== NO_BIB) this.staticAddrs[p].add(e.ipv4 >>> 0);
    }
  }

  /** Drops input packet `n` for `reason` (counted). */
  drop(sink: XlatSink, reason: number, n: number): void {
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
    sink.drop(reason, n);
  }

  /** True when IPv4 `addr` is one of ours for protocol `proto` (pool4 or a static BIB entry). */
  ours4(proto: number, addr: number): boolean {
    return this.pool4.contains(proto as Proto, addr) || this.staticAddrs[proto].has(addr);
  }

  timer(kind: number): TimerList {
    return this.timers[kind];
  }

  arm(node: TimerNode, kind: number): void {
    const l = this.timers[kind];
    l.arm(node, this.now, this.seq++);
    const e = this.now + l.timeout;
    if (e < this.nextDue) this.nextDue = e;
  }

  /** arm() for session `s` (its timer id). */
  armSession(s: number, kind: number): void {
    this.armSlot(this.store.pages[s >> 10], slotOf(s), s, kind);
  }

  /** arm() by timer id and slot (the fast path's: see TimerList.armSlot). */
  armSlot(pg: Float64Array, at: number, id: number, kind: number): void {
    const l = this.timers[kind];
    l.armSlot(pg, at, id, this.now, this.seq++);
    const e = this.now + l.timeout;
    if (e < this.nextDue) this.nextDue = e;
  }

  /**
   * A lower bound of the earliest pending expiry (Infinity: none): arming lowers it, firing
   * recomputes it. Lets the engine skip looking at the timer lists for a packet when nothing can
   * be due yet.
   */
  nextDue = Infinity;

  /** New dynamic BIB entry for the IPv6 source of `st`; NO_BIB when pool4 is exhausted. */
  allocateBib(proto: Proto, addr6: number, port6: number): number {
    const bib = this.bibs[proto];
    const k = this.pool4.allocate(proto, this.intern.hashOf(addr6), port6, bib);
    if (k < 0) return NO_BIB;
    return bib.add(addr6, port6, Math.floor(k / 65536), k % 65536, false);
  }

  /** A new session of BIB entry `e` with (Y,y), last seen now. */
  newSession(e: number, remote4: number, rport: number): number {
    const s = this.sessions.add(e, remote4, rport);
    this.sessions.setLastSeen(s, this.now);
    return s;
  }

  /**
   * Set by a final drain (Engine.drain): no packet comes after it, so a session it ends is left in
   * the tables (BIB, sessions, flow cache, its timer slot): what no packet looks up any more. The
   * drain itself never looks a session up by its tuple; it only fires timers.
   */
  final = false;

  /** Deletes a session, and its BIB entry when dynamic and left without sessions. */
  removeSession(s: number): void {
    const t = this.sessions;
    if (t.stored(s)) this.storedCount--;
    if (this.final) return;
    // (first: the cache rows are found by the session's timer id, which removal gives back)
    if (this.forget !== null) this.forget(s);
    const e = t.bib[s];
    t.remove(s);
    const x = this.entries;
    if (x.isStatic[e] === 0 && x.sessionCount[e] === 0) this.bibs[x.proto[e]].remove(e);
  }

  removeStoredSyn(s: StoredSyn): void {
    this.syns.remove(s);
    this.storedCount--;
  }

  /** ICMPv6 error about the current IPv6 packet, back to its source (e.g. 1/3 on pool4 exhaustion). */
  icmp6Error(sink: XlatSink, type: number, code: number, rest: number): void {
    const st = this.st;
    const srcBytes = this.cfg.translator.ipv6 ?? st.bytes;
    const srcOff = this.cfg.translator.ipv6 ? 0 : st.dst6Off;
    const len = buildIcmp6Error(this.out, type, code, rest, srcBytes, srcOff, st.bytes, st.src6Off, st.bytes, st.off, st.len);
    sink.emit(this.out, 0, len, 6, EmitKind.IcmpError, st.n);
  }

  /** ICMPv4 error quoting a stored IPv4 packet, back to its source (RFC 6146 §3.5.2.2 ICMP 3/3). */
  icmp4ErrorAbout(sink: XlatSink, pkt: Uint8Array, type: number, code: number, kind: EmitKind, about: number): void {
    const v = this.inner4;
    if (v.reset(pkt, 0, pkt.length) !== 0 && v.hdrLen === 0) return;
    const src = this.cfg.translator.ipv4 ?? v.dst();
    const len = buildIcmp4Error(this.out, type, code, 0, src >>> 0, v.src(), pkt, 0, Math.min(pkt.length, v.totalLen));
    sink.emit(this.out, 0, len, 4, kind, about);
  }

  /**
   * The RST an AWS NAT gateway answers with once a connection has been idle past its timeout
   * (RFC 9293 §3.10.7.1 reset generation: seq = SEG.ACK if ACK, else seq 0 and ACK of SEG.SEQ+SEG.LEN),
   * from the IPv6 packet's destination back to its source.
   */
  rstToSender6(sink: XlatSink): void {
    const st = this.st;
    const hasAck = (st.tcpFlags & TcpFlag.ACK) !== 0;
    const seq = hasAck ? st.tcpAck : 0;
    const ack = hasAck ? 0 : (st.tcpSeq + st.tcpSegLen) >>> 0;
    const flags = hasAck ? TcpFlag.RST : TcpFlag.RST | TcpFlag.ACK;
    const len = buildTcp6(this.out, st.bytes, st.dst6Off, st.bytes, st.src6Off, st.dport, st.sport, seq, ack, flags);
    sink.emit(this.out, 0, len, 6, EmitKind.IcmpError, st.n);
  }

  /** RFC 6146 §3.5.2.2 probe of an expired ESTABLISHED session, to its IPv6 end. */
  probeSession(sink: XlatSink, s: number): void {
    const pool6 = this.cfg.pool6;
    if (!pool6) return;
    const t = this.sessions;
    const e = t.bib[s];
    const remote = this.scratch16;
    embedIpv4(remote, 0, pool6, t.remote4(s));
    const local = this.probeLocal;
    this.intern.copyTo(this.entries.addr6[e], local, 0);
    const len = buildTcp6(this.out, remote, 0, local, 0, t.rport[s], this.entries.port6[e], 0, 0, TcpFlag.ACK);
    sink.emit(this.out, 0, len, 6, EmitKind.Deferred, -1);
  }

  /**
   * Fires every timer due at or before `until`, in order (of the lists `timers`: all of them but
   * for a final drain, see {@link finalTimers}).
   */
  fireUntil(until: Ticks, sink: XlatSink, timers: readonly TimerList[] = this.timers): void {
    const store = this.store;
    for (;;) {
      let best: TimerList | null = null;
      let bid = -1;
      let bExp = 0;
      let bSeq = 0;
      for (let i = 0; i < timers.length; i++) {
        const l = timers[i];
        const h = l.headId();
        if (h < 0) continue;
        const exp = store.expiresOf(h);
        if (exp > until) continue;
        const seq = store.seqOf(h);
        if (bid < 0 || exp < bExp || (exp === bExp && seq < bSeq)) {
          best = l;
          bid = h;
          bExp = exp;
          bSeq = seq;
        }
      }
      if (best === null) return;
      if (bExp > this.now) this.now = bExp;
      best.removeId(bid);
      const saved = sink.clock;
      if (saved) sink.clock = clockOf(bExp, this.timerClock);
      this.expire(best.kind, bid, sink);
      if (saved) sink.clock = saved;
    }
  }

  /** Scratch clock for timer emits (see XlatSink.clock). */
  private readonly timerClock: Clock = { sec: 0, nsec: 0 };

  /** The earliest pending expiry, or -1. */
  nextExpiry(): Ticks {
    let t = -1;
    for (const l of this.timers) {
      const h = l.headId();
      if (h < 0) continue;
      const e = this.store.expiresOf(h);
      if (t < 0 || e < t) t = e;
    }
    return t;
  }

  /** Timer `id` of list `kind` fired (a session's id for the session lists, else a node's). */
  private expire(kind: number, id: number, sink: XlatSink): void {
    const t = this.sessions;
    switch (kind) {
      case TimerKind.Udp:
      case TimerKind.Icmp:
      case TimerKind.TcpTrans:
        this.removeSession(id);
        return;
      case TimerKind.TcpEst: {
        if (t.state(id) === TcpState.Established) {
          if (this.probe) this.probeSession(sink, id);
          t.setState(id, TcpState.Trans);
          this.armSession(id, TimerKind.TcpTrans);
          return;
        }
        this.removeSession(id);
        return;
      }
      case TimerKind.TcpIncomingSyn: {
        const pkt = t.stored(id);
        if (pkt !== null && t.state(id) === TcpState.V4Init) {
          const n = t.storedN(id);
          this.removeSession(id);
          this.drops.set(Reason.SimultaneousOpenExpired, (this.drops.get(Reason.SimultaneousOpenExpired) ?? 0) + 1);
          sink.drop(Reason.SimultaneousOpenExpired, n);
          this.icmp4ErrorAbout(sink, pkt, 3, 3, EmitKind.Deferred, n);
          return;
        }
        this.removeSession(id);
        return;
      }
      case TimerKind.StoredSyn: {
        const s = this.store.nodes[id] as StoredSyn;
        this.removeStoredSyn(s);
        this.drops.set(Reason.SimultaneousOpenExpired, (this.drops.get(Reason.SimultaneousOpenExpired) ?? 0) + 1);
        sink.drop(Reason.SimultaneousOpenExpired, s.n);
        this.icmp4ErrorAbout(sink, s.packet, 3, 3, EmitKind.Deferred, s.n);
        return;
      }
      case TimerKind.Fragment: {
        const f = this.store.nodes[id] as FragEntry;
        this.frags.delete(f.key);
        this.store.release(f);
        for (const h of f.held) {
          this.heldCount--;
          this.heldBytes -= h.bytes.length;
          this.drops.set(Reason.FragmentTimeout, (this.drops.get(Reason.FragmentTimeout) ?? 0) + 1);
          sink.drop(Reason.FragmentTimeout, h.n);
        }
        f.held.length = 0;
        return;
      }
    }
  }

  /** Fragment key of the current packet (fragments are rare: a string is fine here). */
  fragKey(): string {
    const st = this.st;
    if (st.family === 4) return `4:${st.src4}:${st.dst4}:${st.fragId}:${st.ipProto}`;
    let s = '6:';
    const b = st.bytes;
    for (let i = 0; i < 16; i++) s += b[st.src6Off + i].toString(16) + '.';
    for (let i = 0; i < 16; i++) s += b[st.dst6Off + i].toString(16) + '.';
    return s + st.fragId + ':' + st.ipProto;
  }
}
