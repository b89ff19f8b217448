/** Test helpers for the SIIT tests: hand-built EngineConfig, a recording sink, a decoder. */
import type { EngineConfig, Prefix4, EamEntry } from '../../../src/xlat/config-types.js';
import type { XlatSink } from '../../../src/xlat/types.js';
import { parsePrefix6 } from '../../../src/replay/prefixes.js';
import { ip4, ip6 } from '../../../src/wire/builder.js';
import { PacketDecoder } from '../../../src/wire/layer-decoder.js';
import { LinkType } from '../../../src/pcap/linktype.js';
import { ipv4ToString, ipv6ToString } from '../../../src/wire/addr-text.js';

export function u32(text: string): number {
  const b = ip4(text);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function p4(text: string): Prefix4 {
  const [a, l] = text.split('/');
  return { addr: u32(a), len: l === undefined ? 32 : Number(l) };
}

export function eam(v6: string, v4: string): EamEntry {
  const [a, l] = v6.split('/');
  return { ipv6: { bytes: ip6(a), len: l === undefined ? 128 : Number(l) }, ipv4: p4(v4) };
}

/** The `rfc` profile defaults of SPEC §3, SIIT mode, with overrides. */
export function makeConfig(over: Partial<EngineConfig> = {}): EngineConfig {
  const base: EngineConfig = {
    profile: 'rfc',
    mode: 'siit',
    pool6: parsePrefix6('64:ff9b::/96'),
    pool4: [],
    bib: [],
    eam: [],
    denylist4: [],
    rfc6791: { ipv4: null, ipv6: null },
    translator: { ipv6: ip6('2001:db8::1'), ipv4: u32('192.0.2.2') },
    mtu: { ipv6: 1500, ipv4: 1500, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] },
    udpZeroChecksum: 'drop',
    trafficClass: { zeroize: false, overrideTos: null },
    strictWellKnownPrefix: true,
    timeouts: { udp: 300, tcpEstablished: 7440, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 },
    filtering: { addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false },
    hairpinning: 'intrinsic',
    sourceIcmpv6ErrorsBetter: false,
    ipv4Identification: 'zero',
    dns64: { enabled: true, prefixes: null, exclude: [], synthAll: false, ptr: 'cname', ttlWithoutSoa: 600 },
    policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: null },
  };
  return { ...base, ...over };
}

export interface Emitted { bytes: Uint8Array; family: 4 | 6; kind: number; about: number }

export class RecordingSink implements XlatSink {
  emitted: Emitted[] = [];
  drops: Array<{ reason: number; about: number }> = [];
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: number, about: number): void {
    this.emitted.push({ bytes: bytes.slice(off, off + len), family, kind: kind as number, about });
  }
  drop(reason: number, about: number): void {
    this.drops.push({ reason, about });
  }
  clear(): void {
    this.emitted = [];
    this.drops = [];
  }
}

/** Decodes an IP packet; returns the decoder (fields valid until the next call on it). */
export function decodeIp(bytes: Uint8Array): PacketDecoder {
  const d = new PacketDecoder();
  d.decode(bytes, 0, bytes.length, LinkType.RAW);
  return d;
}

export function srcText(d: PacketDecoder): string {
  return d.ipVersion === 4 ? ipv4ToString(d.bytes, d.srcOff) : ipv6ToString(d.bytes, d.srcOff);
}
export function dstText(d: PacketDecoder): string {
  return d.ipVersion === 4 ? ipv4ToString(d.bytes, d.dstOff) : ipv6ToString(d.bytes, d.dstOff);
}

export const GOOD = 1; // Verdict.Good

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}
