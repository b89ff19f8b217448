/**
 * Finding the IP packet inside a frame, and putting a (translated) IP packet back into a frame of
 * the same link type: Ethernet stays Ethernet with its addresses and only the EtherType changed,
 * raw stays raw (SPEC §4).
 */
import { LinkType } from '../pcap/linktype.js';
import { EthernetView, EtherType } from './ethernet.js';
import { SllView } from './sll.js';
import { NullView } from './null.js';

export class LinkLocator {
  private readonly eth = new EthernetView();
  private readonly sll = new SllView();
  private readonly nul = new NullView();
  /** Offset of the IP header and its version (0 = not IP / not decodable). */
  ipOff = 0;
  ipVersion = 0;
  /** Bytes of link-layer header before the IP packet. */
  linkLen = 0;

  /** Returns the IP version found (0 when the frame carries no IPv4/IPv6). */
  locate(bytes: Uint8Array, off: number, caplen: number, linkType: number): number {
    if (linkType === LinkType.ETHERNET && caplen > 14) {
      // The common frame, untagged IPv4 / IPv6 (what the general case below finds for it).
      const et = (bytes[off + 12] << 8) | bytes[off + 13];
      const v = et === EtherType.IPV4 ? 4 : et === EtherType.IPV6 ? 6 : 0;
      if (v !== 0 && bytes[off + 14] >> 4 === v) {
        this.ipOff = off + 14;
        this.ipVersion = v;
        this.linkLen = 14;
        return v;
      }
    }
    this.ipOff = off;
    this.ipVersion = 0;
    this.linkLen = 0;
    let p = off;
    let v = 0;
    switch (linkType) {
      case LinkType.ETHERNET:
        if (this.eth.reset(bytes, off, caplen) !== 0) return 0;
        p = this.eth.payloadOff;
        v = this.eth.etherType === EtherType.IPV4 ? 4 : this.eth.etherType === EtherType.IPV6 ? 6 : 0;
        break;
      case LinkType.LINUX_SLL:
      case LinkType.LINUX_SLL2:
        if (this.sll.reset(bytes, off, caplen, linkType === LinkType.LINUX_SLL ? 1 : 2) !== 0) return 0;
        p = this.sll.payloadOff;
        v = this.sll.protocol === EtherType.IPV4 ? 4 : this.sll.protocol === EtherType.IPV6 ? 6 : 0;
        break;
      case LinkType.NULL:
      case LinkType.LOOP:
        if (this.nul.reset(bytes, off, caplen, linkType === LinkType.LOOP) !== 0) return 0;
        p = this.nul.payloadOff;
        v = this.nul.ipVersion;
        break;
      case LinkType.RAW:
      case 12:
      case 14:
        v = caplen > 0 ? bytes[off] >> 4 : 0;
        break;
      case LinkType.IPV4:
        v = 4;
        break;
      case LinkType.IPV6:
        v = 6;
        break;
      default:
        return 0;
    }
    if (v !== 4 && v !== 6) return 0;
    if (p >= off + caplen || bytes[p] >> 4 !== v) return 0;
    this.ipOff = p;
    this.ipVersion = v;
    this.linkLen = p - off;
    return v;
  }
}

/** The link type an output interface for `family` gets when the input's was `linkType`. */
export function outputLinkType(linkType: number, family: 4 | 6): number {
  if (linkType === LinkType.IPV4 || linkType === LinkType.IPV6) return family === 4 ? LinkType.IPV4 : LinkType.IPV6;
  if (linkType === 12 || linkType === 14) return LinkType.RAW;
  return linkType;
}

/**
 * Writes a link-layer header for an IP packet of `family` into out[0..), modelled on `template`
 * (the input frame's header, `templateLen` bytes, of `linkType`). `reverse` swaps the Ethernet
 * addresses (a packet sent back towards the input's source, e.g. an ICMP error). Returns the
 * header length.
 */
export function writeLinkHeader(out: Uint8Array, template: Uint8Array, templateOff: number, templateLen: number, linkType: number, family: 4 | 6, reverse: boolean): number {
  switch (linkType) {
    case LinkType.ETHERNET: {
      for (let i = 0; i < templateLen; i++) out[i] = template[templateOff + i];
      if (reverse) {
        for (let i = 0; i < 6; i++) {
          out[i] = template[templateOff + 6 + i];
          out[6 + i] = template[templateOff + i];
        }
      }
      const et = family === 4 ? EtherType.IPV4 : EtherType.IPV6;
      out[templateLen - 2] = et >> 8;
      out[templateLen - 1] = et & 0xff;
      return templateLen;
    }
    case LinkType.LINUX_SLL:
    case LinkType.LINUX_SLL2: {
      for (let i = 0; i < templateLen; i++) out[i] = template[templateOff + i];
      const et = family === 4 ? EtherType.IPV4 : EtherType.IPV6;
      const p = linkType === LinkType.LINUX_SLL ? 14 : 0;
      out[p] = et >> 8;
      out[p + 1] = et & 0xff;
      if (reverse) {
        // An outgoing packet becomes an incoming one and back (sll_pkttype 4 <-> 0).
        const t = linkType === LinkType.LINUX_SLL ? 1 : 10;
        if (out[t] === 4) out[t] = 0;
        else if (out[t] === 0) out[t] = 4;
      }
      return templateLen;
    }
    case LinkType.NULL:
    case LinkType.LOOP: {
      // AF_INET is 2 everywhere; AF_INET6 differs by OS: keep the template's when it is IPv6, else 24 (BSD).
      const tfam = linkType === LinkType.LOOP
        ? (template[templateOff + 2] << 8) | template[templateOff + 3]
        : Math.min(template[templateOff] | (template[templateOff + 1] << 8), (template[templateOff + 2] << 8) | template[templateOff + 3]);
      const fam = family === 4 ? 2 : tfam !== 2 ? tfam : 24;
      if (linkType === LinkType.LOOP) {
        out[0] = 0; out[1] = 0; out[2] = fam >> 8; out[3] = fam & 0xff;
      } else {
        out[0] = fam & 0xff; out[1] = fam >> 8; out[2] = 0; out[3] = 0;
      }
      return 4;
    }
    default:
      return 0;
  }
}
