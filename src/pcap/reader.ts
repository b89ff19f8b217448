/**
 * Streaming capture readers: classic pcap (µs / ns, both byte orders, Kuznetzov's modified pcap)
 * and pcapng (any number of sections and interfaces), from a file, gzip or stdin.
 *
 * {@link CaptureParser} is a push parser that owns one growable buffer. Input is appended to it,
 * records are parsed in place, and every packet is delivered through the *same*
 * {@link CapturedPacket} object whose `data` is the parser's buffer: the packet borrows it until
 * the callback returns (copy with `copyPacket` to keep it). Nothing is allocated per packet.
 *
 * Malformed bytes never make `push()` throw: the parser warns, marks the summary `corrupt` or
 * `truncated`, and stops. Only a file that is not a capture at all (or is empty) is an error,
 * raised by `end()` / `readCapture` as a {@link CaptureFormatError}.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { readSync } from 'node:fs';
import type * as Stream from 'node:stream';
import type * as Zlib from 'node:zlib';
import { CaptureFormatError, CaptureReadError, describeBytes, osReason } from './errors.js';
import { copyPacket, newPacket, type CapturedPacket } from './packet.js';
import { ticksPow10, ticksPow2 } from './timestamp.js';

export { CaptureFormatError, CaptureReadError } from './errors.js';

/** One capture interface (classic pcap has exactly one). */
export interface InterfaceInfo {
  /** 0-based pcapng section (0 for classic pcap). */
  section: number;
  /** Interface index within its section. */
  index: number;
  linkType: number;
  /** 0 = no limit. */
  snaplen: number;
  /** `if_name`, or null. */
  name: string | null;
  /** Timestamp resolution: `1e-6`, `1e-9`, `2^-20`, ... (`1` for whole seconds). */
  tsresol: string;
  /** `if_tsoffset`: seconds added to every timestamp. */
  tsoffset: number;
}

export interface ReadSummary {
  format: 'pcap' | 'pcapng';
  /** Byte order of the file (pcapng: of its first section). */
  byteOrder: 'le' | 'be';
  /** Classic pcap with nanosecond timestamps (always false for pcapng: see `interfaces`). */
  nanosecond: boolean;
  /** The input was gzip-compressed. */
  gzip: boolean;
  /** Packets delivered. */
  packets: number;
  /** Captured bytes of the packets delivered (the sum of their caplen). */
  bytes: number;
  /** Bytes of capture data read (after decompression). */
  fileBytes: number;
  /** The input ended in the middle of a record. */
  truncated: boolean;
  /** The file framing was broken; reading stopped there. */
  corrupt: boolean;
  /** The read was stopped by the caller (callback returned false, or stop()). */
  stopped: boolean;
  warnings: string[];
  interfaces: InterfaceInfo[];
  /** pcapng sections seen (1 for classic pcap). */
  sections: number;
}

export interface ParserOptions {
  onWarning?: (msg: string) => void;
  /** Largest caplen believed; a bigger one means the framing is corrupt. Default 262144. */
  maxRecord?: number;
  /** Called as soon as an interface is known (pcap header, pcapng IDB). */
  onInterface?: (info: InterfaceInfo) => void;
  /** Name of the input for messages (a path, `stdin`). */
  name?: string;
  /**
   * Classic pcap: called, before the packet callback of a record, with the next
   * {@link lookaheadDepth} records (as far as the bytes already read go) whenever the records
   * given last time have all been delivered: each record once, in batches. A consumer whose
   * per-packet work misses the cache (a flow table) loads what a whole batch will need in one
   * loop of independent loads, which the processor overlaps. With it, the parser also reads the
   * next 32 KiB of input a cache line at a time, so that the records' bytes are in the cache
   * when the walk to the next records and the packet callbacks read them. It must only read:
   * the packet callback still sees every packet, in order.
   */
  lookahead?: LookaheadCallback;
  /** Records per lookahead batch (default 16, at most 64). */
  lookaheadDepth?: number;
  /**
   * Classic pcap: a consumer offered the records before their packet callbacks, which takes over
   * a run of them (see RecordBatch). The packet callback gets the rest, in order. Like the
   * lookahead, the parser then reads the input ahead a cache line at a time.
   */
  batch?: RecordBatch;
}

/**
 * ParserOptions.batch: a consumer that handles runs of classic pcap records itself, without a
 * packet callback each (translate's batch path).
 */
export interface RecordBatch {
  /**
   * Offered the records at data[pos..end) (record headers included; byte order little-endian
   * when `le`; sub-second timestamps in nanoseconds when `nano`, else microseconds; link type
   * `linkType`), consumes whole records from the first on, each exactly as the packet callback
   * would have, stopping at any it leaves to the callback; returns how many it consumed, with
   * {@link end} set to the position after them and {@link bytes} to their captured bytes. It only
   * consumes records with caplen at most their origLen, `snaplen` (when not 0) and `max`: nothing
   * the parser would warn about.
   */
  records(data: Uint8Array, pos: number, end: number, le: boolean, nano: boolean, linkType: number, snaplen: number, max: number): number;
  end: number;
  bytes: number;
}

export type PacketCallback = (p: CapturedPacket) => void | boolean;
/**
 * See ParserOptions.lookahead: record i's bytes are data[recs[2i] .. recs[2i] + recs[2i+1]), for
 * i < count (`recs` is the parser's: the callee may overwrite it, and must not keep it).
 */
export type LookaheadCallback = (data: Uint8Array, recs: Int32Array, count: number, linkType: number) => void;

const INITIAL_BUFFER = 2 * 1024 * 1024;
/** Largest block (packet with options, IDB) the parser agrees to buffer. */
const MAX_BUFFERED_BLOCK = 32 * 1024 * 1024;
const MAX_WARNINGS = 100;
const READ_CHUNK = 1024 * 1024;

// Parser states.
const S_DETECT = 0;
const S_PCAP_HEADER = 1;
const S_PCAP = 2;
const S_PCAPNG = 3;
const S_DONE = 4;

// pcapng block types.
const BT_SHB = 0x0a0d0d0a;
const BT_IDB = 1;
const BT_PB = 2;
const BT_SPB = 3;
const BT_EPB = 6;

function rd32(b: Uint8Array, o: number, le: boolean): number {
  return le
    ? (b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)) >>> 0
    : ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function rd16(b: Uint8Array, o: number, le: boolean): number {
  return le ? b[o] | (b[o + 1] << 8) : (b[o] << 8) | b[o + 1];
}

const utf8 = new TextDecoder('utf-8');

/**
 * A plain Uint8Array (not a Buffer: `slice()` must copy, as `copyPacket` expects) over memory
 * that is not zero-filled: only bytes written by the input are ever read.
 */
function allocBuffer(size: number): Uint8Array {
  const b = Buffer.allocUnsafeSlow(size);
  return new Uint8Array(b.buffer, b.byteOffset, size);
}

/**
 * Push parser for pcap and pcapng. Feed it with {@link push} (or, without copies, fill
 * {@link buffer} from {@link fillOffset} after {@link reserve} and call {@link commit}); call
 * {@link end} at the end of the input for the summary.
 */
export class CaptureParser {
  /** Detected format (null until the magic number has been seen). */
  format: 'pcap' | 'pcapng' | null = null;
  /** Byte order of the file / of its first section. */
  byteOrder: 'le' | 'be' | null = null;
  nanosecond = false;
  /** Set by readers that inflate the input. */
  gzip = false;
  /** Every interface seen so far, across sections (filled as soon as each is known). */
  readonly interfaces: InterfaceInfo[] = [];
  packets = 0;
  bytes = 0;
  fileBytes = 0;
  truncated = false;
  corrupt = false;
  readonly warnings: string[] = [];
  /** Set when the input is not a capture at all; `end()` throws it. */
  error: CaptureFormatError | null = null;

  private readonly onPacket: PacketCallback;
  private readonly lookahead: LookaheadCallback | null;
  private readonly lookaheadDepth: number;
  private readonly batch: RecordBatch | null;
  private readonly aheadRecs = new Int32Array(128);
  /** Sum of the bytes the lookahead touched (kept, so that the loads are not optimized away). */
  streamTouched = 0;
  private readonly onWarning: ((msg: string) => void) | undefined;
  private readonly onInterface: ((info: InterfaceInfo) => void) | undefined;
  private readonly maxRecord: number;
  private readonly name: string;
  private readonly pkt: CapturedPacket;

  private buf: Uint8Array;
  /** First unconsumed byte. */
  private pos = 0;
  /** End of the valid bytes. */
  private end_ = 0;
  /** File offset of buf[0]. */
  private base = 0;
  /** Bytes of the current record needed from `pos` before parsing can go on. */
  private need = 0;
  /** Bytes still to discard (an oversized block being skipped). */
  private skip = 0;
  private state = S_DETECT;
  private stoppedByUser = false;
  private summary: ReadSummary | null = null;

  private le = true;
  // classic pcap
  private recHdr = 16;
  private snaplen = 0;
  private linkType = 0;
  // pcapng: the current section's interfaces, as parallel arrays
  private section = -1;
  private readonly ifLink: number[] = [];
  private readonly ifSnap: number[] = [];
  private readonly ifPow2: boolean[] = [];
  private readonly ifRes: number[] = [];
  private readonly ifOff: number[] = [];

  // counted warnings
  private overSnap = 0;
  private overOrig = 0;
  private unknownIf = 0;
  private badOptions = 0;
  private droppedWarnings = 0;

  constructor(onPacket: PacketCallback, opts: ParserOptions = {}) {
    this.onPacket = onPacket;
    this.lookahead = opts.lookahead ?? null;
    this.lookaheadDepth = Math.max(1, Math.min(64, opts.lookaheadDepth ?? 16));
    this.batch = opts.batch ?? null;
    this.onWarning = opts.onWarning;
    this.onInterface = opts.onInterface;
    this.maxRecord = opts.maxRecord ?? 262144;
    this.name = opts.name ?? 'input';
    this.buf = allocBuffer(Math.max(INITIAL_BUFFER, this.maxRecord + 64));
    this.pkt = newPacket();
  }

  /** True once the parser takes no more input (stopped, corrupt, not a capture, ended). */
  get stopped(): boolean {
    return this.state === S_DONE;
  }

  /** Stop: further input is ignored and `end()` reports no truncation. */
  stop(): void {
    this.stoppedByUser = true;
    this.state = S_DONE;
  }

  /** The internal buffer (for readers filling it in place; see {@link reserve}). */
  get buffer(): Uint8Array {
    return this.buf;
  }

  /** Where the next input bytes go in {@link buffer}. */
  get fillOffset(): number {
    return this.end_;
  }

  /**
   * Make room at the end of the buffer (moving the unconsumed tail to the front, growing only
   * when one record is bigger than the buffer) and return how many bytes can be written at
   * {@link fillOffset}.
   */
  reserve(): number {
    const unread = this.end_ - this.pos;
    if (this.pos > 0 && (this.buf.length - this.end_ < this.buf.length >>> 1 || this.need > this.buf.length - this.pos)) {
      if (unread > 0) this.buf.copyWithin(0, this.pos, this.end_);
      this.base += this.pos;
      this.pos = 0;
      this.end_ = unread;
    }
    if (this.need > this.buf.length) {
      let size = this.buf.length;
      while (size < this.need) size *= 2;
      const nb = allocBuffer(size);
      nb.set(this.buf.subarray(this.pos, this.end_));
      this.base += this.pos;
      this.end_ -= this.pos;
      this.pos = 0;
      this.buf = nb;
    }
    if (this.end_ === this.buf.length) {
      // Cannot happen when `need` is right; never report a full buffer (a reader would take a
      // zero-byte read for the end of the input).
      const nb = allocBuffer(this.buf.length * 2);
      nb.set(this.buf.subarray(this.pos, this.end_));
      this.base += this.pos;
      this.end_ -= this.pos;
      this.pos = 0;
      this.buf = nb;
    }
    return this.buf.length - this.end_;
  }

  /**
   * Prefetching readers: take `b` as the buffer, with `n` new input bytes at `b[off..]` (read
   * there while the parser worked on its previous buffer): the unconsumed tail moves in front of
   * them (`off` bytes of headroom), nothing else is copied. False (nothing changed) when the tail
   * or the record being assembled does not fit: the caller then calls {@link detach} and
   * {@link push}. Then {@link commitAttached} parses. The previous buffer is free once this
   * returns true.
   */
  attach(b: Uint8Array, off: number, n: number): boolean {
    const unread = this.end_ - this.pos;
    const start = off - unread;
    if (start < 0 || (this.need > 0 && this.need > b.length - start)) return false;
    if (unread > 0) b.set(this.buf.subarray(this.pos, this.end_), start);
    this.base += this.pos - start;
    this.buf = b;
    this.pos = start;
    this.end_ = off + n;
    this.attachedBytes = n;
    return true;
  }

  private attachedBytes = 0;

  /** Parses the bytes {@link attach} added. */
  commitAttached(): void {
    const n = this.attachedBytes;
    this.attachedBytes = 0;
    if (this.state === S_DONE || n <= 0) return;
    this.fileBytes += n;
    this.parse();
  }

  /** Makes the parser's buffer its own again (after {@link attach}): the unconsumed tail is copied. */
  detach(): void {
    const unread = this.end_ - this.pos;
    const nb = allocBuffer(Math.max(INITIAL_BUFFER, this.maxRecord + 64, unread * 2, this.need));
    if (unread > 0) nb.set(this.buf.subarray(this.pos, this.end_));
    this.base += this.pos;
    this.buf = nb;
    this.pos = 0;
    this.end_ = unread;
  }

  /** `n` bytes were written at {@link fillOffset}: parse them. */
  commit(n: number): void {
    if (this.state === S_DONE || n <= 0) return;
    this.end_ += n;
    this.fileBytes += n;
    this.parse();
  }

  /** Append a chunk of input and deliver every complete packet in it. Never throws on bad bytes. */
  push(chunk: Uint8Array): void {
    let off = 0;
    const n = chunk.length;
    while (off < n && this.state !== S_DONE) {
      if (this.skip > 0 && this.pos === this.end_) {
        // Skipping an oversized block: count the bytes, don't buffer them.
        const s = Math.min(this.skip, n - off);
        this.skip -= s;
        off += s;
        this.fileBytes += s;
        this.base += s + this.end_;
        this.pos = this.end_ = 0;
        continue;
      }
      const room = this.reserve();
      const m = Math.min(room, n - off);
      this.buf.set(m === n && off === 0 ? chunk : chunk.subarray(off, off + m), this.end_);
      off += m;
      this.commit(m);
    }
  }

  /** Note that the input ended early below the parser (e.g. a cut gzip stream). */
  inputTruncated(msg: string): void {
    if (this.state === S_DONE) return;
    this.warn(msg);
    this.truncated = true;
  }

  /** Note that the input is damaged below the parser (e.g. corrupt gzip data): stop. */
  inputCorrupt(msg: string): void {
    if (this.state === S_DONE) return;
    this.warn(msg);
    this.corrupt = true;
    this.state = S_DONE;
  }

  /**
   * End of input: the summary. Throws {@link CaptureFormatError} when the input was empty or
   * not a capture. Idempotent.
   */
  end(): ReadSummary {
    if (this.summary) return this.summary;
    if (this.error) throw this.error;
    if (this.state === S_DETECT) {
      const avail = this.end_ - this.pos;
      this.state = S_DONE;
      this.error =
        avail === 0
          ? new CaptureFormatError(`empty file (${this.name})`)
          : new CaptureFormatError(
              `not a capture file: only ${avail} byte${avail === 1 ? '' : 's'}, starts with ${describeBytes(this.buf, this.pos, avail)} (${this.name})`,
            );
      throw this.error;
    }
    const wasRunning = this.state !== S_DONE;
    this.state = S_DONE;
    if (wasRunning && !this.stoppedByUser) {
      const left = this.end_ - this.pos + this.skip;
      if (left > 0) {
        this.truncated = true;
        this.warn(
          `file ends in the middle of a ${this.format === 'pcapng' ? 'block' : 'packet record'} after packet ${this.packets} (${left} byte${left === 1 ? '' : 's'} left)`,
        );
      }
    }
    if (this.overSnap) this.warn(`${this.overSnap} packet${this.overSnap === 1 ? ' has' : 's have'} a captured length over the snaplen`);
    if (this.overOrig) this.warn(`${this.overOrig} packet${this.overOrig === 1 ? ' has' : 's have'} a captured length over the original length`);
    if (this.unknownIf) this.warn(`${this.unknownIf} packet${this.unknownIf === 1 ? '' : 's'} skipped: on an interface not described by the section`);
    if (this.badOptions) this.warn(`${this.badOptions} block${this.badOptions === 1 ? ' has' : 's have'} malformed options (ignored)`);
    if (this.droppedWarnings) this.warnings.push(`${this.droppedWarnings} more warnings not shown`);
    this.summary = {
      format: this.format ?? 'pcap',
      byteOrder: this.byteOrder ?? 'le',
      nanosecond: this.nanosecond,
      gzip: this.gzip,
      packets: this.packets,
      bytes: this.bytes,
      fileBytes: this.fileBytes,
      truncated: this.truncated,
      corrupt: this.corrupt,
      stopped: this.stoppedByUser,
      warnings: this.warnings,
      interfaces: this.interfaces,
      sections: Math.max(1, this.section + 1),
    };
    return this.summary;
  }

  // ---------------------------------------------------------------------------------------------

  private warn(msg: string): void {
    if (this.warnings.length >= MAX_WARNINGS) {
      this.droppedWarnings++;
      return;
    }
    this.warnings.push(msg);
    this.onWarning?.(msg);
  }

  private corruptStop(msg: string): void {
    this.warn(`${msg}; stopped reading after packet ${this.packets}`);
    this.corrupt = true;
    this.state = S_DONE;
  }

  private parse(): void {
    for (;;) {
      switch (this.state) {
        case S_DETECT:
          if (!this.detect()) return;
          break;
        case S_PCAP_HEADER:
          if (!this.pcapHeader()) return;
          break;
        case S_PCAP: {
          const need = this.parsePcap();
          if (need >= 0) this.need = need;
          return;
        }
        case S_PCAPNG:
          this.parsePcapng();
          return;
        default:
          return;
      }
    }
  }

  private detect(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (this.end_ - p < 4) {
      this.need = 4;
      return false;
    }
    const magic = rd32(b, p, false);
    switch (magic) {
      case 0xa1b2c3d4:
      case 0xa1b23c4d:
      case 0xa1b2cd34:
        this.le = false;
        break;
      case 0xd4c3b2a1:
      case 0x4d3cb2a1:
      case 0x34cdb2a1:
        this.le = true;
        break;
      case BT_SHB:
        this.format = 'pcapng';
        this.state = S_PCAPNG;
        return true;
      default: {
        const hint = b[p] === 0x1f && b[p + 1] === 0x8b ? ' (gzip data: decompress it first)' : '';
        this.error = new CaptureFormatError(
          `not a capture file: starts with ${describeBytes(b, p, this.end_ - p)}${hint} (${this.name})`,
        );
        this.state = S_DONE;
        return false;
      }
    }
    this.format = 'pcap';
    this.byteOrder = this.le ? 'le' : 'be';
    const m = this.le ? rd32(b, p, true) : magic;
    this.nanosecond = m === 0xa1b23c4d;
    this.recHdr = m === 0xa1b2cd34 ? 24 : 16;
    this.state = S_PCAP_HEADER;
    return true;
  }

  private pcapHeader(): boolean {
    const b = this.buf;
    const p = this.pos;
    if (this.end_ - p < 24) {
      this.need = 24;
      return false;
    }
    const le = this.le;
    const major = rd16(b, p + 4, le);
    const minor = rd16(b, p + 6, le);
    if (major !== 2) this.warn(`unusual pcap version ${major}.${minor}`);
    this.snaplen = rd32(b, p + 16, le);
    this.linkType = rd32(b, p + 20, le) & 0xffff;
    this.section = 0;
    this.addInterface(0, this.linkType, this.snaplen, null, this.nanosecond ? '1e-9' : '1e-6', 0);
    this.pos = p + 24;
    this.state = S_PCAP;
    return true;
  }

  private addInterface(index: number, linkType: number, snaplen: number, name: string | null, tsresol: string, tsoffset: number): void {
    const info: InterfaceInfo = { section: this.section, index, linkType, snaplen, name, tsresol, tsoffset };
    this.interfaces.push(info);
    this.onInterface?.(info);
  }

  /**
   * The packet records from `pos`: returns the bytes the next record needs (the chunk ends in it),
   * or -1 when it stopped otherwise. (The loop leaves by `return` alone, with no store after it:
   * code V8 optimized in the middle of the first chunk's loop would otherwise meet that store
   * unrecorded at the chunk's end, and be thrown away there.)
   */
  private parsePcap(): number {
    const b = this.buf;
    const end = this.end_;
    const le = this.le;
    const hl = this.recHdr;
    const max = this.maxRecord;
    const snaplen = this.snaplen;
    const nano = this.nanosecond;
    const pkt = this.pkt;
    const cb = this.onPacket;
    const ahead = this.lookahead;
    const depth = this.lookaheadDepth;
    const recs = this.aheadRecs;
    const lt = this.linkType;
    let pos = this.pos;
    // The lookahead: records [pos, ap) were given to it; bytes up to tp were touched.
    let ap = pos;
    let tp = pos;
    pkt.data = b;
    pkt.linkType = this.linkType;
    pkt.ifIndex = 0;
    pkt.section = 0;
    const batch = this.batch;
    for (;;) {
      if (batch !== null) {
        tp = this.touchAhead(b, pos, tp, end);
        const k = batch.records(b, pos, end, le, nano, lt, snaplen, max);
        if (k > 0) {
          this.packets += k;
          this.bytes += batch.bytes;
          pos = batch.end;
          this.pos = pos;
        }
      }
      // (this.pos is already pos: it is stored after each record)
      if (end - pos < hl) return hl;
      const caplen = rd32(b, pos + 8, le);
      if (caplen > max) {
        this.pos = pos;
        this.corruptStop(
          `packet record ${this.packets + 1} at offset ${this.base + pos} claims ${caplen} captured bytes (more than ${max})`,
        );
        return -1;
      }
      const total = hl + caplen;
      if (end - pos < total) return total;
      const origLen = rd32(b, pos + 12, le);
      let sec = rd32(b, pos, le);
      let sub = rd32(b, pos + 4, le);
      if (!nano) sub *= 1000;
      if (sub >= 1000000000) {
        const carry = Math.floor(sub / 1000000000);
        sec += carry;
        sub -= carry * 1000000000;
      }
      if (caplen > origLen) this.overOrig++;
      if (snaplen > 0 && caplen > snaplen) this.overSnap++;
      pkt.offset = pos + hl;
      pkt.fileOffset = this.base + pkt.offset;
      pkt.caplen = caplen;
      pkt.origLen = origLen;
      pkt.tsSec = sec;
      pkt.tsNsec = sub;
      pkt.number = ++this.packets;
      this.bytes += caplen;
      pos += total;
      this.pos = pos;
      if (ahead !== null && ap <= pos) {
        ap = pos;
        tp = this.touchAhead(b, ap, tp, end);
        let k = 0;
        while (k < depth && end - ap >= hl) {
          const cl = rd32(b, ap + 8, le);
          if (cl > max || end - ap < hl + cl) break;
          recs[2 * k] = ap + hl;
          recs[2 * k + 1] = cl;
          ap += hl + cl;
          k++;
        }
        if (k > 0) ahead(b, recs, k, lt);
      }
      if (cb(pkt) === false) {
        this.stop();
        return -1;
      }
      if (this.state !== S_PCAP) return -1;
    }
  }

  /**
   * The lookahead's and the batch's read of the input ahead of `at`: when less than 16 KiB past
   * it has been touched (up to `tp`), the next bytes up to 32 KiB past it, a cache line at a time
   * in one loop of independent loads (the records' walk is a chain of dependent loads, each
   * missing the cache on fresh input). Returns how far the input has been touched.
   */
  private touchAhead(b: Uint8Array, at: number, tp: number, end: number): number {
    if (tp >= at + 16384) return tp;
    if (tp < at) tp = at;
    const stop = end < at + 32768 ? end : at + 32768;
    let t = 0;
    for (let q = tp; q < stop; q += 64) t += b[q];
    this.streamTouched += t;
    return stop;
  }

  private parsePcapng(): void {
    const pkt = this.pkt;
    const cb = this.onPacket;
    const max = this.maxRecord;
    while (this.state === S_PCAPNG) {
      const b = this.buf;
      const end = this.end_;
      let pos = this.pos;
      if (this.skip > 0) {
        const s = Math.min(this.skip, end - pos);
        this.skip -= s;
        pos += s;
        this.pos = pos;
        if (this.skip > 0) {
          this.need = 0;
          return;
        }
      }
      const avail = end - pos;
      if (avail < 12) {
        this.need = 12;
        return;
      }
      let le = this.le;
      const type = rd32(b, pos, le);
      if (type === BT_SHB) {
        const bom = rd32(b, pos + 8, true);
        if (bom === 0x1a2b3c4d) le = true;
        else if (bom === 0x4d3c2b1a) le = false;
        else if (this.section < 0) {
          this.error = new CaptureFormatError(
            `not a capture file: starts like pcapng but has no byte-order magic: ${describeBytes(b, pos, avail)} (${this.name})`,
          );
          this.state = S_DONE;
          return;
        } else {
          this.corruptStop(`section header at offset ${this.base + pos} has a bad byte-order magic`);
          return;
        }
      }
      const len = rd32(b, pos + 4, le);
      if (len < 12 || (len & 3) !== 0) {
        this.corruptStop(`block at offset ${this.base + pos} has an invalid length ${len}`);
        return;
      }
      if (type === BT_EPB || type === BT_PB || type === BT_SPB) {
        if (this.section < 0) {
          this.corruptStop(`packet block at offset ${this.base + pos} before any section header`);
          return;
        }
        const spb = type === BT_SPB;
        if (len < (spb ? 16 : 32)) {
          this.corruptStop(`packet block at offset ${this.base + pos} is too short (${len} bytes)`);
          return;
        }
        if (!spb && avail < 24) {
          this.need = 24;
          return;
        }
        const claimed = spb ? rd32(b, pos + 8, le) : rd32(b, pos + 20, le);
        if (!spb && claimed > max) {
          this.corruptStop(
            `packet block ${this.packets + 1} at offset ${this.base + pos} claims ${claimed} captured bytes (more than ${max})`,
          );
          return;
        }
        if (!spb && 28 + ((claimed + 3) & ~3) + 4 > len) {
          this.corruptStop(`packet block at offset ${this.base + pos}: ${claimed} captured bytes do not fit its length ${len}`);
          return;
        }
        if (len > avail) {
          if (len > MAX_BUFFERED_BLOCK) {
            this.corruptStop(`packet block at offset ${this.base + pos} is too large (${len} bytes)`);
            return;
          }
          this.need = len;
          return;
        }
        if (rd32(b, pos + len - 4, le) !== len) {
          this.corruptStop(`block at offset ${this.base + pos}: trailing length does not match ${len}`);
          return;
        }
        this.pos = pos + len;
        let ifid: number;
        let caplen: number;
        let origLen: number;
        if (type === BT_EPB) {
          ifid = rd32(b, pos + 8, le);
          caplen = claimed;
          origLen = rd32(b, pos + 24, le);
        } else if (type === BT_PB) {
          ifid = rd16(b, pos + 8, le);
          caplen = claimed;
          origLen = rd32(b, pos + 24, le);
        } else {
          ifid = 0;
          origLen = claimed;
          caplen = len - 16;
        }
        if (ifid >= this.ifLink.length) {
          this.unknownIf++;
          continue;
        }
        const snaplen = this.ifSnap[ifid];
        if (spb) {
          if (origLen < caplen) caplen = origLen;
          if (snaplen > 0 && snaplen < caplen) caplen = snaplen;
          if (caplen > max) caplen = max;
          pkt.tsSec = 0;
          pkt.tsNsec = 0;
        } else {
          const hi = rd32(b, pos + 12, le);
          const lo = rd32(b, pos + 16, le);
          if (this.ifPow2[ifid]) ticksPow2(pkt, hi, lo, this.ifRes[ifid], this.ifOff[ifid]);
          else ticksPow10(pkt, hi, lo, this.ifRes[ifid], this.ifOff[ifid]);
          if (caplen > origLen) this.overOrig++;
          if (snaplen > 0 && caplen > snaplen) this.overSnap++;
        }
        pkt.data = b;
        pkt.offset = pos + (spb ? 12 : 28);
        pkt.fileOffset = this.base + pkt.offset;
        pkt.caplen = caplen;
        pkt.origLen = origLen;
        pkt.linkType = this.ifLink[ifid];
        pkt.ifIndex = ifid;
        pkt.section = this.section;
        pkt.number = ++this.packets;
        this.bytes += caplen;
        if (cb(pkt) === false) {
          this.stop();
          return;
        }
        continue;
      }
      if (type === BT_SHB || type === BT_IDB) {
        if (len < (type === BT_SHB ? 28 : 20)) {
          this.corruptStop(`${type === BT_SHB ? 'section header' : 'interface description'} block at offset ${this.base + pos} is too short (${len} bytes)`);
          return;
        }
        if (type === BT_IDB && this.section < 0) {
          this.corruptStop(`interface description block at offset ${this.base + pos} before any section header`);
          return;
        }
        if (len > avail) {
          if (len <= MAX_BUFFERED_BLOCK) {
            this.need = len;
            return;
          }
          if (type === BT_IDB) {
            this.corruptStop(`interface description block at offset ${this.base + pos} is too large (${len} bytes)`);
            return;
          }
          if (avail < 16) {
            this.need = 16;
            return;
          }
          // A gigantic section header: its options don't matter, skip them.
          if (!this.sectionHeader(b, pos, le)) return;
          this.skip = len - avail;
          this.pos = end;
          continue;
        }
        if (rd32(b, pos + len - 4, le) !== len) {
          this.corruptStop(`block at offset ${this.base + pos}: trailing length does not match ${len}`);
          return;
        }
        if (type === BT_SHB) {
          if (!this.sectionHeader(b, pos, le)) return;
        } else {
          this.interfaceBlock(b, pos, len, le);
        }
        this.pos = pos + len;
        continue;
      }
      if (this.section < 0) {
        this.corruptStop(`block of type 0x${type.toString(16)} at offset ${this.base + pos} before any section header`);
        return;
      }
      // Any other block (NRB, ISB, DSB, custom, journal, unknown): skipped.
      if (len > avail) {
        if (len > b.length) {
          this.skip = len - avail;
          this.pos = end;
          continue;
        }
        this.need = len;
        return;
      }
      if (rd32(b, pos + len - 4, le) !== len) {
        this.corruptStop(`block at offset ${this.base + pos}: trailing length does not match ${len}`);
        return;
      }
      this.pos = pos + len;
    }
  }

  private sectionHeader(b: Uint8Array, pos: number, le: boolean): boolean {
    const major = rd16(b, pos + 12, le);
    const minor = rd16(b, pos + 14, le);
    if (major !== 1) {
      if (this.section < 0) {
        this.error = new CaptureFormatError(`unsupported pcapng version ${major}.${minor} (${this.name})`);
        this.state = S_DONE;
      } else {
        this.corruptStop(`section header at offset ${this.base + pos} has unsupported version ${major}.${minor}`);
      }
      return false;
    }
    this.le = le;
    if (this.byteOrder === null) this.byteOrder = le ? 'le' : 'be';
    this.section++;
    this.ifLink.length = 0;
    this.ifSnap.length = 0;
    this.ifPow2.length = 0;
    this.ifRes.length = 0;
    this.ifOff.length = 0;
    return true;
  }

  private interfaceBlock(b: Uint8Array, pos: number, len: number, le: boolean): void {
    const linkType = rd16(b, pos + 8, le);
    const snaplen = rd32(b, pos + 12, le);
    let name: string | null = null;
    let pow2 = false;
    let res = 6;
    let offset = 0;
    let o = pos + 16;
    const oe = pos + len - 4;
    while (o + 4 <= oe) {
      const code = rd16(b, o, le);
      const olen = rd16(b, o + 2, le);
      if (code === 0) break;
      if (o + 4 + olen > oe) {
        this.badOptions++;
        break;
      }
      const v = o + 4;
      if (code === 2) {
        name = utf8.decode(b.subarray(v, v + olen));
      } else if (code === 9 && olen >= 1) {
        pow2 = (b[v] & 0x80) !== 0;
        res = b[v] & 0x7f;
      } else if (code === 14 && olen >= 8) {
        const first = rd32(b, v, le);
        const second = rd32(b, v + 4, le);
        const hi = le ? second : first;
        const lo = le ? first : second;
        offset = (hi | 0) * 4294967296 + lo;
      }
      o = v + ((olen + 3) & ~3);
    }
    const index = this.ifLink.length;
    this.ifLink.push(linkType);
    this.ifSnap.push(snaplen);
    this.ifPow2.push(pow2);
    this.ifRes.push(res);
    this.ifOff.push(offset);
    this.addInterface(index, linkType, snaplen, name, pow2 ? `2^-${res}` : res === 0 ? '1' : `1e-${res}`, offset);
  }
}

// -------------------------------------------------------------------------------------------------
// Readers

export interface ReadOptions extends Omit<ParserOptions, 'name'> {
  /**
   * Called after each chunk (about 1 MiB) has been parsed; a returned promise is awaited before
   * the next read. This is where a consumer applies backpressure (e.g. stdout draining).
   */
  afterChunk?: () => Promise<void> | void | undefined;
  /**
   * For batch commands, not for the viewer: regular files are read with the next chunk already
   * on its way (see `prefetch`), or, with `prefetch: false`, by blocking reads straight into the
   * parser's buffer (no thread-pool round trip per chunk, at the price of blocking the event
   * loop for each 1 MiB read). Either is faster end to end than awaiting each read in turn.
   */
  blocking?: boolean;
  /**
   * With `blocking`: read the next chunk in the thread pool while this one is parsed (default
   * true). A packet's bytes are then valid only during its callback (as always: copy what you
   * keep), not until the next chunk.
   */
  prefetch?: boolean;
  /**
   * A file: read at most its first `limit` bytes (as if it ended there). Two readers of a file
   * that may still grow (a capture being written) then see the same packets.
   */
  limit?: number;
  /** Tests: the prefetch chunk and headroom sizes (default 2 MiB and 512 KiB). */
  prefetchSizes?: { chunk: number; headroom: number };
  /**
   * The two prefetch buffers to use instead of new ones (each at least
   * {@link PREFETCH_BUFFER_BYTES}; smaller ones are not used): a capture writer whose buffer
   * shares their ArrayBuffer copies packets out of them with `copyWithin` (see
   * WriterOptions.buffer).
   */
  prefetchBuffers?: readonly [Uint8Array, Uint8Array];
  /** Name used in messages (default: the path, or `stdin`). */
  name?: string;
}

function isGzip(b: Uint8Array, off: number, len: number): boolean {
  return len >= 2 && b[off] === 0x1f && b[off + 1] === 0x8b;
}

function readError(err: unknown, name: string): CaptureReadError {
  const code = (err as { code?: unknown } | null)?.code;
  return new CaptureReadError(`cannot read capture: ${osReason(err)} (${name})`, typeof code === 'string' ? code : undefined);
}

/**
 * Read a capture file (or `-` for stdin), plain or gzip-compressed, calling `onPacket` for each
 * packet (return false to stop). Constant memory whatever the size.
 */
export async function readCapture(input: string, onPacket: PacketCallback, opts: ReadOptions = {}): Promise<ReadSummary> {
  if (input === '-') return readCaptureStream(process.stdin, onPacket, { ...opts, name: opts.name ?? 'stdin' });
  const name = opts.name ?? input;
  const parser = new CaptureParser(onPacket, { ...opts, name });
  let fh: FileHandle;
  try {
    fh = await open(input, 'r');
  } catch (err) {
    throw readError(err, name);
  }
  if (opts.blocking && opts.prefetch !== false) {
    try {
      return await readPrefetching(fh, parser, name, opts);
    } finally {
      await fh.close().catch(() => undefined);
    }
  }
  try {
    let first = true;
    let left = opts.limit ?? Infinity;
    for (;;) {
      const room = parser.reserve();
      const off = parser.fillOffset;
      const want = Math.min(room, READ_CHUNK, left);
      let n: number;
      try {
        n = want === 0 ? 0 : opts.blocking
          ? readSync(fh.fd, parser.buffer, off, want, null)
          : (await fh.read(parser.buffer, off, want, null)).bytesRead;
      } catch (err) {
        throw readError(err, name);
      }
      left -= n;
      if (first) {
        first = false;
        if (isGzip(parser.buffer, off, n)) {
          parser.gzip = true;
          await pumpGzip(fh.createReadStream({ start: 0, end: limitEnd(opts), highWaterMark: READ_CHUNK, autoClose: false }), parser, name, opts.afterChunk);
          break;
        }
      }
      if (n === 0) break;
      parser.commit(n);
      if (parser.stopped) break;
      if (opts.afterChunk) await opts.afterChunk();
    }
  } finally {
    await fh.close().catch(() => undefined);
  }
  return parser.end();
}

/** The last byte a gzip stream reads with {@link ReadOptions.limit} (undefined: to the end). */
function limitEnd(opts: ReadOptions): number | undefined {
  return opts.limit === undefined || !Number.isFinite(opts.limit) ? undefined : Math.max(0, opts.limit - 1);
}

/** Headroom before each prefetch buffer's data: where the previous chunk's unfinished record goes. */
const PREFETCH_HEADROOM = 512 * 1024;
const PREFETCH_CHUNK = 2 * 1024 * 1024;
/** The size of one prefetch buffer (headroom and chunk): see ReadOptions.prefetchBuffers. */
export const PREFETCH_BUFFER_BYTES = PREFETCH_HEADROOM + PREFETCH_CHUNK;

/**
 * A regular file for a batch command: each chunk is read by the thread pool while the parser
 * works on the previous one (two buffers, swapped by {@link CaptureParser.attach}: no copy but
 * the unfinished record at a chunk's end). The read's copy from the page cache (about 0.15 s per
 * GB here) is then no longer on the thread that parses.
 */
async function readPrefetching(fh: FileHandle, parser: CaptureParser, name: string, opts: ReadOptions): Promise<ReadSummary> {
  const H = opts.prefetchSizes?.headroom ?? PREFETCH_HEADROOM;
  const C = opts.prefetchSizes?.chunk ?? PREFETCH_CHUNK;
  const given = opts.prefetchBuffers;
  const bufs = given && given[0].length >= H + C && given[1].length >= H + C ? [given[0], given[1]] : [allocBuffer(H + C), allocBuffer(H + C)];
  let cur = 0;
  let left = opts.limit ?? Infinity;
  const read = (i: number): Promise<number> => {
    const want = Math.min(C, left);
    if (want === 0) return Promise.resolve(0);
    return fh.read(bufs[i], H, want, null).then((r) => {
      left -= r.bytesRead;
      return r.bytesRead;
    }, (err: unknown) => {
      throw readError(err, name);
    });
  };
  let pending: Promise<number> | null = read(0);
  try {
    let first = true;
    for (;;) {
      const n: number = await pending;
      pending = null;
      const b = bufs[cur];
      if (first) {
        first = false;
        if (isGzip(b, H, n)) {
          parser.gzip = true;
          await pumpGzip(fh.createReadStream({ start: 0, end: limitEnd(opts), highWaterMark: READ_CHUNK, autoClose: false }), parser, name, opts.afterChunk);
          break;
        }
      }
      if (n === 0) break;
      cur ^= 1;
      if (parser.attach(b, H, n)) {
        // The other buffer is free: the next chunk goes there while this one is parsed.
        pending = read(cur);
        parser.commitAttached();
      } else {
        parser.detach();
        pending = read(cur);
        parser.push(b.subarray(H, H + n));
      }
      if (parser.stopped) break;
      if (opts.afterChunk) await opts.afterChunk();
    }
  } finally {
    // Never leave a read writing into a buffer after the file is closed.
    if (pending !== null) await pending.catch(() => undefined);
  }
  return parser.end();
}

/** Inflate a gzip stream into the parser. */
async function pumpGzip(src: Stream.Readable | AsyncIterable<Uint8Array>, parser: CaptureParser, name: string, afterChunk?: ReadOptions['afterChunk']): Promise<void> {
  // (node:zlib loaded here, when a gzip capture is met: ~2.5 ms of every run's start-up otherwise)
  // (node:stream too: ~2 ms, when nothing else has loaded it)
  const { createGunzip } = process.getBuiltinModule('node:zlib') as typeof Zlib;
  const { Readable } = process.getBuiltinModule('node:stream');
  const gz = createGunzip({ chunkSize: READ_CHUNK });
  const source = src instanceof Readable ? src : Readable.from(src, { objectMode: false });
  let sourceError: unknown = null;
  source.on('error', (err) => {
    sourceError = err;
    gz.destroy(err);
  });
  source.pipe(gz);
  try {
    for await (const chunk of gz) {
      parser.push(chunk as Uint8Array);
      if (parser.stopped) break;
      if (afterChunk) await afterChunk();
    }
  } catch (err) {
    if (sourceError !== null) throw readError(sourceError, name);
    const code = (err as { code?: unknown }).code;
    if (code === 'Z_BUF_ERROR') parser.inputTruncated('gzip data ends early');
    else parser.inputCorrupt(`gzip data is corrupt: ${(err as Error).message}`);
  } finally {
    source.unpipe(gz);
    gz.destroy();
    if (source !== process.stdin) source.destroy();
  }
}

async function* prepend(head: Uint8Array, it: AsyncIterator<unknown>): AsyncGenerator<Uint8Array> {
  yield head;
  for (;;) {
    const r = await it.next();
    if (r.done) return;
    yield r.value as Uint8Array;
  }
}

/**
 * Read a capture from a stream (stdin, a socket, a child's stdout), gzip-detected from its first
 * bytes.
 */
export async function readCaptureStream(
  stream: AsyncIterable<Uint8Array> | NodeJS.ReadableStream,
  onPacket: PacketCallback,
  opts: ReadOptions = {},
): Promise<ReadSummary> {
  const name = opts.name ?? 'stream';
  const parser = new CaptureParser(onPacket, { ...opts, name });
  const it = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  try {
    let head: Uint8Array = new Uint8Array(0);
    while (head.length < 2) {
      const r = await it.next();
      if (r.done) break;
      const c = toBytes(r.value);
      head = head.length === 0 ? c : concat(head, c);
    }
    if (isGzip(head, 0, head.length)) {
      parser.gzip = true;
      await pumpGzip(prepend(head, it), parser, name, opts.afterChunk);
    } else {
      parser.push(head);
      while (!parser.stopped) {
        const r = await it.next();
        if (r.done) break;
        parser.push(toBytes(r.value));
        if (opts.afterChunk) await opts.afterChunk();
      }
    }
  } catch (err) {
    if (err instanceof CaptureReadError) throw err;
    throw readError(err, name);
  } finally {
    if (parser.stopped) await it.return?.().catch(() => undefined);
  }
  return parser.end();
}

function toBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v === 'string') return Buffer.from(v, 'latin1');
  return new Uint8Array(v as ArrayBuffer);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const r = new Uint8Array(a.length + b.length);
  r.set(a);
  r.set(b, a.length);
  return r;
}

/** Parse a whole capture held in memory (not gzip): copied packets and the summary. */
export function parseCapture(bytes: Uint8Array, opts: ParserOptions = {}): { packets: CapturedPacket[]; summary: ReadSummary } {
  const packets: CapturedPacket[] = [];
  const parser = new CaptureParser((p) => {
    packets.push(copyPacket(p));
  }, opts);
  parser.push(bytes);
  return { packets, summary: parser.end() };
}

/** Read a whole (small) capture into an array of copied packets. */
export async function readAllPackets(path: string, opts: ReadOptions = {}): Promise<CapturedPacket[]> {
  const packets: CapturedPacket[] = [];
  await readCapture(path, (p) => {
    packets.push(copyPacket(p));
  }, opts);
  return packets;
}
