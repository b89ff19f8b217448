/**
 * RFC 7757 Explicit Address Mapping table: IPv6 prefix <-> IPv4 prefix, longest-prefix match in
 * both directions (§3.3), suffix bits copied verbatim. Entries are few, so lookups scan arrays
 * sorted by prefix length (longest first) and allocate nothing.
 *
 * §3.3 algorithm: the IPv4 suffix (the 32 - n4 host bits) is copied into the IPv6 address right
 * after the IPv6 prefix; remaining IPv6 bits are zero (4 -> 6). In the other direction the 32 - n4
 * bits that follow the IPv6 prefix become the IPv4 suffix; any IPv6 bits after them are ignored.
 * The config loader checks §3.2 (IPv6 suffix length >= IPv4 suffix length).
 */
import type { EamEntry } from './config-types.js';

export class EamTable {
  /** Entries sorted by IPv6 prefix length, longest first (6 -> 4 lookups). */
  private readonly by6: EamEntry[];
  /** Entries sorted by IPv4 prefix length, longest first (4 -> 6 lookups). */
  private readonly by4: EamEntry[];
  /** IPv4 network masks parallel to by4. */
  private readonly masks4: Uint32Array;

  constructor(entries: readonly EamEntry[]) {
    // Stable sorts: among equal lengths the configuration order wins.
    this.by6 = entries.slice().sort((a, b) => b.ipv6.len - a.ipv6.len);
    this.by4 = entries.slice().sort((a, b) => b.ipv4.len - a.ipv4.len);
    this.masks4 = new Uint32Array(this.by4.length);
    for (let i = 0; i < this.by4.length; i++) this.masks4[i] = mask4(this.by4[i].ipv4.len);
  }

  get size(): number {
    return this.by6.length;
  }

  /**
   * 6 -> 4: the IPv4 address for the IPv6 address at bytes[off..off+16), or -1 when no entry's
   * IPv6 prefix contains it.
   */
  lookup6(bytes: Uint8Array, off: number): number {
    const list = this.by6;
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (!prefixMatch6(bytes, off, e.ipv6.bytes, e.ipv6.len)) continue;
      const hostBits = 32 - e.ipv4.len;
      let suffix = 0;
      let bit = e.ipv6.len;
      for (let k = 0; k < hostBits; k++, bit++) {
        suffix = suffix * 2 + ((bytes[off + (bit >> 3)] >> (7 - (bit & 7))) & 1);
      }
      const net = e.ipv4.len === 0 ? 0 : e.ipv4.addr & mask4(e.ipv4.len);
      return (hostBits === 32 ? suffix : (net | suffix)) >>> 0;
    }
    return -1;
  }

  /**
   * 4 -> 6: writes the IPv6 address for `addr` (u32) into out[outOff..outOff+16) and returns
   * true, or returns false (out untouched) when no entry's IPv4 prefix contains it.
   */
  lookup4(addr: number, out: Uint8Array, outOff: number): boolean {
    const i = this.find4(addr);
    if (i < 0) return false;
    const e = this.by4[i];
    const p = e.ipv6.bytes;
    const m = e.ipv6.len;
    const fullBytes = m >> 3;
    for (let k = 0; k < 16; k++) out[outOff + k] = k < fullBytes ? p[k] : 0;
    if (m & 7) out[outOff + fullBytes] = p[fullBytes] & ((0xff << (8 - (m & 7))) & 0xff);
    const hostBits = 32 - e.ipv4.len;
    let bit = m;
    for (let k = hostBits - 1; k >= 0; k--, bit++) {
      if (bit >= 128) break;
      if (((addr >>> k) & 1) !== 0) out[outOff + (bit >> 3)] |= 0x80 >> (bit & 7);
    }
    return true;
  }

  /** True when some entry's IPv4 prefix contains `addr` (RFC 7757 §4 hairpinning test). */
  has4(addr: number): boolean {
    return this.find4(addr) >= 0;
  }

  /** True when some entry's IPv6 prefix contains the address at bytes[off..off+16). */
  has6(bytes: Uint8Array, off: number): boolean {
    const list = this.by6;
    for (let i = 0; i < list.length; i++) if (prefixMatch6(bytes, off, list[i].ipv6.bytes, list[i].ipv6.len)) return true;
    return false;
  }

  private find4(addr: number): number {
    const a = addr >>> 0;
    const list = this.by4;
    const masks = this.masks4;
    for (let i = 0; i < list.length; i++) {
      const m = masks[i];
      if (((a & m) >>> 0) === ((list[i].ipv4.addr & m) >>> 0)) return i;
    }
    return -1;
  }
}

function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function prefixMatch6(bytes: Uint8Array, off: number, p: Uint8Array, len: number): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (bytes[off + i] !== p[i]) return false;
  const rem = len & 7;
  if (rem) {
    const m = (0xff << (8 - rem)) & 0xff;
    if ((bytes[off + full] & m) !== (p[full] & m)) return false;
  }
  return true;
}
