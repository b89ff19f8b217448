import { describe, expect, it } from 'vitest';
import { NameTable } from '../../../src/xlat/dns64/name-table.js';
import { mulberry } from '../../helpers/fixtures.js';

/** A name in wire format (labels, no root byte), as a packet carries it. */
function wire(name: string): Uint8Array {
  const out: number[] = [];
  for (const l of name.split('.')) out.push(l.length, ...Buffer.from(l, 'latin1'));
  return Uint8Array.from(out);
}

/** The engine's hash of a name (any function of the lowercased bytes will do for the table). */
function hash(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const c of b) h = Math.imul(h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c), 0x01000193);
  return h & 0x3fffffff;
}

describe('NameTable', () => {
  it('finds what was added, case-insensitively, and nothing else', () => {
    const t = new NameTable<string>();
    const names = ['example.com', 'www.example.com', 'a.b', 'ab', 'EXAMPLE.net'];
    for (const n of names) {
      const b = wire(n);
      expect(t.find(hash(b), b, 0, b.length)).toBeNull();
      t.add(hash(b), b, 0, b.length, n);
    }
    for (const n of names) {
      for (const v of [n, n.toUpperCase(), n.toLowerCase()]) {
        const b = wire(v);
        expect(t.find(hash(b), b, 0, b.length)).toBe(n);
      }
    }
    // Same letters, other label cuts; a prefix; a longer name.
    for (const n of ['exa.mple.com', 'example.co', 'example.comm', 'b.a', 'wwwexample.com']) {
      const b = wire(n);
      expect(t.find(hash(b), b, 0, b.length)).toBeNull();
    }
    expect(t.size).toBe(5);
  });

  it('reads the name in place, inside a larger buffer', () => {
    const t = new NameTable<number>();
    const b = wire('host.example');
    const buf = new Uint8Array(100).fill(0x41);
    buf.set(b, 37);
    t.add(hash(b), buf, 37, 37 + b.length, 7);
    expect(t.find(hash(b), b, 0, b.length)).toBe(7);
    buf.fill(0, 37, 37 + b.length); // the table kept its own copy
    expect(t.find(hash(b), b, 0, b.length)).toBe(7);
  });

  it('keeps every record through growth, with colliding hashes (linear probing)', () => {
    const t = new NameTable<number>();
    const rnd = mulberry(7);
    const names: string[] = [];
    for (let i = 0; i < 50000; i++) names.push(`h${i}-${Math.floor(rnd() * 1e9).toString(36)}.zone${i % 97}.example`);
    // Half of them with a hash forced into 64 values: long probe runs across the rehashes.
    const h = (b: Uint8Array, i: number) => (i % 2 ? hash(b) : hash(b) & 63);
    names.forEach((n, i) => {
      const b = wire(n);
      t.add(h(b, i), b, 0, b.length, i);
    });
    expect(t.size).toBe(50000);
    expect(t.recs[12345]).toBe(12345);
    names.forEach((n, i) => {
      const b = wire(n.toUpperCase());
      expect(t.find(h(b, i), b, 0, b.length)).toBe(i);
    });
    const b = wire('absent.example');
    expect(t.find(hash(b) & 63, b, 0, b.length)).toBeNull();
  });
});
