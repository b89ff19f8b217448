/**
 * Where Debian's TAYGA (0.9.2-8) and nat64scope's SIIT engine may differ, and why: TAYGA's known
 * departures from RFC 7915 (and the RFCs it leans on), found by reading TAYGA's source (nat64.c,
 * addrmap.c, conffile.c of 0.9.2 plus Debian's static-EAM patch) and confirmed by the captures of
 * test/referee/tayga.test.ts. DEPARTURES.md beside this file is the same table in prose.
 *
 * kind: `departure` — TAYGA does not do what the RFC says (MUST / SHOULD / the translation tables);
 *       `choice`    — the RFC leaves it open and TAYGA chose differently from nat64scope.
 *
 * A difference is explained only by an entry naming its case (exact name, or a prefix ending in
 * `*`) and its field (exact, or a prefix ending in `*`; `[i] ` output indexes are ignored), and,
 * where `values` is given, only when TAYGA's / our values are those.
 */
import type { EngineConfig } from '../../../src/xlat/config-types.js';

export interface Departure {
  id: string;
  kind: 'departure' | 'choice';
  title: string;
  /** What TAYGA does, and where in its source. */
  tayga: string;
  /** What the RFC says (quoted), and where. */
  rfc: string;
  /** What nat64scope does instead. */
  ours: string;
  cases: string[];
  fields: string[];
  values?: { tayga?: string; ours?: string };
  /**
   * The same cases again with this change to our configuration must then agree with TAYGA on
   * every field (so a departure in one respect does not hide differences in the others).
   */
  rerun?: (cfg: EngineConfig) => void;
}

const SIX_TO_FOUR_TRANSLATED = [
  '6to4 tcp syn', '6to4 tcp ack+data', '6to4 udp', '6to4 udp odd length', '6to4 icmpv6 echo request',
  '6to4 icmpv6 echo reply', '6to4 traffic class 0xb8 + flow label', '6to4 traffic class ecn ce',
  '6to4 hop limit 2 at translator', '6to4 hop-by-hop options header', '6to4 icmpv6 port unreachable',
  '6to4 icmpv6 no route (code 0)', '6to4 icmpv6 admin prohibited (code 1)', '6to4 icmpv6 beyond scope (code 2)',
  '6to4 icmpv6 packet too big 1400', '6to4 icmpv6 hop limit exceeded', '6to4 icmpv6 reassembly time exceeded',
  '6to4 icmpv6 param problem code 1 (next header)', '6to4 icmpv6 no route from unmapped source',
  // Compared field by field only in the strictWellKnownPrefix: false re-run (wkp-nonglobal-list).
  '6to4 wkp + rfc6598 (100.64.0.20)',
];

export const DEPARTURES: Departure[] = [
  {
    id: 'df-always-set',
    kind: 'departure',
    title: 'IPv6 -> IPv4: DF is always set on unfragmented packets',
    tayga: 'nat64.c xlate_header_6to4(): without a Fragment Header, Identification = 0 and flags = IP4_F_DF, whatever the size (also for the packet quoted inside a translated ICMPv6 error).',
    rfc: 'RFC 7915 §5.1, Flags: "The Don\'t Fragment (DF) flag is set as follows: If the size of the translated IPv4 packet is less than or equal to 1260 bytes, it is set to zero; otherwise, it is set to one." §5.3 translates the quoted packet the same way.',
    ours: 'DF = 0 up to 1260 bytes, 1 above (Identification 0 with ipv4Identification: zero); Identification and DF agree with TAYGA on every packet above 1260 bytes.',
    cases: SIX_TO_FOUR_TRANSLATED,
    fields: ['ip4.df', 'inner.ip4.df'],
    values: { tayga: '1', ours: '0' },
  },
  {
    id: 'ident-after-small-mtu',
    kind: 'departure',
    title: 'IPv6 -> IPv4: per-destination Identification after a Fragmentation Needed below 1280',
    tayga: 'nat64.c xlate_4to6_icmp_error(): an ICMPv4 Fragmentation Needed whose MTU + 20 is below 1280 is advertised as 1280 and marks the inner destination CACHE_F_GEN_IDENT (allow_ident_gen, on by default in conffile.c); xlate_header_6to4() then gives later unfragmented packets to that destination up to 1280 bytes a per-destination counter as Identification (1, 2, ...) and DF = 0: the RFC 6145-era answer to IPv4 paths below 1260, kept as state in a stateless translator.',
    rfc: 'RFC 7915 §5.1 decides DF from the translated packet alone ("If the size of the translated IPv4 packet is less than or equal to 1260 bytes, it is set to zero; otherwise, it is set to one."), and RFC 7915 drops RFC 6145\'s atomic-fragment / Packet-Too-Big-below-1280 machinery (RFC 8021, "Generation of IPv6 Atomic Fragments Considered Harmful").',
    ours: 'Stateless: the packet after the Fragmentation Needed is translated like any other (Identification 0, DF by the 1260-byte rule). Both advertise 1280 in the translated Packet Too Big.',
    cases: ['6to4 udp after frag needed mtu 1000'],
    fields: ['ip4.ident'],
    values: { tayga: '1', ours: '0' },
  },
  {
    id: 'ptb-uses-ipv6-size',
    kind: 'departure',
    title: 'IPv6 -> IPv4: Packet Too Big measured on the IPv6 packet, advertising the IPv4 MTU unadjusted',
    tayga: 'nat64.c xlate_6to4_data(): "if (sizeof(struct ip6) + p->header_len + p->data_len > gcfg->mtu) host_send_icmp6_error(2, 0, gcfg->mtu, p)": the IPv6 packet (not its 20-byte-shorter IPv4 translation) is compared with TAYGA\'s single MTU (the tun\'s, 1500), and that MTU is advertised as is. A 1510-byte IPv6 packet, 1490 bytes once translated, is refused although it fits; the advertised 1500 is 20 bytes below what the IPv4 link carries.',
    rfc: 'RFC 7915 §4.2 (Fragmentation Needed -> Packet Too Big): "The MTU field MUST be adjusted for the difference between the IPv4 and IPv6 header sizes"; the IPv6 path MTU through an IPv4 link of MTU m is m + 20, and RFC 7915 §5.1 translation removes 20 bytes (40-byte IPv6 header -> 20-byte IPv4 header).',
    ours: 'Packet Too Big only when the translated IPv4 packet exceeds mtu.ipv4, with MTU max(1280, mtu.ipv4 + 20) = 1520; the 1510-byte packet is translated.',
    cases: ['6to4 udp 1550 bytes (over the 1500 MTU)', '6to4 udp 1510 bytes (fits IPv4 1500 once translated)'],
    fields: ['icmp.rest', 'output.kind'],
  },
  {
    id: 'wkp-nonglobal-list',
    kind: 'departure',
    title: 'Well-Known Prefix: TAYGA\'s list of non-global IPv4 space is shorter than the registry',
    tayga: 'addrmap.c is_private_ip4_addr(): with 64:ff9b::/96 only 10/8, 172.16/12, 192.168/16, 192.0.2/24, 198.18/15, 198.51.100/24 and 203.0.113/24 are refused (plus 127/8, 169.254/16, 224/3 everywhere, validate_ip4_addr()). 100.64.0.0/10 (RFC 6598 shared space), 192.0.0.0/24, 0.0.0.0/8 (Debian\'s 0007-static-EAM patch removed that check) and others pass.',
    rfc: 'RFC 6052 §3.1: "The Well-Known Prefix MUST NOT be used to represent non-global IPv4 addresses, such as those defined in [RFC1918] or listed in Section 3 of [RFC5735]." Non-global = "Globally Reachable: False" in the IANA IPv4 Special-Purpose Address Registry (RFC 6890), which includes 100.64.0.0/10.',
    ours: 'strictWellKnownPrefix: true uses the IANA registry: 64:ff9b::100.64.0.20 is refused (drop, WellKnownPrefixNonGlobal). Re-run with strictWellKnownPrefix: false, the prefix translation agrees with TAYGA field by field.',
    cases: ['6to4 wkp + rfc6598 (100.64.0.20)', '4to6 wkp source rfc6598 (100.64.0.20)'],
    fields: ['outputs'],
    rerun: (cfg) => {
      cfg.strictWellKnownPrefix = false;
    },
  },
  {
    id: 'unmappable-destination-icmp',
    kind: 'choice',
    title: 'IPv6 -> IPv4: an untranslatable destination is answered with ICMPv6 Destination Unreachable',
    tayga: 'nat64.c xlate_6to4_data(): when map_ip6_to_ip4() fails for the destination (here 64:ff9b::198.51.100.30, refused by RFC 6052 §3.1), TAYGA sends ICMPv6 type 1 code 0 from ipv6-addr (host_send_icmp6_error(1, 0, 0, p)); an untranslatable source gets type 1 code 5.',
    rfc: 'RFC 7915 does not say what to do with a packet whose address cannot be translated (RFC 6052 §3.1 only forbids the translation). A router without a route may send Destination Unreachable (RFC 4443 §3.1: "SHOULD be generated by a router ... in response to a packet that cannot be delivered"), so both behaviours are open.',
    ours: 'Dropped silently with reason WellKnownPrefixNonGlobal (the drop report says why).',
    cases: ['6to4 wkp + documentation (198.51.100.30)'],
    fields: ['outputs'],
  },
  {
    id: 'icmpv6-address-unreachable',
    kind: 'departure',
    title: 'ICMPv6 Destination Unreachable code 3 (address unreachable) is not translated',
    tayga: 'nat64.c xlate_6to4_icmp_error(): codes 0 and 2 -> 3/1, 1 -> 3/10, 4 -> 3/3; code 3 falls to "default: return" (dropped).',
    rfc: 'RFC 7915 §5.2, Destination Unreachable (Type 1): "Code 3 (Address unreachable): Set the Code to 1 (Host unreachable)."',
    ours: 'ICMPv4 type 3 code 1.',
    cases: ['6to4 icmpv6 address unreachable (code 3)'],
    fields: ['outputs'],
  },
  {
    id: 'parameter-problem-dropped',
    kind: 'departure',
    title: 'ICMP Parameter Problem (pointer) is not translated, either way',
    tayga: 'nat64.c xlate_6to4_icmp_error() / xlate_4to6_icmp_error(): Parameter Problem code 0 (IPv6) and type 12 code 0 (IPv4) end in "/* XXX do this and remove return */ return;" (only ICMPv6 code 1 becomes ICMPv4 Protocol Unreachable).',
    rfc: 'RFC 7915 §5.2: "Code 0 (Erroneous header field encountered): Set the Type to 12 (Parameter Problem) and the Code to 0 (Pointer indicates the error), and update the pointer as defined in Figure 6." RFC 7915 §4.2: "Code 0 (Pointer indicates the error): Set the Code to 0 (Erroneous header field encountered) and update the pointer as defined in Figure 3".',
    ours: 'Translated with the pointer mapped (IPv6 pointer 7, Hop Limit -> IPv4 pointer 8, TTL; IPv4 pointer 8 -> IPv6 pointer 7).',
    cases: ['6to4 icmpv6 param problem code 0 ptr 7', '4to6 icmp param problem ptr 8'],
    fields: ['outputs'],
  },
  {
    id: 'untranslatable-error-source',
    kind: 'departure',
    title: 'ICMP errors from untranslatable sources: only "no route" and "too big" survive',
    tayga: 'nat64.c xlate_6to4_icmp_error() / xlate_4to6_icmp_error(): when the error\'s source has no mapping, TAYGA substitutes its own ipv4-addr / ipv6-addr only where it set allow_fake_source (Destination Unreachable "no route"-type codes and Packet Too Big / Fragmentation Needed); every other error (Time Exceeded, Port Unreachable, ...) is dropped. (Where it does substitute, it agrees with our RFC 6791 pool = its own address.)',
    rfc: 'RFC 6791 (to which RFC 7915 defers for ICMPv6 errors from IPv6 routers without an IPv4-translatable address), paraphrased: the translator SHOULD source the translated ICMPv4 error from an address of its IPv4 pool (or, without a pool, its own IPv4 address), so that traceroute and PMTUD keep working, whatever the error type. The IPv4 -> IPv6 direction has no such text: there it is a choice.',
    ours: 'Every translatable error from an untranslatable source gets the RFC 6791 pool address (configured as TAYGA\'s own addresses).',
    cases: ['6to4 icmpv6 time exceeded from unmapped source', '4to6 icmp ttl exceeded from unmapped source'],
    fields: ['outputs'],
  },
  {
    id: 'ipv6-udp-zero-checksum',
    kind: 'choice',
    title: 'IPv6 UDP with checksum 0 is dropped',
    tayga: 'nat64.c xlate_payload_6to4(): "if (!*tck) return -1; /* drop UDP packets with no checksum */" in both directions.',
    rfc: 'RFC 7915 is silent on IPv6 UDP with a zero checksum (its §4.5 is about IPv4 UDP checksum 0). RFC 8200 §8.1: "IPv6 receivers must discard UDP packets containing a zero checksum" (RFC 6936 relaxes it only for tunnels); a translator is not the receiver, but forwarding such a packet turns an invalid IPv6 datagram into a valid IPv4 one without a checksum.',
    ours: 'Translated, keeping checksum 0 (IPv4 "no checksum"). An open point for the SIIT engine (TAYGA\'s drop is arguably the safer reading).',
    cases: ['6to4 udp zero checksum'],
    fields: ['outputs'],
  },
  {
    id: 'truncated-inner-checksum',
    kind: 'choice',
    title: 'Checksum of a truncated packet inside an ICMP error is still updated',
    tayga: 'nat64.c xlate_4to6_icmp_error() calls xlate_payload_4to6() on the quoted packet whatever its length, so the quoted UDP/TCP checksum gets the RFC 1624 pseudo-header update even when the quote is shorter than the packet\'s Total Length (here a 1500-byte packet quoted in 28 bytes).',
    rfc: 'RFC 7915 §4.3 / §5.3 translate the quoted packet "as for the outer" packet but say nothing of its transport checksum; an incremental update is exact whatever is quoted (it only depends on the addresses), and it reproduces the checksum the IPv6 host itself sent.',
    ours: 'Leaves the quoted checksum alone when the quote is truncated (header-translator.ts: "checksums left alone when it is truncated"); with a whole quote both update it and agree. An open point for the SIIT engine.',
    cases: ['4to6 icmp frag needed mtu 0 (plateau)'],
    fields: ['inner.l4.head'],
  },
];

/** The id of the departure that explains a difference in `field` for `caseName`, or null. */
export function findDeparture(caseName: string, field: string, taygaValue?: string, oursValue?: string): string | null {
  const f = field.replace(/^\[\d+\] /, '');
  const match = (pattern: string, s: string) => (pattern.endsWith('*') ? s.startsWith(pattern.slice(0, -1)) : pattern === s);
  for (const d of DEPARTURES) {
    if (!d.cases.some((c) => match(c, caseName))) continue;
    if (!d.fields.some((p) => match(p, f))) continue;
    if (d.values?.tayga !== undefined && taygaValue !== undefined && d.values.tayga !== taygaValue) continue;
    if (d.values?.ours !== undefined && oursValue !== undefined && d.values.ours !== oursValue) continue;
    return d.id;
  }
  return null;
}
