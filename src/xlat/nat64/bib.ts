/**
 * The Binding Information Bases of RFC 6146 §3.1: one per protocol (TCP, UDP, ICMP query
 * identifiers), each mapping an IPv6 transport address (X',x) to an IPv4 transport address
 * (X,x) both ways in O(1).
 *
 * Keys are numbers: IPv4 side `addr * 65536 + port`; IPv6 side `id * 65536 + port` where `id`
 * is the address interned by Addr6Intern. Static entries (cfg.bib) never expire; a dynamic entry
 * lives as long as it has sessions (RFC 6146 §3.5.1: "the BIB entry is deleted when its last
 * session is").
 */
import type { Session } from './session-table.js';
import type { Proto } from './pool4.js';

export class BibEntry {
  /** Creation order (deterministic snapshots). */
  readonly seq: number;
  /** Sessions of this mapping, keyed by the remote IPv4 transport address (Y,y) (ICMP: Y*65536). */
  readonly sessions = new Map<number, Session>();
  /** Sessions per remote IPv4 address Y (address-dependent filtering, RFC 6146 §3.5.1). */
  readonly remoteAddrs = new Map<number, number>();

  constructor(
    readonly proto: Proto,
    /** Interned IPv6 address id, port (ICMP: identifier) and key. */
    readonly addr6: number,
    readonly port6: number,
    readonly addr4: number,
    readonly port4: number,
    readonly isStatic: boolean,
    seq: number,
  ) {
    this.seq = seq;
  }

  get key6(): number {
    return this.addr6 * 65536 + this.port6;
  }
  get key4(): number {
    return this.addr4 * 65536 + this.port4;
  }
}

export class Bib {
  readonly by6: Map<number, BibEntry>;
  readonly by4: Map<number, BibEntry>;
  private seq = 0;

  constructor(readonly proto: Proto) {
    this.by6 = new Map();
    this.by4 = new Map();
  }

  get size(): number {
    return this.by6.size;
  }

  find6(key6: number): BibEntry | undefined {
    return this.by6.get(key6);
  }

  find4(key4: number): BibEntry | undefined {
    return this.by4.get(key4);
  }

  /**
   * Adds a mapping; returns it, or null when either side is taken (a static entry that collides
   * with another is ignored, as Jool refuses it).
   */
  add(addr6: number, port6: number, addr4: number, port4: number, isStatic: boolean): BibEntry | null {
    const k6 = addr6 * 65536 + port6;
    const k4 = addr4 * 65536 + port4;
    if (this.by6.has(k6) || this.by4.has(k4)) return null;
    const e = new BibEntry(this.proto, addr6, port6, addr4, port4, isStatic, this.seq++);
    this.by6.set(k6, e);
    this.by4.set(k4, e);
    return e;
  }

  remove(e: BibEntry): void {
    if (this.by6.get(e.key6) === e) this.by6.delete(e.key6);
    if (this.by4.get(e.key4) === e) this.by4.delete(e.key4);
  }
}
