/**
 * The DNS64 passes' byte scan (`src/replay/dns-scan.ts`) must find exactly the DNS message the
 * lean PacketDecoder finds, or say "decode it": checked on every packet of every fixture capture
 * and on crafted shapes (trailers, short and long UDP lengths, truncation, fragments, extension
 * headers, VLAN tags, IPv4 options, other ports, short payloads, zero lengths, link types).
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DnsScan, Scan } from '../../src/replay/dns-scan.js';
import { PacketDecoder, L4 } from '../../src/wire/layer-decoder.js';
import { readCapture } from '../../src/pcap/reader.js';
import { buildPacket, linkTypeOf, type PacketSpec } from '../../src/wire/builder.js';
import { encodeDns } from '../../src/wire/dns.js';

const scan = new DnsScan();
const dec = new PacketDecoder({ lean: true });

/** Checks one packet; returns the scan's verdict. */
function agree(b: Uint8Array, off: number, caplen: number, linkType: number, what: string): number {
  const s = scan.scan(b, off, caplen, linkType);
  dec.decode(b, off, caplen, linkType);
  if (s === Scan.Udp) {
    expect([dec.l4, dec.dnsCount, dec.dnsOffs[0], dec.dnsLens[0], dec.sport, dec.dport], what)
      .toEqual([L4.UDP, 1, scan.msgOff, scan.msgLen, scan.sport, scan.dport]);
    expect(dec.dnsBufs[0], what).toBe(b);
  } else if (s === Scan.None) {
    expect(dec.dnsCount, what).toBe(0);
  }
  return s;
}

const dnsPayload = encodeDns({ id: 1, flags: ['RD'], questions: [{ name: 'www.example.com', type: 'AAAA' }] });

function shape(spec: Omit<PacketSpec, 'payload'> & { payload?: Uint8Array }): { b: Uint8Array; lt: number } {
  return { b: buildPacket({ payload: dnsPayload, ...spec }), lt: linkTypeOf(spec.link) };
}

describe('DnsScan agrees with the lean PacketDecoder', () => {
  it('every packet of every fixture capture', async () => {
    const files: string[] = [];
    const walk = (d: string): void => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.(pcap|pcapng)(\.gz)?$/.test(f)) files.push(p);
      }
    };
    walk('fixtures');
    const counts = [0, 0, 0];
    for (const f of files) {
      await readCapture(f, (p) => { counts[agree(p.data, p.offset, p.caplen, p.linkType, `${f} #${p.number}`)]++; }, { onWarning: () => undefined });
    }
    // Most DNS packets of the fixtures are plain UDP: the scan must take them.
    expect(counts[Scan.Udp]).toBeGreaterThan(40);
    expect(counts[Scan.None]).toBeGreaterThan(10);
  });

  it('crafted shapes', () => {
    const v6 = { v: 6 as const, src: '2001:db8::1', dst: '2001:db8::53' };
    const v4 = { v: 4 as const, src: '192.0.2.1', dst: '192.0.2.53' };
    const udp = { udp: { sport: 40000, dport: 53 } };
    const eth = { type: 'ethernet' as const };
    const cases: Array<[string, { b: Uint8Array; lt: number }, number]> = [
      ['v6 eth', shape({ link: eth, ip: v6, l4: udp }), Scan.Udp],
      ['v4 eth', shape({ link: eth, ip: v4, l4: udp }), Scan.Udp],
      ['v6 raw', shape({ link: { type: 'raw' }, ip: v6, l4: udp }), Scan.Udp],
      ['v4 raw', shape({ link: { type: 'raw' }, ip: v4, l4: udp }), Scan.Udp],
      ['response (sport 53)', shape({ link: eth, ip: v6, l4: { udp: { sport: 53, dport: 40000 } } }), Scan.Udp],
      ['other ports', shape({ link: eth, ip: v6, l4: { udp: { sport: 40000, dport: 5353 } } }), Scan.None],
      ['v4 options', shape({ link: eth, ip: { ...v4, options: [1, 1, 1, 0] }, l4: udp }), Scan.Udp],
      ['udp length short', shape({ link: eth, ip: v6, l4: { udp: { sport: 40000, dport: 53, length: 8 + 20 } } }), Scan.Udp],
      ['udp length long', shape({ link: eth, ip: v6, l4: { udp: { sport: 40000, dport: 53, length: 1000 } } }), Scan.Udp],
      ['udp length < 8', shape({ link: eth, ip: v4, l4: { udp: { sport: 40000, dport: 53, length: 3 } } }), Scan.Udp],
      ['payload < 12', shape({ link: eth, ip: v6, l4: udp, payload: new Uint8Array(11) }), Scan.None],
      ['empty payload', shape({ link: eth, ip: v6, l4: udp, payload: new Uint8Array(0) }), Scan.None],
      ['v4 total length short (trailer)', shape({ link: eth, ip: { ...v4, totalLength: 20 + 8 + 14 }, l4: udp }), Scan.Udp],
      ['v4 total length long', shape({ link: eth, ip: { ...v4, totalLength: 1400 }, l4: udp }), Scan.Udp],
      ['v4 total length zero', shape({ link: eth, ip: { ...v4, totalLength: 0 }, l4: udp }), Scan.Decode],
      ['v6 payload length short', shape({ link: eth, ip: { ...v6, payloadLength: 8 + 14 }, l4: udp }), Scan.Udp],
      ['v6 payload length long', shape({ link: eth, ip: { ...v6, payloadLength: 1400 }, l4: udp }), Scan.Udp],
      ['v6 jumbo (0)', shape({ link: eth, ip: { ...v6, payloadLength: 0 }, l4: udp }), Scan.Decode],
      ['v4 first fragment', shape({ link: eth, ip: { ...v4, mf: true, id: 9 }, l4: udp }), Scan.Decode],
      ['v4 later fragment', shape({ link: eth, ip: { ...v4, fragOffset: 64, id: 9 }, l4: udp }), Scan.Decode],
      ['v6 fragment header', shape({ link: eth, ip: { ...v6, ext: [{ type: 'frag', offset: 0, more: false, id: 5 }] }, l4: udp }), Scan.Decode],
      ['v6 hop-by-hop', shape({ link: eth, ip: { ...v6, ext: [{ type: 'hbh' }] }, l4: udp }), Scan.Decode],
      ['vlan', shape({ link: { type: 'ethernet', vlans: [7] }, ip: v6, l4: udp }), Scan.Decode],
      ['sll', shape({ link: { type: 'sll' }, ip: v6, l4: udp }), Scan.Decode],
      ['null', shape({ link: { type: 'null' }, ip: v4, l4: udp }), Scan.Decode],
      ['tcp', shape({ link: eth, ip: v6, l4: { tcp: { sport: 40000, dport: 53, seq: 1, ack: 0, flags: 0x18 } } as never }), Scan.Decode],
    ];
    for (const [what, { b, lt }, want] of cases) expect(agree(b, 0, b.length, lt, what), what).toBe(want);
    // Every truncation of a v4 and a v6 packet, and the same packets at an offset in a bigger buffer.
    for (const [what, { b, lt }] of [cases[0], cases[1], cases[7], cases[12]]) {
      for (let cut = 0; cut <= b.length; cut++) agree(b, 0, cut, lt, `${what} cut ${cut}`);
      const big = new Uint8Array(b.length + 10);
      big.set(b, 5);
      expect(agree(big, 5, b.length, lt, `${what} at 5`)).toBe(Scan.Udp);
    }
    // Mismatched EtherType and IP version: the decoder finds no DNS; the scan must not either.
    const mixed = shape({ link: eth, ip: v6, l4: udp });
    mixed.b[12] = 0x08;
    mixed.b[13] = 0x00;
    expect(agree(mixed.b, 0, mixed.b.length, mixed.lt, 'ethertype 0800 with an IPv6 packet')).not.toBe(Scan.Udp);
  });
});
