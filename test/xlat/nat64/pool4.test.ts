import { describe, it, expect } from 'vitest';
import { Pool4, Proto } from '../../../src/xlat/nat64/pool4.js';

const A = 0xc0000201; // 192.0.2.1
const entry = (len: number, portMin: number, portMax: number, protocols: ('tcp' | 'udp' | 'icmp')[] = ['tcp', 'udp', 'icmp']) =>
  ({ prefix: { addr: A, len }, portMin, portMax, protocols });


/** pool4's UsedSet over `addr * 65536 + port` keys, as the tests record allocations. */
class UsedKeys extends Set<number> {
  has4(addr: number, port: number): boolean {
    return this.has(addr * 65536 + port);
  }
}

describe('pool4 allocation (RFC 6146 §3.5.1.1, RFC 4787)', () => {
  it('keeps the port range: 0-1023 stays 0-1023, 1024-65535 stays there', () => {
    const p = new Pool4([entry(32, 1, 65535)]);
    const used = new UsedKeys();
    for (let port = 1; port < 1024; port += 37) {
      const k = p.allocate(Proto.Udp, 12345, port, used);
      expect(k % 65536).toBeLessThan(1024);
    }
    for (let port = 1024; port < 65536; port += 997) {
      const k = p.allocate(Proto.Udp, 12345, port, used);
      expect(k % 65536).toBeGreaterThanOrEqual(1024);
    }
  });
  it('keeps the parity', () => {
    const p = new Pool4([entry(32, 1024, 65535)]);
    for (let port = 1024; port < 1100; port++) expect(p.allocate(Proto.Tcp, port * 7, port, new UsedKeys()) % 2).toBe(port % 2);
  });
  it('is deterministic and probes linearly past used ports', () => {
    const p = new Pool4([entry(32, 2000, 2009)]);
    const used = new UsedKeys();
    const got: number[] = [];
    for (let i = 0; i < 5; i++) {
      const k = p.allocate(Proto.Udp, 99, 40000, used);
      expect(k).toBeGreaterThan(0);
      used.add(k);
      got.push(k % 65536);
    }
    expect(got.every((x) => x % 2 === 0)).toBe(true);
    expect(new Set(got).size).toBe(5);
    // Same sequence again -> same ports.
    const used2 = new UsedKeys();
    const again = got.map(() => { const k = p.allocate(Proto.Udp, 99, 40000, used2); used2.add(k); return k % 65536; });
    expect(again).toEqual(got);
  });
  it('falls back to the other parity, then the other range, then reports exhaustion', () => {
    const p = new Pool4([entry(32, 1000, 1025)]);
    const used = new UsedKeys();
    const ports: number[] = [];
    for (;;) {
      const k = p.allocate(Proto.Udp, 5, 1024, used);
      if (k < 0) break;
      used.add(k);
      ports.push(k % 65536);
    }
    expect(ports.slice(0, 1)).toEqual([1024]);
    expect(ports[1]).toBe(1025); // other parity, same range
    expect(ports.length).toBe(26); // then 1000..1023
    expect(p.allocate(Proto.Udp, 5, 1024, used)).toBe(-1);
  });
  it('ICMP identifiers use the whole range, several addresses', () => {
    const p = new Pool4([entry(31, 0, 1, ['icmp'])]);
    const used = new UsedKeys();
    for (let i = 0; i < 4; i++) used.add(p.allocate(Proto.Icmp, i, 7, used));
    expect(used.size).toBe(4);
    expect(p.allocate(Proto.Icmp, 1, 7, used)).toBe(-1);
    expect(p.contains(Proto.Icmp, 0xc0000200)).toBe(true);
    expect(p.contains(Proto.Tcp, 0xc0000200)).toBe(false);
  });
  it('never allocates TCP/UDP port 0', () => {
    const p = new Pool4([entry(32, 0, 1, ['udp'])]);
    const used = new UsedKeys();
    const k = p.allocate(Proto.Udp, 0, 0, used);
    expect(k % 65536).toBe(1);
    used.add(k);
    expect(p.allocate(Proto.Udp, 0, 0, used)).toBe(-1);
  });
});
