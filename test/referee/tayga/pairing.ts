/**
 * Matching what TAYGA emitted to what it received. TAYGA handles one packet at a time and writes
 * its outputs before it reads the next packet, and the injector leaves a gap between packets, so
 * every emitted packet belongs to the last received packet captured before it.
 */
import type { CapturedPacket } from '../../../src/pcap/packet.js';
import type { InjectedCase } from './harness.js';

export interface Exchange {
  /** 0-based position in the injected set. */
  index: number;
  case: InjectedCase;
  /** The packet as TAYGA received it (after the namespace's kernel forwarded it). */
  input: CapturedPacket;
  /** What TAYGA emitted for it, in order. */
  outputs: CapturedPacket[];
}

function ns(p: CapturedPacket): bigint {
  return BigInt(p.tsSec) * 1_000_000_000n + BigInt(p.tsNsec);
}

export function pairByTime(cases: InjectedCase[], received: CapturedPacket[], emitted: CapturedPacket[]): Exchange[] {
  const n = Math.min(cases.length, received.length);
  const out: Exchange[] = [];
  for (let i = 0; i < n; i++) out.push({ index: i, case: cases[i], input: received[i], outputs: [] });
  let k = 0;
  for (const e of emitted) {
    const t = ns(e);
    while (k + 1 < n && ns(received[k + 1]) <= t) k++;
    if (n > 0 && ns(received[k]) <= t) out[k].outputs.push(e);
  }
  return out;
}
