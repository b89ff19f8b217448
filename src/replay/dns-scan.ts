/**
 * A tight scan for DNS over UDP, for the DNS64 passes: the packets of the plainest shape
 * (Ethernet without VLAN tags, raw IP, Linux SLL; IPv4 without fragmentation, IPv6 without extension
 * headers; UDP) are read with a few byte loads, no layer decoding. It finds exactly the DNS
 * message {@link PacketDecoder} (lean) finds in such a packet; anything else says "decode it"
 * (the caller then runs the decoder, which keeps its state, e.g. TCP reassembly, whole).
 */
import { LinkType } from '../pcap/linktype.js';
import { DNS_PORT } from '../wire/layer-decoder.js';

export const Scan = {
  /** Not a DNS packet (UDP on other ports, or a UDP/53 packet with no message in it). */
  None: 0,
  /** One DNS message over UDP: {@link DnsScan.msgOff}, {@link DnsScan.msgLen}, ports. */
  Udp: 1,
  /** Another shape: decode it. */
  Decode: 2,
} as const;

export class DnsScan {
  msgOff = 0;
  msgLen = 0;
  sport = 0;
  dport = 0;

  scan(b: Uint8Array, off: number, caplen: number, linkType: number): number {
    const end = off + caplen;
    let ip: number;
    switch (linkType) {
      case LinkType.ETHERNET: {
        if (caplen < 14) return Scan.Decode;
        const et = (b[off + 12] << 8) | b[off + 13];
        if (et !== 0x0800 && et !== 0x86dd) return Scan.Decode;
        ip = off + 14;
        break;
      }
      case LinkType.RAW:
        ip = off;
        break;
      default:
        return Scan.Decode;
    }
    const len = end - ip;
    if (len < 20) return Scan.Decode;
    const vi = b[ip];
    let l4: number;
    let cap: number;
    if (vi >> 4 === 4) {
      if ((linkType === LinkType.ETHERNET && b[off + 12] !== 0x08) || b[ip + 9] !== 17) return Scan.Decode;
      const hl = (vi & 0x0f) * 4;
      const tl = (b[ip + 2] << 8) | b[ip + 3];
      // Fragments (MF or an offset), a zero or short total length, a header past the capture: decode.
      if (hl < 20 || hl > len || tl < hl || tl === 0 || ((b[ip + 6] & 0x3f) | b[ip + 7]) !== 0) return Scan.Decode;
      l4 = ip + hl;
      cap = (tl > len ? len : tl) - hl;
    } else if (vi >> 4 === 6) {
      if ((linkType === LinkType.ETHERNET && b[off + 12] !== 0x86) || len < 40 || b[ip + 6] !== 17) return Scan.Decode;
      const pl = (b[ip + 4] << 8) | b[ip + 5];
      if (pl === 0) return Scan.Decode;
      l4 = ip + 40;
      cap = pl < len - 40 ? pl : len - 40;
    } else return Scan.Decode;
    if (cap < 8) return Scan.Decode;
    const sport = (b[l4] << 8) | b[l4 + 1];
    const dport = (b[l4 + 2] << 8) | b[l4 + 3];
    if (sport !== DNS_PORT && dport !== DNS_PORT) return Scan.None;
    const ulen = (b[l4 + 4] << 8) | b[l4 + 5];
    const dlen = (ulen >= 8 && ulen < cap ? ulen : cap) - 8;
    if (dlen < 12) return Scan.None;
    this.msgOff = l4 + 8;
    this.msgLen = dlen;
    this.sport = sport;
    this.dport = dport;
    return Scan.Udp;
  }
}
