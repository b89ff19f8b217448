/**
 * The contract between the translation engines (src/xlat) and their callers (src/replay).
 * The engines know nothing of files or terminals: IP packets and a clock in, IP packets and
 * events out. Packets are plain IP packets (no link layer): bytes[off..off+len).
 *
 * Ownership: an engine may reuse its output buffer after `emit` returns, so a sink that keeps a
 * packet copies it. Input bytes are never modified.
 */

/** IPv4 address as an unsigned 32-bit number. */
export type Ipv4 = number;

/** What an emitted packet is. */
export const EmitKind = {
  /** The translation of the input packet (or one fragment of it). */
  Translated: 0,
  /** The input packet translated and sent back into the same side (RFC 7757 §4, RFC 6146 §3.8). */
  Hairpinned: 1,
  /** An ICMP error the translator generated about the input packet (sent back to its source). */
  IcmpError: 2,
  /** A packet emitted later by a timer (e.g. the ICMP 3/3 of an expired V4 INIT, RFC 6146 §3.5.2.2). */
  Deferred: 3,
  /** What the translator received, rebuilt from a packet that came out of it (SPEC §4 `--side`). */
  Reconstructed: 4,
} as const;
export type EmitKind = (typeof EmitKind)[keyof typeof EmitKind];

/** Bytes free for the sink before the head of an XlatSink.emitSplit. */
export const SPLIT_HEADROOM = 64;

/** Where the engine's results go. */
export interface XlatSink {
  /**
   * A packet the translator emits: an IP packet of `family` (4 or 6) at bytes[off..off+len).
   * `about` is the number of the input packet it derives from (the caller's numbering, passed to
   * process()), or -1.
   */
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void;
  /**
   * Optional: the same as {@link emit} of the packet head[headOff..headOff+headLen) followed by
   * bytes[off..off+len), given in two parts so that the engine's fast path need not copy the
   * payload (a capture writer copies both parts into its buffer). The sink may write into the
   * {@link SPLIT_HEADROOM} bytes of `head` before headOff (a link-layer header, say). `bytes` may
   * be the caller's input buffer: read it before returning, never keep it. Engines call emit
   * instead when a sink has no emitSplit.
   */
  emitSplit?(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void;
  /** The input packet `about` was dropped for `reason` (a code from src/diag/reasons.ts). */
  drop(reason: number, about: number): void;
  /**
   * The time of what is being emitted, when the sink keeps one (a capture writer does). An engine
   * firing a timer sets it to the timer's expiry before emitting, and restores it afterwards, so
   * that a packet sent by a timer carries the moment the timer fired, not the time of the packet
   * whose arrival let the clock advance.
   */
  clock?: Clock;
}

/** Capture time: whole seconds + nanoseconds (the engine's only clock). */
export interface Clock {
  sec: number;
  nsec: number;
}

/** A translation engine (SIIT or stateful NAT64). */
export interface Engine {
  /**
   * A packet arrives at the translator on the side of its IP version. `n` is the caller's number
   * for it (echoed in sink calls). Timers due up to `now` fire first.
   */
  process(bytes: Uint8Array, off: number, len: number, now: Clock, n: number, sink: XlatSink): void;
  /** Advance the clock with no packet (fires due timers). */
  advance(now: Clock, sink: XlatSink): void;
  /**
   * End of input: advance until every pending timer has fired (SPEC §4 drain). `final`: the
   * engine is dropped afterwards, so the drain may leave the bookkeeping only later packets would
   * see (the tables' entries for the sessions it ends, and the expiries that only end sessions);
   * what it emits and drops is the same, in the same order, at the same timer clocks.
   */
  drain(sink: XlatSink, final?: boolean): void;
  /**
   * SPEC §4 `--side`: when the packet is one that came *out of* the translator (IPv6 from a pool6
   * source, IPv4 from a pool4 / EAM source), emit what the translator received (kind
   * Reconstructed), update the engine's state as if it had arrived, and return true. Otherwise
   * return false (the caller then process()es it). A packet that came out but cannot be rebuilt
   * (its mapping is unknown) is reported with sink.drop and true.
   */
  reconstruct(bytes: Uint8Array, off: number, len: number, now: Clock, n: number, sink: XlatSink): boolean;
  /**
   * Optional: loads (reads only) what process() of each IP packet bytes[pkts[2i] ..
   * pkts[2i] + pkts[2i+1]), i < count, will need, a batch ahead of them
   * (ParserOptions.lookahead), so that their cache misses overlap one another. No effect on
   * anything process() does.
   */
  touch?(bytes: Uint8Array, pkts: Int32Array, count: number): void;
}
