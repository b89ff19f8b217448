/**
 * RFC 6146 §3.5 Filtering and Updating Binding and Session Information: find or create the BIB
 * entry and the session of the incoming tuple (§3.5.1 UDP, §3.5.2 TCP with the state machine of
 * §3.5.2.2, §3.5.3 ICMP query), refresh lifetimes, filter (address-dependent filtering,
 * externally initiated TCP, ICMPv6 informational filtering), and match ICMP errors to their
 * session through the packet inside them (§3.5.4: errors neither create nor refresh state).
 *
 * Returns 0 (continue), a drop reason (> 0), or STOLEN (the packet was kept or answered; whatever
 * had to be reported was).
 */
import { Reason } from '../../../diag/reasons.js';
import { EmitKind, type XlatSink } from '../../types.js';
import { extractIpv4, inPrefix, WKP } from '../../rfc6052.js';
import { isGlobalIpv4 } from '../../special-purpose.js';
import { TcpFlag } from '../../../wire/tcp.js';
import { Proto } from '../pool4.js';
import { NO_BIB } from '../bib.js';
import { NO_SESSION, StoredSyn } from '../session-table.js';
import { TimerKind, type Nat64Core } from '../core.js';
import { Action, Lifetime, TcpState, actionOf, lifetimeOf, nextState, tcpTransition, type TcpContext } from '../tcp-state-machine.js';

export const STOLEN = -1;

const LIFETIME_TIMER = [-1, TimerKind.TcpEst, TimerKind.TcpTrans, TimerKind.TcpIncomingSyn];

/** One context object reused for every TCP packet (no allocation per packet). */
const CTX: TcpContext = { bibExists: false, addressDependent: false, dropExternal: false, hasStored: false };
function ctx(bibExists: boolean, addressDependent: boolean, dropExternal: boolean, hasStored: boolean): TcpContext {
  CTX.bibExists = bibExists;
  CTX.addressDependent = addressDependent;
  CTX.dropExternal = dropExternal;
  CTX.hasStored = hasStored;
  return CTX;
}

function inDenylist(core: Nat64Core, a: number): boolean {
  for (const p of core.cfg.denylist4) {
    if (p.len === 0) return true;
    const m = p.len >= 32 ? 0xffffffff : ~(0xffffffff >>> p.len);
    if (((a & m) >>> 0) === ((p.addr & m) >>> 0)) return true;
  }
  return false;
}

/** Refreshes UDP / ICMP session `s` (protocol `proto`): lifetime restarts (RFC 6146 §3.5.1, §3.5.3). */
function touchSimple(core: Nat64Core, s: number, proto: number): void {
  core.sessions.setLastSeen(s, core.now);
  core.armSession(s, proto === Proto.Udp ? TimerKind.Udp : TimerKind.Icmp);
}

function applyLifetime(core: Nat64Core, s: number, lt: number): void {
  if (lt !== Lifetime.Keep) core.armSession(s, LIFETIME_TIMER[lt]);
}

/** policy.maxConnectionsPerDestination: room for one more session to (Y,y) from BIB entry `e`'s address? */
function roomFor(core: Nat64Core, e: number, remote4: number, rport: number): boolean {
  const max = core.cfg.policy.maxConnectionsPerDestination;
  const x = core.entries;
  return max === null || core.sessions.destinationCount(x.proto[e] as Proto, x.addr4Of(e), remote4, rport) < max;
}

/** IPv6 side. */
export function filteringAndUpdating6(core: Nat64Core, sink: XlatSink): number {
  const st = core.st;
  const pool6 = core.cfg.pool6;
  const b = st.bytes;
  if (!pool6) return Reason.Pool6Mismatch;
  // Hairpinning loops and packets not for pool6 (Jool: JSTAT_HAIRPIN_LOOP, JSTAT_POOL6_MISMATCH).
  if (inPrefix(b, st.src6Off, pool6)) return Reason.HairpinLoop;
  if (!inPrefix(b, st.dst6Off, pool6)) return Reason.Pool6Mismatch;
  // RFC 6052 §2.2: bits 64-71 of an IPv4-embedded address are zero.
  if (pool6.len !== 96 && b[st.dst6Off + 8] !== 0) return Reason.UOctetNotZero;
  st.remote4 = extractIpv4(b, st.dst6Off, pool6.len);
  // RFC 6052 §3.1: no non-global IPv4 behind the well-known prefix (unless the profile allows it).
  if (core.cfg.strictWellKnownPrefix && !st.icmpError && pool6.len === 96 && inPrefix(pool6.bytes, 0, WKP) && !isGlobalIpv4(st.remote4)) {
    return Reason.WellKnownPrefixNonGlobal;
  }

  if (st.icmpError) {
    // §3.5.4 / Jool: errors are matched, not filtered, and change no state. The inner packet went
    // from pool6(Y),y to X',x: the session is (X',x) <-> (Y,y).
    if (!inPrefix(b, st.innerSrc6Off, pool6)) return Reason.NoSessionForIcmpError;
    const id = core.intern.find(b, st.innerDst6Off);
    if (id < 0) return Reason.NoSessionForIcmpError;
    const y = extractIpv4(b, st.innerSrc6Off, pool6.len);
    const table = core.bibs[st.proto];
    const bib = table.find6(id, st.innerDport);
    if (bib === NO_BIB) return Reason.NoSessionForIcmpError;
    st.bib = bib;
    st.session = table.session(bib, y, st.proto === Proto.Icmp ? 0 : st.innerSport);
    st.remote4 = y;
    return 0;
  }

  if (inDenylist(core, st.remote4)) return Reason.Denylisted4;
  if (st.proto === Proto.Icmp && core.cfg.filtering.dropIcmpv6Info) return Reason.Icmpv6InfoFiltered;
  const addr6 = core.intern.intern(b, st.src6Off);
  const table = core.bibs[st.proto];
  const sessions = core.sessions;
  let bib = table.find6(addr6, st.sport);
  const rport = st.proto === Proto.Icmp ? 0 : st.dport;

  if (st.proto !== Proto.Tcp) {
    // §3.5.1 (UDP), §3.5.3 (ICMP query).
    if (bib === NO_BIB) {
      bib = core.allocateBib(st.proto as Proto, addr6, st.sport);
      if (bib === NO_BIB) return exhausted(core, sink);
    }
    let s = table.session(bib, st.remote4, rport);
    if (s === NO_SESSION) {
      if (!roomFor(core, bib, st.remote4, rport)) return dropEmptyBib(core, bib, Reason.ConnectionLimit);
      s = core.newSession(bib, st.remote4, rport);
    }
    touchSimple(core, s, st.proto);
    st.bib = bib;
    st.session = s;
    return 0;
  }

  // §3.5.2 TCP.
  const s = bib !== NO_BIB ? table.session(bib, st.remote4, rport) : NO_SESSION;
  if (s !== NO_SESSION && core.idleRst >= 0 && core.now - sessions.lastSeen(s) > core.idleRst) {
    // AWS NAT gateway: the connection timed out while idle; the gateway answers the inside host
    // with a RST and forgets the connection.
    core.removeSession(s);
    core.rstToSender6(sink);
    return Reason.TcpIdleRst;
  }
  if (s !== NO_SESSION) {
    const stored = sessions.stored(s);
    const state = sessions.state(s);
    const t = tcpTransition(state, true, st.tcpFlags, ctx(true, false, false, stored !== null));
    if (actionOf(t) === Action.Drop) return Reason.TcpStateDrop;
    if (state === TcpState.V4Init && stored) {
      // Simultaneous open: the stored V4 SYN is no longer needed.
      sessions.setStored(s, null);
      core.storedCount--;
    }
    sessions.setState(s, nextState(t));
    applyLifetime(core, s, lifetimeOf(t));
    sessions.setLastSeen(s, core.now);
    st.bib = bib;
    st.session = s;
    return 0;
  }
  // CLOSED.
  const syn = (st.tcpFlags & TcpFlag.SYN) !== 0;
  if (!syn) {
    if (bib === NO_BIB) return Reason.TcpStateDrop;
    st.bib = bib; // translated with the BIB entry, no session (RFC 6146 §3.5.2.2 CLOSED)
    return 0;
  }
  let upgraded = false;
  if (bib === NO_BIB) {
    // A V4 SYN stored for this remote end, to a transport address pool4 can give: simultaneous
    // open (Jool's upgrade_pktqueue_session); the new mapping takes that address.
    const l = core.syns.byRemote.get(st.remote4 * 65536 + rport);
    if (l) {
      for (const so of l) {
        const a4 = Math.floor(so.key4 / 65536);
        const p4 = so.key4 % 65536;
        if (table.find4(a4, p4) === NO_BIB && core.pool4.containsTransport(Proto.Tcp, a4, p4)) {
          bib = table.add(addr6, st.sport, a4, p4, false);
          core.removeStoredSyn(so);
          upgraded = true;
          break;
        }
      }
    }
    if (bib === NO_BIB) bib = core.allocateBib(Proto.Tcp, addr6, st.sport);
    if (bib === NO_BIB) return exhausted(core, sink);
  }
  if (!roomFor(core, bib, st.remote4, rport)) return dropEmptyBib(core, bib, Reason.ConnectionLimit);
  const n = core.newSession(bib, st.remote4, rport);
  if (upgraded) {
    // As if the session had been V4 INIT all along: V4 INIT + V6 SYN -> ESTABLISHED.
    sessions.setState(n, TcpState.Established);
    core.armSession(n, TimerKind.TcpEst);
  } else {
    const t = tcpTransition(TcpState.Closed, true, st.tcpFlags, ctx(true, false, false, false));
    sessions.setState(n, nextState(t));
    applyLifetime(core, n, lifetimeOf(t));
  }
  st.bib = bib;
  st.session = n;
  return 0;
}

function dropEmptyBib(core: Nat64Core, e: number, reason: number): number {
  const x = core.entries;
  if (x.isStatic[e] === 0 && x.sessionCount[e] === 0) core.bibs[x.proto[e]].remove(e);
  return reason;
}

/** RFC 6146 §3.5.1.1: no transport address left: drop with ICMPv6 Destination Unreachable, Address Unreachable. */
function exhausted(core: Nat64Core, sink: XlatSink): number {
  core.icmp6Error(sink, 1, 3, 0);
  return Reason.Pool4Exhausted;
}

/** IPv4 side. */
export function filteringAndUpdating4(core: Nat64Core, sink: XlatSink): number {
  const st = core.st;
  const table = core.bibs[st.proto];
  if (!core.ours4(st.proto, st.dst4)) return Reason.NotToPool4;

  if (st.icmpError) {
    // The inner packet went from X,x to Y,y.
    const bib = table.find4(st.innerSrc4, st.innerSport);
    if (bib === NO_BIB) return Reason.NoSessionForIcmpError;
    st.bib = bib;
    st.remote4 = st.innerDst4;
    st.session = table.session(bib, st.innerDst4, st.proto === Proto.Icmp ? 0 : st.innerDport);
    return 0;
  }

  st.remote4 = st.src4;
  const sessions = core.sessions;
  let bib = table.find4(st.dst4, st.dport);
  const rport = st.proto === Proto.Icmp ? 0 : st.sport;
  const adf = core.cfg.filtering.addressDependent;

  if (st.proto !== Proto.Tcp) {
    if (bib === NO_BIB) return Reason.NoBibEntry;
    let s = table.session(bib, st.src4, rport);
    if (s === NO_SESSION) {
      if (adf && !table.hasRemote(bib, st.src4)) return Reason.AddressDependentFiltering;
      s = core.newSession(bib, st.src4, rport);
    }
    touchSimple(core, s, st.proto);
    st.bib = bib;
    st.session = s;
    return 0;
  }

  let s = bib !== NO_BIB ? table.session(bib, st.src4, rport) : NO_SESSION;
  if (s !== NO_SESSION && core.idleRst >= 0 && sessions.state(s) !== TcpState.V4Init && core.now - sessions.lastSeen(s) > core.idleRst) {
    // Timed out while idle (AWS): the gateway has forgotten it; go on as if it never existed.
    core.removeSession(s);
    s = NO_SESSION;
    bib = table.find4(st.dst4, st.dport);
  }
  if (s !== NO_SESSION) {
    const t = tcpTransition(sessions.state(s), false, st.tcpFlags, ctx(true, adf, false, sessions.stored(s) !== null));
    if (actionOf(t) === Action.Drop) return Reason.TcpStateDrop;
    sessions.setState(s, nextState(t));
    applyLifetime(core, s, lifetimeOf(t));
    sessions.setLastSeen(s, core.now);
    st.bib = bib;
    st.session = s;
    return 0;
  }
  // CLOSED.
  const syn = (st.tcpFlags & TcpFlag.SYN) !== 0;
  const t = tcpTransition(TcpState.Closed, false, st.tcpFlags, ctx(bib !== NO_BIB, adf, core.cfg.filtering.dropExternallyInitiatedTcp, false));
  const action = actionOf(t);
  if (action === Action.Drop) {
    if (syn) return Reason.ExternallyInitiatedTcp;
    return bib !== NO_BIB ? Reason.AddressDependentFiltering : Reason.NoBibEntry;
  }
  if (action === Action.Store) {
    if (core.storedCount >= core.maxStored) {
      // Too many simultaneous opens pending (Jool: JSTAT_SO_FULL): answer at once.
      core.icmp4ErrorAbout(sink, copyPacket(st.bytes, st.off, st.len), 3, 3, EmitKind.IcmpError, st.n);
      return Reason.SimultaneousOpenExpired;
    }
    if (bib === NO_BIB) {
      // Type 1: no BIB entry. Kept TCP_INCOMING_SYN seconds for a simultaneous-open V6 SYN.
      const key4 = st.dst4 * 65536 + st.dport;
      const rkey = st.src4 * 65536 + rport;
      if (core.syns.find(key4, rkey)) return Reason.TcpStateDrop; // already pending
      const so = new StoredSyn(key4, rkey, copyPacket(st.bytes, st.off, st.len), st.n, core.store);
      core.syns.add(so);
      core.storedCount++;
      core.arm(so, TimerKind.StoredSyn);
      return STOLEN;
    }
    // Type 2: BIB entry, address-dependent filtering.
    s = core.newSession(bib, st.src4, rport);
    sessions.setState(s, TcpState.V4Init);
    sessions.setStored(s, copyPacket(st.bytes, st.off, st.len), st.n);
    core.storedCount++;
    core.armSession(s, TimerKind.TcpIncomingSyn);
    return STOLEN;
  }
  // Translate.
  st.bib = bib;
  if (nextState(t) === TcpState.Closed) return 0; // non-SYN with a BIB entry: no session
  s = core.newSession(bib, st.src4, rport);
  sessions.setState(s, nextState(t));
  applyLifetime(core, s, lifetimeOf(t));
  st.session = s;
  return 0;
}

function copyPacket(b: Uint8Array, off: number, len: number): Uint8Array {
  return b.slice(off, off + len);
}
