import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { sum, fold, finish, update16, updateSums, pseudo4, pseudo6, verdictOf, Verdict } from '../../src/wire/checksum.js';

describe('RFC 1071 sum', () => {
  it('RFC 1071 §3 numerical example: 00 01 f2 03 f4 f5 f6 f7 sums to ddf2', () => {
    const b = Uint8Array.from([0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]);
    expect(fold(sum(b, 0, 8))).toBe(0xddf2);
  });
  it('pads an odd trailing byte with zero (RFC 1071 §4.1)', () => {
    expect(fold(sum(Uint8Array.from([0x12, 0x34, 0x56]), 0, 3))).toBe(0x1234 + 0x5600);
  });
  it('honours offsets and an initial accumulator', () => {
    const b = Uint8Array.from([0xff, 0x00, 0x01, 0x00, 0x02, 0xff]);
    expect(fold(sum(b, 1, 4, 0x10))).toBe(0x0001 + 0x0002 + 0x10);
  });
  it('any data with its finished checksum appended sums to 0xffff', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (data) => {
      const even = data.length & 1 ? Uint8Array.from([...data, 0]) : data;
      const c = finish(sum(even, 0, even.length));
      const all = Uint8Array.from([...even, c >> 8, c & 0xff]);
      expect(fold(sum(all, 0, all.length))).toBe(0xffff);
    }));
  });
  it('folds sums far above 2^32 exactly', () => {
    const big = new Uint8Array(1 << 20).fill(0xff);
    expect(fold(sum(big, 0, big.length))).toBe(0xffff);
  });
});

describe('RFC 1624 incremental update', () => {
  it('§5 example: HC 0xdd2f, m 0x5555 -> 0x3285 gives 0x0000 (eqn. 3)', () => {
    expect(update16(0xdd2f, 0x5555, 0x3285)).toBe(0x0000);
  });
  it('agrees with recomputation for random word changes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }).filter((a) => a.length % 2 === 0), fc.nat(), fc.integer({ min: 0, max: 0xffff }), (data, idx, nw) => {
      const i = (idx % (data.length / 2)) * 2;
      const before = finish(sum(data, 0, data.length));
      const old = (data[i] << 8) | data[i + 1];
      const copy = data.slice();
      copy[i] = nw >> 8;
      copy[i + 1] = nw & 0xff;
      const after = finish(sum(copy, 0, copy.length));
      // One's complement has two zeros; compare as folded values.
      const inc = update16(before, old, nw);
      expect(inc === after || (inc === 0xffff && after === 0) || (inc === 0 && after === 0xffff)).toBe(true);
    }));
  });
  it('updateSums replaces a pseudo-header sum (6 -> 4 translation shape)', () => {
    const seg = Uint8Array.from([0x12, 0x34, 0, 0, 0xab, 0xcd]);
    const a = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 192, 0, 2, 1]);
    const b = Uint8Array.from([192, 0, 2, 9, 192, 0, 2, 1]);
    const ph6 = pseudo6(a, 0, 16, 17, 6);
    const ph4 = pseudo4(b, 0, 4, 17, 6);
    const c6 = finish(sum(seg, 0, 6, ph6));
    const c4 = finish(sum(seg, 0, 6, ph4));
    const inc = updateSums(c6, ph6, ph4);
    expect(inc === c4 || (inc ^ c4) === 0xffff).toBe(true);
  });
});

describe('verdicts', () => {
  it('good when the total folds to 0xffff', () => {
    expect(verdictOf(0xffff, 0x1234, 0x5678)).toBe(Verdict.Good);
  });
  it('partial when the field holds only the pseudo-header sum (Linux CHECKSUM_PARTIAL)', () => {
    expect(verdictOf(0x1111, fold(0x15678), 0x15678)).toBe(Verdict.Partial);
  });
  it('bad otherwise', () => {
    expect(verdictOf(0x1111, 0x2222, 0x5678)).toBe(Verdict.Bad);
  });
});

describe('word-at-a-time summing', () => {
  it('agrees with a byte-by-byte reference at every alignment and length', () => {
    const ref = (b: Uint8Array, off: number, len: number) => {
      let s = 0;
      for (let i = 0; i < len; i += 2) s += (b[off + i] << 8) | (i + 1 < len ? b[off + i + 1] : 0);
      return fold(s);
    };
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), fc.nat(7), fc.nat(7), (data, pre, sub) => {
      // Place the data at every byte alignment inside a larger buffer, and into a subarray view.
      const big = new Uint8Array(data.length + 16);
      big.set(data, pre);
      const view = big.subarray(sub > pre ? 0 : sub);
      const off = pre - (sub > pre ? 0 : sub);
      expect(fold(sum(view, off, data.length))).toBe(ref(big, pre, data.length));
    }), { numRuns: 2000 });
  });
});
