/**
 * The streaming flow table of `analyze` (and the viewer): TCP, UDP, ICMP query identifiers and
 * other protocols, keyed across both families. The caller (src/replay/analyze.ts) fills one
 * reusable {@link FlowPacket} per packet with the packet's *IPv6-side* tuple — the packet's own
 * tuple for IPv6, the tuple of its translation / reconstruction for IPv4 (as the engine gives it)
 * — so an IPv6 flow and its IPv4 translation are one flow. Packets whose IPv4 form has no IPv6
 * counterpart keep their IPv4 tuple.
 *
 * Per flow: handshake state, SYN retries, retransmissions (a segment whose data lies at or below
 * the highest sequence already seen in that direction, on that side: same sequence, same length
 * is the common case), RSTs, FINs, the longest idle gap, packets and bytes per direction and per
 * side, MSS in each direction, largest segment, first and last time and packet, the ICMP errors
 * that quote it, the engine's drops. Memory is bounded per flow (a few numbers and at most
 * {@link MAX_SAMPLES} packet numbers); flows idle longer than `expireAfter` (or closed for longer
 * than `closedAfter`) leave the table through `onClose`, so the table grows with live flows, not
 * with packets. Lookups allocate nothing: the packet's key words are hashed and compared in
 * typed arrays; addresses are interned into small integers once per flow.
 */
import { Addr6Intern, fmix } from '../xlat/nat64/addr6-intern.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';

/** Shared empty list (never pushed to). */
const NONE: number[] = [];

/** At most this many packet numbers are kept per flow (and per category). */
export const MAX_SAMPLES = 8;

export const FlowState = {
  /** Not TCP. */
  None: 0,
  /** SYN seen, nothing back. */
  SynSent: 1,
  /** SYN-ACK seen. */
  SynReceived: 2,
  Established: 3,
  /** FIN from one end. */
  Closing: 4,
  /** FIN from both ends. */
  Closed: 5,
  Reset: 6,
  /** The capture starts in the middle of the connection. */
  Midstream: 7,
} as const;
export const FLOW_STATE_NAMES = ['none', 'syn-sent', 'syn-received', 'established', 'closing', 'closed', 'reset', 'midstream'] as const;

const TCP_FIN = 0x01;
const TCP_SYN = 0x02;
const TCP_RST = 0x04;
const TCP_ACK = 0x10;

/** One packet as the flow table sees it; the analyzer fills and reuses a single instance. */
export class FlowPacket {
  n = 0;
  /** Capture time, seconds. */
  ts = 0;
  /** Bytes on the wire (IP packet and above). */
  wireLen = 0;
  /** Family of the captured packet (the side of the translator it was seen on). */
  side: 4 | 6 = 6;
  /** 6 TCP, 17 UDP, 58 ICMP query (both families), or the IP protocol number. */
  proto = 0;
  /** Key addresses: source at 0, destination at 16 (IPv4: the first 4 bytes of each). */
  readonly key = new Uint8Array(32);
  /** The same bytes as 8 native-order words (hashing and comparing). */
  readonly keyWords = new Int32Array(this.key.buffer);
  keyV4 = false;
  sport = 0;
  dport = 0;
  tcpFlags = 0;
  seq = 0;
  payloadLen = 0;
  mss = -1;
  /** The IPv4 tuple of this packet (its own, or its translation's), when it has one. */
  hasV4 = false;
  v4src = 0;
  v4dst = 0;
  v4sport = 0;
  v4dport = 0;
  /** Engine verdict for it: drop reason (0 = none). */
  drop = 0;
}

export class Flow {
  // Field order = V8's in-object layout: what every packet touches (account(), tcp()) comes
  // first, in the object's first cache lines; the rest follows.
  readonly proto: number;
  state: number = FlowState.None;
  /** Per direction (0 = a->b, 1 = b->a). */
  pktsAB = 0;
  pktsBA = 0;
  bytesAB = 0;
  bytesBA = 0;
  /** Packets seen per side of the translator. */
  side6 = 0;
  side4 = 0;
  last = 0;
  lastN = 0;
  maxGap = 0;
  hasV4 = false;
  /**
   * The IPv4 side of the flow (a's translated address and port, b's IPv4 address and port); the
   * addresses as the caller gives them (analyze: signed 32-bit, read them with `>>> 0`).
   */
  v4a = 0;
  v4aPort = 0;
  v4b = 0;
  v4bPort = 0;
  largestA = 0;
  largestB = 0;
  /** Highest sequence end per slot (side 6/4 x direction), and which slots are set. */
  endSet = 0;
  end0 = 0;
  end1 = 0;
  end2 = 0;
  end3 = 0;
  /** Packets the engine dropped, and the first reason. */
  drops = 0;
  /** Packet numbers: first few, then the retransmissions. */
  readonly samples: number[] = [];
  /** Endpoint a (initiator) and b, as interned ids, ports, addresses (16 bytes; IPv4 in 0..3). */
  readonly idA: number;
  readonly idB: number;
  readonly portA: number;
  readonly portB: number;
  readonly v4Key: boolean;
  /** The table that interned the addresses (they are kept there once, not per flow). */
  private readonly table: FlowTable;
  /** Its slot in the table's index while it is live, -1 after it left. */
  slot = -1;
  /** Sequence number of creation (stable order). */
  readonly seqNo: number;
  first = 0;
  firstN = 0;
  /** SYNs from a, per side (6, 4) — retries are the count on one side minus one. */
  syn6 = 0;
  syn4 = 0;
  synAcks = 0;
  rstA = 0;
  rstB = 0;
  finA = 0;
  finB = 0;
  mssA = -1;
  mssB = -1;
  /** MSS of b's SYN-ACK as seen on the IPv6 side (what the IPv6 host was told). */
  mssB6 = -1;
  /** Retransmitted segments (with data or SYN/FIN), per direction. */
  retransA = 0;
  retransB = 0;
  /** Retransmissions at the direction's largest segment size (>= 1200 bytes). */
  fullSizeRetrans = 0;
  /** The packet that ended the longest gap. */
  maxGapN = 0;
  /** ICMP errors quoting this flow; the lowest MTU a PTB / Fragmentation Needed carried. */
  icmpErrors = 0;
  ptbCount = 0;
  ptbMtuMin = 0;
  /** Time Exceeded errors, and how many came from the flow's own destination address. */
  timeExceeded = 0;
  timeExceededFromDst = 0;
  dropReason = 0;
  /** Allocated on first use (most flows have none). */
  retransSamples: number[] = NONE;
  icmpSamples: number[] = NONE;
  /** A DNS name that resolved to b's address (set by the analyzer), or null. */
  name: string | null = null;
  /** Rule ids that named this flow (filled at finish). */
  findings: string[] | null = null;

  constructor(table: FlowTable, p: FlowPacket, idA: number, idB: number, seqNo: number, swap: boolean) {
    this.table = table;
    this.proto = p.proto;
    this.idA = swap ? idB : idA;
    this.idB = swap ? idA : idB;
    this.portA = swap ? p.dport : p.sport;
    this.portB = swap ? p.sport : p.dport;
    this.v4Key = p.keyV4;
    this.seqNo = seqNo;
    this.first = p.ts;
    this.last = p.ts;
    this.firstN = p.n;
    this.lastN = p.n;
  }

  /** Address of a (16 bytes; IPv4 in bytes 0..3). A new array per call: not for hot paths. */
  get addrA(): Uint8Array {
    return this.table.addressBytes(this.idA);
  }
  get addrB(): Uint8Array {
    return this.table.addressBytes(this.idB);
  }

  get packets(): number {
    return this.pktsAB + this.pktsBA;
  }

  /** SYN retries (SYNs beyond the first on the side that saw most). */
  get synRetries(): number {
    const s = this.syn6 > this.syn4 ? this.syn6 : this.syn4;
    return s > 1 ? s - 1 : 0;
  }

  /** A TCP flow whose SYNs were never answered (no SYN-ACK, no RST, nothing back). */
  get unanswered(): boolean {
    return this.proto === 6 && (this.syn6 > 0 || this.syn4 > 0) && this.synAcks === 0 && this.rstB === 0 && this.pktsBA === 0;
  }

  addrText(which: 'a' | 'b'): string {
    const b = which === 'a' ? this.addrA : this.addrB;
    return this.v4Key ? ipv4ToString(b, 0) : ipv6ToString(b, 0);
  }

  /** `tcp [2001:db8::1]:49152 > [64:ff9b::c633:6407]:443` — the flow key as reports print it. */
  keyText(): string {
    const a = this.addrText('a');
    const b = this.addrText('b');
    const pa = this.v4Key ? a : `[${a}]`;
    const pb = this.v4Key ? b : `[${b}]`;
    const name = protoName(this.proto);
    if (this.proto === 6 || this.proto === 17) return `${name} ${pa}:${this.portA} > ${pb}:${this.portB}`;
    if (this.proto === 58) return `${name} ${a} > ${b} id ${this.portA}`;
    return `${name} ${a} > ${b}`;
  }
}

export function protoName(p: number): string {
  return p === 6 ? 'tcp' : p === 17 ? 'udp' : p === 58 ? 'icmp' : p === 50 ? 'esp' : p === 47 ? 'gre' : p === 132 ? 'sctp' : `proto-${p}`;
}

export interface FlowTableOptions {
  /** Seconds of idleness after which a flow leaves the table. */
  expireAfter: number;
  /** Seconds after a close (both FINs, or a RST) after which it leaves the table. */
  closedAfter: number;
  /** Hard limit of live flows: beyond it, the oldest leave first. */
  maxLive: number;
  /** Idle gap (seconds) that counts as an idle-timeout candidate, per protocol (tcp, udp). */
  onClose: (f: Flow) => void;
}

/** Int32 words per slot in the table's key store: addresses of a (4) and b (4), ports, protocol. */
const SLOT_WORDS = 10;

/**
 * The live flows, indexed by their key: an open-addressing hash table (linear probing, deletion
 * by backward shift) over typed arrays. A slot holds a live flow's key words in the flow's a/b
 * orientation; a lookup hashes the packet's key words (the same for both directions), compares
 * words, and allocates nothing. Addresses are interned only when a flow is created.
 */
export class FlowTable {
  private readonly v6 = new Addr6Intern();
  private readonly v4 = new Map<number, number>();
  /** IPv4 addresses by id (the reverse of `v4`). */
  private readonly v4List: number[] = [];
  /** Slot -> live flow (null when free), its key words and hash; free slots. */
  private flows: (Flow | null)[] = [];
  private keys = new Int32Array(1024 * SLOT_WORDS);
  private hashes = new Int32Array(1024);
  private readonly free: number[] = [];
  /**
   * Hash table of (slot + 1, hash) pairs (0 = empty): a probe reads the hash next to the slot.
   * Buckets a power of two, at least twice the live flows.
   */
  private index = new Int32Array(2048 * 2);
  private mask = 2047;
  /** Key words of find()'s argument. */
  private readonly scratch = new FlowPacket();
  private created = 0;
  live = 0;
  peakLive = 0;
  closedCount = 0;
  private lastSweep = 0;
  private sinceSweep = 0;
  /** The flow of the last observed packet and its direction (0 a->b, 1 b->a). */
  dir = 0;

  constructor(private readonly opts: FlowTableOptions) {}

  private idOf(b: Uint8Array, off: number, v4: boolean): number {
    if (v4) {
      const a = ((b[off] << 24) | (b[off + 1] << 16) | (b[off + 2] << 8) | b[off + 3]) >>> 0;
      let id = this.v4.get(a);
      if (id === undefined) {
        id = this.v4.size;
        this.v4.set(a, id);
        this.v4List.push(a);
      }
      return id * 2 + 1;
    }
    return this.v6.intern(b, off) * 2;
  }

  /** The address of an interned id: 16 bytes (IPv4 in the first 4). */
  addressBytes(id: number): Uint8Array {
    const out = new Uint8Array(16);
    if ((id & 1) === 0) this.v6.copyTo(id >> 1, out, 0);
    else {
      const a = this.v4List[id >> 1];
      out[0] = a >>> 24;
      out[1] = (a >>> 16) & 0xff;
      out[2] = (a >>> 8) & 0xff;
      out[3] = a & 0xff;
    }
    return out;
  }

  /** Finds the flow of (proto, src, sport, dst, dport) in either direction, or null; sets `dir`. */
  find(proto: number, key: Uint8Array, v4: boolean, sport: number, dport: number): Flow | null {
    const s = this.scratch;
    const n = v4 ? 4 : 16;
    for (let i = 0; i < n; i++) {
      s.key[i] = key[i];
      s.key[16 + i] = key[16 + i];
    }
    s.proto = proto;
    s.keyV4 = v4;
    s.sport = sport;
    s.dport = dport;
    const slot = this.lookup(s, keyHashOf(s));
    return slot < 0 ? null : this.flows[slot];
  }

  /** The slot of p's flow (direction in `dir`), or -1. */
  private lookup(p: FlowPacket, h: number): number {
    const w = p.keyWords;
    const v4 = p.keyV4;
    const meta = p.proto * 2 + (v4 ? 1 : 0);
    const pab = (p.sport << 16) | p.dport;
    const pba = (p.dport << 16) | p.sport;
    const s0 = w[0], d0 = w[4];
    const s1 = v4 ? 0 : w[1], s2 = v4 ? 0 : w[2], s3 = v4 ? 0 : w[3];
    const d1 = v4 ? 0 : w[5], d2 = v4 ? 0 : w[6], d3 = v4 ? 0 : w[7];
    const index = this.index;
    const keys = this.keys;
    const mask = this.mask;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const e = index[2 * i];
      if (e === 0) return -1;
      if (index[2 * i + 1] !== h) continue;
      const slot = e - 1;
      const k = slot * SLOT_WORDS;
      if (keys[k + 9] !== meta) continue;
      const ports = keys[k + 8];
      if (ports === pab && keys[k] === s0 && keys[k + 4] === d0 && keys[k + 1] === s1 && keys[k + 2] === s2 && keys[k + 3] === s3 && keys[k + 5] === d1 && keys[k + 6] === d2 && keys[k + 7] === d3) {
        this.dir = 0;
        return slot;
      }
      if (ports === pba && keys[k] === d0 && keys[k + 4] === s0 && keys[k + 1] === d1 && keys[k + 2] === d2 && keys[k + 3] === d3 && keys[k + 5] === s1 && keys[k + 6] === s2 && keys[k + 7] === s3) {
        this.dir = 1;
        return slot;
      }
    }
  }

  /** Accounts one packet; returns its flow (direction in `dir`). */
  observe(p: FlowPacket): Flow {
    const h = keyHashOf(p);
    const slot = this.lookup(p, h);
    let f: Flow;
    if (slot >= 0) f = this.flows[slot]!;
    else {
      // The initiator: the sender of the first packet, unless that is a SYN-ACK.
      const swap = p.proto === 6 && (p.tcpFlags & (TCP_SYN | TCP_ACK)) === (TCP_SYN | TCP_ACK);
      const ia = this.idOf(p.key, 0, p.keyV4);
      const ib = this.idOf(p.key, 16, p.keyV4);
      f = new Flow(this, p, ia, ib, this.created++, swap);
      this.insert(f, p, h, swap);
      this.dir = swap ? 1 : 0;
      this.live++;
      if (this.live > this.peakLive) this.peakLive = this.live;
      if (p.proto === 6) f.state = (p.tcpFlags & TCP_SYN) !== 0 ? FlowState.SynSent : FlowState.Midstream;
    }
    this.account(f, p, this.dir);
    if (++this.sinceSweep >= 8192 || this.live > this.opts.maxLive) this.maybeSweep(p.ts);
    return f;
  }

  private insert(f: Flow, p: FlowPacket, h: number, swap: boolean): void {
    if ((this.live + 1) * 2 > this.mask + 1) this.growIndex();
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.flows.length;
      this.flows.push(null);
      if (slot >= this.hashes.length) {
        const hs = new Int32Array(this.hashes.length * 2);
        hs.set(this.hashes);
        this.hashes = hs;
        const ks = new Int32Array(this.keys.length * 2);
        ks.set(this.keys);
        this.keys = ks;
      }
    }
    this.flows[slot] = f;
    f.slot = slot;
    this.hashes[slot] = h;
    const w = p.keyWords;
    const v4 = p.keyV4;
    const k = slot * SLOT_WORDS;
    const ks = this.keys;
    const a = swap ? 4 : 0;
    const b = swap ? 0 : 4;
    for (let i = 0; i < 4; i++) {
      ks[k + i] = v4 && i > 0 ? 0 : w[a + i];
      ks[k + 4 + i] = v4 && i > 0 ? 0 : w[b + i];
    }
    ks[k + 8] = (f.portA << 16) | f.portB;
    ks[k + 9] = p.proto * 2 + (v4 ? 1 : 0);
    this.place(slot, h);
  }

  private place(slot: number, h: number): void {
    const mask = this.mask;
    const index = this.index;
    let i = h & mask;
    while (index[2 * i] !== 0) i = (i + 1) & mask;
    index[2 * i] = slot + 1;
    index[2 * i + 1] = h;
  }

  private growIndex(): void {
    const buckets = this.index.length; // twice as many as before
    this.index = new Int32Array(buckets * 2);
    this.mask = buckets - 1;
    for (let s = 0; s < this.flows.length; s++) if (this.flows[s] !== null) this.place(s, this.hashes[s]);
  }

  /** Takes a flow's slot out of the index (backward-shift deletion) and frees it. */
  private unindex(slot: number): void {
    const index = this.index;
    const mask = this.mask;
    let i = this.hashes[slot] & mask;
    while (index[2 * i] !== slot + 1) i = (i + 1) & mask;
    index[2 * i] = 0;
    for (let j = (i + 1) & mask; index[2 * j] !== 0; j = (j + 1) & mask) {
      const home = index[2 * j + 1] & mask;
      // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
      const stays = i <= j ? i < home && home <= j : i < home || home <= j;
      if (!stays) {
        index[2 * i] = index[2 * j];
        index[2 * i + 1] = index[2 * j + 1];
        index[2 * j] = 0;
        i = j;
      }
    }
    this.flows[slot] = null;
    this.free.push(slot);
  }

  private account(f: Flow, p: FlowPacket, dir: number): void {
    const gap = p.ts - f.last;
    if (gap > f.maxGap) {
      f.maxGap = gap;
      f.maxGapN = p.n;
    }
    if (p.ts > f.last) f.last = p.ts;
    f.lastN = p.n;
    if (dir === 0) {
      f.pktsAB++;
      f.bytesAB += p.wireLen;
    } else {
      f.pktsBA++;
      f.bytesBA += p.wireLen;
    }
    if (p.side === 6) f.side6++;
    else f.side4++;
    // The first MAX_SAMPLES packets (samples.length follows the packet count until then: the
    // array itself is not touched after).
    if (f.pktsAB + f.pktsBA <= MAX_SAMPLES) f.samples.push(p.n);
    if (p.hasV4) {
      f.hasV4 = true;
      if (dir === 0) {
        f.v4a = p.v4src;
        f.v4aPort = p.v4sport;
        f.v4b = p.v4dst;
        f.v4bPort = p.v4dport;
      } else {
        f.v4a = p.v4dst;
        f.v4aPort = p.v4dport;
        f.v4b = p.v4src;
        f.v4bPort = p.v4sport;
      }
    }
    if (p.drop !== 0) {
      if (f.drops === 0) f.dropReason = p.drop;
      f.drops++;
    }
    if (f.proto === 6) this.tcp(f, p, dir);
    else if (dir === 0 ? p.payloadLen > f.largestA : p.payloadLen > f.largestB) {
      if (dir === 0) f.largestA = p.payloadLen;
      else f.largestB = p.payloadLen;
    }
  }

  private tcp(f: Flow, p: FlowPacket, dir: number): void {
    const fl = p.tcpFlags;
    const len = p.payloadLen;
    if ((fl & TCP_SYN) !== 0) {
      if ((fl & TCP_ACK) === 0) {
        if (dir === 0) {
          if (p.side === 6) f.syn6++;
          else f.syn4++;
          if (p.mss >= 0) f.mssA = p.mss;
        }
      } else if (dir === 1) {
        f.synAcks++;
        if (p.mss >= 0) {
          f.mssB = p.mss;
          if (p.side === 6) f.mssB6 = p.mss;
        }
        if (f.state === FlowState.SynSent) f.state = FlowState.SynReceived;
      }
    }
    if ((fl & TCP_RST) !== 0) {
      if (dir === 0) f.rstA++;
      else f.rstB++;
      f.state = FlowState.Reset;
    }
    if ((fl & TCP_FIN) !== 0) {
      if (dir === 0) f.finA++;
      else f.finB++;
      if (f.state !== FlowState.Reset) f.state = f.finA > 0 && f.finB > 0 ? FlowState.Closed : FlowState.Closing;
    }
    if (f.state === FlowState.SynReceived && (fl & (TCP_ACK | TCP_SYN)) === TCP_ACK && dir === 0) f.state = FlowState.Established;
    if (dir === 0) {
      if (len > f.largestA) f.largestA = len;
    } else if (len > f.largestB) f.largestB = len;
    // Retransmission: data (or SYN/FIN) that ends at or below what this side and direction already carried.
    const span = len + ((fl & TCP_SYN) !== 0 ? 1 : 0) + ((fl & TCP_FIN) !== 0 ? 1 : 0);
    if (span === 0 || (fl & TCP_RST) !== 0) return;
    const slot = (p.side === 6 ? 0 : 2) + dir;
    const end = (p.seq + span) | 0;
    const bit = 1 << slot;
    if ((f.endSet & bit) === 0) {
      f.endSet |= bit;
      setEnd(f, slot, end);
      return;
    }
    const prev = getEnd(f, slot);
    if (((end - prev) | 0) <= 0) {
      if (dir === 0) f.retransA++;
      else f.retransB++;
      const largest = dir === 0 ? f.largestA : f.largestB;
      if (len >= 1200 && len === largest) f.fullSizeRetrans++;
      if (f.retransSamples === NONE) f.retransSamples = [];
      if (f.retransSamples.length < MAX_SAMPLES) f.retransSamples.push(p.n);
    } else setEnd(f, slot, end);
  }

  /** Records an ICMP error quoting flow `f` (packet n). */
  icmpError(f: Flow, n: number, isPtb: boolean, mtu: number, timeExceeded: boolean, fromDst: boolean): void {
    f.icmpErrors++;
    if (isPtb) {
      f.ptbCount++;
      if (f.ptbMtuMin === 0 || mtu < f.ptbMtuMin) f.ptbMtuMin = mtu;
    }
    if (timeExceeded) {
      f.timeExceeded++;
      if (fromDst) f.timeExceededFromDst++;
    }
    if (f.icmpSamples === NONE) f.icmpSamples = [];
    if (f.icmpSamples.length < MAX_SAMPLES) f.icmpSamples.push(n);
  }

  private maybeSweep(now: number): void {
    this.sinceSweep = 0;
    if (this.live <= this.opts.maxLive && now - this.lastSweep < 10) return;
    this.lastSweep = now;
    this.sweep(now, false);
  }

  /** Closes flows idle past their limit (all of them with `all`), oldest first when over maxLive. */
  sweep(now: number, all: boolean): void {
    const out: Flow[] = [];
    const flows = this.flows;
    for (let s = 0; s < flows.length; s++) {
      const f = flows[s];
      if (f === null) continue;
      const idle = now - f.last;
      const done = f.state === FlowState.Closed || f.state === FlowState.Reset;
      if (all || idle > this.opts.expireAfter || (done && idle > this.opts.closedAfter)) out.push(f);
    }
    if (!all && this.live - out.length > this.opts.maxLive) {
      // Over the hard limit: the least recently active leave too (creation order among equals).
      const keep = new Set(out);
      const rest: Flow[] = [];
      for (const f of flows) if (f !== null && !keep.has(f)) rest.push(f);
      rest.sort((x, y) => x.last - y.last || x.seqNo - y.seqNo);
      const extra = this.live - out.length - Math.floor(this.opts.maxLive * 0.9);
      for (let i = 0; i < extra && i < rest.length; i++) out.push(rest[i]);
    }
    out.sort((x, y) => x.seqNo - y.seqNo);
    for (const f of out) this.remove(f);
    for (const f of out) this.opts.onClose(f);
  }

  private remove(f: Flow): void {
    if (f.slot < 0) return;
    this.unindex(f.slot);
    f.slot = -1;
    this.live--;
    this.closedCount++;
  }

  /** End of the capture: every live flow leaves (in creation order). */
  closeAll(now: number): void {
    this.sweep(now, true);
  }
}

function getEnd(f: Flow, slot: number): number {
  return slot === 0 ? f.end0 : slot === 1 ? f.end1 : slot === 2 ? f.end2 : f.end3;
}
function setEnd(f: Flow, slot: number, v: number): void {
  if (slot === 0) f.end0 = v;
  else if (slot === 1) f.end1 = v;
  else if (slot === 2) f.end2 = v;
  else f.end3 = v;
}

/** Hash of one endpoint: address words (IPv4: w0 only, the rest 0) and port. */
function endpointHash(w0: number, w1: number, w2: number, w3: number, port: number): number {
  let h = Math.imul(w0 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 15) ^ w1, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 13) ^ w2, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 16) ^ w3, 0xc2b2ae35);
  return Math.imul(h ^ (h >>> 15) ^ port, 0x27d4eb2f);
}

/** Direction-independent hash of a packet's flow key (the same for (a, b) and (b, a)). */
function keyHashOf(p: FlowPacket): number {
  const w = p.keyWords;
  let x: number;
  let y: number;
  if (p.keyV4) {
    x = endpointHash(w[0], 0, 0, 0, p.sport);
    y = endpointHash(w[4], 0, 0, 0, p.dport);
  } else {
    x = endpointHash(w[0], w[1], w[2], w[3], p.sport);
    y = endpointHash(w[4], w[5], w[6], w[7], p.dport);
  }
  return fmix(((x + y) | 0) ^ Math.imul(x ^ y, 0x85ebca6b) ^ p.proto) | 0;
}

/** A closed flow as reports, JSON and the export print it (SPEC §5 `{"type":"flow"}`). */
export interface FlowRecord {
  key: string;
  proto: string;
  client: string;
  clientPort: number;
  server: string;
  serverPort: number;
  /** The IPv4 form of the server (embedded or translated) and of the client (pool4), if known. */
  serverV4: string | null;
  clientV4: string | null;
  clientV4Port: number | null;
  name: string | null;
  state: string;
  failing: boolean;
  /** Why it fails, in a few words ("SYN x5, no answer"), or null. */
  problem: string | null;
  first: number;
  last: number;
  duration: number;
  firstPacket: number;
  lastPacket: number;
  packetsOut: number;
  packetsIn: number;
  bytesOut: number;
  bytesIn: number;
  packetsV6: number;
  packetsV4: number;
  synRetries: number;
  retransmissions: number;
  resets: number;
  fins: number;
  mssClient: number | null;
  mssServer: number | null;
  largestSegment: number;
  maxIdleGap: number;
  icmpErrors: number;
  drops: number;
  packets: number[];
  findings: string[];
}
