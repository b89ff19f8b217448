// readCapture's prefetching file loop (blocking batch reads: the next chunk is read by the
// thread pool while the parser works on the current one, buffers swapped by attach()) must
// deliver exactly what the plain readSync loop and the push parser deliver: same packets, bytes,
// timestamps, interfaces, warnings and summary; records straddling chunk ends, records bigger
// than the headroom or the chunk, truncated files and gzip included.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture, PREFETCH_BUFFER_BYTES, type ReadOptions } from '../../src/pcap/reader.js';
import { concatBytes, custom, epb, idb, isb, opt, pcapFile, prng, randomBytes, shb } from '../helpers/pcap-craft.js';

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'n64-prefetch-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything the reader reports, packet by packet (bytes hashed), then the summary. */
async function trace(path: string, opts: ReadOptions): Promise<string[]> {
  const out: string[] = [];
  let summary: unknown;
  try {
    summary = await readCapture(path, (p) => {
      let h = 0x811c9dc5;
      for (let i = p.offset; i < p.offset + p.caplen; i++) h = Math.imul(h ^ p.data[i], 0x01000193);
      out.push(`${p.tsSec}.${p.tsNsec} if${p.ifIndex} lt${p.linkType} ${p.caplen}/${p.origLen} ${(h >>> 0).toString(16)}`);
    }, { ...opts, onWarning: (w) => out.push(`warning: ${w}`) });
  } catch (e) {
    summary = `error: ${(e as Error).message}`;
  }
  out.push(JSON.stringify(summary));
  return out;
}

/** A pcap whose record sizes vary from 0 to `max` bytes (a few of exactly `max`). */
function bigPcap(seed: number, count: number, max: number): Uint8Array {
  const r = prng(seed);
  const recs = [];
  for (let i = 0; i < count; i++) {
    const len = i % 97 === 5 ? max : r() % (i % 3 === 0 ? 2000 : 200);
    recs.push({ sec: 1_700_000_000 + i, sub: r() % 1_000_000, data: randomBytes(r, len) });
  }
  return pcapFile({ le: true, nano: false, modified: false }, recs);
}

function bigPcapng(seed: number, count: number, max: number): Uint8Array {
  const r = prng(seed);
  const parts = [shb(true), idb(true, 1, 0, [opt.str(2, 'eth0')]), idb(true, 101, 0, [opt.u8(9, 9)])];
  for (let i = 0; i < count; i++) {
    const len = i % 89 === 7 ? max : r() % 1500;
    parts.push(epb(true, i & 1, BigInt(1_700_000_000_000_000 + i * 1000), randomBytes(r, len), i % 5 === 0 ? { options: [opt.str(1, `c${i}`)] } : {}));
    if (i % 211 === 0) parts.push(isb(true, 0), custom(true, 0xbad, 64 + (r() % 5000)));
  }
  return concatBytes(...parts);
}

const SIZES = [
  { chunk: 4096, headroom: 70_000 },
  { chunk: 65_536, headroom: 300_000 },
  { chunk: 1000, headroom: 1000 }, // records over the headroom: the copying fallback
  { chunk: 2 * 1024 * 1024, headroom: 512 * 1024 }, // the defaults
];

async function compare(name: string, bytes: Uint8Array): Promise<void> {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  const ref = await trace(path, { blocking: true, prefetch: false });
  expect(ref.length).toBeGreaterThan(0);
  const plain = await trace(path, {});
  expect(plain).toEqual(ref);
  for (const prefetchSizes of SIZES) {
    const got = await trace(path, { blocking: true, prefetchSizes });
    expect(got, `${name} with ${JSON.stringify(prefetchSizes)}`).toEqual(ref);
  }
}

describe('readCapture: prefetching reads', () => {
  it('classic pcap with records straddling chunk ends and records over the headroom', async () => {
    await compare('a.pcap', bigPcap(1, 3000, 60_000));
  });
  it('pcapng with options, several interfaces, skipped blocks', async () => {
    await compare('b.pcapng', bigPcapng(2, 3000, 50_000));
  });
  it('a file cut in the middle of a record, and one with trailing garbage', async () => {
    const b = bigPcap(3, 800, 20_000);
    await compare('cut.pcap', b.subarray(0, b.length - 333));
    await compare('tail.pcapng', concatBytes(bigPcapng(4, 500, 9000), new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])));
  });
  it('gzip, an empty file, not a capture', async () => {
    await compare('c.pcap.gz', gzipSync(bigPcap(5, 500, 10_000)));
    await compare('empty.pcap', new Uint8Array(0));
    await compare('text.pcap', new TextEncoder().encode('hello, this is not a capture file\n'.repeat(100)));
  });
  it('prefetchBuffers: given buffers of the right size are the ones read into (same packets); smaller ones are not used', async () => {
    const path = join(dir, 'given.pcap');
    writeFileSync(path, bigPcap(6, 3000, 60_000));
    const ref = await trace(path, { blocking: true, prefetch: false });
    const arena = new ArrayBuffer(2 * PREFETCH_BUFFER_BYTES + 64);
    const given = [new Uint8Array(arena, 64, PREFETCH_BUFFER_BYTES), new Uint8Array(arena, 64 + PREFETCH_BUFFER_BYTES, PREFETCH_BUFFER_BYTES)] as const;
    let inArena = 0;
    let n = 0;
    await readCapture(path, (p) => {
      n++;
      if (p.data.buffer === arena) inArena++;
    }, { blocking: true, prefetchBuffers: given });
    expect(n).toBe(3000);
    expect(inArena).toBeGreaterThan(2900); // (the rest: records the copying fallback assembled)
    expect(await trace(path, { blocking: true, prefetchBuffers: given })).toEqual(ref);
    const small = [new Uint8Array(1000), new Uint8Array(1000)] as const;
    let inSmall = 0;
    await readCapture(path, (p) => {
      if (p.data.buffer === small[0].buffer || p.data.buffer === small[1].buffer) inSmall++;
    }, { blocking: true, prefetchBuffers: small });
    expect(inSmall).toBe(0);
    expect(await trace(path, { blocking: true, prefetchBuffers: small })).toEqual(ref);
  });
  it('limit: the file read as if it ended after that many bytes, in every read loop', async () => {
    const whole = bigPcap(7, 2000, 30_000);
    const path = join(dir, 'limit.pcap');
    writeFileSync(path, whole);
    for (const cut of [0, 10, 24, 1000, 777_777, whole.length - 1, whole.length, whole.length + 5]) {
      const part = join(dir, 'part.pcap');
      writeFileSync(part, whole.subarray(0, cut));
      const ref = await trace(part, { blocking: true, prefetch: false });
      const name = (t: string[]) => t.map((l) => l.replaceAll('part.pcap', 'limit.pcap'));
      for (const opts of [{ blocking: true, prefetch: false }, {}, { blocking: true }, { blocking: true, prefetchSizes: { chunk: 4096, headroom: 70_000 } }]) {
        expect(await trace(path, { ...opts, limit: cut }), `${cut} ${JSON.stringify(opts)}`).toEqual(name(ref));
      }
    }
    const gz = join(dir, 'limit.pcap.gz');
    const packed = gzipSync(whole);
    writeFileSync(gz, packed);
    const partGz = join(dir, 'part.pcap.gz');
    writeFileSync(partGz, packed.subarray(0, 5000));
    const ref = (await trace(partGz, { blocking: true })).map((l) => l.replaceAll('part.pcap.gz', 'limit.pcap.gz'));
    expect(await trace(gz, { blocking: true, limit: 5000 })).toEqual(ref);
  });

  it('a callback that stops the read early', async () => {
    const path = join(dir, 'stop.pcap');
    writeFileSync(path, bigPcap(6, 5000, 3000));
    for (const prefetch of [false, true]) {
      let n = 0;
      const s = await readCapture(path, () => ++n < 1234, { blocking: true, prefetch, prefetchSizes: { chunk: 8192, headroom: 8192 } });
      expect(n).toBe(1234);
      expect(s.packets).toBe(1234);
      expect(s.stopped).toBe(true);
    }
  });
});
