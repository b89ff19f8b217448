#!/usr/bin/python3
"""Packet injector for the TAYGA referee (test/referee/tayga/harness.ts).

Builds a fixed, varied set of IPv6 and IPv4 packets that all go *into* TAYGA, and sends them
with Scapy's sendp() from the outer end of a veth pair whose inner end is in TAYGA's network
namespace; that namespace's kernel forwards them into the `nat64` tun device (and, being a router,
decrements their hop limit / TTL by one on the way: the hop-limit and TTL cases below are injected
one higher than the value TAYGA is meant to see).

  inject.py --list                       print the manifest (JSON) and send nothing
  inject.py --iface IF --dst-mac MAC [--gap SECONDS] [--manifest FILE]

The manifest has one entry per injected frame, in sending order: its name, the IP version it has
when it reaches TAYGA, and what TAYGA is expected to do with it (`expect`):
  xlat      translated to the other family (`count` packets, >1 when TAYGA fragments)
  icmp6 / icmp4   TAYGA answers with an ICMP error of its own (`type`/`code` given)
  drop      TAYGA emits nothing
The expectations are TAYGA's (0.9.2 as packaged by Debian), read from its source; the harness
test checks them and the comparison test explains where they depart from RFC 7915.

Addresses (all documentation / shared / private, only inside the test namespaces):
  H6  2001:db8:6::10  <-> 192.0.2.10      an IPv6 host (static map = EAM /128 <-> /32)
  R6  2001:db8:6::1   <-> 192.0.2.11      an IPv6-side router that sends ICMPv6 errors
  H4  198.51.100.20   <-> 2001:db8:4::20  an IPv4 host (static map)
  H4B 198.51.100.21   <-> 2001:db8:4::21  an IPv4 host used by the "frag needed, MTU < 1260" case
  R4  198.51.100.1    <-> 2001:db8:4::1   an IPv4-side router that sends ICMPv4 errors
  C4  100.64.0.20     as 64:ff9b::100.64.0.20 (RFC 6598 shared space behind the Well-Known Prefix)
  D4  198.51.100.30   as 64:ff9b::198.51.100.30 (documentation space behind the Well-Known Prefix)
  X6  2001:db8:7::1   an IPv6 router with no mapping (untranslatable ICMPv6 error source)
  X4  203.0.113.1     an IPv4 router with no mapping (untranslatable ICMPv4 error source)
"""
import argparse
import json
import sys
import time

from scapy.config import conf

conf.verb = 0
from scapy.layers.inet import IP, ICMP, TCP, UDP, IPOption_Router_Alert, IPOption_NOP  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    IPv6, IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, ICMPv6EchoRequest, ICMPv6EchoReply,
    ICMPv6DestUnreach, ICMPv6PacketTooBig, ICMPv6TimeExceeded, ICMPv6ParamProblem, PadN,
)
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402

H6, R6, X6 = "2001:db8:6::10", "2001:db8:6::1", "2001:db8:7::1"
H4, H4B, R4, X4 = "198.51.100.20", "198.51.100.21", "198.51.100.1", "203.0.113.1"
H6_4, R6_4 = "192.0.2.10", "192.0.2.11"
H4_6, H4B_6, R4_6 = "2001:db8:4::20", "2001:db8:4::21", "2001:db8:4::1"
C4_6 = "64:ff9b::6440:14"  # 100.64.0.20
D4_6 = "64:ff9b::c633:641e"  # 198.51.100.30


def payload(tag, n):
    """n bytes: the case name, then a counting pattern (easy to eyeball in a hex dump)."""
    b = (tag.encode() + b"|")[:n]
    return b + bytes((i * 7) & 0xFF for i in range(n - len(b)))


CASES = []


def case(name, pkt, expect, **kw):
    CASES.append((name, pkt, dict(expect=expect, **kw)))


def build():
    sp = iter(range(40001, 41000))  # a distinct source port per case (eases reading captures)

    # ---------------- IPv6 -> IPv4 ----------------
    def v6(dst=H4_6, hlim=65, tc=0, fl=0, src=H6):
        return IPv6(src=src, dst=dst, hlim=hlim, tc=tc, fl=fl)

    case("6to4 tcp syn", v6() / TCP(sport=next(sp), dport=80, flags="S", seq=1000, window=64240,
                                    options=[("MSS", 1440), ("SAckOK", b""), ("WScale", 7)]), "xlat")
    case("6to4 tcp ack+data", v6() / TCP(sport=next(sp), dport=80, flags="PA", seq=1001, ack=5001)
         / payload("6to4 tcp data", 100), "xlat")
    case("6to4 udp", v6() / UDP(sport=next(sp), dport=53) / payload("6to4 udp", 60), "xlat")
    case("6to4 udp odd length", v6() / UDP(sport=next(sp), dport=9) / payload("odd", 33), "xlat")
    case("6to4 icmpv6 echo request", v6() / ICMPv6EchoRequest(id=0x6401, seq=1) / payload("ping6", 56), "xlat")
    case("6to4 icmpv6 echo reply", v6() / ICMPv6EchoReply(id=0x6402, seq=2) / payload("pong6", 24), "xlat")
    case("6to4 traffic class 0xb8 + flow label", v6(tc=0xB8, fl=0x12345) / UDP(sport=next(sp), dport=5004)
         / payload("tc b8", 40), "xlat")
    case("6to4 traffic class ecn ce", v6(tc=0x03) / UDP(sport=next(sp), dport=5004) / payload("tc 03", 40), "xlat")
    case("6to4 hop limit 1 at translator", v6(hlim=2) / UDP(sport=next(sp), dport=33434) / payload("hlim1", 20),
         "icmp6", type=3, code=0)
    case("6to4 hop limit 2 at translator", v6(hlim=3) / UDP(sport=next(sp), dport=33435) / payload("hlim2", 20), "xlat")
    case("6to4 hop-by-hop options header", v6() / IPv6ExtHdrHopByHop(options=[PadN(optdata=b"\x00" * 4)])
         / UDP(sport=next(sp), dport=7) / payload("hbh", 30), "xlat")
    s = next(sp)
    # Fragment a UDP datagram by hand with a correct UDP checksum over the whole datagram.
    raw = bytes(IPv6(src=H6, dst=H4_6, nh=17) / UDP(sport=s, dport=4500) / payload("6to4 frag", 200))[40:]
    case("6to4 udp fragment 1/2", v6() / IPv6ExtHdrFragment(nh=17, offset=0, m=1, id=0xABCD0001) / Raw(raw[:104]), "xlat")
    case("6to4 udp fragment 2/2", v6() / IPv6ExtHdrFragment(nh=17, offset=13, m=0, id=0xABCD0001) / Raw(raw[104:]), "xlat")
    case("6to4 udp atomic fragment", v6() / IPv6ExtHdrFragment(nh=17, offset=0, m=0, id=0x00C0FFEE)
         / UDP(sport=next(sp), dport=4501) / payload("atomic", 24), "xlat")
    case("6to4 udp 1550 bytes (over the 1500 MTU)", v6() / UDP(sport=next(sp), dport=9) / payload("big6", 1550 - 48),
         "icmp6", type=2, code=0)
    case("6to4 udp 1510 bytes (fits IPv4 1500 once translated)", v6() / UDP(sport=next(sp), dport=9)
         / payload("big6b", 1510 - 48), "icmp6", type=2, code=0)
    case("6to4 udp zero checksum", v6() / UDP(sport=next(sp), dport=9, chksum=0) / payload("zero6", 16), "drop")
    case("6to4 wkp + rfc6598 (100.64.0.20)", v6(dst=C4_6) / UDP(sport=next(sp), dport=53) / payload("cgnat", 20), "xlat")
    case("6to4 wkp + documentation (198.51.100.30)", v6(dst=D4_6) / UDP(sport=next(sp), dport=53)
         / payload("docnet", 20), "icmp6", type=1, code=0)

    # ICMPv6 errors from the IPv6 side about a packet H4 -> H6 that went through the translator.
    def quote6(proto="udp", n=0):
        q = IPv6(src=H4_6, dst=H6, hlim=60)
        if proto == "udp":
            return q / UDP(sport=33000 + n, dport=9) / payload("quoted udp", 20)
        if proto == "tcp":
            return q / TCP(sport=33000 + n, dport=443, flags="S", seq=77)
        return q / ICMPv6EchoRequest(id=0x3300 + n, seq=1) / payload("quoted ping", 16)

    def err6(src=R6):
        return IPv6(src=src, dst=H4_6, hlim=65)

    case("6to4 icmpv6 port unreachable", err6() / ICMPv6DestUnreach(code=4) / quote6("udp", 1), "xlat")
    case("6to4 icmpv6 no route (code 0)", err6() / ICMPv6DestUnreach(code=0) / quote6("tcp", 2), "xlat")
    case("6to4 icmpv6 admin prohibited (code 1)", err6() / ICMPv6DestUnreach(code=1) / quote6("udp", 3), "xlat")
    case("6to4 icmpv6 beyond scope (code 2)", err6() / ICMPv6DestUnreach(code=2) / quote6("udp", 4), "xlat")
    case("6to4 icmpv6 address unreachable (code 3)", err6() / ICMPv6DestUnreach(code=3) / quote6("udp", 5), "drop")
    case("6to4 icmpv6 packet too big 1400", err6() / ICMPv6PacketTooBig(mtu=1400) / quote6("tcp", 6), "xlat")
    case("6to4 icmpv6 hop limit exceeded", err6() / ICMPv6TimeExceeded(code=0) / quote6("icmp", 7), "xlat")
    case("6to4 icmpv6 reassembly time exceeded", err6() / ICMPv6TimeExceeded(code=1) / quote6("udp", 8), "xlat")
    case("6to4 icmpv6 param problem code 0 ptr 7", err6() / ICMPv6ParamProblem(code=0, ptr=7) / quote6("udp", 9), "drop")
    case("6to4 icmpv6 param problem code 1 (next header)", err6() / ICMPv6ParamProblem(code=1, ptr=6)
         / quote6("udp", 10), "xlat")
    case("6to4 icmpv6 no route from unmapped source", err6(src=X6) / ICMPv6DestUnreach(code=0) / quote6("udp", 11), "xlat")
    case("6to4 icmpv6 time exceeded from unmapped source", err6(src=X6) / ICMPv6TimeExceeded(code=0)
         / quote6("udp", 12), "drop")

    # ---------------- IPv4 -> IPv6 ----------------
    def v4(dst=H6_4, ttl=65, tos=0, flags="DF", ident=0x1000, src=H4, **kw):
        return IP(src=src, dst=dst, ttl=ttl, tos=tos, flags=flags, id=ident, **kw)

    case("4to6 tcp syn", v4(ident=0x1001) / TCP(sport=next(sp), dport=22, flags="S", seq=9000, window=29200,
                                                options=[("MSS", 1460), ("NOP", None), ("WScale", 7)]), "xlat")
    case("4to6 tcp ack+data", v4(ident=0x1002) / TCP(sport=next(sp), dport=22, flags="PA", seq=9001, ack=100)
         / payload("4to6 tcp data", 120), "xlat")
    case("4to6 udp df", v4(ident=0x1003) / UDP(sport=next(sp), dport=53) / payload("4to6 udp", 60), "xlat")
    case("4to6 udp no df", v4(ident=0x1004, flags=0) / UDP(sport=next(sp), dport=53) / payload("4to6 nodf", 60), "xlat")
    case("4to6 udp zero checksum", v4(ident=0x1005) / UDP(sport=next(sp), dport=9, chksum=0) / payload("zero4", 16), "drop")
    case("4to6 icmp echo request", v4(ident=0x1006) / ICMP(type=8, id=0x4401, seq=1) / payload("ping4", 56), "xlat")
    case("4to6 icmp echo reply", v4(ident=0x1007) / ICMP(type=0, id=0x4402, seq=2) / payload("pong4", 20), "xlat")
    case("4to6 tos 0xb8", v4(ident=0x1008, tos=0xB8) / UDP(sport=next(sp), dport=5004) / payload("tos b8", 40), "xlat")
    case("4to6 tos ecn ect1", v4(ident=0x1009, tos=0x01) / UDP(sport=next(sp), dport=5004) / payload("tos 01", 40), "xlat")
    case("4to6 ttl 1 at translator", v4(ident=0x100A, ttl=2) / UDP(sport=next(sp), dport=33434) / payload("ttl1", 20),
         "icmp4", type=11, code=0)
    case("4to6 ttl 2 at translator", v4(ident=0x100B, ttl=3) / UDP(sport=next(sp), dport=33435) / payload("ttl2", 20), "xlat")
    case("4to6 ip options (router alert + nop)", v4(ident=0x100C, options=[IPOption_Router_Alert(), IPOption_NOP(),
                                                                          IPOption_NOP(), IPOption_NOP(), IPOption_NOP()])
         / UDP(sport=next(sp), dport=7) / payload("options", 30), "xlat")
    case("4to6 udp 1400 bytes no df", v4(ident=0x100D, flags=0) / UDP(sport=next(sp), dport=9) / payload("big4 nodf", 1372),
         "xlat", count=2)
    case("4to6 udp 1490 bytes df", v4(ident=0x100E) / UDP(sport=next(sp), dport=9) / payload("big4 df", 1462),
         "icmp4", type=3, code=4)
    s = next(sp)
    raw4 = bytes(IP(src=H4, dst=H6_4) / UDP(sport=s, dport=4500) / payload("4to6 frag", 200))[20:]
    case("4to6 udp fragment 1/2", v4(ident=0x100F, flags="MF", proto=17) / Raw(raw4[:104]), "xlat")
    case("4to6 udp fragment 2/2", v4(ident=0x100F, flags=0, frag=13, proto=17) / Raw(raw4[104:]), "xlat")
    case("4to6 icmp echo fragment (first)", v4(ident=0x1010, flags="MF", proto=1) / Raw(bytes(ICMP(type=8, id=0x4403, seq=3)
                                                                                      / payload("fragping", 64))[:48]),
         "drop")
    case("4to6 wkp source rfc6598 (100.64.0.20)", v4(ident=0x1011, src="100.64.0.20") / UDP(sport=next(sp), dport=53)
         / payload("cgnat4", 20), "xlat")

    # ICMPv4 errors from the IPv4 side about a packet H6 -> H4 that went through the translator.
    def quote4(proto="udp", n=0, dst=H4, tlen=None):
        q = IP(src=H6_4, dst=dst, ttl=60, id=0x2200 + n, flags="DF", len=tlen)
        if proto == "udp":
            return q / UDP(sport=34000 + n, dport=9) / payload("quoted udp4", 20)
        if proto == "tcp":
            return q / TCP(sport=34000 + n, dport=443, flags="S", seq=88)
        return q / ICMP(type=8, id=0x3400 + n, seq=1) / payload("quoted ping4", 16)

    def err4(src=R4):
        return IP(src=src, dst=H6_4, ttl=65, id=0x3000, flags=0)

    case("4to6 icmp port unreachable", err4() / ICMP(type=3, code=3) / quote4("udp", 1), "xlat")
    case("4to6 icmp host unreachable", err4() / ICMP(type=3, code=1) / quote4("tcp", 2), "xlat")
    case("4to6 icmp protocol unreachable", err4() / ICMP(type=3, code=2) / quote4("udp", 3), "xlat")
    case("4to6 icmp admin prohibited (code 13)", err4() / ICMP(type=3, code=13) / quote4("udp", 4), "xlat")
    case("4to6 icmp frag needed mtu 1400", err4() / ICMP(type=3, code=4, nexthopmtu=1400) / quote4("tcp", 5), "xlat")
    case("4to6 icmp frag needed mtu 0 (plateau)", err4() / ICMP(type=3, code=4, nexthopmtu=0)
         / quote4("udp", 6, tlen=1500), "xlat")
    case("4to6 icmp ttl exceeded", err4() / ICMP(type=11, code=0) / quote4("icmp", 7), "xlat")
    case("4to6 icmp param problem ptr 8", err4() / ICMP(type=12, code=0, ptr=8) / quote4("udp", 8), "drop")
    case("4to6 icmp host unreachable from unmapped source", err4(src=X4) / ICMP(type=3, code=1) / quote4("udp", 9), "xlat")
    case("4to6 icmp ttl exceeded from unmapped source", err4(src=X4) / ICMP(type=11, code=0) / quote4("udp", 10), "drop")
    # Last on purpose: TAYGA remembers an MTU < 1260 per destination and changes how it builds later
    # IPv6 -> IPv4 packets to it (see the next case).
    case("4to6 icmp frag needed mtu 1000", err4() / ICMP(type=3, code=4, nexthopmtu=1000)
         / quote4("udp", 11, dst=H4B), "xlat")
    case("6to4 udp after frag needed mtu 1000", v6(dst=H4B_6) / UDP(sport=next(sp), dport=9) / payload("after ptb", 40),
         "xlat")
    return CASES


def manifest():
    out = []
    for name, pkt, meta in CASES:
        fam = 6 if isinstance(pkt, IPv6) else 4
        out.append(dict(name=name, family=fam, len=len(pkt), count=meta.pop("count", 1), **meta))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--iface")
    ap.add_argument("--dst-mac")
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--manifest")
    a = ap.parse_args()
    build()
    frames = [(name, pkt) for name, pkt, _ in CASES]
    m = manifest()
    if a.list:
        json.dump(m, sys.stdout)
        return
    if not a.iface or not a.dst_mac:
        ap.error("--iface and --dst-mac are required unless --list")
    if a.manifest:
        with open(a.manifest, "w") as f:
            json.dump(m, f)
    sock = conf.L2socket(iface=a.iface)
    try:
        for _name, pkt in frames:
            etype = 0x86DD if isinstance(pkt, IPv6) else 0x0800
            sock.send(Ether(dst=a.dst_mac, type=etype) / pkt)
            time.sleep(a.gap)
    finally:
        sock.close()


if __name__ == "__main__":
    main()
