#!/usr/bin/python3
"""Traffic for the correlate referee (test/referee/tayga-correlate.test.ts): ordinary exchanges
between an IPv6 host and an IPv4 host through TAYGA, both ways, plus the packets a translator
answers itself (hop limit / TTL running out). Sent with Scapy's sendp() into TAYGA's namespace
(harness.ts); that namespace's kernel forwards them into the tun, decrementing the hop limit / TTL
by one on the way.

  inject-correlate.py --iface IF --dst-mac MAC [--gap SECONDS] [--manifest FILE]

Addresses (documentation space, only inside the test namespaces), with tayga.conf
`prefix 2001:db8:64::/96` and `map 192.0.2.10 2001:db8:6::10`:
  H6  2001:db8:6::10  <-> 192.0.2.10                   the IPv6 host (static map = EAM)
  S4  203.0.113.7     as 2001:db8:64::cb00:7107        an IPv4 server (RFC 6052 /96)
  R4  203.0.113.1     as 2001:db8:64::cb00:7101        an IPv4 router (sends an ICMP error)
"""
import argparse
import json

from scapy.config import conf

conf.verb = 0
from scapy.layers.inet import IP, ICMP, TCP, UDP  # noqa: E402
from scapy.layers.inet6 import IPv6, ICMPv6EchoRequest  # noqa: E402
from scapy.layers.l2 import Ether  # noqa: E402
from scapy.packet import Raw  # noqa: E402
from scapy.sendrecv import sendp  # noqa: E402

H6, H6_4 = "2001:db8:6::10", "192.0.2.10"
S4, S4_6 = "203.0.113.7", "2001:db8:64::cb00:7107"
R4 = "203.0.113.1"


def payload(i, n):
    return bytes(((i * 31 + k * 7) & 0xFF) for k in range(n))


def packets():
    out = []
    # IPv6 host -> IPv4 server: UDP datagrams, a TCP handshake and data, pings.
    for i in range(10):
        out.append(("udp6-%d" % i, 6, IPv6(src=H6, dst=S4_6, hlim=64) / UDP(sport=40000 + i, dport=7000) / Raw(payload(i, 20 + 10 * i))))
    out.append(("tcp6-syn", 6, IPv6(src=H6, dst=S4_6, hlim=64, tc=0x28) / TCP(sport=41000, dport=443, flags="S", seq=1000, window=64800, options=[("MSS", 1440), ("SAckOK", b""), ("WScale", 7)])))
    out.append(("tcp6-ack", 6, IPv6(src=H6, dst=S4_6, hlim=64) / TCP(sport=41000, dport=443, flags="A", seq=1001, ack=5001, window=502)))
    out.append(("tcp6-data", 6, IPv6(src=H6, dst=S4_6, hlim=64) / TCP(sport=41000, dport=443, flags="PA", seq=1001, ack=5001, window=502) / Raw(payload(50, 200))))
    for i in range(3):
        out.append(("ping6-%d" % i, 6, IPv6(src=H6, dst=S4_6, hlim=64) / ICMPv6EchoRequest(id=0x77, seq=i + 1, data=payload(i, 32))))
    out.append(("udp6-big", 6, IPv6(src=H6, dst=S4_6, hlim=64) / UDP(sport=40100, dport=7000) / Raw(payload(9, 1300))))
    # Hop limit 2: 1 when it reaches TAYGA, which answers with ICMPv6 Time Exceeded.
    out.append(("udp6-hlim", 6, IPv6(src=H6, dst=S4_6, hlim=2) / UDP(sport=40200, dport=33434) / Raw(payload(3, 24))))
    # IPv4 server -> IPv6 host: replies.
    for i in range(10):
        out.append(("udp4-%d" % i, 4, IP(src=S4, dst=H6_4, ttl=64, id=100 + i, flags="DF") / UDP(sport=7000, dport=40000 + i) / Raw(payload(i + 20, 30 + 10 * i))))
    out.append(("tcp4-synack", 4, IP(src=S4, dst=H6_4, ttl=64, id=200, flags="DF", tos=0xb8) / TCP(sport=443, dport=41000, flags="SA", seq=5000, ack=1001, window=65160, options=[("MSS", 1460)])))
    out.append(("tcp4-data", 4, IP(src=S4, dst=H6_4, ttl=64, id=201, flags="DF") / TCP(sport=443, dport=41000, flags="PA", seq=5001, ack=1201, window=501) / Raw(payload(60, 400))))
    for i in range(3):
        out.append(("pong4-%d" % i, 4, IP(src=S4, dst=H6_4, ttl=64, id=300 + i) / ICMP(type=0, id=0x77, seq=i + 1) / Raw(payload(i, 32))))
    # DF=0 and 1400 bytes: TAYGA fragments it for the IPv6 side (1280-byte packets).
    out.append(("udp4-big", 4, IP(src=S4, dst=H6_4, ttl=64, id=0x4242) / UDP(sport=7000, dport=40100) / Raw(payload(8, 1372))))
    # A router on the IPv4 side: port unreachable for one of the host's translated datagrams.
    quoted = IP(src=H6_4, dst=S4, ttl=62, id=0, flags="DF") / UDP(sport=40003, dport=7000) / Raw(payload(3, 50))
    out.append(("icmp4-unreach", 4, IP(src=R4, dst=H6_4, ttl=64, id=400) / ICMP(type=3, code=3) / Raw(bytes(quoted)[:28 + 8])))
    # TTL 2: 1 at TAYGA, which answers with ICMPv4 Time Exceeded.
    out.append(("udp4-ttl", 4, IP(src=S4, dst=H6_4, ttl=2, id=500) / UDP(sport=7001, dport=33434) / Raw(payload(4, 24))))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--dst-mac", required=True)
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--manifest")
    a = ap.parse_args()
    pk = packets()
    frames = [Ether(dst=a.dst_mac, type=0x86DD if fam == 6 else 0x0800) / p for (_, fam, p) in pk]
    sendp(frames, iface=a.iface, inter=a.gap)
    if a.manifest:
        with open(a.manifest, "w") as f:
            json.dump([{"name": n, "family": fam, "len": len(p), "expect": "xlat", "count": 1} for (n, fam, p) in pk], f)


if __name__ == "__main__":
    main()
