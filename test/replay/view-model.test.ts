/** The viewer's index and engine outcome over real fixture captures. */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { EmitKind } from '../../src/xlat/types.js';
import { Reason } from '../../src/diag/reasons.js';
import { ipv4ToString, ipv6ToString } from '../../src/wire/addr-text.js';
import { packetTree, changedKeys } from '../../src/replay/detail.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { flowOf } from '../../src/replay/view-flow.js';
import { translateCapture } from '../../src/replay/translate.js';
import { writeShown } from '../../src/replay/view-write.js';
import type { CaptureModel } from '../../src/replay/view-model.js';
import { openDone, awsConfig, DEMO } from '../ui/helpers.js';

const models: CaptureModel[] = [];
afterAll(() => models.forEach((m) => m.close()));
async function open(path: string, slice?: number): Promise<CaptureModel> {
  const m = await openDone(path, awsConfig(), slice);
  models.push(m);
  return m;
}

describe('view model: index', () => {
  it('re-reads every packet byte for byte, with its timestamp and link type (pcapng, pcap, gzip, ns)', async () => {
    for (const f of ['fixtures/pcaps/demo.pcapng', 'fixtures/pcaps/demo-classic.pcap', 'fixtures/pcaps/demo-classic.pcap.gz', 'fixtures/pcaps/demo-nanosecond.pcap', 'fixtures/pcaps/linktypes.pcapng']) {
      const ref = await readAllPackets(f);
      // Small slices: the index is built across many event loop turns.
      const m = await open(f, 512);
      expect(m.error()).toBeNull();
      expect(m.count()).toBe(ref.length);
      expect(m.storeKind).toBe(f.endsWith('.gz') ? 'spool' : 'file');
      for (let r = ref.length - 1; r >= 0; r--) {
        const p = m.packet(r);
        expect(Buffer.from(p.data.subarray(p.offset, p.offset + p.caplen)).equals(Buffer.from(ref[r].data.subarray(ref[r].offset, ref[r].offset + ref[r].caplen)))).toBe(true);
        expect([p.tsSec, p.tsNsec, p.linkType, p.origLen]).toEqual([ref[r].tsSec, ref[r].tsNsec, ref[r].linkType, ref[r].origLen]);
      }
    }
  });

  it('reports a file that is not a capture as an error, not a crash', async () => {
    const m = await open('README.md');
    expect(m.error()).toMatch(/not a capture|magic|pcap/i);
    expect(m.count()).toBe(0);
  });
});

describe('view model: engine outcome on the demo capture (aws profile, --side auto)', () => {
  it('has a counterpart for each packet that crossed the translator, and the same totals as translate --side auto', async () => {
    const m = await open(DEMO);
    // #7: the SYN to 64:ff9b::c633:6407 goes out as IPv4 to 198.51.100.7.
    expect(m.emittedKinds(6)).toBe(1 << EmitKind.Translated);
    const [syn] = m.counterparts(6);
    expect(syn.family).toBe(4);
    expect(ipv4ToString(syn.bytes, 16)).toBe('198.51.100.7');
    // #8: the SYN-ACK from the prefix came out of the translator: rebuilt as the IPv4 it received.
    expect(m.emittedKinds(7)).toBe(1 << EmitKind.Reconstructed);
    const [synack] = m.counterparts(7);
    expect(synack.family).toBe(4);
    expect(ipv4ToString(synack.bytes, 12)).toBe('198.51.100.7');
    // #1: DNS to the resolver never crosses the translator.
    expect(m.counterparts(0)).toEqual([]);
    expect(m.dropReason(0)).toBe(Reason.Pool6Mismatch);
    // #32: a 2000-byte segment beyond the MTU: an ICMPv6 Packet Too Big generated instead.
    expect(m.dropReason(31)).toBe(Reason.PacketTooBig);
    expect(m.counterparts(31)[0].kind).toBe(EmitKind.IcmpError);
    const t = await translateCapture({ input: DEMO, output: null, config: awsConfig(), side: 'auto', drain: false });
    expect(m.translated).toBe(t.translated);
    expect(m.reconstructed).toBe(t.reconstructed);
  });

  it('keeps NAT64 session snapshots: the HTTPS session as of packet #19', async () => {
    const m = await open(DEMO);
    expect(m.sessionsAt(-1)).toBeNull();
    const s = m.sessionsAt(18)!;
    expect(s.row).toBe(18);
    expect(s.sessions).toHaveLength(1);
    expect(s.sessions[0].protocol).toBe('tcp');
    expect(ipv6ToString(s.sessions[0].v6.src, 0)).toBe('2600:1f14:abc:de00::10');
    expect(s.sessions[0].v4.dport).toBe(443);
    expect(s.bib).toHaveLength(1);
  });

  it('marks the changed fields of a translation on both sides', async () => {
    const m = await open(DEMO);
    const p = m.packet(6);
    const left = packetTree(p.data.slice(0, p.caplen), 0, p.caplen, p.linkType);
    const cp = m.counterparts(6)[0];
    const right = packetTree(cp.bytes, 0, cp.bytes.length, LinkType.IPV4);
    const ch = changedKeys(left, right);
    for (const k of ['ip.version', 'ip.src', 'ip.dst', 'ip.ttl', 'l4.sport', 'l4.csum']) expect(ch.has(k), k).toBe(true);
    expect(ch.has('l4.dport')).toBe(false);
    expect(ch.has('tcp.seq')).toBe(false);
    // Byte ranges point at the field: the IPv4 destination is 198.51.100.7 at its range.
    const dst = right.layers.find((l) => l.key === 'ip')!.fields.find((f) => f.key === 'ip.dst')!;
    expect([...cp.bytes.subarray(dst.off, dst.off + dst.len)]).toEqual([198, 51, 100, 7]);
  });

  it('follows a flow: f on the SYN gives the HTTPS connection both ways and nothing else', async () => {
    const m = await open(DEMO);
    const f = flowOf(m, 6)!;
    expect(f.label).toContain('TCP [2600:1f14:abc:de00::10]:49152 ↔ [64:ff9b::c633:6407]:443');
    m.setFilter(f.pred, f.label);
    while (m.scanFilter(50));
    const rows: number[] = [];
    for (let i = 0; i < m.shownCount(); i++) rows.push(m.shownRow(i) + 1);
    expect(rows).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    m.setFilter(null, '');
    expect(m.shownCount()).toBe(48);
  });

  it('writes what is shown: originals (W) and their translation as translate -w would (w)', async () => {
    const m = await open(DEMO);
    const dir = mkdtempSync(join(tmpdir(), 'n64v-write-'));
    const f = flowOf(m, 6)!;
    m.setFilter(f.pred, f.label);
    while (m.scanFilter(50));
    const orig = await writeShown(m, 'original', join(dir, 'orig.pcapng'));
    expect(orig.packets).toBe(14);
    const back = await readAllPackets(join(dir, 'orig.pcapng'));
    expect(back.map((p) => p.caplen)).toEqual([94, 86, 74, 591, 74, 1474, 1474, 986, 74, 200, 361, 74, 74, 74]);
    const tr = await writeShown(m, 'translated', join(dir, 'tr.pcapng'));
    expect(tr.message).toMatch(/14 packets in/);
    const out = await readAllPackets(join(dir, 'tr.pcapng'));
    expect(out.length).toBe(14);
    // Never replaces a file without --force.
    await expect(writeShown(m, 'original', join(dir, 'orig.pcapng'))).rejects.toThrow(/exists/);
  });
});

describe('view model: display filters agree with translate --filter', () => {
  it('selects the same packets as translate --side auto --filter (explain records)', async () => {
    const { DISPLAY_FILTERS } = await import('../../src/ui/display-filter.js');
    const { compileFilter, PacketFacts } = await import('../../src/filter/index.js');
    const { reasonId } = await import('../../src/diag/reasons.js');
    const m = await open(DEMO);
    for (const text of ['drop', 'translated', 'reconstructed', 'verdict == "error-generated"', 'tcp and dport == 443', 'dns', 'reason == "pool6-mismatch"']) {
      expect(DISPLAY_FILTERS.check(text)).toEqual({ ok: true });
      m.setFilter(DISPLAY_FILTERS.compile(text, m), text);
      while (m.scanFilter(50));
      const shown: number[] = [];
      for (let i = 0; i < m.shownCount(); i++) shown.push(m.shownRow(i) + 1);
      // The referee: translate's own selection (its EmitSelector sees each packet's verdict).
      const f = compileFilter(text);
      const facts = new PacketFacts();
      const picked: number[] = [];
      await translateCapture({
        input: DEMO, output: null, config: awsConfig(), side: 'auto', drain: false,
        select: {
          input: (p, verdict, reason) => {
            // translate hands the verdict over; decode as the filter needs.
            void reasonId;
            const { PacketDecoder } = decoderModule;
            const d = new PacketDecoder();
            d.decode(p.data, p.offset, p.caplen, p.linkType);
            facts.fill(p, d);
            facts.verdict = verdict;
            facts.reason = reason;
            const ok = f.matchesPacket(facts);
            if (ok) picked.push(p.number);
            return ok;
          },
          emitted: () => false,
        },
      });
      expect(shown, text).toEqual(picked);
      expect(shown.length, text).toBeGreaterThan(0);
    }
    expect(DISPLAY_FILTERS.check('tcp and')).toMatchObject({ ok: false, column: 8 });
  });
});

const decoderModule = await import('../../src/wire/layer-decoder.js');
