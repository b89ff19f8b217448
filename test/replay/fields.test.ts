/**
 * The field model (src/replay/fields.ts) against tshark: for every packet of every fixture, each
 * field nat64scope extracts agrees with the tshark display field of the same meaning (first
 * occurrence: the outer header, as the model's names without `inner.`). Then the names and
 * formatting that `diff` and `golden --check` print.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { frameFields, ipPacketFields, diffFields, formatDiff, ignoreMatcher } from '../../src/replay/fields.js';
import { buildIp, buildPacket } from '../../src/wire/builder.js';
import { tshark } from '../helpers/referees.js';

const DIR = 'fixtures/pcaps';
// truncated.pcap: tshark exits non-zero on a file cut in the middle of a record.
const FIXTURES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f) && f !== 'truncated.pcap');

/** nat64scope field -> tshark field. */
const MAP: Record<string, string> = {
  'eth.dst': 'eth.dst', 'eth.src': 'eth.src', 'eth.type': 'eth.type', 'vlan.id': 'vlan.id', 'ieee8021ad.id': 'ieee8021ad.id',
  'ipv4.hdr_len': 'ip.hdr_len', 'ipv4.tos': 'ip.dsfield', 'ipv4.len': 'ip.len', 'ipv4.id': 'ip.id',
  'ipv4.df': 'ip.flags.df', 'ipv4.mf': 'ip.flags.mf', 'ipv4.frag_offset': 'ip.frag_offset', 'ipv4.ttl': 'ip.ttl',
  'ipv4.proto': 'ip.proto', 'ipv4.checksum': 'ip.checksum', 'ipv4.src': 'ip.src', 'ipv4.dst': 'ip.dst',
  'ipv6.tclass': 'ipv6.tclass', 'ipv6.flow': 'ipv6.flow', 'ipv6.plen': 'ipv6.plen', 'ipv6.nxt': 'ipv6.nxt',
  'ipv6.hlim': 'ipv6.hlim', 'ipv6.src': 'ipv6.src', 'ipv6.dst': 'ipv6.dst',
  'frag.nxt': 'ipv6.fraghdr.nxt', 'frag.more': 'ipv6.fraghdr.more', 'frag.id': 'ipv6.fraghdr.ident',
  'tcp.srcport': 'tcp.srcport', 'tcp.dstport': 'tcp.dstport', 'tcp.seq': 'tcp.seq_raw', 'tcp.ack': 'tcp.ack_raw',
  'tcp.hdr_len': 'tcp.hdr_len', 'tcp.flags': 'tcp.flags', 'tcp.window': 'tcp.window_size_value',
  'tcp.checksum': 'tcp.checksum', 'tcp.urgent': 'tcp.urgent_pointer',
  'udp.srcport': 'udp.srcport', 'udp.dstport': 'udp.dstport', 'udp.length': 'udp.length', 'udp.checksum': 'udp.checksum',
  'icmp.type': 'icmp.type', 'icmp.code': 'icmp.code', 'icmp.checksum': 'icmp.checksum', 'icmp.id': 'icmp.ident',
  'icmp.seq': 'icmp.seq', 'icmp.mtu': 'icmp.mtu', 'icmp.pointer': 'icmp.pointer',
  'icmpv6.type': 'icmpv6.type', 'icmpv6.code': 'icmpv6.code', 'icmpv6.checksum': 'icmpv6.checksum',
  'icmpv6.id': 'icmpv6.echo.identifier', 'icmpv6.seq': 'icmpv6.echo.sequence_number', 'icmpv6.mtu': 'icmpv6.mtu',
  'icmpv6.pointer': 'icmpv6.pointer', 'dns.id': 'dns.id', 'dns.flags': 'dns.flags',
};
const TS_FIELDS = [...new Set(Object.values(MAP))];
const PREFS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE'];

function norm(v: string | number | boolean): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'number') return String(v);
  if (/^0x[0-9a-f]+$/i.test(v)) return String(parseInt(v, 16));
  if (v === 'True') return '1';
  if (v === 'False') return '0';
  return v.toLowerCase();
}

describe('field model vs tshark', () => {
  for (const file of FIXTURES) {
    it(`${file}: every extracted field agrees with tshark`, async () => {
      const path = join(DIR, file);
      const args = ['-r', path, ...PREFS, '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=\t'];
      for (const f of TS_FIELDS) args.push('-e', f);
      const rows = tshark(args).split('\n').filter((l) => l.length > 0).map((l) => l.split('\t'));
      const pkts = await readAllPackets(path).catch(() => []);
      expect(rows.length).toBeGreaterThanOrEqual(pkts.length);
      let compared = 0;
      const bad: string[] = [];
      for (const p of pkts) {
        const fl = frameFields(p.data, p.offset, p.caplen, p.linkType);
        const row = rows[p.number - 1];
        if (fl.has('truncated')) continue; // tshark names cut headers differently
        for (const [ours, theirs] of Object.entries(MAP)) {
          const v = fl.get(ours);
          const t = row[TS_FIELDS.indexOf(theirs)] ?? '';
          if (v === undefined || t === '') continue;
          compared++;
          // tshark's ip.frag_offset counts 8-byte units; the model's is in bytes, like frag.offset.
          if (ours === 'ipv4.frag_offset' && typeof v === 'number' ? String(v / 8) !== t : norm(v) !== norm(t)) bad.push(`#${p.number} ${ours}: ours ${v}, tshark ${theirs} ${t}`);
        }
      }
      expect(bad).toEqual([]);
      if (pkts.length > 3) expect(compared).toBeGreaterThan(pkts.length * 5);
    });
  }
});

describe('field model', () => {
  it('names every layer, the quoted packet of an ICMP error under inner.', () => {
    const inner = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '203.0.113.5', ttl: 1, id: 7 }, l4: { udp: { sport: 33434, dport: 33435 } }, payload: new Uint8Array(8) });
    const b = buildPacket({ link: { type: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' }, ip: { v: 4, src: '203.0.113.1', dst: '192.0.2.2', ttl: 250, id: 9 }, l4: { icmp4: { type: 11, code: 0 } }, payload: inner });
    const f = frameFields(b, 0, b.length, 1);
    expect([f.get('eth.type'), f.get('eth.src')]).toEqual([0x0800, '02:00:00:00:00:01']);
    expect([f.get('ipv4.ttl'), f.get('icmp.type'), f.get('inner.ipv4.ttl'), f.get('inner.udp.dstport'), f.get('inner.ipv4.id')]).toEqual([250, 11, 1, 33435, 7]);
  });

  it('prints differences as fields', () => {
    const a = ipPacketFields(buildIp({ ip: { v: 4, src: '192.0.2.1', dst: '192.0.2.9', ttl: 63, id: 1 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abcd' }), 0, 36);
    const b = ipPacketFields(buildIp({ ip: { v: 4, src: '192.0.2.1', dst: '192.0.2.9', ttl: 64, id: 2 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abce' }), 0, 36);
    const d = diffFields(a, b, ignoreMatcher(['ipv4.id', '*.checksum']));
    expect(d.map((x) => formatDiff(x))).toEqual([
      'ipv4.ttl: expected 63, got 64',
      'data: differs at byte 3 (expected 0x64, got 0x65); 4 vs 4 bytes',
    ]);
    expect(diffFields(a, b, ignoreMatcher(['ipv4', 'data', 'udp'])).length).toBe(0);
  });

  it('never throws on cut or garbage bytes', () => {
    const b = buildIp({ ip: { v: 6, src: '2001:db8::1', dst: '2001:db8::2', ext: [{ type: 'frag', offset: 0, more: true, id: 5 }] }, l4: { tcp: { srcPort: 1, dstPort: 2, flags: 2, seq: 1, window: 9 } } });
    for (let n = 0; n <= b.length; n++) expect(() => ipPacketFields(b, 0, n)).not.toThrow();
    const junk = Uint8Array.from({ length: 300 }, (_, i) => (i * 97 + 13) & 0xff);
    for (const lt of [0, 1, 101, 113, 276, 228, 229, 9999]) for (let n = 0; n < 80; n += 7) expect(() => frameFields(junk, 0, n, lt)).not.toThrow();
  });
});
