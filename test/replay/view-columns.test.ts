/** The viewer's index columns: what is written is read back, whatever the values (property tests). */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { Column, Delta16Column, RunOffsetColumn, OffsetColumn } from '../../src/replay/columns.js';

const CHUNK = 65536;

describe('index columns', () => {
  it('Column: chunks holding only zeros are never allocated; values read back', () => {
    const c = new Column(Uint8Array);
    for (let i = 0; i < 3 * CHUNK; i++) c.set(i, 0);
    expect(c.bytes()).toBe(0);
    c.set(2 * CHUNK + 5, 7);
    expect(c.bytes()).toBe(CHUNK);
    expect([c.get(0), c.get(2 * CHUNK + 5), c.get(2 * CHUNK + 6), c.get(10 * CHUNK)]).toEqual([0, 7, 0, 0]);
  });

  it('Delta16Column: timestamps read back, backwards, far apart, across chunks', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: -5, max: 70000 }), { minLength: 1, maxLength: 300 }), fc.integer({ min: 0, max: 2 }), (steps, chunkSkip) => {
      const col = new Delta16Column();
      const want: number[] = [];
      let v = 1_700_000_000;
      // Rows in order, straddling a chunk boundary when chunkSkip > 0.
      const start = chunkSkip * CHUNK - Math.floor(steps.length / 2);
      for (let k = 0; k < steps.length; k++) {
        v += steps[k];
        want.push(v);
        col.set(Math.max(0, start) + k, v);
      }
      for (let k = 0; k < steps.length; k++) expect(col.get(Math.max(0, start) + k)).toBe(want[k]);
    }));
  });

  it('RunOffsetColumn: increasing positions read back as OffsetColumn does, big steps included, across chunks', () => {
    fc.assert(fc.property(fc.array(fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: 3_000_000 })), { minLength: 1, maxLength: 400 }), (steps) => {
      const run = new RunOffsetColumn();
      const ref = new OffsetColumn();
      // Skip to just before a chunk boundary with zero steps (rows must come in order).
      const n = CHUNK - 150 + steps.length;
      let v = 0;
      const at: number[] = [];
      for (let i = 0; i < n; i++) {
        if (i >= CHUNK - 150) v += steps[i - (CHUNK - 150)];
        run.set(i, v);
        ref.set(i, v);
        at.push(v);
      }
      for (let i = CHUNK - 160; i < n; i++) expect(run.get(i)).toBe(at[i]);
      expect(run.get(0)).toBe(0);
      expect(run.get(n)).toBe(0); // not written yet
      expect(run.bytes()).toBeLessThanOrEqual(ref.bytes());
    }), { numRuns: 30 });
  });
});
