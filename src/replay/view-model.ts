/**
 * The viewer's model (`nat64scope view`, SPEC §7): an index of packet offsets and the engines'
 * outcome per packet, built by one streaming pass that runs off the render path, in slices.
 *
 * - Index: per packet its position in a random-access store, caplen, timestamp and link type, in
 *   chunked typed columns (about 17 bytes a packet, no decoded packets kept). Any packet is re-read
 *   and decoded on demand ({@link CaptureModel.packet}).
 *   Plain capture files are their own store (`pread` at the packet's offset). Gzip input, stdin
 *   and live packets have no random access: their packet bytes are appended to an unlinked temp
 *   file (a spool) as they are indexed, so nothing is read twice and no decompressed copy of the
 *   whole file is made before the first screen.
 * - Engines: the `translate --side auto` pipeline (SPEC §4) runs on every packet as it is
 *   indexed. What it emits for packet n is appended to a second spool; per packet the model keeps
 *   the kinds emitted (bits of EmitKind), the drop reason, and where its emits start in the spool.
 *   Packets emitted later by a timer are kept apart (bounded).
 * - Sessions: snapshots of the NAT64 BIB and session tables (at most 1000 entries of each kept per
 *   snapshot), taken after every packet while the entries copied stay under 4 per packet (plus
 *   an allowance: small captures are exact at every packet), sparser beyond; at most 512 snapshots and 100,000
 *   entries in all (packed: 72 bytes a session) (thinned two by two). The sessions pane shows the latest snapshot at or
 *   before the selected packet, and says which.
 * - Views: a filter (a predicate over decoded packets) is evaluated in the same background slices
 *   into a list of row numbers that grows as packets arrive.
 *
 * Sources: {@link openCaptureModel} indexes a file or stdin; a live source (`live`) creates a
 * model with `new CaptureModel({ store: 'spool', ... })`, calls {@link CaptureModel.ingest} for
 * each packet it sniffs (append only) and {@link CaptureModel.finish} at the end; the viewer
 * follows the end when its follow mode is on.
 */
import { openSync, readSync, writeSync, closeSync, unlinkSync, fstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { Readable } from 'node:stream';
import { CaptureParser, CaptureReadError, type ReadSummary } from '../pcap/reader.js';
import { holdNewSpace } from './gc.js';
import { osReason } from '../pcap/errors.js';
import { newPacket, type CapturedPacket } from '../pcap/packet.js';
import { LinkType } from '../pcap/linktype.js';
import { LinkLocator } from '../wire/link.js';
import { PacketDecoder } from '../wire/layer-decoder.js';
import { EmitKind, type Engine, type XlatSink, type Clock } from '../xlat/types.js';
import type { EngineConfig } from '../xlat/config-types.js';
import { createEngine } from '../xlat/engine.js';
import { Reason } from '../diag/reasons.js';
import type { Finding } from '../diag/finding.js';
import type { BibSnapshot, SessionSnapshot } from '../xlat/nat64/nat64-engine.js';
import { Column, Delta16Column, OffsetColumn, RunOffsetColumn, RowList } from './columns.js';
import { packBib, packSessions, unpackBib, unpackSessions, StateNames } from './session-pack.js';
import { maybeDns, type Dns64Hook } from './dns64.js';
import type { Dns64Result } from '../xlat/dns64/engine.js';

/** Bits of {@link CaptureModel.marks}. */
export const Mark = { Finding: 1, Drop: 2 } as const;
/** The per-row byte holds the emitted kinds (1 << EmitKind, bits 0-4) and the marks (bits 5-6). */
const KIND_BITS = 0x1f;
const MARK_SHIFT = 5;
const MARK_BITS = 0x60;

/** Kind of the counterpart that is DNS64's rewritten answer (not a translator emit). */
export const DNS64_ANSWER = 100;

/** One packet the translator emitted for an input packet, or DNS64's rewrite of it. */
export interface Counterpart {
  bytes: Uint8Array;
  family: 4 | 6;
  kind: EmitKind | typeof DNS64_ANSWER;
  /** Link type of `bytes` when they carry a link layer (DNS64's rewrite keeps the input's); absent: raw IP. */
  linkType?: number;
}

/**
 * What DNS64 did with a DNS packet, as `translate --explain` says it (`action`, `reason`,
 * `detail`) and as `dns64` prints it (`resolver`, `answer`).
 */
export interface Dns64Decision {
  action: 'kept' | 'rewritten' | 'passed';
  reason: string;
  detail: string;
  /** The query name and type it answered, or null (a query, not an AAAA/PTR answer). */
  question: string | null;
  /** What the resolver in the capture answered (`dns64`'s "resolver …"), or null. */
  resolver: string | null;
  /** What a DNS64 answers (`dns64`'s "dns64 …": `same`, the synthesized records, …), or null. */
  answer: string | null;
}

export interface SessionsAt {
  /** The row (0-based) the snapshot was taken after. */
  row: number;
  bib: BibSnapshot[];
  sessions: SessionSnapshot[];
  /** Entries in the engine at that time (the lists may hold fewer: bounded). */
  bibTotal: number;
  sessionTotal: number;
}

/**
 * A filter as the model evaluates it: true to show the packet. `usesFindings`: it reads the
 * findings, so the view is scanned again when they arrive (they come from a second pass).
 */
export type RowPredicate = ((p: CapturedPacket, d: PacketDecoder, row: number) => boolean) & { usesFindings?: boolean };

export interface ModelOptions {
  /** File name shown in the status bar. */
  name: string;
  config: EngineConfig;
  /** `file`: packets are re-read from `path`; `spool`: packet bytes are kept in a temp file. */
  store: 'file' | 'spool';
  path?: string;
  /** Input size in bytes for the progress figure (0 = unknown). */
  totalBytes?: number;
  /**
   * The DNS64 step of `translate` (SPEC §4), consulted before the translator for every packet;
   * null or absent: no DNS64 (`--no-dns64`).
   */
  dns64?: Dns64Hook | null;
  /**
   * Learn A data from the whole input before DNS64 answers anything, as `translate` does for a
   * file (an AAAA answer may come before the A answer of the same name). The engines then wait at
   * the first DNS packet until indexing has finished, and catch up from the store. Off (live,
   * stdin): one pass, as `translate` on stdin.
   */
  prepass?: boolean;
  /**
   * Live: keep only the most recent packets (at most `packets`, and the packets and emits of the
   * last `bytes` bytes each, in circular spools); older rows leave the model ({@link
   * CaptureModel.evicted}) and memory and disk stay flat however long it runs.
   */
  window?: { packets: number; bytes: number };
  /**
   * Live: an engine that runs elsewhere (the capture session's): its tables feed the sessions
   * pane, and packets come in with {@link CaptureModel.ingestProcessed} (no second engine run).
   */
  engine?: Engine;
  /** Live: names of the captured interfaces, by the packets' `ifIndex` (the list's interface column). */
  interfaces?: readonly string[];
  /** Another consumer of the model's engine run (see {@link EngineTap}). */
  tap?: EngineTap | null;
}

/**
 * Another consumer of what the model's engine does (`view`: analyze's CaptureAnalyzer with a
 * shared engine, src/replay/analyze.ts): one engine for the sessions pane and the findings.
 * Packets come in order, each once, as the engine runs on them (while indexing, or later when the
 * engines catch up after DNS64's A-data pre-pass). A tap that throws is detached (a warning).
 */
export interface EngineTap {
  /** The engine is about to run on `p` (borrowed; `p.number` is its number). */
  before(p: CapturedPacket): void;
  /** Gets every emit and drop of the engine too, in order (a timer's, about earlier packets, too). */
  readonly sink: XlatSink;
  /** The engine has run on `p`; `reconstructed`: its reconstruct() took it (a translator's output). */
  after(p: CapturedPacket, reconstructed: boolean): void;
  /** Every packet went through; the engine's timers are drained into {@link sink} next. */
  beforeDrain(engine: Engine): void;
  /** Drained: the tap has seen everything. */
  end(): void;
}

/** Live pairing of a packet with one on the other side of a real translator ({@link CaptureModel.setPairing}). */
export type PairKind = 'ok' | 'wrong' | 'missing' | 'unexpected';
const PAIR_KINDS: readonly PairKind[] = ['ok', 'wrong', 'missing', 'unexpected'];

/** DNS64's decision for a packet processed elsewhere (see {@link CaptureModel.ingestProcessed}). */
export interface ProcessedDns64 {
  verdict: { action: 'kept' | 'rewritten' | 'passed'; reason: string; detail: string };
  result: Dns64Result | null;
  /** The rewritten packet (link layer as captured), or null. */
  swapped: Uint8Array | null;
  family: 4 | 6;
}

/** One packet an outside engine emitted (see {@link CaptureModel.ingestProcessed}). */
export interface ProcessedEmit {
  bytes: Uint8Array;
  off: number;
  len: number;
  family: 4 | 6;
  kind: EmitKind;
}

const SPOOL_BUF = 1 << 20;

/** An append-only unlinked temp file with a write buffer; records never straddle a flush. */
export class Spool {
  private readonly fd: number;
  private readonly buf = new Uint8Array(SPOOL_BUF);
  private used = 0;
  /** Bytes written to the file. */
  private flushed = 0;
  private closed = false;

  /**
   * `limit` > 0: a circular file of that many bytes (live): position p is kept at p % limit, so
   * only the last `limit` bytes appended can be read back (the caller forgets older records).
   */
  constructor(tag: string, private readonly limit = 0) {
    const path = join(tmpdir(), `nat64scope-${tag}-${process.pid}-${Math.random().toString(36).slice(2)}`);
    this.fd = openSync(path, 'w+', 0o600);
    unlinkSync(path);
  }

  /** Total bytes appended. */
  get size(): number {
    return this.flushed + this.used;
  }

  /** Appends bytes[off..off+len) (plus `head` first, when given) as one record; returns its position. */
  append(bytes: Uint8Array, off: number, len: number, head?: Uint8Array): number {
    const pos = this.size;
    const hl = head ? head.length : 0;
    if (this.used + hl + len > SPOOL_BUF) this.flush();
    if (hl + len > SPOOL_BUF) {
      if (head) this.writeAll(head, 0, hl);
      this.writeAll(bytes, off, len);
      return pos;
    }
    if (head) {
      this.buf.set(head, this.used);
      this.used += hl;
    }
    this.buf.set(bytes.subarray(off, off + len), this.used);
    this.used += len;
    return pos;
  }

  private writeAll(b: Uint8Array, off: number, len: number): void {
    let done = 0;
    while (done < len) {
      const at = this.flushed + done;
      const phys = this.limit ? at % this.limit : at;
      const n = this.limit ? Math.min(len - done, this.limit - phys) : len - done;
      done += writeSync(this.fd, b, off + done, n, phys);
    }
    this.flushed += len;
  }

  flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buf, 0, this.used);
    this.used = 0;
  }

  /** Reads [pos, pos+len) into out[0..len). */
  read(pos: number, len: number, out: Uint8Array): void {
    if (pos >= this.flushed) {
      out.set(this.buf.subarray(pos - this.flushed, pos - this.flushed + len), 0);
      return;
    }
    if (!this.limit) {
      readFully(this.fd, out, len, pos);
      return;
    }
    let done = 0;
    while (done < len) {
      const phys = (pos + done) % this.limit;
      const n = Math.min(len - done, this.limit - phys);
      readFully(this.fd, out.subarray(done), n, phys);
      done += n;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

function readFully(fd: number, out: Uint8Array, len: number, pos: number): void {
  let done = 0;
  while (done < len) {
    const n = readSync(fd, out, done, len - done, pos + done);
    if (n <= 0) break;
    done += n;
  }
}

/** Emit record header in the emit spool: length u32 LE, family, kind, link type u16 LE (DNS64 records). */
const EMIT_HDR = 8;
/** Emit-spool record kinds beyond EmitKind: DNS64's decision (JSON text), DNS64's rewritten packet. */
const REC_DNS64_NOTE = 200;
const REC_DNS64_PACKET = 201;
/** Bytes read at once when the engines catch up from the store. */
const CATCHUP_BLOCK = 1 << 20;

/** Largest number of snapshots kept (older ones thinned out two by two). */
const MAX_SNAPSHOTS = 512;
/** Largest number of entries kept per snapshot list. */
const MAX_SNAPSHOT_ENTRIES = 1000;
/** Entries (BIB + sessions) kept across all snapshots (packed: at most ~7 MB). */
const MAX_SNAPSHOT_TOTAL = 100_000;
/** Table entries snapshots may copy beyond 4 per packet. */
const SNAPSHOT_ALLOWANCE = 100_000;
/** Packets emitted by timers kept for the detail pane. */
const MAX_DEFERRED = 10000;

/** A snapshot as kept: packed bytes (see session-pack.ts). */
interface Snapshot {
  row: number;
  bib: Uint8Array;
  sessions: Uint8Array;
  bibTotal: number;
  sessionTotal: number;
}

interface SnapshotEngine {
  bibEntries(first?: number): BibSnapshot[];
  sessions(last?: number): SessionSnapshot[];
  /** When present: the sizes, and the bounded lists above build only what is kept. */
  tableSizes?(): { bib: number; sessions: number };
}

function hasTables(e: Engine): e is Engine & SnapshotEngine {
  return typeof (e as Partial<SnapshotEngine>).sessions === 'function' && typeof (e as Partial<SnapshotEngine>).bibEntries === 'function';
}

/** A filtered view: the rows that match, grown in the background. */
export interface ModelView {
  readonly label: string;
  readonly rows: RowList;
  /** Rows examined so far. */
  scanned: number;
}

export class CaptureModel {
  readonly name: string;
  readonly config: EngineConfig;
  readonly storeKind: 'file' | 'spool';
  /** Input bytes (for progress; 0 = unknown). */
  totalBytes: number;
  /** Input bytes consumed so far. */
  bytesRead = 0;

  // --- the index -----------------------------------------------------------------------------
  private n = 0;
  private readonly offs = new OffsetColumn();
  /** Captured lengths; 0xffff: look in {@link bigCaplens} (jumbo frames, rare). */
  private readonly caplens = new Column(Uint16Array);
  private readonly bigCaplens = new Map<number, number>();
  private readonly secs = new Delta16Column();
  private readonly nsecs = new Column(Uint32Array);
  private readonly links = new Column(Uint8Array);
  private readonly linkTable: number[] = [];
  private readonly origLens = new Map<number, number>();
  private firstSec = 0;
  private firstNsec = 0;
  /** Rows below this have left the window (live). */
  private first = 0;
  /** The engine runs outside (live): its tables are as of the newest packet. */
  private readonly outsideEngine: boolean;
  /** When ingestProcessed last took a snapshot (performance.now()). */
  private lastSnapAt = -Infinity;
  private readonly window: { packets: number; bytes: number } | null;
  // --- engine outcome ------------------------------------------------------------------------
  private readonly kinds = new Column(Uint8Array);
  /** Live: interface index per row, pairing kind (1 + index in PAIR_KINDS) and partner's number. */
  private readonly ifaceCol = new Column(Uint8Array);
  private readonly pairKinds = new Column(Uint8Array);
  private readonly pairPeers = new Column(Int32Array);
  private pairingSeen = false;
  private pairingChanges = 0;
  private readonly ifaceNames: readonly string[];
  private readonly drops = new Column(Uint8Array);
  /** Where each row's records start in the emit spool (plain offsets with a window: evict reads them per packet). */
  private readonly outOffs: RunOffsetColumn | OffsetColumn;
  private readonly deferred = new Map<number, Counterpart[]>();
  private deferredCount = 0;
  /** Totals for the status bar. */
  dropped = 0;
  translated = 0;
  reconstructed = 0;
  generated = 0;
  findings: Finding[] = [];
  private readonly findingsByRow = new Map<number, string[]>();
  findingsState: 'pending' | 'ready' | 'unavailable' = 'pending';

  private readonly fd: number | null;
  private readonly packetSpool: Spool | null;
  private readonly emitSpool: Spool;
  private readonly engine: Engine;
  private readonly locator = new LinkLocator();
  private readonly clock: Clock = { sec: 0, nsec: 0 };
  private readonly sink: ModelSink;
  private snapshots: Snapshot[] = [];
  private snapEvery = 1;
  private snapEntries = 0;
  private snapCopied = 0;
  private readonly stateNames = new StateNames();
  private unpacked: { from: Snapshot; at: SessionsAt } | null = null;
  private nextSnap = 0;
  private done = false;
  private err: string | null = null;
  private warnings: string[] = [];
  private closed = false;
  private readonly listeners = new Set<() => void>();
  private view: ModelView | null = null;
  private pred: RowPredicate | null = null;
  private readonly filterDecoder = new PacketDecoder();
  private readonly pkt: CapturedPacket = newPacket();
  private pktBuf = new Uint8Array(65536 + 64);
  private readonly hdr = new Uint8Array(EMIT_HDR);
  private readonly dns64: Dns64Hook | null;
  private readonly prepass: boolean;
  private readonly preLocator = new LinkLocator();
  /** Rows the engines have run on (they lag behind the index while DNS64 waits for A data). */
  private replayed = 0;
  /** The engines wait for the end of indexing (a DNS packet met while learning A data). */
  private waitIndex = false;
  private indexed = false;
  private catchBuf: Uint8Array | null = null;
  private catchPos = 0;
  private catchLen = 0;
  private readonly catchPkt: CapturedPacket = newPacket();
  private readonly doneWaiters: (() => void)[] = [];
  private tap: EngineTap | null;

  constructor(opts: ModelOptions) {
    this.name = opts.name;
    this.config = opts.config;
    this.storeKind = opts.store;
    this.totalBytes = opts.totalBytes ?? 0;
    this.window = opts.window ?? null;
    this.ifaceNames = opts.interfaces ?? [];
    this.outOffs = this.window ? new OffsetColumn() : new RunOffsetColumn();
    this.emitSpool = new Spool('emit', this.window ? this.window.bytes : 0);
    if (opts.store === 'file') {
      if (!opts.path) throw new Error('a file store needs a path');
      this.fd = openSync(opts.path, 'r');
      this.packetSpool = null;
    } else {
      this.fd = null;
      this.packetSpool = new Spool('packets', this.window ? this.window.bytes : 0);
    }
    this.engine = opts.engine ?? createEngine(opts.config);
    this.outsideEngine = opts.engine !== undefined;
    this.sink = new ModelSink(this);
    this.tap = opts.tap ?? null;
    this.sink.tap = this.tap?.sink ?? null;
    this.dns64 = opts.dns64 ?? null;
    this.prepass = this.dns64 !== null && (opts.prepass ?? false);
  }

  // --- ingest (the indexing pass) ------------------------------------------------------------

  /** Appends one packet (borrowed: its bytes are copied or located, never kept). */
  ingest(p: CapturedPacket): void {
    if (this.closed) return;
    const row = this.index(p);
    if (this.prepass) {
      // A data first (translate's pre-pass), learnt as the packet is indexed.
      const pl = this.preLocator;
      if (pl.locate(p.data, p.offset, p.caplen, p.linkType) !== 0) {
        this.dns64!.prescan(p.data, p.offset, p.caplen, p.linkType, pl.ipOff);
        // DNS64 answers nothing before it has seen every A answer: the engines stop here.
        if (!this.waitIndex && maybeDns(p.data, pl.ipOff, p.offset + p.caplen)) this.waitIndex = true;
      }
    }
    if (!this.waitIndex && this.replayed === row) this.replay(p, row);
    if (this.window) this.evict();
  }

  /** Runs the engines on the packet at `row` (the next one not replayed). */
  private replay(p: CapturedPacket, row: number): void {
    this.runEngine(p, row);
    this.replayed = row + 1;
    if (this.replayed >= this.nextSnap) this.snapshot(row);
  }

  /**
   * Live, with {@link ModelOptions.engine}: appends a packet that engine has just processed
   * (borrowed, copied). `emitted[0..count)` is what it emitted for the packet, `drop` its drop
   * reason (0: none). The model's own engine does not run.
   */
  ingestProcessed(p: CapturedPacket, drop: number, emitted: readonly ProcessedEmit[], count: number, dns64?: ProcessedDns64 | null): void {
    if (this.closed) return;
    const row = this.index(p);
    const s = this.sink;
    s.row = row;
    s.kinds = 0;
    s.dropCode = drop;
    this.outOffs.set(row, this.emitSpool.size);
    if (dns64) this.recordDns64(dns64.verdict, dns64.result, dns64.swapped, p.linkType, dns64.family);
    for (let k = 0; k < count; k++) {
      const e = emitted[k];
      this.recordEmit(e.bytes, e.off, e.len, e.family, e.kind, row + 1);
    }
    this.outcome(row);
    this.replayed = row + 1;
    // Later emits (timers) are about earlier packets.
    s.row = -1;
    // Live: at most one snapshot per 50 ms (a burst at start would otherwise copy the growing
    // tables after every packet and hold up the capture); slow traffic still gets one per packet.
    if (this.replayed >= this.nextSnap) {
      const now = performance.now();
      if (now - this.lastSnapAt >= 50) {
        this.lastSnapAt = now;
        this.snapshot(row);
      }
    }
    if (this.window) this.evict();
  }

  /** Live: rows that have left the window (the first row still held). */
  evicted(): number {
    return this.first;
  }

  /** The first shown position still held (0 unless rows have left the window). */
  shownFirst(): number {
    if (this.first === 0) return 0;
    return this.view ? this.view.rows.lowerBound(this.first) : this.first;
  }

  /** Forgets the oldest rows beyond the window: fixed memory, and spools that wrap around. */
  private evict(): void {
    const w = this.window!;
    const pmin = this.packetSpool ? this.packetSpool.size - w.bytes : -Infinity;
    const emin = this.emitSpool.size - w.bytes;
    const old = this.first;
    let f = old;
    while (f < this.n - 1 && (this.n - f > w.packets || this.offs.get(f) < pmin || this.outOffs.get(f) < emin)) f++;
    if (f === old) return;
    this.first = f;
    if (this.view && this.view.scanned < f) this.view.scanned = f;
    if (f >>> 16 === old >>> 16) return;
    // A chunk of every column is behind: free it, and what the maps hold about those rows.
    for (const c of [this.offs, this.caplens, this.secs, this.nsecs, this.links, this.kinds, this.drops, this.outOffs, this.ifaceCol, this.pairKinds, this.pairPeers]) c.dropBefore(f);
    for (const k of this.bigCaplens.keys()) if (k < f) this.bigCaplens.delete(k);
    if (this.view) this.view.rows.dropBefore(this.view.rows.lowerBound(f));
    for (const k of this.origLens.keys()) if (k < f) this.origLens.delete(k);
    for (const [k, list] of this.deferred) {
      if (k >= f) continue;
      this.deferredCount -= list.length;
      this.deferred.delete(k);
    }
    for (const k of this.findingsByRow.keys()) if (k < f) this.findingsByRow.delete(k);
  }

  /** Adds one finding (live: a pairing problem as it is found) and marks its packets. */
  addFinding(f: Finding): void {
    this.findings.push(f);
    this.findingsState = 'ready';
    for (const num of f.packets) {
      const r = num - 1;
      if (r < this.first || r >= this.n) continue;
      this.kinds.set(r, this.kinds.get(r) | (Mark.Finding << MARK_SHIFT));
      const ids = this.findingsByRow.get(r);
      if (!ids) this.findingsByRow.set(r, [f.id]);
      else if (!ids.includes(f.id)) ids.push(f.id);
    }
    this.changed();
  }

  /** Indexes one packet (copied into the spool, or located in the file); returns its row. */
  private index(p: CapturedPacket): number {
    const row = this.n;
    const pos = this.packetSpool ? this.packetSpool.append(p.data, p.offset, p.caplen) : p.fileOffset;
    this.offs.set(row, pos);
    if (p.caplen < 0xffff) this.caplens.set(row, p.caplen);
    else {
      this.caplens.set(row, 0xffff);
      this.bigCaplens.set(row, p.caplen);
    }
    if (p.origLen !== p.caplen) this.origLens.set(row, p.origLen);
    if (row === 0) {
      this.firstSec = p.tsSec;
      this.firstNsec = p.tsNsec;
    }
    this.secs.set(row, p.tsSec - this.firstSec);
    this.nsecs.set(row, p.tsNsec);
    let li = this.linkTable.indexOf(p.linkType);
    if (li < 0) {
      li = this.linkTable.length;
      if (li < 256) this.linkTable.push(p.linkType);
      else li = 255;
    }
    this.links.set(row, li);
    if (p.ifIndex) this.ifaceCol.set(row, p.ifIndex < 255 ? p.ifIndex : 255);
    this.n = row + 1;
    return row;
  }

  private runEngine(p: CapturedPacket, row: number): void {
    const s = this.sink;
    s.row = row;
    s.kinds = 0;
    s.dropCode = 0;
    this.outOffs.set(row, this.emitSpool.size);
    this.clock.sec = p.tsSec;
    this.clock.nsec = p.tsNsec;
    const num = row + 1;
    const tap = this.tap;
    if (tap !== null) {
      try {
        tap.before(p);
      } catch (e) {
        this.tapFailed(e);
      }
    }
    let reconstructed = false;
    const v = this.locator.locate(p.data, p.offset, p.caplen, p.linkType);
    if (v === 0) {
      s.dropCode = Reason.NotIp;
      this.engine.advance(this.clock, s);
    } else {
      let bytes = p.data;
      let ipOff = this.locator.ipOff;
      let len = p.caplen - this.locator.linkLen;
      // DNS64 first, as in translate: a rewritten answer is what goes through the translator.
      const dns64 = this.dns64;
      if (dns64) {
        const swapped = dns64.packet(p.data, p.offset, p.caplen, p.linkType, ipOff, num);
        if (dns64.verdict) this.recordDns64(dns64.verdict, dns64.result, swapped, p.linkType, v === 4 ? 4 : 6);
        if (swapped) {
          bytes = swapped;
          ipOff = this.locator.linkLen;
          len = swapped.length - this.locator.linkLen;
        }
      }
      if (this.engine.reconstruct(bytes, ipOff, len, this.clock, num, s)) reconstructed = true;
      else this.engine.process(bytes, ipOff, len, this.clock, num, s);
    }
    this.outcome(row);
    if (this.tap !== null) {
      try {
        this.tap.after(p, reconstructed);
      } catch (e) {
        this.tapFailed(e);
      }
    }
  }

  /** The tap threw: it is detached, the model goes on. */
  private tapFailed(e: unknown): void {
    this.tap = null;
    this.sink.tap = null;
    this.warn(`engine tap failed: ${e instanceof Error ? e.message : String(e)}`);
  }

  /** Records what the engine made of the row (the sink's kinds and drop code). */
  private outcome(row: number): void {
    const s = this.sink;
    // Bits 0-4: what was emitted; 5-6: the marks (a finding may have marked the row already).
    this.kinds.set(row, (this.kinds.get(row) & MARK_BITS) | s.kinds);
    this.drops.set(row, s.dropCode);
    if (s.dropCode !== 0 && !notForTranslator(s.dropCode) && s.dropCode !== Reason.FragmentsHeld && (s.kinds & ((1 << EmitKind.Translated) | (1 << EmitKind.Reconstructed) | (1 << EmitKind.Hairpinned))) === 0) {
      this.dropped++;
      this.kinds.set(row, this.kinds.get(row) | (Mark.Drop << MARK_SHIFT));
    }
    if (s.kinds & (1 << EmitKind.Translated)) this.translated++;
    if (s.kinds & (1 << EmitKind.Reconstructed)) this.reconstructed++;
  }

  /** DNS64's decision (and its rewritten packet) go to the emit spool with the packet's emits. */
  private recordDns64(v: ProcessedDns64['verdict'], r: Dns64Result | null, swapped: Uint8Array | null, linkType: number, family: 4 | 6): void {
    const d: Dns64Decision = {
      action: v.action,
      reason: v.reason,
      detail: v.detail,
      question: r ? `${r.name} ${r.qtype}` : null,
      resolver: r ? r.resolver ?? 'no response captured' : null,
      answer: r ? dns64AnswerText(r) : null,
    };
    const text = new TextEncoder().encode(JSON.stringify(d));
    this.appendRecord(text, 0, text.length, family, REC_DNS64_NOTE, 0);
    if (swapped) this.appendRecord(swapped, 0, swapped.length, family, REC_DNS64_PACKET, linkType);
  }

  private appendRecord(bytes: Uint8Array, off: number, len: number, family: number, kind: number, linkType: number): void {
    const h = this.hdr;
    h[0] = len & 0xff;
    h[1] = (len >>> 8) & 0xff;
    h[2] = (len >>> 16) & 0xff;
    h[3] = (len >>> 24) & 0xff;
    h[4] = family;
    h[5] = kind;
    h[6] = linkType & 0xff;
    h[7] = (linkType >>> 8) & 0xff;
    this.emitSpool.append(bytes, off, len, h);
  }

  /** Called by the sink. */
  recordEmit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    if (kind === EmitKind.IcmpError || kind === EmitKind.Deferred) this.generated++;
    const row = about - 1;
    if (row === this.sink.row && kind !== EmitKind.Deferred) {
      this.appendRecord(bytes, off, len, family, kind, 0);
      this.sink.kinds |= 1 << kind;
      return;
    }
    // Emitted later (a timer) about an earlier packet, or about no packet.
    if (row >= 0 && row < this.replayed) {
      this.kinds.set(row, this.kinds.get(row) | (1 << kind));
      if (this.deferredCount < MAX_DEFERRED) {
        this.deferredCount++;
        const list = this.deferred.get(row) ?? [];
        list.push({ bytes: bytes.slice(off, off + len), family, kind });
        this.deferred.set(row, list);
      }
    }
  }

  private snapshot(row: number, force = false): void {
    if (!hasTables(this.engine)) {
      this.nextSnap = Number.POSITIVE_INFINITY;
      return;
    }
    // Budget: entries copied (each a few objects from the engine's snapshot API) may average 4
    // per packet, plus an allowance, so that small captures get one per packet (exact) and big
    // ones stay fast.
    if (!force && this.snapCopied > SNAPSHOT_ALLOWANCE + 4 * this.replayed) {
      this.nextSnap = this.replayed + this.snapEvery;
      return;
    }
    // The first MAX_SNAPSHOT_ENTRIES BIB entries and the last sessions. An engine that tells its
    // sizes builds only those (big tables: a few thousand objects per snapshot, not several per
    // session: on the 5M bench capture that garbage made the peak); the others copy all.
    const eng = this.engine;
    const sizes = eng.tableSizes ? eng.tableSizes() : null;
    const bib = sizes ? eng.bibEntries(MAX_SNAPSHOT_ENTRIES) : eng.bibEntries();
    const sessions = sizes ? eng.sessions(MAX_SNAPSHOT_ENTRIES) : eng.sessions();
    const bibTotal = sizes ? sizes.bib : bib.length;
    const sessionTotal = sizes ? sizes.sessions : sessions.length;
    const keptBib = bib.length > MAX_SNAPSHOT_ENTRIES ? bib.slice(0, MAX_SNAPSHOT_ENTRIES) : bib;
    const keptSessions = sessions.length > MAX_SNAPSHOT_ENTRIES ? sessions.slice(-MAX_SNAPSHOT_ENTRIES) : sessions;
    const snap: Snapshot = {
      row,
      bib: packBib(keptBib),
      sessions: packSessions(keptSessions, this.stateNames),
      bibTotal,
      sessionTotal,
    };
    this.snapshots.push(snap);
    this.snapEntries += keptBib.length + keptSessions.length;
    while (this.snapshots.length > MAX_SNAPSHOTS || this.snapEntries > MAX_SNAPSHOT_TOTAL) {
      // Thin out: keep every other one (and the latest), and take them half as often from now on.
      this.snapshots = this.snapshots.filter((_, i) => i % 2 === 1 || i === this.snapshots.length - 1);
      this.snapEntries = this.snapshots.reduce((n, x) => n + x.bib.length / 32 + x.sessions.length / 72, 0);
      this.snapEvery *= 2;
    }
    // The cadence is as when every entry was copied (the sessions pane shows the same snapshots).
    this.snapCopied += bibTotal + sessionTotal;
    // Big tables: a copy makes as many objects as entries (the engine's snapshot API), so space
    // them by 50 packets per entry: the garbage stays a small fraction of the packets' own.
    const total = bibTotal + sessionTotal;
    this.nextSnap = this.replayed + Math.max(this.snapEvery, total > MAX_SNAPSHOT_ENTRIES ? 50 * total : 1);
  }

  /**
   * End of input. When the engines are behind (DNS64 waited for A data), they catch up from the
   * store in slices in the background; then the engine's timers are drained and a last snapshot
   * taken, and {@link finished} turns true.
   */
  finish(): void {
    if (this.done || this.indexed) return;
    this.indexed = true;
    this.packetSpool?.flush();
    if (this.replayed >= this.n) {
      this.complete();
      return;
    }
    const loop = (): void => {
      if (this.closed) return;
      if (this.catchUp(8)) setImmediate(loop);
      else this.complete();
    };
    setImmediate(loop);
  }

  /**
   * A full garbage collection (`view` passes one, as `analyze` does), run between slices every
   * {@link collectEvery} slices: closed flows and spent engine state die old, and V8 collects
   * them lazily; collecting as it goes keeps the peak near what is alive (README: How it stays fast).
   */
  collect: (() => void) | null = null;
  collectEvery = 1024;
  private slices = 0;

  /** Called between two slices of background work. */
  sliceDone(): void {
    if (this.collect && ++this.slices % this.collectEvery === 0) this.collect();
  }

  /** Resolves once {@link finished} (or failed, or closed). */
  whenFinished(): Promise<void> {
    if (this.done || this.closed) return Promise.resolve();
    return new Promise((r) => this.doneWaiters.push(r));
  }

  /** Replays indexed rows from the store for at most `budgetMs`; true when more remains. */
  private catchUp(budgetMs: number): boolean {
    const t0 = performance.now();
    while (this.replayed < this.n && !this.closed) {
      const row = this.replayed;
      this.replay(this.blockPacket(row), row);
      // As sliceDone while indexing: about as many packets as 1024 slices hold.
      if (this.collect && (row & 0x1ffff) === 0x1ffff) this.collect();
      if ((row & 63) === 63 && performance.now() - t0 > budgetMs) break;
    }
    this.scanFilter(2);
    return this.replayed < this.n;
  }

  /** The packet at `row` read through a block buffer (sequential catch-up: one read per MiB). */
  private blockPacket(row: number): CapturedPacket {
    const caplen = this.caplenOf(row);
    const pos = this.offs.get(row);
    if (!this.catchBuf || this.catchBuf.length < caplen) this.catchBuf = new Uint8Array(Math.max(CATCHUP_BLOCK, caplen));
    if (pos < this.catchPos || pos + caplen > this.catchPos + this.catchLen) {
      const b = this.catchBuf;
      const storeEnd = this.packetSpool ? this.packetSpool.size : Number.POSITIVE_INFINITY;
      const len = Math.max(caplen, Math.min(b.length, storeEnd - pos));
      if (this.packetSpool) this.packetSpool.read(pos, len, b);
      else readFully(this.fd!, b, len, pos);
      this.catchPos = pos;
      this.catchLen = len;
    }
    const p = this.catchPkt;
    p.data = this.catchBuf;
    p.offset = pos - this.catchPos;
    p.caplen = caplen;
    p.origLen = this.origLens.get(row) ?? caplen;
    p.tsSec = this.secs.get(row) + this.firstSec;
    p.tsNsec = this.nsecs.get(row);
    p.linkType = this.linkTable[this.links.get(row)] ?? LinkType.RAW;
    p.number = row + 1;
    p.fileOffset = pos;
    return p;
  }

  private complete(): void {
    if (this.done) return;
    this.sink.row = -1;
    if (this.tap !== null) {
      try {
        this.tap.beforeDrain(this.engine);
      } catch (e) {
        this.tapFailed(e);
      }
    }
    this.engine.drain(this.sink);
    const tap = this.tap;
    if (tap !== null) {
      this.tap = null;
      this.sink.tap = null;
      try {
        tap.end();
      } catch (e) {
        this.warn(`engine tap failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (this.n > 0) this.snapshot(this.n - 1, true);
    this.emitSpool.flush();
    this.done = true;
    this.catchBuf = null;
    this.changed();
    this.wake();
  }

  private wake(): void {
    for (const w of this.doneWaiters.splice(0)) w();
  }

  fail(message: string): void {
    this.err = message;
    this.done = true;
    this.changed();
    this.wake();
  }

  warn(message: string): void {
    if (this.warnings.length < 20) this.warnings.push(message);
  }

  // --- queries (the UI) ----------------------------------------------------------------------

  private caplenOf(row: number): number {
    const c = this.caplens.get(row);
    return c === 0xffff ? this.bigCaplens.get(row) ?? c : c;
  }

  /** Packets indexed so far. */
  count(): number {
    return this.n;
  }

  finished(): boolean {
    return this.done;
  }

  error(): string | null {
    return this.err;
  }

  warningList(): readonly string[] {
    return this.warnings;
  }

  /** 0..1 of the input read, or -1 when the size is unknown. */
  progress(): number {
    if (this.done) return 1;
    return this.totalBytes > 0 ? Math.min(1, this.bytesRead / this.totalBytes) : -1;
  }

  /**
   * The packet at `row` (0-based), read back from the store. Borrowed: valid until the next call
   * (copy what you keep).
   */
  packet(row: number): CapturedPacket {
    const p = this.pkt;
    const caplen = this.caplenOf(row);
    if (this.pktBuf.length < caplen) this.pktBuf = new Uint8Array(caplen);
    const pos = this.offs.get(row);
    if (this.packetSpool) this.packetSpool.read(pos, caplen, this.pktBuf);
    else readFully(this.fd!, this.pktBuf, caplen, pos);
    p.data = this.pktBuf;
    p.offset = 0;
    p.caplen = caplen;
    p.origLen = this.origLens.get(row) ?? caplen;
    p.tsSec = this.secs.get(row) + this.firstSec;
    p.tsNsec = this.nsecs.get(row);
    const li = this.links.get(row);
    p.linkType = this.linkTable[li] ?? LinkType.RAW;
    p.ifIndex = 0;
    p.section = 0;
    p.number = row + 1;
    p.fileOffset = pos;
    return p;
  }

  /** Capture time of a row in seconds. */
  time(row: number): number {
    return this.secs.get(row) + this.firstSec + this.nsecs.get(row) / 1e9;
  }

  firstTime(): number {
    return this.n > 0 ? this.firstSec + this.firstNsec / 1e9 : 0;
  }

  /** Bits (1 << EmitKind) of what the engine emitted for the packet. */
  emittedKinds(row: number): number {
    return this.kinds.get(row) & KIND_BITS;
  }

  /** The drop reason code (0 = none). */
  dropReason(row: number): number {
    return this.drops.get(row);
  }

  /** The engine's verdict for the packet, as `translate --explain` names it (filters: `verdict`). */
  verdict(row: number): string {
    return verdictName(this.kinds.get(row) & KIND_BITS, this.drops.get(row));
  }

  /** Ids of the findings that name the packet. */
  findingIds(row: number): readonly string[] {
    return this.findingsByRow.get(row) ?? NO_IDS;
  }

  /** Live: the interface the packet was captured on (null: one interface, or not live). */
  interfaceOf(row: number): string | null {
    if (this.ifaceNames.length < 2 || row < this.first || row >= this.n) return null;
    return this.ifaceNames[this.ifaceCol.get(row)] ?? null;
  }

  /** Live: the captured interfaces' names (empty when not live). */
  interfaces(): readonly string[] {
    return this.ifaceNames;
  }

  /**
   * Live pairing: the packet at `row` went into (or came out of) a real translator; `peer` is the
   * number of the packet it paired with on the other side (0: none, `missing`/`unexpected`).
   * A problem overrides an earlier `ok`.
   */
  setPairing(row: number, kind: PairKind, peer: number): void {
    if (row < this.first || row >= this.n) return;
    const k = PAIR_KINDS.indexOf(kind) + 1;
    if (kind === 'ok' && this.pairKinds.get(row) > 1) return;
    this.pairKinds.set(row, k);
    this.pairPeers.set(row, peer);
    this.pairingSeen = true;
    this.pairingChanges++;
  }

  /** Changes with every {@link setPairing} (the screen polls it: no notification per packet). */
  pairingVersion(): number {
    return this.pairingChanges;
  }

  /** Live pairing of the packet, or null (none yet, or no pairing). */
  pairingOf(row: number): { kind: PairKind; peer: number } | null {
    if (row < this.first || row >= this.n) return null;
    const k = this.pairKinds.get(row);
    return k ? { kind: PAIR_KINDS[k - 1], peer: this.pairPeers.get(row) } : null;
  }

  /** Whether any packet has been paired (the list then shows the pairing column). */
  hasPairing(): boolean {
    return this.pairingSeen;
  }

  /** Bits of {@link Mark}. */
  marks(row: number): number {
    return (this.kinds.get(row) & MARK_BITS) >>> MARK_SHIFT;
  }

  /** Whether the engines have run on the row (as it is indexed, or later when DNS64 waits for A data). */
  processed(row: number): boolean {
    return row < this.replayed;
  }

  /** Whether the whole input has been indexed (the engines may still be catching up). */
  indexingDone(): boolean {
    return this.indexed || this.done;
  }

  /** Rows the engines have run on. */
  replayedCount(): number {
    return this.replayed;
  }

  /** What DNS64 did with the packet at `row` (null: not a DNS packet, no DNS64, or not replayed yet). */
  dns64At(row: number): Dns64Decision | null {
    for (const r of this.records(row)) if (r.kind === REC_DNS64_NOTE) return JSON.parse(new TextDecoder().decode(r.bytes)) as Dns64Decision;
    return null;
  }

  /** The emit-spool records of `row`: its emits and DNS64's (copies). */
  private records(row: number): { bytes: Uint8Array; family: 4 | 6; kind: number; linkType: number }[] {
    const out: { bytes: Uint8Array; family: 4 | 6; kind: number; linkType: number }[] = [];
    if (row < this.first || row >= this.replayed) return out;
    const start = this.outOffs.get(row);
    const end = row + 1 < this.replayed ? this.outOffs.get(row + 1) : this.emitSpool.size;
    let pos = start;
    const h = new Uint8Array(EMIT_HDR);
    while (pos + EMIT_HDR <= end) {
      this.emitSpool.read(pos, EMIT_HDR, h);
      const len = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
      if (pos + EMIT_HDR + len > end) break;
      const b = new Uint8Array(len);
      this.emitSpool.read(pos + EMIT_HDR, len, b);
      out.push({ bytes: b, family: h[4] === 4 ? 4 : 6, kind: h[5], linkType: h[6] | (h[7] << 8) });
      pos += EMIT_HDR + len;
    }
    return out;
  }

  /**
   * Everything the translator emitted for the packet at `row` (copies), then DNS64's rewritten
   * answer when it rewrote the packet (kind {@link DNS64_ANSWER}).
   */
  counterparts(row: number): Counterpart[] {
    const out: Counterpart[] = [];
    let answer: Counterpart | null = null;
    for (const r of this.records(row)) {
      if (r.kind === REC_DNS64_NOTE) continue;
      if (r.kind === REC_DNS64_PACKET) answer = { bytes: r.bytes, family: r.family, kind: DNS64_ANSWER, linkType: r.linkType };
      else out.push({ bytes: r.bytes, family: r.family, kind: r.kind as EmitKind });
    }
    const later = this.deferred.get(row);
    if (later) out.push(...later);
    if (answer) out.push(answer);
    return out;
  }

  /** The NAT64 tables as of the latest snapshot at or before `row` (null: SIIT, or none yet). */
  sessionsAt(row: number): SessionsAt | null {
    // Live (the engine runs outside): snapshots are spaced in time, so the newest packet may have
    // none; the engine's tables are as of that packet right now: take one.
    if (this.outsideEngine && row === this.n - 1 && !this.done && (this.snapshots.length === 0 || this.snapshots[this.snapshots.length - 1].row < row)) this.snapshot(row, true);
    const s = this.snapshots;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid].row <= row) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return null;
    const x = s[lo - 1];
    if (this.unpacked?.from !== x) {
      this.unpacked = { from: x, at: { row: x.row, bib: unpackBib(x.bib), sessions: unpackSessions(x.sessions, this.stateNames), bibTotal: x.bibTotal, sessionTotal: x.sessionTotal } };
    }
    return this.unpacked.at;
  }

  /** Findings from `analyze` (marks their packets). */
  setFindings(findings: Finding[], state: 'ready' | 'unavailable' = 'ready'): void {
    this.findings = findings;
    this.findingsState = state;
    this.findingsByRow.clear();
    for (const f of findings) {
      for (const num of f.packets) {
        const r = num - 1;
        if (r >= 0 && r < this.n) this.kinds.set(r, this.kinds.get(r) | (Mark.Finding << MARK_SHIFT));
        const ids = this.findingsByRow.get(r);
        if (!ids) this.findingsByRow.set(r, [f.id]);
        else if (!ids.includes(f.id)) ids.push(f.id);
      }
    }
    if (this.view && this.pred?.usesFindings) this.view = { label: this.view.label, rows: new RowList(), scanned: 0 };
    this.changed();
  }

  /** Bytes held by the index and outcome columns. */
  indexBytes(): number {
    return this.offs.bytes() + this.caplens.bytes() + this.secs.bytes() + this.nsecs.bytes() + this.links.bytes() + this.kinds.bytes() + this.drops.bytes() + this.outOffs.bytes();
  }

  // --- filtered views ------------------------------------------------------------------------

  /** Shows only rows matching `pred` (null: all). The view fills in the background. */
  setFilter(pred: RowPredicate | null, label: string): ModelView | null {
    this.pred = pred;
    this.view = pred ? { label, rows: new RowList(), scanned: this.first } : null;
    this.scanFilter(5);
    this.changed();
    return this.view;
  }

  currentView(): ModelView | null {
    return this.view;
  }

  /** Evaluates the filter on new rows for at most `budgetMs`; true when more remains. */
  scanFilter(budgetMs: number): boolean {
    const v = this.view;
    const pred = this.pred;
    if (!v || !pred) return false;
    const t0 = performance.now();
    const d = this.filterDecoder;
    // Rows the engines have not run on yet wait (filters may ask for the verdict).
    while (v.scanned < this.replayed) {
      const row = v.scanned;
      const p = this.packet(row);
      d.decode(p.data, p.offset, p.caplen, p.linkType);
      let ok = false;
      try {
        ok = pred(p, d, row);
      } catch {
        ok = false;
      }
      if (ok) v.rows.push(row);
      v.scanned++;
      if ((v.scanned & 255) === 0 && performance.now() - t0 > budgetMs) break;
    }
    return v.scanned < this.replayed;
  }

  /** Number of rows shown (the filtered view's, or all). */
  shownCount(): number {
    return this.view ? this.view.rows.length : this.n;
  }

  /** The row shown at position i. */
  shownRow(i: number): number {
    return this.view ? this.view.rows.get(i) : i;
  }

  /** Position of the first shown row >= row. */
  positionOf(row: number): number {
    return this.view ? this.view.rows.lowerBound(row) : Math.min(row, this.n);
  }

  // --- change notification (the UI polls at its own rate; this is for tests and live) --------

  onChange(cb: () => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  changed(): void {
    for (const cb of this.listeners) cb();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    this.emitSpool.close();
    this.packetSpool?.close();
    if (this.fd !== null) {
      try {
        closeSync(this.fd);
      } catch {
        /* closed */
      }
    }
  }
}

const NO_IDS: readonly string[] = [];

/** What a DNS64 answers, worded as `nat64scope dns64` prints it ("same", "nothing", the records). */
export function dns64AnswerText(r: Dns64Result): string {
  if (r.action === 'keep') return 'same';
  if (r.action === 'none' && !r.message) return 'nothing';
  const recs = r.answers.filter((a) => a.type === r.qtype || a.type === 'CNAME' || a.type === 'DNAME');
  if (recs.length === 0) return r.rcode === 3 ? 'NXDOMAIN' : r.rcode === 0 ? 'no answer' : `rcode ${r.rcode}`;
  return recs.map((a) => (a.type === r.qtype ? `${a.data} (TTL ${a.ttl})` : `${a.type} ${a.data}`)).join(', ');
}

/** The verdict names of `translate --explain` (and of the filter field `verdict`). */
export function verdictName(kinds: number, drop: number): string {
  if (kinds & (1 << EmitKind.Reconstructed)) return 'reconstructed';
  if (kinds & (1 << EmitKind.Hairpinned)) return 'hairpinned';
  if (kinds & (1 << EmitKind.Translated)) return 'translated';
  if (drop === Reason.FragmentsHeld) return 'held';
  if (kinds & (1 << EmitKind.IcmpError)) return 'error-generated';
  return drop ? 'dropped' : 'absorbed';
}

/** Drop codes that only say the packet never went through the translator (not a failure). */
export function notForTranslator(reason: number): boolean {
  return reason === Reason.Pool6Mismatch || reason === Reason.NotToPool4 || reason === Reason.NotIp;
}

class ModelSink implements XlatSink {
  row = -1;
  kinds = 0;
  dropCode = 0;
  /** {@link EngineTap.sink}: gets every emit and drop too. */
  tap: XlatSink | null = null;
  constructor(private readonly model: CaptureModel) {}
  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    this.model.recordEmit(bytes, off, len, family, kind, about);
    if (this.tap !== null) this.tap.emit(bytes, off, len, family, kind, about);
  }
  drop(reason: number, about: number): void {
    if (about - 1 === this.row) this.dropCode = reason;
    if (this.tap !== null) this.tap.drop(reason, about);
  }
}

export interface OpenOptions {
  config: EngineConfig;
  /** Bytes read per slice: smaller slices answer keys sooner. */
  sliceBytes?: number;
  /** Called when indexing has finished or failed. */
  onDone?: (model: CaptureModel) => void;
  /** Name shown (default: the path, or `stdin`). */
  name?: string;
  /**
   * Indexing stops after the first slice until this resolves: the first screen is drawn (and
   * the UI's modules loaded) without the rest of the file competing for the CPU.
   */
  startGate?: Promise<void>;
  /** The DNS64 step (see {@link ModelOptions.dns64}); with a file, its A data is learnt from the whole file first. */
  dns64?: Dns64Hook | null;
  /**
   * Each packet as it is read, before the model takes it (borrowed, unchanged): another consumer
   * of the same pass (`view` feeds analyze's CaptureAnalyzer here: the file is read once).
   */
  onPacket?: (p: CapturedPacket) => void;
  /** The reader's summary once the whole input has been read (before the engines have caught up). */
  onIndexed?: (summary: ReadSummary) => void;
  /** Another consumer of the model's engine run (see {@link EngineTap}). */
  tap?: EngineTap | null;
}

const SLICE = 128 * 1024;
/** The slice read before the first screen when there is a start gate (about 40-80 packets). */
const FIRST_SLICE = 48 * 1024;

function isGzip(b: Uint8Array, off: number, len: number): boolean {
  return len >= 2 && b[off] === 0x1f && b[off + 1] === 0x8b;
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Opens `path` (`-` for stdin) and starts indexing it in the background, one slice per event
 * loop turn; returns at once. Errors (not a capture, unreadable) end up in `model.error()`.
 */
export function openCaptureModel(path: string, opts: OpenOptions): CaptureModel {
  const stdin = path === '-';
  let gzip = false;
  let size = 0;
  if (!stdin) {
    let fd: number;
    try {
      fd = openSync(path, 'r'); // the caller hears of ENOENT etc. before any UI
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      throw new CaptureReadError(`cannot read capture: ${osReason(err)} (${path})`, typeof code === 'string' ? code : undefined);
    }
    try {
      size = fstatSync(fd).size;
      const head = new Uint8Array(2);
      const n = readSync(fd, head, 0, 2, 0);
      gzip = isGzip(head, 0, n);
    } finally {
      closeSync(fd);
    }
  }
  const model = new CaptureModel({
    name: opts.name ?? (stdin ? 'stdin' : path),
    config: opts.config,
    store: stdin || gzip ? 'spool' : 'file',
    path: stdin || gzip ? undefined : path,
    totalBytes: gzip ? 0 : size,
    dns64: opts.dns64 ?? null,
    tap: opts.tap ?? null,
    // As translate: the A-data pre-pass for a file, one pass from stdin.
    prepass: !stdin,
  });
  const onPacket = opts.onPacket;
  const parser = new CaptureParser(onPacket ? (p) => {
    onPacket(p);
    model.ingest(p);
  } : (p) => model.ingest(p), { name: model.name, onWarning: (m) => model.warn(m) });
  const slice = opts.sliceBytes ?? SLICE;
  let gate = opts.startGate;
  const run = async (): Promise<void> => {
    if (stdin || gzip) {
      const src: Readable = stdin ? process.stdin : createReadStream(path, { highWaterMark: slice });
      let first = true;
      let stream: AsyncIterable<Uint8Array> = src;
      if (gzip) stream = src.pipe(createGunzip({ chunkSize: slice }));
      for await (const chunk of stream) {
        const c = chunk as Uint8Array;
        if (first && stdin) {
          first = false;
          if (isGzip(c, 0, c.length)) {
            const gz = createGunzip({ chunkSize: slice });
            const rest = Readable.from((async function* () {
              yield c;
              for await (const more of src) yield more as Uint8Array;
            })());
            for await (const g of rest.pipe(gz)) {
              await feed(g as Uint8Array);
              if (parser.stopped) break;
            }
            break;
          }
        }
        await feed(c);
        if (parser.stopped) break;
      }
    } else {
      const fd = openSync(path, 'r');
      let pos = 0;
      try {
        for (;;) {
          const room = parser.reserve();
          // Before the first screen (a gate): a smaller slice, enough rows for a screen, so that
          // the first frame does not wait for cold engine and analyze code on more packets.
          const n = readSync(fd, parser.buffer, parser.fillOffset, Math.min(room, gate ? Math.min(slice, FIRST_SLICE) : slice), pos);
          if (n <= 0) break;
          pos += n;
          model.bytesRead = pos;
          parser.commit(n);
          if (parser.stopped) break;
          if (gate) {
            await gate;
            gate = undefined;
          }
          await backgroundTurn(model);
        }
      } finally {
        closeSync(fd);
      }
    }
    const summary = parser.end(); // throws CaptureFormatError for a file that is not a capture
    if (parser.corrupt) model.warn('capture framing is broken: stopped reading there');
    model.finish();
    opts.onIndexed?.(summary);
    await model.whenFinished();
  };
  async function feed(c: Uint8Array): Promise<void> {
    // Push in slices so that one big chunk does not hold the event loop.
    for (let o = 0; o < c.length && !parser.stopped; o += slice) {
      const part = c.subarray(o, Math.min(c.length, o + slice));
      parser.push(part);
      model.bytesRead += part.length;
      if (gate) {
        await gate;
        gate = undefined;
      }
      await backgroundTurn(model);
    }
  }
  run().then(
    () => opts.onDone?.(model),
    (e: unknown) => {
      model.fail(e instanceof Error ? e.message : String(e));
      opts.onDone?.(model);
    },
  );
  return model;
}

/**
 * Resolves once the model has its first packets, has finished, or has failed (a file that is not
 * a capture fails on its first bytes): what a command waits for before opening the UI.
 */
export async function firstPackets(model: CaptureModel, maxMs = 2000): Promise<void> {
  const t0 = Date.now();
  while (model.count() === 0 && !model.finished() && Date.now() - t0 < maxMs) await tick();
}

/** Between two slices of indexing: let the UI run, and move the filter scan on a little. */
async function backgroundTurn(model: CaptureModel): Promise<void> {
  model.scanFilter(4);
  model.sliceDone();
  await tick();
}

/**
 * Keeps the filtered view scanning after indexing has finished (the indexing loop scans as it
 * goes). Returns a stop function.
 */
export function startFilterPump(model: CaptureModel): () => void {
  let stopped = false;
  const loop = (): void => {
    if (stopped) return;
    const more = model.scanFilter(8);
    setTimeout(loop, more ? 0 : 50);
  };
  loop();
  return () => {
    stopped = true;
  };
}

export { fullGc } from './gc.js';

/**
 * `view` only (a process-wide V8 setting, made before the capture is opened): the young
 * generation stays at its first size (two 1 MiB semi-spaces) instead of growing to 2 x 16 MiB
 * ({@link holdNewSpace}, never released: no code cache is made from a view run). Measured on the
 * 5M-packet bench capture: that young generation was ~30 MB of the peak RSS; kept small, the
 * peak drops by that and the indexing pass costs the same CPU (the engines and the model
 * allocate little per packet, so scavenges stay cheap). README: How it stays fast.
 */
export function smallYoungGeneration(): void {
  holdNewSpace();
}
