/**
 * Pref64::/n discovery: RFC 7050 §3 (ipv4only.arpa, WKA at every RFC 6052 position), RFC 8781 §4
 * (PREF64: every PLC, lifetime scaling, invalid PLC / length ignored), AAAA answers with a WKA.
 * Prefixes are the RFC 6052 §2.4 example prefixes, one per length.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pref64Discovery, discoverPref64 } from '../../../src/xlat/dns64/discovery.js';
import { PacketDecoder } from '../../../src/wire/layer-decoder.js';
import { buildPacket } from '../../../src/wire/builder.js';
import { encodeDns, type DnsRrInput } from '../../../src/wire/dns.js';
import { embedIpv4 } from '../../../src/xlat/rfc6052.js';
import { ipv6ToString, parseIpv6 } from '../../../src/wire/addr-text.js';
import { emitPref64Option } from '../../../src/wire/icmpv6.js';
import { openCaptureWriter } from '../../../src/pcap/writer.js';
import { LinkType } from '../../../src/pcap/linktype.js';
import { tshark } from '../../helpers/referees.js';

/** RFC 6052 §2.4 table: prefix per length. */
const RFC6052 = [
  ['2001:db8::', 32],
  ['2001:db8:100::', 40],
  ['2001:db8:122::', 48],
  ['2001:db8:122:300::', 56],
  ['2001:db8:122:344::', 64],
  ['2001:db8:122:344::', 96],
] as const;

function synth(prefix: string, len: number, v4: number): string {
  const b = new Uint8Array(16);
  parseIpv6(prefix, b, 0);
  const out = new Uint8Array(16);
  embedIpv4(out, 0, { bytes: b, len }, v4);
  return ipv6ToString(out, 0);
}

function dnsResponse(qname: string, answers: DnsRrInput[]): Uint8Array {
  const msg = encodeDns({ id: 7, qr: true, flags: ['RD', 'RA'], questions: [{ name: qname, type: 'AAAA' }], answers });
  return buildPacket({ ip: { v: 6, src: '2001:db8::53', dst: '2001:db8::1' }, l4: { udp: { sport: 53, dport: 40000 } }, payload: msg });
}

function ra(options: Uint8Array): Uint8Array {
  const payload = new Uint8Array(8 + options.length); // reachable time + retrans timer, then options
  payload.set(options, 8);
  return buildPacket({ ip: { v: 6, src: 'fe80::1', dst: 'ff02::1', hopLimit: 255 }, l4: { icmp6: { type: 134, code: 0, rest: (64 << 24) | 1800 } }, payload });
}

function feed(d: Pref64Discovery, pkts: Uint8Array[]): void {
  const dec = new PacketDecoder();
  pkts.forEach((p, i) => {
    dec.decode(p, 0, p.length, LinkType.RAW);
    d.observe(dec, i + 1);
  });
}

describe('RFC 7050 ipv4only.arpa', () => {
  for (const [prefix, len] of RFC6052) {
    it(`finds ${prefix}/${len} from 192.0.0.170 and 192.0.0.171`, () => {
      const d = new Pref64Discovery();
      feed(d, [dnsResponse('ipv4only.arpa', [
        { name: 'ipv4only.arpa', type: 'AAAA', ttl: 3600, data: synth(prefix, len, 0xc00000aa) },
        { name: 'ipv4only.arpa', type: 'AAAA', ttl: 3600, data: synth(prefix, len, 0xc00000ab) },
      ])]);
      expect(d.prefixes()).toEqual([{ prefix: `${prefix}/${len}`, length: len, source: 'ipv4only.arpa', packets: [1] }]);
    });
  }

  it('the well-known prefix 64:ff9b::/96, name in mixed case, CNAME before the AAAA', () => {
    const d = new Pref64Discovery();
    feed(d, [dnsResponse('IPv4only.ARPA', [
      { name: 'IPv4only.ARPA', type: 'CNAME', ttl: 60, data: 'x.example' },
      { name: 'IPv4only.ARPA', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:aa' },
    ])]);
    expect(d.prefixes()).toEqual([{ prefix: '64:ff9b::/96', length: 96, source: 'ipv4only.arpa', packets: [1] }]);
  });

  it('a WKA at two positions of one address: the other WKA decides (RFC 7050 §3)', () => {
    // 2001:db8:c000:aa:00c0:0:aa:0 holds 192.0.0.170 at the /48 position? build explicitly:
    // /32 layout puts the IPv4 at bytes 4..7, /64 at 9..12; put 192.0.0.170 at both.
    const a = new Uint8Array(16);
    parseIpv6('2001:db8::', a, 0);
    a.set([0xc0, 0, 0, 0xaa], 4); // /32 position
    a.set([0xc0, 0, 0, 0xaa], 9); // /64 position (u octet, byte 8, stays 0)
    const b = new Uint8Array(16);
    b.set(a.subarray(0, 8));
    b.set([0xc0, 0, 0, 0xab], 9); // the second WKA only at the /64 position
    const d = new Pref64Discovery();
    feed(d, [dnsResponse('ipv4only.arpa', [
      { name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: ipv6ToString(a, 0) },
      { name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: ipv6ToString(b, 0) },
    ])]);
    expect(d.prefixes().map((p) => p.prefix)).toEqual(['2001:db8:c000:aa::/64']);
  });

  it('ignores a non-zero u octet for lengths below 96, queries, and AAAA without a WKA', () => {
    const d = new Pref64Discovery();
    const q = buildPacket({ ip: { v: 6, src: '2001:db8::1', dst: '2001:db8::53' }, l4: { udp: { sport: 40000, dport: 53 } },
      payload: encodeDns({ id: 1, questions: [{ name: 'ipv4only.arpa', type: 'AAAA' }], answers: [{ name: 'ipv4only.arpa', type: 'AAAA', data: '64:ff9b::c000:aa' }] }) });
    feed(d, [
      q,
      dnsResponse('ipv4only.arpa', [{ name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: '2001:db8:122:344:ff00:c000:aa00:0' }]),
      dnsResponse('example.com', [{ name: 'example.com', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:2a1' }]),
    ]);
    expect(d.prefixes()).toEqual([]);
  });

  it('AAAA answers for other names with a WKA are source aaaa-wka; packets listed once each', () => {
    const d = new Pref64Discovery();
    const p = dnsResponse('nat64check.example', [{ name: 'nat64check.example', type: 'AAAA', ttl: 60, data: '2001:db8:64::c000:ab' }]);
    feed(d, [p, p, p]);
    expect(d.prefixes()).toEqual([{ prefix: '2001:db8:64::/96', length: 96, source: 'aaaa-wka', packets: [1, 2, 3] }]);
  });
});

describe('RFC 8781 PREF64 option', () => {
  const PLC = [96, 64, 56, 48, 40, 32];
  for (let plc = 0; plc < 8; plc++) {
    it(`PLC ${plc} ${plc < 6 ? `= /${PLC[plc]}` : 'is ignored'}`, () => {
      const opt = new Uint8Array(16);
      opt[0] = 38;
      opt[1] = 2;
      const scaled = 225; // 1800 s
      opt[2] = (scaled << 3) >> 8;
      opt[3] = ((scaled << 3) & 0xff) | plc;
      // Prefix bits: 2001:db8:122:344:: then junk in the bytes past the length, which must be cut.
      opt.set([0x20, 0x01, 0x0d, 0xb8, 0x01, 0x22, 0x03, 0x44, 0xff, 0xff, 0xff, 0xff], 4);
      const d = new Pref64Discovery();
      feed(d, [ra(opt)]);
      if (plc >= 6) return expect(d.prefixes()).toEqual([]);
      const len = PLC[plc];
      const pb = new Uint8Array(16);
      pb.set(opt.subarray(4, 4 + len / 8));
      expect(d.prefixes()).toEqual([{ prefix: `${ipv6ToString(pb, 0)}/${len}`, length: len, source: 'ra-pref64', packets: [1], lifetime: 1800 }]);
    });
  }

  it('lifetime scaling: emitPref64Option rounds up to 8 s, caps at 65528; 0 = withdrawn, last value wins', () => {
    const pfx = new Uint8Array(16);
    parseIpv6('64:ff9b::', pfx, 0);
    const mk = (lt: number): Uint8Array => { const o = new Uint8Array(16); emitPref64Option(o, 0, pfx, 96, lt); return o; };
    for (const [given, seen] of [[1, 8], [600, 600], [601, 608], [65528, 65528], [100000, 65528]]) {
      const d = new Pref64Discovery();
      feed(d, [ra(mk(given))]);
      expect(d.prefixes()[0].lifetime).toBe(seen);
    }
    const d = new Pref64Discovery();
    feed(d, [ra(mk(600)), ra(mk(0))]);
    expect(d.prefixes()).toEqual([{ prefix: '64:ff9b::/96', length: 96, source: 'ra-pref64', packets: [1, 2], lifetime: 0 }]);
  });

  it('every PREF64 option of one RA; a length other than 2 is ignored, options after it still read', () => {
    const a = new Uint8Array(16);
    emitPref64Option(a, 0, Uint8Array.from([0x20, 0x01, 0x0d, 0xb8]), 32, 80);
    const bad = new Uint8Array(24);
    bad[0] = 38;
    bad[1] = 3; // length 3: MUST be ignored (RFC 8781 §4)
    const b = new Uint8Array(16);
    emitPref64Option(b, 0, Uint8Array.from([0, 0x64, 0xff, 0x9b, 0, 1]), 48, 160);
    const opts = new Uint8Array(56);
    opts.set(a, 0);
    opts.set(bad, 16);
    opts.set(b, 40);
    const d = new Pref64Discovery();
    feed(d, [ra(opts)]);
    expect(d.prefixes()).toEqual([
      { prefix: '2001:db8::/32', length: 32, source: 'ra-pref64', packets: [1], lifetime: 80 },
      { prefix: '64:ff9b:1::/48', length: 48, source: 'ra-pref64', packets: [1], lifetime: 160 },
    ]);
  });

  it('discoverPref64 streams a file; tshark reads the same PREF64 prefix and lifetime', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pref64-'));
    try {
      const file = join(dir, 'd.pcapng');
      const pfx = new Uint8Array(16);
      parseIpv6('2001:db8:122:344::', pfx, 0);
      const o = new Uint8Array(16);
      emitPref64Option(o, 0, pfx, 64, 1200);
      const w = await openCaptureWriter(file, { format: 'pcapng', linkType: LinkType.RAW });
      const pkts = [
        dnsResponse('www.example', [{ name: 'www.example', type: 'A', ttl: 60, data: '192.0.2.1' }]),
        ra(o),
        dnsResponse('ipv4only.arpa', [{ name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: '64:ff9b::192.0.0.171' }]),
      ];
      pkts.forEach((p, i) => w.write(p, 0, p.length, 1700000000 + i, 0, p.length, 0, undefined));
      await w.close();
      expect(await discoverPref64(file)).toEqual([
        { prefix: '2001:db8:122:344::/64', length: 64, source: 'ra-pref64', packets: [2], lifetime: 1200 },
        { prefix: '64:ff9b::/96', length: 96, source: 'ipv4only.arpa', packets: [3] },
      ]);
      const t = tshark(['-r', file, '-Y', 'icmpv6.type == 134', '-T', 'fields', '-e', 'icmpv6.opt.pref64.prefix', '-e', 'icmpv6.opt.pref64.plc', '-e', 'icmpv6.opt.pref64.scaled_lifetime']).trim();
      expect(t).toBe('2001:db8:122:344::\t0x0001\t150'); // PLC 1 = /64, 150 x 8 s = 1200 s
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
