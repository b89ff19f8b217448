/**
 * Reading two captures at once, packets delivered in timestamp order across both (a streaming
 * merge: `correlate`'s two sides, `diff --align flow`). Both files are read concurrently in 1 MiB
 * chunks; a side that runs ahead waits for the other, so memory holds about one chunk of packets
 * per side whatever the file sizes. Packets are delivered as detached copies (`data` at offset 0):
 * the callee may keep them.
 */
import { readCapture, type ReadSummary } from '../pcap/reader.js';
import { copyPacket, type CapturedPacket } from '../pcap/packet.js';

export interface MergeOptions {
  /** Seconds added to the timestamps of each input before ordering ([a, b]). */
  offsets?: [number, number];
  onWarning?: (input: 0 | 1, msg: string) => void;
  /** Blocking reads for regular files (batch commands; see ReadOptions.blocking). */
  blocking?: boolean;
}

function tsOf(p: CapturedPacket, off: number): number {
  return p.tsSec + p.tsNsec / 1e9 + off;
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
        q.items[i].push(copyPacket(p));
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
  items: CapturedPacket[][] = [[], []];
  heads = [0, 0];
  done = [false, false];
  size(i: number): number {
    return this.items[i].length - this.heads[i];
  }
  peek(i: number): CapturedPacket {
    return this.items[i][this.heads[i]];
  }
  shift(i: number): CapturedPacket {
    const p = this.items[i][this.heads[i]++];
    if (this.heads[i] > 1024 && this.heads[i] * 2 > this.items[i].length) {
      this.items[i] = this.items[i].slice(this.heads[i]);
      this.heads[i] = 0;
    }
    return p;
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
        if (tsOf(q.peek(0), offs[0]) <= tsOf(q.peek(1), offs[1])) onPacket(0, q.shift(0));
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
      if (n0 && n1) onPair(q.shift(0), q.shift(1));
      else if (n0 && q.done[1]) onPair(q.shift(0), null);
      else if (n1 && q.done[0]) onPair(null, q.shift(1));
      else return;
    }
  });
}
