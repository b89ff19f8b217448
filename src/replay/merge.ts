/**
 * Reading two captures at once, packets delivered in timestamp order across both (a streaming
 * merge: `correlate`'s two sides, `diff --align flow`) or pairwise in file order (`diff`). Both
 * files are read concurrently in 1 MiB chunks; a side that runs ahead waits for the other, so
 * memory holds about one chunk of packets per side whatever the file sizes.
 *
 * Packets are *borrowed*, as from the reader: valid until the callback returns (whoever keeps
 * one copies it, `copyPacket`). Waiting packets live in one growable byte arena per side, not in
 * an object each: nothing is allocated per packet.
 */
import { readCapture, type ReadSummary } from '../pcap/reader.js';
import { newPacket, type CapturedPacket } from '../pcap/packet.js';

/** A FIFO of packets in one byte arena plus parallel metadata arrays. */
class PacketQueue {
  private data = new Uint8Array(4 << 20);
  private dHead = 0;
  private dTail = 0;
  private off = new Int32Array(8192);
  private len = new Int32Array(8192);
  private orig = new Int32Array(8192);
  private sec = new Float64Array(8192);
  private nsec = new Int32Array(8192);
  private link = new Int32Array(8192);
  private num = new Float64Array(8192);
  private ifx = new Int32Array(8192);
  private sect = new Int32Array(8192);
  private fo = new Float64Array(8192);
  private head = 0;
  private tail = 0;
  /** The packet handed out by shift() (borrowed). */
  private readonly out: CapturedPacket = newPacket();

  get size(): number {
    return this.tail - this.head;
  }

  push(p: CapturedPacket): void {
    if (this.head === this.tail) {
      this.head = this.tail = 0;
      this.dHead = this.dTail = 0;
    }
    if (this.tail === this.off.length) this.compactMeta();
    if (this.dTail + p.caplen > this.data.length) this.compactData(p.caplen);
    const i = this.tail++;
    this.data.set(p.data.subarray(p.offset, p.offset + p.caplen), this.dTail);
    this.off[i] = this.dTail;
    this.len[i] = p.caplen;
    this.dTail += p.caplen;
    this.orig[i] = p.origLen;
    this.sec[i] = p.tsSec;
    this.nsec[i] = p.tsNsec;
    this.link[i] = p.linkType;
    this.num[i] = p.number;
    this.ifx[i] = p.ifIndex;
    this.sect[i] = p.section;
    this.fo[i] = p.fileOffset;
  }

  /** Timestamp (seconds) of the oldest packet. */
  headTs(): number {
    return this.sec[this.head] + this.nsec[this.head] / 1e9;
  }

  shift(): CapturedPacket {
    const i = this.head++;
    const o = this.out;
    o.data = this.data;
    o.offset = this.off[i];
    o.caplen = this.len[i];
    o.origLen = this.orig[i];
    o.tsSec = this.sec[i];
    o.tsNsec = this.nsec[i];
    o.linkType = this.link[i];
    o.number = this.num[i];
    o.ifIndex = this.ifx[i];
    o.section = this.sect[i];
    o.fileOffset = this.fo[i];
    this.dHead = i + 1 < this.tail ? this.off[i + 1] : this.dTail;
    return o;
  }

  private compactMeta(): void {
    const n = this.tail - this.head;
    const grow = n * 2 > this.off.length;
    const cap = grow ? this.off.length * 2 : this.off.length;
    const move = <T extends Int32Array | Float64Array>(a: T, make: (c: number) => T): T => {
      if (!grow) {
        a.copyWithin(0, this.head, this.tail);
        return a;
      }
      const b = make(cap);
      b.set(a.subarray(this.head, this.tail), 0);
      return b;
    };
    this.off = move(this.off, (c) => new Int32Array(c));
    this.len = move(this.len, (c) => new Int32Array(c));
    this.orig = move(this.orig, (c) => new Int32Array(c));
    this.sec = move(this.sec, (c) => new Float64Array(c));
    this.nsec = move(this.nsec, (c) => new Int32Array(c));
    this.link = move(this.link, (c) => new Int32Array(c));
    this.num = move(this.num, (c) => new Float64Array(c));
    this.ifx = move(this.ifx, (c) => new Int32Array(c));
    this.sect = move(this.sect, (c) => new Int32Array(c));
    this.fo = move(this.fo, (c) => new Float64Array(c));
    this.head = 0;
    this.tail = n;
  }

  private compactData(need: number): void {
    const live = this.dTail - this.dHead;
    if (live + need > this.data.length) {
      const bigger = new Uint8Array(Math.max(this.data.length * 2, live + need));
      bigger.set(this.data.subarray(this.dHead, this.dTail), 0);
      this.data = bigger;
    } else this.data.copyWithin(0, this.dHead, this.dTail);
    const shift = this.dHead;
    for (let i = this.head; i < this.tail; i++) this.off[i] -= shift;
    this.dHead = 0;
    this.dTail = live;
  }
}

export interface MergeOptions {
  /** Seconds added to the timestamps of each input before ordering ([a, b]). */
  offsets?: [number, number];
  onWarning?: (input: 0 | 1, msg: string) => void;
  /** Blocking reads for regular files (batch commands; see ReadOptions.blocking). */
  blocking?: boolean;
}

/** Reads two captures concurrently; `pump` consumes from the queues after every chunk. */
async function coRead(a: string, b: string, opts: MergeOptions, makePump: (q: Queues) => () => void): Promise<[ReadSummary, ReadSummary]> {
  const q = new Queues();
  const pump = makePump(q);
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    if (w) w();
  };
  const read = async (i: 0 | 1, path: string): Promise<ReadSummary> => {
    try {
      return await readCapture(path, (p) => {
        q.q[i].push(p);
      }, {
        onWarning: opts.onWarning ? (m) => opts.onWarning!(i, m) : undefined,
        blocking: opts.blocking,
        afterChunk: async () => {
          pump();
          poke();
          // This side is ahead: wait until the other one has read more (or ended). After a
          // pump at most one side holds packets, so at most one side waits.
          while (q.size(i) > 0 && !q.done[1 - i]) {
            await new Promise<void>((r) => (wake = r));
            pump();
          }
        },
      });
    } finally {
      q.done[i] = true;
      pump();
      poke();
    }
  };
  const r = await Promise.all([read(0, a), read(1, b)]);
  pump();
  return r;
}

class Queues {
  readonly q = [new PacketQueue(), new PacketQueue()];
  readonly done = [false, false];
  size(i: number): number {
    return this.q[i].size;
  }
  headTs(i: number): number {
    return this.q[i].headTs();
  }
  shift(i: number): CapturedPacket {
    return this.q[i].shift();
  }
}

/**
 * Calls `onPacket(side, packet)` for every packet of `a` (side 0) and `b` (side 1) in timestamp
 * order (ties: side 0 first). Resolves with both read summaries.
 */
export function mergeCaptures(a: string, b: string, onPacket: (side: 0 | 1, p: CapturedPacket) => void, opts: MergeOptions = {}): Promise<[ReadSummary, ReadSummary]> {
  const offs = opts.offsets ?? [0, 0];
  return coRead(a, b, opts, (q) => () => {
    for (;;) {
      const n0 = q.size(0);
      const n1 = q.size(1);
      if (n0 && n1) {
        if (q.headTs(0) + offs[0] <= q.headTs(1) + offs[1]) onPacket(0, q.shift(0));
        else onPacket(1, q.shift(1));
      } else if (n0 && q.done[1]) onPacket(0, q.shift(0));
      else if (n1 && q.done[0]) onPacket(1, q.shift(1));
      else return;
    }
  });
}

/**
 * Calls `onPair(a_i, b_i)` for the i-th packet of each capture, in file order; when one capture
 * is longer, its extra packets come with null for the other.
 */
export function zipCaptures(a: string, b: string, onPair: (pa: CapturedPacket | null, pb: CapturedPacket | null) => void, opts: MergeOptions = {}): Promise<[ReadSummary, ReadSummary]> {
  return coRead(a, b, opts, (q) => () => {
    for (;;) {
      const n0 = q.size(0);
      const n1 = q.size(1);
      if (n0 && n1) {
        // Both borrowed at once: the two queues have separate arenas and output objects.
        const a0 = q.shift(0);
        onPair(a0, q.shift(1));
      }
      else if (n0 && q.done[1]) onPair(q.shift(0), null);
      else if (n1 && q.done[0]) onPair(null, q.shift(1));
      else return;
    }
  });
}
