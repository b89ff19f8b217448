/**
 * CaptureSink: a whole packet the general pipeline emits (translated, hairpinned, rebuilt) from an
 * Ethernet input into pcapng goes through the writer's one-call record (writeEthernet); the bytes
 * must be what the two-part write (the link header from writeLinkHeader, then the packet, with
 * its comment) gives: random packets of random sizes, both families, timestamps across seconds,
 * numbers of every width, and the cases the one-call record leaves (a packet over the snapshot
 * length, an error going back, a timer packet).
 */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCaptureWriter, type CaptureWriter } from '../../src/pcap/writer.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { CaptureSink, emitComment } from '../../src/replay/translate.js';
import { writeLinkHeader } from '../../src/wire/link.js';
import { EmitKind } from '../../src/xlat/types.js';
import { prng } from '../helpers/pcap-craft.js';

const dir = mkdtempSync(join(tmpdir(), 'nat64scope-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Emission { pkt: Uint8Array; family: 4 | 6; kind: EmitKind; about: number; sec: number; nsec: number; eth: Uint8Array }

function emissions(count: number): Emission[] {
  const next = prng(7);
  const r = (n: number): number => next() % n;
  const out: Emission[] = [];
  const kinds = [EmitKind.Translated, EmitKind.Translated, EmitKind.Hairpinned, EmitKind.Reconstructed, EmitKind.IcmpError, EmitKind.Deferred];
  for (let i = 0; i < count; i++) {
    const family = r(2) === 0 ? 4 : 6;
    const len = i === 5 ? 3000 : 20 + r(1500);
    const pkt = new Uint8Array(len);
    for (let k = 0; k < len; k++) pkt[k] = r(256);
    pkt[0] = family === 4 ? 0x45 : 0x60;
    const eth = new Uint8Array(14);
    for (let k = 0; k < 12; k++) eth[k] = r(256);
    eth[12] = 0x86;
    eth[13] = 0xdd;
    const kind = kinds[r(kinds.length)];
    const about = kind === EmitKind.Deferred ? -1 : [1, 9, 10, 99999, 100000, 2147483647][r(6)];
    out.push({ pkt, family, kind, about, sec: 1700000000 + (i >> 3), nsec: r(1000000000), eth });
  }
  return out;
}

async function open(name: string): Promise<{ w: CaptureWriter; path: string }> {
  const path = join(dir, name);
  return { w: await openCaptureWriter(path, { format: 'pcapng', force: true, snaplen: 2048 }), path };
}

describe('CaptureSink: a whole packet into pcapng from an Ethernet input', () => {
  it('the one-call record writes what the two-part write does', async () => {
    const es = emissions(400);
    // Through the sink.
    const a = await open('sink.pcapng');
    const sink = new CaptureSink(a.w, true, null);
    for (const e of es) {
      sink.setInput(e.eth, 0, 14, LinkType.ETHERNET, 6);
      sink.clock = { sec: e.sec, nsec: e.nsec };
      sink.emit(e.pkt, 0, e.pkt.length, e.family, e.kind, e.about);
    }
    await a.w.close();
    // The two-part write, interfaces added in the same order.
    const b = await open('parts.pcapng');
    const ifs = new Map<number, number>();
    const frame = new Uint8Array(64);
    for (const e of es) {
      let i = ifs.get(e.family);
      if (i === undefined) ifs.set(e.family, (i = b.w.addInterface(LinkType.ETHERNET, e.family === 6 ? 'ipv6' : 'ipv4')));
      const reverse = e.kind === EmitKind.IcmpError || e.kind === EmitKind.Deferred;
      const h = writeLinkHeader(frame, e.eth, 0, 14, LinkType.ETHERNET, e.family, reverse);
      const text = emitComment(e.kind, e.about, e.pkt, 0, e.family);
      const prefix = new Uint8Array(Buffer.from(e.about >= 0 ? text.slice(0, text.length - String(e.about).length) : text, 'latin1'));
      b.w.writeParts(frame, h, e.pkt, 0, e.pkt.length, e.sec, e.nsec, i, prefix, e.about);
    }
    await b.w.close();
    const x = readFileSync(a.path);
    const y = readFileSync(b.path);
    expect(x.length).toBeGreaterThan(400 * 40);
    expect(x.equals(y)).toBe(true);
  });
});
