/**
 * translate's batch path: runs of classic pcap records translated by the NAT64 fast path straight
 * into the pcapng writer's buffer (ParserOptions.batch), without the per-packet layers between
 * them (the packet object and callback, link location, the sink, the engine's dispatch, the
 * translated headers' own buffer).
 *
 * It takes only what the one-packet path would write through CaptureSink.emitSplit's one-call
 * record (PcapngWriter.writeEthernet), and does what that path does for it, in the same order:
 * - the input: an Ethernet frame (no VLAN tag) of IPv6 or IPv4 whose record the parser would not
 *   warn about, timestamp in range;
 * - the engine's clock moved to the packet's time only when no timer can be due by then (else the
 *   packet goes the usual way, which fires them);
 * - a TCP or UDP packet the fast path takes (FastPath.hit6 / hit4: the session's state updated as
 *   filtering-and-updating would), or the first packet of a new IPv6-side flow it can make the
 *   session of (FastPath.create6: as filtering-and-updating makes it), not to or from port 53
 *   while DNS64 watches the capture;
 * - the record written as writeEthernet writes it (the input's addresses, the family's EtherType,
 *   the translated headers from fastHead4 / fastHead6, the payload copied from the input, the
 *   comment `translated from #N`), on an interface already in the file.
 * Anything else is left to the packet callback, from that record on: the output is the same byte
 * for byte (tests: NAT64SCOPE_BATCH=0 against the default; NAT64SCOPE_FASTPATH=0 turns it off too).
 */
import type { RecordBatch } from '../pcap/reader.js';
import { LinkType } from '../pcap/linktype.js';
import { decimalDigits, epbLength, type PcapngWriter } from '../pcap/writer.js';
import { NO_ROW, type FastPath } from '../xlat/nat64/fast-path.js';
import { TICKS_PER_SEC } from '../xlat/nat64/timers.js';
import { ViewCache } from '../wire/word-copy.js';
import type { CaptureSink } from './translate.js';

/** Records looked at (their rows loaded) per group. */
const GROUP = 16;
const DNS_PORT = 53;

/** Whether translate may use the batch path at all (NAT64SCOPE_BATCH=0: never). */
export function batchEnabled(): boolean {
  return process.env.NAT64SCOPE_BATCH !== '0';
}

export class TranslateBatch implements RecordBatch {
  end = 0;
  bytes = 0;
  /** Records the batch path translated (tests check that it is taken). */
  taken = 0;
  private readonly recs = new Int32Array(GROUP);
  private readonly rows = new Int32Array(GROUP);
  private readonly pend = new Int32Array(GROUP);
  private readonly inView = new ViewCache();

  /**
   * `fast`: the engine's fast path; `sink`: the capture sink once the first packet has made it
   * (until then, nothing is taken); `dnsWatched`: DNS64 sees the capture (port 53 is left to the
   * callback, which logs or rewrites it); `prefix`: the comment of a translated packet before its
   * number (CaptureSink's).
   */
  constructor(private readonly fast: FastPath, private readonly dnsWatched: boolean, private readonly prefix: Uint8Array) {}

  sink: CaptureSink | null = null;
  /** The number of the last packet before the records offered (the callback's numbering). */
  number = 0;

  records(b: Uint8Array, pos: number, end: number, le: boolean, nano: boolean, linkType: number, snaplen: number, max: number): number {
    this.end = pos;
    this.bytes = 0;
    const sink = this.sink;
    if (sink === null || !le || linkType !== LinkType.ETHERNET) return 0;
    const w = sink.batchWriter;
    if (w === null) return 0;
    // Where each family's translation goes (-1: not yet; the input family 6 becomes 4).
    const if4 = sink.batchIface(4);
    const if6 = sink.batchIface(6);
    if (if4 < 0 && if6 < 0) return 0;
    const fast = this.fast;
    const iv = this.inView.of(b);
    const recs = this.recs;
    const rows = this.rows;
    const pend = this.pend;
    let taken = 0;
    let bytes = 0;
    let p = pos;
    // Where the batch stops (the one call of stop() below: every exit shares its feedback, so that
    // the optimized loop is not thrown away the first time it leaves by a path not yet seen).
    let at = pos;
    batch: for (;;) {
      // A group of whole records: each one's flow cache row, then the rows and their sessions'
      // slots loaded in loops of independent loads (FastPath.touch's overlap of cache misses).
      let g = 0;
      let q = p;
      while (g < GROUP && end - q >= 16) {
        const cl = iv.getUint32(q + 8, true);
        if (cl > max || end - q < 16 + cl) break;
        recs[g] = q;
        const et = (b[q + 28] << 8) | b[q + 29];
        const v = b[q + 30] >> 4;
        const r = cl > 14 && ((et === 0x86dd && v === 6) || (et === 0x0800 && v === 4)) ? fast.rowOf(b, iv, q + 30, cl - 14) : NO_ROW;
        rows[g] = r;
        pend[g] = r;
        q += 16 + cl;
        g++;
      }
      if (g === 0) {
        at = p;
        break;
      }
      fast.loadRows(pend, g);
      for (let i = 0; i < g; i++) {
        const r = recs[i];
        const row = rows[i];
        const cl = iv.getUint32(r + 8, true);
        if (row === NO_ROW || cl > iv.getUint32(r + 12, true) || (snaplen > 0 && cl > snaplen)) {
          at = r;
          break batch;
        }
        const sec = iv.getUint32(r, true);
        let sub = iv.getUint32(r + 4, true);
        if (!nano) sub *= 1000;
        if (sub >= 1000000000) {
          at = r;
          break batch;
        }
        const ip = r + 30;
        const num = this.number + taken + 1;
        let total: number;
        let ifIndex: number;
        if (row >= 0) {
          // IPv6 -> IPv4: TCP / UDP (ICMPv6 echo goes the usual way).
          const nh = b[ip + 6];
          if ((nh !== 6 && nh !== 17) || if4 < 0) {
            at = r;
            break batch;
          }
          if (this.dnsWatched && (((b[ip + 40] << 8) | b[ip + 41]) === DNS_PORT || ((b[ip + 42] << 8) | b[ip + 43]) === DNS_PORT)) {
            at = r;
            break batch;
          }
          total = 14 + 20 + ((b[ip + 4] << 8) | b[ip + 5]);
          ifIndex = if4;
        } else {
          const pr = b[ip + 9];
          if ((pr !== 6 && pr !== 17) || if6 < 0 || b[ip] !== 0x45) {
            at = r;
            break batch;
          }
          if (this.dnsWatched && (((b[ip + 20] << 8) | b[ip + 21]) === DNS_PORT || ((b[ip + 22] << 8) | b[ip + 23]) === DNS_PORT)) {
            at = r;
            break batch;
          }
          total = 14 + 40 + ((b[ip + 2] << 8) | b[ip + 3]) - 20;
          ifIndex = if6;
        }
        // What writeEthernet's one-call record needs, and the clock (ticksOf), before any state changes.
        if (!w.epbFits(total, ifIndex, num) || !fast.advance(sec * TICKS_PER_SEC + Math.floor(sub / 1000))) {
          at = r;
          break batch;
        }
        if (row >= 0 ? fast.hit6(b, ip, cl - 14, row) : fast.hit4(b, ip, cl - 14, row)) fast.hits++;
        else if (row < 0 || !fast.create6(b, ip, cl - 14)) {
          at = r;
          break batch;
        }
        this.write(w, b, iv, r, ip, row >= 0, total, ifIndex, sec, sub, num);
        taken++;
        bytes += cl;
      }
      p = q;
    }
    return this.stop(at, taken, bytes);
  }

  private stop(at: number, taken: number, bytes: number): number {
    this.end = at;
    this.bytes = bytes;
    this.taken += taken;
    this.number += taken;
    if (taken > 0) this.sink!.countBatch(taken);
    return taken;
  }

  /** writeEthernet's record for the translation of the frame at record `r` (IP header at `ip`). */
  private write(w: PcapngWriter, b: Uint8Array, iv: DataView, r: number, ip: number, from6: boolean, total: number, ifIndex: number, sec: number, nsec: number, num: number): void {
    const fast = this.fast;
    const prefix = this.prefix;
    const digits = decimalDigits(num);
    const blen = epbLength(total, prefix.length + digits);
    let p = w.epbBegin(blen, ifIndex, sec, nsec, total);
    const ov = w.recordView;
    // The input's Ethernet addresses, the output family's EtherType.
    ov.setInt32(p, iv.getInt32(r + 16));
    ov.setInt32(p + 4, iv.getInt32(r + 20));
    ov.setInt32(p + 8, iv.getInt32(r + 24));
    let from: number;
    let len: number;
    if (from6) {
      ov.setUint16(p + 12, 0x0800);
      const k = fast.xlat.fastHead4(b, ip, fast.pl, fast.nh, fast.hop, fast.t4, ov, p + 14);
      p += 14 + 20 + k;
      from = ip + 40 + k;
      len = fast.pl - k;
    } else {
      ov.setUint16(p + 12, 0x86dd);
      const k = fast.xlat.fastHead6(b, ip, fast.plen, fast.ip, fast.ttl, fast.w6, fast.t6, ov, p + 14);
      p += 14 + 40 + k;
      from = ip + 20 + k;
      len = fast.plen - k;
    }
    if (len > 32) {
      w.copyPayload(b, from, len, p);
      p += len;
    } else {
      const ob = w.recordBuffer;
      for (let k = 0; k < len; k++) ob[p++] = b[from + k];
    }
    w.epbEnd(p, prefix, num, digits, blen);
  }
}
