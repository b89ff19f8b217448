/**
 * The worker of src/replay/engine-thread.ts: reads the capture, runs the engine on every packet as
 * {@link CaptureAnalyzer.push} does (side auto: reconstruct, else process; advance for a packet
 * that is not IP; drain at the end) and writes one record per packet into the shared ring.
 */
import { parentPort } from 'node:worker_threads';
import { getHeapStatistics } from 'node:v8';
import { readCapture } from '../pcap/reader.js';
import { PacketDecoder } from '../wire/layer-decoder.js';
import { sum, fold } from '../wire/checksum.js';
import { createEngine } from '../xlat/engine.js';
import { Nat64Engine } from '../xlat/nat64/nat64-engine.js';
import type { Clock } from '../xlat/types.js';
import { CounterpartSink, Rec, REC_MAX } from './counterpart.js';
import { Ctl, STATS, threadCpuMs, MSG_BYTES, PUBLISH_WORDS, RING_WORDS, WAKE_WORDS, type EngineThreadData } from './engine-thread.js';
import { engineCounts } from './engine-counts.js';
import { fullGc } from './gc.js';

// The capture comes in a message (the worker may have been started before it was known).
let data: EngineThreadData;
let ctl: Int32Array;
let ring: Int32Array;
const mask = RING_WORDS - 1;
let pos = 0;
let published = 0;
/** The reader's position as last seen. */
let readPos = 0;

/** Publishes what was written, and wakes the reader if it sleeps. */
function publish(): void {
  published = pos;
  Atomics.store(ctl, Ctl.Write, pos);
  if (Atomics.load(ctl, Ctl.ReaderWaits) !== 0) wakeReader();
}

function wakeReader(): void {
  Atomics.store(ctl, Ctl.ReaderWaits, 0);
  Atomics.notify(ctl, Ctl.ReaderWaits);
}

/** Waits until `n` (at most {@link WAKE_WORDS}) words are free; once it has to sleep, until WAKE_WORDS are. */
function room(n: number): void {
  if (RING_WORDS - ((pos - readPos) | 0) >= n) return;
  readPos = Atomics.load(ctl, Ctl.Read);
  if (RING_WORDS - ((pos - readPos) | 0) >= n) return;
  publish();
  for (;;) {
    Atomics.store(ctl, Ctl.WriterWaits, 1);
    readPos = Atomics.load(ctl, Ctl.Read);
    if (RING_WORDS - ((pos - readPos) | 0) >= WAKE_WORDS) break;
    Atomics.wait(ctl, Ctl.WriterWaits, 1, 100);
  }
  Atomics.store(ctl, Ctl.WriterWaits, 0);
}

function wrote(n: number): void {
  pos = (pos + n) | 0;
  if (((pos - published) | 0) >= PUBLISH_WORDS) publish();
}

function run(): Promise<void> {
  const side = data.side;
  const engine = createEngine(data.config);
  const sink = new CounterpartSink();
  const d = new PacketDecoder({ ipOnly: true });
  const clock: Clock = { sec: 0, nsec: 0 };
  sink.clock = clock;
  sink.late = (reason, about) => {
    room(3);
    ring[pos & mask] = Rec.Late | (3 << 8);
    ring[(pos + 1) & mask] = reason;
    ring[(pos + 2) & mask] = about;
    wrote(3);
  };
  const collect = fullGc();
  let sinceGc = 0;
  let liveAfterGc = getHeapStatistics().used_heap_size;
  let n = 0;
  return readCapture(data.input, (p) => {
    n++;
    clock.sec = p.tsSec;
    clock.nsec = p.tsNsec;
    sink.reset();
    sink.cur = n;
    sink.clock = clock;
    d.decode(p.data, p.offset, p.caplen, p.linkType);
    let fromTranslator = false;
    let sumRel = -1;
    let sumLen = 0;
    let s = 0;
    const v = d.ipVersion;
    if (v === 0) engine.advance(clock, sink);
    else {
      const ipLen = p.caplen - (d.l3Off - p.offset);
      const tryRec = side === 'auto' || (side === 'v6' && v === 6) || (side === 'v4' && v === 4);
      if (tryRec && engine.reconstruct(p.data, d.l3Off, ipLen, clock, n, sink)) fromTranslator = true;
      else engine.process(p.data, d.l3Off, ipLen, clock, n, sink);
      // The sum the decoder's checksum verdict takes (a whole, unfragmented upper layer).
      const proto = d.proto;
      if (!d.isFragment && d.l4Len > 0 && d.l4Captured === d.l4Len && (proto === 6 || proto === 17 || proto === 1 || proto === 58)) {
        sumRel = d.l4Off - p.offset;
        sumLen = d.l4Len;
        s = fold(sum(p.data, d.l4Off, d.l4Len, 0));
      }
    }
    room(REC_MAX);
    wrote(sink.writeRecord(ring, mask, pos, n, fromTranslator, sumRel, sumLen, s));
  }, {
    blocking: true,
    limit: data.limit,
    onWarning: () => undefined,
    afterChunk: () => {
      // As the CLI does on the main thread: the engine's spent sessions die old.
      if (collect && ++sinceGc >= 16) {
        sinceGc = 0;
        if (getHeapStatistics().used_heap_size > liveAfterGc + GC_SLACK) {
          collect();
          liveAfterGc = getHeapStatistics().used_heap_size;
        }
      }
    },
  }).then(() => {
    // finish(): the tables as the capture left them, then the drain (its drops are late ones).
    const counts = engine instanceof Nat64Engine ? engineCounts(engine) : { bib: 0, sessions: 0 };
    sink.reset();
    sink.cur = -2;
    engine.drain(sink);
    room(6);
    ring[pos & mask] = Rec.End | (6 << 8);
    ring[(pos + 1) & mask] = counts.bib;
    ring[(pos + 2) & mask] = counts.sessions;
    ring[(pos + 3) & mask] = sink.translated;
    ring[(pos + 4) & mask] = sink.reconstructed;
    ring[(pos + 5) & mask] = n;
    wrote(6);
    if (STATS) {
      Atomics.store(ctl, Ctl.CpuMs, threadCpuMs());
      const h = getHeapStatistics();
      Atomics.store(ctl, Ctl.HeapMb, Math.round(h.total_heap_size / 1e6));
      Atomics.store(ctl, Ctl.HeapUsedMb, Math.round(h.used_heap_size / 1e6));
    }
    publish();
    Atomics.store(ctl, Ctl.State, 1);
    wakeReader();
  });
}

/** Garbage allowed to build up before a full collection (as cli/commands/analyze.ts). */
const GC_SLACK = 16 * 1024 * 1024;

function fail(e: unknown): void {
  const text = Buffer.from(e instanceof Error ? e.message : String(e), 'utf8').subarray(0, MSG_BYTES);
  new Uint8Array(data.msg).set(text);
  Atomics.store(ctl, Ctl.MsgLen, text.length);
  publish();
  Atomics.store(ctl, Ctl.State, 2);
  wakeReader();
}

parentPort!.once('message', (m: EngineThreadData) => {
  data = m;
  ctl = new Int32Array(data.ctl);
  ring = new Int32Array(data.ring);
  parentPort!.postMessage('ready');
  try {
    run().catch(fail);
  } catch (e) {
    fail(e);
  }
});
