/**
 * Builds fixtures/pcaps/diag/: for each rule of the failure catalog (src/diag/rules/), a capture
 * that shows the failure (`<id>-fail.pcap`) and a healthy one (`<id>-ok.pcap`). Classic pcap, raw
 * IP (LINKTYPE_RAW), as seen on an IPv6-only host (plus the IPv4 side where a rule needs it).
 * Deterministic: fixed timestamps (2026-11-20 10:00:00 UTC), fixed ISNs and payloads, so the same
 * source gives byte-identical files. fixtures/pcaps/diag/README.md describes each one.
 *
 *   npm run build && node dist/scripts/build-diag-fixtures.js [OUT_DIR]
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Timeline, TcpFlow, prng, bytesOf, writeTimeline, buildIp } from './lib/timeline.js';
import { encodeDns, type DnsMessageInput } from '../src/wire/dns.js';
import { LinkType } from '../src/pcap/linktype.js';
import { emitIcmpv6, emitPref64Option } from '../src/wire/icmpv6.js';
import { ip6 } from '../src/wire/builder.js';

const OUT = process.argv[2] ?? 'fixtures/pcaps/diag';
const START = Date.UTC(2026, 10, 20, 10, 0, 0) / 1000;

// The cast: an IPv6-only host, the Route 53 Resolver, a resolver without DNS64, global IPv4 servers.
const HOST = '2600:1f14:abc:de00::10';
const R53 = 'fd00:ec2::253';
const PLAIN_RESOLVER = '2600:1f14:abc:de00::53';
const S1 = '52.94.76.10';
const S2 = '52.94.76.11';
const S3 = '52.94.76.12';
const NATIVE6 = '2a05:d018:abc::10';
const ROUTER1 = '52.93.1.1';
const ROUTER2 = '52.93.2.1';

/** 64:ff9b::/96 + IPv4 (RFC 6052). */
function nat(v4: string, prefix = '64:ff9b::'): string {
  const o = v4.split('.').map(Number);
  return `${prefix}${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
}

function q(id: number, name: string, type: string, extra: Partial<DnsMessageInput> = {}): DnsMessageInput {
  return { id, flags: ['RD'], questions: [{ name, type }], edns: { udpSize: 1232 }, ...extra };
}
function a(id: number, name: string, type: string, answers: { type: string; data: string }[], extra: Partial<DnsMessageInput> = {}): DnsMessageInput {
  return { id, qr: true, flags: ['QR', 'RD', 'RA'], questions: [{ name, type }], answers: answers.map((x) => ({ name, type: x.type, ttl: 60, data: x.data })), edns: { udpSize: 1232 }, ...extra };
}
const SOA = [{ name: 'example.net', type: 'SOA', ttl: 900, data: 'ns1.example.net. hostmaster.example.net. 2026112001 7200 3600 1209600 900' }];

/** AAAA (and optionally A) lookup of `name` by the host. */
function lookup(tl: Timeline, t: number, port: number, name: string, aaaa: string[], v4: string[] | null, resolver = R53): void {
  tl.dns(t, HOST, resolver, port, 53, q(port, name, 'AAAA'));
  tl.dns(t + 0.002, resolver, HOST, 53, port, aaaa.length ? a(port, name, 'AAAA', aaaa.map((x) => ({ type: 'AAAA', data: x }))) : { ...a(port, name, 'AAAA', []), authorities: SOA });
  if (v4) {
    tl.dns(t + 0.001, HOST, resolver, port + 1, 53, q(port + 1, name, 'A'));
    tl.dns(t + 0.003, resolver, HOST, 53, port + 1, a(port + 1, name, 'A', v4.map((x) => ({ type: 'A', data: x }))));
  }
}

/** A TCP connection that works: handshake, request, response, FIN. */
function goodTcp(tl: Timeline, t: number, server: string, cport: number, sport = 443, seed = 1): TcpFlow {
  const r = prng(seed);
  const f = new TcpFlow(tl, HOST, server, cport, sport, Math.floor(r() * 2 ** 32), Math.floor(r() * 2 ** 32), 64, 230);
  f.syn(t, 1440);
  f.synAck(t + 0.03, 1440);
  f.ack(t + 0.031, true);
  f.data(t + 0.032, true, bytesOf(r, 200));
  f.data(t + 0.07, false, bytesOf(r, 900));
  f.ack(t + 0.071, true);
  f.fin(t + 0.08, true);
  f.fin(t + 0.11, false);
  f.ack(t + 0.111, true);
  return f;
}

/** SYNs with exponential backoff, never answered. */
function deadSyns(tl: Timeline, t: number, server: string, cport: number, sport = 443, tries = 5, seed = 2): TcpFlow {
  const r = prng(seed);
  const f = new TcpFlow(tl, HOST, server, cport, sport, Math.floor(r() * 2 ** 32), 0, 64, 230);
  let dt = 1;
  for (let i = 0; i < tries; i++) {
    f.syn(t, 1440);
    t += dt;
    dt *= 2;
  }
  return f;
}

type Scenario = { id: string; fail: Timeline; ok: Timeline };

function prefixNotRouted(): Scenario {
  const fail = new Timeline();
  lookup(fail, 0, 40001, 'app.example.net', [nat(S1)], null);
  deadSyns(fail, 0.01, nat(S1), 49200);
  const ok = new Timeline();
  lookup(ok, 0, 40001, 'app.example.net', [nat(S1)], null);
  goodTcp(ok, 0.01, nat(S1), 49200);
  return { id: 'prefix-not-routed', fail, ok };
}

function dns64Missing(): Scenario {
  const fail = new Timeline();
  lookup(fail, 0, 40010, 'v4only.example.net', [], [S1], PLAIN_RESOLVER);
  const ok = new Timeline();
  lookup(ok, 0, 40010, 'v4only.example.net', [nat(S1)], [S1]);
  return { id: 'dns64-missing', fail, ok };
}

function routerAdvertisement(tl: Timeline, t: number, prefix: string, len: number): void {
  const ra = new Uint8Array(16 + 16);
  emitIcmpv6(ra, 0, 134, 0, (64 << 24) | 1800);
  ra.fill(0, 4, 16);
  ra[4] = 64;
  ra[6] = 0x07;
  ra[7] = 0x08;
  emitPref64Option(ra, 16, ip6(prefix), len, 1800);
  tl.add(t, { ip: { v: 6, src: 'fe80::1', dst: 'ff02::1', hopLimit: 255 }, l4: { icmp6: { type: 134, code: 0, rest: (64 << 24) | 1800 } }, payload: ra.subarray(8) });
}

function dns64PrefixMismatch(): Scenario {
  const build = (synthPrefix: string) => {
    const tl = new Timeline();
    routerAdvertisement(tl, 0, '64:ff9b::', 96);
    tl.dns(0.1, HOST, R53, 40020, 53, q(0x7050, 'ipv4only.arpa', 'AAAA'));
    tl.dns(0.102, R53, HOST, 53, 40020, a(0x7050, 'ipv4only.arpa', 'AAAA', [{ type: 'AAAA', data: '64:ff9b::c000:aa' }, { type: 'AAAA', data: '64:ff9b::c000:ab' }]));
    lookup(tl, 0.2, 40021, 'api.example.net', [nat(S1, synthPrefix)], [S1]);
    return tl;
  };
  return { id: 'dns64-prefix-mismatch', fail: build('2001:db8:64::'), ok: build('64:ff9b::') };
}

function dns64Dnssec(): Scenario {
  const fail = new Timeline();
  fail.dns(0, HOST, R53, 40030, 53, q(0x4401, 'secure.example.net', 'AAAA', { flags: ['RD', 'CD'], edns: { udpSize: 1232, do: true } }));
  fail.dns(0.003, R53, HOST, 53, 40030, a(0x4401, 'secure.example.net', 'AAAA', [{ type: 'AAAA', data: nat(S2) }], { flags: ['QR', 'RD', 'RA', 'AD', 'CD'], edns: { udpSize: 1232, do: true } }));
  const ok = new Timeline();
  ok.dns(0, HOST, R53, 40030, 53, q(0x4401, 'secure.example.net', 'AAAA', { edns: { udpSize: 1232, do: true } }));
  ok.dns(0.003, R53, HOST, 53, 40030, a(0x4401, 'secure.example.net', 'AAAA', [{ type: 'AAAA', data: nat(S2) }], { edns: { udpSize: 1232, do: true } }));
  return { id: 'dns64-dnssec', fail, ok };
}

function ipv4OnlyClient(): Scenario {
  const fail = new Timeline();
  fail.dns(0, HOST, R53, 40040, 53, q(40040, 'legacy.example.net', 'A'));
  fail.dns(0.002, R53, HOST, 53, 40040, a(40040, 'legacy.example.net', 'A', [{ type: 'A', data: S2 }]));
  // The application's IPv4-mapped destination leaks onto the wire.
  deadSyns(fail, 0.01, `::ffff:${S2}`, 49300, 443, 3);
  const ok = new Timeline();
  lookup(ok, 0, 40040, 'legacy.example.net', [nat(S2)], [S2]);
  goodTcp(ok, 0.01, nat(S2), 49300);
  return { id: 'ipv4-only-client', fail, ok };
}

function nonGlobal(): Scenario {
  const fail = new Timeline();
  deadSyns(fail, 0, nat('10.20.0.5'), 49400, 5432, 3);
  const ok = new Timeline();
  goodTcp(ok, 0, nat(S1), 49400, 5432);
  return { id: 'non-global-behind-wkp', fail, ok };
}

function pmtu(): Scenario {
  const build = (healthy: boolean) => {
    const tl = new Timeline();
    const r = prng(7);
    const f = new TcpFlow(tl, HOST, nat(S1), 49500, 443, 1000, 5000, 64, 230);
    f.syn(0, 1440);
    f.synAck(0.03, healthy ? 1440 : 1460);
    f.ack(0.031, true);
    const big = bytesOf(r, 1440);
    if (healthy) {
      f.data(0.04, true, big);
      f.ack(0.07, false);
      f.fin(0.08, true);
      f.fin(0.11, false);
      f.ack(0.111, true);
    } else {
      // The same full-size segment, again and again, never acknowledged; no Packet Too Big.
      const seg = f.peek(true, 0x18, big);
      for (const t of [0.04, 0.3, 0.8, 1.8, 3.8]) tl.addRaw(t, seg);
    }
    return tl;
  };
  return { id: 'pmtu-blackhole', fail: build(false), ok: build(true) };
}

function frags(): Scenario {
  const fail = new Timeline();
  const r = prng(8);
  const f = new TcpFlow(fail, HOST, nat(S1), 49600, 443, 2000, 6000, 64, 230);
  f.syn(0, 1440);
  f.synAck(0.03, 1440);
  f.ack(0.031, true);
  // A 2000-byte TCP segment sent as two IPv6 fragments.
  const whole = f.peek(true, 0x18, bytesOf(r, 2000));
  const l4 = whole.subarray(40);
  const id = 0x5a5a0001;
  fail.add(0.04, { ip: { v: 6, src: HOST, dst: nat(S1), ext: [{ type: 'frag', offset: 0, more: true, id }] }, l4: { proto: 6 }, payload: l4.subarray(0, 1232) });
  fail.add(0.0401, { ip: { v: 6, src: HOST, dst: nat(S1), ext: [{ type: 'frag', offset: 1232, more: false, id }] }, l4: { proto: 6 }, payload: l4.subarray(1232) });
  // A large DNS answer in two fragments, then the same query over TCP.
  fail.dns(0.5, HOST, R53, 40050, 53, q(40050, 'big.example.net', 'TXT'));
  const udp = buildIp({ ip: { v: 6, src: R53, dst: HOST }, l4: { udp: { sport: 53, dport: 40050 } }, payload: bytesOf(r, 1800) }).subarray(40);
  fail.add(0.503, { ip: { v: 6, src: R53, dst: HOST, ext: [{ type: 'frag', offset: 0, more: true, id: 0x77 }] }, l4: { proto: 17 }, payload: udp.subarray(0, 1232) });
  fail.add(0.5031, { ip: { v: 6, src: R53, dst: HOST, ext: [{ type: 'frag', offset: 1232, more: false, id: 0x77 }] }, l4: { proto: 17 }, payload: udp.subarray(1232) });
  // The resolver's answer never arrived whole: the client retries over TCP (RFC 7766).
  const t = new TcpFlow(fail, HOST, R53, 40051, 53, 3333, 4444, 64, 64);
  t.syn(1.5, 1440);
  t.synAck(1.501, 1440);
  t.ack(1.502, true);
  const qm = encodeDns(q(40050, 'big.example.net', 'TXT'));
  const framed = new Uint8Array(2 + qm.length);
  framed[0] = qm.length >> 8;
  framed[1] = qm.length & 0xff;
  framed.set(qm, 2);
  t.data(1.503, true, framed);
  const ok = new Timeline();
  goodTcp(ok, 0, nat(S1), 49600);
  lookup(ok, 0.5, 40050, 'big.example.net', [nat(S3)], null);
  return { id: 'fragments', fail, ok };
}

function icmpTranslation(): Scenario {
  const build = (healthy: boolean) => {
    const tl = new Timeline();
    const dst = nat(S1);
    const hops = healthy ? [nat(ROUTER1), nat(ROUTER2), dst] : [dst, dst, dst];
    for (let i = 0; i < 3; i++) {
      const t = i * 0.1;
      const probe = buildIp({ ip: { v: 6, src: HOST, dst, hopLimit: i + 1 }, l4: { udp: { sport: 40060, dport: 33434 + i } }, payload: new Uint8Array(24) });
      tl.addRaw(t, probe);
      const last = i === 2;
      tl.add(t + 0.02, { ip: { v: 6, src: hops[i], dst: HOST, hopLimit: 250 }, l4: { icmp6: last ? { type: 1, code: 4 } : { type: 3, code: 0 } }, payload: probe });
    }
    return tl;
  };
  return { id: 'icmp-translation', fail: build(false), ok: build(true) };
}

function checksums(): Scenario {
  const fail = new Timeline();
  const f = new TcpFlow(fail, HOST, nat(S1), 49700, 443, 3000, 7000, 64, 230);
  f.syn(0, 1440);
  // The SYN-ACK that came out of the translator carries a bad TCP checksum (twice).
  for (const t of [0.03, 1.03]) fail.add(t, { ip: { v: 6, src: nat(S1), dst: HOST, hopLimit: 230 }, l4: { tcp: { srcPort: 443, dstPort: 49700, flags: 0x12, seq: 7000, ack: 3001, window: 65160, mss: 1440 } }, l4Checksum: 'bad' });
  fail.add(1.5, { ip: { v: 6, src: R53, dst: HOST }, l4: { udp: { sport: 53, dport: 40070 } }, payload: 'corrupted', l4Checksum: 'bad' });
  const ok = new Timeline();
  // Offload artefacts only: a partial checksum from the capturing host, an IPv4 TSO frame with
  // total length 0, and a GRO-merged 3000-byte IPv6 frame whose checksum was not redone.
  ok.add(0, { ip: { v: 6, src: HOST, dst: nat(S1) }, l4: { tcp: { srcPort: 49701, dstPort: 443, flags: 0x18, seq: 1, ack: 1, window: 500 } }, payload: 'GET / HTTP/1.1\r\n\r\n', l4Checksum: 'partial' });
  ok.add(0.1, { ip: { v: 4, src: '10.0.0.5', dst: S1, totalLength: 0, df: true, id: 1 }, l4: { tcp: { srcPort: 1025, dstPort: 443, flags: 0x18, seq: 1, ack: 1, window: 500 } }, payload: new Uint8Array(3000).fill(1), l4Checksum: 'partial' });
  ok.add(0.2, { ip: { v: 6, src: nat(S1), dst: HOST, hopLimit: 230 }, l4: { tcp: { srcPort: 443, dstPort: 49701, flags: 0x10, seq: 1, ack: 19, window: 500 } }, payload: new Uint8Array(3000).fill(2), l4Checksum: 'bad' });
  return { id: 'checksum-bad', fail, ok };
}

function idle(): Scenario {
  const build = (gap: number) => {
    const tl = new Timeline();
    const r = prng(11);
    const f = new TcpFlow(tl, HOST, nat(S1), 49800, 443, 4000, 8000, 64, 230);
    f.syn(0, 1440);
    f.synAck(0.03, 1440);
    f.ack(0.031, true);
    f.data(0.04, true, bytesOf(r, 100));
    f.ack(0.07, false);
    f.data(gap, true, bytesOf(r, 100));
    if (gap > 400) f.rst(gap + 0.001, false);
    else {
      f.ack(gap + 0.03, false);
      f.fin(gap + 0.04, true);
      f.fin(gap + 0.07, false);
      f.ack(gap + 0.071, true);
    }
    return tl;
  };
  return { id: 'idle-timeout', fail: build(7500), ok: build(200) };
}

function portExhaustion(): Scenario {
  const build = (healthy: boolean) => {
    const tl = new Timeline();
    for (let i = 0; i < 12; i++) {
      const f = new TcpFlow(tl, HOST, nat(S1), 50000 + i, 443, 10000 + i * 1000, 90000 + i, 64, 230);
      const t = i * 0.01;
      f.syn(t, 1440);
      if (healthy) f.synAck(t + 0.03, 1440);
      else if (i >= 10) {
        const syn = f.peek(true, 0x02, new Uint8Array(0));
        tl.add(t + 0.001, { ip: { v: 6, src: nat(S1), dst: HOST, hopLimit: 64 }, l4: { icmp6: { type: 1, code: 3 } }, payload: syn });
      } else f.synAck(t + 0.03, 1440);
    }
    return tl;
  };
  return { id: 'port-exhaustion', fail: build(false), ok: build(true) };
}

function externallyInitiated(): Scenario {
  const fail = new Timeline();
  // An IPv4 client connects to the translator's pool4 address (rfc profile: 192.0.2.2, ports 1-3000).
  for (const t of [0, 1, 3]) fail.add(t, { ip: { v: 4, src: S1, dst: '192.0.2.2', ttl: 50, df: true, id: 7 }, l4: { tcp: { srcPort: 51000, dstPort: 2000, flags: 0x02, seq: 777, window: 64240, mss: 1460 } } });
  const ok = new Timeline();
  goodTcp(ok, 0, nat(S1), 49900);
  return { id: 'externally-initiated', fail, ok };
}

function hairpin(): Scenario {
  const fail = new Timeline();
  // 64:ff9b::192.0.2.2 is the translator's own address (rfc profile pool4).
  deadSyns(fail, 0, '64:ff9b::c000:202', 49950, 2000, 3);
  const ok = new Timeline();
  goodTcp(ok, 0, nat(S1), 49950);
  return { id: 'hairpinning', fail, ok };
}

function unsupported(): Scenario {
  const fail = new Timeline();
  for (let i = 0; i < 3; i++) fail.add(i * 0.5, { ip: { v: 6, src: HOST, dst: nat(S3) }, l4: { proto: 50 }, payload: bytesOf(prng(20 + i), 96) });
  fail.add(2, { ip: { v: 6, src: HOST, dst: nat(S3) }, l4: { proto: 47 }, payload: bytesOf(prng(30), 64) });
  const ok = new Timeline();
  for (let i = 0; i < 3; i++) {
    ok.add(i * 0.5, { ip: { v: 6, src: HOST, dst: nat(S3) }, l4: { udp: { sport: 4500, dport: 4500 } }, payload: bytesOf(prng(20 + i), 96) });
    ok.add(i * 0.5 + 0.02, { ip: { v: 6, src: nat(S3), dst: HOST, hopLimit: 230 }, l4: { udp: { sport: 4500, dport: 4500 } }, payload: bytesOf(prng(40 + i), 96) });
  }
  return { id: 'unsupported-protocol', fail, ok };
}

function nativeBroken(): Scenario {
  const fail = new Timeline();
  lookup(fail, 0, 40160, 'dual.example.net', [NATIVE6], [S3]);
  deadSyns(fail, 0.01, NATIVE6, 49990, 443, 4);
  const ok = new Timeline();
  lookup(ok, 0, 40160, 'dual.example.net', [NATIVE6], [S3]);
  goodTcp(ok, 0.01, NATIVE6, 49990);
  return { id: 'native-ipv6-broken', fail, ok };
}

export function scenarios(): Scenario[] {
  return [prefixNotRouted(), dns64Missing(), dns64PrefixMismatch(), dns64Dnssec(), ipv4OnlyClient(), nonGlobal(), pmtu(), frags(), icmpTranslation(), checksums(), idle(), portExhaustion(), externallyInitiated(), hairpin(), unsupported(), nativeBroken()];
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const raw = [{ name: 'raw0', linkType: LinkType.RAW }];
  for (const s of scenarios()) {
    await writeTimeline(s.fail.sorted(), { path: join(OUT, `${s.id}-fail.pcap`), interfaces: raw, start: START });
    await writeTimeline(s.ok.sorted(), { path: join(OUT, `${s.id}-ok.pcap`), interfaces: raw, start: START });
  }
  process.stdout.write(`diag fixtures written to ${OUT}\n`);
}

main().catch((err) => {
  process.stderr.write(`build-diag-fixtures: ${err instanceof Error ? err.stack : err}\n`);
  process.exit(1);
});
