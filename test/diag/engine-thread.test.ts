/**
 * analyze with its engine on a second thread (src/replay/engine-thread.ts) gives exactly what one
 * thread gives: on every fixture capture (several configurations), on a capture of mutated
 * fixture packets (broken checksums, truncated headers, odd link layers), and on a capture long
 * enough for the ring between the threads to wrap many times. Also the decoder's two helpers the
 * thread relies on: the IP-only mode and the upper-layer sum computed elsewhere (presum).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { readdirSync, mkdtempSync, writeFileSync, rmSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { sum, fold } from '../../src/wire/checksum.js';
import { analyzeCapture, type AnalyzeOptions } from '../../src/replay/analyze.js';
import { loadConfig } from '../../src/xlat/config.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';
import { prng } from '../../scripts/lib/timeline.js';

const FILES = [
  ...readdirSync('fixtures/pcaps').filter((f) => /\.(pcap|pcapng)(\.gz)?$/.test(f)).map((f) => join('fixtures/pcaps', f)),
  ...readdirSync('fixtures/pcaps/diag').filter((f) => f.endsWith('.pcap')).map((f) => join('fixtures/pcaps/diag', f)),
];

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'engine-thread-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A classic pcap (microsecond) of packets of one link type. */
function writePcap(path: string, linkType: number, packets: { data: Uint8Array; sec: number; usec: number; origLen: number }[]): void {
  let size = 24;
  for (const p of packets) size += 16 + p.data.length;
  const out = Buffer.alloc(size);
  out.writeUInt32LE(0xa1b2c3d4, 0);
  out.writeUInt16LE(2, 4);
  out.writeUInt16LE(4, 6);
  out.writeUInt32LE(262144, 16);
  out.writeUInt32LE(linkType, 20);
  let o = 24;
  for (const p of packets) {
    out.writeUInt32LE(p.sec >>> 0, o);
    out.writeUInt32LE(p.usec, o + 4);
    out.writeUInt32LE(p.data.length, o + 8);
    out.writeUInt32LE(p.origLen, o + 12);
    out.set(p.data, o + 16);
    o += 16 + p.data.length;
  }
  writeFileSync(path, out);
}

/** The demo capture again and again, one second later each time, until `count` packets. */
async function demoRepeated(count: number): Promise<{ linkType: number; list: { data: Uint8Array; sec: number; usec: number; origLen: number }[] }> {
  const base = await readAllPackets('fixtures/pcaps/demo.pcapng', { onWarning: () => undefined });
  const list: { data: Uint8Array; sec: number; usec: number; origLen: number }[] = [];
  const t0 = base[0].tsSec;
  for (let r = 0; list.length < count; r++) {
    for (const p of base) list.push({ data: p.data.slice(p.offset, p.offset + p.caplen), sec: p.tsSec - t0 + 1_700_000_000 + r, usec: Math.floor(p.tsNsec / 1000), origLen: p.origLen });
  }
  return { linkType: base[0].linkType, list };
}

async function both(file: string, config: EngineConfig, opts: AnalyzeOptions = {}): Promise<void> {
  const one = await analyzeCapture(file, config, { ...opts, engineThread: false, onWarning: () => undefined });
  const two = await analyzeCapture(file, config, { ...opts, engineThread: true, onWarning: () => undefined });
  expect(two, file).toEqual(one);
}

describe('analyze with the engine on its own thread', () => {
  it('gives the same result as one thread on every fixture capture', async () => {
    const rfc = loadConfig({});
    for (const f of FILES) await both(f, rfc, { flows: 'all' });
  }, 120_000);

  it('gives the same result under the aws profile, with --side none and v4, and with a filter', async () => {
    const aws = loadConfig({ profile: 'aws' });
    const rfc = loadConfig({});
    const some = FILES.filter((_, i) => i % 3 === 0);
    for (const f of some) {
      await both(f, aws);
      await both(f, rfc, { side: 'none' });
      await both(f, rfc, { side: 'v4' });
      // The filter sees the engine's verdict and drop reason for each packet: from the records.
      await both(f, rfc, { flows: 'all', filter: (_p, d, verdict, reason) => d.ipVersion === 6 || verdict !== 'translated' || reason !== null });
    }
  }, 120_000);

  it('gives the same result on mutated packets of every fixture (bad checksums, truncations, odd link layers)', async () => {
    const rnd = prng(5);
    const byLink = new Map<number, { data: Uint8Array; sec: number; usec: number; origLen: number }[]>();
    let t = 1_700_000_000;
    for (const f of FILES) {
      let packets: CapturedPacket[];
      try {
        packets = await readAllPackets(f, { onWarning: () => undefined });
      } catch {
        continue; // the broken fixtures
      }
      for (const p of packets) {
        for (let k = 0; k < 4; k++) {
          const b = p.data.slice(p.offset, p.offset + p.caplen);
          if (k > 0) for (let i = 0; i < 1 + k; i++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
          const data = k === 3 && b.length > 20 ? b.subarray(0, Math.floor(b.length * rnd())) : b;
          const list = byLink.get(p.linkType) ?? [];
          byLink.set(p.linkType, list);
          t += rnd() * 2;
          list.push({ data, sec: Math.floor(t), usec: Math.floor((t % 1) * 1e6), origLen: k === 3 ? b.length : data.length });
        }
      }
    }
    expect(byLink.size).toBeGreaterThan(1);
    const rfc = loadConfig({});
    for (const [lt, list] of byLink) {
      const path = join(dir, `mutated-${lt}.pcap`);
      writePcap(path, lt, list);
      await both(path, rfc, { flows: 'all' });
    }
  }, 120_000);

  it('gives the same result when the ring between the threads wraps many times', async () => {
    // The demo capture again and again, one second later each time: some 60,000 packets, several
    // times the ring (the writer waits for room, the reader for records).
    const { linkType, list } = await demoRepeated(60_000);
    const path = join(dir, 'long.pcap');
    writePcap(path, linkType, list);
    await both(path, loadConfig({}), { flows: 'all' });
  }, 120_000);

  it('a capture that grows while it is analyzed (still being written): both threads read what it held at the start', async () => {
    const { linkType, list } = await demoRepeated(30_000);
    const path = join(dir, 'growing.pcap');
    writePcap(path, linkType, list);
    const snapshot = join(dir, 'snapshot.pcap');
    writePcap(snapshot, linkType, list);
    const extra = readFileSync(path).subarray(24);
    const rfc = loadConfig({});
    const one = await analyzeCapture(snapshot, rfc, { engineThread: false, onWarning: () => undefined });
    // analyze takes the file's size when called; then slices are appended while the threads read.
    const running = analyzeCapture(path, rfc, { engineThread: true, onWarning: () => undefined });
    let stop = false;
    const appender = (async () => {
      for (let i = 0; i < 40 && !stop; i++) {
        appendFileSync(path, extra.subarray(0, 100_000 + i * 997));
        await new Promise((r) => setTimeout(r, 2));
      }
    })();
    const two = await running;
    stop = true;
    await appender;
    expect(two.packets).toBe(list.length);
    expect({ ...two, input: one.input }).toEqual(one);
  }, 120_000);

  it('fails as one thread does on a capture that cannot be read', async () => {
    const path = join(dir, 'missing.pcap');
    const one = await analyzeCapture(path, loadConfig({}), { engineThread: false }).catch((e: Error & { exitCode?: number }) => [e.message, e.exitCode]);
    const two = await analyzeCapture(path, loadConfig({}), { engineThread: true }).catch((e: Error & { exitCode?: number }) => [e.message, e.exitCode]);
    expect(two).toEqual(one);
    expect((one as unknown[])[1]).toBe(3);
  });
});

describe('decoder helpers of the engine thread', () => {
  it('IP-only decoding finds the same IP layer, and a presum gives the same checksum verdicts', async () => {
    const full = new PacketDecoder();
    const ipOnly = new PacketDecoder({ ipOnly: true });
    const rnd = prng(9);
    let summed = 0;
    for (const f of FILES) {
      let packets: CapturedPacket[];
      try {
        packets = await readAllPackets(f, { onWarning: () => undefined });
      } catch {
        continue;
      }
      for (const p0 of packets) {
        for (let k = 0; k < 3; k++) {
          const data = p0.data.slice(p0.offset, p0.offset + p0.caplen);
          if (k > 0) data[Math.floor(rnd() * data.length)] = Math.floor(rnd() * 256);
          full.decode(data, 0, data.length, p0.linkType);
          ipOnly.decode(data, 0, data.length, p0.linkType);
          const ipFields = (d: PacketDecoder) => ({ v: d.ipVersion, l3: d.l3Off, l4Off: d.l4Off, l4Len: d.l4Len, cap: d.l4Captured, frag: d.isFragment, fo: d.fragOffset, proto: d.proto });
          expect(ipFields(ipOnly)).toEqual(ipFields(full));
          expect(ipOnly.l4).toBe(0);
          // (Checksum verdicts only: decoding a packet again is a retransmission to the DNS-over-TCP reassembly.)
          const want = [full.l4Checksum, full.ipChecksum];
          // The sum the engine thread sends for this packet: the decoder takes it for the range it covers.
          if (ipOnly.ipVersion !== 0 && !ipOnly.isFragment && ipOnly.l4Len > 0 && ipOnly.l4Captured === ipOnly.l4Len) {
            summed++;
            full.presumOff = ipOnly.l4Off;
            full.presumLen = ipOnly.l4Len;
            full.presum = fold(sum(data, ipOnly.l4Off, ipOnly.l4Len, 0));
            full.decode(data, 0, data.length, p0.linkType);
            expect([full.l4Checksum, full.ipChecksum]).toEqual(want);
            // A wrong sum is taken (it is trusted for its range) and gives another verdict when it matters...
            full.presum = (full.presum + 1) & 0xffff;
            full.decode(data, 0, data.length, p0.linkType);
            if (want[0] === 1) expect(full.l4Checksum).not.toBe(1);
            // ...but never for another range.
            full.presumOff = ipOnly.l4Off + 1;
            full.decode(data, 0, data.length, p0.linkType);
            expect([full.l4Checksum, full.ipChecksum]).toEqual(want);
            full.presumOff = -1;
          }
        }
      }
    }
    expect(summed).toBeGreaterThan(1000);
  }, 60_000);
});
