import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CaptureFormatError, CaptureParser } from '../../src/pcap/reader.js';
import { concatBytes, custom, epb, idb, isb, opt, pb, pcapFile, prng, randomBytes, shb, spb } from '../helpers/pcap-craft.js';

function validPcap(seed: number, le: boolean): Uint8Array {
  const r = prng(seed);
  const recs = [];
  for (let i = 0; i < 12; i++) recs.push({ sec: r(), sub: r() % 1_000_000, data: randomBytes(r, r() % 80) });
  return pcapFile({ le, nano: (seed & 1) === 1, modified: seed % 5 === 0 }, recs);
}

function validPcapng(seed: number, le: boolean): Uint8Array {
  const r = prng(seed);
  const parts = [shb(le), idb(le, 1, 64, [opt.str(2, 'eth0')]), idb(le, 101, 0, [opt.u8(9, 0x80 | 20), opt.i64(14, -3n)])];
  for (let i = 0; i < 12; i++) {
    const data = randomBytes(r, r() % 80);
    const k = r() % 6;
    if (k === 0) parts.push(spb(le, data.length + (r() % 10), data));
    else if (k === 1) parts.push(pb(le, r() % 2, BigInt(r()), data));
    else if (k === 2) parts.push(isb(le, 0), custom(le));
    else if (k === 3) parts.push(shb(!le), idb(!le, 229, 0));
    else parts.push(epb(le, r() % 2, BigInt(r()) << BigInt(r() % 30), data, { options: [opt.str(1, 'x')] }));
  }
  return concatBytes(...parts);
}

/** Run the parser on bytes in chunks; it must never throw from push() and must terminate. */
function run(bytes: Uint8Array, chunk: number): void {
  let packets = 0;
  const parser = new CaptureParser(
    (p) => {
      packets++;
      // Every delivered packet lies inside the buffer it borrows.
      if (p.offset < 0 || p.offset + p.caplen > p.data.length || p.caplen < 0) throw new Error('packet out of bounds');
      if (!(p.tsNsec >= 0 && p.tsNsec < 1e9)) throw new Error(`bad nsec ${p.tsNsec}`);
    },
    { maxRecord: 4096 },
  );
  for (let o = 0; o < bytes.length; o += chunk) parser.push(bytes.subarray(o, o + chunk));
  try {
    const s = parser.end();
    expect(s.packets).toBe(packets);
  } catch (e) {
    // Only a damaged magic may make end() refuse the input.
    expect(e).toBeInstanceOf(CaptureFormatError);
  }
}

const mutation = fc.array(
  fc.record({ pos: fc.nat(), kind: fc.constantFrom('set', 'xor', 'insert', 'delete', 'u32'), value: fc.nat() }),
  { minLength: 1, maxLength: 8 },
);

function mutate(src: Uint8Array, muts: { pos: number; kind: string; value: number }[]): Uint8Array {
  let b = Array.from(src);
  for (const m of muts) {
    if (b.length === 0) break;
    const i = m.pos % b.length;
    if (m.kind === 'set') b[i] = m.value & 0xff;
    else if (m.kind === 'xor') b[i] ^= 1 << (m.value % 8);
    else if (m.kind === 'insert') b.splice(i, 0, m.value & 0xff, (m.value >> 8) & 0xff, (m.value >> 16) & 0xff, (m.value >> 24) & 0xff);
    else if (m.kind === 'delete') b.splice(i, 1 + (m.value % 8));
    else for (let k = 0; k < 4 && i + k < b.length; k++) b[i + k] = (m.value >>> (8 * k)) & 0xff;
  }
  return Uint8Array.from(b);
}

describe('fuzz: mutated captures never throw from push and always terminate', () => {
  it('classic pcap', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.boolean(), mutation, fc.constantFrom(1, 3, 64, 1 << 20), (seed, le, muts, chunk) => {
        run(mutate(validPcap(seed, le), muts), chunk);
      }),
      { numRuns: 1500 },
    );
  });

  it('pcapng', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.boolean(), mutation, fc.constantFrom(1, 5, 100, 1 << 20), (seed, le, muts, chunk) => {
        run(mutate(validPcapng(seed, le), muts), chunk);
      }),
      { numRuns: 1500 },
    );
  });

  it('random bytes behind a valid magic', () => {
    fc.assert(
      fc.property(fc.constantFrom(0, 1, 2), fc.uint8Array({ maxLength: 600 }), (m, tail) => {
        const head = [Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1), Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1), shb(true)][m];
        run(concatBytes(head, tail), 7);
      }),
      { numRuns: 1500 },
    );
  });
});
