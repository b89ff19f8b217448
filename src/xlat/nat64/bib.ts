/**
 * The Binding Information Bases of RFC 6146 §3.1: one per protocol (TCP, UDP, ICMP query
 * identifiers), each mapping an IPv6 transport address (X',x) to an IPv4 transport address
 * (X,x) both ways in O(1), and holding the sessions of its entries (RFC 6146 §3.2).
 *
 * An entry is a small integer, the same for the three protocols' entries ({@link BibEntries});
 * its fields live in typed arrays, not in an object per entry: a long capture keeps tens of
 * thousands of entries and sessions, which as objects the garbage collector would copy and trace
 * over and over (README: Speed). Keys are integer triples in {@link KeyTable}s (no allocation per
 * lookup): IPv6 side (interned address id, port), IPv4 side (address, port), sessions (entry,
 * remote address Y, remote port y; ICMP: y = 0). Static entries (cfg.bib) never expire; a dynamic
 * entry lives as long as it has sessions (RFC 6146 §3.5.1: "the BIB entry is deleted when its
 * last session is").
 */
import type { Proto, UsedSet } from './pool4.js';
import { KeyTable } from './key-table.js';

/** A copy of typed array `a`, `c` elements long: its contents first, zeros after (the tables' growth). */
export function grownTo<T extends Uint8Array<ArrayBuffer> | Uint16Array<ArrayBuffer> | Int32Array<ArrayBuffer> | Float64Array<ArrayBuffer>>(a: T, c: number): T {
  const b = new (a.constructor as new (n: number) => T)(c);
  b.set(a as never);
  return b;
}

/** No BIB entry (what lookups return when there is none). */
export const NO_BIB = -1;

/**
 * The fields of every BIB entry of the three protocols, by entry id. Ids are reused once an
 * entry is removed; `seq` keeps each protocol's creation order (snapshots).
 */
export class BibEntries {
  /** Protocol (Proto). */
  proto = new Uint8Array(64);
  /** Interned IPv6 address id, port (ICMP: identifier). */
  addr6 = new Int32Array(64);
  port6 = new Uint16Array(64);
  /** IPv4 address (as a signed word: read through {@link addr4Of}) and port. */
  addr4 = new Int32Array(64);
  port4 = new Uint16Array(64);
  /** 1 for a static entry (cfg.bib). */
  isStatic = new Uint8Array(64);
  /** Creation order within its protocol's Bib (wraps past 2^31 entries made: snapshots' order only). */
  seq = new Int32Array(64);
  /** Sessions of the entry (they live in its Bib's session table). */
  sessionCount = new Int32Array(64);
  private free = new Int32Array(64);
  private freeCount = 0;
  private next = 0;

  /** IPv4 address of entry `e`, unsigned. */
  addr4Of(e: number): number {
    return this.addr4[e] >>> 0;
  }

  alloc(proto: number, addr6: number, port6: number, addr4: number, port4: number, isStatic: boolean, seq: number): number {
    let e: number;
    if (this.freeCount > 0) e = this.free[--this.freeCount];
    else {
      e = this.next++;
      if (e === this.proto.length) this.grow();
    }
    this.proto[e] = proto;
    this.addr6[e] = addr6;
    this.port6[e] = port6;
    this.addr4[e] = addr4 | 0;
    this.port4[e] = port4;
    this.isStatic[e] = isStatic ? 1 : 0;
    this.seq[e] = seq | 0;
    this.sessionCount[e] = 0;
    return e;
  }

  release(e: number): void {
    if (this.freeCount === this.free.length) {
      const f = new Int32Array(this.free.length * 2);
      f.set(this.free);
      this.free = f;
    }
    this.free[this.freeCount++] = e;
  }

  private grow(): void {
    const c = this.proto.length * 2;
    this.proto = grownTo(this.proto, c);
    this.addr6 = grownTo(this.addr6, c);
    this.port6 = grownTo(this.port6, c);
    this.addr4 = grownTo(this.addr4, c);
    this.port4 = grownTo(this.port4, c);
    this.isStatic = grownTo(this.isStatic, c);
    this.seq = grownTo(this.seq, c);
    this.sessionCount = grownTo(this.sessionCount, c);
  }
}

export class Bib implements UsedSet {
  private readonly by6 = new KeyTable();
  private readonly by4 = new KeyTable();
  /** Sessions (ids: session-table.ts) by (entry, Y, y). */
  readonly sessions = new KeyTable();
  /** Sessions per (entry, remote address Y): address-dependent filtering (RFC 6146 §3.5.1). */
  readonly remotes = new KeyTable();
  private seq = 0;

  constructor(readonly proto: Proto, readonly entries: BibEntries) {}

  get size(): number {
    return this.by6.size;
  }

  /** The entry of IPv6 transport address (X',x), or NO_BIB. */
  find6(addr6: number, port6: number): number {
    return this.by6.get(addr6, port6, 0);
  }

  /** The entry of IPv4 transport address (X,x), or NO_BIB. */
  find4(addr4: number, port4: number): number {
    return this.by4.get(addr4, port4, 0);
  }

  /** pool4's view: is the IPv4 transport address taken? */
  has4(addr4: number, port4: number): boolean {
    return this.by4.has(addr4, port4, 0);
  }

  /** The session of entry `e` with the remote end (Y,y), or -1. */
  session(e: number, remote4: number, rport: number): number {
    return this.sessions.get(e, remote4, rport);
  }

  /** True when entry `e` has a session with remote address Y (any port). */
  hasRemote(e: number, remote4: number): boolean {
    return this.remotes.has(e, remote4, 0);
  }

  /**
   * Adds a mapping; returns its entry, or NO_BIB when either side is taken (a static entry that
   * collides with another is ignored, as Jool refuses it).
   */
  add(addr6: number, port6: number, addr4: number, port4: number, isStatic: boolean): number {
    if (this.by6.has(addr6, port6, 0) || this.by4.has(addr4, port4, 0)) return NO_BIB;
    const e = this.entries.alloc(this.proto, addr6, port6, addr4, port4, isStatic, this.seq++);
    this.by6.set(addr6, port6, 0, e);
    this.by4.set(addr4, port4, 0, e);
    return e;
  }

  remove(e: number): void {
    const x = this.entries;
    const addr6 = x.addr6[e];
    const port6 = x.port6[e];
    const addr4 = x.addr4[e];
    const port4 = x.port4[e];
    if (this.by6.get(addr6, port6, 0) !== e) return; // (not in this Bib any more)
    this.by6.delete(addr6, port6, 0);
    if (this.by4.get(addr4, port4, 0) === e) this.by4.delete(addr4, port4, 0);
    x.release(e);
  }

  /** Every entry in creation order (snapshots). */
  list(): number[] {
    const seq = this.entries.seq;
    return this.by6.values().sort((a, b) => seq[a] - seq[b]);
  }
}
