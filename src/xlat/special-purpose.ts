/**
 * The IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 as updated by RFC 8190),
 * with their "Globally Reachable" column, as tables; and the per-packet question RFC 6052 §3.1
 * asks of the Well-Known Prefix: is this IPv4 address global?
 *
 * Sources: https://www.iana.org/assignments/iana-ipv4-special-registry/ and
 * https://www.iana.org/assignments/iana-ipv6-special-registry/ (registry rows in registry order).
 * `globallyReachable` is the registry's column: true, false, or null for "N/A".
 */

export interface SpecialPurposeEntry4 {
  /** Network address (u32, host bits zero). */
  addr: number;
  len: number;
  /** Registry "Name" column, e.g. `Private-Use`. */
  name: string;
  /** Registry "RFC" column, e.g. `RFC 1918`. */
  rfc: string;
  /** Registry "Globally Reachable" column; null = N/A. */
  globallyReachable: boolean | null;
}

export interface SpecialPurposeEntry6 {
  bytes: Uint8Array;
  len: number;
  name: string;
  rfc: string;
  globallyReachable: boolean | null;
}

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

function e4(addr: number, len: number, name: string, rfc: string, globallyReachable: boolean | null): SpecialPurposeEntry4 {
  return { addr, len, name, rfc, globallyReachable };
}

/** IANA IPv4 Special-Purpose Address Registry, in registry order. */
export const IPV4_SPECIAL_PURPOSE: readonly SpecialPurposeEntry4[] = [
  e4(ip4(0, 0, 0, 0), 8, '"This network"', 'RFC 791', false),
  e4(ip4(0, 0, 0, 0), 32, '"This host on this network"', 'RFC 1122', false),
  e4(ip4(10, 0, 0, 0), 8, 'Private-Use', 'RFC 1918', false),
  e4(ip4(100, 64, 0, 0), 10, 'Shared Address Space', 'RFC 6598', false),
  e4(ip4(127, 0, 0, 0), 8, 'Loopback', 'RFC 1122', false),
  e4(ip4(169, 254, 0, 0), 16, 'Link Local', 'RFC 3927', false),
  e4(ip4(172, 16, 0, 0), 12, 'Private-Use', 'RFC 1918', false),
  // "False [unless otherwise overridden by a more specific entry]" (the two anycast /32s below).
  e4(ip4(192, 0, 0, 0), 24, 'IETF Protocol Assignments', 'RFC 6890', false),
  e4(ip4(192, 0, 0, 0), 29, 'IPv4 Service Continuity Prefix', 'RFC 7335', false),
  e4(ip4(192, 0, 0, 8), 32, 'IPv4 dummy address', 'RFC 7600', false),
  e4(ip4(192, 0, 0, 9), 32, 'Port Control Protocol Anycast', 'RFC 7723', true),
  e4(ip4(192, 0, 0, 10), 32, 'Traversal Using Relays around NAT Anycast', 'RFC 8155', true),
  e4(ip4(192, 0, 0, 170), 32, 'NAT64/DNS64 Discovery', 'RFC 8880', false),
  e4(ip4(192, 0, 0, 171), 32, 'NAT64/DNS64 Discovery', 'RFC 8880', false),
  e4(ip4(192, 0, 2, 0), 24, 'Documentation (TEST-NET-1)', 'RFC 5737', false),
  e4(ip4(192, 31, 196, 0), 24, 'AS112-v4', 'RFC 7535', true),
  e4(ip4(192, 52, 193, 0), 24, 'AMT', 'RFC 7450', true),
  // Deprecated 6to4 relay anycast: the registry says N/A; RFC 7526 took it out of service, and it
  // is treated as not global here.
  e4(ip4(192, 88, 99, 0), 24, 'Deprecated (6to4 Relay Anycast)', 'RFC 7526', null),
  e4(ip4(192, 88, 99, 2), 32, '6a44-relay anycast address', 'RFC 6751', false),
  e4(ip4(192, 168, 0, 0), 16, 'Private-Use', 'RFC 1918', false),
  e4(ip4(192, 175, 48, 0), 24, 'Direct Delegation AS112 Service', 'RFC 7534', true),
  e4(ip4(198, 18, 0, 0), 15, 'Benchmarking', 'RFC 2544', false),
  e4(ip4(198, 51, 100, 0), 24, 'Documentation (TEST-NET-2)', 'RFC 5737', false),
  e4(ip4(203, 0, 113, 0), 24, 'Documentation (TEST-NET-3)', 'RFC 5737', false),
  e4(ip4(240, 0, 0, 0), 4, 'Reserved', 'RFC 1112', false),
  e4(ip4(255, 255, 255, 255), 32, 'Limited Broadcast', 'RFC 919', false),
];

/**
 * Not in the special-purpose registry but not global unicast either: the IPv4 multicast space
 * (IANA IPv4 Multicast Address Space Registry, RFC 5771). RFC 6052 §3.1 speaks of global unicast.
 */
export const IPV4_MULTICAST: SpecialPurposeEntry4 = e4(ip4(224, 0, 0, 0), 4, 'Multicast', 'RFC 5771', false);

function p6(text: string): Uint8Array {
  // Small local parser for the constant table (hex groups and one '::'), to keep this module free
  // of imports.
  const out = new Uint8Array(16);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, ''];
  const hg = head ? head.split(':') : [];
  const tg = tail ? tail.split(':') : [];
  const groups = [...hg, ...new Array<string>(8 - hg.length - tg.length).fill('0'), ...tg];
  for (let i = 0; i < 8; i++) {
    const v = parseInt(groups[i], 16);
    out[2 * i] = v >>> 8;
    out[2 * i + 1] = v & 0xff;
  }
  return out;
}

function e6(text: string, len: number, name: string, rfc: string, globallyReachable: boolean | null): SpecialPurposeEntry6 {
  return { bytes: p6(text), len, name, rfc, globallyReachable };
}

/** IANA IPv6 Special-Purpose Address Registry, in registry order. */
export const IPV6_SPECIAL_PURPOSE: readonly SpecialPurposeEntry6[] = [
  e6('::1', 128, 'Loopback Address', 'RFC 4291', false),
  e6('::', 128, 'Unspecified Address', 'RFC 4291', false),
  e6('::ffff:0:0', 96, 'IPv4-mapped Address', 'RFC 4291', false),
  e6('64:ff9b::', 96, 'IPv4-IPv6 Translat.', 'RFC 6052', true),
  e6('64:ff9b:1::', 48, 'IPv4-IPv6 Translat.', 'RFC 8215', false),
  e6('100::', 64, 'Discard-Only Address Block', 'RFC 6666', false),
  e6('100:0:0:1::', 64, 'Dummy IPv6 Prefix', 'RFC 9780', false),
  e6('2001::', 23, 'IETF Protocol Assignments', 'RFC 2928', false),
  e6('2001::', 32, 'TEREDO', 'RFC 4380', null),
  e6('2001:1::1', 128, 'Port Control Protocol Anycast', 'RFC 7723', true),
  e6('2001:1::2', 128, 'Traversal Using Relays around NAT Anycast', 'RFC 8155', true),
  e6('2001:1::3', 128, 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665', true),
  e6('2001:2::', 48, 'Benchmarking', 'RFC 5180', false),
  e6('2001:3::', 32, 'AMT', 'RFC 7450', true),
  e6('2001:4:112::', 48, 'AS112-v6', 'RFC 7535', true),
  e6('2001:10::', 28, 'Deprecated (previously ORCHID)', 'RFC 4843', false),
  e6('2001:20::', 28, 'ORCHIDv2', 'RFC 7343', true),
  e6('2001:30::', 28, 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374', true),
  e6('2001:db8::', 32, 'Documentation', 'RFC 3849', false),
  e6('2002::', 16, '6to4', 'RFC 3056', null),
  e6('2620:4f:8000::', 48, 'Direct Delegation AS112 Service', 'RFC 7534', true),
  e6('3fff::', 20, 'Documentation', 'RFC 9637', false),
  e6('5f00::', 16, 'Segment Routing (SRv6) SIDs', 'RFC 9602', false),
  e6('fc00::', 7, 'Unique-Local', 'RFC 4193', false),
  e6('fe80::', 10, 'Link-Local Unicast', 'RFC 4291', false),
];

function end4(addr: number, len: number): number {
  return len === 0 ? 0xffffffff : (addr + 2 ** (32 - len) - 1) >>> 0;
}

/**
 * The non-global IPv4 space as sorted, disjoint, inclusive [start, end] u32 ranges (flat:
 * NON_GLOBAL[2i], NON_GLOBAL[2i+1]). Built once from the registry: every block whose Globally
 * Reachable is not True, plus multicast, minus the more specific blocks marked True.
 */
const NON_GLOBAL: Float64Array = (() => {
  const bad: Array<[number, number]> = [];
  for (const e of [...IPV4_SPECIAL_PURPOSE, IPV4_MULTICAST]) if (e.globallyReachable !== true) bad.push([e.addr, end4(e.addr, e.len)]);
  bad.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  // Merge overlapping / adjacent ranges.
  const merged: Array<[number, number]> = [];
  for (const r of bad) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1] + 1) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  // Carve out the globally reachable blocks nested inside (192.0.0.9/32, 192.0.0.10/32).
  let ranges = merged;
  for (const g of IPV4_SPECIAL_PURPOSE) {
    if (g.globallyReachable !== true) continue;
    const gs = g.addr;
    const ge = end4(g.addr, g.len);
    const next: Array<[number, number]> = [];
    for (const [s, e] of ranges) {
      if (ge < s || gs > e) {
        next.push([s, e]);
        continue;
      }
      if (s < gs) next.push([s, gs - 1]);
      if (ge < e) next.push([ge + 1, e]);
    }
    ranges = next;
  }
  const flat = new Float64Array(ranges.length * 2);
  ranges.forEach(([s, e], i) => {
    flat[2 * i] = s;
    flat[2 * i + 1] = e;
  });
  return flat;
})();

/** The non-global ranges, for tests and documentation: [[start, end], ...] (u32, inclusive). */
export function nonGlobalIpv4Ranges(): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < NON_GLOBAL.length; i += 2) out.push([NON_GLOBAL[i], NON_GLOBAL[i + 1]]);
  return out;
}

/**
 * True when `addr` (u32) is a global unicast IPv4 address: in no special-purpose block whose
 * Globally Reachable is False (or N/A), and not multicast. This is the RFC 6052 §3.1 test for
 * addresses behind the Well-Known Prefix. Allocates nothing (binary search over a static table).
 */
export function isGlobalIpv4(addr: number): boolean {
  const a = addr >>> 0;
  let lo = 0;
  let hi = (NON_GLOBAL.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (a < NON_GLOBAL[2 * mid]) hi = mid - 1;
    else if (a > NON_GLOBAL[2 * mid + 1]) lo = mid + 1;
    else return false;
  }
  return true;
}

/**
 * The registry row that `addr` falls in, most specific first (e.g. 192.0.0.9 gives Port Control
 * Protocol Anycast, not IETF Protocol Assignments); multicast included; null when in none.
 */
export function lookupIpv4(addr: number): SpecialPurposeEntry4 | null {
  const a = addr >>> 0;
  let best: SpecialPurposeEntry4 | null = null;
  for (const e of IPV4_SPECIAL_PURPOSE) {
    if (a >= e.addr && a <= end4(e.addr, e.len) && (!best || e.len > best.len)) best = e;
  }
  if (!best && a >= IPV4_MULTICAST.addr && a <= end4(IPV4_MULTICAST.addr, IPV4_MULTICAST.len)) best = IPV4_MULTICAST;
  return best;
}

/** `Private-Use (RFC 1918)` for messages, or null when the address is in no registry block. */
export function describeIpv4(addr: number): string | null {
  const e = lookupIpv4(addr);
  return e ? `${e.name} (${e.rfc})` : null;
}

function in6(bytes: Uint8Array, off: number, p: Uint8Array, len: number): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (bytes[off + i] !== p[i]) return false;
  const rem = len & 7;
  if (rem) {
    const m = (0xff << (8 - rem)) & 0xff;
    if ((bytes[off + full] & m) !== (p[full] & m)) return false;
  }
  return true;
}

/** The most specific IPv6 registry row for the address at bytes[off..off+16), or null. */
export function lookupIpv6(bytes: Uint8Array, off: number): SpecialPurposeEntry6 | null {
  let best: SpecialPurposeEntry6 | null = null;
  for (const e of IPV6_SPECIAL_PURPOSE) if (in6(bytes, off, e.bytes, e.len) && (!best || e.len > best.len)) best = e;
  return best;
}

/** `Documentation (RFC 3849)` for messages, or null when the address is in no registry block. */
export function describeIpv6(bytes: Uint8Array, off: number): string | null {
  const e = lookupIpv6(bytes, off);
  return e ? `${e.name} (${e.rfc})` : null;
}

/**
 * False when the most specific registry row for the address says Globally Reachable False, or
 * the address is multicast (ff00::/8); true otherwise (N/A rows such as 6to4 count as global).
 */
export function isGlobalIpv6(bytes: Uint8Array, off: number): boolean {
  if (bytes[off] === 0xff) return false;
  let best: SpecialPurposeEntry6 | null = null;
  for (let i = 0; i < IPV6_SPECIAL_PURPOSE.length; i++) {
    const e = IPV6_SPECIAL_PURPOSE[i];
    if (in6(bytes, off, e.bytes, e.len) && (best === null || e.len > best.len)) best = e;
  }
  return best === null || best.globallyReachable !== false;
}
