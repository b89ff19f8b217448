/** The packet ring (src/live/ring.ts) and the capture stream reader (src/live/capture-stream.ts). */
import { describe, it, expect } from 'vitest';
import { PacketRing } from '../../src/live/ring.js';
import { RecordReader, RecordType, PACKET_HEADER, MESSAGE_HEADER, type ChildMessage } from '../../src/live/capture-stream.js';
import { newPacket } from '../../src/pcap/packet.js';

const pkt = (n: number, len: number) => new Uint8Array(len).fill(n & 0xff);

function push(r: PacketRing, n: number, len: number, keepFrom = Infinity): number {
  return r.push(pkt(n, len), 0, len, len + 1, 1000 + n, n, 1, n % 2, n, 0, -1, keepFrom);
}

describe('PacketRing', () => {
  it('keeps packets in order with their metadata; get() and fill() agree', () => {
    const r = new PacketRing(8, 1024);
    for (let n = 1; n <= 5; n++) expect(push(r, n, 10 * n)).toBe(n - 1);
    expect([r.tail, r.head, r.size]).toEqual([0, 5, 5]);
    const e = r.get(2)!;
    expect([e.number, e.caplen, e.origLen, e.tsSec, e.tsNsec, e.iface, e.linkType]).toEqual([3, 30, 31, 1003, 3, 1, 1]);
    expect(Array.from(e.data)).toEqual(Array(30).fill(3));
    const p = newPacket();
    r.fill(2, p);
    expect(Array.from(p.data.subarray(p.offset, p.offset + p.caplen))).toEqual(Array(30).fill(3));
    expect([p.number, p.origLen, p.ifIndex]).toEqual([3, 31, 1]);
    expect(r.recent(2).map((x) => x.number)).toEqual([4, 5]);
  });

  it('evicts the oldest when the count is reached', () => {
    const r = new PacketRing(4, 1 << 16);
    for (let n = 1; n <= 10; n++) push(r, n, 20);
    expect([r.tail, r.head, r.evicted]).toEqual([6, 10, 6]);
    expect(r.get(5)).toBeNull();
    expect(r.recent().map((x) => x.number)).toEqual([7, 8, 9, 10]);
    expect(r.recent().every((x) => x.data.every((b) => b === (x.number & 0xff)))).toBe(true);
  });

  it('evicts exactly what the arena needs when it wraps, and never corrupts a packet it keeps', () => {
    const r = new PacketRing(1000, 100);
    for (let n = 1; n <= 200; n++) {
      push(r, n, 7 + (n % 13));
      const held = r.recent();
      // Every packet still held has its own bytes, and their sizes fit the arena.
      expect(held.every((x) => x.data.length === 7 + (x.number % 13) && x.data.every((b) => b === (x.number & 0xff)))).toBe(true);
      expect(held.reduce((a, x) => a + x.caplen, 0)).toBeLessThanOrEqual(100);
      expect(held[held.length - 1].number).toBe(n);
      expect(r.evicted).toBe(r.tail);
    }
  });

  it('keepFrom: refuses (-1) a packet that would evict one not processed yet, and changes nothing', () => {
    const r = new PacketRing(4, 1 << 16);
    for (let n = 1; n <= 4; n++) push(r, n, 10);
    // Packets from seq 1 on are not processed: seq 0 may go, seq 1 may not.
    expect(push(r, 5, 10, 1)).toBe(4);
    expect(push(r, 6, 10, 1)).toBe(-1);
    expect([r.tail, r.head, r.evicted]).toEqual([1, 5, 1]);
    expect(r.recent().map((x) => x.number)).toEqual([2, 3, 4, 5]);
    // Arena-bound too.
    const a = new PacketRing(100, 64);
    expect(push(a, 1, 30, 0)).toBe(0);
    expect(push(a, 2, 30, 0)).toBe(1);
    expect(push(a, 3, 30, 0)).toBe(-1);
    expect(push(a, 3, 30, 1)).toBe(2);
    expect(a.recent().map((x) => x.number)).toEqual([2, 3]);
  });
});

function packetRecord(iface: number, bytes: number[], origLen: number, sec: number, nsec: number, trunc: boolean): Buffer {
  const b = Buffer.alloc(PACKET_HEADER + bytes.length);
  b.writeUInt32LE(b.length, 0);
  b[4] = RecordType.Packet;
  b[5] = iface;
  b[6] = trunc ? 1 : 0;
  b.writeUInt32LE(origLen, 8);
  b.writeUInt32LE(sec, 12);
  b.writeUInt32LE(nsec, 16);
  Buffer.from(bytes).copy(b, PACKET_HEADER);
  return b;
}

function messageRecord(m: ChildMessage): Buffer {
  const body = Buffer.from(JSON.stringify(m));
  const b = Buffer.alloc(MESSAGE_HEADER + body.length);
  b.writeUInt32LE(b.length, 0);
  b[4] = RecordType.Message;
  body.copy(b, MESSAGE_HEADER);
  return b;
}

describe('RecordReader (capture process -> session)', () => {
  const stream = Buffer.concat([
    messageRecord({ kind: 'open', interfaces: [{ name: 'eth0', linkType: 1 }] }),
    packetRecord(0, [1, 2, 3, 4, 5], 5, 1795168800, 123456789, false),
    packetRecord(1, [9, 8, 7], 1500, 1795168801, 5, true),
    packetRecord(0, [], 0, 1795168802, 0, false),
    messageRecord({ kind: 'end', kernel: [{ packets: 3, drops: 0 }], unavailable: null, dropped: 0 }),
  ]);

  function read(chunks: Buffer[]): unknown[] {
    const got: unknown[] = [];
    const r = new RecordReader(
      (b, off, caplen, iface, trunc, origLen, sec, nsec) => got.push({ bytes: Array.from(b.subarray(off, off + caplen)), iface, trunc, origLen, sec, nsec }),
      (m) => got.push(m),
    );
    for (const c of chunks) r.feed(c);
    return got;
  }

  it('gives the same records however the stream is cut', () => {
    const whole = read([stream]);
    expect(whole).toHaveLength(5);
    expect(whole[1]).toEqual({ bytes: [1, 2, 3, 4, 5], iface: 0, trunc: false, origLen: 5, sec: 1795168800, nsec: 123456789 });
    expect(whole[2]).toEqual({ bytes: [9, 8, 7], iface: 1, trunc: true, origLen: 1500, sec: 1795168801, nsec: 5 });
    for (let cut = 1; cut < stream.length; cut++) {
      expect(read([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(read(Array.from(stream, (_, i) => stream.subarray(i, i + 1)))).toEqual(whole);
  });
});
