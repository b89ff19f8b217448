/**
 * A forwarding rule sends matching queries out through an outbound endpoint; without one (or with
 * an inbound endpoint) on-premises names do not resolve, so DNS64 has nothing to synthesize from.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { relevantForwardRules } from './resolver-scope.js';

export const resolverRuleEndpoint: AwsCheck = {
  name: 'forwarding rule outbound endpoint',
  ids: ['resolver-rule-no-endpoint'],
  needs: ['ResolverRules'],
  run(ctx) {
    const out: Finding[] = [];
    const outbound = ctx.inv.resolverEndpoints.filter((e) => e.Direction === 'OUTBOUND');
    const suggest = outbound[0]?.Id ?? '<outbound-endpoint-id>';
    for (const r of relevantForwardRules(ctx)) {
      const epId = r.ResolverEndpointId;
      const ep = ctx.resolverEndpoint(epId);
      let what: string | null = null;
      if (!epId) what = 'has no ResolverEndpointId';
      else if (ctx.has('ResolverEndpoints') && !ep) what = `names endpoint ${epId}, which list-resolver-endpoints does not list`;
      else if (ep && ep.Direction !== 'OUTBOUND') what = `names endpoint ${epId}, an ${ep.Direction ?? 'unknown'} endpoint, not an outbound one`;
      if (!what) continue;
      out.push(awsFinding('resolver-rule-no-endpoint', 'error', `forwarding rule ${r.Id} (${r.DomainName ?? '?'}) has no outbound endpoint`,
        `Rule ${r.Id} forwards ${r.DomainName ?? 'its domain'} to ${(r.TargetIps ?? []).map((t) => t.Ip ?? t.Ipv6).join(', ') || 'its targets'} but ${what}. Route 53 Resolver sends forwarded queries only through an outbound endpoint: on-premises names get no answer, so DNS64 has no A record to synthesize a 64:ff9b:: address from.`,
        outbound.length
          ? `aws route53resolver update-resolver-rule --resolver-rule-id ${r.Id} --config ResolverEndpointId=${suggest}`
          : `aws route53resolver create-resolver-endpoint --creator-request-id nat64scope-${r.Id} --direction OUTBOUND --security-group-ids <sg-id> --ip-addresses SubnetId=<subnet-with-ipv4-a> SubnetId=<subnet-with-ipv4-b>\naws route53resolver update-resolver-rule --resolver-rule-id ${r.Id} --config ResolverEndpointId=<new-endpoint-id>`,
        [r.Id, epId]));
    }
    return out;
  },
};
