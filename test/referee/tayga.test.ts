/**
 * TAYGA as referee for the SIIT engine (RFC 7915): the Debian `tayga` daemon runs in a private
 * network namespace (test/referee/tayga/harness.ts), a varied packet set is pushed into it in both
 * directions (test/referee/tayga/inject.py), and its tun device is captured on both sides.
 *
 * 1. The harness: TAYGA received every injected packet, and did with each what its source says
 *    (translated / answered with an ICMP error / dropped).
 * 2. The comparison: the packets TAYGA received go through `SiitEngine` with an equivalent
 *    configuration, and every emitted packet is compared with TAYGA's, field by field. A field may
 *    differ only where TAYGA departs from RFC 7915 in a way listed in
 *    test/referee/tayga/departures.ts (and DEPARTURES.md beside it).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { readAllPackets } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { PacketDecoder, L4 } from '../../src/wire/layer-decoder.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { runTayga, taygaUnavailable, type InjectedCase, type TaygaRun } from './tayga/harness.js';
import { pairByTime, type Exchange } from './tayga/pairing.js';
import { compareExchange, ENGINE_PATH, loadEngine, type EngineOutput } from './tayga/compare.js';
import { DEPARTURES } from './tayga/departures.js';
import { taygaEquivalentConfig } from './tayga/engine-config.js';

const UNAVAILABLE = taygaUnavailable();
const ENGINE_EXISTS = existsSync(fileURLToPath(new URL(`../../${ENGINE_PATH}`, import.meta.url)));

if (UNAVAILABLE) {
  describe('TAYGA referee', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI installs tayga, tcpdump and python3-scapy and runs as root)`, () => {});
  });
}

describe.skipIf(UNAVAILABLE !== null)('TAYGA referee (Debian tayga 0.9.2 in a network namespace)', () => {
  let run: TaygaRun | null = null;
  let received: CapturedPacket[] = [];
  let emitted: CapturedPacket[] = [];
  let exchanges: Exchange[] = [];

  beforeAll(async () => {
    run = await runTayga();
    received = await readAllPackets(run.receivedPcap);
    emitted = await readAllPackets(run.emittedPcap);
    exchanges = pairByTime(run.cases, received, emitted);
  }, 60_000);

  afterAll(() => {
    run?.dispose();
  });

  it('captures are raw IP and TAYGA received every injected packet, in order', () => {
    expect(run).not.toBeNull();
    const cases = run!.cases;
    expect(received.length, `received ${received.length} of ${cases.length} injected packets`).toBe(cases.length);
    for (const p of [...received, ...emitted]) expect(p.linkType).toBe(LinkType.RAW);
    for (let i = 0; i < cases.length; i++) {
      const v = received[i].data[received[i].offset] >> 4;
      expect(v, `#${i} ${cases[i].name}`).toBe(cases[i].family);
    }
  });

  it('every injected packet produced the kind of output TAYGA is expected to produce', () => {
    const d = new PacketDecoder();
    const problems: string[] = [];
    for (const x of exchanges) {
      const c: InjectedCase = x.case;
      const want = c.expect === 'drop' ? 0 : c.count;
      if (x.outputs.length !== want) {
        problems.push(`${c.name}: ${x.outputs.length} packets out, expected ${want} (${c.expect})`);
        continue;
      }
      for (const o of x.outputs) {
        d.decode(o.data, o.offset, o.caplen, o.linkType);
        if (c.expect === 'xlat') {
          if (d.ipVersion !== 10 - c.family) problems.push(`${c.name}: translated packet is IPv${d.ipVersion}`);
          // A translation keeps the transport protocol (ICMP <-> ICMPv6).
          const inProto = protoOf(x.input);
          if (!sameProto(inProto, d.proto)) problems.push(`${c.name}: protocol ${inProto} became ${d.proto}`);
        } else {
          const fam = c.expect === 'icmp4' ? 4 : 6;
          const l4 = fam === 4 ? L4.ICMP : L4.ICMPV6;
          if (d.ipVersion !== fam || d.l4 !== l4 || d.icmpType !== c.type || d.icmpCode !== c.code) {
            problems.push(`${c.name}: expected ICMPv${fam} ${c.type}/${c.code}, got IPv${d.ipVersion} l4=${d.l4} ${d.icmpType}/${d.icmpCode}`);
          }
          // TAYGA's own ICMP errors go back to the source of the packet, on the same side.
          if (d.ipVersion === c.family) {
            const inD = new PacketDecoder();
            inD.decode(x.input.data, x.input.offset, x.input.caplen, x.input.linkType);
            const alen = fam === 4 ? 4 : 16;
            const a = Buffer.from(inD.bytes.subarray(inD.srcOff, inD.srcOff + alen));
            const b = Buffer.from(d.bytes.subarray(d.dstOff, d.dstOff + alen));
            if (!a.equals(b)) problems.push(`${c.name}: ICMP error not sent back to the source`);
          }
        }
      }
    }
    expect(problems, problems.join('\n')).toEqual([]);
  });

  describe.skipIf(!ENGINE_EXISTS)(
    ENGINE_EXISTS ? 'SiitEngine agrees with TAYGA, field by field, except for the listed departures' : `SiitEngine comparison skipped: ${ENGINE_PATH} does not exist yet`,
    () => {
      let results: Array<{ x: Exchange; ours: EngineOutput }> = [];
      let reruns: Array<{ departure: string; x: Exchange; ours: EngineOutput }> = [];

      beforeAll(async () => {
        const engine = await loadEngine();
        results = exchanges.map((x, n) => ({ x, ours: engine.run(x.input, n) }));
        // Departures with a configuration that sidesteps them: those cases again, fresh engine each.
        reruns = [];
        for (const dp of DEPARTURES) {
          if (!dp.rerun) continue;
          const cfg = taygaEquivalentConfig();
          dp.rerun(cfg);
          const e = await loadEngine(cfg);
          for (const x of exchanges) if (dp.cases.includes(x.case.name)) reruns.push({ departure: dp.id, x, ours: e.run(x.input, x.index) });
        }
      });

      it('every difference is zero or a listed TAYGA departure', () => {
        const unexplained: string[] = [];
        const explained: string[] = [];
        for (const { x, ours } of results) {
          for (const diff of compareExchange(x, ours)) {
            if (!diff.departure) unexplained.push(`${x.case.name}: ${diff.text}`);
            else explained.push(`${x.case.name}: ${diff.text}`);
          }
        }
        if (process.env.N64T_VERBOSE) console.log(`explained differences:\n${explained.join('\n')}`);
        expect(unexplained, `differences not explained by a listed TAYGA departure:\n${unexplained.join('\n')}`).toEqual([]);
      });

      it('with the departure sidestepped by configuration, those cases agree on every other field', () => {
        expect(reruns.length).toBeGreaterThan(0);
        const left: string[] = [];
        for (const { departure, x, ours } of reruns) {
          for (const diff of compareExchange(x, ours)) if (!diff.departure || diff.departure === departure) left.push(`${x.case.name} (${departure} sidestepped): ${diff.text}`);
        }
        expect(left, left.join('\n')).toEqual([]);
      });

      it('every listed departure is observed (the table holds nothing stale)', () => {
        const seen = new Set<string>();
        for (const { x, ours } of results) for (const diff of compareExchange(x, ours)) if (diff.departure) seen.add(diff.departure);
        const stale = DEPARTURES.filter((dp) => !seen.has(dp.id)).map((dp) => dp.id);
        expect(stale, `departures listed but not observed: ${stale.join(', ')}`).toEqual([]);
      });

      it('DEPARTURES.md lists every departure of the table', () => {
        const md = readFileSync(fileURLToPath(new URL('./tayga/DEPARTURES.md', import.meta.url)), 'utf8');
        const missing = DEPARTURES.filter((dp) => !md.includes(`\`${dp.id}\``)).map((dp) => dp.id);
        expect(missing, `not in DEPARTURES.md: ${missing.join(', ')}`).toEqual([]);
      });
    },
  );
});

function protoOf(p: CapturedPacket): number {
  const d = new PacketDecoder();
  d.decode(p.data, p.offset, p.caplen, p.linkType);
  return d.proto;
}

function sameProto(a: number, b: number): boolean {
  const norm = (x: number) => (x === 58 ? 1 : x);
  return norm(a) === norm(b);
}
