/**
 * `correlate` against a real translator: Debian's TAYGA runs in network namespaces (`n64c-*`,
 * test/referee/tayga/harness.ts), ordinary traffic goes through it both ways
 * (tayga/inject-correlate.py), and two tcpdump processes capture its IPv6 side and its IPv4 side.
 *
 * 1. The clean run: every packet pairs with its translation, nothing is reported wrong, missing or
 *    from nowhere; TAYGA's one departure on this traffic (DF set on every IPv6 -> IPv4 packet,
 *    DEPARTURES.md `df-always-set`) is counted as allowed by the tayga profile; latency measured.
 * 2. Faults put between the captures (the IPv4-side capture rewritten: one translation removed,
 *    one with its TTL lowered, one duplicated): correlate finds and names each one, exit 1.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { openCaptureWriter } from '../../src/pcap/writer.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { runTayga, taygaUnavailable, type TaygaRun } from './tayga/harness.js';
import { TWO_SIDED_CONF, TWO_SIDED_ENGINE_CONFIG, TWO_SIDED_INJECTOR } from './tayga/two-sided.js';
import { runCli } from '../helpers/cli.js';

const NS_PREFIX = 'n64c-';
const UNAVAILABLE = taygaUnavailable(NS_PREFIX);
if (UNAVAILABLE) {
  describe('correlate against TAYGA', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI installs tayga, tcpdump and python3-scapy and runs as root)`, () => {});
  });
}

const ipOf = (p: CapturedPacket) => p.data.subarray(p.offset, p.offset + p.caplen);

function fixChecksum4(b: Uint8Array): void {
  b[10] = 0;
  b[11] = 0;
  let s = 0;
  for (let i = 0; i < (b[0] & 15) * 4; i += 2) s += (b[i] << 8) | b[i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  b[10] = (~s >> 8) & 0xff;
  b[11] = ~s & 0xff;
}

describe.skipIf(UNAVAILABLE !== null)('correlate against TAYGA (Debian tayga in network namespaces, both sides captured)', () => {
  let run: TaygaRun | null = null;
  let cfgPath = '';
  let v6: CapturedPacket[] = [];
  let v4: CapturedPacket[] = [];

  beforeAll(async () => {
    run = await runTayga({ nsPrefix: NS_PREFIX, conf: TWO_SIDED_CONF, routes6: ['2001:db8:64::/96'], injector: TWO_SIDED_INJECTOR, sides: true, gap: 0.01 });
    cfgPath = join(run.dir, 'engine.json');
    writeFileSync(cfgPath, JSON.stringify(TWO_SIDED_ENGINE_CONFIG));
    v6 = await readAllPackets(run.v6Pcap!);
    v4 = await readAllPackets(run.v4Pcap!);
  }, 60_000);

  afterAll(() => run?.dispose());

  it('the captures hold both directions of each side', () => {
    const cases = run!.cases;
    const in6 = cases.filter((c) => c.family === 6).length;
    const in4 = cases.filter((c) => c.family === 4).length;
    // Each side: what went in, and at least one packet out per input of the other side.
    expect(v6.length).toBeGreaterThanOrEqual(in6 + in4);
    expect(v4.length).toBeGreaterThanOrEqual(in4 + in6 - 1);
    expect(v6.every((p) => ipOf(p)[0] >> 4 === 6)).toBe(true);
    expect(v4.every((p) => ipOf(p)[0] >> 4 === 4)).toBe(true);
  });

  it('clean run: every packet paired with its translation, no false alarm, exit 0', () => {
    const r = runCli(['correlate', run!.v6Pcap!, run!.v4Pcap!, '--config', cfgPath, '--json']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.filter((l) => l.type !== 'summary'), r.stdout).toEqual([]);
    expect(r.status, r.stderr).toBe(0);
    const s = lines.at(-1);
    expect(s.type).toBe('summary');
    expect([s.wrong, s.missing, s.unexpected]).toEqual([0, 0, 0]);
    expect(s.inputs).toEqual({ v6: run!.cases.filter((c) => c.family === 6).length, v4: run!.cases.filter((c) => c.family === 4).length });
    // Every input came out: one packet each, two for the fragmented one, an ICMP error for each
    // expired hop limit / TTL.
    expect(s.correct).toBe(s.outputs.v6 + s.outputs.v4);
    expect(s.correct).toBeGreaterThanOrEqual(run!.cases.length);
    expect(s.departures['ipv4.df']).toBeGreaterThan(10); // TAYGA's DF on small packets, allowed by the profile
    expect(s.latency.count).toBe(s.correct);
    expect(s.latency.min).toBeGreaterThanOrEqual(0);
    expect(s.latency.max).toBeLessThan(0.5);
    const text = runCli(['correlate', run!.v6Pcap!, run!.v4Pcap!, '--config', cfgPath]);
    expect(text.stdout).toMatch(/^ {2}\d+ correct, 0 wrong, 0 never translated, 0 from nowhere$/m);
    expect(text.stdout).toMatch(/latency \(output - input, \d+ pairs\): min \+[\d.]+ ms, p50 \+[\d.]+ ms/);
  });

  it('faults between the captures are found and named: a translation lost, one altered, one from nowhere (exit 1)', async () => {
    // IPv4-side packets that came out of TAYGA: from the IPv6 host's mapped address.
    const out4 = v4.filter((p) => { const b = ipOf(p); return b[12] === 192 && b[13] === 0 && b[14] === 2 && b[15] === 10 && b[9] === 17; });
    expect(out4.length).toBeGreaterThanOrEqual(10);
    const lost = out4[2];
    const altered = out4[4];
    const dup = out4[6];
    const faulty = join(run!.dir, 'v4-faulty.pcap');
    const w = await openCaptureWriter(faulty, { format: 'pcap', linkType: v4[0].linkType, force: true });
    let alteredTtl = -1;
    for (const p of v4) {
      if (p === lost) continue;
      const b = ipOf(p).slice();
      if (p === altered) {
        alteredTtl = b[8];
        b[8] -= 3; // three routers between the translator and the capture point
        fixChecksum4(b);
      }
      w.write(b, 0, b.length, p.tsSec, p.tsNsec);
      if (p === dup) w.write(b, 0, b.length, p.tsSec, p.tsNsec + 300_000);
    }
    await w.close();
    const r = runCli(['correlate', run!.v6Pcap!, faulty, '--config', cfgPath]);
    expect(r.status, r.stderr).toBe(1);
    const out = r.stdout;
    expect(out).toMatch(/^missing {4}v6 #\d+: no translation came out \(lost\): no trace of it on the other side/m);
    expect(out).toMatch(/^wrong {6}v6 #\d+ -> v4 #\d+ {2}\+[\d.]+ ms\n {13}ipv4\.ttl: expected \d+, got \d+ {2}\[RFC 7915 §5\.1: TTL = Hop Limit - 1\]$/m);
    expect(out).toContain(`ipv4.ttl: expected ${alteredTtl}, got ${alteredTtl - 3}`);
    expect(out).toMatch(/^unexpected v4 #\d+: from nowhere/m);
    expect(out).toMatch(/^ {2}\d+ correct, 1 wrong, 1 never translated, 1 from nowhere$/m);
    expect(out).toMatch(/wrong fields: ipv4\.ttl 1/);
    // The lost one is named by the input it came from: UDP from port 40002 on the IPv6 side.
    const n = Number(/^missing {4}v6 #(\d+)/m.exec(out)![1]);
    const inp = ipOf(v6[n - 1]);
    expect((inp[40] << 8) | inp[41]).toBe((ipOf(lost)[20] << 8) | ipOf(lost)[21]);
    // --filter: every packet is still correlated, but only the events whose packets match are
    // reported and set the exit code. The lost datagram's flow: only its "missing".
    const lostPort = (ipOf(lost)[20] << 8) | ipOf(lost)[21];
    const f = runCli(['correlate', run!.v6Pcap!, faulty, '--config', cfgPath, '--filter', `udp and sport == ${lostPort}`]);
    expect(f.status, f.stderr).toBe(1);
    expect(f.stdout).toMatch(/^missing {4}v6 #\d+: no translation came out \(lost\)/m);
    expect(f.stdout).not.toMatch(/^(wrong|unexpected) /m);
    expect(f.stdout).toMatch(/^ {2}\d+ correct, 1 wrong, 1 never translated, 1 from nowhere$/m);
    expect(f.stdout).toMatch(/^ {2}filter udp and sport == \d+: 1 IPv6-side and 0 IPv4-side packets match; 1 of the 3 problems concern them/m);
    // A filter that none of the faults' packets match: nothing reported, exit 0.
    const g = runCli(['correlate', run!.v6Pcap!, faulty, '--config', cfgPath, '--filter', 'icmp or icmpv6', '--json']);
    expect(g.status, g.stderr).toBe(0);
    const gl = g.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(gl).toHaveLength(1);
    expect(gl[0]).toMatchObject({ type: 'summary', wrong: 1, missing: 1, unexpected: 1, problemsSelected: 0, filter: 'icmp or icmpv6' });
    expect(gl[0].selectedPackets.v6).toBeGreaterThan(0);
    // An invalid filter is exit 2 naming the column.
    const h = runCli(['correlate', run!.v6Pcap!, faulty, '--config', cfgPath, '--filter', 'udp and']);
    expect(h.status).toBe(2);
    expect(h.stderr).toMatch(/^nat64scope: invalid filter: .* at column \d+/);
  });
});
