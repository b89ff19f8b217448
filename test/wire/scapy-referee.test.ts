/**
 * Scapy as referee: packets Scapy builds (test/referee/scapy_vectors.py, checksums by Scapy)
 * decode to the fields Scapy says they have, with good checksums where Scapy computed them.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson } from '../../src/replay/describe.js';
import { newPacket } from '../../src/pcap/packet.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { requireReferee, SCAPY_PYTHON } from '../helpers/referees.js';

interface Vector { name: string; link: string; hex: string; fields: Record<string, unknown> }
let vectors: Vector[] = [];

beforeAll(() => {
  const py = requireReferee('python3-scapy', SCAPY_PYTHON);
  const script = fileURLToPath(new URL('../referee/scapy_vectors.py', import.meta.url));
  vectors = JSON.parse(execFileSync(py, [script], { encoding: 'utf8' }));
});

const LINKS: Record<string, number> = { raw: LinkType.RAW, ethernet: LinkType.ETHERNET, 'linux-sll': LinkType.LINUX_SLL };

function decode(v: Vector) {
  const bytes = Buffer.from(v.hex, 'hex');
  const d = new PacketDecoder();
  const p = newPacket();
  Object.assign(p, { data: bytes, offset: 0, caplen: bytes.length, origLen: bytes.length, linkType: LINKS[v.link], number: 1 });
  d.decode(bytes, 0, bytes.length, p.linkType);
  return { d, j: packetJson(p, d) as Record<string, any> };
}

describe('decoder vs Scapy', () => {
  it('has the reference vectors', () => {
    expect(vectors.length).toBeGreaterThanOrEqual(20);
  });

  it('every vector decodes to Scapy\'s fields', () => {
    for (const v of vectors) {
      const { d, j } = decode(v);
      const f = v.fields;
      const ctx = v.name;
      expect(j.src, ctx).toBe(f.src);
      expect(j.dst, ctx).toBe(f.dst);
      if (f.proto !== undefined) expect(j.proto, ctx).toBe(f.proto);
      if (f.ttl !== undefined) expect(j.ttl, ctx).toBe(f.ttl);
      if (f.sport !== undefined) expect(j.sport, ctx).toBe(f.sport);
      if (f.dport !== undefined) expect(j.dport, ctx).toBe(f.dport);
      if (f.tcpFlags !== undefined) expect(j.tcpFlags, ctx).toBe(f.tcpFlags);
      if (f.mss !== undefined) expect(d.tcp.mss, ctx).toBe(f.mss);
      if (f.ws !== undefined) expect(d.tcp.windowScale, ctx).toBe(f.ws);
      if (f.icmpType !== undefined) expect(j.icmpType, ctx).toBe(f.icmpType);
      if (f.icmpCode !== undefined) expect(j.icmpCode, ctx).toBe(f.icmpCode);
      if (f.icmpId !== undefined) expect(j.icmpId, ctx).toBe(f.icmpId);
      if (f.mtu !== undefined) expect(j.mtu, ctx).toBe(f.mtu);
      if (f.innerSrc !== undefined) expect(j.inner?.src, ctx).toBe(f.innerSrc);
      if (f.innerDst !== undefined) expect(j.inner?.dst, ctx).toBe(f.innerDst);
      if (f.innerSport !== undefined) expect(j.inner?.sport, ctx).toBe(f.innerSport);
      if (f.innerDport !== undefined) expect(j.inner?.dport, ctx).toBe(f.innerDport);
      if (f.fragId !== undefined) expect(j.fragment, ctx).toEqual({ id: f.fragId, offset: f.fragOffset, more: f.fragMore });
      if (f.vlan !== undefined) expect(d.eth.outerVlan, ctx).toBe(f.vlan);
      if (f.innerVlan !== undefined) expect(d.eth.innerVlan, ctx).toBe(f.innerVlan);
      if (f.dnsId !== undefined) {
        expect(j.dns?.id, ctx).toBe(f.dnsId);
        expect(j.dns?.questions[0].name, ctx).toBe(f.qname);
        expect(j.dns?.questions[0].type, ctx).toBe(f.qtype);
        if (f.answer !== undefined) expect(j.dns?.answers[0].data, ctx).toBe(f.answer);
      }
      // Scapy computed every checksum it was not told to spoil.
      const expectedL4 = (f.l4checksum as string | undefined) ?? (j.fragment ? 'none' : 'good');
      if (j.proto !== 6 && j.proto !== 17 && j.proto !== 1 && j.proto !== 58) continue;
      expect(j.checksums.l4, ctx).toBe(expectedL4);
      if (j.ipVersion === 4) expect(j.checksums.ip, ctx).toBe('good');
      else expect(j.checksums.ip, ctx).toBe('none');
    }
  });

  it('embedded IPv4 addresses under 64:ff9b::/96 are shown', () => {
    const v = vectors.find((x) => x.name === 'v6-tcp-syn')!;
    const { j } = decode(v);
    expect(j.dstIpv4).toBe('198.51.100.7');
    expect(j.srcIpv4).toBeNull();
  });

  it('a truncated copy of every vector never throws and reports a problem', () => {
    for (const v of vectors) {
      const full = Buffer.from(v.hex, 'hex');
      for (let cut = 0; cut < full.length; cut++) {
        const d = new PacketDecoder();
        const b = full.subarray(0, cut);
        expect(() => d.decode(b, 0, b.length, LINKS[v.link])).not.toThrow();
        if (cut < 20) expect(d.problemCount, `${v.name} cut at ${cut}`).toBeGreaterThan(0);
      }
    }
  });
});
