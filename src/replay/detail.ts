/**
 * The viewer's side-by-side detail: a packet as a tree of layers and fields, each field with the
 * byte range it occupies (for the hex pane) and a key shared by the IPv6 and IPv4 forms of the
 * same field (hop limit / TTL -> `ip.ttl`), so that the fields a translation changed can be
 * marked on both sides. Strings are made here, at the edge; nothing here runs per packet of a
 * capture, only for the packet on screen.
 */
import { PacketDecoder, L4 } from '../wire/layer-decoder.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { VERDICT_NAMES, Verdict } from '../wire/checksum.js';
import { tcpFlagsText } from '../wire/tcp.js';
import { icmpv4Text } from '../wire/icmpv4.js';
import { icmpv6Text } from '../wire/icmpv6.js';
import { macToString } from '../wire/ethernet.js';
import { decodeDns } from '../wire/dns.js';
import { LinkType, linkTypeName } from '../pcap/linktype.js';
import { protoName } from './describe.js';
import { embeddedIpv4, u32ToIpv4, DEFAULT_DISPLAY_PREFIXES, type DisplayPrefix } from './prefixes.js';

export interface Field {
  /** Shared across IPv6/IPv4 (`ip.src`, `l4.sport`, `l4.csum`); unique within a packet. */
  key: string;
  label: string;
  value: string;
  /** Byte range in the packet (for the hex pane); len 0 when it has none. */
  off: number;
  len: number;
}

export interface Layer {
  key: string;
  name: string;
  /** One line shown when the layer is collapsed. */
  summary: string;
  off: number;
  len: number;
  fields: Field[];
}

export interface PacketTree {
  layers: Layer[];
  /** The bytes the offsets refer to. */
  bytes: Uint8Array;
  /** Where the IP packet starts in `bytes` (after the link layer). */
  ipOff: number;
}

function hex(v: number, w: number): string {
  return `0x${v.toString(16).padStart(w, '0')}`;
}

function verdictText(v: Verdict): string {
  return VERDICT_NAMES[v];
}

/** Builds the tree of the packet at bytes[off..off+caplen) of `linkType`. */
export function packetTree(bytes: Uint8Array, off: number, caplen: number, linkType: number, prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES): PacketTree {
  const d = new PacketDecoder();
  d.decode(bytes, off, caplen, linkType);
  const layers: Layer[] = [];
  const f = (key: string, label: string, value: string, o: number, len: number): Field => ({ key, label, value, off: o, len });
  let ipOff = off;
  if (linkType === LinkType.ETHERNET && d.linkOk) {
    const e = d.eth;
    const fields = [f('eth.dst', 'Destination', macToString(bytes, e.dstOffset()), e.dstOffset(), 6), f('eth.src', 'Source', macToString(bytes, e.srcOffset()), e.srcOffset(), 6)];
    if (e.tagCount > 0) fields.push(f('eth.vlan', 'VLAN', e.innerVlan >= 0 ? `${e.outerVlan}/${e.innerVlan}` : String(e.outerVlan), e.off + 12, 4 * e.tagCount));
    fields.push(f('eth.type', 'Type', hex(e.etherType, 4), e.payloadOff - 2, 2));
    layers.push({ key: 'link', name: 'Ethernet II', summary: `${macToString(bytes, e.srcOffset())} → ${macToString(bytes, e.dstOffset())}`, off: e.off, len: e.payloadOff - e.off, fields });
  } else if (linkType !== LinkType.RAW && linkType !== LinkType.IPV4 && linkType !== LinkType.IPV6 && d.ipVersion) {
    layers.push({ key: 'link', name: linkTypeName(linkType), summary: `${d.l3Off - off} bytes`, off, len: d.l3Off - off, fields: [] });
  }
  if (d.ipVersion === 6) {
    const v = d.ip6;
    const o = v.off;
    ipOff = o;
    const src = addr6(bytes, v.srcOffset(), prefixes);
    const dst = addr6(bytes, v.dstOffset(), prefixes);
    const fields = [
      f('ip.version', 'Version', '6', o, 1),
      f('ip.tos', 'Traffic class', hex(v.trafficClass(), 2), o, 2),
      f('ip.flow', 'Flow label', hex(v.flowLabel(), 5), o + 1, 3),
      f('ip.len', 'Payload length', String(v.payloadLengthField()), o + 4, 2),
      f('ip.proto', 'Next header', `${protoName(v.nextHeader())} (${v.nextHeader()})`, o + 6, 1),
      f('ip.ttl', 'Hop limit', String(v.hopLimit()), o + 7, 1),
      f('ip.src', 'Source', src, v.srcOffset(), 16),
      f('ip.dst', 'Destination', dst, v.dstOffset(), 16),
    ];
    if (v.fragHdrOff >= 0) {
      fields.push(f('ip.frag', 'Fragment', `id ${hex(v.fragId, 8)} offset ${v.fragOffsetBytes}${v.fragMore ? ' MF' : ''}`, v.fragHdrOff, 8));
    }
    layers.push({ key: 'ip', name: 'IPv6', summary: `${src} → ${dst}, hop limit ${v.hopLimit()}`, off: o, len: 40 + v.extLen, fields });
  } else if (d.ipVersion === 4) {
    const v = d.ip4;
    const o = v.off;
    ipOff = o;
    const flags = `${v.dontFragment() ? 'DF' : ''}${v.moreFragments() ? (v.dontFragment() ? ' MF' : 'MF') : ''}` || 'none';
    const fields = [
      f('ip.version', 'Version', '4', o, 1),
      f('ip.ihl', 'Header length', `${v.headerLength()} bytes`, o, 1),
      f('ip.tos', 'Type of service', hex(v.tos(), 2), o + 1, 1),
      f('ip.len', 'Total length', String(v.totalLengthField()), o + 2, 2),
      f('ip.id', 'Identification', hex(v.ident(), 4), o + 4, 2),
      f('ip.flags', 'Flags', flags, o + 6, 1),
      f('ip.frag', 'Fragment offset', String(v.fragOffset()), o + 6, 2),
      f('ip.ttl', 'Time to live', String(v.ttl()), o + 8, 1),
      f('ip.proto', 'Protocol', `${protoName(v.protocol())} (${v.protocol()})`, o + 9, 1),
      f('ip.csum', 'Header checksum', `${hex(v.checksum(), 4)} [${verdictText(d.ipChecksum)}]`, o + 10, 2),
      f('ip.src', 'Source', ipv4ToString(bytes, v.srcOffset()), v.srcOffset(), 4),
      f('ip.dst', 'Destination', ipv4ToString(bytes, v.dstOffset()), v.dstOffset(), 4),
    ];
    layers.push({ key: 'ip', name: 'IPv4', summary: `${ipv4ToString(bytes, v.srcOffset())} → ${ipv4ToString(bytes, v.dstOffset())}, TTL ${v.ttl()}`, off: o, len: v.headerLength(), fields });
  }
  const l4verdict = `[${verdictText(d.l4Checksum)}]`;
  switch (d.l4) {
    case L4.TCP: {
      const t = d.tcp;
      const o = t.off;
      const opts: string[] = [];
      if (t.mss >= 0) opts.push(`MSS ${t.mss}`);
      if (t.windowScale >= 0) opts.push(`WS ${t.windowScale}`);
      if (t.sackPermitted) opts.push('SACK_PERM');
      if (t.hasTimestamp) opts.push(`TS ${t.tsVal}/${t.tsEcr}`);
      const fields = [
        f('l4.sport', 'Source port', String(t.srcPort()), o, 2),
        f('l4.dport', 'Destination port', String(t.dstPort()), o + 2, 2),
        f('tcp.seq', 'Sequence number', String(t.seq()), o + 4, 4),
        f('tcp.ack', 'Acknowledgment', String(t.ack()), o + 8, 4),
        f('tcp.hlen', 'Header length', `${t.headerLength()} bytes`, o + 12, 1),
        f('tcp.flags', 'Flags', `${tcpFlagsText(t.flags())} (${hex(t.flags(), 3)})`, o + 12, 2),
        f('tcp.win', 'Window', String(t.window()), o + 14, 2),
        f('l4.csum', 'Checksum', `${hex(t.checksum(), 4)} ${l4verdict}`, o + 16, 2),
        f('tcp.urg', 'Urgent pointer', String(t.urgent()), o + 18, 2),
      ];
      if (opts.length) fields.push(f('tcp.opts', 'Options', opts.join(', '), o + 20, t.headerLength() - 20));
      const plen = Math.max(0, d.l4Len - t.headerLength());
      fields.push(f('l4.payload', 'Payload', `${plen} bytes`, o + t.headerLength(), Math.max(0, Math.min(plen, d.l4Captured - t.headerLength()))));
      layers.push({ key: 'l4', name: 'TCP', summary: `${t.srcPort()} → ${t.dstPort()} [${tcpFlagsText(t.flags())}] seq ${t.seq()} len ${plen}`, off: o, len: t.headerLength(), fields });
      break;
    }
    case L4.UDP: {
      const u = d.udp;
      const o = u.off;
      const fields = [
        f('l4.sport', 'Source port', String(u.srcPort()), o, 2),
        f('l4.dport', 'Destination port', String(u.dstPort()), o + 2, 2),
        f('udp.len', 'Length', String(u.length()), o + 4, 2),
        f('l4.csum', 'Checksum', `${hex(u.checksum(), 4)} ${l4verdict}`, o + 6, 2),
      ];
      layers.push({ key: 'l4', name: 'UDP', summary: `${u.srcPort()} → ${u.dstPort()} len ${Math.max(0, u.length() - 8)}`, off: o, len: 8, fields });
      break;
    }
    case L4.ICMP:
    case L4.ICMPV6: {
      const six = d.l4 === L4.ICMPV6;
      const v = six ? d.icmp6 : d.icmp4;
      const o = v.off;
      const text = six ? icmpv6Text(v.type(), v.code()) : icmpv4Text(v.type(), v.code());
      const fields = [
        f('icmp.type', 'Type', `${v.type()} (${text})`, o, 1),
        f('icmp.code', 'Code', String(v.code()), o + 1, 1),
        f('l4.csum', 'Checksum', `${hex(v.checksum(), 4)} ${l4verdict}`, o + 2, 2),
      ];
      if (v.isEcho()) {
        fields.push(f('icmp.id', 'Identifier', hex(v.ident(), 4), o + 4, 2), f('icmp.seq', 'Sequence', String(v.seqNo()), o + 6, 2));
      } else if ((six && v.type() === 2) || (!six && v.type() === 3 && v.code() === 4)) {
        fields.push(f('icmp.mtu', 'MTU', String(v.mtu()), six ? o + 4 : o + 6, six ? 4 : 2));
      }
      if (d.innerVersion) {
        const ia = d.innerVersion === 4 ? ipv4ToString(bytes, d.innerSrcOff) : addr6(bytes, d.innerSrcOff, prefixes);
        const ib = d.innerVersion === 4 ? ipv4ToString(bytes, d.innerDstOff) : addr6(bytes, d.innerDstOff, prefixes);
        const ports = d.innerSport >= 0 ? ` ${d.innerSport} → ${d.innerDport}` : '';
        fields.push(f('icmp.inner', 'Inner packet', `IPv${d.innerVersion} ${protoName(d.innerProto)} ${ia} → ${ib}${ports}`, v.innerOff, v.innerLen));
      }
      layers.push({ key: 'l4', name: six ? 'ICMPv6' : 'ICMP', summary: text, off: o, len: 8, fields });
      break;
    }
    default:
      break;
  }
  if (d.dnsCount > 0) {
    const m = decodeDns(d.dnsBufs[0], d.dnsOffs[0], d.dnsLens[0]);
    const o = d.dnsOffs[0];
    const fields = [
      f('dns.id', 'Transaction id', hex(m.id, 4), o, 2),
      f('dns.flags', 'Flags', `${m.qr ? 'response' : 'query'} ${m.flags.join(' ')} rcode ${m.rcode}`, o + 2, 2),
    ];
    m.questions.forEach((q, i) => fields.push(f(`dns.q${i}`, 'Question', `${q.name} ${q.type}`, o + 12, 0)));
    m.answers.forEach((a, i) => fields.push(f(`dns.a${i}`, 'Answer', `${a.name} ${a.type} ${a.data} ttl ${a.ttl}`, o, 0)));
    m.authorities.forEach((a, i) => fields.push(f(`dns.ns${i}`, 'Authority', `${a.name} ${a.type} ttl ${a.ttl}`, o, 0)));
    const q = m.questions[0];
    layers.push({ key: 'dns', name: 'DNS', summary: `${m.qr ? 'response' : 'query'} ${q ? `${q.type} ${q.name}` : ''} ${m.answers.length} answers`, off: o, len: d.dnsLens[0], fields });
  }
  return { layers, bytes, ipOff };
}

function addr6(bytes: Uint8Array, off: number, prefixes: readonly DisplayPrefix[]): string {
  const a = ipv6ToString(bytes, off);
  const e = embeddedIpv4(bytes, off, prefixes);
  return e < 0 ? a : `${a} (${u32ToIpv4(e)})`;
}

/** Keys of the IP-and-above fields whose value differs between the two trees (or is on one side only). */
export function changedKeys(a: PacketTree, b: PacketTree): Set<string> {
  const av = new Map<string, string>();
  const bv = new Map<string, string>();
  for (const l of a.layers) if (l.key !== 'link') for (const fl of l.fields) av.set(fl.key, norm(fl));
  for (const l of b.layers) if (l.key !== 'link') for (const fl of l.fields) bv.set(fl.key, norm(fl));
  const out = new Set<string>();
  for (const [k, v] of av) if (bv.get(k) !== v) out.add(k);
  for (const k of bv.keys()) if (!av.has(k)) out.add(k);
  return out;
}

/** The value compared: checksums by verdict-free value; next header/protocol by number. */
function norm(fl: Field): string {
  return fl.value;
}

/** A checksum verdict line, old -> new: `TCP 0x1a2b good → 0x3c4d good`. */
export function checksumVerdicts(a: PacketTree, b: PacketTree | null): string[] {
  const out: string[] = [];
  const pick = (t: PacketTree, key: string): Field | undefined => {
    for (const l of t.layers) for (const fl of l.fields) if (fl.key === key) return fl;
    return undefined;
  };
  for (const [key, name] of [['ip.csum', 'IPv4 header'], ['l4.csum', 'L4']] as const) {
    const x = pick(a, key);
    const y = b ? pick(b, key) : undefined;
    if (!x && !y) continue;
    out.push(`${name} checksum ${x ? x.value : '—'} → ${y ? y.value : '—'}`);
  }
  return out;
}
