/**
 * The field model of `diff`, `golden --check` and `correlate`: a packet as an ordered list of named
 * header fields, one group per layer, named like tshark's display fields where one exists
 * (`ipv4.ttl` for tshark's `ip.ttl`; `tcp.seq` is the raw sequence number, tshark's `tcp.seq_raw`).
 *
 *   eth.dst eth.src eth.type vlan.id ieee8021ad.id     (Ethernet; 802.1Q and 802.1ad tag ids)
 *   ipv4.hdr_len ipv4.tos ipv4.len ipv4.id ipv4.df ipv4.mf ipv4.frag_offset ipv4.ttl ipv4.proto
 *     ipv4.checksum ipv4.src ipv4.dst ipv4.options
 *   ipv6.tclass ipv6.flow ipv6.plen ipv6.nxt ipv6.hlim ipv6.src ipv6.dst ipv6.ext
 *   frag.nxt frag.offset frag.more frag.id              (IPv6 Fragment Header; offset in bytes)
 *   tcp.srcport tcp.dstport tcp.seq tcp.ack tcp.hdr_len tcp.flags tcp.window tcp.checksum
 *     tcp.urgent tcp.options
 *   udp.srcport udp.dstport udp.length udp.checksum
 *   icmp.type icmp.code icmp.checksum + icmp.id icmp.seq | icmp.mtu | icmp.pointer | icmp.rest
 *   icmpv6.type icmpv6.code icmpv6.checksum + icmpv6.id icmpv6.seq | icmpv6.mtu | icmpv6.pointer | icmpv6.rest
 *   inner.*                                            (the packet quoted in an ICMP error, same names)
 *   dns.id dns.flags dns.rcode dns.qd dns.an dns.ns dns.ar   (UDP port 53)
 *   data.len data                                      (what follows the last decoded header, hex)
 *
 * Extraction never throws: a layer cut short yields the fields it has, plus `truncated` naming
 * the layer. It allocates (strings, arrays): it runs on the packets being shown or compared, not
 * on every packet of a capture.
 */
import { LinkType } from '../pcap/linktype.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { isExtensionHeader } from '../wire/ipv6.js';
import { decodeDns } from '../wire/dns.js';

export type FieldValue = number | string | boolean;

/** One packet's fields in layer order; `get` finds one by name. */
export class FieldList {
  readonly names: string[] = [];
  readonly values: FieldValue[] = [];
  private index: Map<string, number> | null = null;
  add(name: string, value: FieldValue): void {
    this.names.push(name);
    this.values.push(value);
    this.index = null;
  }
  get(name: string): FieldValue | undefined {
    if (!this.index) {
      this.index = new Map();
      for (let i = 0; i < this.names.length; i++) if (!this.index.has(this.names[i])) this.index.set(this.names[i], i);
    }
    const i = this.index.get(name);
    return i === undefined ? undefined : this.values[i];
  }
  has(name: string): boolean {
    return this.get(name) !== undefined;
  }
  /** A plain object (for --json). */
  toJson(): Record<string, FieldValue> {
    const o: Record<string, FieldValue> = {};
    for (let i = 0; i < this.names.length; i++) if (!(this.names[i] in o)) o[this.names[i]] = this.values[i];
    return o;
  }
}

/** A field that differs between two packets. */
export interface FieldDiff {
  field: string;
  /** undefined: the field is absent on that side. */
  expected: FieldValue | undefined;
  got: FieldValue | undefined;
}

/** Fields shown in hex. */
const HEX = /(\.checksum|\.flags|\.tos|\.tclass|\.flow|^eth\.type)$/;

/** A value as the reports print it: `63`, `0x0012`, `2001:db8::1`, `(absent)`. */
export function formatValue(field: string, v: FieldValue | undefined): string {
  if (v === undefined) return '(absent)';
  if (typeof v === 'number' && HEX.test(field)) {
    return `0x${v.toString(16).padStart(field.endsWith('checksum') || field === 'eth.type' ? 4 : 2, '0')}`;
  }
  if (typeof v === 'string' && (field === 'data' || field.endsWith('.data'))) {
    return v.length > 32 ? `${v.slice(0, 32)}… (${v.length / 2} bytes)` : v || '(empty)';
  }
  return String(v);
}

/** `ipv4.ttl: expected 63, got 64` (or with other labels: `ipv4.ttl: a 63, b 64`). */
export function formatDiff(d: FieldDiff, labels: readonly [string, string] = ['expected', 'got']): string {
  const [le, lg] = labels;
  if ((d.field === 'data' || d.field.endsWith('.data')) && typeof d.expected === 'string' && typeof d.got === 'string') {
    let k = 0;
    while (k < d.expected.length && d.expected[k] === d.got[k]) k++;
    const at = k >> 1;
    const e = d.expected.slice(at * 2, at * 2 + 2) || 'end';
    const g = d.got.slice(at * 2, at * 2 + 2) || 'end';
    return `${d.field}: differs at byte ${at} (${le} ${e === 'end' ? 'end of data' : `0x${e}`}, ${lg} ${g === 'end' ? 'end of data' : `0x${g}`}); ${d.expected.length / 2} vs ${d.got.length / 2} bytes`;
  }
  return `${d.field}: ${le} ${formatValue(d.field, d.expected)}, ${lg} ${formatValue(d.field, d.got)}`;
}

/**
 * Whether a field name is matched by an --ignore entry: exact (`ipv4.id`), a layer (`eth`,
 * `inner`), or a glob with `*` (`*.checksum`).
 */
export function ignoreMatcher(list: readonly string[]): (field: string) => boolean {
  if (!list.length) return () => false;
  const exact = new Set<string>();
  const res: RegExp[] = [];
  for (const raw of list) {
    const s = raw.trim();
    if (!s) continue;
    if (s.includes('*')) res.push(new RegExp(`^${s.split('*').map((x) => x.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`));
    else exact.add(s);
  }
  return (f: string) => {
    if (exact.has(f)) return true;
    for (let i = f.indexOf('.'); i > 0; i = f.indexOf('.', i + 1)) if (exact.has(f.slice(0, i))) return true;
    for (const r of res) if (r.test(f)) return true;
    return false;
  };
}

/**
 * The fields that differ between `a` (expected) and `b` (got), in `a`'s order then `b`'s extra
 * ones. `skip(field)` true leaves a field out.
 */
export function diffFields(a: FieldList, b: FieldList, skip: (f: string) => boolean = () => false): FieldDiff[] {
  const out: FieldDiff[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < a.names.length; i++) {
    const f = a.names[i];
    if (seen.has(f)) continue;
    seen.add(f);
    if (skip(f)) continue;
    const g = b.get(f);
    if (g !== a.values[i]) out.push({ field: f, expected: a.values[i], got: g });
  }
  for (let i = 0; i < b.names.length; i++) {
    const f = b.names[i];
    if (seen.has(f)) continue;
    seen.add(f);
    if (skip(f)) continue;
    out.push({ field: f, expected: undefined, got: b.values[i] });
  }
  return out;
}

const rd16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const rd32 = (b: Uint8Array, o: number): number => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

function hex(b: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += (b[i] < 16 ? '0' : '') + b[i].toString(16);
  return s;
}

function mac(b: Uint8Array, o: number): string {
  const p: string[] = [];
  for (let i = 0; i < 6; i++) p.push((b[o + i] < 16 ? '0' : '') + b[o + i].toString(16));
  return p.join(':');
}

/**
 * The fields of a captured frame of `linkType`. Link layers other than Ethernet contribute no
 * fields (their IP packet is found and described the same way), so a raw-IP capture and an
 * Ethernet one compare equal above the link layer.
 */
export function frameFields(bytes: Uint8Array, off: number, caplen: number, linkType: number): FieldList {
  const out = new FieldList();
  const end = Math.min(bytes.length, off + caplen);
  let p = off;
  switch (linkType) {
    case LinkType.ETHERNET: {
      if (p + 14 > end) {
        out.add('truncated', 'eth');
        return out;
      }
      out.add('eth.dst', mac(bytes, p));
      out.add('eth.src', mac(bytes, p + 6));
      let type = rd16(bytes, p + 12);
      out.add('eth.type', type);
      p += 14;
      while ((type === 0x8100 || type === 0x88a8) && p + 4 <= end) {
        out.add(type === 0x8100 ? 'vlan.id' : 'ieee8021ad.id', rd16(bytes, p) & 0x0fff);
        type = rd16(bytes, p + 2);
        p += 4;
      }
      if (type !== 0x0800 && type !== 0x86dd) {
        dataFields(out, '', bytes, p, end);
        return out;
      }
      break;
    }
    case LinkType.LINUX_SLL:
      p += 16;
      break;
    case LinkType.LINUX_SLL2:
      p += 20;
      break;
    case LinkType.NULL:
    case LinkType.LOOP:
      p += 4;
      break;
    case LinkType.RAW:
    case LinkType.IPV4:
    case LinkType.IPV6:
    case 12:
    case 14:
      break;
    default:
      out.add('link', linkType);
      dataFields(out, '', bytes, p, end);
      return out;
  }
  ipFields(out, '', bytes, p, end, false);
  return out;
}

/** The fields of an IP packet at bytes[off..off+len). */
export function ipPacketFields(bytes: Uint8Array, off: number, len: number): FieldList {
  const out = new FieldList();
  ipFields(out, '', bytes, off, Math.min(bytes.length, off + len), false);
  return out;
}

function dataFields(out: FieldList, pre: string, b: Uint8Array, from: number, to: number): void {
  const n = Math.max(0, to - from);
  out.add(`${pre}data.len`, n);
  out.add(`${pre}data`, n > 0 ? hex(b, from, to) : '');
}

function ipFields(out: FieldList, pre: string, b: Uint8Array, p: number, end: number, inner: boolean): void {
  if (p >= end) {
    out.add(`${pre}truncated`, 'ip');
    return;
  }
  const v = b[p] >> 4;
  if (v === 4) {
    if (p + 20 > end) {
      out.add(`${pre}truncated`, 'ipv4');
      dataFields(out, pre, b, p, end);
      return;
    }
    const ihl = (b[p] & 15) * 4;
    const tot = rd16(b, p + 2);
    const fo = rd16(b, p + 6);
    const proto = b[p + 9];
    out.add(`${pre}ipv4.hdr_len`, ihl);
    out.add(`${pre}ipv4.tos`, b[p + 1]);
    out.add(`${pre}ipv4.len`, tot);
    out.add(`${pre}ipv4.id`, rd16(b, p + 4));
    out.add(`${pre}ipv4.df`, (fo & 0x4000) !== 0);
    out.add(`${pre}ipv4.mf`, (fo & 0x2000) !== 0);
    out.add(`${pre}ipv4.frag_offset`, (fo & 0x1fff) * 8);
    out.add(`${pre}ipv4.ttl`, b[p + 8]);
    out.add(`${pre}ipv4.proto`, proto);
    out.add(`${pre}ipv4.checksum`, rd16(b, p + 10));
    out.add(`${pre}ipv4.src`, ipv4ToString(b, p + 12));
    out.add(`${pre}ipv4.dst`, ipv4ToString(b, p + 16));
    if (ihl > 20) out.add(`${pre}ipv4.options`, hex(b, p + 20, Math.min(end, p + ihl)));
    if (ihl < 20 || p + ihl > end) {
      out.add(`${pre}truncated`, 'ipv4');
      return;
    }
    // Inside an ICMP error the quoted packet is usually cut: read what is there.
    const stop = inner ? end : Math.min(end, p + Math.max(tot, ihl));
    if ((fo & 0x1fff) !== 0) {
      dataFields(out, pre, b, p + ihl, stop);
      return;
    }
    l4Fields(out, pre, b, p + ihl, stop, proto, false, inner);
    return;
  }
  if (v === 6) {
    if (p + 40 > end) {
      out.add(`${pre}truncated`, 'ipv6');
      dataFields(out, pre, b, p, end);
      return;
    }
    const plen = rd16(b, p + 4);
    out.add(`${pre}ipv6.tclass`, ((b[p] & 15) << 4) | (b[p + 1] >> 4));
    out.add(`${pre}ipv6.flow`, ((b[p + 1] & 15) << 16) | rd16(b, p + 2));
    out.add(`${pre}ipv6.plen`, plen);
    out.add(`${pre}ipv6.nxt`, b[p + 6]);
    out.add(`${pre}ipv6.hlim`, b[p + 7]);
    out.add(`${pre}ipv6.src`, ipv6ToString(b, p + 8));
    out.add(`${pre}ipv6.dst`, ipv6ToString(b, p + 24));
    const stop = inner ? end : Math.min(end, p + 40 + plen);
    let nh = b[p + 6];
    let q = p + 40;
    const ext: number[] = [];
    let later = false;
    while (isExtensionHeader(nh) && nh !== 50 && ext.length < 16) {
      if (q + 8 > stop) {
        out.add(`${pre}ipv6.ext`, ext.join(','));
        out.add(`${pre}truncated`, 'ipv6.ext');
        return;
      }
      ext.push(nh);
      if (nh === 44) {
        const of = rd16(b, q + 2);
        out.add(`${pre}frag.nxt`, b[q]);
        out.add(`${pre}frag.offset`, of & 0xfff8);
        out.add(`${pre}frag.more`, (of & 1) !== 0);
        out.add(`${pre}frag.id`, rd32(b, q + 4));
        if ((of & 0xfff8) !== 0) later = true;
        nh = b[q];
        q += 8;
      } else {
        const hl = nh === 51 ? (b[q + 1] + 2) * 4 : (b[q + 1] + 1) * 8;
        nh = b[q];
        q += hl;
      }
    }
    if (ext.length) out.add(`${pre}ipv6.ext`, ext.join(','));
    if (later || isExtensionHeader(nh)) {
      dataFields(out, pre, b, Math.min(q, stop), stop);
      return;
    }
    l4Fields(out, pre, b, q, stop, nh, true, inner);
    return;
  }
  out.add(`${pre}ip.version`, v);
  dataFields(out, pre, b, p, end);
}

function l4Fields(out: FieldList, pre: string, b: Uint8Array, q: number, end: number, proto: number, v6: boolean, inner: boolean): void {
  if (proto === 6) {
    if (q + 20 > end) {
      if (q + 8 <= end) {
        // An ICMP error quotes at least 8 bytes: ports and sequence number.
        out.add(`${pre}tcp.srcport`, rd16(b, q));
        out.add(`${pre}tcp.dstport`, rd16(b, q + 2));
        out.add(`${pre}tcp.seq`, rd32(b, q + 4));
      }
      out.add(`${pre}truncated`, 'tcp');
      return;
    }
    const hl = (b[q + 12] >> 4) * 4;
    out.add(`${pre}tcp.srcport`, rd16(b, q));
    out.add(`${pre}tcp.dstport`, rd16(b, q + 2));
    out.add(`${pre}tcp.seq`, rd32(b, q + 4));
    out.add(`${pre}tcp.ack`, rd32(b, q + 8));
    out.add(`${pre}tcp.hdr_len`, hl);
    out.add(`${pre}tcp.flags`, rd16(b, q + 12) & 0x0fff);
    out.add(`${pre}tcp.window`, rd16(b, q + 14));
    out.add(`${pre}tcp.checksum`, rd16(b, q + 16));
    out.add(`${pre}tcp.urgent`, rd16(b, q + 18));
    if (hl > 20) out.add(`${pre}tcp.options`, hex(b, q + 20, Math.min(end, q + hl)));
    dataFields(out, pre, b, Math.min(end, q + Math.max(20, hl)), end);
    return;
  }
  if (proto === 17) {
    if (q + 8 > end) {
      out.add(`${pre}truncated`, 'udp');
      return;
    }
    const sp = rd16(b, q);
    const dp = rd16(b, q + 2);
    out.add(`${pre}udp.srcport`, sp);
    out.add(`${pre}udp.dstport`, dp);
    out.add(`${pre}udp.length`, rd16(b, q + 4));
    out.add(`${pre}udp.checksum`, rd16(b, q + 6));
    if (!inner && (sp === 53 || dp === 53) && end - q > 20) dnsFields(out, pre, b, q + 8, end);
    dataFields(out, pre, b, q + 8, end);
    return;
  }
  if ((proto === 1 && !v6) || (proto === 58 && v6)) {
    const L = v6 ? `${pre}icmpv6` : `${pre}icmp`;
    if (q + 4 > end) {
      out.add(`${pre}truncated`, v6 ? 'icmpv6' : 'icmp');
      return;
    }
    const type = b[q];
    out.add(`${L}.type`, type);
    out.add(`${L}.code`, b[q + 1]);
    out.add(`${L}.checksum`, rd16(b, q + 2));
    if (q + 8 > end) {
      out.add(`${pre}truncated`, v6 ? 'icmpv6' : 'icmp');
      return;
    }
    const echo = v6 ? type === 128 || type === 129 : type === 0 || type === 8;
    const error = v6 ? type < 128 : type === 3 || type === 11 || type === 12 || type === 4 || type === 5;
    if (echo) {
      out.add(`${L}.id`, rd16(b, q + 4));
      out.add(`${L}.seq`, rd16(b, q + 6));
    } else if (v6 && type === 2) out.add(`${L}.mtu`, rd32(b, q + 4));
    else if (v6 && type === 4) out.add(`${L}.pointer`, rd32(b, q + 4));
    else if (!v6 && type === 3 && b[q + 1] === 4) out.add(`${L}.mtu`, rd16(b, q + 6));
    else if (!v6 && type === 12) out.add(`${L}.pointer`, b[q + 4]);
    else out.add(`${L}.rest`, rd32(b, q + 4));
    if (error && !inner) ipFields(out, `${pre}inner.`, b, q + 8, end, true);
    else dataFields(out, pre, b, q + 8, end);
    return;
  }
  dataFields(out, pre, b, q, end);
}

function dnsFields(out: FieldList, pre: string, b: Uint8Array, off: number, end: number): void {
  const m = decodeDns(b, off, end - off);
  out.add(`${pre}dns.id`, m.id);
  out.add(`${pre}dns.flags`, rd16(b, off + 2));
  out.add(`${pre}dns.rcode`, m.rcode);
  out.add(`${pre}dns.qd`, m.questions.map((q) => `${q.name} ${q.type}`).join('; '));
  out.add(`${pre}dns.an`, m.answers.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.data}`).join('; '));
  out.add(`${pre}dns.ns`, m.authorities.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.data}`).join('; '));
  out.add(`${pre}dns.ar`, m.additionals.map((r) => `${r.name} ${r.type} ${r.ttl} ${r.data}`).join('; '));
}
