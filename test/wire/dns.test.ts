/**
 * DNS wire layer: DnsView (zero-allocation walk), decodeDns (presentation format), encodeDns
 * (compression, RFC 2181 §9 truncation). dns-packet serves as the oracle both ways.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import ipaddr from 'ipaddr.js';
import {
  DnsView,
  DnsProblem,
  dnsProblemText,
  dnsProblemIsWarning,
  decodeDns,
  encodeDns,
  dnsTypeName,
  dnsTypeNumber,
  dnsClassName,
  DnsType,
  type DnsMessage,
  type DnsMessageInput,
  type DnsRr,
} from '../../src/wire/dns.js';
import { ipv4ToString, ipv6ToString, parseIpv4, parseIpv6 } from '../../src/wire/addr-text.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/[^0-9a-fA-F]/g, ''), 'hex'));
const ascii = (s: string): string => Buffer.from(s, 'latin1').toString('hex');

// A query for example.com AAAA as dig 9.18 sends it (RD and AD set, EDNS0 with a 1232-byte UDP
// size and an 8-byte client COOKIE option, RFC 7873): hand-assembled in the RFC 1035 §4.1 layout.
const QUERY_EXAMPLE_AAAA = hex(`
  a1b2 0120 0001 0000 0000 0001
  07 ${ascii('example')} 03 ${ascii('com')} 00  001c 0001
  00 0029 04d0 00000000 000c  000a 0008 0102030405060708
`);

// A DNS64 resolver's answer for ipv4only.arpa AAAA (RFC 7050 §2.2: the A records are 192.0.0.170
// and .171; with the well-known prefix 64:ff9b::/96 of RFC 6052 they become 64:ff9b::c000:aa/ab).
// Answers use a compression pointer (c00c) to the question name at offset 12.
const RESPONSE_IPV4ONLY = hex(`
  5c3e 8180 0001 0002 0000 0000
  08 ${ascii('ipv4only')} 04 ${ascii('arpa')} 00  001c 0001
  c00c 001c 0001 00000e10 0010  0064ff9b 00000000 00000000 c00000aa
  c00c 001c 0001 00000e10 0010  0064ff9b 00000000 00000000 c00000ab
`);

describe('DnsView: deconstruct', () => {
  it('reads a dig query for example.com AAAA with EDNS', () => {
    const v = new DnsView();
    expect(v.reset(QUERY_EXAMPLE_AAAA, 0, QUERY_EXAMPLE_AAAA.length)).toBe(0);
    expect(v.id()).toBe(0xa1b2);
    expect(v.flags()).toBe(0x0120);
    expect(v.qr()).toBe(false);
    expect(v.opcode()).toBe(0);
    expect(v.rcode()).toBe(0);
    expect([v.aa(), v.tc(), v.rd(), v.ra(), v.ad(), v.cd()]).toEqual([false, false, true, false, true, false]);
    expect([v.qdCount(), v.anCount(), v.nsCount(), v.arCount()]).toEqual([1, 0, 0, 1]);
    expect(v.hasEdns()).toBe(true);
    expect(v.ednsUdpSize()).toBe(1232);
    expect(v.ednsDo()).toBe(false);
    expect(v.ednsVersion()).toBe(0);
    expect(v.questionOffset()).toBe(12);
    expect(v.firstQuestionType()).toBe(DnsType.AAAA);
    expect(v.firstQuestionClass()).toBe(1);
    expect(v.warning()).toBe(0);
    expect(v.parsedLength()).toBe(QUERY_EXAMPLE_AAAA.length);
  });

  it('reads a message at an offset inside a larger buffer', () => {
    const buf = new Uint8Array(100 + RESPONSE_IPV4ONLY.length + 7).fill(0xa5);
    buf.set(RESPONSE_IPV4ONLY, 100);
    const v = new DnsView();
    expect(v.reset(buf, 100, RESPONSE_IPV4ONLY.length)).toBe(0);
    expect(v.id()).toBe(0x5c3e);
    expect(v.qr()).toBe(true);
    expect(v.rd() && v.ra()).toBe(true);
    expect(v.anCount()).toBe(2);
    expect(v.hasEdns()).toBe(false);
    expect(v.ednsVersion()).toBe(-1);
    expect(v.questionOffset()).toBe(112);
    expect(v.firstQuestionType()).toBe(28);
    expect(v.warning()).toBe(0);
  });

  it('decodes the DNS64 response with the compressed owner names', () => {
    const m = decodeDns(RESPONSE_IPV4ONLY);
    expect(m).toEqual({
      id: 0x5c3e,
      qr: true,
      opcode: 0,
      rcode: 0,
      flags: ['QR', 'RD', 'RA'],
      questions: [{ name: 'ipv4only.arpa', type: 'AAAA', class: 'IN' }],
      answers: [
        { name: 'ipv4only.arpa', type: 'AAAA', class: 'IN', ttl: 3600, data: '64:ff9b::c000:aa' },
        { name: 'ipv4only.arpa', type: 'AAAA', class: 'IN', ttl: 3600, data: '64:ff9b::c000:ab' },
      ],
      authorities: [],
      additionals: [],
      edns: null,
      problems: [],
    } satisfies DnsMessage);
  });

  it('decodes EDNS of the query', () => {
    const m = decodeDns(QUERY_EXAMPLE_AAAA);
    expect(m.flags).toEqual(['RD', 'AD']);
    expect(m.additionals).toEqual([]);
    expect(m.edns).toEqual({
      udpSize: 1232, do: false, version: 0, extendedRcode: 0,
      options: [{ code: 10, data: '0102030405060708' }],
    });
    expect(m.problems).toEqual([]);
  });

  it('combines the EDNS extended RCODE (RFC 6891 §6.1.3): BADVERS = 16', () => {
    // A response with header RCODE 0 and OPT extended-RCODE 1, version 0, DO set.
    const b = hex(`0001 8000 0000 0000 0000 0001  00 0029 1000 01008000 0000`);
    const v = new DnsView();
    expect(v.reset(b, 0, b.length)).toBe(0);
    expect(v.rcode()).toBe(16);
    expect(v.ednsDo()).toBe(true);
    expect(v.ednsUdpSize()).toBe(4096);
    expect(v.ednsExtendedRcode()).toBe(1);
    const m = decodeDns(b);
    expect(m.rcode).toBe(16);
    expect(m.edns).toEqual({ udpSize: 4096, do: true, version: 0, extendedRcode: 1, options: [] });
  });

  it('keeps header accessors after a failure past the header', () => {
    const b = RESPONSE_IPV4ONLY.slice(0, 50);
    const v = new DnsView();
    expect(v.reset(b, 0, b.length)).toBe(DnsProblem.RecordOverrunsMessage);
    expect(v.id()).toBe(0x5c3e);
    expect(v.anCount()).toBe(2);
    expect(v.firstQuestionType()).toBe(28);
    expect(v.problemCode()).toBe(DnsProblem.RecordOverrunsMessage);
  });

  it('reports a short header', () => {
    const v = new DnsView();
    expect(v.reset(new Uint8Array(11), 0, 11)).toBe(DnsProblem.TruncatedHeader);
    expect(v.id()).toBe(0);
    expect(v.questionOffset()).toBe(-1);
    expect(v.firstQuestionType()).toBe(-1);
    expect(dnsProblemText(DnsProblem.TruncatedHeader)).toBe('dns: truncated header');
    expect(decodeDns(new Uint8Array(5)).problems).toEqual(['dns: truncated header']);
  });

  it('clamps a length beyond the buffer', () => {
    const v = new DnsView();
    expect(v.reset(RESPONSE_IPV4ONLY, 0, 10_000)).toBe(0);
    expect(decodeDns(RESPONSE_IPV4ONLY, 0, 10_000).problems).toEqual([]);
  });
});

describe('type and class names', () => {
  it('maps mnemonics and RFC 3597 TYPEnnn', () => {
    expect(dnsTypeName(28)).toBe('AAAA');
    expect(dnsTypeName(65280)).toBe('TYPE65280');
    expect(dnsTypeNumber('aaaa')).toBe(28);
    expect(dnsTypeNumber('TYPE123')).toBe(123);
    expect(dnsTypeNumber('type65535')).toBe(65535);
    expect(dnsTypeNumber('TYPE65536')).toBe(-1);
    expect(dnsTypeNumber('BOGUS')).toBe(-1);
    expect(dnsClassName(1)).toBe('IN');
    expect(dnsClassName(3)).toBe('CH');
    expect(dnsClassName(4)).toBe('HS');
    expect(dnsClassName(255)).toBe('ANY');
    expect(dnsClassName(123)).toBe('CLASS123');
  });
});

describe('addr-text', () => {
  it('writes RFC 5952 §4 canonical text', () => {
    const cases: [string, string][] = [
      ['20010db8000000000000000000000001', '2001:db8::1'],
      ['20010db8000000010001000100010001', '2001:db8:0:1:1:1:1:1'], // §4.2.2: no :: for one group
      ['20010000000000010000000000000001', '2001:0:0:1::1'], // §4.2.3: the longest run
      ['20010db8000000000001000000000001', '2001:db8::1:0:0:1'], // §4.2.3: the first on ties
      ['00000000000000000000000000000000', '::'],
      ['00000000000000000000000000000001', '::1'],
      ['00010000000000000000000000000000', '1::'],
      ['0064ff9b0000000000000000c0000221', '64:ff9b::c000:221'],
      ['20010DB8ABCD00000000000000000000', '2001:db8:abcd::'],
    ];
    for (const [h, text] of cases) expect(ipv6ToString(hex(h), 0)).toBe(text);
    expect(ipv4ToString(hex('c0000201'), 0)).toBe('192.0.2.1');
  });

  it('parses what it writes and rejects garbage', () => {
    const out = new Uint8Array(16);
    expect(parseIpv6('64:ff9b::192.0.2.33', out, 0)).toBe(true);
    expect(Buffer.from(out).toString('hex')).toBe('0064ff9b0000000000000000c0000221');
    for (const bad of ['', ':', ':::', '1:2:3:4:5:6:7:8:9', '1::2::3', '12345::', 'g::', '1:2:3:4:5:6:7::8', '::1.2.3', '1:', ':1']) {
      expect(parseIpv6(bad, out, 0), bad).toBe(false);
    }
    expect(parseIpv6('1:2:3:4:5:6:7::', out, 0)).toBe(true);
    const o4 = new Uint8Array(4);
    expect(parseIpv4('192.0.2.1', o4, 0)).toBe(true);
    for (const bad of ['192.0.2', '192.0.2.256', '01.2.3.4', '1.2.3.4.', 'a.b.c.d']) expect(parseIpv4(bad, o4, 0), bad).toBe(false);
  });

  it('agrees with ipaddr.js on random addresses (zero-heavy)', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (groups) => {
      const b = new Uint8Array(16);
      groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 0xff; });
      const text = ipv6ToString(b, 0);
      expect(text).toBe((ipaddr.fromByteArray([...b]) as ipaddr.IPv6).toRFC5952String());
      const back = new Uint8Array(16);
      expect(parseIpv6(text, back, 0)).toBe(true);
      expect(back).toEqual(b);
    }));
  });
});

// ---------------------------------------------------------------------------------------------
// dns-packet as the oracle

const ts = (t: number): string => new Date(t * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
const txtString = (b: Buffer): string =>
  '"' + [...b].map((c) => (c === 0x22 || c === 0x5c ? '\\' + String.fromCharCode(c) : c < 0x20 || c > 0x7e ? '\\' + String(c).padStart(3, '0') : String.fromCharCode(c))).join('') + '"';

/** Our presentation format of a record dns-packet decoded. */
function packetRrData(a: any): string {
  const d = a.data;
  switch (a.type) {
    case 'A': case 'CNAME': case 'DNAME': case 'PTR': case 'NS': return d;
    case 'AAAA': return (ipaddr.parse(d) as ipaddr.IPv6).toRFC5952String(); // ip-codec does not pick the longest zero run
    case 'MX': return `${d.preference} ${d.exchange}`;
    case 'TXT': return d.map(txtString).join(' ');
    case 'SOA': return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'DS': return `${d.keyTag} ${d.algorithm} ${d.digestType} ${d.digest.toString('hex').toUpperCase()}`;
    case 'DNSKEY': return `${d.flags} 3 ${d.algorithm} ${d.key.toString('base64')}`;
    case 'RRSIG':
      return `${d.typeCovered} ${d.algorithm} ${d.labels} ${d.originalTTL} ${ts(d.expiration)} ${ts(d.inception)} ${d.keyTag} ${d.signersName} ${d.signature.toString('base64')}`;
    case 'NSEC': return [d.nextDomain, ...d.rrtypes].join(' ');
    default: return d.length === 0 ? '\\# 0' : `\\# ${d.length} ${d.toString('hex').toUpperCase()}`;
  }
}

/** A dns-packet decode in our DnsMessage shape. */
function fromPacket(p: any): DnsMessage {
  const rr = (a: any): DnsRr => ({
    name: a.name,
    type: a.type.startsWith('UNKNOWN_') ? 'TYPE' + a.type.slice(8) : a.type,
    class: a.class,
    ttl: a.ttl,
    data: packetRrData(a),
  });
  const opt = p.additionals.find((a: any) => a.type === 'OPT');
  const flagBits: [string, boolean][] = [['QR', p.flag_qr], ['AA', p.flag_aa], ['TC', p.flag_tc], ['RD', p.flag_rd],
    ['RA', p.flag_ra], ['Z', p.flag_z], ['AD', p.flag_ad], ['CD', p.flag_cd]];
  const rawRcode = p.flags & 0xf;
  return {
    id: p.id,
    qr: p.flag_qr,
    opcode: (p.flags >> 11) & 0xf,
    rcode: rawRcode | (opt ? opt.extendedRcode << 4 : 0),
    flags: flagBits.filter(([, on]) => on).map(([f]) => f),
    questions: p.questions.map((q: any) => ({ name: q.name, type: q.type, class: q.class })),
    answers: p.answers.map(rr),
    authorities: p.authorities.map(rr),
    additionals: p.additionals.filter((a: any) => a.type !== 'OPT').map(rr),
    edns: opt
      ? {
          udpSize: opt.udpPayloadSize, do: opt.flag_do, version: opt.ednsVersion, extendedRcode: opt.extendedRcode,
          options: opt.options.map((o: any) => ({ code: o.code, data: o.data.toString('hex') })),
        }
      : null,
    problems: [],
  };
}

const KEY = Buffer.from('mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==', 'base64');
const SIG = Buffer.from('oJB1W6WNGv+ldvQ3WDG0MQkg5IEhjRip8WTrPYGv07h108dUKGMeDPKijVCHX3DDKdfb+v6oB9wfuh3DTJXUAfI/M0zmO/zz8bW0Rznl8O3tGNazPwQKkRN20XPXV6nwwfoXmJQbsLNrLfkGJ5D6fwFm8nN+6pBzeDQfsS3Ap3o=', 'base64');

/** A response with every type we present, compressed names, and EDNS with DO. */
const PACKET: any = {
  type: 'response',
  id: 0xbeef,
  flags: dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | dnsPacket.AUTHENTIC_DATA | 3 /* NXDOMAIN */,
  questions: [{ name: 'www.example.com', type: 'AAAA', class: 'IN' }],
  answers: [
    { name: 'www.example.com', type: 'CNAME', class: 'IN', ttl: 300, data: 'edge.example.net' },
    { name: 'edge.example.net', type: 'AAAA', class: 'IN', ttl: 60, data: '2001:db8:0:0:1:0:0:1' },
    { name: 'edge.example.net', type: 'AAAA', class: 'IN', ttl: 60, data: '64:ff9b::c000:221' },
    { name: 'edge.example.net', type: 'A', class: 'IN', ttl: 60, data: '192.0.2.33' },
    { name: 'example.com', type: 'MX', class: 'IN', ttl: 3600, data: { preference: 10, exchange: 'mail.example.com' } },
    { name: 'example.com', type: 'TXT', class: 'IN', ttl: 3600, data: ['v=spf1 -all', 'say "hi" \\ bye', ''] },
    { name: '_sip._tcp.example.com', type: 'SRV', class: 'IN', ttl: 3600, data: { priority: 10, weight: 60, port: 5060, target: 'sip.example.com' } },
    { name: '1.2.0.192.in-addr.arpa', type: 'PTR', class: 'IN', ttl: 3600, data: 'host.example.com' },
    { name: 'd.example.com', type: 'DNAME', class: 'IN', ttl: 3600, data: 'example.net' },
    { name: 'example.com', type: 'DS', class: 'IN', ttl: 86400, data: { keyTag: 31589, algorithm: 8, digestType: 2, digest: Buffer.from('cde0d742d6998aa554a92d890f8184c698cfac8a26fa59875a990c03e576343c', 'hex') } },
    { name: 'example.com', type: 'DNSKEY', class: 'IN', ttl: 3600, data: { flags: 257, algorithm: 13, key: KEY } },
    { name: 'www.example.com', type: 'RRSIG', class: 'IN', ttl: 300, data: { typeCovered: 'CNAME', algorithm: 13, labels: 3, originalTTL: 300, expiration: 1735689600, inception: 1704067200, keyTag: 31589, signersName: 'example.com', signature: SIG } },
    { name: 'example.com', type: 'UNKNOWN_65280', class: 'IN', ttl: 5, data: Buffer.from([0xde, 0xad, 0xbe, 0xef]) },
    { name: 'example.com', type: 'UNKNOWN_65281', class: 'IN', ttl: 5, data: Buffer.alloc(0) },
  ],
  authorities: [
    { name: 'example.com', type: 'SOA', class: 'IN', ttl: 900, data: { mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 3600, expire: 1209600, minimum: 300 } },
    { name: 'example.com', type: 'NS', class: 'IN', ttl: 900, data: 'ns1.example.com' },
    { name: 'example.com', type: 'NSEC', class: 'IN', ttl: 900, data: { nextDomain: 'a.example.com', rrtypes: ['A', 'NS', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'NSEC', 'DNSKEY', 'CAA'] } },
  ],
  additionals: [
    { name: 'ns1.example.com', type: 'A', class: 'IN', ttl: 900, data: '198.51.100.53' },
    { name: 'ns1.example.com', type: 'AAAA', class: 'IN', ttl: 900, data: '2001:db8::53' },
    { name: '.', type: 'OPT', udpPayloadSize: 1232, extendedRcode: 0, ednsVersion: 0, flags: dnsPacket.DNSSEC_OK, options: [{ code: 10, data: Buffer.from('0102030405060708aabbccddeeff0011', 'hex') }] },
  ],
};

/** dns-packet's encoding (it never compresses names). */
function packetBytes(p: any): Uint8Array {
  return new Uint8Array(dnsPacket.encode(p));
}

describe('decodeDns against dns-packet', () => {
  it('decodes what dns-packet encodes, type by type', () => {
    const bytes = packetBytes(PACKET);
    const ours = decodeDns(bytes);
    expect(ours.problems).toEqual([]);
    expect(ours).toEqual(fromPacket(dnsPacket.decode(Buffer.from(bytes))));
    expect(ours.rcode).toBe(3);
    expect(ours.flags).toEqual(['QR', 'RD', 'RA', 'AD']);
    expect(ours.edns?.do).toBe(true);
    // spot-check the presentation strings against dig's
    const data = ours.answers.map((a) => a.data);
    expect(data).toContain('2001:db8::1:0:0:1');
    expect(data).toContain('"v=spf1 -all" "say \\"hi\\" \\\\ bye" ""');
    expect(data).toContain('CNAME 13 3 300 20250101000000 20240101000000 31589 example.com ' + SIG.toString('base64'));
    expect(data).toContain('\\# 4 DEADBEEF');
    expect(data).toContain('\\# 0');
    expect(ours.authorities[2].data).toBe('a.example.com A NS SOA MX TXT AAAA RRSIG NSEC DNSKEY CAA');
    const view = new DnsView();
    expect(view.reset(bytes, 0, bytes.length)).toBe(0);
    expect(view.rcode()).toBe(3);
    expect(view.ednsDo()).toBe(true);
  });

  it('decodes the message compressed by our encoder the same as dns-packet does', () => {
    const ours = decodeDns(packetBytes(PACKET));
    const compressed = encodeDns(ours);
    expect(compressed.length).toBeLessThan(packetBytes(PACKET).length);
    const back = decodeDns(compressed);
    expect(back).toEqual(ours);
    expect(fromPacket(dnsPacket.decode(Buffer.from(compressed)))).toEqual(ours);
  });

  it('follows compression pointers inside rdata (hand-compressed CNAME, MX, SOA, SRV)', () => {
    // RFC 1035 §4.1.4 layout: question "example.com" at 12; answers point into it.
    const b = hex(`
      0001 8180 0001 0004 0000 0000
      07 ${ascii('example')} 03 ${ascii('com')} 00 0005 0001
      c00c 0005 0001 0000003c 0006 03 ${ascii('www')} c00c
      c00c 000f 0001 0000003c 0009 000a 04 ${ascii('mail')} c00c
      c00c 0006 0001 0000003c 001b 02 ${ascii('ns')} c00c c00c 00000001 00000002 00000003 00000004 00000005
      c00c 0021 0001 0000003c 0008 0001 0002 0035 c029
    `);
    const m = decodeDns(b);
    expect(m.problems).toEqual([]);
    expect(m.answers.map((a) => a.data)).toEqual([
      'www.example.com', '10 mail.example.com', 'ns.example.com example.com 1 2 3 4 5', '1 2 53 www.example.com',
    ]);
    expect(fromPacket(dnsPacket.decode(Buffer.from(b))).answers).toEqual(m.answers);
  });
});

// ---------------------------------------------------------------------------------------------
// Encoder

const sample = (): DnsMessageInput => ({
  id: 0x1234,
  qr: true,
  flags: ['RD', 'RA'],
  questions: [{ name: 'www.example.com', type: 'AAAA' }],
  answers: [
    { name: 'www.example.com', type: 'CNAME', ttl: 300, data: 'edge.example.com' },
    { name: 'edge.example.com', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:221' },
  ],
  authorities: [{ name: 'example.com', type: 'NS', ttl: 900, data: 'ns1.example.com' }],
  additionals: [{ name: 'ns1.example.com', type: 'A', ttl: 900, data: '198.51.100.53' }],
  edns: { udpSize: 1232, do: true },
});

describe('encodeDns', () => {
  it('writes RFC 1035 §4.1.4 pointers for owners and RFC 1035 rdata names', () => {
    const b = encodeDns(sample());
    const h = Buffer.from(b).toString('hex');
    // question at 12; the CNAME owner is a pointer to it
    expect(h.slice(2 * 33, 2 * 35)).toBe('c00c');
    // "edge" then a pointer to "example.com" at 16 in the CNAME rdata
    expect(h).toContain('04' + ascii('edge') + 'c010');
    const back = decodeDns(b);
    expect(back.problems).toEqual([]);
    expect(back.answers[1].data).toBe('64:ff9b::c000:221');
    expect(fromPacket(dnsPacket.decode(Buffer.from(b)))).toEqual(back);
  });

  it('does not compress SRV targets, DNAME, RRSIG signers or NSEC next names (RFC 3597 §4)', () => {
    const b = encodeDns({
      questions: [{ name: 'example.com', type: 'ANY' }],
      answers: [
        { name: '_x._tcp.example.com', type: 'SRV', data: '0 0 1 example.com' },
        { name: 'example.com', type: 'DNAME', data: 'example.com' },
        { name: 'example.com', type: 'NSEC', data: 'example.com A' },
      ],
    });
    const name = '07' + ascii('example') + '03' + ascii('com') + '00';
    const h = Buffer.from(b).toString('hex');
    expect(h.split(name).length - 1).toBe(4); // question + 3 rdata copies
    expect(decodeDns(b).problems).toEqual([]);
  });

  it('compresses case-sensitively, so names decode as given', () => {
    const b = encodeDns({
      questions: [{ name: 'Example.COM', type: 'A' }],
      answers: [{ name: 'example.com', type: 'A', data: '192.0.2.1' }],
    });
    expect(decodeDns(b).answers[0].name).toBe('example.com');
    expect(decodeDns(b).questions[0].name).toBe('Example.COM');
  });

  it('accepts raw rdata and RFC 3597 generic data for any type', () => {
    const b = encodeDns({
      answers: [
        { name: 'a.example', type: 'TYPE65280', rdata: new Uint8Array([1, 2, 3]) },
        { name: 'a.example', type: 'HTTPS', data: '\\# 3 010203' },
        { name: 'a.example', type: 'A', data: '\\# 4 C0000201' },
      ],
    });
    expect(decodeDns(b).answers.map((a) => [a.type, a.data])).toEqual([
      ['TYPE65280', '\\# 3 010203'], ['HTTPS', '\\# 3 010203'], ['A', '192.0.2.1'],
    ]);
  });

  it('round-trips names with escapes', () => {
    const names = ['a\\.b.example', 'sp\\032ace.example', 'q\\"uote\\\\.example', '\\000\\255.example', '.'];
    const b = encodeDns({ questions: names.map((name) => ({ name, type: 'A' })) });
    expect(decodeDns(b).questions.map((q) => q.name)).toEqual(names);
  });

  it('sets a full rcode through EDNS', () => {
    const b = encodeDns({ qr: true, rcode: 16, edns: {} });
    const v = new DnsView();
    expect(v.reset(b, 0, b.length)).toBe(0);
    expect(v.rcode()).toBe(16);
    expect(v.ednsUdpSize()).toBe(1232);
    expect(() => encodeDns({ rcode: 16 })).toThrow();
  });

  it('throws on input it cannot encode', () => {
    expect(() => encodeDns({ questions: [{ name: 'a..b', type: 'A' }] })).toThrow();
    expect(() => encodeDns({ questions: [{ name: 'x'.repeat(64), type: 'A' }] })).toThrow();
    expect(() => encodeDns({ questions: [{ name: Array(5).fill('x'.repeat(63)).join('.'), type: 'A' }] })).toThrow();
    expect(() => encodeDns({ answers: [{ name: 'a', type: 'A', data: '1.2.3' }] })).toThrow();
    expect(() => encodeDns({ answers: [{ name: 'a', type: 'BOGUS', data: '1' }] })).toThrow();
    expect(() => encodeDns({ answers: [{ name: 'a', type: 'HINFO', data: '"a" "b"' }] })).toThrow();
  });

  it('round-trips ours -> ours -> dns-packet for random messages', () => {
    const label = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
    const name = fc.array(label, { minLength: 0, maxLength: 4 }).map((ls) => (ls.length ? ls.join('.') : '.'));
    const ip4 = fc.ipV4();
    const v6 = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 8, maxLength: 8 })
      .map((g) => ipv6ToString(new Uint8Array(g.flatMap((x) => [x >> 8, x & 0xff])), 0));
    const rr = fc.oneof(
      fc.record({ name, type: fc.constant('A'), ttl: fc.nat(), data: ip4 }),
      fc.record({ name, type: fc.constant('AAAA'), ttl: fc.nat(), data: v6 }),
      fc.record({ name, type: fc.constantFrom('CNAME', 'NS', 'PTR', 'DNAME'), ttl: fc.nat(), data: name }),
      fc.record({ name, type: fc.constant('MX'), ttl: fc.nat(), data: fc.tuple(fc.nat(0xffff), name).map(([p, n]) => `${p} ${n}`) }),
      fc.record({ name, type: fc.constant('SRV'), ttl: fc.nat(), data: fc.tuple(fc.nat(0xffff), fc.nat(0xffff), fc.nat(0xffff), name).map((t) => t.join(' ')) }),
      fc.record({ name, type: fc.constant('TXT'), ttl: fc.nat(), data: fc.array(fc.stringMatching(/^[a-zA-Z0-9 =]{0,20}$/), { minLength: 1, maxLength: 3 }).map((ss) => ss.map((s) => `"${s}"`).join(' ')) }),
    ).map((r) => ({ ...r, class: 'IN' }));
    const msg = fc.record({
      id: fc.nat(0xffff),
      qr: fc.boolean(),
      opcode: fc.constant(0),
      rcode: fc.nat(15),
      flags: fc.subarray(['AA', 'RD', 'RA', 'AD', 'CD']),
      questions: fc.array(fc.record({ name, type: fc.constantFrom('A', 'AAAA', 'PTR'), class: fc.constant('IN') }), { maxLength: 2 }),
      answers: fc.array(rr, { maxLength: 6 }),
      authorities: fc.array(rr, { maxLength: 3 }),
      additionals: fc.array(rr, { maxLength: 3 }),
      edns: fc.option(fc.record({ udpSize: fc.integer({ min: 512, max: 4096 }), do: fc.boolean(), version: fc.constant(0), extendedRcode: fc.constant(0), options: fc.constant([]) })),
    });
    fc.assert(fc.property(msg, (m) => {
      const b = encodeDns(m);
      const d = decodeDns(b);
      expect(d.problems).toEqual([]);
      const want = { ...m, flags: ['QR', 'AA', 'RD', 'RA', 'AD', 'CD'].filter((f) => f === 'QR' ? m.qr : m.flags.includes(f)), problems: [] };
      expect(d).toEqual(want);
      expect(fromPacket(dnsPacket.decode(Buffer.from(b)))).toEqual(d);
      expect(encodeDns(d)).toEqual(b);
    }), { numRuns: 300 });
  });
});

describe('encodeDns truncation (RFC 2181 §9)', () => {
  const big = (): DnsMessageInput => ({
    qr: true,
    flags: ['RD', 'RA'],
    questions: [{ name: 'many.example.com', type: 'AAAA' }],
    answers: Array.from({ length: 40 }, (_, i) => ({ name: 'many.example.com', type: 'AAAA', ttl: 60, data: `2001:db8::${i + 1}` })),
    authorities: [{ name: 'example.com', type: 'NS', ttl: 60, data: 'ns1.example.com' }],
    additionals: [
      { name: 'ns1.example.com', type: 'A', ttl: 60, data: '192.0.2.53' },
      { name: 'ns1.example.com', type: 'AAAA', ttl: 60, data: '2001:db8::53' },
    ],
    edns: { udpSize: 1232, do: false },
  });

  it('drops whole RRs to fit 512, sets TC, keeps OPT', () => {
    const full = encodeDns(big());
    expect(full.length).toBeGreaterThan(512);
    const b = encodeDns(big(), { maxSize: 512 });
    expect(b.length).toBeLessThanOrEqual(512);
    const d = decodeDns(b);
    expect(d.problems).toEqual([]);
    expect(d.flags).toContain('TC');
    expect(d.edns).not.toBeNull();
    expect(d.answers.length).toBeGreaterThan(0);
    expect(d.answers.length).toBeLessThan(40);
    expect(d.authorities).toEqual([]);
    expect(d.additionals).toEqual([]);
    // adding one more answer would not have fit
    expect(b.length + 28).toBeGreaterThan(512);
    const p = dnsPacket.decode(Buffer.from(b)) as any;
    expect(p.flag_tc).toBe(true);
    expect(p.additionals.map((a: any) => a.type)).toEqual(['OPT']);
  });

  it('does not set TC when only additional records are dropped', () => {
    const full = encodeDns(big());
    const withoutLastAdditional = full.length - (2 + 10 + 16);
    const b = encodeDns(big(), { maxSize: withoutLastAdditional });
    const d = decodeDns(b);
    expect(d.flags).not.toContain('TC');
    expect(d.answers.length).toBe(40);
    expect(d.authorities.length).toBe(1);
    expect(d.additionals.map((a) => a.type)).toEqual(['A']);
    expect(d.edns).not.toBeNull();
    expect(b.length).toBe(withoutLastAdditional);
  });

  it('sets TC when an authority RR is dropped', () => {
    const m = big();
    m.answers = m.answers!.slice(0, 2);
    const full = encodeDns(m);
    const b = encodeDns(m, { maxSize: full.length - 50 });
    const d = decodeDns(b);
    expect(d.answers.length).toBe(2);
    expect(d.authorities).toEqual([]);
    expect(d.flags).toContain('TC');
  });

  it('leaves a message that fits alone', () => {
    const full = encodeDns(big());
    expect(encodeDns(big(), { maxSize: full.length })).toEqual(full);
    expect(decodeDns(full).flags).not.toContain('TC');
  });

  it('respects maxSize for every size', () => {
    const m = big();
    const headerAndQuestion = 12 + 18 + 4 + 11;
    for (let max = headerAndQuestion; max < 1400; max += 7) {
      const b = encodeDns(m, { maxSize: max });
      expect(b.length).toBeLessThanOrEqual(max);
      const d = decodeDns(b);
      expect(d.problems).toEqual([]);
      expect(d.edns).not.toBeNull();
      expect(d.flags.includes('TC')).toBe(d.answers.length < 40 || d.authorities.length < 1);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Malformed input

function code(b: Uint8Array): number {
  return new DnsView().reset(b, 0, b.length);
}

describe('malformed names', () => {
  const q = (name: string): Uint8Array => hex(`0001 0100 0001 0000 0000 0000 ${name} 0001 0001`);

  it('rejects a self pointer', () => {
    const b = q('c00c');
    expect(code(b)).toBe(DnsProblem.PointerLoop);
    expect(decodeDns(b).problems).toEqual(['dns: compression pointer loop']);
  });

  it('rejects a pointer back into the name being read', () => {
    // question "a" at 12; answer owner "b" + pointer to its own start (19)
    const b = hex(`0001 8100 0001 0001 0000 0000  01 61 00 0001 0001  01 62 c013 0001 0001 00000000 0000`);
    expect(code(b)).toBe(DnsProblem.PointerLoop);
  });

  it('rejects a two-pointer loop (one of them is forward)', () => {
    // answer owner at 12 -> 30; a NULL rdata at 30 holds a pointer back to 12
    const b = hex(`0001 8100 0000 0002 0000 0000  c01e 000a 0001 00000000 0002 0000  c00c 000a 0001 00000000 0000`);
    expect([DnsProblem.ForwardPointer, DnsProblem.PointerLoop]).toContain(code(b));
    expect(decodeDns(b).problems.length).toBe(1);
  });

  it('rejects forward pointers and pointers past the end', () => {
    expect(code(q('c012 00'))).toBe(DnsProblem.ForwardPointer);
    expect(code(q('c0ff'))).toBe(DnsProblem.PointerPastEnd);
    expect(code(q('ffff'))).toBe(DnsProblem.PointerPastEnd);
    expect(decodeDns(q('c012 00')).problems).toEqual(['dns: forward compression pointer']);
  });

  it('rejects a label longer than 63 and the reserved label types', () => {
    expect(code(q('40' + '61'.repeat(64) + '00'))).toBe(DnsProblem.LabelTooLong);
    expect(code(q('8061 00'))).toBe(DnsProblem.LabelTooLong);
    expect(code(q('3f' + '61'.repeat(63) + '00'))).toBe(0);
  });

  it('rejects a name longer than 255 octets, also when built through pointers', () => {
    const l63 = '3f' + '61'.repeat(63);
    expect(code(q(l63.repeat(4) + '00'))).toBe(DnsProblem.NameTooLong); // 257 octets
    const l61 = '3d' + '61'.repeat(61);
    expect(code(q(l63.repeat(3) + l61 + '00'))).toBe(0); // exactly 255
    expect(code(q(l63.repeat(3) + '3e' + '61'.repeat(62) + '00'))).toBe(DnsProblem.NameTooLong); // 256
    // an answer owner of 2 labels of 30 + a pointer to a 204-octet question name: 266 octets
    const l50 = '32' + '62'.repeat(50);
    const l30 = '1e' + '63'.repeat(30);
    const b = hex(`0001 8100 0001 0001 0000 0000 ${l50.repeat(4)}00 0001 0001 ${l30}${l30} c00c 0001 0001 00000000 0000`);
    expect(code(b)).toBe(DnsProblem.NameTooLong);
    expect(decodeDns(b).problems).toEqual(['dns: name too long']);
  });

  it('bounds pointer-to-pointer chains', () => {
    // A NULL RR whose rdata is a chain: a root label then 200 pointers, each to the one before.
    const chainStart = 12 + 1 + 10; // after the NULL RR's root owner and fixed fields
    const ptrs: string[] = [];
    for (let i = 0; i < 200; i++) {
      const target = i === 0 ? chainStart : chainStart + 1 + 2 * (i - 1);
      ptrs.push((0xc000 | target).toString(16));
    }
    const rdata = '00' + ptrs.join('');
    const last = chainStart + 1 + 2 * 199;
    const b = hex(`0001 8100 0000 0002 0000 0000  00 000a 0001 00000000 ${(rdata.length / 2).toString(16).padStart(4, '0')} ${rdata}  ${(0xc000 | last).toString(16)} 0001 0001 00000000 0000`);
    expect(code(b)).toBe(DnsProblem.TooManyPointers);
    // 100 hops are fine
    const b2 = hex(`0001 8100 0000 0002 0000 0000  00 000a 0001 00000000 ${(rdata.length / 2).toString(16).padStart(4, '0')} ${rdata}  ${(0xc000 | (chainStart + 1 + 2 * 99)).toString(16)} 0001 0001 00000000 0000`);
    expect(code(b2)).toBe(0);
  });

  it('reports bad rdata without failing the walk', () => {
    // An A record with 3 bytes of rdata, and a CNAME whose name "a." does not end within its
    // rdlength of 2 (the root label is left over, and reads as a trailing byte)
    const b = hex(`0001 8100 0000 0002 0000 0000  00 0001 0001 00000000 0003 c00002  00 0005 0001 00000000 0002 0161 00`);
    const v = new DnsView();
    expect(v.reset(b, 0, b.length)).toBe(0);
    expect(v.warning()).toBe(DnsProblem.TrailingBytes);
    const d = decodeDns(b);
    expect(d.answers.map((a) => a.data)).toEqual(['\\# 3 C00002', '\\# 2 0161']);
    expect(d.problems).toEqual(['dns: malformed rdata', 'dns: trailing bytes']);
  });
});

describe('truncated and padded messages', () => {
  const messages: [string, Uint8Array][] = [
    ['dig query', QUERY_EXAMPLE_AAAA],
    ['DNS64 response', RESPONSE_IPV4ONLY],
    ['dns-packet response', packetBytes(PACKET)],
    ['compressed response', encodeDns(decodeDns(packetBytes(PACKET)))],
  ];
  for (const [what, msg] of messages) {
    it(`gives a problem at every truncation of the ${what}`, () => {
      const v = new DnsView();
      for (let n = 0; n < msg.length; n++) {
        const c = v.reset(msg, 0, n);
        expect(c, `length ${n}`).not.toBe(0);
        expect(dnsProblemIsWarning(c)).toBe(false);
        const d = decodeDns(msg, 0, n);
        expect(d.problems.length, `length ${n}`).toBeGreaterThan(0);
        expect(d.problems[0]).toBe(dnsProblemText(c));
      }
      expect(v.reset(msg, 0, msg.length)).toBe(0);
    });
  }

  it('warns about trailing bytes but parses', () => {
    const b = new Uint8Array(RESPONSE_IPV4ONLY.length + 2);
    b.set(RESPONSE_IPV4ONLY);
    const v = new DnsView();
    expect(v.reset(b, 0, b.length)).toBe(0);
    expect(v.warning()).toBe(DnsProblem.TrailingBytes);
    expect(dnsProblemIsWarning(v.warning())).toBe(true);
    expect(v.parsedLength()).toBe(RESPONSE_IPV4ONLY.length);
    const d = decodeDns(b);
    expect(d.answers.length).toBe(2);
    expect(d.problems).toEqual(['dns: trailing bytes']);
  });

  it('warns about a second OPT record and OPT outside the additional section', () => {
    const two = hex(`0001 8000 0000 0000 0000 0002  00 0029 1000 00000000 0000  00 0029 0200 00000000 0000`);
    const v = new DnsView();
    expect(v.reset(two, 0, two.length)).toBe(0);
    expect(v.warning()).toBe(DnsProblem.MultipleOpt);
    expect(v.ednsUdpSize()).toBe(4096);
    expect(decodeDns(two).problems).toEqual(['dns: more than one OPT record']);
    const inAnswer = hex(`0001 8000 0000 0001 0000 0000  00 0029 1000 00000000 0000`);
    expect(v.reset(inAnswer, 0, inAnswer.length)).toBe(0);
    expect(v.warning()).toBe(DnsProblem.OptOutsideAdditional);
    expect(v.hasEdns()).toBe(false);
  });
});

describe('fuzz: never throws, always terminates', () => {
  const view = new DnsView();
  const valid = [QUERY_EXAMPLE_AAAA, RESPONSE_IPV4ONLY, packetBytes(PACKET), encodeDns(decodeDns(packetBytes(PACKET))), encodeDns(sample())];

  const check = (b: Uint8Array): void => {
    const c = view.reset(b, 0, b.length);
    const d = decodeDns(b);
    // reset and decodeDns agree on whether the message walks
    const errors = d.problems.filter((p) => {
      const codeOf = Object.values(DnsProblem).find((k) => dnsProblemText(k) === p) ?? -1;
      return codeOf > 0 && codeOf < 32;
    });
    if (c === 0) expect(errors).toEqual([]);
    else expect(errors).toEqual([dnsProblemText(c)]);
    view.id(); view.rcode(); view.ednsDo(); view.firstQuestionType();
  };

  it('random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 600 }), (b) => check(b)), { numRuns: 2000 });
  });

  it('random header + random body with plausible counts', () => {
    fc.assert(fc.property(fc.nat(0xffff), fc.array(fc.nat(4), { minLength: 4, maxLength: 4 }), fc.uint8Array({ maxLength: 300 }), (id, counts, body) => {
      const b = new Uint8Array(12 + body.length);
      b[1] = id & 0xff;
      counts.forEach((c, i) => { b[5 + 2 * i] = c; });
      b.set(body, 12);
      check(b);
    }), { numRuns: 2000 });
  });

  it('mutations of valid messages', () => {
    const mutation = fc.record({
      which: fc.nat(valid.length - 1),
      edits: fc.array(fc.tuple(fc.nat(), fc.nat(255)), { minLength: 1, maxLength: 6 }),
      cut: fc.option(fc.nat()),
      insert: fc.option(fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 4 }))),
    });
    fc.assert(fc.property(mutation, ({ which, edits, cut, insert }) => {
      let b = valid[which].slice();
      for (const [at, v] of edits) b[at % b.length] = v;
      if (insert) {
        const at = insert[0] % b.length;
        b = new Uint8Array([...b.subarray(0, at), ...insert[1], ...b.subarray(at)]);
      }
      if (cut !== null) b = b.slice(0, cut % (b.length + 1));
      check(b);
      // what decodes cleanly re-encodes and decodes the same
      const d = decodeDns(b);
      if (d.problems.length === 0) {
        let again: DnsMessage | null = null;
        try {
          again = decodeDns(encodeDns(d));
        } catch {
          again = null; // e.g. two questions' worth of data we cannot present; fine
        }
        if (again) expect(again).toEqual(d);
      }
    }), { numRuns: 3000 });
  });
});
