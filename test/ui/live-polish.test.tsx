/**
 * The live viewer's polish, without a network: the status bar in live mode (state instead of
 * `reading…`, fields dropped before `follow` at 80 and 140 columns), the interface column and the
 * per-packet pairing marks fed by a real Correlator (`=` paired, `!` wrong or missing) with the
 * partner named in the detail pane, and DNS64 decisions computed elsewhere (as the live session
 * does) giving the model the same DNS64 lines as `view`'s own one-pass DNS64.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { render, cleanup } from 'ink-testing-library';
import { CaptureModel, DNS64_ANSWER, type ProcessedDns64 } from '../../src/replay/view-model.js';
import { Viewer } from '../../src/ui/Viewer.js';
import { statusText } from '../../src/ui/StatusBar.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { createEngine } from '../../src/xlat/engine.js';
import { EmitKind } from '../../src/xlat/types.js';
import { markPairing } from '../../src/live/live-view.js';
import { Correlator, type CorrelateEvent } from '../../src/replay/correlate.js';
import { LinkLocator } from '../../src/wire/link.js';
import { sum, finish } from '../../src/wire/checksum.js';
import { plain, until, awsConfig, dns64Hook, DEMO } from './helpers.js';

const open: CaptureModel[] = [];
afterEach(() => {
  cleanup();
  open.splice(0).forEach((m) => m.close());
});

const EXTRA = 'capturing 1,234 pkts/s │ kernel drops 0 │ tool drops 0 │ pairs 3 ok 1 wrong 0 missing │ 200 older gone';

describe('status bar in live mode', () => {
  it('shows the live state instead of reading…, and keeps follow, position and state at 80 and 140 columns', async () => {
    const m = new CaptureModel({ name: 'live n64l6t+n64l4t', config: awsConfig(), store: 'spool', interfaces: ['n64l6t', 'n64l4t'] });
    open.push(m);
    for (const p of await readAllPackets(DEMO)) m.ingest(p);
    const base = { model: m, pos: 47, filter: null, message: null, follow: true, extra: EXTRA };
    // `view` (not live): unchanged, the progress figure and every field, cut at the edge later.
    const view = statusText({ ...base, width: 80 });
    expect(view).toContain('48 pkts reading… │ capturing');
    expect(view.length).toBeGreaterThan(80);
    for (const w of [80, 140]) {
      const t = statusText({ ...base, width: w, live: true });
      expect(t.length, t).toBeLessThanOrEqual(w);
      expect(t).not.toContain('reading');
      expect(t).toMatch(/48 pkts │ capturing 1,234 pkts\/s │/);
      expect(t).toMatch(/│ 48\/48 │/);
      expect(t).toMatch(/│ follow +\? help$/);
    }
    // 140: the drops and the pairing counts still fit; the profile and prefix went first.
    const t140 = statusText({ ...base, width: 140, live: true });
    expect(t140).toContain('pairs 3 ok 1 wrong 0 missing');
    expect(t140).toContain('kernel drops 0');
    expect(t140).not.toContain('profile aws');
    // Wide: everything.
    const wide = statusText({ ...base, width: 300, live: true });
    expect(wide).toBe(' live n64l6t+n64l4t │ 48 pkts │ capturing 1,234 pkts/s │ kernel drops 0 │ tool drops 0 │ pairs 3 ok 1 wrong 0 missing │ 200 older gone │ 48/48 │ no filter │ nat64 64:ff9b::/96 │ profile aws │ findings … │ drops 1 │ follow  ? help');
    // Stopped: the reason, and a message (w written) stays too.
    const stopped = statusText({ ...base, width: 80, live: true, follow: false, extra: 'stopped (count) │ kernel drops 0 │ tool drops 0', message: 'written 48 packets to x.pcapng' });
    expect(stopped.length).toBeLessThanOrEqual(80);
    expect(stopped).toMatch(/^ written 48 packets to x\.pcapng │ .*stopped \(count\)/);
  });

  it('Viewer at 80 columns, live: the follow mark is on screen', async () => {
    const m = new CaptureModel({ name: 'live eth0', config: awsConfig(), store: 'spool' });
    open.push(m);
    for (const p of await readAllPackets(DEMO)) m.ingest(p);
    const app = render(<Viewer model={m} live follow width={80} height={20} tickMs={20} statusExtra={EXTRA} />);
    await until(() => plain(app.lastFrame()).includes('48/48'), 3000, 'the list');
    const last = plain(app.lastFrame()).split('\n').at(-1)!;
    expect(last).toMatch(/capturing 1,234 pkts\/s .*│ 48\/48 │ .*follow +\? help/);
  });
});

/** `pkts[row]`'s translation by the engine (IPv4), or null. */
function translations(pkts: CapturedPacket[]): (Uint8Array | null)[] {
  const own = new CaptureModel({ name: 'own', config: awsConfig(), store: 'spool' });
  open.push(own);
  for (const p of pkts) own.ingest(p);
  return pkts.map((_, row) => {
    const cp = own.counterparts(row).find((c) => c.kind === EmitKind.Translated && c.family === 4);
    return cp ? cp.bytes : null;
  });
}

describe('two interfaces: interface column and pairing marks', () => {
  it('marks each packet paired by a real Correlator (= ok, ! wrong or missing), names the interface, and the detail pane names the partner', async () => {
    const demo = await readAllPackets(DEMO);
    const xl = translations(demo);
    const config = awsConfig();
    const m = new CaptureModel({ name: 'live n64l6t+n64l4t', config, store: 'spool', engine: createEngine(config), interfaces: ['n64l6t', 'n64l4t'] });
    open.push(m);
    const events: CorrelateEvent[] = [];
    // Every verdict (correct ones too), as the viewer asks for.
    const c2 = new Correlator({ config, window: 1, allEvents: true }, (e) => {
      events.push(e);
      markPairing(m, e);
    });
    const loc = new LinkLocator();
    let n = 0;
    const feed = (p: CapturedPacket, iface: number): number => {
      const q = { ...p, ifIndex: iface, number: ++n };
      m.ingestProcessed(q, 0, [], 0);
      const v = loc.locate(q.data, q.offset, q.caplen, q.linkType);
      c2.push(v === 6 ? 'v6' : 'v4', q.data, loc.ipOff, q.caplen - loc.linkLen, q.tsSec, q.tsNsec, q.number);
      return q.number;
    };
    // The first five IPv6 packets the engine translates: in on n64l6t, out on n64l4t. The fourth
    // comes out with a TTL one lower than the engine's; the fifth never comes out.
    const rows = xl.map((b, i) => (b ? i : -1)).filter((i) => i >= 0).slice(0, 5);
    expect(rows).toHaveLength(5);
    for (const [k, row] of rows.entries()) {
      const p = demo[row];
      feed(p, 0);
      if (k === 4) continue;
      const out = xl[row]!.slice();
      if (k === 3) {
        out[8]--;
        out[10] = 0;
        out[11] = 0;
        const ck = finish(sum(out, 0, (out[0] & 15) * 4));
        out[10] = ck >>> 8;
        out[11] = ck & 0xff;
      }
      feed({ ...p, data: out, offset: 0, caplen: out.length, origLen: out.length, linkType: LinkType.IPV4 }, 1);
    }
    c2.advance(demo[rows[4]].tsSec + 5, 0);
    expect(events.map((e) => e.kind)).toEqual(['correct', 'correct', 'correct', 'wrong', 'missing']);
    expect(m.pairingOf(0)).toEqual({ kind: 'ok', peer: 2 });
    expect(m.pairingOf(1)).toEqual({ kind: 'ok', peer: 1 });
    expect(m.pairingOf(6)).toEqual({ kind: 'wrong', peer: 8 });
    expect(m.pairingOf(8)?.kind).toBe('missing');
    expect(m.interfaceOf(0)).toBe('n64l6t');
    expect(m.interfaceOf(1)).toBe('n64l4t');

    const app = render(<Viewer model={m} live width={160} height={34} tickMs={20} statusExtra="capturing 0 pkts/s" />);
    const frame = (): string => plain(app.lastFrame());
    await until(() => frame().includes('1/9'), 3000, 'the list');
    const f = frame();
    expect(f).toMatch(/No\. +Time +If +⇄ +Source → Destination/);
    const list = f.split('\n').filter((l) => /^. +\d+ +[\d.]+ n64l/.test(l));
    expect(list.map((l) => /^. +\d+ +[\d.]+ (n64l\w+) (.) /.exec(l)!.slice(1).join(' '))).toEqual([
      'n64l6t =', 'n64l4t =', 'n64l6t =', 'n64l4t =', 'n64l6t =', 'n64l4t =', 'n64l6t !', 'n64l4t !', 'n64l6t !',
    ]);
    // The detail pane: the partner, its interface and family.
    expect(f).toContain('pairing = paired with #2 on n64l4t (IPv4): as the engine translates it');
    app.stdin.write('jj');
    await until(() => frame().includes('│ 3/9 │'), 3000, '#3');
    expect(frame()).toContain('pairing = paired with #4 on n64l4t (IPv4): as the engine translates it');
    app.stdin.write('jjjj');
    await until(() => frame().includes('│ 7/9 │'), 3000, '#7');
    expect(frame()).toContain('pairing ! paired with #8 on n64l4t (IPv4): translated wrongly');
    app.stdin.write('jj');
    await until(() => frame().includes('│ 9/9 │'), 3000, '#9');
    expect(frame()).toContain('pairing ! never translated');
  });

  it('one interface, no pairing: no interface column', async () => {
    const m = new CaptureModel({ name: 'live eth0', config: awsConfig(), store: 'spool', interfaces: ['eth0'] });
    open.push(m);
    for (const p of await readAllPackets(DEMO)) m.ingest(p);
    const app = render(<Viewer model={m} live width={140} height={20} tickMs={20} statusExtra="capturing 0 pkts/s" />);
    await until(() => plain(app.lastFrame()).includes('1/48'), 3000, 'the list');
    expect(plain(app.lastFrame())).toMatch(/No\. +Time +Source → Destination/);
    expect(m.interfaceOf(0)).toBeNull();
  });
});

describe('DNS64 in the live model', () => {
  it('decisions made outside the model (as the live session does, one pass) give the same DNS64 lines and answers as the model\'s own DNS64', async () => {
    const pkts = await readAllPackets(DEMO);
    const config = awsConfig();
    const own = new CaptureModel({ name: 'own', config, store: 'spool', dns64: dns64Hook(config) });
    const fed = new CaptureModel({ name: 'fed', config, store: 'spool', engine: createEngine(config) });
    open.push(own, fed);
    for (const p of pkts) own.ingest(p);
    const hook = dns64Hook(config);
    const loc = new LinkLocator();
    const d: ProcessedDns64 = { verdict: { action: 'passed', reason: '', detail: '' }, result: null, swapped: null, family: 6 };
    for (const [row, p] of pkts.entries()) {
      const v = loc.locate(p.data, p.offset, p.caplen, p.linkType);
      const swapped = v ? hook.packet(p.data, p.offset, p.caplen, p.linkType, loc.ipOff, row + 1) : null;
      const emits = own.counterparts(row).filter((c) => c.kind !== DNS64_ANSWER).map((c) => ({ bytes: c.bytes, off: 0, len: c.bytes.length, family: c.family, kind: c.kind as EmitKind }));
      if (v && hook.verdict) {
        d.verdict = hook.verdict;
        d.result = hook.result;
        d.swapped = swapped;
        d.family = v === 4 ? 4 : 6;
        fed.ingestProcessed(p, own.dropReason(row), emits, emits.length, d);
      } else fed.ingestProcessed(p, own.dropReason(row), emits, emits.length);
    }
    let decided = 0;
    for (let row = 0; row < pkts.length; row++) {
      expect(fed.dns64At(row), `#${row + 1}`).toEqual(own.dns64At(row));
      if (own.dns64At(row)) decided++;
      const hexes = (m: CaptureModel) => m.counterparts(row).map((c) => `${c.kind} ${Buffer.from(c.bytes).toString('hex')}`);
      expect(hexes(fed)).toEqual(hexes(own));
    }
    expect(decided).toBeGreaterThan(3);
    expect(fed.dns64At(44)).toMatchObject({ action: 'passed', reason: 'query' });
    // One pass (live, as translate on stdin): #47's AAAA answer comes before the A data `view`
    // learns in its pre-pass, so DNS64 keeps it here where `view` of the file rewrites it.
    expect(fed.dns64At(46)).toMatchObject({ action: 'kept', reason: 'no-a-data' });
  });
});
