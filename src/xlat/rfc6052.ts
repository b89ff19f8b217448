/**
 * RFC 6052 §2.2 IPv4-embedded IPv6 addresses: embedding and extraction for prefix lengths
 * 32, 40, 48, 56, 64 and 96. Bits 64..71 (the "u" octet) are always skipped and must be zero.
 */

export const VALID_PREFIX_LENGTHS = [32, 40, 48, 56, 64, 96] as const;

export function isValidPrefixLength(n: number): boolean {
  return n === 32 || n === 40 || n === 48 || n === 56 || n === 64 || n === 96;
}

/** Byte positions in the IPv6 address that hold IPv4 octets 0..3, per prefix length. */
const LAYOUT: Record<number, readonly [number, number, number, number]> = {
  32: [4, 5, 6, 7],
  40: [5, 6, 7, 9],
  48: [6, 7, 9, 10],
  56: [7, 9, 10, 11],
  64: [9, 10, 11, 12],
  96: [12, 13, 14, 15],
};

/** A prefix as 16 bytes + length. */
export interface Prefix6 {
  bytes: Uint8Array;
  len: number;
}

/** True when the address at bytes[off..off+16) lies inside the prefix. */
export function inPrefix(bytes: Uint8Array, off: number, p: Prefix6): boolean {
  const full = p.len >> 3;
  for (let i = 0; i < full; i++) if (bytes[off + i] !== p.bytes[i]) return false;
  const rem = p.len & 7;
  if (rem) {
    const m = (0xff << (8 - rem)) & 0xff;
    if ((bytes[off + full] & m) !== (p.bytes[full] & m)) return false;
  }
  return true;
}

/**
 * Extracts the embedded IPv4 address (as an unsigned 32-bit number) from the IPv6 address at
 * bytes[off..off+16) for the given prefix length. The caller checks the prefix itself.
 */
export function extractIpv4(bytes: Uint8Array, off: number, prefixLen: number): number {
  if (prefixLen === 96) return ((bytes[off + 12] << 24) | (bytes[off + 13] << 16) | (bytes[off + 14] << 8) | bytes[off + 15]) >>> 0;
  const l = LAYOUT[prefixLen];
  return ((bytes[off + l[0]] << 24) | (bytes[off + l[1]] << 16) | (bytes[off + l[2]] << 8) | bytes[off + l[3]]) >>> 0;
}

/** Writes prefix + IPv4 (+ zero suffix and u octet) into out[off..off+16). */
export function embedIpv4(out: Uint8Array, off: number, p: Prefix6, ipv4: number): void {
  const l = LAYOUT[p.len];
  for (let i = 0; i < 16; i++) out[off + i] = i < p.len >> 3 ? p.bytes[i] : 0;
  out[off + l[0]] = ipv4 >>> 24;
  out[off + l[1]] = (ipv4 >>> 16) & 0xff;
  out[off + l[2]] = (ipv4 >>> 8) & 0xff;
  out[off + l[3]] = ipv4 & 0xff;
}

/** The u octet (bits 64..71) is zero, as RFC 6052 §2.2 requires of a valid embedded address. */
export function uOctetZero(bytes: Uint8Array, off: number): boolean {
  return bytes[off + 8] === 0;
}

/** The well-known prefix 64:ff9b::/96 (RFC 6052 §2.1). */
export const WKP: Prefix6 = { bytes: Uint8Array.from([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), len: 96 };
/** The local-use prefix 64:ff9b:1::/48 (RFC 8215). */
export const LOCAL_USE: Prefix6 = { bytes: Uint8Array.from([0, 0x64, 0xff, 0x9b, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), len: 48 };
