import type { Nat64Engine } from '../xlat/nat64/nat64-engine.js';

/**
 * How many BIB entries and sessions a NAT64 engine holds. The snapshot methods build an object
 * per entry (a tenth of a second on a million-packet capture) where only the counts are wanted:
 * the engine's tables are read for their sizes when they have the expected shape, and the
 * snapshots are the fallback (test/diag/fast-paths.test.ts checks both agree).
 */
export function engineCounts(eng: Nat64Engine): { bib: number; sessions: number } {
  type Sized = { size?: unknown; sessions?: { size?: unknown } };
  const bibs = (eng as unknown as { core?: { bibs?: unknown } }).core?.bibs;
  if (Array.isArray(bibs) && bibs.length === 3 && bibs.every((b: Sized) => typeof b?.size === 'number' && typeof b.sessions?.size === 'number')) {
    let bib = 0;
    let sessions = 0;
    for (const b of bibs as { size: number; sessions: { size: number } }[]) {
      bib += b.size;
      sessions += b.sessions.size;
    }
    return { bib, sessions };
  }
  return { bib: eng.bibEntries().length, sessions: eng.sessions().length };
}
