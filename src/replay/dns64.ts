/**
 * The DNS64 pipeline over a capture: decode -> {@link Dns64Engine} -> results (and, with an
 * output, the capture with every answer the engine changed rewritten in place).
 *
 *  - {@link runDns64}: the `dns64` command. With a file input it reads the capture twice: a
 *    first pass learns A data only (so an AAAA response that arrives before the A response of
 *    the same name still finds it: clients send both queries at once), the second answers.
 *    From stdin, one pass. Memory: the engine's tables (distinct names), never packets.
 *  - {@link Dns64Hook}: for `translate`: one object consulted per input packet; it returns the
 *    rewritten packet when the engine changed a DNS answer, and says what it did for `--explain`.
 */
import { readCapture, type ReadSummary, type ReadOptions } from '../pcap/reader.js';
import { openCaptureWriter, formatForPath, samePath, type CaptureWriter } from '../pcap/writer.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { PacketDecoder, L4, DNS_PORT } from '../wire/layer-decoder.js';
import { Dns64Engine, type Dns64Options, type Dns64Result } from '../xlat/dns64/engine.js';
import { DnsPacketRewriter } from '../xlat/dns64/packet.js';
import type { ZoneRecord } from '../xlat/dns64/zone.js';

export interface RunDns64Options {
  input: string;
  engine: Dns64Options;
  zone?: readonly ZoneRecord[];
  /** Rewritten capture path (`-` = stdout), or null. */
  output?: string | null;
  force?: boolean;
  /** Each answered query, in capture order of the packet it acted on (`message` only with an output). */
  onResult: (r: Dns64Result) => void;
  onWarning?: (msg: string) => void;
  afterChunk?: () => Promise<void> | void;
  blocking?: boolean;
  /** Skip the A-data pre-pass even for files (default: pre-pass unless input is stdin). */
  onePass?: boolean;
  /** The engine's view-only path for common AAAA answers (default on; off for the differential test). */
  fastPath?: boolean;
}

export interface RunDns64Summary {
  read: ReadSummary;
  packets: number;
  dnsMessages: number;
  answered: number;
  synthesized: number;
  rewritten: number;
  /** Rewrites the packet could not carry (fragment, TCP segment with several messages). */
  notRewritable: number;
  /** Distinct names held at the end (the memory bound). */
  names: number;
  /** AAAA answers decided by the engine's view-only path. */
  fastHits: number;
}

export class Dns64UsageError extends Error {
  readonly exitCode = 2;
}

/** Port of the querier for a DNS packet (the side that is not 53). */
function clientPort(dec: PacketDecoder): number {
  return dec.sport === DNS_PORT ? dec.dport : dec.sport;
}


export async function runDns64(opts: RunDns64Options): Promise<RunDns64Summary> {
  const out = opts.output ?? null;
  if (out && out !== '-' && opts.input !== '-' && (await samePath(opts.input, out))) {
    throw new Dns64UsageError(`output is the input: ${out} (an input is never overwritten)`);
  }
  const engine = new Dns64Engine(opts.engine);
  engine.fastPath = opts.fastPath ?? true;
  // Without an output capture nothing is encoded: results carry no message (action still says rewrite).
  engine.buildMessages = out !== null;
  if (opts.zone) engine.loadZone(opts.zone);
  // Lean decoders: no checksum verification, no DnsView parse (the engine reads the messages).
  const dec = new PacketDecoder({ lean: true });
  const readOpts: ReadOptions = { onWarning: opts.onWarning, blocking: opts.blocking };

  // Pass 1: A data only.
  if (opts.input !== '-' && !opts.onePass) {
    const pre = new PacketDecoder({ lean: true });
    await readCapture(opts.input, (p: CapturedPacket) => {
      pre.decode(p.data, p.offset, p.caplen, p.linkType);
      const k = pre.dnsCount < 8 ? pre.dnsCount : 8;
      for (let i = 0; i < k; i++) engine.prescan(pre.dnsBufs[i], pre.dnsOffs[i], pre.dnsLens[i]);
    }, { blocking: opts.blocking, onWarning: () => undefined });
  }

  let writer: CaptureWriter | null = null;
  const rewriter = new DnsPacketRewriter();
  const ifaces = new Map<string, number>();
  let pcapLinkType = -1;
  let packets = 0;
  let dnsMessages = 0;
  let notRewritable = 0;
  try {
    if (out) writer = await openCaptureWriter(out, { format: formatForPath(out), force: opts.force ?? false });
    const read = await readCapture(opts.input, (p: CapturedPacket) => {
      packets++;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      let replaced: Uint8Array | null = null;
      if (dec.dnsCount > 0 && (dec.l4 === L4.UDP || dec.l4 === L4.TCP)) {
        const k = dec.dnsCount < 8 ? dec.dnsCount : 8;
        const cport = clientPort(dec);
        const tcp = dec.l4 === L4.TCP;
        for (let i = 0; i < k; i++) {
          dnsMessages++;
          const r = engine.onMessage(dec.dnsBufs[i], dec.dnsOffs[i], dec.dnsLens[i], p.number, cport, tcp);
          if (!r) continue;
          if (writer && r.action === 'rewrite') {
            const bytes = engine.encode(r);
            const pkt = bytes && k === 1 ? rewriter.rewrite(dec, p.offset, p.caplen, bytes) : null;
            if (pkt) replaced = pkt;
            else notRewritable++;
          }
          opts.onResult(r);
        }
      }
      if (writer) {
        if (!replaced && dec.l4 === L4.TCP) rewriter.adjust(dec);
        const lt = p.linkType;
        let iface = 0;
        if (writer.format === 'pcapng') {
          const key = `${p.section}/${p.ifIndex}`;
          let i = ifaces.get(key);
          if (i === undefined) ifaces.set(key, (i = writer.addInterface(lt, null)));
          iface = i;
        } else {
          if (pcapLinkType < 0) pcapLinkType = lt;
          if (lt !== pcapLinkType) throw new Dns64UsageError(`a pcap output holds one link type; the input mixes ${pcapLinkType} and ${lt} (write .pcapng)`);
          if (writer.packets === 0) writer.addInterface(lt, null);
        }
        if (replaced) writer.write(replaced, 0, replaced.length, p.tsSec, p.tsNsec, replaced.length + (p.origLen - p.caplen), iface, null);
        else writer.write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec, p.origLen, iface, null);
      }
    }, { ...readOpts, afterChunk: opts.afterChunk });
    for (const r of engine.finish()) opts.onResult(r);
    if (read.corrupt) {
      const e = new Error(`capture framing is broken after packet ${read.packets} (${opts.input === '-' ? 'stdin' : opts.input})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
    if (writer) await writer.close();
    return {
      read, packets, dnsMessages, answered: engine.answered, synthesized: engine.synthesized, rewritten: engine.rewritten - notRewritable,
      notRewritable, names: engine.size(), fastHits: engine.fastHits,
    };
  } catch (err) {
    if (writer) await writer.abort().catch(() => undefined);
    throw err;
  }
}

/** What the hook did with the last packet (for `--explain`). */
export interface Dns64HookVerdict {
  /** kept: the resolver's answer stands; rewritten: replaced by the engine's; passed: a query, or not an AAAA/PTR answer. */
  action: 'kept' | 'rewritten' | 'passed';
  reason: string;
  detail: string;
}

/**
 * The DNS64 step of `translate` (SPEC §4): consulted once per input packet, before the
 * translator. Non-DNS packets cost a port check. Returns the replacement packet (link layer
 * included) or null to keep the input as it is; {@link verdict} says why (null for non-DNS).
 */
export class Dns64Hook {
  readonly engine: Dns64Engine;
  private readonly dec = new PacketDecoder();
  private readonly rewriter = new DnsPacketRewriter();
  verdict: Dns64HookVerdict | null = null;
  /** The engine's answer behind {@link verdict} (null for a query or a packet it did not answer). */
  result: Dns64Result | null = null;
  rewrittenCount = 0;

  constructor(opts: Dns64Options, zone?: readonly ZoneRecord[]) {
    this.engine = new Dns64Engine(opts);
    if (zone) this.engine.loadZone(zone);
  }

  /** Learns A data from a packet without answering anything (an optional pre-pass). */
  prescan(bytes: Uint8Array, off: number, caplen: number, linkType: number, ipOff: number): void {
    if (!maybeDns(bytes, ipOff, off + caplen)) return;
    const dec = this.dec;
    dec.decode(bytes, off, caplen, linkType);
    const k = dec.dnsCount < 8 ? dec.dnsCount : 8;
    for (let i = 0; i < k; i++) this.engine.prescan(dec.dnsBufs[i], dec.dnsOffs[i], dec.dnsLens[i]);
  }

  packet(bytes: Uint8Array, off: number, caplen: number, linkType: number, ipOff: number, n: number): Uint8Array | null {
    this.verdict = null;
    this.result = null;
    if (!maybeDns(bytes, ipOff, off + caplen)) return null;
    const dec = this.dec;
    dec.decode(bytes, off, caplen, linkType);
    if (dec.dnsCount === 0) {
      if (dec.l4 === L4.TCP) this.rewriter.adjust(dec);
      return null;
    }
    const k = dec.dnsCount < 8 ? dec.dnsCount : 8;
    let out: Uint8Array | null = null;
    for (let i = 0; i < k; i++) {
      const r = this.engine.onMessage(dec.dnsBufs[i], dec.dnsOffs[i], dec.dnsLens[i], n, clientPort(dec), dec.l4 === L4.TCP);
      if (!r) {
        const isQuery = dec.dnsLens[i] >= 3 && (dec.dnsBufs[i][dec.dnsOffs[i] + 2] & 0x80) === 0;
        this.verdict ??= isQuery
          ? { action: 'passed', reason: 'query', detail: 'a query: DNS64 acts on its answer' }
          : { action: 'passed', reason: 'not-aaaa-answer', detail: 'not an AAAA or ip6.arpa PTR answer' };
        continue;
      }
      if (r.action === 'rewrite') {
        const enc = this.engine.encode(r);
        const pkt = enc && k === 1 ? this.rewriter.rewrite(dec, off, caplen, enc) : null;
        if (pkt) {
          out = pkt;
          this.rewrittenCount++;
          this.verdict = { action: 'rewritten', reason: r.reason, detail: r.detail };
          this.result = r;
          continue;
        }
        this.result = r;
        this.verdict = { action: 'kept', reason: r.reason, detail: `${r.detail} (not rewritable in this packet: ${k > 1 ? 'several messages in one segment' : 'fragment or partial segment'})` };
        continue;
      }
      this.verdict = { action: r.action === 'none' ? 'passed' : 'kept', reason: r.reason, detail: r.detail };
      this.result = r;
    }
    if (!out && dec.l4 === L4.TCP) this.rewriter.adjust(dec);
    return out;
  }

  /** Queries whose response never came (answered from A data; nothing to rewrite). */
  finish(): Dns64Result[] {
    return this.engine.finish();
  }
}

/** Cheap test: UDP or TCP with port 53 at the IP header at `ip` (extension headers: maybe). */
export function maybeDns(b: Uint8Array, ip: number, end: number): boolean {
  if (ip >= end) return false;
  const v = b[ip] >> 4;
  let l4: number;
  let proto: number;
  if (v === 4) {
    proto = b[ip + 9];
    l4 = ip + (b[ip] & 0x0f) * 4;
  } else if (v === 6) {
    proto = b[ip + 6];
    l4 = ip + 40;
    if (proto !== 6 && proto !== 17) return proto === 0 || proto === 43 || proto === 44 || proto === 60; // extension headers: decode
  } else return false;
  if ((proto !== 6 && proto !== 17) || l4 + 4 > end) return false;
  return ((b[l4] << 8) | b[l4 + 1]) === DNS_PORT || ((b[l4 + 2] << 8) | b[l4 + 3]) === DNS_PORT;
}

