import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ticksPow10, ticksPow2 } from '../../src/pcap/timestamp.js';

/** Reference with BigInt (the tests may use it; the reader does not). */
function ref(ticks: bigint, pow2: boolean, k: number, offset = 0): { tsSec: number; tsNsec: number } {
  const d = pow2 ? 1n << BigInt(k) : 10n ** BigInt(k);
  const sec = ticks / d;
  const nsec = ((ticks % d) * 1_000_000_000n) / d;
  return { tsSec: Number(sec) + offset, tsNsec: Number(nsec) };
}

function conv(ticks: bigint, pow2: boolean, k: number, offset = 0): { tsSec: number; tsNsec: number } {
  const out = { tsSec: -1, tsNsec: -1 };
  const hi = Number(ticks >> 32n);
  const lo = Number(ticks & 0xffffffffn);
  if (pow2) ticksPow2(out, hi, lo, k, offset);
  else ticksPow10(out, hi, lo, k, offset);
  return out;
}

const U64 = (1n << 64n) - 1n;

describe('tick conversion', () => {
  it('is exact at the edges for every resolution', () => {
    const samples = [0n, 1n, 999n, 1000n, 1n << 32n, (1n << 52n) - 1n, 1n << 52n, 1n << 53n, (1n << 62n), (1n << 63n) + 12345n, U64, 1_700_000_000_123_456_789n];
    for (const t of samples) {
      for (let k = 0; k <= 18; k++) {
        const want = ref(t, false, k);
        // Whole seconds beyond 2^53 can't be a double; only compare where they fit.
        if (want.tsSec > Number.MAX_SAFE_INTEGER) continue;
        expect(conv(t, false, k), `10^-${k} ${t}`).toEqual(want);
      }
      for (const k of [0, 1, 9, 10, 16, 20, 30, 31, 32, 33, 40, 48, 63, 64, 80, 127]) {
        const want = ref(t, true, k);
        if (want.tsSec > Number.MAX_SAFE_INTEGER) continue;
        expect(conv(t, true, k), `2^-${k} ${t}`).toEqual(want);
      }
    }
  });

  it('2^62 ns is 4611686018 s 427387904 ns', () => {
    expect(conv(1n << 62n, false, 9)).toEqual({ tsSec: 4611686018, tsNsec: 427387904 });
  });

  it('adds if_tsoffset (also negative)', () => {
    expect(conv(1_500_000n, false, 6, 100)).toEqual({ tsSec: 101, tsNsec: 500_000_000 });
    expect(conv(1_500_000n, false, 6, -100)).toEqual({ tsSec: -99, tsNsec: 500_000_000 });
  });

  it('matches BigInt on random 64-bit tick counts (fast-check)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: U64 }), fc.boolean(), fc.integer({ min: 0, max: 70 }), (t, pow2, k) => {
        if (!pow2) k = k % 19;
        const want = ref(t, pow2, k);
        fc.pre(want.tsSec <= Number.MAX_SAFE_INTEGER);
        expect(conv(t, pow2, k)).toEqual(want);
      }),
      { numRuns: 20000 },
    );
  });
});
