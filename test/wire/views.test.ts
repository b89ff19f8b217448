/**
 * The smoltcp set per protocol view: deconstruct (fields from bytes), construct (emit onto a
 * 0xa5-filled buffer), truncated input, and accessor edge cases. Byte vectors are noted with their
 * source.
 */
import { describe, it, expect } from 'vitest';
import { EthernetView, emitEthernet, EtherType } from '../../src/wire/ethernet.js';
import { SllView, emitSll, emitSll2 } from '../../src/wire/sll.js';
import { NullView, emitNull } from '../../src/wire/null.js';
import { Ipv4View, emitIpv4 } from '../../src/wire/ipv4.js';
import { Ipv6View, emitIpv6 } from '../../src/wire/ipv6.js';
import { TcpView, emitTcp, tcpFlagsText } from '../../src/wire/tcp.js';
import { UdpView, emitUdp } from '../../src/wire/udp.js';
import { Icmpv4View } from '../../src/wire/icmpv4.js';
import { Icmpv6View, emitPref64Option, emitIcmpv6 } from '../../src/wire/icmpv6.js';
import { Problem } from '../../src/wire/reasons.js';
import { buildIp, ip6 } from '../../src/wire/builder.js';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const filled = (n: number) => new Uint8Array(n).fill(0xa5);

describe('Ethernet', () => {
  // tcpdump -xx of an Ethernet II frame carrying IPv6 (dst 33:33:00:00:00:01, src 02:00:00:00:00:01).
  const frame = hex('333300000001 020000000001 86dd 6000000000003aff');
  it('deconstruct', () => {
    const v = new EthernetView();
    expect(v.reset(frame, 0, frame.length)).toBe(Problem.None);
    expect(v.etherType).toBe(EtherType.IPV6);
    expect(v.headerLength()).toBe(14);
    expect(v.tagCount).toBe(0);
  });
  it('802.1Q and QinQ tags are walked', () => {
    const q = hex('333300000001 020000000001 88a8 000a 8100 0014 0800 45');
    const v = new EthernetView();
    expect(v.reset(q, 0, q.length)).toBe(Problem.None);
    expect([v.tagCount, v.outerVlan, v.innerVlan, v.etherType, v.headerLength()]).toEqual([2, 10, 20, 0x0800, 22]);
  });
  it('truncated and 802.3 frames are reported', () => {
    const v = new EthernetView();
    expect(v.reset(frame, 0, 13)).toBe(Problem.EthTruncated);
    expect(v.reset(hex('333300000001 020000000001 8100 00'), 0, 15)).toBe(Problem.EthTruncated);
    expect(v.reset(hex('333300000001 020000000001 0040 aaaa03'), 0, 17)).toBe(Problem.Eth8023);
  });
  it('construct', () => {
    const b = filled(16);
    emitEthernet(b, 0, [0x33, 0x33, 0, 0, 0, 1], [2, 0, 0, 0, 0, 1], 0x86dd);
    expect(Buffer.from(b).toString('hex')).toBe('333300000001020000000001' + '86dd' + 'a5a5');
  });
});

describe('SLL / SLL2 / NULL / LOOP', () => {
  it('SLL round trip', () => {
    const b = filled(16);
    emitSll(b, 0, 4, 0x86dd, [2, 0, 0, 0, 0, 1]);
    const v = new SllView();
    expect(v.reset(b, 0, 16, 1)).toBe(Problem.None);
    expect([v.packetType, v.hatype, v.protocol, v.payloadOff]).toEqual([4, 1, 0x86dd, 16]);
    expect(v.reset(b, 0, 15, 1)).toBe(Problem.SllTruncated);
  });
  it('SLL2 round trip', () => {
    const b = filled(20);
    emitSll2(b, 0, 0, 0x0800, 7, [2, 0, 0, 0, 0, 1]);
    const v = new SllView();
    expect(v.reset(b, 0, 20, 2)).toBe(Problem.None);
    expect([v.packetType, v.protocol, v.ifIndex, v.payloadOff]).toEqual([0, 0x0800, 7, 20]);
  });
  it('NULL in either byte order and LOOP in network order', () => {
    const v = new NullView();
    const b = new Uint8Array(4);
    emitNull(b, 0, 30, false); // macOS AF_INET6, little-endian host
    expect(v.reset(b, 0, 4, false)).toBe(Problem.None);
    expect(v.ipVersion).toBe(6);
    expect(v.reset(hex('00000002'), 0, 4, false)).toBe(Problem.None); // big-endian writer
    expect(v.ipVersion).toBe(4);
    emitNull(b, 0, 24, true);
    expect(v.reset(b, 0, 4, true)).toBe(Problem.None);
    expect(v.ipVersion).toBe(6);
    expect(v.reset(hex('00000063'), 0, 4, true)).toBe(Problem.NullUnknownFamily);
    expect(v.reset(b, 0, 3, true)).toBe(Problem.NullTruncated);
  });
});

describe('IPv4', () => {
  // RFC 791-shaped header from `tcpdump -xx`: 45 00 0073 0000 4000 4011 b861 c0a8 0001 c0a8 00c7
  // (the classic Wikipedia checksum example, checksum b861).
  const hdr = hex('450000730000400040 11b861c0a80001c0a800c7');
  const pkt = new Uint8Array(0x73);
  pkt.set(hdr);
  it('deconstruct', () => {
    const v = new Ipv4View();
    expect(v.reset(pkt, 0, pkt.length)).toBe(Problem.None);
    expect([v.version(), v.headerLength(), v.totalLengthField(), v.ident(), v.dontFragment(), v.moreFragments(), v.fragOffset(), v.ttl(), v.protocol(), v.checksum()])
      .toEqual([4, 20, 0x73, 0, true, false, 0, 64, 17, 0xb861]);
    expect(v.checksumOk()).toBe(true);
    expect(v.src()).toBe(0xc0a80001);
    expect(v.dst()).toBe(0xc0a800c7);
  });
  it('construct produces the same header and checksum', () => {
    const b = filled(20);
    emitIpv4(b, 0, { totalLength: 0x73, dontFragment: true, ttl: 64, protocol: 17, src: [192, 168, 0, 1], dst: [192, 168, 0, 199] });
    expect(Buffer.from(b).toString('hex')).toBe(Buffer.from(hdr).toString('hex'));
  });
  it('bad checksum, truncated, bad version/IHL/total length', () => {
    const v = new Ipv4View();
    const bad = pkt.slice();
    bad[10] ^= 1;
    v.reset(bad, 0, bad.length);
    expect(v.checksumOk()).toBe(false);
    expect(v.reset(pkt, 0, 19)).toBe(Problem.Ipv4Truncated);
    const ver = pkt.slice(); ver[0] = 0x55;
    expect(v.reset(ver, 0, ver.length)).toBe(Problem.Ipv4BadVersion);
    const ihl = pkt.slice(); ihl[0] = 0x44;
    expect(v.reset(ihl, 0, ihl.length)).toBe(Problem.Ipv4BadIhl);
    const tl = pkt.slice(); tl[2] = 0; tl[3] = 10;
    expect(v.reset(tl, 0, tl.length)).toBe(Problem.Ipv4BadTotalLength);
  });
  it('total length 0 (TSO) uses the captured length; a short capture is flagged', () => {
    const v = new Ipv4View();
    const z = pkt.slice(); z[2] = 0; z[3] = 0;
    expect(v.reset(z, 0, z.length)).toBe(Problem.Ipv4TotalLengthZero);
    expect(v.payloadLength()).toBe(0x73 - 20);
    expect(v.reset(pkt, 0, 60)).toBe(Problem.Ipv4CaptureShort);
    expect(v.payloadCaptured).toBe(40);
  });
  it('options: an unexpired loose source route is seen, malformed options reported', () => {
    const b = buildIp({ ip: { v: 4, src: '10.0.0.1', dst: '10.0.0.2', options: [131, 7, 4, 10, 0, 0, 9] }, l4: { proto: 59 } });
    const v = new Ipv4View();
    expect(v.reset(b, 0, b.length)).toBe(Problem.None);
    expect(v.headerLength()).toBe(28);
    expect(v.sourceRoute).toBe(true);
    const m = buildIp({ ip: { v: 4, src: '10.0.0.1', dst: '10.0.0.2', options: [131, 40, 4] }, l4: { proto: 59 } });
    expect(v.reset(m, 0, m.length)).toBe(Problem.Ipv4BadOptions);
  });
  it('fragment fields', () => {
    const b = buildIp({ ip: { v: 4, src: '10.0.0.1', dst: '10.0.0.2', id: 77, mf: true, fragOffset: 1480 }, l4: { proto: 17 }, payload: 'x'.repeat(8) });
    const v = new Ipv4View();
    v.reset(b, 0, b.length);
    expect([v.isFragment(), v.moreFragments(), v.fragOffset(), v.ident()]).toEqual([true, true, 1480, 77]);
  });
});

describe('IPv6', () => {
  it('deconstruct the fixed header', () => {
    // 60 0a bc de 0008 11 40 + addresses: traffic class 0x00 | 0xa, flow label 0xabcde
    const b = new Uint8Array(48);
    emitIpv6(b, 0, { trafficClass: 0xb8, flowLabel: 0xabcde, payloadLength: 8, nextHeader: 17, hopLimit: 64, src: ip6('2001:db8::1'), dst: ip6('64:ff9b::c000:201') });
    expect(Buffer.from(b.subarray(0, 8)).toString('hex')).toBe('6b8abcde00081140');
    const v = new Ipv6View();
    expect(v.reset(b, 0, 48)).toBe(Problem.None);
    expect([v.trafficClass(), v.flowLabel(), v.payloadLengthField(), v.nextHeader(), v.hopLimit(), v.finalProto, v.upperOff]).toEqual([0xb8, 0xabcde, 8, 17, 64, 17, 40]);
  });
  it('walks hop-by-hop, routing, destination options, fragment headers', () => {
    const b = buildIp({ ip: { v: 6, src: '2001:db8::1', dst: '2001:db8::2', ext: [{ type: 'hbh' }, { type: 'routing', routingType: 4, segmentsLeft: 0, addresses: ['2001:db8::9'] }, { type: 'dst', len: 16 }, { type: 'frag', offset: 0, more: true, id: 5 }] }, l4: { udp: { sport: 1, dport: 2 } } });
    const v = new Ipv6View();
    expect(v.reset(b, 0, b.length)).toBe(Problem.None);
    expect([v.extCount, v.extLen, v.finalProto, v.hasHopByHop, v.routingType, v.segmentsLeft, v.hasDestOpts, v.fragId, v.fragMore]).toEqual([4, 8 + 24 + 16 + 8, 17, true, 4, 0, true, 5, true]);
  });
  it('hop-by-hop not first, truncated extension header, too many headers, no next header', () => {
    const v = new Ipv6View();
    const a = buildIp({ ip: { v: 6, src: '::1', dst: '::2', ext: [{ type: 'dst' }, { type: 'hbh' }] }, l4: { proto: 59 } });
    expect(v.reset(a, 0, a.length)).toBe(Problem.Ipv6HopByHopNotFirst);
    const t = buildIp({ ip: { v: 6, src: '::1', dst: '::2', ext: [{ type: 'dst', len: 16 }] }, l4: { proto: 59 } });
    t[41] = 5; // claims 48 bytes
    expect(v.reset(t, 0, t.length)).toBe(Problem.Ipv6ExtTruncated);
    const many = buildIp({ ip: { v: 6, src: '::1', dst: '::2', ext: Array.from({ length: 17 }, () => ({ type: 'dst' as const })) }, l4: { proto: 59 } });
    expect(v.reset(many, 0, many.length)).toBe(Problem.Ipv6TooManyExt);
    const none = buildIp({ ip: { v: 6, src: '::1', dst: '::2' }, l4: { proto: 59 } });
    expect(v.reset(none, 0, none.length)).toBe(Problem.None);
    expect(v.finalProto).toBe(59);
  });
  it('an unknown extension header (Shim6) is skipped by its length', () => {
    const b = buildIp({ ip: { v: 6, src: '::1', dst: '::2', ext: [{ type: 'raw', proto: 140, len: 8 }] }, l4: { udp: { sport: 1, dport: 2 } } });
    const v = new Ipv6View();
    expect(v.reset(b, 0, b.length)).toBe(Problem.None);
    expect([v.unknownExt, v.finalProto]).toEqual([true, 17]);
  });
  it('non-first fragment stops at the fragment header', () => {
    const b = buildIp({ ip: { v: 6, src: '::1', dst: '::2', ext: [{ type: 'frag', offset: 8, more: false, id: 1 }] }, l4: { proto: 6 }, payload: 'abcdefgh' });
    const v = new Ipv6View();
    v.reset(b, 0, b.length);
    expect([v.fragOffsetBytes, v.fragMore, v.finalProto, v.upperOff]).toEqual([8, false, 6, 48]);
  });
  it('truncated and short captures', () => {
    const b = buildIp({ ip: { v: 6, src: '::1', dst: '::2' }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abcdef' });
    const v = new Ipv6View();
    expect(v.reset(b, 0, 39)).toBe(Problem.Ipv6Truncated);
    expect(v.reset(b, 0, 45)).toBe(Problem.Ipv6CaptureShort);
    expect(v.upperCaptured()).toBe(5);
    const z = b.slice(); z[4] = 0; z[5] = 0;
    expect(v.reset(z, 0, z.length)).toBe(Problem.Ipv6Jumbo);
  });
});

describe('TCP', () => {
  it('options: MSS, SACK-permitted, timestamps, window scale, SACK blocks', () => {
    const b = filled(60);
    const hl = emitTcp(b, 0, { srcPort: 1, dstPort: 2, flags: 0x12, seq: 0xfffffffe, ack: 1, mss: 1220, sackPermitted: true, timestamp: [0xdeadbeef, 7], windowScale: 14, rawOptions: [1, 1, 5, 10, 0, 0, 0, 1, 0, 0, 0, 2] });
    const v = new TcpView();
    expect(v.reset(b, 0, hl)).toBe(Problem.None);
    expect([v.srcPort(), v.dstPort(), v.seq(), v.ack(), v.flags(), v.mss, v.sackPermitted, v.tsVal, v.tsEcr, v.windowScale, v.sackBlocks, v.headerLength()])
      .toEqual([1, 2, 0xfffffffe, 1, 0x12, 1220, true, 0xdeadbeef, 7, 14, 1, hl]);
    expect(tcpFlagsText(0x12)).toBe('SYN, ACK');
  });
  it('bad data offset, bad option lengths, truncation', () => {
    const b = filled(40);
    emitTcp(b, 0, { srcPort: 1, dstPort: 2, flags: 2, mss: 1460 });
    const v = new TcpView();
    expect(v.reset(b, 0, 19)).toBe(Problem.TcpTruncated);
    const d = b.slice(); d[12] = 0x40;
    expect(v.reset(d, 0, 40)).toBe(Problem.TcpBadDataOffset);
    const o = b.slice(); o[21] = 9; // MSS length 9
    expect(v.reset(o, 0, 24)).toBe(Problem.TcpBadOptions);
  });
});

describe('UDP', () => {
  it('deconstruct and construct', () => {
    const b = filled(8);
    emitUdp(b, 0, 53, 41000, 30);
    expect(Buffer.from(b).toString('hex')).toBe('0035a028001e0000');
    const v = new UdpView();
    expect(v.reset(b, 0, 8)).toBe(Problem.None);
    expect([v.srcPort(), v.dstPort(), v.length(), v.checksum()]).toEqual([53, 41000, 30, 0]);
    expect(v.reset(b, 0, 7)).toBe(Problem.UdpTruncated);
  });
});

describe('ICMPv4 / ICMPv6', () => {
  it('Fragmentation Needed carries the MTU and the inner packet; RFC 4884 length honoured', () => {
    const inner = buildIp({ ip: { v: 4, src: '10.0.0.1', dst: '198.51.100.7' }, l4: { udp: { sport: 5, dport: 6 } }, payload: 'x'.repeat(20) });
    const ic = new Uint8Array(8 + 128 + 8);
    ic[0] = 3; ic[1] = 4; ic[5] = 32; ic[6] = 0x05; ic[7] = 0xdc;
    ic.set(inner, 8);
    const v = new Icmpv4View();
    expect(v.reset(ic, 0, ic.length)).toBe(Problem.None);
    expect([v.isError(), v.mtu(), v.rfc4884Len, v.innerOff, v.innerLen]).toEqual([true, 1500, 128, 8, 128]);
    ic[5] = 40;
    expect(v.reset(ic, 0, ic.length)).toBe(Problem.IcmpBadRfc4884Length);
    expect(v.reset(ic, 0, 7)).toBe(Problem.IcmpTruncated);
  });
  it('Packet Too Big MTU and Parameter Problem pointer are 32-bit', () => {
    const b = new Uint8Array(48);
    emitIcmpv6(b, 0, 2, 0, 1280);
    const v = new Icmpv6View();
    v.reset(b, 0, 48);
    expect([v.isError(), v.mtu(), v.innerLen]).toEqual([true, 1280, 40]);
    emitIcmpv6(b, 0, 4, 0, 0x10000);
    v.reset(b, 0, 48);
    expect(v.pointer()).toBe(0x10000);
  });
  it('Router Advertisement with a PREF64 option (RFC 8781 §4)', () => {
    const ra = new Uint8Array(16 + 16);
    emitIcmpv6(ra, 0, 134, 0, (64 << 24) | (1800 & 0xffff));
    const pfx = ip6('2001:db8:64::');
    emitPref64Option(ra, 16, pfx, 48, 1800);
    // RFC 8781 §4: scaled lifetime 225 (1800 s / 8), PLC 3 for /48 -> 0x0709
    expect(Buffer.from(ra.subarray(16, 20)).toString('hex')).toBe('26020' + '70b'.padStart(3, '0'));
    const v = new Icmpv6View();
    expect(v.reset(ra, 0, ra.length)).toBe(Problem.None);
    expect([v.pref64Count, v.pref64Len, v.pref64Lifetime, v.pref64Off]).toEqual([1, 48, 1800, 20]);
    ra[17] = 3;
    expect(v.reset(ra, 0, ra.length)).toBe(Problem.NdpBadOption);
  });
  it('RA: a PREF64 option of a bad length or an unlisted PLC is ignored, the next one read (RFC 8781 §4)', () => {
    // Options: PREF64 of 24 bytes (bad length), PREF64 with PLC 7 (unlisted), PREF64 /96 (valid).
    const ra = new Uint8Array(16 + 24 + 16 + 16);
    emitIcmpv6(ra, 0, 134, 0, (64 << 24) | 1800);
    ra[16] = 38; ra[17] = 3; // type PREF64, length 3 (24 bytes)
    emitPref64Option(ra, 40, ip6('2001:db8:1::'), 48, 600);
    ra[43] = (ra[43] & 0xf8) | 7; // PLC 7: not listed
    emitPref64Option(ra, 56, ip6('64:ff9b::'), 96, 1200);
    const v = new Icmpv6View();
    expect(v.reset(ra, 0, ra.length)).toBe(Problem.Pref64BadLength); // reported, not fatal
    expect([v.pref64Count, v.pref64Len, v.pref64Lifetime, v.pref64Off]).toEqual([1, 96, 1200, 60]);
  });
});
