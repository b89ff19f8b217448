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
const ENGINE = ['--profile', 'tayga', '--eam', '2001:db8:6::10=192.0.2.10', '--eam', '2001:db8:4::20=198.51.100.20'];

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
    const run = await startLive(topo.t, ['-i', topo.v6if, '-i', topo.v4if, '-f', BPF, '-c', '12', '-w', w, '--json', ...ENGINE]);
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
      'n64l6t\tICMPv6\t2001:db8:4::20\t2001:db8:6::10',
      'n64l6t\tICMPv6\t2001:db8:4::20\t2001:db8:6::10',
      'n64l6t\tICMPv6\t2001:db8:6::10\t2001:db8:4::20',
      'n64l6t\tTCP\t2001:db8:4::20\t2001:db8:6::10',
      'n64l6t\tTCP\t2001:db8:6::10\t2001:db8:4::20',
      'n64l6t\tUDP\t2001:db8:6::10\t2001:db8:4::20',
    ]);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    const summary = lines.at(-1)!;
    expect(summary).toMatchObject({ type: 'summary', captured: 12, capturedPerInterface: { n64l6t: 6, n64l4t: 6 }, kernelDrops: 0, toolDrops: 0 });
  });
});
