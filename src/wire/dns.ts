/**
 * DNS messages (RFC 1035 §4.1, EDNS0 RFC 6891, unknown types RFC 3597).
 *
 * Three parts, as in the other wire files:
 *  - {@link DnsView}: a view over `(bytes, off, len)` whose `reset()` walks and validates the whole
 *    message (every name, every RR's rdlength, the OPT record) without allocating anything; after
 *    it succeeds no accessor can fail. This is the per-packet hot path.
 *  - {@link decodeDns}: materialises a message into plain objects with presentation-format rdata
 *    (dig-like). Allocates; for the edges (JSON, UI, the DNS64 engine). Never throws.
 *  - {@link encodeDns}: writes a message with RFC 1035 §4.1.4 name compression and RFC 2181 §9
 *    truncation. Throws on input it cannot represent (a program error, not packet data).
 */

import { ipv4ToString, ipv6ToString, parseIpv4, parseIpv6 } from './addr-text.js';

/** Header offsets (RFC 1035 §4.1.1). */
export const F = {
  ID: 0,
  FLAGS: 2,
  QDCOUNT: 4,
  ANCOUNT: 6,
  NSCOUNT: 8,
  ARCOUNT: 10,
  HEADER_LEN: 12,
} as const;

/** Flag bits within the 16-bit flags word. */
export const DnsFlag = {
  QR: 0x8000,
  AA: 0x0400,
  TC: 0x0200,
  RD: 0x0100,
  RA: 0x0080,
  Z: 0x0040,
  AD: 0x0020,
  CD: 0x0010,
} as const;

/** Order of {@link DnsMessage.flags}. */
const FLAG_ORDER = ['QR', 'AA', 'TC', 'RD', 'RA', 'Z', 'AD', 'CD'] as const;

/** Longest name on the wire, length octets and root included (RFC 1035 §2.3.4). */
export const MAX_NAME_LEN = 255;
/** Longest label (RFC 1035 §2.3.4). */
export const MAX_LABEL_LEN = 63;
/**
 * Most compression pointers followed within one name. A 255-octet name has at most 127 labels,
 * so a sane encoder needs at most 127 pointers; this bounds the work per name even for chains of
 * pointer-to-pointer that are strictly backward.
 */
export const MAX_POINTER_HOPS = 127;

/**
 * Reason codes. Codes below 32 are errors: the message could not be walked past that point.
 * Codes 32..47 are warnings: `DnsView.reset()` still returns 0 and reports them through
 * `warning()`; `decodeDns` lists them in `problems`. Codes from 48 come from `decodeDns` only.
 */
export const DnsProblem = {
  None: 0,
  TruncatedHeader: 1,
  TruncatedName: 2,
  PointerPastEnd: 3,
  ForwardPointer: 4,
  PointerLoop: 5,
  TooManyPointers: 6,
  LabelTooLong: 7,
  NameTooLong: 8,
  TruncatedQuestion: 9,
  TruncatedRecord: 10,
  RecordOverrunsMessage: 11,
  // warnings
  TrailingBytes: 32,
  MultipleOpt: 33,
  OptOutsideAdditional: 34,
  OptNameNotRoot: 35,
  // decodeDns only
  MalformedRdata: 48,
  MalformedEdnsOption: 49,
} as const;
export type DnsProblemCode = (typeof DnsProblem)[keyof typeof DnsProblem];

const PROBLEM_TEXT: Record<number, string> = {
  0: 'dns: ok',
  1: 'dns: truncated header',
  2: 'dns: name runs past end of message',
  3: 'dns: compression pointer past end',
  4: 'dns: forward compression pointer',
  5: 'dns: compression pointer loop',
  6: 'dns: too many compression pointers',
  7: 'dns: label too long',
  8: 'dns: name too long',
  9: 'dns: truncated question',
  10: 'dns: truncated record',
  11: 'dns: record overruns message',
  32: 'dns: trailing bytes',
  33: 'dns: more than one OPT record',
  34: 'dns: OPT record outside additional section',
  35: 'dns: OPT owner name is not root',
  48: 'dns: malformed rdata',
  49: 'dns: malformed EDNS option',
};

/** A short constant English text for a {@link DnsProblem} code. */
export function dnsProblemText(code: number): string {
  return PROBLEM_TEXT[code] ?? 'dns: unknown problem';
}

/** True for codes that leave the message fully parsed (trailing bytes, odd OPT placement). */
export function dnsProblemIsWarning(code: number): boolean {
  return code >= 32 && code < 48;
}

// ---------------------------------------------------------------------------------------------
// Types and classes

/** RR type numbers (IANA "Resource Record (RR) TYPEs"). */
export const DnsType = {
  A: 1,
  NS: 2,
  MD: 3,
  MF: 4,
  CNAME: 5,
  SOA: 6,
  MB: 7,
  MG: 8,
  MR: 9,
  NULL: 10,
  WKS: 11,
  PTR: 12,
  HINFO: 13,
  MINFO: 14,
  MX: 15,
  TXT: 16,
  RP: 17,
  AFSDB: 18,
  SIG: 24,
  KEY: 25,
  AAAA: 28,
  LOC: 29,
  SRV: 33,
  NAPTR: 35,
  KX: 36,
  CERT: 37,
  DNAME: 39,
  OPT: 41,
  APL: 42,
  DS: 43,
  SSHFP: 44,
  IPSECKEY: 45,
  RRSIG: 46,
  NSEC: 47,
  DNSKEY: 48,
  DHCID: 49,
  NSEC3: 50,
  NSEC3PARAM: 51,
  TLSA: 52,
  SMIMEA: 53,
  HIP: 55,
  CDS: 59,
  CDNSKEY: 60,
  OPENPGPKEY: 61,
  CSYNC: 62,
  ZONEMD: 63,
  SVCB: 64,
  HTTPS: 65,
  SPF: 99,
  TKEY: 249,
  TSIG: 250,
  IXFR: 251,
  AXFR: 252,
  ANY: 255,
  URI: 256,
  CAA: 257,
} as const;

/** Class numbers (RFC 1035 §3.2.4, RFC 2136 NONE). */
export const DnsClass = {
  IN: 1,
  CH: 3,
  HS: 4,
  NONE: 254,
  ANY: 255,
} as const;

const TYPE_NAMES: Map<number, string> = new Map(Object.entries(DnsType).map(([k, v]) => [v, k]));
const TYPE_NUMBERS: Map<string, number> = new Map(Object.entries(DnsType));
const CLASS_NAMES: Map<number, string> = new Map(Object.entries(DnsClass).map(([k, v]) => [v, k]));
const CLASS_NUMBERS: Map<string, number> = new Map(Object.entries(DnsClass));

/** Mnemonic of an RR type, `TYPE123` (RFC 3597 §5) for ones without a name here. */
export function dnsTypeName(n: number): string {
  return TYPE_NAMES.get(n) ?? `TYPE${n}`;
}

/** RR type number of a mnemonic or `TYPE123` (any case); -1 when not recognised. */
export function dnsTypeNumber(name: string): number {
  const up = name.toUpperCase();
  const n = TYPE_NUMBERS.get(up);
  if (n !== undefined) return n;
  return genericNumber(up, 'TYPE');
}

/** Mnemonic of a class, `CLASS123` (RFC 3597 §5) for others. */
export function dnsClassName(n: number): string {
  return CLASS_NAMES.get(n) ?? `CLASS${n}`;
}

/** Class number of a mnemonic or `CLASS123` (any case); -1 when not recognised. */
export function dnsClassNumber(name: string): number {
  const up = name.toUpperCase();
  const n = CLASS_NUMBERS.get(up);
  if (n !== undefined) return n;
  return genericNumber(up, 'CLASS');
}

function genericNumber(up: string, prefix: string): number {
  if (!up.startsWith(prefix)) return -1;
  const digits = up.slice(prefix.length);
  if (!/^[0-9]{1,5}$/.test(digits)) return -1;
  const v = Number(digits);
  return v <= 0xffff ? v : -1;
}

// ---------------------------------------------------------------------------------------------
// Name walking (shared by the view and the decoder; allocation-free)

/**
 * Walks the name at message-relative offset `pos` of the message `b[base .. base+len)`.
 * Returns the offset just after the name as it sits at `pos` (after the first pointer, or after
 * the root label), or `-code` with a {@link DnsProblem} code.
 *
 * Pointers must point strictly before the start of the current name, or of the label sequence
 * reached by the previous pointer (RFC 1035 §4.1.4 "a prior occurrence"). Every pointer thus
 * moves strictly backward, which rules out loops; the hop count and the 255-octet limit bound the
 * work anyway.
 */
export function dnsWalkName(b: Uint8Array, base: number, len: number, pos: number): number {
  let p = pos;
  let end = -1;
  let segStart = pos;
  let wire = 0;
  let hops = 0;
  for (;;) {
    if (p >= len) return -DnsProblem.TruncatedName;
    const c = b[base + p];
    if (c === 0) {
      return end < 0 ? p + 1 : end;
    }
    const kind = c & 0xc0;
    if (kind === 0) {
      wire += c + 1;
      // +1 for the root label still to come.
      if (wire + 1 > MAX_NAME_LEN) return -DnsProblem.NameTooLong;
      p += c + 1;
    } else if (kind === 0xc0) {
      if (p + 1 >= len) return -DnsProblem.TruncatedName;
      const target = ((c & 0x3f) << 8) | b[base + p + 1];
      if (end < 0) end = p + 2;
      if (target >= len) return -DnsProblem.PointerPastEnd;
      if (target > p) return -DnsProblem.ForwardPointer;
      if (target >= segStart) return -DnsProblem.PointerLoop;
      if (++hops > MAX_POINTER_HOPS) return -DnsProblem.TooManyPointers;
      segStart = target;
      p = target;
    } else {
      // 0x40 and 0x80: lengths 64..191, or the obsolete extended label types (RFC 6891 §5).
      return -DnsProblem.LabelTooLong;
    }
  }
}

const EMPTY = new Uint8Array(0);

// ---------------------------------------------------------------------------------------------
// View

/**
 * Zero-allocation view of a DNS message. `reset()` walks every section; afterwards:
 *  - on 0, every accessor is valid;
 *  - on an error code, the header accessors (`id()` .. `arCount()`) are valid when at least 12
 *    bytes were given (they read 0 otherwise), `questionOffset()`/`firstQuestion*()` are valid if
 *    the first question was complete, and the EDNS accessors reflect an OPT record found before
 *    the failure point (`hasEdns()` false otherwise).
 * Offsets returned are absolute indexes into the `bytes` given to `reset()`.
 */
export class DnsView {
  private b: Uint8Array;
  private o: number;
  private n: number;
  /** Absolute offset of the first question's name, or -1. */
  private qOff: number;
  /** Absolute offset of the first question's QTYPE field, or -1. */
  private qTypeOff: number;
  /** Absolute offset of the OPT record's TYPE field, or -1. */
  private optOff: number;
  /** Message-relative offset just past the last record walked. */
  private walked: number;
  private warn: number;
  private problem: number;

  constructor() {
    this.b = EMPTY;
    this.o = 0;
    this.n = 0;
    this.qOff = -1;
    this.qTypeOff = -1;
    this.optOff = -1;
    this.walked = 0;
    this.warn = 0;
    this.problem = 0;
  }

  /**
   * Points the view at `bytes[off .. off+len)` (clamped to the array) and walks the whole
   * message. Returns 0 when it parses, else an error {@link DnsProblem} code. Warnings (trailing
   * bytes, more than one OPT, OPT outside the additional section, OPT owner not root) do not make
   * it fail; read them with {@link warning}. Allocates nothing.
   */
  reset(bytes: Uint8Array, off: number, len: number): number {
    if (off < 0) off = 0;
    if (off > bytes.length) off = bytes.length;
    if (len < 0) len = 0;
    if (len > bytes.length - off) len = bytes.length - off;
    this.b = bytes;
    this.o = off;
    this.n = len;
    this.qOff = -1;
    this.qTypeOff = -1;
    this.optOff = -1;
    this.walked = 0;
    this.warn = 0;
    this.problem = 0;
    if (len < F.HEADER_LEN) return (this.problem = DnsProblem.TruncatedHeader);

    const b = bytes;
    let pos: number = F.HEADER_LEN;
    const qd = (b[off + 4] << 8) | b[off + 5];
    for (let i = 0; i < qd; i++) {
      const e = dnsWalkName(b, off, len, pos);
      if (e < 0) return this.fail(pos, -e);
      if (e + 4 > len) return this.fail(pos, DnsProblem.TruncatedQuestion);
      if (i === 0) {
        this.qOff = off + pos;
        this.qTypeOff = off + e;
      }
      pos = e + 4;
    }
    const an = (b[off + 6] << 8) | b[off + 7];
    const ns = (b[off + 8] << 8) | b[off + 9];
    const ar = (b[off + 10] << 8) | b[off + 11];
    const total = an + ns + ar;
    const firstAdditional = an + ns;
    for (let i = 0; i < total; i++) {
      const start = pos;
      const e = dnsWalkName(b, off, len, pos);
      if (e < 0) return this.fail(start, -e);
      if (e + 10 > len) return this.fail(start, DnsProblem.TruncatedRecord);
      const rdlen = (b[off + e + 8] << 8) | b[off + e + 9];
      if (e + 10 + rdlen > len) return this.fail(start, DnsProblem.RecordOverrunsMessage);
      if (((b[off + e] << 8) | b[off + e + 1]) === DnsType.OPT) {
        if (i < firstAdditional) this.warnOnce(DnsProblem.OptOutsideAdditional);
        else if (this.optOff >= 0) this.warnOnce(DnsProblem.MultipleOpt);
        else {
          this.optOff = off + e;
          if (e !== start + 1) this.warnOnce(DnsProblem.OptNameNotRoot);
        }
      }
      pos = e + 10 + rdlen;
    }
    this.walked = pos;
    if (pos < len) this.warnOnce(DnsProblem.TrailingBytes);
    return 0;
  }

  private fail(at: number, code: number): number {
    this.walked = at;
    this.problem = code;
    return code;
  }

  private warnOnce(code: number): void {
    if (this.warn === 0) this.warn = code;
  }

  /** The code the last `reset()` returned. */
  problemCode(): number {
    return this.problem;
  }
  /** First warning found by the last successful `reset()`, or 0. */
  warning(): number {
    return this.warn;
  }
  /** Bytes walked from the start of the message: the message length when `reset()` gave 0. */
  parsedLength(): number {
    return this.walked;
  }

  private u16(at: number): number {
    return ((this.b[this.o + at] << 8) | this.b[this.o + at + 1]) & 0xffff;
  }

  id(): number {
    return this.u16(F.ID);
  }
  /** The raw 16-bit flags word (QR, opcode, AA, TC, RD, RA, Z, AD, CD, low rcode bits). */
  flags(): number {
    return this.u16(F.FLAGS);
  }
  qr(): boolean {
    return (this.flags() & DnsFlag.QR) !== 0;
  }
  opcode(): number {
    return (this.flags() >> 11) & 0xf;
  }
  /** RCODE including the EDNS extended bits (RFC 6891 §6.1.3) when an OPT record is present. */
  rcode(): number {
    const low = this.flags() & 0xf;
    return this.optOff >= 0 ? (this.b[this.optOff + 4] << 4) | low : low;
  }
  aa(): boolean {
    return (this.flags() & DnsFlag.AA) !== 0;
  }
  tc(): boolean {
    return (this.flags() & DnsFlag.TC) !== 0;
  }
  rd(): boolean {
    return (this.flags() & DnsFlag.RD) !== 0;
  }
  ra(): boolean {
    return (this.flags() & DnsFlag.RA) !== 0;
  }
  ad(): boolean {
    return (this.flags() & DnsFlag.AD) !== 0;
  }
  cd(): boolean {
    return (this.flags() & DnsFlag.CD) !== 0;
  }
  qdCount(): number {
    return this.u16(F.QDCOUNT);
  }
  anCount(): number {
    return this.u16(F.ANCOUNT);
  }
  nsCount(): number {
    return this.u16(F.NSCOUNT);
  }
  arCount(): number {
    return this.u16(F.ARCOUNT);
  }

  hasEdns(): boolean {
    return this.optOff >= 0;
  }
  /** Requestor's UDP payload size (the OPT CLASS field), 0 without EDNS. */
  ednsUdpSize(): number {
    return this.optOff >= 0 ? ((this.b[this.optOff + 2] << 8) | this.b[this.optOff + 3]) : 0;
  }
  /** The DNSSEC OK bit (RFC 3225), false without EDNS. */
  ednsDo(): boolean {
    return this.optOff >= 0 && (this.b[this.optOff + 6] & 0x80) !== 0;
  }
  /** EDNS version, -1 without EDNS. */
  ednsVersion(): number {
    return this.optOff >= 0 ? this.b[this.optOff + 5] : -1;
  }
  /** Upper 8 bits of the extended RCODE as stored in OPT, 0 without EDNS. */
  ednsExtendedRcode(): number {
    return this.optOff >= 0 ? this.b[this.optOff + 4] : 0;
  }
  /** Absolute offset of the OPT record's TYPE field (after its owner name), -1 without EDNS. */
  ednsOffset(): number {
    return this.optOff;
  }

  /** Absolute offset of the first question's name, -1 when there is none. */
  questionOffset(): number {
    return this.qOff;
  }
  /** QTYPE of the first question, -1 when there is none. */
  firstQuestionType(): number {
    return this.qTypeOff >= 0 ? ((this.b[this.qTypeOff] << 8) | this.b[this.qTypeOff + 1]) : -1;
  }
  /** QCLASS of the first question, -1 when there is none. */
  firstQuestionClass(): number {
    return this.qTypeOff >= 0 ? ((this.b[this.qTypeOff + 2] << 8) | this.b[this.qTypeOff + 3]) : -1;
  }
}

// ---------------------------------------------------------------------------------------------
// Materialised messages

export interface DnsQuestion {
  name: string;
  type: string;
  class: string;
}

/** A resource record with rdata in presentation format (`data`). */
export interface DnsRr {
  name: string;
  type: string;
  class: string;
  ttl: number;
  data: string;
}

export interface DnsEdnsOption {
  code: number;
  /** Option data as lowercase hex. */
  data: string;
}

export interface DnsEdns {
  udpSize: number;
  do: boolean;
  version: number;
  extendedRcode: number;
  options: DnsEdnsOption[];
}

export interface DnsMessage {
  id: number;
  qr: boolean;
  opcode: number;
  /** Full RCODE, extended bits from OPT included. */
  rcode: number;
  /** Set flags, a subset of QR AA TC RD RA Z AD CD in that order. */
  flags: string[];
  questions: DnsQuestion[];
  answers: DnsRr[];
  authorities: DnsRr[];
  /** Additional records except the OPT pseudo-record, which is in `edns`. */
  additionals: DnsRr[];
  edns: DnsEdns | null;
  /** {@link dnsProblemText} strings; empty for a clean message. */
  problems: string[];
}

// Escapes: names as BIND/dig print them (special characters with a backslash, other
// non-printables as \DDD); character-strings inside double quotes.

function ddd(c: number): string {
  return '\\' + (c < 10 ? '00' : c < 100 ? '0' : '') + c;
}

function labelText(b: Uint8Array, p: number, n: number): string {
  let s = '';
  for (let i = p; i < p + n; i++) {
    const c = b[i];
    if (c <= 0x20 || c >= 0x7f) s += ddd(c);
    // . ; \ " ( ) @ $
    else if (c === 0x2e || c === 0x3b || c === 0x5c || c === 0x22 || c === 0x28 || c === 0x29 ||
      c === 0x40 || c === 0x24) s += '\\' + String.fromCharCode(c);
    else s += String.fromCharCode(c);
  }
  return s;
}

/** Text of an already validated name at message-relative `pos`; root is ".". */
function nameText(b: Uint8Array, base: number, pos: number): string {
  let s = '';
  let p = pos;
  for (;;) {
    const c = b[base + p];
    if (c === 0) break;
    if ((c & 0xc0) === 0xc0) {
      p = ((c & 0x3f) << 8) | b[base + p + 1];
      continue;
    }
    if (s.length > 0) s += '.';
    s += labelText(b, base + p + 1, c);
    p += c + 1;
  }
  return s.length === 0 ? '.' : s;
}

/**
 * Text of the (already walked) name at absolute offset `nameOff` of the message that starts at
 * absolute offset `msgOff` — e.g. `DnsView.questionOffset()` — as {@link decodeDns} writes it.
 */
export function dnsNameText(bytes: Uint8Array, msgOff: number, nameOff: number): string {
  return nameText(bytes, msgOff, nameOff - msgOff);
}

function charStringText(b: Uint8Array, p: number, n: number): string {
  let s = '"';
  for (let i = p; i < p + n; i++) {
    const c = b[i];
    if (c < 0x20 || c >= 0x7f) s += ddd(c);
    else if (c === 0x22 || c === 0x5c) s += '\\' + String.fromCharCode(c);
    else s += String.fromCharCode(c);
  }
  return s + '"';
}

const HEX = '0123456789abcdef';
const HEX_UP = '0123456789ABCDEF';

function hexText(b: Uint8Array, p: number, end: number, digits: string): string {
  let s = '';
  for (let i = p; i < end; i++) s += digits[b[i] >> 4] + digits[b[i] & 15];
  return s;
}

function base64Text(b: Uint8Array, p: number, end: number): string {
  return Buffer.from(b.buffer, b.byteOffset + p, end - p).toString('base64');
}

function u16(b: Uint8Array, i: number): number {
  return (b[i] << 8) | b[i + 1];
}
function u32(b: Uint8Array, i: number): number {
  return ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
}

/** RRSIG time (RFC 4034 §3.2): YYYYMMDDHHmmSS in UTC. */
function sigTime(t: number): string {
  const iso = new Date(t * 1000).toISOString(); // 2024-01-02T03:04:05.000Z
  return iso.slice(0, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) +
    iso.slice(17, 19);
}

/** RFC 3597 §5 generic rdata. */
function genericText(b: Uint8Array, p: number, n: number): string {
  return n === 0 ? '\\# 0' : `\\# ${n} ${hexText(b, p, p + n, HEX_UP)}`;
}

/** Set by {@link rdName}: message-relative offset after the name it read. */
let rdNameEnd = 0;

/** A name inside rdata that must start at `pos` and sit (before any pointer) below `limit`. */
function rdName(b: Uint8Array, base: number, len: number, pos: number, limit: number): string | null {
  if (pos >= limit) return null;
  const e = dnsWalkName(b, base, len, pos);
  if (e < 0 || e > limit) return null;
  rdNameEnd = e;
  return nameText(b, base, pos);
}

/** NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2) as mnemonics, or null when malformed. */
function typeBitmapText(b: Uint8Array, p: number, end: number): string | null {
  let s = '';
  let lastWindow = -1;
  while (p < end) {
    if (p + 2 > end) return null;
    const win = b[p];
    const blen = b[p + 1];
    if (win <= lastWindow || blen === 0 || blen > 32 || p + 2 + blen > end) return null;
    lastWindow = win;
    for (let i = 0; i < blen; i++) {
      const byte = b[p + 2 + i];
      for (let j = 0; j < 8; j++) {
        if (byte & (0x80 >> j)) s += ' ' + dnsTypeName((win << 8) | (i << 3) | j);
      }
    }
    p += 2 + blen;
  }
  return s;
}

/**
 * Presentation format of the rdata at message-relative `rd` (length `n`), or null when the rdata
 * does not fit its type (the caller then falls back to the RFC 3597 form).
 */
function rdataText(b: Uint8Array, base: number, len: number, type: number, rd: number, n: number): string | null {
  const p = base + rd;
  const end = rd + n;
  switch (type) {
    case DnsType.A:
      return n === 4 ? ipv4ToString(b, p) : null;
    case DnsType.AAAA:
      return n === 16 ? ipv6ToString(b, p) : null;
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.DNAME:
    case DnsType.PTR:
    case DnsType.MD:
    case DnsType.MF:
    case DnsType.MB:
    case DnsType.MG:
    case DnsType.MR: {
      const name = rdName(b, base, len, rd, end);
      return name !== null && rdNameEnd === end ? name : null;
    }
    case DnsType.MX:
    case DnsType.KX:
    case DnsType.AFSDB: {
      if (n < 3) return null;
      const name = rdName(b, base, len, rd + 2, end);
      return name !== null && rdNameEnd === end ? `${u16(b, p)} ${name}` : null;
    }
    case DnsType.SRV: {
      if (n < 7) return null;
      const name = rdName(b, base, len, rd + 6, end);
      return name !== null && rdNameEnd === end
        ? `${u16(b, p)} ${u16(b, p + 2)} ${u16(b, p + 4)} ${name}`
        : null;
    }
    case DnsType.SOA: {
      const mname = rdName(b, base, len, rd, end);
      if (mname === null) return null;
      const rname = rdName(b, base, len, rdNameEnd, end);
      if (rname === null || rdNameEnd + 20 !== end) return null;
      const q = base + rdNameEnd;
      return `${mname} ${rname} ${u32(b, q)} ${u32(b, q + 4)} ${u32(b, q + 8)} ${u32(b, q + 12)} ${u32(b, q + 16)}`;
    }
    case DnsType.TXT:
    case DnsType.SPF: {
      if (n === 0) return null;
      let s = '';
      let i = p;
      const e = p + n;
      while (i < e) {
        const l = b[i];
        if (i + 1 + l > e) return null;
        if (s.length > 0) s += ' ';
        s += charStringText(b, i + 1, l);
        i += 1 + l;
      }
      return s;
    }
    case DnsType.DS:
    case DnsType.CDS: {
      if (n < 4) return null;
      const digest = n > 4 ? ' ' + hexText(b, p + 4, p + n, HEX_UP) : '';
      return `${u16(b, p)} ${b[p + 2]} ${b[p + 3]}${digest}`;
    }
    case DnsType.DNSKEY:
    case DnsType.CDNSKEY: {
      if (n < 4) return null;
      const key = n > 4 ? ' ' + base64Text(b, p + 4, p + n) : '';
      return `${u16(b, p)} ${b[p + 2]} ${b[p + 3]}${key}`;
    }
    case DnsType.RRSIG: {
      if (n < 19) return null;
      const signer = rdName(b, base, len, rd + 18, end);
      if (signer === null) return null;
      const sig = rdNameEnd < end ? ' ' + base64Text(b, base + rdNameEnd, base + end) : '';
      return `${dnsTypeName(u16(b, p))} ${b[p + 2]} ${b[p + 3]} ${u32(b, p + 4)} ` +
        `${sigTime(u32(b, p + 8))} ${sigTime(u32(b, p + 12))} ${u16(b, p + 16)} ${signer}${sig}`;
    }
    case DnsType.NSEC: {
      const next = rdName(b, base, len, rd, end);
      if (next === null) return null;
      const types = typeBitmapText(b, base + rdNameEnd, base + end);
      return types === null ? null : next + types;
    }
    default:
      return null;
  }
}

/** Types whose rdata has a presentation format in {@link rdataText}. */
function hasPresentation(type: number): boolean {
  switch (type) {
    case DnsType.A: case DnsType.AAAA: case DnsType.NS: case DnsType.CNAME: case DnsType.DNAME:
    case DnsType.PTR: case DnsType.MD: case DnsType.MF: case DnsType.MB: case DnsType.MG:
    case DnsType.MR: case DnsType.MX: case DnsType.KX: case DnsType.AFSDB: case DnsType.SRV:
    case DnsType.SOA: case DnsType.TXT: case DnsType.SPF: case DnsType.DS: case DnsType.CDS:
    case DnsType.DNSKEY: case DnsType.CDNSKEY: case DnsType.RRSIG: case DnsType.NSEC:
      return true;
    default:
      return false;
  }
}

function flagList(flags: number): string[] {
  const out: string[] = [];
  for (const f of FLAG_ORDER) if (flags & DnsFlag[f]) out.push(f);
  return out;
}

/**
 * Decodes the message at `bytes[off .. off+len)` into plain objects. A malformed message decodes
 * as far as it goes, with {@link DnsMessage.problems} filled; this never throws.
 */
export function decodeDns(bytes: Uint8Array, off = 0, len = bytes.length - off): DnsMessage {
  if (off < 0) off = 0;
  if (off > bytes.length) off = bytes.length;
  if (len < 0) len = 0;
  if (len > bytes.length - off) len = bytes.length - off;
  const b = bytes;
  const base = off;
  const msg: DnsMessage = {
    id: 0,
    qr: false,
    opcode: 0,
    rcode: 0,
    flags: [],
    questions: [],
    answers: [],
    authorities: [],
    additionals: [],
    edns: null,
    problems: [],
  };
  const problem = (code: number): void => {
    const t = dnsProblemText(code);
    if (!msg.problems.includes(t)) msg.problems.push(t);
  };
  if (len < F.HEADER_LEN) {
    problem(DnsProblem.TruncatedHeader);
    return msg;
  }
  const flags = u16(b, base + 2);
  msg.id = u16(b, base);
  msg.qr = (flags & DnsFlag.QR) !== 0;
  msg.opcode = (flags >> 11) & 0xf;
  msg.rcode = flags & 0xf;
  msg.flags = flagList(flags);

  let pos = 12;
  const qd = u16(b, base + 4);
  for (let i = 0; i < qd; i++) {
    const e = dnsWalkName(b, base, len, pos);
    if (e < 0) {
      problem(-e);
      return msg;
    }
    if (e + 4 > len) {
      problem(DnsProblem.TruncatedQuestion);
      return msg;
    }
    msg.questions.push({
      name: nameText(b, base, pos),
      type: dnsTypeName(u16(b, base + e)),
      class: dnsClassName(u16(b, base + e + 2)),
    });
    pos = e + 4;
  }

  const counts = [u16(b, base + 6), u16(b, base + 8), u16(b, base + 10)];
  const sections = [msg.answers, msg.authorities, msg.additionals];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s]; i++) {
      const start = pos;
      const e = dnsWalkName(b, base, len, pos);
      if (e < 0) {
        problem(-e);
        return msg;
      }
      if (e + 10 > len) {
        problem(DnsProblem.TruncatedRecord);
        return msg;
      }
      const type = u16(b, base + e);
      const klass = u16(b, base + e + 2);
      const ttl = u32(b, base + e + 4);
      const rdlen = u16(b, base + e + 8);
      const rd = e + 10;
      if (rd + rdlen > len) {
        problem(DnsProblem.RecordOverrunsMessage);
        return msg;
      }
      pos = rd + rdlen;
      if (type === DnsType.OPT) {
        if (s !== 2) problem(DnsProblem.OptOutsideAdditional);
        else if (msg.edns !== null) problem(DnsProblem.MultipleOpt);
        else {
          if (e !== start + 1) problem(DnsProblem.OptNameNotRoot);
          const options: DnsEdnsOption[] = [];
          let q = rd;
          while (q < rd + rdlen) {
            if (q + 4 > rd + rdlen || q + 4 + u16(b, base + q + 2) > rd + rdlen) {
              problem(DnsProblem.MalformedEdnsOption);
              break;
            }
            const olen = u16(b, base + q + 2);
            options.push({ code: u16(b, base + q), data: hexText(b, base + q + 4, base + q + 4 + olen, HEX) });
            q += 4 + olen;
          }
          msg.edns = {
            udpSize: klass,
            do: (ttl & 0x8000) !== 0,
            version: (ttl >>> 16) & 0xff,
            extendedRcode: ttl >>> 24,
            options,
          };
          msg.rcode |= (ttl >>> 24) << 4;
          continue;
        }
      }
      let data = hasPresentation(type) ? rdataText(b, base, len, type, rd, rdlen) : null;
      if (data === null) {
        if (hasPresentation(type)) problem(DnsProblem.MalformedRdata);
        data = genericText(b, base + rd, rdlen);
      }
      sections[s].push({
        name: nameText(b, base, start),
        type: dnsTypeName(type),
        class: dnsClassName(klass),
        ttl,
        data,
      });
    }
  }
  if (pos < len) problem(DnsProblem.TrailingBytes);
  return msg;
}

// ---------------------------------------------------------------------------------------------
// Encoder

export interface DnsQuestionInput {
  name: string;
  type: string | number;
  /** Default IN. */
  class?: string | number;
}

export interface DnsRrInput {
  name: string;
  type: string | number;
  /** Default IN. */
  class?: string | number;
  /** Default 0. */
  ttl?: number;
  /**
   * Presentation rdata as {@link decodeDns} writes it (supported: A AAAA NS CNAME DNAME PTR MX
   * SOA SRV TXT DS DNSKEY RRSIG NSEC and their close relatives), or `\# LEN HEX` for any type.
   */
  data?: string;
  /** Raw rdata, written verbatim (so it must not contain compression pointers). Wins over `data`. */
  rdata?: Uint8Array;
}

export interface DnsEdnsInput {
  /** Default 1232 (DNS flag day 2020). */
  udpSize?: number;
  do?: boolean;
  version?: number;
  /** Used when the message `rcode` fits in 4 bits. */
  extendedRcode?: number;
  /** `data` as hex or bytes. */
  options?: readonly { code: number; data: string | Uint8Array }[];
}

export interface DnsMessageInput {
  id?: number;
  qr?: boolean;
  opcode?: number;
  /** Full RCODE; bits above the low 4 go to the OPT record (which must then be present). */
  rcode?: number;
  /** Names from QR AA TC RD RA Z AD CD. */
  flags?: readonly string[];
  questions?: readonly DnsQuestionInput[];
  answers?: readonly DnsRrInput[];
  authorities?: readonly DnsRrInput[];
  /** Additional records; put EDNS in `edns`, not as an OPT record here. */
  additionals?: readonly DnsRrInput[];
  edns?: DnsEdnsInput | null;
}

export interface DnsEncodeOptions {
  /**
   * Largest message to produce (512, or the requestor's EDNS UDP size). Whole RRs are dropped
   * from the end (additional, then authority, then answer) until it fits, the OPT record is
   * kept, and TC is set when an answer or authority RR was dropped (RFC 2181 §9). If even the
   * header, questions and OPT do not fit, that much is returned anyway, with TC.
   */
  maxSize?: number;
}

function encodeError(what: string): Error {
  return new Error(`dns encode: ${what}`);
}

const utf8 = new TextEncoder();

/**
 * Labels of a presentation-format name (`\.`, `\\`, `\DDD` escapes; trailing dot optional;
 * "." or "" is the root).
 */
function parseName(text: string): Uint8Array[] {
  if (text === '.' || text === '') return [];
  const src = utf8.encode(text);
  const labels: Uint8Array[] = [];
  const cur = new Uint8Array(MAX_NAME_LEN);
  let n = 0;
  let wire = 1;
  let i = 0;
  const finishLabel = (): void => {
    if (n === 0) throw encodeError(`empty label in name ${JSON.stringify(text)}`);
    if (n > MAX_LABEL_LEN) throw encodeError(`label longer than 63 octets in ${JSON.stringify(text)}`);
    labels.push(cur.slice(0, n));
    wire += n + 1;
    n = 0;
  };
  while (i < src.length) {
    let c = src[i++];
    if (c === 0x2e) {
      finishLabel();
      continue;
    }
    if (c === 0x5c) {
      if (i >= src.length) throw encodeError(`dangling backslash in ${JSON.stringify(text)}`);
      if (isDigit(src[i])) {
        if (!isDigit(src[i + 1]) || !isDigit(src[i + 2])) throw encodeError(`bad \\DDD in ${JSON.stringify(text)}`);
        c = (src[i] - 0x30) * 100 + (src[i + 1] - 0x30) * 10 + (src[i + 2] - 0x30);
        if (c > 255) throw encodeError(`bad \\DDD in ${JSON.stringify(text)}`);
        i += 3;
      } else {
        c = src[i++];
      }
    }
    if (n >= MAX_NAME_LEN) throw encodeError(`name too long: ${JSON.stringify(text)}`);
    cur[n++] = c;
  }
  if (n > 0) finishLabel();
  if (wire > MAX_NAME_LEN) throw encodeError(`name longer than 255 octets: ${JSON.stringify(text)}`);
  return labels;
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

/** Decodes escapes of a character-string (or any token) to bytes. */
function unescapeBytes(raw: string): Uint8Array {
  const src = utf8.encode(raw);
  const out = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length;) {
    let c = src[i++];
    if (c === 0x5c) {
      if (i >= src.length) throw encodeError(`dangling backslash in ${JSON.stringify(raw)}`);
      if (isDigit(src[i])) {
        if (!isDigit(src[i + 1]) || !isDigit(src[i + 2])) throw encodeError(`bad \\DDD in ${JSON.stringify(raw)}`);
        c = (src[i] - 0x30) * 100 + (src[i + 1] - 0x30) * 10 + (src[i + 2] - 0x30);
        if (c > 255) throw encodeError(`bad \\DDD in ${JSON.stringify(raw)}`);
        i += 3;
      } else {
        c = src[i++];
      }
    }
    out[n++] = c;
  }
  return out.slice(0, n);
}

interface Token {
  /** Token text with its escapes, without surrounding quotes. */
  raw: string;
  quoted: boolean;
}

/** Splits presentation rdata at unquoted, unescaped whitespace. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    let raw = '';
    if (c === '"') {
      i++;
      while (i < n && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < n) {
          raw += text[i] + text[i + 1];
          i += 2;
        } else raw += text[i++];
      }
      if (i >= n) throw encodeError(`unterminated quoted string in ${JSON.stringify(text)}`);
      i++;
      out.push({ raw, quoted: true });
    } else {
      while (i < n && !' \t\n\r'.includes(text[i])) {
        if (text[i] === '\\' && i + 1 < n) {
          raw += text[i] + text[i + 1];
          i += 2;
        } else raw += text[i++];
      }
      out.push({ raw, quoted: false });
    }
  }
  return out;
}

function parseUint(tok: Token | undefined, max: number, what: string): number {
  if (tok === undefined || !/^[0-9]+$/.test(tok.raw)) throw encodeError(`bad ${what}: ${tok?.raw ?? '(missing)'}`);
  const v = Number(tok.raw);
  if (v > max) throw encodeError(`${what} out of range: ${tok.raw}`);
  return v;
}

function parseSigTime(tok: Token | undefined): number {
  const raw = tok?.raw ?? '';
  if (/^[0-9]{14}$/.test(raw)) {
    const ms = Date.UTC(+raw.slice(0, 4), +raw.slice(4, 6) - 1, +raw.slice(6, 8), +raw.slice(8, 10),
      +raw.slice(10, 12), +raw.slice(12, 14));
    return (ms / 1000) >>> 0;
  }
  return parseUint(tok, 0xffffffff, 'RRSIG time');
}

function parseHex(text: string): Uint8Array {
  const h = text.replace(/\s+/g, '');
  if (h.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(h)) throw encodeError(`bad hex: ${text}`);
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function parseBase64(text: string): Uint8Array {
  const s = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 === 1) throw encodeError(`bad base64: ${text}`);
  return new Uint8Array(Buffer.from(s, 'base64'));
}

function typeOf(t: string | number): number {
  const n = typeof t === 'number' ? t : dnsTypeNumber(t);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw encodeError(`unknown type ${String(t)}`);
  return n;
}

function classOf(c: string | number | undefined): number {
  if (c === undefined) return DnsClass.IN;
  const n = typeof c === 'number' ? c : dnsClassNumber(c);
  if (!Number.isInteger(n) || n < 0 || n > 0xffff) throw encodeError(`unknown class ${String(c)}`);
  return n;
}

/** Growable output with the compression suffix table. */
class Writer {
  buf: Uint8Array = new Uint8Array(512);
  pos = 0;
  /** Suffix (as length-prefixed latin1 key) -> message offset of its first occurrence. */
  private suffixes = new Map<string, number>();

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }
  u8(v: number): void {
    this.room(1);
    this.buf[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.room(2);
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  u32(v: number): void {
    this.room(4);
    this.buf[this.pos++] = (v >>> 24) & 0xff;
    this.buf[this.pos++] = (v >>> 16) & 0xff;
    this.buf[this.pos++] = (v >>> 8) & 0xff;
    this.buf[this.pos++] = v & 0xff;
  }
  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  patch16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /**
   * Writes a name. With `compress`, the longest suffix already in the message is replaced by a
   * pointer (RFC 1035 §4.1.4). Every written suffix becomes a pointer target either way, since
   * a pointer may point at any prior occurrence. Matching is exact (case-sensitive), so the
   * decoded text is what was given.
   */
  name(text: string, compress: boolean): void {
    const labels = parseName(text);
    const keys: string[] = new Array<string>(labels.length + 1);
    keys[labels.length] = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      keys[i] = String.fromCharCode(labels[i].length, ...labels[i]) + keys[i + 1];
    }
    for (let i = 0; i < labels.length; i++) {
      if (compress) {
        const at = this.suffixes.get(keys[i]);
        if (at !== undefined) {
          this.u16(0xc000 | at);
          return;
        }
      }
      if (this.pos < 0x4000 && !this.suffixes.has(keys[i])) this.suffixes.set(keys[i], this.pos);
      this.u8(labels[i].length);
      this.bytes(labels[i]);
    }
    this.u8(0);
  }
}

/** Writes the rdata of one RR (without the rdlength). */
function writeRdata(w: Writer, type: number, data: string): void {
  const toks = tokenize(data);
  if (toks.length > 0 && toks[0].raw === '\\#' && !toks[0].quoted) {
    const n = parseUint(toks[1], 0xffff, 'RFC 3597 length');
    const bytes = parseHex(toks.slice(2).map((t) => t.raw).join(''));
    if (bytes.length !== n) throw encodeError(`RFC 3597 length ${n} does not match ${bytes.length} bytes of hex`);
    w.bytes(bytes);
    return;
  }
  const need = (k: number): void => {
    if (toks.length !== k) throw encodeError(`${dnsTypeName(type)} rdata needs ${k} fields: ${JSON.stringify(data)}`);
  };
  switch (type) {
    case DnsType.A: {
      need(1);
      const out = new Uint8Array(4);
      if (!parseIpv4(toks[0].raw, out, 0)) throw encodeError(`bad IPv4 address ${toks[0].raw}`);
      w.bytes(out);
      return;
    }
    case DnsType.AAAA: {
      need(1);
      const out = new Uint8Array(16);
      if (!parseIpv6(toks[0].raw, out, 0)) throw encodeError(`bad IPv6 address ${toks[0].raw}`);
      w.bytes(out);
      return;
    }
    // RFC 3597 §4: compression only in the RFC 1035 well-known types.
    case DnsType.NS:
    case DnsType.CNAME:
    case DnsType.PTR:
    case DnsType.MD:
    case DnsType.MF:
    case DnsType.MB:
    case DnsType.MG:
    case DnsType.MR:
      need(1);
      w.name(toks[0].raw, true);
      return;
    case DnsType.DNAME: // RFC 6672 §2.5: not compressed
      need(1);
      w.name(toks[0].raw, false);
      return;
    case DnsType.MX:
    case DnsType.KX:
    case DnsType.AFSDB:
      need(2);
      w.u16(parseUint(toks[0], 0xffff, 'preference'));
      w.name(toks[1].raw, type === DnsType.MX);
      return;
    case DnsType.SRV: // RFC 2782: target not compressed
      need(4);
      w.u16(parseUint(toks[0], 0xffff, 'SRV priority'));
      w.u16(parseUint(toks[1], 0xffff, 'SRV weight'));
      w.u16(parseUint(toks[2], 0xffff, 'SRV port'));
      w.name(toks[3].raw, false);
      return;
    case DnsType.SOA:
      need(7);
      w.name(toks[0].raw, true);
      w.name(toks[1].raw, true);
      for (let i = 2; i < 7; i++) w.u32(parseUint(toks[i], 0xffffffff, 'SOA field'));
      return;
    case DnsType.TXT:
    case DnsType.SPF:
      if (toks.length === 0) throw encodeError('TXT needs at least one string');
      for (const t of toks) {
        const s = unescapeBytes(t.raw);
        if (s.length > 255) throw encodeError('TXT string longer than 255 octets');
        w.u8(s.length);
        w.bytes(s);
      }
      return;
    case DnsType.DS:
    case DnsType.CDS:
      if (toks.length < 3) throw encodeError(`DS needs 3 fields and a digest: ${JSON.stringify(data)}`);
      w.u16(parseUint(toks[0], 0xffff, 'key tag'));
      w.u8(parseUint(toks[1], 0xff, 'algorithm'));
      w.u8(parseUint(toks[2], 0xff, 'digest type'));
      w.bytes(parseHex(toks.slice(3).map((t) => t.raw).join('')));
      return;
    case DnsType.DNSKEY:
    case DnsType.CDNSKEY:
      if (toks.length < 3) throw encodeError(`DNSKEY needs 3 fields and a key: ${JSON.stringify(data)}`);
      w.u16(parseUint(toks[0], 0xffff, 'flags'));
      w.u8(parseUint(toks[1], 0xff, 'protocol'));
      w.u8(parseUint(toks[2], 0xff, 'algorithm'));
      w.bytes(parseBase64(toks.slice(3).map((t) => t.raw).join('')));
      return;
    case DnsType.RRSIG: {
      if (toks.length < 8) throw encodeError(`RRSIG needs 8 fields and a signature: ${JSON.stringify(data)}`);
      const covered = dnsTypeNumber(toks[0].raw);
      if (covered < 0) throw encodeError(`unknown type covered ${toks[0].raw}`);
      w.u16(covered);
      w.u8(parseUint(toks[1], 0xff, 'algorithm'));
      w.u8(parseUint(toks[2], 0xff, 'labels'));
      w.u32(parseUint(toks[3], 0xffffffff, 'original TTL'));
      w.u32(parseSigTime(toks[4]));
      w.u32(parseSigTime(toks[5]));
      w.u16(parseUint(toks[6], 0xffff, 'key tag'));
      w.name(toks[7].raw, false); // RFC 4034 §3.1.7: not compressed
      w.bytes(parseBase64(toks.slice(8).map((t) => t.raw).join('')));
      return;
    }
    case DnsType.NSEC: {
      if (toks.length < 1) throw encodeError('NSEC needs a next name');
      w.name(toks[0].raw, false); // RFC 4034 §4.1.1: not compressed
      const bits = new Uint8Array(256 * 32);
      const used = new Int32Array(256).fill(-1);
      for (let i = 1; i < toks.length; i++) {
        const t = dnsTypeNumber(toks[i].raw);
        if (t < 0) throw encodeError(`unknown type in NSEC bitmap: ${toks[i].raw}`);
        const win = t >> 8;
        const byte = (t & 0xff) >> 3;
        bits[win * 32 + byte] |= 0x80 >> (t & 7);
        if (byte > used[win]) used[win] = byte;
      }
      for (let win = 0; win < 256; win++) {
        if (used[win] < 0) continue;
        w.u8(win);
        w.u8(used[win] + 1);
        w.bytes(bits.subarray(win * 32, win * 32 + used[win] + 1));
      }
      return;
    }
    default:
      throw encodeError(`no presentation format for ${dnsTypeName(type)} here; give \\# LEN HEX or rdata bytes`);
  }
}

function writeRr(w: Writer, rr: DnsRrInput): void {
  const type = typeOf(rr.type);
  w.name(rr.name, true);
  w.u16(type);
  w.u16(classOf(rr.class));
  w.u32((rr.ttl ?? 0) >>> 0);
  const lenAt = w.pos;
  w.u16(0);
  if (rr.rdata !== undefined) w.bytes(rr.rdata);
  else if (rr.data !== undefined) writeRdata(w, type, rr.data);
  else throw encodeError(`RR ${rr.name} ${dnsTypeName(type)} has neither data nor rdata`);
  const rdlen = w.pos - lenAt - 2;
  if (rdlen > 0xffff) throw encodeError('rdata longer than 65535 octets');
  w.patch16(lenAt, rdlen);
}

function optRecord(edns: DnsEdnsInput, rcode: number): Uint8Array {
  const opts = edns.options ?? [];
  const datas = opts.map((o) => (typeof o.data === 'string' ? parseHex(o.data) : o.data));
  const rdlen = datas.reduce((a, d) => a + 4 + d.length, 0);
  if (rdlen > 0xffff) throw encodeError('EDNS options longer than 65535 octets');
  const out = new Uint8Array(11 + rdlen);
  const ext = rcode > 15 ? rcode >>> 4 : edns.extendedRcode ?? 0;
  out[0] = 0; // root
  out[1] = 0;
  out[2] = DnsType.OPT;
  const size = edns.udpSize ?? 1232;
  out[3] = (size >>> 8) & 0xff;
  out[4] = size & 0xff;
  out[5] = ext & 0xff;
  out[6] = (edns.version ?? 0) & 0xff;
  out[7] = edns.do ? 0x80 : 0;
  out[8] = 0;
  out[9] = rdlen >>> 8;
  out[10] = rdlen & 0xff;
  let p = 11;
  for (let i = 0; i < opts.length; i++) {
    out[p] = (opts[i].code >>> 8) & 0xff;
    out[p + 1] = opts[i].code & 0xff;
    out[p + 2] = datas[i].length >>> 8;
    out[p + 3] = datas[i].length & 0xff;
    out.set(datas[i], p + 4);
    p += 4 + datas[i].length;
  }
  return out;
}

/**
 * Encodes a message with name compression (owner names and, per RFC 3597 §4, names inside the
 * rdata of the RFC 1035 types NS CNAME PTR MX SOA and MB MD MF MG MR; not SRV, DNAME, RRSIG,
 * NSEC). The OPT record, from `edns`, goes last. Throws on input it cannot encode (bad name,
 * unknown mnemonic, rdata that does not fit its type, rcode > 15 without `edns`, a result longer
 * than 65535 octets).
 */
export function encodeDns(msg: DnsMessageInput, opts?: DnsEncodeOptions): Uint8Array {
  const w = new Writer();
  const rcode = msg.rcode ?? 0;
  if (rcode > 15 && !msg.edns) throw encodeError(`rcode ${rcode} needs EDNS`);
  let flags = (msg.qr ? DnsFlag.QR : 0) | (((msg.opcode ?? 0) & 0xf) << 11) | (rcode & 0xf);
  for (const f of msg.flags ?? []) {
    const bit = (DnsFlag as Record<string, number>)[f.toUpperCase()];
    if (bit === undefined) throw encodeError(`unknown flag ${f}`);
    flags |= bit;
  }
  const qs = msg.questions ?? [];
  const sections = [msg.answers ?? [], msg.authorities ?? [], msg.additionals ?? []];
  if (qs.length > 0xffff || sections.some((s) => s.length > 0xffff) || sections[2].length + (msg.edns ? 1 : 0) > 0xffff) {
    throw encodeError('too many records');
  }
  w.u16((msg.id ?? 0) & 0xffff);
  w.u16(flags);
  w.u16(qs.length);
  w.u16(0);
  w.u16(0);
  w.u16(0);
  for (const q of qs) {
    w.name(q.name, true);
    w.u16(typeOf(q.type));
    w.u16(classOf(q.class));
  }
  // ends[k]: message length when the first k RRs (answer, authority, additional order) are kept.
  const ends: number[] = [w.pos];
  for (const sec of sections) {
    for (const rr of sec) {
      writeRr(w, rr);
      ends.push(w.pos);
    }
  }
  const opt = msg.edns ? optRecord(msg.edns, rcode) : EMPTY;
  const total = ends.length - 1;
  let keep = total;
  const max = opts?.maxSize;
  if (max !== undefined) {
    while (keep > 0 && ends[keep] + opt.length > max) keep--;
  }
  const an = sections[0].length;
  const ns = sections[1].length;
  const keptAn = Math.min(keep, an);
  const keptNs = Math.min(Math.max(keep - an, 0), ns);
  const keptAr = Math.max(keep - an - ns, 0);
  // RFC 2181 §9: TC only when required data (answer, authority) did not fit.
  if (keptAn < an || keptNs < ns) flags |= DnsFlag.TC;
  const len = ends[keep];
  if (len + opt.length > 0xffff) throw encodeError('message longer than 65535 octets');
  const out = new Uint8Array(len + opt.length);
  out.set(w.buf.subarray(0, len));
  out.set(opt, len);
  out[2] = (flags >>> 8) & 0xff;
  out[3] = flags & 0xff;
  out[6] = keptAn >>> 8;
  out[7] = keptAn & 0xff;
  out[8] = keptNs >>> 8;
  out[9] = keptNs & 0xff;
  const ar = keptAr + (opt.length > 0 ? 1 : 0);
  out[10] = ar >>> 8;
  out[11] = ar & 0xff;
  return out;
}
