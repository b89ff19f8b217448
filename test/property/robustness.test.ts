/**
 * Property: truncating or mutating any fixture at random never makes the reader or the decoder
 * (down to DNS and the text/JSON edge) throw or hang. Malformed bytes are reported, not fatal.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { CaptureParser } from '../../src/pcap/reader.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson, packetLine } from '../../src/replay/describe.js';
import { CaptureStats } from '../../src/replay/stats.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';

const DIR = 'fixtures/pcaps';
const FILES = readdirSync(DIR).filter((f) => /\.(pcap|pcapng|gz)$/.test(f)).map((f) => {
  const raw = readFileSync(join(DIR, f));
  return { name: f, bytes: new Uint8Array(f.endsWith('.gz') ? gunzipSync(raw) : raw) };
});

/** Runs the whole decode path over a byte string; returns the packet count. */
function decodeAll(bytes: Uint8Array, chunk: number): number {
  const dec = new PacketDecoder();
  const stats = new CaptureStats();
  let n = 0;
  const parser = new CaptureParser((p: CapturedPacket) => {
    dec.decode(p.data, p.offset, p.caplen, p.linkType);
    stats.add(p, dec);
    packetJson(p, dec);
    packetLine(p, dec, 0);
    n++;
  }, { onWarning: () => {} });
  try {
    for (let i = 0; i < bytes.length && !parser.stopped; i += chunk) parser.push(bytes.subarray(i, i + chunk));
    parser.end();
  } catch (err) {
    // Only "this is not a capture at all" may be thrown, and only as a typed error.
    if (!(err instanceof Error) || (err as { exitCode?: number }).exitCode !== 3) throw err;
  }
  stats.toJSON();
  return n;
}

describe('robustness', () => {
  it('fixtures decode whole', () => {
    for (const f of FILES) expect(decodeAll(f.bytes, 1 << 20), f.name).toBeGreaterThan(0);
  });

  it('random truncation never throws', () => {
    fc.assert(fc.property(fc.constantFrom(...FILES), fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 5000 }), (f, frac, chunk) => {
      decodeAll(f.bytes.subarray(0, Math.floor(f.bytes.length * frac)), chunk);
    }), { numRuns: 300 });
  });

  it('random byte mutations never throw or hang', () => {
    fc.assert(fc.property(fc.constantFrom(...FILES), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 40 }), (f, muts) => {
      const b = f.bytes.slice();
      for (const [pos, val] of muts) b[Math.floor(pos * (b.length - 1))] = val;
      decodeAll(b, 4096);
    }), { numRuns: 500 });
  });

  it('mutations confined to packet bytes (headers intact) never throw', () => {
    // Skip the first 200 bytes (file headers) so that the reader keeps going and the decoder sees the damage.
    fc.assert(fc.property(fc.constantFrom(...FILES), fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 200 }), (f, muts) => {
      const b = f.bytes.slice();
      for (const [pos, val] of muts) b[200 + Math.floor(pos * (b.length - 201))] = val;
      decodeAll(b, 1 << 16);
    }), { numRuns: 500 });
  });
});
