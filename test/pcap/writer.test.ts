import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCapture, readAllPackets, readCapture } from '../../src/pcap/reader.js';
import { CaptureWriteError, openCaptureWriter, PcapngWriter, PcapWriter, samePath, formatForPath, WRITER_BUFFER_BYTES } from '../../src/pcap/writer.js';
import { concatBytes, epb, idb, opt, packetSigs, pcapFile, prng, randomBytes, shb, spb, pb, nrb, isb, dsb } from '../helpers/pcap-craft.js';

const dir = mkdtempSync(join(tmpdir(), 'nat64scope-pcapw-'));
afterAll(() => {
  if (!process.env.KEEP_TMP) rmSync(dir, { recursive: true, force: true });
});

const hasTshark = spawnSync('tshark', ['-v'], { encoding: 'utf8' }).status === 0;
if (!hasTshark) console.warn('tshark not found: skipping the tshark referee tests (apt-get install tshark)');
const itTshark = hasTshark ? it : it.skip;

interface TsharkRow {
  number: number;
  len: number;
  caplen: number;
  epoch: string;
  comment: string;
  ifname: string;
}

function tshark(path: string): { rows: TsharkRow[]; stderr: string; status: number | null } {
  const r = spawnSync(
    'tshark',
    ['-r', path, '-T', 'fields', '-E', 'separator=|', '-e', 'frame.number', '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'frame.time_epoch', '-e', 'frame.comment', '-e', 'frame.interface_name'],
    { encoding: 'utf8', env: { ...process.env, HOME: dir } },
  );
  const rows = r.stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [number, len, caplen, epoch, comment, ifname] = l.split('|');
      return { number: +number, len: +len, caplen: +caplen, epoch, comment, ifname };
    });
  return { rows, stderr: r.stderr.split('\n').filter((l) => l && !/Running as user "root"/.test(l)).join('\n'), status: r.status };
}

function epoch(sec: number, nsec: number): string {
  return `${sec}.${String(nsec).padStart(9, '0')}`;
}

interface Pkt {
  data: Uint8Array;
  sec: number;
  nsec: number;
  origLen: number;
  ifIndex: number;
  comment: string | null;
}

function randomPackets(seed: number, n: number, ifaces: number): Pkt[] {
  const r = prng(seed);
  const out: Pkt[] = [];
  for (let i = 0; i < n; i++) {
    const len = 20 + (r() % 1400);
    const data = randomBytes(r, len);
    data[0] = 0x45; // an IPv4 header start keeps dissectors quiet-ish
    out.push({
      data,
      sec: 1_700_000_000 + i,
      nsec: r() % 1_000_000_000,
      origLen: len + (r() % 4 === 0 ? r() % 50 : 0),
      ifIndex: r() % ifaces,
      comment: r() % 3 === 0 ? null : `translated from #${i} — ünïcødé`,
    });
  }
  return out;
}

describe('pcapng writer', () => {
  const packets = randomPackets(1, 500, 2);
  const path = join(dir, 'two.pcapng');

  it('round trips exactly through the reader', async () => {
    const w = await openCaptureWriter(path);
    expect(w.format).toBe('pcapng');
    expect(w.addInterface(101, 'ipv6')).toBe(0);
    expect(w.addInterface(1, 'ipv4')).toBe(1);
    for (const p of packets) w.write(p.data, 0, p.data.length, p.sec, p.nsec, p.origLen, p.ifIndex, p.comment);
    expect(w.packets).toBe(500);
    await w.close();
    const got = await readAllPackets(path);
    const s = await readCapture(path, () => {});
    expect(s).toMatchObject({ format: 'pcapng', packets: 500, truncated: false, corrupt: false, warnings: [] });
    expect(s.interfaces).toEqual([
      { section: 0, index: 0, linkType: 101, snaplen: 262144, name: 'ipv6', tsresol: '1e-9', tsoffset: 0 },
      { section: 0, index: 1, linkType: 1, snaplen: 262144, name: 'ipv4', tsresol: '1e-9', tsoffset: 0 },
    ]);
    expect(packetSigs(got)).toEqual(
      packetSigs(
        packets.map((p, i) => ({ ...p, offset: 0, caplen: p.data.length, tsSec: p.sec, tsNsec: p.nsec, linkType: p.ifIndex ? 1 : 101, section: 0, number: i + 1 })),
      ),
    );
  });

  itTshark('tshark opens it with no error and agrees on every field', () => {
    const { rows, stderr, status } = tshark(path);
    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(rows).toEqual(
      packets.map((p, i) => ({
        number: i + 1,
        len: p.origLen,
        caplen: p.data.length,
        epoch: epoch(p.sec, p.nsec),
        comment: p.comment ?? '',
        ifname: p.ifIndex ? 'ipv4' : 'ipv6',
      })),
    );
  });

  itTshark('a capture with no packets is still valid, and timestamps far out are exact', async () => {
    const empty = join(dir, 'empty.pcapng');
    const w = await openCaptureWriter(empty);
    w.addInterface(101, 'ipv6');
    await w.close();
    expect(tshark(empty)).toMatchObject({ rows: [], status: 0, stderr: '' });
    const far = join(dir, 'far.pcapng');
    const w2 = await openCaptureWriter(far);
    w2.write(Uint8Array.of(0x60, 0, 0, 0), 0, 4, 4_000_000_000, 999_999_999);
    w2.write(Uint8Array.of(0x60), 0, 1, 0, 1);
    await w2.close();
    const rows = tshark(far).rows;
    expect(rows.map((r) => r.epoch)).toEqual(['4000000000.999999999', '0.000000001']);
    const got = await readAllPackets(far);
    expect(got.map((p) => [p.tsSec, p.tsNsec, p.linkType])).toEqual([
      [4_000_000_000, 999_999_999, 101],
      [0, 1, 101],
    ]);
  });

  itTshark('writeParts: link header and packet as two parts, ASCII comment prefix + number, exact timestamps', async () => {
    const path = join(dir, 'parts.pcapng');
    const w = await openCaptureWriter(path);
    w.addInterface(1, 'eth');
    const eth = Uint8Array.of(2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2, 0x86, 0xdd, 0xee, 0xee); // 14 used
    const body = new Uint8Array(200).fill(0x61);
    body[0] = 0x60; // not decoded further: tshark shows the bytes
    const prefix = new Uint8Array(Buffer.from('translated from #', 'latin1'));
    // Seconds whose * 1e9 sits just below a 2^32 boundary of the low half, so that + nsec carries.
    const stamps: [number, number][] = [[4, 294_967_295], [4, 294_967_296], [1_700_000_000, 999_999_999], [1_700_000_001, 0], [0, 0]];
    stamps.forEach(([sec, ns], i) => w.writeParts(eth, 14, body, 10, 100 + i, sec, ns, 0, i === 4 ? null : prefix, i === 3 ? -1 : i * 1000 + 7));
    await w.close();
    const rows = tshark(path).rows;
    expect(rows.map((r) => r.epoch)).toEqual(['4.294967295', '4.294967296', '1700000000.999999999', '1700000001.000000000', '0.000000000']);
    expect(rows.map((r) => r.comment)).toEqual(['translated from #7', 'translated from #1007', 'translated from #2007', 'translated from #', '']);
    expect(rows.map((r) => r.caplen)).toEqual([114, 115, 116, 117, 118]);
    const got = await readAllPackets(path);
    expect(got.map((p) => [p.tsSec, p.tsNsec])).toEqual(stamps);
    expect(Buffer.from(got[0].data.subarray(got[0].offset, got[0].offset + 16)).toString('hex')).toBe('0200000000010200000000028' + '6dd6161');
  });

  itTshark('writeSplit: the head read from an offset; comment numbers at every digit count and past 2^31', async () => {
    const path = join(dir, 'split.pcapng');
    const w = await openCaptureWriter(path);
    w.addInterface(101, 'ipv6');
    const head = new Uint8Array(100).fill(0xee);
    head.set([0x60, 0, 0, 0, 0, 8, 17, 64], 64); // an IPv6 header at 64, the rest of it zeros
    head.fill(0, 72, 104 - 4);
    const body = Uint8Array.of(0, 1, 0, 2, 0, 8, 0, 0);
    const prefix = new Uint8Array(Buffer.from('translated from #', 'latin1'));
    const nums = [0, 9, 10, 99, 100, 99999, 100000, 999999, 1000000, 2147483647, 2147483648, 99999999999];
    nums.forEach((num, i) => w.writeSplit(head, 64, 36, body, 0, body.length, i, 0, 0, prefix, num));
    await w.close();
    const rows = tshark(path).rows;
    expect(rows.map((r) => r.comment)).toEqual(nums.map((num) => `translated from #${num}`));
    expect(rows.map((r) => r.caplen)).toEqual(nums.map(() => 44));
    const got = await readAllPackets(path);
    expect(Buffer.from(got[0].data.subarray(got[0].offset, got[0].offset + 44)).toString('hex')).toBe(
      Buffer.concat([Buffer.from(head.subarray(64, 100)), Buffer.from(body)]).toString('hex'));
  });

  it('writeEthernet writes the bytes writeSplit writes for the same Ethernet frame (timestamps, carries, comments, snaplen, lengths)', async () => {
    const a = join(dir, 'eth-a.pcapng');
    const b = join(dir, 'eth-b.pcapng');
    const wa = (await openCaptureWriter(a, { snaplen: 1500 })) as PcapngWriter;
    const wb = (await openCaptureWriter(b, { snaplen: 1500 })) as PcapngWriter;
    for (const w of [wa, wb]) {
      w.addInterface(1, 'ipv6');
      w.addInterface(1, 'ipv4');
    }
    const x = prng(7);
    const r = (): number => x() / 4294967296;
    const link = new Uint8Array(16).map(() => Math.floor(r() * 256));
    const lv = new DataView(link.buffer);
    const prefix = new Uint8Array(Buffer.from('translated from #', 'latin1'));
    const odd = new Uint8Array(Buffer.from('hairpinned from #x', 'latin1'));
    // Seconds repeated and changing (the cached second), nsec carries past 2^32 of the low half,
    // comment numbers of every digit count and past 2^31, payloads short and long, frames over the snaplen.
    let sec = 1_700_000_000;
    for (let i = 0; i < 400; i++) {
      if (r() < 0.1) sec += 1 + Math.floor(r() * 3);
      if (i === 200) sec = 4_294_967_295; // a second whose sec * 1e9 low half is near a carry
      const nsec = r() < 0.1 ? 999_999_999 : Math.floor(r() * 1e9);
      const headLen = [20, 28, 38, 40, 58, 60, 61][i % 7];
      const len = [0, 3, 32, 33, 700, 1440, 1500][Math.floor(r() * 7)];
      const head = new Uint8Array(64 + headLen).map(() => Math.floor(r() * 256));
      const headCopy = head.slice();
      const body = new Uint8Array(len + 5).map(() => Math.floor(r() * 256));
      const num = [0, 7, 10, 99999, 1000000, 2147483647, 2147483648, 99999999999, -1][i % 9];
      const pre = i % 5 === 0 ? odd : prefix;
      const ifIndex = i & 1;
      const et = ifIndex ? 0x0800 : 0x86dd;
      if (num >= 0) wa.writeEthernet(lv, et, head, 64, headLen, body, 5, len, sec, nsec, ifIndex, pre, num);
      // writeSplit of the same frame: link header written before the head.
      headCopy.set(link.subarray(0, 12), 64 - 14);
      headCopy[62] = et >> 8;
      headCopy[63] = et & 0xff;
      if (num >= 0) wb.writeSplit(headCopy, 64 - 14, headLen + 14, body, 5, len, sec, nsec, ifIndex, pre, num);
    }
    await wa.close();
    await wb.close();
    const ba = readFileSync(a);
    expect(ba.length).toBeGreaterThan(100_000);
    expect(ba.equals(readFileSync(b))).toBe(true);
  });

  it('a buffer shared with the packet bytes (one ArrayBuffer: copyWithin) writes the bytes a writer of its own writes', async () => {
    for (const format of ['pcapng', 'pcap'] as const) {
      const a = join(dir, `arena-a.${format}`);
      const b = join(dir, `arena-b.${format}`);
      // The source region first, the writer's buffer after it (as translate's reader and writer).
      const arena = new ArrayBuffer((1 << 20) + WRITER_BUFFER_BYTES);
      const src = new Uint8Array(arena, 0, 1 << 20);
      const wa = await openCaptureWriter(a, { format, linkType: 1, buffer: new Uint8Array(arena, 1 << 20, WRITER_BUFFER_BYTES) });
      const wb = await openCaptureWriter(b, { format, linkType: 1 });
      const x = prng(11);
      const r = (): number => x() / 4294967296;
      const head = new Uint8Array(64).map(() => Math.floor(r() * 256));
      const lv = new DataView(head.buffer);
      const prefix = new Uint8Array(Buffer.from('translated from #', 'latin1'));
      let at = 1;
      // Enough bytes to flush the shared buffer many times over; payloads at odd offsets.
      for (let i = 0; i < 3000; i++) {
        const len = [33, 700, 1440, 1500, 64][i % 5];
        if (at + len > src.length) at = 1 + (i % 7);
        for (let k = 0; k < len; k++) src[at + k] = Math.floor(r() * 256);
        const body = i % 3 === 0 ? src : src.subarray(at - 1); // (also a view at an offset of its own)
        const off = i % 3 === 0 ? at : 1;
        for (const w of [wa, wb]) {
          if (format === 'pcapng') {
            if (i === 0) w.addInterface(1, 'ipv6');
            (w as PcapngWriter).writeEthernet(lv, 0x0800, head, 14, 20, body, off, len, 1_700_000_000 + i, i * 1000, 0, prefix, i + 1);
          } else w.write(body, off, len, 1_700_000_000 + i, i * 1000);
        }
        at += len + (i & 3);
      }
      await wa.close();
      await wb.close();
      const ba = readFileSync(a);
      expect(ba.length).toBeGreaterThan(2_000_000);
      expect(ba.equals(readFileSync(b))).toBe(true);
    }
  });

  it('writeParts on classic pcap writes the same bytes as write() of the joined frame', async () => {
    const a = join(dir, 'parts-a.pcap');
    const b = join(dir, 'parts-b.pcap');
    const wa = await openCaptureWriter(a, { linkType: 1, nanosecond: true });
    const wb = await openCaptureWriter(b, { linkType: 1, nanosecond: true });
    const head = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 0x08, 0x00);
    for (let i = 0; i < 50; i++) {
      const body = new Uint8Array(i * 7).map((_, j) => (i + j) & 0xff);
      wa.writeParts(head, 14, body, 0, body.length, i, i * 1000 + 1, 0, null, -1);
      const joined = new Uint8Array(14 + body.length);
      joined.set(head);
      joined.set(body, 14);
      wb.write(joined, 0, joined.length, i, i * 1000 + 1);
    }
    await wa.close();
    await wb.close();
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
  });

  it('writes to stdout with "-"', async () => {
    const { compilePcapModules } = await import('../helpers/pcap-craft.js');
    const reader = await compilePcapModules(join(dir, 'js'));
    const script = join(dir, 'stdout-writer.mjs');
    writeFileSync(
      script,
      `import { openCaptureWriter } from ${JSON.stringify(reader.replace(/reader\.js$/, 'writer.js'))};\n` +
        `const w = await openCaptureWriter('-');\n` +
        `for (let i = 0; i < 5000; i++) w.write(new Uint8Array(300).fill(i & 255), 0, 300, i, i);\n` +
        `await w.close();\n`,
    );
    const r = spawnSync(process.execPath, [script], { maxBuffer: 1 << 26 });
    expect(r.stderr.toString()).toBe('');
    const { packets, summary } = parseCapture(new Uint8Array(r.stdout));
    expect(summary.format).toBe('pcapng');
    expect(packets).toHaveLength(5000);
    expect(packets[4999]).toMatchObject({ tsSec: 4999, tsNsec: 4999, caplen: 300 });
  });
});

describe('classic pcap writer', () => {
  for (const nanosecond of [false, true]) {
    itTshark(`${nanosecond ? 'ns' : 'µs'}: reader and tshark agree`, async () => {
      const path = join(dir, `classic-${nanosecond}.pcap`);
      const packets = randomPackets(2, 300, 1);
      const w = await openCaptureWriter(path, { nanosecond, linkType: 1 });
      expect(w).toBeInstanceOf(PcapWriter);
      for (const p of packets) w.write(p.data, 0, p.data.length, p.sec, p.nsec, p.origLen, 0, p.comment);
      await w.close();
      const s = await readCapture(path, () => {});
      expect(s).toMatchObject({ format: 'pcap', nanosecond, byteOrder: 'le', packets: 300 });
      const nsec = (n: number) => (nanosecond ? n : Math.floor(n / 1000) * 1000);
      const got = await readAllPackets(path);
      expect(got.map((p) => [p.tsSec, p.tsNsec, p.caplen, p.origLen, p.linkType])).toEqual(
        packets.map((p) => [p.sec, nsec(p.nsec), p.data.length, p.origLen, 1]),
      );
      const t = tshark(path);
      expect(t.status).toBe(0);
      expect(t.stderr).toBe('');
      expect(t.rows.map((r) => [r.number, r.len, r.caplen, r.epoch])).toEqual(
        packets.map((p, i) => [i + 1, p.origLen, p.data.length, epoch(p.sec, nsec(p.nsec))]),
      );
    });
  }

  it('one link type only: a different one is an exit-2 error', async () => {
    const path = join(dir, 'one.pcap');
    const w = await openCaptureWriter(path, { linkType: 101 });
    expect(w.addInterface(101, 'ipv6')).toBe(0);
    const err = (() => {
      try {
        w.addInterface(1, 'ipv4');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(CaptureWriteError);
    expect((err as CaptureWriteError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(/holds one link type: cannot add ethernet \(1\) to a raw \(101\) file/);
    expect(() => w.write(Uint8Array.of(1), 0, 1, 0, 0, 1, 1)).toThrow(CaptureWriteError);
    await w.abort();
    // Without a link type, the first interface sets it.
    const w2 = await openCaptureWriter(join(dir, 'first.pcap'));
    expect(w2.addInterface(1, 'eth')).toBe(0);
    w2.write(new Uint8Array(14), 0, 14, 1, 0);
    await w2.close();
    expect((await readCapture(join(dir, 'first.pcap'), () => {})).interfaces[0].linkType).toBe(1);
  });
});

describe('atomic output', () => {
  it('format by extension', () => {
    expect(formatForPath('a.pcap')).toBe('pcap');
    expect(formatForPath('a.PCAP')).toBe('pcap');
    expect(formatForPath('a.pcapng')).toBe('pcapng');
    expect(formatForPath('a.out')).toBe('pcapng');
    expect(formatForPath('-')).toBe('pcapng');
  });

  it('writes to a temp file renamed on close; abort leaves nothing', async () => {
    const sub = mkdtempSync(join(dir, 'atomic-'));
    const path = join(sub, 'out.pcapng');
    const w = await openCaptureWriter(path);
    expect(w).toBeInstanceOf(PcapngWriter);
    w.write(Uint8Array.of(0x60), 0, 1, 1, 1);
    w.flush();
    expect(readdirSync(sub)).toEqual([`.out.pcapng.tmp-${process.pid}`]);
    expect(existsSync(path)).toBe(false);
    await w.close();
    expect(readdirSync(sub)).toEqual(['out.pcapng']);
    const path2 = join(sub, 'aborted.pcap');
    const w2 = await openCaptureWriter(path2);
    w2.write(new Uint8Array(2 << 20), 0, 200000, 1, 1);
    await w2.abort();
    expect(readdirSync(sub)).toEqual(['out.pcapng']);
  });

  it('an existing file is replaced only with force', async () => {
    const path = join(dir, 'exists.pcap');
    writeFileSync(path, 'old');
    const err = await openCaptureWriter(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaptureWriteError);
    expect((err as CaptureWriteError).exitCode).toBe(2);
    expect((err as Error).message).toBe(`output exists: ${path} (use --force to replace it)`);
    expect(readFileSync(path, 'utf8')).toBe('old');
    const w = await openCaptureWriter(path, { force: true });
    w.write(Uint8Array.of(0x45), 0, 1, 2, 3000);
    await w.close();
    expect((await readAllPackets(path)).map((p) => [p.tsSec, p.tsNsec])).toEqual([[2, 3000]]);
    // Created meanwhile by someone else: not clobbered either.
    const path2 = join(dir, 'race.pcapng');
    const w2 = await openCaptureWriter(path2);
    writeFileSync(path2, 'theirs');
    await expect(w2.close()).rejects.toThrow('output exists');
    expect(readFileSync(path2, 'utf8')).toBe('theirs');
  });

  it('a missing directory is a clear error', async () => {
    await expect(openCaptureWriter(join(dir, 'nope', 'x.pcap'))).rejects.toThrow(/cannot create output: no such file/);
  });

  it('samePath compares real files', async () => {
    const a = join(dir, 'same-a.pcap');
    writeFileSync(a, 'x');
    const link = join(dir, 'same-link.pcap');
    symlinkSync(a, link);
    expect(await samePath(a, link)).toBe(true);
    expect(await samePath(a, join(dir, '.', 'same-a.pcap'))).toBe(true);
    expect(await samePath(a, join(dir, 'other.pcap'))).toBe(false);
    expect(await samePath(join(dir, 'n1.pcap'), join(dir, 'sub', '..', 'n1.pcap'))).toBe(true);
    expect(await samePath('-', '-')).toBe(false);
  });
});

describe('tshark reads what the reader reads (crafted pcapng)', () => {
  itTshark('multi-section, several interfaces, every resolution', () => {
    const b = (...v: number[]) => Uint8Array.from(v);
    const f = concatBytes(
      shb(true),
      idb(true, 1, 0, [opt.str(2, 'eth0')]),
      idb(true, 101, 0, [opt.str(2, 'tun0'), opt.u8(9, 9), opt.i64(14, 1000n)]),
      idb(true, 101, 0, [opt.str(2, 'p2'), opt.u8(9, 0x80 | 10)]),
      idb(true, 101, 0, [opt.str(2, 'ms'), opt.u8(9, 3)]),
      nrb(true),
      epb(true, 0, 1_700_000_000_123_456n, new Uint8Array(14), { options: [opt.str(1, 'hello')] }),
      isb(true, 0),
      epb(true, 1, 1_700_000_000_987_654_321n, b(0x45, 0, 0, 20)),
      dsb(true),
      // (no custom block: tshark 4.0 lists it as a frame)
      epb(true, 2, (1_700_000_000n << 10n) + 3n, b(0x60)),
      epb(true, 3, 1_700_000_000_007n, b(0x60)),
      pb(true, 0, 1_000_001n, new Uint8Array(14)),
      // (origLen = room: tshark 4.0 rejects an SPB longer than its block when snaplen is 0)
      spb(true, 14, new Uint8Array(14)),
      shb(false),
      idb(false, 101, 0, [opt.str(2, 'be0'), opt.u8(9, 0x80 | 30)]),
      epb(false, 0, (1_700_000_000n << 30n) | (1n << 29n), b(0x45, 1)),
    );
    const path = join(dir, 'crafted.pcapng');
    writeFileSync(path, f);
    const { packets } = parseCapture(f);
    const t = tshark(path);
    expect(t.status).toBe(0);
    // tshark 4.0 names a later section's interfaces after the first section's (frame.interface_id
    // restarts at 0), so the names are compared in section 0 only.
    expect(t.rows.map((r) => [r.number, r.len, r.caplen, r.ifname])).toEqual(
      packets.map((p) => [p.number, p.origLen, p.caplen, p.section === 1 ? 'eth0' : ['eth0', 'tun0', 'p2', 'ms'][p.ifIndex]]),
    );
    // tshark prints 9 decimals; an SPB has no timestamp (tshark prints nothing, we say 0).
    expect(t.rows.map((r) => r.epoch)).toEqual(packets.map((p) => (p.number === 6 ? '' : epoch(p.tsSec, p.tsNsec))));
    expect(packets[5]).toMatchObject({ tsSec: 0, tsNsec: 0, caplen: 14 });
  });

  itTshark('classic pcap crafted both byte orders', () => {
    for (const le of [true, false]) {
      const f = pcapFile({ le, nano: !le, linkType: 101 }, [
        { sec: 1_700_000_000, sub: 999_999, data: Uint8Array.of(0x45, 0, 0, 20), origLen: 40 },
      ]);
      const path = join(dir, `crafted-${le}.pcap`);
      writeFileSync(path, f);
      const p = parseCapture(f).packets[0];
      expect(tshark(path).rows[0]).toMatchObject({ len: 40, caplen: 4, epoch: epoch(p.tsSec, p.tsNsec) });
    }
  });
});

describe('writing to a device or a FIFO', () => {
  it('/dev/null is written in place, never replaced by a rename', async () => {
    const { openCaptureWriter: openW } = await import('../../src/pcap/writer.js');
    const { statSync } = await import('node:fs');
    const before = statSync('/dev/null');
    const w = await openW('/dev/null', { format: 'pcapng' });
    w.write(new Uint8Array([0x60, 0, 0, 0, 0, 0, 59, 64, ...new Array(32).fill(0)]), 0, 40, 1, 0);
    await w.close();
    const after = statSync('/dev/null');
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
  });
});
