/**
 * The Correlator (src/replay/correlate.ts) on two sides of a simulated translator: the "real"
 * translator here is nat64scope's own engine with a configuration of its own (other pool4 ports,
 * another profile), its outputs stamped with a latency and, on one side, a clock skew. Faults are
 * then put between the captures (a field altered, a packet dropped, one added) and must be found
 * and named. The real-translator test is test/referee/tayga-correlate.test.ts.
 */
import { describe, it, expect } from 'vitest';
import { buildIp } from '../../src/wire/builder.js';
import { loadConfig } from '../../src/xlat/config.js';
import { createEngine } from '../../src/xlat/engine.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';
import { EmitKind } from '../../src/xlat/types.js';
import { Correlator, type CorrelateEvent, type Side } from '../../src/replay/correlate.js';

interface Pkt { side: Side; t: number; b: Uint8Array }

const T0 = 1_780_000_000;
const V6 = '2001:db8:1::10';
const pay = (n: number, s = 1) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + s) & 0xff);

/** Runs `inputs` through a "real" translator (our engine with `real`): both side captures. */
function simulate(real: EngineConfig, inputs: Pkt[], latency = 0.002, skew4 = 0): { v6: Pkt[]; v4: Pkt[] } {
  const eng = createEngine(real);
  const v6: Pkt[] = [];
  const v4: Pkt[] = [];
  inputs.forEach((p, i) => {
    (p.side === 'v6' ? v6 : v4).push(p);
    const sec = Math.floor(p.t);
    eng.process(p.b, 0, p.b.length, { sec: T0 + sec, nsec: Math.round((p.t - sec) * 1e9) }, i + 1, {
      emit(bytes, off, len, family, kind) {
        if (kind === EmitKind.Deferred) return;
        (family === 6 ? v6 : v4).push({ side: family === 6 ? 'v6' : 'v4', t: p.t + latency, b: bytes.slice(off, off + len) });
      },
      drop() {},
    });
  });
  for (const p of v4) p.t += skew4;
  v6.sort((a, b) => a.t - b.t);
  v4.sort((a, b) => a.t - b.t);
  return { v6, v4 };
}

function correlate(cfg: EngineConfig, sides: { v6: Pkt[]; v4: Pkt[] }, window = 1) {
  const events: CorrelateEvent[] = [];
  const c = new Correlator({ config: cfg, window }, (e) => events.push(e));
  const all = [...sides.v6.map((p, i) => ({ ...p, n: i + 1 })), ...sides.v4.map((p, i) => ({ ...p, n: i + 1 }))].sort((a, b) => a.t - b.t);
  for (const p of all) {
    const sec = Math.floor(p.t);
    c.push(p.side, p.b, 0, p.b.length, T0 + sec, Math.round((p.t - sec) * 1e9), p.n);
  }
  const summary = c.finish();
  return { events, summary };
}

function siitTraffic(): Pkt[] {
  const out: Pkt[] = [];
  const h6 = '2001:db8:6::10';
  const srv6 = '2001:db8:64::cb00:7107';
  for (let i = 0; i < 20; i++) {
    out.push({ side: 'v6', t: i * 0.05, b: buildIp({ ip: { v: 6, src: h6, dst: srv6, hopLimit: 64 }, l4: { udp: { sport: 40000 + i, dport: 7000 } }, payload: pay(40, i) }) });
    out.push({ side: 'v4', t: i * 0.05 + 0.01, b: buildIp({ ip: { v: 4, src: '203.0.113.7', dst: '192.0.2.10', ttl: 60, id: 100 + i, df: true }, l4: { udp: { sport: 7000, dport: 40000 + i } }, payload: pay(60, i) }) });
    out.push({ side: 'v6', t: i * 0.05 + 0.02, b: buildIp({ ip: { v: 6, src: h6, dst: srv6 }, l4: { icmp6: { type: 128, code: 0, rest: (0x99 << 16) | i } }, payload: pay(24, i) }) });
    out.push({ side: 'v6', t: i * 0.05 + 0.03, b: buildIp({ ip: { v: 6, src: h6, dst: srv6 }, l4: { tcp: { srcPort: 41000, dstPort: 443, flags: 0x18, seq: 1000 + i * 100, ack: 7, window: 500 } }, payload: pay(100, i) }) });
  }
  return out;
}

const SIIT = () => loadConfig({ flags: { mode: 'siit', prefix: '2001:db8:64::/96', eam: ['2001:db8:6::10=192.0.2.10'] } });

describe('Correlator, SIIT', () => {
  it('pairs every packet with its translation: no false alarm, latency measured', () => {
    const cfg = SIIT();
    const { events, summary } = correlate(cfg, simulate(cfg, siitTraffic(), 0.003));
    expect(events).toEqual([]);
    expect(summary.correct).toBe(80);
    expect([summary.wrong, summary.missing, summary.unexpected]).toEqual([0, 0, 0]);
    expect(summary.inputs).toEqual({ v6: 60, v4: 20 });
    expect(summary.outputs).toEqual({ v6: 20, v4: 60 });
    expect(summary.latency.count).toBe(80);
    expect(summary.latency.p50).toBeGreaterThan(0.0029);
    expect(summary.latency.p50).toBeLessThan(0.0031);
  });

  it('tolerates clock skew between the captures up to the window', () => {
    const cfg = SIIT();
    const { summary } = correlate(cfg, simulate(cfg, siitTraffic(), 0.001, -0.4), 1);
    expect([summary.correct, summary.wrong, summary.missing, summary.unexpected]).toEqual([80, 0, 0, 0]);
    expect(summary.latency.min).toBeLessThan(-0.39);
  });

  it('names an altered field, a dropped packet and a packet from nowhere', () => {
    const cfg = SIIT();
    const sides = simulate(cfg, siitTraffic());
    // #3 on the IPv4 side (a UDP translation): TTL 63 -> 62, checksum fixed (a router in between).
    const alt = sides.v4[2].b;
    expect(alt[8]).toBe(63);
    alt[8] = 62;
    alt[10] = 0; alt[11] = 0;
    let s = 0;
    for (let i = 0; i < 20; i += 2) s += (alt[i] << 8) | alt[i + 1];
    while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
    alt[10] = (~s >> 8) & 0xff; alt[11] = ~s & 0xff;
    // The 10th IPv6-side output (a translated reply) never arrives.
    const lostIdx = sides.v6.findIndex((p, i) => i > 20 && p.b[12] === 0x00 && p.b[13] === 0x64); // from 2001:db8:64::/96
    const lost = sides.v6.splice(lostIdx, 1)[0];
    // A packet from nowhere on the IPv4 side.
    sides.v4.push({ side: 'v4', t: 0.5, b: buildIp({ ip: { v: 4, src: '192.0.2.10', dst: '203.0.113.9', ttl: 63 }, l4: { udp: { sport: 1, dport: 2 } }, payload: pay(8) }) });
    sides.v4.sort((a, b) => a.t - b.t);
    const { events, summary } = correlate(cfg, sides);
    expect([summary.wrong, summary.missing, summary.unexpected]).toEqual([1, 1, 1]);
    const wrong = events.find((e) => e.kind === 'wrong');
    expect(wrong && wrong.kind === 'wrong' && wrong.diffs.map((d) => [d.field, d.expected, d.got])).toEqual([['ipv4.ttl', 63, 62]]);
    expect(wrong && wrong.kind === 'wrong' && wrong.diffs[0].rule).toMatch(/RFC 7915 §5\.1/);
    const missing = events.find((e) => e.kind === 'missing');
    expect(missing && missing.kind === 'missing' && missing.input.side).toBe('v4');
    expect(missing && missing.kind === 'missing' && missing.reason).toBe('lost');
    expect(lost).toBeDefined();
    const un = events.find((e) => e.kind === 'unexpected');
    expect(un && un.kind === 'unexpected' && un.output.side).toBe('v4');
  });

  it('a payload altered on its way is paired by flow and shown as a data difference', () => {
    const cfg = SIIT();
    const sides = simulate(cfg, siitTraffic());
    const p = sides.v4.find((x) => x.b[9] === 17)!;
    p.b[p.b.length - 1] ^= 0xff; // the UDP checksum no longer verifies either
    const { events, summary } = correlate(cfg, sides);
    expect([summary.correct, summary.wrong, summary.missing, summary.unexpected]).toEqual([79, 1, 0, 0]);
    const w = events[0];
    expect(w.kind).toBe('wrong');
    if (w.kind === 'wrong') expect(w.diffs.map((d) => d.field).sort()).toEqual(['data', 'udp.checksum']);
  });

  it('an input the engine answers with an ICMP error: the missing error is reported as such', () => {
    const cfg = SIIT();
    const inputs: Pkt[] = [{ side: 'v6', t: 0, b: buildIp({ ip: { v: 6, src: '2001:db8:6::10', dst: '2001:db8:64::cb00:7107', hopLimit: 1 }, l4: { udp: { sport: 1, dport: 2 } }, payload: pay(8) }) }];
    const sides = simulate(cfg, inputs);
    expect(sides.v6.length).toBe(2); // the input and the Time Exceeded
    expect(correlate(cfg, sides).summary.correct).toBe(1);
    sides.v6.pop();
    const { events } = correlate(cfg, sides);
    expect(events.map((e) => e.kind === 'missing' && [e.expected, e.reason])).toEqual([['icmp-error', 'no-icmp-error']]);
  });
});

describe('Correlator, stateful NAT64', () => {
  function traffic(): Pkt[] {
    const out: Pkt[] = [];
    for (let f = 0; f < 10; f++) {
      const t = f * 0.1;
      const srv = `198.51.100.${10 + f}`;
      out.push({ side: 'v6', t, b: buildIp({ ip: { v: 6, src: V6, dst: `2001:db8:64::c633:64${(10 + f).toString(16).padStart(2, '0')}` }, l4: { udp: { sport: 50000 + f, dport: 53 } }, payload: pay(30, f) }) });
      out.push({ side: 'v6', t: t + 0.001, b: buildIp({ ip: { v: 6, src: V6, dst: `2001:db8:64::c633:64${(10 + f).toString(16).padStart(2, '0')}` }, l4: { icmp6: { type: 128, code: 0, rest: ((700 + f) << 16) | 1 } }, payload: pay(16, f) }) });
      void srv;
    }
    return out;
  }

  it('learns the real translator\'s pool4 ports and pairs the replies through them', () => {
    const real = loadConfig({ profile: 'jool', flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#61001-65535'] } });
    const ours = loadConfig({ flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#1024-65535'] } });
    // First pass: the IPv6 side alone, to see which ports the real translator picked.
    const first = simulate(real, traffic());
    const replies: Pkt[] = first.v4.map((p) => {
      const b = p.b;
      const src = `${b[16]}.${b[17]}.${b[18]}.${b[19]}`;
      if (b[9] === 17) {
        const sport = (b[20] << 8) | b[21];
        return { side: 'v4' as Side, t: p.t + 0.02, b: buildIp({ ip: { v: 4, src, dst: '192.0.2.1', ttl: 50 }, l4: { udp: { sport: 53, dport: sport } }, payload: pay(50) }) };
      }
      const id = (b[24] << 8) | b[25];
      return { side: 'v4' as Side, t: p.t + 0.02, b: buildIp({ ip: { v: 4, src, dst: '192.0.2.1', ttl: 50 }, l4: { icmp4: { type: 0, code: 0, rest: (id << 16) | 1 } }, payload: b.slice(28) }) };
    });
    for (const p of first.v4) {
      const port = p.b[9] === 17 ? (p.b[20] << 8) | p.b[21] : (p.b[24] << 8) | p.b[25];
      expect(port).toBeGreaterThanOrEqual(61001);
    }
    const sides = simulate(real, [...traffic(), ...replies].sort((a, b) => a.t - b.t));
    const { events, summary } = correlate(ours, sides);
    expect(events).toEqual([]);
    expect([summary.correct, summary.wrong, summary.missing, summary.unexpected]).toEqual([40, 0, 0, 0]);
    expect(summary.learntBindings).toBe(20);
  });

  it('ICMPv4 errors about packets that left through the real translator\'s ports are paired too (quoted binding rewritten)', () => {
    const real = loadConfig({ profile: 'jool', flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#61001-65535'] } });
    const ours = loadConfig({ flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#1024-65535'] } });
    const first = simulate(real, traffic());
    // Each server answers its UDP query with ICMPv4 port unreachable (3/3) quoting the query as it
    // arrived, and its echo request with an echo reply (so both kinds of binding are learnt).
    const replies: Pkt[] = first.v4.map((p) => {
      const b = p.b;
      const src = `${b[16]}.${b[17]}.${b[18]}.${b[19]}`;
      if (b[9] === 17) return { side: 'v4' as Side, t: p.t + 0.02, b: buildIp({ ip: { v: 4, src, dst: '192.0.2.1', ttl: 50 }, l4: { icmp4: { type: 3, code: 3, rest: 0 } }, payload: b.slice(0, 28 + 8) }) };
      const id = (b[24] << 8) | b[25];
      return { side: 'v4' as Side, t: p.t + 0.02, b: buildIp({ ip: { v: 4, src, dst: '192.0.2.1', ttl: 50 }, l4: { icmp4: { type: 0, code: 0, rest: (id << 16) | 1 } }, payload: b.slice(28) }) };
    });
    const sides = simulate(real, [...traffic(), ...replies].sort((a, b) => a.t - b.t));
    // The real translator turned the ten errors into ICMPv6 destination unreachable (1/4).
    expect(sides.v6.filter((p) => p.b[6] === 58 && p.b[40] === 1 && p.b[41] === 4)).toHaveLength(10);
    const { events, summary } = correlate(ours, sides);
    expect(events).toEqual([]);
    expect([summary.correct, summary.wrong, summary.missing, summary.unexpected]).toEqual([40, 0, 0, 0]);
  });

  it('clock skew larger than the round trip: replies stamped before the request wait for their binding', () => {
    const real = loadConfig({ profile: 'jool', flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#61001-65535'] } });
    const ours = loadConfig({ flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#1024-65535'] } });
    const first = simulate(real, traffic());
    const replies: Pkt[] = first.v4.filter((p) => p.b[9] === 17).map((p) => {
      const b = p.b;
      return { side: 'v4' as Side, t: p.t + 0.02, b: buildIp({ ip: { v: 4, src: `${b[16]}.${b[17]}.${b[18]}.${b[19]}`, dst: '192.0.2.1', ttl: 50 }, l4: { udp: { sport: 53, dport: (b[20] << 8) | b[21] } }, payload: pay(50) }) };
    });
    // The IPv4 capture's clock is 0.3 s behind: every reply is stamped before its request.
    const sides = simulate(real, [...traffic(), ...replies].sort((a, b) => a.t - b.t), 0.002, -0.3);
    const { events, summary } = correlate(ours, sides);
    expect(events).toEqual([]);
    expect([summary.correct, summary.wrong, summary.missing, summary.unexpected]).toEqual([30, 0, 0, 0]);
    expect(summary.latency.min).toBeLessThan(-0.29);
  });

  it('a source port outside pool4 is wrong, with the RFC 6146 rule', () => {
    const real = loadConfig({ flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#61001-65535'] } });
    const ours = loadConfig({ flags: { prefix: '2001:db8:64::/96', pool4: ['192.0.2.1#1024-2000'] } });
    const sides = simulate(real, traffic().slice(0, 1));
    const { events } = correlate(ours, sides);
    expect(events.length).toBe(1);
    const e = events[0];
    expect(e.kind).toBe('wrong');
    if (e.kind === 'wrong') {
      expect(e.diffs[0].field).toBe('udp.srcport');
      expect(e.diffs[0].rule).toMatch(/RFC 6146 §3\.5.*pool4/);
    }
  });
});
