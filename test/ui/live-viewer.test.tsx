/**
 * The viewer in live mode without a network: a spool model fed packet by packet (as `live` feeds
 * it), with a bounded window (circular spools, rows evicted), outcomes computed elsewhere
 * (`ingestProcessed`), and the polled status text of `PolledViewer`.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { CaptureModel } from '../../src/replay/view-model.js';
import { Spool } from '../../src/replay/view-model.js';
import { PolledViewer } from '../../src/ui/live-viewer.js';
import { Viewer } from '../../src/ui/Viewer.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { createEngine } from '../../src/xlat/engine.js';
import { pairingFinding } from '../../src/live/live-view.js';
import { Correlator, type CorrelateEvent } from '../../src/replay/correlate.js';
import { LinkLocator } from '../../src/wire/link.js';
import { plain, until, delay, awsConfig, DEMO } from './helpers.js';

const open: CaptureModel[] = [];
afterEach(() => {
  cleanup();
  open.splice(0).forEach((m) => m.close());
});

function bytesOf(p: CapturedPacket): string {
  return Buffer.from(p.data.subarray(p.offset, p.offset + p.caplen)).toString('hex');
}

/** The demo capture `times` times over, each round 100 s later (copies). */
async function rounds(times: number): Promise<CapturedPacket[]> {
  const base = await readAllPackets(DEMO);
  const out: CapturedPacket[] = [];
  for (let r = 0; r < times; r++) for (const p of base) out.push({ ...p, tsSec: p.tsSec + r * 100 });
  return out;
}

describe('Spool with a limit (circular)', () => {
  it('reads back the last `limit` bytes appended exactly, across many wraps and flushes', () => {
    const limit = 3 * (1 << 20) + 12345;
    const s = new Spool('test', limit);
    const recs: { pos: number; b: Uint8Array }[] = [];
    let seed = 7;
    for (let i = 0; i < 4000; i++) {
      const len = 1 + ((i * 7919) % 9000);
      const b = new Uint8Array(len);
      for (let k = 0; k < len; k++) b[k] = seed = (seed * 1103515245 + 12345) & 0xff;
      recs.push({ pos: s.append(b, 0, len), b });
    }
    expect(s.size).toBeGreaterThan(limit * 4);
    let checked = 0;
    for (const r of recs) {
      if (r.pos < s.size - limit) continue;
      const out = new Uint8Array(r.b.length);
      s.read(r.pos, r.b.length, out);
      expect(Buffer.from(out).equals(Buffer.from(r.b))).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThan(300);
    s.close();
  });
});

describe('CaptureModel with a window (live)', () => {
  it('keeps the newest packets byte for byte with their translations, forgets the rest, and its index stays small', async () => {
    const pkts = await rounds(3000); // 144,000 packets
    const config = awsConfig();
    const full = new CaptureModel({ name: 'full', config, store: 'spool' });
    const win = new CaptureModel({ name: 'win', config, store: 'spool', window: { packets: 5000, bytes: 1 << 20 } });
    open.push(full, win);
    for (const p of pkts) {
      full.ingest(p);
      win.ingest(p);
    }
    const n = pkts.length;
    expect(win.count()).toBe(n);
    const first = win.evicted();
    // The byte limit (1 MiB of packets) binds before the 5000 packets.
    expect(first).toBeGreaterThan(n - 5000);
    expect(win.shownFirst()).toBe(first);
    for (let row = first; row < n; row += 7) {
      expect(bytesOf(win.packet(row))).toBe(bytesOf(pkts[row]));
      expect(win.verdict(row)).toBe(full.verdict(row));
      expect(win.counterparts(row).map((c) => Buffer.from(c.bytes).toString('hex'))).toEqual(full.counterparts(row).map((c) => Buffer.from(c.bytes).toString('hex')));
      expect(win.time(row)).toBe(full.time(row));
    }
    expect(win.counterparts(first - 1)).toEqual([]);
    // Column chunks behind the window are freed: a fraction of the full index.
    expect(win.indexBytes()).toBeLessThan(full.indexBytes() / 2);
    // A filter set now scans only the kept rows.
    win.setFilter(() => true, 'all');
    while (win.scanFilter(50));
    expect(win.shownCount()).toBe(n - first);
    expect(win.shownFirst()).toBe(0);
  });

  it('ingestProcessed records an outcome computed elsewhere as ingest would have (verdicts, drops, translations)', async () => {
    const pkts = await rounds(1);
    const config = awsConfig();
    const own = new CaptureModel({ name: 'own', config, store: 'spool' });
    const engine = createEngine(config);
    const fed = new CaptureModel({ name: 'fed', config, store: 'spool', engine });
    open.push(own, fed);
    for (const p of pkts) own.ingest(p);
    for (let row = 0; row < pkts.length; row++) {
      const cps = own.counterparts(row).map((c) => ({ bytes: c.bytes, off: 0, len: c.bytes.length, family: c.family, kind: c.kind }));
      fed.ingestProcessed(pkts[row], own.dropReason(row), cps, cps.length);
    }
    for (let row = 0; row < pkts.length; row++) {
      expect([fed.verdict(row), fed.dropReason(row), fed.emittedKinds(row), fed.marks(row)]).toEqual([own.verdict(row), own.dropReason(row), own.emittedKinds(row), own.marks(row)]);
    }
    expect([fed.dropped, fed.translated, fed.reconstructed]).toEqual([own.dropped, own.translated, own.reconstructed]);
  });

  it('a pairing problem becomes a finding that marks its packets', async () => {
    const m = new CaptureModel({ name: 'pair', config: awsConfig(), store: 'spool' });
    open.push(m);
    for (const p of await rounds(1)) m.ingest(p);
    m.setFindings([], 'ready');
    const f = pairingFinding({ kind: 'missing', input: { side: 'v6', n: 7, ts: 0 }, expected: 'translation', reason: 'ttl-exceeded', detail: 'hop limit 1' });
    expect(f).toMatchObject({ id: 'pair-missing', severity: 'error', packets: [7] });
    m.addFinding(f!);
    expect(m.findingIds(6)).toEqual(['pair-missing']);
    expect(m.marks(6) & 1).toBe(1);
    expect(pairingFinding({ kind: 'correct', input: { side: 'v6', n: 1, ts: 0 }, output: { side: 'v4', n: 2, ts: 0 }, latency: 0, departures: [] })).toBeNull();
  });
});

describe('Correlator.advance (live: the clock moves on without packets)', () => {
  it('gives a packet whose translation never came its verdict once the clock passes the window, not before', async () => {
    const pkts = await readAllPackets(DEMO);
    const syn = pkts[6]; // #7: the IPv6 SYN to 64:ff9b::c633:6407
    const loc = new LinkLocator();
    expect(loc.locate(syn.data, syn.offset, syn.caplen, syn.linkType)).toBe(6);
    const events: CorrelateEvent[] = [];
    const c = new Correlator({ config: awsConfig(), window: 1 }, (e) => events.push(e));
    c.push('v6', syn.data, loc.ipOff, syn.caplen - loc.linkLen, 1000, 0, 7);
    c.advance(1000, 900_000_000);
    expect(events).toEqual([]);
    c.advance(999, 0); // the clock never goes back
    c.advance(1001, 100_000_000);
    expect(events.map((e) => [e.kind, e.kind === 'missing' ? e.input.n : -1])).toEqual([['missing', 7]]);
    expect(c.summary().missing).toBe(1);
  });
});

describe('PolledViewer and follow mode on a growing model', () => {
  it('follows new packets, stops when scrolled, G resumes, g goes to the oldest kept; the polled status changes without packets', async () => {
    const pkts = await rounds(10); // 480 packets
    const model = new CaptureModel({ name: 'live test0', config: awsConfig(), store: 'spool', window: { packets: 200, bytes: 64 << 20 } });
    open.push(model);
    let polls = 0;
    const app = render(<PolledViewer model={model} follow width={120} height={30} tickMs={20} status={() => `rate ${++polls} pkts/s`} statusMs={30} />);
    const frame = (): string => plain(app.lastFrame());
    await until(() => /rate [3-9] pkts\/s/.test(frame()), 3000, 'the status polled without packets');
    for (let i = 0; i < 100; i++) model.ingest(pkts[i]);
    model.changed();
    await until(() => frame().includes('│ 100/100 │'), 3000, 'following to #100');
    expect(frame()).toMatch(/100 pkts │ rate \d+ pkts\/s │/);
    app.stdin.write('k');
    await until(() => frame().includes('│ 99/100 │'), 3000, 'scrolled to #99');
    for (let i = 100; i < 150; i++) model.ingest(pkts[i]);
    model.changed();
    await until(() => frame().includes('150 pkts'), 3000, '150 packets');
    expect(frame()).toMatch(/│ 99\/150 │/);
    app.stdin.write('G');
    await until(() => frame().includes('│ 150/150 │'), 3000, 'G: following again');
    for (let i = 150; i < 480; i++) model.ingest(pkts[i]);
    model.changed();
    await until(() => frame().includes('│ 480/480 │'), 3000, 'following to #480');
    expect(model.evicted()).toBe(280);
    app.stdin.write('g');
    await until(() => frame().includes('│ 281/480 │'), 3000, 'g: the oldest kept');
    await delay(50);
    expect(frame()).toMatch(/^. +281 +/m);
    expect(frame()).not.toMatch(/^. +280 +/m);
    app.stdin.write('k');
    await delay(80);
    expect(frame()).toMatch(/│ 281\/480 │/);
  });

  it('Viewer shows statusExtra and an initial filter text', async () => {
    const model = new CaptureModel({ name: 'x', config: awsConfig(), store: 'spool' });
    open.push(model);
    for (const p of await rounds(1)) model.ingest(p);
    model.setFilter(() => true, 'udp');
    const app = render(<Viewer model={model} width={140} height={20} tickMs={20} statusExtra="12 pkts/s │ kernel drops 0" initialFilter="udp" />);
    await until(() => plain(app.lastFrame()).includes('12 pkts/s │ kernel drops 0'), 3000, 'the extra status');
    expect(plain(app.lastFrame())).toMatch(/filter: udp/);
  });
});
