/**
 * Two-sided correlation (`nat64scope correlate`, and `live` on two interfaces): packets captured on
 * the IPv6 side and on the IPv4 side of a real translator are paired with their translations,
 * using nat64scope's own engine as the judge.
 *
 * API
 * ---
 *   const c = new Correlator({ config, window: 1, ignore: ['ipv4.id'] }, (e) => report(e));
 *   c.push('v6', bytes, off, len, tsSec, tsNsec, n);   // an IP packet seen on the IPv6 side
 *   c.push('v4', bytes, off, len, tsSec, tsNsec, n);   // ... on the IPv4 side
 *   ...
 *   c.finish();                                         // end of both inputs: flush everything
 *                                                       // (timers due after the last packet are not run)
 *   const s = c.summary();                              // counts, latency percentiles
 *
 * - `push` takes a bare IP packet (the caller strips the link layer: src/wire/link.ts
 *   `LinkLocator`), borrowed: the correlator copies what it keeps. `n` is the caller's packet
 *   number on that side (echoed in events). Packets must be pushed in (roughly) time order across
 *   both sides: the order of arrival for a live sniffer, a timestamp merge for two files
 *   (`mergeCaptures` below does that). Disorder up to `window` seconds is tolerated.
 * - The callback gets an event when a verdict is reached (by default only problems; `allEvents`
 *   also reports every correct pair and every packet both translators dropped):
 *     `correct`    an input and its translation, every field as the engine predicts (`departures`
 *                  lists fields the profile allows to differ, e.g. TAYGA's DF bit);
 *     `wrong`      paired, but fields differ: `diffs` with the rule each one breaks;
 *     `missing`    the engine translated it (or answered it with an ICMP error) but nothing came
 *                  out of the real translator within the window: `reason` is the most likely cause;
 *     `unexpected` a packet came out of the real translator that no input explains ("from nowhere");
 *     `dropped`    (allEvents) the engine drops the input too: nothing is expected.
 *   Verdicts come at most `2 * window` seconds (capture time) after the packet.
 * - Memory: only packets waiting for their partner are held, each for at most `window` (inputs,
 *   and IPv4 inputs waiting for their binding) or `2 * window` (outputs) seconds of capture time,
 *   plus the engine's own state (sessions) and
 *   the learnt pool4 mappings (one per NAT64 binding seen). The latency distribution is a
 *   fixed-size log histogram (1% resolution).
 *
 * How packets are told apart: on the IPv6 side, a packet from a pool6 address (or from the
 * translator's own / RFC 6791 address) came *out* of the translator; anything else goes *in*. On
 * the IPv4 side, a packet from pool4 (NAT64) or from an EAM IPv4 prefix (SIIT), or from the
 * translator's own / RFC 6791 address, came out. (Same rule as `translate --side`; in SIIT, IPv4
 * hosts reached through an EAM entry cannot be told from translated sources.)
 *
 * Pairing: every input is run through the engine (in arrival order, on the capture clock); each
 * packet the engine emits becomes an expectation on the side of its family, keyed by the fields a
 * translator may not choose (addresses, ports, sequence numbers, flags, the first bytes of the
 * payload). A real output with the same key within the window is its pair. Fields a translator
 * chooses are tolerated: the IPv4 Identification and the checksums (which must still verify), the
 * transport checksum of a packet quoted in an ICMP error (reported as a departure), the DF bit
 * that TAYGA always sets (profile tayga, a departure), and
 * in NAT64 the pool4 address and port (or ICMP identifier) of a new binding, which must lie in
 * pool4; that choice is learnt from the pair, and later IPv4 packets to the real binding are fed
 * to the engine rewritten to the engine's own binding, so replies pair up too (an IPv4 packet to
 * a pool4 binding the engine does not have waits, at most the window, for the pair that teaches
 * it: clock skew larger than the round trip). An expectation
 * left without an exact partner is paired with an unpaired output of the same flow (same
 * addresses and ports) if one exists — a packet altered on its way — and otherwise reported
 * missing.
 */
import type { EngineConfig } from '../xlat/config-types.js';
import { EmitKind, type Clock, type Engine, type XlatSink } from '../xlat/types.js';
import { createEngine } from '../xlat/engine.js';
import { inPrefix } from '../xlat/rfc6052.js';
import { EamTable } from '../xlat/eam.js';
import { Pool4, Proto } from '../xlat/nat64/pool4.js';
import { Reason, reasonId, reasonText } from '../diag/reasons.js';
import { sum, finish, fold, pseudo4, pseudo6, update16 } from '../wire/checksum.js';
import { ipPacketFields, diffFields, ignoreMatcher, type FieldDiff } from './fields.js';

export type Side = 'v6' | 'v4';

/** A packet as the reports name it: side, number on that side, time (seconds). */
export interface PacketRef {
  side: Side;
  n: number;
  ts: number;
}

export interface WrongField extends FieldDiff {
  /** The rule the actual value breaks (RFC section, or the profile). */
  rule: string;
}

export type CorrelateEvent =
  | { kind: 'correct'; input: PacketRef; output: PacketRef; latency: number; departures: string[] }
  | { kind: 'wrong'; input: PacketRef; output: PacketRef; latency: number; diffs: WrongField[]; departures: string[] }
  | { kind: 'missing'; input: PacketRef; expected: 'translation' | 'icmp-error' | 'hairpin'; reason: string; detail: string }
  | { kind: 'unexpected'; output: PacketRef; detail: string }
  | { kind: 'dropped'; input: PacketRef; reason: string; detail: string };

export interface CorrelatorOptions {
  config: EngineConfig;
  /** Seconds a packet and its translation may be apart in capture time (latency + clock skew). Default 1. */
  window?: number;
  /** Fields not compared (`ipv4.id`, a layer like `inner`, globs like `*.checksum`). */
  ignore?: readonly string[];
  /** Report every correct pair and every agreed drop too (default: problems only). */
  allEvents?: boolean;
}

export interface LatencySummary {
  count: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export interface CorrelateSummary {
  /** Packets pushed per side, and how they were read. */
  packets: { v6: number; v4: number };
  inputs: { v6: number; v4: number };
  outputs: { v6: number; v4: number };
  /** Packets of the wrong family for their side, or not IP: not correlated. */
  ignored: number;
  correct: number;
  wrong: number;
  missing: number;
  unexpected: number;
  /** Inputs the engine drops too (nothing expected), by reason id. */
  droppedByEngine: Record<string, number>;
  /** Wrong fields by name (how many pairs had each wrong). */
  wrongFields: Record<string, number>;
  /** Missing packets by likely reason. */
  missingReasons: Record<string, number>;
  /** Tolerated departures by field (allowed by the profile). */
  departures: Record<string, number>;
  /** NAT64 bindings for which the real translator chose another pool4 address/port than the engine (learnt from the capture). */
  learntBindings: number;
  /** Seconds, output time - input time, over every pair. */
  latency: LatencySummary;
  /** Most packets held at once waiting for a partner (memory bound check). */
  peakHeld: number;
}

// ------------------------------------------------------------------------------------------------
// Latency histogram: sign + log buckets of 1% over microseconds.

const LOG_BASE = Math.log(1.01);
const BUCKETS = 2200; // 1.01^2200 µs > 10^9 s

class LatencyHistogram {
  private readonly pos = new Float64Array(BUCKETS);
  private readonly neg = new Float64Array(BUCKETS);
  count = 0;
  min = Infinity;
  max = -Infinity;
  total = 0;
  add(sec: number): void {
    this.count++;
    this.total += sec;
    if (sec < this.min) this.min = sec;
    if (sec > this.max) this.max = sec;
    const us = Math.abs(sec) * 1e6;
    const b = Math.min(BUCKETS - 1, Math.floor(Math.log(us + 1) / LOG_BASE));
    if (sec < 0) this.neg[b]++;
    else this.pos[b]++;
  }
  /** Value (seconds) at quantile q, to 1%. */
  quantile(q: number): number {
    if (this.count === 0) return 0;
    const target = Math.max(1, Math.ceil(q * this.count));
    let acc = 0;
    for (let b = BUCKETS - 1; b >= 0; b--) {
      acc += this.neg[b];
      if (acc >= target) return Math.max(this.min, -(Math.exp(b * LOG_BASE) - 1) / 1e6);
    }
    for (let b = 0; b < BUCKETS; b++) {
      acc += this.pos[b];
      if (acc >= target) return Math.min(this.max, (Math.exp((b + 1) * LOG_BASE) - 1) / 1e6);
    }
    return this.max;
  }
  summary(): LatencySummary {
    if (!this.count) return { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 };
    return { count: this.count, min: this.min, p50: this.quantile(0.5), p90: this.quantile(0.9), p99: this.quantile(0.99), max: this.max, mean: this.total / this.count };
  }
}

// ------------------------------------------------------------------------------------------------
// Waiting packets

interface Entry {
  key: number;
  /** Loose key: the flow (addresses, protocol, ports the translator does not choose); -1 until needed. */
  flow: number;
  side: Side;
  /** The packet expected (engine output) or seen (real output): an IP packet. */
  bytes: Uint8Array;
  ts: number;
  /** Expectation: the input it derives from. Output: its own ref. */
  ref: PacketRef;
  /** Expectation: what the engine emitted (EmitKind). */
  emitKind: number;
  /** Expectation: facts about the input for the "why missing" guess. */
  inTtl: number;
  inLen: number;
  inFrag: boolean;
  inProto: number;
  inIcmpType: number;
  inUnlearnt: boolean;
  done: boolean;
  next: Entry | null;
}

/** An IPv4 input waiting for its NAT64 binding to be learnt. */
interface Held {
  b: Uint8Array;
  tsSec: number;
  tsNsec: number;
  ts: number;
  n: number;
  real: number;
  done: boolean;
}

/** A FIFO of entries (expiry order) plus a key -> chain index. */
class Waiting {
  readonly byKey = new Map<number, Entry>();
  private q: (Entry | null)[] = [];
  private head = 0;
  live = 0;
  add(e: Entry): void {
    const first = this.byKey.get(e.key);
    if (first === undefined) this.byKey.set(e.key, e);
    else {
      let t = first;
      while (t.next !== null) t = t.next;
      t.next = e;
    }
    this.q.push(e);
    this.live++;
  }
  /** The oldest entry with `key` on `side` whose time is within `win` of `ts` (removed). */
  take(key: number, side: Side, ts: number, win: number): Entry | null {
    let e: Entry | null = this.byKey.get(key) ?? null;
    let prev: Entry | null = null;
    while (e !== null) {
      if (!e.done && e.side === side && Math.abs(e.ts - ts) <= win) {
        this.unlink(e, prev);
        return e;
      }
      prev = e;
      e = e.next;
    }
    return null;
  }
  private unlink(e: Entry, prev: Entry | null): void {
    if (prev === null) {
      if (e.next === null) this.byKey.delete(e.key);
      else this.byKey.set(e.key, e.next);
    } else prev.next = e.next;
    e.done = true;
    e.next = null;
    this.live--;
  }
  remove(e: Entry): void {
    let t: Entry | null = this.byKey.get(e.key) ?? null;
    let prev: Entry | null = null;
    while (t !== null && t !== e) {
      prev = t;
      t = t.next;
    }
    if (t === e) this.unlink(e, prev);
  }
  /** The oldest entry still waiting, or null. */
  peek(): Entry | null {
    while (this.head < this.q.length) {
      const e = this.q[this.head];
      if (e !== null && !e.done) return e;
      this.q[this.head] = null;
      this.head++;
      if (this.head > 4096 && this.head * 2 > this.q.length) {
        this.q = this.q.slice(this.head);
        this.head = 0;
      }
    }
    return null;
  }
  /** Live entries in FIFO order (for the loose match: only when something went wrong). */
  *each(): Generator<Entry> {
    for (let i = this.head; i < this.q.length; i++) {
      const e = this.q[i];
      if (e !== null && !e.done) yield e;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Hashing (two independent 32-bit hashes combined into one 53-bit number key)

let h1 = 0;
let h2 = 0;
function hReset(seed: number): void {
  h1 = (0x811c9dc5 ^ seed) >>> 0;
  h2 = (0x9747b28c ^ seed) >>> 0;
}
function hByte(x: number): void {
  h1 = Math.imul(h1 ^ x, 0x01000193);
  h2 = Math.imul(h2 ^ x, 0x5bd1e995);
  h2 ^= h2 >>> 15;
}
function hWord(x: number): void {
  hByte(x & 0xff);
  hByte((x >>> 8) & 0xff);
  hByte((x >>> 16) & 0xff);
  hByte(x >>> 24);
}
function hBytes(b: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) hByte(b[i]);
}
function hValue(): number {
  return (h1 >>> 0) * 2097152 + ((h2 >>> 0) & 0x1fffff);
}

const rd16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const rd32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/** Offsets found by `locate`: upper-layer offset and protocol, fragment facts. */
interface Located {
  l4: number;
  proto: number;
  frag: boolean;
  /** A non-first fragment (no upper-layer header). */
  later: boolean;
  end: number;
}

function locate(b: Uint8Array, off: number, len: number, out: Located): boolean {
  const end = Math.min(b.length, off + len);
  out.end = end;
  out.frag = false;
  out.later = false;
  const v = b[off] >> 4;
  if (v === 4) {
    if (off + 20 > end) return false;
    const ihl = (b[off] & 15) * 4;
    const fo = rd16(b, off + 6);
    out.frag = (fo & 0x3fff) !== 0;
    out.later = (fo & 0x1fff) !== 0;
    out.l4 = off + ihl;
    out.proto = b[off + 9];
    out.end = Math.min(end, off + Math.max(ihl, rd16(b, off + 2)));
    return out.l4 <= out.end;
  }
  if (v !== 6 || off + 40 > end) return false;
  out.end = Math.min(end, off + 40 + rd16(b, off + 4));
  let nh = b[off + 6];
  let p = off + 40;
  for (let i = 0; i < 8; i++) {
    if (nh === 0 || nh === 43 || nh === 60) {
      if (p + 8 > out.end) return false;
      nh = b[p];
      p += (b[p + 1] + 1) * 8;
    } else if (nh === 44) {
      if (p + 8 > out.end) return false;
      out.frag = true;
      out.later = (rd16(b, p + 2) & 0xfff8) !== 0;
      nh = b[p];
      p += 8;
    } else break;
  }
  out.l4 = p;
  out.proto = nh;
  return p <= out.end;
}

// ------------------------------------------------------------------------------------------------
// Rules named in reports

function ruleFor(field: string, fam: 4 | 6): string {
  const f = field.replace(/^inner\./, '');
  const inner = field.startsWith('inner.') ? ' (the packet inside the ICMP error, RFC 7915 §4.2/§5.2)' : '';
  const r = ((): string => {
    switch (f) {
      case 'ipv4.ttl': return 'RFC 7915 §5.1: TTL = Hop Limit - 1';
      case 'ipv6.hlim': return 'RFC 7915 §4.1: Hop Limit = TTL - 1';
      case 'ipv4.tos': return 'RFC 7915 §5.1: TOS = Traffic Class (unless configured otherwise)';
      case 'ipv6.tclass': return 'RFC 7915 §4.1: Traffic Class = TOS (unless configured otherwise)';
      case 'ipv6.flow': return 'RFC 7915 §4.1: Flow Label = 0';
      case 'ipv4.df': return 'RFC 7915 §5.1: DF = 0 up to 1260 bytes, 1 above';
      case 'ipv4.mf': case 'ipv4.frag_offset': case 'frag.offset': case 'frag.more': case 'frag.id': case 'frag.nxt':
        return fam === 4 ? 'RFC 7915 §5.1.1: fragment fields from the Fragment Header' : 'RFC 7915 §4.1: Fragment Header from the IPv4 fragment fields';
      case 'ipv4.len': case 'ipv6.plen': return 'RFC 7915 §4.1/§5.1: length = the other header\'s length -/+ header sizes';
      case 'ipv4.proto': case 'ipv6.nxt': return 'RFC 7915 §4.1/§5.1: protocol copied (ICMP <-> ICMPv6 = 1 <-> 58)';
      case 'ipv4.src': case 'ipv4.dst': case 'ipv6.src': case 'ipv6.dst':
        return 'address mapping (RFC 6052 §2.3 pool6, RFC 7757 EAM, RFC 6146 BIB)';
      case 'ipv4.options': return 'RFC 7915 §4.1: no IPv4 options on translated packets';
      case 'ipv4.hdr_len': return 'RFC 7915 §4.1: IHL = 5 (no options)';
      case 'ipv6.ext': return 'RFC 7915 §4.1/§5.1: extension headers (only a Fragment Header is generated)';
      case 'ipv4.checksum': return 'RFC 791: the header checksum must verify';
      case 'tcp.checksum': case 'udp.checksum': case 'icmp.checksum': case 'icmpv6.checksum':
        return 'RFC 7915 §4.5/§5.5: the checksum must be updated to verify';
      case 'icmp.type': case 'icmp.code': case 'icmpv6.type': case 'icmpv6.code':
        return fam === 4 ? 'RFC 7915 §5.2: ICMPv6 -> ICMPv4 type/code table' : 'RFC 7915 §4.2: ICMPv4 -> ICMPv6 type/code table';
      case 'icmp.mtu': case 'icmpv6.mtu': return 'RFC 7915 §4.2/§5.2: MTU adjusted by 20 (and plateaus)';
      case 'icmp.pointer': case 'icmpv6.pointer': return 'RFC 7915 §4.2/§5.2: Parameter Problem pointer table';
      default:
        if (f.startsWith('tcp.') || f.startsWith('udp.')) return 'RFC 7915 §4.5/§5.5: transport header unchanged except the checksum (and NAT64 ports, RFC 6146 §3.5)';
        if (f.startsWith('icmp')) return 'RFC 7915 §4.2/§5.2: ICMP fields';
        if (f.startsWith('data') || f.startsWith('dns.')) return 'payload unchanged';
        return 'the engine\'s translation';
    }
  })();
  return r + inner;
}

// ------------------------------------------------------------------------------------------------

const NO_REF: PacketRef = { side: 'v6', n: 0, ts: 0 };
const RECENT_MASK = (1 << 17) - 1;

/** Collects what the engine emits for one input. */
class ExpectSink implements XlatSink {
  clock: Clock = { sec: 0, nsec: 0 };
  emits = 0;
  dropReason = 0;
  constructor(private readonly owner: Correlator) {}
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.emits++;
    this.owner.expect(bytes, off, len, family, kind, about, this.clock.sec + this.clock.nsec / 1e9);
  }
  drop(reason: number, _about: number): void {
    this.dropReason = reason;
  }
}

export class Correlator {
  private readonly cfg: EngineConfig;
  private readonly engine: Engine;
  private readonly win: number;
  private readonly all: boolean;
  private readonly skip: (f: string) => boolean;
  private readonly onEvent: (e: CorrelateEvent) => void;
  private readonly nat64: boolean;
  private readonly pool4: Pool4;
  private readonly eam: EamTable;
  private readonly sink: ExpectSink;
  private readonly clock: Clock = { sec: 0, nsec: 0 };
  private readonly expected = new Waiting();
  private readonly actual = new Waiting();
  private readonly lat = new LatencyHistogram();
  private readonly loc: Located = { l4: 0, proto: 0, frag: false, later: false, end: 0 };
  private readonly loc2: Located = { l4: 0, proto: 0, frag: false, later: false, end: 0 };
  private readonly loc3: Located = { l4: 0, proto: 0, frag: false, later: false, end: 0 };
  /** NAT64: real (proto, addr, port) -> engine's, and engine's -> real. */
  private readonly realToEngine = new Map<number, number>();
  private readonly engineToReal = new Map<number, number>();
  private readonly scratch = new Uint8Array(65536 + 64);
  /** The input being processed (for expectations created by it). */
  private cur: PacketRef = NO_REF;
  private curTtl = 0;
  private curLen = 0;
  private curFrag = false;
  private curProto = 0;
  private curIcmpType = -1;
  private curUnlearnt = false;
  private now = -Infinity;
  /** IPv4 inputs to a pool4 binding not seen yet (NAT64), in arrival order and by binding. */
  private heldQ: Held[] = [];
  private heldHead = 0;
  private heldLive = 0;
  private readonly heldByReal = new Map<number, Held[]>();
  private readonly toRelease: number[] = [];
  private lastReal = 0;
  private finished = false;
  private readonly s: CorrelateSummary;
  /** Recent inputs by number per side (for refs of timer-generated expectations): a ring. */
  private readonly recentN = new Int32Array(RECENT_MASK + 1).fill(-1);
  private readonly recentTs = new Float64Array(RECENT_MASK + 1);

  constructor(opts: CorrelatorOptions, onEvent: (e: CorrelateEvent) => void) {
    this.cfg = opts.config;
    this.engine = createEngine(opts.config);
    this.win = opts.window ?? 1;
    this.all = opts.allEvents ?? false;
    this.skip = ignoreMatcher(opts.ignore ?? []);
    this.onEvent = onEvent;
    this.nat64 = opts.config.mode === 'nat64';
    this.pool4 = new Pool4(opts.config.pool4);
    this.eam = new EamTable(opts.config.eam);
    this.sink = new ExpectSink(this);
    this.sink.clock = this.clock;
    this.s = {
      packets: { v6: 0, v4: 0 }, inputs: { v6: 0, v4: 0 }, outputs: { v6: 0, v4: 0 }, ignored: 0,
      correct: 0, wrong: 0, missing: 0, unexpected: 0, droppedByEngine: {}, wrongFields: {}, missingReasons: {},
      departures: {}, learntBindings: 0, latency: { count: 0, min: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0 }, peakHeld: 0,
    };
  }

  /** An IP packet seen on `side` at tsSec + tsNsec (borrowed; copied if kept). */
  push(side: Side, bytes: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, n: number): void {
    if (this.finished) throw new Error('Correlator: push after finish');
    const ts = tsSec + tsNsec / 1e9;
    this.s.packets[side]++;
    const fam = len > 0 ? bytes[off] >> 4 : 0;
    if ((side === 'v6' && fam !== 6) || (side === 'v4' && fam !== 4) || !locate(bytes, off, len, this.loc)) {
      this.s.ignored++;
      return;
    }
    if (ts > this.now) {
      this.now = ts;
      this.expire(ts);
    }
    len = this.loc.end - off;
    if (this.cameOut(bytes, off, fam)) this.output(side, bytes, off, len, ts, n);
    else {
      this.s.inputs[side]++;
      this.input(side, bytes, off, len, tsSec, tsNsec, ts, n, false);
    }
    if (this.toRelease.length) this.release();
    const held = this.expected.live + this.actual.live + this.heldLive;
    if (held > this.s.peakHeld) this.s.peakHeld = held;
  }

  /**
   * The capture clock moved on without packets (live): packets older than the window get their
   * verdicts now instead of when the next packet arrives. A time not after the last one is ignored.
   */
  advance(tsSec: number, tsNsec: number): void {
    if (this.finished) return;
    const ts = tsSec + tsNsec / 1e9;
    if (!(ts > this.now)) return;
    this.now = ts;
    this.cur = NO_REF;
    this.expire(ts);
    if (this.toRelease.length) this.release();
  }

  /** Both inputs ended: every timer fires, every waiting packet gets its verdict. */
  finish(): CorrelateSummary {
    if (!this.finished) {
      this.finished = true;
      this.cur = NO_REF;
      // No drain: what timers would send after the last captured packet could not be captured.
      this.expire(Infinity);
      while (this.toRelease.length || this.heldLive) {
        this.release();
        this.expire(Infinity);
      }
    }
    return this.summary();
  }

  summary(): CorrelateSummary {
    return { ...this.s, latency: this.lat.summary() };
  }

  // --- classification ---------------------------------------------------------------------------

  private cameOut(b: Uint8Array, off: number, fam: number): boolean {
    const c = this.cfg;
    if (fam === 6) {
      if (c.pool6 !== null && inPrefix(b, off + 8, c.pool6)) return true;
      if (c.translator.ipv6 !== null && eq16(b, off + 8, c.translator.ipv6)) return true;
      const r = c.rfc6791.ipv6;
      return r !== null && prefixMatch(b, off + 8, r.bytes, r.len);
    }
    const src = rd32(b, off + 12);
    if (this.nat64 ? this.pool4.containsAny(src) : this.eam.has4(src)) return true;
    if (c.translator.ipv4 !== null && src === c.translator.ipv4) return true;
    const r = c.rfc6791.ipv4;
    return r !== null && in4(src, r.addr, r.len);
  }

  // --- keys -------------------------------------------------------------------------------------

  /**
   * The exact key (kind 0) or the flow key (kind 1) of an IP packet located in `l`. Leaves out what
   * a translator chooses: IPv4 Identification, checksums, and for NAT64 IPv4 packets from pool4
   * the source address and port / ICMP identifier.
   */
  private key(b: Uint8Array, off: number, l: Located, loose: boolean): number {
    const fam = b[off] >> 4;
    const chosenSrc = this.nat64 && fam === 4 && this.pool4.containsAny(rd32(b, off + 12));
    hReset(loose ? 1 : 0);
    hByte(fam);
    hByte(l.proto);
    if (fam === 4) {
      if (!chosenSrc) hBytes(b, off + 12, off + 16);
      hBytes(b, off + 16, off + 20);
    } else hBytes(b, off + 8, off + 40);
    const q = l.l4;
    const end = l.end;
    if (l.later) {
      if (!loose) {
        hWord(end - q);
        hBytes(b, q, Math.min(end, q + 32));
      }
      return hValue();
    }
    const p = l.proto;
    if ((p === 6 || p === 17) && q + 8 <= end) {
      if (!chosenSrc) hBytes(b, q, q + 2);
      hBytes(b, q + 2, q + 4);
      if (!loose) {
        if (p === 6 && q + 20 <= end) {
          hBytes(b, q + 4, q + 14); // seq, ack, offset, flags
          hBytes(b, q + Math.max(20, (b[q + 12] >> 4) * 4), Math.min(end, q + Math.max(20, (b[q + 12] >> 4) * 4) + 32));
        } else hBytes(b, q + 8, Math.min(end, q + 40));
        hWord(end - q);
      }
      return hValue();
    }
    if ((p === 1 || p === 58) && q + 8 <= end) {
      const t = b[q];
      const echo = p === 1 ? t === 0 || t === 8 : t === 128 || t === 129;
      if (echo) {
        if (!chosenSrc) hBytes(b, q + 4, q + 6);
        if (!loose) {
          hByte(t);
          hBytes(b, q + 6, q + 8); // sequence
          hBytes(b, q + 8, Math.min(end, q + 40));
          hWord(end - q);
        }
      } else if (!loose) {
        hByte(t);
        hByte(b[q + 1]);
      }
      return hValue();
    }
    if (!loose) hBytes(b, q, Math.min(end, q + 32));
    return hValue();
  }

  // --- inputs -----------------------------------------------------------------------------------

  private input(side: Side, bytes: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, ts: number, n: number, fromHold: boolean): void {
    const l = this.loc;
    const ref: PacketRef = { side, n, ts };
    this.cur = ref;
    this.curTtl = side === 'v6' ? bytes[off + 7] : bytes[off + 8];
    this.curLen = len;
    this.curFrag = l.frag;
    this.curProto = l.proto;
    this.curIcmpType = (l.proto === 1 || l.proto === 58) && !l.later && l.l4 < l.end ? bytes[l.l4] : -1;
    this.curUnlearnt = false;
    this.remember(ref);
    let b = bytes;
    let o = off;
    let unknown = false;
    if (this.nat64 && side === 'v4' && !l.later) {
      // A reply to the real translator's binding: feed the engine its own binding instead.
      const r = this.rewriteToEngine(bytes, off, len, l);
      if (r === 1) {
        b = this.scratch;
        o = 0;
      } else if (r === -1) unknown = true;
    }
    this.clock.sec = tsSec;
    this.clock.nsec = tsNsec;
    const sink = this.sink;
    sink.emits = 0;
    sink.dropReason = 0;
    this.engine.process(b, o, len, this.clock, n, sink);
    if (unknown && sink.emits === 0 && sink.dropReason === Reason.NoBibEntry) {
      if (!fromHold) {
        // A binding the real translator made that the engine does not know (yet): it may show up
        // a little later on the other capture (clock skew larger than the round trip). Wait for
        // it, at most the window.
        this.hold(bytes, off, len, tsSec, tsNsec, ts, n);
        return;
      }
      this.curUnlearnt = true;
    }
    if (sink.emits === 0) {
      const id = sink.dropReason ? reasonId(sink.dropReason) : 'absorbed';
      this.s.droppedByEngine[id] = (this.s.droppedByEngine[id] ?? 0) + 1;
      if (this.all) this.onEvent({ kind: 'dropped', input: ref, reason: id, detail: sink.dropReason ? reasonText(sink.dropReason) : 'The engine kept the packet (e.g. a fragment held for reassembly).' });
    }
    this.clock.sec = tsSec;
    this.clock.nsec = tsNsec;
  }

  // --- IPv4 inputs waiting for their NAT64 binding ----------------------------------------------

  private hold(bytes: Uint8Array, off: number, len: number, tsSec: number, tsNsec: number, ts: number, n: number): void {
    const h: Held = { b: bytes.slice(off, off + len), tsSec, tsNsec, ts, n, real: this.lastReal, done: false };
    this.heldQ.push(h);
    this.heldLive++;
    const list = this.heldByReal.get(h.real);
    if (list) list.push(h);
    else this.heldByReal.set(h.real, [h]);
  }

  /** Runs a held input now (its binding was learnt, or the window passed). */
  private runHeld(h: Held): void {
    if (h.done) return;
    h.done = true;
    this.heldLive--;
    const list = this.heldByReal.get(h.real);
    if (list) {
      const i = list.indexOf(h);
      if (i >= 0) list.splice(i, 1);
      if (!list.length) this.heldByReal.delete(h.real);
    }
    if (!locate(h.b, 0, h.b.length, this.loc)) return;
    this.input('v4', h.b, 0, h.b.length, h.tsSec, h.tsNsec, h.ts, h.n, true);
  }

  /** Bindings learnt while the engine was busy: run the inputs that waited for them. */
  private release(): void {
    while (this.toRelease.length) {
      const real = this.toRelease.pop() as number;
      const list = this.heldByReal.get(real);
      if (!list) continue;
      for (const h of list.slice()) this.runHeld(h);
    }
  }

  private expireHeld(now: number): void {
    while (this.heldHead < this.heldQ.length) {
      const h = this.heldQ[this.heldHead];
      if (!h.done && !(h.ts < now - this.win)) break;
      this.heldHead++;
      if (!h.done) this.runHeld(h);
    }
    if (this.heldHead > 1024 && this.heldHead * 2 > this.heldQ.length) {
      this.heldQ = this.heldQ.slice(this.heldHead);
      this.heldHead = 0;
    }
  }

  private remember(ref: PacketRef): void {
    const i = (ref.n * 2 + (ref.side === 'v6' ? 0 : 1)) & RECENT_MASK;
    this.recentN[i] = ref.n;
    this.recentTs[i] = ref.ts;
  }

  /** The input numbered `n` (a timer's packet derives from it), if it was recent. */
  private recalled(n: number, ts: number): PacketRef {
    for (const side of ['v6', 'v4'] as const) {
      const i = (n * 2 + (side === 'v6' ? 0 : 1)) & RECENT_MASK;
      if (this.recentN[i] === n && n > 0) return { side, n, ts: this.recentTs[i] };
    }
    return { side: this.cur.side, n, ts };
  }

  /**
   * NAT64, IPv4 input to pool4: when the destination binding was learnt from the capture, copy the
   * packet into `scratch` with the engine's binding (address, port / ICMP identifier, checksums
   * updated). Returns 1 (rewritten), 0 (no rewrite needed) or -1 (a pool4 destination never seen).
   */
  private rewriteToEngine(b: Uint8Array, off: number, len: number, l: Located): number {
    const dst = rd32(b, off + 16);
    if (!this.pool4.containsAny(dst)) return 0;
    const q = l.l4;
    let proto: number;
    let portOff: number;
    if ((l.proto === 6 || l.proto === 17) && q + 8 <= l.end) {
      proto = l.proto === 6 ? Proto.Tcp : Proto.Udp;
      portOff = q + 2;
    } else if (l.proto === 1 && q + 8 <= l.end && (b[q] === 0 || b[q] === 8)) {
      proto = Proto.Icmp;
      portOff = q + 4;
    } else if (l.proto === 1 && (b[q] === 3 || b[q] === 11 || b[q] === 12)) {
      return this.rewriteErrorToEngine(b, off, len, q, l.end, dst);
    } else return 0;
    const real = bindingKey(proto, dst, rd16(b, portOff));
    this.lastReal = real;
    if (this.realToEngine.size === 0) return -1;
    const eng = this.realToEngine.get(real);
    if (eng === undefined) return -1;
    if (eng === real) return 0;
    const s = this.scratch;
    s.set(b.subarray(off, off + len), 0);
    const newAddr = Math.floor(eng / 65536) % 4294967296;
    const newPort = eng % 65536;
    const oldHi = rd16(s, 16);
    const oldLo = rd16(s, 18);
    const oldPort = rd16(s, portOff - off);
    const nHi = newAddr >>> 16;
    const nLo = newAddr & 0xffff;
    s[16] = nHi >> 8; s[17] = nHi & 0xff; s[18] = nLo >> 8; s[19] = nLo & 0xff;
    let c = rd16(s, 10);
    c = update16(update16(c, oldHi, nHi), oldLo, nLo);
    s[10] = c >> 8; s[11] = c & 0xff;
    const po = portOff - off;
    s[po] = newPort >> 8; s[po + 1] = newPort & 0xff;
    const q0 = q - off;
    const csOff = proto === Proto.Tcp ? q0 + 16 : proto === Proto.Udp ? q0 + 6 : q0 + 2;
    let lc = rd16(s, csOff);
    if (!(proto === Proto.Udp && lc === 0)) {
      lc = update16(lc, oldPort, newPort);
      if (proto !== Proto.Icmp) lc = update16(update16(lc, oldHi, nHi), oldLo, nLo);
      if (proto === Proto.Udp && lc === 0) lc = 0xffff;
      s[csOff] = lc >> 8; s[csOff + 1] = lc & 0xff;
    }
    return 1;
  }

  /**
   * An ICMPv4 error to a pool4 address about a packet that left through a binding the real
   * translator chose (X,x4 -> Y,y quoted): rewritten to the engine's binding (the outer
   * destination, the quoted source address and port or ICMP identifier; the outer IP header, the
   * quoted IP header, the quoted transport checksum and the ICMP checksum updated), so that the
   * engine finds the session and its translation pairs with the captured ICMPv6 error.
   */
  private rewriteErrorToEngine(b: Uint8Array, off: number, len: number, q: number, end: number, dst: number): number {
    const iq = q + 8;
    if (iq + 20 > end || b[iq] >> 4 !== 4) return 0;
    const ihl = (b[iq] & 0x0f) * 4;
    const iproto = b[iq + 9];
    const iu = iq + ihl;
    let proto: number;
    let portOff: number;
    if ((iproto === 6 || iproto === 17) && iu + 2 <= end) {
      proto = iproto === 6 ? Proto.Tcp : Proto.Udp;
      portOff = iu;
    } else if (iproto === 1 && iu + 6 <= end && (b[iu] === 8 || b[iu] === 0)) {
      proto = Proto.Icmp;
      portOff = iu + 4;
    } else return 0;
    const isrc = rd32(b, iq + 12);
    const real = bindingKey(proto, isrc, rd16(b, portOff));
    this.lastReal = real;
    if (this.realToEngine.size === 0) return -1;
    const eng = this.realToEngine.get(real);
    if (eng === undefined) return -1;
    if (eng === real) return 0;
    const s = this.scratch;
    s.set(b.subarray(off, off + len), 0);
    const o = (x: number) => x - off;
    const newAddr = Math.floor(eng / 65536) % 4294967296;
    const newPort = eng % 65536;
    const nHi = newAddr >>> 16;
    const nLo = newAddr & 0xffff;
    // Outer destination: the pool4 address the error was sent to (the binding's, X).
    if (dst === isrc) {
      const oHi = rd16(s, 16);
      const oLo = rd16(s, 18);
      s[16] = nHi >> 8; s[17] = nHi & 0xff; s[18] = nLo >> 8; s[19] = nLo & 0xff;
      const c = update16(update16(rd16(s, 10), oHi, nHi), oLo, nLo);
      s[10] = c >> 8; s[11] = c & 0xff;
    }
    // Inside the ICMP message every changed word also updates the ICMP checksum.
    const icmpCs = o(q) + 2;
    const put = (at: number, v: number): void => {
      const old = rd16(s, at);
      s[at] = v >> 8; s[at + 1] = v & 0xff;
      const c = update16(rd16(s, icmpCs), old, v);
      s[icmpCs] = c >> 8; s[icmpCs + 1] = c & 0xff;
    };
    const iqo = o(iq);
    const oHi = rd16(s, iqo + 12);
    const oLo = rd16(s, iqo + 14);
    put(iqo + 12, nHi);
    put(iqo + 14, nLo);
    put(iqo + 10, update16(update16(rd16(s, iqo + 10), oHi, nHi), oLo, nLo));
    const po = o(portOff);
    const oldPort = rd16(s, po);
    put(po, newPort);
    // The quoted transport checksum, when the quote holds it (UDP 0 stays 0).
    const iuo = o(iu);
    const cs = proto === Proto.Tcp ? iuo + 16 : proto === Proto.Udp ? iuo + 6 : iuo + 2;
    if (cs + 2 <= o(end)) {
      let lc = rd16(s, cs);
      if (!(proto === Proto.Udp && lc === 0)) {
        lc = update16(lc, oldPort, newPort);
        if (proto !== Proto.Icmp) lc = update16(update16(lc, oHi, nHi), oLo, nLo);
        if (proto === Proto.Udp && lc === 0) lc = 0xffff;
        put(cs, lc);
      }
    }
    return 1;
  }

  /** Called by the sink for each packet the engine emits. */
  expect(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: number, about: number, ts: number): void {
    const l = this.loc2;
    if (!locate(bytes, off, len, l)) return;
    const side: Side = family === 6 ? 'v6' : 'v4';
    let ref = this.cur;
    if (ref.n !== about) {
      // A timer's packet: it derives from an earlier input.
      ref = this.recalled(about, ts);
    }
    const key = this.key(bytes, off, l, false);
    const match = this.actual.take(key, side, ts, this.win);
    const e: Entry = {
      key, flow: -1, side, bytes: bytes.slice(off, l.end), ts, ref, emitKind: kind,
      inTtl: this.curTtl, inLen: this.curLen, inFrag: this.curFrag, inProto: this.curProto, inIcmpType: this.curIcmpType,
      inUnlearnt: this.curUnlearnt, done: false, next: null,
    };
    if (match !== null) this.pair(e, match);
    else this.expected.add(e);
  }

  // --- outputs ----------------------------------------------------------------------------------

  private output(side: Side, bytes: Uint8Array, off: number, len: number, ts: number, n: number): void {
    this.s.outputs[side]++;
    const l = this.loc;
    const key = this.key(bytes, off, l, false);
    const ref: PacketRef = { side, n, ts };
    const match = this.expected.take(key, side, ts, this.win);
    const a: Entry = {
      key, flow: -1, side, bytes: match === null ? bytes.slice(off, l.end) : bytes.subarray(off, l.end), ts, ref, emitKind: -1,
      inTtl: 0, inLen: 0, inFrag: false, inProto: 0, inIcmpType: -1, inUnlearnt: false, done: false, next: null,
    };
    if (match !== null) this.pair(match, a);
    else this.actual.add(a);
  }

  // --- verdicts ---------------------------------------------------------------------------------

  /** `e` (expected) and `a` (actual) belong together: compare them. */
  private pair(e: Entry, a: Entry, loose = false): void {
    const latency = a.ts - e.ref.ts;
    this.lat.add(latency);
    const fam: 4 | 6 = e.side === 'v6' ? 6 : 4;
    const eb = e.bytes;
    const ab = a.bytes;
    if (!loose && eb.length === ab.length && Buffer.compare(eb, ab) === 0) {
      this.s.correct++;
      if (this.all) this.onEvent({ kind: 'correct', input: e.ref, output: a.ref, latency, departures: [] });
      return;
    }
    const chosen = this.nat64 && fam === 4 && e.emitKind !== EmitKind.IcmpError;
    if (!loose && eb.length === ab.length && maskedEqual(eb, ab, chosen, this.loc2)) {
      // Only fields the translator chooses differ (identification, checksums, a NAT64 binding):
      // the checksums must verify and the binding must be a pool4 one.
      const bad = checksumProblems(ab);
      const rule = chosen ? this.learn(eb, ab) : null;
      if (bad.length === 0 && rule === null) {
        this.s.correct++;
        if (this.all) this.onEvent({ kind: 'correct', input: e.ref, output: a.ref, latency, departures: [] });
        return;
      }
    }
    // Field by field, tolerating what the translator may choose.
    const fe = ipPacketFields(eb, 0, eb.length);
    const fa = ipPacketFields(ab, 0, ab.length);
    const diffs = diffFields(fe, fa, this.skip);
    const wrong: WrongField[] = [];
    const departures: string[] = [];
    const chosenSrc = chosen;
    let bindingChecked = false;
    for (const d of diffs) {
      const f = d.field;
      if (f === 'ipv4.id' || f === 'inner.ipv4.id' || f === 'inner.ipv4.checksum') continue;
      if (f.endsWith('checksum') && !f.startsWith('inner.')) continue; // verified below
      if (chosenSrc && (f === 'ipv4.src' || f === 'tcp.srcport' || f === 'udp.srcport' || f === 'icmp.id')) {
        if (!bindingChecked) {
          bindingChecked = true;
          const bad = this.learn(eb, ab);
          if (bad) wrong.push({ field: f, expected: d.expected, got: d.got, rule: bad });
        }
        continue;
      }
      if (chosenSrc && (f === 'inner.ipv4.dst' || f === 'inner.tcp.dstport' || f === 'inner.udp.dstport' || f === 'inner.icmp.id')) continue;
      // The transport checksum of the packet quoted in an ICMP error: usually cut short, so it
      // cannot be verified, and translators differ on whether to update it (RFC 7915 leaves it
      // open; TAYGA updates it, nat64scope leaves a truncated one alone).
      const innerL4 = f === 'inner.udp.checksum' || f === 'inner.tcp.checksum';
      if (innerL4 || (this.cfg.profile === 'tayga' && (f === 'ipv4.df' || f === 'inner.ipv4.df') && d.got === true)) {
        departures.push(f);
        this.s.departures[f] = (this.s.departures[f] ?? 0) + 1;
        continue;
      }
      wrong.push({ ...d, rule: ruleFor(f, fam) });
    }
    // Checksums must verify on what came out.
    const bad = checksumProblems(ab);
    for (const f of bad) if (!this.skip(f)) wrong.push({ field: f, expected: 'valid', got: 'bad', rule: ruleFor(f, fam) });
    if (!bindingChecked && chosenSrc) this.learn(eb, ab);
    if (wrong.length === 0) {
      this.s.correct++;
      if (this.all) this.onEvent({ kind: 'correct', input: e.ref, output: a.ref, latency, departures });
      return;
    }
    this.s.wrong++;
    for (const w of wrong) this.s.wrongFields[w.field] = (this.s.wrongFields[w.field] ?? 0) + 1;
    this.onEvent({ kind: 'wrong', input: e.ref, output: a.ref, latency, diffs: wrong, departures });
  }

  /**
   * NAT64: learns the real translator's binding for the engine's (from a 6 -> 4 pair) and checks
   * it: the address and port must be in pool4 and the binding must not change while in use.
   * Returns the rule broken, or null.
   */
  private learn(eb: Uint8Array, ab: Uint8Array): string | null {
    const le = this.loc2;
    const la = this.loc3;
    if (!locate(eb, 0, eb.length, le) || !locate(ab, 0, ab.length, la) || le.later || la.later) return null;
    let proto: number;
    let pe: number;
    let pa: number;
    if ((le.proto === 6 || le.proto === 17) && le.l4 + 4 <= le.end && la.l4 + 4 <= la.end) {
      proto = le.proto === 6 ? Proto.Tcp : Proto.Udp;
      pe = rd16(eb, le.l4);
      pa = rd16(ab, la.l4);
    } else if (le.proto === 1 && le.l4 + 8 <= le.end && la.l4 + 8 <= la.end && (eb[le.l4] === 8 || eb[le.l4] === 0)) {
      proto = Proto.Icmp;
      pe = rd16(eb, le.l4 + 4);
      pa = rd16(ab, la.l4 + 4);
    } else return null;
    const addrA = rd32(ab, 12);
    if (!this.pool4.containsTransport(proto as Proto, addrA, pa)) {
      return `RFC 6146 §3.5: the IPv4 source transport address must come from pool4 (${this.describePool4()})`;
    }
    const eng = bindingKey(proto, rd32(eb, 12), pe);
    const real = bindingKey(proto, addrA, pa);
    const known = this.engineToReal.get(eng);
    if (known === real) return null;
    // New (or, after the old binding expired, changed): the same IPv6 transport address may
    // legitimately leave from another IPv4 one once its binding timed out.
    this.engineToReal.set(eng, real);
    const prev = this.realToEngine.get(real);
    if (prev !== undefined && prev !== eng) this.engineToReal.delete(prev);
    this.realToEngine.set(real, eng);
    if (eng !== real) this.s.learntBindings++;
    if (this.heldLive && this.heldByReal.has(real)) this.toRelease.push(real);
    return null;
  }

  private describePool4(): string {
    return this.cfg.pool4.map((p) => `${(p.prefix.addr >>> 24) & 255}.${(p.prefix.addr >>> 16) & 255}.${(p.prefix.addr >>> 8) & 255}.${p.prefix.addr & 255}/${p.prefix.len}#${p.portMin}-${p.portMax}`).join(', ') || 'empty';
  }

  /** Verdicts for everything older than the window. */
  private expire(now: number): void {
    const win = this.win;
    if (this.heldLive) this.expireHeld(now);
    for (;;) {
      const e = this.expected.peek();
      if (e === null || !(e.ts < now - win)) break;
      this.expected.remove(e);
      // An output of the same flow that nobody claimed: the packet, altered on its way.
      let partner: Entry | null = null;
      const flow = this.flowOf(e);
      for (const a of this.actual.each()) {
        if (a.side === e.side && Math.abs(a.ts - e.ts) <= win && this.flowOf(a) === flow) {
          partner = a;
          break;
        }
      }
      if (partner !== null) {
        this.actual.remove(partner);
        this.pair(e, partner, true);
      } else this.missing(e);
    }
    for (;;) {
      const a = this.actual.peek();
      if (a === null || !(a.ts < now - 2 * win)) break;
      this.actual.remove(a);
      this.s.unexpected++;
      this.onEvent({ kind: 'unexpected', output: a.ref, detail: this.unexpectedDetail(a) });
    }
  }

  /** The loose (flow) key of a waiting packet, computed when first needed. */
  private flowOf(x: Entry): number {
    if (x.flow < 0) {
      const l: Located = { l4: 0, proto: 0, frag: false, later: false, end: 0 };
      x.flow = locate(x.bytes, 0, x.bytes.length, l) ? this.key(x.bytes, 0, l, true) : 0;
    }
    return x.flow;
  }

  private unexpectedDetail(a: Entry): string {
    const fam = a.bytes[0] >> 4;
    if (this.nat64 && fam === 6) return 'no input on the IPv4 side explains it: an IPv4 packet the capture missed, or a binding (pool4 address and port) the capture never showed being created';
    return `no input on the ${fam === 6 ? 'IPv4' : 'IPv6'} side explains it within ${this.win} s: a packet the other capture missed, a translation the engine would drop (see "dropped by the engine"), or more skew between the two captures than --window`;
  }

  private missing(e: Entry): void {
    const [reason, detail] = this.whyMissing(e);
    this.s.missing++;
    this.s.missingReasons[reason] = (this.s.missingReasons[reason] ?? 0) + 1;
    const expected = e.emitKind === EmitKind.IcmpError || e.emitKind === EmitKind.Deferred ? 'icmp-error' : e.emitKind === EmitKind.Hairpinned ? 'hairpin' : 'translation';
    this.onEvent({ kind: 'missing', input: e.ref, expected, reason, detail });
  }

  /** The most likely reason a real translator emitted nothing for the input of `e`. */
  private whyMissing(e: Entry): [string, string] {
    const inFam = e.ref.side === 'v6' ? 6 : 4;
    const outLen = e.bytes.length;
    if (e.emitKind === EmitKind.IcmpError || e.emitKind === EmitKind.Deferred) {
      return ['no-icmp-error', 'the engine answers this input with an ICMP error and the real translator sent none (many translators rate-limit or do not generate ICMP errors)'];
    }
    if (e.inUnlearnt) {
      return ['unknown-binding', 'it is addressed to a pool4 address and port whose binding the capture never showed being created (the real translator has no such BIB entry, or the IPv6 side capture missed the packet that created it)'];
    }
    if (e.inTtl <= 1) return ['hop-limit', `it arrived with ${inFam === 6 ? 'hop limit' : 'TTL'} ${e.inTtl}: a router between the capture point and the translator, or the translator itself, discarded it`];
    if (e.inFrag) return ['fragment', 'it is a fragment: many translators drop or reassemble fragments differently (AWS drops TCP and ICMP fragments, TAYGA fragmented ICMP)'];
    if (outLen > (e.side === 'v6' ? this.cfg.mtu.ipv6 : this.cfg.mtu.ipv4) || (e.side === 'v6' && outLen > 1280 && e.inLen <= 1280)) {
      return ['too-big', `its translation is ${outLen} bytes: larger than the path MTU on the ${e.side === 'v6' ? 'IPv6' : 'IPv4'} side may be`];
    }
    if (e.inIcmpType >= 0 && !(e.inProto === 1 ? e.inIcmpType === 0 || e.inIcmpType === 8 : e.inIcmpType === 128 || e.inIcmpType === 129)) {
      return ['icmp-not-translated', `an ICMP${inFam === 6 ? 'v6' : ''} type ${e.inIcmpType} message: translators differ on which ICMP messages they translate (TAYGA drops Parameter Problem)`];
    }
    if (e.inProto === 17 && inFam === 4) return ['lost', 'no trace of it on the other side: lost between the capture points, or dropped by the translator without an ICMP error (a firewall, a rate limit, a UDP checksum the translator refused)'];
    return ['lost', 'no trace of it on the other side: lost between the capture points, or dropped by the translator without an ICMP error (a firewall, a rate limit, a full queue)'];
  }
}

// ------------------------------------------------------------------------------------------------

function bindingKey(proto: number, addr: number, port: number): number {
  return (proto * 4294967296 + addr) * 65536 + port;
}

function eq16(b: Uint8Array, off: number, a: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (b[off + i] !== a[i]) return false;
  return true;
}

function prefixMatch(b: Uint8Array, off: number, p: Uint8Array, len: number): boolean {
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (b[off + i] !== p[i]) return false;
  const rem = len & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (b[off + full] & m) === (p[full] & m);
}

function in4(a: number, net: number, len: number): boolean {
  if (len === 0) return true;
  const m = len === 32 ? 0xffffffff : ~((1 << (32 - len)) - 1) >>> 0;
  return ((a & m) >>> 0) === ((net & m) >>> 0);
}

/**
 * Whether two IP packets of the same length are equal except for the fields a translator chooses:
 * the IPv4 Identification and header checksum, transport / ICMP checksums, and with `chosen`
 * (NAT64, IPv4 from pool4) the source address and port or ICMP echo identifier.
 */
function maskedEqual(e: Uint8Array, a: Uint8Array, chosen: boolean, l: Located): boolean {
  if (!locate(e, 0, e.length, l)) return false;
  const v4 = e[0] >> 4 === 4;
  const q = l.l4;
  let m1 = -1; // masked 2-byte fields (offsets), -1 = none
  let m2 = -1;
  let m3 = -1;
  if (!l.later) {
    if (l.proto === 6) m1 = q + 16;
    else if (l.proto === 17) m1 = q + 6;
    else if (l.proto === 1 || l.proto === 58) m1 = q + 2;
    if (chosen) {
      if (l.proto === 6 || l.proto === 17) m2 = q;
      else if (l.proto === 1 && (e[q] === 0 || e[q] === 8)) m2 = q + 4;
    }
  }
  if (v4) m3 = 10;
  for (let i = 0; i < e.length; i++) {
    if (e[i] === a[i]) continue;
    if (v4 && (i === 4 || i === 5 || i === 10 || i === 11)) continue;
    if (v4 && chosen && i >= 12 && i < 16) continue;
    if ((m1 >= 0 && (i === m1 || i === m1 + 1)) || (m2 >= 0 && (i === m2 || i === m2 + 1)) || (m3 >= 0 && (i === m3 || i === m3 + 1))) continue;
    return false;
  }
  return true;
}

/** Checksums of an IP packet that do not verify (`ipv4.checksum`, `udp.checksum`, ...). */
export function checksumProblems(b: Uint8Array): string[] {
  const out: string[] = [];
  const l: Located = { l4: 0, proto: 0, frag: false, later: false, end: 0 };
  if (!locate(b, 0, b.length, l)) return out;
  const v4 = b[0] >> 4 === 4;
  if (v4 && finish(sum(b, 0, (b[0] & 15) * 4)) !== 0) out.push('ipv4.checksum');
  if (l.frag) return out; // a fragment's transport checksum covers the whole datagram
  const len = l.end - l.l4;
  const p = l.proto;
  if (p === 17 && len >= 8 && rd16(b, l.l4 + 6) === 0) {
    if (!v4) out.push('udp.checksum');
    return out;
  }
  if ((p === 6 && len >= 20) || (p === 17 && len >= 8) || (p === 58 && len >= 4) || (p === 1 && len >= 4)) {
    const ph = p === 1 ? 0 : v4 ? pseudo4(b, 12, 16, p, len) : pseudo6(b, 8, 24, p, len);
    if (fold(sum(b, l.l4, len, ph)) !== 0xffff) out.push(p === 6 ? 'tcp.checksum' : p === 17 ? 'udp.checksum' : p === 1 ? 'icmp.checksum' : 'icmpv6.checksum');
  }
  return out;
}
