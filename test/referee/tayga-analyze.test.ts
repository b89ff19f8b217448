/**
 * `analyze` on a real translator's captures: Debian's TAYGA in network namespaces (`n64a-*`,
 * test/referee/tayga/harness.ts) carries ordinary traffic both ways (tayga/inject-correlate.py)
 * while tcpdump captures its IPv6 side and its IPv4 side. Merged into one capture, each flow and
 * its translation must come out as one flow (--side auto reconstructs what TAYGA emitted), with
 * TAYGA's checksums good and no finding that would blame it.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { openCaptureWriter } from '../../src/pcap/writer.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { runTayga, taygaUnavailable, type TaygaRun } from './tayga/harness.js';
import { TWO_SIDED_CONF, TWO_SIDED_ENGINE_CONFIG, TWO_SIDED_INJECTOR } from './tayga/two-sided.js';
import { runCli } from '../helpers/cli.js';

const NS_PREFIX = 'n64a-';
const UNAVAILABLE = taygaUnavailable(NS_PREFIX);
if (UNAVAILABLE) {
  describe('analyze against TAYGA', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI installs tayga, tcpdump and python3-scapy and runs as root)`, () => {});
  });
}

describe.skipIf(UNAVAILABLE !== null)('analyze against TAYGA (Debian tayga in network namespaces, both sides captured)', () => {
  let run: TaygaRun | null = null;
  let both = '';
  let cfgPath = '';

  beforeAll(async () => {
    run = await runTayga({ nsPrefix: NS_PREFIX, conf: TWO_SIDED_CONF, routes6: ['2001:db8:64::/96'], injector: TWO_SIDED_INJECTOR, sides: true, gap: 0.01 });
    cfgPath = join(run.dir, 'engine.json');
    writeFileSync(cfgPath, JSON.stringify(TWO_SIDED_ENGINE_CONFIG));
    const all = [...(await readAllPackets(run.v6Pcap!)), ...(await readAllPackets(run.v4Pcap!))];
    all.sort((a, b) => a.tsSec - b.tsSec || a.tsNsec - b.tsNsec);
    both = join(run.dir, 'both.pcap');
    const w = await openCaptureWriter(both, { format: 'pcap', linkType: LinkType.RAW, force: true });
    for (const p of all) w.write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec, p.origLen);
    await w.close();
  }, 60_000);

  afterAll(() => run?.dispose());

  it('each flow and its translation are one flow; TAYGA\'s checksums are good; nothing blames it', () => {
    const r = runCli(['analyze', both, '--config', cfgPath, '--json', '--flows', 'all']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const s = lines[lines.length - 1];
    const flows = lines.filter((l) => l.type === 'flow');
    const tcp = flows.filter((f) => f.proto === 'tcp');
    expect(tcp.length, JSON.stringify(flows.map((f) => f.key))).toBeGreaterThan(0);
    // Seen on both sides of TAYGA, counted once as a flow.
    for (const f of tcp) {
      expect(f.packetsV6 as number, f.key as string).toBeGreaterThan(0);
      expect(f.packetsV4 as number, f.key as string).toBeGreaterThan(0);
    }
    expect((s.reconstructed as number)).toBeGreaterThan(0);
    const cs = s.checksums as Record<string, number>;
    expect(cs.bad + cs.badTranslated).toBe(0);
    const ids = s.findingIds as string[];
    for (const id of ['checksum-bad', 'icmp-translation', 'prefix-not-routed', 'unsupported-protocol']) expect(ids, JSON.stringify(ids)).not.toContain(id);
  });
});
