/**
 * Dns64Hook's check mode (translate's single read: the logged DNS packets are replayed only to
 * learn whether an answer would be rewritten): on every packet of every fixture capture, in each
 * compat mode, with and without the A-data pre-pass, the check says WOULD_REWRITE exactly where
 * the usual call's engine decided `rewrite` (so wherever the usual call replaced the packet), the
 * engine answers the same number of queries, and the usual calls after a reset are unchanged.
 */
import { describe, it, expect } from 'vitest';
import { readCapture } from '../../src/pcap/reader.js';
import { LinkLocator } from '../../src/wire/link.js';
import { Dns64Hook, WOULD_REWRITE } from '../../src/replay/dns64.js';
import { dns64Options } from '../../src/xlat/dns64/engine.js';
import type { Dns64Compat } from '../../src/xlat/dns64/compat.js';
import { loadConfig } from '../../src/xlat/config.js';
import { wellFormedFixtureCaptures } from '../helpers/fixtures.js';
import { writeCapture, SOA, q6, r4 } from '../xlat/dns64/craft.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface Pkt { data: Uint8Array; linkType: number; ipOff: number }

async function packets(file: string): Promise<Pkt[]> {
  const out: Pkt[] = [];
  const loc = new LinkLocator();
  await readCapture(file, (p) => {
    const data = p.data.slice(p.offset, p.offset + p.caplen);
    if (loc.locate(data, 0, data.length, p.linkType) !== 0) out.push({ data, linkType: p.linkType, ipOff: loc.ipOff });
  }, { onWarning: () => undefined });
  return out;
}

/** The hook's calls over the packets: per packet, whether the check / the usual call flagged it, and the engine's decision. */
function run(pk: Pkt[], compat: Dns64Compat, check: boolean, prescan: boolean) {
  const hook = new Dns64Hook(dns64Options(loadConfig({}), compat));
  if (check) hook.checkOnly(true);
  if (prescan) for (const p of pk) hook.prescan(p.data, 0, p.data.length, p.linkType, p.ipOff);
  const flagged: boolean[] = [];
  const rewriteDecided: boolean[] = [];
  pk.forEach((p, i) => {
    const r = hook.packet(p.data, 0, p.data.length, p.linkType, p.ipOff, i + 1);
    if (check) expect(r === null || r === WOULD_REWRITE).toBe(true);
    flagged.push(r !== null);
    rewriteDecided.push(hook.result?.action === 'rewrite');
  });
  return { flagged, rewriteDecided, answered: hook.engine.answered, hook };
}

describe('Dns64Hook check mode', () => {
  it('flags exactly the packets whose answer the usual call decides to rewrite, on every fixture, compat mode and pass', async () => {
    const files = wellFormedFixtureCaptures();
    let flaggedTotal = 0;
    let rewrittenTotal = 0;
    for (const f of files) {
      const pk = await packets(f);
      for (const compat of ['rfc', 'bind', 'unbound'] as Dns64Compat[]) {
        for (const prescan of [false, true]) {
          const usual = run(pk, compat, false, prescan);
          const check = run(pk, compat, true, prescan);
          const what = `${f} ${compat} prescan=${prescan}`;
          expect(check.flagged, what).toEqual(usual.rewriteDecided);
          // Every packet the usual call replaced is flagged (a rewrite decided but not rewritable in its packet is flagged too).
          usual.flagged.forEach((x, i) => { if (x) expect(check.flagged[i], `${what} #${i + 1}`).toBe(true); });
          expect(check.answered, what).toBe(usual.answered);
          flaggedTotal += check.flagged.filter(Boolean).length;
          rewrittenTotal += usual.flagged.filter(Boolean).length;
        }
      }
    }
    // The fixtures hold rewritten answers: the comparison is not between two empty sets.
    expect(rewrittenTotal).toBeGreaterThan(10);
    expect(flaggedTotal).toBeGreaterThanOrEqual(rewrittenTotal);
  }, 120_000);

  it('check mode off again (and reset) gives the usual calls', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dns64-check-'));
    try {
      const f = join(dir, 'r.pcapng');
      await writeCapture(f, [
        q6(2, 5002, 'www.example.com', 'A'),
        r4(2, 5002, 'www.example.com', 'A', { answers: [{ name: 'www.example.com', type: 'A', ttl: 300, data: '93.184.216.34' }] }),
        q6(1, 5001, 'www.example.com', 'AAAA'),
        r4(1, 5001, 'www.example.com', 'AAAA', { authorities: [SOA(3600, 120)] }),
      ]);
      const pk = await packets(f);
      const hook = new Dns64Hook(dns64Options(loadConfig({}), 'rfc'));
      hook.checkOnly(true);
      const flagged = pk.map((p, i) => hook.packet(p.data, 0, p.data.length, p.linkType, p.ipOff, i + 1));
      expect(flagged.map((x) => x === WOULD_REWRITE)).toEqual([false, false, false, true]);
      hook.reset();
      const usual = pk.map((p, i) => hook.packet(p.data, 0, p.data.length, p.linkType, p.ipOff, i + 1));
      expect(usual[3]).not.toBeNull();
      expect(usual[3]!.length).toBeGreaterThan(60); // the rewritten packet, with the synthesized answer
      expect(hook.rewrittenCount).toBe(1);
      expect(hook.result?.message).not.toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
