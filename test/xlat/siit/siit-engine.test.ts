/**
 * SIIT engine end to end (RFC 7915 with RFC 7757 and RFC 6791): packets built with the project's
 * builder go through SiitEngine.process(); every emitted packet is decoded with PacketDecoder and
 * its checksums must be `good`.
 */
import { describe, it, expect } from 'vitest';
import { SiitEngine } from '../../../src/xlat/siit/siit-engine.js';
import { EmitKind } from '../../../src/xlat/types.js';
import { Reason } from '../../../src/diag/reasons.js';
import { buildIp, ip6, type PacketSpec } from '../../../src/wire/builder.js';
import { L4 } from '../../../src/wire/layer-decoder.js';
import { sum, fold, pseudo6, pseudo4 } from '../../../src/wire/checksum.js';
import { parsePrefix6 } from '../../../src/replay/prefixes.js';
import { IPV4_SPECIAL_PURPOSE, IPV4_MULTICAST } from '../../../src/xlat/special-purpose.js';
import { ipv4ToString } from '../../../src/wire/addr-text.js';
import { makeConfig, RecordingSink, decodeIp, srcText, dstText, GOOD, eam, p4, u32 } from './helpers.js';
import type { EngineConfig } from '../../../src/xlat/config-types.js';

const NOW = { sec: 0, nsec: 0 };
// The IPv6 client is mapped by EAM; the IPv4 server by pool6 (64:ff9b::/96).
const A6 = '2001:db8:6::5';
const A4 = '192.0.2.5';
const B4 = '8.8.8.8';
const B6 = '64:ff9b::808:808';
const EAM = [eam('2001:db8:6::/120', '192.0.2.0/24')];

function engine(over: Partial<EngineConfig> = {}): { e: SiitEngine; s: RecordingSink; cfg: EngineConfig } {
  const cfg = makeConfig({ eam: EAM, ...over });
  return { e: new SiitEngine(cfg), s: new RecordingSink(), cfg };
}

function run(over: Partial<EngineConfig>, spec: PacketSpec | Uint8Array): RecordingSink {
  const { e, s } = engine(over);
  const b = spec instanceof Uint8Array ? spec : buildIp(spec);
  e.process(b, 0, b.length, NOW, 7, s);
  return s;
}

/** Decodes and checks the IP header checksum (IPv4) and the transport checksum are good. */
function goodPacket(b: Uint8Array) {
  const d = decodeIp(b);
  expect(d.problemCount, `problems ${Array.from(d.problems.slice(0, d.problemCount))}`).toBe(0);
  if (d.ipVersion === 4) expect(d.ipChecksum).toBe(GOOD);
  if (!d.isFragment) expect(d.l4Checksum).toBe(GOOD);
  return d;
}

/** Verifies the transport checksum of the (complete) packet inside an ICMP error. */
function innerChecksumGood(b: Uint8Array, innerOff: number): boolean {
  const v = b[innerOff] >> 4;
  if (v === 4) {
    const ihl = (b[innerOff] & 15) * 4;
    const tl = (b[innerOff + 2] << 8) | b[innerOff + 3];
    const proto = b[innerOff + 9];
    const l4len = tl - ihl;
    const ph = proto === 1 ? 0 : pseudo4(b, innerOff + 12, innerOff + 16, proto, l4len);
    return fold(sum(b, innerOff + ihl, l4len, ph)) === 0xffff;
  }
  const pl = (b[innerOff + 4] << 8) | b[innerOff + 5];
  const nh = b[innerOff + 6];
  return fold(sum(b, innerOff + 40, pl, pseudo6(b, innerOff + 8, innerOff + 24, nh, pl))) === 0xffff;
}

const payload = (n: number, seed = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);

describe('IPv6 -> IPv4 header fields (RFC 7915 §5.1)', () => {
  it('TCP: addresses, TTL-1, TOS from traffic class, DF=0, ident 0, ports, checksums', () => {
    const s = run({}, { ip: { v: 6, src: A6, dst: B6, hopLimit: 64, trafficClass: 0xb8, flowLabel: 0x12345 }, l4: { tcp: { srcPort: 40000, dstPort: 443, flags: 0x02, seq: 1000, mss: 1440 } }, payload: 'hello' });
    expect(s.drops).toEqual([]);
    expect(s.emitted).toHaveLength(1);
    const { bytes, family, kind, about } = s.emitted[0];
    expect([family, kind, about]).toEqual([4, EmitKind.Translated, 7]);
    const d = goodPacket(bytes);
    expect([srcText(d), dstText(d)]).toEqual([A4, B4]);
    expect(d.ttl).toBe(63);
    expect(bytes[1]).toBe(0xb8);
    expect(bytes[0]).toBe(0x45);
    expect((bytes[6] << 8) | bytes[7]).toBe(0); // DF=0 (<= 1260), MF=0, offset 0
    expect((bytes[4] << 8) | bytes[5]).toBe(0); // ipv4Identification: zero
    expect(d.proto).toBe(6);
    expect([d.sport, d.dport, d.tcpFlags]).toEqual([40000, 443, 0x02]);
    expect(d.tcp.mss).toBe(1440);
    expect(bytes.length).toBe(20 + 24 + 5);
  });

  it('UDP and ICMPv6 echo (type 128 -> 8, checksum without pseudo-header, id kept)', () => {
    let s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 5353, dport: 53 } }, payload: payload(100) });
    let d = goodPacket(s.emitted[0].bytes);
    expect([d.proto, d.sport, d.dport, d.l4Len]).toEqual([17, 5353, 53, 108]);
    s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { icmp6: { type: 128, code: 0, rest: 0x12340007 } }, payload: payload(56) });
    d = goodPacket(s.emitted[0].bytes);
    expect([d.proto, d.icmpType, d.icmpCode, d.sport]).toEqual([1, 8, 0, 0x1234]);
    s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { icmp6: { type: 129, code: 0, rest: 0x12340007 } } });
    d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode]).toEqual([0, 0]);
  });

  it('overrideTos replaces the traffic class', () => {
    const s = run({ trafficClass: { zeroize: false, overrideTos: 0x10 } }, { ip: { v: 6, src: A6, dst: B6, trafficClass: 0xb8 }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(s.emitted[0].bytes[1]).toBe(0x10);
  });

  it('extension headers are skipped (hop-by-hop, destination options, routing with segments left 0)', () => {
    const s = run({}, { ip: { v: 6, src: A6, dst: B6, ext: [{ type: 'hbh' }, { type: 'routing', segmentsLeft: 0 }, { type: 'dst', len: 16 }] }, l4: { tcp: { srcPort: 1, dstPort: 80, flags: 0x10 } }, payload: 'x' });
    const d = goodPacket(s.emitted[0].bytes);
    expect(d.proto).toBe(6);
    expect(s.emitted[0].bytes.length).toBe(20 + 20 + 1);
  });

  it('DF is 0 exactly when the IPv4 packet is <= 1260 bytes (§5.1)', () => {
    for (const [size, df] of [[1260, 0], [1261, 1]] as const) {
      const s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 1, dport: 2 } }, payload: payload(size - 28) });
      const b = s.emitted[0].bytes;
      expect(b.length).toBe(size);
      expect((b[6] >> 6) & 1).toBe(df);
    }
  });

  it('ipv4Identification: sequential counts, hash is deterministic', () => {
    const spec: PacketSpec = { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abc' };
    const { e, s } = engine({ ipv4Identification: 'sequential' });
    const b = buildIp(spec);
    e.process(b, 0, b.length, NOW, 1, s);
    e.process(b, 0, b.length, NOW, 2, s);
    expect(s.emitted.map((x) => (x.bytes[4] << 8) | x.bytes[5])).toEqual([1, 2]);
    const h1 = run({ ipv4Identification: 'hash' }, spec).emitted[0].bytes;
    const h2 = run({ ipv4Identification: 'hash' }, spec).emitted[0].bytes;
    expect((h1[4] << 8) | h1[5]).toBe((h2[4] << 8) | h2[5]);
    goodPacket(h1);
  });

  it('other protocols: payload untouched, protocol copied', () => {
    const s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { proto: 47 }, payload: payload(30) });
    const b = s.emitted[0].bytes;
    expect(b[9]).toBe(47);
    expect(Array.from(b.subarray(20))).toEqual(Array.from(payload(30)));
  });
});

describe('IPv4 -> IPv6 header fields (RFC 7915 §4.1)', () => {
  it('TCP: traffic class from TOS, flow label 0, hop limit TTL-1, no fragment header when DF=0 and it fits', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, ttl: 50, tos: 0x28, id: 0x4242, df: false }, l4: { tcp: { srcPort: 443, dstPort: 40000, flags: 0x12, seq: 5, ack: 1001 } }, payload: 'world' });
    expect(s.drops).toEqual([]);
    const b = s.emitted[0].bytes;
    const d = goodPacket(b);
    expect([srcText(d), dstText(d)]).toEqual([B6, A6]);
    expect(d.ttl).toBe(49);
    expect(d.ip6.trafficClass()).toBe(0x28);
    expect(d.ip6.flowLabel()).toBe(0);
    expect(d.isFragment).toBe(false);
    expect([d.proto, d.sport, d.dport, d.tcpFlags]).toEqual([6, 443, 40000, 0x12]);
  });

  it('zeroize sets the traffic class to 0', () => {
    const s = run({ trafficClass: { zeroize: true, overrideTos: null } }, { ip: { v: 4, src: B4, dst: A4, tos: 0x28 }, l4: { udp: { sport: 53, dport: 5353 } } });
    expect(decodeIp(s.emitted[0].bytes).ip6.trafficClass()).toBe(0);
  });

  it('UDP and ICMP echo (8 -> 128 with the ICMPv6 pseudo-header)', () => {
    let s = run({}, { ip: { v: 4, src: B4, dst: A4 }, l4: { udp: { sport: 53, dport: 5353 } }, payload: payload(33) });
    let d = goodPacket(s.emitted[0].bytes);
    expect([d.proto, d.sport, d.dport]).toEqual([17, 53, 5353]);
    s = run({}, { ip: { v: 4, src: B4, dst: A4 }, l4: { icmp4: { type: 8, code: 0, rest: 0xbeef0001 } }, payload: payload(48) });
    d = goodPacket(s.emitted[0].bytes);
    expect([d.proto, d.icmpType, d.icmpCode, d.sport]).toEqual([58, 128, 0, 0xbeef]);
    s = run({}, { ip: { v: 4, src: B4, dst: A4 }, l4: { icmp4: { type: 0, code: 0, rest: 0xbeef0001 } } });
    d = goodPacket(s.emitted[0].bytes);
    expect(d.icmpType).toBe(129);
  });

  it('IPv4 options are ignored (record route)', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, options: [7, 7, 4, 0, 0, 0, 0] }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'x' });
    const d = goodPacket(s.emitted[0].bytes);
    expect(d.l4Len).toBe(9);
  });

  it('UDP checksum 0: drop by default, computed with udpZeroChecksum=compute, dropped when fragmented', () => {
    const spec: PacketSpec = { ip: { v: 4, src: B4, dst: A4 }, l4: { udp: { sport: 53, dport: 5353 } }, payload: payload(20), l4Checksum: 'zero' };
    expect(run({}, spec).drops).toEqual([{ reason: Reason.UdpZeroChecksum, about: 7 }]);
    const s = run({ udpZeroChecksum: 'compute' }, spec);
    goodPacket(s.emitted[0].bytes);
    const frag: PacketSpec = { ip: { v: 4, src: B4, dst: A4, mf: true, id: 9 }, l4: { udp: { sport: 53, dport: 5353, length: 200 } }, payload: payload(16), l4Checksum: 'zero' };
    expect(run({ udpZeroChecksum: 'compute' }, frag).drops).toEqual([{ reason: Reason.UdpZeroChecksumFragment, about: 7 }]);
  });
});

describe('router duties', () => {
  it('hop limit 1: dropped, ICMPv6 Time Exceeded 3/0 from translator.ipv6 quoting the packet', () => {
    const inp = buildIp({ ip: { v: 6, src: A6, dst: B6, hopLimit: 1 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abc' });
    const s = run({}, inp);
    expect(s.drops).toEqual([{ reason: Reason.HopLimitExpired, about: 7 }]);
    expect(s.emitted).toHaveLength(1);
    const { bytes, family, kind } = s.emitted[0];
    expect([family, kind]).toEqual([6, EmitKind.IcmpError]);
    const d = goodPacket(bytes);
    expect([srcText(d), dstText(d), d.icmpType, d.icmpCode]).toEqual(['2001:db8::1', A6, 3, 0]);
    expect(Array.from(bytes.subarray(48))).toEqual(Array.from(inp));
  });

  it('TTL 1: dropped, ICMPv4 Time Exceeded 11/0 from translator.ipv4', () => {
    const inp = buildIp({ ip: { v: 4, src: B4, dst: A4, ttl: 1 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abc' });
    const s = run({}, inp);
    expect(s.drops).toEqual([{ reason: Reason.TtlExpired, about: 7 }]);
    const d = goodPacket(s.emitted[0].bytes);
    expect([srcText(d), dstText(d), d.icmpType, d.icmpCode, s.emitted[0].family]).toEqual(['192.0.2.2', B4, 11, 0, 4]);
    expect(Array.from(s.emitted[0].bytes.subarray(28))).toEqual(Array.from(inp));
  });

  it('TTL 0 on an ICMP error: dropped without an error about the error', () => {
    const inner = buildIp({ ip: { v: 4, src: A4, dst: B4 }, l4: { udp: { sport: 1, dport: 2 } } });
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, ttl: 1 }, l4: { icmp4: { type: 3, code: 3 } }, payload: inner });
    expect(s.drops).toEqual([{ reason: Reason.TtlExpired, about: 7 }]);
    expect(s.emitted).toEqual([]);
  });

  it('no translator address: RFC 6791 pool, then nothing', () => {
    const inp = buildIp({ ip: { v: 4, src: B4, dst: A4, ttl: 1 }, l4: { udp: { sport: 1, dport: 2 } } });
    let s = run({ translator: { ipv4: null, ipv6: null }, rfc6791: { ipv4: p4('203.0.113.8/32'), ipv6: null } }, inp);
    expect(srcText(decodeIp(s.emitted[0].bytes))).toBe('203.0.113.8');
    s = run({ translator: { ipv4: null, ipv6: null } }, inp);
    expect(s.emitted).toEqual([]);
    expect(s.drops[0].reason).toBe(Reason.TtlExpired);
    const i6 = buildIp({ ip: { v: 6, src: A6, dst: B6, hopLimit: 1 }, l4: { udp: { sport: 1, dport: 2 } } });
    s = run({ translator: { ipv4: u32('192.0.2.2'), ipv6: null } }, i6);
    expect(srcText(decodeIp(s.emitted[0].bytes))).toBe('64:ff9b::c000:202');
  });

  it('routing header with segments left != 0: ICMPv6 Parameter Problem 4/0 pointing at Segments Left', () => {
    const s = run({}, { ip: { v: 6, src: A6, dst: B6, ext: [{ type: 'hbh' }, { type: 'routing', segmentsLeft: 1, addresses: [B6] }] }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(s.drops).toEqual([{ reason: Reason.RoutingHeaderSegmentsLeft, about: 7 }]);
    const b = s.emitted[0].bytes;
    const d = goodPacket(b);
    expect([d.icmpType, d.icmpCode, d.icmp6.pointer()]).toEqual([4, 0, 40 + 8 + 3]);
  });

  it('unexpired source route: ICMPv4 3/5; expired one is ignored', () => {
    // LSRR, length 7, pointer 4 (one address left).
    let s = run({}, { ip: { v: 4, src: B4, dst: A4, options: [131, 7, 4, 1, 2, 3, 4] }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(s.drops).toEqual([{ reason: Reason.SourceRoute, about: 7 }]);
    const d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode]).toEqual([3, 5]);
    s = run({}, { ip: { v: 4, src: B4, dst: A4, options: [131, 7, 8, 1, 2, 3, 4] }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(s.drops).toEqual([]);
    goodPacket(s.emitted[0].bytes);
  });

  it('IPv6 -> IPv4 over mtu.ipv4: Packet Too Big with MTU mtu.ipv4 + 20 (never below 1280)', () => {
    const spec: PacketSpec = { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 1, dport: 2 } }, payload: payload(1600) };
    let s = run({}, spec);
    expect(s.drops).toEqual([{ reason: Reason.PacketTooBig, about: 7 }]);
    let d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmp6.mtu()]).toEqual([2, 1520]);
    expect(s.emitted[0].bytes.length).toBe(1280);
    s = run({ mtu: { ipv6: 1500, ipv4: 1000, lowestIpv6Mtu: 1280, plateaus: [] } }, spec);
    d = goodPacket(s.emitted[0].bytes);
    expect(d.icmp6.mtu()).toBe(1280);
  });

  it('IPv4 DF=1 over mtu.ipv6: Fragmentation Needed with MTU mtu.ipv6 - 20', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, df: true }, l4: { udp: { sport: 1, dport: 2 } }, payload: payload(1460 + 8) });
    expect(s.drops).toEqual([{ reason: Reason.FragmentationNeeded, about: 7 }]);
    const b = s.emitted[0].bytes;
    const d = goodPacket(b);
    expect([d.icmpType, d.icmpCode, d.icmp4.mtu()]).toEqual([3, 4, 1480]);
    expect(b.length).toBe(576);
    // Exactly mtu.ipv6 after translation passes (DF=1 packets are not fragmented).
    const ok = run({}, { ip: { v: 4, src: B4, dst: A4, df: true }, l4: { udp: { sport: 1, dport: 2 } }, payload: payload(1460 - 8) });
    expect(ok.emitted[0].bytes.length).toBe(1500);
    goodPacket(ok.emitted[0].bytes);
  });
});

describe('fragments', () => {
  it('IPv4 DF=0 larger than 1280 after translation is fragmented; reassembly gives the datagram back', () => {
    const pl = payload(3000);
    const inp = buildIp({ ip: { v: 4, src: B4, dst: A4, id: 0x1234, df: false }, l4: { udp: { sport: 53, dport: 5353 } }, payload: pl });
    const s = run({}, inp);
    expect(s.drops).toEqual([]);
    expect(s.emitted.length).toBe(3);
    const data: number[] = [];
    let expectOff = 0;
    s.emitted.forEach((x, i) => {
      expect(x.bytes.length).toBeLessThanOrEqual(1280);
      const d = decodeIp(x.bytes);
      expect(d.isFragment).toBe(true);
      expect(d.fragId).toBe(0x1234);
      expect(d.fragOffset).toBe(expectOff);
      expect(d.fragMore).toBe(i < s.emitted.length - 1);
      expect(d.ttl).toBe(63);
      const chunk = x.bytes.subarray(48);
      if (i < s.emitted.length - 1) expect(chunk.length % 8).toBe(0);
      data.push(...chunk);
      expectOff += chunk.length;
    });
    expect(data.length).toBe(3008);
    // The reassembled UDP datagram has a good checksum over the IPv6 pseudo-header.
    const first = s.emitted[0].bytes;
    const whole = Uint8Array.from([...first.subarray(0, 40), ...data]);
    expect(fold(sum(whole, 40, 3008, pseudo6(whole, 8, 24, 17, 3008)))).toBe(0xffff);
    expect(Array.from(whole.subarray(48))).toEqual(Array.from(pl));
  });

  it('IPv4 fragment <-> IPv6 Fragment Header (identification, offset, M)', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, id: 0xabcd, mf: true, fragOffset: 0 }, l4: { udp: { sport: 53, dport: 5353, length: 1000 } }, payload: payload(100) });
    const d = decodeIp(s.emitted[0].bytes);
    expect([d.isFragment, d.fragId, d.fragOffset, d.fragMore, d.proto]).toEqual([true, 0xabcd, 0, true, 17]);
    const s2 = run({}, { ip: { v: 4, src: B4, dst: A4, id: 0xabcd, fragOffset: 1000 }, l4: { proto: 17 }, payload: payload(64) });
    const d2 = decodeIp(s2.emitted[0].bytes);
    expect([d2.fragId, d2.fragOffset, d2.fragMore]).toEqual([0xabcd, 1000, false]);
    expect(s2.emitted[0].bytes.length).toBe(48 + 64);
  });

  it('IPv6 Fragment Header -> IPv4 fragment (low 16 bits of the identification, DF=0)', () => {
    const s = run({}, { ip: { v: 6, src: A6, dst: B6, ext: [{ type: 'frag', offset: 0, more: true, id: 0x1234abcd }] }, l4: { udp: { sport: 1, dport: 2, length: 3000 } }, payload: payload(1000) });
    const b = s.emitted[0].bytes;
    const d = decodeIp(b);
    expect(d.ipChecksum).toBe(GOOD);
    expect([d.fragId, d.fragOffset, d.fragMore, d.proto]).toEqual([0xabcd, 0, true, 17]);
    expect((b[6] >> 6) & 1).toBe(0);
    expect(b.length).toBe(20 + 8 + 1000);
    const s2 = run({}, { ip: { v: 6, src: A6, dst: B6, ext: [{ type: 'frag', offset: 1008, more: false, id: 7 }] }, l4: { proto: 17 }, payload: payload(16) });
    const d2 = decodeIp(s2.emitted[0].bytes);
    expect([d2.fragId, d2.fragOffset, d2.fragMore, d2.proto]).toEqual([7, 1008, false, 17]);
  });

  it('no atomic fragments (RFC 8021): a small DF=0 packet gets no Fragment Header', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, df: false }, l4: { udp: { sport: 1, dport: 2 } }, payload: payload(1000) });
    expect(decodeIp(s.emitted[0].bytes).isFragment).toBe(false);
  });

  it('the first fragment of an ICMP message is dropped', () => {
    const s = run({}, { ip: { v: 4, src: B4, dst: A4, mf: true }, l4: { icmp4: { type: 8, code: 0 } }, payload: payload(64) });
    expect(s.drops).toEqual([{ reason: Reason.IcmpFragment, about: 7 }]);
  });
});

describe('ICMP errors in transit (§4.2-4.3, §5.2-5.3)', () => {
  /** The ICMPv4 error a router (8.8.4.4) sends to A4 about A4 -> B4 UDP. */
  function err4(type: number, code: number, rest: number, innerPayload = payload(20), ttl = 60): Uint8Array {
    const inner = buildIp({ ip: { v: 4, src: A4, dst: B4, ttl: 40, id: 77 }, l4: { udp: { sport: 5000, dport: 53 } }, payload: innerPayload });
    return buildIp({ ip: { v: 4, src: '8.8.4.4', dst: A4, ttl }, l4: { icmp4: { type, code, rest } }, payload: inner });
  }
  /** The ICMPv6 error a router (2001:db8:6::fe) sends to B6 about B6 -> A6 UDP. */
  function err6(type: number, code: number, rest: number, innerPayload = payload(20)): Uint8Array {
    const inner = buildIp({ ip: { v: 6, src: B6, dst: A6, hopLimit: 40 }, l4: { udp: { sport: 53, dport: 5000 } }, payload: innerPayload });
    return buildIp({ ip: { v: 6, src: '2001:db8:6::fe', dst: B6 }, l4: { icmp6: { type, code, rest } }, payload: inner });
  }

  it('ICMPv4 port unreachable -> ICMPv6 1/4 with the inner packet translated (TTL kept, checksum good)', () => {
    const s = run({}, err4(3, 3, 0));
    expect(s.drops).toEqual([]);
    const b = s.emitted[0].bytes;
    const d = goodPacket(b);
    expect([srcText(d), dstText(d), d.icmpType, d.icmpCode]).toEqual(['64:ff9b::808:404', A6, 1, 4]);
    expect(d.innerVersion).toBe(6);
    expect([d.innerProto, d.innerSport, d.innerDport]).toEqual([17, 5000, 53]);
    const inner = decodeIp(b.subarray(48));
    expect([srcText(inner), dstText(inner), inner.ttl]).toEqual([A6, B6, 40]);
    expect(innerChecksumGood(b, 48)).toBe(true);
    expect(b.length).toBe(48 + 40 + 28);
  });

  it('ICMPv6 port unreachable -> ICMPv4 3/3 with the inner packet translated (checksum good)', () => {
    const s = run({}, err6(1, 4, 0));
    expect(s.drops).toEqual([]);
    const b = s.emitted[0].bytes;
    const d = goodPacket(b);
    expect([srcText(d), dstText(d), d.icmpType, d.icmpCode]).toEqual(['192.0.2.254', B4, 3, 3]);
    const inner = decodeIp(b.subarray(28));
    expect([srcText(inner), dstText(inner), inner.ttl]).toEqual([B4, A4, 40]);
    expect(innerChecksumGood(b, 28)).toBe(true);
  });

  it('inner ICMP echo is translated too (type and checksum)', () => {
    const inner = buildIp({ ip: { v: 4, src: A4, dst: B4 }, l4: { icmp4: { type: 8, code: 0, rest: 0x00010002 } }, payload: payload(8) });
    const s = run({}, buildIp({ ip: { v: 4, src: '8.8.4.4', dst: A4 }, l4: { icmp4: { type: 11, code: 0 } }, payload: inner }));
    const b = s.emitted[0].bytes;
    goodPacket(b);
    expect(b[48 + 40]).toBe(128);
    expect(innerChecksumGood(b, 48)).toBe(true);
  });

  it('Parameter Problem pointers are translated (Figure 3 / Figure 6)', () => {
    let s = run({}, err4(12, 0, 9 << 24));
    let d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode, d.icmp6.pointer()]).toEqual([4, 0, 6]);
    s = run({}, err6(4, 0, 7));
    d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode, d.icmp4.pointer()]).toEqual([12, 0, 8]);
    s = run({}, err6(4, 0, 2));
    expect(s.drops).toEqual([{ reason: Reason.UntranslatableParamProblemPointer, about: 7 }]);
    s = run({}, err4(3, 2, 0));
    d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode, d.icmp6.pointer()]).toEqual([4, 1, 6]);
    s = run({}, err6(4, 1, 40));
    d = goodPacket(s.emitted[0].bytes);
    expect([d.icmpType, d.icmpCode]).toEqual([3, 2]);
  });

  it('Fragmentation Needed -> Packet Too Big: min(MTU+20, mtu.ipv6, mtu.ipv4+20), >= 1280, plateaus for MTU 0', () => {
    const mtuOf = (cfg: Partial<EngineConfig>, mtu: number, innerLen = 20) => {
      const s = run(cfg, err4(3, 4, mtu, payload(innerLen)));
      const d = goodPacket(s.emitted[0].bytes);
      expect([d.icmpType, d.icmpCode]).toEqual([2, 0]);
      return d.icmp6.mtu();
    };
    expect(mtuOf({}, 1400)).toBe(1420);
    expect(mtuOf({}, 1492)).toBe(1500); // capped by mtu.ipv6
    expect(mtuOf({ mtu: { ipv6: 9000, ipv4: 1400, lowestIpv6Mtu: 1280, plateaus: [] } }, 1492)).toBe(1420); // mtu.ipv4 + 20
    expect(mtuOf({}, 1000)).toBe(1280);
    // MTU field 0 (router without RFC 1191): the inner Total Length is 20+8+1472 = 1500 -> 1492 + 20.
    expect(mtuOf({}, 0, 1472)).toBe(1500);
    expect(mtuOf({ mtu: { ipv6: 9000, ipv4: 9000, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] } }, 0, 1472)).toBe(1512);
    expect(mtuOf({ mtu: { ipv6: 9000, ipv4: 9000, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] } }, 0, 3000)).toBe(2022);
  });

  it('Packet Too Big -> Fragmentation Needed: min(MTU-20, mtu.ipv4, mtu.ipv6-20)', () => {
    const mtuOf = (cfg: Partial<EngineConfig>, mtu: number) => {
      const d = goodPacket(run(cfg, err6(2, 0, mtu)).emitted[0].bytes);
      expect([d.icmpType, d.icmpCode]).toEqual([3, 4]);
      return d.icmp4.mtu();
    };
    expect(mtuOf({}, 1400)).toBe(1380);
    expect(mtuOf({}, 1280)).toBe(1260);
    expect(mtuOf({}, 9000)).toBe(1480);
    expect(mtuOf({ mtu: { ipv6: 9000, ipv4: 1400, lowestIpv6Mtu: 1280, plateaus: [] } }, 9000)).toBe(1400);
  });

  it('translated errors are truncated to 1280 (IPv6) and 576 (IPv4) bytes', () => {
    let s = run({}, err4(3, 3, 0, payload(1400)));
    let b = s.emitted[0].bytes;
    expect(b.length).toBe(1280);
    let d = goodPacket(b);
    expect(decodeIp(b.subarray(48)).ip6.payloadLengthField()).toBe(1408); // inner lengths are the original's
    s = run({}, err6(1, 0, 0, payload(1100)));
    b = s.emitted[0].bytes;
    expect(b.length).toBe(576);
    d = goodPacket(b);
    expect(d.icmpType).toBe(3);
    expect((b[28 + 2] << 8) | b[28 + 3]).toBe(20 + 8 + 1100);
  });

  it('errors about errors are dropped', () => {
    const innerErr = buildIp({ ip: { v: 4, src: A4, dst: B4 }, l4: { icmp4: { type: 3, code: 1 } }, payload: payload(28) });
    let s = run({}, buildIp({ ip: { v: 4, src: '8.8.4.4', dst: A4 }, l4: { icmp4: { type: 3, code: 1 } }, payload: innerErr }));
    expect(s.drops).toEqual([{ reason: Reason.IcmpErrorAboutError, about: 7 }]);
    const innerErr6 = buildIp({ ip: { v: 6, src: B6, dst: A6 }, l4: { icmp6: { type: 1, code: 0 } }, payload: payload(48) });
    s = run({}, buildIp({ ip: { v: 6, src: '2001:db8:6::fe', dst: B6 }, l4: { icmp6: { type: 3, code: 0 } }, payload: innerErr6 }));
    expect(s.drops).toEqual([{ reason: Reason.IcmpErrorAboutError, about: 7 }]);
  });

  it('untranslatable types are dropped silently with a reason', () => {
    let s = run({}, { ip: { v: 4, src: B4, dst: A4 }, l4: { icmp4: { type: 13, code: 0 } }, payload: payload(12) });
    expect([s.emitted.length, s.drops[0].reason]).toEqual([0, Reason.UntranslatableIcmp4Type]);
    s = run({}, { ip: { v: 6, src: A6, dst: B6 }, l4: { icmp6: { type: 135, code: 0 } }, payload: payload(16) });
    expect([s.emitted.length, s.drops[0].reason]).toEqual([0, Reason.UntranslatableIcmp6Type]);
  });

  it('RFC 4884: ICMPv4 Time Exceeded with an extension -> ICMPv6 length field adjusted, extension kept', () => {
    const inner = buildIp({ ip: { v: 4, src: A4, dst: B4 }, l4: { udp: { sport: 5000, dport: 53 } }, payload: payload(100) }); // 128 bytes
    const ext = Uint8Array.from([0x20, 0, 0, 0, 0, 8, 1, 1, 0xde, 0xad, 0xbe, 0xef]);
    const msg = buildIp({ ip: { v: 4, src: '8.8.4.4', dst: A4 }, l4: { icmp4: { type: 11, code: 0, rest: 32 << 16 } }, payload: Uint8Array.from([...inner, ...ext]) });
    const s = run({}, msg);
    const b = s.emitted[0].bytes;
    goodPacket(b);
    const lenField = b[44];
    expect(lenField).toBe(Math.floor((128 + 20) / 8)); // 148 rounded down to 64-bit words
    expect(b.length).toBe(48 + lenField * 8 + ext.length);
    expect(Array.from(b.subarray(b.length - ext.length))).toEqual(Array.from(ext));
  });

  it('RFC 4884: ICMPv6 Destination Unreachable with an extension -> ICMPv4 length field, padded to 128', () => {
    const inner = buildIp({ ip: { v: 6, src: B6, dst: A6 }, l4: { udp: { sport: 53, dport: 5000 } }, payload: payload(80) }); // 128 bytes
    const ext = Uint8Array.from([0x20, 0, 0, 0, 0, 8, 1, 1, 1, 2, 3, 4]);
    const msg = buildIp({ ip: { v: 6, src: '2001:db8:6::fe', dst: B6 }, l4: { icmp6: { type: 1, code: 4, rest: 16 << 24 } }, payload: Uint8Array.from([...inner, ...ext]) });
    const s = run({}, msg);
    const b = s.emitted[0].bytes;
    goodPacket(b);
    expect(b[25]).toBe(128 / 4); // 108 translated bytes padded to 128
    expect(b.length).toBe(28 + 128 + ext.length);
    expect(Array.from(b.subarray(28 + 108, 28 + 128))).toEqual(new Array(20).fill(0));
    expect(Array.from(b.subarray(b.length - ext.length))).toEqual(Array.from(ext));
  });

  it('RFC 4884 length larger than the message: malformed', () => {
    const s = run({}, err4(11, 0, 200 << 16));
    expect(s.drops[0].reason).toBe(Reason.Malformed);
  });
});

describe('addresses (RFC 7757, RFC 6052 §3.1, denylist, RFC 6791)', () => {
  it('EAM both ways, pool6 for the rest', () => {
    const s = run({}, { ip: { v: 6, src: '2001:db8:6::ff', dst: '64:ff9b::101:101' }, l4: { udp: { sport: 1, dport: 2 } } });
    const d = goodPacket(s.emitted[0].bytes);
    expect([srcText(d), dstText(d)]).toEqual(['192.0.2.255', '1.1.1.1']);
  });

  it('untranslatable addresses are dropped with the right reason', () => {
    expect(run({}, { ip: { v: 6, src: '2001:db8:7::1', dst: B6 }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Untranslatable6Src);
    expect(run({}, { ip: { v: 6, src: A6, dst: '2001:db8:7::1' }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Untranslatable6Dst);
    expect(run({ pool6: null }, { ip: { v: 4, src: B4, dst: A4 }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Untranslatable4Src);
    expect(run({ pool6: null }, { ip: { v: 4, src: A4, dst: B4 }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Untranslatable4Dst);
  });

  it('u octet must be zero under a non-/96 pool6', () => {
    const cfg = { pool6: parsePrefix6('2001:db8:100::/40') };
    const bad = run(cfg, { ip: { v: 6, src: A6, dst: '2001:db8:108:808:8ff::' }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(bad.drops[0].reason).toBe(Reason.UOctetNotZero);
    const ok = run(cfg, { ip: { v: 6, src: A6, dst: '2001:db8:108:808:8:: ' .trim() }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(dstText(goodPacket(ok.emitted[0].bytes))).toBe(B4);
  });

  describe('well-known prefix: no non-global IPv4 behind 64:ff9b::/96 (every special-purpose block)', () => {
    const blocks = [...IPV4_SPECIAL_PURPOSE.filter((e) => e.globallyReachable !== true), IPV4_MULTICAST];
    for (const blk of blocks) {
      const a = (blk.addr + (blk.len >= 31 ? 0 : 1)) >>> 0;
      const text = ipv4ToString(Uint8Array.of(a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255), 0);
      it(`${text} (${blk.name}, ${blk.rfc})`, () => {
        const v6 = `64:ff9b::${((a >>> 16) & 0xffff).toString(16)}:${(a & 0xffff).toString(16)}`;
        const s6 = run({}, { ip: { v: 6, src: A6, dst: v6 }, l4: { udp: { sport: 1, dport: 2 } } });
        expect(s6.drops[0]?.reason).toBe(Reason.WellKnownPrefixNonGlobal);
        const s4 = run({ eam: [] }, { ip: { v: 4, src: text, dst: B4 }, l4: { udp: { sport: 1, dport: 2 } } });
        expect(s4.drops[0]?.reason).toBe(Reason.WellKnownPrefixNonGlobal);
        // Not strict (AWS): translated.
        const lax = run({ strictWellKnownPrefix: false, hairpinning: 'off' }, { ip: { v: 6, src: A6, dst: v6 }, l4: { udp: { sport: 1, dport: 2 } } });
        expect(dstText(goodPacket(lax.emitted[0].bytes))).toBe(text);
      });
    }
    it('global anycast inside a non-global block (192.0.0.9) is allowed', () => {
      const s = run({}, { ip: { v: 6, src: A6, dst: '64:ff9b::c000:9' }, l4: { udp: { sport: 1, dport: 2 } } });
      expect(s.drops).toEqual([]);
    });
    it('the rule is about 64:ff9b::/96 only: a network-specific prefix may carry private IPv4', () => {
      const s = run({ pool6: parsePrefix6('2001:db8:64::/96') }, { ip: { v: 6, src: A6, dst: '2001:db8:64::a00:1' }, l4: { udp: { sport: 1, dport: 2 } } });
      expect(dstText(goodPacket(s.emitted[0].bytes))).toBe('10.0.0.1');
    });
  });

  it('denylist4 refuses pool6 translation both ways, EAM still works', () => {
    const cfg = { denylist4: [p4('8.8.8.0/24')] };
    expect(run(cfg, { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Denylisted4);
    expect(run(cfg, { ip: { v: 4, src: B4, dst: A4 }, l4: { udp: { sport: 1, dport: 2 } } }).drops[0].reason).toBe(Reason.Denylisted4);
    expect(run({ denylist4: [p4('192.0.2.0/24')] }, { ip: { v: 6, src: A6, dst: B6 }, l4: { udp: { sport: 1, dport: 2 } } }).drops).toEqual([]);
  });

  it('RFC 6791: an ICMPv6 error from an untranslatable router gets a pool address', () => {
    const inner = buildIp({ ip: { v: 6, src: B6, dst: A6 }, l4: { udp: { sport: 53, dport: 5000 } } });
    const msg = buildIp({ ip: { v: 6, src: '2001:db8:ffff::1', dst: B6 }, l4: { icmp6: { type: 3, code: 0 } }, payload: inner });
    let s = run({ rfc6791: { ipv4: p4('203.0.113.8/32'), ipv6: null } }, msg);
    expect(srcText(goodPacket(s.emitted[0].bytes))).toBe('203.0.113.8');
    s = run({ rfc6791: { ipv4: p4('203.0.113.0/24'), ipv6: null } }, msg);
    expect(srcText(goodPacket(s.emitted[0].bytes)).startsWith('203.0.113.')).toBe(true);
    // No pool: the translator's own IPv4 address.
    s = run({}, msg);
    expect(srcText(goodPacket(s.emitted[0].bytes))).toBe('192.0.2.2');
    // Not an error: no pool address.
    s = run({ rfc6791: { ipv4: p4('203.0.113.8/32'), ipv6: null } }, { ip: { v: 6, src: '2001:db8:ffff::1', dst: B6 }, l4: { udp: { sport: 1, dport: 2 } } });
    expect(s.drops[0].reason).toBe(Reason.Untranslatable6Src);
  });

  it('RFC 6791 IPv6 / sourceIcmpv6ErrorsBetter for ICMPv4 errors from untranslatable sources', () => {
    const inner = buildIp({ ip: { v: 4, src: A4, dst: B4 }, l4: { udp: { sport: 5000, dport: 53 } } });
    const msg = buildIp({ ip: { v: 4, src: '10.1.1.1', dst: A4 }, l4: { icmp4: { type: 11, code: 0 } }, payload: inner });
    let s = run({ rfc6791: { ipv4: null, ipv6: { bytes: ip6('2001:db8:6791::'), len: 128 } } }, msg);
    expect(srcText(goodPacket(s.emitted[0].bytes))).toBe('2001:db8:6791::');
    s = run({ sourceIcmpv6ErrorsBetter: true }, msg);
    expect(srcText(goodPacket(s.emitted[0].bytes))).toBe('64:ff9b::a01:101');
  });

  it('hairpinning (RFC 7757 §4): intrinsic loops back with the source through pool6', () => {
    const cfg = { pool6: parsePrefix6('2001:db8:100::/96') };
    const spec: PacketSpec = { ip: { v: 6, src: A6, dst: '2001:db8:100::c000:207' }, l4: { tcp: { srcPort: 1000, dstPort: 80, flags: 2 } }, payload: 'hi' };
    let s = run(cfg, spec);
    expect(s.emitted).toHaveLength(1);
    const { bytes, family, kind } = s.emitted[0];
    expect([family, kind]).toEqual([6, EmitKind.Hairpinned]);
    const d = goodPacket(bytes);
    expect([srcText(d), dstText(d), d.ttl]).toEqual(['2001:db8:100::c000:205', '2001:db8:6::7', 63]);
    s = run({ ...cfg, hairpinning: 'off' }, spec);
    expect([s.emitted[0].family, s.emitted[0].kind]).toEqual([4, EmitKind.Translated]);
    expect(dstText(decodeIp(s.emitted[0].bytes))).toBe('192.0.2.7');
    // simple: the IPv4 network brings it back; its EAM source is translated through pool6.
    s = run({ ...cfg, hairpinning: 'simple' }, spec);
    const v4 = s.emitted[0].bytes;
    expect(s.emitted[0].family).toBe(4);
    s = run({ ...cfg, hairpinning: 'simple' }, v4);
    expect([srcText(decodeIp(s.emitted[0].bytes)), dstText(decodeIp(s.emitted[0].bytes))]).toEqual(['2001:db8:100::c000:205', '2001:db8:6::7']);
  });

  it('malformed input never throws', () => {
    const { e, s } = engine();
    const junk = [new Uint8Array(0), Uint8Array.of(0x60), Uint8Array.of(0x45, 0, 0), new Uint8Array(40).fill(0x60), new Uint8Array(60).fill(0x4f)];
    for (const j of junk) expect(() => e.process(j, 0, j.length, NOW, 1, s)).not.toThrow();
    expect(s.drops.length).toBe(junk.length);
  });
});

describe('decoder sanity', () => {
  it('L4 constants used here', () => {
    expect(L4.UDP).toBe(2);
  });
});
