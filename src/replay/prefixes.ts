/**
 * Which NAT64 prefixes the display layer recognises: the well-known 64:ff9b::/96 (RFC 6052) and
 * the local-use 64:ff9b:1::/48 (RFC 8215, read with the /96 layout unless configured), plus any
 * prefix the user gives.
 */
import { WKP, LOCAL_USE, inPrefix, extractIpv4, isValidPrefixLength, type Prefix6 } from '../xlat/rfc6052.js';
import { parseIpv6, ipv6ToString } from '../wire/addr-text.js';

export interface DisplayPrefix {
  /** Addresses inside `match` carry an IPv4 address at the RFC 6052 position for `embedLen`. */
  match: Prefix6;
  embedLen: number;
}

export const DEFAULT_DISPLAY_PREFIXES: DisplayPrefix[] = [
  { match: WKP, embedLen: 96 },
  { match: LOCAL_USE, embedLen: 96 },
];

export class PrefixError extends Error {
  readonly exitCode = 2;
}

/** Parses `64:ff9b::/96`-style text; throws PrefixError (exit 2) naming the rule broken. */
export function parsePrefix6(text: string): Prefix6 {
  const slash = text.indexOf('/');
  if (slash < 0) throw new PrefixError(`prefix ${JSON.stringify(text)}: expected ADDRESS/LENGTH, e.g. 64:ff9b::/96`);
  const bytes = new Uint8Array(16);
  if (!parseIpv6(text.slice(0, slash), bytes, 0)) throw new PrefixError(`prefix ${JSON.stringify(text)}: not an IPv6 address`);
  const len = Number(text.slice(slash + 1));
  if (!isValidPrefixLength(len)) throw new PrefixError(`prefix ${JSON.stringify(text)}: prefix length ${text.slice(slash + 1)} is not one of 32,40,48,56,64,96`);
  for (let bit = len; bit < 128; bit++) {
    if (bytes[bit >> 3] & (0x80 >> (bit & 7))) throw new PrefixError(`prefix ${JSON.stringify(text)}: host bits set beyond /${len}`);
  }
  return { bytes, len };
}

export function prefixToString(p: Prefix6): string {
  return `${ipv6ToString(p.bytes, 0)}/${p.len}`;
}

/** The embedded IPv4 address (u32) of the IPv6 address at off, or -1 when it is in no prefix. */
export function embeddedIpv4(bytes: Uint8Array, off: number, prefixes: readonly DisplayPrefix[]): number {
  for (let i = 0; i < prefixes.length; i++) {
    const dp = prefixes[i];
    if (inPrefix(bytes, off, dp.match)) return extractIpv4(bytes, off, dp.embedLen);
  }
  return -1;
}

export function u32ToIpv4(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
