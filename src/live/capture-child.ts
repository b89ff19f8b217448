/**
 * The capture process (dumpcap's role beside Wireshark): opens the interfaces with libpcap and does
 * nothing but drain libpcap's ring into a pipe to the parent, stamping each packet. Kept apart
 * from the engine so that it is scheduled as soon as packets arrive, whatever the parent is doing:
 * libpcap's ring is small here (cap forces immediate mode: one packet per 64-128 KiB slot), the
 * queue in this process is large and packed.
 *
 * Started by capture-process.ts with one argument, the JSON CaptureSpec. Stream on stdout:
 * records `[u32 length][u8 type]...` (capture-stream.ts). Commands on stdin, one per line:
 * `stats`, `stop` (also on end of input). SIGINT/SIGTERM are the parent's to act on.
 */
import { write } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { loadCap, openInterface, type OpenedInterface } from './cap.js';
import { KernelStats } from './kernel-stats.js';
import { LinkLocator } from '../wire/link.js';
import { PACKET_HEADER, MESSAGE_HEADER, RecordType, type CaptureSpec, type ChildMessage } from './capture-stream.js';

/** Bytes that may wait for the parent before packets are dropped (and counted). */
const QUEUE_LIMIT = 64 << 20;
const CHUNK = 1 << 20;
// Tried and measured (bench/live.mjs, alternating runs on the loaded 2-core machine): sleeping a
// millisecond after the first packet of a burst (fewer wakeups), writing once per drain, and a
// raised scheduling priority for this process all lost packets where the plain version lost
// none (the priority starved the engine's process). Kept plain.

class Outbox {
  private readonly chunks: Buffer[] = [];
  private cur: Buffer = Buffer.allocUnsafe(CHUNK);
  private pos = 0;
  private queued = 0;
  private inflight = false;
  private idle: (() => void)[] = [];
  closed = false;

  constructor(private readonly fd: number) {}

  private room(need: number): void {
    if (this.pos + need <= this.cur.length) return;
    if (this.pos > 0) this.chunks.push(this.cur.subarray(0, this.pos));
    this.cur = Buffer.allocUnsafe(Math.max(CHUNK, need));
    this.pos = 0;
  }

  /** Queues one packet; false when the queue is full (the caller counts the drop). */
  packet(iface: number, src: Buffer, caplen: number, origLen: number, sec: number, nsec: number, trunc: boolean): boolean {
    const need = PACKET_HEADER + caplen;
    if (this.closed || this.queued + need > QUEUE_LIMIT) return false;
    this.room(need);
    const b = this.cur;
    let p = this.pos;
    b.writeUInt32LE(need, p);
    b[p + 4] = RecordType.Packet;
    b[p + 5] = iface;
    b[p + 6] = trunc ? 1 : 0;
    b[p + 7] = 0;
    b.writeUInt32LE(origLen, p + 8);
    b.writeUInt32LE(sec >>> 0, p + 12);
    b.writeUInt32LE(nsec, p + 16);
    p += PACKET_HEADER;
    src.copy(b, p, 0, caplen);
    this.pos = p + caplen;
    this.queued += need;
    this.kick();
    return true;
  }

  message(m: ChildMessage): void {
    const body = Buffer.from(JSON.stringify(m), 'utf8');
    const need = MESSAGE_HEADER + body.length;
    this.room(need);
    this.cur.writeUInt32LE(need, this.pos);
    this.cur[this.pos + 4] = RecordType.Message;
    this.cur.fill(0, this.pos + 5, this.pos + MESSAGE_HEADER);
    body.copy(this.cur, this.pos + MESSAGE_HEADER);
    this.pos += need;
    this.queued += need;
    this.kick();
  }

  private kick(): void {
    if (this.inflight || this.closed) return;
    let b: Buffer;
    if (this.chunks.length) b = this.chunks.shift() as Buffer;
    else if (this.pos > 0) {
      b = this.cur.subarray(0, this.pos);
      this.cur = Buffer.allocUnsafe(CHUNK);
      this.pos = 0;
    } else {
      for (const f of this.idle.splice(0)) f();
      return;
    }
    this.inflight = true;
    this.send(b, 0);
  }

  private send(b: Buffer, off: number): void {
    write(this.fd, b, off, b.length - off, null, (err, n) => {
      if (err) {
        if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
          setTimeout(() => this.send(b, off), 1);
          return;
        }
        // The parent is gone: nothing more to do.
        process.exit(0);
      }
      if (off + n < b.length) {
        this.send(b, off + n);
        return;
      }
      this.queued -= b.length;
      this.inflight = false;
      this.kick();
    });
  }

  /** Resolves once everything queued is written. */
  drain(): Promise<void> {
    return new Promise((r) => {
      this.idle.push(r);
      this.kick();
    });
  }
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as CaptureSpec;
  const out = new Outbox(1);
  // Ctrl-C reaches the whole process group: the parent decides when to stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  let ifaces: OpenedInterface[] = [];
  let ks: KernelStats;
  try {
    const cap = loadCap();
    for (const name of spec.interfaces) ifaces.push(openInterface(cap, name, spec.filter, spec.snaplen, spec.bufferSize));
    ks = await KernelStats.start(ifaces.map((i) => i.socketFd));
  } catch (err) {
    for (const i of ifaces) i.cap.close();
    ifaces = [];
    const e = err as { message?: string; exitCode?: number };
    out.message({ kind: 'error', message: e.message ?? String(err), exitCode: typeof e.exitCode === 'number' ? e.exitCode : 4 });
    await out.drain();
    process.exit(0);
  }
  let dropped = 0;
  const locator = new LinkLocator();
  const t0 = performance.timeOrigin;
  ifaces.forEach((it, i) => {
    const buf = it.buffer;
    const lt = it.linkType;
    it.cap.on('packet', (nbytes: number, trunc: boolean) => {
      const ms = t0 + performance.now();
      const sec = Math.floor(ms / 1000);
      let nsec = Math.round((ms - sec * 1000) * 1e6);
      if (nsec > 999999999) nsec = 999999999;
      let origLen = nbytes;
      if (trunc) {
        // cap does not pass the length on the wire: read it from the IP header.
        const v = locator.locate(buf, 0, nbytes, lt);
        const o = locator.ipOff;
        if (v === 4 && o + 4 <= nbytes) origLen = locator.linkLen + ((buf[o + 2] << 8) | buf[o + 3]);
        else if (v === 6 && o + 6 <= nbytes) origLen = locator.linkLen + 40 + ((buf[o + 4] << 8) | buf[o + 5]);
      }
      if (!out.packet(i, buf, nbytes, origLen, sec, nsec, trunc)) dropped++;
    });
  });
  out.message({ kind: 'open', interfaces: ifaces.map((i) => ({ name: i.name, linkType: i.linkType })) });

  const stats = (kind: 'stats' | 'end' = 'stats'): ChildMessage => ({ kind, kernel: ks.counts(), unavailable: ks.unavailable, dropped });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await ks.read();
    for (const it of ifaces) {
      it.cap.removeAllListeners('packet');
      it.cap.close();
    }
    await ks.close();
    out.message(stats('end'));
    await out.drain();
    process.exit(0);
  };
  const rl = createInterface({ input: process.stdin });
  rl.on('line', (line) => {
    if (line === 'stats') {
      void ks.read().then(() => {
        if (!stopping) out.message(stats());
      });
    } else if (line === 'stop') void stop();
  });
  rl.on('close', () => void stop());
}

void main();
