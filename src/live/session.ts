/**
 * A live capture session: libpcap on one or more interfaces -> (copy into the ring, -w) -> the
 * engine, as packets arrive -> the consumer (the CLI's lines/NDJSON, or the viewer).
 *
 * The seam for the viewer (src/ui, no React here):
 *
 *   const live = await LiveCapture.open({ interfaces: ['eth0'], config });   // capturing now
 *   live.onPacket = (p) => { ... };   // sync, per packet, after the engine: p.packet (borrowed
 *                                     // view), p.verdict, p.reason, p.emitted[0..p.emittedCount)
 *   live.ring       // captured packets, oldest first: ring.get(seq) / ring.recent(n); entries
 *                   // below live.processed have been through the engine (their drop reason is set)
 *   live.xring      // what the engine emitted; entry.about = the ring seq it came from
 *   live.stats()    // counters: captured, rate (packets/s over the last second), kernel and tool
 *                   // drops, engine results — for the status bar
 *   await live.stop()   // (or -c / --duration) finalises the files; live.done resolves the same
 *
 * Ring entries stay valid until evicted (fixed memory: the viewer copies what it pins). Every
 * number in the ring and in onPacket is the packet's number in the -w capture.
 *
 * Capture and processing are split (as dumpcap and Wireshark): a capture process
 * (capture-child.ts) does nothing but drain libpcap, whose ring holds few packets here (cap forces
 * immediate mode: one packet per 64-128 KiB slot), into a pipe; this side copies each packet into
 * the ring as it is read, and runs the engine, -w and the consumer in chunks of a few hundred
 * packets between two reads. A burst waits in the capture process's queue and in the ring,
 * packed; a packet that finds either full is dropped and counted as a tool drop, never lost
 * silently.
 *
 * Memory is bounded whatever the rate: the capture process's queue (64 MiB), the two rings
 * (captured: 64 MiB, emitted: 16 MiB), the writers' 1 MiB buffers, a scratch arena for one
 * packet's translations, the engine's own state (bounded by its timeouts), counters.
 */
import { performance } from 'node:perf_hooks';
import { openCaptureWriter, formatForPath, type CaptureWriter } from '../pcap/writer.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { newPacket } from '../pcap/packet.js';
import { LinkType } from '../pcap/linktype.js';
import { LinkLocator, outputLinkType } from '../wire/link.js';
import { createEngine } from '../xlat/engine.js';
import type { Engine, XlatSink, Clock, EmitKind } from '../xlat/types.js';
import type { EngineConfig } from '../xlat/config-types.js';
import { Reason } from '../diag/reasons.js';
import { CaptureSink, verdictOf } from '../replay/translate.js';
import type { Dns64Hook, Dns64HookVerdict } from '../replay/dns64.js';
import type { Dns64Result } from '../xlat/dns64/engine.js';
import { Correlator, type CorrelateEvent, type CorrelateSummary } from '../replay/correlate.js';
import { CaptureProcess } from './capture-process.js';
import { PacketRing } from './ring.js';
import { LiveUsageError } from './errors.js';

export type Side = 'none' | 'v6' | 'v4' | 'auto';

export interface LiveOptions {
  interfaces: string[];
  /** BPF expression (pcap-filter(7)); empty: everything. */
  filter?: string;
  /** Bytes kept of each packet (at most 65535, cap's own snaplen). */
  snaplen?: number;
  /** libpcap's kernel buffer per interface, bytes (default 256 MiB). */
  bufferSize?: number;
  /** Stop after this many packets (0: no limit). */
  count?: number;
  /** Stop after this many seconds (0: no limit). */
  duration?: number;
  config: EngineConfig;
  /** SPEC §4 --side; `auto` (default): packets that came out of a translator are reconstructed. */
  side?: Side;
  /** Capture of what was captured (pcapng: one interface block per captured interface). */
  write?: string | null;
  /** Capture of what the engine emitted. */
  writeTranslated?: string | null;
  force?: boolean;
  /**
   * Pair the two sides of a real translator (src/replay/correlate.ts): IPv6 packets are its IPv6
   * side, IPv4 packets its IPv4 side, whatever interface they were captured on; each packet that
   * came out of it is matched to the one that went in, against the engine's own translation.
   */
  pair?: boolean;
  /** Seconds a packet and its translation may be apart (default 1). */
  pairWindow?: number;
  /** Report every correct pair (and every agreed drop) too, not only problems. */
  pairAll?: boolean;
  /** Fields not compared (as correlate --ignore). */
  pairIgnore?: string[];
  /** SPEC §4 DNS64, consulted per packet before the translator (as translate); null: --no-dns64. */
  dns64?: Dns64Hook | null;
  /** Ring of captured packets (also the backlog): packets and arena bytes. */
  ringPackets?: number;
  ringBytes?: number;
}

/** Packets processed per turn of the event loop before libpcap's ring is drained again. */
const CHUNK = 256;
/** Seconds the pairing clock stays behind the wall clock between packets. */
const PAIR_MARGIN_S = 0.25;
/** Milliseconds of processing per turn of the event loop while a backlog waits. */
const TURN_MS = 10;

/** One packet the engine emitted (bytes in a scratch arena, valid during the callback). */
export interface EmittedPacket {
  bytes: Uint8Array;
  off: number;
  len: number;
  family: 4 | 6;
  kind: EmitKind;
  /** Number of the captured packet it came from, or -1. */
  about: number;
  /** Sequence number in the emitted ring (`xring`). */
  seq: number;
}

/** What onPacket receives: a borrowed view of one captured packet and what the engine did. */
export interface LivePacket {
  packet: CapturedPacket;
  /** Name of the interface it was captured on. */
  iface: string;
  /** Ring sequence number. */
  seq: number;
  /** translated | hairpinned | reconstructed | error-generated | held | dropped | absorbed */
  verdict: string;
  /** Drop reason code (src/diag/reasons.ts), 0 when none. */
  reason: number;
  emitted: EmittedPacket[];
  emittedCount: number;
  /** What DNS64 did with the packet (null: not a DNS answer it looked at, or DNS64 off). */
  dns64: Dns64HookVerdict | null;
  /** The DNS64 engine's answer behind {@link dns64} (null for a query or a packet it did not answer). */
  dns64Result: Dns64Result | null;
  /** The answer as DNS64 rewrote it (link layer as captured; what the engine translated), or null. */
  dns64Packet: Uint8Array | null;
  /** IP version of the packet (0: not IP). */
  ipVersion: 0 | 4 | 6;
}

export interface LiveStats {
  interfaces: string[];
  /** Packets libpcap delivered (per interface, and in total). */
  captured: number;
  capturedPerInterface: number[];
  bytes: number;
  /** Packets per second over the last second. */
  rate: number;
  /** Engine results. */
  packetsOut: number;
  translated: number;
  hairpinned: number;
  reconstructed: number;
  generated: number;
  dropped: number;
  drops: Map<number, number>;
  /** Packets the kernel dropped (ring full), per interface and total; null = unknown. */
  kernelDrops: number | null;
  kernelDropsPerInterface: (number | null)[];
  kernelDropsUnavailable: string | null;
  /** Packets the tool lost: the ring was full of packets not processed yet, or the consumer's output fell behind. */
  toolDrops: number;
  /** Of those, packets that found the ring full. */
  ringFull: number;
  /** Packets cut to the snaplen. */
  truncated: number;
  /** Pairing of the translator's two sides (with `pair`), or null. */
  pairing: CorrelateSummary | null;
  /** Entries evicted from the ring (not drops: the ring holds recent packets). */
  ringEvicted: number;
  seconds: number;
  stoppedBy: string | null;
}

const MAX_SNAPLEN = 65535;

/** The wall clock with sub-microsecond resolution (cap gives no libpcap timestamps). */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

export class LiveCapture {
  /** Captured packets, oldest first; entries below `processed` have been through the engine. */
  readonly ring: PacketRing;
  /** What the engine emitted (`about` = the ring seq of the captured packet, -1: a timer). */
  readonly xring: PacketRing;
  /** Ring sequence number of the next packet to process. */
  processed = 0;
  /** Set by the consumer: called synchronously for each captured packet. */
  onPacket: ((p: LivePacket) => void) | null = null;
  /** Set by the consumer: pairing verdicts (with `pair`), as they are reached. */
  onPairing: ((e: CorrelateEvent) => void) | null = null;
  /** Set by the consumer: packets a timer emitted between captured packets. */
  onTimerEmit: ((e: EmittedPacket, ts: Clock) => void) | null = null;
  readonly done: Promise<LiveStats>;
  readonly interfaces: { name: string; linkType: number }[];

  private resolveDone!: (s: LiveStats) => void;
  private rejectDone!: (e: unknown) => void;
  /** The engine packets go through (the viewer shows its NAT64 tables). */
  readonly engine: Engine;
  private readonly sink: LiveSink;
  private readonly inner: CaptureSink;
  private readonly locator = new LinkLocator();
  private readonly pkt: CapturedPacket = newPacket();
  private readonly clock: Clock = { sec: 0, nsec: 0 };
  private readonly live: LivePacket;
  private readonly side: Side;
  private readonly dns64: Dns64Hook | null;
  private readonly correlator: Correlator | null;
  private readonly count: number;
  private readonly deadline: number;
  private readonly t0 = nowMs();
  /** The deadline in capture seconds (packets stamped later are not taken). */
  private readonly deadlineSec: number;
  private captured = 0;
  private readonly perIface: number[];
  private bytes = 0;
  private truncated = 0;
  private toolDrops = 0;
  private ringFull = 0;
  private scheduled = false;
  private countReached = false;
  private rate = 0;
  private lastCount = 0;
  private lastTick = nowMs();
  private stopping = false;
  private stoppedBy: string | null = null;
  private tick: NodeJS.Timeout | null = null;
  private timer: NodeJS.Timeout | null = null;
  private final: LiveStats | null = null;

  private constructor(
    private readonly opts: LiveOptions,
    private readonly proc: CaptureProcess,
    private readonly writer: CaptureWriter | null,
    private readonly xwriter: CaptureWriter | null,
  ) {
    const ifaces = proc.interfaces;
    this.interfaces = ifaces;
    this.perIface = ifaces.map(() => 0);
    this.ring = new PacketRing(opts.ringPackets ?? 131072, opts.ringBytes ?? 64 << 20);
    this.xring = new PacketRing(16384, 16 << 20);
    this.engine = createEngine(opts.config);
    this.side = opts.side ?? 'auto';
    this.dns64 = opts.dns64 ?? null;
    this.correlator = opts.pair
      ? new Correlator({ config: opts.config, window: opts.pairWindow ?? 1, allEvents: opts.pairAll ?? false, ignore: opts.pairIgnore ?? [] }, (e) => {
          if (this.onPairing) this.onPairing(e);
        })
      : null;
    this.count = opts.count ?? 0;
    this.deadline = opts.duration ? this.t0 + opts.duration * 1000 : Infinity;
    this.deadlineSec = this.deadline / 1000;
    const xformat = xwriter?.format ?? 'pcapng';
    let pcapLinkType: number | null = null;
    if (xformat === 'pcap') {
      const lt = ifaces[0].linkType;
      pcapLinkType = lt === LinkType.IPV4 || lt === LinkType.IPV6 ? LinkType.RAW : outputLinkType(lt, 6);
    }
    this.inner = new CaptureSink(xwriter, xformat === 'pcapng', pcapLinkType);
    this.inner.clock = this.clock;
    this.sink = new LiveSink(this.inner, this.xring);
    this.live = { packet: this.pkt, iface: '', seq: 0, verdict: '', reason: 0, emitted: this.sink.emitted, emittedCount: 0, dns64: null, dns64Result: null, dns64Packet: null, ipVersion: 0 };
    this.done = new Promise<LiveStats>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
  }

  /** Opens every interface and the output files, then starts capturing. */
  static async open(opts: LiveOptions): Promise<LiveCapture> {
    if (opts.interfaces.length === 0) throw new LiveUsageError('live needs an interface: -i IFACE (nat64scope live --list-interfaces lists them)');
    const snaplen = Math.min(opts.snaplen ?? MAX_SNAPLEN, MAX_SNAPLEN);
    const wformat = opts.write ? formatForPath(opts.write) : 'pcapng';
    if (opts.write && wformat === 'pcap' && opts.interfaces.length > 1) {
      throw new LiveUsageError(`-w ${opts.write}: a classic pcap file holds one interface; write .pcapng to capture on ${opts.interfaces.length}`);
    }
    const seen = new Set<string>();
    for (const n of opts.interfaces) {
      if (seen.has(n)) throw new LiveUsageError(`interface given twice: -i ${n}`);
      seen.add(n);
    }
    const proc = await CaptureProcess.start({ interfaces: opts.interfaces, filter: opts.filter ?? '', snaplen, bufferSize: opts.bufferSize ?? 256 << 20 });
    let writer: CaptureWriter | null = null;
    let xwriter: CaptureWriter | null = null;
    try {
      if (opts.write) {
        writer = await openCaptureWriter(opts.write, { format: wformat, force: opts.force ?? false, snaplen });
        for (const i of proc.interfaces) writer.addInterface(i.linkType, i.name);
      }
      if (opts.writeTranslated) xwriter = await openCaptureWriter(opts.writeTranslated, { force: opts.force ?? false });
    } catch (err) {
      proc.kill();
      if (writer) await writer.abort();
      if (xwriter) await xwriter.abort();
      throw err;
    }
    const lc = new LiveCapture(opts, proc, writer, xwriter);
    lc.start();
    return lc;
  }

  private start(): void {
    this.proc.onPacket = (b, off, caplen, iface, trunc, origLen, sec, nsec) => this.ingest(b, off, caplen, iface, trunc, origLen, sec, nsec);
    this.tick = setInterval(() => this.onTick(), 1000);
    if (this.deadline !== Infinity) this.timer = setTimeout(() => void this.stop('duration'), this.deadline - this.t0);
  }

  /** A packet from the capture process: into the ring; processing comes later. */
  private ingest(b: Buffer, off: number, caplen: number, i: number, trunc: boolean, origLen: number, sec: number, nsec: number): void {
    if (this.countReached) return;
    if (sec + nsec / 1e9 >= this.deadlineSec) {
      void this.stop('duration');
      return;
    }
    const it = this.interfaces[i];
    if (!it) return;
    const n = this.captured + 1;
    if (this.ring.push(b, off, caplen, origLen, sec, nsec, it.linkType, i, n, 0, -1, this.processed) < 0) {
      this.ringFull++;
      this.toolDrops++;
      return;
    }
    this.captured = n;
    this.perIface[i]++;
    this.bytes += origLen;
    if (trunc) this.truncated++;
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runChunk);
    }
    if (this.count && n >= this.count) {
      this.countReached = true;
      void this.stop('count');
    }
  }

  private readonly runChunk = (): void => {
    this.scheduled = false;
    // Chunks of CHUNK packets for up to TURN_MS per turn of the event loop: the backlog moves on
    // at the engine's speed however many other things a turn does (the viewer's frames: with one
    // chunk per turn, a busy viewer capped processing at 256 packets per frame and a burst filled
    // the ring), and reads from the capture process still come between two turns.
    const t0 = performance.now();
    do this.processUpTo(Math.min(this.ring.head, this.processed + CHUNK));
    while (this.processed < this.ring.head && performance.now() - t0 < TURN_MS);
    if (this.processed < this.ring.head && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.runChunk);
    }
  };

  /** Runs the packets of the ring up to `end` (exclusive) through -w, the engine, the consumer. */
  private processUpTo(end: number): void {
    const p = this.pkt;
    const s = this.inner;
    while (this.processed < end) {
      const seq = this.processed++;
      if (!this.ring.has(seq)) continue;
      this.ring.fill(seq, p);
      const bytes = p.data;
      const off = p.offset;
      const caplen = p.caplen;
      const i = p.ifIndex;
      if (this.writer) this.writer.write(bytes, off, caplen, p.tsSec, p.tsNsec, p.origLen, i);
      // The engine, on the capture clock.
      this.clock.sec = p.tsSec;
      this.clock.nsec = p.tsNsec;
      const v = this.locator.locate(bytes, off, caplen, p.linkType);
      let swappedPkt: Uint8Array | null = null;
      const ipLen = caplen - this.locator.linkLen;
      this.sink.begin(seq, i, p.number);
      s.setInput(bytes, off, this.locator.linkLen, p.linkType, v === 4 ? 4 : 6);
      if (v === 0) {
        this.sink.drop(Reason.NotIp, p.number);
        this.engine.advance(this.clock, this.sink);
      } else {
        // DNS64 first: an AAAA answer it changes goes on as the engine's answer.
        let b: Uint8Array = bytes;
        let ipOff = this.locator.ipOff;
        let len = ipLen;
        const swapped = this.dns64 ? this.dns64.packet(bytes, off, caplen, p.linkType, ipOff, p.number) : null;
        if (swapped) {
          swappedPkt = swapped;
          b = swapped;
          ipOff = this.locator.linkLen;
          len = swapped.length - this.locator.linkLen;
        }
        if (!(readSide(this.side, v) && this.engine.reconstruct(b, ipOff, len, this.clock, p.number, this.sink))) {
          this.engine.process(b, ipOff, len, this.clock, p.number, this.sink);
        }
      }
      if (s.curDrop) this.ring.setReason(seq, s.curDrop);
      if (this.onPacket) {
        const lp = this.live;
        lp.iface = this.interfaces[i].name;
        lp.seq = seq;
        lp.verdict = verdictOf(s);
        lp.reason = s.curDrop;
        lp.emittedCount = this.sink.count;
        lp.dns64 = this.dns64 && v !== 0 ? this.dns64.verdict : null;
        lp.dns64Result = lp.dns64 ? this.dns64!.result : null;
        lp.dns64Packet = lp.dns64 ? swappedPkt : null;
        lp.ipVersion = v === 4 ? 4 : v === 6 ? 6 : 0;
        this.onPacket(lp);
      }
      // Pairing sees the packet as captured (DNS64 never changes the captured bytes); its
      // verdicts, which this packet may complete, come after the packet itself.
      if (this.correlator && v !== 0) this.correlator.push(v === 6 ? 'v6' : 'v4', bytes, this.locator.ipOff, ipLen, p.tsSec, p.tsNsec, p.number);
    }
  }

  private onTick(): void {
    const ms = nowMs();
    this.rate = ((this.captured - this.lastCount) * 1000) / Math.max(1, ms - this.lastTick);
    this.lastCount = this.captured;
    this.lastTick = ms;
    // Timers (session expiry, the 6 s SYN wait) fire on the wall clock between packets, once the
    // backlog is through (the engine's clock never goes back).
    if (this.stopping || this.processed < this.ring.head) return;
    const sec = Math.floor(ms / 1000);
    this.clock.sec = sec;
    this.clock.nsec = Math.min(999999999, Math.round((ms - sec * 1000) * 1e6));
    this.sink.begin(-1, -1, -1);
    this.engine.advance(this.clock, this.sink);
    if (this.onTimerEmit) for (let k = 0; k < this.sink.count; k++) this.onTimerEmit(this.sink.emitted[k], this.clock);
    // Pairing: verdicts for packets whose partner did not come within the window, without waiting
    // for the next packet (packets are stamped on this clock; PAIR_MARGIN_S covers those still on
    // their way from the capture process).
    if (this.correlator) {
      const t = ms / 1000 - PAIR_MARGIN_S;
      const ts = Math.floor(t);
      this.correlator.advance(ts, Math.floor((t - ts) * 1e9));
    }
    this.proc.requestStats();
  }

  /** Packets the consumer could not show (its output fell behind): counted as tool drops. */
  noteToolDrop(n = 1): void {
    this.toolDrops += n;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  /** Stops capturing, reads the kernel's drop counters, finalises the files. Idempotent. */
  stop(why = 'stop'): Promise<LiveStats> {
    if (this.stopping) return this.done;
    this.stopping = true;
    this.stoppedBy = why;
    void this.finish();
    return this.done;
  }

  private async finish(): Promise<void> {
    if (this.tick) clearInterval(this.tick);
    if (this.timer) clearTimeout(this.timer);
    try {
      // Every packet captured until now arrives before the capture process's last counters.
      await this.proc.stop();
      // What is still waiting in the ring goes through, then the files are complete.
      this.processUpTo(this.ring.head);
      // Every packet still waiting for its partner gets its verdict.
      if (this.correlator) this.correlator.finish();
      let err: unknown = null;
      for (const w of [this.writer, this.xwriter]) {
        if (!w) continue;
        try {
          await w.close();
        } catch (e) {
          err ??= e;
        }
      }
      if (err) throw err;
      this.final = this.stats();
      this.resolveDone(this.final);
    } catch (e) {
      this.rejectDone(e);
    }
  }

  /** Counters so far (or the final ones once stopped). */
  stats(): LiveStats {
    if (this.final) return this.final;
    const s = this.inner;
    const c = this.proc.counters;
    const kc = c ? c.kernel : this.interfaces.map(() => null);
    const unknown = c ? c.unavailable : 'not read yet';
    let kernelDrops: number | null = unknown ? null : 0;
    for (const k of kc) {
      if (!k || kernelDrops === null) kernelDrops = null;
      else kernelDrops += k.drops;
    }
    const childDrops = c ? c.dropped : 0;
    const generated = s.icmpErrors + s.deferred;
    return {
      interfaces: this.interfaces.map((i) => i.name),
      captured: this.captured,
      capturedPerInterface: [...this.perIface],
      bytes: this.bytes,
      rate: this.rate,
      packetsOut: s.packetsOut,
      translated: s.translated,
      hairpinned: s.hairpinned,
      reconstructed: s.reconstructed,
      generated,
      dropped: s.dropped,
      drops: new Map(s.drops),
      kernelDrops,
      kernelDropsPerInterface: kc.map((k) => (k && !unknown ? k.drops : null)),
      kernelDropsUnavailable: unknown,
      toolDrops: this.toolDrops + childDrops,
      ringFull: this.ringFull,
      truncated: this.truncated,
      pairing: this.correlator ? this.correlator.summary() : null,
      ringEvicted: this.ring.evicted,
      seconds: (nowMs() - this.t0) / 1000,
      stoppedBy: this.stoppedBy,
    };
  }
}

/** Wraps the translate sink: also keeps a copy of each emitted packet (ring + the consumer). */
class LiveSink implements XlatSink {
  readonly emitted: EmittedPacket[] = [];
  count = 0;
  private readonly scratch = new Uint8Array(1 << 20);
  private used = 0;
  private seq = -1;
  private iface = -1;
  private number = -1;

  constructor(private readonly inner: CaptureSink, private readonly ring: PacketRing) {}

  get clock(): Clock {
    return this.inner.clock;
  }
  set clock(c: Clock) {
    this.inner.clock = c;
  }

  begin(seq: number, iface: number, number: number): void {
    this.seq = seq;
    this.iface = iface;
    this.number = number;
    this.count = 0;
    this.used = 0;
  }

  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.inner.emit(bytes, off, len, family, kind, about);
    const c = this.inner.clock;
    const lt = family === 4 ? LinkType.IPV4 : LinkType.IPV6;
    const rseq = this.ring.push(bytes, off, len, len, c.sec, c.nsec, lt, this.iface, about >= 0 ? about : this.number, 1 + kind, this.seq);
    if (this.used + len > this.scratch.length) return;
    this.scratch.set(bytes.subarray(off, off + len), this.used);
    let e = this.emitted[this.count];
    if (!e) {
      e = { bytes: this.scratch, off: 0, len: 0, family: 6, kind: 0 as EmitKind, about: -1, seq: -1 };
      this.emitted.push(e);
    }
    e.off = this.used;
    e.len = len;
    e.family = family;
    e.kind = kind;
    e.about = about;
    e.seq = rseq;
    this.used += len;
    this.count++;
  }

  drop(reason: number, about: number): void {
    this.inner.drop(reason, about);
  }
}

/** Whether packets of IP version `v` may have come out of a translator (SPEC §4 --side). */
function readSide(side: Side, v: number): boolean {
  return side === 'auto' || (side === 'v6' && v === 6) || (side === 'v4' && v === 4);
}
