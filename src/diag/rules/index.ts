/** The failure catalog: every rule, in the order of issue 5's list. */
import type { RuleDef } from './types.js';
import { prefixNotRouted } from './prefix-not-routed.js';
import { dns64Missing } from './dns64-missing.js';
import { dns64PrefixMismatch } from './dns64-prefix-mismatch.js';
import { dns64Dnssec } from './dns64-dnssec.js';
import { ipv4OnlyClient } from './ipv4-only-client.js';
import { nonGlobalBehindWkp } from './non-global-behind-wkp.js';
import { pmtuBlackhole } from './pmtu-blackhole.js';
import { fragments } from './fragments.js';
import { icmpTranslation } from './icmp-translation.js';
import { checksumBad } from './checksum-bad.js';
import { idleTimeout } from './idle-timeout.js';
import { portExhaustion } from './port-exhaustion.js';
import { externallyInitiated } from './externally-initiated.js';
import { hairpinning } from './hairpinning.js';
import { unsupportedProtocol } from './unsupported-protocol.js';
import { nativeIpv6Broken } from './native-ipv6-broken.js';

export const RULES: readonly RuleDef[] = [
  prefixNotRouted,
  dns64Missing,
  dns64PrefixMismatch,
  dns64Dnssec,
  ipv4OnlyClient,
  nonGlobalBehindWkp,
  pmtuBlackhole,
  fragments,
  icmpTranslation,
  checksumBad,
  idleTimeout,
  portExhaustion,
  externallyInitiated,
  hairpinning,
  unsupportedProtocol,
  nativeIpv6Broken,
];

export type { RuleDef } from './types.js';
