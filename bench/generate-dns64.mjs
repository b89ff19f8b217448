// The dns64 benchmark's capture: N packets of DNS over UDP/IPv6 (Ethernet, classic pcap, valid
// checksums), cycling over `names` distinct names; per name an A query, its answer (1-3 A
// records), an AAAA query and its answer (NODATA with an SOA, or, for one name in 8, a native
// AAAA). So N/4 AAAA queries are answered, and the distinct names stay fixed however large N is.
import { buildPacket } from '../dist/src/wire/builder.js';
import { encodeDns } from '../dist/src/wire/dns.js';
import { openCaptureWriter } from '../dist/src/pcap/writer.js';

export function dnsTemplates(names = 20000) {
  const out = [];
  const link = { type: 'ethernet' };
  const client = '2001:db8:10::1';
  const resolver = '2001:db8:10::53';
  for (let i = 0; i < names; i++) {
    const name = `h${i}.zone${i % 97}.example`;
    const port = 1024 + (i % 60000);
    const id = (i * 7919) & 0xffff;
    const q = (type) => buildPacket({ link, ip: { v: 6, src: client, dst: resolver }, l4: { udp: { sport: port, dport: 53 } },
      payload: encodeDns({ id, flags: ['RD'], questions: [{ name, type }], edns: { udpSize: 1232 } }) });
    const r = (type, m) => buildPacket({ link, ip: { v: 6, src: resolver, dst: client }, l4: { udp: { sport: 53, dport: port } },
      payload: encodeDns({ id, qr: true, flags: ['RD', 'RA'], questions: [{ name, type }], edns: { udpSize: 1232 }, ...m }) });
    const a = Array.from({ length: 1 + (i % 3) }, (_, k) => ({ name, type: 'A', ttl: 300, data: `${20 + (i % 200)}.${(i >> 8) & 0xff}.${i & 0xff}.${k + 1}` }));
    out.push(q('A'), r('A', { answers: a }), q('AAAA'));
    out.push(i % 8 === 0
      ? r('AAAA', { answers: [{ name, type: 'AAAA', ttl: 300, data: `2001:db8:${((i >> 16) & 0xffff).toString(16)}:${(i & 0xffff).toString(16)}::1` }] })
      : r('AAAA', { authorities: [{ name: `zone${i % 97}.example`, type: 'SOA', ttl: 900, data: `ns.zone${i % 97}.example. h.example. 1 7200 3600 1209600 60` }] }));
  }
  return out;
}

export async function generateDns64(path, n, names = 20000) {
  const t = dnsTemplates(names);
  const w = await openCaptureWriter(path, { format: 'pcap', linkType: 1, force: true });
  for (let k = 0; k < n; k++) {
    const p = t[k % t.length];
    w.write(p, 0, p.length, 1700000000 + Math.floor(k / 1000), (k % 1000) * 1000, p.length, 0, null);
  }
  await w.close();
}
