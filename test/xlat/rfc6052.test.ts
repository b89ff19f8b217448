import { describe, it, expect } from 'vitest';
import { embedIpv4, extractIpv4, inPrefix, WKP, LOCAL_USE } from '../../src/xlat/rfc6052.js';
import { ipv6ToString } from '../../src/wire/addr-text.js';
import { parsePrefix6 } from '../../src/replay/prefixes.js';
import { ip6 } from '../../src/wire/builder.js';

// RFC 6052 §2.4, Table 1 word for word (the /96 row is written in hex per RFC 5952).
const TABLE: [string, string][] = [
  ['2001:db8::/32', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '2001:db8:122:344::c000:221'],
];
const V4 = (192 << 24 | 0 << 16 | 2 << 8 | 33) >>> 0; // 192.0.2.33

describe('RFC 6052 §2.4 examples', () => {
  for (const [prefix, addr] of TABLE) {
    it(`${prefix} + 192.0.2.33 = ${addr}`, () => {
      const p = parsePrefix6(prefix);
      const out = new Uint8Array(16);
      embedIpv4(out, 0, p, V4);
      expect(ipv6ToString(out, 0)).toBe(addr);
      const a = ip6(addr);
      expect(inPrefix(a, 0, p)).toBe(true);
      expect(extractIpv4(a, 0, p.len)).toBe(V4);
    });
  }
  it('well-known prefix: 64:ff9b::192.0.2.33 (§2.4)', () => {
    const out = new Uint8Array(16);
    embedIpv4(out, 0, WKP, V4);
    expect(ipv6ToString(out, 0)).toBe('64:ff9b::c000:221');
  });
  it('RFC 8215 local-use prefix matches 64:ff9b:1::/48 and not 64:ff9b::/96', () => {
    expect(inPrefix(ip6('64:ff9b:1:abcd::c000:221'), 0, LOCAL_USE)).toBe(true);
    expect(inPrefix(ip6('64:ff9b::c000:221'), 0, LOCAL_USE)).toBe(false);
    expect(inPrefix(ip6('64:ff9b:1::c000:221'), 0, WKP)).toBe(false);
  });
  it('rejects prefix lengths RFC 6052 does not define', () => {
    expect(() => parsePrefix6('64:ff9b::/33')).toThrow(/prefix length 33 is not one of 32,40,48,56,64,96/);
    expect(() => parsePrefix6('64:ff9b::1/96')).toThrow(/host bits/);
    expect(() => parsePrefix6('nonsense/96')).toThrow(/not an IPv6 address/);
  });
});
