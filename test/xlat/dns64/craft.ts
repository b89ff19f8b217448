/** Crafting DNS query/response packets and captures for the DNS64 tests. */
import { buildPacket } from '../../../src/wire/builder.js';
import { encodeDns, type DnsMessageInput } from '../../../src/wire/dns.js';
import { openCaptureWriter } from '../../../src/pcap/writer.js';
import { LinkType } from '../../../src/pcap/linktype.js';

export const CLIENT6 = '2001:db8:1::10';
export const RESOLVER6 = '2001:db8:1::53';

let port = 40000;

/** A query and its response (UDP over IPv6, Ethernet framing), with a fresh client port and id. */
export function exchange(qname: string, qtype: string, resp: Omit<DnsMessageInput, 'questions' | 'qr' | 'id'> | null, q: { do?: boolean; cd?: boolean; udpSize?: number } = {}): Uint8Array[] {
  const sport = port++;
  const id = sport & 0xffff;
  const qflags = ['RD', ...(q.cd ? ['CD'] : [])];
  const edns = q.do || q.udpSize ? { udpSize: q.udpSize ?? 1232, do: q.do ?? false } : null;
  const link = { type: 'ethernet' as const, src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
  const query = buildPacket({ link, ip: { v: 6, src: CLIENT6, dst: RESOLVER6 }, l4: { udp: { sport, dport: 53 } },
    payload: encodeDns({ id, flags: qflags, questions: [{ name: qname, type: qtype }], edns }) });
  if (!resp) return [query];
  const rflags = resp.flags ?? ['RD', 'RA', ...(q.cd ? ['CD'] : [])];
  const r = buildPacket({ link: { type: 'ethernet', src: '02:00:00:00:00:02', dst: '02:00:00:00:00:01' }, ip: { v: 6, src: RESOLVER6, dst: CLIENT6 }, l4: { udp: { sport: 53, dport: sport } },
    payload: encodeDns({ ...resp, id, qr: true, flags: rflags, questions: [{ name: qname, type: qtype }], edns: resp.edns === undefined ? edns : resp.edns }) });
  return [query, r];
}

export async function writeCapture(path: string, pkts: Uint8Array[]): Promise<void> {
  const w = await openCaptureWriter(path, { format: path.endsWith('.pcap') ? 'pcap' : 'pcapng', linkType: LinkType.ETHERNET, force: true });
  pkts.forEach((p, i) => w.write(p, 0, p.length, 1700000000 + Math.floor(i / 10), (i % 10) * 1000, p.length, 0, null));
  await w.close();
}

export const SOA = (ttl: number, minimum: number, zone = 'example.com') => ({ name: zone, type: 'SOA', ttl, data: `ns.${zone}. host.${zone}. 1 7200 3600 1209600 ${minimum}` });

/**
 * Through a NAT64 (translate's DNS64 tests): a query from an IPv6 client to a resolver behind
 * 2001:db8:64::/96 over Ethernet, and the resolver's answer as it leaves the IPv4 side.
 */
const LINK6 = { type: 'ethernet' as const, src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
export function q6(id: number, sport: number, name: string, type: string): Uint8Array {
  return buildPacket({ link: LINK6, ip: { v: 6, src: '2001:db8:64::a00:10', dst: '2001:db8:64::808:808' }, l4: { udp: { sport, dport: 53 } }, payload: encodeDns({ id, flags: ['RD'], questions: [{ name, type }] }) });
}
export function r4(id: number, dport: number, name: string, type: string, m: Omit<DnsMessageInput, 'id' | 'questions'>): Uint8Array {
  return buildPacket({ link: { type: 'ethernet', src: '02:00:00:00:00:02', dst: '02:00:00:00:00:01' }, ip: { v: 4, src: '8.8.8.8', dst: '10.0.0.16' }, l4: { udp: { sport: 53, dport } },
    payload: encodeDns({ id, qr: true, flags: ['RD', 'RA'], questions: [{ name, type }], ...m }) });
}
