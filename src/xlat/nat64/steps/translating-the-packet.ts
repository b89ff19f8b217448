/**
 * RFC 6146 §3.7 Translating the Packet: RFC 7915 header translation (the HeaderTranslator),
 * with the addresses and ports of the outgoing tuple (and the inner tuple of an ICMP error).
 */
import type { EmitKind, XlatSink } from '../../types.js';
import type { Nat64Core } from '../core.js';

/** IPv6 -> IPv4; 0 or a drop reason (the translator emitted any ICMP error itself). */
export function translatingThePacket4(core: Nat64Core, sink: XlatSink, kind: EmitKind): number {
  const st = core.st;
  return core.translator.to4(st.bytes, st.off, st.len, st.out4, st.hasInner ? st.in4 : null, st.n, sink, kind);
}

/** IPv4 -> IPv6. */
export function translatingThePacket6(core: Nat64Core, sink: XlatSink, kind: EmitKind): number {
  const st = core.st;
  return core.translator.to6(st.bytes, st.off, st.len, st.out6, st.hasInner ? st.in6 : null, st.n, sink, kind);
}
