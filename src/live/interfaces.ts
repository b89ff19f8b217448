/** `live --list-interfaces`: what libpcap can capture on, with addresses and link types. */
import { readFileSync } from 'node:fs';
import { LinkType, linkTypeName } from '../pcap/linktype.js';
import type { CapModule } from './cap.js';

export interface InterfaceInfo {
  name: string;
  description: string | null;
  /** LINKTYPE_* libpcap will give the capture, or null when unknown. */
  linkType: number | null;
  link: string;
  /** `addr/prefixlen`, IPv4 first. */
  addresses: string[];
  loopback: boolean;
  /** `up`, `down`, `unknown` (tun devices report unknown when up), or null (pseudo-devices). */
  state: string | null;
}

/** ARPHRD_* (include/uapi/linux/if_arp.h) -> the link type libpcap gives (pcap-linux.c). */
const ARPHRD: Record<number, number> = {
  1: LinkType.ETHERNET, // ETHER
  772: LinkType.ETHERNET, // LOOPBACK: libpcap presents it as Ethernet
  65534: LinkType.RAW, // NONE: tun devices (TAYGA's nat64)
  768: LinkType.RAW, // TUNNEL (ipip)
  769: LinkType.RAW, // TUNNEL6
  776: LinkType.RAW, // SIT
  778: LinkType.RAW, // IPGRE
  823: LinkType.RAW, // IP6GRE
  512: LinkType.LINUX_SLL, // PPP: cooked
  280: LinkType.LINUX_SLL, // CAN ... cooked
};

/** libpcap's pseudo-devices (by name prefix) and their link types. */
const PSEUDO: Record<string, number> = { nflog: 239, nfqueue: 240, dbus: 231, bluetooth: 254, usbmon: 220 };

function sysfs(name: string, file: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${name}/${file}`, 'utf8').trim();
  } catch {
    return null;
  }
}

function prefixLen(mask: string | undefined): number | null {
  if (!mask) return null;
  let bits = 0;
  if (mask.includes(':')) {
    for (const g of mask.split(':')) if (g) bits += (parseInt(g, 16) >>> 0).toString(2).replace(/0/g, '').length;
    return bits;
  }
  for (const o of mask.split('.')) bits += (Number(o) >>> 0).toString(2).replace(/0/g, '').length;
  return bits;
}

export function listInterfaces(cap: CapModule): InterfaceInfo[] {
  return cap.Cap.deviceList().map((d) => {
    const type = sysfs(d.name, 'type');
    let linkType: number | null = null;
    if (d.name === 'any') linkType = LinkType.LINUX_SLL;
    else if (PSEUDO[d.name.replace(/-.*$/, '')] !== undefined) linkType = PSEUDO[d.name.replace(/-.*$/, '')];
    else if (type !== null) linkType = ARPHRD[Number(type)] ?? null;
    const v4 = d.addresses.filter((a) => a.addr && !a.addr.includes(':'));
    const v6 = d.addresses.filter((a) => a.addr && a.addr.includes(':'));
    const addresses = [...v4, ...v6].map((a) => {
      const l = prefixLen(a.netmask);
      return l === null ? (a.addr as string) : `${a.addr}/${l}`;
    });
    return {
      name: d.name,
      description: d.description ?? null,
      linkType,
      link: linkType === null ? (type === null ? 'unknown' : `arphrd-${type}`) : linkTypeName(linkType),
      addresses,
      loopback: d.flags === 'PCAP_IF_LOOPBACK',
      state: sysfs(d.name, 'operstate'),
    };
  });
}

/** One line per interface: name, link type, state, addresses (or the description). */
export function interfaceLines(list: InterfaceInfo[]): string[] {
  const w = Math.max(4, ...list.map((i) => i.name.length));
  const lw = Math.max(4, ...list.map((i) => i.link.length));
  return list.map((i) => {
    const rest = i.addresses.length ? i.addresses.join(' ') : i.description ? `(${i.description})` : '';
    return `${i.name.padEnd(w)}  ${i.link.padEnd(lw)}  ${(i.state ?? '-').padEnd(7)}  ${rest}`.trimEnd();
  });
}
