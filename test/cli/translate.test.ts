/** `nat64scope translate` end to end: real captures in, captures tshark reads out (SPEC §4). */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync, existsSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import { LinkType } from '../../src/pcap/linktype.js';

const tmp = mkdtempSync(join(tmpdir(), 'nat64scope-translate-'));
const DEMO = 'fixtures/pcaps/demo.pcapng';

describe('translate the demo capture as an AWS NAT gateway', () => {
  const out = join(tmp, 'demo.out.pcapng');
  const explain = join(tmp, 'demo.explain.ndjson');
  let r: ReturnType<typeof runCli>;
  beforeAll(() => {
    r = runCli(['translate', DEMO, '--profile', 'aws', '-w', out, '--explain', explain]);
  });

  it('exits 0 with a one-line summary on stderr', () => {
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^translate: 48 packets in, \d+ out \(\d+ translated/);
  });

  it('writes a pcapng with ipv6/ipv4 interfaces and a comment on every packet', () => {
    const rows = tshark(['-r', out, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.comment', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'eth.type']).trim().split('\n').map((l) => l.split('\t'));
    expect(rows.length).toBeGreaterThan(15);
    for (const [iface, comment, , , ethType] of rows) {
      expect(['ipv4', 'ipv6']).toContain(iface);
      expect(comment).toMatch(/^(translated from #\d+|icmpv?6? .* generated (by a timer )?for (#\d+|a timer)|hairpinned from #\d+|tcp rst generated for #\d+)$/);
      // Ethernet stays Ethernet with the EtherType of the family (SPEC §4).
      expect(ethType).toBe(iface === 'ipv4' ? '0x0800' : '0x86dd');
    }
    // The SYN of the working HTTPS flow (#7) leaves from the gateway's address to 198.51.100.7.
    const syn = rows.find((x) => x[1] === 'translated from #7')!;
    expect(syn[2]).toBe('10.0.0.5');
    expect(syn[3]).toBe('198.51.100.7');
  });

  it('opens in tshark with no malformed packet and good checksums', () => {
    const rows = tshark(['-r', out, '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
      '-T', 'fields', '-E', 'occurrence=f', '-e', '_ws.malformed', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status', '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status', '-e', 'icmpv6.type']).replace(/\n$/, '').split('\n');
    for (const line of rows) {
      const [malformed, ip, tcp, udp, icmp, icmp6, icmp6type] = line.split('\t');
      expect(malformed).toBe('');
      expect(ip === '' || ip === '1').toBe(true);
      // In an ICMPv6 error tshark also checks the cut quoted packet's transport checksum.
      if (icmp6type !== '' && Number(icmp6type) < 128) continue;
      for (const s of [tcp, udp, icmp, icmp6]) expect(s === '' || s === '1' || s === '2').toBe(true);
    }
  });

  it('the failing flow: every SYN to 203.0.113.5:8443 is translated (the translator is not the problem)', () => {
    const rows = tshark(['-r', out, '-Y', 'ip.dst == 203.0.113.5 && tcp.flags.syn == 1', '-T', 'fields', '-e', 'frame.comment']).trim().split('\n');
    expect(rows).toEqual(['translated from #40', 'translated from #41', 'translated from #42', 'translated from #43', 'translated from #44']);
  });

  it('the 2000-byte segment draws a Packet Too Big back to the host (IPv4 MTU 1500 + 20)', () => {
    const rows = tshark(['-r', out, '-Y', 'icmpv6.type == 2', '-T', 'fields', '-E', 'occurrence=f', '-e', 'icmpv6.mtu', '-e', 'ipv6.dst', '-e', 'frame.comment']).trim().split('\n');
    expect(rows).toEqual(['1520\t2600:1f14:abc:de00::10\ticmpv6 packet too big generated for #32']);
  });

  it('--explain has one record per input packet, with reason ids and sentences', () => {
    const lines = readFileSync(explain, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(48);
    expect(lines.map((l) => l.n)).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(lines[6]).toMatchObject({ n: 7, verdict: 'translated', emitted: 1 });
    expect(lines[31]).toMatchObject({ n: 32, verdict: 'error-generated', reason: 'packet-too-big' });
    for (const l of lines.filter((x) => x.verdict === 'dropped')) {
      expect(l.reason).toMatch(/^[a-z0-9-]+$/);
      expect(l.detail.length).toBeGreaterThan(20);
    }
  });

  it('the same input and config give byte-identical output', () => {
    const again = join(tmp, 'demo.again.pcapng');
    expect(runCli(['translate', DEMO, '--profile', 'aws', '-w', again]).status).toBe(0);
    expect(readFileSync(again).equals(readFileSync(out))).toBe(true);
  });
});

describe('translate: link types and formats', () => {
  it('raw stays raw; a .pcap output is classic pcap', async () => {
    const out = join(tmp, 'icmp.pcap');
    const r = runCli(['translate', 'fixtures/pcaps/fragments.pcap', '--mode', 'siit', '--prefix', '64:ff9b::/96', '--eam', '2600:1f14:abc:de00::10/128=192.0.2.2/32', '--profile', 'aws', '-w', out]);
    expect(r.status, r.stderr).toBe(0);
    const pk = await readAllPackets(out);
    expect(pk.length).toBeGreaterThan(0);
    for (const p of pk) expect(p.linkType).toBe(LinkType.RAW);
    expect(readFileSync(out).readUInt32LE(0)).toBe(0xa1b2c3d4);
  });

  it('linktypes.pcapng: every link type is framed back as itself', async () => {
    const out = join(tmp, 'lt.pcapng');
    const r = runCli(['translate', 'fixtures/pcaps/linktypes.pcapng', '--profile', 'aws', '-w', out]);
    expect(r.status, r.stderr).toBe(0);
    const pk = await readAllPackets(out);
    const types = new Set(pk.map((p) => p.linkType));
    for (const lt of [LinkType.ETHERNET, LinkType.RAW, LinkType.LINUX_SLL, LinkType.LINUX_SLL2, LinkType.NULL, LinkType.LOOP]) expect(types.has(lt)).toBe(true);
    const bad = tshark(['-r', out, '-T', 'fields', '-e', '_ws.malformed']).trim().split('\n').filter(Boolean);
    expect(bad).toEqual([]);
  });
});

describe('translate: bad input and outputs', () => {
  it('never overwrites the input', () => {
    const copy = join(tmp, 'in.pcapng');
    writeFileSync(copy, readFileSync(DEMO));
    const r = runCli(['translate', copy, '-w', copy, '--force']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/output is the input/);
    expect(readFileSync(copy).equals(readFileSync(DEMO))).toBe(true);
  });
  it('an existing output needs --force', () => {
    const f = join(tmp, 'exists.pcapng');
    writeFileSync(f, 'keep me');
    const r = runCli(['translate', DEMO, '--profile', 'aws', '-w', f]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/output exists.*--force/);
    expect(readFileSync(f, 'utf8')).toBe('keep me');
  });
  it('a bad config value is exit 2 naming the key, and nothing is written', () => {
    const out = join(tmp, 'never.pcapng');
    const r = runCli(['translate', DEMO, '--prefix', '64:ff9b::/33', '-w', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^nat64scope: .*prefix length 33 is not one of 32,40,48,56,64,96/);
    expect(existsSync(out)).toBe(false);
  });
  it('a corrupt input is exit 3 and leaves no half-written output', () => {
    const bad = join(tmp, 'bad.pcapng');
    const b = Buffer.from(readFileSync(DEMO));
    // Break the first Enhanced Packet Block's length (not a multiple of 4): the framing is lost.
    const idb = b.readUInt32LE(4);
    const epb = idb + b.readUInt32LE(idb + 4);
    b.writeUInt32LE(7, epb + 4);
    writeFileSync(bad, b);
    const dir = mkdtempSync(join(tmpdir(), 'nat64scope-out-'));
    const r = runCli(['translate', bad, '--profile', 'aws', '-w', join(dir, 'x.pcapng')]);
    expect(r.status).toBe(3);
    expect(readdirSync(dir)).toEqual([]);
  });
  it('--json prints the summary object', () => {
    const r = runCli(['translate', DEMO, '--profile', 'aws', '--json']);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ type: 'summary', packetsIn: 48, mode: 'nat64', profile: 'aws' });
    expect(s.translated).toBeGreaterThan(15);
  });
});

describe('translate --side v6: a capture from the IPv6 side of a real translator', () => {
  it('packets that came out of the translator are reconstructed into what it received', () => {
    const out = join(tmp, 'side.pcapng');
    const r = runCli(['translate', DEMO, '--profile', 'aws', '--side', 'v6', '-w', out, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ reconstructed: 12 });
    const rows = tshark(['-r', out, '-Y', 'frame.comment contains "reconstructed"', '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.comment', '-e', 'ip.src', '-e', 'ip.dst', '-e', 'ip.ttl', '-e', 'frame.interface_name']).trim().split('\n').map((l) => l.split('\t'));
    expect(rows).toHaveLength(12);
    // #8, the SYN-ACK from 64:ff9b::c633:6407 with hop limit 229, was received as IPv4 from
    // 198.51.100.7 with TTL 230, addressed to the gateway's mapping of the client.
    expect(rows[0]).toEqual(['reconstructed from #8', '198.51.100.7', '10.0.0.5', '230', 'ipv4']);
    const bad = tshark(['-r', out, '-o', 'tcp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-Y', 'frame.comment contains "reconstructed" && ((tcp.checksum.status == 0 && !icmp) || ip.checksum.status == 0 || icmp.checksum.status == 0 || _ws.malformed)', '-T', 'fields', '-e', 'frame.number']).trim();
    expect(bad).toBe('');
    // (The segment quoted in an ICMP error is cut short, so tshark cannot verify its TCP checksum,
    // in the captured Packet Too Big as in its reconstruction.)
    // #33, the ICMPv6 Packet Too Big (MTU 1520) from 64:ff9b::cb00:7101, was received as an ICMPv4
    // Fragmentation Needed (MTU 1500) from 203.0.113.1 quoting the segment as it left the gateway.
    const ptb = tshark(['-r', out, '-Y', 'frame.comment == "reconstructed from #33"', '-T', 'fields', '-E', 'occurrence=f', '-e', 'ip.src', '-e', 'icmp.type', '-e', 'icmp.code', '-e', 'icmp.mtu', '-e', 'icmp.checksum.status', '-e', 'ip.dst', '-e', 'tcp.dstport']).trim().split('\t');
    expect(ptb).toEqual(['203.0.113.1', '3', '4', '1500', '1', '10.0.0.5', '443']);
  });
});
