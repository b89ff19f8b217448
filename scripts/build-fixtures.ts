/**
 * Builds every capture under fixtures/pcaps/ from the project's own packet builder. Deterministic:
 * the same source gives byte-identical files (seeded PRNG, fixed timestamps). Run `npm run fixtures`.
 * fixtures/pcaps/README.md describes each file.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { Timeline, TcpFlow, prng, bytesOf, writeTimeline, frame, buildIp } from './lib/timeline.js';
import { encodeDns, type DnsMessageInput } from '../src/wire/dns.js';
import { LinkType } from '../src/pcap/linktype.js';
import { emitIcmpv6, emitPref64Option } from '../src/wire/icmpv6.js';
import { ip6, type LinkSpec } from '../src/wire/builder.js';

const OUT = process.argv[2] ?? 'fixtures/pcaps';
/** 2026-11-20 10:00:00 UTC. */
const START = Date.UTC(2026, 10, 20, 10, 0, 0) / 1000;

// The AWS scenario's cast.
const HOST = '2600:1f14:abc:de00::10'; // IPv6-only EC2 instance in a DNS64-enabled subnet
const R53 = 'fd00:ec2::253'; // Route 53 Resolver (Nitro IPv6 address)
const OTHER_RESOLVER = '2001:db8:53::53'; // a resolver the app was configured with, without DNS64
const HOST_MAC = '02:1a:2b:3c:4d:10';
const ROUTER_MAC = '02:1a:2b:3c:4d:01';

function query(id: number, name: string, type: string, edns = true): DnsMessageInput {
  return { id, flags: ['RD'], questions: [{ name, type }], edns: edns ? { udpSize: 1232 } : null };
}
function answer(id: number, name: string, type: string, answers: { type: string; data: string; ttl?: number; name?: string }[], extra: Partial<DnsMessageInput> = {}): DnsMessageInput {
  return {
    id, qr: true, flags: ['QR', 'RD', 'RA'], questions: [{ name, type }],
    answers: answers.map((a) => ({ name: a.name ?? name, type: a.type, ttl: a.ttl ?? 60, data: a.data })),
    edns: { udpSize: 1232 }, ...extra,
  };
}

/** demo.pcapng: an IPv6-only EC2 instance behind an AWS NAT gateway with Route 53 DNS64. */
function demo(): Timeline {
  const tl = new Timeline({ type: 'ethernet', src: HOST_MAC, dst: ROUTER_MAC });
  const fromNet = { type: 'ethernet' as const, src: ROUTER_MAC, dst: HOST_MAC };
  const rnd = prng(6052);
  const dnsOut = (t: number, sport: number, m: DnsMessageInput, to = R53) => tl.dns(t, HOST, to, sport, 53, m);
  const dnsIn = (t: number, dport: number, m: DnsMessageInput, from = R53) => {
    const payload = encodeDns(m);
    tl.add(t, { link: fromNet, ip: { v: 6, src: from, dst: HOST, hopLimit: 64 }, l4: { udp: { sport: 53, dport } }, payload });
  };

  // RFC 7050 discovery of the prefix: ipv4only.arpa AAAA, synthesized by Route 53.
  dnsOut(0.0, 40001, query(0x7050, 'ipv4only.arpa', 'AAAA'));
  dnsIn(0.0012, 40001, answer(0x7050, 'ipv4only.arpa', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::c000:aa', ttl: 3600 }, { type: 'AAAA', data: '64:ff9b::c000:ab', ttl: 3600 }]));

  // api.example.com: AAAA synthesized from A 198.51.100.7, then an HTTPS flow that works.
  dnsOut(0.100, 40002, query(0x1001, 'api.example.com', 'AAAA'));
  dnsOut(0.1002, 40003, query(0x1002, 'api.example.com', 'A'));
  dnsIn(0.1021, 40002, answer(0x1001, 'api.example.com', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::c633:6407' }]));
  dnsIn(0.1023, 40003, answer(0x1002, 'api.example.com', 'A', [{ type: 'A', data: '198.51.100.7' }]));
  const https = new TcpFlow(tl, HOST, '64:ff9b::c633:6407', 49152, 443, Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32), 64, 229);
  const link = tl.link;
  https.syn(0.110, 8941);
  tl.link = fromNet;
  https.synAck(0.1372, 1460);
  tl.link = link;
  https.ack(0.1373, true);
  https.data(0.1380, true, bytesOf(rnd, 517)); // TLS ClientHello
  tl.link = fromNet;
  https.ack(0.1651, false);
  https.data(0.1660, false, bytesOf(rnd, 1400));
  https.data(0.1661, false, bytesOf(rnd, 1400));
  https.data(0.1662, false, bytesOf(rnd, 912));
  tl.link = link;
  https.ack(0.1663, true);
  https.data(0.1700, true, bytesOf(rnd, 126));
  tl.link = fromNet;
  https.data(0.1975, false, bytesOf(rnd, 287));
  tl.link = link;
  https.fin(0.2000, true);
  tl.link = fromNet;
  https.fin(0.2271, false);
  tl.link = link;
  https.ack(0.2272, true);

  // NTP to time.example.net (203.0.113.123) through the NAT gateway.
  dnsOut(0.500, 40004, query(0x1003, 'time.example.net', 'AAAA'));
  dnsIn(0.5018, 40004, answer(0x1003, 'time.example.net', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::cb00:717b', ttl: 300 }]));
  const ntpReq = new Uint8Array(48);
  ntpReq[0] = 0x23; // LI 0, version 4, mode 3 (client)
  tl.add(0.510, { ip: { v: 6, src: HOST, dst: '64:ff9b::cb00:717b' }, l4: { udp: { sport: 123, dport: 123 } }, payload: ntpReq });
  const ntpResp = bytesOf(rnd, 48);
  ntpResp[0] = 0x24; // mode 4 (server)
  ntpResp[1] = 2; // stratum
  tl.add(0.5391, { link: fromNet, ip: { v: 6, src: '64:ff9b::cb00:717b', dst: HOST, hopLimit: 54 }, l4: { udp: { sport: 123, dport: 123 } }, payload: ntpResp });

  // ICMPv6 echo to 192.0.2.1 through the translator.
  const ping = bytesOf(rnd, 56);
  tl.add(1.000, { ip: { v: 6, src: HOST, dst: '64:ff9b::c000:201' }, l4: { icmp6: { type: 128, code: 0, rest: (0x3e7 << 16) | 1 } }, payload: ping });
  tl.add(1.0124, { link: fromNet, ip: { v: 6, src: '64:ff9b::c000:201', dst: HOST, hopLimit: 51 }, l4: { icmp6: { type: 129, code: 0, rest: (0x3e7 << 16) | 1 } }, payload: ping });

  // A large segment to 203.0.113.16 draws a Packet Too Big: the IPv4 path MTU is 1500 (so 1520 for
  // IPv6 through the translator); the segment is then resent in two smaller pieces.
  dnsOut(1.400, 40005, query(0x1004, 'upload.example.net', 'AAAA'));
  dnsIn(1.4017, 40005, answer(0x1004, 'upload.example.net', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::cb00:7110' }]));
  const up = new TcpFlow(tl, HOST, '64:ff9b::cb00:7110', 49160, 443, Math.floor(rnd() * 2 ** 32), Math.floor(rnd() * 2 ** 32), 64, 230);
  up.syn(1.410, 8941);
  tl.link = fromNet;
  up.synAck(1.4389, 1460);
  tl.link = link;
  up.ack(1.4390, true);
  const big = bytesOf(rnd, 2000);
  const quote = up.peek(true, 0x18, big);
  up.data(1.4400, true, big);
  // ICMPv6 PTB from the IPv4 router 203.0.113.1 (translated Fragmentation Needed, MTU 1500+20).
  const ptbBody = quote.subarray(0, 1280 - 48);
  const ptb = buildIp({ ip: { v: 6, src: '64:ff9b::cb00:7101', dst: HOST, hopLimit: 240 }, l4: { icmp6: { type: 2, code: 0, rest: 1520 } }, payload: ptbBody });
  tl.addRaw(1.4651, frame(fromNet, ptb));
  up.cseq = (up.cseq - 2000) >>> 0;
  up.data(1.4660, true, big.subarray(0, 1440), 0x10);
  up.data(1.4661, true, big.subarray(1440));
  tl.link = fromNet;
  up.ack(1.4932, false);
  tl.link = link;
  up.rst(1.5000, true);

  // legacy.example.org: synthesized fine, but SYNs to 203.0.113.5:8443 are never answered.
  dnsOut(2.000, 40006, query(0x1005, 'legacy.example.org', 'AAAA'));
  dnsIn(2.0016, 40006, answer(0x1005, 'legacy.example.org', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::cb00:7105', ttl: 30 }]));
  const dead = new TcpFlow(tl, HOST, '64:ff9b::cb00:7105', 49170, 8443, Math.floor(rnd() * 2 ** 32), 0);
  dead.syn(2.010, 8941);
  for (const d of [1, 3, 7, 15]) dead.synAgain(2.010 + d, 8941);

  // v4only.example.com asked of another resolver (no DNS64): NODATA for AAAA, while A exists.
  dnsOut(20.000, 40007, query(0x1006, 'v4only.example.com', 'AAAA'), OTHER_RESOLVER);
  dnsOut(20.0002, 40008, query(0x1007, 'v4only.example.com', 'A'), OTHER_RESOLVER);
  dnsIn(20.0213, 40007, {
    ...answer(0x1006, 'v4only.example.com', 'AAAA', []),
    authorities: [{ name: 'example.com', type: 'SOA', ttl: 900, data: 'ns1.example.com hostmaster.example.com 2026112001 7200 3600 1209600 300' }],
  }, OTHER_RESOLVER);
  dnsIn(20.0215, 40008, answer(0x1007, 'v4only.example.com', 'A', [{ type: 'A', data: '192.0.2.80', ttl: 300 }]), OTHER_RESOLVER);
  return tl;
}

/** Every link type the decoder supports, one pcapng interface each, carrying the same packets. */
function linktypes(): { tl: Timeline; ifaces: { name: string; linkType: number }[] } {
  const tl = new Timeline();
  const ifaces: { name: string; linkType: number; link: LinkSpec }[] = [
    { name: 'eth0', linkType: LinkType.ETHERNET, link: { type: 'ethernet' as const } },
    { name: 'eth0.100', linkType: LinkType.ETHERNET, link: { type: 'ethernet' as const, vlans: [100] } },
    { name: 'qinq', linkType: LinkType.ETHERNET, link: { type: 'ethernet' as const, vlans: [10, 20], qinq: true } },
    { name: 'raw', linkType: LinkType.RAW, link: { type: 'raw' as const } },
    { name: 'any', linkType: LinkType.LINUX_SLL, link: { type: 'sll' as const } },
    { name: 'any2', linkType: LinkType.LINUX_SLL2, link: { type: 'sll2' as const } },
    { name: 'lo0', linkType: LinkType.NULL, link: { type: 'null' as const } },
    { name: 'lo1', linkType: LinkType.LOOP, link: { type: 'loop' as const } },
  ];
  let t = 0;
  ifaces.forEach((i, idx) => {
    tl.add((t += 0.01), { ip: { v: 6, src: HOST, dst: '64:ff9b::c633:6407' }, l4: { tcp: { srcPort: 50000 + idx, dstPort: 443, flags: 2, seq: 1000 * idx, mss: 1440 } } }, { iface: idx, link: i.link });
    tl.add((t += 0.01), { ip: { v: 4, src: '198.51.100.7', dst: '192.0.2.9', id: idx, df: true }, l4: { udp: { sport: 53, dport: 1024 + idx } }, payload: encodeDns(answer(idx, 'example.com', 'A', [{ type: 'A', data: '198.51.100.7' }])) }, { iface: idx, link: i.link });
  });
  ifaces.push({ name: 'v4', linkType: LinkType.IPV4, link: { type: 'ipv4' as const } }, { name: 'v6', linkType: LinkType.IPV6, link: { type: 'ipv6' as const } });
  tl.add((t += 0.01), { ip: { v: 4, src: '192.0.2.9', dst: '198.51.100.7' }, l4: { icmp4: { type: 8, code: 0, rest: 0x00010001 } }, payload: 'ping' }, { iface: 8, link: { type: 'ipv4' } });
  tl.add((t += 0.01), { ip: { v: 6, src: HOST, dst: '64:ff9b::c000:201' }, l4: { icmp6: { type: 128, code: 0, rest: 0x00010001 } }, payload: 'ping' }, { iface: 9, link: { type: 'ipv6' } });
  return { tl, ifaces: ifaces.map(({ name, linkType }) => ({ name, linkType })) };
}

/** DNS over TCP: two messages in one segment, a message split across three segments. */
function dnsTcp(): Timeline {
  const tl = new Timeline({ type: 'raw' });
  const f = new TcpFlow(tl, HOST, R53, 41000, 53, 0x10000000, 0x20000000, 64, 64);
  const frameDns = (m: DnsMessageInput) => {
    const b = encodeDns(m);
    const out = new Uint8Array(b.length + 2);
    out[0] = b.length >> 8;
    out[1] = b.length & 0xff;
    out.set(b, 2);
    return out;
  };
  f.syn(0, 1440);
  f.synAck(0.001, 1440);
  f.ack(0.0011, true);
  const q1 = frameDns(query(0x2001, 'big.example.com', 'AAAA'));
  const q2 = frameDns(query(0x2002, 'big.example.com', 'A'));
  f.data(0.002, true, Uint8Array.from([...q1, ...q2]));
  const addrs = Array.from({ length: 40 }, (_, i) => ({ type: 'AAAA', data: `64:ff9b::c633:64${(i + 16).toString(16)}` }));
  const r1 = frameDns(answer(0x2001, 'big.example.com', 'AAAA', addrs));
  // Split: the first segment ends inside the 2-byte length prefix, the second mid-message.
  f.data(0.010, false, r1.subarray(0, 1), 0x10);
  f.data(0.0101, false, r1.subarray(1, 600), 0x10);
  f.data(0.0102, false, r1.subarray(600));
  const r2 = frameDns(answer(0x2002, 'big.example.com', 'A', [{ type: 'A', data: '198.51.100.20' }]));
  f.data(0.011, false, r2);
  // A retransmission of the last response (same sequence number) must not produce a message twice.
  f.sseq = (f.sseq - r2.length) >>> 0;
  f.data(0.2, false, r2);
  f.ack(0.201, true);
  f.fin(0.3, true);
  f.fin(0.301, false);
  f.ack(0.302, true);
  return tl;
}

/** ICMP errors of both families, a Router Advertisement with PREF64, echo. */
function icmp(): Timeline {
  const tl = new Timeline({ type: 'raw' });
  const inner6 = buildIp({ ip: { v: 6, src: HOST, dst: '64:ff9b::cb00:7105' }, l4: { udp: { sport: 33434, dport: 33435 } }, payload: new Uint8Array(32) });
  const inner4 = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.5', id: 4242, ttl: 1 }, l4: { udp: { sport: 33434, dport: 33435 } }, payload: new Uint8Array(32) });
  const tcp4 = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '198.51.100.7', id: 77, df: true }, l4: { tcp: { srcPort: 2000, dstPort: 443, flags: 0x18, seq: 5 } }, payload: new Uint8Array(1460) });
  tl.add(0.0, { ip: { v: 6, src: '64:ff9b::cb00:7101', dst: HOST }, l4: { icmp6: { type: 1, code: 4 } }, payload: inner6 });
  tl.add(0.1, { ip: { v: 6, src: '64:ff9b::cb00:7101', dst: HOST }, l4: { icmp6: { type: 3, code: 0 } }, payload: inner6 });
  tl.add(0.2, { ip: { v: 6, src: '64:ff9b::cb00:7101', dst: HOST }, l4: { icmp6: { type: 4, code: 0, rest: 6 } }, payload: inner6 });
  tl.add(0.3, { ip: { v: 6, src: '64:ff9b::cb00:7101', dst: HOST }, l4: { icmp6: { type: 2, code: 0, rest: 1280 } }, payload: inner6 });
  tl.add(0.4, { ip: { v: 4, src: '203.0.113.1', dst: '192.0.2.2' }, l4: { icmp4: { type: 11, code: 0 } }, payload: inner4.subarray(0, 28) });
  tl.add(0.5, { ip: { v: 4, src: '203.0.113.1', dst: '192.0.2.2' }, l4: { icmp4: { type: 3, code: 4, rest: 1400 } }, payload: tcp4.subarray(0, 28) });
  tl.add(0.6, { ip: { v: 4, src: '203.0.113.5', dst: '192.0.2.2' }, l4: { icmp4: { type: 3, code: 3 } }, payload: inner4.subarray(0, 28) });
  // RFC 4884: Time Exceeded with a length field (original datagram padded to 128 bytes).
  const padded = new Uint8Array(128);
  padded.set(inner4.subarray(0, 60));
  tl.add(0.7, { ip: { v: 4, src: '203.0.113.1', dst: '192.0.2.2' }, l4: { icmp4: { type: 11, code: 0, rest: 32 << 16 } }, payload: padded });
  tl.add(0.8, { ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.5', id: 9 }, l4: { icmp4: { type: 8, code: 0, rest: 0x12340001 } }, payload: 'abcdefghijklmnop' });
  tl.add(0.81, { ip: { v: 4, src: '203.0.113.5', dst: '192.0.2.2', id: 10 }, l4: { icmp4: { type: 0, code: 0, rest: 0x12340001 } }, payload: 'abcdefghijklmnop' });
  // Router Advertisement with a PREF64 option for 64:ff9b::/96 (RFC 8781), lifetime 1800 s.
  const ra = new Uint8Array(16 + 16);
  emitIcmpv6(ra, 0, 134, 0, (64 << 24) | 1800);
  ra.fill(0, 4, 16);
  ra[4] = 64; ra[6] = 0x07; ra[7] = 0x08; // cur hop limit 64, router lifetime 1800
  emitPref64Option(ra, 16, ip6('64:ff9b::'), 96, 1800);
  tl.add(1.0, { ip: { v: 6, src: 'fe80::1', dst: 'ff02::1', hopLimit: 255 }, l4: { icmp6: { type: 134, code: 0, rest: (64 << 24) | 1800 } }, payload: ra.subarray(8) });
  return tl;
}

/** IPv4 and IPv6 fragments (UDP datagrams split in two). */
function fragments(): Timeline {
  const tl = new Timeline({ type: 'raw' });
  const rnd = prng(7915);
  const data = bytesOf(rnd, 2000);
  // IPv6: the UDP header + first 1224 bytes, then the rest.
  const whole6 = buildIp({ ip: { v: 6, src: HOST, dst: '64:ff9b::cb00:717b' }, l4: { udp: { sport: 5000, dport: 6000 } }, payload: data }).subarray(40);
  tl.add(0, { ip: { v: 6, src: HOST, dst: '64:ff9b::cb00:717b', ext: [{ type: 'frag', offset: 0, more: true, id: 0xabcdef01 }] }, l4: { proto: 17 }, payload: whole6.subarray(0, 1232) });
  tl.add(0.001, { ip: { v: 6, src: HOST, dst: '64:ff9b::cb00:717b', ext: [{ type: 'frag', offset: 1232, more: false, id: 0xabcdef01 }] }, l4: { proto: 17 }, payload: whole6.subarray(1232) });
  const whole4 = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.123' }, l4: { udp: { sport: 5000, dport: 6000 } }, payload: data }).subarray(20);
  tl.add(0.01, { ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.123', id: 4660, mf: true, fragOffset: 0 }, l4: { proto: 17 }, payload: whole4.subarray(0, 1480) }, {});
  tl.add(0.011, { ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.123', id: 4660, fragOffset: 1480 }, l4: { proto: 17 }, payload: whole4.subarray(1480) });
  return tl;
}

/** Checksum verdicts: good, bad, zero (IPv4 UDP), partial (offload), IPv4 total length 0, truncated. */
function checksums(): Timeline {
  const tl = new Timeline({ type: 'ethernet' });
  const v6 = { v: 6 as const, src: HOST, dst: '64:ff9b::c633:6407' };
  const v4 = { v: 4 as const, src: '192.0.2.2', dst: '198.51.100.7', id: 1 };
  tl.add(0.0, { ip: v6, l4: { tcp: { srcPort: 1, dstPort: 443, flags: 2 } } });
  tl.add(0.1, { ip: v6, l4: { tcp: { srcPort: 2, dstPort: 443, flags: 2 } }, l4Checksum: 'bad' });
  tl.add(0.2, { ip: v6, l4: { tcp: { srcPort: 3, dstPort: 443, flags: 0x18 } }, payload: 'partial', l4Checksum: 'partial' });
  tl.add(0.3, { ip: v6, l4: { udp: { sport: 40004, dport: 40053 } }, payload: 'zero', l4Checksum: 'zero' });
  tl.add(0.4, { ip: v4, l4: { udp: { sport: 40005, dport: 40123 } }, payload: 'zero', l4Checksum: 'zero' });
  tl.add(0.5, { ip: v4, l4: { udp: { sport: 40006, dport: 40123 } }, payload: 'bad', l4Checksum: 'bad' });
  tl.add(0.6, { ip: { ...v4, checksum: 0x1234 }, l4: { icmp4: { type: 8, code: 0, rest: 1 } }, payload: 'bad ip header' });
  tl.add(0.7, { ip: v6, l4: { icmp6: { type: 128, code: 0, rest: 1 } }, payload: 'bad', l4Checksum: 'bad' });
  tl.add(0.8, { ip: { ...v4, totalLength: 0 }, l4: { tcp: { srcPort: 7, dstPort: 443, flags: 0x18 } }, payload: new Uint8Array(3000), l4Checksum: 'partial' });
  tl.add(0.9, { ip: v6, l4: { tcp: { srcPort: 8, dstPort: 443, flags: 0x18 } }, payload: new Uint8Array(500) }, { snap: 96 });
  tl.add(1.0, { ip: v4, l4: { tcp: { srcPort: 9, dstPort: 443, flags: 0x10 } }, payload: 'ok' });
  return tl;
}

/** Malformed packets: every one must be reported, none may stop the reader. */
function malformed(): Timeline {
  const tl = new Timeline({ type: 'raw' });
  const good = buildIp({ ip: { v: 6, src: HOST, dst: '64:ff9b::c633:6407' }, l4: { tcp: { srcPort: 1, dstPort: 443, flags: 2, mss: 1440 } } });
  tl.addRaw(0, good.subarray(0, 30)); // IPv6 header cut
  const badVer = good.slice(); badVer[0] = 0x50;
  tl.addRaw(0.1, badVer);
  const tcpCut = good.slice(0, 50);
  tl.addRaw(0.2, tcpCut); // TCP header cut (payload length says more)
  const badOff = good.slice(); badOff[40 + 12] = 0x20; // data offset 8 bytes
  tl.addRaw(0.3, badOff);
  const badOpt = good.slice(); badOpt[40 + 21] = 0; // MSS option with length 0
  tl.addRaw(0.4, badOpt);
  const v4 = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '198.51.100.7' }, l4: { udp: { sport: 53, dport: 53 } }, payload: encodeDns(query(1, 'example.com', 'A')) });
  const badIhl = v4.slice(); badIhl[0] = 0x43;
  tl.addRaw(0.5, badIhl);
  const udpLen = v4.slice(); udpLen[24] = 0; udpLen[25] = 200;
  tl.addRaw(0.6, udpLen);
  // DNS with a compression loop: question name is a pointer to itself.
  const loop = encodeDns(query(2, 'a.example.com', 'AAAA', false));
  loop[12] = 0xc0; loop[13] = 12;
  tl.add(0.7, { ip: { v: 6, src: HOST, dst: R53 }, l4: { udp: { sport: 40000, dport: 53 } }, payload: loop });
  // DNS message cut short.
  tl.add(0.8, { ip: { v: 6, src: R53, dst: HOST }, l4: { udp: { sport: 53, dport: 40000 } }, payload: encodeDns(answer(3, 'example.com', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::1' }])).subarray(0, 40) });
  // Hop-by-hop header after a destination options header.
  tl.add(0.9, { ip: { v: 6, src: HOST, dst: '64:ff9b::c633:6407', ext: [{ type: 'dst' }, { type: 'hbh' }] }, l4: { udp: { sport: 1, dport: 2 } } });
  tl.addRaw(1.0, Uint8Array.from([0x00, 0x01, 0x02])); // not IP at all
  return tl;
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const eth = [{ name: 'eth0', linkType: LinkType.ETHERNET }];
  const raw = [{ name: 'raw0', linkType: LinkType.RAW }];
  const d = demo().sorted();
  await writeTimeline(d, { path: join(OUT, 'demo.pcapng'), interfaces: eth, start: START });
  // The same scenario as classic pcap, little-endian microseconds, and gzip-compressed.
  await writeTimeline(d, { path: join(OUT, 'demo-classic.pcap'), interfaces: eth, start: START });
  writeFileSync(join(OUT, 'demo-classic.pcap.gz'), gzipSync(readFileSync(join(OUT, 'demo-classic.pcap')), { level: 9, mtime: 0 } as never));
  await writeTimeline(d, { path: join(OUT, 'demo-nanosecond.pcap'), interfaces: eth, start: START, nanosecond: true });
  const lt = linktypes();
  await writeTimeline(lt.tl.frames, { path: join(OUT, 'linktypes.pcapng'), interfaces: lt.ifaces, start: START });
  await writeTimeline(dnsTcp().frames, { path: join(OUT, 'dns-tcp.pcap'), interfaces: raw, start: START });
  await writeTimeline(icmp().frames, { path: join(OUT, 'icmp-errors.pcapng'), interfaces: raw, start: START });
  await writeTimeline(fragments().frames, { path: join(OUT, 'fragments.pcap'), interfaces: raw, start: START });
  await writeTimeline(checksums().frames, { path: join(OUT, 'checksums.pcapng'), interfaces: eth, start: START });
  await writeTimeline(malformed().frames, { path: join(OUT, 'malformed.pcap'), interfaces: raw, start: START });
  // A file cut in the middle of a record.
  const full = readFileSync(join(OUT, 'demo-classic.pcap'));
  writeFileSync(join(OUT, 'truncated.pcap'), full.subarray(0, full.length - 37));
  process.stdout.write(`fixtures written to ${OUT}\n`);
}

main().catch((err) => {
  process.stderr.write(`build-fixtures: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
