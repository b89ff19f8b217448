/**
 * DNS as `analyze` sees it: queries matched to responses (client address, port, id) with their
 * latency, and per name what the capture showed — A and AAAA queries, A addresses, AAAA
 * addresses, NODATA answers, DNSSEC bits — bounded (at most {@link MAX_NAMES} names, a few
 * addresses and packet numbers each). Prefix evidence: RFC 7050 `ipv4only.arpa` answers, and AAAA
 * records that embed an A record of the same name (DNS64 synthesis, RFC 6147) under an RFC 6052
 * prefix. Only DNS packets reach this code; a message is read in place ({@link DnsScan}): what
 * is kept (names, keys, addresses) is allocated, nothing else.
 */
import { dnsWalkName, dnsNameText, dnsTypeName, DnsType, DnsFlag } from '../wire/dns.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { extractIpv4, VALID_PREFIX_LENGTHS, type Prefix6 } from '../xlat/rfc6052.js';

export const MAX_NAMES = 50_000;
const MAX_ADDR_NAMES = 200_000;
const MAX_ADDRS = 8;
const MAX_PKTS = 8;
const MAX_PENDING = 20_000;
const MAX_LATENCIES = 20_000;
/** A query unanswered this long (capture seconds) counts as unanswered. */
const QUERY_TIMEOUT = 10;

/** 192.0.0.170 and 192.0.0.171, the well-known IPv4 addresses of ipv4only.arpa (RFC 7050 §2.2). */
const WKA1 = 0xc00000aa;
const WKA2 = 0xc00000ab;

export interface NameInfo {
  name: string;
  aQueries: number;
  aaaaQueries: number;
  /** A queries sent from an IPv6 address. */
  aQueriesOver6: number;
  aQueryPackets: number[];
  aaaaQueryPackets: number[];
  /** A addresses (u32) and AAAA addresses (16 bytes) seen in answers. */
  a: number[];
  aaaa: Uint8Array[];
  aPackets: number[];
  aaaaPackets: number[];
  /** AAAA responses with NOERROR and no AAAA record (NODATA). */
  aaaaNodata: number[];
  /** The resolvers that gave NODATA (text). */
  nodataResolvers: string[];
  /** AAAA responses with SERVFAIL. */
  aaaaServfail: number[];
  /** Queries for this name over TCP. */
  tcpQueries: number;
  tcpPackets: number[];
}

export interface DnsQueryInfo {
  n: number;
  ts: number;
  name: string;
  qtype: string;
  do: boolean;
  cd: boolean;
  tcp: boolean;
}

/** One answered AAAA query, as DNSSEC checks need it. */
export interface AaaaAnswer {
  query: DnsQueryInfo | null;
  n: number;
  name: string;
  ad: boolean;
  aaaa: Uint8Array[];
}

export class DnsTracker {
  readonly names = new Map<string, NameInfo>();
  namesDropped = 0;
  queries = 0;
  responses = 0;
  answered = 0;
  unanswered = 0;
  unansweredPackets: number[] = [];
  overTcp = 0;
  latencySum = 0;
  latencyMax = 0;
  readonly latencies: number[] = [];
  private readonly pending = new Map<string, DnsQueryInfo>();
  /** AAAA answers with DNSSEC relevance (query DO or CD, or response AD), bounded. */
  readonly dnssecAnswers: AaaaAnswer[] = [];
  /** Address (text) -> name, for naming flows (at most MAX_ADDR_NAMES); how many are IPv6. */
  private readonly addrNames = new Map<string, string>();
  private v6Names = 0;
  /** RFC 7050 prefixes: text -> first packet. */
  readonly rfc7050 = new Map<string, { prefix: Prefix6; n: number }>();
  /** AAAA responses per rcode/class: synthesized (embedding an A of the name) counted at finish. */
  aaaaResponses = 0;
  aaaaNodataTotal = 0;

  /** Reusable scan of one message (the fields below, as decodeDns would give them). */
  private readonly scan = new DnsScan();

  /**
   * A DNS message at b[off..off+len) in packet n. The endpoints: addresses at a[srcOff] and
   * a[dstOff] (IPv6 when `v6`, else IPv4), made text only where kept.
   */
  message(b: Uint8Array, off: number, len: number, n: number, ts: number, a: Uint8Array, srcOff: number, sport: number, dstOff: number, dport: number, v6: boolean, tcp: boolean, over6: boolean): void {
    const m = this.scan;
    if (!m.read(b, off, len)) return;
    const name = m.name;
    const qtype = dnsTypeName(m.qtype);
    if (!m.qr) {
      this.queries++;
      if (tcp) this.overTcp++;
      const info: DnsQueryInfo = { n, ts, name, qtype, do: m.do, cd: (m.flags & DnsFlag.CD) !== 0, tcp };
      if (this.pending.size >= MAX_PENDING) this.expire(ts, true);
      this.pending.set(`${addrText(a, srcOff, v6)}|${sport}|${m.id}|${name}|${qtype}`, info);
      const ni = this.nameInfo(name);
      if (ni) {
        if (qtype === 'A') {
          ni.aQueries++;
          if (over6) ni.aQueriesOver6++;
          push(ni.aQueryPackets, n);
        } else if (qtype === 'AAAA') {
          ni.aaaaQueries++;
          push(ni.aaaaQueryPackets, n);
        }
        if (tcp) {
          ni.tcpQueries++;
          push(ni.tcpPackets, n);
        }
      }
      return;
    }
    this.responses++;
    const key = `${addrText(a, dstOff, v6)}|${dport}|${m.id}|${name}|${qtype}`;
    const query = this.pending.get(key) ?? null;
    if (query) {
      this.pending.delete(key);
      this.answered++;
      const lat = ts - query.ts;
      if (lat >= 0) {
        this.latencySum += lat;
        if (lat > this.latencyMax) this.latencyMax = lat;
        if (this.latencies.length < MAX_LATENCIES) this.latencies.push(lat);
      }
    }
    const ni = this.nameInfo(name);
    if (!ni) return;
    const aaaa: Uint8Array[] = [];
    for (let i = 0; i < m.answerCount; i++) {
      const at = m.answerOffs[i];
      if (m.answerTypes[i] === DnsType.A) {
        const v = ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
        if (ni.a.length < MAX_ADDRS && !ni.a.includes(v)) ni.a.push(v);
        push(ni.aPackets, n);
        this.nameAddr(`4:${v}`, name);
      } else {
        const x = new Uint8Array(16);
        for (let j = 0; j < 16; j++) x[j] = b[at + j];
        aaaa.push(x);
        if (ni.aaaa.length < MAX_ADDRS && !ni.aaaa.some((y) => same16(x, y))) ni.aaaa.push(x);
        push(ni.aaaaPackets, n);
        this.nameAddr(ipv6ToString(x, 0), name);
        if (name === 'ipv4only.arpa') this.learn7050(x, n);
      }
    }
    if (qtype === 'AAAA') {
      this.aaaaResponses++;
      if (m.rcode === 0 && aaaa.length === 0 && (m.flags & DnsFlag.TC) === 0) {
        push(ni.aaaaNodata, n);
        this.aaaaNodataTotal++;
        if (ni.nodataResolvers.length < 4) {
          const src = addrText(a, srcOff, v6);
          if (!ni.nodataResolvers.includes(src)) ni.nodataResolvers.push(src);
        }
      }
      if (m.rcode === 2) push(ni.aaaaServfail, n);
      const ad = (m.flags & DnsFlag.AD) !== 0;
      if ((query && (query.do || query.cd)) || ad) {
        if (this.dnssecAnswers.length < 1000) this.dnssecAnswers.push({ query, n, name, ad, aaaa });
      }
    }
  }

  /** Whether some IPv6 address has a name (else {@link nameOf} of IPv6 text is always null). */
  get hasIpv6Names(): boolean {
    return this.v6Names > 0;
  }

  private nameAddr(key: string, name: string): void {
    if (this.addrNames.size < MAX_ADDR_NAMES || this.addrNames.has(key)) {
      if (!key.startsWith('4:') && !this.addrNames.has(key)) this.v6Names++;
      this.addrNames.set(key, name);
    }
  }

  private learn7050(x: Uint8Array, n: number): void {
    for (const len of VALID_PREFIX_LENGTHS) {
      const v = extractIpv4(x, 0, len);
      if (v === WKA1 || v === WKA2) {
        const p = prefixOf(x, len);
        const t = `${ipv6ToString(p.bytes, 0)}/${len}`;
        if (!this.rfc7050.has(t)) this.rfc7050.set(t, { prefix: p, n });
        return;
      }
    }
  }

  private nameInfo(name: string): NameInfo | null {
    let ni = this.names.get(name);
    if (ni) return ni;
    if (this.names.size >= MAX_NAMES) {
      this.namesDropped++;
      return null;
    }
    ni = {
      name, aQueries: 0, aaaaQueries: 0, aQueriesOver6: 0, aQueryPackets: [], aaaaQueryPackets: [], a: [], aaaa: [],
      aPackets: [], aaaaPackets: [], aaaaNodata: [], nodataResolvers: [], aaaaServfail: [], tcpQueries: 0, tcpPackets: [],
    };
    this.names.set(name, ni);
    return ni;
  }

  /** The name that resolved to this address (IPv6 text, or `4:<u32>` for IPv4), if any. */
  nameOf(addrKey: string): string | null {
    return this.addrNames.get(addrKey) ?? null;
  }

  /** Moves queries older than the timeout (all of them with `force`) to unanswered. */
  expire(now: number, force = false): void {
    for (const [k, q] of this.pending) {
      if (force || now - q.ts > QUERY_TIMEOUT) {
        this.pending.delete(k);
        this.unanswered++;
        if (this.unansweredPackets.length < MAX_PKTS) this.unansweredPackets.push(q.n);
      }
    }
  }

  /** End of capture. */
  finish(): void {
    this.expire(0, true);
  }

  medianLatency(): number | null {
    if (this.latencies.length === 0) return null;
    const s = [...this.latencies].sort((a, b) => a - b);
    return s[s.length >> 1];
  }

  /**
   * DNS64 synthesis the capture shows: AAAA records of a name that embed one of its A records,
   * with the prefix they use. One entry per (prefix), with the first name and packet.
   */
  synthesisPrefixes(): { prefix: Prefix6; text: string; name: string; packets: number[] }[] {
    const out = new Map<string, { prefix: Prefix6; text: string; name: string; packets: number[] }>();
    for (const ni of this.names.values()) {
      if (ni.a.length === 0 || ni.aaaa.length === 0 || ni.name === 'ipv4only.arpa') continue;
      for (const x of ni.aaaa) {
        const len = embeddingLength(x, ni.a);
        if (len < 0) continue;
        const p = prefixOf(x, len);
        const text = `${ipv6ToString(p.bytes, 0)}/${len}`;
        const e = out.get(text);
        if (e) {
          for (const n of ni.aaaaPackets) if (e.packets.length < MAX_PKTS) e.packets.push(n);
        } else out.set(text, { prefix: p, text, name: ni.name, packets: ni.aaaaPackets.slice(0, MAX_PKTS) });
      }
    }
    return [...out.values()];
  }
}

/** The RFC 6052 prefix length under which `x` embeds one of `a`, or -1. */
export function embeddingLength(x: Uint8Array, a: readonly number[]): number {
  for (const len of VALID_PREFIX_LENGTHS.slice().reverse()) {
    if (len !== 96 && x[8] !== 0) continue; // u octet
    if (a.includes(extractIpv4(x, 0, len))) return len;
  }
  return -1;
}

/** The first `len` bits of x as a prefix. */
export function prefixOf(x: Uint8Array, len: number): Prefix6 {
  const b = new Uint8Array(16);
  for (let i = 0; i < len >> 3; i++) b[i] = x[i];
  return { bytes: b, len };
}

function push(xs: number[], n: number): void {
  if (xs.length < MAX_PKTS && xs[xs.length - 1] !== n) xs.push(n);
}

function same16(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (a[i] !== b[i]) return false;
  return true;
}

function addrText(a: Uint8Array, off: number, v6: boolean): string {
  return v6 ? ipv6ToString(a, off) : ipv4ToString(a, off);
}

/**
 * What the tracker reads of a DNS message, in place: the header, the first question (name as
 * lowercase text without the final dot), the EDNS DO bit and extended RCODE, and where the
 * answer section's A (4-byte) and AAAA (16-byte) rdata lie. It walks the message exactly as
 * `decodeDns` (src/wire/dns.ts) does and stops where that stops, so the tracker sees the same
 * message either way (test/diag/fast-paths.test.ts).
 */
export class DnsScan {
  id = 0;
  flags = 0;
  qr = false;
  /** RCODE, with the EDNS extended bits when an OPT record was read. */
  rcode = 0;
  name = '';
  qtype = 0;
  do = false;
  answerCount = 0;
  /** Per kept answer: A or AAAA, and the absolute offset of its rdata. */
  answerTypes = new Int32Array(16);
  answerOffs = new Int32Array(16);

  /** Reads the message at b[off..off+len); false when it has no (complete) first question. */
  read(b: Uint8Array, off: number, len: number): boolean {
    if (off < 0) off = 0;
    if (off > b.length) off = b.length;
    if (len < 0) len = 0;
    if (len > b.length - off) len = b.length - off;
    this.answerCount = 0;
    this.do = false;
    if (len < 12) return false;
    const base = off;
    this.flags = (b[base + 2] << 8) | b[base + 3];
    this.id = (b[base] << 8) | b[base + 1];
    this.qr = (this.flags & DnsFlag.QR) !== 0;
    this.rcode = this.flags & 0xf;
    let pos = 12;
    const qd = (b[base + 4] << 8) | b[base + 5];
    if (qd === 0) return false;
    for (let i = 0; i < qd; i++) {
      const e = dnsWalkName(b, base, len, pos);
      if (e < 0 || e + 4 > len) {
        if (i === 0) return false;
        // decodeDns stops here: the first question, nothing after it.
        return true;
      }
      if (i === 0) {
        const t = dnsNameText(b, base, base + pos).toLowerCase();
        this.name = t.endsWith('.') ? t.slice(0, -1) : t;
        this.qtype = (b[base + e] << 8) | b[base + e + 1];
      }
      pos = e + 4;
    }
    let edns = false;
    for (let s = 0; s < 3; s++) {
      const count = (b[base + 6 + 2 * s] << 8) | b[base + 7 + 2 * s];
      for (let i = 0; i < count; i++) {
        const e = dnsWalkName(b, base, len, pos);
        if (e < 0 || e + 10 > len) return true;
        const type = (b[base + e] << 8) | b[base + e + 1];
        const rdlen = (b[base + e + 8] << 8) | b[base + e + 9];
        const rd = e + 10;
        if (rd + rdlen > len) return true;
        pos = rd + rdlen;
        // The first OPT of the additional section is EDNS; any other OPT is an ordinary record.
        if (type === DnsType.OPT && s === 2 && !edns) {
          edns = true;
          this.do = (b[base + e + 6] & 0x80) !== 0;
          this.rcode |= b[base + e + 4] << 4;
          continue;
        }
        if (s === 0 && ((type === DnsType.A && rdlen === 4) || (type === DnsType.AAAA && rdlen === 16))) this.answer(type, base + rd);
      }
    }
    return true;
  }

  private answer(type: number, at: number): void {
    const i = this.answerCount++;
    if (i === this.answerTypes.length) {
      const t = new Int32Array(i * 2);
      t.set(this.answerTypes);
      this.answerTypes = t;
      const o = new Int32Array(i * 2);
      o.set(this.answerOffs);
      this.answerOffs = o;
    }
    this.answerTypes[i] = type;
    this.answerOffs[i] = at;
  }
}
