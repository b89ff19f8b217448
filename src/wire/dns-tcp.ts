/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766 §8): each message is preceded by a two-octet length.
 * {@link DnsTcpReassembler} follows one direction of a TCP connection per flow key and hands
 * every complete message to a callback.
 *
 * Memory is bounded: at most `maxFlows` flows (least recently used evicted first) and at most
 * `maxFlowBytes` bytes held per flow (the partial message plus out-of-order segments; the default
 * 65537 is one largest message with its prefix). Out-of-order data that does not fit, or that
 * waits on a hole for more than `maxHeldSegments` segments, makes the reassembler give up on the
 * flow: it reports a problem once and ignores the flow's data until a new SYN.
 */

/** Reason codes returned by {@link DnsTcpReassembler.push}. */
export const DnsTcpProblem = {
  None: 0,
  /** Out-of-order data beyond the per-flow bound (a lost segment); the flow was abandoned. */
  OutOfOrderOverflow: 1,
  /** FIN or RST while a message was incomplete or data was missing. */
  EndedMidMessage: 2,
} as const;

const PROBLEM_TEXT: Record<number, string> = {
  0: 'dns-tcp: ok',
  1: 'dns-tcp: out-of-order data beyond buffer limit, flow abandoned',
  2: 'dns-tcp: stream ended inside a message',
};

/** A short constant English text for a {@link DnsTcpProblem} code. */
export function dnsTcpProblemText(code: number): string {
  return PROBLEM_TEXT[code] ?? 'dns-tcp: unknown problem';
}

/** TCP flag bits of the flags byte (RFC 9293 §3.1). */
const FIN = 0x01;
const SYN = 0x02;
const RST = 0x04;

/** Largest partial message: the two-octet length plus 65535 octets. */
const MAX_MESSAGE_WITH_PREFIX = 65537;

/** Receives one DNS message (without the length prefix). */
export type DnsTcpMessageCallback = (buf: Uint8Array, off: number, len: number) => void;

export interface DnsTcpOptions {
  /** Flows tracked at once, default 4096. */
  maxFlows?: number;
  /** Bytes held per flow (partial message + out-of-order data), default 65537. */
  maxFlowBytes?: number;
  /** Out-of-order segments held per flow, default 64. */
  maxHeldSegments?: number;
}

interface Held {
  seq: number;
  data: Uint8Array;
}

class Flow {
  /** Sequence number of the next in-order byte. */
  next: number;
  /** Partial message (prefix included), or null. Never shared once handed to a callback. */
  buf: Uint8Array | null;
  bufLen: number;
  held: Held[];
  heldBytes: number;
  /** Gave up (data lost): ignore everything until a SYN. */
  dead: boolean;
  /** Sequence number just past a FIN seen ahead of missing data, or -1. */
  finAt: number;

  constructor(next: number) {
    this.next = next;
    this.buf = null;
    this.bufLen = 0;
    this.held = [];
    this.heldBytes = 0;
    this.dead = false;
    this.finAt = -1;
  }
}

/** Signed distance a - b in sequence space (RFC 9293 §3.4 arithmetic mod 2^32). */
function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export class DnsTcpReassembler {
  private readonly flows = new Map<string, Flow>();
  private readonly maxFlows: number;
  private readonly maxFlowBytes: number;
  private readonly maxHeld: number;
  /** Flows dropped to stay within `maxFlows`. */
  evictions = 0;

  constructor(opts: DnsTcpOptions = {}) {
    this.maxFlows = Math.max(1, opts.maxFlows ?? 4096);
    this.maxFlowBytes = Math.max(2, opts.maxFlowBytes ?? MAX_MESSAGE_WITH_PREFIX);
    this.maxHeld = Math.max(0, opts.maxHeldSegments ?? 64);
  }

  /** Flows currently tracked. */
  get size(): number {
    return this.flows.size;
  }

  /** Bytes held for `key` (partial message plus out-of-order data); 0 for an unknown flow. */
  bufferedBytes(key: string): number {
    const f = this.flows.get(key);
    return f ? f.bufLen + f.heldBytes : 0;
  }

  /** Forgets every flow. */
  clear(): void {
    this.flows.clear();
  }

  /**
   * Feeds one TCP segment of the direction `key` (built by the caller from addresses and ports):
   * its sequence number, TCP flags byte and payload `bytes[off .. off+len)`. Calls `onMessage`
   * for each message completed by it, in order. A message lying whole within the segment is
   * passed as a view into `bytes` (no copy); a message assembled from several segments is passed
   * in a buffer of its own, which the reassembler never touches again. Returns 0 or a
   * {@link DnsTcpProblem} code.
   *
   * SYN starts (or restarts) the flow at ISN+1; without a SYN the flow starts at the first
   * segment seen. Bytes already consumed (retransmissions, overlaps) are skipped. RST and FIN end
   * the flow.
   */
  push(
    key: string,
    seq: number,
    flags: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    onMessage: DnsTcpMessageCallback,
  ): number {
    seq = seq >>> 0;
    if (len < 0) len = 0;
    if (off + len > bytes.length) len = Math.max(0, bytes.length - off);
    let flow = this.flows.get(key);
    if (flags & RST) {
      if (flow === undefined) return 0;
      this.flows.delete(key);
      return !flow.dead && (flow.bufLen > 0 || flow.heldBytes > 0) ? DnsTcpProblem.EndedMidMessage : 0;
    }
    let dataSeq = seq;
    if (flags & SYN) {
      dataSeq = (seq + 1) >>> 0;
      if (flow !== undefined && !flow.dead && flow.next === dataSeq) {
        // A retransmitted SYN: keep what we have.
      } else {
        if (flow !== undefined) this.flows.delete(key);
        flow = this.add(key, dataSeq);
      }
    }
    if (flow === undefined) {
      if (len === 0) return 0;
      flow = this.add(key, dataSeq);
    } else {
      // Most recently used goes last.
      this.flows.delete(key);
      this.flows.set(key, flow);
    }
    if (flow.dead) {
      if (flags & FIN) this.flows.delete(key);
      return 0;
    }

    let code: number = DnsTcpProblem.None;
    if (len > 0) code = this.data(flow, dataSeq, bytes, off, len, onMessage);
    if (flags & FIN && code === DnsTcpProblem.None) {
      const finSeq = (dataSeq + len) >>> 0;
      if (seqDiff(finSeq, flow.next) <= 0 || flow.held.length === 0) {
        this.flows.delete(key);
        if (flow.bufLen > 0 || flow.heldBytes > 0 || seqDiff(finSeq, flow.next) > 0) {
          code = DnsTcpProblem.EndedMidMessage;
        }
      }
      // Otherwise the FIN came ahead of missing data: wait for the hole to fill.
      else flow.finAt = finSeq;
    } else if (flow.finAt >= 0 && flow.next === flow.finAt && flow.held.length === 0) {
      this.flows.delete(key);
      if (flow.bufLen > 0) code = DnsTcpProblem.EndedMidMessage;
    }
    return code;
  }

  private add(key: string, next: number): Flow {
    const flow = new Flow(next);
    this.flows.set(key, flow);
    while (this.flows.size > this.maxFlows) {
      const oldest = this.flows.keys().next().value as string;
      this.flows.delete(oldest);
      this.evictions++;
    }
    return flow;
  }

  private data(flow: Flow, seq: number, bytes: Uint8Array, off: number, len: number, cb: DnsTcpMessageCallback): number {
    const d = seqDiff(seq, flow.next);
    if (d + len <= 0) return 0; // all of it consumed already (retransmission)
    if (d < 0) {
      // Partial overlap with consumed data.
      off -= d;
      len += d;
    } else if (d > 0) {
      return this.hold(flow, seq, bytes, off, len);
    }
    this.consume(flow, bytes, off, len, cb);
    this.drain(flow, cb);
    return 0;
  }

  /** Keeps a copy of an out-of-order segment, or gives up on the flow when it does not fit. */
  private hold(flow: Flow, seq: number, bytes: Uint8Array, off: number, len: number): number {
    for (const h of flow.held) {
      if (h.seq === seq && h.data.length >= len) return 0; // retransmission of held data
    }
    if (flow.held.length >= this.maxHeld || flow.bufLen + flow.heldBytes + len > this.maxFlowBytes) {
      this.abandon(flow);
      return DnsTcpProblem.OutOfOrderOverflow;
    }
    flow.held.push({ seq, data: bytes.slice(off, off + len) });
    flow.heldBytes += len;
    return 0;
  }

  private abandon(flow: Flow): void {
    flow.dead = true;
    flow.buf = null;
    flow.bufLen = 0;
    flow.held = [];
    flow.heldBytes = 0;
  }

  /** Consumes held segments that the in-order data has reached. */
  private drain(flow: Flow, cb: DnsTcpMessageCallback): void {
    let progress = true;
    while (progress && flow.held.length > 0) {
      progress = false;
      for (let i = 0; i < flow.held.length; i++) {
        const h = flow.held[i];
        const d = seqDiff(h.seq, flow.next);
        if (d > 0) continue;
        flow.held.splice(i, 1);
        flow.heldBytes -= h.data.length;
        if (d + h.data.length > 0) this.consume(flow, h.data, -d, h.data.length + d, cb);
        progress = true;
        break;
      }
    }
  }

  /** In-order bytes: completes the partial message, delivers whole ones, buffers the rest. */
  private consume(flow: Flow, bytes: Uint8Array, off: number, len: number, cb: DnsTcpMessageCallback): void {
    flow.next = (flow.next + len) >>> 0;
    let p = off;
    const end = off + len;
    if (flow.bufLen > 0) {
      let buf = flow.buf as Uint8Array;
      if (flow.bufLen < 2) {
        buf[1] = bytes[p++];
        flow.bufLen = 2;
      }
      const want = 2 + ((buf[0] << 8) | buf[1]);
      if (buf.length < want) {
        const bigger = new Uint8Array(want);
        bigger.set(buf.subarray(0, flow.bufLen));
        buf = flow.buf = bigger;
      }
      const take = Math.min(want - flow.bufLen, end - p);
      buf.set(bytes.subarray(p, p + take), flow.bufLen);
      flow.bufLen += take;
      p += take;
      if (flow.bufLen < want) return;
      // Hand the buffer over: the callee may keep it.
      flow.buf = null;
      flow.bufLen = 0;
      cb(buf, 2, want - 2);
    }
    while (end - p >= 2) {
      const mlen = (bytes[p] << 8) | bytes[p + 1];
      if (end - p - 2 < mlen) break;
      cb(bytes, p + 2, mlen);
      p += 2 + mlen;
    }
    if (p < end) {
      const rest = end - p;
      const want = rest >= 2 ? 2 + ((bytes[p] << 8) | bytes[p + 1]) : 2;
      const buf = new Uint8Array(Math.max(want, 64));
      buf.set(bytes.subarray(p, end));
      flow.buf = buf;
      flow.bufLen = rest;
    }
  }
}
