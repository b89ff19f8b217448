/**
 * The engine configuration in its parsed, validated form (SPEC §3 is the JSON form). Produced by
 * src/xlat/config.ts (profiles < config file < flags), consumed by the engines. Addresses are
 * bytes / unsigned 32-bit numbers, never strings, so the engines do no parsing.
 */
import type { Prefix6 } from './rfc6052.js';

export type ProfileName = 'rfc' | 'aws' | 'jool' | 'tayga';
export type Protocol = 'tcp' | 'udp' | 'icmp';

/** An IPv4 prefix: address (u32, host bits zero) and length 0..32. */
export interface Prefix4 {
  addr: number;
  len: number;
}

export interface Pool4Entry {
  prefix: Prefix4;
  /** Inclusive port range (ICMP: identifier range). */
  portMin: number;
  portMax: number;
  protocols: Protocol[];
}

export interface StaticBibEntry {
  protocol: Protocol;
  ipv6: Uint8Array;
  port6: number;
  ipv4: number;
  port4: number;
}

export interface EamEntry {
  ipv6: Prefix6Any;
  ipv4: Prefix4;
}

/** An IPv6 prefix of any length (EAM entries are not limited to RFC 6052 lengths). */
export interface Prefix6Any {
  bytes: Uint8Array;
  len: number;
}

export interface EngineConfig {
  profile: ProfileName;
  mode: 'nat64' | 'siit';
  /** RFC 6052 prefix, or null for none (SIIT with EAM only). */
  pool6: Prefix6 | null;
  pool4: Pool4Entry[];
  bib: StaticBibEntry[];
  eam: EamEntry[];
  denylist4: Prefix4[];
  rfc6791: { ipv4: Prefix4 | null; ipv6: Prefix6Any | null };
  translator: { ipv6: Uint8Array | null; ipv4: number | null };
  mtu: { ipv6: number; ipv4: number; lowestIpv6Mtu: number; plateaus: number[] };
  udpZeroChecksum: 'drop' | 'compute';
  trafficClass: { zeroize: boolean; overrideTos: number | null };
  strictWellKnownPrefix: boolean;
  timeouts: { udp: number; tcpEstablished: number; tcpTransitory: number; icmp: number; tcpIncomingSyn: number; fragment: number };
  filtering: { addressDependent: boolean; dropExternallyInitiatedTcp: boolean; dropIcmpv6Info: boolean };
  hairpinning: 'off' | 'simple' | 'intrinsic';
  sourceIcmpv6ErrorsBetter: boolean;
  ipv4Identification: 'zero' | 'sequential' | 'hash';
  dns64: {
    enabled: boolean;
    /** null = [pool6]. */
    prefixes: Prefix6[] | null;
    exclude: Prefix6Any[];
    synthAll: boolean;
    ptr: 'cname' | 'off';
    ttlWithoutSoa: number;
  };
  /**
   * Profile behaviours that SPEC §3 describes but has no key for (AWS NAT gateway): TCP idle
   * timeout answered by RST, fragment policy per protocol, connections per destination.
   */
  policy: {
    /** Seconds of TCP idleness after which a packet is answered with RST (aws: 350), or null. */
    tcpIdleRst: number | null;
    /** Drop fragments of these protocols (aws: tcp, icmp). */
    dropFragments: Protocol[];
    /** Simultaneous connections per (destination address, port, protocol) per pool address (aws: 55000), or null. */
    maxConnectionsPerDestination: number | null;
  };
}
