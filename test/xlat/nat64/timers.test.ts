// TimerList (src/xlat/nat64/timers.ts) re-arms lazily (a ring of entries, stale ones skipped and
// squeezed out): it must hold its live nodes in exactly the order of a list where every arm moves
// the node to the tail, across growth, compaction and moves between lists.
import { describe, it, expect } from 'vitest';
import { TimerList, TimerNode, TimerStore, clockOf, ticksOf } from '../../../src/xlat/nat64/timers.js';
import { mulberry } from '../../helpers/fixtures.js';

class N extends TimerNode {
  constructor(store: TimerStore, readonly id: number) {
    super(store);
  }
}


describe('TimerList', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`matches a move-to-tail list under random arm / remove / pop (seed ${seed})`, () => {
      const r = mulberry(seed);
      const store = new TimerStore();
      const lists = [new TimerList(0, 10, store), new TimerList(1, 25, store)];
      const model: N[][] = [[], []];
      let made = 0;
      const nodes: N[] = Array.from({ length: 40 + seed * 60 }, () => new N(store, made++));
      let seq = 0;
      let now = 0;
      for (let step = 0; step < 20000; step++) {
        now += Math.floor(r() * 3);
        const x = r();
        const node = nodes[Math.floor(r() * nodes.length)];
        if (x < 0.7) {
          const k = r() < 0.8 ? 0 : 1;
          for (const m of model) { const i = m.indexOf(node); if (i >= 0) m.splice(i, 1); }
          model[k].push(node);
          lists[k].arm(node, now, seq++);
          expect(node.expires).toBe(now + lists[k].timeout);
        } else if (x < 0.75) {
          // The node goes (as a removed session): its id is given back and soon reused by a new
          // node, while the lists still hold entries for it.
          for (const m of model) { const i = m.indexOf(node); if (i >= 0) m.splice(i, 1); }
          const k = node.tList === lists[0] ? 0 : node.tList === lists[1] ? 1 : -1;
          if (k >= 0) lists[k].remove(node);
          const e = node.expires;
          store.release(node);
          expect(node.tid).toBe(-1);
          expect(node.tList).toBeNull();
          expect(node.expires).toBe(e);
          nodes[nodes.indexOf(node)] = new N(store, made++);
        } else if (x < 0.85) {
          const k = node.tList === lists[0] ? 0 : node.tList === lists[1] ? 1 : -1;
          if (k >= 0) {
            model[k].splice(model[k].indexOf(node), 1);
            lists[k].remove(node);
            expect(node.tList).toBeNull();
          }
        } else {
          const k = r() < 0.5 ? 0 : 1;
          const h = lists[k].head;
          expect(h).toBe(model[k][0] ?? null);
          if (h) {
            lists[k].remove(h);
            model[k].shift();
          }
        }
        if (step % 97 === 0) {
          for (let k = 0; k < 2; k++) {
            expect(lists[k].size).toBe(model[k].length);
            expect(lists[k].head).toBe(model[k][0] ?? null);
          }
        }
      }
      // Drain both in order.
      for (let k = 0; k < 2; k++) {
        const got: number[] = [];
        for (let h = lists[k].head; h; h = lists[k].head) {
          got.push((h as N).id);
          lists[k].remove(h);
        }
        expect(got).toEqual(model[k].map((n) => n.id));
        expect(lists[k].size).toBe(0);
      }
      expect(store.live).toBe(nodes.length);
      expect(store.nodes.length).toBeLessThanOrEqual(nodes.length + 1);
    });
  }
});

describe('TimerStore', () => {
  it('a released node keeps its state, and armed again gets a new id with that state', () => {
    const store = new TimerStore();
    const l = new TimerList(0, 10, store);
    const a = new TimerNode(store);
    const b = new TimerNode(store);
    l.arm(a, 5, 1);
    a.pg[a.at + 2] = 123; // (lastSeen)
    a.pg[a.at + 3] = (a.pg[a.at + 3] | 0) | (3 << 4); // (a TCP state)
    l.remove(a);
    store.release(a);
    expect([a.tid, a.expires, a.seq, a.tList]).toEqual([-1, 15, 1, null]);
    const c = new TimerNode(store); // (takes a's id)
    expect(c.tid).toBe(0);
    l.arm(a, 20, 2);
    expect(a.tid).toBe(2);
    expect([a.expires, a.seq, a.pg[a.at + 2], ((a.pg[a.at + 3] | 0) >> 4) & 15, a.tList]).toEqual([30, 2, 123, 3, l]);
    expect(l.head).toBe(a);
    expect(store.live).toBe(3);
    void b;
  });
});

describe('clockOf / ticksOf', () => {
  it('round-trip whole microseconds exactly, across seconds, 2038 and large dates', () => {
    const r = mulberry(11);
    const secs = [0, 1, 59, 1795168800, 2147483647, 2147483648, 4102444800, 2 ** 33 + 5];
    for (const sec of secs) {
      for (const us of [0, 1, 999, 1000, 500000, 999999]) {
        const t = sec * 1_000_000 + us;
        const c = clockOf(t);
        expect(c).toEqual({ sec, nsec: us * 1000 });
        expect(ticksOf(c)).toBe(t);
      }
    }
    for (let i = 0; i < 10000; i++) {
      const sec = Math.floor(r() * 4e9);
      const us = Math.floor(r() * 1e6);
      const c = clockOf(sec * 1_000_000 + us, { sec: 0, nsec: 0 });
      expect(c.sec).toBe(sec);
      expect(c.nsec).toBe(us * 1000);
    }
  });
});

