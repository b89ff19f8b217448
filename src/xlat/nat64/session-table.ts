/**
 * The session tables of RFC 6146 §3.2: a session is a BIB entry (X',x <-> X,x) plus the remote
 * end (Y,y), whose IPv6 form is pool6(Y),y. Since pool6 maps Y' <-> Y one to one, a session is
 * found from either side in O(1): IPv6 side by BIB entry (X',x) then (Y,y), IPv4 side by BIB entry
 * (X,x) then (Y,y) (ICMP query sessions: y = 0); the index is each Bib's session KeyTable.
 *
 * Also the stored "type 1" V4 SYNs (RFC 6146 §3.5.2.2 CLOSED state, a V4 SYN to a pool4 transport
 * address no BIB entry holds): kept TCP_INCOMING_SYN seconds waiting for a simultaneous-open V6 SYN.
 */
import type { Bib, BibEntry } from './bib.js';
import type { Proto } from './pool4.js';
import { TimerNode, META_STATE_SHIFT, META_STORED, type TimerStore, type Ticks } from './timers.js';
import { TcpState } from './tcp-state-machine.js';

export class Session extends TimerNode {
  /** The stored V4 SYN of a V4 INIT session under address-dependent filtering ("type 2"), or null. */
  private storedPkt: Uint8Array | null = null;
  storedN = -1;
  /** Creation order (deterministic snapshots). */
  readonly created: number;
  /**
   * Fast path (fast-path.ts): whether the per-packet checks that depend only on this session's
   * tuple and the configuration let a packet of it through, per side: 0 not yet known, 1 yes,
   * 2 no (the slow path decides). Nothing in them can change while the session lives.
   */
  fast6 = 0;
  fast4 = 0;
  /** Its rows in the fast path's flow cache, or -1 (fast-path.ts). */
  slot6 = -1;
  slot4 = -1;

  constructor(
    readonly bib: BibEntry,
    /** Remote IPv4 address Y and port y (ICMP: 0). */
    readonly remote4: number,
    readonly rport: number,
    created: number,
    store: TimerStore,
  ) {
    super(store);
    this.created = created;
    this.state = TcpState.Established;
  }

  /** TCP state (UDP and ICMP sessions stay ESTABLISHED); in the store's slot (the fast path reads it by id). */
  get state(): TcpState {
    return (((this.pg[this.at + 3] | 0) >> META_STATE_SHIFT) & 0xf) as TcpState;
  }
  set state(v: TcpState) {
    const m = this.pg[this.at + 3] | 0;
    this.pg[this.at + 3] = (m & ~(0xf << META_STATE_SHIFT)) | (v << META_STATE_SHIFT);
  }

  /** The stored V4 SYN of a V4 INIT session under address-dependent filtering ("type 2"), or null. */
  get stored(): Uint8Array | null {
    return this.storedPkt;
  }
  set stored(p: Uint8Array | null) {
    this.storedPkt = p;
    const m = this.pg[this.at + 3] | 0;
    this.pg[this.at + 3] = p === null ? m & ~META_STORED : m | META_STORED;
  }

  /** Last packet translated for it (idle detection, policy.tcpIdleRst). */
  get lastSeen(): Ticks {
    return this.pg[this.at + 2];
  }
  set lastSeen(t: Ticks) {
    this.pg[this.at + 2] = t;
  }

  get proto(): Proto {
    return this.bib.proto;
  }
}

/** Sessions of all protocols (each Bib indexes its entries' sessions; this counts and orders them). */
export class SessionTable {
  private created = 0;
  count = 0;
  /** Per-destination connection counts: key (Y*65536+y)*4+proto -> (pool address X -> count). */
  readonly perDestination = new Map<number, Map<number, number>>();

  constructor(
    private readonly bibs: readonly [Bib, Bib, Bib],
    private readonly store: TimerStore,
    private readonly trackDestinations: boolean,
    /** Keep per-remote-address counts (address-dependent filtering needs them). */
    private readonly trackRemotes: boolean,
  ) {}

  find(bib: BibEntry, remote4: number, rport: number): Session | undefined {
    return this.bibs[bib.proto].session(bib, remote4, rport);
  }

  /** Sessions to (Y,y,proto) from pool address X (policy.maxConnectionsPerDestination). */
  destinationCount(proto: Proto, addr4: number, remote4: number, rport: number): number {
    const m = this.perDestination.get((remote4 * 65536 + rport) * 4 + proto);
    return m?.get(addr4) ?? 0;
  }

  add(bib: BibEntry, remote4: number, rport: number): Session {
    const s = new Session(bib, remote4, rport, this.created++, this.store);
    const t = this.bibs[bib.proto];
    t.sessions.set(bib.seq, remote4, rport, s);
    bib.sessionCount++;
    if (this.trackRemotes) t.remotes.set(bib.seq, remote4, 0, (t.remotes.get(bib.seq, remote4, 0) ?? 0) + 1);
    this.count++;
    if (this.trackDestinations) {
      const k = (remote4 * 65536 + rport) * 4 + bib.proto;
      let m = this.perDestination.get(k);
      if (!m) this.perDestination.set(k, (m = new Map()));
      m.set(bib.addr4, (m.get(bib.addr4) ?? 0) + 1);
    }
    return s;
  }

  /** Removes the session (and its timer); the caller removes an emptied dynamic BIB entry. */
  remove(s: Session): void {
    const bib = s.bib;
    const t = this.bibs[bib.proto];
    if (t.sessions.get(bib.seq, s.remote4, s.rport) !== s) return;
    t.sessions.delete(bib.seq, s.remote4, s.rport);
    bib.sessionCount--;
    if (this.trackRemotes) {
      const c = (t.remotes.get(bib.seq, s.remote4, 0) ?? 1) - 1;
      if (c > 0) t.remotes.set(bib.seq, s.remote4, 0, c);
      else t.remotes.delete(bib.seq, s.remote4, 0);
    }
    if (s.tList) s.tList.remove(s);
    s.stored = null;
    this.store.release(s);
    this.count--;
    if (this.trackDestinations) {
      const k = (s.remote4 * 65536 + s.rport) * 4 + bib.proto;
      const m = this.perDestination.get(k);
      if (m) {
        const n = (m.get(bib.addr4) ?? 1) - 1;
        if (n > 0) m.set(bib.addr4, n);
        else m.delete(bib.addr4);
        if (m.size === 0) this.perDestination.delete(k);
      }
    }
  }
}

/** A stored V4 SYN to a transport address no BIB entry holds ("type 1"). */
export class StoredSyn extends TimerNode {
  constructor(
    /** Local (pool4) transport address X,x and remote Y,y keys. */
    readonly key4: number,
    readonly rkey: number,
    readonly packet: Uint8Array,
    readonly n: number,
    store: TimerStore,
  ) {
    super(store);
  }
}

/** Type-1 stored SYNs, by remote transport address (Y,y). */
export class SynQueue {
  readonly byRemote = new Map<number, StoredSyn[]>();
  count = 0;

  find(key4: number, rkey: number): StoredSyn | undefined {
    const l = this.byRemote.get(rkey);
    if (!l) return undefined;
    for (const s of l) if (s.key4 === key4) return s;
    return undefined;
  }

  add(s: StoredSyn): void {
    let l = this.byRemote.get(s.rkey);
    if (!l) this.byRemote.set(s.rkey, (l = []));
    l.push(s);
    this.count++;
  }

  remove(s: StoredSyn): void {
    const l = this.byRemote.get(s.rkey);
    if (!l) return;
    const i = l.indexOf(s);
    if (i < 0) return;
    l.splice(i, 1);
    if (l.length === 0) this.byRemote.delete(s.rkey);
    if (s.tList) s.tList.remove(s);
    s.store.release(s);
    this.count--;
  }
}
