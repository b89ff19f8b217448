/**
 * The names a filter can use: SPEC §5 keys (`sport`, `tcpFlags`, `dns.name` …), Wireshark-style
 * aliases (`tcp.dstport`, `ipv6.hlim`, `dns.qry.name`, `ip.addr`), protocol names (`tcp`, `dns`,
 * `frag`) and the special tests (`checksum.ok`, `finding`, `drop`, `translated`). Names are
 * matched case-insensitively.
 */
import { F, VERDICTS, type FactSource } from './facts.js';
import { DnsFlag, dnsTypeNumber } from '../wire/dns.js';
import { TcpFlag } from '../wire/tcp.js';

export type Kind = 'num' | 'bool' | 'addr' | 'str' | 'pred';

export type NumGetter = (s: FactSource) => number;
export interface AddrGetter {
  id: number;
  /** Only addresses of this IP version (0: either). */
  version: 0 | 4 | 6;
}

/** Which facts a filter reads (CompiledFilter.fields). */
export const Need = { DNS: 1, DNS_NAME: 2, OUTCOME: 4, FINDINGS: 8, EMBEDDED: 16 } as const;

export interface FieldDef {
  kind: Kind;
  /** The name shown in messages (the first name registered). */
  name: string;
  nums?: NumGetter[];
  /** Numbers with a fraction (ts). */
  float?: boolean;
  /** Names a number literal may be given as (`AAAA`, `NXDOMAIN`, `tcp`), case-insensitive. */
  mnemonic?: (word: string) => number;
  addrs?: AddrGetter[];
  strs?: number[];
  /** Text compared without regard to ASCII case, trailing dot ignored (DNS names). */
  dnsName?: boolean;
  /** The values a text field can take (messages list them; other literals are an error). */
  choices?: readonly string[];
  pred?: (s: FactSource) => boolean;
  need: number;
}

const num = (id: number): NumGetter => (s) => s.num(id);
/** The field only when `cond` holds on the packet. */
const when = (cond: (s: FactSource) => boolean, id: number): NumGetter => (s) => (cond(s) ? s.num(id) : NaN);
const bit = (id: number, mask: number): NumGetter => (s) => {
  const v = s.num(id);
  return v !== v ? NaN : (v & mask) !== 0 ? 1 : 0;
};

const present = (id: number) => (s: FactSource): boolean => {
  const v = s.num(id);
  return v === v;
};
const isV4 = (s: FactSource): boolean => s.num(F.IPVER) === 4;
const isV6 = (s: FactSource): boolean => s.num(F.IPVER) === 6;
const isTcp = present(F.TCPFLAGS);
const isUdp = (s: FactSource): boolean => s.num(F.PROTO) === 17 && present(F.SPORT)(s);
const isIcmp = (s: FactSource): boolean => isV4(s) && present(F.ICMPTYPE)(s);
const isIcmp6 = (s: FactSource): boolean => isV6(s) && present(F.ICMPTYPE)(s);
const strIs = (id: number, ...vals: string[]) => (s: FactSource): boolean => {
  const n = s.strCount(id);
  for (let i = 0; i < n; i++) if (vals.includes(s.strAt(id, i))) return true;
  return false;
};
const ckBad = (s: FactSource): boolean => strIs(F.CK_IP, 'bad')(s) || strIs(F.CK_L4, 'bad')(s);

const PROTOCOLS: Record<string, number> = {
  hopopt: 0, icmp: 1, igmp: 2, ipip: 4, ipencap: 4, tcp: 6, udp: 17, ipv6: 41, 'ipv6-route': 43, 'ipv6-frag': 44,
  gre: 47, esp: 50, ah: 51, icmpv6: 58, 'ipv6-icmp': 58, 'ipv6-nonxt': 59, 'ipv6-opts': 60, ospf: 89, pim: 103,
  vrrp: 112, sctp: 132, 'udp-lite': 136, udplite: 136,
};
const protoMnemonic = (w: string): number => PROTOCOLS[w.toLowerCase()] ?? -1;

const RCODES: Record<string, number> = {
  noerror: 0, formerr: 1, servfail: 2, nxdomain: 3, notimp: 4, refused: 5, yxdomain: 6, yxrrset: 7, nxrrset: 8,
  notauth: 9, notzone: 10, dsotypeni: 11, badvers: 16, badsig: 16, badkey: 17, badtime: 18, badmode: 19,
  badname: 20, badalg: 21, badtrunc: 22, badcookie: 23,
};
const OPCODES: Record<string, number> = { query: 0, iquery: 1, status: 2, notify: 4, update: 5, dso: 6 };

const TABLE: Array<[string[], Omit<FieldDef, 'name'>]> = [
  // Frame
  [['n', 'frame.number'], { kind: 'num', nums: [num(F.N)], need: 0 }],
  [['ts', 'frame.time_epoch'], { kind: 'num', nums: [num(F.TS)], float: true, need: 0 }],
  [['caplen', 'frame.cap_len'], { kind: 'num', nums: [num(F.CAPLEN)], need: 0 }],
  [['len', 'frame.len'], { kind: 'num', nums: [num(F.LEN)], need: 0 }],
  [['link'], { kind: 'str', strs: [F.LINK], need: 0 }],
  [['eth', 'ethernet'], { kind: 'pred', pred: strIs(F.LINK, 'ethernet'), need: 0 }],
  // IP
  [['ip', 'ipv4'], { kind: 'pred', pred: isV4, need: 0 }],
  [['ipv6'], { kind: 'pred', pred: isV6, need: 0 }],
  [['ipVersion', 'ip.version'], { kind: 'num', nums: [num(F.IPVER)], need: 0 }],
  [['src'], { kind: 'addr', addrs: [{ id: F.SRC, version: 0 }], need: 0 }],
  [['dst'], { kind: 'addr', addrs: [{ id: F.DST, version: 0 }], need: 0 }],
  [['addr', 'host'], { kind: 'addr', addrs: [{ id: F.SRC, version: 0 }, { id: F.DST, version: 0 }], need: 0 }],
  [['ip.src'], { kind: 'addr', addrs: [{ id: F.SRC, version: 4 }], need: 0 }],
  [['ip.dst'], { kind: 'addr', addrs: [{ id: F.DST, version: 4 }], need: 0 }],
  [['ip.addr', 'ip.host'], { kind: 'addr', addrs: [{ id: F.SRC, version: 4 }, { id: F.DST, version: 4 }], need: 0 }],
  [['ipv6.src'], { kind: 'addr', addrs: [{ id: F.SRC, version: 6 }], need: 0 }],
  [['ipv6.dst'], { kind: 'addr', addrs: [{ id: F.DST, version: 6 }], need: 0 }],
  [['ipv6.addr', 'ipv6.host'], { kind: 'addr', addrs: [{ id: F.SRC, version: 6 }, { id: F.DST, version: 6 }], need: 0 }],
  [['srcIpv4', 'src4', 'embedded4.src', 'ipv6.src_embed_ipv4'], { kind: 'addr', addrs: [{ id: F.SRC_EMB, version: 4 }], need: Need.EMBEDDED }],
  [['dstIpv4', 'dst4', 'embedded4.dst', 'ipv6.dst_embed_ipv4'], { kind: 'addr', addrs: [{ id: F.DST_EMB, version: 4 }], need: Need.EMBEDDED }],
  [['embedded4'], { kind: 'addr', addrs: [{ id: F.SRC_EMB, version: 4 }, { id: F.DST_EMB, version: 4 }], need: Need.EMBEDDED }],
  [['proto'], { kind: 'num', nums: [num(F.PROTO)], mnemonic: protoMnemonic, need: 0 }],
  [['ip.proto'], { kind: 'num', nums: [when(isV4, F.PROTO)], mnemonic: protoMnemonic, need: 0 }],
  [['ipv6.nxt'], { kind: 'num', nums: [when(isV6, F.PROTO)], mnemonic: protoMnemonic, need: 0 }],
  [['ttl', 'hlim'], { kind: 'num', nums: [num(F.TTL)], need: 0 }],
  [['ip.ttl'], { kind: 'num', nums: [when(isV4, F.TTL)], need: 0 }],
  [['ipv6.hlim'], { kind: 'num', nums: [when(isV6, F.TTL)], need: 0 }],
  [['frag', 'fragment'], { kind: 'pred', pred: present(F.FRAG_ID), need: 0 }],
  [['fragment.id', 'frag.id'], { kind: 'num', nums: [num(F.FRAG_ID)], need: 0 }],
  [['fragment.offset', 'frag.offset'], { kind: 'num', nums: [num(F.FRAG_OFF)], need: 0 }],
  [['fragment.more', 'frag.more'], { kind: 'bool', nums: [num(F.FRAG_MORE)], need: 0 }],
  [['checksum.ok'], { kind: 'pred', pred: (s) => !ckBad(s), need: 0 }],
  [['checksum.bad'], { kind: 'pred', pred: ckBad, need: 0 }],
  [['checksums.ip', 'checksum.ip'], { kind: 'str', strs: [F.CK_IP], choices: ['none', 'good', 'bad', 'zero', 'partial'], need: 0 }],
  [['checksums.l4', 'checksum.l4'], { kind: 'str', strs: [F.CK_L4], choices: ['none', 'good', 'bad', 'zero', 'partial'], need: 0 }],
  [['problems', 'problem'], { kind: 'str', strs: [F.PROBLEMS], need: 0 }],
  // Transport
  [['tcp'], { kind: 'pred', pred: isTcp, need: 0 }],
  [['udp'], { kind: 'pred', pred: isUdp, need: 0 }],
  [['icmp'], { kind: 'pred', pred: isIcmp, need: 0 }],
  [['icmpv6'], { kind: 'pred', pred: isIcmp6, need: 0 }],
  [['sport', 'srcport'], { kind: 'num', nums: [num(F.SPORT)], need: 0 }],
  [['dport', 'dstport'], { kind: 'num', nums: [num(F.DPORT)], need: 0 }],
  [['port'], { kind: 'num', nums: [num(F.SPORT), num(F.DPORT)], need: 0 }],
  [['tcp.srcport'], { kind: 'num', nums: [when(isTcp, F.SPORT)], need: 0 }],
  [['tcp.dstport'], { kind: 'num', nums: [when(isTcp, F.DPORT)], need: 0 }],
  [['tcp.port'], { kind: 'num', nums: [when(isTcp, F.SPORT), when(isTcp, F.DPORT)], need: 0 }],
  [['udp.srcport'], { kind: 'num', nums: [when(isUdp, F.SPORT)], need: 0 }],
  [['udp.dstport'], { kind: 'num', nums: [when(isUdp, F.DPORT)], need: 0 }],
  [['udp.port'], { kind: 'num', nums: [when(isUdp, F.SPORT), when(isUdp, F.DPORT)], need: 0 }],
  [['tcpFlags', 'tcp.flags'], { kind: 'num', nums: [num(F.TCPFLAGS)], need: 0 }],
  [['tcp.flags.fin'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.FIN)], need: 0 }],
  [['tcp.flags.syn'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.SYN)], need: 0 }],
  [['tcp.flags.rst', 'tcp.flags.reset'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.RST)], need: 0 }],
  [['tcp.flags.psh', 'tcp.flags.push'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.PSH)], need: 0 }],
  [['tcp.flags.ack'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.ACK)], need: 0 }],
  [['tcp.flags.urg'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.URG)], need: 0 }],
  [['tcp.flags.ece'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.ECE)], need: 0 }],
  [['tcp.flags.cwr'], { kind: 'bool', nums: [bit(F.TCPFLAGS, TcpFlag.CWR)], need: 0 }],
  [['icmpType'], { kind: 'num', nums: [num(F.ICMPTYPE)], need: 0 }],
  [['icmpCode'], { kind: 'num', nums: [num(F.ICMPCODE)], need: 0 }],
  [['icmpId'], { kind: 'num', nums: [num(F.ICMPID)], need: 0 }],
  [['icmp.type'], { kind: 'num', nums: [when(isV4, F.ICMPTYPE)], need: 0 }],
  [['icmp.code'], { kind: 'num', nums: [when(isV4, F.ICMPCODE)], need: 0 }],
  [['icmp.ident', 'icmp.id'], { kind: 'num', nums: [when(isV4, F.ICMPID)], need: 0 }],
  [['icmpv6.type'], { kind: 'num', nums: [when(isV6, F.ICMPTYPE)], need: 0 }],
  [['icmpv6.code'], { kind: 'num', nums: [when(isV6, F.ICMPCODE)], need: 0 }],
  [['icmpv6.echo.identifier', 'icmpv6.id'], { kind: 'num', nums: [when(isV6, F.ICMPID)], need: 0 }],
  [['mtu'], { kind: 'num', nums: [num(F.MTU)], need: 0 }],
  [['inner'], { kind: 'pred', pred: present(F.INNER_VER), need: 0 }],
  [['inner.ipVersion'], { kind: 'num', nums: [num(F.INNER_VER)], need: 0 }],
  [['inner.src'], { kind: 'addr', addrs: [{ id: F.INNER_SRC, version: 0 }], need: 0 }],
  [['inner.dst'], { kind: 'addr', addrs: [{ id: F.INNER_DST, version: 0 }], need: 0 }],
  [['inner.proto'], { kind: 'num', nums: [num(F.INNER_PROTO)], mnemonic: protoMnemonic, need: 0 }],
  [['inner.sport'], { kind: 'num', nums: [num(F.INNER_SPORT)], need: 0 }],
  [['inner.dport'], { kind: 'num', nums: [num(F.INNER_DPORT)], need: 0 }],
  [['pref64'], { kind: 'pred', pred: present(F.PREF64_LIFETIME), need: 0 }],
  [['pref64.lifetime'], { kind: 'num', nums: [num(F.PREF64_LIFETIME)], need: 0 }],
  // DNS (the first DNS message of the packet)
  [['dns'], { kind: 'pred', pred: present(F.DNS_ID), need: Need.DNS }],
  [['dns.id'], { kind: 'num', nums: [num(F.DNS_ID)], need: Need.DNS }],
  [['dns.qr', 'dns.flags.response'], { kind: 'bool', nums: [num(F.DNS_QR)], need: Need.DNS }],
  [['dns.opcode', 'dns.flags.opcode'], { kind: 'num', nums: [num(F.DNS_OPCODE)], mnemonic: (w) => OPCODES[w.toLowerCase()] ?? -1, need: Need.DNS }],
  [['dns.rcode', 'dns.flags.rcode'], { kind: 'num', nums: [num(F.DNS_RCODE)], mnemonic: (w) => RCODES[w.toLowerCase()] ?? -1, need: Need.DNS }],
  [['dns.qtype', 'dns.qry.type'], { kind: 'num', nums: [num(F.DNS_QTYPE)], mnemonic: dnsTypeNumber, need: Need.DNS }],
  [['dns.name', 'dns.qry.name'], { kind: 'str', strs: [F.DNS_NAME], dnsName: true, need: Need.DNS | Need.DNS_NAME }],
  [['dns.flags'], { kind: 'num', nums: [num(F.DNS_FLAGS)], need: Need.DNS }],
  [['dns.flags.aa', 'dns.flags.authoritative'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.AA)], need: Need.DNS }],
  [['dns.flags.tc', 'dns.flags.truncated'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.TC)], need: Need.DNS }],
  [['dns.flags.rd', 'dns.flags.recdesired'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.RD)], need: Need.DNS }],
  [['dns.flags.ra', 'dns.flags.recavail'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.RA)], need: Need.DNS }],
  [['dns.flags.ad', 'dns.flags.authenticated'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.AD)], need: Need.DNS }],
  [['dns.flags.cd', 'dns.flags.checkdisable'], { kind: 'bool', nums: [bit(F.DNS_FLAGS, DnsFlag.CD)], need: Need.DNS }],
  [['dns.do', 'dns.edns.do'], { kind: 'bool', nums: [num(F.DNS_DO)], need: Need.DNS }],
  // What the engines and analyze say (set by the caller on the facts)
  [['verdict'], { kind: 'str', strs: [F.VERDICT], choices: VERDICTS, need: Need.OUTCOME }],
  [['reason', 'drop.reason'], { kind: 'str', strs: [F.REASON], need: Need.OUTCOME }],
  [['drop', 'dropped'], { kind: 'pred', pred: strIs(F.VERDICT, 'dropped', 'error-generated'), need: Need.OUTCOME }],
  [['translated'], { kind: 'pred', pred: strIs(F.VERDICT, 'translated', 'hairpinned'), need: Need.OUTCOME }],
  [['reconstructed'], { kind: 'pred', pred: strIs(F.VERDICT, 'reconstructed'), need: Need.OUTCOME }],
  [['finding', 'findings'], { kind: 'str', strs: [F.FINDINGS], need: Need.FINDINGS }],
];

const BY_NAME = new Map<string, FieldDef>();
for (const [names, def] of TABLE) {
  const full: FieldDef = { ...def, name: names[0] };
  for (const n of names) {
    const k = n.toLowerCase();
    if (BY_NAME.has(k)) throw new Error(`filter field ${n} registered twice`);
    BY_NAME.set(k, full);
  }
}

export function lookupField(name: string): FieldDef | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every name the language knows, for help texts and "did you mean". */
export function fieldNames(): string[] {
  return TABLE.flatMap(([names]) => names);
}
