/**
 * Rewriting a captured DNS packet with a new DNS message: the link-layer header and every byte
 * before the DNS message are kept; the IPv4 total length and header checksum, the IPv6 payload
 * length, the UDP length and checksum (or, over TCP, the 2-byte DNS length prefix and the TCP
 * checksum) are recomputed. Over TCP the message must fill the segment alone (length prefix +
 * message); the byte-count difference is remembered per connection and later segments of it
 * get their sequence (server side) or acknowledgement (client side) numbers shifted, with the
 * checksum updated incrementally (RFC 1624), so the rewritten stream stays consistent.
 */
import { sum, finish, pseudo4, pseudo6, update16 } from '../../wire/checksum.js';
import { L4, type PacketDecoder } from '../../wire/layer-decoder.js';

const UDP = 17;
const TCP = 6;

/** State for one output stream (the TCP sequence shifts). */
export class DnsPacketRewriter {
  /** Directional flow key (server -> client) -> bytes added so far. */
  private readonly shifts = new Map<string, number>();

  /** Number of TCP connections with a shift (bounded by DNS-over-TCP connections rewritten). */
  get tcpShifted(): number {
    return this.shifts.size;
  }

  /**
   * The packet `dec` decoded (at bytes[off..off+caplen)), with its DNS message replaced by `dns`.
   * Returns null when the packet cannot be rewritten (a fragment, a TCP segment that holds more
   * or less than one whole message).
   */
  rewrite(dec: PacketDecoder, off: number, caplen: number, dns: Uint8Array): Uint8Array | null {
    if (dec.isFragment || dec.ipVersion === 0) return null;
    const b = dec.bytes;
    const l3 = dec.l3Off;
    const l4 = dec.l4Off;
    if (dec.l4 === L4.UDP) {
      const head = l4 + 8 - off;
      const out = new Uint8Array(head + dns.length);
      out.set(b.subarray(off, l4 + 8));
      out.set(dns, head);
      const ulen = 8 + dns.length;
      this.fixIp(out, l3 - off, l4 - off, ulen, dec.ipVersion);
      const u = l4 - off;
      out[u + 4] = ulen >> 8;
      out[u + 5] = ulen & 0xff;
      out[u + 6] = 0;
      out[u + 7] = 0;
      let c = finish(sum(out, u, ulen, this.pseudo(out, l3 - off, dec.ipVersion, UDP, ulen)));
      if (c === 0) c = 0xffff; // RFC 768: a computed 0 is sent as all ones
      out[u + 6] = c >> 8;
      out[u + 7] = c & 0xff;
      return out;
    }
    if (dec.l4 === L4.TCP) {
      const thl = dec.tcp.hdrLen;
      const payOff = l4 + thl;
      const payLen = dec.l4Captured - thl;
      if (dec.dnsCount !== 1 || dec.dnsLens[0] + 2 !== payLen || dec.dnsBufs[0] !== b || dec.dnsOffs[0] !== payOff + 2) return null;
      const head = payOff - off;
      const out = new Uint8Array(head + 2 + dns.length);
      out.set(b.subarray(off, payOff));
      out[head] = dns.length >> 8;
      out[head + 1] = dns.length & 0xff;
      out.set(dns, head + 2);
      const tlen = thl + 2 + dns.length;
      this.fixIp(out, l3 - off, l4 - off, tlen, dec.ipVersion);
      const t = l4 - off;
      // Earlier rewrites on this connection shift this segment's sequence number too.
      const key = flowKey(b, dec.srcOff, dec.dstOff, dec.ipVersion === 6 ? 16 : 4, dec.sport, dec.dport);
      const before = this.shifts.get(key) ?? 0;
      if (before) setU32(out, t + 4, (u32(out, t + 4) + before) >>> 0);
      const rkey = flowKey(b, dec.dstOff, dec.srcOff, dec.ipVersion === 6 ? 16 : 4, dec.dport, dec.sport);
      const back = this.shifts.get(rkey) ?? 0;
      if (back) setU32(out, t + 8, (u32(out, t + 8) + back) >>> 0);
      this.shifts.set(key, before + (dns.length - dec.dnsLens[0]));
      out[t + 16] = 0;
      out[t + 17] = 0;
      const c = finish(sum(out, t, tlen, this.pseudo(out, l3 - off, dec.ipVersion, TCP, tlen)));
      out[t + 16] = c >> 8;
      out[t + 17] = c & 0xff;
      return out;
    }
    return null;
  }

  /**
   * For a TCP packet that is not rewritten: shifts its seq/ack in place (in `bytes`) when earlier
   * rewrites on its connection changed the byte count. Returns true when it changed something.
   */
  adjust(dec: PacketDecoder): boolean {
    if (this.shifts.size === 0 || dec.l4 !== L4.TCP || dec.isFragment) return false;
    const b = dec.bytes;
    const alen = dec.ipVersion === 6 ? 16 : 4;
    const fwd = this.shifts.get(flowKey(b, dec.srcOff, dec.dstOff, alen, dec.sport, dec.dport)) ?? 0;
    const back = this.shifts.get(flowKey(b, dec.dstOff, dec.srcOff, alen, dec.dport, dec.sport)) ?? 0;
    if (!fwd && !back) return false;
    const t = dec.l4Off;
    let c = (b[t + 16] << 8) | b[t + 17];
    if (fwd) c = this.shift32(b, t + 4, fwd, c);
    if (back && (b[t + 13] & 0x10) !== 0) c = this.shift32(b, t + 8, back, c);
    b[t + 16] = c >> 8;
    b[t + 17] = c & 0xff;
    return true;
  }

  private shift32(b: Uint8Array, at: number, delta: number, check: number): number {
    const oldHi = (b[at] << 8) | b[at + 1];
    const oldLo = (b[at + 2] << 8) | b[at + 3];
    setU32(b, at, (u32(b, at) + delta) >>> 0);
    check = update16(check, oldHi, (b[at] << 8) | b[at + 1]);
    return update16(check, oldLo, (b[at + 2] << 8) | b[at + 3]);
  }

  private fixIp(out: Uint8Array, l3: number, l4: number, l4len: number, v: number): void {
    if (v === 4) {
      const total = l4 - l3 + l4len;
      out[l3 + 2] = total >> 8;
      out[l3 + 3] = total & 0xff;
      const ihl = (out[l3] & 0x0f) * 4;
      out[l3 + 10] = 0;
      out[l3 + 11] = 0;
      const c = finish(sum(out, l3, ihl));
      out[l3 + 10] = c >> 8;
      out[l3 + 11] = c & 0xff;
    } else {
      const pl = l4 - l3 - 40 + l4len;
      out[l3 + 4] = pl >> 8;
      out[l3 + 5] = pl & 0xff;
    }
  }

  private pseudo(out: Uint8Array, l3: number, v: number, proto: number, len: number): number {
    return v === 4 ? pseudo4(out, l3 + 12, l3 + 16, proto, len) : pseudo6(out, l3 + 8, l3 + 24, proto, len);
  }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function setU32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24;
  b[o + 1] = (v >>> 16) & 0xff;
  b[o + 2] = (v >>> 8) & 0xff;
  b[o + 3] = v & 0xff;
}

function flowKey(b: Uint8Array, srcOff: number, dstOff: number, alen: number, sport: number, dport: number): string {
  let s = '';
  for (let i = 0; i < alen; i++) s += String.fromCharCode(b[srcOff + i]);
  s += '>';
  for (let i = 0; i < alen; i++) s += String.fromCharCode(b[dstOff + i]);
  return s + ':' + sport + ':' + dport;
}
