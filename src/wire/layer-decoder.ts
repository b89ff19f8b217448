/**
 * One preallocated decoder chain, reset per packet (gopacket's DecodingLayerParser): link layer,
 * IPv4/IPv6 with extension headers, TCP/UDP/ICMP (with the packet inside ICMP errors), DNS over
 * UDP and TCP, and every checksum verified. `decode()` allocates nothing for ordinary packets;
 * results are plain fields on the decoder, valid until the next call.
 */
import { LinkType } from '../pcap/linktype.js';
import { Problem } from './reasons.js';
import { EthernetView, EtherType } from './ethernet.js';
import { SllView } from './sll.js';
import { NullView } from './null.js';
import { Ipv4View, IpProto } from './ipv4.js';
import { Ipv6View } from './ipv6.js';
import { TcpView, TcpFlag } from './tcp.js';
import { UdpView } from './udp.js';
import { Icmpv4View } from './icmpv4.js';
import { Icmpv6View } from './icmpv6.js';
import { DnsView } from './dns.js';
import { DnsTcpReassembler } from './dns-tcp.js';
import { Verdict, sum, fold, pseudo4, pseudo6, verdictOf } from './checksum.js';

export const DNS_PORT = 53;
const MAX_PROBLEMS = 8;
const MAX_DNS = 8;

/** What the decoder found at layer 4. */
export const L4 = { NONE: 0, TCP: 1, UDP: 2, ICMP: 3, ICMPV6: 4, OTHER: 5 } as const;

export class PacketDecoder {
  readonly eth = new EthernetView();
  readonly sll = new SllView();
  readonly nul = new NullView();
  readonly ip4 = new Ipv4View();
  readonly ip6 = new Ipv6View();
  readonly tcp = new TcpView();
  readonly udp = new UdpView();
  readonly icmp4 = new Icmpv4View();
  readonly icmp6 = new Icmpv6View();
  readonly inner4 = new Ipv4View();
  readonly inner6 = new Ipv6View();
  readonly dns = new DnsView();
  readonly dnsTcp = new DnsTcpReassembler();

  bytes: Uint8Array = new Uint8Array(0);
  /** Link type and whether the link layer could be decoded. */
  linkType = 0;
  linkOk = false;
  /** 0 when no IP layer was found. */
  ipVersion = 0;
  l3Off = 0;
  srcOff = 0;
  dstOff = 0;
  /** Protocol number of the final header (after IPv6 extension headers). */
  proto = -1;
  ttl = -1;
  isFragment = false;
  fragId = 0;
  fragOffset = 0;
  fragMore = false;
  l4 = 0;
  l4Off = 0;
  /** Upper-layer length according to the IP header, and the bytes of it captured. */
  l4Len = 0;
  l4Captured = 0;
  sport = -1;
  dport = -1;
  tcpFlags = -1;
  icmpType = -1;
  icmpCode = -1;
  /** The IP packet inside an ICMP error: version (0 = none) and its fields. */
  innerVersion = 0;
  innerSrcOff = 0;
  innerDstOff = 0;
  innerProto = -1;
  innerSport = -1;
  innerDport = -1;
  /** DNS messages found in this packet (UDP: 0 or 1; TCP: 0..n after reassembly). */
  dnsCount = 0;
  readonly dnsBufs: Uint8Array[] = new Array(MAX_DNS).fill(new Uint8Array(0));
  readonly dnsOffs = new Int32Array(MAX_DNS);
  readonly dnsLens = new Int32Array(MAX_DNS);
  /** Result of DnsView.reset on the first message (0 = parsed whole). */
  dnsProblem = 0;
  ipChecksum: Verdict = Verdict.None;
  l4Checksum: Verdict = Verdict.None;
  readonly problems = new Int32Array(MAX_PROBLEMS);
  problemCount = 0;
  /**
   * Lean mode (for consumers that read only the layers and the DNS message bounds, like the
   * DNS64 pipeline): checksums are not verified (`ipChecksum`/`l4Checksum` stay None) and the
   * first DNS message is not parsed (`dnsProblem` stays 0). Everything else is decoded the same.
   */
  lean = false;
  /**
   * IP-only mode (analyze's engine thread): the link layer and the IP header(s) are decoded as in
   * the full mode (`ipVersion`, `l3Off`, `l4Off`, `l4Len`, `l4Captured`, fragment fields), then
   * decoding stops: no layer 4, no checksum, no DNS.
   */
  ipOnly = false;
  /**
   * A folded one's-complement sum of bytes[presumOff, presumOff + presumLen) computed elsewhere
   * (analyze's engine thread sums each packet's upper layer while it runs the engine): the
   * checksum verdicts use it instead of summing that range again. Set before {@link decode}, only
   * used when the decoder sums exactly that range of the same bytes; -1 = none. Not reset by decode.
   */
  presumOff = -1;
  presumLen = 0;
  presum = 0;

  constructor(opts?: { lean?: boolean; ipOnly?: boolean }) {
    this.ipOnly = opts?.ipOnly ?? false;
    this.lean = (opts?.lean ?? false) || this.ipOnly;
  }

  private readonly onDnsMessage = (buf: Uint8Array, off: number, len: number): void => {
    if (this.dnsCount < MAX_DNS) {
      this.dnsBufs[this.dnsCount] = buf;
      this.dnsOffs[this.dnsCount] = off;
      this.dnsLens[this.dnsCount] = len;
    }
    this.dnsCount++;
  };

  /** Decodes the packet at bytes[off..off+caplen) of the given link type. */
  decode(bytes: Uint8Array, off: number, caplen: number, linkType: number): void {
    this.bytes = bytes;
    this.linkType = linkType;
    this.linkOk = false;
    this.ipVersion = 0;
    this.l3Off = 0;
    this.srcOff = 0;
    this.dstOff = 0;
    this.proto = -1;
    this.ttl = -1;
    this.isFragment = false;
    this.fragId = 0;
    this.fragOffset = 0;
    this.fragMore = false;
    this.l4 = L4.NONE;
    this.l4Off = 0;
    this.l4Len = 0;
    this.l4Captured = 0;
    this.sport = -1;
    this.dport = -1;
    this.tcpFlags = -1;
    this.icmpType = -1;
    this.icmpCode = -1;
    this.innerVersion = 0;
    this.innerSrcOff = 0;
    this.innerDstOff = 0;
    this.innerProto = -1;
    this.innerSport = -1;
    this.innerDport = -1;
    this.dnsCount = 0;
    this.dnsProblem = 0;
    this.ipChecksum = Verdict.None;
    this.l4Checksum = Verdict.None;
    this.problemCount = 0;

    const end = off + caplen;
    let p = off;
    let ipv = 0;
    let code: number;
    switch (linkType) {
      case LinkType.ETHERNET:
        code = this.eth.reset(bytes, off, caplen);
        if (code !== Problem.None) return this.problem(code);
        p = this.eth.payloadOff;
        ipv = etherTypeToIp(this.eth.etherType);
        break;
      case LinkType.LINUX_SLL:
      case LinkType.LINUX_SLL2:
        code = this.sll.reset(bytes, off, caplen, linkType === LinkType.LINUX_SLL ? 1 : 2);
        if (code !== Problem.None) return this.problem(code);
        p = this.sll.payloadOff;
        ipv = etherTypeToIp(this.sll.protocol);
        break;
      case LinkType.NULL:
      case LinkType.LOOP:
        code = this.nul.reset(bytes, off, caplen, linkType === LinkType.LOOP);
        if (code !== Problem.None) return this.problem(code);
        p = this.nul.payloadOff;
        ipv = this.nul.ipVersion;
        break;
      case LinkType.RAW:
      case 12: // DLT_RAW on some BSDs, written as-is by old libpcap
      case 14:
        ipv = caplen > 0 ? bytes[off] >> 4 : 0;
        break;
      case LinkType.IPV4:
        ipv = 4;
        break;
      case LinkType.IPV6:
        ipv = 6;
        break;
      default:
        return this.problem(Problem.UnsupportedLinkType);
    }
    this.linkOk = true;
    if (ipv === 4) this.decodeIpv4(bytes, p, end - p);
    else if (ipv === 6) this.decodeIpv6(bytes, p, end - p);
    else this.problem(p < end && (linkType === LinkType.RAW || linkType === 12 || linkType === 14) ? Problem.RawBadVersion : Problem.NotIp);
  }

  private problem(code: number): void {
    if (this.problemCount < MAX_PROBLEMS) this.problems[this.problemCount++] = code;
  }

  private decodeIpv4(bytes: Uint8Array, off: number, len: number): void {
    const v = this.ip4;
    const code = v.reset(bytes, off, len);
    if (v.hdrLen === 0) return this.problem(code);
    if (code !== Problem.None) this.problem(code);
    this.ipVersion = 4;
    this.l3Off = off;
    this.srcOff = off + 12;
    this.dstOff = off + 16;
    this.proto = v.protocol();
    this.ttl = v.ttl();
    if (!this.lean) this.ipChecksum = v.checksumOk() ? Verdict.Good : Verdict.Bad;
    if (v.isFragment()) {
      this.isFragment = true;
      this.fragId = v.ident();
      this.fragOffset = v.fragOffset();
      this.fragMore = v.moreFragments();
    }
    this.l4Off = v.payloadOffset();
    this.l4Len = v.payloadLength();
    this.l4Captured = v.payloadCaptured;
    if (this.fragOffset !== 0 || this.ipOnly) return; // no upper-layer header in a non-first fragment
    this.decodeL4(bytes, this.proto, false);
  }

  private decodeIpv6(bytes: Uint8Array, off: number, len: number): void {
    const v = this.ip6;
    const code = v.reset(bytes, off, len);
    if (code === Problem.Ipv6Truncated || code === Problem.Ipv6BadVersion) return this.problem(code);
    if (code !== Problem.None) this.problem(code);
    this.ipVersion = 6;
    this.l3Off = off;
    this.srcOff = off + 8;
    this.dstOff = off + 24;
    this.ttl = v.hopLimit();
    this.proto = v.finalProto;
    if (v.isFragment()) {
      this.isFragment = true;
      this.fragId = v.fragId;
      this.fragOffset = v.fragOffsetBytes;
      this.fragMore = v.fragMore;
    }
    if (code === Problem.Ipv6ExtTruncated || code === Problem.Ipv6TooManyExt || code === Problem.Ipv6HopByHopNotFirst) return;
    this.l4Off = v.upperOff;
    this.l4Len = v.upperLength();
    this.l4Captured = v.upperCaptured();
    if (this.fragOffset !== 0 || this.proto === IpProto.ESP || this.ipOnly) return;
    this.decodeL4(bytes, this.proto, true);
  }

  private decodeL4(bytes: Uint8Array, proto: number, v6: boolean): void {
    const off = this.l4Off;
    const cap = this.l4Captured;
    // Checksums are verifiable only over a whole, unfragmented upper-layer packet.
    const whole = !this.lean && !this.isFragment && cap === this.l4Len && cap > 0;
    let code: number;
    switch (proto) {
      case IpProto.TCP: {
        this.l4 = L4.TCP;
        code = this.tcp.reset(bytes, off, cap);
        if (code !== Problem.None) {
          this.problem(cap < this.l4Len ? Problem.L4Truncated : code);
          if (this.tcp.hdrLen === 0) return;
        }
        this.sport = this.tcp.srcPort();
        this.dport = this.tcp.dstPort();
        this.tcpFlags = this.tcp.flags();
        if (whole) this.l4Checksum = this.transportVerdict(bytes, IpProto.TCP, v6, this.tcp.checksum());
        if ((this.sport === DNS_PORT || this.dport === DNS_PORT) && !this.isFragment) this.dnsOverTcp(bytes, v6);
        return;
      }
      case IpProto.UDP: {
        this.l4 = L4.UDP;
        code = this.udp.reset(bytes, off, cap);
        if (code !== Problem.None) return this.problem(cap < this.l4Len ? Problem.L4Truncated : code);
        this.sport = this.udp.srcPort();
        this.dport = this.udp.dstPort();
        const ulen = this.udp.length();
        const lengthOk = this.isFragment || ulen === this.l4Len;
        if (!lengthOk) this.problem(Problem.UdpBadLength);
        const cs = this.udp.checksum();
        // With the UDP and IP lengths at odds, what the checksum covers is unknown: not verified.
        if (whole && lengthOk) {
          if (cs === 0) {
            if (v6) {
              this.l4Checksum = Verdict.Bad;
              this.problem(Problem.UdpZeroChecksumV6);
            } else this.l4Checksum = Verdict.Zero;
          } else this.l4Checksum = this.transportVerdict(bytes, IpProto.UDP, v6, cs);
        } else if (cs === 0 && !v6 && !this.lean) this.l4Checksum = Verdict.Zero;
        if ((this.sport === DNS_PORT || this.dport === DNS_PORT) && !this.isFragment) {
          const dlen = Math.min(cap, ulen >= 8 ? ulen : cap) - 8;
          if (dlen >= 12) {
            this.onDnsMessage(bytes, off + 8, dlen);
            if (!this.lean) this.dnsProblem = this.dns.reset(bytes, off + 8, dlen);
          } else if (dlen > 0) this.problem(Problem.DnsShort);
        }
        return;
      }
      case IpProto.ICMP: {
        if (v6) break;
        this.l4 = L4.ICMP;
        code = this.icmp4.reset(bytes, off, cap);
        if (code === Problem.IcmpTruncated) return this.problem(cap < this.l4Len ? Problem.L4Truncated : code);
        if (code !== Problem.None) this.problem(code);
        this.icmpType = this.icmp4.type();
        this.icmpCode = this.icmp4.code();
        if (this.icmp4.isEcho()) this.sport = this.dport = this.icmp4.ident();
        if (whole) this.l4Checksum = this.l4Sum(bytes, 0) === 0xffff ? Verdict.Good : Verdict.Bad;
        if (this.icmp4.innerLen > 0) this.decodeInner(bytes, this.icmp4.innerOff, this.icmp4.innerLen);
        return;
      }
      case IpProto.ICMPV6: {
        if (!v6) break;
        this.l4 = L4.ICMPV6;
        code = this.icmp6.reset(bytes, off, cap);
        if (code === Problem.IcmpTruncated) return this.problem(cap < this.l4Len ? Problem.L4Truncated : code);
        if (code !== Problem.None) this.problem(code);
        this.icmpType = this.icmp6.type();
        this.icmpCode = this.icmp6.code();
        if (this.icmp6.isEcho()) this.sport = this.dport = this.icmp6.ident();
        if (whole) this.l4Checksum = this.transportVerdict(bytes, IpProto.ICMPV6, true, this.icmp6.checksum());
        if (this.icmp6.innerLen > 0) this.decodeInner(bytes, this.icmp6.innerOff, this.icmp6.innerLen);
        return;
      }
      default:
        break;
    }
    this.l4 = L4.OTHER;
  }

  /** Verdict of a TCP/UDP/ICMPv6 checksum over the whole captured upper-layer packet. */
  private transportVerdict(bytes: Uint8Array, proto: number, v6: boolean, field: number): Verdict {
    const len = this.l4Len;
    let ph: number;
    if (v6) ph = pseudo6(bytes, this.srcOff, this.finalDestinationOffset(), proto, len);
    else ph = pseudo4(bytes, this.srcOff, this.dstOff, proto, len);
    const total = this.l4Sum(bytes, ph);
    return total === 0xffff ? Verdict.Good : verdictOf(total, field, ph);
  }

  /**
   * fold(acc + the sum of the whole upper layer, bytes[l4Off, l4Off + l4Len)): from
   * {@link presum} when it covers that range (fold(acc + fold(x)) = fold(acc + x): both are the
   * one's-complement sum), else summed here.
   */
  private l4Sum(bytes: Uint8Array, acc: number): number {
    if (this.presumOff === this.l4Off && this.presumLen === this.l4Len && bytes === this.bytes) return fold(acc + this.presum);
    return fold(sum(bytes, this.l4Off, this.l4Len, acc));
  }

  /** RFC 8200 §8.1: with a routing header, the pseudo-header holds the final destination. */
  private finalDestinationOffset(): number {
    const v = this.ip6;
    if (v.routingOff < 0 || v.segmentsLeft === 0) return this.dstOff;
    const b = this.bytes;
    const hdrLen = (b[v.routingOff + 1] + 1) * 8;
    if (v.routingType === 4) {
      // Segment Routing Header (RFC 8754): segment list[0] is the final segment.
      return v.routingOff + 8 + 16 <= v.routingOff + hdrLen ? v.routingOff + 8 : this.dstOff;
    }
    if (v.routingType === 0 || v.routingType === 2) {
      const n = (hdrLen - 8) >> 4;
      return n > 0 ? v.routingOff + 8 + (n - 1) * 16 : this.dstOff;
    }
    return this.dstOff;
  }

  /** Decodes the IP header (and ports) of the packet inside an ICMP error, as far as it goes. */
  private decodeInner(bytes: Uint8Array, off: number, len: number): void {
    const iv = len > 0 ? bytes[off] >> 4 : 0;
    // ICMPv4 errors carry IPv4, ICMPv6 errors carry IPv6 (a translator's mistake shows otherwise).
    if (iv === 4 && len >= 20) {
      const v = this.inner4;
      v.reset(bytes, off, len);
      if (v.hdrLen === 0) return this.problem(Problem.IcmpInnerTruncated);
      this.innerVersion = 4;
      this.innerSrcOff = off + 12;
      this.innerDstOff = off + 16;
      this.innerProto = v.protocol();
      if (v.fragOffset() === 0) this.innerPorts(bytes, off + v.hdrLen, len - v.hdrLen, this.innerProto);
    } else if (iv === 6 && len >= 40) {
      const v = this.inner6;
      v.reset(bytes, off, len);
      this.innerVersion = 6;
      this.innerSrcOff = off + 8;
      this.innerDstOff = off + 24;
      this.innerProto = v.finalProto;
      if (v.fragOffsetBytes === 0) this.innerPorts(bytes, v.upperOff, off + len - v.upperOff, this.innerProto);
    } else {
      this.problem(Problem.IcmpInnerTruncated);
    }
  }

  private innerPorts(bytes: Uint8Array, off: number, len: number, proto: number): void {
    if ((proto === IpProto.TCP || proto === IpProto.UDP) && len >= 4) {
      this.innerSport = (bytes[off] << 8) | bytes[off + 1];
      this.innerDport = (bytes[off + 2] << 8) | bytes[off + 3];
    } else if ((proto === IpProto.ICMP || proto === IpProto.ICMPV6) && len >= 6) {
      const t = bytes[off];
      if (t === 0 || t === 8 || t === 128 || t === 129) this.innerSport = this.innerDport = (bytes[off + 4] << 8) | bytes[off + 5];
    }
  }

  private dnsOverTcp(bytes: Uint8Array, v6: boolean): void {
    const payOff = this.tcp.payloadOffset();
    const payLen = this.l4Captured - this.tcp.hdrLen;
    const flags = this.tcpFlags;
    if (payLen <= 0 && (flags & (TcpFlag.SYN | TcpFlag.FIN | TcpFlag.RST)) === 0) return;
    const key = flowKey(bytes, this.srcOff, this.dstOff, v6 ? 16 : 4, this.sport, this.dport);
    const code = this.dnsTcp.push(key, this.tcp.seq(), flags, bytes, payOff, payLen > 0 ? payLen : 0, this.onDnsMessage);
    if (code !== 0) this.problem(Problem.DnsTcpReassembly);
    if (this.dnsCount > 0 && !this.lean) this.dnsProblem = this.dns.reset(this.dnsBufs[0], this.dnsOffs[0], this.dnsLens[0]);
  }
}

function etherTypeToIp(et: number): number {
  return et === EtherType.IPV4 ? 4 : et === EtherType.IPV6 ? 6 : 0;
}

/** A directional flow key for TCP reassembly (only built for DNS over TCP). */
function flowKey(b: Uint8Array, srcOff: number, dstOff: number, alen: number, sport: number, dport: number): string {
  let s = '';
  for (let i = 0; i < alen; i++) s += String.fromCharCode(b[srcOff + i]);
  s += '>';
  for (let i = 0; i < alen; i++) s += String.fromCharCode(b[dstOff + i]);
  return s + ':' + sport + ':' + dport;
}
