import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { KeyTable } from '../../../src/xlat/nat64/key-table.js';

describe('KeyTable (the NAT64 tables index)', () => {
  it('stores, finds, replaces and deletes by integer triples, including 32-bit unsigned keys', () => {
    const t = new KeyTable();
    t.set(0xc0000201, 65535, 0, 10);
    t.set(0xc0000201, 65534, 0, 0); // (0 is a value like any other: the slot stores it + 1)
    t.set(1, 2, 3, 30);
    expect(t.get(0xc0000201, 65535, 0)).toBe(10);
    expect(t.get(0xc0000201 | 0, 65535, 0)).toBe(10); // signed and unsigned forms are one key
    expect(t.get(0xc0000201, 65534, 0)).toBe(0);
    expect(t.has(0xc0000201, 65534, 0)).toBe(true);
    expect(t.get(1, 2, 3)).toBe(30);
    expect(t.get(1, 2, 4)).toBe(-1);
    expect(t.has(1, 2, 4)).toBe(false);
    t.set(1, 2, 3, 0x7ffffffd);
    expect(t.size).toBe(3);
    expect(t.get(1, 2, 3)).toBe(0x7ffffffd);
    expect(t.delete(0xc0000201, 65535, 0)).toBe(10);
    expect(t.delete(0xc0000201, 65535, 0)).toBe(-1);
    expect(t.size).toBe(2);
    expect(t.values().sort((x, y) => x - y)).toEqual([0, 0x7ffffffd]);
  });

  it('behaves like a Map under any sequence of sets and deletes (collisions, growth, backward shift)', () => {
    const op = fc.record({ del: fc.boolean(), a: fc.integer({ min: 0, max: 7 }), b: fc.integer({ min: 0, max: 300 }), c: fc.constantFrom(0, 1, 0xffffffff) });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 600 }), (ops) => {
        const t = new KeyTable();
        const m = new Map<string, number>();
        ops.forEach((o, i) => {
          const k = `${o.a},${o.b},${o.c | 0}`;
          if (o.del) {
            expect(t.delete(o.a, o.b, o.c)).toBe(m.get(k) ?? -1);
            m.delete(k);
          } else {
            t.set(o.a, o.b, o.c, i);
            m.set(k, i);
          }
        });
        expect(t.size).toBe(m.size);
        for (const [k, v] of m) {
          const [a, b, c] = k.split(',').map(Number);
          expect(t.get(a, b, c)).toBe(v);
        }
        expect(t.values().sort((x, y) => x - y)).toEqual([...m.values()].sort((x, y) => x - y));
      }),
      { numRuns: 300 },
    );
  });
});
