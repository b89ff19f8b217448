/**
 * The viewer's DNS64 decisions: the model runs DNS64 before the translator as `translate` does
 * (A data learnt from the whole file first), so every DNS packet's decision in the detail pane is
 * the one `translate --explain` and `dns64` give for it. Referees: the built CLI's own output.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { DNS64_ANSWER, CaptureModel, type Dns64Decision } from '../../src/replay/view-model.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import { decodeDns } from '../../src/wire/dns.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { detailOf, dns64Lines } from '../../src/ui/detail-data.js';
import { writeShown } from '../../src/replay/view-write.js';
import { openDone, awsConfig, dns64Hook, DEMO } from '../ui/helpers.js';

const models: CaptureModel[] = [];
afterAll(() => models.forEach((m) => m.close()));
const dir = mkdtempSync(join(tmpdir(), 'n64-view-dns64-'));

interface Explain { n: number; verdict: string; reason?: string; dns64?: { action: string; reason: string; detail: string } }

function explainOf(args: string[], input?: Buffer): Explain[] {
  const out = join(dir, `explain-${Math.random().toString(36).slice(2)}.ndjson`);
  const r = runCli(['translate', input ? '-' : DEMO, '--profile', 'aws', '--side', 'auto', '--explain', out, '-w', '/dev/null', '--no-progress', ...args], { input });
  expect(r.status, r.stderr).toBe(0);
  return readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Explain);
}

function decisionsOf(m: CaptureModel): (Dns64Decision | null)[] {
  const out: (Dns64Decision | null)[] = [];
  for (let r = 0; r < m.count(); r++) out.push(m.dns64At(r));
  return out;
}

describe('view model: DNS64 decisions are translate\'s', () => {
  it('every packet of the demo: the same DNS64 action, reason and sentence as translate --explain, and the same verdict', async () => {
    const ex = explainOf([]);
    // Small slices: the engines wait at the first DNS packet while the rest is indexed, then catch up.
    const m = await openDone(DEMO, awsConfig(), 512, dns64Hook());
    models.push(m);
    expect(m.count()).toBe(ex.length);
    expect(m.replayedCount()).toBe(m.count());
    const got = decisionsOf(m);
    let dns = 0;
    for (const e of ex) {
      const d = got[e.n - 1];
      if (e.dns64) {
        dns++;
        expect(d && { action: d.action, reason: d.reason, detail: d.detail }, `#${e.n}`).toEqual(e.dns64);
      } else expect(d, `#${e.n}`).toBeNull();
      expect(m.verdict(e.n - 1), `#${e.n}`).toBe(e.verdict);
    }
    expect(dns).toBe(16);
    // #47, the AAAA answer that comes before the A answer (#48): synthesized, as translate says.
    expect(got[46]).toMatchObject({ action: 'rewritten', reason: 'synthesized', question: 'v4only.example.com AAAA' });
  });

  it('#47: what the resolver answered and what DNS64 answers, worded as the dns64 command prints it', async () => {
    const m = await openDone(DEMO, awsConfig(), undefined, dns64Hook());
    models.push(m);
    const r = runCli(['dns64', DEMO, '--profile', 'aws']);
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.length).toBe(6);
    for (const line of lines) {
      // "#47 v4only.example.com AAAA: resolver NOERROR, ...; dns64 64:ff9b::c000:250 (TTL 300) [synthesized] no AAAA: ..."
      const mm = /^#(\d+) (\S+ \S+): resolver (.*); dns64 (.*) \[([a-z0-9-]+)\] (.*)$/.exec(line);
      expect(mm, line).not.toBeNull();
      const d = m.dns64At(Number(mm![1]) - 1)!;
      expect([d.question, d.resolver, d.answer, d.reason, d.detail], line).toEqual([mm![2], mm![3], mm![4] === 'same' ? 'same' : mm![4], mm![5], mm![6]]);
    }
    expect(dns64Lines(m.dns64At(46))).toEqual([
      'DNS64 rewritten [synthesized]: no AAAA: synthesized 1 AAAA from 1 A record of v4only.example.com with TTL 300 = min(A 300, negative TTL 300 from the SOA)',
      'v4only.example.com AAAA: resolver NOERROR, no answer (negative TTL 300) → DNS64 64:ff9b::c000:250 (TTL 300)',
    ]);
  });

  it('#47 rewritten: the right-hand side is the synthesized answer, the same bytes translate -w writes', async () => {
    const m = await openDone(DEMO, awsConfig(), undefined, dns64Hook());
    models.push(m);
    const cps = m.counterparts(46);
    // Not translated (the resolver is native IPv6: pool6-mismatch); DNS64's answer is the counterpart.
    expect(cps.map((c) => c.kind)).toEqual([DNS64_ANSWER]);
    const ans = cps[0];
    const d = new PacketDecoder();
    d.decode(ans.bytes, 0, ans.bytes.length, ans.linkType ?? LinkType.RAW);
    expect(d.dnsCount).toBe(1);
    const msg = decodeDns(d.dnsBufs[0], d.dnsOffs[0], d.dnsLens[0]);
    expect(msg?.answers.map((a) => `${a.type} ${a.data} ${a.ttl}`)).toEqual(['AAAA 64:ff9b::c000:250 300']);
    // The detail pane: that answer on the right, its DNS layer marked changed, the decision shown.
    const det = detailOf(m, 46, 0, new Set());
    expect(det.rightTitle).toMatch(/^DNS64 answer/);
    expect(det.dns64Lines[0]).toMatch(/^DNS64 rewritten \[synthesized\]/);
    expect(det.lines.some((l) => l.changed && l.layer === 'dns')).toBe(true);
    // The referee: dns64 -w rewrites the same packet to the same bytes.
    const out = join(dir, 'rewritten.pcapng');
    const r = runCli(['dns64', DEMO, '--profile', 'aws', '-w', out]);
    expect(r.status, r.stderr).toBe(0);
    const ref = (await readAllPackets(out))[46];
    expect(Buffer.from(ans.bytes).equals(Buffer.from(ref.data.subarray(ref.offset, ref.offset + ref.caplen)))).toBe(true);
    // #48 (the A answer) and #7 (not DNS): no DNS64 counterpart.
    expect(m.counterparts(47).some((c) => c.kind === DNS64_ANSWER)).toBe(false);
    expect(m.dns64At(6)).toBeNull();
  });

  it('w with DNS64 (as view passes it): the same capture, byte for byte, as translate -w (DNS64 on)', async () => {
    const m = await openDone(DEMO, awsConfig(), undefined, dns64Hook());
    models.push(m);
    const mine = join(dir, 'w.pcapng');
    const r = await writeShown(m, 'translated', mine, { dns64: () => dns64Hook() });
    expect(r.message).toMatch(/48 packets in/);
    const ref = join(dir, 'translate.pcapng');
    const t = runCli(['translate', DEMO, '--profile', 'aws', '--side', 'auto', '-w', ref, '--no-progress']);
    expect(t.status, t.stderr).toBe(0);
    expect(readFileSync(mine).equals(readFileSync(ref))).toBe(true);
  });

  it('live and stdin are one pass, as translate from stdin: #47 is kept for want of A data', async () => {
    const ex = explainOf([], readFileSync(DEMO));
    expect(ex[46].dns64).toMatchObject({ action: 'kept', reason: 'no-a-data' });
    const m = new CaptureModel({ name: 'live', config: awsConfig(), store: 'spool', dns64: dns64Hook() });
    models.push(m);
    for (const p of await readAllPackets(DEMO)) m.ingest(p);
    m.finish();
    await m.whenFinished();
    expect(m.finished()).toBe(true);
    for (const e of ex) {
      const d = m.dns64At(e.n - 1);
      expect(d && { action: d.action, reason: d.reason, detail: d.detail }, `#${e.n}`).toEqual(e.dns64 ?? null);
    }
  });

  it('--no-dns64: no decisions, and the same outcome as before', async () => {
    const m = await openDone(DEMO, awsConfig());
    models.push(m);
    expect(decisionsOf(m).every((d) => d === null)).toBe(true);
    const ex = explainOf(['--no-dns64']);
    for (const e of ex) expect(m.verdict(e.n - 1)).toBe(e.verdict);
  });
});
