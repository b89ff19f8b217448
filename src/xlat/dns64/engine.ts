/**
 * The DNS64 engine (RFC 6147), streaming over the DNS traffic of a capture.
 *
 * It reads every DNS message of the capture once, in order:
 *  - A responses (and the CNAME/DNAME records of any response, the PTR records of in-addr.arpa
 *    responses) are *learned*: per name, the latest data seen. A `--zone` file preloads the same
 *    tables for names the capture never resolved. Memory is bounded by the number of distinct
 *    names, never by packets; an optional pre-pass ({@link Dns64Engine.prescan}) makes A data
 *    that arrives *after* the AAAA response (parallel A/AAAA queries) available too.
 *  - AAAA queries and PTR queries for ip6.arpa names are *answered*: for each one the engine
 *    says what a DNS64 in front of the capture's resolver would have sent and why
 *    ({@link Dns64Result}), and builds the message when that differs from what the resolver
 *    sent. Queries are matched to responses by (client port, id, name); a query whose response
 *    never shows up is answered at {@link Dns64Engine.finish}.
 *
 * The rules, with the RFC 6147 section each comes from, live in {@link Dns64Engine.decideAaaa}
 * and {@link Dns64Engine.decidePtr}; the reason codes in `reasons.ts`. Resolver compatibility
 * modes (`--dns64-compat bind|unbound`) change only the points listed in `compat.ts`.
 */
import { NameTable } from './name-table.js';
import { decodeDns, encodeDns, dnsWalkName, DnsView, DnsType, type DnsMessage, type DnsRr, type DnsMessageInput, type DnsRrInput } from '../../wire/dns.js';
import { ipv4ToString, ipv6ToString, parseIpv4, parseIpv6 } from '../../wire/addr-text.js';
import { embedIpv4, extractIpv4, inPrefix, WKP, type Prefix6 } from '../rfc6052.js';
import type { Prefix6Any, EngineConfig } from '../config-types.js';
import { isGlobalIpv4 } from '../special-purpose.js';
import { Dns64Reason, type Dns64ReasonId, DNS64_REASON_DOC } from './reasons.js';
import { compatBehaviour, type Dns64Compat, type Dns64Behaviour } from './compat.js';
import type { ZoneRecord } from './zone.js';

export interface Dns64Options {
  /** Prefixes to synthesize with, in order (RFC 6052 lengths). */
  prefixes: Prefix6[];
  /** AAAA records inside these are treated as absent (RFC 6147 §5.1.4). */
  exclude: Prefix6Any[];
  synthAll: boolean;
  ptr: 'cname' | 'off';
  ttlWithoutSoa: number;
  /** RFC 6052 §3.1: no non-global IPv4 behind 64:ff9b::/96. */
  strictWellKnownPrefix: boolean;
  compat: Dns64Compat;
}

/** The engine options from an EngineConfig (`prefixes: null` = [pool6]). */
export function dns64Options(cfg: EngineConfig, compat: Dns64Compat = 'rfc'): Dns64Options {
  const prefixes = cfg.dns64.prefixes ?? (cfg.pool6 ? [cfg.pool6] : []);
  return {
    prefixes,
    exclude: cfg.dns64.exclude,
    synthAll: cfg.dns64.synthAll,
    ptr: cfg.dns64.ptr,
    ttlWithoutSoa: cfg.dns64.ttlWithoutSoa,
    strictWellKnownPrefix: cfg.strictWellKnownPrefix,
    compat,
  };
}

export interface Dns64Rr {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

/** One answered AAAA or PTR query. The first eight keys are SPEC §5 `dns64 --json`. */
export interface Dns64Result {
  /** The captured response it acted on, or the query when no response was captured. */
  n: number;
  name: string;
  qtype: 'AAAA' | 'PTR';
  rcode: number;
  flags: string[];
  answers: Dns64Rr[];
  synthesized: boolean;
  reason: Dns64ReasonId;
  /** Sentence for the text output ("synthesized from 2 A records with TTL 300 = min(A 300, SOA 3600)"). */
  detail: string;
  /** What the capture's resolver answered: "NOERROR 0 answers", "2 AAAA", ..., or null without a response. */
  resolver: string | null;
  /** keep: the resolver's message stands; rewrite: {@link message} replaces it; none: no response to act on. */
  action: 'keep' | 'rewrite' | 'none';
  /** The whole DNS message a DNS64 sends (for rewriting), when action is rewrite. */
  message: DnsMessageInput | null;
  /** Largest encoding allowed (512, the requestor's EDNS size, or 65535 over TCP). */
  maxSize: number;
  /** Whether it was carried over TCP. */
  tcp: boolean;
  /** The captured query's packet number (0 when the response came without a captured query). */
  queryN: number;
}

interface AEntry {
  /** Owner name as first seen (case kept). */
  name: string;
  addrs: number[];
  ttl: number;
  ad: boolean;
  /** NXDOMAIN or NODATA for A. */
  negative: boolean;
  /** Synthesized address texts, [prefix index * addrs.length + address index], filled as used. */
  synth?: string[];
}

/** What the engine remembers of one name read from the wire ({@link Dns64Engine.firstRec}). */
interface NameRec {
  /** The name lowercased, no trailing dot: the key of every table. */
  key: string;
  /** Whether the record is in the table (only those keep bytes in the engine's ByteStore). */
  kept: boolean;
  /**
   * The A response last learned for the name: its bytes after the id in the store (at, length;
   * length -1: none), and the A entry that left; see learnA.
   */
  aAt: number;
  aLen: number;
  aEntry: AEntry | undefined;
  /** The A entry of the key as last looked up, and the engine's {@link Dns64Engine.aGen} then: still it while aGen is the same. */
  aSeen: AEntry | undefined;
  aSeenGen: number;
  /** The name's last remembered AAAA decision (fastAaaa), or null; the answer it was made from: its bytes after the id in the store. */
  memo: AaaaMemo | null;
  mAt: number;
  mLen: number;
}

/**
 * A decision the engine remembers for a name and hands out again ({@link Dns64Engine.lastMemo}):
 * every result given with the same memo has the same fields as {@link r} except `n`, `maxSize`,
 * `tcp`, `queryN` (and `message`, always null: memos exist only when no messages are built).
 */
export interface Dns64Memo {
  readonly r: Dns64Result;
  /** Free for the consumer (the CLI keeps the bytes of the lines it prints for the decision); dropped with the memo. */
  json: Uint8Array | null;
  text: Uint8Array | null;
}

/**
 * The strings of a result kept for as long as its name is (a memo): made flat. Texts built piece
 * by piece (`a + b + ...`) are trees of V8 cons strings until something reads them char by char;
 * kept for 20,000 names, the trees of `detail` alone were ~10 MB of a 48 MB heap, copied by each
 * young-generation collection until promoted. charCodeAt flattens a string in place.
 */
function flattenResult(r: Dns64Result): void {
  r.detail.charCodeAt(0);
  if (r.resolver !== null) r.resolver.charCodeAt(0);
  r.name.charCodeAt(0);
  for (const a of r.answers) {
    a.data.charCodeAt(0);
    a.name.charCodeAt(0);
  }
  for (const f of r.flags) f.charCodeAt(0);
}

/** A decision of the view-only path and what it was made from. */
interface AaaaMemo extends Dns64Memo {
  /** The A entry it was synthesized from (NODATA), or null (native AAAA: no A data read). */
  entry: AEntry | null;
  plain: string;
  neg: number | null;
  negMin: number | null;
  /** The query's flags word, the answer's. */
  qflags: number;
  fl: number;
}

interface AliasEntry {
  owner: string;
  target: string;
  ttl: number;
  ad: boolean;
}

export interface PendingQuery {
  n: number;
  name: string;
  qtype: 'AAAA' | 'PTR';
  flags: number;
  doBit: boolean;
  udpSize: number;
  tcp: boolean;
  id: number;
}

const FLAG_NAMES: Array<[string, number]> = [['QR', 0x8000], ['AA', 0x0400], ['TC', 0x0200], ['RD', 0x0100], ['RA', 0x0080], ['Z', 0x0040], ['AD', 0x0020], ['CD', 0x0010]];
const RCODE_NAMES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };

export function rcodeName(r: number): string {
  return RCODE_NAMES[r] ?? `RCODE${r}`;
}

/** Lowercase, no trailing dot: the key for every table. */
export function nameKey(name: string): string {
  const s = name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name;
  return s.toLowerCase();
}

/** Most queries waiting for their response; the oldest is answered (as unanswered) beyond it. */
export const MAX_PENDING = 65536;
/** Most A-answer signatures remembered (one per name). */
const MAX_SIGS = 1 << 20;
/** Longest CNAME/DNAME chain followed (BIND and Unbound both stop around 8..16). */
const MAX_CHAIN = 16;

const IPV4ONLY = 'ipv4only.arpa';

/**
 * A node of {@link PendingTable}: the query's fields inline (no object per query), its key, and
 * its links. Nodes are reused once removed: read what you need before the next add.
 */
class PendingNode implements PendingQuery {
  n = 0;
  name = '';
  qtype: 'AAAA' | 'PTR' = 'AAAA';
  flags = 0;
  doBit = false;
  udpSize = 512;
  tcp = false;
  id = 0;
  port = 0;
  key = '';
  qt = 0;
  /** Insertion order (oldest first); the free list reuses `next`. */
  prev: PendingNode | null = null;
  next: PendingNode | null = null;
  /** The next node of the same bucket. */
  chain: PendingNode | null = null;
}

/** The bucket array's size, as bits: it starts small and doubles as queries wait (at most one per bucket on average). */
const PENDING_MIN_BITS = 10;
const PENDING_MAX_BITS = 17;

/** A plain copy of a query's fields (what {@link PendingTable.take} and {@link PendingTable.inOrder} hand out). */
function queryOf(e: PendingQuery): PendingQuery {
  return { n: e.n, name: e.name, qtype: e.qtype, flags: e.flags, doBit: e.doBit, udpSize: e.udpSize, tcp: e.tcp, id: e.id };
}

/**
 * Queries awaiting their response, by (client port, id, name key, qtype), in insertion order: a
 * bucket array indexed by a hash of port and id (doubled, up to 2^17 buckets, when the queries
 * outnumber the buckets: a table of 2^17 from the start is 1 MiB to fill and fault in before the
 * first packet), chains for collisions, a list for the order, and nodes that hold the query's
 * fields and are reused (nothing allocated per query once the table has grown). Behaves as a Map
 * keyed by those four: adding an existing key replaces the query in its place; beyond
 * {@link MAX_PENDING} the oldest is dropped first.
 */
export class PendingTable {
  private buckets: Array<PendingNode | null> = new Array<PendingNode | null>(1 << PENDING_MIN_BITS).fill(null);
  /** 32 - log2(buckets.length): slot()'s shift. */
  private shift = 32 - PENDING_MIN_BITS;
  private first: PendingNode | null = null;
  private last: PendingNode | null = null;
  /** Removed nodes, linked by `next`. */
  private free: PendingNode | null = null;
  size = 0;

  private slot(port: number, id: number): number {
    return Math.imul(((port & 0xffff) << 16) | (id & 0xffff), 0x9e3779b1) >>> this.shift;
  }

  /** Twice the buckets, every node chained again (in list order: a chain's order does not matter, keys are unique). */
  private grow(): void {
    this.shift--;
    const buckets = new Array<PendingNode | null>(1 << (32 - this.shift)).fill(null);
    this.buckets = buckets;
    for (let e = this.first; e !== null; e = e.next) {
      const s = this.slot(e.port, e.id);
      e.chain = buckets[s];
      buckets[s] = e;
    }
  }

  /** The node of that key (its fields are the query's), or null. */
  find(port: number, id: number, key: string, qt: number): PendingNode | null {
    let e = this.buckets[this.slot(port, id)];
    while (e !== null) {
      if (e.port === port && e.id === id && e.qt === qt && e.key === key) return e;
      e = e.chain;
    }
    return null;
  }

  add(port: number, key: string, qt: number, q: PendingQuery): void {
    this.addFields(port, key, qt, q.n, q.name, q.qtype, q.flags, q.doBit, q.udpSize, q.tcp, q.id);
  }

  /** {@link add} without a query object. */
  addFields(port: number, key: string, qt: number, n: number, name: string, qtype: 'AAAA' | 'PTR', flags: number, doBit: boolean, udpSize: number, tcp: boolean, id: number): void {
    if (this.size >= MAX_PENDING) this.remove(this.first!);
    let e = this.find(port, id, key, qt);
    if (e === null) {
      e = this.free;
      if (e !== null) this.free = e.next;
      else e = new PendingNode();
      if (this.size >= this.buckets.length && this.shift > 32 - PENDING_MAX_BITS) this.grow();
      const s = this.slot(port, id);
      e.port = port;
      e.key = key;
      e.qt = qt;
      e.id = id;
      e.chain = this.buckets[s];
      this.buckets[s] = e;
      e.prev = this.last;
      e.next = null;
      if (this.last !== null) this.last.next = e;
      else this.first = e;
      this.last = e;
      this.size++;
    }
    e.n = n;
    e.name = name;
    e.qtype = qtype;
    e.flags = flags;
    e.doBit = doBit;
    e.udpSize = udpSize;
    e.tcp = tcp;
  }

  /** Finds and removes; a copy of the query, or null. */
  take(port: number, id: number, key: string, qt: number): PendingQuery | null {
    const e = this.find(port, id, key, qt);
    if (e === null) return null;
    const q = queryOf(e);
    this.remove(e);
    return q;
  }

  remove(e: PendingNode): void {
    const s = this.slot(e.port, e.id);
    let c = this.buckets[s]!;
    if (c === e) this.buckets[s] = e.chain;
    else {
      while (c.chain !== e) c = c.chain!;
      c.chain = e.chain;
    }
    if (e.prev !== null) e.prev.next = e.next;
    else this.first = e.next;
    if (e.next !== null) e.next.prev = e.prev;
    else this.last = e.prev;
    this.size--;
    e.chain = e.prev = null;
    e.key = e.name = '';
    e.next = this.free;
    this.free = e;
  }

  /** The queries (copies), oldest first. */
  inOrder(): PendingQuery[] {
    const out: PendingQuery[] = [];
    for (let e = this.first; e !== null; e = e.next) out.push(queryOf(e));
    return out;
  }

  clear(): void {
    while (this.first !== null) this.remove(this.first);
  }
}

export class Dns64Engine {
  readonly opts: Dns64Options;
  readonly behaviour: Dns64Behaviour;
  private readonly a = new Map<string, AEntry>();
  /** Bumped at every change of {@link a}: an entry looked up at the same generation is still the entry ({@link aOfRec}). */
  private aGen = 1;
  private readonly zoneAaaa = new Map<string, { name: string; addrs: string[]; ttl: number }>();
  private readonly cname = new Map<string, AliasEntry>();
  private readonly dname = new Map<string, AliasEntry>();
  private readonly ptr = new Map<string, { rrs: DnsRr[] }>();
  private readonly pending = new PendingTable();
  private readonly buf16 = new Uint8Array(16);
  private readonly view = new DnsView();
  /** Name records by the name's wire bytes ({@link firstRec}); at most {@link MAX_SIGS}. */
  private readonly names = new NameTable<NameRec>();
  /** Whether the name {@link firstRec} last read had capitals. */
  private upper = false;
  /**
   * Whether AAAA answers of the common shapes are decided from the wire view
   * ({@link fastAaaa}); off, every answer is decoded (the differential test compares both).
   */
  fastPath = true;
  /** AAAA answers decided by the view-only path. */
  fastHits = 0;
  /**
   * Whether the view-only path reuses a name's last NODATA decision when its inputs are the same
   * ({@link fastAaaa}; only when no messages are built). Off for the differential test.
   */
  memoize = true;
  /** Decisions {@link memoize} reused. */
  memoHits = 0;
  private readonly memo = new Map<string, { entry: AEntry; plain: string; neg: number | null; negMin: number | null; maxSize: number; qflags: number; fl: number; tcp: boolean; r: Dns64Result }>();
  /**
   * A lazy base ({@link setLazyBase}): while set, the tables hold only what this engine learned
   * itself, and the first lookup that could find something in the base loads it.
   */
  private baseLoader: (() => Dns64Engine) | null = null;
  private baseZone = false;
  /**
   * Results of remembered decisions lent, not made: {@link onMessage} returns the memo's own
   * result with `n`, `maxSize`, `tcp` and `queryN` set, valid until the next call (as a packet
   * borrows the reader's buffer). For consumers that keep nothing (the CLI); off by default.
   */
  lendResults = false;
  /** The memo the last result {@link onMessage} returned belongs to (same fields as every result of it), or null. */
  lastMemo: Dns64Memo | null = null;
  /**
   * Whether results with action `rewrite` carry the {@link Dns64Result.message} to encode. Off
   * (a run that writes no capture), `message` stays null and nothing is built for it.
   */
  buildMessages = true;
  /** Counters. */
  answered = 0;
  synthesized = 0;
  rewritten = 0;

  constructor(opts: Dns64Options) {
    this.opts = opts;
    this.behaviour = compatBehaviour(opts.compat);
  }

  /**
   * The first pass of {@link runDns64} (the zone, then the A data of the whole capture), done
   * only if it is needed: `load` returns an engine that has learned it (zone loaded, every
   * answer given to {@link prescan}). Until then this engine's tables hold only what it learned
   * itself; a lookup that finds nothing there (an A, CNAME, DNAME, PTR or zone AAAA entry, a
   * negative A rule) first loads the base and puts its entries under ours — ours are later
   * writes, they win — so every lookup gives what it gives after an eager first pass. `zone`:
   * whether the base holds a zone (without one it has no zone AAAA and no PTR entries: the first
   * pass learns only from A answers, so those lookups need not load it). A capture
   * whose every AAAA answer comes after the A answers it needs never reads the file twice.
   */
  setLazyBase(load: () => Dns64Engine, zone: boolean): void {
    this.baseLoader = load;
    this.baseZone = zone;
  }

  /** Whether a lazy base is still to be loaded. */
  get baseDeferred(): boolean {
    return this.baseLoader !== null;
  }

  /** Loads the lazy base now, if there is one still to load (see {@link setLazyBase}). */
  loadBase(): this {
    const load = this.baseLoader;
    if (load === null) return this;
    this.baseLoader = null;
    this.baseZone = false;
    const b = load();
    const under = <V>(ours: Map<string, V>, base: Map<string, V>): void => {
      for (const [k, v] of base) if (!ours.has(k)) ours.set(k, v);
    };
    under(this.a, b.a);
    this.aGen++;
    under(this.cname, b.cname);
    under(this.dname, b.dname);
    under(this.ptr, b.ptr);
    under(this.zoneAaaa, b.zoneAaaa);
    return this;
  }

  /** The A entry of a key (loading a lazy base first when this engine has none). */
  private getA(key: string): AEntry | undefined {
    const e = this.a.get(key);
    if (e !== undefined || this.baseLoader === null) return e;
    return this.loadBase().a.get(key);
  }

  /** Distinct names held (A, CNAME, DNAME, PTR, zone AAAA) plus queries waiting: the memory bound. */
  size(): number {
    return this.a.size + this.cname.size + this.dname.size + this.ptr.size + this.zoneAaaa.size + this.pending.size;
  }

  /** Preloads zone-file / hosts-file records (capture data seen later overrides them). */
  loadZone(records: readonly ZoneRecord[]): void {
    const aGroups = new Map<string, AEntry>();
    for (const r of records) {
      const key = nameKey(r.name);
      switch (r.type) {
        case 'A': {
          const b = new Uint8Array(4);
          if (!parseIpv4(r.data, b, 0)) break;
          const v = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
          let e = aGroups.get(key);
          if (!e) aGroups.set(key, (e = { name: r.name, addrs: [], ttl: r.ttl, ad: false, negative: false }));
          if (!e.addrs.includes(v)) e.addrs.push(v);
          e.ttl = Math.min(e.ttl, r.ttl);
          break;
        }
        case 'AAAA': {
          let e = this.zoneAaaa.get(key);
          if (!e) this.zoneAaaa.set(key, (e = { name: r.name, addrs: [], ttl: r.ttl }));
          e.addrs.push(r.data);
          e.ttl = Math.min(e.ttl, r.ttl);
          break;
        }
        case 'CNAME':
          this.cname.set(key, { owner: r.name, target: stripDot(r.data), ttl: r.ttl, ad: false });
          break;
        case 'DNAME':
          this.dname.set(key, { owner: r.name, target: stripDot(r.data), ttl: r.ttl, ad: false });
          break;
        case 'PTR': {
          let e = this.ptr.get(key);
          if (!e) this.ptr.set(key, (e = { rrs: [] }));
          e.rrs.push({ name: r.name, type: 'PTR', class: 'IN', ttl: r.ttl, data: r.data });
          break;
        }
        default:
          break;
      }
    }
    for (const [k, e] of aGroups) this.a.set(k, e);
    this.aGen++;
  }

  /**
   * Optional first pass: learn A data only (no answers), so that an AAAA response that comes
   * before the A response of the same name still finds it. Data learned in the main pass
   * replaces it as the capture goes on.
   */
  prescan(bytes: Uint8Array, off: number, len: number): void {
    if (len < 12 || (bytes[off + 2] & 0x80) === 0 || (bytes[off + 2] & 0x78) !== 0) return;
    const qt = firstQtype(bytes, off, len);
    if (qt !== DnsType.A) return;
    const rec = this.firstRec(bytes, off, len);
    if (rec !== null && this.a.has(rec.key)) return;
    this.learnFrom(rec, bytes, off, len);
  }

  /**
   * One DNS message (UDP payload or one TCP-framed message). `clientPort` is the port of the
   * querier (the source port of a query, the destination port of a response); it pairs queries
   * with responses. Returns the engine's answer for AAAA/PTR responses, null for everything else.
   */
  onMessage(bytes: Uint8Array, off: number, len: number, n: number, clientPort: number, tcp: boolean): Dns64Result | null {
    this.lastMemo = null;
    if (len < 12) return null;
    const b2 = bytes[off + 2];
    if ((b2 & 0x78) !== 0) return null; // opcode QUERY only
    const qd = (bytes[off + 4] << 8) | bytes[off + 5];
    if (qd !== 1) {
      // The first pass learns from such an answer, this pass does not: with a lazy base, load it.
      if (this.baseLoader !== null && (b2 & 0x80) !== 0 && firstQtype(bytes, off, len) === DnsType.A) this.loadBase();
      return null;
    }
    const qt = firstQtype(bytes, off, len);
    const isResponse = (b2 & 0x80) !== 0;
    if (qt === DnsType.A) {
      if (isResponse) this.learnA(bytes, off, len);
      return null;
    }
    if (qt !== DnsType.AAAA && qt !== DnsType.PTR) return null;
    // Fast path for queries: the view, no materialised message (names of plain characters only).
    const rec = this.firstRec(bytes, off, len);
    const fkey = rec === null ? null : rec.key;
    const plain = rec === null ? null : this.upper ? this.firstName(bytes, off, len) : rec.key;
    if (!isResponse && plain !== null) {
      const v = this.view;
      if (v.reset(bytes, off, len) !== 0 || v.firstQuestionClass() !== 1) return null;
      const key = fkey!;
      if (qt === DnsType.PTR && !key.endsWith('.ip6.arpa')) return null;
      this.pending.addFields(clientPort, key, qt, n, plain, qt === DnsType.AAAA ? 'AAAA' : 'PTR', v.flags(), v.ednsDo(),
        v.hasEdns() ? Math.max(512, v.ednsUdpSize()) : 512, tcp, v.id());
      return null;
    }
    if (isResponse && qt === DnsType.AAAA && plain !== null && this.fastPath) {
      const r = this.fastAaaa(bytes, off, len, n, clientPort, tcp, plain, rec!);
      if (r) {
        this.count(r);
        return r;
      }
    }
    const msg = decodeDns(bytes, off, len);
    if (msg.questions.length !== 1 || msg.problems.some((p) => !p.includes('trailing'))) return null;
    const q = msg.questions[0];
    if (q.class !== 'IN') return null;
    const qname = q.name;
    const key = fkey !== null ? fkey : nameKey(qname);
    if (qt === DnsType.PTR && !key.endsWith('.ip6.arpa')) {
      if (isResponse && key.endsWith('.in-addr.arpa')) this.learn(msg);
      return null;
    }
    if (!isResponse) {
      this.pending.add(clientPort, key, qt, {
        n, name: qname, qtype: qt === DnsType.AAAA ? 'AAAA' : 'PTR', flags: flagsWord(msg), doBit: msg.edns?.do ?? false,
        udpSize: msg.edns ? Math.max(512, msg.edns.udpSize) : 512, tcp, id: msg.id,
      });
      return null;
    }
    const query = this.pending.take(clientPort, msg.id, key, qt);
    this.learn(msg);
    const r = qt === DnsType.AAAA ? this.decideAaaa(msg, query, n, tcp) : this.decidePtr(msg, query, n, tcp);
    this.count(r);
    return r;
  }

  /**
   * The view-only decision (no decoded message) for the two commonest AAAA answers: NODATA
   * (no answer records, at most an SOA in the authority section) and native AAAA records owned
   * by the question name (compressed pointer to it), with at most an OPT record besides, to a
   * query seen earlier without DO; no TC, AD or CD; rcode NOERROR. It makes exactly the decision
   * {@link decideAaaa} makes on the decoded message (test/xlat/dns64/fast-path.test.ts checks
   * that on every AAAA answer of the fixtures and of a generated capture). Returns null, having
   * changed nothing, for any other message: the full path then decides.
   *
   * Without messages to build ({@link memoize}), a name's last decision is reused when its
   * inputs are the same: first by the bytes (the answer, after its id, is the one that made
   * the decision: nothing is parsed again), then by what the parse reads (NODATA only).
   */
  private fastAaaa(b: Uint8Array, off: number, len: number, n: number, clientPort: number, tcp: boolean, plain: string, rec: NameRec): Dns64Result | null {
    if (plain.length === 0 || this.opts.synthAll) return null;
    const key = rec.key;
    const memoOn = this.memoize && !this.buildMessages;
    const m = memoOn ? rec.memo : null;
    if (m !== null && rec.mLen === len - 2 && this.store.same(b, off + 2, rec.mAt, len - 2)) {
      // The same answer bytes as the decision remembered: the same parse, the same facts.
      const pnode = this.pending.find(clientPort, (b[off] << 8) | b[off + 1], key, DnsType.AAAA);
      if (pnode !== null && pnode.doBit) return null;
      if (pnode !== null && pnode.flags === m.qflags && (m.entry === null || this.aOfRec(rec) === m.entry)) return this.memoHit(m, n, pnode, tcp);
    }
    const v = this.view;
    if (v.reset(b, off, len) !== 0 || v.warning() !== 0) return null;
    const fl = v.flags();
    if ((fl & 0x0230) !== 0 || v.rcode() !== 0 || v.firstQuestionClass() !== 1) return null; // TC, AD, CD
    if (key === IPV4ONLY) return null;
    // The query (none: an answer whose query the capture does not hold, or holds on the other side
    // of a NAT64 with another client port; decideAaaa then takes the DO bit from the answer).
    const pnode = this.pending.find(clientPort, v.id(), key, DnsType.AAAA);
    if (pnode === null ? v.ednsDo() : pnode.doBit) return null;
    const an = v.anCount();
    const ns = v.nsCount();
    const hasEdns = v.hasEdns();
    if (v.arCount() !== (hasEdns ? 1 : 0) || (an > 0 && ns !== 0) || ns > 1) return null;
    let pos = dnsWalkName(b, off, len, 12) + 4;
    // Answers: AAAA, class IN, owner = the question name, none inside the exclusion set.
    const ansStart = pos;
    const exclude = this.behaviour.exclude ?? this.opts.exclude;
    for (let i = 0; i < an; i++) {
      const p = off + pos;
      if (b[p] !== 0xc0 || b[p + 1] !== 12) return null;
      if (((b[p + 2] << 8) | b[p + 3]) !== DnsType.AAAA || ((b[p + 4] << 8) | b[p + 5]) !== 1 || ((b[p + 10] << 8) | b[p + 11]) !== 16) return null;
      for (let k = 0; k < 16; k++) this.buf16[k] = b[p + 12 + k];
      for (let x = 0; x < exclude.length; x++) if (inPrefixAny(this.buf16, exclude[x])) return null;
      pos += 28;
    }
    // Authority: one well-formed SOA, class IN (NODATA only).
    let neg: number | null = null;
    let negMin: number | null = null;
    if (ns === 1) {
      const e = dnsWalkName(b, off, len, pos);
      if (e < 0 || ((b[off + e] << 8) | b[off + e + 1]) !== DnsType.SOA || ((b[off + e + 2] << 8) | b[off + e + 3]) !== 1) return null;
      const ttl = u32(b, off + e + 4);
      const rd = e + 10;
      const end = rd + ((b[off + e + 8] << 8) | b[off + e + 9]);
      if (rd >= end) return null;
      const e1 = dnsWalkName(b, off, len, rd);
      if (e1 < 0 || e1 >= end) return null;
      const e2 = dnsWalkName(b, off, len, e1);
      if (e2 < 0 || e2 + 20 !== end) return null;
      const minimum = u32(b, off + e2 + 16);
      const rule = this.behaviour.soaTtlRule;
      negMin = Math.min(ttl, minimum);
      neg = rule === 'ttl' ? ttl : rule === 'minimum' ? minimum : negMin;
      pos = end;
    }
    // Additional: the OPT record alone, its options well-formed (decodeDns would flag them).
    if (hasEdns) {
      const o = v.ednsOffset();
      const end = o + 10 + ((b[o + 8] << 8) | b[o + 9]);
      let q = o + 10;
      while (q < end) {
        if (q + 4 > end || q + 4 + ((b[q + 2] << 8) | b[q + 3]) > end) return null;
        q += 4 + ((b[q + 2] << 8) | b[q + 3]);
      }
    }
    // Committed: the same result decideAaaa builds.
    // NODATA for a name with A data of its own (no alias chain), no message to build: the decision
    // depends only on the A entry (replaced, never changed, when the A data changes), the negative
    // TTLs, the query's flags, the answer's flags and the name's spelling (the size and transport
    // only set maxSize and tcp). The same inputs as this name's last decision: the same result
    // (its arrays and strings shared), nothing recomputed.
    const direct = an === 0 && memoOn ? this.getA(key) : undefined;
    if (direct !== undefined && m !== null && pnode !== null && m.entry === direct && m.plain === plain && m.neg === neg && m.negMin === negMin
      && m.qflags === pnode.flags && m.fl === fl) {
      if (rec.kept) this.keepBytes(rec, false, b, off + 2, len - 2);
      return this.memoHit(m, n, pnode, tcp);
    }
    const bh = this.behaviour;
    const query = pnode === null ? null : queryOf(pnode);
    if (pnode !== null) this.pending.remove(pnode);
    let maxSize = tcp ? 65535 : query !== null ? query.udpSize : 512;
    if (!tcp && bh.udpCap && maxSize > bh.udpCap) maxSize = bh.udpCap;
    const answers: Dns64Rr[] = [];
    for (let i = 0, p = off + ansStart; i < an; i++, p += 28) answers.push({ name: plain, type: 'AAAA', ttl: u32(b, p + 6), data: ipv6ToString(b, p + 12) });
    const resolver = an > 0 ? `NOERROR, ${an} AAAA` : negMin !== null ? `NOERROR, no answer (negative TTL ${negMin})` : 'NOERROR, no answer';
    const result: Dns64Result = {
      n, name: plain, qtype: 'AAAA', rcode: 0, flags: flagList(fl), answers, synthesized: false, reason: Dns64Reason.NoAData, detail: '',
      resolver, action: 'keep', message: null, maxSize, tcp, queryN: query !== null ? query.n : 0,
    };
    this.fastHits++;
    let r: Dns64Result;
    if (an > 0) r = this.keepIf(result, true, Dns64Reason.NativeAaaa, `native AAAA kept (${an} record${an > 1 ? 's' : ''})`);
    else {
      const edns = hasEdns ? { udpSize: v.ednsUdpSize(), do: v.ednsDo() } : null;
      const id = v.id();
      r = this.synthFromA(result, true, 0, false, () => ({ id, qname: plain, cd: false, flagsWord: fl, edns, additionals: [] }),
        query, this.resolveA(plain), neg, false, 0, 0, [], false, false);
    }
    // Remembered for the name: native AAAA (no A data read) by their bytes; NODATA with the name's own A entry.
    // (Not a decision without a query: a memo is reused for a query's flags.)
    if (memoOn && query !== null) {
      rec.memo = an > 0 || direct !== undefined
        ? { entry: an > 0 ? null : direct!, plain, neg, negMin, qflags: query.flags, fl, r, json: null, text: null }
        : null;
      if (rec.memo !== null) flattenResult(r);
      if (rec.memo !== null && rec.kept) this.keepBytes(rec, false, b, off + 2, len - 2);
      this.lastMemo = rec.memo;
    }
    return r;
  }

  /** A remembered decision `t` for the query in `pnode` (removed), answered by packet `n`. */
  private memoHit(m: AaaaMemo, n: number, pnode: PendingNode, tcp: boolean): Dns64Result {
    const t = m.r;
    this.lastMemo = m;
    let maxSize = tcp ? 65535 : pnode.udpSize;
    const cap = this.behaviour.udpCap;
    if (!tcp && cap && maxSize > cap) maxSize = cap;
    const queryN = pnode.n;
    this.pending.remove(pnode);
    this.fastHits++;
    this.memoHits++;
    if (this.lendResults) {
      t.n = n;
      t.maxSize = maxSize;
      t.tcp = tcp;
      t.queryN = queryN;
      return t;
    }
    return {
      n, name: t.name, qtype: 'AAAA', rcode: t.rcode, flags: t.flags, answers: t.answers, synthesized: t.synthesized, reason: t.reason, detail: t.detail,
      resolver: t.resolver, action: t.action, message: null, maxSize, tcp, queryN,
    };
  }

  /**
   * An A response. When the name's answer is byte for byte (after the id) the one learned last
   * time and the A entry that left is still in place, learning it again changes nothing (the
   * common case of repeated lookups): no decoding.
   */
  private learnA(bytes: Uint8Array, off: number, len: number): void {
    const rec = this.firstRec(bytes, off, len);
    if (rec !== null) {
      if (rec.aLen === len - 2 && this.store.same(bytes, off + 2, rec.aAt, len - 2) && this.aOfRec(rec) === rec.aEntry) return;
    }
    this.learnFrom(rec, bytes, off, len);
  }

  /** `a.get(rec.key)`, without the lookup while {@link a} has not changed since the record's last one. */
  private aOfRec(rec: NameRec): AEntry | undefined {
    if (rec.aSeenGen === this.aGen) return rec.aSeen;
    const e = this.a.get(rec.key);
    rec.aSeen = e;
    rec.aSeenGen = this.aGen;
    return e;
  }

  /**
   * Learns an A response, and remembers it on the name's record when learning it touched
   * nothing but the name's own A entry (no CNAME or DNAME in it): learning the same bytes again
   * while that entry stands is then a no-op ({@link learnA}).
   */
  private learnFrom(rec: NameRec | null, bytes: Uint8Array, off: number, len: number): void {
    if (rec !== null && this.fastPath && this.learnPlainA(rec, bytes, off, len)) {
      if (rec.kept) this.keepBytes(rec, true, bytes, off + 2, len - 2);
      rec.aEntry = this.a.get(rec.key);
      return;
    }
    const msg = decodeDns(bytes, off, len);
    this.learn(msg);
    if (rec === null) return;
    let alias = false;
    for (const rr of msg.answers) if (rr.type === 'CNAME' || rr.type === 'DNAME') alias = true;
    if (alias || msg.questions.length !== 1 || nameKey(msg.questions[0].name) !== rec.key) {
      this.dropBytes(rec);
      rec.aEntry = undefined;
      return;
    }
    // (What this engine holds itself: with a lazy base, an entry of ours is what the lookup gives.)
    const e = this.a.get(rec.key);
    if (e !== undefined && rec.kept) this.keepBytes(rec, true, bytes, off + 2, len - 2);
    else this.dropBytes(rec);
    rec.aEntry = e;
  }

  /**
   * {@link learn} without decoding, for the commonest A answer: well formed, NOERROR, not
   * truncated, every answer record an A record (4 bytes of data) owned by the question name
   * (compressed pointer to it), at least one. It sets exactly the entry learn() sets for it
   * (nothing else: no alias in it); false, having changed nothing, for any other answer.
   */
  private learnPlainA(rec: NameRec, b: Uint8Array, off: number, len: number): boolean {
    const v = this.view;
    if (v.reset(b, off, len) !== 0 || v.warning() !== 0) return false;
    const fl = v.flags();
    if ((fl & 0x0200) !== 0 || v.rcode() !== 0) return false; // TC
    const an = v.anCount();
    if (an === 0) return false;
    let p = off + dnsWalkName(b, off, len, 12) + 4;
    const addrs: number[] = [];
    let ttl = Infinity;
    for (let i = 0; i < an; i++, p += 16) {
      if (b[p] !== 0xc0 || b[p + 1] !== 12 || b[p + 2] !== 0 || b[p + 3] !== DnsType.A || b[p + 10] !== 0 || b[p + 11] !== 4) return false;
    }
    p = off + dnsWalkName(b, off, len, 12) + 4;
    for (let i = 0; i < an; i++, p += 16) {
      const t = u32(b, p + 6);
      const a = u32(b, p + 12);
      if (!addrs.includes(a)) addrs.push(a);
      if (t < ttl) ttl = t;
    }
    const name = this.upper ? this.firstName(b, off, len)! : rec.key;
    if (name.length === 0) return false;
    this.a.set(rec.key, { name, addrs: exact(addrs), ttl, ad: (fl & 0x0020) !== 0, negative: false });
    this.aGen++;
    return true;
  }

  /**
   * The record of the first question's name (its key: the name lowercased), or null when the
   * name is not plain (see {@link firstName}). Records come from a table by name hash (checked
   * byte for byte), so repeated names allocate nothing; beyond {@link MAX_SIGS} names a record
   * is made afresh each time and not kept. Sets {@link upper} when the name had capitals.
   */
  private firstRec(bytes: Uint8Array, off: number, len: number): NameRec | null {
    let p = off + 12;
    const end = off + len;
    let h = 0x811c9dc5 | 0; // (as an int32: a small-integer register, not a heap number)
    let upper = false;
    for (;;) {
      if (p >= end) return null;
      const l = bytes[p];
      if (l === 0) break;
      if (l > 63 || p + 1 + l > end) return null;
      h = Math.imul(h ^ 0x2e, 0x01000193);
      for (let i = p + 1; i <= p + l; i++) {
        const c = bytes[i];
        const lc = NAME_LC[c];
        if (lc === 0) return null;
        if (lc !== c) upper = true;
        h = Math.imul(h ^ lc, 0x01000193);
      }
      p += l + 1;
    }
    this.upper = upper;
    h &= 0x3fffffff; // a small integer
    const names = this.names;
    const found = names.find(h, bytes, off + 12, p);
    if (found !== null) return found;
    const rec: NameRec = { key: this.lowerName(bytes, off + 12, p), kept: false, aAt: 0, aLen: -1, aEntry: undefined, aSeen: undefined, aSeenGen: 0, memo: null, mAt: 0, mLen: -1 };
    if (names.size >= MAX_SIGS) return rec;
    rec.kept = true;
    names.add(h, bytes, off + 12, p, rec);
    return rec;
  }

  /** The bytes kept per name (A answers, remembered AAAA answers). */
  private readonly store = new ByteStore(this.names.recs);

  /** Keeps b[off .. off + len) as the record's A answer (`a`) or its memo's AAAA answer. */
  private keepBytes(rec: NameRec, a: boolean, b: Uint8Array, off: number, len: number): void {
    const st = this.store;
    let at: number;
    if ((a ? rec.aLen : rec.mLen) === len) at = a ? rec.aAt : rec.mAt;
    else {
      if (a) {
        if (rec.aLen >= 0) st.live -= rec.aLen;
        rec.aLen = -1;
      } else {
        if (rec.mLen >= 0) st.live -= rec.mLen;
        rec.mLen = -1;
      }
      at = st.alloc(len);
      if (a) {
        rec.aAt = at;
        rec.aLen = len;
      } else {
        rec.mAt = at;
        rec.mLen = len;
      }
    }
    const buf = st.buf;
    for (let i = 0; i < len; i++) buf[at + i] = b[off + i];
  }

  /** Forgets the record's A answer bytes. */
  private dropBytes(rec: NameRec): void {
    if (rec.aLen >= 0) this.store.live -= rec.aLen;
    rec.aLen = -1;
  }

  private nameBuf = new Uint8Array(256);

  /**
   * The plain name at bytes[from .. to) (labels checked by the caller) lowercased, as a flat
   * string (one decode: comparing it char by char stays fast).
   */
  private lowerName(bytes: Uint8Array, from: number, to: number): string {
    if (to - from > this.nameBuf.length) this.nameBuf = new Uint8Array(to - from);
    const out = this.nameBuf;
    let k = 0;
    for (let p = from; p < to;) {
      const l = bytes[p];
      if (k > 0) out[k++] = 0x2e;
      for (let i = p + 1; i <= p + l; i++) out[k++] = NAME_LC[bytes[i]];
      p += l + 1;
    }
    return LATIN1.decode(out.subarray(0, k));
  }

  /**
   * The first question's name as text when every label holds only letters, digits, '-' and '_'
   * (no escaping needed), else null. Case kept.
   */
  private firstName(bytes: Uint8Array, off: number, len: number): string | null {
    let p = off + 12;
    const end = off + len;
    let s = '';
    for (;;) {
      if (p >= end) return null;
      const l = bytes[p];
      if (l === 0) return s;
      if (l > 63 || p + 1 + l > end) return null;
      if (s.length) s += '.';
      for (let i = 1; i <= l; i++) {
        const c = bytes[p + i];
        const ok = (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f;
        if (!ok) return null;
      }
      s += latin1(bytes, p + 1, p + 1 + l);
      p += l + 1;
    }
  }

  /** Answers the queries whose response never appeared (in query order). */
  finish(): Dns64Result[] {
    this.lastMemo = null;
    const out: Dns64Result[] = [];
    for (const q of this.pending.inOrder()) {
      const msg: DnsMessage = {
        id: q.id, qr: false, opcode: 0, rcode: 0, flags: flagList(q.flags), questions: [{ name: q.name, type: q.qtype, class: 'IN' }],
        answers: [], authorities: [], additionals: [], edns: q.doBit || q.udpSize > 512 ? { udpSize: q.udpSize, do: q.doBit, version: 0, extendedRcode: 0, options: [] } : null, problems: [],
      };
      const r = q.qtype === 'AAAA' ? this.decideAaaa(null, q, q.n, q.tcp, msg) : this.decidePtr(null, q, q.n, q.tcp, msg);
      this.count(r);
      out.push(r);
    }
    this.pending.clear();
    return out;
  }

  private count(r: Dns64Result): void {
    this.answered++;
    if (r.synthesized) this.synthesized++;
    if (r.action === 'rewrite') this.rewritten++;
  }

  // -------------------------------------------------------------------------------------------
  // Learning

  /** Learns A, CNAME, DNAME (any response) and in-addr.arpa PTR records. */
  learn(msg: DnsMessage): void {
    if (!msg.qr) return;
    const ad = msg.flags.includes('AD');
    const q = msg.questions[0];
    if (q && q.type === 'A' && (msg.rcode === 3 || (msg.rcode === 0 && !msg.flags.includes('TC')))) {
      // The A RRset of the end of the chain; or a negative answer for it.
      const chainEnd = followChain(q.name, msg.answers);
      const addrs: number[] = [];
      let ttl = Infinity;
      let owner = chainEnd;
      const endKey = nameKey(chainEnd);
      for (const rr of msg.answers) {
        if (rr.type !== 'A' || nameKey(rr.name) !== endKey) continue;
        const v = ipv4Of(rr.data);
        if (v < 0) continue;
        if (!addrs.includes(v)) addrs.push(v);
        ttl = Math.min(ttl, rr.ttl);
        owner = rr.name;
      }
      if (addrs.length) this.a.set(endKey, { name: owner, addrs, ttl, ad, negative: false });
      else if (this.getA(endKey)?.negative ?? true) {
        this.a.set(endKey, { name: owner, addrs: [], ttl: negativeTtl(msg) ?? 0, ad, negative: true });
      }
      this.aGen++;
    }
    let ptrs: Map<string, DnsRr[]> | null = null;
    for (const rr of msg.answers) {
      if (rr.type === 'CNAME') this.cname.set(nameKey(rr.name), { owner: rr.name, target: stripDot(rr.data), ttl: rr.ttl, ad });
      else if (rr.type === 'DNAME') this.dname.set(nameKey(rr.name), { owner: rr.name, target: stripDot(rr.data), ttl: rr.ttl, ad });
      else if (rr.type === 'PTR' && q && q.type === 'PTR') {
        const k = nameKey(rr.name);
        if (!k.endsWith('.in-addr.arpa')) continue;
        ptrs ??= new Map();
        const l = ptrs.get(k) ?? [];
        if (!l.some((x) => x.data === rr.data)) l.push(rr);
        ptrs.set(k, l);
      }
    }
    // The PTR RRset of a name is the latest response's, whole.
    if (ptrs) for (const [k, rrs] of ptrs) this.ptr.set(k, { rrs });
  }

  /**
   * Follows CNAME/DNAME from `name` through the learned tables. Returns the chain of alias
   * records (DNAME-derived CNAMEs included) and the A entry at its end, or null.
   */
  private resolveA(name: string): { chain: Dns64Rr[]; end: string; entry: AEntry | null } {
    const chain: Dns64Rr[] = [];
    let cur = name;
    for (let i = 0; i < MAX_CHAIN; i++) {
      const key = nameKey(cur);
      const e = this.getA(key);
      if (e) return { chain, end: cur, entry: e };
      const c = this.cname.get(key) ?? (this.baseLoader !== null ? this.loadBase().cname.get(key) : undefined);
      if (c) {
        chain.push({ name: cur, type: 'CNAME', ttl: c.ttl, data: c.target });
        cur = c.target;
        continue;
      }
      if (this.dname.size || this.baseLoader !== null) {
        const d = this.loadBase().findDname(key);
        if (d) {
          const target = cur.slice(0, cur.length - d.owner.length) + d.target;
          chain.push({ name: d.owner, type: 'DNAME', ttl: d.ttl, data: d.target });
          chain.push({ name: cur, type: 'CNAME', ttl: d.ttl, data: target });
          cur = target;
          continue;
        }
      }
      break;
    }
    return { chain, end: cur, entry: null };
  }

  private findDname(key: string): AliasEntry | null {
    let i = key.indexOf('.');
    while (i >= 0) {
      const d = this.dname.get(key.slice(i + 1));
      if (d) return d;
      i = key.indexOf('.', i + 1);
    }
    return null;
  }

  // -------------------------------------------------------------------------------------------
  // AAAA

  private excluded(addr: string): boolean {
    if (!parseIpv6(addr, this.buf16, 0)) return false;
    for (const p of this.behaviour.exclude ?? this.opts.exclude) if (inPrefixAny(this.buf16, p)) return true;
    return false;
  }

  /**
   * RFC 6147 §5.1 for one AAAA query. `resp` is the resolver's response (null when none was
   * captured: then `stub` stands for the query).
   */
  decideAaaa(resp: DnsMessage | null, query: PendingQuery | null, n: number, tcp: boolean, stub?: DnsMessage): Dns64Result {
    const m = resp ?? stub!;
    const qname = m.questions[0].name;
    const bh = this.behaviour;
    const doBit = query ? query.doBit : (m.edns?.do ?? false);
    const cd = m.flags.includes('CD');
    const result = this.baseResult(resp, m, n, tcp, 'AAAA', query);

    // RFC 8880 §7.2: ipv4only.arpa is answered locally from the well-known addresses.
    if (nameKey(qname) === IPV4ONLY && bh.ipv4onlyLocal) {
      const answers: Dns64Rr[] = [];
      for (const p of this.opts.prefixes) {
        for (const v of [0xc00000aa, 0xc00000ab]) answers.push({ name: qname, type: 'AAAA', ttl: bh.ipv4onlyTtl, data: this.synth(p, v) });
      }
      if (resp && resp.rcode === 0 && !resp.flags.includes('TC')) {
        const have = resp.answers.filter((rr) => rr.type === 'AAAA').map((rr) => rr.data).sort().join(' ');
        if (have === answers.map((a) => a.data).sort().join(' ')) {
          return this.keep(result, resp, Dns64Reason.Ipv4only, `the resolver's answer already holds 192.0.0.170 and 192.0.0.171 under ${this.prefixList()} (RFC 8880 §7.2): kept`);
        }
      }
      return this.finishSynth(result, resp, m, answers, [], Dns64Reason.Ipv4only, `ipv4only.arpa answered locally: 192.0.0.170 and 192.0.0.171 under ${this.prefixList()}, TTL ${bh.ipv4onlyTtl}`, false, true, query);
    }
    // §5.5: DO and CD: the client validates and synthesizes itself.
    if (doBit && cd && bh.noSynthOnDoCd) {
      return this.keep(result, resp, Dns64Reason.DoCd, 'the query had DO and CD set: returned without synthesis (RFC 6147 §5.5)');
    }
    if (cd && bh.noSynthOnCd) return this.keep(result, resp, Dns64Reason.CdSet, 'the query had CD set: not synthesized (Unbound)');
    if (doBit && bh.noSynthOnDoSigned && resp && (resp.flags.includes('AD') || resp.answers.some((r) => r.type === 'RRSIG') || resp.authorities.some((r) => r.type === 'RRSIG'))) {
      return this.keep(result, resp, Dns64Reason.DoSigned, 'DO set and the answer is signed: not synthesized (BIND break-dnssec no)');
    }
    if (resp && resp.flags.includes('TC')) return this.keep(result, resp, Dns64Reason.Truncated, 'the resolver\'s answer was truncated: the client retries over TCP');
    if (resp && resp.rcode === 3) return this.keep(result, resp, Dns64Reason.Nxdomain, 'NXDOMAIN returned as is (RFC 6147 §5.1.2)');

    // What the resolver (or the zone) has for AAAA.
    let native: DnsRr[] = [];
    let failedRcode = false;
    if (resp) {
      if (resp.rcode !== 0) failedRcode = true;
      else {
        const end = nameKey(followChain(qname, resp.answers));
        native = resp.answers.filter((rr) => rr.type === 'AAAA' && nameKey(rr.name) === end);
      }
    } else {
      const end = nameKey(this.resolveA(qname).end);
      const z = this.zoneAaaa.get(end) ?? (this.baseZone ? this.loadBase().zoneAaaa.get(end) : undefined) ?? this.zoneAaaa.get(nameKey(qname));
      if (z) native = z.addrs.map((d) => ({ name: z.name, type: 'AAAA', class: 'IN', ttl: z.ttl, data: d }));
    }
    const usable = native.filter((rr) => !this.excluded(rr.data));
    const excludedCount = native.length - usable.length;
    if (usable.length > 0 && !this.opts.synthAll) {
      if (excludedCount === 0 || !bh.removeExcludedFromMixed) {
        if (!resp) {
          const answers = native.map(rrOut);
          return this.finishSynth(result, resp, m, answers, [], Dns64Reason.NativeAaaa, `native AAAA from the zone file: ${answers.length} record${answers.length > 1 ? 's' : ''}`, false, false, query);
        }
        return this.keep(result, resp, Dns64Reason.NativeAaaa, `native AAAA kept (${usable.length} record${usable.length > 1 ? 's' : ''})`);
      }
      const answers = (resp ? resp.answers : native).filter((rr) => !(rr.type === 'AAAA' && this.excluded(rr.data))).map(rrOut);
      return this.finishSynth(result, resp, m, answers, resp ? resp.authorities : [], Dns64Reason.NativeAaaaExcludedRemoved,
        `native AAAA kept, ${excludedCount} record${excludedCount > 1 ? 's' : ''} inside the exclusion set removed (RFC 6147 §5.1.4)`, false, false, query, true);
    }

    // Synthesis from A data (§5.1.6).
    const res = this.resolveA(qname);
    // TTL rule (§5.1.7): min(A TTL, negative TTL from the AAAA response's SOA), else min(A TTL, ttlWithoutSoa).
    const neg = resp && !failedRcode ? negativeTtl(resp, bh.soaTtlRule) : null;
    // The chain: from the resolver's AAAA response when it had one, else from the learned data.
    const respChain = resp && !failedRcode ? resp.answers.filter((rr) => rr.type === 'CNAME' || rr.type === 'DNAME').map(rrOut) : [];
    return this.synthFromA(result, resp !== null, resp ? resp.rcode : 0, resp ? resp.flags.includes('AD') : false, () => factsOf(resp, m),
      query, res, neg, failedRcode, usable.length, excludedCount, respChain, doBit, cd);
  }

  /**
   * The synthesis step of {@link decideAaaa} (RFC 6147 §5.1.6-§5.1.8), shared by the full path
   * and the view-only path ({@link fastAaaa}): the resolver's answer is known only through the
   * arguments (`hasResp`, its rcode and AD bit, the negative TTL its SOA gives, its alias chain).
   */
  private synthFromA(result: Dns64Result, hasResp: boolean, respRcode: number, respAd: boolean, facts: () => MsgFacts, query: PendingQuery | null,
    res: { chain: Dns64Rr[]; end: string; entry: AEntry | null }, neg: number | null, failedRcode: boolean, usableCount: number, excludedCount: number,
    respChain: Dns64Rr[], doBit: boolean, cd: boolean): Dns64Result {
    const bh = this.behaviour;
    const entry = res.entry;
    if (!entry) {
      if (hasResp) return this.keepIf(result, hasResp, Dns64Reason.NoAData, `no A data for ${res.end} in the capture or the zone file: the resolver's answer kept`);
      result.detail = `no response and no A data for ${res.end}: nothing to answer with`;
      result.reason = Dns64Reason.NoAData;
      return result;
    }
    if (entry.negative || entry.addrs.length === 0) {
      if (hasResp) return this.keepIf(result, hasResp, Dns64Reason.NoA, `the A query for ${res.end} came back empty too: the AAAA response returned as is (RFC 6147 §5.1.6)`);
      result.reason = Dns64Reason.NoA;
      result.detail = `no response, and the A query for ${res.end} came back empty`;
      return result;
    }
    let addrs = entry.addrs;
    const strict = this.opts.strictWellKnownPrefix && bh.strictWkp;
    const cap = neg ?? this.opts.ttlWithoutSoa;
    const ttl = bh.ttlRule === 'a-ttl' ? entry.ttl : Math.min(entry.ttl, cap);
    const answers: Dns64Rr[] = [];
    const chain = respChain.length ? respChain : res.chain;
    for (const c of chain) answers.push(c);
    let skipped = 0;
    // (sized once: an array grown by assignment keeps room for 17 entries, kept as long as the name)
    const texts = (entry.synth ??= new Array<string>(this.opts.prefixes.length * addrs.length));
    const prefixes = this.opts.prefixes;
    for (let pi = 0; pi < prefixes.length; pi++) {
      const p = prefixes[pi];
      const wkp = p.len === 96 && inPrefix(p.bytes, 0, WKP);
      for (let ai = 0; ai < addrs.length; ai++) {
        const v = addrs[ai];
        if (strict && wkp && !isGlobalIpv4(v)) {
          skipped++;
          continue;
        }
        const at = pi * addrs.length + ai;
        answers.push({ name: entry.name, type: 'AAAA', ttl, data: texts[at] ??= this.synth(p, v) });
      }
    }
    if (answers.length === chain.length) {
      if (hasResp) return this.keepIf(result, hasResp, Dns64Reason.NonGlobalA, `every A record of ${res.end} (${addrs.map(ipv4Text).join(', ')}) is non-global: not synthesized behind 64:ff9b::/96 (RFC 6052 §3.1)`);
      result.reason = Dns64Reason.NonGlobalA;
      result.detail = `every A record of ${res.end} is non-global: not synthesized behind 64:ff9b::/96 (RFC 6052 §3.1)`;
      return result;
    }
    addrs = entry.addrs;
    const reason = failedRcode ? Dns64Reason.SynthesizedRcode
      : usableCount > 0 ? Dns64Reason.SynthesizedAll
        : excludedCount > 0 ? Dns64Reason.SynthesizedExcluded : Dns64Reason.Synthesized;
    const why = failedRcode ? `the AAAA query failed with ${rcodeName(respRcode)}, treated as empty (RFC 6147 §5.1.2)`
      : usableCount > 0 ? 'synthAll is set'
        : excludedCount > 0 ? `every AAAA was inside the exclusion set (${(this.behaviour.exclude ?? this.opts.exclude).map(prefixText).join(', ')})`
          : hasResp ? 'no AAAA' : 'no response captured';
    const ttlWhy = bh.ttlRule === 'a-ttl' ? `the A TTL ${entry.ttl}`
      : neg !== null ? `min(A ${entry.ttl}, negative TTL ${neg} from the SOA)` : `min(A ${entry.ttl}, ${this.opts.ttlWithoutSoa} without an SOA)`;
    const n4 = answers.length - chain.length;
    const detail = `${why}: synthesized ${n4} AAAA from ${addrs.length} A record${addrs.length > 1 ? 's' : ''} of ${entry.name} with TTL ${ttl} = ${ttlWhy}${skipped ? `, ${skipped} non-global skipped` : ''}`;
    const adOk = bh.adRule(doBit, cd, respAd, entry.ad);
    return this.finishSynthFacts(result, facts(), answers, [], reason, detail, adOk, true, query);
  }

  // -------------------------------------------------------------------------------------------
  // PTR

  /** RFC 6147 §5.3.1: PTR for ip6.arpa names inside a prefix. */
  decidePtr(resp: DnsMessage | null, query: PendingQuery | null, n: number, tcp: boolean, stub?: DnsMessage): Dns64Result {
    const m = resp ?? stub!;
    const qname = m.questions[0].name;
    const result = this.baseResult(resp, m, n, tcp, 'PTR', query);
    const bh = this.behaviour;
    const addr = ip6ArpaAddress(qname, this.buf16);
    let prefix: Prefix6 | null = null;
    if (addr) for (const p of this.opts.prefixes) if (inPrefix(this.buf16, 0, p)) { prefix = p; break; }
    if (!prefix || this.opts.ptr === 'off' || bh.ptrMode === 'off') {
      const why = !addr ? 'not a full ip6.arpa address name' : !prefix ? 'the address is outside every prefix' : 'ptr: off';
      if (resp) return this.keep(result, resp, Dns64Reason.PtrPassed, `${why}: the resolver's answer kept`);
      result.reason = Dns64Reason.PtrPassed;
      result.detail = `${why}, and no response captured`;
      return result;
    }
    const v4 = extractIpv4(this.buf16, 0, prefix.len);
    const target = `${v4 & 0xff}.${(v4 >>> 8) & 0xff}.${(v4 >>> 16) & 0xff}.${v4 >>> 24}.in-addr.arpa`;
    const known = this.ptr.get(target) ?? (this.baseZone ? this.loadBase().ptr.get(target) : undefined);
    const answers: Dns64Rr[] = [];
    const ptrTtl = known ? Math.min(...known.rrs.map((r) => r.ttl)) : bh.ptrCnameTtl;
    if (bh.ptrMode === 'cname') {
      answers.push({ name: qname, type: 'CNAME', ttl: bh.ptrCnameTtl, data: target });
      if (known) for (const r of known.rrs) answers.push({ name: target, type: 'PTR', ttl: r.ttl, data: r.data });
    } else if (known) {
      for (const r of known.rrs) answers.push({ name: qname, type: 'PTR', ttl: r.ttl, data: r.data });
    }
    const what = bh.ptrMode === 'cname' ? `CNAME to ${target}` : `the PTR records of ${target} under the ip6.arpa name`;
    const detail = `${ipv6ToString(this.buf16, 0)} is inside ${prefixText(prefix)}: ${what}${known ? ` (${known.rrs.length} PTR known, TTL ${ptrTtl})` : ' (no PTR for it in the capture)'}`;
    // Rcode: NOERROR with the chain; no PTR data known is still NOERROR (the CNAME exists).
    if (bh.ptrMode !== 'cname' && !known) {
      if (resp) return this.keep(result, resp, Dns64Reason.PtrPassed, `${ipv6ToString(this.buf16, 0)} is inside ${prefixText(prefix)} but no PTR for ${target} in the capture: the resolver's answer kept`);
      result.reason = Dns64Reason.PtrPassed;
      result.detail = 'no PTR data for the in-addr.arpa name';
      return result;
    }
    return this.finishSynth(result, resp, m, answers, [], Dns64Reason.PtrCname, detail, false, true, query);
  }

  // -------------------------------------------------------------------------------------------
  // Results

  private baseResult(resp: DnsMessage | null, m: DnsMessage, n: number, tcp: boolean, qtype: 'AAAA' | 'PTR', query: PendingQuery | null): Dns64Result {
    let maxSize = tcp ? 65535 : query ? query.udpSize : 512;
    if (!tcp && this.behaviour.udpCap && maxSize > this.behaviour.udpCap) maxSize = this.behaviour.udpCap;
    return {
      n, name: stripDot(m.questions[0].name), qtype,
      rcode: resp ? resp.rcode : 0,
      flags: resp ? resp.flags.slice() : [],
      answers: resp ? resp.answers.map(rrOut) : [],
      synthesized: false, reason: Dns64Reason.NoAData, detail: '',
      resolver: resp ? resolverSummary(resp) : null,
      action: resp ? 'keep' : 'none', message: null, maxSize, tcp, queryN: query ? query.n : 0,
    };
  }

  private keepIf(r: Dns64Result, hasResp: boolean, reason: Dns64ReasonId, detail: string): Dns64Result {
    r.reason = reason;
    r.detail = detail;
    r.action = hasResp ? 'keep' : 'none';
    return r;
  }

  private keep(r: Dns64Result, resp: DnsMessage | null, reason: Dns64ReasonId, detail: string): Dns64Result {
    r.reason = reason;
    r.detail = detail;
    r.action = resp ? 'keep' : 'none';
    return r;
  }

  private finishSynth(r: Dns64Result, resp: DnsMessage | null, m: DnsMessage, answers: Dns64Rr[], authorities: readonly DnsRr[], reason: Dns64ReasonId, detail: string, ad: boolean, synthesized: boolean, query: PendingQuery | null, keepSigs = false): Dns64Result {
    return this.finishSynthFacts(r, factsOf(resp, m), answers, authorities, reason, detail, ad, synthesized, query, keepSigs);
  }

  private finishSynthFacts(r: Dns64Result, f: MsgFacts, answers: Dns64Rr[], authorities: readonly DnsRr[], reason: Dns64ReasonId, detail: string, ad: boolean, synthesized: boolean, query: PendingQuery | null, keepSigs = false): Dns64Result {
    const qflags = query ? query.flags : f.flagsWord;
    const flags: string[] = ['QR'];
    if (qflags & 0x0100) flags.push('RD');
    flags.push('RA');
    if (ad) flags.push('AD');
    if (qflags & 0x0010 || f.cd) flags.push('CD');
    const ans = keepSigs ? answers : answers.filter((a) => a.type !== 'RRSIG');
    r.rcode = 0;
    r.flags = exact(flags);
    r.answers = exact(ans);
    r.synthesized = synthesized;
    r.reason = reason;
    r.detail = detail;
    r.action = 'rewrite';
    if (!this.buildMessages) return r;
    const edns = f.edns;
    r.message = {
      id: f.id,
      qr: true,
      opcode: 0,
      rcode: 0,
      flags,
      questions: [{ name: f.qname, type: r.qtype }],
      answers: ans.map(rrIn),
      authorities: authorities.filter((a) => keepSigs || a.type !== 'RRSIG').map((a) => rrIn(rrOut(a))),
      additionals: f.additionals.filter((a) => a.type !== 'RRSIG' && a.type !== 'OPT').map((a) => rrIn(rrOut(a))),
      edns: edns ? { udpSize: edns.udpSize, do: (query ? query.doBit : edns.do), version: 0 } : null,
    };
    return r;
  }

  /**
   * The wire form of a rewrite: name compression, at most `maxSize` bytes, TC when the answer
   * does not fit (whole records kept, or none with the compat modes that send it empty).
   */
  encode(r: Dns64Result): Uint8Array | null {
    if (!r.message) return null;
    try {
      const out = encodeDns(r.message, { maxSize: r.maxSize });
      const tc = (out[2] & 0x02) !== 0;
      const t = this.behaviour.tcEmpty;
      if (tc && (t === 'always' || (t === 'edns' && r.message.edns))) {
        return encodeDns({ ...r.message, flags: [...(r.message.flags ?? []), 'TC'], answers: [], authorities: [], additionals: [] });
      }
      return out;
    } catch {
      return null;
    }
  }

  private readonly synthBuf = new Uint8Array(16);

  private synth(p: Prefix6, v4: number): string {
    const out = this.synthBuf;
    out.fill(0);
    embedIpv4(out, 0, p, v4);
    return ipv6ToString(out, 0);
  }

  private prefixList(): string {
    return this.opts.prefixes.map(prefixText).join(', ');
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers

export function reasonDoc(id: Dns64ReasonId): string {
  return DNS64_REASON_DOC[id];
}

function stripDot(s: string): string {
  return s.length > 1 && s.endsWith('.') ? s.slice(0, -1) : s;
}

function rrOut(rr: DnsRr | Dns64Rr): Dns64Rr {
  return { name: stripDot(rr.name), type: rr.type, ttl: rr.ttl, data: rr.data };
}

function rrIn(rr: Dns64Rr): DnsRrInput {
  return { name: rr.name, type: rr.type, ttl: rr.ttl, data: rr.data };
}

function prefixText(p: { bytes: Uint8Array; len: number }): string {
  return `${ipv6ToString(p.bytes, 0)}/${p.len}`;
}

function ipv4Text(v: number): string {
  const b = new Uint8Array([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
  return ipv4ToString(b, 0);
}

function ipv4Of(text: string): number {
  const b = new Uint8Array(4);
  if (!parseIpv4(text, b, 0)) return -1;
  return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
}

function inPrefixAny(addr: Uint8Array, p: Prefix6Any): boolean {
  const full = p.len >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== p.bytes[i]) return false;
  const rem = p.len & 7;
  if (rem) {
    const m = (0xff << (8 - rem)) & 0xff;
    if ((addr[full] & m) !== (p.bytes[full] & m)) return false;
  }
  return true;
}

const LATIN1 = new TextDecoder('latin1');

/** bytes[from..to) as a string of plain ASCII (checked by the caller). */
function latin1(b: Uint8Array, from: number, to: number): string {
  if (to - from <= 16) {
    let s = '';
    for (let i = from; i < to; i++) s += String.fromCharCode(b[i]);
    return s;
  }
  return LATIN1.decode(b.subarray(from, to));
}

/** QTYPE of the first question, -1 when it cannot be read. */
function firstQtype(b: Uint8Array, off: number, len: number): number {
  const e = dnsWalkName(b, off, len, 12);
  if (e < 0 || e + 4 > len) return -1;
  return (b[off + e] << 8) | b[off + e + 1];
}

/** The name at the end of the CNAME chain starting at `name` within `answers`. */
export function followChain(name: string, answers: readonly { name: string; type: string; data: string }[]): string {
  let cur = name;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const k = nameKey(cur);
    const c = answers.find((rr) => rr.type === 'CNAME' && nameKey(rr.name) === k);
    if (!c) {
      // DNAME: the synthesized CNAME normally follows it; use it if present (found above).
      return stripDot(cur);
    }
    cur = stripDot(c.data);
  }
  return stripDot(cur);
}

/**
 * The negative TTL an SOA in the authority section gives (RFC 2308 §5: min(SOA TTL, MINIMUM));
 * `ttl` mode: the SOA RR's TTL alone (RFC 6147 §5.1.7 read literally); null without an SOA.
 */
export function negativeTtl(msg: DnsMessage, rule: 'min' | 'ttl' | 'minimum' = 'min'): number | null {
  let soa: DnsRr | null = null;
  for (const rr of msg.authorities) if (rr.type === 'SOA') { soa = rr; break; }
  if (!soa) return null;
  const minimum = Number(lastField(soa.data));
  if (!Number.isFinite(minimum)) return soa.ttl;
  if (rule === 'ttl') return soa.ttl;
  if (rule === 'minimum') return minimum;
  return Math.min(soa.ttl, minimum);
}

/** The last whitespace-separated field of `s` (what `s.trim().split(/\s+/).pop()` gives). */
function lastField(s: string): string {
  let e = s.length;
  while (e > 0 && isSpace(s.charCodeAt(e - 1))) e--;
  let b = e;
  while (b > 0 && !isSpace(s.charCodeAt(b - 1))) b--;
  return s.slice(b, e);
}

function isSpace(c: number): boolean {
  // The characters /\s/ matches.
  return (c >= 9 && c <= 13) || c === 32 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** What {@link Dns64Engine.finishSynthFacts} reads of the message it answers. */
interface MsgFacts {
  id: number;
  /** The question name as the message has it. */
  qname: string;
  /** CD in the message's flags; the flags word (used without a pending query). */
  cd: boolean;
  flagsWord: number;
  edns: { udpSize: number; do: boolean } | null;
  /** The response's additional records (none without a response). */
  additionals: readonly DnsRr[];
}

function factsOf(resp: DnsMessage | null, m: DnsMessage): MsgFacts {
  return { id: m.id, qname: m.questions[0].name, cd: m.flags.includes('CD'), flagsWord: flagsWord(m), edns: resp?.edns ?? m.edns, additionals: resp ? resp.additionals : [] };
}

/** A plain name character (letter, digit, '-', '_') -> its lowercase code; anything else -> 0. */
const NAME_LC = new Uint8Array(256);
for (let c = 0; c < 256; c++) {
  if (c >= 0x41 && c <= 0x5a) NAME_LC[c] = c | 0x20;
  else if ((c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x5f) NAME_LC[c] = c;
}

/**
 * Bytes kept per name (see NameRec) in one growing array, compared with the input 4 bytes at a
 * time. A record's bytes are rewritten in place when their length is the same, else put at the
 * end; when the end is reached the live bytes (those the records point at) are copied into a
 * fresh array (twice as large when more than half of it is live): the size stays within a few
 * times the bytes of the names held.
 */
class ByteStore {
  buf = new Uint8Array(1 << 16);
  private dv = new DataView(this.buf.buffer);
  private top = 0;
  /** Bytes the records point at. */
  live = 0;
  /** A view of the last large input array (the reader's buffer) for word compares. */
  private inBuf: Uint8Array | null = null;
  private inDv: DataView | null = null;

  constructor(private readonly records: readonly NameRec[]) {}

  /** Whether b[off .. off + len) equals the stored bytes at `at`. */
  same(b: Uint8Array, off: number, at: number, len: number): boolean {
    let dv: DataView | null = null;
    if (b === this.inBuf) dv = this.inDv;
    else if (b.length >= 65536) {
      this.inBuf = b;
      dv = this.inDv = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
    let i = 0;
    if (dv !== null) {
      const s = this.dv;
      for (; i + 4 <= len; i += 4) if (dv.getInt32(off + i) !== s.getInt32(at + i)) return false;
    }
    const sb = this.buf;
    for (; i < len; i++) if (b[off + i] !== sb[at + i]) return false;
    return true;
  }

  /** Room for `len` bytes (counted live); its offset. */
  alloc(len: number): number {
    if (this.top + len > this.buf.length) {
      const need = this.live + len;
      let size = this.buf.length;
      while (need > size >>> 1) size *= 2;
      const nb = new Uint8Array(size);
      let top = 0;
      for (const r of this.records) {
        if (r.aLen >= 0) {
          nb.set(this.buf.subarray(r.aAt, r.aAt + r.aLen), top);
          r.aAt = top;
          top += r.aLen;
        }
        if (r.mLen >= 0) {
          nb.set(this.buf.subarray(r.mAt, r.mAt + r.mLen), top);
          r.mAt = top;
          top += r.mLen;
        }
      }
      this.buf = nb;
      this.dv = new DataView(nb.buffer);
      this.top = top;
      this.live = top;
    }
    const at = this.top;
    this.top += len;
    this.live += len;
    return at;
  }
}

/**
 * A short array built by push() as one of its own length: a pushed-to array keeps room for 17
 * elements, and the arrays of a remembered decision live as long as their name (four of them per
 * name: ~0.5 KB of the ~1.9 KB a name holds, copied by every young-generation collection until
 * promoted).
 */
function exact<T>(a: T[]): T[] {
  return a.length < 16 ? a.slice() : a;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function flagsWord(m: DnsMessage): number {
  let w = 0;
  for (const [n, bit] of FLAG_NAMES) if (m.flags.includes(n)) w |= bit;
  return w;
}

function flagList(w: number): string[] {
  // (a loop: filter and map made two arrays and two closure calls per flag, for every AAAA answer)
  const out: string[] = [];
  for (let i = 0; i < FLAG_NAMES.length; i++) if ((w & FLAG_NAMES[i][1]) !== 0) out.push(FLAG_NAMES[i][0]);
  return out;
}

/** "NOERROR, 2 AAAA", "NOERROR, no answer (SOA 300)", "NXDOMAIN", "SERVFAIL". */
export function resolverSummary(m: DnsMessage): string {
  const parts: string[] = [rcodeName(m.rcode)];
  const byType = new Map<string, number>();
  for (const rr of m.answers) byType.set(rr.type, (byType.get(rr.type) ?? 0) + 1);
  if (byType.size === 0) {
    const neg = negativeTtl(m);
    parts.push(neg !== null ? `no answer (negative TTL ${neg})` : 'no answer');
  } else parts.push([...byType].map(([t, c]) => `${c} ${t}`).join(' '));
  if (m.flags.includes('TC')) parts.push('TC');
  if (m.flags.includes('AD')) parts.push('AD');
  return parts.join(', ');
}

/** Address of a full ip6.arpa name (32 nibbles) into out[0..16), or false. */
export function ip6ArpaAddress(name: string, out: Uint8Array): boolean {
  const k = nameKey(name);
  if (!k.endsWith('.ip6.arpa')) return false;
  const labels = k.slice(0, -'.ip6.arpa'.length).split('.');
  if (labels.length !== 32) return false;
  for (let i = 0; i < 32; i++) {
    const l = labels[31 - i];
    if (l.length !== 1) return false;
    const v = parseInt(l, 16);
    if (Number.isNaN(v)) return false;
    if (i % 2 === 0) out[i >> 1] = v << 4;
    else out[i >> 1] |= v;
  }
  return true;
}

/** The ip6.arpa name of an address (lowercase nibbles). */
export function ip6ArpaName(addr: Uint8Array): string {
  const parts: string[] = [];
  for (let i = 15; i >= 0; i--) parts.push((addr[i] & 0xf).toString(16), (addr[i] >> 4).toString(16));
  return parts.join('.') + '.ip6.arpa';
}
