/**
 * Timers of the NAT64 tables on the capture clock. Time is an integer number of microseconds
 * (`sec * 1e6 + floor(nsec / 1000)`: exact in a double for any capture date).
 *
 * Like Jool's expire_timer, every timer kind has one constant timeout, so its nodes form a list
 * ordered by expiry simply by appending (the engine's clock never goes backwards). Re-arming moves
 * a node to the tail: O(1) (see TimerList: lazily, with no other node touched). Ties between lists
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

/** Something a timer list can hold. */
export interface TimerNode {
  /** The list it is on, or null. */
  tList: TimerList | null;
  expires: Ticks;
  /** Arming sequence number (unique: the engine's counter). */
  seq: number;
}

/**
 * Nodes in arming order. (Re)arming appends an entry (node, seq) to a ring buffer instead of
 * unlinking the node from a linked list: the node's older entries go stale (their seq is no
 * longer the node's), and so do the entries of a removed node (its tList is no longer this list).
 * Stale entries are skipped at the head, and squeezed out in place when the ring is full (it
 * doubles only when more than half of it is live), so it holds at most about four entries per
 * live node and is never reallocated in steady state. The live entries are in exactly the order a
 * linked list moved-to-tail on every arm would hold them — but arming touches no other node: on
 * the translate hot path, that is two cache misses fewer per packet.
 */
export class TimerList {
  private nodes: (TimerNode | null)[] = new Array<TimerNode | null>(64).fill(null);
  private seqs = new Float64Array(64);
  private mask = 63;
  /** Ring index of the first queued entry, and the number queued (live and stale). */
  private first = 0;
  private count = 0;
  /** Live nodes. */
  size = 0;

  /** `kind` is the engine's name for what firing means; `timeout` in ticks. */
  constructor(readonly kind: number, public timeout: Ticks) {}

  /** The node that fires first (earliest armed), or null. */
  get head(): TimerNode | null {
    const nodes = this.nodes;
    const seqs = this.seqs;
    while (this.count > 0) {
      const i = this.first;
      const node = nodes[i] as TimerNode;
      if (node.tList === this && node.seq === seqs[i]) return node;
      nodes[i] = null;
      this.first = (i + 1) & this.mask;
      this.count--;
    }
    return null;
  }

  /** (Re)arms `node` to expire `timeout` after `now`: it moves to the tail. */
  arm(node: TimerNode, now: Ticks, seq: number): void {
    const l = node.tList;
    if (l !== this) {
      if (l !== null) l.size--;
      this.size++;
    }
    node.expires = now + this.timeout;
    node.seq = seq;
    node.tList = this;
    if (this.count === this.nodes.length) {
      this.compact();
      if (this.count * 2 > this.nodes.length) this.grow();
    }
    const i = (this.first + this.count) & this.mask;
    this.nodes[i] = node;
    this.seqs[i] = seq;
    this.count++;
  }

  remove(node: TimerNode): void {
    if (node.tList !== this) return;
    node.tList = null;
    this.size--;
  }

  /** Squeezes the stale entries out, in place, keeping the live ones in order. */
  private compact(): void {
    const nodes = this.nodes;
    const seqs = this.seqs;
    const mask = this.mask;
    const first = this.first;
    let j = 0;
    for (let k = 0; k < this.count; k++) {
      const i = (first + k) & mask;
      const node = nodes[i] as TimerNode;
      if (node.tList === this && node.seq === seqs[i]) {
        const w = (first + j) & mask;
        nodes[w] = node;
        seqs[w] = seqs[i];
        j++;
      }
    }
    for (let k = j; k < this.count; k++) nodes[(first + k) & mask] = null;
    this.count = j;
  }

  private grow(): void {
    const cap = this.nodes.length * 2;
    const nodes = new Array<TimerNode | null>(cap).fill(null);
    const seqs = new Float64Array(cap);
    for (let k = 0; k < this.count; k++) {
      const i = (this.first + k) & this.mask;
      nodes[k] = this.nodes[i];
      seqs[k] = this.seqs[i];
    }
    this.nodes = nodes;
    this.seqs = seqs;
    this.mask = cap - 1;
    this.first = 0;
  }
}

/** The list whose head fires first (earliest expiry, then lowest sequence), or null. */
export function earliest(lists: readonly TimerList[]): TimerList | null {
  let best: TimerList | null = null;
  for (let i = 0; i < lists.length; i++) {
    const h = lists[i].head;
    if (!h) continue;
    const b = best?.head;
    if (!b || h.expires < b.expires || (h.expires === b.expires && h.seq < b.seq)) best = lists[i];
  }
  return best;
}
