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
});
