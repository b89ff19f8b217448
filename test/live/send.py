#!/usr/bin/python3
"""Known traffic for the live-capture tests: IPv6 TCP, UDP, ICMPv6 and DNS to 64:ff9b::/96
addresses, sent as Ethernet frames with Scapy (no kernel stack on the sending side: no neighbour
discovery, nothing but these frames on the wire). Writes the frames it sends to --pcap so the test
can compare the capture byte for byte.

  send.py --iface n64la --pcap sent.pcap [--set basic|tayga] [--gap 0.01] [--count N]
"""
import argparse
import sys

from scapy.all import Ether, IPv6, TCP, UDP, ICMPv6EchoRequest, DNS, DNSQR, DNSRR, Raw, sendp, wrpcap  # noqa: E402

SRC = "2001:db8:1::2"
SMAC = "02:00:00:00:64:0a"
DMAC = "02:00:00:00:64:0b"


def basic():
    """Six packets from an IPv6-only host to IPv4 servers behind 64:ff9b::/96."""
    eth = Ether(src=SMAC, dst=DMAC)
    web = "64:ff9b::c633:6407"   # 198.51.100.7
    dns = "64:ff9b::c633:6435"   # 198.51.100.53
    return [
        eth / IPv6(src=SRC, dst=web, hlim=64) / TCP(sport=40000, dport=443, flags="S", seq=1000, window=64240, options=[("MSS", 1440)]),
        eth / IPv6(src=SRC, dst=web, hlim=64) / TCP(sport=40000, dport=443, flags="A", seq=1001, ack=5001, window=502),
        eth / IPv6(src=SRC, dst=web, hlim=64) / TCP(sport=40000, dport=443, flags="PA", seq=1001, ack=5001, window=502) / Raw(b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"),
        eth / IPv6(src=SRC, dst=web, hlim=64) / UDP(sport=40001, dport=123) / Raw(b"\x23" + b"\x00" * 47),
        eth / IPv6(src=SRC, dst=web, hlim=64) / ICMPv6EchoRequest(id=0x1234, seq=1, data=b"nat64scope-live"),
        eth / IPv6(src=SRC, dst=dns, hlim=64) / UDP(sport=40002, dport=53) / DNS(id=0x4242, rd=1, qd=DNSQR(qname="ipv4only.arpa", qtype="A")),
    ]


def dns64():
    """A resolver without DNS64 answers an IPv6-only client: A data for v4only.example.net, then
    an AAAA answer with no AAAA (NODATA). The DNS64 engine answers it with 64:ff9b::c633:6409."""
    eth = Ether(src=SMAC, dst=DMAC)
    res = "2001:db8:1::53"
    soa = DNSRR(rrname="example.net", type="SOA", ttl=300, rdata=b"\x02ns\x07example\x03net\x00\x04host\x07example\x03net\x00" + bytes(16) + (300).to_bytes(4, "big"))
    return [
        eth / IPv6(src=res, dst=SRC, hlim=64) / UDP(sport=53, dport=40010) / DNS(id=0x5151, qr=1, rd=1, ra=1, qd=DNSQR(qname="v4only.example.net", qtype="A"), an=DNSRR(rrname="v4only.example.net", type="A", ttl=60, rdata="198.51.100.9")),
        eth / IPv6(src=res, dst=SRC, hlim=64) / UDP(sport=53, dport=40011) / DNS(id=0x5152, qr=1, rd=1, ra=1, qd=DNSQR(qname="v4only.example.net", qtype="AAAA"), ns=soa),
    ]


def flood(n):
    """n small UDP packets (the rate test)."""
    eth = Ether(src=SMAC, dst=DMAC)
    return [eth / IPv6(src=SRC, dst="64:ff9b::c633:6407", hlim=64) / UDP(sport=41000 + (i % 1000), dport=9) / Raw(i.to_bytes(4, "big")) for i in range(n)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--iface", required=True)
    ap.add_argument("--pcap", required=True)
    ap.add_argument("--set", default="basic")
    ap.add_argument("--gap", type=float, default=0.01)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--dst-mac", default=DMAC)
    a = ap.parse_args()
    frames = basic() if a.set == "basic" else dns64() if a.set == "dns64" else flood(a.count)
    for f in frames:
        f[Ether].dst = a.dst_mac
    frames = [Ether(bytes(f)) for f in frames]  # checksums and lengths filled in, as sent
    wrpcap(a.pcap, frames)
    sendp(frames, iface=a.iface, inter=a.gap, verbose=False)
    print(len(frames))


if __name__ == "__main__":
    sys.exit(main())
