/**
 * Construct: the project's builder (and so every emit*) produces the bytes Scapy produces for the
 * same packets, checksums included (vectors from test/referee/scapy_vectors.py).
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildPacket, type PacketSpec } from '../../src/wire/builder.js';
import { requireReferee, SCAPY_PYTHON } from '../helpers/referees.js';

let byName = new Map<string, string>();
beforeAll(() => {
  const py = requireReferee('python3-scapy', SCAPY_PYTHON);
  const script = fileURLToPath(new URL('../referee/scapy_vectors.py', import.meta.url));
  const v = JSON.parse(execFileSync(py, [script], { encoding: 'utf8' })) as { name: string; hex: string }[];
  byName = new Map(v.map((x) => [x.name, x.hex]));
});

const H6 = '2600:1f14:abc:de00::10';
const R6 = '64:ff9b::c633:6407';
const ntp = new Uint8Array(48);
ntp[0] = 0x23;

const SPECS: Record<string, PacketSpec> = {
  'v6-tcp-syn': { ip: { v: 6, src: H6, dst: R6, hopLimit: 64 }, l4: { tcp: { srcPort: 49152, dstPort: 443, flags: 2, seq: 1000, window: 65535, mss: 1440, sackPermitted: true, timestamp: [1, 0], windowScale: 7 } } },
  'v6-udp-ntp': { ip: { v: 6, src: H6, dst: '64:ff9b::cb00:717b', hopLimit: 63 }, l4: { udp: { sport: 123, dport: 123 } }, payload: ntp },
  'v4-tcp-synack': { ip: { v: 4, src: '198.51.100.7', dst: '10.0.1.25', ttl: 52, id: 0x1234, df: true }, l4: { tcp: { srcPort: 443, dstPort: 1025, flags: 0x12, seq: 5, ack: 1001, window: 26883, mss: 1460 } } },
  'v6-icmp-echo': { ip: { v: 6, src: H6, dst: '64:ff9b::c000:201' }, l4: { icmp6: { type: 128, code: 0, rest: (0x77 << 16) | 3 } }, payload: 'abcdefgh' },
  'v4-icmp-echo-reply': { ip: { v: 4, src: '192.0.2.1', dst: '10.0.1.25', ttl: 250, id: 1 }, l4: { icmp4: { type: 0, code: 0, rest: (0x77 << 16) | 3 } }, payload: 'abcdefgh' },
  'eth-vlan-v4-udp': { link: { type: 'ethernet', src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02', vlans: [100] }, ip: { v: 4, src: '10.0.1.25', dst: '203.0.113.123', id: 1 }, l4: { udp: { sport: 123, dport: 123 } }, payload: ntp },
  'v6-frag-second': { ip: { v: 6, src: H6, dst: R6, ext: [{ type: 'frag', offset: 1232, more: false, id: 0xabcdef01 }] }, l4: { proto: 17 }, payload: 'y'.repeat(776) },
  'v4-udp-zerosum': { ip: { v: 4, src: '10.0.1.25', dst: '198.51.100.7', id: 1 }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'abc', l4Checksum: 'zero' },
  'v6-ext-chain': { ip: { v: 6, src: H6, dst: R6, ext: [{ type: 'hbh' }, { type: 'dst' }] }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'hi' },
};

describe('builder vs Scapy bytes', () => {
  for (const [name, spec] of Object.entries(SPECS)) {
    it(name, () => {
      const ref = byName.get(name);
      expect(ref, `vector ${name} missing`).toBeDefined();
      expect(Buffer.from(buildPacket(spec)).toString('hex')).toBe(ref);
    });
  }
});
