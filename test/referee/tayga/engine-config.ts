/**
 * The EngineConfig equivalent to harness.ts's TAYGA_CONF, written by hand (the RFC defaults of
 * SPEC §3 wherever tayga.conf says nothing), so the comparison does not depend on the config
 * loader. Where TAYGA behaves differently from these RFC defaults and no key can say so, the
 * difference is a listed departure (departures.ts), not a setting here.
 */
import type { EngineConfig, EamEntry } from '../../../src/xlat/config-types.js';

export function v4(text: string): number {
  const p = text.split('.').map(Number);
  return (((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0);
}

export function v6(text: string): Uint8Array {
  const out = new Uint8Array(16);
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const hs = head ? head.split(':') : [];
  const ts = tail ? tail.split(':') : [];
  const groups = tail === null ? hs : [...hs, ...Array<string>(8 - hs.length - ts.length).fill('0'), ...ts];
  groups.forEach((g, i) => {
    const n = parseInt(g || '0', 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  });
  return out;
}

/** `map A B` in tayga.conf: A/32 <-> B/128 (TAYGA's static map is an RFC 7757 EAM entry). */
function map(ipv4: string, ipv6: string): EamEntry {
  return { ipv4: { addr: v4(ipv4), len: 32 }, ipv6: { bytes: v6(ipv6), len: 128 } };
}

export function taygaEquivalentConfig(): EngineConfig {
  return {
    profile: 'rfc',
    mode: 'siit',
    pool6: { bytes: v6('64:ff9b::'), len: 96 }, // prefix 64:ff9b::/96
    pool4: [],
    bib: [],
    eam: [
      map('192.0.2.10', '2001:db8:6::10'),
      map('192.0.2.11', '2001:db8:6::1'),
      map('198.51.100.20', '2001:db8:4::20'),
      map('198.51.100.21', '2001:db8:4::21'),
      map('198.51.100.1', '2001:db8:4::1'),
      // TAYGA also maps ipv4-addr <-> ipv6-addr (conffile.c read_config adds a static map for
      // them); no injected packet uses that pair.
      map('192.0.2.1', '2001:db8:ffff::1'),
    ],
    denylist4: [],
    // RFC 6791 pools = TAYGA's own addresses: where TAYGA uses a source of its own for an ICMP
    // error it cannot translate ("allow_fake_source" in nat64.c), that is the RFC 6791 choice.
    rfc6791: { ipv4: { addr: v4('192.0.2.1'), len: 32 }, ipv6: { bytes: v6('2001:db8:ffff::1'), len: 128 } },
    translator: { ipv6: v6('2001:db8:ffff::1'), ipv4: v4('192.0.2.1') }, // ipv6-addr / ipv4-addr
    // TAYGA has one MTU, the tun's when it starts (1500), for both sides; it never fragments below
    // ipv6_offlink_mtu = 1280 (conffile.c), which is lowestIpv6Mtu.
    mtu: { ipv6: 1500, ipv4: 1500, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] },
    udpZeroChecksum: 'drop', // SPEC §3 default (RFC 7915 §4.5 leaves it to configuration)
    trafficClass: { zeroize: false, overrideTos: null },
    // RFC 6052 §3.1. TAYGA enforces it too, with its own (older, shorter) list: see departures.
    strictWellKnownPrefix: true,
    timeouts: { udp: 300, tcpEstablished: 7440, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 },
    filtering: { addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false },
    hairpinning: 'off', // no injected packet hairpins
    sourceIcmpv6ErrorsBetter: false,
    ipv4Identification: 'zero',
    dns64: { enabled: false, prefixes: null, exclude: [], synthAll: false, ptr: 'off', ttlWithoutSoa: 600 },
    policy: { tcpIdleRst: null, dropFragments: [], maxConnectionsPerDestination: null },
  };
}
