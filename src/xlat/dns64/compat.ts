/**
 * `--dns64-compat rfc|bind|unbound`: the points where BIND 9 and Unbound answer differently from
 * each other (and from RFC 6147), as measured by test/referee/dns64 against the Debian packages.
 * `rfc` (the default) follows RFC 6147 wherever it decides; each departure of a resolver is one
 * field here, documented in test/referee/dns64/DEPARTURES.md and the README.
 */
import type { Prefix6Any } from '../config-types.js';

export type Dns64Compat = 'rfc' | 'bind' | 'unbound';
export const DNS64_COMPAT_NAMES: readonly Dns64Compat[] = ['rfc', 'bind', 'unbound'];

export interface Dns64Behaviour {
  /** RFC 8880 §7.2: answer ipv4only.arpa AAAA locally. */
  ipv4onlyLocal: boolean;
  /** TTL of those local answers. */
  ipv4onlyTtl: number;
  /** RFC 6147 §5.5 point 3: no synthesis when DO and CD are set. */
  noSynthOnDoCd: boolean;
  /** BIND `break-dnssec no`: no synthesis when DO is set and the answer is signed (CD or not). */
  noSynthOnDoSigned: boolean;
  /** Unbound: no synthesis whenever CD is set. */
  noSynthOnCd: boolean;
  /** Largest UDP answer whatever the requestor offers (BIND max-udp-size 1232), or 0 = the requestor's size. */
  udpCap: number;
  /** A truncated answer keeps the records that fit (`never` empty), or is sent empty (`always`, or only to EDNS queries). */
  tcEmpty: 'never' | 'edns' | 'always';
  /** RFC 6147 §5.1.4: when native AAAA are mixed with excluded ones, drop the excluded ones. */
  removeExcludedFromMixed: boolean;
  /** Apply strictWellKnownPrefix (RFC 6052 §3.1) to synthesis. */
  strictWkp: boolean;
  /** `min`: RFC 6147 §5.1.7 min(A TTL, SOA-derived); `a-ttl`: the A TTL alone. */
  ttlRule: 'min' | 'a-ttl';
  /** How the SOA gives the negative TTL: RFC 2308 min(TTL, MINIMUM), the SOA TTL, or MINIMUM. */
  soaTtlRule: 'min' | 'ttl' | 'minimum';
  /** Whether a synthesized answer may carry AD (RFC 6147 §5.5 point 2). */
  adRule: (doBit: boolean, cd: boolean, aaaaAd: boolean, aAd: boolean) => boolean;
  /** `cname`: RFC 6147 §5.3.1 CNAME into in-addr.arpa; `ptr`: PTR records under the ip6.arpa name. */
  ptrMode: 'cname' | 'ptr' | 'off';
  /** TTL of the synthesized PTR CNAME. */
  ptrCnameTtl: number;
  /** Replaces the configured exclusion set (null = the configuration's). */
  exclude: Prefix6Any[] | null;
}

const RFC: Dns64Behaviour = {
  ipv4onlyLocal: true,
  // RFC 8880 fixes no TTL for the local answer; 3600 is what BIND's built-in zone uses.
  ipv4onlyTtl: 3600,
  noSynthOnDoCd: true,
  noSynthOnDoSigned: false,
  noSynthOnCd: false,
  udpCap: 0,
  tcEmpty: 'never',
  removeExcludedFromMixed: true,
  strictWkp: true,
  ttlRule: 'min',
  soaTtlRule: 'min',
  adRule: (doBit, cd, aaaaAd, aAd) => doBit && !cd && aaaaAd && aAd,
  ptrMode: 'cname',
  ptrCnameTtl: 600,
  exclude: null,
};

export function compatBehaviour(c: Dns64Compat): Dns64Behaviour {
  switch (c) {
    // BIND 9.18 `dns64 64:ff9b::/96 { };` (defaults: exclude ::ffff:0:0/96, mapped any, break-dnssec no).
    case 'bind':
      return { ...RFC, strictWkp: false, noSynthOnDoCd: false, noSynthOnDoSigned: true, udpCap: 1232, tcEmpty: 'edns' };
    // Unbound 1.17 `module-config: "dns64 validator iterator"`, dns64-prefix.
    case 'unbound':
      return { ...RFC, strictWkp: false, ipv4onlyLocal: false, ttlRule: 'a-ttl', exclude: [], noSynthOnCd: true, ptrMode: 'ptr', tcEmpty: 'always' };
    default:
      return RFC;
  }
}
