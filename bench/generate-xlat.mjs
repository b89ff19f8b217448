// The translate benchmark's capture generator (issue 3): a classic pcap (Ethernet, µs) of N
// packets as seen on both sides of a stateful NAT64 -- IPv6-only clients talking through
// 64:ff9b::/96 to global IPv4 servers, and the servers' replies on the IPv4 side.
//
//   ~94% TCP: flows from ~3000 client addresses (random ephemeral ports) to ~600 global IPv4
//            servers, port 443/80: SYN, SYN-ACK, request/response rounds (server segments of
//            at most 1440 bytes, so that the 4->6 translation fits a 1500-byte IPv6 MTU), client
//            ACKs, then FIN/FIN/ACK (most), RST (some) or left open (a few)
//    ~3% DNS over UDP to 64:ff9b::8.8.8.8 / ::1.1.1.1 / ..., query and answer
//    ~3% ICMPv6 echo to 64:ff9b::<server>, echo replies from the server on the IPv4 side
//
// Every IPv4 address is global (the RFC 6052 §3.1 Well-Known-Prefix rule of the rfc profile drops
// non-global ones); every checksum is valid. Each client sends first, so every flow creates a
// session (tens of thousands of them), and the IPv4 replies must go to the pool4 transport
// address the NAT64 allocated for the flow. That allocation is deterministic (src/xlat/nat64/
// pool4.ts: same input sequence -> same ports) but not something to re-implement here, so the
// generator runs the engine itself (built dist/, same configuration as the benchmark run:
// profile rfc, --pool4 XLAT_POOL4) over the packets as it writes them, with the same timestamps,
// and addresses each reply to the transport address the engine gave its flow: exactly what a
// capture taken on both sides of that NAT64 would hold. If the engine's allocation changes, a
// cached file no longer matches (the replies are dropped): delete bench/out/bench-xlat-*.pcap.
import { openCaptureWriter } from '../dist/src/pcap/writer.js';
import { prng } from '../dist/scripts/lib/timeline.js';
import { encodeDns } from '../dist/src/wire/dns.js';
import { loadConfig } from '../dist/src/xlat/config.js';
import { createEngine } from '../dist/src/xlat/engine.js';
import { isGlobalIpv4 } from '../dist/src/xlat/special-purpose.js';

/** pool4 of the benchmark (passed to `translate --pool4`): 64 global addresses, ports 1024-65535. */
export const XLAT_POOL4 = '44.192.10.0/26#1024-65535';
export const XLAT_POOL4_NET = '44.192.10.0/26';
/** The IPv6 clients' /56 (tcprewrite rewrites it). */
export const XLAT_CLIENT_NET = '2600:1f14:abc:de00::/56';
/** Capture packet rate (packets per second of capture time): 1M packets span 200 s. */
export const XLAT_RATE = 5000;

const ETH = 14;
const MSS6 = 1440; // 1500 - 40 - 20
const CONCURRENT = 3000; // flows open at once

function v4(a, b, c, d) {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

// ---- addresses -----------------------------------------------------------------------------

function makeClients(r, count) {
  const out = [];
  for (let i = 0; i < count; i++) {
    const a = new Uint8Array(16);
    a.set([0x26, 0x00, 0x1f, 0x14, 0x0a, 0xbc, 0xde, i % 40]); // 2600:1f14:abc:de00::/56, 40 subnets
    for (let k = 8; k < 16; k++) a[k] = Math.floor(r() * 256); // SLAAC-style random interface IDs
    a[8] &= 0xfd; // universal/local bit off (privacy addresses)
    out.push(a);
  }
  return out;
}

// Global unicast blocks (none in the IANA special-purpose registry): CDN / cloud front ends.
const SERVER_BLOCKS = [
  [142, 250], [172, 217], [151, 101], [104, 16], [104, 18], [13, 32], [13, 224], [52, 84],
  [185, 199], [140, 82], [17, 253], [23, 211], [31, 13], [157, 240], [199, 232], [146, 75],
];
const RESOLVERS = [v4(8, 8, 8, 8), v4(8, 8, 4, 4), v4(1, 1, 1, 1), v4(1, 0, 0, 1), v4(9, 9, 9, 9)];

function makeServers(r, count) {
  const out = [];
  const seen = new Set();
  while (out.length < count) {
    const [a, b] = SERVER_BLOCKS[Math.floor(r() * SERVER_BLOCKS.length)];
    const ip = v4(a, b, Math.floor(r() * 256), 1 + Math.floor(r() * 254));
    if (seen.has(ip)) continue;
    seen.add(ip);
    out.push(ip);
  }
  return out;
}

// ---- packet building -----------------------------------------------------------------------

const MAC_CLIENT_GW = [0x02, 0x00, 0x5e, 0x10, 0x00, 0x01]; // the NAT64's inside interface
const MAC_UPSTREAM = [0x02, 0x00, 0x5e, 0x20, 0x00, 0x01]; // the IPv4 upstream router
const MAC_NAT_OUT = [0x02, 0x00, 0x5e, 0x20, 0x00, 0x02]; // the NAT64's outside interface

function sum16(b, off, len, acc) {
  let s = acc;
  const end = off + (len & ~1);
  for (let i = off; i < end; i += 2) s += (b[i] << 8) | b[i + 1];
  if (len & 1) s += b[off + len - 1] << 8;
  return s;
}
function fin(s) {
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 65536);
  return ~s & 0xffff;
}
/** One's-complement sum of `len` bytes all equal to `fill`. */
function fillSum(fill, len) {
  return ((fill << 8) | fill) * (len >> 1) + (len & 1 ? fill << 8 : 0);
}
function put16(b, o, v) {
  b[o] = v >>> 8;
  b[o + 1] = v & 0xff;
}
function put32(b, o, v) {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function ethernet(b, dst, src, type) {
  b.set(dst, 0);
  b.set(src, 6);
  put16(b, 12, type);
}

/** IPv6 header at ETH; returns the offset of the upper layer. dst4 != null: 64:ff9b::dst4. */
function ip6(b, src, dst4, nh, plen, flow) {
  const o = ETH;
  put32(b, o, (0x60000000 | flow) >>> 0);
  put16(b, o + 4, plen);
  b[o + 6] = nh;
  b[o + 7] = 64;
  b.set(src, o + 8);
  b.fill(0, o + 24, o + 40);
  b[o + 24] = 0x00; b[o + 25] = 0x64; b[o + 26] = 0xff; b[o + 27] = 0x9b;
  put32(b, o + 36, dst4);
  return o + 40;
}
function pseudo6(b, nh, plen) {
  // src and dst are at ETH+8 .. ETH+40
  return sum16(b, ETH + 8, 32, 0) + nh + plen;
}

/** IPv4 header at ETH (20 bytes, DF); returns the offset of the upper layer. */
function ip4(b, src, dst, proto, total, id, ttl) {
  const o = ETH;
  b[o] = 0x45;
  b[o + 1] = 0;
  put16(b, o + 2, total);
  put16(b, o + 4, id);
  put16(b, o + 6, 0x4000);
  b[o + 8] = ttl;
  b[o + 9] = proto;
  put16(b, o + 10, 0);
  put32(b, o + 12, src);
  put32(b, o + 16, dst);
  put16(b, o + 10, fin(sum16(b, o, 20, 0)));
  return o + 20;
}
function pseudo4(b, proto, l4len) {
  return sum16(b, ETH + 12, 8, 0) + proto + l4len;
}

/** TCP header (+ MSS option when mss) and a payload of `len` bytes of `fill`; returns the segment length. */
function tcp(b, o, sport, dport, seq, ack, flags, mss, len, fill, win) {
  const hl = mss ? 24 : 20;
  put16(b, o, sport);
  put16(b, o + 2, dport);
  put32(b, o + 4, seq >>> 0);
  put32(b, o + 8, ack >>> 0);
  b[o + 12] = (hl / 4) << 4;
  b[o + 13] = flags;
  put16(b, o + 14, win);
  put16(b, o + 16, 0);
  put16(b, o + 18, 0);
  if (mss) {
    b[o + 20] = 2;
    b[o + 21] = 4;
    put16(b, o + 22, mss);
  }
  if (len) b.fill(fill, o + hl, o + hl + len);
  return hl + len;
}

// ---- flows ---------------------------------------------------------------------------------

const F = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };

/** The packets of one TCP connection: [fromClient, flags, payloadLength] ... */
function tcpScript(r) {
  const s = [];
  s.push([true, F.SYN, 0], [false, F.SYN | F.ACK, 0], [true, F.ACK, 0]);
  const rounds = r() < 0.6 ? 1 : r() < 0.7 ? 2 : 3 + Math.floor(r() * 4);
  for (let k = 0; k < rounds; k++) {
    s.push([true, F.PSH | F.ACK, 150 + Math.floor(r() * 600)]);
    const x = r();
    const bytes = x < 0.65 ? 200 + Math.floor(r() * 3000) : x < 0.95 ? 4000 + Math.floor(r() * 40000) : 50000 + Math.floor(r() * 250000);
    let left = bytes;
    let unacked = 0;
    while (left > 0) {
      const seg = Math.min(MSS6, left);
      left -= seg;
      s.push([false, left === 0 ? F.PSH | F.ACK : F.ACK, seg]);
      if (++unacked === 2 || left === 0) {
        s.push([true, F.ACK, 0]);
        unacked = 0;
      }
    }
  }
  const end = r();
  if (end < 0.9) s.push([true, F.FIN | F.ACK, 0], [false, F.FIN | F.ACK, 0], [true, F.ACK, 0]);
  else if (end < 0.95) s.push([true, F.RST | F.ACK, 0]);
  // else: left open (an idle keep-alive connection)
  return s;
}

class TcpFlow {
  constructor(r, client, cport, server) {
    this.client = client;
    this.cport = cport;
    this.server = server;
    this.sport = r() < 0.85 ? 443 : 80;
    this.script = tcpScript(r);
    this.i = 0;
    this.cseq = Math.floor(r() * 0xffffffff);
    this.sseq = Math.floor(r() * 0xffffffff);
    this.fill = 0x20 + Math.floor(r() * 0x5f);
    this.flow = Math.floor(r() * 0xfffff);
    this.t4 = -1; // the pool4 address and port the NAT64 gave it
    this.p4 = -1;
  }
  get done() {
    return this.i >= this.script.length;
  }
  /** Writes the next packet into b; returns its length. */
  next(b, g) {
    const [fromClient, flags, len] = this.script[this.i++];
    const ctl = (flags & (F.SYN | F.FIN)) !== 0 ? 1 : 0;
    if (fromClient) {
      ethernet(b, MAC_CLIENT_GW, g.clientMac, 0x86dd);
      const seglen = (flags & F.SYN ? 24 : 20) + len;
      const o = ip6(b, this.client, this.server, 6, seglen, this.flow);
      tcp(b, o, this.cport, this.sport, this.cseq, flags & F.ACK ? this.sseq : 0, flags, flags & F.SYN ? MSS6 : 0, len, this.fill, 64240);
      put16(b, o + 16, fin(sum16(b, o, seglen - len, pseudo6(b, 6, seglen)) + fillSum(this.fill, len)));
      this.cseq = (this.cseq + len + ctl) >>> 0;
      return o + seglen;
    }
    ethernet(b, MAC_NAT_OUT, MAC_UPSTREAM, 0x0800);
    const seglen = (flags & F.SYN ? 24 : 20) + len;
    const o = ip4(b, this.server, this.t4, 6, 20 + seglen, 0, 52);
    tcp(b, o, this.sport, this.p4, this.sseq, this.cseq, flags, flags & F.SYN ? 1460 : 0, len, this.fill ^ 0x55, 65535);
    put16(b, o + 16, fin(sum16(b, o, seglen - len, pseudo4(b, 6, seglen)) + fillSum(this.fill ^ 0x55, len)));
    this.sseq = (this.sseq + len + ctl) >>> 0;
    return o + seglen;
  }
}

const DNS_NAMES = ['www', 'api', 'cdn', 'static', 'img', 'login', 'mail', 'assets', 'edge', 'metrics'];
const DNS_DOMAINS = ['example.com', 'example.net', 'example.org', 'shop.example', 'video.example', 'news.example'];

class DnsFlow {
  constructor(r, client, cport, resolver) {
    this.client = client;
    this.cport = cport;
    this.server = resolver;
    const id = Math.floor(r() * 65536);
    const name = `${DNS_NAMES[Math.floor(r() * DNS_NAMES.length)]}${Math.floor(r() * 50)}.${DNS_DOMAINS[Math.floor(r() * DNS_DOMAINS.length)]}`;
    const type = r() < 0.5 ? 'AAAA' : 'A';
    const data = type === 'A' ? '93.184.216.34' : '2606:2800:220:1:248:1893:25c8:1946';
    this.q = encodeDns({ id, flags: ['RD'], questions: [{ name, type }], edns: { udpSize: 1232 } });
    this.a = encodeDns({ id, qr: true, flags: ['QR', 'RD', 'RA'], questions: [{ name, type }], answers: [{ name, type, ttl: 300, data }], edns: { udpSize: 1232 } });
    this.i = 0;
    this.t4 = -1;
    this.p4 = -1;
  }
  get done() {
    return this.i >= 2;
  }
  next(b, g) {
    const q = this.i++ === 0;
    const p = q ? this.q : this.a;
    const ulen = 8 + p.length;
    let o;
    let ps;
    if (q) {
      ethernet(b, MAC_CLIENT_GW, g.clientMac, 0x86dd);
      o = ip6(b, this.client, this.server, 17, ulen, 0);
      ps = pseudo6(b, 17, ulen);
    } else {
      ethernet(b, MAC_NAT_OUT, MAC_UPSTREAM, 0x0800);
      o = ip4(b, this.server, this.t4, 17, 20 + ulen, 0, 57);
      ps = pseudo4(b, 17, ulen);
    }
    put16(b, o, q ? this.cport : 53);
    put16(b, o + 2, q ? 53 : this.p4);
    put16(b, o + 4, ulen);
    put16(b, o + 6, 0);
    b.set(p, o + 8);
    put16(b, o + 6, fin(sum16(b, o, ulen, ps)) || 0xffff);
    return o + ulen;
  }
}

class PingFlow {
  constructor(r, client, id, server) {
    this.client = client;
    this.id = id;
    this.server = server;
    this.count = 2 + Math.floor(r() * 5);
    this.i = 0;
    this.t4 = -1;
    this.p4 = -1; // the ICMP identifier the NAT64 gave it
  }
  get done() {
    return this.i >= 2 * this.count;
  }
  next(b, g) {
    const req = (this.i & 1) === 0;
    const seq = (this.i++ >> 1) + 1;
    const len = 8 + 56;
    let o;
    if (req) {
      ethernet(b, MAC_CLIENT_GW, g.clientMac, 0x86dd);
      o = ip6(b, this.client, this.server, 58, len, 0);
    } else {
      ethernet(b, MAC_NAT_OUT, MAC_UPSTREAM, 0x0800);
      o = ip4(b, this.server, this.t4, 1, 20 + len, seq, 57);
    }
    b[o] = req ? 128 : 0;
    b[o + 1] = 0;
    put16(b, o + 2, 0);
    put16(b, o + 4, req ? this.id : this.p4);
    put16(b, o + 6, seq);
    b.fill(0x61, o + 8, o + len);
    put16(b, o + 2, fin(sum16(b, o, 8, req ? pseudo6(b, 58, len) : 0) + fillSum(0x61, 56)));
    return o + len;
  }
}

// ---- the generator -------------------------------------------------------------------------

/** Captures what the engine makes of each packet the generator writes. */
class Probe {
  constructor() {
    this.v4 = null;
    this.drops = 0;
    this.lastDrop = 0;
  }
  emit(bytes, off, len, family, kind) {
    if (family !== 4 || kind !== 0) return;
    const ihl = (bytes[off] & 0x0f) * 4;
    const proto = bytes[off + 9];
    const src = ((bytes[off + 12] << 24) | (bytes[off + 13] << 16) | (bytes[off + 14] << 8) | bytes[off + 15]) >>> 0;
    const port = proto === 1 ? (bytes[off + ihl + 4] << 8) | bytes[off + ihl + 5] : (bytes[off + ihl] << 8) | bytes[off + ihl + 1];
    this.v4 = { src, port };
  }
  drop(reason) {
    this.drops++;
    this.lastDrop = reason;
  }
}

/**
 * Writes `n` packets to `path`. Returns counts: flows by kind, and packets the engine dropped
 * while generating (should be none).
 */
export async function generateXlat(path, n, { seed = 64 } = {}) {
  const r = prng(seed);
  const clients = makeClients(r, 3000);
  const clientMacs = clients.map((a) => Uint8Array.from([0x02, 0x16, a[12], a[13], a[14], a[15]]));
  const servers = makeServers(r, 600);
  for (const s of [...servers, ...RESOLVERS]) if (!isGlobalIpv4(s)) throw new Error(`generator bug: ${s} is not global`);
  const engine = createEngine(loadConfig({ profile: 'rfc', flags: { pool4: [XLAT_POOL4] } }));
  const probe = new Probe();
  const w = await openCaptureWriter(path, { format: 'pcap', linkType: 1, force: true });
  const b = new Uint8Array(2048);
  const used = new Set(); // (client, protocol, port) ever used: a new flow never reuses one
  const counts = { tcp: 0, dns: 0, ping: 0, engineDrops: 0 };
  const g = { clientMac: null };
  const pickPort = (ci, proto, lo, span) => {
    for (;;) {
      const p = lo + Math.floor(r() * span);
      const k = (ci * 4 + proto) * 65536 + p;
      if (!used.has(k)) {
        used.add(k);
        return p;
      }
    }
  };
  const newFlow = () => {
    const ci = Math.floor(r() * clients.length);
    const x = r();
    let f;
    if (x < 0.72) {
      f = new TcpFlow(r, clients[ci], pickPort(ci, 0, 32768, 28232), servers[Math.floor(Math.pow(r(), 2) * servers.length)]);
      counts.tcp++;
    } else if (x < 0.97) {
      f = new DnsFlow(r, clients[ci], pickPort(ci, 1, 32768, 28232), RESOLVERS[Math.floor(r() * RESOLVERS.length)]);
      counts.dns++;
    } else {
      f = new PingFlow(r, clients[ci], pickPort(ci, 2, 1, 65535), servers[Math.floor(r() * servers.length)]);
      counts.ping++;
    }
    f.ci = ci;
    return f;
  };
  const active = [];
  for (let i = 0; i < CONCURRENT; i++) active.push(newFlow());
  let usec = Math.round(1795168800 * 1e6); // 2026-11-19 (same epoch as the packets benchmark)
  const clock = { sec: 0, nsec: 0 };
  const gap = 1e6 / XLAT_RATE;
  for (let i = 0; i < n; i++) {
    const k = Math.floor(r() * active.length);
    const f = active[k];
    g.clientMac = clientMacs[f.ci];
    const len = f.next(b, g);
    usec += Math.max(1, Math.round(-Math.log(1 - r()) * gap));
    const sec = Math.floor(usec / 1e6);
    const nsec = (usec - sec * 1e6) * 1000;
    w.write(b, 0, len, sec, nsec);
    // The same packet through the engine, on the same clock: what did the NAT64 allocate?
    clock.sec = sec;
    clock.nsec = nsec;
    probe.v4 = null;
    const before = probe.drops;
    engine.process(b, ETH, len - ETH, clock, i + 1, probe);
    if (probe.drops !== before) counts.engineDrops++;
    if (f.t4 < 0 && probe.v4) {
      f.t4 = probe.v4.src;
      f.p4 = probe.v4.port;
    }
    if (f.done || (f.t4 < 0 && probe.drops !== before)) active[k] = newFlow();
  }
  await w.close();
  return counts;
}
