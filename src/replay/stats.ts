/**
 * `packets --stats`: per-protocol counts and checksum verdict totals, like `tshark -qz io,phs`.
 * Counting is plain arithmetic on preallocated counters: nothing allocated per packet.
 */
import type { CapturedPacket } from '../pcap/packet.js';
import { linkTypeName } from '../pcap/linktype.js';
import { PacketDecoder, L4 } from '../wire/layer-decoder.js';
import { Verdict, VERDICT_NAMES } from '../wire/checksum.js';
import { problemText } from '../wire/reasons.js';
import { embeddedIpv4, type DisplayPrefix, DEFAULT_DISPLAY_PREFIXES } from './prefixes.js';

const NV = VERDICT_NAMES.length;

export class CaptureStats {
  packets = 0;
  bytes = 0;
  caplenBytes = 0;
  private firstSec = 0;
  private firstNsec = 0;
  private lastSec = 0;
  private lastNsec = 0;
  undecoded = 0;
  nonIp = 0;
  ipv4 = 0;
  ipv6 = 0;
  tcp = 0;
  udp = 0;
  icmp = 0;
  icmpv6 = 0;
  otherL4 = 0;
  dns = 0;
  dnsQueries = 0;
  dnsResponses = 0;
  dnsTcp = 0;
  fragments = 0;
  ipv6ExtHeaders = 0;
  vlanTagged = 0;
  toNat64Prefix = 0;
  fromNat64Prefix = 0;
  icmpErrors = 0;
  withProblems = 0;
  /** Verdict counts for the IPv4 header checksum and the transport checksum. */
  readonly ipVerdicts = new Float64Array(NV);
  readonly l4Verdicts = new Float64Array(NV);
  /** Per-protocol verdicts of the transport checksum: tcp, udp, icmp, icmpv6. */
  readonly l4ByProto = new Float64Array(4 * NV);
  readonly linkTypes = new Map<number, number>();
  readonly problemCounts = new Map<number, number>();
  /**
   * Hierarchy counters per IP family (0 = IPv4, 1 = IPv6) and bucket (0 ip, 1 tcp, 2 udp,
   * 3 icmp/icmpv6, 4 other, 5 dns): frames and bytes.
   */
  readonly hFrames = new Float64Array(12);
  readonly hBytes = new Float64Array(12);
  private lastLink = -1;
  private lastLinkCount = 0;

  constructor(private readonly prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES) {}

  add(p: CapturedPacket, d: PacketDecoder): void {
    this.packets++;
    this.bytes += p.origLen;
    this.caplenBytes += p.caplen;
    if (this.packets === 1) {
      this.firstSec = p.tsSec;
      this.firstNsec = p.tsNsec;
    }
    this.lastSec = p.tsSec;
    this.lastNsec = p.tsNsec;
    // Link-type counts are batched: captures rarely switch link type.
    if (p.linkType !== this.lastLink) {
      this.flushLink();
      this.lastLink = p.linkType;
    }
    this.lastLinkCount++;
    for (let i = 0; i < d.problemCount; i++) {
      const c = d.problems[i];
      this.problemCounts.set(c, (this.problemCounts.get(c) ?? 0) + 1);
    }
    if (d.problemCount > 0) this.withProblems++;
    if (!d.linkOk) { this.undecoded++; return; }
    if (d.eth.tagCount > 0 && p.linkType === 1) this.vlanTagged++;
    const len = p.origLen;
    let fam: number;
    if (d.ipVersion === 4) { this.ipv4++; fam = 0; this.ipVerdicts[d.ipChecksum]++; }
    else if (d.ipVersion === 6) {
      this.ipv6++;
      fam = 6;
      if (d.ip6.extCount > 0) this.ipv6ExtHeaders++;
      if (embeddedIpv4(d.bytes, d.dstOff, this.prefixes) >= 0) this.toNat64Prefix++;
      if (embeddedIpv4(d.bytes, d.srcOff, this.prefixes) >= 0) this.fromNat64Prefix++;
    } else { this.nonIp++; return; }
    this.hFrames[fam]++;
    this.hBytes[fam] += len;
    if (d.isFragment) this.fragments++;
    let bucket = 0;
    switch (d.l4) {
      case L4.TCP: this.tcp++; bucket = 1; this.l4ByProto[0 * NV + d.l4Checksum]++; break;
      case L4.UDP: this.udp++; bucket = 2; this.l4ByProto[1 * NV + d.l4Checksum]++; break;
      case L4.ICMP: this.icmp++; bucket = 3; this.l4ByProto[2 * NV + d.l4Checksum]++; if (d.icmp4.isError()) this.icmpErrors++; break;
      case L4.ICMPV6: this.icmpv6++; bucket = 3; this.l4ByProto[3 * NV + d.l4Checksum]++; if (d.icmpType >= 0 && d.icmpType < 128) this.icmpErrors++; break;
      case L4.OTHER: this.otherL4++; bucket = 4; break;
      default: break;
    }
    if (bucket) {
      this.hFrames[fam + bucket]++;
      this.hBytes[fam + bucket] += len;
    }
    if (d.l4 !== L4.NONE) this.l4Verdicts[d.l4Checksum]++;
    if (d.dnsCount > 0) {
      this.dns += d.dnsCount;
      this.hFrames[fam + 5]++;
      this.hBytes[fam + 5] += len;
      if (d.l4 === L4.TCP) this.dnsTcp += d.dnsCount;
      // Query/response split from the first message's QR bit (header present when length >= 3).
      for (let i = 0; i < d.dnsCount && i < d.dnsOffs.length; i++) {
        if (d.dnsLens[i] >= 3 && (d.dnsBufs[i][d.dnsOffs[i] + 2] & 0x80) !== 0) this.dnsResponses++;
        else this.dnsQueries++;
      }
    }
  }

  private flushLink(): void {
    if (this.lastLink >= 0 && this.lastLinkCount > 0) {
      this.linkTypes.set(this.lastLink, (this.linkTypes.get(this.lastLink) ?? 0) + this.lastLinkCount);
    }
    this.lastLinkCount = 0;
  }

  private verdicts(a: Float64Array, base = 0): Record<string, number> {
    const o: Record<string, number> = {};
    for (let i = 0; i < NV; i++) o[VERDICT_NAMES[i]] = a[base + i];
    return o;
  }

  /** The `--stats --json` object. */
  toJSON(): Record<string, unknown> {
    this.flushLink();
    const links: Record<string, number> = {};
    for (const [lt, n] of this.linkTypes) links[linkTypeName(lt)] = n;
    const probs: Record<string, number> = {};
    for (const [c, n] of this.problemCounts) probs[problemText(c)] = n;
    return {
      packets: this.packets,
      bytes: this.bytes,
      duration: this.packets ? (this.lastSec - this.firstSec) + (this.lastNsec - this.firstNsec) / 1e9 : 0,
      linkTypes: links,
      undecoded: this.undecoded,
      nonIp: this.nonIp,
      ipv4: this.ipv4,
      ipv6: this.ipv6,
      tcp: this.tcp,
      udp: this.udp,
      icmp: this.icmp,
      icmpv6: this.icmpv6,
      otherL4: this.otherL4,
      dns: this.dns,
      dnsQueries: this.dnsQueries,
      dnsResponses: this.dnsResponses,
      dnsOverTcp: this.dnsTcp,
      fragments: this.fragments,
      ipv6WithExtensionHeaders: this.ipv6ExtHeaders,
      vlanTagged: this.vlanTagged,
      toNat64Prefix: this.toNat64Prefix,
      fromNat64Prefix: this.fromNat64Prefix,
      icmpErrors: this.icmpErrors,
      withProblems: this.withProblems,
      problems: probs,
      checksums: {
        ip: this.verdicts(this.ipVerdicts),
        l4: this.verdicts(this.l4Verdicts),
        tcp: this.verdicts(this.l4ByProto, 0),
        udp: this.verdicts(this.l4ByProto, NV),
        icmp: this.verdicts(this.l4ByProto, 2 * NV),
        icmpv6: this.verdicts(this.l4ByProto, 3 * NV),
      },
    };
  }

  /** A text report in the manner of `tshark -qz io,phs`, plus checksum totals. */
  toText(file: string): string {
    const j = this.toJSON() as Record<string, any>;
    const L: string[] = [];
    const row = (indent: number, name: string, frames: number, bytes?: number) =>
      L.push(`${' '.repeat(indent * 2)}${name.padEnd(34 - indent * 2)} frames:${frames}${bytes !== undefined ? ` bytes:${bytes}` : ''}`);
    L.push('===================================================================');
    L.push('Protocol Hierarchy Statistics');
    L.push(`File: ${file}`);
    L.push('===================================================================');
    row(0, 'frame', this.packets, this.bytes);
    // One link type nests under frame as in tshark; several are listed after the tree.
    const links = Object.entries(j.linkTypes as Record<string, number>);
    let k = 1;
    if (links.length === 1) {
      row(1, links[0][0], links[0][1]);
      k = 2;
    }
    const fam = (base: number, name: string, icmp: string) => {
      if (!this.hFrames[base]) return;
      row(k, name, this.hFrames[base], this.hBytes[base]);
      if (this.hFrames[base + 1]) row(k + 1, 'tcp', this.hFrames[base + 1], this.hBytes[base + 1]);
      if (this.hFrames[base + 2]) row(k + 1, 'udp', this.hFrames[base + 2], this.hBytes[base + 2]);
      if (this.hFrames[base + 5]) row(k + 2, 'dns', this.hFrames[base + 5], this.hBytes[base + 5]);
      if (this.hFrames[base + 3]) row(k + 1, icmp, this.hFrames[base + 3], this.hBytes[base + 3]);
      if (this.hFrames[base + 4]) row(k + 1, 'other', this.hFrames[base + 4], this.hBytes[base + 4]);
    };
    fam(6, 'ipv6', 'icmpv6');
    fam(0, 'ipv4', 'icmp');
    L.push('-------------------------------------------------------------------');
    if (links.length > 1) L.push(`Link types: ${links.map(([n, c]) => `${n} ${c}`).join(', ')}`);
    L.push(`IP fragments ${this.fragments}, IPv6 with extension headers ${this.ipv6ExtHeaders}, VLAN-tagged ${this.vlanTagged}`);
    L.push(`DNS messages ${this.dns} (queries ${this.dnsQueries}, responses ${this.dnsResponses}, over TCP ${this.dnsTcp})`);
    L.push(`To a NAT64 prefix ${this.toNat64Prefix}, from a NAT64 prefix ${this.fromNat64Prefix}, ICMP errors ${this.icmpErrors}`);
    if (this.undecoded) L.push(`Undecoded (unsupported link type) ${this.undecoded}`);
    if (this.nonIp) L.push(`Not IP ${this.nonIp}`);
    L.push('Checksums:');
    const fmt = (o: Record<string, number>) => VERDICT_NAMES.filter((k) => k !== 'none' || o[k]).map((k) => `${k} ${o[k]}`).join(', ');
    if (this.ipv4) L.push(`  ipv4 header  ${fmt(j.checksums.ip)}`);
    if (this.tcp) L.push(`  tcp          ${fmt(j.checksums.tcp)}`);
    if (this.udp) L.push(`  udp          ${fmt(j.checksums.udp)}`);
    if (this.icmp) L.push(`  icmp         ${fmt(j.checksums.icmp)}`);
    if (this.icmpv6) L.push(`  icmpv6       ${fmt(j.checksums.icmpv6)}`);
    if (this.withProblems) {
      L.push(`Packets with problems: ${this.withProblems}`);
      for (const [t, n] of Object.entries(j.problems as Record<string, number>)) L.push(`  ${String(n).padStart(8)}  ${t}`);
    }
    L.push('===================================================================');
    return L.join('\n') + '\n';
  }
}


