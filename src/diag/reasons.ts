/**
 * Every reason a translator drops a packet (or generates an error instead of translating it),
 * with one sentence that explains it to a user. The same codes feed the drop report
 * (`translate --explain`), the viewer and the diagnoses. Codes are stable: append, never renumber.
 * Names follow the distinctions Jool's statistics make (JSTAT_*).
 */
export const Reason = {
  None: 0,
  // Input that cannot be translated at all.
  Malformed: 1,
  Truncated: 2,
  NotIp: 3,
  // Addressing (RFC 6052, RFC 7757, RFC 6791, denylist).
  Untranslatable6Src: 10,
  Untranslatable6Dst: 11,
  Untranslatable4Src: 12,
  Untranslatable4Dst: 13,
  WellKnownPrefixNonGlobal: 14,
  Denylisted4: 15,
  UOctetNotZero: 16,
  // Router behaviour.
  TtlExpired: 20,
  HopLimitExpired: 21,
  SourceRoute: 22,
  RoutingHeaderSegmentsLeft: 23,
  FragmentationNeeded: 24,
  PacketTooBig: 25,
  // ICMP translation (RFC 7915 §4.2, §5.2).
  UntranslatableIcmp4Type: 30,
  UntranslatableIcmp6Type: 31,
  IcmpErrorAboutError: 32,
  UntranslatableInnerPacket: 33,
  UntranslatableParamProblemPointer: 34,
  // Transport.
  UdpZeroChecksum: 40,
  UdpZeroChecksumFragment: 41,
  UnknownProtocol: 42,
  // Stateful NAT64 (RFC 6146).
  NoBibEntry: 50,
  AddressDependentFiltering: 51,
  ExternallyInitiatedTcp: 52,
  Pool4Exhausted: 53,
  HairpinLoop: 54,
  Icmpv6InfoFiltered: 55,
  NoSessionForIcmpError: 56,
  Pool6Mismatch: 57,
  TcpStateDrop: 58,
  FragmentTimeout: 59,
  FragmentsHeld: 60,
  TcpIdleRst: 61,
  NotToPool4: 62,
  SimultaneousOpenExpired: 63,
  ConnectionLimit: 64,
  FragmentBufferFull: 65,
  // Profile policies.
  FragmentPolicy: 70,
  // Stateless translation (RFC 7915).
  IcmpFragment: 71,
  CannotReconstruct: 72,
} as const;
export type Reason = (typeof Reason)[keyof typeof Reason];

const DOC: Record<number, [string, string]> = {
  0: ['none', 'Not dropped.'],
  1: ['malformed', 'The packet is malformed (a header is inconsistent), so it cannot be translated.'],
  2: ['truncated', 'The capture holds only part of the packet, so it cannot be translated.'],
  3: ['not-ip', 'The frame does not carry IPv4 or IPv6.'],
  10: ['untranslatable-src6', 'The IPv6 source address is in no EAM entry and not under pool6, so it has no IPv4 form (RFC 7915 §5.1, RFC 6052).'],
  11: ['untranslatable-dst6', 'The IPv6 destination is in no EAM entry and not under pool6: it is not an IPv4-embedded address this translator serves.'],
  12: ['untranslatable-src4', 'The IPv4 source address cannot be mapped to IPv6 (no EAM entry and no pool6).'],
  13: ['untranslatable-dst4', 'The IPv4 destination is not one of this translator\'s addresses (no EAM entry, not in pool4 or a static mapping).'],
  14: ['well-known-prefix-non-global', 'RFC 6052 §3.1: a non-global IPv4 address (private, shared, loopback, documentation...) must not be used behind the well-known prefix 64:ff9b::/96.'],
  15: ['denylisted4', 'The IPv4 address is in denylist4: the translator refuses to translate to or from it.'],
  16: ['u-octet-not-zero', 'Bits 64-71 of the IPv4-embedded IPv6 address are not zero (RFC 6052 §2.2).'],
  20: ['ttl-expired', 'The IPv4 TTL would reach 0 in the translator (a router): dropped, ICMPv4 Time Exceeded sent back.'],
  21: ['hop-limit-expired', 'The IPv6 hop limit would reach 0 in the translator (a router): dropped, ICMPv6 Time Exceeded sent back.'],
  22: ['source-route', 'An unexpired IPv4 source route option: dropped with ICMPv4 3/5 (RFC 7915 §4.1).'],
  23: ['routing-header', 'An IPv6 routing header with Segments Left not zero: dropped with ICMPv6 Parameter Problem (RFC 7915 §5.1).'],
  24: ['fragmentation-needed', 'The IPv4 packet has DF set and is larger than the next-hop MTU: dropped with ICMPv4 Fragmentation Needed.'],
  25: ['packet-too-big', 'The IPv6 packet translates to an IPv4 packet larger than the next-hop MTU: dropped with ICMPv6 Packet Too Big.'],
  30: ['untranslatable-icmp4', 'This ICMPv4 type/code has no ICMPv6 counterpart (RFC 7915 §4.2): silently dropped.'],
  31: ['untranslatable-icmp6', 'This ICMPv6 type/code has no ICMPv4 counterpart (RFC 7915 §5.2): silently dropped.'],
  32: ['icmp-error-about-error', 'An ICMP error about an ICMP error is not translated, nor answered.'],
  33: ['untranslatable-inner', 'The packet inside the ICMP error cannot be translated.'],
  34: ['untranslatable-pointer', 'The Parameter Problem pointer points at a field with no counterpart (RFC 7915 §4.2, §5.2).'],
  40: ['udp-zero-checksum', 'An IPv4 UDP datagram without checksum cannot go to IPv6 where the checksum is mandatory (udpZeroChecksum: drop).'],
  41: ['udp-zero-checksum-fragment', 'A fragmented IPv4 UDP datagram without checksum: the checksum cannot be computed per fragment (RFC 7915 §4.5).'],
  42: ['unknown-protocol', 'The stateful NAT64 translates only TCP, UDP and ICMP (RFC 6146 §3.1).'],
  50: ['no-bib-entry', 'No BIB entry matches this IPv4 packet\'s destination transport address: nothing inside started this session (RFC 6146 §3.5).'],
  51: ['address-dependent-filtering', 'Address-dependent filtering: the IPv4 source never received a packet from this mapping (RFC 6146 §3.5).'],
  52: ['externally-initiated-tcp', 'An IPv4 SYN for a session that does not exist, with dropExternallyInitiatedTcp on.'],
  53: ['pool4-exhausted', 'No free transport address in pool4 for a new mapping: dropped with ICMPv6 Destination Unreachable (RFC 6146 §3.5.1.1).'],
  54: ['hairpin-loop', 'The packet would hairpin through the translator more than once.'],
  55: ['icmpv6-info-filtered', 'ICMPv6 informational packets are filtered (filtering.dropIcmpv6Info).'],
  56: ['no-session-for-icmp-error', 'The packet inside the ICMP error belongs to no session.'],
  57: ['pool6-mismatch', 'The IPv6 destination is not under pool6, so the stateful translator does not handle it.'],
  58: ['tcp-state', 'The TCP segment is not acceptable in the session\'s state (RFC 6146 §3.5.2.2).'],
  59: ['fragment-timeout', 'A fragment waited longer than timeouts.fragment for the fragment that carries the ports.'],
  60: ['fragments-held', 'Fragment held until the fragment carrying the transport header arrives.'],
  61: ['tcp-idle-rst', 'The TCP connection was idle longer than the NAT gateway\'s idle timeout: answered with a RST (AWS: 350 s).'],
  62: ['not-to-pool4', 'The IPv4 destination is not a pool4 address of this translator.'],
  63: ['simultaneous-open-expired', 'An IPv4-initiated SYN waited 6 s with no IPv6 SYN: ICMP 3/3 sent back (RFC 6146 §3.5.2.2).'],
  64: ['connection-limit', 'The translator already has the most simultaneous connections allowed to this destination (address, port, protocol) from this pool4 address (AWS NAT gateway: 55,000).'],
  65: ['fragment-buffer-full', 'Too many fragments are already held waiting for the fragment that carries the transport header; this one was dropped.'],
  70: ['fragment-policy', 'The profile drops fragments of this protocol (AWS NAT gateways drop TCP and ICMP fragments).'],
  71: ['icmp-fragment', 'A fragmented ICMP message: its checksum covers the whole message (ICMPv6 also a pseudo-header with its total length), so a stateless translator cannot fix it fragment by fragment.'],
  72: ['cannot-reconstruct', 'The packet came out of the translator, but what it received cannot be rebuilt: the mapping behind it never appeared in this capture (or it is an ICMP error).'],
};

/** Stable kebab-case id of a reason (`no-bib-entry`). */
export function reasonId(code: number): string {
  return DOC[code]?.[0] ?? `reason-${code}`;
}

/** The sentence that explains a reason to a user. */
export function reasonText(code: number): string {
  return DOC[code]?.[1] ?? `Dropped (reason ${code}).`;
}

/** Every code, for documentation and tests. */
export function allReasons(): number[] {
  return Object.keys(DOC).map(Number);
}
