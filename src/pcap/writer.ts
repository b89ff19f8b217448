/**
 * Capture writers: classic pcap (µs or ns) and pcapng (SHB + one IDB per interface + Enhanced
 * Packet Blocks with per-packet comments), little-endian.
 *
 * Records are assembled in one 256 KiB buffer (small enough to stay in the L2 cache next to the reader's chunk: about 5% faster translate than 1 MiB) and written in large chunks (no syscall per
 * packet). A file is written to `.NAME.tmp-PID` next to it and renamed into place by `close()`;
 * `abort()` deletes the temporary file. An existing file is replaced only with `force`.
 */
import { writeSync } from 'node:fs';
import { lstat, open, realpath, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { CaptureWriteError, osReason } from './errors.js';
import { LinkType, linkTypeName } from './linktype.js';

export { CaptureWriteError } from './errors.js';

export interface WriterOptions {
  /** Default: by extension, `.pcap` -> pcap, anything else (and stdout) -> pcapng. */
  format?: 'pcap' | 'pcapng';
  /** Classic pcap: nanosecond magic (a1b23c4d) instead of microseconds. */
  nanosecond?: boolean;
  /** Link type of the file (pcap) or of the interface added implicitly (pcapng). Default RAW. */
  linkType?: number;
  /** Replace an existing file. */
  force?: boolean;
  /** Snapshot length written in the headers (default 262144); longer packets are cut to it. */
  snaplen?: number;
  /**
   * The output buffer to use (at least {@link WRITER_BUFFER_BYTES}; a smaller one is not used).
   * Packet bytes that live in the same ArrayBuffer (the reader's prefetch buffers: see
   * ReadOptions.prefetchBuffers) are copied with `copyWithin`, which allocates nothing; from
   * anywhere else, with `set()` of a `subarray()`, one small object per packet.
   */
  buffer?: Uint8Array;
}

export interface CaptureWriter {
  readonly format: 'pcap' | 'pcapng';
  /** The final path (`-` for stdout). */
  readonly path: string;
  /** Packets written so far. */
  readonly packets: number;
  /**
   * Declare an interface and return its index. pcapng: any number, any link types. Classic
   * pcap: one link type only; a different one throws a {@link CaptureWriteError} (exit code 2).
   */
  addInterface(linkType: number, name?: string | null): number;
  /**
   * Write one packet: `len` bytes of `bytes` from `off`, captured at `tsSec` + `tsNsec`.
   * `origLen` defaults to `len`; `ifIndex` (default 0) picks the interface; `comment` becomes
   * the pcapng `opt_comment` (ignored by classic pcap).
   */
  write(
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    origLen?: number,
    ifIndex?: number,
    comment?: string | null,
  ): void;
  /**
   * {@link write} for hot paths, allocating nothing: the packet is `head[0..headLen)` (a link
   * header built separately; headLen may be 0) followed by `bytes[off..off+len)`, and the pcapng
   * comment is the ASCII bytes `commentPrefix` followed by the decimal `commentNum` when
   * `commentNum >= 0` (no comment when `commentPrefix` is null).
   */
  writeParts(
    head: Uint8Array,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array | null,
    commentNum: number,
  ): void;
  /**
   * {@link writeParts} with the head at head[headOff..headOff+headLen) (the translate fast path
   * builds link and IP headers in one buffer, after some headroom).
   */
  writeSplit(
    head: Uint8Array,
    headOff: number,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array | null,
    commentNum: number,
  ): void;
  /** Flush buffered records to the file. */
  flush(): void;
  /** Flush, close and rename the temporary file into place. */
  close(): Promise<void>;
  /** Close and delete the temporary file (nothing is left behind). */
  abort(): Promise<void>;
}

const BUFFER_SIZE = 256 * 1024;
const copyWithin = Uint8Array.prototype.copyWithin;
/** The output buffer's size (see WriterOptions.buffer). */
export const WRITER_BUFFER_BYTES = BUFFER_SIZE;
const DEFAULT_SNAPLEN = 262144;

/** Buffered output to a file descriptor, with the temp-file-and-rename dance. */
abstract class BaseWriter {
  readonly path: string;
  packets = 0;
  protected buf: Buffer;
  /** DataView of buf: 32-bit stores instead of four byte stores. */
  protected dv: DataView;
  /** All of buf's ArrayBuffer (copyIn's copyWithin), and the last source copyIn saw, with whether it shares it. */
  private whole: Uint8Array;
  private lastSrc: Uint8Array | null = null;
  private lastShared = false;
  private lastSrcBase = 0;
  /** buf.byteOffset. */
  private bufBase = 0;
  /** DataViews of the last head and comment prefix given to writeSplit. */
  protected readonly headViews = new Views();
  protected readonly prefixViews = new Views();
  protected pos = 0;
  protected readonly snaplen: number;
  private readonly fh: FileHandle | null;
  private readonly fd: number;
  private readonly temp: string | null;
  private readonly force: boolean;
  protected finished = false;
  private settled = false;

  constructor(path: string, fh: FileHandle | null, temp: string | null, opts: WriterOptions) {
    this.path = path;
    this.fh = fh;
    this.fd = fh ? fh.fd : 1;
    this.temp = temp;
    this.force = opts.force ?? false;
    this.snaplen = opts.snaplen ?? DEFAULT_SNAPLEN;
    const given = opts.buffer;
    this.buf = given && given.length >= BUFFER_SIZE ? Buffer.from(given.buffer, given.byteOffset, given.length) : Buffer.allocUnsafe(BUFFER_SIZE);
    this.dv = viewOf(this.buf);
    this.whole = new Uint8Array(this.buf.buffer);
    this.bufBase = this.buf.byteOffset;
  }

  /** Room for `n` more bytes in the buffer. */
  protected ensure(n: number): void {
    if (this.finished) throw new CaptureWriteError(`writer already closed (${this.path})`);
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) {
      let size = this.buf.length;
      while (size < n) size *= 2;
      this.buf = Buffer.allocUnsafe(size);
      this.dv = viewOf(this.buf);
      this.whole = new Uint8Array(this.buf.buffer);
      this.bufBase = this.buf.byteOffset;
      this.lastSrc = null;
    }
  }

  /**
   * Copies src[off..off+len) to buf[p..): see WriterOptions.buffer. (The byte offsets are kept
   * and copyWithin is called through a constant: `byteOffset` of a Buffer and a method loaded
   * from a typed array are generic property loads in optimized code, one call each per packet.)
   */
  protected copyIn(src: Uint8Array, off: number, len: number, p: number): void {
    if (src !== this.lastSrc) {
      this.lastSrc = src;
      this.lastShared = src.buffer === this.buf.buffer;
      this.lastSrcBase = src.byteOffset;
    }
    if (this.lastShared) {
      const from = this.lastSrcBase + off;
      copyWithin.call(this.whole, this.bufBase + p, from, from + len);
    } else this.buf.set(src.subarray(off, off + len), p);
  }

  protected u32(v: number): void {
    this.dv.setUint32(this.pos, v, true);
    this.pos += 4;
  }

  protected u16(v: number): void {
    this.dv.setUint16(this.pos, v, true);
    this.pos += 2;
  }

  protected bytes(src: Uint8Array, off: number, len: number): void {
    if (len === src.length && off === 0) this.buf.set(src, this.pos);
    else this.copyIn(src, off, len, this.pos);
    this.pos += len;
  }

  /** Copies head[headOff..headOff+headLen) then bytes[off..off+len), at most `caplen` bytes in all. */
  protected parts(head: Uint8Array, headOff: number, headLen: number, bytes: Uint8Array, off: number, len: number, caplen: number): void {
    const b = this.buf;
    let p = this.pos;
    const h = headLen < caplen ? headLen : caplen;
    if (h > 0) copyWords(this.headViews.of(head), headOff, this.dv, p, h);
    p += h;
    const rest = caplen - h;
    if (rest > 0) {
      if (rest <= 32) for (let i = 0; i < rest; i++) b[p++] = bytes[off + i];
      else {
        this.copyIn(bytes, off, rest, p);
        p += rest;
      }
    }
    this.pos = p;
  }

  protected pad(): void {
    while (this.pos & 3) this.buf[this.pos++] = 0;
  }

  flush(): void {
    let done = 0;
    while (done < this.pos) {
      try {
        done += writeSync(this.fd, this.buf, done, this.pos - done);
      } catch (err) {
        if ((err as { code?: string }).code === 'EAGAIN') {
          // A non-blocking stdout pipe that is full: wait a little and retry.
          Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
          continue;
        }
        throw new CaptureWriteError(`cannot write capture: ${osReason(err)} (${this.path})`);
      }
    }
    this.pos = 0;
  }

  async close(): Promise<void> {
    if (this.finished) return;
    this.beforeClose();
    try {
      this.flush();
    } catch (err) {
      await this.abort();
      throw err;
    }
    this.finished = true;
    this.settled = true;
    if (!this.fh) return;
    if (!this.temp) {
      // A device or a FIFO written in place (/dev/null, a named pipe): nothing to rename.
      await this.fh.close();
      return;
    }
    await this.fh.close();
    if (!this.force && (await exists(this.path))) {
      await unlink(this.temp).catch(() => undefined);
      throw new CaptureWriteError(`output exists: ${this.path} (use --force to replace it)`);
    }
    try {
      await rename(this.temp, this.path);
    } catch (err) {
      await unlink(this.temp).catch(() => undefined);
      throw new CaptureWriteError(`cannot write capture: ${osReason(err)} (${this.path})`);
    }
  }

  async abort(): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    this.finished = true;
    this.pos = 0;
    if (!this.fh) return;
    await this.fh.close().catch(() => undefined);
    if (this.temp) await unlink(this.temp).catch(() => undefined);
  }

  /** Hook: last records before the final flush (e.g. a header of a capture with no packets). */
  protected beforeClose(): void {}
}

/** An enhanced packet block's length for `total` captured bytes and a comment of `clen` bytes. */
export function epbLength(total: number, clen: number): number {
  return 32 + ((total + 3) & ~3) + 4 + ((clen + 3) & ~3) + 4;
}

/** Number of decimal digits of a non-negative integer. */
export function decimalDigits(n: number): number {
  // One loop for every width (not a chain of compares): optimized code that met the numbers up
  // to 99999 needs no new path for 100000 (a chain's new branch deoptimizes writeEthernet there).
  let d = 1;
  for (let t = 10; t <= n; t *= 10) d++;
  return d;
}

/** Classic pcap writer (one link type per file). */
export class PcapWriter extends BaseWriter implements CaptureWriter {
  readonly format = 'pcap' as const;
  private linkType: number | null;
  private readonly nanosecond: boolean;
  private headerDone = false;

  constructor(path: string, fh: FileHandle | null, temp: string | null, opts: WriterOptions) {
    super(path, fh, temp, opts);
    this.linkType = opts.linkType ?? null;
    this.nanosecond = opts.nanosecond ?? false;
  }

  addInterface(linkType: number, _name?: string | null): number {
    if (this.linkType === null) {
      this.linkType = linkType;
      return 0;
    }
    if (linkType !== this.linkType) {
      throw new CaptureWriteError(
        `a classic pcap file holds one link type: cannot add ${linkTypeName(linkType)} (${linkType}) to a ${linkTypeName(this.linkType)} (${this.linkType}) file; write pcapng instead (${this.path})`,
      );
    }
    return 0;
  }

  private header(): void {
    if (this.linkType === null) this.linkType = LinkType.RAW;
    this.ensure(24);
    this.u32(this.nanosecond ? 0xa1b23c4d : 0xa1b2c3d4);
    this.u16(2);
    this.u16(4);
    this.u32(0);
    this.u32(0);
    this.u32(this.snaplen);
    this.u32(this.linkType);
    this.headerDone = true;
  }

  write(
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    origLen?: number,
    ifIndex?: number,
    _comment?: string | null,
  ): void {
    if (ifIndex !== undefined && ifIndex !== 0) {
      throw new CaptureWriteError(`a classic pcap file has one interface: cannot write on interface ${ifIndex} (${this.path})`);
    }
    if (!this.headerDone) this.header();
    const caplen = len > this.snaplen ? this.snaplen : len;
    this.ensure(16 + caplen);
    this.u32(tsSec);
    this.u32(this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000));
    this.u32(caplen);
    this.u32(Math.max(origLen ?? len, len));
    this.bytes(bytes, off, caplen);
    this.packets++;
  }

  writeParts(
    head: Uint8Array,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array | null,
    commentNum: number,
  ): void {
    this.writeSplit(head, 0, headLen, bytes, off, len, tsSec, tsNsec, ifIndex, commentPrefix, commentNum);
  }

  writeSplit(
    head: Uint8Array,
    headOff: number,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    _commentPrefix: Uint8Array | null,
    _commentNum: number,
  ): void {
    if (ifIndex !== 0) {
      throw new CaptureWriteError(`a classic pcap file has one interface: cannot write on interface ${ifIndex} (${this.path})`);
    }
    if (!this.headerDone) this.header();
    const total = headLen + len;
    const caplen = total > this.snaplen ? this.snaplen : total;
    this.ensure(16 + caplen);
    this.u32(tsSec);
    this.u32(this.nanosecond ? tsNsec : Math.floor(tsNsec / 1000));
    this.u32(caplen);
    this.u32(total);
    this.parts(head, headOff, headLen, bytes, off, len, caplen);
    this.packets++;
  }

  protected override beforeClose(): void {
    if (!this.headerDone) this.header();
  }
}

/** pcapng writer: one section, interfaces added on demand, nanosecond timestamps. */
export class PcapngWriter extends BaseWriter implements CaptureWriter {
  readonly format = 'pcapng' as const;
  private readonly defaultLinkType: number;
  private readonly ifLinks: number[] = [];
  /**
   * The last timestamp second, and sec * 1e9 in 32-bit halves (see secondBase()). A Float64Array,
   * not three fields: the halves are small integers for some seconds and not for others, and
   * optimized code that saw only one kind would be thrown away at the first of the other.
   */
  private readonly tsBase = new Float64Array([-1, 0, 0]);

  constructor(path: string, fh: FileHandle | null, temp: string | null, opts: WriterOptions) {
    super(path, fh, temp, opts);
    this.defaultLinkType = opts.linkType ?? LinkType.RAW;
    // Section header block with shb_userappl.
    const app = 'nat64scope';
    const len = 28 + 4 + ((app.length + 3) & ~3) + 4;
    this.ensure(len);
    this.u32(0x0a0d0d0a);
    this.u32(len);
    this.u32(0x1a2b3c4d);
    this.u16(1);
    this.u16(0);
    this.u32(0xffffffff);
    this.u32(0xffffffff);
    this.option(4, app);
    this.u32(0); // opt_endofopt
    this.u32(len);
  }

  private option(code: number, text: string): void {
    const n = Buffer.byteLength(text, 'utf8');
    this.u16(code);
    this.u16(n);
    this.pos += this.buf.write(text, this.pos, n, 'utf8');
    this.pad();
  }

  get interfaces(): number {
    return this.ifLinks.length;
  }

  addInterface(linkType: number, name?: string | null): number {
    const nameLen = name ? Buffer.byteLength(name, 'utf8') : 0;
    if (nameLen > 65535) throw new CaptureWriteError(`interface name too long (${this.path})`);
    const len = 20 + (name ? 4 + ((nameLen + 3) & ~3) : 0) + 8 + 4;
    this.ensure(len);
    this.u32(1);
    this.u32(len);
    this.u16(linkType);
    this.u16(0);
    this.u32(this.snaplen);
    if (name) this.option(2, name);
    this.u16(9); // if_tsresol: 10^-9
    this.u16(1);
    this.u32(9);
    this.u32(0); // opt_endofopt
    this.u32(len);
    this.ifLinks.push(linkType);
    return this.ifLinks.length - 1;
  }

  /** Link type of interface `i`. */
  linkTypeOf(i: number): number | undefined {
    return this.ifLinks[i];
  }

  write(
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    origLen?: number,
    ifIndex?: number,
    comment?: string | null,
  ): void {
    const ifid = ifIndex ?? 0;
    if (ifid >= this.ifLinks.length) {
      if (ifid === 0) this.addInterface(this.defaultLinkType, null);
      else throw new CaptureWriteError(`no interface ${ifid} was added (${this.path})`);
    }
    const caplen = len > this.snaplen ? this.snaplen : len;
    let clen = comment ? Buffer.byteLength(comment, 'utf8') : 0;
    if (clen > 65535) {
      // Option values are limited to 65535 bytes: cut on a character boundary.
      comment = Buffer.from(comment as string, 'utf8').subarray(0, 65535).toString('utf8').replace(/\uFFFD$/, '');
      clen = Buffer.byteLength(comment, 'utf8');
    }
    const optLen = clen > 0 ? 4 + ((clen + 3) & ~3) + 4 : 0;
    const blen = 32 + ((caplen + 3) & ~3) + optLen;
    this.ensure(blen);
    this.u32(6);
    this.u32(blen);
    this.u32(ifid);
    this.timestamp(tsSec, tsNsec);
    this.u32(caplen);
    this.u32(Math.max(origLen ?? len, len));
    this.bytes(bytes, off, caplen);
    this.pad();
    if (clen > 0) {
      this.u16(1);
      this.u16(clen);
      this.pos += this.buf.write(comment as string, this.pos, clen, 'utf8');
      this.pad();
      this.u32(0);
    }
    this.u32(blen);
    this.packets++;
  }

  writeParts(
    head: Uint8Array,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array | null,
    commentNum: number,
  ): void {
    this.writeSplit(head, 0, headLen, bytes, off, len, tsSec, tsNsec, ifIndex, commentPrefix, commentNum);
  }

  writeSplit(
    head: Uint8Array,
    headOff: number,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array | null,
    commentNum: number,
  ): void {
    if (ifIndex >= this.ifLinks.length) {
      if (ifIndex === 0) this.addInterface(this.defaultLinkType, null);
      else throw new CaptureWriteError(`no interface ${ifIndex} was added (${this.path})`);
    }
    const total = headLen + len;
    const caplen = total > this.snaplen ? this.snaplen : total;
    const digits = commentNum >= 0 ? decimalDigits(commentNum) : 0;
    const clen = commentPrefix ? commentPrefix.length + digits : 0;
    const optLen = clen > 0 ? 4 + ((clen + 3) & ~3) + 4 : 0;
    const blen = 32 + ((caplen + 3) & ~3) + optLen;
    this.ensure(blen);
    this.u32(6);
    this.u32(blen);
    this.u32(ifIndex);
    this.timestamp(tsSec, tsNsec);
    this.u32(caplen);
    this.u32(total);
    this.parts(head, headOff, headLen, bytes, off, len, caplen);
    this.pad();
    if (clen > 0) {
      this.u16(1);
      this.u16(clen);
      const b = this.buf;
      let p = this.pos;
      const pre = commentPrefix as Uint8Array;
      copyWords(this.prefixViews.of(pre), 0, this.dv, p, pre.length);
      p += pre.length;
      let v = commentNum;
      if (v < 2147483648) {
        // Int32 division (V8 compiles it to integer ops; Math.floor(v / 10) is a float divide).
        let x = v | 0;
        for (let i = digits - 1; i >= 0; i--) {
          const q = (x / 10) | 0;
          b[p + i] = 48 + x - q * 10;
          x = q;
        }
      } else {
        for (let i = digits - 1; i >= 0; i--) {
          const q = Math.floor(v / 10);
          b[p + i] = 48 + v - q * 10;
          v = q;
        }
      }
      this.pos = p + digits;
      this.pad();
      this.u32(0);
    }
    this.u32(blen);
    this.packets++;
  }

  /**
   * The translate fast path's record, in one go (what {@link writeSplit} writes for an Ethernet
   * frame): the Enhanced Packet Block of an Ethernet frame whose header is the first 12 bytes of
   * `link` (the addresses) and `etherType`, followed by head[headOff..headOff+headLen) and
   * bytes[off..off+len), on interface `ifIndex`, with the comment `commentPrefix` + decimal
   * `commentNum` (>= 0). Falls back to writeSplit for what it does not cover (a frame cut by the
   * snapshot length, an interface not added yet).
   */
  writeEthernet(
    link: DataView,
    etherType: number,
    head: Uint8Array,
    headOff: number,
    headLen: number,
    bytes: Uint8Array,
    off: number,
    len: number,
    tsSec: number,
    tsNsec: number,
    ifIndex: number,
    commentPrefix: Uint8Array,
    commentNum: number,
  ): void {
    const total = 14 + headLen + len;
    if (!this.epbFits(total, ifIndex, commentNum) || !(tsSec >= 0 && Math.floor(tsSec) === tsSec)) {
      // (a second that is not a whole number >= 0: see secondBase())
      const hv = this.headViews.of(head);
      for (let i = 0; i < 12; i += 4) hv.setInt32(headOff - 14 + i, link.getInt32(i));
      hv.setUint16(headOff - 2, etherType);
      this.writeSplit(head, headOff - 14, headLen + 14, bytes, off, len, tsSec, tsNsec, ifIndex, commentPrefix, commentNum);
      return;
    }
    const digits = decimalDigits(commentNum);
    const blen = epbLength(total, commentPrefix.length + digits);
    let p = this.epbBegin(blen, ifIndex, tsSec, tsNsec, total);
    const dv = this.dv;
    const b = this.buf;
    dv.setInt32(p, link.getInt32(0));
    dv.setInt32(p + 4, link.getInt32(4));
    dv.setInt32(p + 8, link.getInt32(8));
    dv.setUint16(p + 12, etherType);
    p += 14;
    const hv = this.headViews.of(head);
    let i = 0;
    for (; i + 4 <= headLen; i += 4) dv.setInt32(p + i, hv.getInt32(headOff + i));
    for (; i < headLen; i++) b[p + i] = head[headOff + i];
    p += headLen;
    if (len > 32) {
      this.copyIn(bytes, off, len, p);
      p += len;
    } else for (let k = 0; k < len; k++) b[p++] = bytes[off + k];
    this.epbEnd(p, commentPrefix, commentNum, digits, blen);
  }

  /**
   * Whether {@link epbBegin} and {@link epbEnd} may write an enhanced packet block of `total`
   * captured bytes on `ifIndex` with comment number `commentNum` (what writeEthernet checks before
   * its one-call path): the rest take writeSplit.
   */
  epbFits(total: number, ifIndex: number, commentNum: number): boolean {
    return total <= this.snaplen && !this.finished && ifIndex < this.ifLinks.length && commentNum >= 0 && commentNum < 2147483648;
  }

  /**
   * The start of an enhanced packet block of `blen` bytes (epbLength) in the buffer, for a caller
   * that writes the packet's `total` bytes in place at the position returned, through
   * {@link recordBuffer} / {@link recordView}, then calls {@link epbEnd} (translate's batch path;
   * writeEthernet). Only for what {@link epbFits} accepts.
   */
  epbBegin(blen: number, ifIndex: number, tsSec: number, tsNsec: number, total: number): number {
    if (this.warmEth > 0 && !this.finished) this.warmEthernet();
    // (every call, not only at a new second: the path stays one that optimized code has seen)
    this.secondBase(tsSec);
    const tb = this.tsBase;
    this.ensure(blen);
    const dv = this.dv;
    const p = this.pos;
    dv.setUint32(p, 6, true);
    dv.setUint32(p + 4, blen, true);
    dv.setUint32(p + 8, ifIndex, true);
    // The timestamp: the second is the cached one (tsSec a whole number >= 0, as a capture's); +
    // nsec, at most one carry (added without a branch of its own, as in secondBase()).
    const sum = tb[2] + (tsNsec > 0 ? tsNsec : 0);
    const carry = sum >= 4294967296 ? 1 : 0;
    dv.setUint32(p + 12, (tb[1] + carry) >>> 0, true); // (mod 2^32 of an integer: `%` on a double would be x87 fprem)
    dv.setUint32(p + 16, sum - carry * 4294967296, true);
    dv.setUint32(p + 20, total, true);
    dv.setUint32(p + 24, total, true);
    return p + 28;
  }

  /** The end of {@link epbBegin}'s block: the packet's bytes end at `p`; the comment `commentPrefix` + `commentNum` (`digits` long). */
  epbEnd(p: number, commentPrefix: Uint8Array, commentNum: number, digits: number, blen: number): void {
    const dv = this.dv;
    const b = this.buf;
    const plen = commentPrefix.length;
    while (p & 3) b[p++] = 0;
    dv.setUint16(p, 1, true);
    dv.setUint16(p + 2, plen + digits, true);
    p += 4;
    const pv = this.prefixViews.of(commentPrefix);
    let i = 0;
    for (; i + 4 <= plen; i += 4) dv.setInt32(p + i, pv.getInt32(i));
    for (; i < plen; i++) b[p + i] = commentPrefix[i];
    p += plen;
    let x = commentNum | 0;
    for (let k = digits - 1; k >= 0; k--) {
      const q = (x / 10) | 0;
      b[p + k] = 48 + x - q * 10;
      x = q;
    }
    p += digits;
    while (p & 3) b[p++] = 0;
    dv.setUint32(p, 0, true);
    dv.setUint32(p + 4, blen, true);
    this.pos = p + 8;
    this.packets++;
  }

  /** The buffer {@link epbBegin}'s position is in (valid until the next write), and its DataView. */
  get recordBuffer(): Uint8Array {
    return this.buf;
  }
  get recordView(): DataView {
    return this.dv;
  }

  /** Copies src[off..off+len) to the buffer at p (a packet's payload, in place of an epbBegin record). */
  copyPayload(src: Uint8Array, off: number, len: number, p: number): void {
    this.copyIn(src, off, len, p);
  }

  /**
   * The first calls of writeEthernet also run its rare paths (the base of a new second, the
   * buffer's flush), whose results are the same: V8 records how a function's code runs only once
   * it has run a few times, and optimized code that met a path with no record is thrown away there
   * (at the run's first new second and first full buffer).
   */
  private warmEth = 64;
  private warmEthernet(): void {
    this.warmEth--;
    this.tsBase[0] = -1;
    // ensure()'s flush, through ensure() (n never more than the buffer: no growth).
    if (this.pos > 0) this.ensure(this.buf.length - this.pos + 1);
  }

  /**
   * tsBase for the second of `tsSec` (floor; 0 for anything not positive): sec * 1e9 as two 32-bit
   * halves, on 16-bit limbs (exact, no BigInt), computed once per distinct second.
   */
  private secondBase(tsSec: number): void {
    const sec = tsSec > 0 ? Math.floor(tsSec) : 0;
    const tb = this.tsBase;
    if (sec === tb[0]) return;
    const s0 = sec % 65536;
    const r1 = (sec - s0) / 65536;
    const s1 = r1 % 65536;
    const s2 = (r1 - s1) / 65536;
    let t = s0 * 1e9;
    const l0 = t % 65536;
    let c = (t - l0) / 65536;
    t = s1 * 1e9 + c;
    const l1 = t % 65536;
    c = (t - l1) / 65536;
    t = s2 * 1e9 + c;
    const l2 = t % 65536;
    c = (t - l2) / 65536;
    const l3 = c % 65536;
    tb[0] = sec;
    tb[1] = l2 + l3 * 65536;
    tb[2] = l0 + l1 * 65536;
  }

  /** ticks = tsSec * 1e9 + tsNsec, as two 32-bit halves. */
  private timestamp(tsSec: number, tsNsec: number): void {
    this.secondBase(tsSec);
    const tb = this.tsBase;
    // + nsec (< 2^32): at most one carry into the high half.
    const sum = tb[2] + (tsNsec > 0 ? tsNsec : 0);
    const carry = sum >= 4294967296 ? 1 : 0;
    this.u32((tb[1] + carry) >>> 0);
    this.u32(sum - carry * 4294967296);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/** The format a path asks for: `.pcap` -> pcap, anything else -> pcapng. */
export function formatForPath(path: string): 'pcap' | 'pcapng' {
  return path !== '-' && /\.pcap$/i.test(path) ? 'pcap' : 'pcapng';
}

/**
 * Open a capture writer on `path` (`-` = stdout). The file is created as `.NAME.tmp-PID` in the
 * same directory and renamed into place by `close()`. Throws {@link CaptureWriteError}
 * (exit code 2) when the output exists and `force` is not set, or cannot be created.
 */
export async function openCaptureWriter(path: string, opts: WriterOptions = {}): Promise<CaptureWriter> {
  const format = opts.format ?? formatForPath(path);
  let fh: FileHandle | null = null;
  let temp: string | null = null;
  if (path !== '-') {
    let st;
    try {
      st = await lstat(path);
    } catch {
      st = null;
    }
    if (st && (st.isCharacterDevice() || st.isFIFO() || st.isSocket())) {
      // /dev/null, /dev/stdout, a named pipe: write in place. A temp file renamed over a device
      // would replace the device itself.
      try {
        fh = await open(path, 'w');
      } catch (err) {
        throw new CaptureWriteError(`cannot open output: ${osReason(err)} (${path})`);
      }
      return format === 'pcap' ? new PcapWriter(path, fh, null, opts) : new PcapngWriter(path, fh, null, opts);
    }
    if (st) {
      if (st.isDirectory()) throw new CaptureWriteError(`output is a directory: ${path}`);
      if (!opts.force) throw new CaptureWriteError(`output exists: ${path} (use --force to replace it)`);
    }
    const base = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
    for (let i = 0; fh === null; i++) {
      temp = i === 0 ? base : `${base}-${i}`;
      try {
        fh = await open(temp, 'wx');
      } catch (err) {
        if ((err as { code?: string }).code === 'EEXIST' && i < 1000) continue;
        throw new CaptureWriteError(`cannot create output: ${osReason(err)} (${path})`);
      }
    }
  }
  return format === 'pcap' ? new PcapWriter(path, fh, temp, opts) : new PcapngWriter(path, fh, temp, opts);
}

async function canonical(p: string): Promise<string> {
  try {
    return await realpath(p);
  } catch {
    try {
      return join(await realpath(dirname(p)), basename(p));
    } catch {
      return resolve(p);
    }
  }
}

/**
 * True when `a` and `b` name the same file (same device and inode, or, for a path that does not
 * exist yet, the same resolved location). `-` (stdin/stdout) is never the same as anything.
 */
export async function samePath(a: string, b: string): Promise<boolean> {
  if (a === '-' || b === '-') return false;
  const [sa, sb] = await Promise.all([stat(a).catch(() => null), stat(b).catch(() => null)]);
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino;
  if (sa || sb) return false;
  return (await canonical(a)) === (await canonical(b));
}

/** A DataView over exactly the bytes of `b`. */
function viewOf(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** DataViews of the two Uint8Arrays last asked for (callers alternate between two heads). */
class Views {
  private a: Uint8Array | null = null;
  private av: DataView = new DataView(new ArrayBuffer(0));
  private b: Uint8Array | null = null;
  private bv: DataView = this.av;
  of(x: Uint8Array): DataView {
    if (x === this.a) return this.av;
    if (x !== this.b) {
      this.b = x;
      this.bv = viewOf(x);
    }
    // Most recent first.
    const t = this.a;
    const tv = this.av;
    this.a = this.b;
    this.av = this.bv;
    this.b = t;
    this.bv = tv;
    return this.av;
  }
}

/** Copies n bytes from src[so..) to dst[d..), a 32-bit word at a time (no allocation). */
function copyWords(src: DataView, so: number, dst: DataView, d: number, n: number): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) dst.setInt32(d + i, src.getInt32(so + i));
  for (; i < n; i++) dst.setUint8(d + i, src.getUint8(so + i));
}
