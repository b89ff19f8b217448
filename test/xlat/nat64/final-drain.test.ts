/**
 * Nat64Engine.drain(sink, final): the final drain (translate's: the engine is dropped after it)
 * leaves the tables' entries of the sessions it ends, and must emit and drop exactly what the
 * ordinary drain does, in the same order and at the same timer clocks: on a benchmark-like capture
 * of both sides of a NAT64 (ESTABLISHED sessions probed then moved to TRANS, closed ones, UDP,
 * ICMP), the same capture stretched in time (sessions expiring before the end), under the rfc,
 * aws and jool profiles.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../../src/pcap/reader.js';
import type { CapturedPacket } from '../../../src/pcap/packet.js';
import { createEngine } from '../../../src/xlat/engine.js';
import type { Clock, EmitKind, XlatSink } from '../../../src/xlat/types.js';
import { resolveEngineConfig } from '../../../cli/engine-options.js';
import { buildIp } from '../../../src/wire/builder.js';
import { TcpFlag } from '../../../src/wire/tcp.js';
import { Reason } from '../../../src/diag/reasons.js';
import { Nat64Engine } from '../../../src/xlat/nat64/nat64-engine.js';
import { config, at } from './helpers.js';
// @ts-expect-error -- the benchmark's generator is plain ESM JavaScript (no types)
import { generateXlat, XLAT_POOL4 } from '../../../bench/generate-xlat.mjs';

const dir = mkdtempSync(join(tmpdir(), 'nat64scope-final-drain-'));
let packets: CapturedPacket[] = [];

beforeAll(async () => {
  const f = join(dir, 'xlat.pcap');
  await generateXlat(f, 20000);
  packets = await readAllPackets(f);
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class Record implements XlatSink {
  clock: Clock = { sec: 0, nsec: 0 };
  readonly out: string[] = [];
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.out.push(`emit ${family} ${kind} ${about} @${this.clock.sec}.${this.clock.nsec} ${Buffer.from(bytes.subarray(off, off + len)).toString('hex')}`);
  }
  drop(reason: number, about: number): void {
    this.out.push(`drop ${reason} ${about}`);
  }
}

/** The engine over `pkts` (time scaled by `stretch`), then drained: what the drain emitted and dropped. */
function drained(pkts: CapturedPacket[], profile: string, final: boolean, stretch: number): { drain: string[]; before: number } {
  const engine = createEngine(resolveEngineConfig({ pool4: [XLAT_POOL4], profile }));
  const sink = new Record();
  const t0 = pkts[0].tsSec * 1e6 + Math.floor(pkts[0].tsNsec / 1000);
  let n = 0;
  for (const p of pkts) {
    const t = t0 + (p.tsSec * 1e6 + Math.floor(p.tsNsec / 1000) - t0) * stretch;
    const clock = { sec: Math.floor(t / 1e6), nsec: (t % 1e6) * 1000 };
    sink.clock = clock;
    const ip = p.offset + 14;
    engine.process(p.data, ip, p.caplen - 14, clock, ++n, sink);
  }
  const before = sink.out.length;
  sink.clock = { sec: 0, nsec: 0 };
  engine.drain(sink, final);
  return { drain: sink.out.slice(before), before };
}

describe('NAT64 final drain', () => {
  for (const profile of ['rfc', 'aws', 'jool']) {
    for (const stretch of [1, 100]) {
      it(`emits and drops what the ordinary drain does (${profile}, time x${stretch})`, () => {
        const a = drained(packets, profile, false, stretch);
        const b = drained(packets, profile, true, stretch);
        expect(b.before).toBe(a.before);
        // (rfc and jool probe each expired ESTABLISHED session, RFC 6146 §3.5.2.2; an AWS gateway does not)
        if (profile !== 'aws') expect(a.drain.length).toBeGreaterThan(1000);
        expect(b.drain).toEqual(a.drain);
      });
    }
  }

  it('every kind of timer pending at the end, expiries interleaved: the same emits and drops, in order', () => {
    // A final drain fires only the timers whose expiry shows (here: ESTABLISHED sessions, stored
    // SYNs, held fragments); UDP, ICMP and TRANS expiries, interleaved with them in time, only
    // end sessions. The order and the clocks of what shows must not change.
    const C = '2001:db8::5';
    const S = '198.51.100.7';
    const S6 = '64:ff9b::c633:6407';
    const POOL = '192.0.2.1';
    const frag2 = (id: number) => {
      const udp = buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { udp: { sport: 41000 + id, dport: 53 } }, payload: new Uint8Array(64) }).subarray(40);
      return buildIp({ ip: { v: 6, src: C, dst: S6, ext: [{ type: 'frag', offset: 32, more: false, id }] }, l4: { proto: 17 }, payload: udp.subarray(32) });
    };
    const steps: [Uint8Array, number][] = [];
    for (let i = 0; i < 6; i++) {
      const t = 1 + i * 1.5;
      // An ESTABLISHED TCP session (probed at its expiry, then TRANS).
      steps.push([buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { tcp: { srcPort: 40000 + i, dstPort: 80, flags: TcpFlag.SYN, seq: 1, ack: 0 } } }), t]);
      // A UDP and an ICMP session.
      steps.push([buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { udp: { sport: 50000 + i, dport: 53 } }, payload: 'q' }), t + 0.1]);
      steps.push([buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { icmp6: { type: 128, code: 0, rest: ((700 + i) << 16) | 1 } }, payload: 'p' }), t + 0.2]);
      // An externally initiated SYN (stored), and a fragment whose first never comes (held).
      steps.push([buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { tcp: { srcPort: 5555 + i, dstPort: 4000 + i, flags: TcpFlag.SYN, seq: 9, ack: 0 } } }), t + 0.3]);
      steps.push([frag2(i), t + 0.4]);
    }
    const run = (final: boolean) => {
      const e = new Nat64Engine(config());
      const k = new Record();
      let n = 0;
      const port: number[] = [];
      for (const [p, t] of steps) {
        k.clock = at(t);
        const before = k.out.length;
        e.process(p, 0, p.length, k.clock, ++n, k);
        // the SYN's translation: answer it (SYN+ACK) so that the session is ESTABLISHED, and a
        // closed one (RST) every third time (TRANS)
        const o = k.out.slice(before).find((x) => x.startsWith('emit 4 ') && x.includes(' 45'));
        if (o && p[6] === 6) {
          const hex = o.split(' ').pop()!;
          const b = Buffer.from(hex, 'hex');
          port.push(b.readUInt16BE(20));
          const i = port.length - 1;
          const ack = buildIp({ ip: { v: 4, src: S, dst: POOL }, l4: { tcp: { srcPort: 80, dstPort: port[i], flags: TcpFlag.SYN | TcpFlag.ACK, seq: 5, ack: 2 } } });
          k.clock = at(t + 0.05);
          e.process(ack, 0, ack.length, k.clock, ++n, k);
          const fin = buildIp({ ip: { v: 6, src: C, dst: S6 }, l4: { tcp: { srcPort: 40000 + i, dstPort: 80, flags: i % 3 === 0 ? TcpFlag.RST : TcpFlag.ACK, seq: 2, ack: 6 } } });
          e.process(fin, 0, fin.length, k.clock, ++n, k);
        }
      }
      // What is pending at the end: sessions of every kind and state, stored SYNs, held fragments.
      const pending = [...new Set(e.sessions().map((x) => `${x.protocol} ${x.state}`))].sort();
      const stored = e.storedSyns();
      const held = e.heldFragments();
      const before = k.out.length;
      k.clock = { sec: 0, nsec: 0 };
      e.drain(k, final);
      return { out: k.out.slice(before), pending, stored, held };
    };
    const a = run(false);
    const b = run(true);
    expect(a.pending).toEqual(['icmp ESTABLISHED', 'tcp ESTABLISHED', 'tcp TRANS', 'udp ESTABLISHED']);
    expect(a.stored).toBeGreaterThan(1);
    expect(a.held).toBeGreaterThan(1);
    expect(b.out).toEqual(a.out);
    // What showed: probes (Deferred, IPv6), ICMP 3/3 for the stored SYNs, their drops, the fragments' drops.
    expect(a.out.filter((x) => x.startsWith(`drop ${Reason.SimultaneousOpenExpired} `))).toHaveLength(a.stored);
    expect(a.out.filter((x) => x.startsWith(`drop ${Reason.FragmentTimeout} `))).toHaveLength(a.held);
    expect(a.out.filter((x) => x.startsWith('emit 4 '))).toHaveLength(a.stored);
    expect(a.out.filter((x) => x.startsWith('emit 6 ')).length).toBeGreaterThan(1);
  });
});
