/**
 * What the stateful NAT64 needs of the RFC 7915 header translator (src/xlat/siit/
 * header-translator.ts implements it): translate a packet given the outgoing tuple(s) that
 * RFC 6146 §3.6 computed. Kept as an interface so tests can observe the tuples.
 */
import type { EmitKind, XlatSink } from '../types.js';

/** Ports, or the ICMP identifier in sport and dport; -1 = keep. */
export interface Tuple4 { src: number; dst: number; sport: number; dport: number }
export interface Tuple6 { src: Uint8Array; dst: Uint8Array; sport: number; dport: number }

export interface Translator {
  /** Largest ICMPv4 error made from an ICMPv6 error (576; reconstruction lifts it). */
  translatedErrorMax4: number;
  /** IPv6 -> IPv4. 0 = emitted, else a reason (any ICMP error already emitted). */
  to4(bytes: Uint8Array, off: number, len: number, outer: Tuple4, inner: Tuple4 | null, n: number, sink: XlatSink, kind?: EmitKind): number;
  /** IPv4 -> IPv6. */
  to6(bytes: Uint8Array, off: number, len: number, outer: Tuple6, inner: Tuple6 | null, n: number, sink: XlatSink, kind?: EmitKind): number;
}
