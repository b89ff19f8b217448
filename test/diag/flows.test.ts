/** The flow table: one flow across both families, retransmissions, bounded memory. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { translateCapture } from '../../src/replay/translate.js';
import { analyzeCapture } from '../../src/replay/analyze.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import { openCaptureWriter } from '../../src/pcap/writer.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { loadConfig } from '../../src/xlat/config.js';
import { FlowTable, FlowPacket, type Flow } from '../../src/diag/flows.js';

const D = 'fixtures/pcaps/diag';
const rfc = loadConfig({});

describe('flow table', () => {
  it('an IPv6 flow and its IPv4 translation captured on both sides are one flow (--side auto)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nat64scope-flows-'));
    const v6 = join(D, 'prefix-not-routed-ok.pcap');
    const v4 = join(dir, 'v4.pcap');
    await translateCapture({ input: v6, output: v4, config: rfc, force: true });
    const a = await readAllPackets(v6);
    const b = await readAllPackets(v4);
    expect(b.length).toBeGreaterThan(3);
    // Both sides in one capture: each IPv4 translation right after the IPv6 packet it came from.
    const both = join(dir, 'both.pcap');
    const w = await openCaptureWriter(both, { format: 'pcap', linkType: LinkType.RAW, force: true });
    const all = [...a.map((p) => ({ p, k: 0 })), ...b.map((p) => ({ p, k: 1 }))].sort((x, y) => x.p.tsSec - y.p.tsSec || x.p.tsNsec - y.p.tsNsec || x.k - y.k);
    for (const { p } of all) w.write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec, p.origLen);
    await w.close();
    const r = await analyzeCapture(both, rfc, { flows: 'all' });
    const tcp = r.flows.filter((f) => f.proto === 'tcp');
    expect(tcp.length).toBe(1);
    const f = tcp[0];
    expect(f.packetsV6, JSON.stringify(f)).toBe(9);
    expect(f.packetsV4).toBe(b.filter((p) => p.data[p.offset + 9] === 6).length);
    expect(f.clientV4).toBe('192.0.2.2');
    expect(f.serverV4).toBe('52.94.76.10');
    expect(f.retransmissions).toBe(0); // the same segment on both sides is not a retransmission
    expect(f.state).toBe('closed');
    expect(f.failing).toBe(false);
    // Reconstructed: the 6 IPv4 packets, and the 3 IPv6 packets from the prefix (SYN-ACK, data, FIN).
    expect(r.reconstructed).toBe(b.length + 3);
  });

  it('counts retransmissions (same sequence, same length) and full-size ones', async () => {
    const r = await analyzeCapture(join(D, 'pmtu-blackhole-fail.pcap'), rfc, { flows: 'all' });
    const f = r.flows.find((x) => x.proto === 'tcp')!;
    expect(f.retransmissions).toBe(4);
    expect(f.largestSegment).toBe(1440);
    expect(f.mssClient).toBe(1440);
    expect(f.mssServer).toBe(1460);
    expect(f.state).toBe('established');
    expect(f.problem).toBe('4 full-size retransmissions, no Packet Too Big');
  });

  it('the BIB and session tables as the engine built them (sessions: true)', async () => {
    const r = await analyzeCapture(join(D, 'idle-timeout-ok.pcap'), rfc, { sessions: true });
    expect(r.engine.bib).toBe(1);
    expect(r.engine.sessions).toBe(1);
    expect(r.engine.bibEntries![0]).toMatchObject({ protocol: 'tcp', port6: 49800, ipv4: 0xc0000202, isStatic: false });
    expect(r.engine.sessionList![0]).toMatchObject({ protocol: 'tcp', v4: { dst: 0x345e4c0a, dport: 443 } });
    const plain = await analyzeCapture(join(D, 'idle-timeout-ok.pcap'), rfc);
    expect(plain.engine.sessionList).toBeUndefined();
  });

  it('matches DNS queries to responses with latency', async () => {
    const r = await analyzeCapture(join(D, 'dns64-missing-ok.pcap'), rfc);
    expect(r.dns).toMatchObject({ queries: 2, responses: 2, answered: 2, unanswered: 0, medianLatencyMs: 2, aaaaResponses: 1, aaaaNodata: 0 });
  });

  it('keeps at most maxLive flows: memory grows with live flows, not with packets', () => {
    const closed: Flow[] = [];
    const t = new FlowTable({ expireAfter: 1e9, closedAfter: 1e9, maxLive: 1000, onClose: (f) => closed.push(f) });
    const p = new FlowPacket();
    p.proto = 17;
    p.key.set([0x20, 0x01, 0x0d, 0xb8], 0);
    p.key.set([0, 0x64, 0xff, 0x9b], 16);
    for (let i = 0; i < 20_000; i++) {
      p.n = i + 1;
      p.ts = i;
      p.sport = 1024 + (i % 50_000);
      p.dport = 53;
      p.key[15] = i & 0xff;
      p.key[14] = (i >> 8) & 0xff;
      t.observe(p);
      expect(t.live).toBeLessThanOrEqual(1000);
    }
    t.closeAll(20_000);
    expect(t.live).toBe(0);
    expect(closed.length).toBe(20_000);
    expect(new Set(closed).size).toBe(20_000);
  });

  it('finds a flow from either direction', () => {
    const t = new FlowTable({ expireAfter: 100, closedAfter: 100, maxLive: 10, onClose: () => undefined });
    const p = new FlowPacket();
    p.proto = 6;
    p.key.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 0);
    p.key.set([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4], 16);
    p.sport = 40000;
    p.dport = 443;
    p.tcpFlags = 0x02;
    const f = t.observe(p);
    const rev = new Uint8Array(32);
    rev.set(p.key.subarray(16, 32), 0);
    rev.set(p.key.subarray(0, 16), 16);
    expect(t.find(6, rev, false, 443, 40000)).toBe(f);
    expect(t.dir).toBe(1);
    expect(t.find(6, p.key, false, 40000, 443)).toBe(f);
    expect(t.dir).toBe(0);
    expect(t.find(17, p.key, false, 40000, 443)).toBeNull();
    expect(f.keyText()).toBe('tcp [2001:db8::1]:40000 > [64:ff9b::102:304]:443');
  });
});
