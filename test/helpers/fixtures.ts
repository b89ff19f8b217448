/** Helpers shared by tests: the committed fixture captures, a seeded float generator. */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Every capture under fixtures/ (recursively), without the deliberately malformed or truncated ones. */
export function wellFormedFixtureCaptures(root = 'fixtures'): string[] {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(pcap|pcapng)(\.gz)?$/.test(f) && !/malformed|truncated/.test(f)) files.push(p);
    }
  };
  walk(root);
  return files;
}

/** Mulberry32: a seeded generator of floats in [0, 1) (the fixture scripts' own, scripts/lib/timeline.ts). */
export { prng as mulberry } from '../../scripts/lib/timeline.js';
