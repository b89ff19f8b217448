/**
 * The engine's table of queries awaiting a response (`PendingTable`: numeric hash of port and id,
 * chains, an order list) must behave exactly as the Map keyed by `${port}/${id}/${name}/${qtype}`
 * it replaced: same lookups, replacement in place, the oldest dropped beyond MAX_PENDING, the same
 * order at the end. The table keeps the queries' fields in reused nodes: what it hands back are
 * copies, compared field by field. Random operations over a small key space (ports 0x4000 apart share a hash).
 */
import { describe, it, expect } from 'vitest';
import { PendingTable, MAX_PENDING } from '../../../src/xlat/dns64/engine.js';

type Q = { n: number; name: string; qtype: 'AAAA' | 'PTR'; flags: number; doBit: boolean; udpSize: number; tcp: boolean; id: number };

class Reference {
  readonly m = new Map<string, Q>();
  add(port: number, key: string, qt: number, q: Q): void {
    if (this.m.size >= MAX_PENDING) this.m.delete(this.m.keys().next().value as string);
    this.m.set(`${port}/${q.id}/${key}/${qt}`, q);
  }
  take(port: number, id: number, key: string, qt: number): Q | null {
    const k = `${port}/${id}/${key}/${qt}`;
    const q = this.m.get(k) ?? null;
    if (q) this.m.delete(k);
    return q;
  }
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

describe('PendingTable = a Map keyed by port/id/name/qtype', () => {
  it('random adds, re-adds, takes and finds with colliding hashes; order at the end', () => {
    const r = rng(7);
    const t = new PendingTable();
    const ref = new Reference();
    const names = ['a.example', 'b.example', 'A.example'.toLowerCase(), 'c.example'];
    let n = 0;
    for (let i = 0; i < 20000; i++) {
      const port = [1024, 1024 + 0x4000, 1024 + 0x8000, 5353][Math.floor(r() * 4)];
      const id = Math.floor(r() * 4);
      const key = names[Math.floor(r() * names.length)];
      const qt = r() < 0.8 ? 28 : 12;
      const op = r();
      if (op < 0.55) {
        const q: Q = { n: ++n, name: key, qtype: qt === 28 ? 'AAAA' : 'PTR', flags: 0x100, doBit: false, udpSize: 512, tcp: false, id };
        t.add(port, key, qt, q);
        ref.add(port, key, qt, q);
      } else if (op < 0.85) {
        expect(t.take(port, id, key, qt)).toStrictEqual(ref.take(port, id, key, qt));
      } else {
        const f = t.find(port, id, key, qt);
        const fq = f === null ? null : { n: f.n, name: f.name, qtype: f.qtype, flags: f.flags, doBit: f.doBit, udpSize: f.udpSize, tcp: f.tcp, id: f.id };
        expect(fq).toStrictEqual(ref.m.get(`${port}/${id}/${key}/${qt}`) ?? null);
        if (f !== null && r() < 0.5) {
          t.remove(f);
          ref.take(port, id, key, qt);
        }
      }
      expect(t.size).toBe(ref.m.size);
    }
    expect(t.inOrder()).toStrictEqual([...ref.m.values()]);
    expect(t.inOrder().map((q) => q.n)).toEqual([...ref.m.values()].map((q) => q.n));
  });

  it('the bucket array doubles as queries wait (1024 buckets at first): lookups and takes across each doubling', () => {
    const r = rng(11);
    const t = new PendingTable();
    const ref = new Reference();
    const live: Array<[number, number, string]> = [];
    let n = 0;
    // Mostly adds (up to ~9000 waiting: three doublings), takes of waiting and of unknown keys.
    for (let i = 0; i < 30000; i++) {
      if (r() < 0.7 || live.length === 0) {
        const port = 1024 + Math.floor(r() * 60000);
        const id = Math.floor(r() * 65536);
        const key = `h${Math.floor(r() * 50)}.example`;
        const q: Q = { n: ++n, name: key, qtype: 'AAAA', flags: 0, doBit: false, udpSize: 512, tcp: false, id };
        t.add(port, key, 28, q);
        ref.add(port, key, 28, q);
        live.push([port, id, key]);
      } else {
        const [port, id, key] = live.splice(Math.floor(r() * live.length), 1)[0];
        expect(t.take(port, id, key, 28)).toStrictEqual(ref.take(port, id, key, 28));
        expect(t.take(port ^ 1, id, key, 28)).toStrictEqual(ref.take(port ^ 1, id, key, 28));
      }
    }
    expect(t.size).toBe(ref.m.size);
    expect(t.size).toBeGreaterThan(4096);
    for (const [port, id, key] of live.slice(0, 2000)) expect(t.find(port, id, key, 28)?.n).toBe(ref.m.get(`${port}/${id}/${key}/28`)?.n);
    expect(t.inOrder().map((q) => q.n)).toEqual([...ref.m.values()].map((q) => q.n));
  });

  it(`beyond ${MAX_PENDING} queries the oldest goes first, also when the key added is the oldest`, () => {
    const t = new PendingTable();
    const ref = new Reference();
    let n = 0;
    const add = (port: number, id: number, key: string) => {
      const q: Q = { n: ++n, name: key, qtype: 'AAAA', flags: 0, doBit: false, udpSize: 512, tcp: false, id };
      t.add(port, key, 28, q);
      ref.add(port, key, 28, q);
    };
    for (let i = 0; i < MAX_PENDING; i++) add(1024 + (i >> 16), i & 0xffff, `h${i % 7}.example`);
    add(1024, 0, 'h0.example'); // the oldest key again: dropped, then added last
    add(1024, 5, 'h5.example'); // an existing key: replaced in place (and the oldest dropped)
    for (let i = 0; i < 100; i++) add(9000 + i, i, 'x.example');
    expect(t.size).toBe(MAX_PENDING);
    expect(t.inOrder().map((q) => q.n)).toEqual([...ref.m.values()].map((q) => q.n));
  });
});
