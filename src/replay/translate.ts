/**
 * The `translate` pipeline (SPEC §4): capture -> link layer -> engine -> output capture, on the
 * capture-time clock. Every input packet arrives at the translator on the side of its IP version;
 * the output holds every packet the translator emits, in order, each framed like its input
 * (Ethernet stays Ethernet with the EtherType changed, raw stays raw).
 */
import { readCapture, PREFETCH_BUFFER_BYTES, type LookaheadCallback, type ReadSummary } from '../pcap/reader.js';
import { openCaptureWriter, formatForPath, samePath, PcapngWriter, WRITER_BUFFER_BYTES, type CaptureWriter } from '../pcap/writer.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { LinkType } from '../pcap/linktype.js';
import { LinkLocator, outputLinkType, writeLinkHeader } from '../wire/link.js';
import { EmitKind, SPLIT_HEADROOM, type Engine, type XlatSink, type Clock } from '../xlat/types.js';
import { EtherType } from '../wire/ethernet.js';
import { ViewCache, copyWords, viewOf } from '../wire/word-copy.js';
import type { EngineConfig } from '../xlat/config-types.js';
import { reasonId, reasonText, Reason } from '../diag/reasons.js';
import { createEngine } from '../xlat/engine.js';
import { Nat64Engine } from '../xlat/nat64/nat64-engine.js';
import { TranslateBatch, batchEnabled } from './translate-batch.js';
import { maybeDns, type Dns64Hook } from './dns64.js';
import { DnsScan, Scan } from './dns-scan.js';
import { lstat, open, type FileHandle } from 'node:fs/promises';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface TranslateOptions {
  input: string;
  /** Output capture path, `-` for stdout, or null to write none (summary / explain only). */
  output: string | null;
  force?: boolean;
  config: EngineConfig;
  /** NDJSON drop report path (SPEC §4 `--explain`), or null. */
  explain?: string | null;
  /** Advance the clock at the end until every timer fired (default true). */
  drain?: boolean;
  onWarning?: (msg: string) => void;
  /** Called after each input chunk (progress, backpressure). */
  afterChunk?: () => Promise<void> | void;
  /** Blocking reads for regular files (batch commands). */
  blocking?: boolean;
  /**
   * SPEC §4: `none` (default) — every packet arrives at the translator; `v6` / `v4` — the capture
   * was taken on that side of a real translator, and the packets of that family that came out of
   * it are reconstructed into what it received; `auto` — both families are read that way.
   */
  side?: 'none' | 'v6' | 'v4' | 'auto';
  /**
   * A display filter on what is written (`--filter`): every packet still goes through the engine
   * (its state stays right), but only what the engine emitted for selected input packets is
   * written, and only their `--explain` records. Null: everything.
   */
  select?: EmitSelector | null;
  /**
   * SPEC §4 DNS64: consulted once per input packet before the translator; AAAA answers it
   * changes are replaced by its answer. Null/absent = `--no-dns64`.
   */
  dns64?: Dns64Hook | null;
  /**
   * The number each input packet goes by (comments, --explain), given its 1-based position in
   * the input (increasing): the viewer writes a filtered selection and keeps the original
   * capture's numbers.
   */
  numbers?: (n: number) => number;
}

/** Decides what `translate --filter` writes (see TranslateOptions.select). */
export interface EmitSelector {
  /** Input packet `p` went through the engine with this verdict (and drop reason id): keep what it caused? */
  input(p: CapturedPacket, verdict: string, reason: string | null): boolean;
  /** A packet the engine emitted for no input packet (a timer with no owner): keep it? */
  emitted(bytes: Uint8Array, off: number, len: number, family: 4 | 6): boolean;
}

export interface TranslateSummary {
  read: ReadSummary;
  packetsIn: number;
  packetsOut: number;
  translated: number;
  hairpinned: number;
  icmpErrors: number;
  deferred: number;
  reconstructed: number;
  /** Input packets dropped, by reason code. */
  drops: Map<number, number>;
  dropped: number;
  /** With a filter: input packets selected, and packets written. */
  selected?: number;
  written?: number;
  /** How many times the input was read (DNS64's pre-pass, a second attempt: see DnsLog). */
  inputReads: number;
  /** Input packets the batch path translated (translate-batch.ts; tests check that it is taken). */
  batched: number;
  /**
   * A single read with DNS64 (DnsLog): whether its check ran as the packets came (`followed`) or
   * after the pass (`replayed`); absent otherwise. Tests check which.
   */
  dns64Check?: 'followed' | 'replayed';
}

export class UsageError extends Error {
  readonly exitCode = 2;
}

const ICMP4_NAMES: Record<number, string> = { 3: 'destination unreachable', 11: 'time exceeded', 12: 'parameter problem', 0: 'echo reply', 8: 'echo request' };
const ICMP6_NAMES: Record<number, string> = { 1: 'destination unreachable', 2: 'packet too big', 3: 'time exceeded', 4: 'parameter problem', 128: 'echo request', 129: 'echo reply' };

/**
 * One pcapng comment per emitted packet (SPEC §4): where it came from — `translated from #12`,
 * `icmp time exceeded generated for #40`, `reconstructed from #7`, `tcp rst generated by a timer
 * for #3`; `a timer` instead of `#N` when no input packet caused it.
 */
export function emitComment(kind: EmitKind, about: number, bytes: Uint8Array, off: number, family: 4 | 6): string {
  return about >= 0 ? `${commentPrefix(kind, about, bytes, off, family)}${about}` : commentPrefix(kind, about, bytes, off, family);
}

/** The comment up to the packet number (`translated from #`), or all of it when about < 0. */
function commentPrefix(kind: EmitKind, about: number, bytes: Uint8Array, off: number, family: 4 | 6): string {
  const from = about >= 0 ? '#' : 'a timer';
  switch (kind) {
    case EmitKind.Translated: return `translated from ${from}`;
    case EmitKind.Hairpinned: return `hairpinned from ${from}`;
    case EmitKind.Reconstructed: return `reconstructed from ${from}`;
    default: {
      // Name the generated message: "icmp time exceeded", "icmpv6 packet too big", "tcp rst".
      let what: string;
      if (family === 4 && bytes[off + 9] === 1) {
        const t = bytes[off + (bytes[off] & 0x0f) * 4];
        what = `icmp ${ICMP4_NAMES[t] ?? `type ${t}`}`;
      } else if (family === 6 && bytes[off + 6] === 58) {
        const t = bytes[off + 40];
        what = `icmpv6 ${ICMP6_NAMES[t] ?? `type ${t}`}`;
      } else what = 'tcp rst';
      return kind === EmitKind.Deferred ? `${what} generated by a timer for ${from}` : `${what} generated for ${from}`;
    }
  }
}

const ascii = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'latin1'));
/** Comment prefixes of the common kinds, pre-encoded (indexed by EmitKind). */
const FAST_PREFIX: (Uint8Array | null)[] = [];
FAST_PREFIX[EmitKind.Translated] = ascii('translated from #');
FAST_PREFIX[EmitKind.Hairpinned] = ascii('hairpinned from #');
FAST_PREFIX[EmitKind.Reconstructed] = ascii('reconstructed from #');

/** Writes engine output into the capture, framing each packet like the input that caused it. */
export class CaptureSink implements XlatSink {
  packetsOut = 0;
  translated = 0;
  hairpinned = 0;
  icmpErrors = 0;
  deferred = 0;
  reconstructed = 0;
  dropped = 0;
  readonly drops = new Map<number, number>();
  /** Per input packet (for --explain): what the engine did with it. */
  curEmits = 0;
  curKinds = 0;
  curDrop = 0;
  /** Link header of the packet being written. */
  private readonly frame = new Uint8Array(64);
  /** Link header of the latest input packet (copied: deferred emits outlive the reader's buffer). */
  private readonly linkHdr = new Uint8Array(64);
  private linkLen = 0;
  private linkType: number = LinkType.RAW;
  private inFamily: 4 | 6 = 6;
  clock: Clock = { sec: 0, nsec: 0 };
  private readonly ifIndex = new Map<number, number>();
  /** With a filter: emissions wait here until the verdict on the input packet is known. */
  selecting = false;
  private held: HeldEmit[] = [];
  private heldCount = 0;
  written = 0;

  /** The writer when it is pcapng with comments (the one-call path of emitSplit), else null. */
  private readonly ng: PcapngWriter | null;

  constructor(private readonly writer: CaptureWriter | null, private readonly comments: boolean, private readonly pcapLinkType: number | null) {
    this.ng = comments && pcapLinkType === null && writer instanceof PcapngWriter ? writer : null;
  }

  /** Writes (keep) or forgets each held emission; `keep` gets the input packet number it is about. */
  release(keep: (about: number, h: HeldEmit) => boolean): void {
    for (let i = 0; i < this.heldCount; i++) {
      const h = this.held[i];
      if (keep(h.about, h)) this.write(h.buf, 0, h.len, h.family, h.kind, h.about, h.sec, h.nsec);
    }
    this.heldCount = 0;
  }

  setInput(bytes: Uint8Array, off: number, linkLen: number, linkType: number, family: 4 | 6): void {
    const n = Math.min(linkLen, this.linkHdr.length);
    copyWords(this.inView.of(bytes), off, this.linkView, 0, n);
    this.linkLen = n;
    this.linkType = linkType;
    this.inFamily = family;
    this.curEmits = 0;
    this.curKinds = 0;
    this.curDrop = 0;
  }

  /** The last interface looked up per family, and the link type it was for. */
  private readonly lastIfLt = [-1, -1];
  private readonly lastIf = [0, 0];

  private iface(family: 4 | 6): number {
    const lt = this.pcapLinkType ?? outputLinkType(this.linkType, family);
    const f = family === 4 ? 0 : 1;
    if (this.lastIfLt[f] === lt) return this.lastIf[f];
    const key = lt * 8 + family;
    let i = this.ifIndex.get(key);
    if (i === undefined) {
      i = this.writer!.addInterface(lt, family === 6 ? 'ipv6' : 'ipv4');
      this.ifIndex.set(key, i);
    }
    this.lastIfLt[f] = lt;
    this.lastIf[f] = i;
    return i;
  }

  /**
   * The interface a translated packet of `family` from an Ethernet input goes out on, when the
   * batch path (translate-batch.ts) may write it as emitSplit would (pcapng with comments through
   * writeEthernet, no filter) and the interface is already in the file; else -1 (the packet takes
   * the callback, which adds the interface where the one-packet path adds it).
   */
  batchIface(family: 4 | 6): number {
    if (this.ng === null || this.selecting) return -1;
    if (!this.ifIndex.has(outputLinkType(LinkType.ETHERNET, family) * 8 + family) || this.linkType !== LinkType.ETHERNET) return -1;
    return this.iface(family);
  }

  /** `k` packets translated by the batch path (what count() and emitSplit() count for each). */
  countBatch(k: number): void {
    this.packetsOut += k;
    this.translated += k;
    this.written += k;
    this.curEmits = 1;
    this.curKinds = 1 << EmitKind.Translated;
    this.curDrop = 0;
  }

  /** The pcapng writer batchIface() answers for. */
  get batchWriter(): PcapngWriter | null {
    return this.ng;
  }

  private count(kind: EmitKind): void {
    this.packetsOut++;
    this.curEmits++;
    this.curKinds |= 1 << kind;
    if (kind === EmitKind.Translated) this.translated++;
    else if (kind === EmitKind.Hairpinned) this.hairpinned++;
    else if (kind === EmitKind.IcmpError) this.icmpErrors++;
    else if (kind === EmitKind.Reconstructed) this.reconstructed++;
    else this.deferred++;
  }

  /** Joined head + payload when a split emission must be held whole (filter). */
  private joined = new Uint8Array(0);
  private readonly linkView = viewOf(this.linkHdr);
  private readonly inView = new ViewCache();
  private readonly headViews = new ViewCache();

  /**
   * XlatSink.emitSplit: the engine's headers and the payload left in the input buffer, written
   * without joining them; the link header goes into the headroom before the engine's headers.
   */
  emitSplit(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    if (this.selecting || !this.writer || kind === EmitKind.IcmpError || kind === EmitKind.Deferred || headOff < SPLIT_HEADROOM) {
      const total = headLen + len;
      if (this.joined.length < total) this.joined = new Uint8Array(Math.max(total, 2048));
      const j = this.joined;
      j.set(head.subarray(headOff, headOff + headLen));
      j.set(bytes.subarray(off, off + len), headLen);
      this.emit(j, 0, total, family, kind, about);
      return;
    }
    this.count(kind);
    this.written++;
    if (this.oneCall(head, headOff, headLen, bytes, off, len, family, kind, about, this.clock.sec, this.clock.nsec)) return;
    const outLinkType = this.pcapLinkType ?? outputLinkType(this.linkType, family);
    let h = 0;
    if (outLinkType !== LinkType.RAW && outLinkType !== LinkType.IPV4 && outLinkType !== LinkType.IPV6) {
      if (this.linkType === LinkType.ETHERNET && this.linkLen >= 14) {
        // As writeLinkHeader (not reversed): the input's header with the EtherType of the family.
        h = this.linkLen;
        const hv = this.headViews.of(head);
        copyWords(this.linkView, 0, hv, headOff - h, h - 2);
        hv.setUint16(headOff - 2, family === 4 ? EtherType.IPV4 : EtherType.IPV6);
      } else {
        h = writeLinkHeader(this.frame, this.linkHdr, 0, this.linkLen, this.linkType, family, false);
        for (let i = 0; i < h; i++) head[headOff - h + i] = this.frame[i];
      }
    }
    let prefix: Uint8Array | null = null;
    if (this.comments) {
      prefix = about >= 0 ? FAST_PREFIX[kind] ?? null : null;
      if (prefix === null) prefix = this.slowPrefix(commentPrefix(kind, about, head, headOff, family));
    }
    this.writer.writeSplit(head, headOff - h, h + headLen, bytes, off, len, this.clock.sec, this.clock.nsec, this.iface(family), prefix, about);
  }

  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.count(kind);
    if (!this.writer) return;
    if (this.selecting) {
      if (this.heldCount === this.held.length) this.held.push({ buf: new Uint8Array(2048), len: 0, family, kind, about, sec: 0, nsec: 0 });
      const h = this.held[this.heldCount++];
      if (h.buf.length < len) h.buf = new Uint8Array(Math.max(len, h.buf.length * 2));
      h.buf.set(bytes.subarray(off, off + len));
      h.len = len;
      h.family = family;
      h.kind = kind;
      h.about = about;
      h.sec = this.clock.sec;
      h.nsec = this.clock.nsec;
      return;
    }
    this.write(bytes, off, len, family, kind, about, this.clock.sec, this.clock.nsec);
  }

  private write(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number, sec: number, nsec: number): void {
    if (!this.writer) return;
    this.written++;
    // Errors (and timer packets) go back towards the sender, on the side they came from.
    const reverse = kind === EmitKind.IcmpError || kind === EmitKind.Deferred;
    // A whole packet of the general pipeline, translated, hairpinned or rebuilt: the same one-call
    // record as the fast path's (its code is hot long before this one's would be).
    if (this.oneCall(bytes, off, len, bytes, off + len, 0, family, kind, about, sec, nsec)) return;
    const outLinkType = this.pcapLinkType ?? outputLinkType(this.linkType, family);
    let h = 0;
    if (outLinkType !== LinkType.RAW && outLinkType !== LinkType.IPV4 && outLinkType !== LinkType.IPV6) {
      h = writeLinkHeader(this.frame, this.linkHdr, 0, this.linkLen, this.linkType, family, reverse);
    }
    // The link header and the engine's bytes go to the writer as two parts (no frame copy); the
    // comment as pre-encoded ASCII plus the number (no string per packet).
    let prefix: Uint8Array | null = null;
    if (this.comments) {
      prefix = about >= 0 ? FAST_PREFIX[kind] ?? null : null;
      if (prefix === null) prefix = this.slowPrefix(commentPrefix(kind, about, bytes, off, family));
    }
    this.writer.writeParts(this.frame, h, bytes, off, len, sec, nsec, this.iface(family), prefix, about);
  }

  /**
   * The pcapng writer's one-call record (writeEthernet) of head[headOff..+headLen) then
   * bytes[off..+len), when it applies: pcapng with comments, Ethernet in and out (outputLinkType
   * keeps it) with the input's addresses, a packet of a kind with a pre-encoded comment (not an
   * error or a timer packet, which go back), within the snapshot length, at a whole second. False
   * (nothing written) otherwise: the caller writes it in two parts.
   */
  private oneCall(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number, sec: number, nsec: number): boolean {
    const ng = this.ng;
    if (ng === null || about < 0 || this.linkType !== LinkType.ETHERNET || this.linkLen !== 14) return false;
    const prefix = FAST_PREFIX[kind];
    if (!prefix) return false;
    const ifIndex = this.iface(family);
    if (!ng.epbFits(14 + headLen + len, ifIndex, about) || !(sec >= 0 && Math.floor(sec) === sec)) return false;
    ng.writeEthernet(this.linkView, family === 4 ? EtherType.IPV4 : EtherType.IPV6, head, headOff, headLen, bytes, off, len, sec, nsec, ifIndex, prefix, about);
    return true;
  }

  /** Encoded comment prefixes of the rarer kinds (generated packets), cached by text. */
  private readonly prefixes = new Map<string, Uint8Array>();
  private slowPrefix(text: string): Uint8Array {
    let b = this.prefixes.get(text);
    if (!b) this.prefixes.set(text, (b = new Uint8Array(Buffer.from(text, 'utf8'))));
    return b;
  }

  drop(reason: number, _about: number): void {
    this.dropped++;
    this.curDrop = reason;
    this.drops.set(reason, (this.drops.get(reason) ?? 0) + 1);
  }

  get inputFamily(): 4 | 6 {
    return this.inFamily;
  }
}

interface HeldEmit {
  buf: Uint8Array;
  len: number;
  family: 4 | 6;
  kind: EmitKind;
  about: number;
  sec: number;
  nsec: number;
}

/** Input packet numbers a filter selected (1 bit each: what later, deferred emissions look up). */
class PacketBits {
  private bits = new Uint8Array(1 << 16);
  set(n: number): void {
    if (n >> 3 >= this.bits.length) {
      const b = new Uint8Array(Math.max(this.bits.length * 2, (n >> 3) + 1));
      b.set(this.bits);
      this.bits = b;
    }
    this.bits[n >> 3] |= 1 << (n & 7);
  }
  has(n: number): boolean {
    return n >> 3 < this.bits.length && (this.bits[n >> 3] & (1 << (n & 7))) !== 0;
  }
}

/** Atomic NDJSON writer for --explain (temp file renamed into place). */
class ExplainWriter {
  private parts: string[] = [];
  private size = 0;
  private constructor(private readonly fh: FileHandle, private readonly temp: string, private readonly path: string) {}
  static async open(path: string, force: boolean): Promise<ExplainWriter> {
    if (!force) {
      try {
        await (await open(path, 'r')).close();
        throw new UsageError(`output exists: ${path} (use --force to replace it)`);
      } catch (e) {
        if (e instanceof UsageError) throw e;
      }
    }
    const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    return new ExplainWriter(await open(temp, 'w'), temp, path);
  }
  async line(s: string): Promise<void> {
    this.parts.push(s);
    this.size += s.length;
    if (this.size > 1 << 20) await this.flush();
  }
  private async flush(): Promise<void> {
    if (this.parts.length) await this.fh.write(this.parts.join('\n') + '\n');
    this.parts = [];
    this.size = 0;
  }
  async close(): Promise<void> {
    await this.flush();
    await this.fh.close();
    await rename(this.temp, this.path);
  }
  async abort(): Promise<void> {
    await this.fh.close().catch(() => undefined);
    await unlink(this.temp).catch(() => undefined);
  }
}

export function verdictOf(sink: CaptureSink): string {
  if (sink.curKinds & (1 << EmitKind.Reconstructed)) return 'reconstructed';
  if (sink.curKinds & (1 << EmitKind.Hairpinned)) return 'hairpinned';
  if (sink.curKinds & (1 << EmitKind.Translated)) return 'translated';
  if (sink.curDrop === Reason.FragmentsHeld) return 'held';
  if (sink.curKinds & (1 << EmitKind.IcmpError)) return 'error-generated';
  return sink.curDrop ? 'dropped' : 'absorbed';
}

/** Runs a capture through the engine of `config.mode`, writing what it emits. */
export async function translateCapture(opts: TranslateOptions): Promise<TranslateSummary> {
  const out = opts.output;
  if (out && out !== '-' && opts.input !== '-' && (await samePath(opts.input, out))) {
    throw new UsageError(`output is the input: ${out} (an input is never overwritten)`);
  }
  if (opts.explain && opts.input !== '-' && (await samePath(opts.input, opts.explain))) {
    throw new UsageError(`--explain file is the input: ${opts.explain}`);
  }
  const dns64 = opts.dns64 ?? null;
  if (dns64 && opts.input !== '-' && !opts.explain && !opts.select && process.env.NAT64SCOPE_DNS64_SPECULATE !== '0' && (out === null || (await restartable(out)))) {
    // DNS64 without its A-data pre-pass (see DnsLog): one read of the file when no answer is
    // rewritten; otherwise the output is started again the usual way (nothing of the first
    // attempt is left: a temporary file, or the null device).
    const log = new DnsLog();
    log.probe = dns64.fresh();
    // (both only learn whether an answer would be rewritten: the hook's cheap check mode)
    log.probe.checkOnly(true);
    log.follow(dns64.fresh());
    const first = await translatePass(opts, log, null, 0);
    if (first.summary) return first.summary;
    dns64.reset();
    const again = (await translatePass(opts, null, log.whole ? log : null, first.warnings)).summary!;
    again.inputReads++;
    return again;
  }
  return (await translatePass(opts, null, null, 0)).summary!;
}

/**
 * Whether an output can be written a second time with nothing of the first attempt showing: none,
 * a file (written to a temporary file renamed into place by close()) or the null device; not
 * stdout, a pipe or another device.
 */
async function restartable(path: string): Promise<boolean> {
  if (path === '-') return false;
  const st = await lstat(path).catch(() => null);
  if (st && (st.isCharacterDevice() || st.isFIFO() || st.isSocket())) return samePath(path, '/dev/null');
  return true;
}

/** Thrown from a speculative pass whose DNS log outgrew its bound, or whose probe saw an answer rewritten. */
class LogFull extends Error {}

/** Thrown by the lazy base of the hook {@link DnsLog.follow} runs: the pre-pass is needed, which the pass cannot make. */
class BaseNeeded extends Error {}

/**
 * The DNS packets of a capture, copied, in order: what `translate` keeps instead of reading the
 * file twice for DNS64. The usual way (SPEC §4 DNS64) is a pre-pass that learns the A data of the
 * whole capture, then the main pass, which consults the DNS64 hook on every packet before the
 * translator. Both hook calls do nothing for a packet that is not DNS by {@link Dns64Hook.prescan}'s
 * byte scan and not by {@link maybeDns} (the log's condition, {@link DnsLog.wanted}). So the
 * main pass can run with the hook left out, logging those packets only; the hook then gets
 * exactly the calls the usual way makes, in the same order (prescan of every logged packet, then
 * packet() of each) and ends in the same state: at the end ({@link replay}), or in bursts during
 * the pass while the pre-pass is not needed ({@link follow}). When none of those calls replaces a packet,
 * the packets translated were the ones the usual way translates: the output is the same, byte for
 * byte. When one does, the output is dropped and the capture is translated again the usual way
 * (the pre-pass from the log). Packets borrow the reader's buffer, so they are copied here:
 * at most 64 MiB (the DNS share of a capture); beyond that the pass stops and the usual way
 * runs, pre-pass included.
 */
export class DnsLog {
  /** The bound (NAT64SCOPE_DNS64_LOG_MAX bytes: tests make it small). */
  private readonly max = Number(process.env.NAT64SCOPE_DNS64_LOG_MAX ?? 64 << 20);
  private static readonly CHUNK = 1 << 20;
  private readonly chunks: Uint8Array[] = [];
  private cur = new Uint8Array(0);
  private used = 0;
  private bytes = 0;
  /** Per packet: chunk, offset, caplen, link type, IP header offset from the packet start, number (int32: the hook's offsets stay small integers). */
  private idx = new Int32Array(6 * 1024);
  count = 0;
  /** False when the pass stopped at the bound (the log does not hold every DNS packet). */
  whole = true;
  private readonly scan = new DnsScan();

  /** Whether `hook` would do anything with this packet (see the class comment). */
  wanted(b: Uint8Array, off: number, caplen: number, linkType: number, ipOff: number): boolean {
    return maybeDns(b, ipOff, off + caplen) || this.scan.scan(b, off, caplen, linkType) === Scan.Udp;
  }

  /**
   * A hook fed the first {@link PROBE} logged packets as they come, one pass (the A data seen so
   * far): when it already rewrites an answer, the capture will almost surely need the usual way
   * (its answers are rewritten, e.g. a capture from a network without DNS64), so the pass stops
   * there instead of at the end, and the usual way runs, pre-pass included. A wrong guess costs
   * time only: the decision on the output is {@link replay}'s.
   */
  probe: Dns64Hook | null = null;
  static readonly PROBE = 256;
  /** The hook {@link follow} runs, or null (none, or it stopped where the pre-pass was needed). */
  private inc: Dns64Hook | null = null;
  /** Logged packets the followed hook has had. */
  private incDone = 0;
  /** Logged packets the followed hook gets at a time (see {@link follow}). */
  static readonly BURST = 4096;

  /** Whether the followed hook has had every packet logged so far, or will at the next burst. */
  get following(): boolean {
    return this.inc !== null;
  }

  /**
   * {@link replay}'s check run while the pass goes on instead of after it: `hook` (a fresh one, in
   * check mode from here) gets the logged packets' packet() calls, in bursts of {@link BURST}
   * (from the log's copies, the same calls in the same order as replay() makes them with its
   * pre-pass deferred). That holds until the engine needs its lazy base, the A data of the whole
   * capture, which the pass cannot give it yet: the hook is then dropped and replay() runs at the
   * end as before. Otherwise the end has only the last burst left ({@link settle}), and an answer
   * it would rewrite stops the pass at the burst that sees it. On the bench capture, ~20k logged
   * DNS packets: four bursts during the pass and the rest at the end, through the engine's warm
   * code, instead of all of them through cold code at the end (~60 ms). In bursts, not one at a time: the engine's code
   * runs often enough to be optimized early, and not while the pass's own code is being compiled
   * (a packet at a time, interleaved with the rest, it ran unoptimized for most of the pass).
   * A hook with a zone (its pre-pass loads the zone first) is not followed.
   */
  follow(hook: Dns64Hook): void {
    hook.checkOnly(true);
    this.inc = hook.deferPrescan(() => {
      throw new BaseNeeded('DNS64 needs the A data of the whole capture');
    }) ? hook : null;
  }

  /**
   * The followed hook's calls for the packets logged since its last burst; false when one of them
   * would be rewritten. When the engine needs its lazy base, the hook is dropped (true).
   */
  private burst(): boolean {
    const inc = this.inc!;
    const x = this.idx;
    try {
      for (let k = this.incDone; k < this.count; k++) {
        const i = k * 6;
        const o = x[i + 1];
        if (inc.packet(this.chunks[x[i]], o, x[i + 2], x[i + 3], o + x[i + 4], x[i + 5]) !== null) return false;
      }
    } catch (e) {
      if (!(e instanceof BaseNeeded)) throw e;
      this.inc = null;
    }
    this.incDone = this.count;
    return true;
  }

  /**
   * Whether no logged packet's answer would be rewritten, `hook` (fresh) then in the state the
   * usual calls leave it in (summary counters): from the followed hook when it saw every packet,
   * else by {@link replay} in check mode.
   */
  settle(hook: Dns64Hook): boolean {
    if (this.inc !== null && !this.burst()) return false;
    const inc = this.inc;
    if (inc === null) {
      hook.checkOnly(true);
      try {
        return this.replay(hook);
      } finally {
        hook.checkOnly(false);
      }
    }
    inc.checkOnly(false);
    // (the lazy base replay() would have left: the pre-pass over the log, still deferred)
    inc.deferPrescan((h) => this.prescan(h));
    hook.adopt(inc);
    return true;
  }

  add(b: Uint8Array, off: number, caplen: number, linkType: number, ipOff: number, num: number): void {
    this.bytes += caplen;
    // (num > int32: the index is an Int32Array, whose small integers keep the replay's calls monomorphic)
    if (this.bytes > this.max || num > 0x7fffffff) {
      this.whole = false;
      throw new LogFull('DNS log full');
    }
    const probe = this.probe;
    if (probe !== null) {
      probe.prescan(b, off, caplen, linkType, ipOff);
      if (probe.packet(b, off, caplen, linkType, ipOff, num) !== null) {
        this.whole = false;
        throw new LogFull('an answer is rewritten');
      }
      if (this.count >= DnsLog.PROBE) this.probe = null;
    }
    if (this.used + caplen > this.cur.length) {
      this.cur = new Uint8Array(Math.max(DnsLog.CHUNK, caplen));
      this.chunks.push(this.cur);
      this.used = 0;
    }
    this.cur.set(b.subarray(off, off + caplen), this.used);
    if ((this.count + 1) * 6 > this.idx.length) {
      const x = new Int32Array(this.idx.length * 2);
      x.set(this.idx);
      this.idx = x;
    }
    const i = this.count++ * 6;
    const x = this.idx;
    x[i] = this.chunks.length - 1;
    x[i + 1] = this.used;
    x[i + 2] = caplen;
    x[i + 3] = linkType;
    x[i + 4] = ipOff - off;
    x[i + 5] = num;
    this.used += caplen;
    if (this.inc !== null && this.count - this.incDone >= DnsLog.BURST && !this.burst()) {
      this.whole = false;
      throw new LogFull('an answer is rewritten');
    }
  }

  /** The usual pre-pass, over the logged packets. */
  prescan(hook: Dns64Hook): void {
    const x = this.idx;
    for (let k = 0; k < this.count; k++) {
      const i = k * 6;
      const o = x[i + 1];
      hook.prescan(this.chunks[x[i]], o, x[i + 2], x[i + 3], o + x[i + 4]);
    }
  }

  /**
   * The usual hook calls (pre-pass, then each packet); false as soon as one replaces a packet.
   * The pre-pass is made only if a packet needs it (Dns64Hook.deferPrescan: on the bench capture,
   * where every A answer comes before its AAAA answer, it never is: ~25 ms of cold code saved).
   */
  replay(hook: Dns64Hook): boolean {
    if (!hook.deferPrescan((h) => this.prescan(h))) this.prescan(hook);
    const x = this.idx;
    for (let k = 0; k < this.count; k++) {
      const i = k * 6;
      const o = x[i + 1];
      if (hook.packet(this.chunks[x[i]], o, x[i + 2], x[i + 3], o + x[i + 4], x[i + 5]) !== null) return false;
    }
    return true;
  }
}

/**
 * One translation of the capture. With `log`: DNS64 speculatively left out (see DnsLog): returns
 * no summary, the output dropped, when the hook would have replaced a packet (or the log filled).
 * Otherwise the usual way, the DNS64 pre-pass from `prescanned` when given; the first `quiet`
 * reader warnings are not repeated (a second attempt already reported them).
 */
async function translatePass(opts: TranslateOptions, log: DnsLog | null, prescanned: DnsLog | null, quiet: number): Promise<{ summary: TranslateSummary | null; warnings: number }> {
  const out = opts.output;
  const engine: Engine = createEngine(opts.config);
  const side = opts.side ?? 'none';
  const format = out ? formatForPath(out) : 'pcapng';
  let writer: CaptureWriter | null = null;
  let explain: ExplainWriter | null = null;
  let pcapLinkType: number | null = null;
  const locator = new LinkLocator();
  let sink: CaptureSink | null = null;
  const clock: Clock = { sec: 0, nsec: 0 };
  let n = 0;
  let read: ReadSummary | null = null;
  const select = opts.select ?? null;
  const chosen = select ? new PacketBits() : null;
  let selected = 0;
  let warnings = 0;
  const numbers = opts.numbers ?? null;
  const side4 = readSide(side, 4);
  const side6 = readSide(side, 6);
  const onWarning = (m: string): void => {
    if (++warnings > quiet && opts.onWarning) opts.onWarning(m);
  };
  const keepHeld = (cur: number) => (about: number, h: HeldEmit): boolean =>
    about === cur ? chosen!.has(cur) : about > 0 ? chosen!.has(about) : select!.emitted(h.buf, 0, h.len, h.family);
  try {
    // The reader's two prefetch buffers and the writer's buffer in one ArrayBuffer: a packet's
    // bytes go to the output with copyWithin, allocating nothing (see WriterOptions.buffer).
    const arena = opts.blocking ? new ArrayBuffer(2 * PREFETCH_BUFFER_BYTES + WRITER_BUFFER_BYTES) : null;
    const readBuffers = arena ? [new Uint8Array(arena, 0, PREFETCH_BUFFER_BYTES), new Uint8Array(arena, PREFETCH_BUFFER_BYTES, PREFETCH_BUFFER_BYTES)] as const : undefined;
    if (out) writer = await openCaptureWriter(out, { format, force: opts.force ?? false, buffer: arena ? new Uint8Array(arena, 2 * PREFETCH_BUFFER_BYTES, WRITER_BUFFER_BYTES) : undefined });
    if (opts.explain) explain = await ExplainWriter.open(opts.explain, opts.force ?? false);
    const pending: string[] = [];
    // The hook consulted per packet (none while speculating: the log keeps its packets).
    const dns64 = log ? null : opts.dns64 ?? null;
    let inputReads = 1;
    if (dns64 && prescanned) prescanned.prescan(dns64);
    else if (dns64 && opts.input !== '-') {
      inputReads++;
      // A data first (parallel A/AAAA queries: the A answer may come after the AAAA answer).
      const pre = new LinkLocator();
      await readCapture(opts.input, (p: CapturedPacket) => {
        if (pre.locate(p.data, p.offset, p.caplen, p.linkType) !== 0) dns64.prescan(p.data, p.offset, p.caplen, p.linkType, pre.ipOff);
      }, { blocking: opts.blocking, onWarning: () => undefined });
    }
    // The batch path (translate-batch.ts) for what needs no per-packet view: no filter, no
    // --explain, no renumbering, no --side; a NAT64 engine with its fast path.
    const fast = engine instanceof Nat64Engine ? engine.fast : null;
    const batch = fast !== null && batchEnabled() && !select && !explain && !numbers && side === 'none' && format === 'pcapng' && writer !== null
      ? new TranslateBatch(fast, log !== null || dns64 !== null, FAST_PREFIX[EmitKind.Translated]!)
      : null;
    read = await readCapture(opts.input, (p: CapturedPacket) => {
      n = batch === null ? n + 1 : ++batch.number;
      if (sink === null) {
        // Classic pcap holds one link type: raw IP families become RAW for both sides.
        if (format === 'pcap') pcapLinkType = p.linkType === LinkType.IPV4 || p.linkType === LinkType.IPV6 ? LinkType.RAW : outputLinkType(p.linkType, 6);
        sink = new CaptureSink(writer, format === 'pcapng', pcapLinkType);
        sink.selecting = select !== null;
        sink.clock = clock;
        if (batch !== null) batch.sink = sink;
      }
      const s: CaptureSink = sink;
      clock.sec = p.tsSec;
      clock.nsec = p.tsNsec;
      const v = locator.locate(p.data, p.offset, p.caplen, p.linkType);
      s.setInput(p.data, p.offset, locator.linkLen, p.linkType, v === 4 ? 4 : 6);
      const num = numbers ? numbers(n) : n;
      if (v === 0) {
        s.drop(Reason.NotIp, num);
        engine.advance(clock, s);
      } else {
        let bytes = p.data;
        let ipOff = locator.ipOff;
        let ipLen = p.caplen - locator.linkLen;
        if (log !== null) {
          if (log.wanted(p.data, p.offset, p.caplen, p.linkType, ipOff)) log.add(p.data, p.offset, p.caplen, p.linkType, ipOff, num);
        } else {
          const swapped = dns64 ? dns64.packet(p.data, p.offset, p.caplen, p.linkType, locator.ipOff, num) : null;
          if (swapped) {
            bytes = swapped;
            ipOff = locator.linkLen;
            ipLen = swapped.length - locator.linkLen;
          }
        }
        if (!((v === 4 ? side4 : side6) && engine.reconstruct(bytes, ipOff, ipLen, clock, num, s))) engine.process(bytes, ipOff, ipLen, clock, num, s);
      }
      if (select) {
        if (select.input(p, verdictOf(s), s.curDrop ? reasonId(s.curDrop) : null)) {
          chosen!.set(num);
          selected++;
          if (explain) pending.push(explainRecord(num, p, s, dns64));
        }
        s.release(keepHeld(num));
      } else if (explain) pending.push(explainRecord(num, p, s, dns64));
    }, {
      onWarning,
      blocking: opts.blocking,
      prefetchBuffers: readBuffers,
      lookahead: batch === null ? lookaheadOf(engine) : undefined,
      batch: batch ?? undefined,
      afterChunk: async () => {
        if (explain) {
          for (const l of pending) await explain.line(l);
          pending.length = 0;
        }
        if (opts.afterChunk) await opts.afterChunk();
      },
    });
    if (batch !== null) n = batch.number;
    const dns64Check = log === null ? undefined : log.following ? 'followed' as const : 'replayed' as const;
    if (log !== null && !log.settle(opts.dns64!)) {
      // The hook replaces a packet: this output is not the capture's translation.
      if (writer) await writer.abort();
      return { summary: null, warnings };
    }
    if (explain) for (const l of pending) await explain.line(l);
    const s: CaptureSink = sink ?? new CaptureSink(writer, format === 'pcapng', pcapLinkType);
    s.selecting = select !== null;
    if (opts.drain !== false) {
      s.setInput(new Uint8Array(0), 0, 0, LinkType.RAW, 6);
      // (final: the engine is dropped after it)
      engine.drain(s, true);
      if (select) s.release(keepHeld(0));
    }
    if (read.corrupt) {
      const e = new Error(`capture framing is broken after packet ${read.packets} (${opts.input === '-' ? 'stdin' : opts.input})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
    if (writer) await writer.close();
    if (explain) await explain.close();
    return {
      warnings,
      summary: {
        read,
        packetsIn: n,
        packetsOut: s.packetsOut,
        translated: s.translated,
        hairpinned: s.hairpinned,
        icmpErrors: s.icmpErrors,
        deferred: s.deferred,
        reconstructed: s.reconstructed,
        drops: s.drops,
        dropped: s.dropped,
        ...(select ? { selected, written: s.written } : {}),
        inputReads,
        batched: batch?.taken ?? 0,
        ...(dns64Check ? { dns64Check } : {}),
      },
    };
  } catch (err) {
    // Nothing half-written: outputs are temp files until close().
    if (writer) await writer.abort().catch(() => undefined);
    if (explain) await explain.abort();
    if (err instanceof LogFull) return { summary: null, warnings };
    throw err;
  }
}

/**
 * The reader's lookahead for `engine` (ParserOptions.lookahead): each batch of coming records
 * becomes the IP packets in them (Ethernet without VLAN tags, raw IP; others are left out),
 * which engine.touch() loads the flow state of.
 */
function lookaheadOf(engine: Engine): LookaheadCallback | undefined {
  if (engine.touch === undefined || process.env.NAT64SCOPE_LOOKAHEAD === '0') return undefined;
  return (d: Uint8Array, recs: Int32Array, count: number, linkType: number): void => {
    const eth = linkType === LinkType.ETHERNET;
    if (!eth && linkType !== LinkType.RAW && linkType !== LinkType.IPV4 && linkType !== LinkType.IPV6) return;
    let n = 0;
    for (let i = 0; i < count; i++) {
      let o = recs[2 * i];
      let len = recs[2 * i + 1];
      if (eth) {
        if (len < 34) continue;
        const et = (d[o + 12] << 8) | d[o + 13];
        if (et !== EtherType.IPV6 && et !== EtherType.IPV4) continue;
        o += 14;
        len -= 14;
      }
      recs[2 * n] = o;
      recs[2 * n + 1] = len;
      n++;
    }
    if (n > 0) engine.touch!(d, recs, n);
  };
}

/** Whether packets of IP version `v` are read as possibly having come out of the translator. */
function readSide(side: 'none' | 'v6' | 'v4' | 'auto', v: number): boolean {
  return side === 'auto' || (side === 'v6' && v === 6) || (side === 'v4' && v === 4);
}

function explainRecord(n: number, p: CapturedPacket, s: CaptureSink, dns64: Dns64Hook | null): string {
  const verdict = verdictOf(s);
  const o: Record<string, unknown> = { n, ts: p.tsSec + p.tsNsec / 1e9, verdict, emitted: s.curEmits };
  if (s.curDrop) {
    o.reason = reasonId(s.curDrop);
    o.detail = reasonText(s.curDrop);
  }
  // DNS packets: what DNS64 did with it (kept, rewritten, passed) and why.
  if (dns64?.verdict) o.dns64 = dns64.verdict;
  return JSON.stringify(o);
}

/** The one-paragraph summary `translate` prints on stderr. */
export function summaryText(s: TranslateSummary): string {
  const rec = s.reconstructed ? `${s.reconstructed} reconstructed, ` : '';
  const parts = [`${s.packetsIn} packets in, ${s.packetsOut} out (${rec}${s.translated} translated, ${s.hairpinned} hairpinned, ${s.icmpErrors + s.deferred} generated)`];
  if (s.dropped) {
    const by = [...s.drops.entries()].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${c} ${reasonId(r)}`);
    parts.push(`${s.dropped} dropped: ${by.join(', ')}`);
  } else parts.push('none dropped');
  return `translate: ${parts.join('; ')}`;
}
