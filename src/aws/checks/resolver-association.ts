/**
 * A forwarding rule acts only in the VPCs it is associated with (association Status COMPLETE). A
 * rule whose outbound endpoint lives in a checked VPC is meant for it and must be associated; a
 * rule hosted elsewhere and associated with no VPC at all is flagged for each checked VPC.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { relevantForwardRules } from './resolver-scope.js';

export const resolverAssociation: AwsCheck = {
  name: 'forwarding rule association with the VPC',
  ids: ['resolver-rule-not-associated'],
  needs: ['ResolverRules', 'ResolverRuleAssociations', 'Subnets'],
  run(ctx) {
    const out: Finding[] = [];
    const vpcs = [...new Set(ctx.targets.map((t) => t.subnet.VpcId).filter((v): v is string => !!v))];
    if (vpcs.length === 0) return out;
    for (const r of relevantForwardRules(ctx)) {
      const host = ctx.resolverEndpoint(r.ResolverEndpointId)?.HostVPCId;
      const associated = ctx.ruleAssociations(r.Id).length > 0;
      for (const vpc of vpcs) {
        if (host !== vpc && (associated || (host !== undefined && !vpcs.includes(host)))) continue;
        const a = ctx.ruleAssociations(r.Id).filter((x) => x.VPCId === vpc);
        if (a.some((x) => x.Status === 'COMPLETE' || x.Status === 'CREATING')) continue;
        const bad = a[0];
        out.push(awsFinding('resolver-rule-not-associated', 'error', `forwarding rule ${r.Id} (${r.DomainName ?? '?'}) is not associated with ${vpc}`,
          bad
            ? `The association ${bad.Id} of ${r.Id} with ${vpc} has Status ${bad.Status}${bad.StatusMessage ? ` (${bad.StatusMessage})` : ''}: queries from the IPv6-only subnets of ${vpc} for ${r.DomainName} are not forwarded on premises, and DNS64 has nothing to synthesize.`
            : `No entry of list-resolver-rule-associations links ${r.Id} with ${vpc}. Queries from its IPv6-only subnets for ${r.DomainName ?? 'the domain'} go to the public DNS instead of the on-premises resolvers, and on-premises names get no 64:ff9b:: answer.`,
          `aws route53resolver associate-resolver-rule --resolver-rule-id ${r.Id} --vpc-id ${vpc}`,
          [r.Id, vpc, bad?.Id]));
      }
    }
    return out;
  },
};
