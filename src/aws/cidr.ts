/** CIDR blocks as AWS prints them (`10.0.0.0/16`, `64:ff9b::/96`), for containment tests. */
import { parseIpv4, parseIpv6 } from '../wire/addr-text.js';

export interface Cidr {
  family: 4 | 6;
  /** Network address as an integer (host bits cleared). */
  net: bigint;
  len: number;
  text: string;
}

const buf = new Uint8Array(16);

const cache = new Map<string, Cidr | null>();

/** Parses `A/L` (or a bare address as a host route); null when it is neither family. Memoized: accounts repeat the same blocks. */
export function parseCidr(text: string | undefined | null): Cidr | null {
  if (typeof text !== 'string') return null;
  let c = cache.get(text);
  if (c === undefined) {
    c = parse(text);
    if (cache.size > 100_000) cache.clear();
    cache.set(text, c);
  }
  return c;
}

function parse(text: string): Cidr | null {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const lenText = slash < 0 ? null : text.slice(slash + 1);
  let family: 4 | 6;
  if (addr.includes(':')) {
    if (!parseIpv6(addr, buf, 0)) return null;
    family = 6;
  } else {
    if (!parseIpv4(addr, buf, 0)) return null;
    family = 4;
  }
  const bits = family === 4 ? 32 : 128;
  const len = lenText === null ? bits : /^\d{1,3}$/.test(lenText) ? Number(lenText) : NaN;
  if (!Number.isInteger(len) || len < 0 || len > bits) return null;
  let v = 0n;
  for (let i = 0; i < bits / 8; i++) v = (v << 8n) | BigInt(buf[i]);
  const mask = len === 0 ? 0n : ((1n << BigInt(len)) - 1n) << BigInt(bits - len);
  return { family, net: v & mask, len, text };
}

/** `outer` contains every address of `inner` (same family). */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  if (outer.family !== inner.family || outer.len > inner.len) return false;
  const bits = outer.family === 4 ? 32 : 128;
  const shift = BigInt(bits - outer.len);
  return outer.len === 0 || (outer.net >> shift) === (inner.net >> shift);
}

/** The two blocks share at least one address. */
export function cidrOverlaps(a: Cidr, b: Cidr): boolean {
  return cidrContains(a, b) || cidrContains(b, a);
}

export const NAT64_PREFIX = parseCidr('64:ff9b::/96') as Cidr;
export const IPV6_ANY = parseCidr('::/0') as Cidr;
export const IPV4_ANY = parseCidr('0.0.0.0/0') as Cidr;
