/**
 * How many packets libpcap's kernel ring holds on an interface, as libpcap sizes it in the
 * immediate mode the cap binding always sets (TPACKET_V2, pcap-linux.c `create_ring`): one fixed
 * slot per packet, sized for the largest frame the interface can hand over — the MTU + 18 on
 * Ethernet, but 65535 + 18 as soon as any offload (TSO, GSO, GRO, LRO, UFO) is on, since the
 * kernel then delivers aggregates up to 64 KiB — and at most cap's snaplen (65535). A slot of
 * 64 KiB takes a 128 KiB block: a 256 MiB buffer then holds ~2000 packets, and a burst longer
 * than that is dropped by the kernel. With offloads off and a 1500-byte MTU the same buffer holds
 * ~131,000. `live` says so at start (`kernelRingNote`) when the ring is small.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { LinkType } from '../pcap/linktype.js';

const CAP_SNAPLEN = 65535;
const PAGE = 4096;
const align16 = (n: number): number => (n + 15) & ~15;

/** Packets a TPACKET_V2 ring of `bufferBytes` holds for frames up to `maxFrame` bytes (Ethernet). */
export function ringPackets(bufferBytes: number, maxFrame: number): { slot: number; packets: number } {
  // tpacket2_hdr (32) + sockaddr_ll (20), aligned; room for a 14-byte MAC header padded to 16,
  // plus 4 for a VLAN tag libpcap may reinsert.
  const hdr = align16(32) + 20;
  const netoff = align16(hdr + 16) + 4;
  const macoff = netoff - 14;
  const slot = align16(macoff + Math.min(CAP_SNAPLEN, maxFrame));
  let block = PAGE;
  while (block < slot) block *= 2;
  const perBlock = Math.floor(block / slot);
  return { slot, packets: Math.floor(bufferBytes / block) * perBlock };
}

const OFFLOADS: [string, string][] = [
  ['tcp-segmentation-offload', 'tso'],
  ['generic-segmentation-offload', 'gso'],
  ['generic-receive-offload', 'gro'],
  ['large-receive-offload', 'lro'],
  ['udp-fragmentation-offload', 'ufo'],
];

/** The offloads on (short names), or null when they cannot be read (no ethtool). */
export function offloadsOn(iface: string): string[] | null {
  const r = spawnSync('ethtool', ['-k', iface], { encoding: 'utf8', timeout: 2000 });
  if (r.error || r.status !== 0) return null;
  return OFFLOADS.filter(([k]) => new RegExp(`^${k}: on`, 'm').test(r.stdout)).map(([, s]) => s);
}

function mtuOf(iface: string): number | null {
  try {
    const n = Number(readFileSync(`/sys/class/net/${iface}/mtu`, 'utf8').trim());
    return Number.isFinite(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** Below this many packets the ring is said to be small. */
const SMALL = 16384;

/**
 * A note for stderr when libpcap's ring on `iface` holds few packets (what to change), or null
 * (ring large, not Ethernet, or the state cannot be read).
 */
export function kernelRingNote(iface: string, linkType: number, bufferBytes: number): string | null {
  if (process.platform !== 'linux' || linkType !== LinkType.ETHERNET) return null;
  const mtu = mtuOf(iface);
  const off = offloadsOn(iface);
  if (mtu === null || off === null) return null;
  const frame = (off.length ? Math.max(mtu, 65535) : mtu) + 18;
  const now = ringPackets(bufferBytes, frame);
  if (now.packets >= SMALL) return null;
  const fixedMtu = Math.min(mtu, 1500);
  const better = ringPackets(bufferBytes, fixedMtu + 18);
  const why = [off.length ? `offloads on (${off.join(', ')})` : '', mtu + 18 > 4096 ? `MTU ${mtu}` : ''].filter(Boolean).join(' and ');
  const fix = [off.length ? `ethtool -K ${iface} ${off.filter((o) => o !== 'lro' && o !== 'ufo').map((o) => `${o} off`).join(' ')}` : '', mtu + 18 > 4096 ? `ip link set ${iface} mtu ${fixedMtu}` : ''].filter(Boolean).join('; ');
  const mib = Math.round(bufferBytes / 1048576);
  return `live: ${iface}: ${why}: libpcap's kernel ring gives each packet a ${Math.round(now.slot / 1024)} KiB slot, so -B ${mib} holds about ${now.packets.toLocaleString('en-US')} packets and a longer burst is dropped by the kernel; for high rates: ${fix} (about ${better.packets.toLocaleString('en-US')} packets)`;
}
