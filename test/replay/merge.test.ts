/**
 * Reading two captures at once (src/replay/merge.ts): the timestamp merge and the pairwise zip
 * deliver every packet exactly once, in order, byte for byte, across many read chunks (the
 * per-side arenas grow and compact) and with one capture far ahead of the other.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureWriter } from '../../src/pcap/writer.js';
import { mergeCaptures, zipCaptures } from '../../src/replay/merge.js';
import { prng } from '../../scripts/lib/timeline.js';

let dir = '';
const T0 = 1_780_000_000;

interface P { t: number; bytes: Uint8Array }
const files: { path: string; list: P[] }[] = [];

async function make(path: string, n: number, seed: number, t0: number, step: number, format: 'pcap' | 'pcapng'): Promise<P[]> {
  const r = prng(seed);
  const w = await openCaptureWriter(path, { format, linkType: 101, force: true });
  const list: P[] = [];
  let t = t0;
  for (let i = 0; i < n; i++) {
    t += step * (0.5 + r());
    const len = 20 + Math.floor(r() * 1480);
    const b = new Uint8Array(len);
    for (let k = 0; k < len; k++) b[k] = (k * 13 + i + seed) & 0xff;
    b[0] = 0x45;
    const sec = Math.floor(t);
    const nsec = Math.round((t - sec) * 1e6) * 1000;
    w.write(b, 0, len, T0 + sec, nsec);
    list.push({ t: T0 + sec + nsec / 1e9, bytes: b });
  }
  await w.close();
  return list;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'n64c-merge-'));
  // 12000 and 5000 packets (~9 MB and ~4 MB: many chunks); b is sparse, so a runs ahead.
  files.push({ path: join(dir, 'a.pcap'), list: await make(join(dir, 'a.pcap'), 12000, 1, 0, 0.001, 'pcap') });
  files.push({ path: join(dir, 'b.pcapng'), list: await make(join(dir, 'b.pcapng'), 5000, 2, 0.0005, 0.0024, 'pcapng') });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mergeCaptures / zipCaptures', () => {
  it('merges by timestamp: every packet once, in order, bytes intact', async () => {
    const seen: { side: number; n: number; t: number; ok: boolean }[] = [];
    await mergeCaptures(files[0].path, files[1].path, (side, p) => {
      const want = files[side].list[p.number - 1];
      const got = p.data.subarray(p.offset, p.offset + p.caplen);
      seen.push({ side, n: p.number, t: p.tsSec + p.tsNsec / 1e9, ok: Buffer.compare(Buffer.from(got), Buffer.from(want.bytes)) === 0 });
    }, { blocking: true });
    expect(seen.length).toBe(17000);
    expect(seen.every((x) => x.ok)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i].t >= seen[i - 1].t, `#${i}`).toBe(true);
    for (const s of [0, 1]) expect(seen.filter((x) => x.side === s).map((x) => x.n)).toEqual(files[s].list.map((_, i) => i + 1));
  });

  it('zips in file order, the longer capture\'s tail paired with null', async () => {
    let pairs = 0;
    let tail = 0;
    let bad = 0;
    await zipCaptures(files[0].path, files[1].path, (a, b) => {
      if (a && b) {
        pairs++;
        if (a.number !== b.number || a.caplen !== files[0].list[a.number - 1].bytes.length || b.caplen !== files[1].list[b.number - 1].bytes.length) bad++;
      } else if (a && !b) tail++;
      else bad++;
    });
    expect([pairs, tail, bad]).toEqual([5000, 7000, 0]);
  });
});
