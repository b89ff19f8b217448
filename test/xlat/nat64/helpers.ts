import type { EngineConfig } from '../../../src/xlat/config-types.js';
import { EmitKind, type XlatSink } from '../../../src/xlat/types.js';
import { WKP } from '../../../src/xlat/rfc6052.js';
import { PacketDecoder } from '../../../src/wire/layer-decoder.js';
import { LinkType } from '../../../src/pcap/linktype.js';
import { ip4, ip6 } from '../../../src/wire/builder.js';
import { ipv4ToString, ipv6ToString } from '../../../src/wire/addr-text.js';

export function u32(text: string): number {
  const b = ip4(text);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

export function config(over: Partial<EngineConfig> = {}): EngineConfig {
  return {
    profile: 'rfc', mode: 'nat64', pool6: WKP,
    pool4: [{ prefix: { addr: u32('192.0.2.1'), len: 32 }, portMin: 1, portMax: 65535, protocols: ['tcp', 'udp', 'icmp'] }],
    bib: [], eam: [], denylist4: [], rfc6791: { ipv4: null, ipv6: null },
    translator: { ipv6: null, ipv4: null },
    mtu: { ipv6: 1500, ipv4: 1500, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] },
    udpZeroChecksum: 'drop', trafficClass: { zeroize: false, overrideTos: null }, strictWellKnownPrefix: false,
    timeouts: { udp: 300, tcpEstablished: 7440, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 },
    filtering: { addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false },
    hairpinning: 'intrinsic', sourceIcmpv6ErrorsBetter: false, ipv4Identification: 'zero',
    dns64: { enabled: false, prefixes: null, exclude: [], synthAll: false, ptr: 'off', ttlWithoutSoa: 600 },
    policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: null },
    ...over,
  };
}

export interface Emitted { bytes: Uint8Array; family: 4 | 6; kind: EmitKind; about: number }

export class Collect implements XlatSink {
  emitted: Emitted[] = [];
  drops: [number, number][] = [];
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.emitted.push({ bytes: bytes.slice(off, off + len), family, kind, about });
  }
  drop(reason: number, about: number): void {
    this.drops.push([reason, about]);
  }
  clear(): void {
    this.emitted = [];
    this.drops = [];
  }
}

/** Decoded summary of an emitted packet; throws unless every checksum is good. */
export function decode(e: Emitted, checksums = true) {
  const d = new PacketDecoder();
  d.decode(e.bytes, 0, e.bytes.length, LinkType.RAW);
  const src = d.ipVersion === 4 ? ipv4ToString(e.bytes, d.srcOff) : ipv6ToString(e.bytes, d.srcOff);
  const dst = d.ipVersion === 4 ? ipv4ToString(e.bytes, d.dstOff) : ipv6ToString(e.bytes, d.dstOff);
  if (checksums) {
    if (d.ipVersion === 4 && d.ipChecksum !== 1) throw new Error('bad IPv4 header checksum');
    if (!d.isFragment && d.l4Checksum !== 1) throw new Error(`bad L4 checksum (${d.l4Checksum})`);
  }
  return {
    v: d.ipVersion, src, dst, proto: d.proto, sport: d.sport, dport: d.dport, flags: d.tcpFlags,
    icmpType: d.icmpType, icmpCode: d.icmpCode, innerProto: d.innerProto, innerSport: d.innerSport, innerDport: d.innerDport,
    innerSrc: d.innerVersion === 4 ? ipv4ToString(e.bytes, d.innerSrcOff) : d.innerVersion === 6 ? ipv6ToString(e.bytes, d.innerSrcOff) : '',
    innerDst: d.innerVersion === 4 ? ipv4ToString(e.bytes, d.innerDstOff) : d.innerVersion === 6 ? ipv6ToString(e.bytes, d.innerDstOff) : '',
    fragment: d.isFragment, fragOffset: d.fragOffset, len: e.bytes.length,
  };
}

export const at = (sec: number, nsec = 0) => ({ sec, nsec });
export { ip6, ip4 };
