import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error pcap-parser has no types
import pcapParser from 'pcap-parser';
import {
  CaptureFormatError,
  CaptureParser,
  CaptureReadError,
  parseCapture,
  readAllPackets,
  readCapture,
  type ReadSummary,
} from '../../src/pcap/reader.js';
import { copyPacket, type CapturedPacket } from '../../src/pcap/packet.js';
import { compilePcapModules, packetSigs, pcapFile, pcapHeader, pcapRecord, prng, randomBytes, type PcapRecord } from '../helpers/pcap-craft.js';

const dir = mkdtempSync(join(tmpdir(), 'nat64scope-pcap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileNo = 0;
function tmpFile(bytes: Uint8Array | string, name = `f${fileNo++}.pcap`): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

function randomRecords(seed: number, n: number, maxLen = 1600): PcapRecord[] {
  const r = prng(seed);
  const out: PcapRecord[] = [];
  for (let i = 0; i < n; i++) {
    const len = r() % maxLen;
    out.push({ sec: 1_600_000_000 + i, sub: r() % 1_000_000, data: randomBytes(r, len), origLen: len + (r() % 3 === 0 ? r() % 100 : 0) });
  }
  return out;
}

/** Parse bytes pushed in chunks of `size`. */
function parseChunked(bytes: Uint8Array, size: number): { packets: CapturedPacket[]; summary: ReadSummary } {
  const packets: CapturedPacket[] = [];
  const parser = new CaptureParser((p) => {
    packets.push(copyPacket(p));
  });
  for (let o = 0; o < bytes.length; o += size) parser.push(bytes.subarray(o, o + size));
  return { packets, summary: parser.end() };
}

/** pcap-parser as the oracle: every record it yields. */
function oracle(path: string): Promise<{ sec: number; usec: number; caplen: number; len: number; data: Buffer }[]> {
  return new Promise((resolve, reject) => {
    const out: { sec: number; usec: number; caplen: number; len: number; data: Buffer }[] = [];
    const p = pcapParser.parse(path);
    p.on('packet', (pkt: { header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number }; data: Buffer }) => {
      out.push({
        sec: pkt.header.timestampSeconds,
        usec: pkt.header.timestampMicroseconds,
        caplen: pkt.header.capturedLength,
        len: pkt.header.originalLength,
        data: Buffer.from(pkt.data),
      });
    });
    p.on('end', () => resolve(out));
    p.on('error', reject);
  });
}

describe('classic pcap: fields', () => {
  for (const le of [true, false]) {
    for (const variant of ['usec', 'nsec', 'modified'] as const) {
      it(`${le ? 'little' : 'big'}-endian ${variant}`, () => {
        const o = { le, nano: variant === 'nsec', modified: variant === 'modified', linkType: 101, snaplen: 65535 };
        const file = pcapFile(o, [
          { sec: 1_700_000_000, sub: variant === 'nsec' ? 123_456_789 : 123_456, data: Uint8Array.of(0x45, 1, 2, 3), origLen: 60 },
          { sec: 0xfffffff0, sub: 999_999, data: new Uint8Array(0) },
        ]);
        const { packets, summary } = parseCapture(file);
        expect(summary).toMatchObject({
          format: 'pcap',
          byteOrder: le ? 'le' : 'be',
          nanosecond: variant === 'nsec',
          gzip: false,
          packets: 2,
          bytes: 4,
          fileBytes: file.length,
          truncated: false,
          corrupt: false,
          warnings: [],
          sections: 1,
          interfaces: [{ section: 0, index: 0, linkType: 101, snaplen: 65535, name: null, tsresol: variant === 'nsec' ? '1e-9' : '1e-6', tsoffset: 0 }],
        });
        expect(packets[0]).toMatchObject({
          caplen: 4,
          origLen: 60,
          tsSec: 1_700_000_000,
          tsNsec: variant === 'nsec' ? 123_456_789 : 123_456_000,
          linkType: 101,
          ifIndex: 0,
          section: 0,
          number: 1,
        });
        expect(Array.from(packets[0].data)).toEqual([0x45, 1, 2, 3]);
        expect(packets[1]).toMatchObject({ caplen: 0, origLen: 0, tsSec: 0xfffffff0, tsNsec: variant === 'nsec' ? 999_999 : 999_999_000, number: 2 });
      });
    }
  }

  it('delivers one reused object borrowing the parser buffer', () => {
    const file = pcapFile({ le: true }, randomRecords(1, 5));
    const seen: CapturedPacket[] = [];
    const offsets: number[] = [];
    const parser = new CaptureParser((p) => {
      seen.push(p);
      offsets.push(p.offset);
    });
    parser.push(file);
    parser.end();
    expect(new Set(seen).size).toBe(1);
    expect(seen[0].data).toBe(parser.buffer);
    expect(offsets[0]).toBe(24 + 16);
  });

  it('exposes format and interfaces as soon as the header is in', () => {
    const seen: unknown[] = [];
    const parser = new CaptureParser(() => {}, { onInterface: (i) => seen.push(i) });
    const file = pcapFile({ le: false, linkType: 1 }, []);
    parser.push(file.subarray(0, 4));
    expect(parser.format).toBe('pcap');
    expect(parser.byteOrder).toBe('be');
    expect(parser.interfaces).toEqual([]);
    parser.push(file.subarray(4));
    expect(parser.interfaces.map((i) => i.linkType)).toEqual([1]);
    expect(seen).toHaveLength(1);
  });

  it('normalizes an out-of-range microsecond field', () => {
    const { packets } = parseCapture(pcapFile({ le: true }, [{ sec: 10, sub: 2_500_000, data: new Uint8Array(1) }]));
    expect(packets[0]).toMatchObject({ tsSec: 12, tsNsec: 500_000_000 });
  });

  it('stops when the callback returns false, and on stop()', () => {
    const file = pcapFile({ le: true }, randomRecords(2, 10));
    let n = 0;
    const parser = new CaptureParser(() => ++n < 3);
    parser.push(file);
    expect(parser.stopped).toBe(true);
    expect(parser.end()).toMatchObject({ packets: 3, truncated: false, stopped: true });
    let m = 0;
    const p2 = new CaptureParser(() => {
      if (++m === 4) p2.stop();
    });
    p2.push(file);
    expect(p2.end().packets).toBe(4);
  });
});

describe('classic pcap: warnings and damage', () => {
  it('caplen over snaplen and over origLen: kept, warned once with a count', () => {
    const o = { le: true, snaplen: 10 };
    const { packets, summary } = parseCapture(
      pcapFile(o, [
        { sec: 1, sub: 0, data: new Uint8Array(20) },
        { sec: 2, sub: 0, data: new Uint8Array(30) },
        { sec: 3, sub: 0, data: new Uint8Array(8), origLen: 4 },
      ]),
    );
    expect(packets.map((p) => p.caplen)).toEqual([20, 30, 8]);
    expect(summary.corrupt).toBe(false);
    expect(summary.warnings).toEqual(['2 packets have a captured length over the snaplen', '1 packet has a captured length over the original length']);
  });

  it('a record over maxRecord marks the file corrupt and stops', () => {
    const o = { le: true };
    const file = pcapFile(o, [
      { sec: 1, sub: 0, data: new Uint8Array(10) },
      { sec: 2, sub: 0, data: new Uint8Array(10), caplen: 300000 },
      { sec: 3, sub: 0, data: new Uint8Array(10) },
    ]);
    const warned: string[] = [];
    const { packets, summary } = parseCapture(file, { onWarning: (w) => warned.push(w) });
    expect(packets).toHaveLength(1);
    expect(summary.corrupt).toBe(true);
    expect(summary.truncated).toBe(false);
    expect(summary.warnings).toEqual([
      'packet record 2 at offset 50 claims 300000 captured bytes (more than 262144); stopped reading after packet 1',
    ]);
    expect(warned).toEqual(summary.warnings);
    // A smaller maxRecord applies too.
    expect(parseCapture(pcapFile(o, [{ sec: 1, sub: 0, data: new Uint8Array(100) }]), { maxRecord: 50 }).summary.corrupt).toBe(true);
  });

  it('a big record (maxRecord > buffer) is buffered by growing', () => {
    const data = randomBytes(prng(3), 3_000_000);
    const file = pcapFile({ le: true, snaplen: 0 }, [{ sec: 1, sub: 0, data }, { sec: 2, sub: 0, data: Uint8Array.of(9) }]);
    const { packets, summary } = parseChunked(file, 65536);
    expect(summary.corrupt).toBe(true);
    expect(packets).toHaveLength(0);
    const big = parseCapture(file, { maxRecord: 4_000_000 });
    expect(big.packets.map((p) => p.caplen)).toEqual([3_000_000, 1]);
    expect(Buffer.from(big.packets[0].data).equals(Buffer.from(data))).toBe(true);
  });

  it('a file cut at every byte offset yields every complete packet, then truncated', () => {
    const o = { le: false, nano: true };
    const records = randomRecords(4, 6, 40);
    const file = pcapFile(o, records);
    const ends: number[] = [];
    let off = 24;
    for (const r of records) ends.push((off += 16 + r.data.length));
    for (let cut = 0; cut <= file.length; cut++) {
      const part = file.subarray(0, cut);
      if (cut < 4) {
        expect(() => parseCapture(part)).toThrow(CaptureFormatError);
        continue;
      }
      const { packets, summary } = parseCapture(part);
      const complete = ends.filter((e) => e <= cut).length;
      expect(packets).toHaveLength(complete);
      const atBoundary = cut === 24 || ends.includes(cut);
      expect(summary.truncated).toBe(!atBoundary);
      if (!atBoundary) {
        const last = complete === 0 ? 24 : ends[complete - 1];
        const left = cut < 24 ? cut : cut - last;
        expect(summary.warnings).toEqual([`file ends in the middle of a packet record after packet ${complete} (${left} byte${left === 1 ? '' : 's'} left)`]);
      }
    }
  });

  it('not a capture / empty / too short: CaptureFormatError with exit code 3', async () => {
    const html = tmpFile('<!DOCTYPE html><html></html>', 'notes.html');
    await expect(readCapture(html, () => {})).rejects.toThrow('not a capture file: starts with 3c 21 44 4f 43 54 ("<!DOCT") (' + html + ')');
    const err = await readCapture(html, () => {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureFormatError);
    expect((err as CaptureFormatError).exitCode).toBe(3);
    const empty = tmpFile(new Uint8Array(0), 'x.pcap');
    await expect(readCapture(empty, () => {})).rejects.toThrow(`empty file (${empty})`);
    expect(() => parseCapture(Uint8Array.of(0xd4, 0xc3))).toThrow(/only 2 bytes/);
    // An unreadable path.
    const missing = join(dir, 'missing.pcap');
    const e2 = await readCapture(missing, () => {}).catch((e: unknown) => e);
    expect(e2).toBeInstanceOf(CaptureReadError);
    expect((e2 as CaptureReadError).exitCode).toBe(3);
    expect((e2 as Error).message).toBe(`cannot read capture: no such file (${missing})`);
    if (process.getuid?.() !== 0) {
      const locked = tmpFile(pcapFile({ le: true }, []), 'locked.pcap');
      chmodSync(locked, 0);
      await expect(readCapture(locked, () => {})).rejects.toThrow('permission denied');
    }
    await expect(readCapture(dir, () => {})).rejects.toThrow(/is a directory/);
  });
});

describe('classic pcap: pcap-parser as the oracle', () => {
  for (const [seed, le] of [[10, true], [11, false], [12, true], [13, false]] as const) {
    it(`random file seed ${seed} (${le ? 'le' : 'be'})`, async () => {
      const records = randomRecords(seed, 300 + seed * 7);
      const path = tmpFile(pcapFile({ le, snaplen: 65535 }, records));
      const want = await oracle(path);
      const got = await readAllPackets(path);
      expect(want).toHaveLength(records.length);
      expect(got).toHaveLength(want.length);
      for (let i = 0; i < want.length; i++) {
        const g = got[i];
        const w = want[i];
        expect({ sec: g.tsSec, usec: g.tsNsec / 1000, caplen: g.caplen, len: g.origLen }).toEqual({ sec: w.sec, usec: w.usec, caplen: w.caplen, len: w.len });
        expect(Buffer.from(g.data).equals(w.data)).toBe(true);
      }
    });
  }
});

describe('classic pcap: input paths', () => {
  const records = randomRecords(20, 2000);
  const file = pcapFile({ le: true }, records);

  it('the same packets whatever the chunk size', () => {
    const whole = parseCapture(file);
    for (const size of [1, 7, 4096, 1 << 20]) {
      const { packets, summary } = parseChunked(size === 1 ? file.subarray(0, 5000) : file, size);
      const ref = size === 1 ? parseCapture(file.subarray(0, 5000)) : whole;
      expect(packetSigs(packets)).toEqual(packetSigs(ref.packets));
      expect(summary).toEqual(ref.summary);
    }
  });

  it('reads files bigger than the buffer', async () => {
    const big = pcapFile({ le: false }, randomRecords(21, 6000, 1500));
    const path = tmpFile(big);
    let n = 0;
    let sum = 0;
    const s = await readCapture(path, (p) => {
      n++;
      if (p.caplen > 0) sum += p.data[p.offset];
    });
    const ref = parseCapture(big);
    expect(n).toBe(6000);
    expect(s.packets).toBe(6000);
    expect(s.fileBytes).toBe(big.length);
    expect(sum).toBe(ref.packets.reduce((a, p) => a + (p.caplen > 0 ? p.data[0] : 0), 0));
  });

  it('gzip is detected from the magic, not the name', async () => {
    const path = tmpFile(gzipSync(file), 'plain-name.pcap');
    const got = await readAllPackets(path);
    expect(packetSigs(got)).toEqual(packetSigs(parseCapture(file).packets));
    const s = await readCapture(path, () => {});
    expect(s).toMatchObject({ gzip: true, packets: records.length, truncated: false });
  });

  it('a cut gzip file yields what it holds and says truncated', async () => {
    const gz = gzipSync(file);
    const path = tmpFile(gz.subarray(0, Math.floor(gz.length / 2)), 'cut.pcap.gz');
    let n = 0;
    const s = await readCapture(path, () => {
      n++;
    });
    expect(s.truncated).toBe(true);
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(records.length);
    expect(s.packets).toBe(n);
  });

  it('stops reading a file early when asked', async () => {
    const path = tmpFile(file);
    let n = 0;
    const s = await readCapture(path, () => ++n < 10);
    expect(s).toMatchObject({ packets: 10, stopped: true, truncated: false });
  });

  it('reads stdin, plain and gzip, in a child process', async () => {
    const reader = await compilePcapModules(join(dir, 'js'));
    const script = join(dir, 'stdin-reader.mjs');
    writeFileSync(
      script,
      `import { readCapture } from ${JSON.stringify(reader)};\n` +
        `let n = 0, b = 0;\n` +
        `const s = await readCapture('-', (p) => { n++; b += p.caplen; });\n` +
        `console.log(JSON.stringify({ n, b, gzip: s.gzip, packets: s.packets, truncated: s.truncated }));\n`,
    );
    const bytes = records.reduce((a, r) => a + r.data.length, 0);
    for (const input of [file, gzipSync(file)]) {
      const r = spawnSync(process.execPath, [script], { input, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toEqual({ n: records.length, b: bytes, gzip: input !== file, packets: records.length, truncated: false });
    }
    // Not a capture on stdin.
    const bad = spawnSync(process.execPath, [script], { input: 'hello world', encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain('not a capture file: starts with 68 65 6c 6c 6f 20 ("hello ") (stdin)');
  });

  it('reads a stream (the stdin path) in odd chunk sizes', async () => {
    const { Readable } = await import('node:stream');
    const { readCaptureStream } = await import('../../src/pcap/reader.js');
    async function* chunks(b: Uint8Array, n: number) {
      for (let o = 0; o < b.length; o += n) yield b.subarray(o, o + n);
    }
    const small = file.subarray(0, 20000);
    const ref = packetSigs(parseCapture(small).packets);
    for (const input of [small, new Uint8Array(gzipSync(small))]) {
      const got: CapturedPacket[] = [];
      const s = await readCaptureStream(Readable.from(chunks(input, 1)), (p) => {
        got.push(copyPacket(p));
      });
      expect(s.gzip).toBe(input !== small);
      expect(packetSigs(got)).toEqual(ref);
    }
  });
});

describe('modified pcap', () => {
  it('cut inside a 24-byte record header', () => {
    const o = { le: true, modified: true };
    const file = pcapFile(o, [{ sec: 1, sub: 2, data: new Uint8Array(5) }]);
    let offset = -1;
    const parser = new CaptureParser((p) => {
      offset = p.offset;
    });
    parser.push(file);
    expect(parser.end().packets).toBe(1);
    expect(offset).toBe(24 + 24);
    const cut = parseCapture(file.subarray(0, 24 + 20));
    expect(cut.summary.truncated).toBe(true);
    expect(cut.packets).toHaveLength(0);
  });

  it('header record helpers compose', () => {
    const o = { le: false };
    const file = new Uint8Array([...pcapHeader(o), ...pcapRecord(o, { sec: 5, sub: 6, data: Uint8Array.of(1) })]);
    expect(parseCapture(file).packets[0]).toMatchObject({ tsSec: 5, tsNsec: 6000 });
  });
});
