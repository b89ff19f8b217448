/**
 * Scenario helpers for the fixture scripts: a timeline of frames with capture timestamps, TCP
 * flows that keep their own sequence numbers, DNS exchanges, and a seeded PRNG so that every
 * fixture is byte-for-byte reproducible.
 */
import { buildPacket, buildIp, frame, type LinkSpec, type PacketSpec } from '../../src/wire/builder.js';
import { encodeDns, type DnsMessageInput } from '../../src/wire/dns.js';
import { openCaptureWriter } from '../../src/pcap/writer.js';

export interface Frame {
  /** Seconds from the scenario start. */
  t: number;
  bytes: Uint8Array;
  /** Interface index (pcapng) and a comment. */
  iface: number;
  comment?: string;
  /** Cut the stored bytes to this length (snaplen), keeping the original length. */
  snap?: number;
}

/** Mulberry32: tiny deterministic PRNG for payload bytes and ISNs. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function bytesOf(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = Math.floor(rand() * 256);
  return b;
}

export class Timeline {
  readonly frames: Frame[] = [];
  constructor(public link: LinkSpec = { type: 'raw' }) {}

  add(t: number, spec: PacketSpec, opts: { iface?: number; comment?: string; link?: LinkSpec; snap?: number } = {}): Uint8Array {
    const bytes = buildPacket({ ...spec, link: opts.link ?? spec.link ?? this.link });
    this.frames.push({ t, bytes, iface: opts.iface ?? 0, comment: opts.comment, snap: opts.snap });
    return bytes;
  }

  addRaw(t: number, bytes: Uint8Array, opts: { iface?: number; comment?: string; snap?: number } = {}): void {
    this.frames.push({ t, bytes, iface: opts.iface ?? 0, comment: opts.comment, snap: opts.snap });
  }

  /** A DNS message over UDP. */
  dns(t: number, from: string, to: string, sport: number, dport: number, msg: DnsMessageInput, hop = 64): Uint8Array {
    const v = from.includes(':') ? 6 : 4;
    const payload = encodeDns(msg);
    return this.add(t, { ip: v === 6 ? { v: 6, src: from, dst: to, hopLimit: hop } : { v: 4, src: from, dst: to, ttl: hop, id: (sport * 7) & 0xffff }, l4: { udp: { sport, dport } }, payload });
  }

  sorted(): Frame[] {
    return [...this.frames].sort((a, b) => a.t - b.t);
  }
}

/** A TCP connection with its own sequence numbers; `c` = client side, `s` = server side. */
export class TcpFlow {
  cseq: number;
  sseq: number;
  constructor(
    private readonly tl: Timeline,
    readonly client: string,
    readonly server: string,
    readonly cport: number,
    readonly sport: number,
    isnC: number,
    isnS: number,
    readonly hopC = 64,
    readonly hopS = 52,
  ) {
    this.cseq = isnC >>> 0;
    this.sseq = isnS >>> 0;
  }

  private ip(fromClient: boolean): PacketSpec['ip'] {
    const src = fromClient ? this.client : this.server;
    const dst = fromClient ? this.server : this.client;
    return src.includes(':') ? { v: 6, src, dst, hopLimit: fromClient ? this.hopC : this.hopS } : { v: 4, src, dst, ttl: fromClient ? this.hopC : this.hopS, df: true, id: (this.cseq + (fromClient ? 0 : 1)) & 0xffff };
  }

  syn(t: number, mss = 1440, comment?: string): void {
    this.tl.add(t, { ip: this.ip(true), l4: { tcp: { srcPort: this.cport, dstPort: this.sport, flags: 0x02, seq: this.cseq, window: 62727, mss, sackPermitted: true, timestamp: [Math.floor(t * 1000) >>> 0, 0], windowScale: 7 } } }, { comment });
  }
  /** A retransmitted SYN (same sequence number). */
  synAgain(t: number, mss = 1440): void {
    this.syn(t, mss);
  }
  synAck(t: number, mss = 1460): void {
    this.tl.add(t, { ip: this.ip(false), l4: { tcp: { srcPort: this.sport, dstPort: this.cport, flags: 0x12, seq: this.sseq, ack: (this.cseq + 1) >>> 0, window: 65160, mss, sackPermitted: true, windowScale: 7 } } });
    this.cseq = (this.cseq + 1) >>> 0;
    this.sseq = (this.sseq + 1) >>> 0;
  }
  ack(t: number, fromClient: boolean): void {
    this.segment(t, fromClient, 0x10, new Uint8Array(0));
  }
  data(t: number, fromClient: boolean, payload: Uint8Array, flags = 0x18): void {
    this.segment(t, fromClient, flags, payload);
  }
  fin(t: number, fromClient: boolean): void {
    this.segment(t, fromClient, 0x11, new Uint8Array(0));
    if (fromClient) this.cseq = (this.cseq + 1) >>> 0;
    else this.sseq = (this.sseq + 1) >>> 0;
  }
  rst(t: number, fromClient: boolean): void {
    this.segment(t, fromClient, 0x04, new Uint8Array(0));
  }
  /** Builds the bytes of a segment without advancing (for retransmissions or ICMP quotes). */
  peek(fromClient: boolean, flags: number, payload: Uint8Array): Uint8Array {
    return buildIp({ ip: this.ip(fromClient), l4: { tcp: this.fields(fromClient, flags) }, payload });
  }
  private fields(fromClient: boolean, flags: number) {
    return {
      srcPort: fromClient ? this.cport : this.sport,
      dstPort: fromClient ? this.sport : this.cport,
      flags,
      seq: fromClient ? this.cseq : this.sseq,
      ack: fromClient ? this.sseq : this.cseq,
      window: fromClient ? 490 : 502,
    };
  }
  private segment(t: number, fromClient: boolean, flags: number, payload: Uint8Array): void {
    this.tl.add(t, { ip: this.ip(fromClient), l4: { tcp: this.fields(fromClient, flags) }, payload });
    if (fromClient) this.cseq = (this.cseq + payload.length) >>> 0;
    else this.sseq = (this.sseq + payload.length) >>> 0;
  }
}

export interface WriteSpec {
  path: string;
  /** pcapng interfaces (name, link type); classic pcap uses the first. */
  interfaces: { name: string; linkType: number }[];
  nanosecond?: boolean;
  /** Scenario start, whole seconds since 1970. */
  start: number;
}

/** Writes the timeline; frames keep insertion order unless `sort` is set. */
export async function writeTimeline(frames: Frame[], spec: WriteSpec): Promise<void> {
  const fmt = spec.path.endsWith('.pcap') ? 'pcap' : 'pcapng';
  const w = await openCaptureWriter(spec.path, { format: fmt, force: true, nanosecond: spec.nanosecond, linkType: spec.interfaces[0].linkType });
  if (fmt === 'pcapng') for (const i of spec.interfaces) w.addInterface(i.linkType, i.name);
  for (const f of frames) {
    const us = Math.round(f.t * 1e6);
    const sec = spec.start + Math.floor(us / 1e6);
    const nsec = (us % 1e6) * 1000;
    const caplen = f.snap !== undefined ? Math.min(f.snap, f.bytes.length) : f.bytes.length;
    w.write(f.bytes, 0, caplen, sec, nsec, f.bytes.length, f.iface, f.comment ?? null);
  }
  await w.close();
}

export { frame, buildIp };
