/**
 * The Binding Information Bases of RFC 6146 §3.1: one per protocol (TCP, UDP, ICMP query
 * identifiers), each mapping an IPv6 transport address (X',x) to an IPv4 transport address
 * (X,x) both ways in O(1), and holding the sessions of its entries (RFC 6146 §3.2).
 *
 * Keys are integer triples in {@link KeyTable}s (no allocation per lookup): IPv6 side
 * (interned address id, port), IPv4 side (address, port), sessions (entry, remote address Y,
 * remote port y; ICMP: y = 0). Static entries (cfg.bib) never expire; a dynamic entry lives as
 * long as it has sessions (RFC 6146 §3.5.1: "the BIB entry is deleted when its last session is").
 */
import type { Session } from './session-table.js';
import type { Proto, UsedSet } from './pool4.js';
import { KeyTable } from './key-table.js';

export class BibEntry {
  /** Sessions of this mapping (they live in the Bib's session table). */
  sessionCount = 0;

  constructor(
    readonly proto: Proto,
    /** Interned IPv6 address id, port (ICMP: identifier). */
    readonly addr6: number,
    readonly port6: number,
    readonly addr4: number,
    readonly port4: number,
    readonly isStatic: boolean,
    /** Creation order within its Bib: deterministic snapshots, and the session key. */
    readonly seq: number,
  ) {}
}

export class Bib implements UsedSet {
  private readonly by6 = new KeyTable<BibEntry>();
  private readonly by4 = new KeyTable<BibEntry>();
  /** Sessions by (entry seq, Y, y). */
  readonly sessions = new KeyTable<Session>();
  /** Sessions per (entry seq, remote address Y): address-dependent filtering (RFC 6146 §3.5.1). */
  readonly remotes = new KeyTable<number>();
  private seq = 0;

  constructor(readonly proto: Proto) {}

  get size(): number {
    return this.by6.size;
  }

  find6(addr6: number, port6: number): BibEntry | undefined {
    return this.by6.get(addr6, port6, 0);
  }

  find4(addr4: number, port4: number): BibEntry | undefined {
    return this.by4.get(addr4, port4, 0);
  }

  /** pool4's view: is the IPv4 transport address taken? */
  has4(addr4: number, port4: number): boolean {
    return this.by4.has(addr4, port4, 0);
  }

  /** The session of `e` with the remote end (Y,y). */
  session(e: BibEntry, remote4: number, rport: number): Session | undefined {
    return this.sessions.get(e.seq, remote4, rport);
  }

  /** True when `e` has a session with remote address Y (any port). */
  hasRemote(e: BibEntry, remote4: number): boolean {
    return this.remotes.has(e.seq, remote4, 0);
  }

  /**
   * Adds a mapping; returns it, or null when either side is taken (a static entry that collides
   * with another is ignored, as Jool refuses it).
   */
  add(addr6: number, port6: number, addr4: number, port4: number, isStatic: boolean): BibEntry | null {
    if (this.by6.has(addr6, port6, 0) || this.by4.has(addr4, port4, 0)) return null;
    const e = new BibEntry(this.proto, addr6, port6, addr4, port4, isStatic, this.seq++);
    this.by6.set(addr6, port6, 0, e);
    this.by4.set(addr4, port4, 0, e);
    return e;
  }

  remove(e: BibEntry): void {
    if (this.by6.get(e.addr6, e.port6, 0) === e) this.by6.delete(e.addr6, e.port6, 0);
    if (this.by4.get(e.addr4, e.port4, 0) === e) this.by4.delete(e.addr4, e.port4, 0);
  }

  /** Every entry in creation order (snapshots). */
  entries(): BibEntry[] {
    return this.by6.values().sort((a, b) => a.seq - b.seq);
  }
}
