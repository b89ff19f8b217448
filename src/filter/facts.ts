/**
 * Where a compiled filter reads its values from. One interface, two sources:
 *  - {@link PacketFacts}: a reusable object filled per packet from a {@link PacketDecoder} (and
 *    what the caller knows about the packet: engine verdict, findings). Reads go straight to the
 *    decoder's fields and views: numbers, and addresses as bytes in the packet buffer. Nothing is
 *    allocated per packet except a DNS question name, and only for a filter that reads `dns.name`.
 *  - {@link JsonFacts}: a SPEC §5 `packetJson` object (the viewer's rows), plus the optional keys
 *    `verdict`, `reason` (as in `translate --explain` records) and `findings` (finding ids).
 * The comparison semantics live once, in compile.ts; these classes only say what a field's value
 * is (NaN / 0 / count 0 when the packet has no such field). test/filter checks that both sources
 * agree on every fixture packet.
 */
import type { PacketDecoder } from '../wire/layer-decoder.js';
import { L4 } from '../wire/layer-decoder.js';
import type { CapturedPacket } from '../pcap/packet.js';
import { linkTypeName } from '../pcap/linktype.js';
import { VERDICT_NAMES } from '../wire/checksum.js';
import { problemText } from '../wire/reasons.js';
import { DnsFlag, DnsProblem, DnsType, dnsProblemText, dnsNameText, dnsTypeNumber, dnsWalkName } from '../wire/dns.js';
import { parseIpv4, parseIpv6 } from '../wire/addr-text.js';
import { inPrefix, extractIpv4, WKP, LOCAL_USE, type Prefix6 } from '../xlat/rfc6052.js';

/** Field ids: what a source can be asked for. */
export const F = {
  // numbers (NaN when absent)
  N: 0, TS: 1, CAPLEN: 2, LEN: 3, IPVER: 4, PROTO: 5, TTL: 6, SPORT: 7, DPORT: 8, TCPFLAGS: 9,
  ICMPTYPE: 10, ICMPCODE: 11, ICMPID: 12, FRAG_ID: 13, FRAG_OFF: 14, FRAG_MORE: 15, MTU: 16,
  INNER_VER: 17, INNER_PROTO: 18, INNER_SPORT: 19, INNER_DPORT: 20, PREF64_LIFETIME: 21,
  DNS_ID: 22, DNS_QR: 23, DNS_OPCODE: 24, DNS_RCODE: 25, DNS_QTYPE: 26, DNS_FLAGS: 27, DNS_DO: 28,
  // addresses (version 0 when absent)
  SRC: 40, DST: 41, SRC_EMB: 42, DST_EMB: 43, INNER_SRC: 44, INNER_DST: 45, DNS_A: 46, DNS_AAAA: 47,
  // text lists (count 0 when absent)
  LINK: 60, DNS_NAME: 61, CK_IP: 62, CK_L4: 63, PROBLEMS: 64, VERDICT: 65, REASON: 66, FINDINGS: 67,
} as const;

/** What a compiled filter reads. Implementations must not allocate in num/addr/strCount. */
export interface FactSource {
  /** The value of a number field, NaN when the packet has none. */
  num(f: number): number;
  /**
   * The i-th value of an address field (only DNS answers have more than one): 0 when there is no
   * such value; else 4 or 6, with the address at `ab[ao..]`.
   */
  addr(f: number, i: number): number;
  ab: Uint8Array;
  ao: number;
  /** How many values a text field has (0 when absent; lists such as `problems` can have more). */
  strCount(f: number): number;
  strAt(f: number, i: number): string;
}

/** A NAT64 prefix whose addresses carry an IPv4 address (RFC 6052) at the position for `embedLen`. */
export interface EmbedPrefix {
  match: Prefix6;
  embedLen: number;
}

/** The same defaults as the display layer (64:ff9b::/96 and 64:ff9b:1::/48). */
export const DEFAULT_EMBED_PREFIXES: readonly EmbedPrefix[] = [
  { match: WKP, embedLen: 96 },
  { match: LOCAL_USE, embedLen: 96 },
];

const NO_STRINGS: readonly string[] = [];

/** The verdicts `translate --explain` writes, which `verdict`, `drop`, `translated` read. */
export const VERDICTS = ['translated', 'hairpinned', 'reconstructed', 'held', 'error-generated', 'dropped', 'absorbed'] as const;

function embedded(bytes: Uint8Array, off: number, prefixes: readonly EmbedPrefix[]): number {
  for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i];
    if (inPrefix(bytes, off, p.match)) return extractIpv4(bytes, off, p.embedLen);
  }
  return -1;
}

/**
 * Per-packet facts over a decoder. Usage, once per pipeline:
 * ```ts
 * const facts = new PacketFacts();
 * // per packet:
 * dec.decode(p.data, p.offset, p.caplen, p.linkType);
 * facts.fill(p, dec);              // resets verdict, reason and findings
 * facts.verdict = 'dropped';       // optional: what the engine did ('translated', ... see VERDICTS)
 * facts.reason = 'no-bib-entry';   // optional: drop reason id (diag/reasons.ts reasonId)
 * facts.findings = ids;            // optional: ids of analyze findings naming this packet
 * if (filter.matchesPacket(facts)) ...
 * ```
 */
export class PacketFacts implements FactSource {
  d: PacketDecoder | null = null;
  n = 0;
  ts = 0;
  caplen = 0;
  len = 0;
  linkType = 0;
  /** Engine verdict for the packet (one of VERDICTS), or null when no engine ran. */
  verdict: string | null = null;
  /** Drop reason id when the engine dropped it, else null. */
  reason: string | null = null;
  /** Ids of the analyze findings that name this packet (empty: none). */
  findings: readonly string[] = NO_STRINGS;
  /** Prefixes that `embedded4`, `srcIpv4`, `dstIpv4` look into. */
  prefixes: readonly EmbedPrefix[] = DEFAULT_EMBED_PREFIXES;
  ab: Uint8Array = new Uint8Array(0);
  ao = 0;
  private readonly scratch = new Uint8Array(4);

  /** Points the facts at a decoded packet; clears verdict, reason and findings. */
  fill(p: CapturedPacket, d: PacketDecoder): this {
    this.d = d;
    this.n = p.number;
    this.ts = p.tsSec + p.tsNsec / 1e9;
    this.caplen = p.caplen;
    this.len = p.origLen;
    this.linkType = p.linkType;
    this.verdict = null;
    this.reason = null;
    this.findings = NO_STRINGS;
    return this;
  }

  num(f: number): number {
    const d = this.d!;
    const v = d.ipVersion;
    switch (f) {
      case F.N: return this.n;
      case F.TS: return this.ts;
      case F.CAPLEN: return this.caplen;
      case F.LEN: return this.len;
      case F.IPVER: return v === 0 ? NaN : v;
      case F.PROTO: return v === 0 ? NaN : d.proto;
      case F.TTL: return v === 0 ? NaN : d.ttl;
      case F.SPORT: return d.sport >= 0 && (d.l4 === L4.TCP || d.l4 === L4.UDP) ? d.sport : NaN;
      case F.DPORT: return d.dport >= 0 && (d.l4 === L4.TCP || d.l4 === L4.UDP) ? d.dport : NaN;
      case F.TCPFLAGS: return d.tcpFlags >= 0 ? d.tcpFlags : NaN;
      case F.ICMPTYPE: return d.icmpType >= 0 ? d.icmpType : NaN;
      case F.ICMPCODE: return d.icmpCode >= 0 ? d.icmpCode : NaN;
      case F.ICMPID: return d.icmpType >= 0 && d.sport >= 0 ? d.sport : NaN;
      case F.FRAG_ID: return d.isFragment ? d.fragId : NaN;
      case F.FRAG_OFF: return d.isFragment ? d.fragOffset : NaN;
      case F.FRAG_MORE: return d.isFragment ? (d.fragMore ? 1 : 0) : NaN;
      case F.MTU:
        if (d.l4 === L4.ICMPV6 && d.icmpType === 2) return d.icmp6.mtu();
        if (d.l4 === L4.ICMP && d.icmpType === 3 && d.icmpCode === 4) return d.icmp4.mtu();
        return NaN;
      case F.INNER_VER: return d.innerVersion ? d.innerVersion : NaN;
      case F.INNER_PROTO: return d.innerVersion ? d.innerProto : NaN;
      case F.INNER_SPORT: return d.innerVersion && d.innerSport >= 0 ? d.innerSport : NaN;
      case F.INNER_DPORT: return d.innerVersion && d.innerDport >= 0 ? d.innerDport : NaN;
      case F.PREF64_LIFETIME: return d.l4 === L4.ICMPV6 && d.icmp6.pref64Off >= 0 ? d.icmp6.pref64Lifetime : NaN;
      default: break;
    }
    if (d.dnsCount === 0) return NaN;
    const m = d.dns;
    // A message shorter than its header decodes as all zeros (decodeDns), the view reads garbage.
    const hdr = m.problemCode() !== DnsProblem.TruncatedHeader;
    switch (f) {
      case F.DNS_ID: return hdr ? m.id() : 0;
      case F.DNS_QR: return hdr && m.qr() ? 1 : 0;
      case F.DNS_OPCODE: return hdr ? m.opcode() : 0;
      case F.DNS_RCODE: return hdr ? m.rcode() : 0;
      case F.DNS_QTYPE: { const t = m.firstQuestionType(); return t >= 0 ? t : NaN; }
      case F.DNS_FLAGS: return hdr ? m.flags() & DNS_FLAG_BITS : 0;
      case F.DNS_DO: return m.ednsDo() ? 1 : 0;
      default: return NaN;
    }
  }

  addr(f: number, i: number): number {
    const d = this.d!;
    const v = d.ipVersion;
    if (f === F.SRC || f === F.DST) {
      // The hot case first.
      if (v === 0 || i > 0) return 0;
      this.ab = d.bytes;
      this.ao = f === F.SRC ? d.srcOff : d.dstOff;
      return v;
    }
    if (f === F.DNS_A || f === F.DNS_AAAA) {
      if (d.dnsCount === 0) return 0;
      const want = f === F.DNS_A ? 4 : 16;
      const at = dnsAnswerAt(d.dnsBufs[0], d.dnsOffs[0], d.dnsLens[0], want === 4 ? DnsType.A : DnsType.AAAA, want, i);
      if (at < 0) return 0;
      this.ab = d.dnsBufs[0];
      this.ao = at;
      return want === 4 ? 4 : 6;
    }
    if (i > 0) return 0;
    switch (f) {
      case F.SRC:
      case F.DST:
        if (v === 0) return 0;
        this.ab = d.bytes;
        this.ao = f === F.SRC ? d.srcOff : d.dstOff;
        return v;
      case F.INNER_SRC:
      case F.INNER_DST:
        if (d.innerVersion === 0) return 0;
        this.ab = d.bytes;
        this.ao = f === F.INNER_SRC ? d.innerSrcOff : d.innerDstOff;
        return d.innerVersion;
      case F.SRC_EMB:
      case F.DST_EMB: {
        if (v !== 6) return 0;
        const e = embedded(d.bytes, f === F.SRC_EMB ? d.srcOff : d.dstOff, this.prefixes);
        if (e < 0) return 0;
        const s = this.scratch;
        s[0] = e >>> 24;
        s[1] = (e >>> 16) & 0xff;
        s[2] = (e >>> 8) & 0xff;
        s[3] = e & 0xff;
        this.ab = s;
        this.ao = 0;
        return 4;
      }
      default:
        return 0;
    }
  }

  strCount(f: number): number {
    const d = this.d!;
    switch (f) {
      case F.LINK: case F.CK_IP: case F.CK_L4: return 1;
      case F.DNS_NAME: return d.dnsCount > 0 && d.dns.questionOffset() >= 0 ? 1 : 0;
      case F.PROBLEMS: return d.problemCount + (d.dnsProblem !== 0 && d.dnsCount > 0 ? 1 : 0);
      case F.VERDICT: return this.verdict === null ? 0 : 1;
      case F.REASON: return this.reason === null ? 0 : 1;
      case F.FINDINGS: return this.findings.length;
      default: return 0;
    }
  }

  strAt(f: number, i: number): string {
    const d = this.d!;
    switch (f) {
      case F.LINK: return linkTypeName(this.linkType);
      case F.CK_IP: return VERDICT_NAMES[d.ipChecksum];
      case F.CK_L4: return VERDICT_NAMES[d.l4Checksum];
      case F.DNS_NAME: return dnsNameText(d.dnsBufs[0], d.dnsOffs[0], d.dns.questionOffset());
      case F.PROBLEMS: return i < d.problemCount ? problemText(d.problems[i]) : dnsProblemText(d.dnsProblem);
      case F.VERDICT: return this.verdict ?? '';
      case F.REASON: return this.reason ?? '';
      case F.FINDINGS: return this.findings[i];
      default: return '';
    }
  }
}

/**
 * Absolute offset of the rdata of the `index`-th answer record of `type` whose rdata is `rdlen`
 * bytes (A: 4, AAAA: 16), walking the message at `b[off .. off+len)` as decodeDns does (a record it
 * cannot walk ends the search); -1 when there is none. Allocates nothing.
 */
function dnsAnswerAt(b: Uint8Array, off: number, len: number, type: number, rdlen: number, index: number): number {
  if (off < 0) off = 0;
  if (off > b.length) off = b.length;
  if (len > b.length - off) len = b.length - off;
  if (len < 12) return -1;
  let pos = 12;
  const qd = (b[off + 4] << 8) | b[off + 5];
  for (let q = 0; q < qd; q++) {
    const e = dnsWalkName(b, off, len, pos);
    if (e < 0 || e + 4 > len) return -1;
    pos = e + 4;
  }
  const an = (b[off + 6] << 8) | b[off + 7];
  for (let a = 0; a < an; a++) {
    const e = dnsWalkName(b, off, len, pos);
    if (e < 0 || e + 10 > len) return -1;
    const t = (b[off + e] << 8) | b[off + e + 1];
    const n = (b[off + e + 8] << 8) | b[off + e + 9];
    if (e + 10 + n > len) return -1;
    if (t === type && n === rdlen && index-- === 0) return off + e + 10;
    pos = e + 10 + n;
  }
  return -1;
}

/** QR AA TC RD RA Z AD CD: the flag bits `dns.flags` compares (not opcode or rcode). */
export const DNS_FLAG_BITS = DnsFlag.QR | DnsFlag.AA | DnsFlag.TC | DnsFlag.RD | DnsFlag.RA | DnsFlag.Z | DnsFlag.AD | DnsFlag.CD;

type Obj = Record<string, unknown>;

function numOf(x: unknown): number {
  return typeof x === 'number' ? x : typeof x === 'boolean' ? (x ? 1 : 0) : NaN;
}

function objOf(x: unknown): Obj | null {
  return x !== null && typeof x === 'object' ? (x as Obj) : null;
}

/**
 * Facts read from a SPEC §5 packet object (`packetJson`), for the viewer. Besides the §5 keys it
 * reads `verdict` and `reason` (the engine's verdict and drop reason id, as `translate --explain`
 * writes them) and `findings` (finding ids, or Finding objects with an `id`). Address text is
 * parsed on each read (the viewer matches a screenful at a time, not millions).
 */
export class JsonFacts implements FactSource {
  o: Obj = {};
  ab: Uint8Array = new Uint8Array(16);
  ao = 0;
  private readonly buf = new Uint8Array(16);

  set(o: object): this {
    this.o = o as Obj;
    return this;
  }

  num(f: number): number {
    const o = this.o;
    switch (f) {
      case F.N: return numOf(o.n);
      case F.TS: return numOf(o.ts);
      case F.CAPLEN: return numOf(o.caplen);
      case F.LEN: return numOf(o.len);
      case F.IPVER: return numOf(o.ipVersion);
      case F.PROTO: return numOf(o.proto);
      case F.TTL: return numOf(o.ttl);
      case F.SPORT: return numOf(o.sport);
      case F.DPORT: return numOf(o.dport);
      case F.TCPFLAGS: return numOf(o.tcpFlags);
      case F.ICMPTYPE: return numOf(o.icmpType);
      case F.ICMPCODE: return numOf(o.icmpCode);
      case F.ICMPID: return numOf(o.icmpId);
      case F.FRAG_ID: return numOf(objOf(o.fragment)?.id);
      case F.FRAG_OFF: return numOf(objOf(o.fragment)?.offset);
      case F.FRAG_MORE: return numOf(objOf(o.fragment)?.more);
      case F.MTU: return numOf(o.mtu);
      case F.INNER_VER: return numOf(objOf(o.inner)?.ipVersion);
      case F.INNER_PROTO: return numOf(objOf(o.inner)?.proto);
      case F.INNER_SPORT: return numOf(objOf(o.inner)?.sport);
      case F.INNER_DPORT: return numOf(objOf(o.inner)?.dport);
      case F.PREF64_LIFETIME: return numOf(objOf(o.pref64)?.lifetime);
      default: break;
    }
    const m = objOf(o.dns);
    if (m === null) return NaN;
    switch (f) {
      case F.DNS_ID: return numOf(m.id);
      case F.DNS_QR: return numOf(m.qr);
      case F.DNS_OPCODE: return numOf(m.opcode);
      case F.DNS_RCODE: return numOf(m.rcode);
      case F.DNS_QTYPE: {
        const q = Array.isArray(m.questions) ? objOf(m.questions[0]) : null;
        if (q === null) return NaN;
        if (typeof q.type === 'number') return q.type;
        const t = typeof q.type === 'string' ? dnsTypeNumber(q.type) : -1;
        return t >= 0 ? t : NaN;
      }
      case F.DNS_FLAGS: {
        let bits = 0;
        if (Array.isArray(m.flags)) for (const fl of m.flags) bits |= (DnsFlag as Record<string, number>)[String(fl)] ?? 0;
        return bits;
      }
      case F.DNS_DO: return objOf(m.edns)?.do === true ? 1 : 0;
      default: return NaN;
    }
  }

  addr(f: number, i: number): number {
    const o = this.o;
    let text: unknown;
    if (f === F.DNS_A || f === F.DNS_AAAA) {
      const m = objOf(o.dns);
      const answers = m && Array.isArray(m.answers) ? m.answers : NO_STRINGS;
      const type = f === F.DNS_A ? 'A' : 'AAAA';
      let k = i;
      for (const a of answers) {
        const r = objOf(a);
        if (r === null || r.type !== type || typeof r.data !== 'string') continue;
        const ok = type === 'A' ? parseIpv4(r.data, this.buf, 0) : parseIpv6(r.data, this.buf, 0);
        if (ok && k-- === 0) {
          this.ab = this.buf;
          this.ao = 0;
          return type === 'A' ? 4 : 6;
        }
      }
      return 0;
    }
    if (i > 0) return 0;
    switch (f) {
      case F.SRC: text = o.src; break;
      case F.DST: text = o.dst; break;
      case F.SRC_EMB: text = o.srcIpv4; break;
      case F.DST_EMB: text = o.dstIpv4; break;
      case F.INNER_SRC: text = objOf(o.inner)?.src; break;
      case F.INNER_DST: text = objOf(o.inner)?.dst; break;
      default: return 0;
    }
    if (typeof text !== 'string') return 0;
    this.ab = this.buf;
    this.ao = 0;
    if (text.includes(':')) return parseIpv6(text, this.buf, 0) ? 6 : 0;
    return parseIpv4(text, this.buf, 0) ? 4 : 0;
  }

  private list(f: number): readonly unknown[] {
    const o = this.o;
    switch (f) {
      case F.PROBLEMS: return Array.isArray(o.problems) ? o.problems : NO_STRINGS;
      case F.FINDINGS:
        if (Array.isArray(o.findings)) return o.findings;
        return typeof o.finding === 'string' ? [o.finding] : o.finding === true ? [''] : NO_STRINGS;
      default: return NO_STRINGS;
    }
  }

  private one(f: number): unknown {
    const o = this.o;
    switch (f) {
      case F.LINK: return o.link;
      case F.CK_IP: return objOf(o.checksums)?.ip;
      case F.CK_L4: return objOf(o.checksums)?.l4;
      case F.DNS_NAME: {
        const m = objOf(o.dns);
        const q = m && Array.isArray(m.questions) ? objOf(m.questions[0]) : null;
        return q?.name;
      }
      case F.VERDICT: return o.verdict;
      case F.REASON: return o.reason;
      default: return undefined;
    }
  }

  strCount(f: number): number {
    if (f === F.PROBLEMS || f === F.FINDINGS) return this.list(f).length;
    return typeof this.one(f) === 'string' ? 1 : 0;
  }

  strAt(f: number, i: number): string {
    if (f === F.PROBLEMS || f === F.FINDINGS) {
      const x = this.list(f)[i];
      const id = objOf(x)?.id;
      return typeof x === 'string' ? x : typeof id === 'string' ? id : '';
    }
    const s = this.one(f);
    return typeof s === 'string' ? s : '';
  }
}
