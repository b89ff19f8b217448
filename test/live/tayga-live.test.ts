/**
 * `live` on both sides of a real translator: TAYGA (Debian) between an IPv6 host and an IPv4 host
 * in network namespaces (tayga-topology.ts); `live -i n64l6t -i n64l4t` in the translator's
 * namespace captures each packet on its way in and on its way out.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
import { readFileSync, writeFileSync } from 'node:fs';
import { readAllPackets, readCapture } from '../../src/pcap/reader.js';
import { tshark } from '../helpers/referees.js';
import { netnsUnavailable, startLive, waitExit } from './netns.js';
import { taygaTopology, sendThroughTayga, taygaUnavailable, type TaygaTopology } from './tayga-topology.js';

const UNAVAILABLE = netnsUnavailable() ?? taygaUnavailable();

if (UNAVAILABLE) {
  describe('live on both sides of TAYGA', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI installs tayga and python3-scapy and runs as root: .ci/run)`, () => {});
  });
}

/** Only the traffic: no MLD, router or neighbour solicitations (none expected with static neighbours, but the kernel may still send MLD). */
const BPF = 'udp or tcp or icmp or (icmp6 and ip6[40] < 130)';

describe.skipIf(UNAVAILABLE !== null)('live on both sides of TAYGA (IPv6 host -> TAYGA -> IPv4 host)', () => {
  let topo: TaygaTopology;
  beforeAll(async () => {
    topo = await taygaTopology();
  });
  afterAll(async () => {
    await topo?.dispose();
  });

  it('captures both interfaces into one pcapng (one interface block each), every crossing seen on both sides', async () => {
    const w = join(topo.dir, 'both.pcapng');
    const run = await startLive(topo.t, ['-i', topo.v6if, '-i', topo.v4if, '-f', BPF, '-c', '12', '-w', w, '--json', '--config', topo.config, '--no-pair']);
    sendThroughTayga(topo);
    expect(await waitExit(run)).toBe(0);
    const s = await readCapture(w, () => undefined);
    expect(s.interfaces.map((i) => i.name)).toEqual(['n64l6t', 'n64l4t']);
    const pk = await readAllPackets(w);
    expect(pk).toHaveLength(12);
    const fields = tshark(['-r', w, '-T', 'fields', '-e', 'frame.interface_name', '-e', '_ws.col.Protocol', '-e', '_ws.col.Source', '-e', '_ws.col.Destination']).trim().split('\n').sort();
    expect(fields).toEqual([
      'n64l4t\tICMP\t192.0.2.10\t198.51.100.20',
      'n64l4t\tICMP\t198.51.100.20\t192.0.2.10',
      'n64l4t\tICMP\t198.51.100.20\t192.0.2.10',
      'n64l4t\tTCP\t192.0.2.10\t198.51.100.20',
      'n64l4t\tTCP\t198.51.100.20\t192.0.2.10',
      'n64l4t\tUDP\t192.0.2.10\t198.51.100.20',
      'n64l6t\tICMPv6\t2001:db8:64::c633:6414\t2001:db8:6::10',
      'n64l6t\tICMPv6\t2001:db8:64::c633:6414\t2001:db8:6::10',
      'n64l6t\tICMPv6\t2001:db8:6::10\t2001:db8:64::c633:6414',
      'n64l6t\tTCP\t2001:db8:64::c633:6414\t2001:db8:6::10',
      'n64l6t\tTCP\t2001:db8:6::10\t2001:db8:64::c633:6414',
      'n64l6t\tUDP\t2001:db8:6::10\t2001:db8:64::c633:6414',
    ]);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', captured: 12, capturedPerInterface: { n64l6t: 6, n64l4t: 6 }, kernelDrops: 0, toolDrops: 0 });
    // Without pairing, the engine reads the two sides as translate --side auto does: what goes
    // into TAYGA (from the IPv6 host on n64l6t, from the IPv4 host on n64l4t) is translated, what
    // came out of it is reconstructed into what TAYGA received: the packet captured on the other side.
    const pk6 = lines.slice(0, -1);
    for (const o of pk6) {
      const into = o.iface === 'n64l6t' ? o.src === '2001:db8:6::10' : o.src === '198.51.100.20';
      expect(o.translation.verdict, JSON.stringify(o)).toBe(into ? 'translated' : 'reconstructed');
      expect(o.translation.packets).toHaveLength(1);
      const q = o.translation.packets[0];
      const peer = pk6.find((x) => x.iface !== o.iface && x.src === q.src && x.dst === q.dst && x.proto === q.proto && x.sport === q.sport && x.icmpType === q.icmpType);
      expect(peer, JSON.stringify(q)).toBeTruthy();
    }
  });

  it('pairs both sides on TAYGA\'s tun (what it receives and emits): every packet paired, none flagged', async () => {
    const run = await startLive(topo.t, ['-i', 'nat64', '--pair', '-f', 'not ip6 multicast', '-c', '12', '--json', '--config', topo.config, '--pair-all']);
    sendThroughTayga(topo);
    expect(await waitExit(run)).toBe(0);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const events = lines.filter((o) => typeof o.type === 'string' && o.type !== 'summary');
    // --pair-all: one `correct` per crossing (3 each way), nothing else.
    expect(events.map((e) => e.type), JSON.stringify(events)).toEqual(Array(6).fill('correct'));
    const byN = new Map(lines.filter((o) => o.n).map((o) => [o.n, o]));
    for (const e of events) {
      expect(e.input.side).not.toBe(e.output.side);
      expect(e.latency).toBeGreaterThanOrEqual(0);
      expect(e.latency).toBeLessThan(0.5);
      // Each input is a packet from a host, each output one TAYGA sent.
      expect(['2001:db8:6::10', '198.51.100.20']).toContain(byN.get(e.input.n)!.src);
      expect(['2001:db8:64::c633:6414', '192.0.2.10']).toContain(byN.get(e.output.n)!.src);
    }
    const s = lines.at(-1)!;
    expect(s.pairing).toMatchObject({ correct: 6, wrong: 0, missing: 0, unexpected: 0, inputs: { v6: 3, v4: 3 }, outputs: { v6: 3, v4: 3 } });
    expect(s.pairing.departures).toMatchObject({ 'ipv4.df': 3 }); // TAYGA's DF, allowed by the tayga profile
    expect(run.stderr()).toMatch(/; pairing: 6 correct, 0 wrong, 0 never translated, 0 from nowhere \(6 in, 6 out, latency p50 [\d.]+ ms\)/);
  });

  it('pairs the box\'s two outer interfaces live: every packet paired; the only difference flagged is the two router hops around TAYGA', async () => {
    const args = ['-i', topo.v6if, '-i', topo.v4if, '-f', BPF, '-c', '12', '--json', '--config', topo.config];
    let run = await startLive(topo.t, args);
    sendThroughTayga(topo);
    expect(await waitExit(run)).toBe(0);
    let lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    let events = lines.filter((o) => typeof o.type === 'string' && o.type !== 'summary');
    // The kernel forwards each packet into the tun and out of it: TTL / hop limit 2 lower than
    // TAYGA alone makes it, on every crossing; nothing else differs, nothing is missing.
    expect(events.map((e) => e.type)).toEqual(Array(6).fill('wrong'));
    for (const e of events) {
      expect(e.diffs).toHaveLength(1);
      expect(['ipv4.ttl', 'ipv6.hlim']).toContain(e.diffs[0].field);
      expect(e.diffs[0].expected - e.diffs[0].got).toBe(2);
    }
    expect(lines.at(-1)!.pairing).toMatchObject({ correct: 0, wrong: 6, missing: 0, unexpected: 0 });
    // Told to leave those fields out, it flags nothing.
    run = await startLive(topo.t, [...args, '--pair-ignore', 'ipv4.ttl,ipv6.hlim']);
    sendThroughTayga(topo);
    expect(await waitExit(run)).toBe(0);
    lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    events = lines.filter((o) => typeof o.type === 'string' && o.type !== 'summary');
    expect(events).toEqual([]);
    expect(lines.at(-1)!.pairing).toMatchObject({ correct: 6, wrong: 0, missing: 0, unexpected: 0, inputs: { v6: 3, v4: 3 }, outputs: { v6: 3, v4: 3 } });
  });

  it('flags mismatches as they happen: an engine told another mapping than TAYGA uses is flagged, packet by packet', async () => {
    const wrong = join(topo.dir, 'wrong.json');
    const cfg = JSON.parse(readFileSync(topo.config, 'utf8'));
    cfg.eam[0].ipv4 = '192.0.2.12/32'; // TAYGA maps the IPv6 host to 192.0.2.10
    writeFileSync(wrong, JSON.stringify(cfg));
    const run = await startLive(topo.t, ['-i', 'nat64', '--pair', '-f', 'not ip6 multicast', '-c', '12', '-w', join(topo.dir, 'wrong.pcapng'), '--config', wrong]);
    sendThroughTayga(topo);
    expect(await waitExit(run)).toBe(0);
    // -w without --print: no packet lines, but the pairing problems on stderr, as they happen.
    expect(run.stdout()).toBe('');
    const flagged = run.stderr().split('\n').filter((l) => l.startsWith('  ! pairing: '));
    expect(flagged.length, run.stderr()).toBeGreaterThanOrEqual(6);
    expect(flagged.some((l) => /pairing: missing +v6 #\d+: no translation came out/.test(l)), run.stderr()).toBe(true);
    expect(flagged.some((l) => /pairing: unexpected v[46] #\d+: from nowhere/.test(l)), run.stderr()).toBe(true);
    expect(run.stderr()).toMatch(/; pairing: 0 correct, \d+ wrong, [1-9]\d* never translated, [1-9]\d* from nowhere/);
  });
});
