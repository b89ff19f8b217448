// ParserOptions.lookahead (classic pcap): before a record's packet callback, the parser hands the
// next records to the lookahead in batches, each record once, in order, as far as the bytes read
// go, and the packet callback still sees every packet. translate uses it to load the flow state of
// a batch of coming packets at once (src/xlat/nat64/fast-path.ts touch()).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, type ReadOptions } from '../../src/pcap/reader.js';
import { concatBytes, epb, idb, pcapFile, prng, randomBytes, shb } from '../helpers/pcap-craft.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'n64-lookahead-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function pcapOf(seed: number, count: number): Uint8Array {
  const r = prng(seed);
  const recs = [];
  for (let i = 0; i < count; i++) {
    const len = 4 + (i % 50 === 3 ? 9000 + (r() % 3000) : r() % 1600);
    const data = randomBytes(r, len);
    if (len >= 4) new DataView(data.buffer, data.byteOffset).setUint32(0, i); // the record's number, to recognise it
    recs.push({ sec: 1_700_000_000 + i, sub: r() % 1_000_000, data });
  }
  return pcapFile({ le: true, nano: false, modified: false }, recs);
}

/** What the packet callback and the lookahead saw, in call order: `p N` and `a N` (N: the record's number). */
async function events(path: string, opts: ReadOptions): Promise<{ log: string[]; batches: number[]; count: number }> {
  const log: string[] = [];
  const batches: number[] = [];
  const id = (b: Uint8Array, off: number, len: number): string => `${new DataView(b.buffer, b.byteOffset).getUint32(off)}/${len}`;
  let count = 0;
  await readCapture(path, (p) => {
    count++;
    log.push(`p ${id(p.data, p.offset, p.caplen)}`);
  }, {
    ...opts,
    lookahead: (b, recs, n, lt) => {
      expect(lt).toBe(1);
      batches.push(n);
      for (let i = 0; i < n; i++) log.push(`a ${id(b, recs[2 * i], recs[2 * i + 1])}`);
      recs.fill(-7); // (the callee may overwrite it)
    },
  });
  return { log, batches, count };
}

describe('readCapture lookahead', () => {
  for (const [name, opts] of [
    ['prefetching reads, default chunks', { blocking: true }],
    ['prefetching reads, small chunks (records across chunk ends)', { blocking: true, prefetchSizes: { chunk: 4096, headroom: 20_000 } }],
    ['blocking reads without prefetch', { blocking: true, prefetch: false }],
    ['async reads, depth 5', { lookaheadDepth: 5 }],
  ] as const) {
    it(`each record once, ahead of its packet, in order: ${name}`, async () => {
      const path = join(dir, 'a.pcap');
      writeFileSync(path, pcapOf(1, 5000));
      const { log, batches, count } = await events(path, opts as ReadOptions);
      expect(count).toBe(5000);
      const depth = (opts as ReadOptions).lookaheadDepth ?? 16;
      expect(Math.max(...batches)).toBeLessThanOrEqual(depth);
      if (!('prefetchSizes' in opts)) expect(Math.max(...batches)).toBe(depth);
      // The lookahead sees records in order, each once (its ids strictly increase), and each
      // before its packet callback; all but about the first of each chunk.
      const at = new Map<string, number>();
      let last = -1;
      log.forEach((e, i) => {
        const k = e.slice(2);
        const num = Number(k.split('/')[0]);
        if (e[0] === 'a') {
          expect(num).toBeGreaterThan(last);
          last = num;
          at.set(k, i);
        } else {
          const a = at.get(k);
          if (a !== undefined) expect(a).toBeLessThan(i);
        }
      });
      expect(at.size).toBeGreaterThan('prefetchSizes' in opts ? 3000 : 4900);
      // The offsets and lengths given are the packets' (same number and caplen as the callback's).
      const packets = new Set(log.filter((e) => e[0] === 'p').map((e) => e.slice(2)));
      for (const k of at.keys()) expect(packets.has(k)).toBe(true);
    });
  }

  it('pcapng: no lookahead (classic pcap only), every packet delivered', async () => {
    const r = prng(3);
    const parts = [shb(true), idb(true, 1, 0)];
    for (let i = 0; i < 300; i++) parts.push(epb(true, 0, BigInt(1_700_000_000_000_000 + i * 1000), randomBytes(r, 100 + (r() % 500))));
    const path = join(dir, 'b.pcapng');
    writeFileSync(path, concatBytes(...parts));
    const { batches, count } = await events(path, { blocking: true });
    expect(count).toBe(300);
    expect(batches).toEqual([]);
  });
});
