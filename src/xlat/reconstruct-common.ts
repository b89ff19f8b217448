/**
 * Shared pieces of reconstruction (SPEC §4 `--side`): a packet captured on one side of a real
 * translator that *came out of it* is turned back into what the translator received. The engines
 * reuse their forward translator for it, with the hop limit / TTL raised first so that the
 * forward decrement lands on the value the received packet had (translate(reconstruct(p)) = p).
 */
import { EmitKind, type XlatSink } from './types.js';

/** Copies an IP packet into `buf` with its TTL / hop limit raised by 2 (capped at 255). */
export function copyWithHopsRaised(bytes: Uint8Array, off: number, len: number, buf: Uint8Array): number {
  const n = Math.min(len, buf.length);
  buf.set(bytes.subarray(off, off + n), 0);
  const v = buf[0] >> 4;
  if (v === 6 && n >= 40) buf[7] = Math.min(255, buf[7] + 2);
  else if (v === 4 && n >= 20) buf[8] = Math.min(255, buf[8] + 2);
  return n;
}

/**
 * A sink that passes emits on as kind Reconstructed and keeps a copy of the reconstructed packet,
 * so that the engine can then run it forward to update its state (sessions, TCP states).
 */
export class ReconstructSink implements XlatSink {
  readonly buf = new Uint8Array(65536 + 64);
  len = 0;
  family: 4 | 6 = 4;
  target: XlatSink | null = null;
  /** Keep the reconstructed packet without passing it on (the caller adjusts it, then emits it). */
  hold = false;

  get clock() {
    return this.target?.clock;
  }
  set clock(c) {
    if (this.target) this.target.clock = c;
  }

  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    if (kind === EmitKind.Reconstructed && this.len === 0) {
      this.buf.set(bytes.subarray(off, off + len), 0);
      this.len = len;
      this.family = family;
      if (this.hold) return;
    }
    this.target!.emit(bytes, off, len, family, kind, about);
  }

  drop(reason: number, about: number): void {
    this.target!.drop(reason, about);
  }
}

/** Swallows everything: the forward run of a reconstructed packet only updates state. */
export const NULL_SINK: XlatSink = {
  emit() {},
  drop() {},
};
