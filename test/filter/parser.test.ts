/**
 * The display-filter language (SPEC §6): tokens, precedence, every operator, and errors that
 * point at the right column. Evaluation here runs over hand-written SPEC §5 objects (JsonFacts);
 * eval.test.ts runs the same filters over real capture bytes.
 */
import { describe, it, expect } from 'vitest';
import { compileFilter, validateFilter, FilterError, caretLines, filterErrorLine } from '../../src/filter/index.js';
import { parseFilter } from '../../src/filter/parser.js';
import { tokenize, T } from '../../src/filter/lexer.js';

/** A SPEC §5 packet object: an IPv6 TCP SYN to a Pref64 address, and variations of it. */
function pkt(over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    n: 7, ts: 1795168800.11, caplen: 94, len: 94, link: 'ethernet', ipVersion: 6,
    src: '2600:1f14:abc:de00::10', dst: '64:ff9b::c633:6407', srcIpv4: null, dstIpv4: '198.51.100.7',
    proto: 6, ttl: 64, sport: 49152, dport: 443, tcpFlags: 0x02, icmpType: null, icmpCode: null, icmpId: null,
    fragment: null, inner: null, mtu: null, pref64: null, dns: null,
    checksums: { ip: 'none', l4: 'good' }, problems: [],
    ...over,
  };
}
const dnsPkt = (dns: Record<string, unknown>, over: Record<string, unknown> = {}) => pkt({
  proto: 17, sport: 40002, dport: 53, tcpFlags: null, dst: 'fd00:ec2::253', dstIpv4: null,
  dns: { id: 4097, qr: false, opcode: 0, rcode: 0, flags: ['RD'], questions: [{ name: 'api.example.com', type: 'AAAA', class: 'IN' }], answers: [], edns: null, ...dns },
  ...over,
});
const v4 = pkt({ ipVersion: 4, src: '10.0.0.5', dst: '198.51.100.7', dstIpv4: null, ttl: 63, checksums: { ip: 'good', l4: 'good' } });

const m = (f: string, o: object) => compileFilter(f).matchesJson(o);

function errorOf(text: string): { message: string; column: number } {
  try {
    compileFilter(text);
  } catch (e) {
    expect(e).toBeInstanceOf(FilterError);
    return { message: (e as FilterError).message, column: (e as FilterError).column };
  }
  throw new Error(`no error for ${text}`);
}

describe('lexer', () => {
  it('words hold addresses, prefixes, dotted names and ranges whole', () => {
    const toks = tokenize('src in 64:ff9b::/96 && dns.qry.name=="a\\x41\\"b" || port in {1024..65535, 0x50}');
    expect(toks.map((t) => [t.type, t.value, t.col])).toEqual([
      [T.WORD, 'src', 1], [T.WORD, 'in', 5], [T.WORD, '64:ff9b::/96', 8], [T.AND, '&&', 21],
      [T.WORD, 'dns.qry.name', 24], [T.OP, '==', 36], [T.STRING, 'aA"b', 38], [T.OR, '||', 49],
      [T.WORD, 'port', 52], [T.WORD, 'in', 57], [T.LBRACE, '{', 60], [T.WORD, '1024..65535', 61],
      [T.COMMA, ',', 72], [T.WORD, '0x50', 74], [T.RBRACE, '}', 78], [T.EOF, '', 79],
    ]);
  });
  it('string escapes: \\n \\t \\\\ \\" \\\' \\xHH \\ooo \\uHHHH \\u{H…}', () => {
    const s = tokenize(String.raw`"a\n\t\\\"\'\x7e\101\u00e9\u{1F600}"`)[0];
    expect(s.value).toBe('a\n\t\\"\'~A\u00e9\u{1F600}');
    expect(tokenize(`'single "quoted"'`)[0].value).toBe('single "quoted"');
  });
});

describe('precedence and grouping', () => {
  it('not binds tighter than and, and tighter than xor, xor tighter than or; chains are flat', () => {
    expect(parseFilter('a or b and c')).toMatchObject({ kind: 'or', items: [{ field: 'a' }, { kind: 'and', items: [{ field: 'b' }, { field: 'c' }] }] });
    expect(parseFilter('a and b or c')).toMatchObject({ kind: 'or', items: [{ kind: 'and' }, { field: 'c' }] });
    expect(parseFilter('not a and b')).toMatchObject({ kind: 'and', items: [{ kind: 'not' }, { field: 'b' }] });
    expect(parseFilter('a xor b and c')).toMatchObject({ kind: 'xor', items: [{ field: 'a' }, { kind: 'and' }] });
    expect(parseFilter('a or b xor c')).toMatchObject({ kind: 'or', items: [{ field: 'a' }, { kind: 'xor' }] });
    expect(parseFilter('(a or b) and c')).toMatchObject({ kind: 'and', items: [{ kind: 'or' }, { field: 'c' }] });
    expect(parseFilter('!!a')).toMatchObject({ kind: 'not', a: { kind: 'not', a: { field: 'a' } } });
    expect(parseFilter('a and b && c and d')).toMatchObject({ kind: 'and', items: [{ field: 'a' }, { field: 'b' }, { field: 'c' }, { field: 'd' }] });
  });
  it('long chains and deep nesting', () => {
    const p = pkt();
    expect(m(Array(20000).fill('tcp').join(' and '), p)).toBe(true);
    expect(m(Array(20000).fill('udp').join(' or ') + ' or tcp', p)).toBe(true);
    expect(m('tcp xor tcp xor tcp', p)).toBe(true);
    expect(m('tcp xor tcp xor udp', p)).toBe(false);
    expect(m('('.repeat(200) + 'tcp' + ')'.repeat(200), p)).toBe(true);
    expect(errorOf('('.repeat(201) + 'tcp' + ')'.repeat(201))).toEqual({ message: 'nested too deeply (more than 200 levels of "(" and "not")', column: 201 });
    expect(errorOf('not '.repeat(201) + 'tcp').column).toBe(801);
  });
  it('evaluates with those precedences', () => {
    const p = pkt();
    expect(m('udp or tcp and dport == 443', p)).toBe(true);
    expect(m('(udp or tcp) and dport == 80', p)).toBe(false);
    expect(m('udp or tcp and dport == 80', p)).toBe(false);
    expect(m('tcp and dport == 80 or ipv6', p)).toBe(true);
    expect(m('not tcp or ipv6', p)).toBe(true);
    expect(m('not (tcp or ipv4)', p)).toBe(false);
    expect(m('tcp xor ipv6', p)).toBe(false);
    expect(m('tcp ^^ ipv4', p)).toBe(true);
    expect(m('tcp && !udp || ip', p)).toBe(true);
    expect(m('TCP AND Dport EQ 443', p)).toBe(true);
  });
});

describe('operators', () => {
  const p = pkt();
  it('== != < <= > >= and their word forms on numbers', () => {
    expect(m('dport == 443', p)).toBe(true);
    expect(m('dport eq 0x1bb', p)).toBe(true);
    expect(m('dport != 443', p)).toBe(false);
    expect(m('dport ne 80', p)).toBe(true);
    expect(m('dport < 444', p) && m('dport lt 444', p)).toBe(true);
    expect(m('dport < 443', p)).toBe(false);
    expect(m('dport <= 443', p) && m('dport le 443', p)).toBe(true);
    expect(m('dport > 442', p) && m('dport gt 442', p)).toBe(true);
    expect(m('dport > 443', p)).toBe(false);
    expect(m('dport >= 443', p) && m('dport ge 443', p)).toBe(true);
    expect(m('ts > 1795168800.1 and ts < 1795168800.2', p)).toBe(true);
  });
  it('in with sets, ranges and a single value; not in', () => {
    expect(m('dport in {80 443}', p)).toBe(true);
    expect(m('dport in {80, 8080}', p)).toBe(false);
    expect(m('dport in {1..442, 444..65535}', p)).toBe(false);
    expect(m('sport in {1024..65535}', p)).toBe(true);
    expect(m('dport in 443', p)).toBe(true);
    expect(m('dport not in {80 443}', p)).toBe(false);
    expect(m('dport not in {80 8080}', p)).toBe(true);
  });
  it('addresses: ==, in a prefix (IPv6 and IPv4), any textual form', () => {
    expect(m('src == 2600:1f14:abc:de00::10', p)).toBe(true);
    expect(m('src == 2600:1F14:0ABC:DE00:0:0:0:0010', p)).toBe(true);
    expect(m('dst == 64:ff9b::198.51.100.7', p)).toBe(true);
    expect(m('dst == "64:ff9b::c633:6407"', p)).toBe(true);
    expect(m('dst in 64:ff9b::/96', p)).toBe(true);
    expect(m('dst in {2001:db8::/32 64:ff9b::/96}', p)).toBe(true);
    expect(m('src in 64:ff9b::/96', p)).toBe(false);
    expect(m('dst == 64:ff9b::/96', p)).toBe(true); // Wireshark: == with a prefix is "in the subnet"
    expect(m('dst in 64:ff9a::/31', p)).toBe(true);
    expect(m('dst in 64:ff9a::/32', p)).toBe(false);
    expect(m('dst in 64:ff9b::c633:6400/120', p)).toBe(true);
    expect(m('dst in 64:ff9b::c633:6400/126', p)).toBe(false);
    expect(m('dst == 198.51.100.7', p)).toBe(false); // other family
    expect(m('dst == 198.51.100.7', v4)).toBe(true);
    expect(m('dst in 198.51.100.0/24', v4)).toBe(true);
    expect(m('dst in 198.51.101.0/24', v4)).toBe(false);
    expect(m('src in 0.0.0.0/0', v4)).toBe(true);
    expect(m('src in ::/0', v4)).toBe(false);
    expect(m('addr == 10.0.0.5 and host == 198.51.100.7', v4)).toBe(true);
    expect(m('ip.src == 10.0.0.5', v4) && !m('ipv6.src in ::/0', v4)).toBe(true);
    expect(m('src != 10.0.0.5', v4)).toBe(false);
    expect(m('addr != 10.0.0.5', v4)).toBe(false); // "no value equals": dst is something else, src is it
  });
  it('embedded4: the IPv4 address inside a Pref64 source or destination', () => {
    expect(m('embedded4 == 198.51.100.7', p)).toBe(true);
    expect(m('embedded4 in 198.51.100.0/24', p)).toBe(true);
    expect(m('dstIpv4 == 198.51.100.7 and not srcIpv4', p)).toBe(true);
    expect(m('embedded4', v4)).toBe(false);
  });
  it('contains and matches (~) on text, case rules', () => {
    const d = dnsPkt({});
    expect(m('dns.name contains "example"', d)).toBe(true);
    expect(m('dns.name contains "EXAMPLE"', d)).toBe(true); // DNS names ignore case
    expect(m('dns.name matches "^api\\\\."', d)).toBe(true);
    expect(m('dns.name ~ "^API"', d)).toBe(true); // matches is case-insensitive, as in Wireshark
    expect(m('dns.name ~ "org$"', d)).toBe(false);
    expect(m('link contains "ether"', d)).toBe(true);
    expect(m('link contains "ETHER"', d)).toBe(false);
    expect(m('problems contains "checksum"', pkt({ problems: ['udp: zero checksum over IPv6'] }))).toBe(true);
    expect(m('problems', pkt())).toBe(false);
  });
  it('DNS names: case-insensitive, trailing dot ignored, unquoted allowed', () => {
    const d = dnsPkt({});
    expect(m('dns.name == "API.Example.COM."', d)).toBe(true);
    expect(m('dns.name == api.example.com', d)).toBe(true);
    expect(m('dns.qry.name in {"a.example" api.example.com}', d)).toBe(true);
    expect(m('dns.name != api.example.com', d)).toBe(false);
    expect(m('dns.name == example.com', d)).toBe(false);
  });
  it('DNS mnemonics: qtype, rcode, opcode; flags', () => {
    const q = dnsPkt({});
    const r = dnsPkt({ qr: true, rcode: 3, flags: ['QR', 'RD', 'RA', 'AD'] });
    expect(m('dns.qtype == AAAA and dns.qtype == 28 and dns.qry.type == "aaaa"', q)).toBe(true);
    expect(m('dns.qtype in {A AAAA}', q)).toBe(true);
    expect(m('dns.rcode == NXDOMAIN', r) && !m('dns.rcode == NXDOMAIN', q)).toBe(true);
    expect(m('dns.opcode == QUERY', q)).toBe(true);
    expect(m('dns.qr', r) && !m('dns.qr', q) && m('dns.qr == 0', q) && m('dns.flags.response == true', r)).toBe(true);
    expect(m('dns.flags.ad and dns.flags.ra and not dns.flags.tc', r)).toBe(true);
    expect(m('dns.flags.rd == 1', q) && m('dns.flags.cd == false', q)).toBe(true);
  });
  it('TCP flags: bits alone, with 1/0/true/false, and the flags number', () => {
    expect(m('tcp.flags.syn and not tcp.flags.ack', p)).toBe(true);
    expect(m('tcp.flags.syn == 1 and tcp.flags.ack == 0', p)).toBe(true);
    expect(m('tcp.flags == 0x02 and tcpFlags == 2', p)).toBe(true);
    expect(m('tcp.flags.reset', p)).toBe(false);
    expect(m('tcp.flags.syn', dnsPkt({}))).toBe(false); // absent
    expect(m('not tcp.flags.syn', dnsPkt({}))).toBe(true);
  });
  it('fields absent from the packet: comparisons are false, != too', () => {
    const d = dnsPkt({});
    expect(m('tcp.dstport == 53', d)).toBe(false);
    expect(m('tcp.dstport != 53', d)).toBe(false);
    expect(m('udp.dstport == 53 and udp.port == 40002 and port == 53', d)).toBe(true);
    expect(m('port != 53', d)).toBe(false); // Wireshark: no value may equal
    expect(m('icmpType', d) || m('icmpType == 0', d) || m('mtu < 9999', d)).toBe(false);
    expect(m('fragment', d) || m('frag.offset == 0', d)).toBe(false);
  });
  it('protocol names', () => {
    const d = dnsPkt({});
    expect(m('ipv6 and not ip and not ipv4', p)).toBe(true);
    expect(m('ip and ipv4 and not ipv6', v4)).toBe(true);
    expect(m('tcp and not udp and not dns', p)).toBe(true);
    expect(m('udp and dns and not tcp', d)).toBe(true);
    expect(m('icmpv6', pkt({ proto: 58, sport: null, dport: null, tcpFlags: null, icmpType: 128, icmpCode: 0 }))).toBe(true);
    expect(m('icmp', pkt({ proto: 58, sport: null, dport: null, tcpFlags: null, icmpType: 128, icmpCode: 0 }))).toBe(false);
    expect(m('frag and fragment.more and fragment.id == 0xabcdef01', pkt({ fragment: { id: 0xabcdef01, offset: 0, more: true } }))).toBe(true);
    expect(m('eth and link == ethernet', p)).toBe(true);
    expect(m('proto == tcp and proto != udp and ipv6.nxt == 6 and not ip.proto', p)).toBe(true);
  });
  it('checksum.ok / not checksum.ok / checksums.*', () => {
    const bad = pkt({ checksums: { ip: 'none', l4: 'bad' } });
    const partial = pkt({ checksums: { ip: 'none', l4: 'partial' } });
    expect(m('checksum.ok', p) && !m('checksum.ok', bad) && m('not checksum.ok', bad)).toBe(true);
    expect(m('checksum.ok and checksums.l4 == partial', partial)).toBe(true);
    expect(m('checksum.bad', bad) && m('checksums.l4 == "bad"', bad) && m('checksum.l4 in {bad partial}', bad)).toBe(true);
  });
  it('finding, drop, translated, verdict, reason read the keys the caller adds', () => {
    const dropped = pkt({ verdict: 'dropped', reason: 'no-bib-entry' });
    const err = pkt({ verdict: 'error-generated', reason: 'ttl-expired' });
    const xl = pkt({ verdict: 'translated', findings: ['prefix-not-routed'] });
    expect(m('drop', dropped) && m('drop', err) && !m('drop', xl) && !m('drop', p)).toBe(true);
    expect(m('translated', xl) && !m('translated', dropped) && !m('translated', p)).toBe(true);
    expect(m('verdict == dropped and reason == no-bib-entry and drop.reason == "no-bib-entry"', dropped)).toBe(true);
    expect(m('finding', xl) && !m('finding', p) && m('finding == prefix-not-routed', xl)).toBe(true);
    expect(m('finding', pkt({ finding: true })) && m('finding', pkt({ findings: [{ id: 'x' }] }))).toBe(true);
    expect(m('finding == "x"', pkt({ findings: [{ id: 'x' }] }))).toBe(true);
  });
});

describe('fields report what a filter reads', () => {
  it('names, dns, outcome, findings, embedded', () => {
    expect(compileFilter('tcp and dport == 443').fields).toEqual({ names: ['tcp', 'dport'], dns: false, dnsName: false, outcome: false, findings: false, embedded: false });
    const f = compileFilter('dns.qry.name == x or drop or finding or embedded4 == 1.2.3.4').fields;
    expect(f).toMatchObject({ dns: true, dnsName: true, outcome: true, findings: true, embedded: true });
    expect(f.names).toEqual(['dns.name', 'drop', 'finding', 'embedded4']);
  });
  it('a command that cannot supply a verdict or findings rejects them at their column', () => {
    expect(() => compileFilter('tcp and drop', { outcome: false, command: 'packets' })).toThrow(/"drop" needs the translator's verdict.*packets/);
    try {
      compileFilter('tcp or finding == x', { findings: false });
    } catch (e) {
      expect((e as FilterError).column).toBe(8);
    }
  });
});

describe('errors point at the column', () => {
  const cases: Array<[string, number, RegExp]> = [
    ['', 1, /empty filter/],
    ['   ', 1, /empty filter/],
    ['tcp and', 8, /ends where a field/],
    ['tcp and and udp', 9, /keyword "and"/],
    ['tcp udp', 5, /expected an operator .* after "tcp", found "udp"/],
    ['tcp and dprot == 443', 9, /unknown field "dprot" \(did you mean "dport"\?\)/],
    ['dport = 443', 7, /"=" is not an operator: use "=="/],
    ['dport == ', 10, /expected a value after "=="/],
    ['dport == abc', 10, /"dport" needs a whole number/],
    ['dport == 44x3', 10, /"dport" needs a whole number/],
    ['(tcp', 5, /missing "\)" to close the "\(" at column 1/],
    ['tcp)', 4, /unexpected "\)"/],
    ['()', 2, /empty parentheses/],
    ['src in 64:ff9b::/129', 18, /prefix length 129 is longer than an IPv6 address/],
    ['dst in 10.0.0.0/33', 17, /prefix length 33 is longer than an IPv4 address/],
    ['src == 64:ff9b::zz', 8, /not a valid IPv4 or IPv6 address/],
    ['src == 1.2.3.256', 8, /not a valid IPv4 or IPv6 address/],
    ['src == example.com', 8, /expected an IPv4 or IPv6 address/],
    ['ip.src == ::1', 11, /"ip.src" holds IPv4 addresses/],
    ['embedded4 == 64:ff9b::1', 14, /holds IPv4 addresses/],
    ['dns.name == "abc', 13, /unterminated string/],
    ['dns.name == "a\\q"', 15, /unknown escape "\\q"/],
    ['dns.name ~ "(["', 12, /invalid regular expression/],
    ['dport contains 4', 7, /"contains" needs a text field; "dport" is a number/],
    ['src > ::1', 5, /">" compares numbers; "src" is an address/],
    ['tcp == 1', 5, /"tcp" is a test on its own/],
    ['dport == {80}', 10, /a set \{…\} goes only after "in"/],
    ['dport in {80 443', 17, /missing "\}" to close the set at column 10/],
    ['dport in {}', 10, /empty set/],
    ['dport in {80 (}', 14, /expected a value or "\}"/],
    ['dport == 80..90', 10, /a range "a..b" goes only inside "in"/],
    ['dport in {90..80}', 11, /empty range/],
    ['tcp.flags.syn == 2', 18, /true or false/],
    ['checksums.l4 == great', 17, /one of none, good, bad, zero, partial/],
    ['verdict == lost', 12, /one of translated, hairpinned/],
    ['reason == no-such-reason', 11, /unknown drop reason/],
    ['tcp # comment', 5, /unexpected character "#"/],
    ['tcp & udp', 5, /"&" is not an operator/],
    ['443 == dport', 1, /found the value "443"/],
    ['"tcp"', 1, /expected a field or protocol name, found the string/],
    ['dport\t==\t443 and\nfoo', 18, /unknown field "foo"/],
  ];
  it.each(cases)('%j -> column %i', (text, col, re) => {
    const e = errorOf(text);
    expect(e.message).toMatch(re);
    expect(e.column).toBe(col);
  });

  it('validateFilter never throws and gives the same column and message', () => {
    expect(validateFilter('tcp and dport == 443')).toEqual({ ok: true });
    expect(validateFilter('tcp and dprot == 443')).toEqual({ ok: false, column: 9, message: 'unknown field "dprot" (did you mean "dport"?)' });
    expect(validateFilter('drop', { outcome: false })).toMatchObject({ ok: false, column: 1 });
  });

  it('the CLI line and the caret', () => {
    const e = errorOf('tcp and dprot == 443') as FilterError;
    expect(filterErrorLine(e as FilterError, 'tcp and dprot == 443')).toBe('invalid filter: unknown field "dprot" (did you mean "dport"?) at column 9 (tcp and dprot == 443)');
    expect(caretLines('tcp and dprot == 443', 9)).toBe('  tcp and dprot == 443\n          ^');
  });
});
