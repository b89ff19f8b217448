/**
 * Display filters over real capture bytes: every fixture packet, evaluated both ways (PacketFacts
 * over the zero-allocation decoder, and the SPEC §5 JSON object the viewer holds) must agree; and
 * where Wireshark has an equivalent display filter, tshark -Y picks the same packet numbers.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readCapture } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson } from '../../src/replay/describe.js';
import { compileFilter, fieldNames, PacketFacts, packetFlowSelector, defaultFlowKey } from '../../src/filter/index.js';
import { tshark } from '../helpers/referees.js';

const DIR = 'fixtures/pcaps';
const FIXTURES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f));

interface Loaded { p: CapturedPacket; json: Record<string, unknown> }

/** Every packet of a fixture, with its decoded JSON (round-tripped through text, as the viewer would get it). */
async function load(file: string): Promise<Array<Loaded & { bytes: Uint8Array }>> {
  const dec = new PacketDecoder();
  const out: Array<Loaded & { bytes: Uint8Array }> = [];
  await readCapture(file, (p) => {
    dec.decode(p.data, p.offset, p.caplen, p.linkType);
    const bytes = p.data.slice(p.offset, p.offset + p.caplen);
    out.push({ p: { ...p, data: bytes, offset: 0 }, bytes, json: JSON.parse(JSON.stringify(packetJson(p, dec))) });
  }, { onWarning: () => undefined });
  return out;
}

/** Packet numbers matching, by evaluating over the decoder; checks the JSON side agrees on each. */
function run(filter: string, pkts: Loaded[], ctx: string): number[] {
  const f = compileFilter(filter);
  const dec = new PacketDecoder();
  const facts = new PacketFacts();
  const hits: number[] = [];
  for (const { p, json } of pkts) {
    dec.decode(p.data, p.offset, p.caplen, p.linkType);
    facts.fill(p, dec);
    const a = f.matchesPacket(facts);
    const b = f.matchesJson(json);
    if (a !== b) expect.fail(`${ctx} #${p.number}: "${filter}" gives ${a} on the bytes, ${b} on the JSON`);
    if (a) hits.push(p.number);
  }
  return hits;
}

// Comparisons that exercise each field with values the fixtures hold.
const COMPARISONS = [
  'n > 5', 'n in {1 3 5..9}', 'ts > 1795168801', 'caplen < 100', 'len >= 1000', 'link == ethernet', 'link != raw',
  'ipVersion == 6', 'ip.version == 4', 'src == 2600:1f14:abc:de00::10', 'dst in 64:ff9b::/96', 'addr in 64:ff9b::/96',
  'host == 192.0.2.1', 'ip.src in 10.0.0.0/8', 'ip.dst == 192.0.2.53', 'ip.addr in 192.0.2.0/24', 'ipv6.src in 2001:db8::/32',
  'ipv6.dst == 64:ff9b::cb00:7105', 'ipv6.addr in fd00::/8', 'srcIpv4', 'dstIpv4 in 203.0.113.0/24', 'embedded4 == 198.51.100.7',
  'embedded4 in 192.0.2.0/24', 'proto == udp', 'proto in {tcp icmpv6}', 'ip.proto == 1', 'ipv6.nxt == 58', 'ttl < 64', 'ip.ttl == 64',
  'ipv6.hlim >= 64', 'fragment.id == 0xabcdef01', 'fragment.offset > 0', 'fragment.more', 'not fragment.more', 'frag.id == 4660',
  'checksums.ip == good', 'checksums.l4 in {bad partial}', 'checksum.l4 == zero', 'problems contains "dns"', 'problems matches "trunc"',
  'sport == 53', 'dport in {53 443}', 'port != 53', 'port in {1024..65535}', 'tcp.srcport == 443', 'tcp.dstport == 443', 'tcp.port == 53',
  'udp.srcport == 53', 'udp.dstport == 123', 'udp.port != 53', 'tcpFlags == 0x12', 'tcp.flags & 2', 'tcp.flags.syn and tcp.flags.ack',
  'tcp.flags.fin', 'tcp.flags.rst == 0', 'tcp.flags.psh', 'tcp.flags.urg', 'tcp.flags.ece', 'tcp.flags.cwr',
  'icmpType == 3', 'icmpCode == 4', 'icmpId', 'icmp.type == 11', 'icmp.code == 3', 'icmp.ident > 0', 'icmpv6.type in {1 2 3 4}',
  'icmpv6.code == 0', 'icmpv6.id > 0', 'mtu', 'mtu < 1500', 'inner.ipVersion == 6', 'inner.src in 2600::/12', 'inner.dst == 64:ff9b::cb00:7105',
  'inner.proto == udp', 'inner.sport > 0', 'inner.dport == 33434', 'pref64.lifetime == 1800', 'dns.id == 0x7050', 'dns.qr == 1',
  'dns.opcode == 0', 'dns.rcode != 0', 'dns.qtype == AAAA', 'dns.qtype in {A PTR}', 'dns.name == api.example.com', 'dns.name contains "example"',
  'dns.name ~ "^v4"', 'dns.name != ipv4only.arpa', 'dns.flags == 0x8180', 'dns.flags.aa', 'dns.flags.tc', 'dns.flags.rd', 'dns.flags.ra',
  'dns.flags.ad', 'dns.flags.cd', 'dns.do', 'checksum.ok', 'not checksum.ok', 'checksum.bad',
].filter((f) => !f.includes(' & '));

describe.each(FIXTURES)('%s: the bytes and the JSON agree', (name) => {
  it('every field alone, every comparison, on every packet', async () => {
    const pkts = await load(join(DIR, name));
    expect(pkts.length).toBeGreaterThan(0);
    let hit = 0;
    for (const field of fieldNames()) hit += run(field, pkts, name).length + run(`not ${field}`, pkts, name).length;
    for (const c of COMPARISONS) hit += run(c, pkts, name).length;
    expect(hit).toBeGreaterThan(0);
  });
});

describe('known answers on the demo capture', () => {
  it('packet numbers', async () => {
    const pkts = await load(join(DIR, 'demo.pcapng'));
    const hits = (f: string) => run(f, pkts, 'demo');
    expect(hits('tcp and dport == 443')).toEqual([7, 9, 10, 15, 16, 18, 20, 29, 31, 32, 34, 35, 37]);
    expect(hits('embedded4 == 198.51.100.7')).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(hits('dns.name == "api.example.com"')).toEqual([3, 4, 5, 6]);
    // The failing flow: SYNs to 203.0.113.5:8443, retried, never answered.
    expect(hits('tcp.flags.syn and not tcp.flags.ack and dstIpv4 == 203.0.113.5')).toEqual([40, 41, 42, 43, 44]);
    // NODATA: an AAAA response with rcode 0 and no answer, from the resolver without DNS64.
    expect(hits('dns.qr and dns.qtype == AAAA and src == 2001:db8:53::53')).toEqual([47]);
    expect(hits('icmpv6.type == 2 and mtu == 1520')).toEqual([33]);
    expect(hits('not checksum.ok')).toEqual([]);
  });
  it('checksums.pcapng: not checksum.ok picks the bad ones, not the offload artefacts', async () => {
    const pkts = await load(join(DIR, 'checksums.pcapng'));
    const bad = run('not checksum.ok', pkts, 'checksums');
    const partial = run('checksums.l4 == partial', pkts, 'checksums');
    expect(bad.length).toBeGreaterThanOrEqual(5);
    for (const n of partial) expect(bad).not.toContain(n);
    for (const n of bad) {
      const j = pkts[n - 1].json.checksums as { ip: string; l4: string };
      expect(j.ip === 'bad' || j.l4 === 'bad').toBe(true);
    }
  });
});

// Ours on the left, Wireshark's on the right: the same packets (IP reassembly off in tshark, as in
// test/referee/tshark.test.ts; its TCP reassembly stays on for DNS over TCP). tshark's fields
// also hold the headers quoted inside ICMP errors (tcp.dstport of the segment a Packet Too Big
// quotes); nat64scope's `dport` is the packet's own (the quoted ones are `inner.*`), so those
// pairs leave ICMP errors out on the tshark side. tshark 4.0 sets take commas.
const NO_ICMP = '!icmp && !icmpv6';
const PAIRS: Array<[string, string]> = [
  ['tcp and dport == 443', `tcp.dstport == 443 && ${NO_ICMP}`],
  ['tcp', 'tcp && !icmp && !icmpv6'],
  ['udp and not icmp and not icmpv6', 'udp && !icmp && !icmpv6'],
  ['udp.port == 53', 'udp.port == 53 && !icmp && !icmpv6'],
  ['port in {123 8443} and not icmp and not icmpv6', '(tcp.port in {123, 8443} || udp.port in {123, 8443}) && !icmp && !icmpv6'],
  ['inner.proto == udp', '(icmp || icmpv6) && udp'],
  ['inner.proto == tcp', '(icmp || icmpv6) && tcp'],
  ['dns', 'dns'],
  ['dns.qtype == AAAA', 'dns.qry.type == 28'],
  ['dns.name == "api.example.com"', 'dns.qry.name == "api.example.com"'],
  ['dns.name contains "example"', 'dns.qry.name contains "example"'],
  ['dns.qr and dns.rcode == NOERROR', 'dns.flags.response == 1 && dns.flags.rcode == 0'],
  ['dns.flags.tc', 'dns.flags.truncated == 1'],
  ['ipv6.dst in 64:ff9b::/96 and not icmpv6', 'ipv6.dst == 64:ff9b::/96 && !icmpv6'],
  ['ip.src in 192.0.2.0/24 and not icmp', 'ip.src == 192.0.2.0/24 && !icmp'],
  ['ip.addr == 192.0.2.1 and not icmp', 'ip.addr == 192.0.2.1 && !icmp'],
  ['embedded4 == 198.51.100.7 and not icmpv6', '(ipv6.src_embed_ipv4 == 198.51.100.7 || ipv6.dst_embed_ipv4 == 198.51.100.7) && !icmpv6'],
  ['tcp.flags.syn and not tcp.flags.ack', 'tcp.flags.syn == 1 && tcp.flags.ack == 0 && !icmp && !icmpv6'],
  ['icmpv6.type == 2', 'icmpv6.type == 2'],
  ['icmp.type == 3 and icmp.code == 4', 'icmp.type == 3 && icmp.code == 4'],
  ['frag', '(ip.flags.mf == 1 || ip.frag_offset > 0 || ipv6.fraghdr) && !icmp && !icmpv6'],
  ['len > 1000', 'frame.len > 1000'],
  ['ipv6 and not icmpv6', 'ipv6 && !icmpv6'],
  ['ip and not icmp', 'ip && !icmp'],
  ['eth', 'eth'],
  ['not (tcp or udp or icmp) and ip', '!(tcp || udp) && ip && !icmp'],
  ['icmp', 'icmp'],
  ['icmpv6', 'icmpv6'],
];
const PREFS = ['-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE'];
// malformed.pcap is broken on purpose and tshark calls a cut TCP header "tcp" where nat64scope
// (whose `tcp` means a decodable TCP header) does not; truncated.pcap ends in a cut record.
const TSHARK_FILES = FIXTURES.filter((f) => !['malformed.pcap', 'truncated.pcap'].includes(f));

describe.each(TSHARK_FILES)('%s: the same packets as tshark -Y', (name) => {
  it.each(PAIRS)('%s  <->  %s', async (ours, theirs) => {
    const file = join(DIR, name);
    const pkts = await load(file);
    const mine = run(ours, pkts, name);
    const out = tshark(['-r', file, ...PREFS, '-Y', theirs, '-T', 'fields', '-e', 'frame.number']);
    const wire = out.split('\n').filter(Boolean).map(Number);
    expect(mine).toEqual(wire);
  });
});

describe('flows', () => {
  it('streaming keeps later packets of a matched flow; two passes keep the whole flow', async () => {
    const pkts = await load(join(DIR, 'demo.pcapng'));
    const f = compileFilter('tcp.flags.fin');
    const dec = new PacketDecoder();
    const facts = new PacketFacts();
    const each = (fn: (x: PacketFacts) => void): void => {
      for (const { p } of pkts) {
        dec.decode(p.data, p.offset, p.caplen, p.linkType);
        fn(facts.fill(p, dec));
      }
    };
    const s1 = packetFlowSelector(f);
    const streaming: number[] = [];
    each((x) => { if (s1.streaming(x)) streaming.push(x.n); });
    // The HTTPS flow's first FIN is #18.
    expect(streaming).toEqual([18, 19, 20]);
    const s2 = packetFlowSelector(f);
    each((x) => s2.observe(x));
    const whole: number[] = [];
    each((x) => { if (s2.selects(x)) whole.push(x.n); });
    expect(whole).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(s2.size).toBe(1);
  });
  it('an ICMP error belongs to the flow of the packet it quotes; both directions share a key', async () => {
    const pkts = await load(join(DIR, 'demo.pcapng'));
    const dec = new PacketDecoder();
    const facts = new PacketFacts();
    const key = (n: number): number | null => {
      const { p } = pkts[n - 1];
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      return defaultFlowKey(facts.fill(p, dec));
    };
    expect(key(8)).toBe(key(7)); // SYN-ACK and SYN
    expect(key(33)).toBe(key(32)); // Packet Too Big quoting the 2000-byte segment
    expect(key(40)).not.toBe(key(7));
  });
});
