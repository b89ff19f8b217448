/**
 * RFC 7757 EAM table: the §3.3 examples (the Table 1 entries and their translations, as in Jool's
 * eamt unit test "anderson_test"), longest-prefix match both ways, suffix bits past the IPv4 host
 * part ignored (6 -> 4).
 */
import { describe, it, expect } from 'vitest';
import { EamTable } from '../../../src/xlat/eam.js';
import { ip6 } from '../../../src/wire/builder.js';
import { ipv6ToString } from '../../../src/wire/addr-text.js';
import { eam, u32 } from './helpers.js';

const TABLE = new EamTable([
  eam('2001:db8:aaaa::/128', '192.0.2.1/32'),
  eam('2001:db8:bbbb::b/128', '192.0.2.2/32'),
  eam('2001:db8:cccc::/124', '192.0.2.16/28'),
  eam('2001:db8:dddd::/64', '192.0.2.128/26'),
  eam('2001:db8:eeee:8::/62', '192.0.2.192/29'),
  eam('64:ff9b::/127', '192.0.2.224/31'),
]);

const PAIRS: Array<[string, string]> = [
  ['192.0.2.1', '2001:db8:aaaa::'],
  ['192.0.2.2', '2001:db8:bbbb::b'],
  ['192.0.2.16', '2001:db8:cccc::'],
  ['192.0.2.24', '2001:db8:cccc::8'],
  ['192.0.2.31', '2001:db8:cccc::f'],
  ['192.0.2.128', '2001:db8:dddd::'],
  ['192.0.2.152', '2001:db8:dddd:0:6000::'],
  ['192.0.2.183', '2001:db8:dddd:0:dc00::'],
  ['192.0.2.191', '2001:db8:dddd:0:fc00::'],
  ['192.0.2.195', '2001:db8:eeee:9:8000::'],
  ['192.0.2.225', '64:ff9b::1'],
];

describe('RFC 7757 §3.3 examples', () => {
  for (const [v4, v6] of PAIRS) {
    it(`${v4} <-> ${v6}`, () => {
      const out = new Uint8Array(16);
      expect(TABLE.lookup4(u32(v4), out, 0)).toBe(true);
      expect(ipv6ToString(out, 0)).toBe(v6);
      expect(TABLE.lookup6(ip6(v6), 0)).toBe(u32(v4));
    });
  }
  it('IPv6 suffix bits beyond the IPv4 host part are ignored (6 -> 4)', () => {
    expect(TABLE.lookup6(ip6('2001:db8:dddd:0:6000:beef::'), 0)).toBe(u32('192.0.2.152'));
  });
  it('no match', () => {
    expect(TABLE.lookup6(ip6('2001:db8:ffff::1'), 0)).toBe(-1);
    expect(TABLE.lookup4(u32('192.0.2.3'), new Uint8Array(16), 0)).toBe(false);
    expect(TABLE.has4(u32('192.0.2.130'))).toBe(true);
    expect(TABLE.has4(u32('192.0.2.100'))).toBe(false);
  });
});

describe('longest-prefix match', () => {
  it('overlapping entries (Jool rfc7757_overlapping_test): 0.0.0.0/0 <-> 2001:db8:ff00::/40 under a /32', () => {
    const t = new EamTable([eam('2001:db8:ff00::/40', '0.0.0.0/0'), eam('2001:db8::abcd/128', '198.51.100.64/32')]);
    expect(t.lookup6(ip6('2001:db8:ffc6:3364:4000::'), 0)).toBe(u32('198.51.100.64'));
    const out = new Uint8Array(16);
    t.lookup4(u32('198.51.100.64'), out, 0);
    expect(ipv6ToString(out, 0)).toBe('2001:db8::abcd');
    t.lookup4(u32('198.51.100.65'), out, 0);
    expect(ipv6ToString(out, 0)).toBe('2001:db8:ffc6:3364:4100::');
  });
  it('the more specific IPv6 prefix wins', () => {
    const t = new EamTable([eam('2001:db8:1::/64', '192.0.2.0/24'), eam('2001:db8:1:0:8000::/72', '198.51.100.0/24')]);
    expect(t.lookup6(ip6('2001:db8:1:0:500::'), 0)).toBe(u32('192.0.2.5'));
    expect(t.lookup6(ip6('2001:db8:1:0:8005::'), 0)).toBe(u32('198.51.100.5'));
    const out = new Uint8Array(16);
    t.lookup4(u32('198.51.100.5'), out, 0);
    expect(ipv6ToString(out, 0)).toBe('2001:db8:1:0:8005::');
  });
});
