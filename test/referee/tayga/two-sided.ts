/**
 * The TAYGA set-up of the tests that watch both sides of a real translator (the analyze and
 * correlate referee tests, and `live` on TAYGA in test/live/tayga-topology.ts): the IPv6 host
 * 2001:db8:6::10 is statically mapped to 192.0.2.10 (an RFC 7757 EAM entry), IPv4 hosts are
 * reached through 2001:db8:64::/96.
 */
import { fileURLToPath } from 'node:url';

/** tayga.conf. */
export const TWO_SIDED_CONF = [
  'tun-device nat64',
  'ipv4-addr 192.0.2.1',
  'ipv6-addr 2001:db8:ffff::1',
  'prefix 2001:db8:64::/96',
  'map 192.0.2.10 2001:db8:6::10',
  '',
].join('\n');

/** The engine configuration equivalent to TWO_SIDED_CONF (SPEC §3 JSON, for --config). */
export const TWO_SIDED_ENGINE_CONFIG = {
  profile: 'tayga',
  mode: 'siit',
  pool6: '2001:db8:64::/96',
  // TAYGA maps its own ipv4-addr <-> ipv6-addr too (conffile.c).
  eam: [{ ipv6: '2001:db8:6::10/128', ipv4: '192.0.2.10/32' }, { ipv6: '2001:db8:ffff::1/128', ipv4: '192.0.2.1/32' }],
  translator: { ipv6: '2001:db8:ffff::1', ipv4: '192.0.2.1' },
  rfc6791: { ipv4: '192.0.2.1/32', ipv6: '2001:db8:ffff::1/128' },
};

/** Ordinary traffic both ways through that set-up (Scapy). */
export const TWO_SIDED_INJECTOR = fileURLToPath(new URL('./inject-correlate.py', import.meta.url));
