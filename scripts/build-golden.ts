/**
 * Builds the golden-capture regression suite under test/golden/ (DESIGN.md "Golden captures"):
 *
 *   test/golden/inputs/NAME.pcapng            a small capture exercising one RFC rule
 *   test/golden/configs/NAME.json             the engine configuration (SPEC §3 JSON)
 *   test/golden/expected/CASE.expected.pcapng what `translate` must emit for it
 *   test/golden/expected/CASE.explain.ndjson  its drop report (`--explain`)
 *   test/golden/cases.json                    the manifest the test reads
 *   test/golden/README.md                     each case and the RFC sentence it checks
 *
 * Deterministic: fixed timestamps, no randomness, so running it twice gives identical files.
 * Run `npm run build && node dist/scripts/build-golden.js [OUTDIR]` (default test/golden).
 *
 * The expected files are *reviewed*, not blindly regenerated: after a run, `git diff
 * test/golden/` shows what changed; check every changed packet against the RFC sentence in the
 * README before committing it. A case whose engine behaviour contradicts the RFC carries a
 * `bug` note and a `correct` function that turns the engine's output into what the RFC asks
 * for, so its expected file shows the RFC and the test (marked `it.fails`) keeps the bug visible.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Timeline, writeTimeline, buildIp } from './lib/timeline.js';
import { LinkType } from '../src/pcap/linktype.js';
import { loadConfig } from '../src/xlat/config.js';
import { runGoldenCase, refreshOutputs, writeManifest, MANIFEST_FORMAT, type GoldenCaseManifest } from '../src/replay/golden.js';
import { Reason, reasonId, reasonText } from '../src/diag/reasons.js';

/** 2026-03-01 12:00:00 UTC: every input starts here. */
export const START = Date.UTC(2026, 2, 1, 12, 0, 0) / 1000;

// The cast (RFC 5737 / RFC 3849 documentation addresses unless a rule needs a global one).
const NSP = '2001:db8:64::/96'; // network-specific prefix: documentation IPv4 addresses are fine behind it
const V6_HOST = '2001:db8:64::c633:640a'; // SIIT: IPv6 node 198.51.100.10 (IPv4-translatable)
const V4_SERVER = '203.0.113.7';
const V4_SERVER_AS6 = '2001:db8:64::cb00:7107';
const V4_ROUTER = '203.0.113.1';
const V4_ROUTER_AS6 = '2001:db8:64::cb00:7101';
const V6_HOST_AS4 = '198.51.100.10';
const N64_HOST = '2001:db8:1::10'; // NAT64: an IPv6-only host
const N64_HOST2 = '2001:db8:1::20';
const POOL4 = '192.0.2.2';

export interface GoldenCase {
  /** File stem of the expected files. */
  name: string;
  /** Input capture stem (inputs/INPUT.pcapng), shared by cases that differ only in config. */
  input: string;
  /** Config stem (configs/CONFIG.json). */
  config: string;
  /** RFC and section. */
  rfc: string;
  /** The RFC sentence(s) the case checks. */
  quote: string;
  /** true: the quote is the RFC's text, checked against a copy of it; false: a paraphrase. */
  verbatim: boolean;
  /** What the capture holds and what the key-fact test asserts. */
  what: string;
  /** A known engine bug this case exposes (its test is `it.fails`). */
  bug?: string;
}

interface CaseDef extends GoldenCase {
  build?: () => Timeline;
  configJson?: Record<string, unknown>;
  /**
   * For a case with a known engine bug: turns the engine's output into what the RFC asks for
   * (the expected file then shows the RFC, and the test is `it.fails` until the bug is fixed).
   */
  correct?: (pcap: Uint8Array, explain: string[]) => { pcap: Uint8Array; explain: string[] };
}

// ------------------------------------------------------------------------------------------
// pcapng surgery for the corrections (little-endian files as src/pcap/writer.ts writes them,
// nanosecond timestamps).

function u32le(b: Uint8Array, o: number): number {
  return (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0;
}

/** Offsets of the Enhanced Packet Blocks, in file order. */
function epbOffsets(b: Uint8Array): number[] {
  const out: number[] = [];
  let o = 0;
  while (o + 12 <= b.length) {
    const type = u32le(b, o);
    const len = u32le(b, o + 4);
    if (type === 6) out.push(o);
    o += len;
  }
  return out;
}

/** Sets the timestamp of the i-th packet (0-based) to `sec` + `nsec`. */
function setTimestamp(b: Uint8Array, i: number, sec: number, nsec: number): Uint8Array {
  const out = b.slice();
  const o = epbOffsets(out)[i];
  const ts = BigInt(sec) * 1_000_000_000n + BigInt(nsec);
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  dv.setUint32(o + 12, Number(ts >> 32n), true);
  dv.setUint32(o + 16, Number(ts & 0xffffffffn), true);
  return out;
}

/** Removes the i-th packet (0-based). */
function dropPacket(b: Uint8Array, i: number): Uint8Array {
  const o = epbOffsets(b)[i];
  const len = u32le(b, o + 4);
  const out = new Uint8Array(b.length - len);
  out.set(b.subarray(0, o), 0);
  out.set(b.subarray(o + len), o);
  return out;
}

/** An --explain line as src/replay/translate.ts writes it (same key order). */
function explainLine(line: string, verdict: string, emitted: number, reason: number | null): string {
  const o = JSON.parse(line) as { n: number; ts: number };
  const r: Record<string, unknown> = { n: o.n, ts: o.ts, verdict, emitted };
  if (reason !== null) {
    r.reason = reasonId(reason);
    r.detail = reasonText(reason);
  }
  return JSON.stringify(r);
}

const SIIT_BASE = {
  profile: 'rfc',
  mode: 'siit',
  pool6: NSP,
  translator: { ipv6: '2001:db8::1', ipv4: '192.0.2.2' },
};
const NAT64_BASE = {
  profile: 'rfc',
  mode: 'nat64',
  pool6: NSP,
  pool4: [{ prefix: `${POOL4}/32`, ports: '1024-65535', protocols: ['tcp', 'udp', 'icmp'] }],
  translator: { ipv6: '2001:db8::1', ipv4: POOL4 },
};

const pay = (n: number, seed = 1): Uint8Array => {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed * 7) & 0xff;
  return b;
};

// ------------------------------------------------------------------------------------------
// Inputs

function siit6to4(): Timeline {
  const tl = new Timeline();
  const ip = { v: 6 as const, src: V6_HOST, dst: V4_SERVER_AS6, hopLimit: 64, trafficClass: 0x28, flowLabel: 0x12345 };
  tl.add(0.0, { ip, l4: { tcp: { srcPort: 40001, dstPort: 443, flags: 0x02, seq: 1000, window: 64800, mss: 1440, sackPermitted: true, windowScale: 7 } } });
  tl.add(0.1, { ip, l4: { udp: { sport: 40002, dport: 7000 } }, payload: pay(40) });
  tl.add(0.2, { ip, l4: { icmp6: { type: 128, code: 0, rest: (0x4242 << 16) | 1 } }, payload: pay(56) });
  return tl;
}

function siit4to6(): Timeline {
  const tl = new Timeline();
  const ip = { v: 4 as const, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 64, tos: 0xb8, df: true, id: 0x1234 };
  tl.add(0.0, { ip, l4: { tcp: { srcPort: 443, dstPort: 40001, flags: 0x12, seq: 5000, ack: 1001, window: 65160, mss: 1460 } } });
  tl.add(0.1, { ip: { ...ip, id: 0x1235 }, l4: { udp: { sport: 7000, dport: 40002 } }, payload: pay(60, 2) });
  tl.add(0.2, { ip: { ...ip, id: 0x1236 }, l4: { icmp4: { type: 0, code: 0, rest: (0x4242 << 16) | 1 } }, payload: pay(56) });
  return tl;
}

function ttlExpiry(): Timeline {
  const tl = new Timeline();
  tl.add(0.0, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6, hopLimit: 1 }, l4: { udp: { sport: 33434, dport: 33435 } }, payload: pay(32) });
  tl.add(0.1, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 1, id: 77 }, l4: { udp: { sport: 33434, dport: 33436 } }, payload: pay(32) });
  // Hop limit / TTL 2: translated with 1 left.
  tl.add(0.2, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6, hopLimit: 2 }, l4: { udp: { sport: 33434, dport: 33437 } }, payload: pay(32) });
  tl.add(0.3, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 2, id: 78 }, l4: { udp: { sport: 33434, dport: 33438 } }, payload: pay(32) });
  return tl;
}

function df1260(): Timeline {
  const tl = new Timeline();
  // IPv4 size = 20 + 8 + payload: 1232 -> 1260 bytes, 1233 -> 1261 bytes.
  tl.add(0.0, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { udp: { sport: 40010, dport: 9000 } }, payload: pay(1232) });
  tl.add(0.1, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { udp: { sport: 40010, dport: 9000 } }, payload: pay(1233) });
  return tl;
}

function fragLowestMtu(): Timeline {
  const tl = new Timeline();
  // DF=0, 1400 bytes: more than 1280 once translated -> fragments of at most lowestIpv6Mtu.
  tl.add(0.0, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, df: false, id: 0xbeef, ttl: 64 }, l4: { udp: { sport: 9000, dport: 40010 } }, payload: pay(1372) });
  // DF=0 but small: translated whole, no Fragment Header.
  tl.add(0.1, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, df: false, id: 0xbef0, ttl: 64 }, l4: { udp: { sport: 9000, dport: 40010 } }, payload: pay(100) });
  return tl;
}

function tooBig(): Timeline {
  const tl = new Timeline();
  // mtu.ipv4 1400: an IPv6 packet that becomes 1480 bytes of IPv4 draws a PTB (MTU 1420).
  tl.add(0.0, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { udp: { sport: 40020, dport: 9000 } }, payload: pay(1452) });
  // mtu.ipv6 1400: an IPv4 DF=1 packet of 1420 bytes (1440 as IPv6) draws Frag Needed (MTU 1380).
  tl.add(0.1, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, df: true, id: 9, ttl: 64 }, l4: { udp: { sport: 9000, dport: 40020 } }, payload: pay(1392) });
  return tl;
}

function fragNeeded(): Timeline {
  const tl = new Timeline();
  // The packet in error: a 1500-byte TCP segment (DF) from the IPv6 node, as it left the translator.
  const seg = buildIp({ ip: { v: 4, src: V6_HOST_AS4, dst: V4_SERVER, ttl: 60, df: true, id: 0 }, l4: { tcp: { srcPort: 40030, dstPort: 443, flags: 0x18, seq: 7, ack: 9, window: 500 } }, payload: pay(1460) });
  const quote = seg.subarray(0, 548); // RFC 1812 §4.3.2.3: as much as fits in 576 bytes
  tl.add(0.0, { ip: { v: 4, src: V4_ROUTER, dst: V6_HOST_AS4, ttl: 250, id: 1 }, l4: { icmp4: { type: 3, code: 4, rest: 1400 } }, payload: quote });
  // A router that does not implement RFC 1191: MTU 0 -> plateau below Total Length 1500 = 1492.
  tl.add(0.1, { ip: { v: 4, src: V4_ROUTER, dst: V6_HOST_AS4, ttl: 250, id: 2 }, l4: { icmp4: { type: 3, code: 4, rest: 0 } }, payload: quote });
  return tl;
}

function icmp6Errors(): Timeline {
  const tl = new Timeline();
  // The IPv6 node answers a UDP datagram (from 203.0.113.7, translated) with Port Unreachable,
  // quoting it whole: the inner UDP checksum stays verifiable after translation.
  const udp = buildIp({ ip: { v: 6, src: V4_SERVER_AS6, dst: V6_HOST, hopLimit: 62 }, l4: { udp: { sport: 5555, dport: 9999 } }, payload: pay(24) });
  tl.add(0.0, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { icmp6: { type: 1, code: 4 } }, payload: udp });
  // Hop limit exceeded at an IPv6 router (2001:db8:64::c633:6401 = 198.51.100.1) for a TCP SYN.
  const syn = buildIp({ ip: { v: 6, src: V4_SERVER_AS6, dst: V6_HOST, hopLimit: 1 }, l4: { tcp: { srcPort: 443, dstPort: 40040, flags: 0x02, seq: 1, window: 1000 } } });
  tl.add(0.1, { ip: { v: 6, src: '2001:db8:64::c633:6401', dst: V4_SERVER_AS6 }, l4: { icmp6: { type: 3, code: 0 } }, payload: syn });
  return tl;
}

function paramProblem(): Timeline {
  const tl = new Timeline();
  const in4 = buildIp({ ip: { v: 4, src: V6_HOST_AS4, dst: V4_SERVER, ttl: 60, id: 0 }, l4: { udp: { sport: 40050, dport: 7 } }, payload: pay(16) });
  const in6 = buildIp({ ip: { v: 6, src: V4_SERVER_AS6, dst: V6_HOST, hopLimit: 60 }, l4: { udp: { sport: 7, dport: 40050 } }, payload: pay(16) });
  // ICMPv4 12/0 (pointer in byte 4): 8 (TTL) -> 7, 12 (source) -> 8, 4 (Identification) -> n/a (dropped).
  for (const [i, p] of [8, 12, 4].entries()) {
    tl.add(0.1 * i, { ip: { v: 4, src: V4_ROUTER, dst: V6_HOST_AS4, ttl: 250, id: 10 + i }, l4: { icmp4: { type: 12, code: 0, rest: p << 24 } }, payload: in4 });
  }
  // ICMPv6 4/0 (32-bit pointer): 7 (Hop Limit) -> 8, 24 (destination) -> 16, 2 (Flow Label) -> n/a (dropped).
  for (const [i, p] of [7, 24, 2].entries()) {
    tl.add(0.3 + 0.1 * i, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { icmp6: { type: 4, code: 0, rest: p } }, payload: in6 });
  }
  // ICMPv6 4/1 Unrecognized Next Header -> ICMPv4 3/2 Protocol Unreachable.
  tl.add(0.6, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6 }, l4: { icmp6: { type: 4, code: 1, rest: 6 } }, payload: in6 });
  return tl;
}

function routingHeader(): Timeline {
  const tl = new Timeline();
  // Segments Left 1: not translated, ICMPv6 4/0 pointing at Segments Left (40 + 3 = 43).
  tl.add(0.0, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6, ext: [{ type: 'routing', routingType: 2, segmentsLeft: 1, addresses: ['2001:db8:64::cb00:7108'] }] }, l4: { udp: { sport: 40060, dport: 9000 } }, payload: pay(20) });
  // Segments Left 0: translated (the routing header is dropped).
  tl.add(0.1, { ip: { v: 6, src: V6_HOST, dst: V4_SERVER_AS6, ext: [{ type: 'routing', routingType: 2, segmentsLeft: 0, addresses: ['2001:db8:64::cb00:7108'] }] }, l4: { udp: { sport: 40061, dport: 9000 } }, payload: pay(20) });
  return tl;
}

function sourceRoute(): Timeline {
  const tl = new Timeline();
  const lsrr = (pointer: number) => [0x83, 7, pointer, 203, 0, 113, 9, 0]; // LSRR, one address, EOL pad
  // Unexpired (pointer 4 <= length 7): ICMPv4 3/5 back to the sender.
  tl.add(0.0, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 64, id: 20, options: lsrr(4) }, l4: { udp: { sport: 9000, dport: 40070 } }, payload: pay(20) });
  // Expired (pointer 8 > length 7): translated, the option ignored.
  tl.add(0.1, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 64, id: 21, options: lsrr(8) }, l4: { udp: { sport: 9000, dport: 40071 } }, payload: pay(20) });
  // Record Route (7): ignored, translated.
  tl.add(0.2, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 64, id: 22, options: [7, 7, 4, 0, 0, 0, 0, 0] }, l4: { udp: { sport: 9000, dport: 40072 } }, payload: pay(20) });
  return tl;
}

function eam(): Timeline {
  const tl = new Timeline();
  const peer6 = '2001:db8:64::c000:221'; // 192.0.2.33 through pool6
  tl.add(0.0, { ip: { v: 6, src: '2001:db8:6::45', dst: peer6 }, l4: { udp: { sport: 40080, dport: 9000 } }, payload: pay(10) }); // /124 entry -> 203.0.113.21
  tl.add(0.1, { ip: { v: 6, src: '2001:db8:7::10', dst: peer6 }, l4: { udp: { sport: 40081, dport: 9000 } }, payload: pay(10) }); // /120 entry -> 198.51.100.16
  tl.add(0.2, { ip: { v: 4, src: '192.0.2.33', dst: '203.0.113.21' }, l4: { udp: { sport: 9000, dport: 40080 } }, payload: pay(10) });
  tl.add(0.3, { ip: { v: 4, src: '192.0.2.33', dst: '198.51.100.16' }, l4: { udp: { sport: 9000, dport: 40081 } }, payload: pay(10) });
  // Not in the EAMT: pool6 (RFC 6052) applies.
  tl.add(0.4, { ip: { v: 4, src: '192.0.2.33', dst: '198.51.100.99' }, l4: { udp: { sport: 9000, dport: 40082 } }, payload: pay(10) });
  return tl;
}

function wkp(): Timeline {
  const tl = new Timeline();
  // Through 64:ff9b::/96: 10.1.2.3 (RFC 1918, not global) and 8.8.8.8 (global).
  tl.add(0.0, { ip: { v: 6, src: N64_HOST, dst: '64:ff9b::a01:203' }, l4: { udp: { sport: 40090, dport: 7000 } }, payload: pay(30) });
  tl.add(0.1, { ip: { v: 6, src: N64_HOST, dst: '64:ff9b::808:808' }, l4: { udp: { sport: 40091, dport: 7000 } }, payload: pay(30) });
  return tl;
}

function udpZero(): Timeline {
  const tl = new Timeline();
  tl.add(0.0, { ip: { v: 4, src: V4_SERVER, dst: V6_HOST_AS4, ttl: 64, id: 30 }, l4: { udp: { sport: 9000, dport: 40100 } }, payload: pay(33), l4Checksum: 'zero' });
  return tl;
}

function tcpEim(): Timeline {
  const tl = new Timeline();
  // One IPv6 socket (2001:db8:1::10#40000) to two IPv4 servers: one BIB entry, two sessions.
  const s1 = '2001:db8:64::cb00:7107';
  const s2 = '2001:db8:64::c633:6414'; // 198.51.100.20
  const syn = (t: number, dst: string) => tl.add(t, { ip: { v: 6, src: N64_HOST, dst }, l4: { tcp: { srcPort: 40000, dstPort: 443, flags: 0x02, seq: 100, window: 64800, mss: 1440 } } });
  syn(0.0, s1);
  // The SYN/ACK comes to the pool4 transport address the NAT64 chose; the builder cannot know it,
  // so both replies are built after a first translation (see replies below).
  syn(0.1, s2);
  return tl;
}

function nat64NoBib(): Timeline {
  const tl = new Timeline();
  tl.add(0.0, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 64, id: 40 }, l4: { udp: { sport: 9000, dport: 5000 } }, payload: pay(12) });
  tl.add(0.1, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 64, id: 41 }, l4: { icmp4: { type: 8, code: 0, rest: (7 << 16) | 1 } }, payload: pay(8) });
  return tl;
}

function externalSyn(): Timeline {
  const tl = new Timeline();
  tl.add(0.0, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 64, id: 50, df: true }, l4: { tcp: { srcPort: 51000, dstPort: 8080, flags: 0x02, seq: 4242, window: 65535, mss: 1460 } } });
  // Nothing answers from IPv6; a later unrelated IPv4 packet moves the clock past 6 s.
  tl.add(10.0, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 64, id: 51 }, l4: { udp: { sport: 9000, dport: 5001 } }, payload: pay(8) });
  return tl;
}

const HAIRPIN_STATIC = { protocol: 'udp', ipv6: '2001:db8:1::5#2000', ipv4: `${POOL4}#2000` };

function hairpin(): Timeline {
  const tl = new Timeline();
  // 2001:db8:1::20 reaches its neighbour 2001:db8:1::5 through the latter's IPv4 transport
  // address (static BIB 192.0.2.2#2000), embedded in pool6.
  tl.add(0.0, { ip: { v: 6, src: N64_HOST2, dst: '2001:db8:64::c000:202' }, l4: { udp: { sport: 41000, dport: 2000 } }, payload: pay(16) });
  return tl;
}

// ------------------------------------------------------------------------------------------
// Cases whose input depends on the pool4 port the NAT64 picks: built in two steps (the IPv6
// side first, translated, then the IPv4 replies addressed to what came out).

interface Staged {
  first: () => Timeline;
  then: (tl: Timeline, out: { port4: number[] }) => void;
}

const STAGED: Record<string, Staged> = {
  'nat64-tcp-eim': {
    first: tcpEim,
    then: (tl, out) => {
      const [p1, p2] = out.port4;
      tl.add(0.2, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 50, df: true, id: 60 }, l4: { tcp: { srcPort: 443, dstPort: p1, flags: 0x12, seq: 9000, ack: 101, window: 65160, mss: 1460 } } });
      tl.add(0.3, { ip: { v: 4, src: '198.51.100.20', dst: POOL4, ttl: 50, df: true, id: 61 }, l4: { tcp: { srcPort: 443, dstPort: p2, flags: 0x12, seq: 19000, ack: 101, window: 65160, mss: 1460 } } });
      const ack = (t: number, dst: string, ackNo: number) => tl.add(t, { ip: { v: 6, src: N64_HOST, dst }, l4: { tcp: { srcPort: 40000, dstPort: 443, flags: 0x10, seq: 101, ack: ackNo, window: 500 } } });
      ack(0.4, '2001:db8:64::cb00:7107', 9001);
      ack(0.5, '2001:db8:64::c633:6414', 19001);
      // Both closed with a RST from the IPv6 side: the sessions go transitory and expire without
      // the ESTABLISHED-expiry probe, so the capture holds only the packets this case is about.
      const rst = (t: number, dst: string, ackNo: number) => tl.add(t, { ip: { v: 6, src: N64_HOST, dst }, l4: { tcp: { srcPort: 40000, dstPort: 443, flags: 0x14, seq: 101, ack: ackNo, window: 0 } } });
      rst(0.6, '2001:db8:64::cb00:7107', 9001);
      rst(0.7, '2001:db8:64::c633:6414', 19001);
    },
  },
  'nat64-udp-expiry': {
    first: () => {
      const tl = new Timeline();
      tl.add(0.0, { ip: { v: 6, src: N64_HOST, dst: V4_SERVER_AS6 }, l4: { udp: { sport: 40200, dport: 123 } }, payload: pay(48) });
      return tl;
    },
    then: (tl, out) => {
      const p = out.port4[0];
      const reply = (t: number, id: number) => tl.add(t, { ip: { v: 4, src: V4_SERVER, dst: POOL4, ttl: 50, id }, l4: { udp: { sport: 123, dport: p } }, payload: pay(48, 3) });
      reply(1.0, 70); // translated
      reply(200.0, 71); // translated: within timeouts.udp (300 s) of the last packet
      reply(520.0, 72); // 320 s after the last packet: the session (and its BIB entry) expired at 500 s
    },
  },
  'aws-idle-rst': {
    first: () => {
      const tl = new Timeline();
      tl.add(0.0, { ip: { v: 6, src: N64_HOST, dst: '64:ff9b::cb00:7107' }, l4: { tcp: { srcPort: 40300, dstPort: 443, flags: 0x02, seq: 500, window: 64800, mss: 1440 } } });
      return tl;
    },
    then: (tl, out) => {
      const p = out.port4[0];
      tl.add(0.05, { ip: { v: 4, src: V4_SERVER, dst: '10.0.0.5', ttl: 50, df: true, id: 80 }, l4: { tcp: { srcPort: 443, dstPort: p, flags: 0x12, seq: 7000, ack: 501, window: 65160, mss: 1460 } } });
      const seg = (t: number, flags: number, data: number) => tl.add(t, { ip: { v: 6, src: N64_HOST, dst: '64:ff9b::cb00:7107' }, l4: { tcp: { srcPort: 40300, dstPort: 443, flags, seq: 501, ack: 7001, window: 500 } }, payload: pay(data) });
      seg(0.06, 0x10, 0);
      // 350 s of silence, then the host sends again: the gateway answers with a RST.
      seg(360.06, 0x18, 20);
    },
  },
};

// ------------------------------------------------------------------------------------------
// The cases

export const CASES: CaseDef[] = [
  {
    name: 'siit-6to4-headers', input: 'siit-6to4-headers', config: 'siit', build: siit6to4, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §5.1',
    quote: 'Type of Service and Precedence: By default, copied from the IPv6 Traffic Class (all 8 bits). ... Time to Live: Time to Live is derived from Hop Limit value in IPv6 header. ... Protocol: The IPv6-Frag (44) header is handled as discussed in Section 5.1.1; ICMPv6 (58) is changed to ICMPv4 (1), and the payload is translated as discussed in Section 5.2.',
    verbatim: false,
    what: 'IPv6 TCP SYN, UDP and ICMPv6 Echo Request (Traffic Class 0x28, hop limit 64) -> IPv4 with TOS 0x28, TTL 63, IHL 5, MF 0, protocols 6/17/1, ICMP type 8, ports and identifier kept, every checksum good.',
  },
  {
    name: 'siit-4to6-headers', input: 'siit-4to6-headers', config: 'siit', build: siit4to6, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4.1',
    quote: 'Traffic Class: By default, copied from the IP Type Of Service (TOS) octet. Flow Label: 0 (all zero bits). ... Hop Limit: TTL value copied from the IPv4 header. Since the translator is a router, as part of forwarding the packet it needs to decrement either the IPv4 TTL (before the translation) or the IPv6 Hop Limit (after the translation).',
    verbatim: false,
    what: 'IPv4 TCP SYN/ACK, UDP and ICMP Echo Reply (TOS 0xb8, TTL 64, DF) -> IPv6 with Traffic Class 0xb8, flow label 0, hop limit 63, next headers 6/17/58, ICMPv6 type 129, no Fragment Header, checksums good.',
  },
  {
    name: 'siit-ttl-expiry', input: 'siit-ttl-expiry', config: 'siit', build: ttlExpiry, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4.1 / §5.1 (errors: §4.4 / §5.4)',
    quote: 'If the TTL (Hop Limit) becomes zero as a result of the decrement, the packet is discarded and an ICMP Time Exceeded (Type 11, Code 0) / ICMPv6 Time Exceeded (Type 3, Code 0) error is sent back to the source; the translator generates it itself, from its own address (§4.4 / §5.4: "the translator ... SHOULD send an ICMP error message to the source").',
    verbatim: false,
    what: 'Hop limit 1 and TTL 1 -> exactly one ICMPv6 3/0 from 2001:db8::1 (translator.ipv6) and exactly one ICMPv4 11/0 from 192.0.2.2 (translator.ipv4), each quoting the packet; hop limit / TTL 2 are translated with 1 left.',
  },
  {
    name: 'siit-df-1260', input: 'siit-df-1260', config: 'siit', build: df1260, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §5.1',
    quote: "Flags: The More Fragments flag is set to zero. The Don't Fragment (DF) flag is set as follows: If the size of the translated IPv4 packet is less than or equal to 1260 bytes, it is set to zero; otherwise, it is set to one.",
    verbatim: true,
    what: 'Two IPv6 UDP datagrams that become IPv4 packets of exactly 1260 and 1261 bytes: DF=0 for the first, DF=1 for the second, MF=0 for both.',
  },
  {
    name: 'siit-4to6-fragment', input: 'siit-4to6-fragment', config: 'siit', build: fragLowestMtu, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4 / §4.1',
    quote: 'When the IPv4 sender does not set the DF bit, the translator MUST ensure that the packet does not exceed the path MTU on the IPv6 side. This is done by fragmenting the IPv4 packet (with Fragment Headers) so that it fits in 1280-byte IPv6 packets, since that is the minimum IPv6 MTU.',
    verbatim: false,
    what: 'IPv4 DF=0 UDP of 1400 bytes -> two IPv6 fragments of at most 1280 bytes (mtu.lowestIpv6Mtu) with Fragment Headers: identification 0xbeef, offsets 0 (M=1) and 1232 (M=0), next header UDP. A 128-byte DF=0 packet is translated whole, without a Fragment Header.',
  },
  {
    name: 'siit-too-big', input: 'siit-too-big', config: 'siit-mtu1400', build: tooBig,
    configJson: { ...SIIT_BASE, mtu: { ipv6: 1400, ipv4: 1400 } },
    rfc: 'RFC 7915 §5.1 / §4.4 (PTB), §4.1 (Fragmentation Needed)',
    quote: 'IPv6 side: a packet that does not fit the IPv4 next-hop MTU once translated is dropped and an ICMPv6 Packet Too Big is returned whose MTU is the IPv4 MTU plus 20 (the difference between the header sizes). IPv4 side: a DF=1 packet too big for the IPv6 next hop is dropped with ICMPv4 Fragmentation Needed (Type 3, Code 4) carrying the IPv6 MTU minus 20.',
    verbatim: false,
    what: 'mtu.ipv4 = mtu.ipv6 = 1400. IPv6 1500-byte datagram (1480 as IPv4) -> one ICMPv6 2/0 with MTU 1420 from 2001:db8::1; IPv4 DF=1 1420-byte datagram (1440 as IPv6) -> one ICMPv4 3/4 with MTU 1380 from 192.0.2.2. Nothing translated.',
  },
  {
    name: 'siit-frag-needed-to-ptb', input: 'siit-frag-needed-to-ptb', config: 'siit-mtu9000', build: fragNeeded,
    configJson: { ...SIIT_BASE, mtu: { ipv6: 9000, ipv4: 9000 } },
    rfc: 'RFC 7915 §4.2, RFC 1191 §7',
    quote: 'Code 4 (Fragmentation Needed and DF was Set): Translate to an ICMPv6 Packet Too Big message (Type 2) with Code set to 0. The MTU field MUST be adjusted for the difference between the IPv4 and IPv6 header sizes ... Note that if the IPv4 router set the MTU field to zero, i.e., the router does not implement RFC 1191, then the translator MUST use the plateau values specified in RFC 1191 to determine a likely path MTU and include that path MTU in the ICMPv6 packet. (Use the greatest plateau value that is less than the returned Total Length field.)',
    verbatim: false,
    what: 'ICMPv4 3/4 with MTU 1400 about a 1500-byte segment -> ICMPv6 2/0 with MTU 1420; the same with MTU 0 -> plateau 1492 (greatest below Total Length 1500) + 20 = 1512. Interface MTUs are 9000 so they cap nothing. The inner packet is translated to IPv6 (198.51.100.10 -> 2001:db8:64::c633:640a).',
  },
  {
    name: 'siit-icmp6-errors', input: 'siit-icmp6-errors', config: 'siit', build: icmp6Errors, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §5.2 / §5.3',
    quote: 'Translation of ICMPv6 Error Messages into ICMPv4: There are some differences between the ICMPv4 and the ICMPv6 error message formats ... the IP packet in the ICMPv6 error message is translated (the IPv6 header of the packet in error is translated into an IPv4 header, its transport checksum updated) and the ICMP header type/code mapped: Destination Unreachable Code 4 (Port Unreachable) -> Type 3, Code 3; Time Exceeded (Type 3) -> Type 11, Code unchanged.',
    verbatim: false,
    what: 'ICMPv6 1/4 quoting a whole UDP datagram -> ICMPv4 3/3 whose inner IPv4 packet is 203.0.113.7 -> 198.51.100.10 UDP 5555 -> 9999 with a valid inner UDP checksum; ICMPv6 3/0 from a router quoting a SYN -> ICMPv4 11/0 from 198.51.100.1 with the inner TCP translated.',
  },
  {
    name: 'siit-param-problem', input: 'siit-param-problem', config: 'siit', build: paramProblem, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4.2 Figure 3, §5.2 Figure 6',
    quote: 'Parameter Problem (Type 12): Translate to an ICMPv6 Parameter Problem (Type 4, Code 0). The Pointer needs to be updated to point to the corresponding field in the translated include IP header. ... Unrecognized Next Header (Code 1): Translate to an ICMPv4 Destination Unreachable (Type 3) with Code 2 (Protocol Unreachable). (Figures 3 and 6: TTL 8 -> Hop Limit 7, Source Address 12 -> 8, Identification -> n/a; Hop Limit 7 -> TTL 8, Destination Address 24 -> 16, Flow Label -> n/a; "n/a" means the packet is silently dropped.)',
    verbatim: false,
    what: 'ICMPv4 12/0 pointers 8, 12, 4 -> ICMPv6 4/0 pointers 7, 8, dropped; ICMPv6 4/0 pointers 7, 24, 2 -> ICMPv4 12/0 pointers 8, 16, dropped; ICMPv6 4/1 -> ICMPv4 3/2.',
  },
  {
    name: 'siit-routing-header', input: 'siit-routing-header', config: 'siit', build: routingHeader, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §5.1',
    quote: "If a Routing header with a non-zero Segments Left field is present, then the packet MUST NOT be translated, and an ICMPv6 \"parameter problem/erroneous header field encountered\" (Type 4, Code 0) error message, with the Pointer field indicating the first byte of the Segments Left field, SHOULD be returned to the sender.",
    verbatim: false,
    what: 'Routing header with Segments Left 1 -> one ICMPv6 4/0 with pointer 43 (40 + 3) from 2001:db8::1, nothing translated; Segments Left 0 -> translated to IPv4 UDP (the routing header is not carried over).',
  },
  {
    name: 'siit-source-route', input: 'siit-source-route', config: 'siit', build: sourceRoute, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4.1',
    quote: 'If any IPv4 options are present in the IPv4 packet, they MUST be ignored and the packet translated normally; there is no attempt to translate the options. However, if an unexpired source route option is present, then the packet MUST instead be discarded, and an ICMPv4 "Destination Unreachable, Source Route Failed" (Type 3, Code 5) error message SHOULD be returned to the sender.',
    verbatim: false,
    what: 'LSRR with pointer 4 (unexpired) -> one ICMPv4 3/5 from 192.0.2.2, not translated; LSRR with pointer 8 (expired) and Record Route -> translated to IPv6 with no trace of the options (payload length = UDP length).',
  },
  {
    name: 'siit-eam', input: 'siit-eam', config: 'siit-eam', build: eam,
    configJson: { ...SIIT_BASE, eam: [{ ipv6: '2001:db8:6::40/124', ipv4: '203.0.113.16/28' }, { ipv6: '2001:db8:7::/120', ipv4: '198.51.100.0/24' }] },
    rfc: 'RFC 7757 §3.3',
    quote: 'The EAM algorithm is applied first: when an address matches an EAM (longest matching prefix), its suffix bits are carried over to the other prefix of that mapping; only an address that matches no EAM is translated with the RFC 6052 algorithm.',
    verbatim: false,
    what: 'EAMT {2001:db8:6::40/124 = 203.0.113.16/28, 2001:db8:7::/120 = 198.51.100.0/24}: 2001:db8:6::45 -> 203.0.113.21, 2001:db8:7::10 -> 198.51.100.16 and back; 198.51.100.99 is in the /24 and maps to 2001:db8:7::63 (EAM before pool6). Overlapping EAMs (where "longest" would decide) are refused by the config loader, so are not tested here.',
  },
  {
    name: 'wkp-non-global-rfc', input: 'wkp-non-global', config: 'nat64-wkp-rfc', build: wkp,
    configJson: { ...NAT64_BASE, pool6: '64:ff9b::/96', pool4: [{ prefix: '198.51.100.2/32', ports: '1024-65535' }], translator: { ipv6: '2001:db8::1', ipv4: '198.51.100.2' } },
    rfc: 'RFC 6052 §3.1',
    quote: 'The Well-Known Prefix MUST NOT be used to represent non-global IPv4 addresses, such as those defined in [RFC1918] or listed in Section 3 of [RFC5735]. Address translators MUST NOT translate packets in which an address is composed of the Well-Known Prefix and a non-global IPv4 address; they MUST drop these packets.',
    verbatim: true,
    what: 'rfc profile, NAT64 mode: the datagram to 64:ff9b::10.1.2.3 is dropped (explain: well-known-prefix-non-global); the one to 64:ff9b::8.8.8.8 is translated.',
  },
  {
    name: 'wkp-non-global-siit', input: 'wkp-non-global', config: 'siit-wkp', build: wkp,
    configJson: { ...SIIT_BASE, pool6: '64:ff9b::/96', eam: [{ ipv6: '2001:db8:1::/120', ipv4: '198.51.100.0/24' }] },
    rfc: 'RFC 6052 §3.1',
    quote: 'Address translators MUST NOT translate packets in which an address is composed of the Well-Known Prefix and a non-global IPv4 address; they MUST drop these packets.',
    verbatim: true,
    what: 'The same input through SIIT (source mapped by EAM 2001:db8:1::/120 = 198.51.100.0/24): the datagram to 64:ff9b::10.1.2.3 is dropped (well-known-prefix-non-global), the one to 64:ff9b::8.8.8.8 is translated from 198.51.100.16.',
  },
  {
    name: 'wkp-non-global-aws', input: 'wkp-non-global', config: 'aws', build: wkp,
    configJson: { profile: 'aws' },
    rfc: 'RFC 6052 §3.1 vs the aws profile (SPEC §3)',
    quote: 'SPEC §3: aws — "non-global IPv4 allowed behind the prefix" (AWS NAT gateways translate 64:ff9b::/96 to private IPv4 destinations), departing from RFC 6052 §3.1 on purpose.',
    verbatim: true,
    what: 'aws profile (pool4 10.0.0.5): both datagrams are translated, to 10.1.2.3 and 8.8.8.8, from 10.0.0.5.',
  },
  {
    name: 'siit-udp-zero-drop', input: 'siit-udp-zero', config: 'siit', build: udpZero, configJson: SIIT_BASE,
    rfc: 'RFC 7915 §4.5',
    quote: 'Unfragmented IPv4 UDP packets with a zero checksum: a stateless translator SHOULD by default drop them (it MAY, as an option, calculate an IPv6 checksum and forward them).',
    verbatim: false,
    what: 'udpZeroChecksum "drop": the IPv4 UDP datagram with checksum 0 produces nothing (explain: udp-zero-checksum).',
  },
  {
    name: 'siit-udp-zero-compute', input: 'siit-udp-zero', config: 'siit-udp-compute', build: udpZero,
    configJson: { ...SIIT_BASE, udpZeroChecksum: 'compute' },
    rfc: 'RFC 7915 §4.5',
    quote: 'Unfragmented IPv4 UDP packets with a zero checksum: ... a stateless translator MAY provide a configuration function to calculate a checksum for them and forward them; a computed 0 is sent as 0xffff.',
    verbatim: false,
    what: 'udpZeroChecksum "compute": translated to IPv6 with a non-zero, correct UDP checksum.',
  },
  {
    name: 'nat64-tcp-eim', input: 'nat64-tcp-eim', config: 'nat64', configJson: NAT64_BASE,
    rfc: 'RFC 6146 §3.5 (§1.2.3, RFC 4787 REQ-1)',
    quote: 'The NAT64 MUST use an endpoint-independent mapping: a BIB entry maps an IPv6 transport address to one IPv4 transport address, and every session of that IPv6 transport address, to whatever IPv4 destination, uses the same IPv4 transport address.',
    verbatim: false,
    what: 'Two SYNs from 2001:db8:1::10#40000 to two IPv4 servers leave from the same 192.0.2.2#port; both SYN/ACKs come back to 2001:db8:1::10#40000 from the servers\' pool6 addresses; the ACKs leave from the same port again.',
  },
  {
    name: 'nat64-no-bib', input: 'nat64-no-bib', config: 'nat64', build: nat64NoBib, configJson: NAT64_BASE,
    rfc: 'RFC 6146 §3.5.1 / §3.5.3',
    quote: 'An IPv4 packet whose destination transport address has no BIB entry cannot be translated: it is discarded (RFC 6146 §3.5.1: "If the NAT64 does not find a BIB entry ... the packet is discarded"; the NAT64 MAY send an ICMP Destination Unreachable).',
    verbatim: false,
    what: 'An IPv4 UDP datagram and an ICMP Echo Request to 192.0.2.2 with no BIB entry: nothing translated to IPv6 (explain: no-bib-entry for both).',
  },
  {
    name: 'nat64-external-syn', input: 'nat64-external-syn', config: 'nat64', build: externalSyn, configJson: NAT64_BASE,
    rfc: 'RFC 6146 §3.5.2.2',
    quote: 'A V4 SYN for which there is no BIB entry (and no filtering that drops it) is stored and a session in state V4 INIT is created with lifetime TCP_INCOMING_SYN (6 s); if no V6 SYN arrives before it expires, an ICMP Port Unreachable error (Type 3, Code 3) containing the stored IPv4 SYN is sent back to its source and the session and stored packet are deleted.',
    verbatim: false,
    what: 'IPv4 SYN to 192.0.2.2#8080 at t=0, nothing from IPv6: exactly one ICMPv4 3/3 to 203.0.113.7 quoting the SYN, stamped 6 s after it (t=6); the later UDP datagram (t=10, no BIB) is dropped.',
  },
  {
    name: 'nat64-udp-expiry', input: 'nat64-udp-expiry', config: 'nat64-udp300', configJson: { ...NAT64_BASE, timeouts: { udp: 300 } },
    rfc: 'RFC 6146 §3.5.1, §4 (UDP_DEFAULT)',
    quote: 'A UDP session is refreshed by every packet that matches it (lifetime set to max(remaining, UDP_DEFAULT)); when the lifetime expires the session is deleted, and the BIB entry with it when it has no session left, so a later IPv4 packet for it finds no BIB entry and is dropped.',
    verbatim: false,
    what: 'timeouts.udp 300: IPv6 query at t=0; IPv4 replies at t=1 and t=200 are translated; the one at t=520 (320 s after the last) is dropped (explain: no-bib-entry).',
  },
  {
    name: 'nat64-hairpin', input: 'nat64-hairpin', config: 'nat64-hairpin', build: hairpin,
    configJson: { ...NAT64_BASE, bib: [HAIRPIN_STATIC] },
    rfc: 'RFC 6146 §3.8',
    quote: 'If the destination IPv4 address of the translated packet is one of the NAT64\'s own IPv4 addresses (in pool4), the packet is hairpinned: processed again as if it came in on the IPv4 side, so that an IPv6 host reaches another IPv6 host behind the same NAT64 through the latter\'s IPv4 transport address; the source is the first host\'s IPv4 transport address embedded in pool6.',
    verbatim: false,
    what: 'Static BIB udp 2001:db8:1::5#2000 = 192.0.2.2#2000. 2001:db8:1::20#41000 -> 2001:db8:64::192.0.2.2#2000 comes out as one IPv6 packet 2001:db8:64::c000:202#P -> 2001:db8:1::5#2000 (P = the mapped port of 2001:db8:1::20#41000), explain verdict hairpinned, nothing on the IPv4 side.',
  },
  {
    name: 'aws-idle-rst', input: 'aws-idle-rst', config: 'aws', configJson: { profile: 'aws' },
    rfc: 'SPEC §3 aws profile (AWS NAT gateway documentation)',
    quote: 'SPEC §3: aws — "TCP idle timeout 350 s answered by RST" (AWS: when a connection has been idle for 350 seconds or more, the NAT gateway returns an RST packet to resources behind it that try to continue the connection, not a FIN).',
    verbatim: false,
    what: 'Handshake through the aws profile, then 360 s of silence, then a data segment from the IPv6 host: exactly one TCP RST to 2001:db8:1::10#40300 from 64:ff9b::cb00:7107#443, nothing sent to IPv4 (explain: tcp-idle-rst). No RFC 6146 ESTABLISHED-expiry probe before it: AWS documents only the RST.',
  },
];

// ------------------------------------------------------------------------------------------
// Running the translator

async function readPorts(expected: string): Promise<number[]> {
  const { readAllPackets } = await import('../src/pcap/reader.js');
  const pkts = await readAllPackets(expected);
  const ports: number[] = [];
  for (const p of pkts) {
    const b = p.data;
    const o = p.offset;
    if (b[o] >> 4 !== 4) continue;
    const ihl = (b[o] & 15) * 4;
    ports.push((b[o + ihl] << 8) | b[o + ihl + 1]);
  }
  return ports;
}

/**
 * Runs one case through the `golden` command's library (src/replay/golden.ts): writes
 * expected/CASE.expected.pcapng and expected/CASE.explain.ndjson, returns its manifest entry.
 */
async function translate(dir: string, c: GoldenCase): Promise<GoldenCaseManifest> {
  const config = loadConfig({ configFile: join(dir, 'configs', `${c.config}.json`) });
  return runGoldenCase({ name: c.name, input: join(dir, 'inputs', `${c.input}.pcapng`), config }, join(dir, 'expected'), { force: true });
}

function packageVersion(root: string): string {
  return (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
}

async function writeInput(dir: string, name: string, tl: Timeline): Promise<void> {
  await writeTimeline(tl.frames, { path: join(dir, 'inputs', `${name}.pcapng`), interfaces: [{ name: 'translator', linkType: LinkType.RAW }], start: START });
}

function readmeText(cases: GoldenCase[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = cases.map((c) => `| \`${c.name}\` | \`inputs/${c.input}.pcapng\` | \`configs/${c.config}.json\` | ${c.rfc} | ${c.verbatim ? '' : '*(paraphrase)* '}"${esc(c.quote)}" | ${esc(c.what)}${c.bug ? ` **Known engine bug:** ${esc(c.bug)}` : ''} |`);
  return `# Golden captures

Regression suite for the translator (DESIGN.md, "Golden captures"). Each case is an input capture
that exercises one RFC rule, a configuration (SPEC §3 JSON), and what \`translate\` must emit for
it: \`expected/CASE.expected.pcapng\` (compared byte for byte) and \`expected/CASE.explain.ndjson\`
(the \`--explain\` drop report, compared line by line). \`golden.test.ts\` also checks, per case, the
key facts of the expected capture independently of its bytes (so a wrong expected file cannot
pass), that tshark opens every expected capture with no malformed packet and no bad checksum, and
that the builder is deterministic.

Equivalent command line for a case: \`nat64scope translate inputs/INPUT.pcapng --config
configs/CONFIG.json -w OUT.pcapng --explain OUT.ndjson\`. The expected files are written by the
\`golden\` command's library (\`src/replay/golden.ts\`), which also writes
\`expected/manifest.json\` (sha256 of every input and output, packet counts, drops by reason, the
full effective configuration, the tool version), so the whole suite can be verified the way
another project would verify its own:

\`\`\`
nat64scope golden --check test/golden/expected      # exit 1 with "#12 ipv4.ttl: expected 63, got 64" lines
\`\`\`

## Regenerating

\`\`\`
npm run build && node dist/scripts/build-golden.js        # rewrites test/golden/
git diff --stat test/golden/                              # what changed
\`\`\`

**Expected files are reviewed, not blindly regenerated.** A changed expected file means the
translator's output changed: open both captures (\`nat64scope diff OLD NEW\`, or Wireshark) and
check every changed field against the RFC sentence below before committing it. Regenerating to
make a failing test pass hides exactly the regressions this suite exists to catch. Cases whose
engine behaviour contradicts the RFC are built with a correction (\`bug\` in
\`scripts/build-golden.ts\`): their expected file shows the RFC's behaviour and their test is
\`it.fails\` until the engine is fixed.

Quotes marked *(paraphrase)* could not be checked against a copy of the RFC text while this suite
was written; they state the rule in the RFC's terms and name the section to read.

## Cases

| case | input | config | RFC | rule | what the capture shows / the test asserts |
|---|---|---|---|---|---|
${rows.join('\n')}
`;
}

/** Builds every input, config and expected file into `dir`. */
export async function buildGolden(dir: string, root = repoRoot()): Promise<GoldenCase[]> {
  for (const sub of ['inputs', 'configs', 'expected']) {
    rmSync(join(dir, sub), { recursive: true, force: true });
    mkdirSync(join(dir, sub), { recursive: true });
  }
  const manifest: GoldenCase[] = [];
  const goldenEntries: GoldenCaseManifest[] = [];
  const configsDone = new Set<string>();
  const inputsDone = new Set<string>();
  for (const c of CASES) {
    if (!configsDone.has(c.config)) {
      writeFileSync(join(dir, 'configs', `${c.config}.json`), JSON.stringify(c.configJson ?? {}, null, 2) + '\n');
      configsDone.add(c.config);
    }
    const exp = join(dir, 'expected', `${c.name}.expected.pcapng`);
    const expl = join(dir, 'expected', `${c.name}.explain.ndjson`);
    if (!inputsDone.has(c.input)) {
      const staged = STAGED[c.name];
      if (staged) {
        // Step 1: the IPv6 side alone, to learn the pool4 ports the NAT64 picks.
        const tl = staged.first();
        await writeInput(dir, c.input, tl);
        await translate(dir, c);
        staged.then(tl, { port4: await readPorts(exp) });
        tl.frames.sort((a, b) => a.t - b.t);
        await writeInput(dir, c.input, tl);
      } else {
        await writeInput(dir, c.input, (c.build as () => Timeline)());
      }
      inputsDone.add(c.input);
    }
    let entry = await translate(dir, c);
    if (c.correct) {
      const lines = readFileSync(expl, 'utf8').split('\n').filter(Boolean);
      const fixed = c.correct(readFileSync(exp), lines);
      writeFileSync(exp, fixed.pcap);
      writeFileSync(expl, fixed.explain.join('\n') + '\n');
      entry = await refreshOutputs(join(dir, 'expected'), entry);
    }
    goldenEntries.push(entry);
    const { name, input, config, rfc, quote, verbatim, what, bug } = c;
    manifest.push(bug ? { name, input, config, rfc, quote, verbatim, what, bug } : { name, input, config, rfc, quote, verbatim, what });
  }
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(manifest, null, 2) + '\n');
  // The `golden` command's manifest: `nat64scope golden --check test/golden/expected` verifies
  // the suite with the command a user would run.
  await writeManifest(join(dir, 'expected'), {
    format: MANIFEST_FORMAT,
    tool: { name: 'nat64scope', version: packageVersion(root) },
    command: 'npm run build && node dist/scripts/build-golden.js rebuilds this directory; nat64scope golden --check test/golden/expected verifies it',
    cases: goldenEntries,
  }, true);
  writeFileSync(join(dir, 'README.md'), readmeText(manifest));
  return manifest;
}

function repoRoot(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  // dist/scripts/ -> repository root (also works from scripts/ when run through a TS loader).
  return existsSync(join(here, '..', 'package.json')) ? join(here, '..') : join(here, '..', '..');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  const root = repoRoot();
  const dir = process.argv[2] ?? join(root, 'test', 'golden');
  buildGolden(dir).then((cases) => {
    process.stderr.write(`build-golden: ${cases.length} cases written to ${dir}\n`);
  }, (err: unknown) => {
    process.stderr.write(`build-golden: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exit(1);
  });
}
