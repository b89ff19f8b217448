/**
 * The edge where decoded packets become text and JSON: the `packets` line (tshark-like summary)
 * and the SPEC §5 object. Strings are made here and nowhere below.
 */
import type { CapturedPacket } from '../pcap/packet.js';
import { linkTypeName } from '../pcap/linktype.js';
import { PacketDecoder, L4 } from '../wire/layer-decoder.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { VERDICT_NAMES, Verdict } from '../wire/checksum.js';
import { problemText } from '../wire/reasons.js';
import { tcpFlagsText } from '../wire/tcp.js';
import { icmpv4Text } from '../wire/icmpv4.js';
import { icmpv6Text } from '../wire/icmpv6.js';
import { decodeDns, dnsProblemText, type DnsMessage } from '../wire/dns.js';
import { IpProto } from '../wire/ipv4.js';
import { embeddedIpv4, u32ToIpv4, type DisplayPrefix, DEFAULT_DISPLAY_PREFIXES } from './prefixes.js';

export interface DescribeOptions {
  prefixes?: readonly DisplayPrefix[];
}

const PROTO_NAMES: Record<number, string> = {
  0: 'HOPOPT', 1: 'ICMP', 2: 'IGMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP',
  51: 'AH', 58: 'ICMPv6', 59: 'IPv6-NoNxt', 89: 'OSPF', 103: 'PIM', 112: 'VRRP', 132: 'SCTP',
};

export function protoName(p: number): string {
  return PROTO_NAMES[p] ?? `proto-${p}`;
}

function addr(d: PacketDecoder, off: number, version: number): string {
  return version === 4 ? ipv4ToString(d.bytes, off) : ipv6ToString(d.bytes, off);
}

function embedded(d: PacketDecoder, off: number, version: number, prefixes: readonly DisplayPrefix[]): string | null {
  if (version !== 6) return null;
  const v = embeddedIpv4(d.bytes, off, prefixes);
  return v < 0 ? null : u32ToIpv4(v);
}

function dnsMessages(d: PacketDecoder): DnsMessage[] {
  const out: DnsMessage[] = [];
  const n = Math.min(d.dnsCount, d.dnsOffs.length);
  for (let i = 0; i < n; i++) out.push(decodeDns(d.dnsBufs[i], d.dnsOffs[i], d.dnsLens[i]));
  return out;
}

function dnsJson(m: DnsMessage): Record<string, unknown> {
  return {
    id: m.id,
    qr: m.qr,
    opcode: m.opcode,
    rcode: m.rcode,
    flags: m.flags,
    questions: m.questions,
    answers: m.answers,
    authorities: m.authorities,
    additionals: m.additionals,
    edns: m.edns,
    problems: m.problems,
  };
}

/** Every problem the decoder found, DNS included, as text. */
function problems(d: PacketDecoder): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.problemCount; i++) out.push(problemText(d.problems[i]));
  if (d.dnsProblem !== 0 && d.dnsCount > 0) out.push(dnsProblemText(d.dnsProblem));
  return out;
}

/** The SPEC §5 object for one packet. */
export function packetJson(p: CapturedPacket, d: PacketDecoder, opts: DescribeOptions = {}): Record<string, unknown> {
  const prefixes = opts.prefixes ?? DEFAULT_DISPLAY_PREFIXES;
  const v = d.ipVersion;
  const dns = dnsMessages(d);
  const o: Record<string, unknown> = {
    n: p.number,
    ts: p.tsSec + p.tsNsec / 1e9,
    caplen: p.caplen,
    len: p.origLen,
    link: linkTypeName(p.linkType),
    ipVersion: v === 0 ? null : v,
    src: v ? addr(d, d.srcOff, v) : null,
    dst: v ? addr(d, d.dstOff, v) : null,
    srcIpv4: v ? embedded(d, d.srcOff, v, prefixes) : null,
    dstIpv4: v ? embedded(d, d.dstOff, v, prefixes) : null,
    proto: v ? d.proto : null,
    ttl: v ? d.ttl : null,
    sport: d.sport >= 0 && (d.l4 === L4.TCP || d.l4 === L4.UDP) ? d.sport : null,
    dport: d.dport >= 0 && (d.l4 === L4.TCP || d.l4 === L4.UDP) ? d.dport : null,
    tcpFlags: d.tcpFlags >= 0 ? d.tcpFlags : null,
    icmpType: d.icmpType >= 0 ? d.icmpType : null,
    icmpCode: d.icmpCode >= 0 ? d.icmpCode : null,
    icmpId: d.icmpType >= 0 && d.sport >= 0 ? d.sport : null,
    fragment: d.isFragment ? { id: d.fragId, offset: d.fragOffset, more: d.fragMore } : null,
    inner: d.innerVersion
      ? {
          ipVersion: d.innerVersion,
          src: addr(d, d.innerSrcOff, d.innerVersion),
          dst: addr(d, d.innerDstOff, d.innerVersion),
          proto: d.innerProto,
          sport: d.innerSport >= 0 ? d.innerSport : null,
          dport: d.innerDport >= 0 ? d.innerDport : null,
        }
      : null,
    mtu: mtuOf(d),
    pref64: pref64Of(d),
    dns: dns.length > 0 ? dnsJson(dns[0]) : null,
    checksums: { ip: VERDICT_NAMES[d.ipChecksum], l4: VERDICT_NAMES[d.l4Checksum] },
    problems: problems(d),
  };
  if (dns.length > 1) o.dnsMore = dns.slice(1).map(dnsJson);
  return o;
}

function mtuOf(d: PacketDecoder): number | null {
  if (d.l4 === L4.ICMPV6 && d.icmpType === 2) return d.icmp6.mtu();
  if (d.l4 === L4.ICMP && d.icmpType === 3 && d.icmpCode === 4) return d.icmp4.mtu();
  return null;
}

function pref64Of(d: PacketDecoder): { prefix: string; lifetime: number } | null {
  if (d.l4 !== L4.ICMPV6 || d.icmp6.pref64Off < 0) return null;
  const b = new Uint8Array(16);
  b.set(d.bytes.subarray(d.icmp6.pref64Off, d.icmp6.pref64Off + 12));
  return { prefix: `${ipv6ToString(b, 0)}/${d.icmp6.pref64Len}`, lifetime: d.icmp6.pref64Lifetime };
}

/** Protocol column: the highest layer decoded. */
export function protocolColumn(d: PacketDecoder): string {
  if (d.dnsCount > 0) return 'DNS';
  if (!d.linkOk) return linkTypeName(d.linkType).toUpperCase();
  if (d.ipVersion === 0) return linkTypeName(d.linkType).toUpperCase();
  if (d.isFragment && d.fragOffset !== 0) return d.ipVersion === 4 ? 'IPv4' : 'IPv6';
  switch (d.l4) {
    case L4.TCP: return 'TCP';
    case L4.UDP: return 'UDP';
    case L4.ICMP: return 'ICMP';
    case L4.ICMPV6: return 'ICMPv6';
    default: return d.ipVersion === 4 ? 'IPv4' : 'IPv6';
  }
}

function dnsInfo(m: DnsMessage): string {
  const q = m.questions[0];
  let s = m.qr ? 'Standard query response' : 'Standard query';
  if (m.opcode !== 0) s = `DNS opcode ${m.opcode}${m.qr ? ' response' : ''}`;
  s += ` 0x${m.id.toString(16).padStart(4, '0')}`;
  if (m.qr && m.rcode !== 0) s += ` ${rcodeName(m.rcode)}`;
  if (q) s += ` ${q.type} ${q.name}`;
  const shown = m.answers.length > MAX_INFO_ANSWERS ? MAX_INFO_ANSWERS - 1 : m.answers.length;
  for (let i = 0; i < shown; i++) s += ` ${m.answers[i].type} ${m.answers[i].data}`;
  if (shown < m.answers.length) s += ` … (${m.answers.length - shown} more answers)`;
  if (m.qr && m.rcode === 0 && m.answers.length === 0 && m.problems.length === 0) s += ' (no answers: NODATA)';
  if (m.flags.includes('TC')) s += ' [TC]';
  return s;
}

/** Answers listed in a DNS Info column before it says how many more there are. */
const MAX_INFO_ANSWERS = 8;

const RCODES = ['No error', 'Format error', 'Server failure', 'No such name', 'Not implemented', 'Refused'];
function rcodeName(r: number): string {
  return RCODES[r] ?? `rcode ${r}`;
}

/** tshark-like Info column. */
export function infoColumn(d: PacketDecoder, prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES): string {
  if (d.dnsCount > 0) {
    const ms = dnsMessages(d);
    return ms.map(dnsInfo).join('; ');
  }
  if (!d.linkOk) return d.problemCount ? problemText(d.problems[0]) : '';
  if (d.ipVersion === 0) return d.problemCount ? problemText(d.problems[0]) : 'non-IP frame';
  let s = '';
  if (d.isFragment && d.fragOffset !== 0) {
    return `Fragmented IP protocol (proto=${protoName(d.proto)} ${d.proto}, off=${d.fragOffset}, ID=${d.fragId.toString(16)})${d.fragMore ? '' : ' [last]'}`;
  }
  switch (d.l4) {
    case L4.TCP: {
      if (d.tcpFlags < 0) break;
      const t = d.tcp;
      const plen = d.l4Len - t.hdrLen;
      s = `${d.sport} → ${d.dport} [${tcpFlagsText(d.tcpFlags)}] Seq=${t.seq()}`;
      if (d.tcpFlags & 0x10) s += ` Ack=${t.ack()}`;
      s += ` Win=${t.window()} Len=${plen < 0 ? 0 : plen}`;
      if (t.mss >= 0) s += ` MSS=${t.mss}`;
      if (t.sackPermitted) s += ' SACK_PERM';
      if (t.hasTimestamp) s += ` TSval=${t.tsVal} TSecr=${t.tsEcr}`;
      if (t.windowScale >= 0) s += ` WS=${2 ** Math.min(t.windowScale, 14)}`;
      break;
    }
    case L4.UDP:
      if (d.sport >= 0) s = `${d.sport} → ${d.dport} Len=${Math.max(0, d.udp.length() - 8)}`;
      break;
    case L4.ICMP:
      if (d.icmpType < 0) break;
      s = icmpv4Text(d.icmpType, d.icmpCode);
      if (d.icmp4.isEcho()) s += ` id=0x${d.icmp4.ident().toString(16).padStart(4, '0')}, seq=${d.icmp4.seqNo()}, ttl=${d.ttl}`;
      if (d.icmpType === 3 && d.icmpCode === 4) s += ` (MTU ${d.icmp4.mtu()})`;
      break;
    case L4.ICMPV6:
      if (d.icmpType < 0) break;
      s = icmpv6Text(d.icmpType, d.icmpCode);
      if (d.icmp6.isEcho()) s += ` id=0x${d.icmp6.ident().toString(16).padStart(4, '0')}, seq=${d.icmp6.seqNo()}, hop limit=${d.ttl}`;
      if (d.icmpType === 2) s += ` (MTU ${d.icmp6.mtu()})`;
      if (d.icmp6.pref64Off >= 0) {
        const p = pref64Of(d);
        if (p) s += ` PREF64 ${p.prefix} lifetime ${p.lifetime}s`;
      }
      break;
    case L4.OTHER:
      s = `${protoName(d.proto)}`;
      break;
    default:
      break;
  }
  if (d.innerVersion) {
    const ports = d.innerSport >= 0 && d.innerProto !== IpProto.ICMP && d.innerProto !== IpProto.ICMPV6;
    const ia = hostPort(d, d.innerSrcOff, d.innerVersion, ports ? d.innerSport : -1, prefixes);
    const ib = hostPort(d, d.innerDstOff, d.innerVersion, ports ? d.innerDport : -1, prefixes);
    s += ` for ${protoName(d.innerProto)} ${ia} → ${ib}`;
  }
  if (d.isFragment) s += ` [fragment id=0x${d.fragId.toString(16)} off=${d.fragOffset}${d.fragMore ? ' MF' : ''}]`;
  if (d.l4Checksum === Verdict.Bad) s += ' [bad checksum]';
  else if (d.l4Checksum === Verdict.Partial) s += ' [partial checksum: captured before offload]';
  if (d.ipChecksum === Verdict.Bad) s += ' [bad IPv4 header checksum]';
  return s;
}

/** `192.0.2.1:80`, `[2001:db8::1]:80` (RFC 5952 §6), with the embedded IPv4 after it. */
function hostPort(d: PacketDecoder, off: number, version: number, port: number, prefixes: readonly DisplayPrefix[]): string {
  const a = addr(d, off, version);
  const e = embedded(d, off, version, prefixes);
  const hp = port < 0 ? a : version === 6 ? `[${a}]:${port}` : `${a}:${port}`;
  return e ? `${hp} (${e})` : hp;
}

function endpoint(d: PacketDecoder, off: number, version: number, prefixes: readonly DisplayPrefix[]): string {
  const a = addr(d, off, version);
  const e = embedded(d, off, version, prefixes);
  return e ? `${a} (${e})` : a;
}

/** One `packets` line: number, time (relative to the first packet), src → dst, protocol, length, info. */
export function packetLine(p: CapturedPacket, d: PacketDecoder, relTime: number, prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES): string {
  const num = String(p.number).padStart(5);
  const t = relTime.toFixed(6).padStart(11);
  let src = '';
  let dst = '';
  if (d.ipVersion) {
    src = endpoint(d, d.srcOff, d.ipVersion, prefixes);
    dst = endpoint(d, d.dstOff, d.ipVersion, prefixes);
  }
  const proto = protocolColumn(d);
  let info = infoColumn(d, prefixes);
  // Every problem not already shown as the Info text itself, in brackets after it.
  const probs = problems(d);
  for (const pr of probs) if (pr !== info) info += ` [${pr}]`;
  const cols = [num, t];
  if (d.ipVersion) cols.push(`${src} → ${dst}`);
  cols.push(proto, String(p.origLen));
  if (info) cols.push(info.trimStart());
  return cols.join(' ');
}
