/**
 * The IANA IPv4 / IPv6 Special-Purpose Address Registries (iana-ipv4-special-registry,
 * iana-ipv6-special-registry) checked at concrete addresses: every block's first and last address
 * and the neighbours just outside it.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  IPV4_SPECIAL_PURPOSE,
  IPV6_SPECIAL_PURPOSE,
  describeIpv4,
  describeIpv6,
  isGlobalIpv4,
  isGlobalIpv6,
  lookupIpv4,
  nonGlobalIpv4Ranges,
} from '../../src/xlat/special-purpose.js';
import { parseIpv4, parseIpv6 } from '../../src/wire/addr-text.js';

function v4(text: string): number {
  const b = new Uint8Array(4);
  if (!parseIpv4(text, b, 0)) throw new Error(text);
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function v6(text: string): Uint8Array {
  const b = new Uint8Array(16);
  if (!parseIpv6(text, b, 0)) throw new Error(text);
  return b;
}

// [address, global?] — registry blocks' edges and their outside neighbours.
const CASES4: Array<[string, boolean]> = [
  ['0.0.0.0', false], ['0.255.255.255', false], ['1.0.0.0', true],
  ['9.255.255.255', true], ['10.0.0.0', false], ['10.255.255.255', false], ['11.0.0.0', true],
  ['100.63.255.255', true], ['100.64.0.0', false], ['100.127.255.255', false], ['100.128.0.0', true],
  ['126.255.255.255', true], ['127.0.0.0', false], ['127.255.255.255', false], ['128.0.0.0', true],
  ['169.253.255.255', true], ['169.254.0.0', false], ['169.254.255.255', false], ['169.255.0.0', true],
  ['172.15.255.255', true], ['172.16.0.0', false], ['172.31.255.255', false], ['172.32.0.0', true],
  ['191.255.255.255', true], ['192.0.0.0', false], ['192.0.0.7', false], ['192.0.0.8', false],
  ['192.0.0.9', true], ['192.0.0.10', true], ['192.0.0.11', false], ['192.0.0.170', false],
  ['192.0.0.171', false], ['192.0.0.255', false], ['192.0.1.0', true],
  ['192.0.1.255', true], ['192.0.2.0', false], ['192.0.2.255', false], ['192.0.3.0', true],
  ['192.31.195.255', true], ['192.31.196.0', true], ['192.31.196.255', true], ['192.31.197.0', true],
  ['192.52.193.0', true], ['192.52.193.255', true],
  ['192.88.98.255', true], ['192.88.99.0', false], ['192.88.99.2', false], ['192.88.99.255', false], ['192.88.100.0', true],
  ['192.167.255.255', true], ['192.168.0.0', false], ['192.168.255.255', false], ['192.169.0.0', true],
  ['192.175.48.0', true], ['192.175.48.255', true],
  ['198.17.255.255', true], ['198.18.0.0', false], ['198.19.255.255', false], ['198.20.0.0', true],
  ['198.51.99.255', true], ['198.51.100.0', false], ['198.51.100.255', false], ['198.51.101.0', true],
  ['203.0.112.255', true], ['203.0.113.0', false], ['203.0.113.255', false], ['203.0.114.0', true],
  ['223.255.255.255', true], ['224.0.0.0', false], ['239.255.255.255', false],
  ['240.0.0.0', false], ['255.255.255.254', false], ['255.255.255.255', false],
  ['8.8.8.8', true], ['1.1.1.1', true], ['93.184.216.34', true],
];

describe('isGlobalIpv4 (RFC 6052 §3.1, IANA IPv4 Special-Purpose Address Registry)', () => {
  it.each(CASES4)('%s global=%s', (addr, global) => {
    expect(isGlobalIpv4(v4(addr))).toBe(global);
  });

  it('every registry block: first and last address agree with its Globally Reachable column', () => {
    for (const e of IPV4_SPECIAL_PURPOSE) {
      const first = e.addr;
      const last = (e.addr + 2 ** (32 - e.len) - 1) >>> 0;
      for (const a of [first, last]) {
        // The most specific row decides (192.0.0.0/24 is False except 192.0.0.9 and .10).
        const row = lookupIpv4(a)!;
        expect(isGlobalIpv4(a), `${e.name} ${a}`).toBe(row.globallyReachable === true);
      }
    }
  });

  it('agrees with a naive most-specific-row lookup everywhere (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (a) => {
        const row = lookupIpv4(a);
        expect(isGlobalIpv4(a)).toBe(row === null || row.globallyReachable === true);
      }),
      { numRuns: 5000 },
    );
  });

  it('the range table is sorted and disjoint', () => {
    const r = nonGlobalIpv4Ranges();
    for (let i = 0; i < r.length; i++) {
      expect(r[i][0]).toBeLessThanOrEqual(r[i][1]);
      if (i > 0) expect(r[i][0]).toBeGreaterThan(r[i - 1][1] + 1);
    }
    expect(r).toContainEqual([v4('192.0.0.0'), v4('192.0.0.8')]);
    expect(r).toContainEqual([v4('192.0.0.11'), v4('192.0.0.255')]);
    expect(r).toContainEqual([v4('224.0.0.0'), v4('255.255.255.255')]);
  });
});

describe('describeIpv4', () => {
  it.each([
    ['10.1.2.3', 'Private-Use (RFC 1918)'],
    ['172.20.0.1', 'Private-Use (RFC 1918)'],
    ['192.168.1.1', 'Private-Use (RFC 1918)'],
    ['100.64.0.1', 'Shared Address Space (RFC 6598)'],
    ['127.0.0.1', 'Loopback (RFC 1122)'],
    ['169.254.1.1', 'Link Local (RFC 3927)'],
    ['192.0.0.9', 'Port Control Protocol Anycast (RFC 7723)'],
    ['192.0.0.1', 'IPv4 Service Continuity Prefix (RFC 7335)'],
    ['192.0.0.100', 'IETF Protocol Assignments (RFC 6890)'],
    ['192.0.0.170', 'NAT64/DNS64 Discovery (RFC 8880)'],
    ['192.0.2.1', 'Documentation (TEST-NET-1) (RFC 5737)'],
    ['198.51.100.7', 'Documentation (TEST-NET-2) (RFC 5737)'],
    ['203.0.113.9', 'Documentation (TEST-NET-3) (RFC 5737)'],
    ['198.19.0.1', 'Benchmarking (RFC 2544)'],
    ['0.0.0.0', '"This host on this network" (RFC 1122)'],
    ['0.1.2.3', '"This network" (RFC 791)'],
    ['224.0.0.251', 'Multicast (RFC 5771)'],
    ['250.1.1.1', 'Reserved (RFC 1112)'],
    ['255.255.255.255', 'Limited Broadcast (RFC 919)'],
  ])('%s is %s', (addr, name) => {
    expect(describeIpv4(v4(addr))).toBe(name);
  });

  it('is null outside the registry', () => {
    expect(describeIpv4(v4('8.8.8.8'))).toBeNull();
  });
});

describe('IPv6 Special-Purpose Address Registry', () => {
  it.each([
    ['::1', false, 'Loopback Address (RFC 4291)'],
    ['::', false, 'Unspecified Address (RFC 4291)'],
    ['::ffff:192.0.2.1', false, 'IPv4-mapped Address (RFC 4291)'],
    ['64:ff9b::808:808', true, 'IPv4-IPv6 Translat. (RFC 6052)'],
    ['64:ff9b:1::1', false, 'IPv4-IPv6 Translat. (RFC 8215)'],
    ['100::1', false, 'Discard-Only Address Block (RFC 6666)'],
    ['2001::1', true, 'TEREDO (RFC 4380)'],
    ['2001:1::1', true, 'Port Control Protocol Anycast (RFC 7723)'],
    ['2001:1::4', false, 'IETF Protocol Assignments (RFC 2928)'],
    ['2001:2::1', false, 'Benchmarking (RFC 5180)'],
    ['2001:db8::1', false, 'Documentation (RFC 3849)'],
    ['2001:db9::1', true, null],
    ['2002:c000:201::1', true, '6to4 (RFC 3056)'],
    ['3fff::1', false, 'Documentation (RFC 9637)'],
    ['fd00::1', false, 'Unique-Local (RFC 4193)'],
    ['fe80::1', false, 'Link-Local Unicast (RFC 4291)'],
    ['ff02::1', false, null],
    ['2606:4700::1111', true, null],
  ] as Array<[string, boolean, string | null]>)('%s global=%s (%s)', (addr, global, name) => {
    expect(isGlobalIpv6(v6(addr), 0)).toBe(global);
    expect(describeIpv6(v6(addr), 0)).toBe(name);
  });

  it('every row has host bits zero', () => {
    for (const e of IPV6_SPECIAL_PURPOSE) {
      for (let bit = e.len; bit < 128; bit++) expect(e.bytes[bit >> 3] & (0x80 >> (bit & 7)), e.name).toBe(0);
    }
    for (const e of IPV4_SPECIAL_PURPOSE) expect((e.addr & (e.len === 0 ? 0xffffffff : ~(0xffffffff << (32 - e.len)))) >>> 0, e.name).toBe(0);
  });
});
