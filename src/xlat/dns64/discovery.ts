/**
 * Pref64::/n discovery from a capture: which NAT64 prefix(es) the network in the capture uses.
 *
 * Three sources, each RFC-backed:
 *  - `ipv4only.arpa`: AAAA answers for the well-known name (RFC 7050 §3, RFC 8880 §7). Every AAAA
 *    record is searched for the well-known IPv4 addresses 192.0.0.170 and 192.0.0.171 at every
 *    RFC 6052 §2.2 position (prefix lengths 96, 64, 56, 48, 40, 32; for lengths below 96 the u
 *    octet, bits 64..71, must be zero). When one address matches at more than one position, the
 *    lengths at which the *other* well-known address (in another AAAA record of the same answer)
 *    matches with the same prefix bits are kept (RFC 7050 §3 uses the second WKA to resolve the
 *    ambiguity); if that does not decide, every matching length is reported.
 *  - `ra-pref64`: Router Advertisements with the PREF64 option (RFC 8781 §4): type 38, length 2
 *    (others ignored), PLC 0..5 = /96 /64 /56 /48 /40 /32 (PLC 6 and 7 ignored, §4 "MUST ignore"),
 *    lifetime = Scaled Lifetime × 8 seconds (0 = the prefix is withdrawn; the last value seen is
 *    reported). Every PREF64 option of the RA is read, not only the first.
 *  - `aaaa-wka`: AAAA answers for any *other* name that carry 192.0.0.170/171 at an RFC 6052
 *    position (a resolver or a CNAME that leads to ipv4only.arpa: the prefix is visible too).
 *  - `config`: prefixes the caller adds with {@link Pref64Discovery.addConfigured} (e.g. pool6),
 *    so that `--prefix auto` can list them with the discovered ones.
 *
 * API:
 * ```ts
 * const d = new Pref64Discovery();
 * // per packet, after PacketDecoder.decode(): allocation-free unless the packet is DNS or an RA
 * d.observe(decoder, packetNumber);
 * // or feed the pieces yourself:
 * d.observeDns(bytes, off, len, packetNumber);   // one DNS message (UDP payload, TCP-reassembled)
 * d.observeRa(bytes, off, len, packetNumber);    // an ICMPv6 Router Advertisement (ICMPv6 header on)
 * d.prefixes();   // [{ prefix: '64:ff9b::/96', length: 96, source: 'ipv4only.arpa', packets: [12], lifetime? }]
 * await discoverPref64('capture.pcapng');        // streams a file, returns prefixes()
 * ```
 * Results come in the order they were first seen; one entry per (prefix, source); `packets`
 * holds the first {@link MAX_PACKETS} packet numbers that showed it. Memory is bounded by the
 * number of distinct prefixes, not packets.
 */
import { dnsWalkName, DnsType } from '../../wire/dns.js';
import { L4, PacketDecoder } from '../../wire/layer-decoder.js';
import { NdOption, PLC_TO_LEN, RA, Icmpv6Type } from '../../wire/icmpv6.js';
import { ipv6ToString } from '../../wire/addr-text.js';
import { readCapture, type ReadOptions } from '../../pcap/reader.js';
import type { Prefix6 } from '../rfc6052.js';

export type Pref64Source = 'ipv4only.arpa' | 'ra-pref64' | 'aaaa-wka' | 'config';

export interface DiscoveredPrefix {
  /** RFC 5952 text with length, e.g. "64:ff9b::/96". */
  prefix: string;
  length: number;
  source: Pref64Source;
  /** Numbers (1-based) of the first packets that showed it; empty for `config`. */
  packets: number[];
  /** RA PREF64 only: lifetime in seconds from the last option seen (0 = withdrawn). */
  lifetime?: number;
}

/** Packet numbers kept per prefix. */
export const MAX_PACKETS = 8;

/** 192.0.0.170 and 192.0.0.171 (RFC 7050 §2.2, RFC 8880). */
export const WKA1 = 0xc00000aa;
export const WKA2 = 0xc00000ab;

/** RFC 6052 §2.2: byte positions of the IPv4 octets per prefix length (same table as rfc6052.ts). */
const LENGTHS = [96, 64, 56, 48, 40, 32] as const;
const POS: Record<number, readonly [number, number, number, number]> = {
  32: [4, 5, 6, 7],
  40: [5, 6, 7, 9],
  48: [6, 7, 9, 10],
  56: [7, 9, 10, 11],
  64: [9, 10, 11, 12],
  96: [12, 13, 14, 15],
};

/** The IPv4 at the RFC 6052 position for `len` in the address at b[o..o+16). */
function at(b: Uint8Array, o: number, len: number): number {
  const l = POS[len];
  return ((b[o + l[0]] << 24) | (b[o + l[1]] << 16) | (b[o + l[2]] << 8) | b[o + l[3]]) >>> 0;
}

/** Bit mask of the indexes into LENGTHS at which a WKA sits in the address (0 = none). */
function wkaPositions(b: Uint8Array, o: number, which: number): number {
  let m = 0;
  for (let i = 0; i < LENGTHS.length; i++) {
    const len = LENGTHS[i];
    // RFC 6052 §2.2: bits 64..71 must be zero for every layout but /96, where they are prefix bits.
    if (len !== 96 && b[o + 8] !== 0) continue;
    const v = at(b, o, len);
    if (v === which) m |= 1 << i;
  }
  return m;
}

/** Text "p::/len" of the first `len` bits of the address at b[o..o+16). */
export function prefixText(b: Uint8Array, o: number, len: number): string {
  const tmp = new Uint8Array(16);
  for (let i = 0; i < len >> 3; i++) tmp[i] = b[o + i];
  return `${ipv6ToString(tmp, 0)}/${len}`;
}

const IPV4ONLY = [8, 0x69, 0x70, 0x76, 0x34, 0x6f, 0x6e, 0x6c, 0x79, 4, 0x61, 0x72, 0x70, 0x61, 0]; // ipv4only.arpa

/** True when the (possibly compressed) name at message offset `pos` is ipv4only.arpa (any case). */
function isIpv4only(b: Uint8Array, base: number, len: number, pos: number): boolean {
  let p = pos;
  let k = 0;
  let hops = 0;
  for (;;) {
    if (p >= len) return false;
    const c = b[base + p];
    if ((c & 0xc0) === 0xc0) {
      if (p + 1 >= len || ++hops > 127) return false;
      p = ((c & 0x3f) << 8) | b[base + p + 1];
      continue;
    }
    if (k >= IPV4ONLY.length || c !== IPV4ONLY[k]) return false;
    k++;
    if (c === 0) return k === IPV4ONLY.length;
    for (let i = 1; i <= c; i++) {
      if (p + i >= len || k >= IPV4ONLY.length) return false;
      if ((b[base + p + i] | 0x20) !== IPV4ONLY[k]) return false;
      k++;
    }
    p += c + 1;
  }
}

interface Entry extends DiscoveredPrefix {
  key: string;
}

export class Pref64Discovery {
  private readonly entries: Entry[] = [];
  private readonly byKey = new Map<string, Entry>();
  /** Scratch for one DNS message's matches: absolute rdata offsets and masks per WKA. */
  private readonly hitOff = new Int32Array(64);
  private readonly hitM1 = new Int32Array(64);
  private readonly hitM2 = new Int32Array(64);
  private readonly hitWk = new Uint8Array(64);

  /**
   * Feeds a packet already decoded by a {@link PacketDecoder}. Reads only fields the decoder set;
   * allocates nothing unless the packet is a DNS response with a matching AAAA or an RA with
   * PREF64.
   */
  observe(dec: PacketDecoder, n: number): void {
    if (dec.l4 === L4.ICMPV6) {
      if (dec.icmpType === Icmpv6Type.ROUTER_ADVERT) this.observeRa(dec.bytes, dec.l4Off, dec.l4Captured, n);
      return;
    }
    const k = dec.dnsCount < dec.dnsBufs.length ? dec.dnsCount : dec.dnsBufs.length;
    for (let i = 0; i < k; i++) this.observeDns(dec.dnsBufs[i], dec.dnsOffs[i], dec.dnsLens[i], n);
  }

  /** One DNS message at b[base..base+len). Only responses with AAAA answers are looked at. */
  observeDns(b: Uint8Array, base: number, len: number, n: number): void {
    if (len < 12 || (b[base + 2] & 0x80) === 0) return;
    const an = (b[base + 6] << 8) | b[base + 7];
    if (an === 0) return;
    const qd = (b[base + 4] << 8) | b[base + 5];
    let pos = 12;
    for (let i = 0; i < qd; i++) {
      const e = dnsWalkName(b, base, len, pos);
      if (e < 0 || e + 4 > len) return;
      pos = e + 4;
    }
    let hits = 0;
    for (let i = 0; i < an; i++) {
      const start = pos;
      const e = dnsWalkName(b, base, len, pos);
      if (e < 0 || e + 10 > len) return;
      const type = (b[base + e] << 8) | b[base + e + 1];
      const rdlen = (b[base + e + 8] << 8) | b[base + e + 9];
      const rd = e + 10;
      if (rd + rdlen > len) return;
      if (type === DnsType.AAAA && rdlen === 16 && hits < this.hitOff.length) {
        const m1 = wkaPositions(b, base + rd, WKA1);
        const m2 = wkaPositions(b, base + rd, WKA2);
        if ((m1 | m2) !== 0) {
          this.hitOff[hits] = base + rd;
          this.hitM1[hits] = m1;
          this.hitM2[hits] = m2;
          this.hitWk[hits] = isIpv4only(b, base, len, start) ? 1 : 0;
          hits++;
        }
      }
      pos = rd + rdlen;
    }
    if (hits === 0) return;
    // Lengths confirmed by both WKAs with the same prefix bits (RFC 7050 §3: the second WKA
    // disambiguates an address in which the first appears more than once).
    for (let h = 0; h < hits; h++) {
      const o = this.hitOff[h];
      const mine = this.hitM1[h] | this.hitM2[h];
      let chosen = mine;
      if ((mine & (mine - 1)) !== 0) {
        let confirmed = 0;
        for (let g = 0; g < hits; g++) {
          if (g === h) continue;
          for (let i = 0; i < LENGTHS.length; i++) {
            const bit = 1 << i;
            if ((mine & bit) === 0) continue;
            const otherHas = (this.hitM1[h] & bit) !== 0 ? (this.hitM2[g] & bit) !== 0 : (this.hitM1[g] & bit) !== 0;
            if (otherHas && samePrefix(b, o, this.hitOff[g], LENGTHS[i])) confirmed |= bit;
          }
        }
        if (confirmed !== 0) chosen = confirmed;
      }
      for (let i = 0; i < LENGTHS.length; i++) {
        if ((chosen & (1 << i)) === 0) continue;
        this.add(prefixText(b, o, LENGTHS[i]), LENGTHS[i], this.hitWk[h] ? 'ipv4only.arpa' : 'aaaa-wka', n, undefined);
      }
    }
  }

  /**
   * An ICMPv6 message at b[off..off+len) (the ICMPv6 header first). Router Advertisements only;
   * every PREF64 option is read (RFC 8781 §4), options of a bad length or PLC ignored.
   */
  observeRa(b: Uint8Array, off: number, len: number, n: number): void {
    if (len < RA.OPTIONS || b[off] !== Icmpv6Type.ROUTER_ADVERT || b[off + 1] !== 0) return;
    let p = off + RA.OPTIONS;
    const end = off + len;
    while (p + 2 <= end) {
      const ot = b[p];
      const ol = b[p + 1] * 8;
      if (ol === 0 || p + ol > end) return; // RFC 4861 §4.6: a zero-length option ends the parse
      if (ot === NdOption.PREF64 && ol === 16) {
        const w = (b[p + 2] << 8) | b[p + 3];
        const plc = w & 7;
        if (plc < PLC_TO_LEN.length) {
          const plen = PLC_TO_LEN[plc];
          const tmp = new Uint8Array(16);
          for (let i = 0; i < plen >> 3; i++) tmp[i] = b[p + 4 + i];
          this.add(`${ipv6ToString(tmp, 0)}/${plen}`, plen, 'ra-pref64', n, (w >> 3) * 8);
        }
      }
      p += ol;
    }
  }

  /** A prefix from the configuration (listed with source `config`, no packets). */
  addConfigured(p: Prefix6): void {
    this.add(prefixText(p.bytes, 0, p.len), p.len, 'config', 0, undefined);
  }

  /** What was found so far, in the order first seen (copies). */
  prefixes(): DiscoveredPrefix[] {
    return this.entries.map((e) => {
      const o: DiscoveredPrefix = { prefix: e.prefix, length: e.length, source: e.source, packets: e.packets.slice() };
      if (e.lifetime !== undefined) o.lifetime = e.lifetime;
      return o;
    });
  }

  private add(prefix: string, length: number, source: Pref64Source, n: number, lifetime: number | undefined): void {
    const key = prefix + ' ' + source;
    let e = this.byKey.get(key);
    if (!e) {
      e = { key, prefix, length, source, packets: [] };
      if (lifetime !== undefined) e.lifetime = lifetime;
      this.byKey.set(key, e);
      this.entries.push(e);
    } else if (lifetime !== undefined) e.lifetime = lifetime;
    if (n > 0 && e.packets.length < MAX_PACKETS && e.packets[e.packets.length - 1] !== n) e.packets.push(n);
  }
}

function samePrefix(b: Uint8Array, o1: number, o2: number, len: number): boolean {
  for (let i = 0; i < len >> 3; i++) if (b[o1 + i] !== b[o2 + i]) return false;
  return true;
}

/**
 * Streams a capture file (or `-`) and returns the prefixes it shows. Reading errors are those of
 * `readCapture` (CaptureFormatError and friends).
 */
export async function discoverPref64(capturePath: string, opts: ReadOptions = {}): Promise<DiscoveredPrefix[]> {
  const dec = new PacketDecoder();
  const d = new Pref64Discovery();
  await readCapture(capturePath, (p) => {
    dec.decode(p.data, p.offset, p.caplen, p.linkType);
    d.observe(dec, p.number);
  }, opts);
  return d.prefixes();
}
