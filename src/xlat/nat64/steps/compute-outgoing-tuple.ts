/**
 * RFC 6146 §3.6 Computation of the Outgoing Tuple: from the BIB entry and the remote end.
 *
 * IPv6 -> IPv4: source (X,x) from the BIB entry, destination (Y,y) from the IPv6 destination
 * (RFC 6052). ICMP errors: outer source X, destination Y; the inner tuple is the reversed one
 * (inner source Y,y, destination X,x) — §3.6.3.
 * IPv4 -> IPv6: source pool6(Y),y, destination (X',x') from the BIB entry. ICMP errors: outer
 * source pool6(outer IPv4 source), destination X'; inner source X',x', destination pool6(Y),y.
 * ICMP query: the identifier in both ports. Non-first fragments carry no ports (-1 = keep).
 */
import { embedIpv4, extractIpv4 } from '../../rfc6052.js';
import { Proto } from '../pool4.js';
import type { Nat64Core } from '../core.js';

export function computeOutgoingTuple4(core: Nat64Core): void {
  const st = core.st;
  const x = core.entries;
  const e = st.bib;
  const addr4 = x.addr4Of(e);
  const port4 = x.port4[e];
  const o = st.out4;
  o.src = addr4;
  o.dst = st.remote4;
  if (st.icmpError) {
    o.dst = core.cfg.pool6 ? extractOuterDst(core) : st.remote4;
    o.sport = o.dport = -1;
    const i = st.in4;
    i.src = st.remote4;
    i.dst = addr4;
    i.sport = st.proto === Proto.Icmp ? port4 : st.innerSport;
    i.dport = port4;
    return;
  }
  if (st.fragment && !st.firstFragment) {
    o.sport = o.dport = -1;
  } else if (st.proto === Proto.Icmp) {
    o.sport = o.dport = port4;
  } else {
    o.sport = port4;
    o.dport = st.dport;
  }
}

/** The error goes to the remote end the outer IPv6 destination embeds (normally Y). */
function extractOuterDst(core: Nat64Core): number {
  return extractIpv4(core.st.bytes, core.st.dst6Off, core.cfg.pool6!.len);
}

export function computeOutgoingTuple6(core: Nat64Core): void {
  const st = core.st;
  const x = core.entries;
  const e = st.bib;
  const addr6 = x.addr6[e];
  const port6 = x.port6[e];
  const pool6 = core.cfg.pool6!;
  const o = st.out6;
  core.intern.copyTo(addr6, o.dst, 0);
  if (st.icmpError) {
    embedIpv4(o.src, 0, pool6, st.src4);
    o.sport = o.dport = -1;
    const i = st.in6;
    core.intern.copyTo(addr6, i.src, 0);
    embedIpv4(i.dst, 0, pool6, st.remote4);
    i.sport = port6;
    i.dport = st.proto === Proto.Icmp ? port6 : st.innerDport;
    return;
  }
  embedIpv4(o.src, 0, pool6, st.remote4);
  if (st.fragment && !st.firstFragment) {
    o.sport = o.dport = -1;
  } else if (st.proto === Proto.Icmp) {
    o.sport = o.dport = port6;
  } else {
    o.sport = st.sport;
    o.dport = port6;
  }
}
