/**
 * The DNS64 pipeline over a capture: decode -> {@link Dns64Engine} -> results (and, with an
 * output, the capture with every answer the engine changed rewritten in place).
 *
 *  - {@link runDns64}: the `dns64` command. With a file input a first pass learns A data only
 *    (so an AAAA response that arrives before the A response of the same name still finds it:
 *    clients send both queries at once), the second answers. From a plain file without a zone
 *    the first pass is read only if the second needs it (the engine's lazy base: same answers).
 *    From stdin, one pass. Memory: the engine's tables (distinct names), never packets.
 *  - {@link Dns64Hook}: for `translate`: one object consulted per input packet; it returns the
 *    rewritten packet when the engine changed a DNS answer, and says what it did for `--explain`.
 */
import { openSync, readSync, closeSync, fstatSync } from 'node:fs';
import { readCapture, CaptureParser, type ReadSummary, type ReadOptions } from '../pcap/reader.js';
import { openCaptureWriter, formatForPath, samePath, type CaptureWriter } from '../pcap/writer.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { PacketDecoder, L4, DNS_PORT } from '../wire/layer-decoder.js';
import { dnsWalkName, DnsType } from '../wire/dns.js';
import { Dns64Engine, type Dns64Options, type Dns64Result, type Dns64Memo } from '../xlat/dns64/engine.js';
import { DnsPacketRewriter } from '../xlat/dns64/packet.js';
import type { ZoneRecord } from '../xlat/dns64/zone.js';
import { PacketFacts, type CompiledFilter } from '../filter/index.js';
import { DnsScan, Scan } from './dns-scan.js';

export interface RunDns64Options {
  input: string;
  engine: Dns64Options;
  zone?: readonly ZoneRecord[];
  /** Rewritten capture path (`-` = stdout), or null. */
  output?: string | null;
  force?: boolean;
  /**
   * Each answered query, in capture order of the packet it acted on (`message` only with an
   * output); `memo`: the engine's remembered decision the result is a copy of, or null.
   */
  onResult: (r: Dns64Result, memo: Dns64Memo | null) => void;
  onWarning?: (msg: string) => void;
  afterChunk?: () => Promise<void> | void;
  blocking?: boolean;
  /** Skip the A-data pre-pass even for files (default: pre-pass unless input is stdin). */
  onePass?: boolean;
  /**
   * The pre-pass done only when the main pass needs it (default true; plain files without a
   * zone): {@link Dns64Engine.setLazyBase}. False: always read the file twice (the differential test compares both).
   */
  lazyBase?: boolean;
  /**
   * Results of the engine's remembered decisions are lent, valid only during `onResult` (no
   * object per answer; see {@link Dns64Engine.lendResults}). For consumers that keep nothing.
   */
  lendResults?: boolean;
  /** Called when the first pass is read (eagerly before the main pass, or when the lazy base is loaded). */
  onFirstPass?: () => void;
  /** The engine's view-only path for common AAAA answers (default on; off for the differential test). */
  fastPath?: boolean;
  /**
   * `--filter`: every packet still goes through the engine (A data is learned from all of them);
   * a query is reported (onResult), counted and rewritten only when the filter matches its
   * captured response or its captured query. Unselected answers are written as they are.
   */
  filter?: CompiledFilter | null;
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
  /** Of those, the ones that repeated the name's previous decision (the engine's NODATA memo). */
  memoHits: number;
  /** With a filter: the queries the engine answered in all (`answered` counts the selected ones). */
  answeredAll: number;
}

/** Most selected query packet numbers remembered while their response is awaited (as the engine's pending cap). */
const MAX_SELECTED_QUERIES = 65536;

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
  engine.lendResults = opts.lendResults ?? false;
  // Lean decoders: no checksum verification, no DnsView parse (the engine reads the messages).
  const dec = new PacketDecoder({ lean: true });
  const readOpts: ReadOptions = { onWarning: opts.onWarning, blocking: opts.blocking };

  // Pass 1: A data only. From a plain file without a zone, done only if the main pass needs it
  // (the engine's lazy base: the first lookup that finds nothing loads it, by a blocking read).
  if (opts.input !== '-' && !opts.onePass) {
    if (!opts.zone && (opts.lazyBase ?? true) && plainFile(opts.input)) {
      const input = opts.input;
      engine.setLazyBase(() => {
        const base = new Dns64Engine(opts.engine);
        base.fastPath = engine.fastPath;
        opts.onFirstPass?.();
        prescanSync(input, base);
        return base;
      }, false);
    } else {
      if (opts.zone) engine.loadZone(opts.zone);
      const prescanPacket = prescanner(engine);
      opts.onFirstPass?.();
      await readCapture(opts.input, prescanPacket, { blocking: opts.blocking, onWarning: () => undefined });
    }
  } else if (opts.zone) engine.loadZone(opts.zone);

  // --filter: a full decoder (the facts read the DNS view) on the DNS packets only.
  const filter = opts.filter ?? null;
  const fdec = filter ? new PacketDecoder() : null;
  const facts = new PacketFacts();
  facts.prefixes = opts.engine.prefixes.map((p) => ({ match: p, embedLen: p.len }));
  /**
   * Packet numbers of captured queries the filter matched -> how many AAAA/PTR queries the packet
   * holds whose answer is not decided yet (a TCP segment can hold several).
   */
  const chosenQueries = new Map<number, number>();
  let answered = 0;
  let synthesized = 0;
  let rewrites = 0;
  const selects = (r: Dns64Result, n: number, matched: boolean): boolean => {
    if (!filter) return true;
    if (r.queryN !== 0) {
      const left = chosenQueries.get(r.queryN);
      if (left !== undefined) {
        if (left > 1) chosenQueries.set(r.queryN, left - 1);
        else chosenQueries.delete(r.queryN);
        return true;
      }
    }
    return matched && r.n === n;
  };

  let writer: CaptureWriter | null = null;
  const rewriter = new DnsPacketRewriter();
  const ifaces = new Map<string, number>();
  let pcapLinkType = -1;
  let packets = 0;
  let dnsMessages = 0;
  let notRewritable = 0;
  try {
    if (out) writer = await openCaptureWriter(out, { format: formatForPath(out), force: opts.force ?? false });
    // Without an output capture, the plain UDP packets are read by the byte scan (no decoding).
    const scan = writer ? null : new DnsScan();
    const oneBuf: Uint8Array[] = [new Uint8Array(0)];
    const oneOff = new Int32Array(1);
    const oneLen = new Int32Array(1);
    let replaced: Uint8Array | null = null;
    /** The first `k` DNS messages of packet `p` (bufs/offs/lens); with a writer, `dec` holds its decoded layers. */
    const messages = (p: CapturedPacket, bufs: Uint8Array[], offs: Int32Array, lens: Int32Array, k: number, cport: number, tcp: boolean): void => {
      let matched = true;
      if (filter) {
        fdec!.decode(p.data, p.offset, p.caplen, p.linkType);
        matched = filter.matchesPacket(facts.fill(p, fdec!));
        const nq = matched ? countQueries(bufs, offs, lens, k) : 0;
        if (nq > 0) {
          if (chosenQueries.size >= MAX_SELECTED_QUERIES) chosenQueries.delete(chosenQueries.keys().next().value as number);
          chosenQueries.set(p.number, nq);
        }
      }
      for (let i = 0; i < k; i++) {
        dnsMessages++;
        const r = engine.onMessage(bufs[i], offs[i], lens[i], p.number, cport, tcp);
        if (!r) continue;
        if (!selects(r, p.number, matched)) continue;
        answered++;
        if (r.synthesized) synthesized++;
        if (r.action === 'rewrite') rewrites++;
        if (writer && r.action === 'rewrite') {
          const bytes = engine.encode(r);
          const pkt = bytes && k === 1 ? rewriter.rewrite(dec, p.offset, p.caplen, bytes) : null;
          if (pkt) replaced = pkt;
          else notRewritable++;
        }
        opts.onResult(r, engine.lastMemo);
      }
    };
    const read = await readCapture(opts.input, (p: CapturedPacket) => {
      packets++;
      if (scan) {
        const s = scan.scan(p.data, p.offset, p.caplen, p.linkType);
        if (s === Scan.None) return;
        if (s === Scan.Udp) {
          oneBuf[0] = p.data;
          oneOff[0] = scan.msgOff;
          oneLen[0] = scan.msgLen;
          messages(p, oneBuf, oneOff, oneLen, 1, scan.sport === DNS_PORT ? scan.dport : scan.sport, false);
          return;
        }
      }
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      replaced = null;
      if (dec.dnsCount > 0 && (dec.l4 === L4.UDP || dec.l4 === L4.TCP)) {
        messages(p, dec.dnsBufs, dec.dnsOffs, dec.dnsLens, dec.dnsCount < 8 ? dec.dnsCount : 8, clientPort(dec), dec.l4 === L4.TCP);
      } else if (dec.dnsCount > 0) engine.loadBase(); // the first pass would read these messages, this one does not
      if (writer) {
        // (set by messages(): TypeScript does not see the closure assign it)
        const rep = replaced as Uint8Array | null;
        if (!rep && dec.l4 === L4.TCP) rewriter.adjust(dec);
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
        if (rep) writer.write(rep, 0, rep.length, p.tsSec, p.tsNsec, rep.length + (p.origLen - p.caplen), iface, null);
        else writer.write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec, p.origLen, iface, null);
      }
    }, { ...readOpts, afterChunk: opts.afterChunk });
    for (const r of engine.finish()) {
      if (!selects(r, r.n, false)) continue;
      answered++;
      if (r.synthesized) synthesized++;
      if (r.action === 'rewrite') rewrites++;
      opts.onResult(r, null);
    }
    if (read.corrupt) {
      const e = new Error(`capture framing is broken after packet ${read.packets} (${opts.input === '-' ? 'stdin' : opts.input})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
    if (writer) await writer.close();
    return {
      read, packets, dnsMessages, answered, synthesized, rewritten: rewrites - notRewritable,
      notRewritable, names: engine.size(), fastHits: engine.fastHits, memoHits: engine.memoHits, answeredAll: engine.answered,
    };
  } catch (err) {
    if (writer) await writer.abort().catch(() => undefined);
    throw err;
  }
}

/** The first pass's packet handler: every DNS message of the packet to `engine.prescan`. */
function prescanner(engine: Dns64Engine): (p: CapturedPacket) => void {
  const pre = new PacketDecoder({ lean: true });
  const pscan = new DnsScan();
  return (p: CapturedPacket) => {
    // The plain UDP shapes by a byte scan; the others (TCP: reassembly state) through the decoder.
    const s = pscan.scan(p.data, p.offset, p.caplen, p.linkType);
    if (s === Scan.None) return;
    if (s === Scan.Udp) {
      engine.prescan(p.data, pscan.msgOff, pscan.msgLen);
      return;
    }
    pre.decode(p.data, p.offset, p.caplen, p.linkType);
    const k = pre.dnsCount < 8 ? pre.dnsCount : 8;
    for (let i = 0; i < k; i++) engine.prescan(pre.dnsBufs[i], pre.dnsOffs[i], pre.dnsLens[i]);
  };
}

/** Whether `path` is a regular file that does not start as gzip (the lazy first pass reads it with blocking reads). */
function plainFile(path: string): boolean {
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    if (!fstatSync(fd).isFile()) return false;
    const head = new Uint8Array(2);
    const n = readSync(fd, head, 0, 2, 0);
    return !(n === 2 && head[0] === 0x1f && head[1] === 0x8b);
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/**
 * The first pass over a plain capture file, synchronously (called from inside the main pass):
 * the same packets, in the same order, as {@link readCapture} gives, to the same handler as the
 * eager first pass. Problems are ignored as there (the main pass reports them).
 */
function prescanSync(path: string, engine: Dns64Engine): void {
  const parser = new CaptureParser(prescanner(engine), { name: path, onWarning: () => undefined });
  let fd = -1;
  try {
    fd = openSync(path, 'r');
    for (;;) {
      const room = parser.reserve();
      const n = readSync(fd, parser.buffer, parser.fillOffset, Math.min(room, 1 << 20), null);
      if (n === 0) break;
      parser.commit(n);
      if (parser.stopped) break;
    }
    parser.end();
  } catch {
    // A file that cannot be read again or is not a capture: the main pass says so.
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** How many of the first `k` DNS messages are AAAA or PTR queries (the queries the engine answers). */
function countQueries(bufs: Uint8Array[], offs: Int32Array, lens: Int32Array, k: number): number {
  let n = 0;
  for (let i = 0; i < k; i++) {
    const b = bufs[i];
    const o = offs[i];
    const len = lens[i];
    if (len < 12 || (b[o + 2] & 0x80) !== 0) continue;
    const e = dnsWalkName(b, o, len, 12);
    if (e < 0 || e + 4 > len) continue;
    const t = (b[o + e] << 8) | b[o + e + 1];
    if (t === DnsType.AAAA || t === DnsType.PTR) n++;
  }
  return n;
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
  engine: Dns64Engine;
  private dec = new PacketDecoder();
  private rewriter = new DnsPacketRewriter();
  private readonly scan = new DnsScan();
  verdict: Dns64HookVerdict | null = null;
  /** The engine's answer behind {@link verdict} (null for a query or a packet it did not answer). */
  result: Dns64Result | null = null;
  rewrittenCount = 0;
  /**
   * Check mode ({@link checkOnly}): {@link packet} only says whether the packet's answer would be
   * rewritten, the cheapest way — no rewrite message built (so the engine reuses remembered
   * decisions), plain UDP packets read by the byte scan — and returns {@link WOULD_REWRITE} for
   * every answer the engine decides to rewrite (a superset of the packets the usual call
   * replaces: it also counts an answer that turns out not rewritable in its packet). Off: the
   * usual call. {@link verdict} and {@link result} are not kept in check mode.
   */
  private checking = false;
  private savedBuild = true;

  constructor(private readonly opts: Dns64Options, private readonly zone?: readonly ZoneRecord[]) {
    this.engine = new Dns64Engine(opts);
    if (zone) this.engine.loadZone(zone);
  }

  /** A new hook in the state the constructor left, with this one's options, zone and switches. */
  fresh(): Dns64Hook {
    const h = new Dns64Hook(this.opts, this.zone);
    h.engine.fastPath = this.engine.fastPath;
    h.engine.memoize = this.engine.memoize;
    h.engine.buildMessages = this.engine.buildMessages;
    return h;
  }

  /**
   * Check mode on or off (translate's single read, src/replay/translate.ts DnsLog: the packets
   * logged are replayed only to learn whether any answer would be rewritten). The engine makes
   * the same decisions either way (test/xlat/dns64/fast-path.test.ts: results with and without
   * messages built are the same but for the message).
   */
  checkOnly(on: boolean): void {
    if (on === this.checking) return;
    this.checking = on;
    if (on) {
      this.savedBuild = this.engine.buildMessages;
      this.engine.buildMessages = false;
    } else this.engine.buildMessages = this.savedBuild;
  }

  /**
   * The A-data pre-pass made only if the engine needs it (its lazy base, as {@link runDns64}
   * makes it for a plain file: Dns64Engine.setLazyBase): `prescan` feeds a fresh hook (this one's
   * options and switches) every packet of the pre-pass when the engine first looks up something
   * it has not learned itself; a capture whose every AAAA answer comes after the A answers it
   * needs never has it made. False, nothing deferred, for a hook with a zone (whose pre-pass loads
   * the zone first): the caller makes the pre-pass itself.
   */
  deferPrescan(prescan: (h: Dns64Hook) => void): boolean {
    if (this.zone) return false;
    this.engine.setLazyBase(() => {
      const h = this.fresh();
      prescan(h);
      return h.engine;
    }, false);
    return true;
  }

  /**
   * Takes `other`'s engine and counts (a hook made by {@link fresh} that had this one's calls
   * instead of it: translate's DnsLog.follow), leaving `other` unusable.
   */
  adopt(other: Dns64Hook): void {
    other.checkOnly(false);
    this.checkOnly(false);
    this.engine = other.engine;
    this.rewrittenCount = other.rewrittenCount;
    this.verdict = null;
    this.result = null;
  }

  /** Back to the state the constructor left (translate's second attempt; the engine's switches kept, check mode off). */
  reset(): void {
    this.checkOnly(false);
    const old = this.engine;
    this.engine = new Dns64Engine(this.opts);
    if (this.zone) this.engine.loadZone(this.zone);
    this.engine.fastPath = old.fastPath;
    this.engine.memoize = old.memoize;
    this.engine.buildMessages = old.buildMessages;
    this.dec = new PacketDecoder();
    this.rewriter = new DnsPacketRewriter();
    this.verdict = null;
    this.result = null;
    this.rewrittenCount = 0;
  }

  /** Learns A data from a packet without answering anything (an optional pre-pass). */
  prescan(bytes: Uint8Array, off: number, caplen: number, linkType: number, ipOff: number): void {
    // Plain UDP shapes by the byte scan; the others (TCP, extension headers, ...) decoded as before.
    const s = this.scan.scan(bytes, off, caplen, linkType);
    if (s === Scan.None) return;
    if (s === Scan.Udp) {
      this.engine.prescan(bytes, this.scan.msgOff, this.scan.msgLen);
      return;
    }
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
    if (this.checking) return this.check(bytes, off, caplen, linkType, n);
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

  /**
   * {@link packet} in check mode: the same messages to the engine (the byte scan finds exactly
   * the message the decoder finds in a plain UDP packet; anything else is decoded, TCP reassembly
   * state kept), {@link WOULD_REWRITE} when one is decided `rewrite`.
   */
  private check(bytes: Uint8Array, off: number, caplen: number, linkType: number, n: number): Uint8Array | null {
    const scan = this.scan;
    const s = scan.scan(bytes, off, caplen, linkType);
    if (s === Scan.None) return null;
    if (s === Scan.Udp) {
      const r = this.engine.onMessage(bytes, scan.msgOff, scan.msgLen, n, scan.sport === DNS_PORT ? scan.dport : scan.sport, false);
      return r !== null && r.action === 'rewrite' ? WOULD_REWRITE : null;
    }
    const dec = this.dec;
    dec.decode(bytes, off, caplen, linkType);
    const k = dec.dnsCount < 8 ? dec.dnsCount : 8;
    let out: Uint8Array | null = null;
    for (let i = 0; i < k; i++) {
      const r = this.engine.onMessage(dec.dnsBufs[i], dec.dnsOffs[i], dec.dnsLens[i], n, clientPort(dec), dec.l4 === L4.TCP);
      if (r !== null && r.action === 'rewrite') out = WOULD_REWRITE;
    }
    return out;
  }

  /** Queries whose response never came (answered from A data; nothing to rewrite). */
  finish(): Dns64Result[] {
    return this.engine.finish();
  }
}

/** What {@link Dns64Hook.packet} returns in check mode for a packet whose answer would be rewritten. */
export const WOULD_REWRITE = new Uint8Array(0);

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

