/**
 * The session tables of RFC 6146 §3.2: a session is a BIB entry (X',x <-> X,x) plus the remote
 * end (Y,y), whose IPv6 form is pool6(Y),y. Since pool6 maps Y' <-> Y one to one, a session is
 * found from either side in O(1): IPv6 side by BIB entry (X',x) then (Y,y), IPv4 side by BIB entry
 * (X,x) then (Y,y) (ICMP query sessions: y = 0); the index is each Bib's session KeyTable.
 *
 * Also the stored "type 1" V4 SYNs (RFC 6146 §3.5.2.2 CLOSED state, a V4 SYN to a pool4 transport
 * address no BIB entry holds): kept TCP_INCOMING_SYN seconds waiting for a simultaneous-open V6 SYN.
 */
import { grownTo, type Bib, type BibEntries } from './bib.js';
import type { Proto } from './pool4.js';
import { TimerNode, META_STATE_SHIFT, META_STORED, slotOf, type TimerStore, type Ticks } from './timers.js';
import { TcpState } from './tcp-state-machine.js';

/** No session (what lookups return when there is none). */
export const NO_SESSION = -1;

/**
 * Sessions of all protocols. A session is a small integer, its timer id (TimerStore.allocId):
 * its timer state, TCP state and last-seen time are in the store's slot, its other fields in the
 * typed arrays here, by id — no object per session (each Bib indexes its entries' sessions;
 * this table counts and orders them). Ids are reused once a session is removed.
 */
export class SessionTable {
  private made = 0;
  count = 0;
  /** Per-destination connection counts: key (Y*65536+y)*4+proto -> (pool address X -> count). */
  readonly perDestination = new Map<number, Map<number, number>>();
  /** Per id: its BIB entry; remote IPv4 address Y (a signed word: see remote4) and port y (ICMP: 0). */
  bib = new Int32Array(1024);
  remote = new Int32Array(1024);
  rport = new Int32Array(1024);
  /** Per id: creation order (deterministic snapshots). */
  created = new Float64Array(1024);
  /**
   * Per id, fast path (fast-path.ts): whether the per-packet checks that depend only on the
   * session's tuple and the configuration let a packet of it through, per side (bits 0-1 IPv6,
   * 2-3 IPv4): 0 not yet known, 1 yes, 2 no (the slow path decides). Nothing in them can change
   * while it lives.
   */
  fast = new Uint8Array(1024);
  /** Per id: its rows in the fast path's flow cache, or -1 (fast-path.ts). */
  slot6 = new Int32Array(1024);
  slot4 = new Int32Array(1024);
  /** The stored V4 SYN of a V4 INIT session under address-dependent filtering ("type 2") and its packet number, by id. */
  private readonly storedPkts = new Map<number, { pkt: Uint8Array; n: number }>();

  constructor(
    private readonly bibs: readonly [Bib, Bib, Bib],
    private readonly entries: BibEntries,
    private readonly store: TimerStore,
    private readonly trackDestinations: boolean,
    /** Keep per-remote-address counts (address-dependent filtering needs them). */
    private readonly trackRemotes: boolean,
  ) {}

  /** Remote IPv4 address Y of session `s`. */
  remote4(s: number): number {
    return this.remote[s] >>> 0;
  }

  proto(s: number): Proto {
    return this.entries.proto[this.bib[s]] as Proto;
  }

  /** TCP state (UDP and ICMP sessions stay ESTABLISHED); in the store's slot (the fast path reads it by id). */
  state(s: number): TcpState {
    const pg = this.store.pages[s >> 10];
    return (((pg[slotOf(s) + 3] | 0) >> META_STATE_SHIFT) & 0xf) as TcpState;
  }

  setState(s: number, v: TcpState): void {
    const pg = this.store.pages[s >> 10];
    const at = slotOf(s) + 3;
    const m = pg[at] | 0;
    pg[at] = (m & ~(0xf << META_STATE_SHIFT)) | (v << META_STATE_SHIFT);
  }

  /** The stored V4 SYN of a V4 INIT session under address-dependent filtering ("type 2"), or null. */
  stored(s: number): Uint8Array | null {
    const pg = this.store.pages[s >> 10];
    return ((pg[slotOf(s) + 3] | 0) & META_STORED) === 0 ? null : this.storedPkts.get(s)?.pkt ?? null;
  }

  /** The packet number of session `s`'s stored V4 SYN (-1: none). */
  storedN(s: number): number {
    return this.stored(s) === null ? -1 : this.storedPkts.get(s)!.n;
  }

  /** Stores V4 SYN `p` (packet number `n`) for session `s`, or (null) forgets its stored SYN. */
  setStored(s: number, p: Uint8Array | null, n = -1): void {
    const pg = this.store.pages[s >> 10];
    const at = slotOf(s) + 3;
    const m = pg[at] | 0;
    if (p === null) {
      if ((m & META_STORED) !== 0) this.storedPkts.delete(s);
      pg[at] = m & ~META_STORED;
    } else {
      this.storedPkts.set(s, { pkt: p, n });
      pg[at] = m | META_STORED;
    }
  }

  /** Last packet translated for it (idle detection, policy.tcpIdleRst). */
  lastSeen(s: number): Ticks {
    return this.store.pages[s >> 10][slotOf(s) + 2];
  }

  setLastSeen(s: number, t: Ticks): void {
    this.store.pages[s >> 10][slotOf(s) + 2] = t;
  }

  expires(s: number): Ticks {
    return this.store.expiresOf(s);
  }

  /** The session of BIB entry `e` (protocol `proto`) with (Y,y), or NO_SESSION. */
  find(proto: Proto, e: number, remote4: number, rport: number): number {
    return this.bibs[proto].session(e, remote4, rport);
  }

  /** Sessions to (Y,y,proto) from pool address X (policy.maxConnectionsPerDestination). */
  destinationCount(proto: Proto, addr4: number, remote4: number, rport: number): number {
    const m = this.perDestination.get((remote4 * 65536 + rport) * 4 + proto);
    return m?.get(addr4) ?? 0;
  }

  /** A new session of BIB entry `e` with (Y,y): ESTABLISHED, on no timer list. */
  add(e: number, remote4: number, rport: number): number {
    const x = this.entries;
    const proto = x.proto[e] as Proto;
    const s = this.store.allocId();
    if (s >= this.bib.length) this.grow();
    this.bib[s] = e;
    this.remote[s] = remote4 | 0;
    this.rport[s] = rport;
    this.created[s] = this.made++;
    this.fast[s] = 0;
    this.slot6[s] = -1;
    this.slot4[s] = -1;
    this.setState(s, TcpState.Established);
    const t = this.bibs[proto];
    t.sessions.set(e, remote4, rport, s);
    x.sessionCount[e]++;
    if (this.trackRemotes) t.remotes.set(e, remote4, 0, Math.max(t.remotes.get(e, remote4, 0), 0) + 1);
    this.count++;
    if (this.trackDestinations) {
      const k = (remote4 * 65536 + rport) * 4 + proto;
      let m = this.perDestination.get(k);
      if (!m) this.perDestination.set(k, (m = new Map()));
      const a4 = x.addr4Of(e);
      m.set(a4, (m.get(a4) ?? 0) + 1);
    }
    return s;
  }

  /** Removes the session (and its timer); the caller removes an emptied dynamic BIB entry. */
  remove(s: number): void {
    const x = this.entries;
    const e = this.bib[s];
    const proto = x.proto[e] as Proto;
    const remote4 = this.remote4(s);
    const rport = this.rport[s];
    const t = this.bibs[proto];
    if (t.sessions.get(e, remote4, rport) !== s) return;
    t.sessions.delete(e, remote4, rport);
    x.sessionCount[e]--;
    if (this.trackRemotes) {
      const c = t.remotes.get(e, remote4, 0) - 1;
      if (c > 0) t.remotes.set(e, remote4, 0, c);
      else t.remotes.delete(e, remote4, 0);
    }
    this.setStored(s, null);
    this.store.releaseId(s);
    this.count--;
    if (this.trackDestinations) {
      const k = (remote4 * 65536 + rport) * 4 + proto;
      const m = this.perDestination.get(k);
      const a4 = x.addr4Of(e);
      if (m) {
        const n = (m.get(a4) ?? 1) - 1;
        if (n > 0) m.set(a4, n);
        else m.delete(a4);
        if (m.size === 0) this.perDestination.delete(k);
      }
    }
  }

  private grow(): void {
    const c = Math.max(this.bib.length * 2, this.store.capacity);
    this.bib = grownTo(this.bib, c);
    this.remote = grownTo(this.remote, c);
    this.rport = grownTo(this.rport, c);
    this.created = grownTo(this.created, c);
    this.fast = grownTo(this.fast, c);
    this.slot6 = grownTo(this.slot6, c);
    this.slot4 = grownTo(this.slot4, c);
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
