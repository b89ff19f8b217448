/**
 * The per-pipeline translation state (Jool's `struct xlation`): one object, reset per packet, that
 * the steps read and fill. Fixed shape; no allocation per packet.
 */
import type { Tuple4, Tuple6 } from './translator.js';
import { tuple4 } from '../siit/header-translator.js';

export class PacketState {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  len = 0;
  n = -1;
  family: 4 | 6 = 6;
  /** Proto index (0 TCP, 1 UDP, 2 ICMP), or -1. */
  proto = -1;
  /** IPv6 source / destination offsets in bytes. */
  src6Off = 0;
  dst6Off = 0;
  /** IPv4 source / destination. */
  src4 = 0;
  dst4 = 0;
  /** Transport ports; ICMP query: the identifier in both. -1 = none (non-first fragment). */
  sport = -1;
  dport = -1;
  tcpFlags = 0;
  tcpSeq = 0;
  tcpAck = 0;
  /** Segment length for RST acknowledgment (payload + SYN + FIN). */
  tcpSegLen = 0;
  icmpType = -1;
  icmpInfo = false;
  icmpError = false;
  /** The packet inside an ICMP error: offsets (IPv6) or addresses (IPv4) and ports (not reversed). */
  innerSrc6Off = 0;
  innerDst6Off = 0;
  innerSrc4 = 0;
  innerDst4 = 0;
  innerSport = -1;
  innerDport = -1;
  /** Fragment: any fragment; carries the transport header; id and protocol number. */
  fragment = false;
  firstFragment = false;
  fragId = 0;
  ipProto = 0;
  /** Filled by filtering-and-updating: the BIB entry (bib.ts; -1 none) and session (session-table.ts; -1 none). */
  bib = -1;
  session = -1;
  /** Remote IPv4 address (Y) of the flow. */
  remote4 = 0;
  /** Second pass of a hairpinned packet (RFC 6146 §3.8). */
  hairpin = false;
  /** Filled by compute-outgoing-tuple. */
  readonly out4: Tuple4 = tuple4();
  readonly in4: Tuple4 = tuple4();
  readonly out6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  readonly in6: Tuple6 = { src: new Uint8Array(16), dst: new Uint8Array(16), sport: -1, dport: -1 };
  hasInner = false;

  reset(bytes: Uint8Array, off: number, len: number, n: number, family: 4 | 6): void {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.n = n;
    this.family = family;
    this.proto = -1;
    this.src6Off = this.dst6Off = 0;
    this.src4 = this.dst4 = 0;
    this.sport = this.dport = -1;
    this.tcpFlags = this.tcpSeq = this.tcpAck = this.tcpSegLen = 0;
    this.icmpType = -1;
    this.icmpInfo = false;
    this.icmpError = false;
    this.innerSrc6Off = this.innerDst6Off = 0;
    this.innerSrc4 = this.innerDst4 = 0;
    this.innerSport = this.innerDport = -1;
    this.fragment = false;
    this.firstFragment = false;
    this.fragId = 0;
    this.ipProto = 0;
    this.bib = -1;
    this.session = -1;
    this.remote4 = 0;
    this.hairpin = false;
    this.hasInner = false;
  }
}
