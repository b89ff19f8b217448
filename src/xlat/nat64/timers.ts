/**
 * Timers of the NAT64 tables on the capture clock. Time is an integer number of microseconds
 * (`sec * 1e6 + floor(nsec / 1000)`: exact in a double for any capture date).
 *
 * Like Jool's expire_timer, every timer kind has one constant timeout, so its nodes form a list
 * ordered by expiry simply by appending (the engine's clock never goes backwards). Re-arming moves
 * a node to the tail: O(1) (see TimerList: lazily, with no other node touched; the timer state
 * lives in a TimerStore by node id). Ties between lists
 * fire in arming order (a global sequence number), so what fires when is deterministic.
 */
import type { Clock } from '../types.js';

export type Ticks = number;

export const TICKS_PER_SEC = 1_000_000;

export function ticksOf(c: Clock): Ticks {
  return c.sec * TICKS_PER_SEC + Math.floor(c.nsec / 1000);
}

export function clockOf(t: Ticks, out: Clock = { sec: 0, nsec: 0 }): Clock {
  out.sec = Math.floor(t / TICKS_PER_SEC);
  // (`| 0`: an integer below 1e9 either way, but stored as a small integer. Ignition's arithmetic
  // on the large `t` yields a heap number, and storing one into `nsec` would change the field's
  // representation: every clock object's map with it, deoptimizing the code that reads clocks.)
  out.nsec = ((t - out.sec * TICKS_PER_SEC) * 1000) | 0;
  return out;
}

export function secondsToTicks(s: number): Ticks {
  return Math.round(s * TICKS_PER_SEC);
}

/** Ids per page of a {@link TimerStore} (pages are never reallocated: a node keeps its page). */
const PAGE_IDS = 1024;
const PAGE_SHIFT = 10;
/** Slots per id: expires, seq, lastSeen, meta. */
export const SLOT = 4;
export const SLOT_EXPIRES = 0;
export const SLOT_SEQ = 1;
export const SLOT_LAST_SEEN = 2;
/** meta: the list kind + 1 (0: on no list) in bits 0-3, TCP state in bits 4-7, "has a stored SYN" in bit 8. */
export const SLOT_META = 3;
export const META_LIST = 0xf;
export const META_STATE_SHIFT = 4;
export const META_STORED = 0x100;

/**
 * The timer state of every node (session, stored SYN, fragment entry), by a small integer id, in
 * pages of Float64Array: per id [expires, seq, lastSeen, meta], 32 bytes, one cache line. The
 * lists keep ids, and judge their entries stale by the dense `marks`, and the fast path reads and
 * re-arms a session by id (fast-path.ts): neither touches the node objects. A session has no node
 * object at all: its id is the session (allocId; its other fields: session-table.ts). Ids are
 * reused once released; a released node keeps a private copy of its slot.
 */
export class TimerStore {
  readonly pages: Float64Array[] = [];
  /** Node by id (null: free, or a session's id: {@link allocId}). */
  readonly nodes: (TimerNode | null)[] = [];
  /**
   * Per id, seq * 16 + its list's tag while it is on a list, else 0: what the lists judge their
   * entries by, dense (8 bytes an id), so that skipping and squeezing out stale entries reads
   * no slot.
   */
  marks = new Float64Array(1024);
  private free = new Int32Array(64);
  private freeCount = 0;
  /** The lists by kind (meta's list + 1 -> lists[meta - 1]). */
  readonly lists: TimerList[] = [];
  /** Ids in use. */
  live = 0;

  /** A new id for `node`, its slot zeroed; sets node.tid, node.pg and node.at. */
  alloc(node: TimerNode): void {
    const id = this.allocId();
    this.nodes[id] = node;
    node.tid = id;
    node.pg = this.pages[id >> PAGE_SHIFT];
    node.at = (id & (PAGE_IDS - 1)) * SLOT;
  }

  /**
   * A new id with no node object (a session: session-table.ts keeps its fields by id), its slot
   * zeroed; {@link releaseId} gives it back.
   */
  allocId(): number {
    let id: number;
    if (this.freeCount > 0) id = this.free[--this.freeCount];
    else {
      id = this.nodes.length;
      this.nodes.push(null);
      if (id >> PAGE_SHIFT >= this.pages.length) this.pages.push(new Float64Array(PAGE_IDS * SLOT));
    }
    if (id >= this.marks.length) {
      const m = new Float64Array(this.marks.length * 2);
      m.set(this.marks);
      this.marks = m;
    }
    this.marks[id] = 0;
    const pg = this.pages[id >> PAGE_SHIFT];
    const at = (id & (PAGE_IDS - 1)) * SLOT;
    pg[at] = 0;
    pg[at + 1] = 0;
    pg[at + 2] = 0;
    pg[at + 3] = 0;
    this.live++;
    return id;
  }

  /** Ids ever handed out (ids are below it). */
  get capacity(): number {
    return this.nodes.length;
  }

  /** Expiry of id `id` (its slot's). */
  expiresOf(id: number): Ticks {
    return this.pages[id >> PAGE_SHIFT][(id & (PAGE_IDS - 1)) * SLOT];
  }

  /** Arming sequence number of id `id`. */
  seqOf(id: number): number {
    return this.pages[id >> PAGE_SHIFT][(id & (PAGE_IDS - 1)) * SLOT + 1];
  }

  /**
   * Gives the node's id back: the node moves to a private copy of its slot (it reads as before,
   * on no list), and the entries lists still hold for the id are stale from now on.
   */
  release(node: TimerNode): void {
    const id = node.tid;
    if (id < 0) return;
    const pg = node.pg;
    const at = node.at;
    const own = new Float64Array(SLOT);
    own[0] = pg[at];
    own[1] = pg[at + 1];
    own[2] = pg[at + 2];
    own[3] = (pg[at + 3] | 0) & ~META_LIST; // (on no list)
    this.releaseId(id);
    node.tid = -1;
    node.pg = own;
    node.at = 0;
  }

  /** Gives id `id` back (taken off its list): its slot's contents are gone. */
  releaseId(id: number): void {
    const pg = this.pages[id >> PAGE_SHIFT];
    const at = (id & (PAGE_IDS - 1)) * SLOT;
    const l = (pg[at + 3] | 0) & META_LIST;
    if (l !== 0) this.lists[l - 1].size--;
    pg[at + 3] = 0;
    this.marks[id] = 0;
    this.nodes[id] = null;
    if (this.freeCount === this.free.length) {
      const f = new Int32Array(this.free.length * 2);
      f.set(this.free);
      this.free = f;
    }
    this.free[this.freeCount++] = id;
    this.live--;
  }
}

/** The slot of id `id` in its page. */
export function slotOf(id: number): number {
  return (id & (PAGE_IDS - 1)) * SLOT;
}

/**
 * Something a timer list can hold: its timer state lives in a {@link TimerStore} slot (`pg`,
 * `at`), read through the accessors.
 */
export class TimerNode {
  /** Id in the store, or -1 once released (see TimerStore.release). */
  tid = -1;
  pg: Float64Array = EMPTY_SLOT;
  at = 0;

  constructor(readonly store: TimerStore) {
    store.alloc(this);
  }

  get expires(): Ticks {
    return this.pg[this.at];
  }
  get seq(): number {
    return this.pg[this.at + 1];
  }
  /** The list it is on, or null. */
  get tList(): TimerList | null {
    const k = (this.pg[this.at + 3] | 0) & META_LIST;
    return k === 0 ? null : this.store.lists[k - 1];
  }
}

const EMPTY_SLOT = new Float64Array(SLOT);

/**
 * Nodes in arming order. (Re)arming appends an entry (id, seq) to a ring buffer instead of
 * unlinking the node from a linked list: the node's older entries go stale (their seq is no
 * longer the id's), and so do the entries of a removed node (its mark says it is on no list, or
 * the id went to another node, armed with a higher seq). Stale entries are skipped at the head,
 * and squeezed out in place when the ring is full (it doubles only when more than half of it is
 * live), so it holds at most about four entries per live node and is never reallocated in steady
 * state. The live entries are in exactly the order a linked list moved-to-tail on every arm would
 * hold them — but arming touches no other node, and judging entries reads only the store's
 * marks (8 bytes an id), never a node object or slot: on the translate hot path, cache misses
 * fewer per packet.
 */
export class TimerList {
  private ids = new Int32Array(64);
  private seqs = new Float64Array(64);
  private mask = 63;
  /** Ring index of the first queued entry, and the number queued (live and stale). */
  private first = 0;
  private count = 0;
  /** Live nodes. */
  size = 0;
  /** meta's list field for this list. */
  private readonly tag: number;

  /** `kind` is the engine's name for what firing means (and its index in the store's lists); `timeout` in ticks. */
  constructor(readonly kind: number, public timeout: Ticks, readonly store: TimerStore = new TimerStore()) {
    this.tag = kind + 1;
    store.lists[kind] = this;
  }

  /** Whether ring entry (id, seq) is live. */
  private liveEntry(id: number, seq: number): boolean {
    return this.store.marks[id] === seq * 16 + this.tag;
  }

  /** The id of the node that fires first (earliest armed), or -1. */
  headId(): number {
    const ids = this.ids;
    const seqs = this.seqs;
    while (this.count > 0) {
      const i = this.first;
      const id = ids[i];
      if (this.liveEntry(id, seqs[i])) return id;
      this.first = (i + 1) & this.mask;
      this.count--;
    }
    return -1;
  }

  /** The node that fires first (earliest armed), or null (also when that id is a session's: see headId). */
  get head(): TimerNode | null {
    const id = this.headId();
    return id < 0 ? null : this.store.nodes[id];
  }

  /** (Re)arms `node` to expire `timeout` after `now`: it moves to the tail. */
  arm(node: TimerNode, now: Ticks, seq: number): void {
    if (node.tid < 0) {
      // A released node armed again: a new id, with what its private slot held.
      const own = node.pg;
      const at = node.at;
      const last = own[at + 2];
      const meta = own[at + 3];
      this.store.alloc(node);
      node.pg[node.at + 2] = last;
      node.pg[node.at + 3] = meta;
    }
    this.armSlot(node.pg, node.at, node.tid, now, seq);
  }

  /** arm() by the node's page and slot (the fast path's: no node object). */
  armSlot(pg: Float64Array, at: number, id: number, now: Ticks, seq: number): void {
    const meta = pg[at + 3] | 0;
    const l = meta & META_LIST;
    if (l !== this.tag) {
      if (l !== 0) this.store.lists[l - 1].size--;
      this.size++;
      pg[at + 3] = (meta & ~META_LIST) | this.tag;
    }
    pg[at] = now + this.timeout;
    pg[at + 1] = seq;
    this.store.marks[id] = seq * 16 + this.tag;
    if (this.count === this.ids.length) {
      this.compact();
      if (this.count * 2 > this.ids.length) this.grow();
    }
    const i = (this.first + this.count) & this.mask;
    this.ids[i] = id;
    this.seqs[i] = seq;
    this.count++;
  }

  remove(node: TimerNode): void {
    const pg = node.pg;
    const at = node.at;
    const meta = pg[at + 3] | 0;
    if ((meta & META_LIST) !== this.tag) return;
    pg[at + 3] = meta & ~META_LIST;
    if (node.tid >= 0) this.store.marks[node.tid] = 0;
    this.size--;
  }

  /** remove() by id (a session's: it has no node object). */
  removeId(id: number): void {
    const pg = this.store.pages[id >> PAGE_SHIFT];
    const at = (id & (PAGE_IDS - 1)) * SLOT;
    const meta = pg[at + 3] | 0;
    if ((meta & META_LIST) !== this.tag) return;
    pg[at + 3] = meta & ~META_LIST;
    this.store.marks[id] = 0;
    this.size--;
  }

  /** Squeezes the stale entries out, in place, keeping the live ones in order. */
  private compact(): void {
    const ids = this.ids;
    const seqs = this.seqs;
    const mask = this.mask;
    const first = this.first;
    let j = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (first + k) & mask;
      if (this.liveEntry(ids[i], seqs[i])) {
        const w = (first + j) & mask;
        ids[w] = ids[i];
        seqs[w] = seqs[i];
        j++;
      }
    }
    this.count = j;
  }

  private grow(): void {
    const cap = this.ids.length * 2;
    const ids = new Int32Array(cap);
    const seqs = new Float64Array(cap);
    for (let k = 0; k < this.count; k++) {
      const i = (this.first + k) & this.mask;
      ids[k] = this.ids[i];
      seqs[k] = this.seqs[i];
    }
    this.ids = ids;
    this.seqs = seqs;
    this.mask = cap - 1;
    this.first = 0;
  }
}
