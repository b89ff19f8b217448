/**
 * `analyze`: the decoders, the engine (`--side auto`: packets that came out of a real translator
 * are reconstructed, the others translated forward, exactly as `translate --side auto` does), the
 * flow table, the DNS tracker, checksum verdicts and the failure catalog (src/diag/rules/) over
 * one capture, streaming.
 *
 * For the viewer and other callers:
 *
 *   const r: AnalyzeResult = await analyzeCapture('cap.pcapng', config, { flows: 'all' });
 *   r.findings  // Finding[] (src/diag/finding.ts), worst first
 *   r.flows     // FlowRecord[] (src/diag/flows.ts): failing first, then the rest (flows: 'all')
 *
 * or, packet by packet (a live source, or a viewer that already reads the capture):
 *
 *   const a = new CaptureAnalyzer(config, { input: 'live' });
 *   a.push(packet);            // CapturedPacket, borrowed: nothing is kept
 *   a.flowOf(lastPacket)       // the Flow of the packet just pushed (or null)
 *   const r = a.finish();      // AnalyzeResult
 *
 * or with an engine the caller already runs on the same packets (the viewer: one NAT64 engine
 * for its sessions pane and for the findings, {@link AnalyzeOptions.sharedEngine}):
 *
 *   const a = new CaptureAnalyzer(config, { sharedEngine: true });
 *   a.beforeEngine(p);          // then the caller's engine runs on p, its sink also calling a.engineSink
 *   a.afterEngine(p, ran, reconstructed);
 *   a.beforeDrain(engine);      // after the last packet, before the caller drains the engine into a.engineSink
 *   const r = a.finish();
 *
 * Memory grows with the live flows (and with retained flow records: failing flows, or every flow
 * with flows: 'all'), never with packets.
 */
import { readCapture, type ReadSummary, type ReadOptions } from '../pcap/reader.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { LinkType, linkTypeName } from '../pcap/linktype.js';
import { PacketDecoder, L4 } from '../wire/layer-decoder.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { EmitKind, type Clock, type Engine, type XlatSink } from '../xlat/types.js';
import type { EngineConfig } from '../xlat/config-types.js';
import { createEngine } from '../xlat/engine.js';
import { Nat64Engine, type BibSnapshot, type SessionSnapshot } from '../xlat/nat64/nat64-engine.js';
import { inPrefix, extractIpv4, WKP, LOCAL_USE, type Prefix6 } from '../xlat/rfc6052.js';
import { Reason, reasonId } from '../diag/reasons.js';
import { compareFindings, type Finding } from '../diag/finding.js';
import { FlowTable, FlowPacket, Flow, FlowState, FLOW_STATE_NAMES, protoName, type FlowRecord } from '../diag/flows.js';
import { DnsTracker } from '../diag/dns-tracker.js';
import { ChecksumTotals } from '../diag/checksums.js';
import { RULES } from '../diag/rules/index.js';
import type { AnalyzeResult } from '../diag/result.js';
import { PacketFacts, packetFlowSelector, type CompiledFilter } from '../filter/index.js';
export type { AnalyzeResult } from '../diag/result.js';
import { PacketKind, type LearnedPrefix, type PacketContext, type PacketTuple, type RuleContext, type RuleState } from '../diag/rules/types.js';

export interface AnalyzeOptions {
  /** SPEC §4 --side; analyze uses auto. */
  side?: 'none' | 'v6' | 'v4' | 'auto';
  /** Which flow records the result keeps: the ones that matter (failing, named by a finding) or all. */
  flows?: 'matter' | 'all';
  /** Keep the engine's BIB and session tables in the result (the viewer). */
  sessions?: boolean;
  /**
   * Only packets for which this returns true are analyzed (`--filter`): the engine still sees
   * every packet (its state must move as the real translator's did); flows, DNS, checksums and
   * the rules see the selected ones. `verdict` and `reason` are the engine's, as
   * `translate --explain` names them. See {@link filterSelect}.
   */
  filter?: ((p: CapturedPacket, d: PacketDecoder, verdict: string, reason: string | null) => boolean) | null;
  /** The name reports use for the input. */
  input?: string;
  onWarning?: (msg: string) => void;
  afterChunk?: () => Promise<void> | void;
  blocking?: boolean;
  /**
   * The caller runs the engine (side auto: reconstruct, else process; advance only for a packet
   * that is not IP) and tells the analyzer about each packet with {@link CaptureAnalyzer.beforeEngine},
   * {@link CaptureAnalyzer.engineSink} and {@link CaptureAnalyzer.afterEngine} instead of
   * {@link CaptureAnalyzer.push}: no second engine (its tables, its timers) next to the caller's.
   */
  sharedEngine?: boolean;
}

/** Reasons that mean "this packet is not for the translator" rather than "the translator dropped it". */
const NOT_FOR_TRANSLATOR = new Set<number>([Reason.Pool6Mismatch, Reason.Untranslatable6Dst, Reason.NotToPool4, Reason.Untranslatable4Dst, Reason.NotIp, Reason.FragmentsHeld]);

import { CounterpartSink } from './counterpart.js';
import { EngineThread, prestartEngineThread } from './engine-thread.js';
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { engineCounts } from './engine-counts.js';
export { engineCounts } from './engine-counts.js';
export { COPY, CounterpartTuple } from './counterpart.js';

export class CaptureAnalyzer {
  /** The analyzer's own engine (null: the caller's, {@link AnalyzeOptions.sharedEngine}). */
  private readonly engine: Engine | null;
  /** Shared engine: the table counts taken in {@link beforeDrain} (null: not yet, or not NAT64). */
  private sharedCounts: { bib: number; sessions: number; bibEntries: BibSnapshot[] | null; sessionList: SessionSnapshot[] | null } | null = null;
  /** Shared engine: what {@link beforeEngine} said (the packet is IP: the rest of the analysis runs). */
  private pending = false;
  private readonly d = new PacketDecoder();
  private readonly c = new PacketDecoder();
  private readonly sink = new CounterpartSink();
  private readonly fp = new FlowPacket();
  private readonly errKey = new Uint8Array(32);
  private readonly table: FlowTable;
  readonly dns = new DnsTracker();
  readonly checksums = new ChecksumTotals();
  private readonly drops = new Map<number, { count: number; packets: number[] }>();
  private notTranslated = 0;
  private readonly clock: Clock = { sec: 0, nsec: 0 };
  private readonly side: 'none' | 'v6' | 'v4' | 'auto';
  private readonly keepAll: boolean;
  private readonly retained: Flow[] = [];
  private flowCount = 0;
  private failingCount = 0;
  private n = 0;
  private analyzed = 0;
  /** Time of the first and last packet (valid once a packet came). */
  private first = 0;
  private last = 0;
  private bytes = 0;
  private readonly linkTypes = new Set<number>();
  private lastLinkType = -1;
  private readonly prefixes: LearnedPrefix[] = [];
  private readonly states: RuleState[];
  private readonly packetHooks: RuleState[];
  private readonly flowHooks: RuleState[];
  private readonly hookMasks: Int32Array;
  private readonly ctx: RuleContext;
  private readonly pc: PacketContext;
  private known7050 = 0;
  private readonly mtu: number;
  private lastFlow: Flow | null = null;

  /**
   * `remote`: the engine runs on another thread over the same capture (src/replay/engine-thread.ts,
   * {@link analyzeCapture} starts it); {@link push} takes each packet's outcome from it.
   */
  constructor(readonly config: EngineConfig, private readonly opts: AnalyzeOptions = {}, private readonly remote: EngineThread | null = null) {
    if (remote !== null && opts.sharedEngine) throw new Error('a shared engine and an engine thread at once');
    this.engine = opts.sharedEngine || remote !== null ? null : createEngine(config);
    this.side = opts.side ?? 'auto';
    if (opts.sharedEngine && this.side !== 'auto') throw new Error('a shared engine runs with side auto');
    this.keepAll = opts.flows === 'all';
    const t = config.timeouts;
    const longest = Math.max(t.tcpEstablished, t.udp, t.icmp, config.policy.tcpIdleRst ?? 0);
    // A closed flow (both FINs, or a RST) leaves after 30 s of quiet: late retransmissions still
    // find it, and memory follows the open flows.
    this.table = new FlowTable({ expireAfter: longest + 60, closedAfter: 30, maxLive: 500_000, onClose: (f) => this.closed(f) });
    this.mtu = Math.max(config.mtu.ipv6, config.mtu.ipv4);
    if (config.pool6) this.prefixes.push({ prefix: config.pool6, text: prefixText(config.pool6), source: 'config', packet: 0 });
    const pool4 = config.pool4;
    const own = config.translator.ipv4;
    this.ctx = {
      config,
      aws: config.profile === 'aws',
      dns: this.dns,
      checksums: this.checksums,
      prefixes: this.prefixes,
      inNat64Prefix: (b, off) => this.inNat64Prefix(b, off),
      drops: this.drops,
      embedded4: (b, off) => {
        for (const p of this.prefixes) if (inPrefix(b, off, p.prefix)) return extractIpv4(b, off, p.prefix.len);
        if (inPrefix(b, off, WKP)) return extractIpv4(b, off, 96);
        if (inPrefix(b, off, LOCAL_USE)) return extractIpv4(b, off, 96);
        return -1;
      },
      ownIpv4: (a) => {
        if (own !== null && own === a) return true;
        for (const e of pool4) {
          const mask = e.prefix.len === 0 ? 0 : (0xffffffff << (32 - e.prefix.len)) >>> 0;
          if (((a & mask) >>> 0) === e.prefix.addr) return true;
        }
        return false;
      },
    };
    this.states = RULES.map((r) => r.create());
    this.packetHooks = this.states.filter((s) => s.packet);
    this.flowHooks = this.states.filter((s) => s.flow);
    this.hookMasks = new Int32Array(this.packetHooks.map((s) => s.on ?? -1));
    this.sink.late = (reason, about) => this.countDrop(reason, about);
    this.pc = { kinds: 0, n: 0, ts: 0, d: this.d, c: null, t: null, fromTranslator: false, drop: 0, emitted: 0, flow: null, errorFlow: null, linkType: 0, caplen: 0, origLen: 0 };
  }

  private inNat64Prefix(b: Uint8Array, off: number): boolean {
    if (inPrefix(b, off, WKP) || inPrefix(b, off, LOCAL_USE)) return true;
    const ps = this.prefixes;
    for (let i = 0; i < ps.length; i++) if (inPrefix(b, off, ps[i].prefix)) return true;
    return false;
  }

  /** The flow of the packet last pushed, or null. */
  flowOf(): Flow | null {
    return this.lastFlow;
  }

  /** Counts and decodes the packet, readies the sink; false when it is not IP (the engine only advances). */
  private begin(p: CapturedPacket): boolean {
    const n = ++this.n;
    const d = this.d;
    const ts = p.tsSec + p.tsNsec / 1e9;
    if (n === 1) this.first = ts;
    this.last = ts;
    this.bytes += p.origLen;
    if (p.linkType !== this.lastLinkType) {
      this.lastLinkType = p.linkType;
      this.linkTypes.add(p.linkType);
    }
    this.clock.sec = p.tsSec;
    this.clock.nsec = p.tsNsec;
    d.decode(p.data, p.offset, p.caplen, p.linkType);
    this.lastFlow = null;
    const sink = this.sink;
    sink.reset();
    sink.cur = n;
    sink.clock = this.clock;
    return d.ipVersion !== 0;
  }

  push(p: CapturedPacket): void {
    const engine = this.engine;
    if (engine === null) {
      if (this.remote !== null) return this.pushRemote(p, this.remote);
      throw new Error('push() with a shared engine: use beforeEngine/afterEngine');
    }
    const sink = this.sink;
    if (!this.begin(p)) {
      engine.advance(this.clock, sink);
      return;
    }
    const d = this.d;
    const ipLen = p.caplen - (d.l3Off - p.offset);
    const v = d.ipVersion;
    const side = this.side;
    const tryRec = side === 'auto' || (side === 'v6' && v === 6) || (side === 'v4' && v === 4);
    let fromTranslator = false;
    if (tryRec && engine.reconstruct(p.data, d.l3Off, ipLen, this.clock, this.n, sink)) fromTranslator = true;
    else engine.process(p.data, d.l3Off, ipLen, this.clock, this.n, sink);
    this.outcome(p, fromTranslator);
  }

  /**
   * {@link push} with the engine on another thread: its record for this packet gives the drops
   * about earlier packets (timers), the upper-layer sum the decoder would compute, and the sink's
   * state after the engine ran, which {@link outcome} reads as it would after a local engine.
   */
  private pushRemote(p: CapturedPacket, r: EngineThread): void {
    const sink = this.sink;
    const at = r.next(sink.late);
    if (at < 0) throw new Error('analyze: the capture changed while it was read (the engine thread saw fewer packets)');
    const ring = r.ring;
    const mask = r.mask;
    if (ring[(at + 1) & mask] !== this.n + 1) throw new Error(`analyze: the engine thread is at packet ${ring[(at + 1) & mask]}, not ${this.n + 1}`);
    const d = this.d;
    const rel = ring[(at + 3) & mask];
    d.presumOff = rel >= 0 ? p.offset + rel : -1;
    d.presumLen = ring[(at + 4) & mask];
    d.presum = ring[(at + 5) & mask];
    const ip = this.begin(p);
    d.presumOff = -1;
    const fromTranslator = sink.readRecord(ring, mask, at);
    r.done();
    if (ip) this.outcome(p, fromTranslator);
  }

  /**
   * Shared engine ({@link AnalyzeOptions.sharedEngine}): `p` is the next packet, and the caller's
   * engine is about to run on it (reconstruct, else process; or only advance when it is not IP),
   * with every emit and drop also given to {@link engineSink}, then {@link afterEngine}.
   */
  beforeEngine(p: CapturedPacket): void {
    this.pending = this.begin(p);
  }

  /** Shared engine: the sink that must also get the engine's emits and drops (timers' too). */
  get engineSink(): XlatSink {
    return this.sink;
  }

  /** Shared engine: the engine has run on `p`; `reconstructed`: it took `p` as a translator's output (reconstruct() returned true). */
  afterEngine(p: CapturedPacket, reconstructed: boolean): void {
    if (!this.pending) return;
    this.pending = false;
    this.outcome(p, reconstructed);
  }

  /**
   * Shared engine: every packet went through; the caller is about to drain the engine's timers
   * into {@link engineSink}. Its tables are read now, as the capture left them (as {@link finish}
   * does with its own engine).
   */
  beforeDrain(engine: Engine): void {
    const nat64 = engine instanceof Nat64Engine ? engine : null;
    if (nat64 !== null) {
      const bibEntries = this.opts.sessions ? nat64.bibEntries() : null;
      const sessionList = this.opts.sessions ? nat64.sessions() : null;
      const c = bibEntries && sessionList ? { bib: bibEntries.length, sessions: sessionList.length } : engineCounts(nat64);
      this.sharedCounts = { ...c, bibEntries, sessionList };
    }
    this.sink.reset();
    this.sink.cur = -2;
  }

  /** The analysis of a packet the engine has run on (its outcome is in the sink). */
  private outcome(p: CapturedPacket, fromTranslator: boolean): void {
    const n = this.n;
    const d = this.d;
    const sink = this.sink;
    const ts = p.tsSec + p.tsNsec / 1e9;
    const v = d.ipVersion;
    // The counterpart: a plain one's tuple was read as the engine emitted it; anything else
    // (ICMP errors) is decoded from its copy (after the engine: its DNS view used d's buffers).
    let c: PacketDecoder | null = null;
    let t: PacketTuple | null = null;
    if (sink.has === 1) t = sink.tuple;
    else if (sink.has === 2) {
      c = this.c;
      c.decode(sink.buf, 0, sink.len, LinkType.RAW);
      if (c.ipVersion === 0) c = null;
      t = c;
    }
    if (this.opts.filter && !this.opts.filter(p, d, verdictOf(sink, fromTranslator), sink.drop_ ? reasonId(sink.drop_) : null)) return;
    this.analyzed++;
    let drop = sink.drop_;
    // A packet not addressed to the translator (native IPv6, multicast, ND; IPv4 not to its
    // addresses) is not "dropped" by it, whatever the engine says.
    if (drop !== 0 && !fromTranslator && !this.forTranslator(d)) {
      this.notTranslated++;
      drop = 0;
    }
    if (drop !== 0 && !this.countDrop(drop, n)) drop = 0;
    this.checksums.add(d, n, fromTranslator, this.mtu);

    // The flow key: the IPv6-side tuple.
    const k: PacketTuple = v === 6 ? d : t !== null && t.ipVersion === 6 ? t : d;
    const fp = this.fp;
    let flow: Flow | null = null;
    let errorFlow: Flow | null = null;
    const l4 = k.l4;
    const isIcmp = l4 === L4.ICMP || l4 === L4.ICMPV6;
    const echo = isIcmp && (k.icmpType === 128 || k.icmpType === 129 || k.icmpType === 0 || k.icmpType === 8);
    if (isIcmp && !echo) {
      // A tuple read in the sink is never an ICMP error: k is d or the decoded counterpart.
      if (k.innerVersion !== 0) errorFlow = this.icmpError(k === d ? d : c!, n);
      else if (d.ipVersion === 6 && d.l4 === L4.ICMPV6 && d.icmp6.pref64Count > 0 && d.icmp6.pref64Len > 0) this.learnPref64(d, n);
    } else if (!(d.isFragment && d.fragOffset !== 0) && (l4 === L4.OTHER || k.sport >= 0)) {
      // The time is set here, not passed on: a double argument to a call not inlined is boxed.
      fp.ts = ts;
      this.fillKey(fp, k, n, echo);
      fp.wireLen = p.origLen - (d.l3Off - p.offset);
      fp.side = v === 6 ? 6 : 4;
      fp.tcpFlags = d.tcpFlags >= 0 ? d.tcpFlags : 0;
      // As an int32 (the table works modulo 2^32): no heap number for sequence numbers >= 2^31.
      fp.seq = d.l4 === L4.TCP ? rdi32(d.bytes, d.l4Off + 4) : 0;
      fp.payloadLen = d.l4 === L4.TCP ? d.l4Len - d.tcp.hdrLen : d.l4 === L4.UDP || d.l4 === L4.ICMP || d.l4 === L4.ICMPV6 ? d.l4Len - 8 : d.l4Len;
      if (fp.payloadLen < 0) fp.payloadLen = 0;
      fp.mss = d.l4 === L4.TCP ? d.tcp.mss : -1;
      const v4d: PacketTuple | null = v === 4 ? d : t !== null && t.ipVersion === 4 ? t : null;
      if (v4d !== null && v4d.sport >= 0) {
        fp.hasV4 = true;
        // As int32 (u32Text reads them unsigned): no heap number for addresses >= 128.0.0.0.
        fp.v4src = rdi32(v4d.bytes, v4d.srcOff);
        fp.v4dst = rdi32(v4d.bytes, v4d.dstOff);
        fp.v4sport = v4d.sport;
        fp.v4dport = v4d.dport;
      } else fp.hasV4 = false;
      fp.drop = drop;
      flow = this.table.observe(fp);
      // A new flow: its b address is the packet's destination, or its source when the table
      // made the receiver the initiator (dir 1).
      if (flow.packets === 1) this.nameFlow(flow, fp.key, this.table.dir === 0 ? 16 : 0);
    }
    this.lastFlow = flow;

    if (d.dnsCount > 0 && !fromTranslator) this.trackDns(d, k, n, ts);

    const hooks = this.packetHooks;
    if (hooks.length > 0) {
      const pc = this.pc;
      // Only the hooks that can act on this kind of packet are called (RuleState.on).
      const kinds = (v === 6 ? PacketKind.V6 : 0) | (d.isFragment ? PacketKind.Fragment : 0) | (d.l4 === L4.ICMP || d.l4 === L4.ICMPV6 ? PacketKind.Icmp : 0) |
        (flow !== null && flow.pktsAB + flow.pktsBA === 1 ? PacketKind.NewFlow : 0) | ((sink.kinds & (1 << EmitKind.Hairpinned)) !== 0 ? PacketKind.Hairpinned : 0);
      pc.kinds = kinds;
      pc.n = n;
      pc.ts = ts;
      pc.c = c;
      pc.t = t;
      pc.fromTranslator = fromTranslator;
      pc.drop = drop;
      pc.emitted = sink.kinds;
      pc.flow = flow;
      pc.errorFlow = errorFlow;
      pc.linkType = p.linkType;
      pc.caplen = p.caplen;
      pc.origLen = p.origLen;
      const masks = this.hookMasks;
      for (let i = 0; i < hooks.length; i++) if ((masks[i] & kinds) !== 0) hooks[i].packet!(pc, this.ctx);
    }
  }

  private forTranslator(d: PacketDecoder): boolean {
    if (d.ipVersion === 6) return this.inNat64Prefix(d.bytes, d.dstOff) || (this.config.pool6 !== null && inPrefix(d.bytes, d.dstOff, this.config.pool6));
    return this.ctx.ownIpv4(rd32(d.bytes, d.dstOff)) || this.config.eam.length > 0;
  }

  /** Counts an engine drop; false when the reason means "not for the translator". */
  private countDrop(reason: number, n: number): boolean {
    if (NOT_FOR_TRANSLATOR.has(reason)) {
      if (reason !== Reason.FragmentsHeld) this.notTranslated++;
      return false;
    }
    let e = this.drops.get(reason);
    if (!e) this.drops.set(reason, (e = { count: 0, packets: [] }));
    e.count++;
    if (e.packets.length < 12) e.packets.push(n);
    return true;
  }

  private fillKey(fp: FlowPacket, k: PacketTuple, n: number, echo: boolean): void {
    fp.n = n;
    const v6 = k.ipVersion === 6;
    const alen = v6 ? 16 : 4;
    const b = k.bytes;
    for (let i = 0; i < alen; i++) {
      fp.key[i] = b[k.srcOff + i];
      fp.key[16 + i] = b[k.dstOff + i];
    }
    fp.keyV4 = !v6;
    fp.proto = echo ? 58 : k.proto;
    fp.sport = k.sport >= 0 ? k.sport : 0;
    fp.dport = k.dport >= 0 ? k.dport : 0;
  }

  /** An ICMP error: the flow of the packet it quotes. */
  private icmpError(k: PacketDecoder, n: number): Flow | null {
    const b = k.bytes;
    const iv6 = k.innerVersion === 6;
    const alen = iv6 ? 16 : 4;
    const key = this.errKey;
    for (let i = 0; i < alen; i++) {
      key[i] = b[k.innerSrcOff + i];
      key[16 + i] = b[k.innerDstOff + i];
    }
    const ip = k.innerProto;
    const proto = ip === 1 || ip === 58 ? 58 : ip;
    const f = this.table.find(proto, key, !iv6, k.innerSport >= 0 ? k.innerSport : 0, k.innerDport >= 0 ? k.innerDport : 0);
    if (f === null) return null;
    const v6 = k.ipVersion === 6;
    const ptb = v6 ? k.icmpType === 2 : k.icmpType === 3 && k.icmpCode === 4;
    const mtu = ptb ? (v6 ? k.icmp6.mtu() : k.icmp4.mtu()) : 0;
    const te = v6 ? k.icmpType === 3 : k.icmpType === 11;
    let fromDst = te && (v6 === iv6);
    if (fromDst) for (let i = 0; i < alen; i++) if (b[k.srcOff + i] !== b[k.innerDstOff + i]) { fromDst = false; break; }
    this.table.icmpError(f, n, ptb, mtu, te, fromDst);
    return f;
  }

  private learnPref64(d: PacketDecoder, n: number): void {
    const bytes = new Uint8Array(16);
    for (let i = 0; i < 12; i++) bytes[i] = d.bytes[d.icmp6.pref64Off + i];
    const p = { bytes, len: d.icmp6.pref64Len };
    this.addPrefix(p, 'pref64', n);
  }

  private addPrefix(p: Prefix6, source: LearnedPrefix['source'], n: number): void {
    const text = prefixText(p);
    if (this.prefixes.some((x) => x.text === text && x.source === source)) return;
    this.prefixes.push({ prefix: p, text, source, packet: n });
  }

  private trackDns(d: PacketDecoder, k: PacketTuple, n: number, ts: number): void {
    const cnt = Math.min(d.dnsCount, d.dnsOffs.length);
    for (let i = 0; i < cnt; i++) {
      this.dns.message(d.dnsBufs[i], d.dnsOffs[i], d.dnsLens[i], n, ts, k.bytes, k.srcOff, k.sport, k.dstOff, k.dport, k.ipVersion === 6, d.l4 === L4.TCP, d.ipVersion === 6);
    }
    if (this.dns.rfc7050.size !== this.known7050) {
      this.known7050 = this.dns.rfc7050.size;
      for (const e of this.dns.rfc7050.values()) this.addPrefix(e.prefix, 'rfc7050', e.n);
    }
    if ((n & 1023) === 0) this.dns.expire(ts);
  }

  /** Names a new flow by its b address, at key[off] (the flow was just created from fp). */
  private nameFlow(f: Flow, key: Uint8Array, off: number): void {
    if (f.v4Key) {
      f.name = this.dns.nameOf(`4:${rd32(key, off)}`);
      return;
    }
    f.name = this.dns.hasIpv6Names ? this.dns.nameOf(ipv6ToString(key, off)) : null;
    if (f.name === null && this.inNat64Prefix(key, off)) f.name = this.dns.nameOf(`4:${extractIpv4(key, off, this.prefixLenOf(key, off))}`);
  }

  private prefixLenOf(b: Uint8Array, off: number): number {
    for (const p of this.prefixes) if (inPrefix(b, off, p.prefix)) return p.prefix.len;
    return 96;
  }

  private closed(f: Flow): void {
    this.flowCount++;
    const hooks = this.flowHooks;
    for (let i = 0; i < hooks.length; i++) hooks[i].flow!(f, this.ctx);
    const failing = isFailing(f);
    if (failing) this.failingCount++;
    if (this.keepAll || failing) {
      if (this.keepAll || this.retained.length < 10_000) this.retained.push(f);
    }
  }

  /** End of the capture: closes every flow, runs the rules, returns the result. */
  finish(read?: ReadSummary): AnalyzeResult {
    const end = this.last;
    this.table.closeAll(end);
    this.dns.finish();
    for (const s of this.dns.synthesisPrefixes()) this.addPrefix(s.prefix, 'dns64-synthesis', s.packets[0] ?? 0);
    // Timers still pending (held SYNs, fragments) fire now; their drops count. The tables as the
    // capture left them first: counted, or snapshotted when the caller wants them (the viewer).
    // With a shared engine, the caller has done this (beforeDrain, then its drain into engineSink).
    const engine = this.engine;
    if (engine !== null) this.beforeDrain(engine);
    else if (this.remote !== null) {
      // The engine thread's tables before its drain, and the drain's drops.
      const e = this.remote.finish(this.sink.late);
      this.sharedCounts = { bib: e.bib, sessions: e.sessions, bibEntries: null, sessionList: null };
      this.sink.translated = e.translated;
      this.sink.reconstructed = e.reconstructed;
    }
    const shared = this.sharedCounts;
    const snapBib = shared?.bibEntries ?? null;
    const snapSessions = shared?.sessionList ?? null;
    const counts = shared;
    if (engine !== null) engine.drain(this.sink);
    const findings: Finding[] = [];
    for (const s of this.states) findings.push(...s.finish(this.ctx));
    findings.sort(compareFindings);
    // Flows a finding names are kept even when healthy-looking; failing first, then by first packet.
    const flows = this.retained.slice();
    flows.sort((a, b) => (isFailing(b) ? 1 : 0) - (isFailing(a) ? 1 : 0) || a.firstN - b.firstN);
    const bib = counts?.bib ?? 0;
    const sessions = counts?.sessions ?? 0;
    const bibEntries: BibSnapshot[] | undefined = snapBib ?? undefined;
    const sessionList: SessionSnapshot[] | undefined = snapSessions ?? undefined;
    const drops: Record<string, number> = {};
    for (const [r, e] of [...this.drops.entries()].sort((a, b) => b[1].count - a[1].count)) drops[reasonId(r)] = e.count;
    const med = this.dns.medianLatency();
    return {
      input: this.opts.input ?? '',
      format: read?.format ?? 'live',
      gzip: read?.gzip ?? false,
      linkTypes: [...this.linkTypes].map((l) => linkTypeName(l)),
      packets: this.n,
      analyzed: this.analyzed,
      bytes: this.bytes,
      first: this.n === 0 ? null : this.first,
      last: this.n === 0 ? null : this.last,
      duration: this.n === 0 ? 0 : round6(this.last - this.first),
      truncated: read?.truncated ?? false,
      mode: this.config.mode,
      profile: this.config.profile,
      pool6: this.config.pool6 ? prefixText(this.config.pool6) : null,
      pool6Source: 'configured',
      prefixes: this.prefixes.map((p) => ({ prefix: p.text, source: p.source, packet: p.packet })),
      dns: {
        queries: this.dns.queries,
        responses: this.dns.responses,
        answered: this.dns.answered,
        unanswered: this.dns.unanswered,
        overTcp: this.dns.overTcp,
        medianLatencyMs: med === null ? null : round3(med * 1000),
        maxLatencyMs: this.dns.answered ? round3(this.dns.latencyMax * 1000) : null,
        aaaaResponses: this.dns.aaaaResponses,
        aaaaNodata: this.dns.aaaaNodataTotal,
        synthesized: this.dns.synthesisPrefixes().map((s) => ({ prefix: s.text, name: s.name, packets: s.packets })),
      },
      flowCount: this.flowCount,
      failingFlows: this.failingCount,
      peakLiveFlows: this.table.peakLive,
      flows: flows.map(flowRecord),
      findings,
      checksums: this.checksums.toJson(),
      drops,
      notTranslated: this.notTranslated,
      translated: this.sink.translated,
      reconstructed: this.sink.reconstructed,
      engine: { bib, sessions, bibEntries, sessionList },
    };
  }
}

/** The engine's verdict for the packet, as `translate --explain` names it (filter field `verdict`). */
function verdictOf(s: CounterpartSink, fromTranslator: boolean): string {
  if (fromTranslator && (s.kinds & (1 << EmitKind.Reconstructed)) !== 0) return 'reconstructed';
  if ((s.kinds & (1 << EmitKind.Hairpinned)) !== 0) return 'hairpinned';
  if ((s.kinds & (1 << EmitKind.Translated)) !== 0) return 'translated';
  if (s.drop_ === Reason.FragmentsHeld) return 'held';
  if ((s.kinds & (1 << EmitKind.IcmpError)) !== 0) return 'error-generated';
  return s.drop_ ? 'dropped' : 'absorbed';
}

/**
 * `--filter` for analyze: a compiled display filter (src/filter/) as {@link AnalyzeOptions.filter}.
 * `wholeFlows`: once a packet matches, the later packets of its flow are analyzed too.
 * `findings`: packet number -> ids of the findings naming it (from a first pass), for `finding`.
 */
export function filterSelect(filter: CompiledFilter, wholeFlows: boolean, findings: Map<number, string[]> | null = null): NonNullable<AnalyzeOptions['filter']> {
  const facts = new PacketFacts();
  const flows = wholeFlows ? packetFlowSelector(filter) : null;
  return (p, d, verdict, reason) => {
    facts.fill(p, d);
    facts.verdict = verdict;
    facts.reason = reason;
    if (findings) facts.findings = findings.get(p.number) ?? [];
    return flows ? flows.streaming(facts) : filter.matchesPacket(facts);
  };
}

/** Packet number -> ids of the findings that name it. */
export function findingsByPacket(fs: readonly Finding[]): Map<number, string[]> {
  const m = new Map<number, string[]>();
  for (const f of fs) for (const n of f.packets) {
    const l = m.get(n);
    if (!l) m.set(n, [f.id]);
    else if (!l.includes(f.id)) l.push(f.id);
  }
  return m;
}

/** Reads a capture and analyzes it (see the file header). */
export async function analyzeCapture(input: string, config: EngineConfig, opts: AnalyzeOptions & Pick<ReadOptions, 'blocking'> & { engineThread?: boolean } = {}): Promise<AnalyzeResult> {
  // Both threads read the file as it is now (a capture still being written reads the same in both).
  const thread = useEngineThread(input, opts) ? new EngineThread(input, fileSize(input), config, opts.side ?? 'auto') : null;
  try {
    const a = new CaptureAnalyzer(config, { ...opts, input: opts.input ?? (input === '-' ? 'stdin' : input) }, thread);
    if (thread !== null) await thread.ready();
    const read = await readCapture(input, (p) => a.push(p), { onWarning: opts.onWarning, blocking: opts.blocking, afterChunk: opts.afterChunk, limit: thread?.limit });
    if (read.corrupt) {
      const e = new Error(`capture framing is broken after packet ${read.packets} (${input === '-' ? 'stdin' : input})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
    return a.finish(read);
  } finally {
    if (thread !== null) await thread.close();
  }
}

/** The size of a file (Infinity when it cannot be told: the reader then says what is wrong). */
function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return Infinity;
  }
}

/** Captures from this size on get the engine thread (below it, starting a thread costs more than it saves). */
export const ENGINE_THREAD_MIN_BYTES = 32 * 1024 * 1024;

/**
 * Whether {@link analyzeCapture} runs the engine on a second thread: on a file (stdin cannot be
 * read twice) without the engine's tables wanted (`sessions`), when asked (`engineThread`, or
 * NAT64SCOPE_ENGINE_THREAD=1/0), else on a machine with two cores or more for a capture of at
 * least {@link ENGINE_THREAD_MIN_BYTES}.
 */
/**
 * For the CLI, as soon as it knows the command is analyze: when one of `args` is a capture that
 * will get the engine thread, its worker starts booting now (src/replay/engine-thread.ts).
 */
export function prestartEngineThreadFor(args: readonly string[]): void {
  for (const a of args) {
    if (a.startsWith('-') || a === 'analyze') continue;
    if (useEngineThread(a, {})) {
      prestartEngineThread();
      return;
    }
  }
}

function useEngineThread(input: string, opts: AnalyzeOptions & { engineThread?: boolean }): boolean {
  if (input === '-' || opts.sessions) return false;
  const env = process.env.NAT64SCOPE_ENGINE_THREAD;
  const asked = opts.engineThread ?? (env === '1' ? true : env === '0' ? false : undefined);
  if (asked !== undefined) return asked;
  if (availableParallelism() < 2) return false;
  try {
    return statSync(input).size >= ENGINE_THREAD_MIN_BYTES;
  } catch {
    return false;
  }
}

/** A flow that did not work (or that a translator hurt). */
export function isFailing(f: Flow): boolean {
  if (f.findings && f.findings.length > 0) return true;
  if (f.proto === 6) {
    if (f.unanswered) return true;
    if (f.state === FlowState.Reset && f.synAcks === 0) return true;
    if (f.state === FlowState.Reset && f.rstB > 0 && f.maxGap > 60) return true;
    if (f.fullSizeRetrans >= 2) return true;
  } else if (f.pktsBA === 0 && f.pktsAB > 1 && (f.proto === 17 || f.proto === 58)) return true;
  if (f.drops > 0 && f.drops * 2 >= f.packets) return true;
  return false;
}

export function flowProblem(f: Flow): string | null {
  if (f.proto === 6 && f.unanswered) return `SYN x${Math.max(f.syn6, f.syn4)}, no answer${f.icmpErrors ? `, ${f.icmpErrors} ICMP errors` : ''}`;
  if (f.proto === 6 && f.state === FlowState.Reset && f.synAcks === 0) return f.rstB > 0 ? 'refused (RST)' : 'reset by the client';
  if (f.proto === 6 && f.fullSizeRetrans >= 2) return `${f.fullSizeRetrans} full-size retransmissions${f.ptbCount ? '' : ', no Packet Too Big'}`;
  if (f.proto === 6 && f.state === FlowState.Reset && f.rstB > 0 && f.maxGap > 60) return `reset after ${Math.round(f.maxGap)} s idle`;
  if (f.drops > 0 && f.drops * 2 >= f.packets) return `dropped by the translator: ${reasonId(f.dropReason)}`;
  if ((f.proto === 17 || f.proto === 58) && f.pktsBA === 0 && f.pktsAB > 1) return `${f.pktsAB} packets out, no reply`;
  if (f.findings && f.findings.length) return f.findings.join(', ');
  return null;
}

export function flowRecord(f: Flow): FlowRecord {
  const b6 = !f.v4Key;
  let serverV4: string | null = f.hasV4 ? u32Text(f.v4b) : null;
  if (serverV4 === null && b6) {
    const b = f.addrB;
    if (inPrefix(b, 0, WKP)) serverV4 = u32Text(extractIpv4(b, 0, 96));
  }
  const retrans = f.retransA + f.retransB;
  return {
    key: f.keyText(),
    proto: protoName(f.proto),
    client: f.addrText('a'),
    clientPort: f.portA,
    server: f.addrText('b'),
    serverPort: f.portB,
    serverV4,
    clientV4: f.hasV4 ? u32Text(f.v4a) : null,
    clientV4Port: f.hasV4 ? f.v4aPort : null,
    name: f.name,
    state: FLOW_STATE_NAMES[f.state],
    failing: isFailing(f),
    problem: flowProblem(f),
    first: round6(f.first),
    last: round6(f.last),
    duration: round6(f.last - f.first),
    firstPacket: f.firstN,
    lastPacket: f.lastN,
    packetsOut: f.pktsAB,
    packetsIn: f.pktsBA,
    bytesOut: f.bytesAB,
    bytesIn: f.bytesBA,
    packetsV6: f.side6,
    packetsV4: f.side4,
    synRetries: f.synRetries,
    retransmissions: retrans,
    resets: f.rstA + f.rstB,
    fins: f.finA + f.finB,
    mssClient: f.mssA >= 0 ? f.mssA : null,
    mssServer: f.mssB >= 0 ? f.mssB : null,
    largestSegment: Math.max(f.largestA, f.largestB),
    maxIdleGap: round6(f.maxGap),
    icmpErrors: f.icmpErrors,
    drops: f.drops,
    packets: f.samples.slice(),
    findings: f.findings ? f.findings.slice() : [],
  };
}

function u32Text(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}

export function prefixText(p: Prefix6): string {
  return `${ipv6ToString(p.bytes, 0)}/${p.len}`;
}

function rd32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function rdi32(b: Uint8Array, o: number): number {
  return (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
