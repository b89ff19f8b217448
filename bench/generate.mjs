// The benchmark's own capture generator: a classic pcap (Ethernet, µs) of N packets, mostly IPv6
// TCP to 64:ff9b::/96, with DNS over UDP, ICMPv6 and some IPv4 -- every checksum valid.
// 256 template packets (different ports, sizes, addresses) are written with increasing timestamps.
import { buildPacket } from '../dist/src/wire/builder.js';
import { encodeDns } from '../dist/src/wire/dns.js';
import { openCaptureWriter } from '../dist/src/pcap/writer.js';
import { prng as rng } from '../dist/scripts/lib/timeline.js';

export function templates(count = 256) {
  const r = rng(1);
  const out = [];
  const link = { type: 'ethernet' };
  for (let i = 0; i < count; i++) {
    const x = r();
    const host = `2600:1f14:abc:de00::${(i % 200) + 1}`;
    const v4dst = `198.51.${100 + (i % 4)}.${(i * 7) % 250 + 1}`;
    const nat = `64:ff9b::c633:${(0x6400 + ((i * 7) % 250) + 1).toString(16)}`;
    if (x < 0.70) {
      const size = [0, 0, 40, 517, 1200, 1440][i % 6];
      const syn = size === 0 && i % 2 === 0;
      const fromServer = i % 3 === 0;
      out.push(buildPacket({ link, ip: { v: 6, src: fromServer ? nat : host, dst: fromServer ? host : nat, hopLimit: fromServer ? 230 : 64 },
        l4: { tcp: { srcPort: fromServer ? 443 : 40000 + i, dstPort: fromServer ? 40000 + i : 443, flags: syn ? 2 : 0x18, seq: i * 1000, ack: i * 77, mss: syn ? 1440 : undefined, timestamp: [i, i] } },
        payload: new Uint8Array(size).fill(i & 0xff) }));
    } else if (x < 0.80) {
      const q = i % 2 === 0;
      const name = `host${i}.example.com`;
      const msg = q ? { id: i, flags: ['RD'], questions: [{ name, type: 'AAAA' }], edns: { udpSize: 1232 } }
        : { id: i, qr: true, flags: ['QR', 'RD', 'RA'], questions: [{ name, type: 'AAAA' }], answers: [{ name, type: 'AAAA', ttl: 60, data: nat }], edns: { udpSize: 1232 } };
      out.push(buildPacket({ link, ip: { v: 6, src: q ? host : 'fd00:ec2::253', dst: q ? 'fd00:ec2::253' : host }, l4: { udp: { sport: q ? 30000 + i : 53, dport: q ? 53 : 30000 + i } }, payload: encodeDns(msg) }));
    } else if (x < 0.85) {
      out.push(buildPacket({ link, ip: { v: 6, src: host, dst: nat }, l4: { icmp6: { type: 128, code: 0, rest: (i << 16) | 1 } }, payload: new Uint8Array(56).fill(7) }));
    } else {
      const udp = i % 3 === 0;
      out.push(buildPacket({ link, ip: { v: 4, src: '10.0.1.25', dst: v4dst, id: i, df: true },
        l4: udp ? { udp: { sport: 123, dport: 123 } } : { tcp: { srcPort: 1024 + i, dstPort: 443, flags: 0x10, seq: i, ack: i } },
        payload: new Uint8Array(udp ? 48 : 100).fill(3) }));
    }
  }
  return out;
}

export async function generate(path, n) {
  const t = templates();
  const w = await openCaptureWriter(path, { format: 'pcap', linkType: 1, force: true });
  const start = 1795168800;
  for (let i = 0; i < n; i++) {
    const p = t[i & 255];
    w.write(p, 0, p.length, start + Math.floor(i / 10000), (i % 10000) * 100000);
  }
  await w.close();
}
