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
  out.nsec = (t - out.sec * TICKS_PER_SEC) * 1000;
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
 * Nodes in arming order. (Re)arming appends an entry (node, seq) to the end of a queue instead
 * of unlinking the node from a linked list: the node's older entries go stale (their seq is no
 * longer the node's), and so do the entries of a removed node (its tList is no longer this list).
 * Stale entries are skipped at the head and dropped when they outnumber the live ones, so the
 * queue stays within twice the live nodes. The live entries are in exactly the order a linked
 * list moved-to-tail on every arm would hold them — but arming touches no other node: on the
 * translate hot path, that is two cache misses fewer per packet.
 */
export class TimerList {
  private nodes: TimerNode[] = [];
  private seqs: number[] = [];
  /** Index of the first entry not yet known to be stale. */
  private first = 0;
  /** Live nodes. */
  size = 0;

  /** `kind` is the engine's name for what firing means; `timeout` in ticks. */
  constructor(readonly kind: number, public timeout: Ticks) {}

  /** The node that fires first (earliest armed), or null. */
  get head(): TimerNode | null {
    const nodes = this.nodes;
    const seqs = this.seqs;
    const n = nodes.length;
    let i = this.first;
    while (i < n) {
      const node = nodes[i];
      if (node.tList === this && node.seq === seqs[i]) {
        this.first = i;
        return node;
      }
      i++;
    }
    if (n !== 0) {
      // Everything queued was stale.
      this.first = 0;
      nodes.length = 0;
      seqs.length = 0;
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
    this.nodes.push(node);
    this.seqs.push(seq);
    const queued = this.nodes.length - this.first;
    if (queued > 2 * this.size + 256 || (this.first > 4096 && this.first * 2 > this.nodes.length)) this.compact();
  }

  remove(node: TimerNode): void {
    if (node.tList !== this) return;
    node.tList = null;
    this.size--;
  }

  /** Drops stale entries (and the consumed prefix), keeping the live ones in order. */
  private compact(): void {
    const nodes = this.nodes;
    const seqs = this.seqs;
    let j = 0;
    for (let i = this.first; i < nodes.length; i++) {
      const node = nodes[i];
      if (node.tList === this && node.seq === seqs[i]) {
        nodes[j] = node;
        seqs[j] = seqs[i];
        j++;
      }
    }
    nodes.length = j;
    seqs.length = j;
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
