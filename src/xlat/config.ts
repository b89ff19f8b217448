/**
 * The engine configuration (SPEC §3): profiles, the JSON form, and its validation into the parsed
 * `EngineConfig` the engines consume. Precedence (SPEC §2): profile defaults < config file < flags.
 *
 * Every bad value throws `ConfigError` (exit 2) whose message names the key and the rule it
 * breaks, e.g. `pool6: prefix length 33 is not one of 32,40,48,56,64,96`.
 *
 * Merging: objects (`mtu`, `timeouts`, `dns64`, ...) merge key by key; arrays (`pool4`, `bib`,
 * `eam`, `denylist4`, `mtu.plateaus`, ...) and scalars replace. A config file may carry
 * `// line` and `/* block *\/` comments (the SPEC §3 example can be pasted as is).
 */
import { readFileSync } from 'node:fs';
import type {
  EngineConfig,
  EamEntry,
  Pool4Entry,
  Prefix4,
  Prefix6Any,
  ProfileName,
  Protocol,
  StaticBibEntry,
} from './config-types.js';
import { isValidPrefixLength, type Prefix6 } from './rfc6052.js';
import { parseIpv4, parseIpv6, ipv6ToString } from '../wire/addr-text.js';
import { describeIpv4 } from './special-purpose.js';

/** Bad configuration or engine flag: exit 2 (SPEC §2). */
export class ConfigError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

// ---------------------------------------------------------------------------------------------
// The JSON form (SPEC §3)

export interface Pool4Json {
  prefix: string;
  /** `1024-65535` or `80`; optional on input (the profile's default range, see POOL4_DEFAULT_PORTS). */
  ports?: string;
  /** Optional on input: all three. */
  protocols?: Protocol[];
}
export interface BibJson {
  protocol: Protocol;
  ipv6: string;
  ipv4: string;
}
export interface EamJson {
  ipv6: string;
  ipv4: string;
}

/** The complete JSON form, as `configToJson` writes it and as the profiles are written. */
export interface ConfigJson {
  profile: ProfileName;
  mode: 'nat64' | 'siit';
  pool6: string | null;
  pool4: Pool4Json[];
  bib: BibJson[];
  eam: EamJson[];
  denylist4: string[];
  rfc6791: { ipv4: string | null; ipv6: string | null };
  translator: { ipv6: string | null; ipv4: string | null };
  mtu: { ipv6: number; ipv4: number; lowestIpv6Mtu: number; plateaus: number[] };
  udpZeroChecksum: 'drop' | 'compute';
  trafficClass: { zeroize: boolean; overrideTos: number | null };
  strictWellKnownPrefix: boolean;
  timeouts: { udp: number; tcpEstablished: number; tcpTransitory: number; icmp: number; tcpIncomingSyn: number; fragment: number };
  filtering: { addressDependent: boolean; dropExternallyInitiatedTcp: boolean; dropIcmpv6Info: boolean };
  hairpinning: 'off' | 'simple' | 'intrinsic';
  sourceIcmpv6ErrorsBetter: boolean;
  ipv4Identification: 'zero' | 'sequential' | 'hash';
  dns64: {
    enabled: boolean;
    prefixes: string[] | null;
    exclude: string[];
    synthAll: boolean;
    ptr: 'cname' | 'off';
    ttlWithoutSoa: number;
  };
  /**
   * Not in SPEC §3 (an extension): behaviours of the aws/tayga profiles that have no SPEC key.
   * See EngineConfig.policy.
   */
  policy: { tcpIdleRst: number | null; dropFragments: Protocol[]; maxConnectionsPerDestination: number | null };
}

export const PROFILE_NAMES: readonly ProfileName[] = ['rfc', 'aws', 'jool', 'tayga'];
const PROTOCOLS: readonly Protocol[] = ['tcp', 'udp', 'icmp'];
const ALL_PROTOCOLS: Protocol[] = ['tcp', 'udp', 'icmp'];
/** RFC 1191 §7 plateau table, as RFC 7915 §4.2 / Jool `mtu-plateaus` / TAYGA `est_mtu()` use it. */
const RFC1191_PLATEAUS = [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];

/** DNS64 defaults shared by every profile (RFC 6147; none of Jool, TAYGA is a DNS64 server). */
const DNS64_RFC: ConfigJson['dns64'] = {
  enabled: true, // SPEC §2: --dns64 is on by default
  prefixes: null, // null = [pool6] (RFC 6147 §5.2: synthesize with the NAT64's prefix)
  exclude: ['::ffff:0:0/96'], // RFC 6147 §5.1.4: IPv4-mapped AAAA records are excluded by default
  synthAll: false, // RFC 6147 §5.1.1: synthesize only when no usable AAAA exists
  ptr: 'cname', // RFC 6147 §5.3.1: PTR queries for the prefix answered with a CNAME to in-addr.arpa
  ttlWithoutSoa: 600, // RFC 6147 §5.1.7: 600 s when no SOA is available for the negative-cache TTL
};

/**
 * The profiles, in JSON form, every key present. Each value says where it comes from.
 * Placeholders (addresses the real device would take from its own interfaces) are marked so.
 */
export const PROFILES: Readonly<Record<ProfileName, ConfigJson>> = deepFreeze({
  // ----- rfc: the RFC defaults, exactly the SPEC §3 example block --------------------------
  rfc: {
    profile: 'rfc',
    mode: 'nat64', // SPEC §2: stateful NAT64 (RFC 6146) is the default mode
    pool6: '64:ff9b::/96', // RFC 6052 §2.1 Well-Known Prefix
    // Placeholder pool (SPEC §3 example): RFC 6146 §3.5 needs a pool4 but sets no default.
    pool4: [{ prefix: '192.0.2.2/32', ports: '1-3000', protocols: ['tcp', 'udp', 'icmp'] }],
    bib: [], // RFC 6146 §3.5: static BIB entries are operator configuration, none by default
    eam: [], // RFC 7757 §3.1: the EAMT starts empty
    denylist4: [], // operator configuration, none by default
    rfc6791: { ipv4: '203.0.113.8/32', ipv6: null }, // placeholder (SPEC §3): RFC 6791 §4 pool
    translator: { ipv6: '2001:db8::1', ipv4: '192.0.2.2' }, // placeholder (SPEC §3): own addresses
    mtu: {
      ipv6: 1500, // Ethernet (RFC 894); interface MTUs are not an RFC default
      ipv4: 1500,
      lowestIpv6Mtu: 1280, // RFC 8200 §5 minimum link MTU; RFC 7915 §4 fragments DF=0 IPv4 to it
      plateaus: RFC1191_PLATEAUS, // RFC 7915 §4.2 -> RFC 1191 §7 table
    },
    udpZeroChecksum: 'drop', // RFC 7915 §4.5: stateless default is to drop
    trafficClass: { zeroize: false, overrideTos: null }, // RFC 7915 §4.1 / §5.1: copy TOS <-> TC
    strictWellKnownPrefix: true, // RFC 6052 §3.1: WKP MUST NOT represent non-global IPv4
    timeouts: {
      udp: 300, // RFC 6146 §4 UDP_DEFAULT (5 min)
      tcpEstablished: 7440, // RFC 6146 §4 TCP_EST (2 h 4 min)
      tcpTransitory: 240, // RFC 6146 §4 TCP_TRANS (4 min)
      icmp: 60, // RFC 6146 §4 ICMP_DEFAULT (60 s)
      tcpIncomingSyn: 6, // RFC 6146 §4 TCP_INCOMING_SYN (6 s)
      fragment: 2, // RFC 6146 §4 FRAGMENT_MIN (2 s)
    },
    filtering: {
      addressDependent: false, // RFC 6146 §1.2.3 / RFC 4787 REQ-8: endpoint-independent filtering
      dropExternallyInitiatedTcp: false, // RFC 6146 §3.5.2.2: an option, off by default
      dropIcmpv6Info: false, // RFC 6146 §3.5.3: an option, off by default
    },
    hairpinning: 'intrinsic', // RFC 7757 §4.2.2
    sourceIcmpv6ErrorsBetter: false, // RFC 6146 §3.5 behaviour (inner destination as source)
    ipv4Identification: 'zero', // RFC 6145 §5.1: Identification zero (DF set) when unfragmented
    dns64: DNS64_RFC,
    policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: null },
  },

  // ----- aws: NAT gateway + Route 53 Resolver DNS64 (AWS VPC documentation) ------------------
  aws: {
    profile: 'aws',
    mode: 'nat64', // AWS: NAT gateway does stateful NAT64 for 64:ff9b::/96
    pool6: '64:ff9b::/96', // AWS: the prefix is fixed to 64:ff9b::/96 (changing it is an error)
    // AWS: the IPv4 source is the gateway's private address, ports 1024-65535. 10.0.0.5 is a
    // placeholder for that private address; override it with --pool4 or the file.
    pool4: [{ prefix: '10.0.0.5/32', ports: '1024-65535', protocols: ['tcp', 'udp', 'icmp'] }],
    bib: [], // AWS: no static port mappings on a NAT gateway
    eam: [],
    denylist4: [],
    rfc6791: { ipv4: null, ipv6: null }, // not documented
    translator: { ipv6: null, ipv4: '10.0.0.5' }, // placeholder: the gateway's private address
    mtu: { ipv6: 1500, ipv4: 1500, lowestIpv6Mtu: 1280, plateaus: RFC1191_PLATEAUS }, // AWS: internet path MTU 1500
    udpZeroChecksum: 'compute', // RFC 6146 §3.4: a stateful NAT64 computes the missing checksum
    trafficClass: { zeroize: false, overrideTos: null }, // not documented: RFC 7915
    strictWellKnownPrefix: false, // AWS: private IPv4 behind 64:ff9b::/96 is translated (VPC peers, on-prem)
    timeouts: {
      udp: 350, // AWS: a connection idle for 350 s times out (documented for connections; applied to UDP too)
      tcpEstablished: 350, // AWS: 350 s idle timeout, then RST (see policy.tcpIdleRst)
      tcpTransitory: 240, // not documented: RFC 6146 §4
      icmp: 60, // not documented: RFC 6146 §4
      tcpIncomingSyn: 6, // not documented: RFC 6146 §4
      fragment: 2, // not documented: RFC 6146 §4
    },
    filtering: {
      addressDependent: false, // not documented: RFC 6146
      dropExternallyInitiatedTcp: true, // AWS: external services cannot initiate a connection
      dropIcmpv6Info: false,
    },
    hairpinning: 'intrinsic', // not documented: RFC 7757 (EAM only; no EAM here)
    sourceIcmpv6ErrorsBetter: false, // not documented: RFC 6146
    ipv4Identification: 'zero', // not documented: RFC 6145 §5.1
    dns64: DNS64_RFC, // Route 53 Resolver DNS64: 64:ff9b::/96 (= pool6), RFC 6147 behaviour
    policy: {
      tcpIdleRst: 350, // AWS: after 350 s idle the gateway answers further packets with RST, not FIN
      dropFragments: ['tcp', 'icmp'], // AWS: TCP and ICMP fragments are dropped; UDP fragments forwarded
      maxConnectionsPerDestination: 55000, // AWS: 55,000 simultaneous connections per destination per IP
    },
  },

  // ----- jool: Jool 4 NAT64 (`jool`) defaults (Jool documentation, "global Mode" page) --------
  jool: {
    profile: 'jool',
    mode: 'nat64', // Jool: `jool` (stateful NAT64); `jool_siit` is --mode siit
    pool6: '64:ff9b::/96', // Jool: pool6 has no default (instance add requires it); WKP used here
    // Jool "pool4 Mode", Empty pool4: the node's own addresses, ports 61001-65535 for tcp, udp,
    // icmp. 192.0.2.1 is a placeholder for the node's address.
    pool4: [{ prefix: '192.0.2.1/32', ports: '61001-65535', protocols: ['tcp', 'udp', 'icmp'] }],
    bib: [],
    eam: [], // Jool: the EAMT starts empty (SIIT only)
    denylist4: [], // Jool: denylist4 starts empty (SIIT only)
    rfc6791: { ipv4: null, ipv6: null }, // Jool: rfc6791v4-prefix / rfc6791v6-prefix default null
    translator: { ipv6: null, ipv4: '192.0.2.1' }, // placeholder: Jool sources errors from the node's address
    mtu: {
      ipv6: 1500,
      ipv4: 1500,
      lowestIpv6Mtu: 1280, // Jool: lowest-ipv6-mtu default 1280
      plateaus: RFC1191_PLATEAUS, // Jool: mtu-plateaus default "65535, 32000, ..., 296, 68"
    },
    // Jool: amend-udp-checksum-zero (default OFF) is SIIT-only; "Stateful NAT64 Jool always computes
    // zero-checksums from IPv4-UDP packets".
    udpZeroChecksum: 'compute',
    trafficClass: {
      zeroize: false, // Jool: zeroize-traffic-class default OFF
      overrideTos: null, // Jool: override-tos default OFF (tos 0 only applies when ON)
    },
    // Jool source (addr4_is_scope_subnet): only 0/8, 127/8, 169.254/16, multicast and
    // 255.255.255.255 are refused; "private and doc networks" are translated on purpose.
    strictWellKnownPrefix: false,
    timeouts: {
      udp: 300, // Jool: udp-timeout 5:00
      tcpEstablished: 7200, // Jool: tcp-est-timeout 2:00:00 (constants.h TCP_EST), not RFC 6146's 2:04:00
      tcpTransitory: 240, // Jool: tcp-trans-timeout 4:00
      icmp: 60, // Jool: icmp-timeout 1:00
      tcpIncomingSyn: 6, // Jool: TCP_INCOMING_SYN 6 s, not configurable
      fragment: 2, // Jool 3: fragment-arrival-timeout 2 s (Jool 4 leaves reassembly to the kernel)
    },
    filtering: {
      addressDependent: false, // Jool: address-dependent-filtering default OFF
      dropExternallyInitiatedTcp: false, // Jool: drop-externally-initiated-tcp default OFF
      dropIcmpv6Info: false, // Jool: drop-icmpv6-info default OFF
    },
    hairpinning: 'intrinsic', // Jool: eam-hairpin-mode default intrinsic
    sourceIcmpv6ErrorsBetter: true, // Jool: source-icmpv6-errors-better default True (issue #132)
    // Jool 4 source, generate_ipv4_id(): unfragmented packets get the kernel's __ip_select_ident(),
    // a counter per (source, destination, protocol).
    ipv4Identification: 'sequential',
    dns64: DNS64_RFC, // Jool is not a DNS64 server (its docs pair it with BIND/Unbound)
    policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: null },
  },

  // ----- tayga: TAYGA stateless NAT64 (tayga.conf(5), TAYGA 0.9.x source) ----------------------
  tayga: {
    profile: 'tayga',
    mode: 'siit', // tayga.conf(5): "TAYGA stateless NAT64 daemon" (SIIT, RFC 7915)
    // tayga.conf(5) `prefix` is optional; tayga.conf.example offers `prefix 64:ff9b::/96`.
    pool6: '64:ff9b::/96',
    // tayga.conf(5) `dynamic-pool` maps whole IPv6 addresses 1:1 to IPv4 addresses (no ports), for
    // 124 minutes after the last packet: it has no pool4 (port) equivalent, so pool4 is empty.
    pool4: [],
    bib: [],
    // tayga.conf(5) `map ipv4[/len] ipv6[/len]` is an EAM entry; TAYGA requires both sides to hold
    // the same number of addresses, stricter than RFC 7757 §3.2 (which this tool enforces).
    eam: [],
    denylist4: [],
    // TAYGA sources the ICMP errors it cannot translate from ipv4-addr / ipv6-addr (nat64.c
    // "allow_fake_source"): its RFC 6791 pool is its own address.
    rfc6791: { ipv4: '192.168.255.1/32', ipv6: '2001:db8:1::2/128' },
    // tayga.conf(5) ipv4-addr (mandatory) / ipv6-addr (mandatory with the WKP and a private
    // ipv4-addr); values from tayga.conf.example.
    translator: { ipv6: '2001:db8:1::2', ipv4: '192.168.255.1' },
    mtu: {
      ipv6: 1500, // the TUN device's MTU (1500 by default)
      ipv4: 1500,
      lowestIpv6Mtu: 1280, // TAYGA: ipv6_offlink_mtu = 1280 (conffile.c)
      plateaus: RFC1191_PLATEAUS, // TAYGA: est_mtu() uses the RFC 1191 table
    },
    udpZeroChecksum: 'drop', // tayga.conf(5) udp-cksum-mode default drop (0.9.2: always drops)
    trafficClass: { zeroize: false, overrideTos: null }, // TAYGA copies TOS <-> Traffic Class
    strictWellKnownPrefix: true, // tayga.conf(5) wkpf-strict: "Enabled by default"
    // Stateless: no sessions. Values are the RFC ones (unused by SIIT).
    timeouts: { udp: 300, tcpEstablished: 7440, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 },
    filtering: { addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false },
    // TAYGA has no hairpinning logic: a packet to one of its own mapped IPv4 addresses leaves on the
    // TUN device and only comes back if the kernel routes it there.
    hairpinning: 'off',
    sourceIcmpv6ErrorsBetter: false, // stateful-only option
    // TAYGA nat64.c: unfragmented IPv6 -> Identification 0 with DF set (a per-destination counter
    // only after a Packet Too Big below 1280).
    ipv4Identification: 'zero',
    dns64: DNS64_RFC, // TAYGA is not a DNS64 server
    policy: {
      tcpIdleRst: null,
      // TAYGA nat64.c parse_ip4/parse_ip6: "fragmented ICMP is unsupported" (dropped).
      dropFragments: ['icmp'],
      maxConnectionsPerDestination: null,
    },
    // Not expressible here (departures noted for users): strict-frag-hdr off by default (no
    // Fragment Header on DF=0 packets that fit 1280 bytes); ICMP Parameter Problem not translated.
  },
});

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/**
 * Port range a pool4 entry gets when `ports` is omitted (and for `--pool4 A` without `#PORTS`):
 * rfc 1-65535 (every port; RFC 6146 sets none), aws 1024-65535 (AWS NAT gateway), jool
 * 61001-65535 (Jool `pool4 add` default <port-range>), tayga 1-65535 (no pool4 in TAYGA).
 */
export const POOL4_DEFAULT_PORTS: Readonly<Record<ProfileName, readonly [number, number]>> = {
  rfc: [1, 65535],
  aws: [1024, 65535],
  jool: [61001, 65535],
  tayga: [1, 65535],
};

// ---------------------------------------------------------------------------------------------
// Key schema: known keys (for "unknown key" with a suggestion) and which are merged objects

const OBJECT_KEYS: Record<string, readonly string[]> = {
  rfc6791: ['ipv4', 'ipv6'],
  translator: ['ipv6', 'ipv4'],
  mtu: ['ipv6', 'ipv4', 'lowestIpv6Mtu', 'plateaus'],
  trafficClass: ['zeroize', 'overrideTos'],
  timeouts: ['udp', 'tcpEstablished', 'tcpTransitory', 'icmp', 'tcpIncomingSyn', 'fragment'],
  filtering: ['addressDependent', 'dropExternallyInitiatedTcp', 'dropIcmpv6Info'],
  dns64: ['enabled', 'prefixes', 'exclude', 'synthAll', 'ptr', 'ttlWithoutSoa'],
  policy: ['tcpIdleRst', 'dropFragments', 'maxConnectionsPerDestination'],
};
const TOP_KEYS: readonly string[] = Object.keys(PROFILES.rfc);
const ENTRY_KEYS: Record<string, readonly string[]> = {
  pool4: ['prefix', 'ports', 'protocols'],
  bib: ['protocol', 'ipv6', 'ipv4'],
  eam: ['ipv6', 'ipv4'],
};

function levenshtein(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}

function suggest(key: string, known: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = levenshtein(key, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== null && bestD <= Math.max(2, Math.floor(best.length / 3)) ? best : null;
}

function checkKeys(obj: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const k of Object.keys(obj)) {
    if (known.includes(k)) continue;
    const full = path ? `${path}.${k}` : k;
    const s = suggest(k, known);
    throw new ConfigError(`unknown key "${full}"${s ? ` (did you mean "${path ? `${path}.${s}` : s}"?)` : ''}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Small value parsers (each throws ConfigError naming `key`)

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
}

function str(v: unknown, key: string): string {
  if (typeof v !== 'string') throw new ConfigError(`${key}: must be a string, got ${show(v)}`);
  return v;
}

function bool(v: unknown, key: string): boolean {
  if (typeof v !== 'boolean') throw new ConfigError(`${key}: must be true or false, got ${show(v)}`);
  return v;
}

function oneOf<T extends string>(v: unknown, key: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
    throw new ConfigError(`${key}: ${show(v)} is not one of ${values.join(', ')}`);
  }
  return v as T;
}

function arr(v: unknown, key: string): unknown[] {
  if (!Array.isArray(v)) throw new ConfigError(`${key}: must be an array, got ${show(v)}`);
  return v;
}

function obj(v: unknown, key: string): Record<string, unknown> {
  if (!isPlainObject(v)) throw new ConfigError(`${key}: must be an object, got ${show(v)}`);
  return v;
}

function int(v: unknown, key: string, min: number, max: number, what = 'a whole number'): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`${key}: must be ${what} from ${min} to ${max}, got ${show(v)}`);
  }
  return v;
}

function seconds(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 1) throw new ConfigError(`${key}: must be a number of seconds >= 1`);
  return v;
}

function u32(bytes: Uint8Array): number {
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
}

function v4text(a: number): string {
  return `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
}

function mask4(len: number): number {
  return len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
}

function last4(p: Prefix4): number {
  return (p.addr | (~mask4(p.len) >>> 0)) >>> 0;
}

function prefix4Text(p: Prefix4): string {
  return `${v4text(p.addr)}/${p.len}`;
}

function prefix6Text(p: { bytes: Uint8Array; len: number }): string {
  return `${ipv6ToString(p.bytes, 0)}/${p.len}`;
}

/** `A[/L]`; without /L the length is `defaultLen`. Host bits must be zero. */
function parsePrefix4(v: unknown, key: string, defaultLen: number | null = 32): Prefix4 {
  const text = str(v, key);
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const b = new Uint8Array(4);
  if (!parseIpv4(addrText, b, 0)) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not an IPv4 address or prefix`);
  let len: number;
  if (slash < 0) {
    if (defaultLen === null) throw new ConfigError(`${key}: ${JSON.stringify(text)} needs a prefix length, e.g. ${addrText}/24`);
    len = defaultLen;
  } else {
    const lt = text.slice(slash + 1);
    len = /^\d{1,2}$/.test(lt) ? Number(lt) : NaN;
    if (!(len >= 0 && len <= 32)) throw new ConfigError(`${key}: prefix length ${lt} is not 0-32`);
  }
  const addr = u32(b);
  if ((addr & ~mask4(len)) >>> 0 !== 0) {
    throw new ConfigError(`${key}: ${text} has bits set after /${len} (did you mean ${v4text((addr & mask4(len)) >>> 0)}/${len}?)`);
  }
  return { addr, len };
}

function parseAddr4(v: unknown, key: string): number {
  const text = str(v, key);
  const b = new Uint8Array(4);
  if (!parseIpv4(text, b, 0)) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not an IPv4 address`);
  return u32(b);
}

function parseAddr6(v: unknown, key: string): Uint8Array {
  const text = str(v, key);
  const b = new Uint8Array(16);
  if (!parseIpv6(text, b, 0)) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not an IPv6 address`);
  return b;
}

function hostBits6(bytes: Uint8Array, len: number): boolean {
  for (let bit = len; bit < 128; bit++) if (bytes[bit >> 3] & (0x80 >> (bit & 7))) return true;
  return false;
}

function clear6(bytes: Uint8Array, len: number): Uint8Array {
  const out = bytes.slice();
  for (let bit = len; bit < 128; bit++) out[bit >> 3] &= ~(0x80 >> (bit & 7));
  return out;
}

/** IPv6 prefix of any length 0-128; without /L the length is 128. Host bits must be zero. */
function parsePrefix6Any(v: unknown, key: string): Prefix6Any {
  const text = str(v, key);
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = new Uint8Array(16);
  if (!parseIpv6(addrText, bytes, 0)) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not an IPv6 address or prefix`);
  let len = 128;
  if (slash >= 0) {
    const lt = text.slice(slash + 1);
    len = /^\d{1,3}$/.test(lt) ? Number(lt) : NaN;
    if (!(len >= 0 && len <= 128)) throw new ConfigError(`${key}: prefix length ${lt} is not 0-128`);
  }
  if (hostBits6(bytes, len)) {
    throw new ConfigError(`${key}: ${text} has bits set after /${len} (did you mean ${prefix6Text({ bytes: clear6(bytes, len), len })}?)`);
  }
  return { bytes, len };
}

/** An RFC 6052 prefix: lengths 32,40,48,56,64,96; bits 64-71 zero (RFC 6052 §2.2). */
function parseRfc6052Prefix(v: unknown, key: string): Prefix6 {
  const text = str(v, key);
  const slash = text.indexOf('/');
  const addrText = slash < 0 ? text : text.slice(0, slash);
  const bytes = new Uint8Array(16);
  if (!parseIpv6(addrText, bytes, 0)) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not an IPv6 prefix`);
  if (slash < 0) throw new ConfigError(`${key}: ${JSON.stringify(text)} needs a prefix length, e.g. ${addrText}/96`);
  const lt = text.slice(slash + 1);
  const len = /^\d{1,3}$/.test(lt) ? Number(lt) : NaN;
  if (!isValidPrefixLength(len)) throw new ConfigError(`${key}: prefix length ${lt} is not one of 32,40,48,56,64,96`);
  if (hostBits6(bytes, len)) {
    throw new ConfigError(`${key}: ${text} has bits set after /${len} (did you mean ${prefix6Text({ bytes: clear6(bytes, len), len })}?)`);
  }
  if (bytes[8] !== 0) throw new ConfigError(`${key}: ${text}: bits 64-71 must be zero (RFC 6052 §2.2)`);
  return { bytes, len };
}

function parsePort(t: string, key: string): number {
  if (!/^\d+$/.test(t)) throw new ConfigError(`${key}: ${JSON.stringify(t)} is not a port (0-65535)`);
  const n = Number(t);
  if (n > 65535) throw new ConfigError(`${key}: ${t} is not a port (0-65535)`);
  return n;
}

/** `80` or `1024-65535`. */
function parsePorts(v: unknown, key: string): [number, number] {
  const text = str(v, key).trim();
  const m = /^([^-]*)-([^-]*)$/.exec(text);
  if (!m) {
    const p = parsePort(text, key);
    return [p, p];
  }
  const a = parsePort(m[1].trim(), key);
  const b = parsePort(m[2].trim(), key);
  if (a > b) throw new ConfigError(`${key}: ${text} runs backwards (first port above last)`);
  return [a, b];
}

function parseProtocols(v: unknown, key: string): Protocol[] {
  const list = arr(v, key);
  if (list.length === 0) throw new ConfigError(`${key}: must name at least one of tcp, udp, icmp`);
  const out: Protocol[] = [];
  list.forEach((p, i) => {
    const proto = oneOf(p, `${key}[${i}]`, PROTOCOLS);
    if (out.includes(proto)) throw new ConfigError(`${key}: ${proto} is listed twice`);
    out.push(proto);
  });
  // Canonical order, so that the JSON round trip is stable.
  return PROTOCOLS.filter((p) => out.includes(p));
}

/** `ADDRESS#PORT`: the v6 address part may be bracketed (`[2001:db8::5]#2000`). */
function splitTransport(v: unknown, key: string, family: 4 | 6): { addr: string; port: number } {
  const text = str(v, key);
  const hash = text.lastIndexOf('#');
  if (hash < 0) throw new ConfigError(`${key}: ${JSON.stringify(text)} is not ADDRESS#PORT, e.g. ${family === 6 ? '2001:db8::5#2000' : '192.0.2.2#2000'}`);
  let addr = text.slice(0, hash);
  if (family === 6 && addr.startsWith('[') && addr.endsWith(']')) addr = addr.slice(1, -1);
  return { addr, port: parsePort(text.slice(hash + 1), key) };
}

/** Addresses 0/8, 127/8, 169.254/16, 224/4, 255.255.255.255 are never translated (Jool, TAYGA). */
const NEVER_TRANSLATED: readonly Prefix4[] = [
  { addr: 0x00000000, len: 8 },
  { addr: 0x7f000000, len: 8 },
  { addr: 0xa9fe0000, len: 16 },
  { addr: 0xe0000000, len: 4 },
  { addr: 0xffffffff, len: 32 },
];

function overlaps4(a: Prefix4, b: Prefix4): boolean {
  return a.addr <= last4(b) && b.addr <= last4(a);
}

function overlaps6(a: Prefix6Any, b: Prefix6Any): boolean {
  const len = Math.min(a.len, b.len);
  const full = len >> 3;
  for (let i = 0; i < full; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  const rem = len & 7;
  if (rem) {
    const m = (0xff << (8 - rem)) & 0xff;
    if ((a.bytes[full] & m) !== (b.bytes[full] & m)) return false;
  }
  return true;
}

function inPrefix6Any(bytes: Uint8Array, p: Prefix6Any): boolean {
  return overlaps6({ bytes, len: 128 }, p);
}

// ---------------------------------------------------------------------------------------------
// JSON form -> EngineConfig

/** Validates a complete (merged) JSON form and builds the parsed configuration. */
function fromJson(j: Record<string, unknown>): EngineConfig {
  checkKeys(j, TOP_KEYS, '');
  for (const [k, known] of Object.entries(OBJECT_KEYS)) checkKeys(obj(j[k], k), known, k);

  const profile = oneOf(j.profile, 'profile', PROFILE_NAMES);
  const mode = oneOf(j.mode, 'mode', ['nat64', 'siit'] as const);

  const pool6 = j.pool6 === null ? null : parseRfc6052Prefix(j.pool6, 'pool6');
  if (pool6 === null && mode === 'nat64') throw new ConfigError('pool6: mode nat64 needs a prefix (RFC 6146 §2); null is only for mode siit');
  if (profile === 'aws' && (pool6 === null || pool6.len !== 96 || prefix6Text(pool6) !== '64:ff9b::/96')) {
    throw new ConfigError(`pool6: the aws profile's NAT gateway and Route 53 DNS64 only use 64:ff9b::/96, got ${pool6 ? prefix6Text(pool6) : 'null'}`);
  }

  // pool4
  const defPorts = POOL4_DEFAULT_PORTS[profile];
  const pool4: Pool4Entry[] = arr(j.pool4, 'pool4').map((raw, i) => {
    const key = `pool4[${i}]`;
    const e = obj(raw, key);
    checkKeys(e, ENTRY_KEYS.pool4, key);
    if (e.prefix === undefined) throw new ConfigError(`${key}.prefix: missing`);
    const prefix = parsePrefix4(e.prefix, `${key}.prefix`);
    if (prefix.len < 16) {
      throw new ConfigError(`${key}.prefix: ${prefix4Text(prefix)} holds ${2 ** (32 - prefix.len)} addresses; a pool4 prefix must be /16 or longer`);
    }
    for (const bad of NEVER_TRANSLATED) {
      if (overlaps4(prefix, bad)) {
        const first = Math.max(prefix.addr, bad.addr) >>> 0;
        throw new ConfigError(`${key}.prefix: ${prefix4Text(prefix)} holds ${describeIpv4(first) ?? 'reserved'} addresses, which are never translated`);
      }
    }
    const [portMin, portMax] = e.ports === undefined ? defPorts : parsePorts(e.ports, `${key}.ports`);
    const protocols = e.protocols === undefined ? [...ALL_PROTOCOLS] : parseProtocols(e.protocols, `${key}.protocols`);
    return { prefix, portMin, portMax, protocols };
  });
  for (let i = 0; i < pool4.length; i++) {
    for (let k = 0; k < i; k++) {
      const a = pool4[i];
      const b = pool4[k];
      const proto = a.protocols.find((p) => b.protocols.includes(p));
      if (proto && overlaps4(a.prefix, b.prefix) && a.portMin <= b.portMax && b.portMin <= a.portMax) {
        throw new ConfigError(
          `pool4[${i}]: ${prefix4Text(a.prefix)} ports ${a.portMin}-${a.portMax} overlaps pool4[${k}] (${prefix4Text(b.prefix)} ports ${b.portMin}-${b.portMax}) for ${proto}`,
        );
      }
    }
  }

  // bib (static)
  const bib: StaticBibEntry[] = arr(j.bib, 'bib').map((raw, i) => {
    const key = `bib[${i}]`;
    const e = obj(raw, key);
    checkKeys(e, ENTRY_KEYS.bib, key);
    const protocol = oneOf(e.protocol, `${key}.protocol`, PROTOCOLS);
    const t6 = splitTransport(e.ipv6, `${key}.ipv6`, 6);
    const t4 = splitTransport(e.ipv4, `${key}.ipv4`, 4);
    const ipv6 = parseAddr6(t6.addr, `${key}.ipv6`);
    const ipv4 = parseAddr4(t4.addr, `${key}.ipv4`);
    return { protocol, ipv6, port6: t6.port, ipv4, port4: t4.port };
  });
  bib.forEach((b, i) => {
    if (mode === 'nat64') {
      const ok = pool4.some((p) => p.protocols.includes(b.protocol) && b.ipv4 >= p.prefix.addr && b.ipv4 <= last4(p.prefix) && b.port4 >= p.portMin && b.port4 <= p.portMax);
      if (!ok) throw new ConfigError(`bib[${i}].ipv4: ${v4text(b.ipv4)}#${b.port4} is not in pool4 for ${b.protocol} (RFC 6146 §3.5: BIB entries use pool4 addresses)`);
    }
    for (let k = 0; k < i; k++) {
      const o = bib[k];
      if (o.protocol !== b.protocol) continue;
      if (o.port6 === b.port6 && o.ipv6.every((x, n) => x === b.ipv6[n])) {
        throw new ConfigError(`bib[${i}]: ${ipv6ToString(b.ipv6, 0)}#${b.port6} (${b.protocol}) is already mapped by bib[${k}]`);
      }
      if (o.ipv4 === b.ipv4 && o.port4 === b.port4) {
        throw new ConfigError(`bib[${i}]: ${v4text(b.ipv4)}#${b.port4} (${b.protocol}) is already mapped by bib[${k}]`);
      }
    }
  });

  // eam (RFC 7757)
  const eam: EamEntry[] = arr(j.eam, 'eam').map((raw, i) => {
    const key = `eam[${i}]`;
    const e = obj(raw, key);
    checkKeys(e, ENTRY_KEYS.eam, key);
    const ipv6 = parsePrefix6Any(e.ipv6, `${key}.ipv6`);
    const ipv4 = parsePrefix4(e.ipv4, `${key}.ipv4`);
    checkEamSuffix(ipv6, ipv4, key);
    return { ipv6, ipv4 };
  });
  eam.forEach((e, i) => {
    for (let k = 0; k < i; k++) {
      const o = eam[k];
      if (overlaps4(e.ipv4, o.ipv4)) throw new ConfigError(`eam[${i}]: ${prefix4Text(e.ipv4)} overlaps eam[${k}] (${prefix4Text(o.ipv4)}); EAM entries must not overlap`);
      if (overlaps6(e.ipv6, o.ipv6)) throw new ConfigError(`eam[${i}]: ${prefix6Text(e.ipv6)} overlaps eam[${k}] (${prefix6Text(o.ipv6)}); EAM entries must not overlap`);
    }
    if (pool6 && overlaps6(e.ipv6, pool6)) {
      // tayga.conf(5): map's IPv6 address "must not overlap with the prefix".
      throw new ConfigError(`eam[${i}].ipv6: ${prefix6Text(e.ipv6)} overlaps pool6 (${prefix6Text(pool6)})`);
    }
  });

  const denylist4 = arr(j.denylist4, 'denylist4').map((v, i) => parsePrefix4(v, `denylist4[${i}]`));

  const r = j.rfc6791 as Record<string, unknown>;
  const rfc6791 = {
    ipv4: r.ipv4 === null ? null : parsePrefix4(r.ipv4, 'rfc6791.ipv4'),
    ipv6: r.ipv6 === null ? null : parsePrefix6Any(r.ipv6, 'rfc6791.ipv6'),
  };
  const t = j.translator as Record<string, unknown>;
  const translator = {
    ipv6: t.ipv6 === null ? null : parseAddr6(t.ipv6, 'translator.ipv6'),
    ipv4: t.ipv4 === null ? null : parseAddr4(t.ipv4, 'translator.ipv4'),
  };
  if (translator.ipv6 && pool6 && inPrefix6Any(translator.ipv6, pool6)) {
    // tayga.conf(5) / conffile.c: "ipv6-addr cannot reside within configured prefix".
    throw new ConfigError(`translator.ipv6: ${ipv6ToString(translator.ipv6, 0)} lies inside pool6 (${prefix6Text(pool6)}); the translator needs an address of its own`);
  }

  const m = j.mtu as Record<string, unknown>;
  const mtu = {
    ipv6: mtu6(m.ipv6, 'mtu.ipv6'),
    ipv4: mtu4(m.ipv4, 'mtu.ipv4'),
    lowestIpv6Mtu: mtu6(m.lowestIpv6Mtu, 'mtu.lowestIpv6Mtu'),
    plateaus: plateaus(m.plateaus, 'mtu.plateaus'),
  };
  if (mtu.lowestIpv6Mtu > mtu.ipv6) throw new ConfigError(`mtu.lowestIpv6Mtu: ${mtu.lowestIpv6Mtu} is above mtu.ipv6 (${mtu.ipv6})`);

  const udpZeroChecksum = oneOf(j.udpZeroChecksum, 'udpZeroChecksum', ['drop', 'compute'] as const);
  const tc = j.trafficClass as Record<string, unknown>;
  const trafficClass = {
    zeroize: bool(tc.zeroize, 'trafficClass.zeroize'),
    overrideTos: tc.overrideTos === null ? null : int(tc.overrideTos, 'trafficClass.overrideTos', 0, 255, 'null or a TOS byte'),
  };
  const strictWellKnownPrefix = bool(j.strictWellKnownPrefix, 'strictWellKnownPrefix');

  const to = j.timeouts as Record<string, unknown>;
  const timeouts = {
    udp: seconds(to.udp, 'timeouts.udp'),
    tcpEstablished: seconds(to.tcpEstablished, 'timeouts.tcpEstablished'),
    tcpTransitory: seconds(to.tcpTransitory, 'timeouts.tcpTransitory'),
    icmp: seconds(to.icmp, 'timeouts.icmp'),
    tcpIncomingSyn: seconds(to.tcpIncomingSyn, 'timeouts.tcpIncomingSyn'),
    fragment: seconds(to.fragment, 'timeouts.fragment'),
  };
  const f = j.filtering as Record<string, unknown>;
  const filtering = {
    addressDependent: bool(f.addressDependent, 'filtering.addressDependent'),
    dropExternallyInitiatedTcp: bool(f.dropExternallyInitiatedTcp, 'filtering.dropExternallyInitiatedTcp'),
    dropIcmpv6Info: bool(f.dropIcmpv6Info, 'filtering.dropIcmpv6Info'),
  };
  const hairpinning = oneOf(j.hairpinning, 'hairpinning', ['off', 'simple', 'intrinsic'] as const);
  const sourceIcmpv6ErrorsBetter = bool(j.sourceIcmpv6ErrorsBetter, 'sourceIcmpv6ErrorsBetter');
  const ipv4Identification = oneOf(j.ipv4Identification, 'ipv4Identification', ['zero', 'sequential', 'hash'] as const);

  const d = j.dns64 as Record<string, unknown>;
  const dns64 = {
    enabled: bool(d.enabled, 'dns64.enabled'),
    prefixes: d.prefixes === null ? null : arr(d.prefixes, 'dns64.prefixes').map((v, i) => parseRfc6052Prefix(v, `dns64.prefixes[${i}]`)),
    exclude: arr(d.exclude, 'dns64.exclude').map((v, i) => parsePrefix6Any(v, `dns64.exclude[${i}]`)),
    synthAll: bool(d.synthAll, 'dns64.synthAll'),
    ptr: oneOf(d.ptr, 'dns64.ptr', ['cname', 'off'] as const),
    ttlWithoutSoa: int(d.ttlWithoutSoa, 'dns64.ttlWithoutSoa', 0, 2147483647, 'a TTL in seconds'),
  };
  if (dns64.enabled && dns64.prefixes === null && pool6 === null) {
    throw new ConfigError('dns64.prefixes: null means [pool6], but pool6 is null; give prefixes or disable dns64');
  }
  if (dns64.prefixes && dns64.prefixes.length === 0) throw new ConfigError('dns64.prefixes: must list at least one prefix, or be null for [pool6]');

  const p = j.policy as Record<string, unknown>;
  const policy = {
    tcpIdleRst: p.tcpIdleRst === null ? null : seconds(p.tcpIdleRst, 'policy.tcpIdleRst'),
    dropFragments: arr(p.dropFragments, 'policy.dropFragments').length === 0 ? [] : parseProtocols(p.dropFragments, 'policy.dropFragments'),
    maxConnectionsPerDestination:
      p.maxConnectionsPerDestination === null ? null : int(p.maxConnectionsPerDestination, 'policy.maxConnectionsPerDestination', 1, 2 ** 32, 'null or a count'),
  };

  return {
    profile,
    mode,
    pool6,
    pool4,
    bib,
    eam,
    denylist4,
    rfc6791,
    translator,
    mtu,
    udpZeroChecksum,
    trafficClass,
    strictWellKnownPrefix,
    timeouts,
    filtering,
    hairpinning,
    sourceIcmpv6ErrorsBetter,
    ipv4Identification,
    dns64,
    policy,
  };
}

/**
 * RFC 7757 §3.2: an EAM is valid only when the IPv4 suffix (32 - IPv4 length) is no longer than
 * the IPv6 suffix (128 - IPv6 length); the IPv6 side may hold more addresses (the extra suffix
 * bits are zero). Jool enforces the same rule.
 */
function checkEamSuffix(ipv6: Prefix6Any, ipv4: Prefix4, key: string): void {
  const s4 = 32 - ipv4.len;
  const s6 = 128 - ipv6.len;
  if (s4 > s6) {
    throw new ConfigError(
      `${key}: ${prefix6Text(ipv6)} holds fewer addresses than ${prefix4Text(ipv4)} (suffix ${s6} bits vs ${s4}); the IPv4 suffix must not be longer than the IPv6 suffix (RFC 7757 §3.2)`,
    );
  }
}

function mtu6(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`${key}: must be a whole number of bytes, got ${show(v)}`);
  if (v < 1280) throw new ConfigError(`${key}: ${v} is below the IPv6 minimum of 1280`);
  if (v > 65535) throw new ConfigError(`${key}: ${v} is above 65535`);
  return v;
}

function mtu4(v: unknown, key: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ConfigError(`${key}: must be a whole number of bytes, got ${show(v)}`);
  if (v < 68) throw new ConfigError(`${key}: ${v} is below the IPv4 minimum of 68`);
  if (v > 65535) throw new ConfigError(`${key}: ${v} is above 65535`);
  return v;
}

/** Plateaus: 68..65535, any order on input; kept sorted high to low without repeats (as Jool does). */
function plateaus(v: unknown, key: string): number[] {
  const list = arr(v, key);
  if (list.length === 0) throw new ConfigError(`${key}: must list at least one MTU`);
  const out = list.map((x, i) => {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 68 || x > 65535) {
      throw new ConfigError(`${key}[${i}]: ${show(x)} is not an MTU (68-65535)`);
    }
    return x;
  });
  return [...new Set(out)].sort((a, b) => b - a);
}

// ---------------------------------------------------------------------------------------------
// EngineConfig -> JSON form

/** The SPEC §3 JSON form of a parsed configuration (every key, canonical text). */
export function configToJson(cfg: EngineConfig): ConfigJson {
  return {
    profile: cfg.profile,
    mode: cfg.mode,
    pool6: cfg.pool6 ? prefix6Text(cfg.pool6) : null,
    pool4: cfg.pool4.map((p) => ({
      prefix: prefix4Text(p.prefix),
      ports: p.portMin === p.portMax ? `${p.portMin}` : `${p.portMin}-${p.portMax}`,
      protocols: [...p.protocols],
    })),
    bib: cfg.bib.map((b) => ({ protocol: b.protocol, ipv6: `${ipv6ToString(b.ipv6, 0)}#${b.port6}`, ipv4: `${v4text(b.ipv4)}#${b.port4}` })),
    eam: cfg.eam.map((e) => ({ ipv6: prefix6Text(e.ipv6), ipv4: prefix4Text(e.ipv4) })),
    denylist4: cfg.denylist4.map(prefix4Text),
    rfc6791: {
      ipv4: cfg.rfc6791.ipv4 ? prefix4Text(cfg.rfc6791.ipv4) : null,
      ipv6: cfg.rfc6791.ipv6 ? prefix6Text(cfg.rfc6791.ipv6) : null,
    },
    translator: {
      ipv6: cfg.translator.ipv6 ? ipv6ToString(cfg.translator.ipv6, 0) : null,
      ipv4: cfg.translator.ipv4 === null ? null : v4text(cfg.translator.ipv4),
    },
    mtu: { ipv6: cfg.mtu.ipv6, ipv4: cfg.mtu.ipv4, lowestIpv6Mtu: cfg.mtu.lowestIpv6Mtu, plateaus: [...cfg.mtu.plateaus] },
    udpZeroChecksum: cfg.udpZeroChecksum,
    trafficClass: { zeroize: cfg.trafficClass.zeroize, overrideTos: cfg.trafficClass.overrideTos },
    strictWellKnownPrefix: cfg.strictWellKnownPrefix,
    timeouts: { ...cfg.timeouts },
    filtering: { ...cfg.filtering },
    hairpinning: cfg.hairpinning,
    sourceIcmpv6ErrorsBetter: cfg.sourceIcmpv6ErrorsBetter,
    ipv4Identification: cfg.ipv4Identification,
    dns64: {
      enabled: cfg.dns64.enabled,
      prefixes: cfg.dns64.prefixes ? cfg.dns64.prefixes.map(prefix6Text) : null,
      exclude: cfg.dns64.exclude.map(prefix6Text),
      synthAll: cfg.dns64.synthAll,
      ptr: cfg.dns64.ptr,
      ttlWithoutSoa: cfg.dns64.ttlWithoutSoa,
    },
    policy: {
      tcpIdleRst: cfg.policy.tcpIdleRst,
      dropFragments: [...cfg.policy.dropFragments],
      maxConnectionsPerDestination: cfg.policy.maxConnectionsPerDestination,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Flags (SPEC §2)

export interface EngineFlags {
  mode?: string;
  /** `64:ff9b::/96`, or `none` for no prefix (SIIT with EAM only). */
  prefix?: string;
  /** `A[/L][#PORTS]`, repeatable; replaces the pool4 of the profile and file. */
  pool4?: string[];
  /** `V6/L=V4/L`, repeatable; replaces the eam list of the profile and file. */
  eam?: string[];
  dns64?: boolean;
}

export interface LoadConfigOptions {
  /** `--profile`; wins over a `profile` key in the file. */
  profile?: string;
  /** `--config FILE` (JSON, comments allowed). */
  configFile?: string;
  /** An already-parsed JSON form (instead of, or after, the file: it overrides the file). */
  configJson?: unknown;
  flags?: EngineFlags;
}

/** `--pool4 A[/L][#PORTS]` -> JSON form entry (ports left out when not given). */
export function parsePool4Flag(text: string): Pool4Json {
  const label = `--pool4 ${text}`;
  const hash = text.indexOf('#');
  const prefixText = hash < 0 ? text : text.slice(0, hash);
  const prefix = parsePrefix4(prefixText, label);
  const out: Pool4Json = { prefix: prefix4Text(prefix) };
  if (hash >= 0) {
    const [a, b] = parsePorts(text.slice(hash + 1), label);
    out.ports = a === b ? `${a}` : `${a}-${b}`;
  }
  return out;
}

/** `--eam V6/L=V4/L` -> JSON form entry. */
export function parseEamFlag(text: string): EamJson {
  const label = `--eam ${text}`;
  const eq = text.indexOf('=');
  if (eq < 0 || text.indexOf('=', eq + 1) >= 0) throw new ConfigError(`${label}: expected IPV6PREFIX=IPV4PREFIX, e.g. 2001:db8:3::/120=198.51.100.0/24`);
  const left = text.slice(0, eq).trim();
  const right = text.slice(eq + 1).trim();
  if (!left.includes(':') && right.includes(':')) throw new ConfigError(`${label}: the IPv6 prefix comes first: ${right}=${left}`);
  const ipv6 = parsePrefix6Any(left, label);
  const ipv4 = parsePrefix4(right, label);
  checkEamSuffix(ipv6, ipv4, label);
  return { ipv6: prefix6Text(ipv6), ipv4: prefix4Text(ipv4) };
}

function flagsToJson(flags: EngineFlags): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (flags.mode !== undefined) out.mode = oneOf(flags.mode, '--mode', ['nat64', 'siit'] as const);
  if (flags.prefix !== undefined) {
    out.pool6 = flags.prefix === 'none' || flags.prefix === 'null' ? null : prefix6Text(parseRfc6052Prefix(flags.prefix, `--prefix ${flags.prefix}`));
  }
  if (flags.pool4 !== undefined && flags.pool4.length > 0) out.pool4 = flags.pool4.map(parsePool4Flag);
  if (flags.eam !== undefined && flags.eam.length > 0) out.eam = flags.eam.map(parseEamFlag);
  if (flags.dns64 !== undefined) out.dns64 = { enabled: flags.dns64 };
  return out;
}

/** Deep-enough merge: known object keys merge one level, everything else replaces. */
function overlay(base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(top)) {
    if (k in OBJECT_KEYS && isPlainObject(v) && isPlainObject(out[k])) out[k] = { ...(out[k] as Record<string, unknown>), ...v };
    else out[k] = v;
  }
  return out;
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Reads and parses a config file; errors name the file (and line for syntax errors). */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why = e.code === 'ENOENT' ? 'no such file' : e.code === 'EACCES' ? 'permission denied' : e.code === 'EISDIR' ? 'is a directory' : (e.message ?? String(err));
    throw new ConfigError(`${path}: cannot read the config file (${why})`);
  }
  const v = parseJsonc(text, path);
  if (!isPlainObject(v)) throw new ConfigError(`${path}: the configuration must be a JSON object ({...})`);
  return v;
}

/**
 * Builds the effective configuration: profile defaults < config file < configJson < flags.
 * The profile is `opts.profile`, else the file's (or configJson's) `profile` key, else `rfc`.
 */
export function loadConfig(opts: LoadConfigOptions = {}): EngineConfig {
  const layers: Array<Record<string, unknown>> = [];
  if (opts.configFile !== undefined) layers.push(readConfigFile(opts.configFile));
  if (opts.configJson !== undefined) {
    if (!isPlainObject(opts.configJson)) throw new ConfigError('config: the configuration must be a JSON object ({...})');
    layers.push(opts.configJson);
  }
  let profile: ProfileName = 'rfc';
  if (opts.profile !== undefined) profile = oneOf(opts.profile, '--profile', PROFILE_NAMES);
  else {
    for (const l of layers) if (l.profile !== undefined) profile = oneOf(l.profile, 'profile', PROFILE_NAMES);
  }
  let merged: Record<string, unknown> = clone(PROFILES[profile]) as unknown as Record<string, unknown>;
  for (const l of layers) {
    checkKeys(l, TOP_KEYS, '');
    merged = overlay(merged, l);
  }
  if (opts.flags) merged = overlay(merged, flagsToJson(opts.flags));
  merged.profile = profile;
  return fromJson(merged);
}

// ---------------------------------------------------------------------------------------------
// JSON with comments: a small strict parser that reports line and column

/** Parses JSON (plus `//` and `/* *\/` comments); throws ConfigError `FILE: line L, column C: ...`. */
export function parseJsonc(text: string, file: string): unknown {
  let i = 0;
  const n = text.length;
  const fail = (msg: string, at = i): never => {
    let line = 1;
    let col = 1;
    for (let k = 0; k < at && k < n; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        col = 1;
      } else col++;
    }
    throw new ConfigError(`${file}: line ${line}, column ${col}: ${msg}`);
  };
  const tokenAt = (at: number): string => (at >= n ? 'end of input' : `token ${JSON.stringify(text[at])}`);
  const ws = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0xfeff) i++;
      else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2f) {
        while (i < n && text.charCodeAt(i) !== 0x0a) i++;
      } else if (c === 0x2f && text.charCodeAt(i + 1) === 0x2a) {
        const end = text.indexOf('*/', i + 2);
        if (end < 0) fail('Unterminated comment');
        i = end + 2;
      } else return;
    }
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail(`Unexpected ${tokenAt(i)}, expected a "key"`);
        const keyAt = i;
        const k = string();
        if (Object.prototype.hasOwnProperty.call(out, k)) fail(`Duplicate key ${JSON.stringify(k)}`, keyAt);
        ws();
        if (text[i] !== ':') fail(`Unexpected ${tokenAt(i)}, expected ":"`);
        i++;
        // defineProperty, as JSON.parse does: a "__proto__" key is an own property, not the prototype.
        Object.defineProperty(out, k, { value: value(), writable: true, enumerable: true, configurable: true });
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return out;
        }
        fail(`Unexpected ${tokenAt(i)}, expected "," or "}"`);
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return out;
        }
        fail(`Unexpected ${tokenAt(i)}, expected "," or "]"`);
      }
    }
    if (c === '"') return string();
    const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (m && m[0].length > 0) {
      i += m[0].length;
      return Number(m[0]);
    }
    for (const [word, v] of [['true', true], ['false', false], ['null', null]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    return fail(`Unexpected ${tokenAt(i)}, expected a value`);
  };
  const string = (): string => {
    const start = i;
    i++;
    for (;;) {
      if (i >= n) fail('Unterminated string', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) break;
      if (c === 0x5c) i += 2;
      else if (c < 0x20) fail('Unexpected control character in string');
      else i++;
    }
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return fail('Bad escape in string', start);
    }
  };
  const v = value();
  ws();
  if (i < n) fail(`Unexpected ${tokenAt(i)} after the end of the JSON value`);
  return v;
}
