/**
 * The stateful NAT64's per-flow fast path (what real translators and OVS-style flow caches do):
 * a packet of an existing session in steady state is translated without the general pipeline
 * (determine-incoming-tuple -> filtering-and-updating -> compute-outgoing-tuple ->
 * translating-the-packet), with the same lookups, the same state update and byte for byte the
 * same output.
 *
 * Steady state, on either side:
 * - the plain packet: IPv6 with no extension header, IPv4 with no options and not a fragment;
 *   payload captured whole; hop limit / TTL > 1; no fragmentation, Packet Too Big or
 *   Fragmentation Needed due; IPv4 UDP with a checksum;
 * - TCP with none of SYN, FIN, RST in an ESTABLISHED session (the transition is then ESTABLISHED
 *   -> ESTABLISHED with the lifetime set to TCP_EST, RFC 6146 §3.5.2.2), a UDP datagram or an
 *   ICMP echo request / reply (lifetime restarted, §3.5.1, §3.5.3);
 * - an existing session: found through the same tables as filtering-and-updating (the IPv6
 *   source must already be interned, the BIB entry and the session must exist);
 * - the checks that depend only on the session's tuple and the configuration (pool6 prefixes,
 *   the well-known-prefix rule, denylist4, hairpinning, pool4 ownership) passed: computed once
 *   per session and side (SessionTable.fast) — nothing in them can change while it lives.
 *
 * Anything else returns false and takes the general path, which stays the reference: the fast
 * path is only ever a shortcut to the result the general path would give (tested by running
 * captures both ways, NAT64SCOPE_FASTPATH=0 / Nat64Options.fastPath false).
 */
import { embedIpv4, extractIpv4, inPrefix, WKP } from '../rfc6052.js';
import { isGlobalIpv4 } from '../special-purpose.js';
import type { XlatSink } from '../types.js';
import { ViewCache } from '../../wire/word-copy.js';
import { tuple4, type HeaderTranslator, type Tuple4, type Tuple6 } from '../siit/header-translator.js';
import { Proto } from './pool4.js';
import { TimerKind, type Nat64Core } from './core.js';
import { SLOT_LAST_SEEN, SLOT_META, META_STATE_SHIFT, META_STORED, slotOf } from './timers.js';
import { NO_BIB } from './bib.js';
import { NO_SESSION } from './session-table.js';
import { Action, Lifetime, TcpState, actionOf, lifetimeOf, nextState, tcpTransition, type TcpContext } from './tcp-state-machine.js';

const CACHE_SLOTS = 1 << 15;
const CACHE_MASK = CACHE_SLOTS - 1;
/** Words per flow-cache row (64 bytes): see FastPath.k6 / k4. */
const ROW6 = 16;
const ROW4 = 16;
/** The row's word holding the session's timer id (-1: an empty row). */
const TID6 = 13;
const TID4 = 9;

/** A packet {@link FastPath.touch} finds no row for. */
export const NO_ROW = 0x7fffffff;

/** Lifetime -> timer list (as filtering-and-updating's LIFETIME_TIMER). */
const LIFETIME_TIMER = [-1, TimerKind.TcpEst, TimerKind.TcpTrans, TimerKind.TcpIncomingSyn];

/** The IPv6 flow cache's row of a flow (the IPv6 destination's middle words are not hashed). */
function slot6(a0: number, a1: number, a2: number, a3: number, a6: number, a7: number, proto: number, pk: number): number {
  let h = Math.imul(a0 ^ proto, 0x9e3779b1);
  h = Math.imul(h ^ a1 ^ (h >>> 15), 0x85ebca77);
  h = Math.imul(h ^ a2 ^ (h >>> 13), 0xc2b2ae3d);
  h = Math.imul(h ^ a3 ^ (h >>> 16), 0x27d4eb2f);
  h = Math.imul(h ^ a6 ^ (h >>> 15), 0x165667b1);
  h = Math.imul(h ^ a7 ^ (h >>> 13), 0x9e3779b1);
  h = Math.imul(h ^ pk ^ (h >>> 16), 0x85ebca77);
  return (h ^ (h >>> 15)) & CACHE_MASK;
}

/** The flow key's ports word of the transport header at l4 (an ICMP echo: its identifier, twice), as try6/try4 make it. */
function portsKey(bytes: Uint8Array, iv: DataView, l4: number, proto: number): number {
  if (proto !== Proto.Icmp) return iv.getInt32(l4);
  const ident = (bytes[l4 + 4] << 8) | bytes[l4 + 5];
  return (ident << 16) | ident;
}

/** The IPv4 flow cache's row of a flow. */
function slot4(s4: number, d4: number, proto: number, pk: number): number {
  let h = Math.imul(s4 ^ proto, 0x9e3779b1);
  h = Math.imul(h ^ d4 ^ (h >>> 15), 0x85ebca77);
  h = Math.imul(h ^ pk ^ (h >>> 13), 0xc2b2ae3d);
  return (h ^ (h >>> 16)) & CACHE_MASK;
}

export class FastPath {
  /** Packets translated by the fast path (tests check that it is taken). */
  hits = 0;
  /** Flow cache misses that took the table lookups (tests: rows written ahead by learn6 save them). */
  lookups = 0;
  readonly t4: Tuple4 = tuple4();
  readonly t6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  private readonly mtu4: number;
  private readonly mtu6: number;
  private readonly lim6: number;
  private readonly dropIcmp6Info: boolean;
  private readonly adf: boolean;
  /**
   * The flow cache, one per side: direct-mapped, CACHE_SLOTS rows each; a row holds the key
   * (IPv6: source and destination words, ports, protocol; IPv4: source, destination, ports,
   * protocol), what the translation needs of the BIB entry and session (IPv4 address and port
   * and remote IPv4 address; IPv6 address words and port), and the session's timer id, by which
   * its state is read and updated in the core's TimerStore: a hit reads no session table. A
   * row is used only while its session is alive: a session's BIB entry and tuple never change,
   * while it is alive the general lookups find it for that key, and its removal empties the row
   * (forget(), before the id can go to another node). A miss takes the general lookups and
   * refills the row.
   */
  private readonly k6 = new Int32Array(CACHE_SLOTS * ROW6);
  private readonly k4 = new Int32Array(CACHE_SLOTS * ROW4);
  private readonly inView = new ViewCache();
  private readonly ctx: TcpContext = { bibExists: true, addressDependent: false, dropExternal: false, hasStored: false };
  /** Outgoing IPv6 source and destination of the 4 -> 6 fast path, as eight words. */
  readonly w6 = new Int32Array(8);
  private readonly embed = new Uint8Array(16);
  /** The first three words of a /96 pool6. */
  private readonly p6w0: number = 0;
  private readonly p6w1: number = 0;
  private readonly p6w2: number = 0;

  constructor(private readonly core: Nat64Core, readonly xlat: HeaderTranslator) {
    const cfg = core.cfg;
    this.mtu4 = cfg.mtu.ipv4;
    this.mtu6 = cfg.mtu.ipv6;
    this.lim6 = Math.min(cfg.mtu.lowestIpv6Mtu, cfg.mtu.ipv6);
    this.dropIcmp6Info = cfg.filtering.dropIcmpv6Info;
    this.adf = cfg.filtering.addressDependent;
    // Every row empty (its timer id word -1; the other words are only read when it is not).
    this.k6.fill(-1);
    this.k4.fill(-1);
    const p = cfg.pool6?.bytes;
    if (p) {
      const word = (i: number): number => (p[i] << 24) | (p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3];
      this.p6w0 = word(0);
      this.p6w1 = word(4);
      this.p6w2 = word(8);
    }
  }

  /** Session `s` (its timer id) is being removed: its cache rows no longer hold it. */
  forget(s: number): void {
    const t = this.core.sessions;
    const slot6 = t.slot6[s];
    const slot4 = t.slot4[s];
    if (slot6 >= 0 && this.k6[slot6 * ROW6 + TID6] === s) this.k6[slot6 * ROW6 + TID6] = -1;
    if (slot4 >= 0 && this.k4[slot4 * ROW4 + TID4] === s) this.k4[slot4 * ROW4 + TID4] = -1;
  }

  /** Sum of what {@link touch} loaded (kept, so that the loads are not optimized away). */
  touched = 0;
  /** {@link touch}'s rows (IPv6 side: the row's index; IPv4 side: -1 - index; none: a large number). */
  private readonly pend = new Int32Array(64);

  /**
   * For a batch of coming IP packets (pkts[2i], pkts[2i+1]: offset and length; ParserOptions
   * lookahead): finds each one's flow cache row, then loads the rows, then their sessions'
   * timer slots, each in a loop of independent loads, so the processor overlaps the cache misses
   * of the whole batch (the packets themselves, one at a time, each wait for theirs). Reads only.
   */
  touch(bytes: Uint8Array, pkts: Int32Array, count: number): void {
    const pend = this.pend;
    const iv = this.inView.of(bytes);
    const n = count < 64 ? count : 64;
    for (let i = 0; i < n; i++) pend[i] = this.rowOf(bytes, iv, pkts[2 * i], pkts[2 * i + 1]);
    this.loadRows(pend, n);
  }

  /**
   * The flow cache row of the IP packet at bytes[off..off+len) (iv: bytes' DataView), as try6 /
   * try4 will look it up: IPv6: the row's first word's index; IPv4: -1 - that index; NO_ROW for
   * a packet the fast path does not take.
   */
  rowOf(bytes: Uint8Array, iv: DataView, off: number, len: number): number {
    if (len < 28) return NO_ROW;
    const v = bytes[off] >> 4;
    if (v === 6) {
      if (len < 48) return NO_ROW;
      const nh = bytes[off + 6];
      const u = off + 40;
      const proto = nh === 6 ? Proto.Tcp : nh === 17 ? Proto.Udp : nh === 58 ? Proto.Icmp : -1;
      if (proto < 0) return NO_ROW;
      const pk = portsKey(bytes, iv, u, proto);
      return slot6(iv.getInt32(off + 8), iv.getInt32(off + 12), iv.getInt32(off + 16), iv.getInt32(off + 20), iv.getInt32(off + 32), iv.getInt32(off + 36), proto, pk) * ROW6;
    }
    if (v === 4) {
      const ip = bytes[off + 9];
      const p = off + ((bytes[off] & 0x0f) << 2);
      if (p + 8 > off + len) return NO_ROW;
      const proto = ip === 6 ? Proto.Tcp : ip === 17 ? Proto.Udp : ip === 1 ? Proto.Icmp : -1;
      if (proto < 0) return NO_ROW;
      const pk = portsKey(bytes, iv, p, proto);
      return -1 - slot4(iv.getInt32(off + 12), iv.getInt32(off + 16), proto, pk) * ROW4;
    }
    return NO_ROW;
  }

  /**
   * Loads the rows `pend[0..n)` (rowOf's) and then their sessions' timer slots, each in a loop of
   * independent loads, so that the processor overlaps the cache misses of the whole batch (the
   * packets themselves, one at a time, each wait for theirs). Reads only; `pend` is left holding
   * the rows' timer ids (-1: none).
   */
  loadRows(pend: Int32Array, n: number): void {
    const k6 = this.k6;
    const k4 = this.k4;
    // A row's first word too: a row is 64 bytes, but the array's data need not start on a cache
    // line (a large calloc block begins 16 bytes into its page), so a row can span two lines, and
    // the key compared first would miss again in hit6 / hit4.
    let t = 0;
    for (let i = 0; i < n; i++) {
      const r = pend[i];
      if (r === NO_ROW) pend[i] = -1;
      else if (r >= 0) {
        t += k6[r];
        pend[i] = k6[r + TID6];
      } else {
        t += k4[-1 - r];
        pend[i] = k4[-1 - r + TID4];
      }
    }
    const pages = this.core.store.pages;
    for (let i = 0; i < n; i++) {
      const id = pend[i];
      if (id >= 0) {
        // (both ends of the 32-byte slot, for the same reason)
        const pg = pages[id >> 10];
        const at = slotOf(id);
        t += pg[at] + pg[at + SLOT_META];
      }
    }
    this.touched += t;
  }

  /**
   * The engine's clock moved to `t` (ticks) for a packet, as Nat64Engine.process does first, when
   * no timer can be due by then; false (nothing changed) when one may be: the packet must go
   * through process(), which fires it.
   */
  advance(t: number): boolean {
    const core = this.core;
    if (t > core.now) {
      if (t >= core.nextDue) return false;
      core.now = t;
    }
    return true;
  }

  /** hit6's results: the packet's payload length, next header and decremented hop limit. */
  pl = 0;
  nh = 0;
  hop = 0;

  /** An IPv6 packet (version already checked): true when translated here. */
  try6(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink): boolean {
    if (!this.hit6(bytes, off, len, -1)) return false;
    this.hits++;
    this.xlat.fastTo4(bytes, off, this.pl, this.nh, this.hop, this.t4, n, sink);
    return true;
  }

  /**
   * The payload length of the IPv6 packet at bytes[off..off+len) when its header is one hit6 and
   * create6 take (captured whole, hop limit above 1, no fragmentation due on the IPv4 side, a
   * pool6 configured), else -1.
   */
  private plain6(bytes: Uint8Array, off: number, len: number): number {
    if (len < 48 || this.core.cfg.pool6 === null) return -1;
    const pl = (bytes[off + 4] << 8) | bytes[off + 5];
    if (pl < 8 || pl > len - 40 || bytes[off + 7] <= 1 || 20 + pl > this.mtu4) return -1;
    return pl;
  }

  /**
   * try6 up to the translation: when the fast path takes the IPv6 packet, its session's state is
   * updated (as filtering-and-updating would), the outgoing tuple is in {@link t4} and
   * pl / nh / hop are set, and it returns true; otherwise it changes nothing (but the flow cache)
   * and returns false. `row`: rowOf's (>= 0) when known, else -1.
   */
  hit6(bytes: Uint8Array, off: number, len: number, row: number): boolean {
    const pl = this.plain6(bytes, off, len);
    if (pl < 0) return false;
    const core = this.core;
    const pool6 = core.cfg.pool6!;
    const hop = bytes[off + 7];
    const nh = bytes[off + 6];
    const u = off + 40;
    let proto: number;
    let sport: number;
    let dport: number;
    if (nh === 6) {
      if (pl < 20) return false;
      proto = Proto.Tcp;
      sport = (bytes[u] << 8) | bytes[u + 1];
      dport = (bytes[u + 2] << 8) | bytes[u + 3];
    } else if (nh === 17) {
      proto = Proto.Udp;
      sport = (bytes[u] << 8) | bytes[u + 1];
      dport = (bytes[u + 2] << 8) | bytes[u + 3];
    } else if (nh === 58) {
      const type = bytes[u];
      if ((type !== 128 && type !== 129) || this.dropIcmp6Info) return false;
      proto = Proto.Icmp;
      sport = dport = (bytes[u + 4] << 8) | bytes[u + 5];
    } else return false;
    // The flow cache: the packet's addresses, ports and protocol -> its session.
    const iv = this.inView.of(bytes);
    const a0 = iv.getInt32(off + 8), a1 = iv.getInt32(off + 12), a2 = iv.getInt32(off + 16), a3 = iv.getInt32(off + 20);
    const a4 = iv.getInt32(off + 24), a5 = iv.getInt32(off + 28), a6 = iv.getInt32(off + 32), a7 = iv.getInt32(off + 36);
    const pk = (sport << 16) | dport;
    const slot = row >= 0 ? row / ROW6 : slot6(a0, a1, a2, a3, a6, a7, proto, pk);
    const k = this.k6;
    const r = slot * ROW6;
    let id = k[r + TID6];
    let addr4: number;
    let port4: number;
    let remote4: number;
    if (id >= 0 && k[r] === a0 && k[r + 1] === a1 && k[r + 2] === a2 && k[r + 3] === a3 && k[r + 4] === a4 &&
      k[r + 5] === a5 && k[r + 6] === a6 && k[r + 7] === a7 && k[r + 8] === pk && k[r + 9] === proto) {
      addr4 = k[r + 10] >>> 0;
      port4 = k[r + 11];
      remote4 = k[r + 12] >>> 0;
    } else {
      // filtering-and-updating's address checks (RFC 6146 §3.5, RFC 6052 §2.2) and lookups.
      this.lookups++;
      if (inPrefix(bytes, off + 8, pool6) || !inPrefix(bytes, off + 24, pool6)) return false;
      if (pool6.len !== 96 && bytes[off + 32] !== 0) return false;
      const y = extractIpv4(bytes, off + 24, pool6.len);
      const x6 = core.intern.find(bytes, off + 8);
      if (x6 < 0) return false;
      const table = core.bibs[proto];
      const bib = table.find6(x6, sport);
      if (bib === NO_BIB) return false;
      const s = table.session(bib, y, proto === Proto.Icmp ? 0 : dport);
      if (s === NO_SESSION) return false;
      if (!this.fill6(s, proto, slot, a0, a1, a2, a3, a4, a5, a6, a7, pk)) return false;
      addr4 = k[r + 10] >>> 0;
      port4 = k[r + 11];
      remote4 = k[r + 12] >>> 0;
      id = s;
    }
    const pg = core.store.pages[id >> 10];
    const at = slotOf(id);
    if (proto === Proto.Tcp) {
      if (!this.tcp(pg, at, id, true, bytes, u, false)) return false;
    } else core.armSlot(pg, at, id, proto === Proto.Udp ? TimerKind.Udp : TimerKind.Icmp);
    pg[at + SLOT_LAST_SEEN] = core.now;
    const t = this.t4;
    t.src = addr4;
    t.dst = remote4;
    t.sport = port4;
    t.dport = proto === Proto.Icmp ? port4 : dport;
    this.pl = pl;
    this.nh = nh;
    this.hop = hop - 1;
    return true;
  }

  /** Sessions {@link create6} made (tests check that it is taken). */
  created = 0;

  /**
   * The first packet of a new flow on the IPv6 side, a TCP SYN or a UDP datagram of the kind
   * hit6 takes, which no session has yet (hit6 has just returned false for it): the session made
   * as filtering-and-updating makes it (the source interned, its BIB entry found or allocated from
   * pool4, the session created, its TCP state and lifetime from the CLOSED transition or its UDP
   * lifetime started), both flow cache rows written as Nat64Engine.run6's learn6 writes them, and
   * the outgoing tuple in {@link t4} (pl / nh / hop set) as hit6 leaves them: the translation is
   * the one the general path makes (compute-outgoing-tuple, RFC 7915 without options or
   * fragmentation, no hairpin). False, with nothing changed, for anything the general path decides
   * otherwise: a drop (pool6 prefixes, the well-known-prefix rule, denylist4, pool4 exhausted), a
   * hairpin, a segment without SYN, a V4 SYN stored for the same remote end (the simultaneous
   * open the general path may complete), a per-destination connection limit, an existing session.
   */
  create6(bytes: Uint8Array, off: number, len: number): boolean {
    const pl = this.plain6(bytes, off, len);
    const core = this.core;
    const cfg = core.cfg;
    if (pl < 0 || cfg.policy.maxConnectionsPerDestination !== null) return false;
    const pool6 = cfg.pool6!;
    const hop = bytes[off + 7];
    const nh = bytes[off + 6];
    const u = off + 40;
    let proto: number;
    if (nh === 6) {
      if (pl < 20 || (bytes[u + 13] & 0x02) === 0) return false;
      proto = Proto.Tcp;
    } else if (nh === 17) proto = Proto.Udp;
    else return false;
    const sport = (bytes[u] << 8) | bytes[u + 1];
    const dport = (bytes[u + 2] << 8) | bytes[u + 3];
    // filtering-and-updating6's checks, before anything changes.
    if (inPrefix(bytes, off + 8, pool6) || !inPrefix(bytes, off + 24, pool6)) return false;
    if (pool6.len !== 96 && bytes[off + 32] !== 0) return false;
    const y = extractIpv4(bytes, off + 24, pool6.len);
    if (!this.remoteOk6(y, proto)) return false;
    const table = core.bibs[proto];
    const known = core.intern.find(bytes, off + 8);
    let bib = known < 0 ? NO_BIB : table.find6(known, sport);
    if (bib !== NO_BIB && table.session(bib, y, dport) !== NO_SESSION) return false;
    // (a V4 SYN stored for this remote end: the general path may upgrade it to the new mapping)
    if (bib === NO_BIB && proto === Proto.Tcp && core.syns.count > 0 && core.syns.byRemote.has(y * 65536 + dport)) return false;
    // Its changes, in filtering-and-updating6's order.
    const addr6 = core.intern.intern(bytes, off + 8);
    if (bib === NO_BIB) {
      bib = core.allocateBib(proto as Proto, addr6, sport);
      if (bib === NO_BIB) return false; // (pool4 exhausted: the general path answers)
    }
    const s = core.newSession(bib, y, dport);
    const sessions = core.sessions;
    if (proto === Proto.Tcp) {
      const ctx = this.ctx;
      ctx.bibExists = true;
      ctx.addressDependent = false;
      ctx.dropExternal = false;
      ctx.hasStored = false;
      const t = tcpTransition(TcpState.Closed, true, bytes[u + 13] | ((bytes[u + 12] & 1) << 8), ctx);
      sessions.setState(s, nextState(t));
      const lt = lifetimeOf(t);
      if (lt !== Lifetime.Keep) core.armSession(s, LIFETIME_TIMER[lt]);
    } else {
      sessions.setLastSeen(s, core.now);
      core.armSession(s, TimerKind.Udp);
    }
    this.created++;
    const x = core.entries;
    const port4 = x.port4[bib];
    const t4 = this.t4;
    t4.src = x.addr4Of(bib);
    t4.dst = y;
    t4.sport = port4;
    t4.dport = dport;
    this.pl = pl;
    this.nh = nh;
    this.hop = hop - 1;
    this.learn6(bytes, off, len, s);
    return true;
  }

  /**
   * Session `s` (protocol `proto`) in IPv6 row `slot` under the key a0..a7, pk: the lookups' and
   * the session's checks (SessionTable.fast) passed, the row written; false when the session may not
   * take the fast path. One row per side and session: a session reached by another key too (a
   * pool6 suffix that differs; RFC 6052 ignores it) leaves its older row, which forget() could
   * not find.
   */
  private fill6(s: number, proto: number, slot: number, a0: number, a1: number, a2: number, a3: number, a4: number, a5: number, a6: number, a7: number, pk: number): boolean {
    const t = this.core.sessions;
    const f = t.fast[s];
    let f6 = f & 3;
    if (f6 !== 1) {
      if (f6 === 2) return false;
      f6 = this.sessionOk6(s, proto) ? 1 : 2;
      t.fast[s] = (f & ~3) | f6;
      if (f6 === 2) return false;
    }
    const k = this.k6;
    const r = slot * ROW6;
    const old = t.slot6[s];
    if (old >= 0 && old !== slot && k[old * ROW6 + TID6] === s) k[old * ROW6 + TID6] = -1;
    const x = this.core.entries;
    const e = t.bib[s];
    k[r] = a0; k[r + 1] = a1; k[r + 2] = a2; k[r + 3] = a3; k[r + 4] = a4; k[r + 5] = a5; k[r + 6] = a6; k[r + 7] = a7;
    k[r + 8] = pk;
    k[r + 9] = proto;
    k[r + 10] = x.addr4[e];
    k[r + 11] = x.port4[e];
    k[r + 12] = t.remote[s];
    k[r + TID6] = s;
    t.slot6[s] = slot;
    return true;
  }

  /** {@link fill6} for the IPv4 side: row `slot` under the key s4, d4, pk (SessionTable.fast: pool4 ownership). */
  private fill4(s: number, proto: number, slot: number, s4: number, d4: number, pk: number): boolean {
    const t = this.core.sessions;
    const f = t.fast[s];
    let f4 = (f >> 2) & 3;
    if (f4 !== 1) {
      if (f4 === 2) return false;
      f4 = this.core.ours4(proto, d4 >>> 0) ? 1 : 2;
      t.fast[s] = (f & 3) | (f4 << 2);
      if (f4 === 2) return false;
    }
    const k = this.k4;
    const r = slot * ROW4;
    const x = this.core.entries;
    const e = t.bib[s];
    // X' from the intern table.
    const words = this.core.intern.addressWords();
    const a = x.addr6[e] * 4;
    k[r] = s4;
    k[r + 1] = d4;
    k[r + 2] = pk;
    k[r + 3] = proto;
    k[r + 4] = words[a] | 0;
    k[r + 5] = words[a + 1] | 0;
    k[r + 6] = words[a + 2] | 0;
    k[r + 7] = words[a + 3] | 0;
    k[r + 8] = x.port6[e];
    const old = t.slot4[s];
    if (old >= 0 && old !== slot && k[old * ROW4 + TID4] === s) k[old * ROW4 + TID4] = -1;
    k[r + TID4] = s;
    t.slot4[s] = slot;
    return true;
  }

  /**
   * The general path has just handled the IPv6 TCP / UDP packet at bytes[off..) of session `s`
   * (a new session, most often): its rows are written now, on both sides, as the fast path's
   * lookups would write them for the session's next packets — which then need no lookup. Rows
   * are a cache: what the fast path does with a row is what it does after the lookups.
   */
  learn6(bytes: Uint8Array, off: number, len: number, s: number): void {
    if (len < 48 || s < 0) return;
    const pool6 = this.core.cfg.pool6;
    if (pool6 === null) return;
    const nh = bytes[off + 6];
    if (nh !== 6 && nh !== 17) return;
    // (hit6's address checks: rows only for keys hit6 would look up)
    if (inPrefix(bytes, off + 8, pool6) || !inPrefix(bytes, off + 24, pool6)) return;
    if (pool6.len !== 96 && bytes[off + 32] !== 0) return;
    const proto = nh === 6 ? Proto.Tcp : Proto.Udp;
    const iv = this.inView.of(bytes);
    const a0 = iv.getInt32(off + 8), a1 = iv.getInt32(off + 12), a2 = iv.getInt32(off + 16), a3 = iv.getInt32(off + 20);
    const a4 = iv.getInt32(off + 24), a5 = iv.getInt32(off + 28), a6 = iv.getInt32(off + 32), a7 = iv.getInt32(off + 36);
    const pk = iv.getInt32(off + 40);
    const slot = slot6(a0, a1, a2, a3, a6, a7, proto, pk);
    const k6 = this.k6;
    const r = slot * ROW6;
    if (k6[r + TID6] !== s || k6[r + 8] !== pk || k6[r] !== a0 || k6[r + 1] !== a1 || k6[r + 2] !== a2 || k6[r + 3] !== a3 || k6[r + 4] !== a4 || k6[r + 5] !== a5 || k6[r + 6] !== a6 || k6[r + 7] !== a7 || k6[r + 9] !== proto) {
      if (!this.fill6(s, proto, slot, a0, a1, a2, a3, a4, a5, a6, a7, pk)) return;
    }
    // The replies: from the remote Y,y to X,x4.
    const t = this.core.sessions;
    const e = t.bib[s];
    const s4 = t.remote[s];
    const d4 = this.core.entries.addr4[e];
    const pk4 = (t.rport[s] << 16) | this.core.entries.port4[e];
    const slot4v = slot4(s4, d4, proto, pk4);
    const k4 = this.k4;
    const r4 = slot4v * ROW4;
    if (k4[r4 + TID4] === s && k4[r4] === s4 && k4[r4 + 1] === d4 && k4[r4 + 2] === pk4 && k4[r4 + 3] === proto) return;
    this.fill4(s, proto, slot4v, s4, d4, pk4);
  }

  /** hit4's results: the packet's payload length, protocol and decremented TTL. */
  plen = 0;
  ip = 0;
  ttl = 0;

  /** An IPv4 packet (version already checked): true when translated here. */
  try4(bytes: Uint8Array, off: number, len: number, n: number, sink: XlatSink): boolean {
    if (!this.hit4(bytes, off, len, 0)) return false;
    this.hits++;
    this.xlat.fastTo6(bytes, off, this.plen, this.ip, this.ttl, this.w6, this.t6, n, sink);
    return true;
  }

  /**
   * try4 up to the translation (as hit6): the outgoing addresses in {@link w6}, ports in
   * {@link t6}, plen / ip / ttl set. `row`: rowOf's (-1 - index) when known, else 0.
   */
  hit4(bytes: Uint8Array, off: number, len: number, row: number): boolean {
    if (len < 28 || bytes[off] !== 0x45) return false;
    const core = this.core;
    const pool6 = core.cfg.pool6;
    if (pool6 === null) return false;
    const tl = (bytes[off + 2] << 8) | bytes[off + 3];
    if (tl < 28 || tl > len) return false;
    const ff = (bytes[off + 6] << 8) | bytes[off + 7];
    if ((ff & 0x3fff) !== 0) return false; // a fragment
    const ttl = bytes[off + 8];
    if (ttl <= 1) return false;
    const plen = tl - 20;
    if (40 + plen > ((ff & 0x4000) !== 0 ? this.mtu6 : this.lim6)) return false;
    const ip = bytes[off + 9];
    const p = off + 20;
    let proto: number;
    let sport: number;
    let dport: number;
    if (ip === 6) {
      if (plen < 20) return false;
      proto = Proto.Tcp;
      sport = (bytes[p] << 8) | bytes[p + 1];
      dport = (bytes[p + 2] << 8) | bytes[p + 3];
    } else if (ip === 17) {
      if ((bytes[p + 6] | bytes[p + 7]) === 0) return false; // no checksum: computed by the general path (one test, no branch optimized code may not have seen)
      proto = Proto.Udp;
      sport = (bytes[p] << 8) | bytes[p + 1];
      dport = (bytes[p + 2] << 8) | bytes[p + 3];
    } else if (ip === 1) {
      const type = bytes[p];
      if (type !== 0 && type !== 8) return false;
      proto = Proto.Icmp;
      sport = dport = (bytes[p + 4] << 8) | bytes[p + 5];
    } else return false;
    const iv = this.inView.of(bytes);
    const s4 = iv.getInt32(off + 12);
    const d4 = iv.getInt32(off + 16);
    const pk = (sport << 16) | dport;
    const slot = row < 0 ? (-1 - row) / ROW4 : slot4(s4, d4, proto, pk);
    const k = this.k4;
    const r = slot * ROW4;
    let id = k[r + TID4];
    const w = this.w6;
    let port6: number;
    if (id >= 0 && k[r] === s4 && k[r + 1] === d4 && k[r + 2] === pk && k[r + 3] === proto) {
      w[4] = k[r + 4];
      w[5] = k[r + 5];
      w[6] = k[r + 6];
      w[7] = k[r + 7];
      port6 = k[r + 8];
    } else {
      this.lookups++;
      const src4 = s4 >>> 0;
      const dst4 = d4 >>> 0;
      const table = core.bibs[proto];
      const bib = table.find4(dst4, dport);
      if (bib === NO_BIB) return false;
      const s = table.session(bib, src4, proto === Proto.Icmp ? 0 : sport);
      if (s === NO_SESSION) return false;
      if (!this.fill4(s, proto, slot, s4, d4, pk)) return false;
      w[4] = k[r + 4];
      w[5] = k[r + 5];
      w[6] = k[r + 6];
      w[7] = k[r + 7];
      port6 = k[r + 8];
      id = s;
    }
    const pg = core.store.pages[id >> 10];
    const at = slotOf(id);
    if (proto === Proto.Tcp) {
      if (!this.tcp(pg, at, id, false, bytes, p, this.adf)) return false;
    } else core.armSlot(pg, at, id, proto === Proto.Udp ? TimerKind.Udp : TimerKind.Icmp);
    pg[at + SLOT_LAST_SEEN] = core.now;
    // The outgoing source pool6(Y) (RFC 6052) as words.
    if (pool6.len === 96) {
      w[0] = this.p6w0;
      w[1] = this.p6w1;
      w[2] = this.p6w2;
      w[3] = s4;
    } else {
      const e = this.embed;
      embedIpv4(e, 0, pool6, s4 >>> 0);
      for (let i = 0; i < 4; i++) w[i] = (e[i * 4] << 24) | (e[i * 4 + 1] << 16) | (e[i * 4 + 2] << 8) | e[i * 4 + 3];
    }
    const t = this.t6;
    t.sport = proto === Proto.Icmp ? port6 : sport;
    t.dport = port6;
    this.plen = plen;
    this.ip = ip;
    this.ttl = ttl - 1;
    return true;
  }

  /**
   * RFC 6146 §3.5.2.2 for a TCP segment of an existing session, as filtering-and-updating does it
   * (tcpTransition, then the new state and lifetime), when that translates the segment; false
   * (nothing changed) for what the general path must handle: a session idle past
   * policy.tcpIdleRst, one holding a stored V4 SYN, and segments the state machine drops.
   */
  private tcp(pg: Float64Array, at: number, id: number, from6: boolean, b: Uint8Array, l4: number, adf: boolean): boolean {
    const core = this.core;
    const meta = pg[at + SLOT_META] | 0;
    if ((meta & META_STORED) !== 0) return false;
    const state = (meta >> META_STATE_SHIFT) & 0xf;
    if (core.idleRst >= 0 && core.now - pg[at + SLOT_LAST_SEEN] > core.idleRst && (from6 || state !== TcpState.V4Init)) return false;
    const f = b[l4 + 13];
    if (state === TcpState.Established && (f & 0x07) === 0) {
      // tcpTransition's ESTABLISHED case without FIN, SYN or RST: ESTABLISHED, TCP_EST, translate.
      core.armSlot(pg, at, id, TimerKind.TcpEst);
      return true;
    }
    const ctx = this.ctx;
    ctx.bibExists = true;
    ctx.addressDependent = adf;
    ctx.dropExternal = false;
    ctx.hasStored = false;
    const t = tcpTransition(state as TcpState, from6, b[l4 + 13] | ((b[l4 + 12] & 1) << 8), ctx);
    if (actionOf(t) !== Action.Translate) return false;
    const m = pg[at + SLOT_META] | 0;
    pg[at + SLOT_META] = (m & ~(0xf << META_STATE_SHIFT)) | (nextState(t) << META_STATE_SHIFT);
    const lt = lifetimeOf(t);
    if (lt !== Lifetime.Keep) core.armSlot(pg, at, id, LIFETIME_TIMER[lt]);
    return true;
  }

  /**
   * filtering-and-updating's per-packet checks on the IPv6 side that depend only on the session:
   * the well-known-prefix rule, denylist4, and hairpinning (a destination of ours goes the
   * general way).
   */
  private sessionOk6(s: number, proto: number): boolean {
    return this.remoteOk6(this.core.sessions.remote4(s), proto);
  }

  /** {@link sessionOk6} for remote IPv4 address `y`. */
  private remoteOk6(y: number, proto: number): boolean {
    const core = this.core;
    const cfg = core.cfg;
    const pool6 = cfg.pool6!;
    if (cfg.strictWellKnownPrefix && pool6.len === 96 && inPrefix(pool6.bytes, 0, WKP) && !isGlobalIpv4(y)) return false;
    for (const p of cfg.denylist4) {
      if (p.len === 0) return false;
      const m = p.len >= 32 ? 0xffffffff : ~(0xffffffff >>> p.len);
      if (((y & m) >>> 0) === ((p.addr & m) >>> 0)) return false;
    }
    if (cfg.hairpinning !== 'off' && core.ours4(proto, y)) return false;
    return true;
  }
}
