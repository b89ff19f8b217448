/**
 * Properties of the filter language: whatever the text, compiling either succeeds or throws a
 * FilterError whose column lies inside the text (+1 for "at the end"); validateFilter never
 * throws; and random well-formed filters give the same answer over the bytes and over the JSON.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { compileFilter, validateFilter, FilterError, PacketFacts, fieldNames } from '../../src/filter/index.js';
import { readCapture } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson } from '../../src/replay/describe.js';

function checkText(text: string): void {
  try {
    compileFilter(text);
  } catch (e) {
    if (!(e instanceof FilterError)) throw new Error(`non-FilterError for ${JSON.stringify(text)}: ${String(e)}`);
    expect(e.column).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeLessThanOrEqual(text.length + 1);
    expect(e.message.length).toBeGreaterThan(0);
  }
  const v = validateFilter(text);
  expect(typeof v.ok).toBe('boolean');
}

// Pieces that make the parser go deep: keywords, operators, values of every kind, broken ones.
const PIECES = [
  ...fieldNames().slice(0, 60), 'and', 'or', 'not', 'xor', 'in', 'contains', 'matches', '~', '==', '!=', '<', '<=', '>', '>=',
  '&&', '||', '!', '^^', '(', ')', '{', '}', ',', '"', "'", '\\', '"a\\x4', '"\\u{110000}"', '"\\777"', '"(["', '1', '0x', '0x1g',
  '1..2', '2..1', '..', '443', '64:ff9b::/96', '::', ':::', '1.2.3.4/33', '::/129', 'AAAA', 'NXDOMAIN', 'true', '=', '&', '|', '#',
  '\u00e9', '\ud800', '\t', '\n', 'dns.name', 'port', 'not in', 'eq', 'ge', '.', '/', '-', '-1', '1e5', 'Infinity', 'NaN', '__proto__',
  'constructor', 'toString',
];

describe('the compiler only ever throws FilterError', () => {
  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => checkText(s)), { numRuns: 3000 });
  });
  it('on arbitrary unicode', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => checkText(s)), { numRuns: 1000 });
  });
  it('on sequences of language pieces', () => {
    fc.assert(fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 12 }), fc.constantFrom(' ', ''), (ps, sep) => checkText(ps.join(sep))), { numRuns: 5000 });
  });
  it('on deep nesting', () => {
    checkText('('.repeat(5000) + 'tcp' + ')'.repeat(5000));
    checkText('not '.repeat(5000) + 'tcp');
    checkText('!'.repeat(10000) + 'tcp');
  });
});

// A generator of well-formed filters over fields that the fixtures populate.
const LEAVES = [
  'tcp', 'udp', 'icmp', 'icmpv6', 'dns', 'ip', 'ipv6', 'frag', 'eth', 'inner', 'checksum.ok', 'tcp.flags.syn', 'tcp.flags.ack',
  'dns.qr', 'mtu', 'srcIpv4', 'dstIpv4', 'problems', 'fragment.more',
];
const leaf = fc.oneof(
  fc.constantFrom(...LEAVES),
  fc.tuple(fc.constantFrom('sport', 'dport', 'port', 'ttl', 'len', 'caplen', 'n', 'proto', 'icmpType', 'icmpCode', 'tcpFlags', 'dns.id', 'dns.qtype', 'dns.rcode'),
    fc.constantFrom('==', '!=', '<', '<=', '>', '>='), fc.integer({ min: 0, max: 70000 })).map(([f, o, v]) => `${f} ${o} ${v}`),
  fc.tuple(fc.constantFrom('src', 'dst', 'addr', 'ip.addr', 'ipv6.addr', 'embedded4', 'inner.src'),
    fc.constantFrom('64:ff9b::/96', '2600:1f14:abc:de00::10', '198.51.100.7', '192.0.2.0/24', '::/0', '0.0.0.0/0', '2001:db8::/32'))
    .map(([f, v]) => (f === 'embedded4' || f === 'ip.addr') && v.includes(':') ? `${f} in 0.0.0.0/1` : f === 'ipv6.addr' && !v.includes(':') ? `${f} in ::/1` : `${f} in ${v}`),
  fc.tuple(fc.constantFrom('dns.name', 'link', 'checksums.l4', 'problems'), fc.constantFrom('contains', 'matches'), fc.constantFrom('a', 'e', 'example', '^v', 'good', 'ether', 'dns'))
    .map(([f, o, v]) => `${f} ${o} "${v}"`),
  fc.tuple(fc.constantFrom('port', 'dport'), fc.array(fc.integer({ min: 0, max: 65535 }), { minLength: 1, maxLength: 4 })).map(([f, vs]) => `${f} not in {${vs.join(' ')}}`),
);
const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
  e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.tuple(tie('e'), fc.constantFrom('and', 'or', 'xor', '&&', '||'), tie('e')).map(([a, o, b]) => `(${a}) ${o} (${b})`),
    tie('e').map((a) => `not (${a})`)),
})).e;

async function demoPackets(): Promise<Array<{ p: CapturedPacket; json: object }>> {
  const dec = new PacketDecoder();
  const out: Array<{ p: CapturedPacket; json: object }> = [];
  for (const f of ['fixtures/pcaps/demo.pcapng', 'fixtures/pcaps/icmp-errors.pcapng', 'fixtures/pcaps/checksums.pcapng', 'fixtures/pcaps/malformed.pcap', 'fixtures/pcaps/fragments.pcap']) {
    await readCapture(f, (p) => {
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      const data = p.data.slice(p.offset, p.offset + p.caplen);
      out.push({ p: { ...p, data, offset: 0 }, json: JSON.parse(JSON.stringify(packetJson(p, dec))) });
    });
  }
  return out;
}

describe('random well-formed filters', () => {
  it('compile, and agree over the bytes and over the JSON on real packets', async () => {
    const pkts = await demoPackets();
    const dec = new PacketDecoder();
    const facts = new PacketFacts();
    fc.assert(fc.property(expr, (text) => {
      const f = compileFilter(text);
      for (const { p, json } of pkts) {
        dec.decode(p.data, p.offset, p.caplen, p.linkType);
        facts.fill(p, dec);
        if (f.matchesPacket(facts) !== f.matchesJson(json)) throw new Error(`${text} disagrees on #${p.number}`);
      }
    }), { numRuns: 400 });
  });
});
