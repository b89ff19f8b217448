// The NAT64 per-flow fast path (src/xlat/nat64/fast-path.ts) must be a pure shortcut: for any
// packet sequence, an engine with it emits the same bytes, reports the same drops and ends in
// the same state as one with every packet through the general pipeline (fastPath: false).
// Random sequences over a few flows under several configurations (timeouts crossed, TCP flags of
// every kind, TTL / hop limit 1, extension headers, IPv4 options, fragments, DF and MTU limits,
// UDP checksum 0, hairpinning, idle RST, address-dependent filtering, a /64 pool6), plus the
// cases where a stale flow-cache row would give a wrong answer.
import { describe, it, expect } from 'vitest';
import { buildIp, type PacketSpec } from '../../../src/wire/builder.js';
import { TcpFlag } from '../../../src/wire/tcp.js';
import { EmitKind, type XlatSink } from '../../../src/xlat/types.js';
import type { EngineConfig } from '../../../src/xlat/config-types.js';
import { Reason } from '../../../src/diag/reasons.js';
import { Nat64Engine } from '../../../src/xlat/nat64/nat64-engine.js';
import { embedIpv4, WKP, type Prefix6 } from '../../../src/xlat/rfc6052.js';
import { ipv6ToString } from '../../../src/wire/addr-text.js';
import { config, Collect, at, u32, ip6 } from './helpers.js';
import { mulberry } from '../../helpers/fixtures.js';

/** A sink with emitSplit (what the capture writer has): records the joined packet. */
class SplitCollect extends Collect implements XlatSink {
  splits = 0;
  emitSplit(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.splits++;
    const j = new Uint8Array(headLen + len);
    j.set(head.subarray(headOff, headOff + headLen));
    j.set(bytes.subarray(off, off + len), headLen);
    // The headroom is the sink's: scribble over it, the engine must not care.
    head.fill(0xee, headOff - 64, headOff);
    this.emit(j, 0, j.length, family, kind, about);
  }
}


const POOL = '192.0.2.1';
const CLIENTS = ['2001:db8::5', '2001:db8::6', '2001:db8:1::77'];
// Global, one above 128.0.0.0 (uint32 handling), one non-global (TEST-NET-3), the pool address (hairpin).
const SERVERS = ['198.51.100.7', '151.101.1.69', '8.8.8.8', '203.0.113.9', POOL];

function v6of(pool6: Prefix6, v4: string): string {
  const b = new Uint8Array(16);
  embedIpv4(b, 0, pool6, u32(v4));
  return ipv6ToString(b, 0);
}

interface Flow { client: string; sport: number; server: string; dport: number; proto: 'tcp' | 'udp' | 'icmp'; port4: number }

const FLAGS = [TcpFlag.SYN, TcpFlag.SYN | TcpFlag.ACK, TcpFlag.ACK, TcpFlag.ACK | TcpFlag.PSH, TcpFlag.ACK, TcpFlag.ACK, TcpFlag.FIN | TcpFlag.ACK, TcpFlag.RST, TcpFlag.RST | TcpFlag.ACK, TcpFlag.ACK | 0x100];

/** Runs `steps` random packets through a fast and a slow engine; compares everything. */
function differential(cfg: EngineConfig, seed: number, steps: number): { hits: number; splits: number; touched: number } {
  const r = mulberry(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
  const fast = new Nat64Engine(cfg);
  const slow = new Nat64Engine(cfg, { fastPath: false });
  expect(fast.fast).not.toBeNull();
  expect(slow.fast).toBeNull();
  const kf = new SplitCollect();
  const ks = new Collect();
  const pool6 = cfg.pool6!;
  const flows: Flow[] = [];
  for (let i = 0; i < 14; i++) {
    const proto = i % 7 === 0 ? 'icmp' : i % 3 === 0 ? 'udp' : 'tcp';
    flows.push({ client: CLIENTS[i % CLIENTS.length], sport: 40000 + i * 7, server: SERVERS[i % SERVERS.length], dport: proto === 'udp' ? 53 : 443, proto, port4: -1 });
  }
  let t = 1000;
  for (let n = 1; n <= steps; n++) {
    const x = r();
    t += x < 0.02 ? 400 : x < 0.05 ? 70 : x < 0.1 ? 7 : r() * 0.5;
    const f = pick(flows);
    const size = r() < 0.1 ? 1200 + Math.floor(r() * 300) : Math.floor(r() * 200);
    const payload = new Uint8Array(size).map(() => Math.floor(r() * 256));
    let spec: PacketSpec;
    const from6 = f.port4 < 0 || r() < 0.5;
    if (from6) {
      const ext = r() < 0.05 ? [{ type: 'dst' as const }] : r() < 0.03 ? [{ type: 'frag' as const, offset: 0, more: false, id: n }] : undefined;
      const hopLimit = r() < 0.05 ? pick([0, 1, 2]) : 64;
      const ip = { v: 6 as const, src: f.client, dst: v6of(pool6, f.server), hopLimit, trafficClass: pick([0, 0x28, 0xb8]), ext };
      if (f.proto === 'tcp') spec = { ip, l4: { tcp: { srcPort: f.sport, dstPort: f.dport, flags: pick(FLAGS), seq: n * 1000, ack: n } }, payload };
      else if (f.proto === 'udp') spec = { ip, l4: { udp: { sport: f.sport, dport: f.dport } }, payload, l4Checksum: r() < 0.05 ? 'zero' : 'good' };
      else spec = { ip, l4: { icmp6: { type: pick([128, 128, 129]), code: 0, rest: (f.sport << 16) | n } }, payload };
    } else {
      const port4 = r() < 0.05 ? 1024 + Math.floor(r() * 64) : f.port4;
      const ip = {
        v: 4 as const, src: f.server, dst: POOL, ttl: r() < 0.05 ? pick([0, 1, 2]) : 64, tos: pick([0, 0x10, 0xb8]), df: r() < 0.7,
        mf: r() < 0.03, id: n & 0xffff, options: r() < 0.04 ? [1, 1, 1, 0] : undefined,
      };
      if (f.proto === 'tcp') spec = { ip, l4: { tcp: { srcPort: f.dport, dstPort: port4, flags: pick(FLAGS), seq: n * 77, ack: n } }, payload };
      else if (f.proto === 'udp') spec = { ip, l4: { udp: { sport: f.dport, dport: port4 } }, payload, l4Checksum: r() < 0.1 ? 'zero' : 'good' };
      else spec = { ip, l4: { icmp4: { type: 0, code: 0, rest: (port4 << 16) | n } }, payload };
    }
    const pkt = buildIp(spec);
    // Both engines read the packet from a bigger buffer at an offset, as from a capture.
    const buf = new Uint8Array(pkt.length + 30);
    buf.set(pkt, 17);
    kf.clear();
    ks.clear();
    // The lookahead's loads (translate calls touch() a batch ahead) change nothing: the packet,
    // and at times a bogus one (the buffer's start) with it.
    fast.touch(buf, Int32Array.of(17, pkt.length, 0, buf.length), r() < 0.1 ? 2 : 1);
    fast.process(buf, 17, pkt.length, at(Math.floor(t), Math.floor((t % 1) * 1e9)), n, kf);
    slow.process(buf, 17, pkt.length, at(Math.floor(t), Math.floor((t % 1) * 1e9)), n, ks);
    expect(kf.emitted, `packet ${n}`).toEqual(ks.emitted);
    expect(kf.drops, `packet ${n}`).toEqual(ks.drops);
    // Learn the mapping from the translation (replies go to it).
    if (from6) {
      const e = ks.emitted.find((m) => m.family === 4 && m.kind === EmitKind.Translated);
      if (e) {
        const h = (e.bytes[0] & 0x0f) * 4;
        f.port4 = f.proto === 'icmp' ? (e.bytes[h + 4] << 8) | e.bytes[h + 5] : (e.bytes[h] << 8) | e.bytes[h + 1];
      }
    }
  }
  expect(fast.sessions()).toEqual(slow.sessions());
  expect(fast.bibEntries()).toEqual(slow.bibEntries());
  expect([...fast.dropCounts()]).toEqual([...slow.dropCounts()]);
  kf.clear();
  ks.clear();
  fast.drain(kf);
  slow.drain(ks);
  expect(kf.emitted).toEqual(ks.emitted);
  expect(kf.drops).toEqual(ks.drops);
  return { hits: fast.fast!.hits, splits: kf.splits, touched: fast.fast!.touched };
}

const CONFIGS: [string, EngineConfig][] = [
  ['rfc-like defaults (WKP /96)', config()],
  ['aws-like: idle RST 350 s, address-dependent filtering, hash ids, TOS override', config({
    policy: { tcpIdleRst: 350, dropFragments: [], maxConnectionsPerDestination: null },
    filtering: { addressDependent: true, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false },
    ipv4Identification: 'hash', trafficClass: { zeroize: false, overrideTos: 0x10 },
  })],
  ['/64 pool6, small MTUs, sequential ids, zeroized TC, UDP checksum computed, denylist4', config({
    pool6: { bytes: ip6('2001:db8:64::'), len: 64 },
    mtu: { ipv6: 1400, ipv4: 1300, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] },
    ipv4Identification: 'sequential', trafficClass: { zeroize: true, overrideTos: null }, udpZeroChecksum: 'compute',
    denylist4: [{ addr: u32('8.8.8.0'), len: 24 }],
  })],
  ['strict well-known prefix, short timeouts, connection limit, fragments of TCP dropped', config({
    pool6: WKP, strictWellKnownPrefix: true,
    timeouts: { udp: 30, tcpEstablished: 60, tcpTransitory: 20, icmp: 10, tcpIncomingSyn: 6, fragment: 2 },
    policy: { tcpIdleRst: null, dropFragments: ['tcp'], maxConnectionsPerDestination: 3 },
  })],
  ['hairpinning off, ICMPv6 informational filtered, externally initiated TCP dropped', config({
    hairpinning: 'off',
    filtering: { addressDependent: false, dropExternallyInitiatedTcp: true, dropIcmpv6Info: true },
  })],
];

describe('NAT64 fast path = general pipeline (random packet sequences)', () => {
  for (const [name, cfg] of CONFIGS) {
    it(name, () => {
      let hits = 0;
      let splits = 0;
      let touched = 0;
      for (const seed of [1, 2, 3]) {
        const h = differential(cfg, seed, 1500);
        hits += h.hits;
        splits += h.splits;
        touched += h.touched;
      }
      // touch() found sessions' slots (their meta: list and TCP state) for packets it was given.
      expect(touched).toBeGreaterThan(0);
      // The fast path must really have been taken, and through emitSplit.
      expect(hits).toBeGreaterThan(300);
      expect(splits).toBeGreaterThan(200);
    });
  }
});

describe('NAT64 fast path: the flow cache never answers for a session that is gone', () => {
  const C = '2001:db8::5';
  const S = '198.51.100.7';
  const S6 = '64:ff9b::c633:6407';
  const udp6 = (sport: number) => buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { udp: { sport, dport: 53 } }, payload: 'q' });
  const udp4 = (dport: number) => buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { udp: { sport: 53, dport } }, payload: 'a' });
  const portOf = (k: Collect) => { const b = k.emitted[0].bytes; return (b[20] << 8) | b[21]; };

  it('a reply to a mapping whose session expired is dropped (no BIB entry), not translated from the cache', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    e.process(udp6(5000), 0, udp6(5000).length, at(100), 1, k);
    const port = portOf(k);
    k.clear();
    e.process(udp4(port), 0, udp4(port).length, at(101), 2, k);
    expect(k.emitted).toHaveLength(1);
    expect(e.fast!.hits).toBe(1); // the reply went through the fast path (the row the query's session wrote)
    k.clear();
    // UDP lifetime 300 s: at 402 s the session and its BIB entry are gone.
    e.process(udp4(port), 0, udp4(port).length, at(402), 3, k);
    expect(k.emitted).toEqual([]);
    expect(k.drops).toEqual([[Reason.NoBibEntry, 3]]);
    expect(e.fast!.hits).toBe(1);
  });

  it('a session reached by two IPv6 keys (pool6 /64, suffix bytes differing) leaves no row behind when it goes', () => {
    // RFC 6052: the suffix is ignored when extracting; two destinations that differ only there are
    // the same session, and fill two flow cache rows. When the session expires its timer id goes
    // to the next session: a row still holding that id would translate the old flow onto it.
    const cfg = config({ pool6: { bytes: ip6('2001:db8:64::'), len: 64 } });
    const fast = new Nat64Engine(cfg);
    const slow = new Nat64Engine(cfg, { fastPath: false });
    const dst = (suffix: number) => { const b = new Uint8Array(16); embedIpv4(b, 0, cfg.pool6!, u32(S)); b[15] = suffix; return ipv6ToString(b, 0); };
    const pkt = (src: string, sport: number, suffix: number) => buildIp({ ip: { v: 6, src, dst: dst(suffix) }, l4: { udp: { sport, dport: 53 } }, payload: 'q' });
    const steps: [Uint8Array, number][] = [
      [pkt(C, 5000, 0), 100], [pkt(C, 5000, 0), 101], [pkt(C, 5000, 7), 102], [pkt(C, 5000, 7), 103],
      // past UDP_DEFAULT: the session expires; another flow's session takes its id
      [pkt('2001:db8::9', 6000, 0), 1000], [pkt('2001:db8::9', 6000, 0), 1001],
      // the first flow again, by its first key: a new session (the general path), not the old row
      [pkt(C, 5000, 0), 1002], [pkt(C, 5000, 0), 1003], [pkt(C, 5000, 7), 1004],
    ];
    let n = 0;
    for (const [p, t] of steps) {
      const kf = new Collect();
      const ks = new Collect();
      fast.process(p, 0, p.length, at(t), ++n, kf);
      slow.process(p, 0, p.length, at(t), n, ks);
      expect(kf.emitted, `packet ${n}`).toEqual(ks.emitted);
      expect(kf.drops, `packet ${n}`).toEqual(ks.drops);
    }
    expect(fast.sessions()).toEqual(slow.sessions());
    expect(fast.fast!.hits).toBeGreaterThan(2);
  });

  it('a flow that comes back after its session expired gets a new session, refreshed by later packets', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    const p = udp6(5000);
    e.process(p, 0, p.length, at(100), 1, k);
    e.process(p, 0, p.length, at(101), 2, k); // fast: refreshes the lifetime to 401 s
    expect(e.fast!.hits).toBe(1);
    e.process(p, 0, p.length, at(400), 3, k); // still alive (refreshed): fast again
    expect(e.fast!.hits).toBe(2);
    e.process(p, 0, p.length, at(800), 4, k); // expired at 700 s: general path, new session
    expect(e.fast!.hits).toBe(2);
    e.process(p, 0, p.length, at(801), 5, k); // the new session, through the refilled cache row
    expect(e.fast!.hits).toBe(3);
    const [s] = e.sessions();
    expect(s.lastSeen).toEqual(at(801));
    expect(s.expires).toEqual(at(1101));
  });

  it('TCP: FIN, FIN and the last ACK move the state as the general path does; after TRANS expiry a segment is dropped', () => {
    const tcp6 = (flags: number) => buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { tcp: { srcPort: 40000, dstPort: 80, flags, seq: 1, ack: 1 } } });
    const run = (fastPath: boolean) => {
      const e = new Nat64Engine(config(), { fastPath });
      const k = new Collect();
      const send6 = (flags: number, t: number, n: number) => { const b = tcp6(flags); e.process(b, 0, b.length, at(t), n, k); };
      send6(TcpFlag.SYN, 10, 1);
      const port = portOf(k);
      const tcp4 = (flags: number) => buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { tcp: { srcPort: 80, dstPort: port, flags, seq: 9, ack: 2 } } });
      const send4 = (flags: number, t: number, n: number) => { const b = tcp4(flags); e.process(b, 0, b.length, at(t), n, k); };
      send4(TcpFlag.SYN | TcpFlag.ACK, 10.1, 2);
      send6(TcpFlag.ACK, 10.2, 3);
      send6(TcpFlag.FIN | TcpFlag.ACK, 11, 4);
      const states = [e.sessions()[0].state];
      send4(TcpFlag.FIN | TcpFlag.ACK, 11.1, 5);
      states.push(e.sessions()[0].state);
      send6(TcpFlag.ACK, 11.2, 6);
      states.push(e.sessions()[0].state);
      send6(TcpFlag.ACK, 300, 7); // TRANS (240 s) expired: no session, no BIB entry
      return { k, states, hits: e.fast?.hits ?? 0 };
    };
    const f = run(true);
    const s = run(false);
    expect(f.states).toEqual(['V6 FIN RCV', 'V4 FIN + V6 FIN RCV', 'V4 FIN + V6 FIN RCV']);
    expect(f.states).toEqual(s.states);
    expect(f.k.emitted).toEqual(s.k.emitted);
    expect(f.k.drops).toEqual(s.k.drops);
    expect(f.k.drops).toEqual([[Reason.TcpStateDrop, 7]]);
    expect(f.hits).toBe(5); // everything but the SYN and the segment after expiry
  });

  it('the packet that makes a session writes its rows on both sides: the next packets take no lookup', () => {
    // FastPath.learn6: what the first lookups of the session's next packets would write. UDP and
    // TCP, both directions; the output is the general path's (the differential tests above run
    // the same through every configuration).
    for (const proto of ['udp', 'tcp'] as const) {
      const run = (fastPath: boolean) => {
        const e = new Nat64Engine(config(), { fastPath });
        const k = new Collect();
        const l4 = (sport: number, dport: number, flags: number) => proto === 'udp' ? { udp: { sport, dport } } : { tcp: { srcPort: sport, dstPort: dport, flags, seq: 1, ack: 1 } };
        const out = (flags: number) => buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: l4(40000, 80, flags), payload: 'x' });
        let b = out(TcpFlag.SYN);
        e.process(b, 0, b.length, at(10), 1, k);
        const port = portOf(k);
        const back = (flags: number) => buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: l4(80, port, flags), payload: 'y' });
        const lookups = e.fast?.lookups ?? 0;
        let n = 1;
        b = back(TcpFlag.SYN | TcpFlag.ACK);
        e.process(b, 0, b.length, at(10.1), ++n, k);
        for (let i = 0; i < 4; i++) {
          b = out(TcpFlag.ACK);
          e.process(b, 0, b.length, at(11 + i), ++n, k);
          b = back(TcpFlag.ACK);
          e.process(b, 0, b.length, at(11.5 + i), ++n, k);
        }
        return { k, lookups, after: (e.fast?.lookups ?? 0) - lookups, hits: e.fast?.hits ?? 0 };
      };
      const f = run(true);
      const s = run(false);
      expect(f.k.emitted, proto).toEqual(s.k.emitted);
      expect(f.k.drops, proto).toEqual(s.k.drops);
      // The session's first packet looked it up (and found nothing); none after it did.
      expect(f.lookups, proto).toBe(1);
      expect(f.after, proto).toBe(0);
      // Every packet after the first through the fast path.
      expect(f.hits, proto).toBe(9);
    }
  });

  it('an idle connection (policy.tcpIdleRst) is answered with the RST by the general path, not translated', () => {
    const cfg = config({ policy: { tcpIdleRst: 350, dropFragments: [], maxConnectionsPerDestination: null } });
    const e = new Nat64Engine(cfg);
    const k = new Collect();
    const tcp6 = (flags: number) => buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { tcp: { srcPort: 40000, dstPort: 80, flags, seq: 1, ack: 1 } } });
    let b = tcp6(TcpFlag.SYN);
    e.process(b, 0, b.length, at(10), 1, k);
    const port = portOf(k);
    b = buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { tcp: { srcPort: 80, dstPort: port, flags: TcpFlag.SYN | TcpFlag.ACK, seq: 9, ack: 2 } } });
    e.process(b, 0, b.length, at(11), 2, k);
    b = tcp6(TcpFlag.ACK);
    e.process(b, 0, b.length, at(12), 3, k);
    const hits = e.fast!.hits;
    k.clear();
    e.process(b, 0, b.length, at(400), 4, k);
    expect(e.fast!.hits).toBe(hits);
    expect(k.drops).toEqual([[Reason.TcpIdleRst, 4]]);
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0].kind).toBe(EmitKind.IcmpError); // the RST back to the inside host
  });
});
