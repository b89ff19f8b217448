#!/usr/bin/python3
"""Scapy as an independent referee for SIIT (RFC 7915): for each case, the input packet and the
translation RFC 7915 expects, both built by Scapy (checksums computed by Scapy from scratch).
Addresses: EAM 2001:db8:6::/120 <-> 192.0.2.0/24, pool6 64:ff9b::/96. Prints JSON."""
import json
import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest, ICMPv6EchoReply, IPv6ExtHdrHopByHop, raw

A6, A4 = "2001:db8:6::5", "192.0.2.5"
B6, B4 = "64:ff9b::808:808", "8.8.8.8"
cases = []

def case(name, inp, out):
    cases.append({"name": name, "in": raw(inp).hex(), "out": raw(out).hex()})

data = bytes(range(200))

# IPv6 -> IPv4 (RFC 7915 §5.1: TOS = traffic class, TTL = hop limit - 1, ID 0, DF 0 when <= 1260).
case("tcp 6to4",
     IPv6(src=A6, dst=B6, tc=0x48, fl=0xabcde, hlim=64) / TCP(sport=40000, dport=443, flags="PA", seq=123456, ack=654321, window=501, options=[("NOP", None), ("NOP", None), ("Timestamp", (1, 2))]) / data[:77],
     IP(src=A4, dst=B4, tos=0x48, ttl=63, id=0, flags=0) / TCP(sport=40000, dport=443, flags="PA", seq=123456, ack=654321, window=501, options=[("NOP", None), ("NOP", None), ("Timestamp", (1, 2))]) / data[:77])
case("udp 6to4 with hop-by-hop",
     IPv6(src=A6, dst=B6, hlim=10) / IPv6ExtHdrHopByHop() / UDP(sport=5353, dport=53) / data[:31],
     IP(src=A4, dst=B4, ttl=9, id=0, flags=0) / UDP(sport=5353, dport=53) / data[:31])
case("icmpv6 echo request 6to4",
     IPv6(src=A6, dst=B6, hlim=200) / ICMPv6EchoRequest(id=0x4321, seq=7, data=data[:56]),
     IP(src=A4, dst=B4, ttl=199, id=0, flags=0) / ICMP(type=8, code=0, id=0x4321, seq=7) / data[:56])
case("large udp 6to4 sets DF",
     IPv6(src=A6, dst=B6, hlim=64) / UDP(sport=1, dport=2) / (data * 7)[:1300],
     IP(src=A4, dst=B4, ttl=63, id=0, flags="DF") / UDP(sport=1, dport=2) / (data * 7)[:1300])

# IPv4 -> IPv6 (RFC 7915 §4.1: traffic class = TOS, flow label 0, hop limit = TTL - 1).
case("tcp 4to6",
     IP(src=B4, dst=A4, tos=0x20, ttl=57, id=999, flags="DF") / TCP(sport=443, dport=40000, flags="SA", seq=1, ack=2) / data[:10],
     IPv6(src=B6, dst=A6, tc=0x20, fl=0, hlim=56) / TCP(sport=443, dport=40000, flags="SA", seq=1, ack=2) / data[:10])
case("udp 4to6",
     IP(src=B4, dst=A4, ttl=64) / UDP(sport=53, dport=5353) / data[:99],
     IPv6(src=B6, dst=A6, hlim=63) / UDP(sport=53, dport=5353) / data[:99])
case("icmp echo reply 4to6",
     IP(src=B4, dst=A4, ttl=64) / ICMP(type=0, id=0x4321, seq=7) / data[:56],
     IPv6(src=B6, dst=A6, hlim=63) / ICMPv6EchoReply(id=0x4321, seq=7, data=data[:56]))

print(json.dumps(cases))
