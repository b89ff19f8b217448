/**
 * Timers of the NAT64 tables on the capture clock. Time is an integer number of microseconds
 * (`sec * 1e6 + floor(nsec / 1000)`: exact in a double for any capture date).
 *
 * Like Jool's expire_timer, every timer kind has one constant timeout, so its nodes form a list
 * ordered by expiry simply by appending (the engine's clock never goes backwards). Re-arming moves
 * a node to the tail: O(1). Ties between lists fire in arming order (a global sequence number),
 * so what fires when is deterministic.
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
  tPrev: TimerNode | null;
  tNext: TimerNode | null;
  /** The list it is on, or null. */
  tList: TimerList | null;
  expires: Ticks;
  seq: number;
}

export class TimerList {
  head: TimerNode | null = null;
  tail: TimerNode | null = null;
  size = 0;

  /** `kind` is the engine's name for what firing means; `timeout` in ticks. */
  constructor(readonly kind: number, public timeout: Ticks) {}

  /** (Re)arms `node` to expire `timeout` after `now`: moves it to the tail. */
  arm(node: TimerNode, now: Ticks, seq: number): void {
    if (node.tList) node.tList.remove(node);
    node.expires = now + this.timeout;
    node.seq = seq;
    node.tList = this;
    node.tPrev = this.tail;
    node.tNext = null;
    if (this.tail) this.tail.tNext = node;
    else this.head = node;
    this.tail = node;
    this.size++;
  }

  remove(node: TimerNode): void {
    if (node.tList !== this) return;
    if (node.tPrev) node.tPrev.tNext = node.tNext;
    else this.head = node.tNext;
    if (node.tNext) node.tNext.tPrev = node.tPrev;
    else this.tail = node.tPrev;
    node.tPrev = node.tNext = null;
    node.tList = null;
    this.size--;
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
