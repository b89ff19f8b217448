/**
 * DNS as `analyze` sees it: queries matched to responses (client address, port, id) with their
 * latency, and per name what the capture showed — A and AAAA queries, A addresses, AAAA
 * addresses, NODATA answers, DNSSEC bits — bounded (at most {@link MAX_NAMES} names, a few
 * addresses and packet numbers each). Prefix evidence: RFC 7050 `ipv4only.arpa` answers, and AAAA
 * records that embed an A record of the same name (DNS64 synthesis, RFC 6147) under an RFC 6052
 * prefix. Only DNS packets reach this code (decodeDns allocates; the hot path does not).
 */
import { decodeDns, type DnsMessage } from '../wire/dns.js';
import { parseIpv4, parseIpv6, ipv6ToString } from '../wire/addr-text.js';
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
  /** Address (text) -> name, for naming flows (at most MAX_ADDR_NAMES). */
  private readonly addrNames = new Map<string, string>();
  /** RFC 7050 prefixes: text -> first packet. */
  readonly rfc7050 = new Map<string, { prefix: Prefix6; n: number }>();
  /** AAAA responses per rcode/class: synthesized (embedding an A of the name) counted at finish. */
  aaaaResponses = 0;
  aaaaNodataTotal = 0;

  /** A DNS message at b[off..off+len) in packet n; client/server are the endpoint texts. */
  message(b: Uint8Array, off: number, len: number, n: number, ts: number, src: string, sport: number, dst: string, dport: number, tcp: boolean, over6: boolean): void {
    let m: DnsMessage;
    try {
      m = decodeDns(b, off, len);
    } catch {
      return;
    }
    if (m.questions.length === 0) return;
    const q = m.questions[0];
    const name = q.name.toLowerCase().replace(/\.$/, '');
    if (!m.qr) {
      this.queries++;
      if (tcp) this.overTcp++;
      const info: DnsQueryInfo = { n, ts, name, qtype: q.type, do: m.edns?.do ?? false, cd: m.flags.includes('CD'), tcp };
      if (this.pending.size >= MAX_PENDING) this.expire(ts, true);
      this.pending.set(`${src}|${sport}|${m.id}|${name}|${q.type}`, info);
      const ni = this.nameInfo(name);
      if (ni) {
        if (q.type === 'A') {
          ni.aQueries++;
          if (over6) ni.aQueriesOver6++;
          push(ni.aQueryPackets, n);
        } else if (q.type === 'AAAA') {
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
    const key = `${dst}|${dport}|${m.id}|${name}|${q.type}`;
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
    for (const rr of m.answers) {
      if (rr.type === 'A') {
        const x = new Uint8Array(4);
        if (parseIpv4(rr.data, x, 0)) {
          const v = ((x[0] << 24) | (x[1] << 16) | (x[2] << 8) | x[3]) >>> 0;
          if (ni.a.length < MAX_ADDRS && !ni.a.includes(v)) ni.a.push(v);
          push(ni.aPackets, n);
          this.nameAddr(`4:${v}`, name);
        }
      } else if (rr.type === 'AAAA') {
        const x = new Uint8Array(16);
        if (parseIpv6(rr.data, x, 0)) {
          aaaa.push(x);
          if (ni.aaaa.length < MAX_ADDRS && !ni.aaaa.some((y) => same16(x, y))) ni.aaaa.push(x);
          push(ni.aaaaPackets, n);
          this.nameAddr(ipv6ToString(x, 0), name);
          if (name === 'ipv4only.arpa') this.learn7050(x, n);
        }
      }
    }
    if (q.type === 'AAAA') {
      this.aaaaResponses++;
      if (m.rcode === 0 && aaaa.length === 0 && !m.flags.includes('TC')) {
        push(ni.aaaaNodata, n);
        this.aaaaNodataTotal++;
        if (ni.nodataResolvers.length < 4 && !ni.nodataResolvers.includes(src)) ni.nodataResolvers.push(src);
      }
      if (m.rcode === 2) push(ni.aaaaServfail, n);
      const ad = m.flags.includes('AD');
      if ((query && (query.do || query.cd)) || ad) {
        if (this.dnssecAnswers.length < 1000) this.dnssecAnswers.push({ query, n, name, ad, aaaa });
      }
    }
  }

  private nameAddr(key: string, name: string): void {
    if (this.addrNames.size < MAX_ADDR_NAMES || this.addrNames.has(key)) this.addrNames.set(key, name);
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
