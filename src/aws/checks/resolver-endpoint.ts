/**
 * The guide: the outbound endpoint gets IPv4 addresses, because queries to on-premises resolvers
 * leave from them. An IPv6-only endpoint cannot reach IPv4 targets (and cannot be changed to
 * dual-stack); an endpoint that is not OPERATIONAL forwards nothing.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { ipv4Targets, relevantForwardRules } from './resolver-scope.js';

export const resolverEndpoint: AwsCheck = {
  name: 'outbound endpoint addresses and status',
  ids: ['resolver-endpoint-no-ipv4', 'resolver-endpoint-not-operational'],
  needs: ['ResolverRules', 'ResolverEndpoints'],
  run(ctx) {
    const out: Finding[] = [];
    const rules = relevantForwardRules(ctx);
    const eps = new Set(rules.map((r) => r.ResolverEndpointId).filter((x): x is string => !!x));
    for (const id of eps) {
      const ep = ctx.resolverEndpoint(id);
      if (!ep || ep.Direction !== 'OUTBOUND') continue;
      const mine = rules.filter((r) => r.ResolverEndpointId === id);
      const v4 = mine.flatMap(ipv4Targets);
      if (ep.ResolverEndpointType === 'IPV6' && v4.length > 0) {
        out.push(awsFinding('resolver-endpoint-no-ipv4', 'error', `outbound endpoint ${id} has no IPv4 addresses (ResolverEndpointType IPV6)`,
          `Rule${mine.length > 1 ? 's' : ''} ${mine.map((r) => r.Id).join(', ')} forward${mine.length > 1 ? '' : 's'} to IPv4 resolvers (${v4.join(', ')}) through ${id}, an IPv6-only endpoint: the queries cannot leave it. The guide gives the outbound endpoint IPv4 addresses; an IPV6 endpoint cannot be changed to dual-stack, so create another.`,
          `aws route53resolver create-resolver-endpoint --creator-request-id nat64scope-${id} --direction OUTBOUND --resolver-endpoint-type DUALSTACK --security-group-ids ${(ep.SecurityGroupIds ?? [])[0] ?? '<sg-id>'} --ip-addresses SubnetId=<subnet-with-ipv4-a> SubnetId=<subnet-with-ipv4-b>\n${mine.map((r) => `aws route53resolver update-resolver-rule --resolver-rule-id ${r.Id} --config ResolverEndpointId=<new-endpoint-id>`).join('\n')}`,
          [id, ...mine.map((r) => r.Id)]));
      }
      if (ep.Status && ep.Status !== 'OPERATIONAL') {
        const transient = ep.Status === 'UPDATING' || ep.Status === 'AUTO_RECOVERING' || ep.Status === 'CREATING';
        out.push(awsFinding('resolver-endpoint-not-operational', transient ? 'warning' : 'error', `outbound endpoint ${id} is ${ep.Status}`,
          `${id} (used by ${mine.map((r) => r.Id).join(', ')}) has Status ${ep.Status}${ep.StatusMessage ? `: ${ep.StatusMessage}` : ''}. Forwarded queries fail or time out while it is not OPERATIONAL.`,
          `aws route53resolver get-resolver-endpoint --resolver-endpoint-id ${id}`,
          [id, ...mine.map((r) => r.Id)]));
      }
    }
    return out;
  },
};
