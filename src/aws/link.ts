/**
 * Ties what a capture shows to the configuration that explains it: `analyze` findings (by rule id)
 * get the matching aws-check findings added to their detail, their AWS CLI fix as `awsFix`, and
 * their resource ids. `analyze --aws-config DIR` and the viewer call `linkToAwsFindings`.
 */
import { SEVERITY_RANK, type Finding } from '../diag/finding.js';

/**
 * Capture finding id -> the aws-check finding ids that can explain it, most direct cause first.
 * Keys are analyze's rule ids (src/diag/rules/*) plus the names the issue uses for them.
 */
export const AWS_LINKS: Readonly<Record<string, readonly string[]>> = {
  // SYNs to 64:ff9b::/96 retried and never answered: the packets reach no working translator.
  'prefix-not-routed': [
    'prefix-route-missing', 'prefix-route-blackhole', 'prefix-route-not-nat', 'prefix-route-split',
    'nat-gateway-not-available', 'nat-gateway-unknown', 'public-nat-no-igw-route', 'private-nat-for-internet',
    'sg-egress-blocks-prefix', 'nacl-egress-blocks-prefix', 'nacl-ingress-blocks-return', 'nat-subnet-nacl-blocks',
    'nat-no-route-to-onprem', 'nat-in-workload-subnet', 'subnet-no-ipv6', 'vpc-no-ipv6',
  ],
  // AAAA queries for IPv4-only names answered without a synthesized record.
  'dns64-missing': [
    'dns64-disabled', 'vpc-dns-support-off', 'dhcp-options-custom-dns', 'resolver-rule-not-associated',
    'resolver-rule-no-endpoint', 'resolver-endpoint-no-ipv4', 'resolver-endpoint-not-operational',
  ],
  // Native IPv6 destinations (real AAAA) unreachable.
  'native-ipv6-broken': ['ipv6-default-route-missing', 'ipv6-default-route-blackhole', 'ipv6-default-route-nat'],
  // Connections opened from outside to the IPv6-only hosts.
  'externally-initiated': ['ipv6-default-route-igw'],
  // What the NAT gateway does by design: 350 s idle timeout, 55,000 connections per destination, fragments dropped.
  'idle-timeout': ['nat64-path'],
  'port-exhaustion': ['nat64-path'],
  'fragments': ['nat64-path', 'nacl-blocks-packet-too-big'],
  'pmtu-blackhole': ['nacl-blocks-packet-too-big', 'nat64-path'],
};

/** Names used for the same capture findings elsewhere (the issue text, older drafts). */
const ALIASES: Readonly<Record<string, string>> = {
  'syn-unanswered': 'prefix-not-routed',
  'fragments-dropped': 'fragments',
  'no-synthesis': 'dns64-missing',
};

/**
 * Returns the capture findings (new objects, same order) with the aws-check findings that explain
 * them appended to `detail`, their fixes as `awsFix` and their resource ids added. Findings no
 * configuration explains come back unchanged. `links` replaces the default mapping table.
 */
export function linkToAwsFindings(captureFindings: Finding[], awsFindings: Finding[], links: Readonly<Record<string, readonly string[]>> = AWS_LINKS): Finding[] {
  return captureFindings.map((cf) => {
    const key = links[cf.id] ? cf.id : ALIASES[cf.id] ?? cf.id;
    const wanted = links[key];
    if (!wanted) return cf;
    let causes = awsFindings.filter((a) => wanted.includes(a.id));
    if (causes.length === 0) return cf;
    // A configuration error outranks the general facts of the path (info).
    const worst = Math.max(...causes.map((a) => SEVERITY_RANK[a.severity]));
    causes = causes.filter((a) => SEVERITY_RANK[a.severity] === worst)
      .sort((a, b) => wanted.indexOf(a.id) - wanted.indexOf(b.id));
    const because = causes.map((a) => `${a.title} (aws-check ${a.id})`).join('; ');
    const resources = [...new Set([...(cf.resources ?? []), ...causes.flatMap((a) => a.resources ?? [])])];
    const fixes = [...new Set(causes.map((a) => a.awsFix ?? a.fix).filter((f) => f.length > 0))];
    return {
      ...cf,
      detail: `${cf.detail.replace(/\s+$/, '')} — ${because}`,
      awsFix: fixes.join('\n') || cf.awsFix,
      resources,
    };
  });
}
