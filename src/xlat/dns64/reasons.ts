/**
 * Why the DNS64 engine answered a query the way it did: a stable kebab-case id (the `reason` of
 * `dns64 --json`) and a sentence template. Each maps to the RFC 6147 / RFC 8880 rule it applies.
 */
export const Dns64Reason = {
  /** §5.1.1/§5.1.4: the resolver returned AAAA records outside the exclusion set: kept. */
  NativeAaaa: 'native-aaaa',
  /** §5.1.4: native AAAA kept, the records inside the exclusion set removed. */
  NativeAaaaExcludedRemoved: 'native-aaaa-excluded-removed',
  /** §5.1.6/§5.1.7: no usable AAAA; synthesized from the A records, TTL per §5.1.7. */
  Synthesized: 'synthesized',
  /** §5.1.4: every AAAA was in the exclusion set (e.g. ::ffff:0:0/96): treated as none, synthesized. */
  SynthesizedExcluded: 'synthesized-excluded',
  /** §5.1.2: an RCODE other than NOERROR/NXDOMAIN is treated as an empty answer: synthesized. */
  SynthesizedRcode: 'synthesized-rcode',
  /** `synthAll`: synthesized although the resolver had native AAAA. */
  SynthesizedAll: 'synthesized-all',
  /** §5.1.2: NXDOMAIN is returned as is. */
  Nxdomain: 'nxdomain',
  /** §5.1.6: the A query came back empty (or NXDOMAIN): the AAAA response is returned as is. */
  NoA: 'no-a-records',
  /** No A data for the name in the capture or the zone file: the resolver's answer is kept. */
  NoAData: 'no-a-data',
  /** §5.5: DO and CD set: the DNS64 must not synthesize; the data is returned as is. */
  DoCd: 'do-cd',
  /** --dns64-compat bind (break-dnssec no): DO set and the answer signed: not synthesized. */
  DoSigned: 'do-signed',
  /** --dns64-compat unbound: CD set: not synthesized. */
  CdSet: 'cd-set',
  /** The resolver's response was truncated (TC): the client retries over TCP; kept. */
  Truncated: 'truncated',
  /** §5.3.1: PTR for an ip6.arpa name inside a prefix: CNAME to the in-addr.arpa name. */
  PtrCname: 'ptr-cname',
  /** PTR for an ip6.arpa name outside every prefix (or ptr: off, or not a full address): kept. */
  PtrPassed: 'ptr-passed',
  /** RFC 8880 §7.2: ipv4only.arpa answered locally from the well-known addresses. */
  Ipv4only: 'ipv4only-local',
  /** §5.1.6 with RFC 6052 §3.1: every A record was a non-global IPv4 behind the well-known prefix. */
  NonGlobalA: 'non-global-a',
} as const;
export type Dns64ReasonId = (typeof Dns64Reason)[keyof typeof Dns64Reason];

/** Every reason with its one-line meaning (README, `--help`). */
export const DNS64_REASON_DOC: Readonly<Record<Dns64ReasonId, string>> = {
  'native-aaaa': 'the resolver returned usable AAAA records: kept as they are (RFC 6147 §5.1.1)',
  'native-aaaa-excluded-removed': 'native AAAA kept, the ones inside the exclusion set removed (RFC 6147 §5.1.4)',
  synthesized: 'no AAAA: synthesized from the A records, TTL = min(A TTL, negative TTL of the empty AAAA answer) (RFC 6147 §5.1.6, §5.1.7)',
  'synthesized-excluded': 'every AAAA was inside the exclusion set (::ffff:0:0/96 by default): treated as none and synthesized (RFC 6147 §5.1.4)',
  'synthesized-rcode': 'the AAAA query failed with an RCODE other than NXDOMAIN: treated as an empty answer and synthesized (RFC 6147 §5.1.2)',
  'synthesized-all': 'synthAll: synthesized although native AAAA existed',
  nxdomain: 'the name does not exist: NXDOMAIN returned as is (RFC 6147 §5.1.2)',
  'no-a-records': 'no AAAA and the A query came back empty too: the AAAA response returned as is (RFC 6147 §5.1.6)',
  'no-a-data': 'no A data for the name in the capture or the zone file: the resolver\'s answer kept',
  'do-cd': 'the query had DO and CD set: a DNS64 must not synthesize, the data goes back as is (RFC 6147 §5.5)',
  'do-signed': 'BIND (break-dnssec no): DO set and the answer is signed: not synthesized (--dns64-compat bind)',
  'cd-set': 'Unbound: CD set: not synthesized (--dns64-compat unbound)',
  truncated: 'the resolver\'s answer was truncated (TC): the client retries over TCP, kept as is',
  'ptr-cname': 'PTR for an address inside the prefix: answered with a CNAME to the in-addr.arpa name (RFC 6147 §5.3.1)',
  'ptr-passed': 'PTR outside every prefix (or ptr: off): kept as is',
  'ipv4only-local': 'ipv4only.arpa answered locally with 192.0.0.170/171 under each prefix (RFC 8880 §7.2)',
  'non-global-a': 'every A record was a non-global IPv4 address, which RFC 6052 §3.1 forbids behind 64:ff9b::/96: not synthesized',
};
