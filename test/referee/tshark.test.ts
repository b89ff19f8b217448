/**
 * tshark as referee: for every fixture, `nat64scope packets --json` agrees with tshark's fields
 * (addresses, hop limits, ports, flags, ICMP, fragments, DNS ids and names, checksum verdicts).
 * IP reassembly is off in tshark (nat64scope decodes each fragment on its own); its TCP
 * reassembly stays on, as DNS over TCP needs it.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';

const DIR = 'fixtures/pcaps';
const FIXTURES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f) && f !== 'truncated.pcap');

const FIELDS = [
  'frame.number', 'frame.len', 'frame.cap_len', 'frame.time_epoch',
  'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst', 'ip.ttl', 'ipv6.hlim', 'ip.proto',
  'tcp.srcport', 'tcp.dstport', 'udp.srcport', 'udp.dstport', 'tcp.flags',
  'icmp.type', 'icmp.code', 'icmpv6.type', 'icmpv6.code', 'icmpv6.mtu', 'icmp.mtu',
  'ip.id', 'ip.frag_offset', 'ip.flags.mf', 'ipv6.fraghdr.ident', 'ipv6.fraghdr.offset', 'ipv6.fraghdr.more',
  'dns.id', 'dns.qry.name', 'dns.qry.type', 'dns.flags.response', 'dns.flags.rcode', 'dns.count.answers',
  'ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status',
  'icmpv6.opt.pref64.prefix', 'icmpv6.opt.pref64.plc', '_ws.malformed', '_ws.expert.message',
];
const PREFS = [
  '-o', 'ip.defragment:FALSE', '-o', 'ipv6.defragment:FALSE', '-o', 'tcp.check_checksum:TRUE',
  '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.analyze_sequence_numbers:TRUE',
];

type Row = Record<string, string>;

function tsharkRows(file: string): Row[] {
  const args = ['-r', file, ...PREFS, '-T', 'fields', '-E', 'occurrence=f', '-E', 'separator=\t'];
  for (const f of FIELDS) args.push('-e', f);
  const out = tshark(args);
  return out.split('\n').filter(Boolean).map((line) => {
    const cols = line.split('\t');
    const r: Row = {};
    FIELDS.forEach((f, i) => (r[f] = cols[i] ?? ''));
    return r;
  });
}

const num = (s: string) => (s === '' ? null : s.startsWith('0x') ? parseInt(s, 16) : Number(s));
// tshark checksum.status: 0 bad, 1 good, 2 unverified, 3 not present (IPv4 UDP 0), 4 illegal (IPv6 UDP 0).
const CS: Record<string, string[]> = { '1': ['good'], '0': ['bad', 'partial'], '2': ['none'], '3': ['zero'], '4': ['bad'] };

describe.each(FIXTURES)('%s: packets --json agrees with tshark', (name) => {
  it('field by field', () => {
    const file = join(DIR, name);
    const ours = runCli(['packets', file, '--json']).stdout.trim().split('\n').map((l) => JSON.parse(l));
    const theirs = tsharkRows(file);
    expect(ours.length).toBe(theirs.length);
    for (let i = 0; i < ours.length; i++) {
      const o = ours[i];
      const t = theirs[i];
      const ctx = `${name} #${o.n}`;
      expect(o.n, ctx).toBe(Number(t['frame.number']));
      expect(o.len, ctx).toBe(Number(t['frame.len']));
      expect(o.caplen, ctx).toBe(Number(t['frame.cap_len']));
      expect(Math.abs(o.ts - Number(t['frame.time_epoch'])), ctx).toBeLessThan(1e-6);
      if (o.ipVersion === 4) {
        expect([o.src, o.dst, o.ttl, o.proto], ctx).toEqual([t['ip.src'], t['ip.dst'], num(t['ip.ttl']), num(t['ip.proto'])]);
      } else if (o.ipVersion === 6) {
        expect([o.src, o.dst, o.ttl], ctx).toEqual([t['ipv6.src'], t['ipv6.dst'], num(t['ipv6.hlim'])]);
      } else if (o.problems.length === 0) {
        expect(t['ip.src'] + t['ipv6.src'], ctx).toBe('');
      }
      if (o.sport !== null && o.proto === 6) expect([o.sport, o.dport, o.tcpFlags], ctx).toEqual([num(t['tcp.srcport']), num(t['tcp.dstport']), num(t['tcp.flags'])]);
      if (o.sport !== null && o.proto === 17) expect([o.sport, o.dport], ctx).toEqual([num(t['udp.srcport']), num(t['udp.dstport'])]);
      if (o.icmpType !== null && o.ipVersion === 4) expect([o.icmpType, o.icmpCode], ctx).toEqual([num(t['icmp.type']), num(t['icmp.code'])]);
      if (o.icmpType !== null && o.ipVersion === 6) expect([o.icmpType, o.icmpCode], ctx).toEqual([num(t['icmpv6.type']), num(t['icmpv6.code'])]);
      if (o.mtu !== null) expect(o.mtu, ctx).toBe(num(t['icmpv6.mtu']) ?? num(t['icmp.mtu']));
      if (o.fragment && o.ipVersion === 4) {
        // tshark 4.0 shows fragment offsets in 8-octet units.
        expect([o.fragment.id, o.fragment.offset / 8, o.fragment.more], ctx).toEqual([num(t['ip.id']), num(t['ip.frag_offset']), t['ip.flags.mf'] === '1' || t['ip.flags.mf'] === 'True']);
      }
      if (o.fragment && o.ipVersion === 6) {
        expect([o.fragment.id, o.fragment.offset / 8, o.fragment.more], ctx).toEqual([num(t['ipv6.fraghdr.ident']), num(t['ipv6.fraghdr.offset']), t['ipv6.fraghdr.more'] === '1' || t['ipv6.fraghdr.more'] === 'True']);
      }
      if (o.dns && t['dns.id'] !== '') {
        expect(o.dns.id, ctx).toBe(num(t['dns.id']));
        if (o.dns.questions.length) expect(o.dns.questions[0].name, ctx).toBe(t['dns.qry.name']);
        expect(o.dns.qr, ctx).toBe(t['dns.flags.response'] === '1' || t['dns.flags.response'] === 'True');
        if (o.problems.length === 0) expect(o.dns.answers.length, ctx).toBe(num(t['dns.count.answers']));
      } else if (t['dns.id'] !== '' && o.problems.length === 0) {
        throw new Error(`${ctx}: tshark sees DNS id ${t['dns.id']}, nat64scope none`);
      }
      if (o.ipVersion === 4 && t['ip.checksum.status'] !== '') expect(CS[t['ip.checksum.status']], ctx).toContain(o.checksums.ip);
      const l4 = o.proto === 6 ? 'tcp' : o.proto === 17 ? 'udp' : o.proto === 1 ? 'icmp' : o.proto === 58 ? 'icmpv6' : null;
      const st = l4 ? t[`${l4}.checksum.status`] : '';
      if (l4 && st !== '' && o.checksums.l4 !== 'none') expect(CS[st], `${ctx} ${l4} checksum`).toContain(o.checksums.l4);
      if (o.pref64) expect(o.pref64.prefix, ctx).toBe(`${t['icmpv6.opt.pref64.prefix']}/96`);
    }
  });
});

/** Fixtures broken on purpose; every other capture the project writes must be clean in tshark. */
const BROKEN_ON_PURPOSE = new Set(['malformed.pcap', 'truncated.pcap']);

describe.each(FIXTURES.filter((f) => !BROKEN_ON_PURPOSE.has(f)))('%s opens in tshark with no malformed packet', (name) => {
  it('no malformed packet, checksums as built', () => {
    const rows = tsharkRows(join(DIR, name));
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(r['_ws.malformed'], `${name} #${r['frame.number']}: ${r['_ws.expert.message']}`).toBe('');
      expect(r['_ws.expert.message'], `${name} #${r['frame.number']}`).not.toMatch(/Malformed/);
      // Only checksums.pcapng carries bad checksums (on purpose). In an ICMP error tshark also
      // checks the quoted (cut) packet's transport checksum, which cannot verify: skip those.
      const icmpError = (r['icmpv6.type'] !== '' && Number(r['icmpv6.type']) < 128) || [3, 4, 5, 11, 12].includes(Number(r['icmp.type'] || -1));
      if (name !== 'checksums.pcapng' && !icmpError) {
        for (const k of ['ip.checksum.status', 'tcp.checksum.status', 'udp.checksum.status', 'icmp.checksum.status', 'icmpv6.checksum.status']) {
          expect(r[k], `${name} #${r['frame.number']} ${k}`).not.toBe('0');
        }
      }
    }
  });
});
