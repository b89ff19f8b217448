#!/usr/bin/python3
"""Reference packets built by Scapy (Debian python3-scapy), printed as JSON: the bytes Scapy
emits (checksums computed by Scapy) and the field values Scapy reads back. The nat64scope tests
decode these bytes and compare fields, and build the same packets with the project's builder and
compare bytes."""
import json, sys
from scapy.all import (Ether, Dot1Q, Dot1AD, IP, IPv6, TCP, UDP, ICMP, ICMPv6EchoRequest,
                       ICMPv6EchoReply, ICMPv6PacketTooBig, ICMPv6DestUnreach, ICMPv6TimeExceeded,
                       IPv6ExtHdrFragment, IPv6ExtHdrHopByHop, IPv6ExtHdrDestOpt, IPv6ExtHdrRouting,
                       ICMPv6ND_RA, Raw, DNS, DNSQR, DNSRR, CookedLinux, raw)
try:
    from scapy.layers.inet6 import ICMPv6NDOptPREF64
except Exception:
    ICMPv6NDOptPREF64 = None

V = []
def add(name, pkt, link='raw', **fields):
    V.append({'name': name, 'link': link, 'hex': raw(pkt).hex(), 'fields': fields})

H6, R6 = '2600:1f14:abc:de00::10', '64:ff9b::c633:6407'
add('v6-tcp-syn', IPv6(src=H6, dst=R6, hlim=64)/TCP(sport=49152, dport=443, flags='S', seq=1000, window=65535,
    options=[('MSS', 1440), ('SAckOK', b''), ('Timestamp', (1, 0)), ('NOP', None), ('WScale', 7)]),
    src=H6, dst=R6, proto=6, ttl=64, sport=49152, dport=443, tcpFlags=2, mss=1440, ws=7)
add('v6-udp-ntp', IPv6(src=H6, dst='64:ff9b::cb00:717b', hlim=63)/UDP(sport=123, dport=123)/Raw(b'\x23' + b'\x00' * 47),
    src=H6, dst='64:ff9b::cb00:717b', proto=17, ttl=63, sport=123, dport=123)
add('v4-tcp-synack', IP(src='198.51.100.7', dst='10.0.1.25', ttl=52, id=0x1234, flags='DF')/TCP(sport=443, dport=1025, flags='SA', seq=5, ack=1001, window=26883, options=[('MSS', 1460)]),
    src='198.51.100.7', dst='10.0.1.25', proto=6, ttl=52, sport=443, dport=1025, tcpFlags=0x12, mss=1460)
add('v4-udp-dns-query', IP(src='10.0.1.25', dst='10.0.0.2', ttl=64)/UDP(sport=40000, dport=53)/DNS(id=0x1a2b, rd=1, qd=DNSQR(qname='example.com', qtype='A')),
    src='10.0.1.25', dst='10.0.0.2', proto=17, ttl=64, sport=40000, dport=53, dnsId=0x1a2b, qname='example.com', qtype='A')
add('v6-udp-dns-aaaa-resp', IPv6(src='fd00:ec2::253', dst=H6)/UDP(sport=53, dport=41000)/DNS(id=7, qr=1, rd=1, ra=1, qd=DNSQR(qname='api.example.com', qtype='AAAA'),
    an=DNSRR(rrname='api.example.com', type='AAAA', ttl=60, rdata='64:ff9b::c633:6407')),
    src='fd00:ec2::253', dst=H6, proto=17, ttl=64, sport=53, dport=41000, dnsId=7, qname='api.example.com', qtype='AAAA', answer='64:ff9b::c633:6407')
add('v6-icmp-echo', IPv6(src=H6, dst='64:ff9b::c000:201')/ICMPv6EchoRequest(id=0x77, seq=3, data=b'abcdefgh'),
    src=H6, dst='64:ff9b::c000:201', proto=58, ttl=64, icmpType=128, icmpCode=0, icmpId=0x77)
add('v4-icmp-echo-reply', IP(src='192.0.2.1', dst='10.0.1.25', ttl=250)/ICMP(type=0, id=0x77, seq=3)/Raw(b'abcdefgh'),
    src='192.0.2.1', dst='10.0.1.25', proto=1, ttl=250, icmpType=0, icmpCode=0, icmpId=0x77)
inner = IPv6(src=H6, dst=R6, plen=1432)/TCP(sport=49152, dport=443, flags='A', seq=2000, ack=9)
add('v6-ptb', IPv6(src='64:ff9b::c633:6401', dst=H6)/ICMPv6PacketTooBig(mtu=1280)/raw(inner)[:48],
    src='64:ff9b::c633:6401', dst=H6, proto=58, icmpType=2, icmpCode=0, mtu=1280, innerSrc=H6, innerDst=R6, innerSport=49152, innerDport=443)
add('v6-frag-first', IPv6(src=H6, dst=R6)/IPv6ExtHdrFragment(id=0xabcdef01, offset=0, m=1, nh=17)/raw(UDP(sport=5000, dport=6000, len=2008, chksum=0x1234))/Raw(b'x' * 1224),
    src=H6, dst=R6, proto=17, fragId=0xabcdef01, fragOffset=0, fragMore=True)
add('v6-frag-second', IPv6(src=H6, dst=R6)/IPv6ExtHdrFragment(id=0xabcdef01, offset=154, m=0, nh=17)/Raw(b'y' * 776),
    src=H6, dst=R6, proto=17, fragId=0xabcdef01, fragOffset=1232, fragMore=False)
add('v4-frag-second', IP(src='10.0.1.25', dst='198.51.100.7', id=999, frag=185, proto=17)/Raw(b'z' * 100),
    src='10.0.1.25', dst='198.51.100.7', proto=17, fragId=999, fragOffset=1480, fragMore=False)
add('v6-ext-chain', IPv6(src=H6, dst=R6)/IPv6ExtHdrHopByHop()/IPv6ExtHdrDestOpt()/UDP(sport=1, dport=2)/Raw(b'hi'),
    src=H6, dst=R6, proto=17, sport=1, dport=2)
add('v6-routing-sl0', IPv6(src=H6, dst=R6)/IPv6ExtHdrRouting(addresses=['2001:db8::1'], segleft=0)/TCP(sport=3, dport=4, flags='S'),
    src=H6, dst=R6, proto=6, sport=3, dport=4, tcpFlags=2)
add('eth-v6-tcp', Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/IPv6(src=H6, dst=R6)/TCP(sport=49153, dport=443, flags='PA', seq=7, ack=8)/Raw(b'GET / HTTP/1.1\r\n\r\n'),
    link='ethernet', src=H6, dst=R6, proto=6, sport=49153, dport=443, tcpFlags=0x18)
add('eth-vlan-v4-udp', Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/Dot1Q(vlan=100)/IP(src='10.0.1.25', dst='203.0.113.123')/UDP(sport=123, dport=123)/Raw(b'\x23' + b'\x00' * 47),
    link='ethernet', src='10.0.1.25', dst='203.0.113.123', proto=17, sport=123, dport=123, vlan=100)
add('eth-qinq-v6-icmp', Ether(src='02:00:00:00:00:01', dst='02:00:00:00:00:02')/Dot1AD(vlan=10)/Dot1Q(vlan=20)/IPv6(src=H6, dst='64:ff9b::c000:201')/ICMPv6EchoReply(id=1, seq=1),
    link='ethernet', src=H6, dst='64:ff9b::c000:201', proto=58, icmpType=129, vlan=10, innerVlan=20)
add('sll-v6-udp', CookedLinux(pkttype=4, lladdrtype=1, lladdrlen=6, src=b'\x02\x00\x00\x00\x00\x01\x00\x00', proto=0x86dd)/IPv6(src=H6, dst=R6)/UDP(sport=7, dport=8),
    link='linux-sll', src=H6, dst=R6, proto=17, sport=7, dport=8)
add('v4-tcp-badsum', IP(src='10.0.1.25', dst='198.51.100.7')/TCP(sport=1025, dport=443, flags='S', chksum=0xdead),
    src='10.0.1.25', dst='198.51.100.7', proto=6, l4checksum='bad')
add('v4-udp-zerosum', IP(src='10.0.1.25', dst='198.51.100.7')/UDP(sport=1, dport=2, chksum=0)/Raw(b'abc'),
    src='10.0.1.25', dst='198.51.100.7', proto=17, l4checksum='zero')
dest_unreach = IPv6(src='64:ff9b::c633:6401', dst=H6)/ICMPv6DestUnreach(code=1)/raw(IPv6(src=H6, dst=R6)/UDP(sport=9, dport=10))
add('v6-dest-unreach', dest_unreach, src='64:ff9b::c633:6401', dst=H6, icmpType=1, icmpCode=1, innerSport=9, innerDport=10)
if ICMPv6NDOptPREF64 is not None:
    add('v6-ra-pref64', IPv6(src='fe80::1', dst='ff02::1', hlim=255)/ICMPv6ND_RA()/ICMPv6NDOptPREF64(prefix='64:ff9b::', plc=0, scaledlifetime=225),
        src='fe80::1', dst='ff02::1', icmpType=134, pref64='64:ff9b::/96', pref64Lifetime=1800)
json.dump(V, sys.stdout)
