// Engine-level tests: packets built with buildIp, run through Nat64Engine with the real RFC 7915
// HeaderTranslator, emitted packets decoded with PacketDecoder (checksums must be good).
import { describe, it, expect } from 'vitest';
import { buildIp } from '../../../src/wire/builder.js';
import { TcpFlag } from '../../../src/wire/tcp.js';
import { EmitKind } from '../../../src/xlat/types.js';
import { Reason } from '../../../src/diag/reasons.js';
import { Nat64Engine } from '../../../src/xlat/nat64/nat64-engine.js';
import { config, Collect, decode, at, u32, ip6 } from './helpers.js';

const C1 = '2001:db8::5';
const C2 = '2001:db8::6';
const S = '198.51.100.7';
const S6 = '64:ff9b::c633:6407';
const POOL = '192.0.2.1';

const udp6 = (src: string, sport: number, dst = S6, dport = 53, payload = 'hello') =>
  buildIp({ ip: { v: 6, src, dst }, l4: { udp: { sport, dport } }, payload });
const udp4 = (src: string, sport: number, dport: number, dst = POOL, payload = 'world') =>
  buildIp({ ip: { v: 4, src, dst }, l4: { udp: { sport, dport } }, payload });
const tcp6 = (flags: number, sport = 40000, src = C1, dst = S6, dport = 80, seq = 1000, ack = 0) =>
  buildIp({ ip: { v: 6, src, dst }, l4: { tcp: { srcPort: sport, dstPort: dport, flags, seq, ack } } });
const tcp4 = (flags: number, sport: number, dport: number, src = S, seq = 5000, ack = 0) =>
  buildIp({ ip: { v: 4, src, dst: POOL }, l4: { tcp: { srcPort: sport, dstPort: dport, flags, seq, ack } } });

function run(e: Nat64Engine, sink: Collect, pkt: Uint8Array, t: number, n: number) {
  e.process(pkt, 0, pkt.length, at(t), n, sink);
}

describe('UDP (RFC 6146 §3.5.1)', () => {
  it('creates a BIB entry and a session, translates both ways, checksums good', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 40001), 100, 1);
    expect(k.drops).toEqual([]);
    const out = decode(k.emitted[0]);
    expect(k.emitted[0].kind).toBe(EmitKind.Translated);
    expect(out).toMatchObject({ v: 4, src: POOL, dst: S, dport: 53 });
    expect(out.sport).toBeGreaterThanOrEqual(1024);
    expect(out.sport % 2).toBe(1); // parity of 40001
    expect(e.bibEntries()).toMatchObject([{ protocol: 'udp', port6: 40001, ipv4: u32(POOL), port4: out.sport, isStatic: false, sessions: 1 }]);
    const [s] = e.sessions();
    expect(s).toMatchObject({ protocol: 'udp', state: 'ESTABLISHED', v4: { src: u32(POOL), sport: out.sport, dst: u32(S), dport: 53 }, expires: { sec: 400, nsec: 0 } });
    k.clear();
    run(e, k, udp4(S, 53, out.sport), 101, 2);
    const back = decode(k.emitted[0]);
    expect(back).toMatchObject({ v: 6, src: S6, dst: C1, sport: 53, dport: 40001 });
  });

  it('endpoint-independent mapping: same IPv6 source -> same IPv4 transport address', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 5000, S6, 53), 1, 1);
    run(e, k, udp6(C1, 5000, '64:ff9b::cb00:7101', 123), 2, 2);
    const a = decode(k.emitted[0]), b = decode(k.emitted[1]);
    expect(b.sport).toBe(a.sport);
    expect(e.bibEntries()).toHaveLength(1);
    expect(e.sessions()).toHaveLength(2);
  });

  it('well-known source ports stay below 1024', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 123, S6, 123), 1, 1);
    expect(decode(k.emitted[0]).sport).toBeLessThan(1024);
  });

  it('is deterministic: the same packets twice give the same ports', () => {
    const ports = () => {
      const e = new Nat64Engine(config());
      const k = new Collect();
      for (let i = 0; i < 20; i++) run(e, k, udp6(i % 2 ? C1 : C2, 30000 + i), i, i);
      return k.emitted.map((x) => decode(x).sport);
    };
    expect(ports()).toEqual(ports());
  });

  it('sessions and dynamic BIB entries expire on the capture clock', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 40000), 1000, 1);
    e.advance(at(1299), k);
    expect(e.sessions()).toHaveLength(1);
    run(e, k, udp6(C1, 40000), 1299, 2); // refresh
    e.advance(at(1598), k);
    expect(e.sessions()).toHaveLength(1);
    e.advance(at(1599), k);
    expect(e.sessions()).toHaveLength(0);
    expect(e.bibEntries()).toHaveLength(0);
  });

  it('pool4 exhausted -> ICMPv6 1/3 back to the source, Pool4Exhausted', () => {
    const e = new Nat64Engine(config({ pool4: [{ prefix: { addr: u32(POOL), len: 32 }, portMin: 2000, portMax: 2000, protocols: ['udp'] }] }));
    const k = new Collect();
    run(e, k, udp6(C1, 40000), 1, 1);
    expect(decode(k.emitted[0]).sport).toBe(2000);
    k.clear();
    const p = udp6(C2, 40000);
    run(e, k, p, 2, 2);
    expect(k.drops).toEqual([[Reason.Pool4Exhausted, 2]]);
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0].kind).toBe(EmitKind.IcmpError);
    const err = decode(k.emitted[0]);
    expect(err).toMatchObject({ v: 6, src: S6, dst: C2, icmpType: 1, icmpCode: 3, innerSrc: C2, innerDst: S6, innerSport: 40000 });
    expect(err.len).toBe(48 + p.length);
  });

  it('address-dependent filtering on and off', () => {
    for (const adf of [false, true]) {
      const e = new Nat64Engine(config({ filtering: { addressDependent: adf, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false } }));
      const k = new Collect();
      run(e, k, udp6(C1, 40000), 1, 1);
      const port = decode(k.emitted[0]).sport;
      k.clear();
      run(e, k, udp4('203.0.113.9', 999, port), 2, 2); // another address
      if (adf) expect(k.drops).toEqual([[Reason.AddressDependentFiltering, 2]]);
      else expect(decode(k.emitted[0])).toMatchObject({ src: '64:ff9b::cb00:7109', dst: C1, dport: 40000 });
      k.clear();
      run(e, k, udp4(S, 999, port), 3, 3); // same address, another port: allowed either way
      expect(k.drops).toEqual([]);
      expect(decode(k.emitted[0]).dst).toBe(C1);
    }
  });

  it('drops: not under pool6, not to pool4, no BIB entry', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 1, '2001:db8:1::1'), 1, 1);
    run(e, k, udp4(S, 53, 4000, '192.0.2.99'), 1, 2);
    run(e, k, udp4(S, 53, 4000), 1, 3);
    expect(k.drops).toEqual([[Reason.Pool6Mismatch, 1], [Reason.NotToPool4, 2], [Reason.NoBibEntry, 3]]);
    expect(e.dropCounts().get(Reason.NoBibEntry)).toBe(1);
  });

  it('static BIB entries accept IPv4-initiated traffic', () => {
    const e = new Nat64Engine(config({ bib: [{ protocol: 'udp', ipv6: ip6(C1), port6: 53, ipv4: u32(POOL), port4: 53 }] }));
    const k = new Collect();
    run(e, k, udp4(S, 5353, 53), 1, 1);
    expect(decode(k.emitted[0])).toMatchObject({ v: 6, src: S6, dst: C1, sport: 5353, dport: 53 });
    expect(e.bibEntries()[0]).toMatchObject({ isStatic: true, sessions: 1 });
    e.drain(k);
    expect(e.bibEntries()).toHaveLength(1);
  });
});

describe('ICMP (RFC 6146 §3.5.3, §3.5.4)', () => {
  it('echo request/reply map the identifier', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, buildIp({ ip: { v: 6, src: C1, dst: S6 }, l4: { icmp6: { type: 128, code: 0, rest: (77 << 16) | 1 } } }), 1, 1);
    const req = decode(k.emitted[0]);
    expect(req).toMatchObject({ v: 4, src: POOL, dst: S, icmpType: 8 });
    k.clear();
    run(e, k, buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { icmp4: { type: 0, code: 0, rest: (req.sport << 16) | 1 } } }), 2, 2);
    expect(decode(k.emitted[0])).toMatchObject({ v: 6, src: S6, dst: C1, icmpType: 129, sport: 77 });
    expect(e.sessions()[0]).toMatchObject({ protocol: 'icmp', v6: { sport: 77, dport: 77 }, expires: { sec: 62 } });
  });

  it('dropIcmpv6Info filters echo requests', () => {
    const e = new Nat64Engine(config({ filtering: { addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: true } }));
    const k = new Collect();
    run(e, k, buildIp({ ip: { v: 6, src: C1, dst: S6 }, l4: { icmp6: { type: 128, code: 0, rest: 1 } } }), 1, 1);
    expect(k.drops).toEqual([[Reason.Icmpv6InfoFiltered, 1]]);
  });

  it('an ICMPv4 error is matched through the packet inside it and translated with inner tuples', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 40000), 1, 1);
    const sent = k.emitted[0].bytes;
    const port = decode(k.emitted[0]).sport;
    k.clear();
    const sessionsBefore = JSON.stringify(e.sessions());
    // A router on the IPv4 side answers port unreachable quoting the translated packet.
    const err = buildIp({ ip: { v: 4, src: '203.0.113.1', dst: POOL }, l4: { icmp4: { type: 3, code: 3 } }, payload: sent });
    run(e, k, err, 1, 2);
    expect(k.drops).toEqual([]);
    const out = decode(k.emitted[0]);
    expect(out).toMatchObject({ v: 6, src: '64:ff9b::cb00:7101', dst: C1, icmpType: 1, icmpCode: 4, innerSrc: C1, innerDst: S6, innerSport: 40000, innerDport: 53 });
    expect(port).toBeGreaterThan(0);
    expect(JSON.stringify(e.sessions())).toBe(sessionsBefore); // errors change no state
  });

  it('an ICMPv6 error is matched through the packet inside it', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C1, 40000), 1, 1);
    const port = decode(k.emitted[0]).sport;
    k.clear();
    run(e, k, udp4(S, 53, port), 2, 2);
    const received = k.emitted[0].bytes; // what C1 got
    k.clear();
    const err = buildIp({ ip: { v: 6, src: C1, dst: S6 }, l4: { icmp6: { type: 1, code: 4 } }, payload: received });
    run(e, k, err, 3, 3);
    expect(k.drops).toEqual([]);
    expect(decode(k.emitted[0])).toMatchObject({ v: 4, src: POOL, dst: S, icmpType: 3, icmpCode: 3, innerSrc: S, innerDst: POOL, innerSport: 53, innerDport: port });
  });

  it('an error about no session is dropped', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    const inner = buildIp({ ip: { v: 4, src: POOL, dst: S }, l4: { udp: { sport: 4242, dport: 53 } } });
    run(e, k, buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { icmp4: { type: 3, code: 3 } }, payload: inner }), 1, 1);
    expect(k.drops).toEqual([[Reason.NoSessionForIcmpError, 1]]);
  });
});

describe('TCP (RFC 6146 §3.5.2)', () => {
  it('walks a connection through the state machine with its timers', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.SYN), 10, 1);
    const port = decode(k.emitted[0]).sport;
    expect(e.sessions()[0]).toMatchObject({ state: 'V6 INIT', expires: { sec: 250 } });
    run(e, k, tcp4(TcpFlag.SYN | TcpFlag.ACK, 80, port), 11, 2);
    expect(e.sessions()[0]).toMatchObject({ state: 'ESTABLISHED', expires: { sec: 11 + 7440 } });
    run(e, k, tcp6(TcpFlag.FIN | TcpFlag.ACK), 20, 3);
    expect(e.sessions()[0]).toMatchObject({ state: 'V6 FIN RCV', expires: { sec: 11 + 7440 } });
    run(e, k, tcp4(TcpFlag.FIN | TcpFlag.ACK, 80, port), 21, 4);
    expect(e.sessions()[0]).toMatchObject({ state: 'V4 FIN + V6 FIN RCV', expires: { sec: 21 + 240 } });
    expect(k.drops).toEqual([]);
    expect(k.emitted.map((x) => decode(x).v)).toEqual([4, 6, 4, 6]);
    e.advance(at(261), k);
    expect(e.sessions()).toHaveLength(0);
  });

  it('RST moves ESTABLISHED to TRANS; a non-RST brings it back', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.SYN), 0, 1);
    const port = decode(k.emitted[0]).sport;
    run(e, k, tcp4(TcpFlag.SYN | TcpFlag.ACK, 80, port), 1, 2);
    run(e, k, tcp6(TcpFlag.RST), 2, 3);
    expect(e.sessions()[0]).toMatchObject({ state: 'TRANS', expires: { sec: 242 } });
    run(e, k, tcp4(TcpFlag.ACK, 80, port), 3, 4);
    expect(e.sessions()[0]).toMatchObject({ state: 'ESTABLISHED', expires: { sec: 7443 } });
  });

  it('ESTABLISHED expiry sends a probe to the IPv6 end and moves to TRANS; drain empties the tables', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.SYN), 0, 1);
    const port = decode(k.emitted[0]).sport;
    run(e, k, tcp4(TcpFlag.SYN | TcpFlag.ACK, 80, port), 1, 2);
    k.clear();
    e.advance(at(7441), k);
    expect(e.sessions()[0]).toMatchObject({ state: 'TRANS', expires: { sec: 7441 + 240 } });
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0]).toMatchObject({ kind: EmitKind.Deferred, family: 6, about: -1 });
    expect(decode(k.emitted[0])).toMatchObject({ src: S6, dst: C1, sport: 80, dport: 40000, flags: TcpFlag.ACK });
    e.drain(k);
    expect(e.sessions()).toHaveLength(0);
    expect(e.bibEntries()).toHaveLength(0);
  });

  it('a non-SYN with no state is dropped', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.ACK), 0, 1);
    expect(k.drops).toEqual([[Reason.TcpStateDrop, 1]]);
  });

  it('externally initiated SYN: stored 6 s, then ICMP 3/3 with the stored packet (kind Deferred)', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    const syn = tcp4(TcpFlag.SYN, 5555, 4000);
    run(e, k, syn, 100, 7);
    expect(k.emitted).toEqual([]);
    expect(k.drops).toEqual([]);
    expect(e.storedSyns()).toBe(1);
    e.advance(at(105, 999_999_000), k);
    expect(k.emitted).toEqual([]);
    e.advance(at(106), k);
    expect(k.drops).toEqual([[Reason.SimultaneousOpenExpired, 7]]);
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0]).toMatchObject({ kind: EmitKind.Deferred, family: 4, about: 7 });
    const err = decode(k.emitted[0]);
    expect(err).toMatchObject({ v: 4, src: POOL, dst: S, icmpType: 3, icmpCode: 3, innerSrc: S, innerDst: POOL, innerSport: 5555, innerDport: 4000 });
    expect(k.emitted[0].bytes.subarray(28)).toEqual(syn);
    expect(e.storedSyns()).toBe(0);
  });

  it('with dropExternallyInitiatedTcp the SYN is dropped at once', () => {
    const e = new Nat64Engine(config({ filtering: { addressDependent: false, dropExternallyInitiatedTcp: true, dropIcmpv6Info: false } }));
    const k = new Collect();
    run(e, k, tcp4(TcpFlag.SYN, 5555, 4000), 1, 1);
    expect(k.drops).toEqual([[Reason.ExternallyInitiatedTcp, 1]]);
    e.drain(k);
    expect(k.emitted).toEqual([]);
  });

  it('simultaneous open: a V6 SYN within 6 s takes the stored SYN\'s address, no ICMP', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, tcp4(TcpFlag.SYN, 80, 4000), 1, 1);
    run(e, k, tcp6(TcpFlag.SYN, 40000), 3, 2);
    const out = decode(k.emitted[0]);
    expect(out).toMatchObject({ v: 4, src: POOL, sport: 4000, dst: S, dport: 80 });
    expect(e.sessions()[0]).toMatchObject({ state: 'ESTABLISHED' });
    k.clear();
    e.advance(at(20), k);
    expect(k.emitted).toEqual([]);
  });

  it('V4 SYN to an existing mapping under ADF is stored (type 2) and answered with ICMP 3/3', () => {
    const e = new Nat64Engine(config({ filtering: { addressDependent: true, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false } }));
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.SYN), 0, 1);
    const port = decode(k.emitted[0]).sport;
    k.clear();
    run(e, k, tcp4(TcpFlag.SYN, 6000, port, '203.0.113.50'), 1, 2);
    expect(k.emitted).toEqual([]);
    expect(e.sessions().map((s) => s.state)).toEqual(['V6 INIT', 'V4 INIT']);
    run(e, k, tcp4(TcpFlag.SYN, 6000, port, '203.0.113.50'), 2, 3); // retry: dropped
    expect(k.drops).toEqual([[Reason.TcpStateDrop, 3]]);
    e.advance(at(7), k);
    expect(k.emitted.map((x) => [x.kind, decode(x).icmpType, decode(x).icmpCode])).toEqual([[EmitKind.Deferred, 3, 3]]);
  });

  it('AWS idle timeout: an IPv6 packet after 350 s idle is answered with a RST', () => {
    const e = new Nat64Engine(config({ policy: { tcpIdleRst: 350, dropFragments: [], maxConnectionsPerDestination: null } }));
    const k = new Collect();
    run(e, k, tcp6(TcpFlag.SYN), 0, 1);
    const port = decode(k.emitted[0]).sport;
    run(e, k, tcp4(TcpFlag.SYN | TcpFlag.ACK, 80, port, S, 7000, 1001), 1, 2);
    run(e, k, tcp6(TcpFlag.ACK, 40000, C1, S6, 80, 1001, 7001), 300, 3);
    k.clear();
    run(e, k, tcp6(TcpFlag.ACK | TcpFlag.PSH, 40000, C1, S6, 80, 1001, 7001), 651, 4);
    expect(k.drops).toEqual([[Reason.TcpIdleRst, 4]]);
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0]).toMatchObject({ kind: EmitKind.IcmpError, family: 6, about: 4 });
    expect(decode(k.emitted[0])).toMatchObject({ v: 6, src: S6, dst: C1, sport: 80, dport: 40000, flags: TcpFlag.RST });
    expect(e.sessions()).toHaveLength(0);
  });

  it('maxConnectionsPerDestination caps sessions to one destination per pool address', () => {
    const e = new Nat64Engine(config({ policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: 2 } }));
    const k = new Collect();
    for (let i = 0; i < 3; i++) run(e, k, tcp6(TcpFlag.SYN, 40000 + i), 1, i);
    expect(k.drops).toEqual([[Reason.ConnectionLimit, 2]]);
    expect(e.sessions()).toHaveLength(2);
    expect(e.bibEntries()).toHaveLength(2);
  });
});

describe('hairpinning (RFC 6146 §3.8)', () => {
  it('an IPv6 packet to a pool4 transport address comes back to the IPv6 host behind it', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6(C2, 7000), 1, 1); // C2 gets a mapping
    const p2 = decode(k.emitted[0]).sport;
    k.clear();
    run(e, k, udp6(C1, 6000, '64:ff9b::c000:201', p2), 2, 2); // C1 -> pool6(192.0.2.1):p2
    expect(k.drops).toEqual([]);
    expect(k.emitted).toHaveLength(1);
    expect(k.emitted[0].kind).toBe(EmitKind.Hairpinned);
    const out = decode(k.emitted[0]);
    const p1 = e.bibEntries().find((b) => b.port6 === 6000)!.port4;
    expect(out).toMatchObject({ v: 6, src: '64:ff9b::c000:201', dst: C2, sport: p1, dport: 7000 });
  });

  it('a packet from a pool6 source is a loop', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, udp6('64:ff9b::c000:201', 1, S6), 1, 1);
    expect(k.drops).toEqual([[Reason.HairpinLoop, 1]]);
  });
});

describe('fragments', () => {
  const frags = (id: number) => {
    const payload = new Uint8Array(64).map((_, i) => i);
    const whole = udp6(C1, 40000, S6, 53, '');
    void whole;
    // First fragment: UDP header + 24 bytes; second: the remaining 40 bytes.
    const udpFull = buildIp({ ip: { v: 6, src: C1, dst: S6 }, l4: { udp: { sport: 40000, dport: 53 } }, payload }).subarray(40);
    const first = buildIp({ ip: { v: 6, src: C1, dst: S6, ext: [{ type: 'frag', offset: 0, more: true, id }] }, l4: { proto: 17 }, payload: udpFull.subarray(0, 32) });
    const second = buildIp({ ip: { v: 6, src: C1, dst: S6, ext: [{ type: 'frag', offset: 32, more: false, id }] }, l4: { proto: 17 }, payload: udpFull.subarray(32) });
    return { first, second };
  };

  it('a fragment ahead of the first is held, then translated with the first one\'s tuple', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    const { first, second } = frags(99);
    run(e, k, second, 1, 1);
    expect(k.drops).toEqual([[Reason.FragmentsHeld, 1]]);
    expect(e.heldFragments()).toBe(1);
    run(e, k, first, 1.5, 2);
    expect(k.emitted.map((x) => x.about)).toEqual([2, 1]);
    const a = decode(k.emitted[0], false), b = decode(k.emitted[1], false);
    expect(a).toMatchObject({ v: 4, src: POOL, dst: S, fragment: true, fragOffset: 0 });
    expect(b).toMatchObject({ v: 4, src: POOL, dst: S, fragment: true, fragOffset: 32 });
    expect(e.heldFragments()).toBe(0);
  });

  it('held fragments time out', () => {
    const e = new Nat64Engine(config());
    const k = new Collect();
    run(e, k, frags(5).second, 10, 1);
    e.advance(at(12), k);
    expect(k.drops).toEqual([[Reason.FragmentsHeld, 1], [Reason.FragmentTimeout, 1]]);
    expect(k.emitted).toEqual([]);
  });

  it('policy.dropFragments drops fragments of the listed protocols', () => {
    const e = new Nat64Engine(config({ policy: { tcpIdleRst: null, dropFragments: ['udp'], maxConnectionsPerDestination: null } }));
    const k = new Collect();
    run(e, k, frags(5).first, 10, 1);
    expect(k.drops).toEqual([[Reason.FragmentPolicy, 1]]);
  });
});
