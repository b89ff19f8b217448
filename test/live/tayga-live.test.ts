/**
 * `live` on both sides of a real translator: TAYGA (Debian) between an IPv6 host and an IPv4 host
 * in network namespaces (tayga-topology.ts); `live -i n64l6t -i n64l4t` in the translator's
 * namespace captures each packet on its way in and on its way out.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { join } from 'node:path';
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
    const run = await startLive(topo.t, ['-i', topo.v6if, '-i', topo.v4if, '-f', BPF, '-c', '12', '-w', w, '--json', '--config', topo.config]);
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
    if (process.env.N64L_SHOW) console.log(lines.slice(0, -1).map((o) => [o.n, o.iface, o.src, o.dst, o.translation.verdict, o.translation.reason, o.translation.packets.map((q: any) => q.kind + ' ' + q.src + '>' + q.dst).join(',')].join(' ')).join('\n'));
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
});
