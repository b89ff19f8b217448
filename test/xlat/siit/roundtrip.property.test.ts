/**
 * Property: translate -> translate back gives the original packet except the fields RFC 7915
 * changes (flow label 0, hop limit / TTL -2, IPv4 identification and DF recomputed), and every
 * emitted packet has good checksums. Also: the translator allocates no new output buffer.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SiitEngine } from '../../../src/xlat/siit/siit-engine.js';
import { buildIp, type PacketSpec, type L4Spec } from '../../../src/wire/builder.js';
import { makeConfig, RecordingSink, decodeIp, GOOD, eam } from './helpers.js';

const NOW = { sec: 0, nsec: 0 };
const cfg = makeConfig({ eam: [eam('2001:db8:6::/120', '192.0.2.0/24')], ipv4Identification: 'hash' });

// Not port 53: the decoder reads DNS there, and random payload bytes are (rightly) reported as
// malformed DNS, which is not what these properties are about.
const port = fc.integer({ min: 0, max: 65535 }).filter((p) => p !== 53);
const l4Arb: fc.Arbitrary<L4Spec> = fc.oneof(
  fc.record({ tcp: fc.record({ srcPort: port, dstPort: port, flags: fc.integer({ min: 0, max: 255 }), seq: fc.nat(), ack: fc.nat(), window: fc.integer({ min: 0, max: 65535 }) }) }),
  fc.record({ udp: fc.record({ sport: port, dport: port }) }),
  fc.integer({ min: 0, max: 0xffffffff }).chain((rest) => fc.constantFrom<L4Spec>({ icmp6: { type: 128, code: 0, rest } }, { icmp6: { type: 129, code: 0, rest } })),
);

function asV4(l4: L4Spec): L4Spec {
  if ('icmp6' in l4) return { icmp4: { type: l4.icmp6.type === 128 ? 8 : 0, code: 0, rest: l4.icmp6.rest } };
  return l4;
}

function checkGood(b: Uint8Array): void {
  const d = decodeIp(b);
  expect(d.problemCount).toBe(0);
  if (d.ipVersion === 4) expect(d.ipChecksum).toBe(GOOD);
  expect(d.l4Checksum).toBe(GOOD);
}

describe('SIIT round trips (fast-check)', () => {
  it('IPv6 -> IPv4 -> IPv6 gives the original back (flow label 0, hop limit - 2)', () => {
    const e = new SiitEngine(cfg);
    const s = new RecordingSink();
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 3, max: 255 }),
      fc.integer({ min: 0, max: 0xfffff }), l4Arb, fc.uint8Array({ maxLength: 1300 }),
      (hostA, hostB, hop, flow, l4, data) => {
        s.clear();
        const spec: PacketSpec = { ip: { v: 6, src: `2001:db8:6::${hostA.toString(16)}`, dst: `64:ff9b::5db8:d8${(hostB & 0xff).toString(16).padStart(2, '0')}`, hopLimit: hop, trafficClass: (hostA * 3) & 0xff, flowLabel: flow }, l4, payload: data };
        const inp = buildIp(spec);
        e.process(inp, 0, inp.length, NOW, 1, s);
        expect(s.drops).toEqual([]);
        const v4 = s.emitted[0].bytes;
        expect(s.emitted[0].family).toBe(4);
        checkGood(v4);
        e.process(v4, 0, v4.length, NOW, 2, s);
        expect(s.drops).toEqual([]);
        const back = s.emitted[1].bytes;
        checkGood(back);
        const want = buildIp({ ...spec, ip: { ...spec.ip, hopLimit: hop - 2, flowLabel: 0 } as PacketSpec['ip'] });
        expect(Buffer.from(back).toString('hex')).toBe(Buffer.from(want).toString('hex'));
      },
    ), { numRuns: 300 });
  });

  it('an all-zero ICMPv6 echo reply becomes an ICMPv4 one with checksum 0xffff, not 0x0000 (found by fast-check)', () => {
    // ICMPv4 has no pseudo-header: every word of this message is 0, so the checksum that verifies
    // is ~(+0) = 0xffff; RFC 1624's incremental update alone would give 0x0000.
    const e = new SiitEngine(cfg);
    const s = new RecordingSink();
    const inp = buildIp({ ip: { v: 6, src: '2001:db8:6::', dst: '64:ff9b::5db8:d800', hopLimit: 3 }, l4: { icmp6: { type: 129, code: 0, rest: 0 } }, payload: new Uint8Array(0) });
    e.process(inp, 0, inp.length, NOW, 1, s);
    const v4 = s.emitted[0].bytes;
    expect(Buffer.from(v4.subarray(20)).toString('hex')).toBe('0000ffff00000000');
    checkGood(v4);
  });

  it('IPv4 -> IPv6 -> IPv4 gives the original back (TTL - 2, identification/DF recomputed)', () => {
    const e = new SiitEngine(cfg);
    const s = new RecordingSink();
    fc.assert(fc.property(
      fc.integer({ min: 0, max: 255 }), fc.integer({ min: 3, max: 255 }), fc.integer({ min: 0, max: 255 }), l4Arb, fc.uint8Array({ maxLength: 1200 }),
      (host, ttl, tos, l4, data) => {
        s.clear();
        const spec: PacketSpec = { ip: { v: 4, src: '93.184.216.34', dst: `192.0.2.${host}`, ttl, tos, id: 0x5555, df: true }, l4: asV4(l4), payload: data };
        const inp = buildIp(spec);
        e.process(inp, 0, inp.length, NOW, 1, s);
        expect(s.drops).toEqual([]);
        const v6 = s.emitted[0].bytes;
        checkGood(v6);
        e.process(v6, 0, v6.length, NOW, 2, s);
        expect(s.drops).toEqual([]);
        const back = s.emitted[1].bytes;
        checkGood(back);
        // Fields RFC 7915 §5.1 recomputes: identification (hash here), DF (<= 1260 -> 0).
        const want = buildIp({ ...spec, ip: { ...spec.ip, ttl: ttl - 2, id: (back[4] << 8) | back[5], df: back.length > 1260 } as PacketSpec['ip'] });
        expect(Buffer.from(back).toString('hex')).toBe(Buffer.from(want).toString('hex'));
      },
    ), { numRuns: 300 });
  });

  it('translating reuses one output buffer (no per-packet output allocation)', () => {
    const e = new SiitEngine(cfg);
    const seen = new Set<ArrayBufferLike>();
    const sink = { emit: (b: Uint8Array) => { seen.add(b.buffer); }, drop: () => undefined };
    const a = buildIp({ ip: { v: 6, src: '2001:db8:6::5', dst: '64:ff9b::808:808' }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'x' });
    const b = buildIp({ ip: { v: 4, src: '8.8.8.8', dst: '192.0.2.5' }, l4: { tcp: { srcPort: 1, dstPort: 2, flags: 2 } } });
    for (let i = 0; i < 100; i++) {
      e.process(a, 0, a.length, NOW, i, sink);
      e.process(b, 0, b.length, NOW, i, sink);
    }
    expect(seen.size).toBe(1);
  });
});
