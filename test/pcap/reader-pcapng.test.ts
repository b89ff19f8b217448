import { describe, expect, it } from 'vitest';
import { CaptureFormatError, CaptureParser, parseCapture, type ReadSummary } from '../../src/pcap/reader.js';
import { copyPacket, type CapturedPacket } from '../../src/pcap/packet.js';
import {
  concatBytes,
  custom,
  dsb,
  epb,
  idb,
  isb,
  nrb,
  opt,
  packetSigs,
  pb,
  prng,
  randomBytes,
  shb,
  spb,
  unknownBlock,
  block,
} from '../helpers/pcap-craft.js';

const bytes = (...v: number[]) => Uint8Array.from(v);

function parseChunked(b: Uint8Array, size: number): { packets: CapturedPacket[]; summary: ReadSummary } {
  const packets: CapturedPacket[] = [];
  const parser = new CaptureParser((p) => {
    packets.push(copyPacket(p));
  });
  for (let o = 0; o < b.length; o += size) parser.push(b.subarray(o, o + size));
  return { packets, summary: parser.end() };
}

/**
 * Two sections in different byte orders. Section 0 (LE): ethernet 'eth0' µs (default), raw
 * 'tun0' ns with if_tsoffset, ipv6 2^-10; section 1 (BE): linux-sll2 ms, ipv4 2^-30 with a
 * negative offset. Every kind of non-packet block in between.
 */
function richFile(): Uint8Array {
  return concatBytes(
    shb(true, { options: [opt.str(4, 'crafted'), opt.str(2, 'x86_64')] }),
    idb(true, 1, 65535, [opt.str(2, 'eth0'), opt.str(3, 'first interface')]),
    idb(true, 101, 0, [opt.str(2, 'tun0'), opt.u8(9, 9), opt.i64(14, 1000n)]),
    idb(true, 229, 262144, [opt.u8(9, 0x80 | 10)]),
    nrb(true),
    epb(true, 0, 1_700_000_000_123_456n, bytes(1, 2, 3), { origLen: 60, options: [opt.str(1, 'a comment')] }),
    isb(true, 0),
    epb(true, 1, 1n << 62n, bytes(0x45, 0, 0, 20, 9)),
    dsb(true),
    custom(true, 0xbad),
    custom(true, 0x40000bad),
    unknownBlock(true, 0x0b, 40), // systemd journal export
    unknownBlock(true, 0x12345678, 8),
    epb(true, 2, (1_700_000_000n << 10n) + 512n, bytes(0x60)),
    pb(true, 0, 1_000_001n, bytes(7, 7), { origLen: 9 }),
    spb(true, 100, bytes(1, 2, 3, 4, 5, 6)),
    shb(false),
    idb(false, 276, 0, [opt.u8(9, 3), opt.str(2, 'any')]),
    idb(false, 228, 0, [opt.u8(9, 0x80 | 30), opt.i64(14, -5n)]),
    epb(false, 0, 1_700_000_000_123n, bytes(0xaa, 0xbb)),
    isb(false, 1),
    epb(false, 1, (1n << 30n) * 10n + (1n << 29n), bytes(0x45)),
    spb(false, 1, bytes(9, 9, 9, 9)),
  );
}

describe('pcapng: sections, interfaces, resolutions', () => {
  it('reads every field of a rich two-section file', () => {
    const file = richFile();
    const { packets, summary } = parseCapture(file);
    expect(summary).toMatchObject({
      format: 'pcapng',
      byteOrder: 'le',
      nanosecond: false,
      packets: 8,
      bytes: 3 + 5 + 1 + 2 + 8 + 2 + 1 + 1,
      truncated: false,
      corrupt: false,
      sections: 2,
      warnings: [],
    });
    expect(summary.interfaces).toEqual([
      { section: 0, index: 0, linkType: 1, snaplen: 65535, name: 'eth0', tsresol: '1e-6', tsoffset: 0 },
      { section: 0, index: 1, linkType: 101, snaplen: 0, name: 'tun0', tsresol: '1e-9', tsoffset: 1000 },
      { section: 0, index: 2, linkType: 229, snaplen: 262144, name: null, tsresol: '2^-10', tsoffset: 0 },
      { section: 1, index: 0, linkType: 276, snaplen: 0, name: 'any', tsresol: '1e-3', tsoffset: 0 },
      { section: 1, index: 1, linkType: 228, snaplen: 0, name: null, tsresol: '2^-30', tsoffset: -5 },
    ]);
    // fileOffset: where the packet's bytes start in the file (the viewer re-reads them from there).
    for (const p of packets) expect(Array.from(file.subarray(p.fileOffset, p.fileOffset + p.caplen))).toEqual(Array.from(p.data.subarray(p.offset, p.offset + p.caplen)));
    const meta = packets.map(({ data: _d, offset: _o, fileOffset: _f, ...m }) => m);
    expect(meta).toEqual([
      { caplen: 3, origLen: 60, tsSec: 1_700_000_000, tsNsec: 123_456_000, linkType: 1, ifIndex: 0, section: 0, number: 1 },
      { caplen: 5, origLen: 5, tsSec: 4_611_686_018 + 1000, tsNsec: 427_387_904, linkType: 101, ifIndex: 1, section: 0, number: 2 },
      { caplen: 1, origLen: 1, tsSec: 1_700_000_000, tsNsec: 500_000_000, linkType: 229, ifIndex: 2, section: 0, number: 3 },
      { caplen: 2, origLen: 9, tsSec: 1, tsNsec: 1000, linkType: 1, ifIndex: 0, section: 0, number: 4 },
      // SPB: interface 0, no timestamp, caplen = min(origLen, snaplen, room): the padding counts
      { caplen: 8, origLen: 100, tsSec: 0, tsNsec: 0, linkType: 1, ifIndex: 0, section: 0, number: 5 },
      { caplen: 2, origLen: 2, tsSec: 1_700_000_000, tsNsec: 123_000_000, linkType: 276, ifIndex: 0, section: 1, number: 6 },
      { caplen: 1, origLen: 1, tsSec: 10 - 5, tsNsec: 500_000_000, linkType: 228, ifIndex: 1, section: 1, number: 7 },
      { caplen: 1, origLen: 1, tsSec: 0, tsNsec: 0, linkType: 276, ifIndex: 0, section: 1, number: 8 },
    ]);
    expect(packets.map((p) => Array.from(p.data))).toEqual([[1, 2, 3], [0x45, 0, 0, 20, 9], [0x60], [7, 7], [1, 2, 3, 4, 5, 6, 0, 0], [0xaa, 0xbb], [0x45], [9]]);
  });

  it('big-endian first section; the byte order may change per section', () => {
    const f = concatBytes(shb(false), idb(false, 1, 0), epb(false, 0, 5_000_001n, bytes(1)), shb(true), idb(true, 101, 0), epb(true, 0, 7n, bytes(2)));
    const { packets, summary } = parseCapture(f);
    expect(summary.byteOrder).toBe('be');
    expect(summary.sections).toBe(2);
    expect(packets.map((p) => [p.section, p.linkType, p.tsSec, p.tsNsec])).toEqual([
      [0, 1, 5, 1000],
      [1, 101, 0, 7000],
    ]);
  });

  it('exact timestamps for each resolution', () => {
    const cases: [number, bigint, number, number][] = [
      [3, 1_700_000_000_999n, 1_700_000_000, 999_000_000],
      [6, 1_700_000_000_000_001n, 1_700_000_000, 1000],
      [9, 1_700_000_000_999_999_999n, 1_700_000_000, 999_999_999],
      [9, (1n << 64n) - 1n, 18_446_744_073, 709_551_615],
      [0x80 | 10, (1_700_000_000n << 10n) | 1023n, 1_700_000_000, 999_023_437],
      [0x80 | 30, (1_700_000_000n << 30n) | 1n, 1_700_000_000, 0],
      [0x80 | 30, (1_700_000_000n << 30n) | (1n << 29n) | 1n, 1_700_000_000, 500_000_000],
      [15, 1_700_000_000_123_456_789_012_345n & ((1n << 64n) - 1n), 0, 0],
    ];
    for (const [res, ticks, sec, nsec] of cases) {
      const f = concatBytes(shb(true), idb(true, 101, 0, [opt.u8(9, res)]), epb(true, 0, ticks, bytes(0)));
      const p = parseCapture(f).packets[0];
      if (res === 15) {
        const d = 10n ** 15n;
        expect([p.tsSec, p.tsNsec]).toEqual([Number(ticks / d), Number(((ticks % d) * 1_000_000_000n) / d)]);
      } else {
        expect([p.tsSec, p.tsNsec], `tsresol ${res} ${ticks}`).toEqual([sec, nsec]);
      }
    }
  });

  it('SPB caplen is limited by the interface snaplen', () => {
    const f = concatBytes(shb(true), idb(true, 1, 4), spb(true, 1000, bytes(1, 2, 3, 4, 5, 6, 7, 8)));
    expect(parseCapture(f).packets[0]).toMatchObject({ caplen: 4, origLen: 1000 });
  });

  it('reports the interfaces as soon as their block is in', () => {
    const seen: string[] = [];
    const parser = new CaptureParser(() => {}, { onInterface: (i) => seen.push(`${i.section}/${i.index}:${i.linkType}`) });
    const f = richFile();
    parser.push(f.subarray(0, 200));
    expect(parser.format).toBe('pcapng');
    expect(seen.length).toBeGreaterThan(0);
    parser.push(f.subarray(200));
    parser.end();
    expect(seen).toEqual(['0/0:1', '0/1:101', '0/2:229', '1/0:276', '1/1:228']);
  });

  it('skips a non-packet block larger than the buffer by counting, not buffering', () => {
    const huge = unknownBlock(true, 0x0b, 5 * 1024 * 1024);
    const f = concatBytes(shb(true), idb(true, 1, 0), epb(true, 0, 1n, bytes(1)), huge, epb(true, 0, 2n, bytes(2)));
    const parser = new CaptureParser(() => {});
    for (let o = 0; o < f.length; o += 65536) parser.push(f.subarray(o, o + 65536));
    const s = parser.end();
    expect(s.packets).toBe(2);
    expect(s.warnings).toEqual([]);
    expect(parser.buffer.length).toBeLessThanOrEqual(2 * 1024 * 1024 + 65536);
    // and a cut inside it is a truncation
    const cut = parseChunked(f.subarray(0, f.length - 100000), 65536);
    expect(cut.summary.truncated).toBe(true);
    expect(cut.packets).toHaveLength(1);
  });

  it('the same packets whatever the chunk size', () => {
    const f = richFile();
    const ref = parseCapture(f);
    for (const size of [1, 7, 4096]) {
      const got = parseChunked(f, size);
      expect(packetSigs(got.packets)).toEqual(packetSigs(ref.packets));
      expect(got.summary).toEqual(ref.summary);
    }
  });
});

describe('pcapng: damage', () => {
  const head = concatBytes(shb(true), idb(true, 1, 10));

  it('cut at every byte offset: complete packets, then truncated', () => {
    const f = richFile();
    const all = parseCapture(f).packets;
    let last = -1;
    for (let cut = 4; cut <= f.length; cut++) {
      const { packets, summary } = parseCapture(f.subarray(0, cut));
      expect(packetSigs(packets)).toEqual(packetSigs(all.slice(0, packets.length)));
      expect(packets.length).toBeGreaterThanOrEqual(last);
      last = packets.length;
      if (cut < f.length && summary.truncated) {
        expect(summary.warnings.at(-1)).toMatch(/^file ends in the middle of a block after packet \d+ \(\d+ bytes? left\)$/);
      }
      expect(summary.corrupt).toBe(false);
    }
    expect(parseCapture(f.subarray(0, f.length - 1)).summary.truncated).toBe(true);
  });

  it('caplen over snaplen and over origLen: kept, warned with counts', () => {
    const f = concatBytes(head, epb(true, 0, 1n, new Uint8Array(20)), epb(true, 0, 1n, new Uint8Array(5), { origLen: 3 }));
    const { packets, summary } = parseCapture(f);
    expect(packets.map((p) => p.caplen)).toEqual([20, 5]);
    expect(summary.warnings).toEqual(['1 packet has a captured length over the snaplen', '1 packet has a captured length over the original length']);
  });

  it('an oversized caplen is corrupt', () => {
    const f = concatBytes(head, epb(true, 0, 1n, bytes(1)), epb(true, 0, 1n, bytes(1), { caplen: 300000 }), epb(true, 0, 1n, bytes(1)));
    const { packets, summary } = parseCapture(f);
    expect(packets).toHaveLength(1);
    expect(summary.corrupt).toBe(true);
    expect(summary.warnings[0]).toMatch(/claims 300000 captured bytes \(more than 262144\); stopped reading after packet 1$/);
  });

  it('bad block lengths and trailers are corrupt', () => {
    const good = epb(true, 0, 1n, bytes(1, 2, 3, 4));
    const badTrailer = good.slice();
    badTrailer[badTrailer.length - 4] ^= 4;
    const notMultiple = good.slice();
    notMultiple[4] = 33;
    const tooSmall = good.slice();
    tooSmall[4] = 8;
    const caplenTooBig = epb(true, 0, 1n, bytes(1, 2, 3, 4), { caplen: 40 });
    for (const [bad, msg] of [
      [badTrailer, /trailing length does not match 36/],
      [notMultiple, /invalid length 33/],
      [tooSmall, /invalid length 8/],
      [caplenTooBig, /40 captured bytes do not fit its length 36/],
    ] as const) {
      const { packets, summary } = parseCapture(concatBytes(head, good, bad, good));
      expect(packets).toHaveLength(1);
      expect(summary.corrupt).toBe(true);
      expect(summary.warnings[0]).toMatch(msg);
    }
  });

  it('packets on an undeclared interface are skipped with a warning', () => {
    const { packets, summary } = parseCapture(concatBytes(head, epb(true, 3, 1n, bytes(1)), epb(true, 0, 1n, bytes(2))));
    expect(packets.map((p) => p.data[0])).toEqual([2]);
    expect(summary.warnings).toEqual(['1 packet skipped: on an interface not described by the section']);
  });

  it('malformed options are ignored with a warning', () => {
    const badIdb = block(true, 1, (w) => {
      w.u16(1).u16(0).u32(0).u16(2).u16(200).u32(0);
    });
    const { summary } = parseCapture(concatBytes(shb(true), badIdb));
    expect(summary.interfaces).toHaveLength(1);
    expect(summary.warnings).toEqual(['1 block has malformed options (ignored)']);
  });

  it('not pcapng after all / unsupported version', () => {
    expect(() => parseCapture(bytes(0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4, 0, 0, 0, 0))).toThrow(CaptureFormatError);
    expect(() => parseCapture(shb(true, { major: 2 }))).toThrow('unsupported pcapng version 2.0 (input)');
    const later = parseCapture(concatBytes(head, shb(true, { major: 3 }), idb(true, 1, 0)));
    expect(later.summary.corrupt).toBe(true);
  });

  it('random files: chunked and whole agree', () => {
    const r = prng(99);
    const parts: Uint8Array[] = [shb(true), idb(true, 1, 0), idb(true, 101, 0, [opt.u8(9, 9)])];
    for (let i = 0; i < 300; i++) {
      const k = r() % 10;
      const data = randomBytes(r, r() % 300);
      if (k < 6) parts.push(epb(true, r() % 2, BigInt(r()) * 1000n, data, { options: r() % 2 ? [opt.str(1, `c${i}`)] : [] }));
      else if (k < 7) parts.push(spb(true, data.length, data));
      else if (k < 8) parts.push(pb(true, r() % 2, BigInt(r()), data));
      else parts.push(unknownBlock(true, 0x100 + (r() % 50), r() % 100));
    }
    const f = concatBytes(...parts);
    const ref = parseCapture(f);
    expect(ref.summary.corrupt).toBe(false);
    expect(packetSigs(parseChunked(f, 13).packets)).toEqual(packetSigs(ref.packets));
  });
});
