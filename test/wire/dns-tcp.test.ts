/**
 * DNS over TCP reassembly (RFC 1035 §4.2.2, RFC 7766 §8): length-prefixed messages across
 * segments, retransmissions, reordering, and the memory bounds.
 */
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import dnsPacket from 'dns-packet';
import { DnsTcpReassembler, DnsTcpProblem, dnsTcpProblemText } from '../../src/wire/dns-tcp.js';
import { decodeDns, encodeDns } from '../../src/wire/dns.js';

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;
const RST = 0x04;

/** Messages as dns-packet's streamEncode frames them (the RFC 1035 §4.2.2 two-octet length). */
function framed(id: number, name: string): Uint8Array {
  return new Uint8Array(dnsPacket.streamEncode({ type: 'query', id, flags: dnsPacket.RECURSION_DESIRED, questions: [{ type: 'AAAA', name }] }));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

interface Got {
  id: number;
  name: string;
  zeroCopy: boolean;
}

function collector(segmentOf: () => Uint8Array | null): { got: Got[]; cb: (b: Uint8Array, o: number, l: number) => void } {
  const got: Got[] = [];
  return {
    got,
    cb: (b, o, l) => {
      const m = decodeDns(b, o, l);
      expect(m.problems).toEqual([]);
      got.push({ id: m.id, name: m.questions[0].name, zeroCopy: b === segmentOf() });
    },
  };
}

const ISN = 0xfffffff0; // close to wrap-around on purpose

describe('DnsTcpReassembler', () => {
  it('delivers several messages from one segment without copying', () => {
    const r = new DnsTcpReassembler();
    let seg: Uint8Array | null = null;
    const { got, cb } = collector(() => seg);
    expect(r.push('c>s', ISN, SYN, new Uint8Array(0), 0, 0, cb)).toBe(0);
    const payload = concat(framed(1, 'a.example'), framed(2, 'b.example'), framed(3, 'c.example'));
    // embed at an offset, as in a captured frame
    seg = new Uint8Array(54 + payload.length);
    seg.set(payload, 54);
    expect(r.push('c>s', ISN + 1, ACK | PSH, seg, 54, payload.length, cb)).toBe(0);
    expect(got).toEqual([
      { id: 1, name: 'a.example', zeroCopy: true },
      { id: 2, name: 'b.example', zeroCopy: true },
      { id: 3, name: 'c.example', zeroCopy: true },
    ]);
    expect(r.bufferedBytes('c>s')).toBe(0);
  });

  it('reassembles a message split across 3 segments, one split inside the length prefix', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const a = framed(7, 'split.example.com');
    const b = framed(8, 'next.example.com');
    const stream = concat(a, b);
    // cut 1: after the first length octet; cut 2: in the middle of message a; then the rest
    const cuts = [1, 10, stream.length];
    let seq = 1000;
    r.push('k', seq - 1, SYN, stream, 0, 0, cb);
    let prev = 0;
    for (const c of cuts) {
      expect(r.push('k', seq, ACK, stream, prev, c - prev, cb)).toBe(0);
      seq += c - prev;
      prev = c;
    }
    expect(got.map((g) => g.id)).toEqual([7, 8]);
    expect(got[0].zeroCopy).toBe(false);
  });

  it('survives every split of a two-message stream, and every 1-byte dribble', () => {
    const stream = concat(framed(1, 'one.example'), framed(2, 'two.example.org'));
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 3) {
        const r = new DnsTcpReassembler();
        const { got, cb } = collector(() => null);
        let seq = 5;
        for (const [s, e] of [[0, i], [i, j], [j, stream.length]]) {
          if (e > s) r.push('k', seq, ACK, stream, s, e - s, cb);
          seq += e - s;
        }
        expect(got.map((g) => g.id), `${i},${j}`).toEqual([1, 2]);
      }
    }
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    for (let i = 0; i < stream.length; i++) r.push('k', 77 + i, ACK, stream, i, 1, cb);
    expect(got.map((g) => g.id)).toEqual([1, 2]);
  });

  it('hands reassembled messages over: later data does not overwrite them', () => {
    const r = new DnsTcpReassembler();
    const kept: Uint8Array[] = [];
    const cb = (b: Uint8Array, o: number, l: number): void => {
      kept.push(b.subarray(o, o + l));
    };
    const stream = concat(framed(1, 'first.example'), framed(2, 'second.example'), framed(3, 'third.example'));
    // segments that each end in the middle of a message
    const cuts = [5, 40, 70, stream.length];
    let prev = 0;
    for (const c of cuts) {
      r.push('k', 100 + prev, ACK, stream, prev, c - prev, cb);
      prev = c;
    }
    expect(kept.map((k) => decodeDns(k).id)).toEqual([1, 2, 3]);
  });

  it('ignores exact retransmissions and trims overlaps', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const stream = concat(framed(1, 'a.example'), framed(2, 'b.example'));
    r.push('k', 9, SYN, stream, 0, 0, cb);
    expect(r.push('k', 10, ACK, stream, 0, 20, cb)).toBe(0);
    expect(r.push('k', 10, ACK, stream, 0, 20, cb)).toBe(0); // exact retransmission
    expect(r.push('k', 10, ACK, stream, 0, 10, cb)).toBe(0); // retransmitted prefix
    expect(r.push('k', 20, ACK, stream, 10, 20, cb)).toBe(0); // overlaps [20,30) already consumed
    expect(r.push('k', 30, ACK, stream, 20, stream.length - 20, cb)).toBe(0);
    expect(r.push('k', 10, ACK, stream, 0, stream.length, cb)).toBe(0); // whole thing again
    expect(got.map((g) => g.id)).toEqual([1, 2]);
    // a retransmitted SYN does not reset the flow
    expect(r.push('k', 9, SYN, stream, 0, 0, cb)).toBe(0);
  });

  it('starts at the first segment when the SYN was not captured', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const m = framed(42, 'late.example');
    expect(r.push('k', 123456, ACK | PSH, m, 0, m.length, cb)).toBe(0);
    expect(got.map((g) => g.id)).toEqual([42]);
  });

  it('holds out-of-order segments and delivers once the hole is filled', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const stream = concat(framed(1, 'a.example'), framed(2, 'b.example'), framed(3, 'c.example'));
    r.push('k', ISN, SYN, stream, 0, 0, cb);
    const base = (ISN + 1) >>> 0;
    const at = (i: number): number => (base + i) >>> 0; // wraps past 2^32
    expect(r.push('k', at(30), ACK, stream, 30, stream.length - 30, cb)).toBe(0);
    expect(r.push('k', at(15), ACK, stream, 15, 15, cb)).toBe(0);
    expect(got).toEqual([]);
    expect(r.bufferedBytes('k')).toBe(stream.length - 15);
    expect(r.push('k', at(0), ACK, stream, 0, 15, cb)).toBe(0);
    expect(got.map((g) => g.id)).toEqual([1, 2, 3]);
    expect(r.bufferedBytes('k')).toBe(0);
  });

  it('gives up on a flow whose hole never fills, within the byte bound', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    r.push('k', 0, SYN, new Uint8Array(0), 0, 0, cb);
    const chunk = new Uint8Array(1400);
    let seq = 1 + 100; // 100 bytes lost
    let code = 0;
    let pushes = 0;
    while (code === 0 && pushes < 1000) {
      code = r.push('k', seq, ACK, chunk, 0, chunk.length, cb);
      expect(r.bufferedBytes('k')).toBeLessThanOrEqual(65537);
      seq += chunk.length;
      pushes++;
    }
    expect(code).toBe(DnsTcpProblem.OutOfOrderOverflow);
    expect(dnsTcpProblemText(code)).toMatch(/^dns-tcp: /);
    expect(pushes).toBeLessThan(100);
    expect(r.bufferedBytes('k')).toBe(0);
    // the abandoned flow stays quiet, even when the hole's data turns up
    expect(r.push('k', 1, ACK, chunk, 0, 100, cb)).toBe(0);
    expect(got).toEqual([]);
    // a new connection on the same key works again
    const m = framed(5, 'again.example');
    r.push('k', 5000, SYN, m, 0, 0, cb);
    expect(r.push('k', 5001, ACK, m, 0, m.length, cb)).toBe(0);
    expect(got.map((g) => g.id)).toEqual([5]);
  });

  it('bounds the number of held segments', () => {
    const r = new DnsTcpReassembler({ maxHeldSegments: 4 });
    const cb = (): void => {};
    r.push('k', 0, SYN, new Uint8Array(0), 0, 0, cb);
    const tiny = new Uint8Array(1);
    const codes = [10, 12, 14, 16, 18].map((s) => r.push('k', s, ACK, tiny, 0, 1, cb));
    expect(codes).toEqual([0, 0, 0, 0, DnsTcpProblem.OutOfOrderOverflow]);
  });

  it('ends the flow on FIN and RST, reporting an incomplete message', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const m = framed(1, 'a.example');
    r.push('a', 0, SYN, m, 0, 0, cb);
    expect(r.push('a', 1, ACK | FIN, m, 0, m.length, cb)).toBe(0);
    expect(got.map((g) => g.id)).toEqual([1]);
    expect(r.size).toBe(0);

    r.push('b', 0, SYN, m, 0, 0, cb);
    expect(r.push('b', 1, ACK, m, 0, 5, cb)).toBe(0);
    expect(r.push('b', 6, ACK | FIN, m, 0, 0, cb)).toBe(DnsTcpProblem.EndedMidMessage);
    expect(r.size).toBe(0);

    r.push('c', 0, SYN, m, 0, 0, cb);
    r.push('c', 1, ACK, m, 0, 5, cb);
    expect(r.push('c', 6, RST, m, 0, 0, cb)).toBe(DnsTcpProblem.EndedMidMessage);
    expect(r.push('d', 6, RST, m, 0, 0, cb)).toBe(0); // unknown flow
    expect(r.size).toBe(0);
  });

  it('waits for missing data when the FIN arrives early', () => {
    const r = new DnsTcpReassembler();
    const { got, cb } = collector(() => null);
    const stream = concat(framed(1, 'a.example'), framed(2, 'b.example'));
    r.push('k', 0, SYN, stream, 0, 0, cb);
    expect(r.push('k', 21, ACK | FIN, stream, 20, stream.length - 20, cb)).toBe(0);
    expect(r.size).toBe(1);
    expect(r.push('k', 1, ACK, stream, 0, 20, cb)).toBe(0);
    expect(got.map((g) => g.id)).toEqual([1, 2]);
    expect(r.size).toBe(0);
  });

  it('keeps at most maxFlows flows, evicting the least recently used', () => {
    const r = new DnsTcpReassembler({ maxFlows: 3 });
    const cb = (): void => {};
    const half = framed(1, 'a.example').subarray(0, 5);
    for (const k of ['a', 'b', 'c']) r.push(k, 1, ACK, half, 0, half.length, cb);
    r.push('a', 6, ACK, half, 0, 1, cb); // touch a
    r.push('d', 1, ACK, half, 0, half.length, cb); // evicts b
    expect(r.size).toBe(3);
    expect(r.evictions).toBe(1);
    expect(r.bufferedBytes('b')).toBe(0);
    expect(r.bufferedBytes('a')).toBe(6);
    for (let i = 0; i < 10_000; i++) r.push(`f${i}`, 1, ACK, half, 0, half.length, cb);
    expect(r.size).toBe(3);
    const d = new DnsTcpReassembler();
    for (let i = 0; i < 5000; i++) d.push(`f${i}`, 1, ACK, half, 0, half.length, cb);
    expect(d.size).toBe(4096);
  });

  it('passes a largest-size message through', () => {
    const big = encodeDns({
      qr: true,
      questions: [{ name: 'big.example', type: 'TXT' }],
      answers: Array.from({ length: 240 }, () => ({ name: 'big.example', type: 'TXT', data: `"${'x'.repeat(250)}"` })),
    });
    expect(big.length).toBeGreaterThan(60_000);
    expect(() => encodeDns({ answers: Array.from({ length: 250 }, () => ({ name: 'big.example', type: 'TXT', data: `"${'x'.repeat(250)}"` })) })).toThrow();
    const stream = concat(new Uint8Array([big.length >> 8, big.length & 0xff]), big);
    const r = new DnsTcpReassembler();
    const lens: number[] = [];
    for (let o = 0; o < stream.length; o += 1448) {
      const n = Math.min(1448, stream.length - o);
      expect(r.push('k', 1 + o, ACK, stream, o, n, (b, off, l) => { lens.push(l); expect(decodeDns(b, off, l).problems).toEqual([]); })).toBe(0);
    }
    expect(lens).toEqual([big.length]);
  });

  it('property: any segmentation and duplication of a stream yields the messages in order', () => {
    const stream = concat(framed(1, 'a.example'), framed(2, 'bb.example'), framed(3, 'ccc.example'), framed(4, 'd.example'));
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: stream.length }), { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(20), { maxLength: 4 }),
      (cutList, dups) => {
        const cuts = [...new Set([...cutList, stream.length])].sort((a, b) => a - b);
        const segs: [number, number][] = [];
        let prev = 0;
        for (const c of cuts) {
          segs.push([prev, c]);
          prev = c;
        }
        // retransmit a few earlier segments after later ones
        const order = [...segs];
        for (const d of dups) order.splice(Math.min(order.length, d + 1), 0, segs[d % segs.length]);
        const r = new DnsTcpReassembler();
        const ids: number[] = [];
        r.push('k', 99, SYN, stream, 0, 0, () => {});
        for (const [s, e] of order) {
          r.push('k', 100 + s, ACK, stream, s, e - s, (b, o, l) => ids.push(decodeDns(b, o, l).id));
        }
        expect(ids).toEqual([1, 2, 3, 4]);
      },
    ), { numRuns: 500 });
  });

  it('property: random segments never throw and stay within bounds', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), seq: fc.nat(), flags: fc.nat(0x3f), data: fc.uint8Array({ maxLength: 3000 }) }), { maxLength: 60 }),
      (segs) => {
        const r = new DnsTcpReassembler({ maxFlows: 2 });
        for (const s of segs) {
          r.push(s.key, s.seq, s.flags, s.data, 0, s.data.length, () => {});
          expect(r.size).toBeLessThanOrEqual(2);
          expect(r.bufferedBytes(s.key)).toBeLessThanOrEqual(65537);
        }
      },
    ), { numRuns: 300 });
  });
});
