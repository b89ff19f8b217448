/**
 * analyze's engine on a second thread. On a capture file, `analyzeCapture` runs the engine (with
 * `--side`, exactly as {@link CaptureAnalyzer.push} does) in a worker that reads the same file on
 * its own, and sends, per packet, what analyze keeps of the engine's answer (the counterpart sink's
 * state, src/replay/counterpart.ts) plus the folded one's-complement sum of the packet's upper
 * layer (which the decoder's checksum verdict would otherwise compute) through a ring of words in
 * shared memory. The main thread decodes, tracks flows and DNS and runs the rules, taking each
 * packet's record as it goes: the two halves of the work run at once on two cores, and the output
 * is byte for byte what one thread gives (test/diag/engine-thread.test.ts).
 *
 * The ring: `ctl` (Int32Array over a SharedArrayBuffer) holds the writer's published position,
 * the reader's, and the worker's state; positions count words and wrap as int32. The writer
 * publishes every {@link PUBLISH_WORDS} words and whenever it waits for room; the reader publishes
 * what it consumed before it waits. Records: see {@link Rec}.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import type { EngineConfig } from '../xlat/config-types.js';
import { Rec } from './counterpart.js';

/** ctl word indices. */
export const Ctl = {
  /** Words the writer has published. */
  Write: 0,
  /** Words the reader has consumed. */
  Read: 1,
  /** 0 running, 1 done (everything published), 2 failed (message in the text buffer). */
  State: 2,
  /** Bytes of the failure message. */
  MsgLen: 3,
  /** NAT64SCOPE_THREAD_STATS=1: the worker's CPU time (ms), heap total and used (MB) at its end. */
  CpuMs: 4,
  HeapMb: 5,
  HeapUsedMb: 6,
  /** 1 while the reader sleeps (the writer wakes it when it publishes). */
  ReaderWaits: 8,
  /** 1 while the writer sleeps for room (the reader wakes it once a quarter of the ring is free). */
  WriterWaits: 9,
} as const;
export const CTL_WORDS = 16;
export const MSG_BYTES = 1024;

/** Ring size in words (a power of two): 1 MiB, some 10,000 packets. */
export const RING_WORDS = 1 << 18;
/** The writer publishes its position at least every this many words. */
export const PUBLISH_WORDS = 4096;
/** A writer waiting for room is woken once this much of the ring is free (not at each word). */
export const WAKE_WORDS = RING_WORDS >> 2;

/** What the worker gets (workerData). */
export interface EngineThreadData {
  input: string;
  /** Bytes of the file both threads read (its size when analyze began: a growing file reads the same). */
  limit: number;
  config: EngineConfig;
  side: 'none' | 'v6' | 'v4' | 'auto';
  ctl: SharedArrayBuffer;
  ring: SharedArrayBuffer;
  msg: SharedArrayBuffer;
}

/**
 * The worker's young generation, MB: small (V8 lets it grow to tens of MB), as the engine's
 * state is what lives long there; keeps the whole process under the 5M-packet memory goal.
 */
const WORKER_YOUNG_MB = 8;
export const STATS = process.env.NAT64SCOPE_THREAD_STATS === '1';

/** CPU time (user + system, ms) of the calling thread, from /proc (Linux), or -1. */
export function threadCpuMs(): number {
  try {
    const f = readFileSync('/proc/thread-self/stat', 'utf8');
    const v = f.slice(f.lastIndexOf(')') + 2).split(' ');
    return Math.round(((Number(v[11]) + Number(v[12])) * 1000) / 100);
  } catch {
    return -1;
  }
}

/** A wait longer than this with no word from the worker means it is gone. */
const STALL_MS = 60_000;

/** A worker started ahead of time ({@link prestartEngineThread}), not yet given its capture. */
let spare: Worker | null = null;

/**
 * The worker's module: next to this one once compiled; from the build when this module runs as
 * TypeScript source (the tests: `npm test` builds first).
 */
const WORKER_URL = import.meta.url.endsWith('.ts')
  ? new URL('../../dist/src/replay/engine-thread-worker.js', import.meta.url)
  : new URL('./engine-thread-worker.js', import.meta.url);

function newWorker(): Worker {
  return new Worker(WORKER_URL, { stdout: false, stderr: false, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_MB } });
}

/**
 * Starts a worker now, for the next {@link EngineThread}: it boots and loads its modules while
 * the caller does other things (the CLI parses its arguments). An unused one does not keep the
 * process alive.
 */
export function prestartEngineThread(): void {
  if (spare !== null) return;
  spare = newWorker();
  spare.unref();
}

/** The main thread's end of the engine thread. */
export class EngineThread {
  private readonly ctl: Int32Array;
  readonly ring: Int32Array;
  readonly mask = RING_WORDS - 1;
  private readonly msg: Uint8Array;
  private readonly worker: Worker;
  /** Read position (words) and the writer's position as last seen. */
  pos = 0;
  private avail = 0;
  private published = 0;
  private exitError: Error | null = null;
  /** NAT64SCOPE_THREAD_STATS=1: time the main thread waited for the worker. */
  waitMs = 0;
  waits = 0;
  private firstWaitMs = 0;
  private readonly started = performance.now();

  constructor(input: string, readonly limit: number, config: EngineConfig, side: EngineThreadData['side']) {
    const ctl = new SharedArrayBuffer(CTL_WORDS * 4);
    const ring = new SharedArrayBuffer(RING_WORDS * 4);
    const msg = new SharedArrayBuffer(MSG_BYTES);
    this.ctl = new Int32Array(ctl);
    this.ring = new Int32Array(ring);
    this.msg = new Uint8Array(msg);
    const data: EngineThreadData = { input, limit, config, side, ctl, ring, msg };
    this.worker = spare ?? newWorker();
    spare = null;
    this.worker.ref();
    this.worker.postMessage(data);
    this.readyPromise = new Promise<void>((resolve, reject) => {
      const failed = (e: Error): void => {
        this.exitError = e;
        reject(new Error(`analyze: the engine thread failed: ${e.message}`));
      };
      this.worker.once('message', () => resolve());
      this.worker.on('error', (e) => failed(e instanceof Error ? e : new Error(String(e))));
      this.worker.once('exit', (code) => failed(new Error(`exit ${code}`)));
    });
    // Only ready() reports a failure (an unawaited rejection would end the process).
    this.readyPromise.catch(() => undefined);
  }

  private readonly readyPromise: Promise<void>;

  /**
   * Resolves once the worker has its capture and runs (await it before the first {@link next}:
   * the main thread then never blocks on a worker that could not start); rejects if it failed.
   */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  /**
   * Makes sure `n` words past the read position are readable (waits for the worker); false when
   * the worker has finished and they never will be.
   */
  private need(n: number): boolean {
    if (((this.avail - this.pos) | 0) >= n) return true;
    const ctl = this.ctl;
    let waited = 0;
    for (;;) {
      this.avail = Atomics.load(ctl, Ctl.Write);
      if (((this.avail - this.pos) | 0) >= n) return true;
      const state = Atomics.load(ctl, Ctl.State);
      if (state === 2) throw this.failure();
      if (state === 1) {
        // Everything the worker wrote was published before it said done.
        this.avail = Atomics.load(ctl, Ctl.Write);
        return ((this.avail - this.pos) | 0) >= n;
      }
      // Room for the writer before sleeping.
      this.release();
      Atomics.store(ctl, Ctl.ReaderWaits, 1);
      this.avail = Atomics.load(ctl, Ctl.Write);
      if (((this.avail - this.pos) | 0) >= n || Atomics.load(ctl, Ctl.State) !== 0) {
        Atomics.store(ctl, Ctl.ReaderWaits, 0);
        continue;
      }
      const t0 = STATS ? performance.now() : 0;
      const r = Atomics.wait(ctl, Ctl.ReaderWaits, 1, 1000);
      Atomics.store(ctl, Ctl.ReaderWaits, 0);
      if (STATS) {
        if (this.waits === 0) this.firstWaitMs = performance.now() - this.started;
        this.waitMs += performance.now() - t0;
        this.waits++;
      }
      if (r === 'timed-out') {
        waited += 1000;
        if (waited >= STALL_MS) throw new Error(`analyze: the engine thread stopped answering${this.exitError ? ` (${this.exitError.message})` : ''}`);
      } else waited = 0;
    }
  }

  /** Publishes the read position (the writer may reuse what was read), waking it when it waits and a quarter of the ring is free. */
  release(): void {
    if (this.published === this.pos) return;
    const ctl = this.ctl;
    this.published = this.pos;
    Atomics.store(ctl, Ctl.Read, this.pos);
    if (Atomics.load(ctl, Ctl.WriterWaits) !== 0 && RING_WORDS - ((Atomics.load(ctl, Ctl.Write) - this.pos) | 0) >= WAKE_WORDS) {
      Atomics.store(ctl, Ctl.WriterWaits, 0);
      Atomics.notify(ctl, Ctl.WriterWaits);
    }
  }

  private failure(): Error {
    const len = Atomics.load(this.ctl, Ctl.MsgLen);
    const text = Buffer.from(this.msg.slice(0, Math.min(len, MSG_BYTES))).toString('utf8');
    const e = new Error(text || 'analyze: the engine thread failed') as Error & { exitCode?: number };
    // A read error the worker met first is the reader's error (exit 3), as on one thread.
    if (/^cannot read capture|^capture /.test(text)) e.exitCode = 3;
    return e;
  }

  /**
   * Reads records up to the next packet record, giving each late drop to `late`; returns the
   * position of that record (it stays readable until {@link done}), or -1 at the end record.
   */
  next(late: (reason: number, about: number) => void): number {
    const r = this.ring;
    const mask = this.mask;
    for (;;) {
      if (!this.need(1)) throw new Error('analyze: the capture changed while it was read (the engine thread saw fewer packets)');
      const head = r[this.pos & mask];
      const len = head >>> 8;
      if (!this.need(len)) throw new Error('analyze: the engine thread ended in the middle of a record');
      const tag = head & 0xff;
      if (tag === Rec.Packet) return this.pos;
      if (tag === Rec.Late) {
        late(r[(this.pos + 1) & mask], r[(this.pos + 2) & mask]);
        this.skip(len);
        continue;
      }
      if (tag === Rec.End) return -1;
      throw new Error(`analyze: bad record from the engine thread (${head})`);
    }
  }

  /** Moves past the record at the read position (`len` words). */
  skip(len: number): void {
    this.pos = (this.pos + len) | 0;
    if (((this.pos - this.published) | 0) >= PUBLISH_WORDS) this.release();
  }

  /** Moves past the record at the read position. */
  done(): void {
    this.skip(this.ring[this.pos & this.mask] >>> 8);
  }

  /**
   * After the last packet: the drain's late drops go to `late`; returns the End record's counts.
   * Throws when the worker saw more packets than the caller.
   */
  finish(late: (reason: number, about: number) => void): { bib: number; sessions: number; translated: number; reconstructed: number } {
    const at = this.next(late);
    if (at !== -1) throw new Error('analyze: the capture changed while it was read (the engine thread saw more packets)');
    const r = this.ring;
    const m = this.mask;
    const p = this.pos;
    return { bib: r[(p + 1) & m], sessions: r[(p + 2) & m], translated: r[(p + 3) & m], reconstructed: r[(p + 4) & m] };
  }

  /** Stops the worker (whatever it is doing). */
  async close(): Promise<void> {
    if (STATS) process.stderr.write(`engine thread: main thread ${threadCpuMs()} ms CPU, worker ${Atomics.load(this.ctl, Ctl.CpuMs)} ms CPU; main waited ${this.waitMs.toFixed(0)} ms (${this.waits} waits, the first until ${this.firstWaitMs.toFixed(0)} ms after the start); worker heap ${Atomics.load(this.ctl, Ctl.HeapMb)} MB (used ${Atomics.load(this.ctl, Ctl.HeapUsedMb)}), main ${JSON.stringify(Object.fromEntries(Object.entries(process.memoryUsage()).map(([k, v]) => [k, Math.round(v / 1e6)])))}\n`);
    await this.worker.terminate();
  }
}
