/** analyze never throws on bad bytes: every fixture packet, mutated, through CaptureAnalyzer. */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { CaptureAnalyzer } from '../../src/replay/analyze.js';
import { loadConfig } from '../../src/xlat/config.js';
import { prng } from '../../scripts/lib/timeline.js';

describe('analyze robustness', () => {
  it('mutated packets of every fixture: no exception, a result with every packet counted', async () => {
    const files = [
      ...readdirSync('fixtures/pcaps').filter((f) => /\.(pcap|pcapng)$/.test(f)).map((f) => join('fixtures/pcaps', f)),
      ...readdirSync('fixtures/pcaps/diag').filter((f) => f.endsWith('.pcap')).map((f) => join('fixtures/pcaps/diag', f)),
    ];
    const rnd = prng(5);
    for (const cfg of [loadConfig({}), loadConfig({ profile: 'aws' }), loadConfig({ flags: { mode: 'siit' } })]) {
      const a = new CaptureAnalyzer(cfg, { flows: 'all' });
      let n = 0;
      for (const f of files) {
        for (const p of await readAllPackets(f, { onWarning: () => undefined })) {
          for (let k = 0; k < 8; k++) {
            const data = p.data.slice(p.offset, p.offset + p.caplen);
            const flips = 1 + Math.floor(rnd() * 4);
            for (let i = 0; i < flips && data.length > 0; i++) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
            const cut = rnd() < 0.3 ? Math.floor(rnd() * data.length) : data.length;
            a.push({ ...p, data, offset: 0, caplen: cut, origLen: p.origLen, number: ++n });
          }
        }
      }
      const r = a.finish();
      expect(r.packets).toBe(n);
      expect(r.flowCount).toBeGreaterThan(0);
    }
  });
});
