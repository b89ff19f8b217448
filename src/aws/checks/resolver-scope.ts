/** Shared by the Route 53 Resolver checks: the forwarding rules that concern the checked VPCs. */
import type { AwsContext } from '../context.js';
import type { ResolverRule } from '../types.js';

/** VPCs of the subnets under check (all VPCs of the input when no subnet is under check). */
export function checkedVpcs(ctx: AwsContext): Set<string> {
  const s = new Set(ctx.targets.map((t) => t.subnet.VpcId).filter((v): v is string => !!v));
  if (s.size === 0) for (const v of ctx.inv.vpcs) s.add(v.VpcId);
  return s;
}

/**
 * FORWARD rules that concern the checked VPCs: associated with one of them, hosted (through their
 * endpoint) in one, or associated with no VPC at all; every FORWARD rule when nothing says more.
 */
export function relevantForwardRules(ctx: AwsContext): ResolverRule[] {
  const vpcs = checkedVpcs(ctx);
  const rules = ctx.inv.resolverRules.filter((r) => r.RuleType === 'FORWARD' && r.Status !== 'DELETING');
  return rules.filter((r) => {
    const ep = ctx.resolverEndpoint(r.ResolverEndpointId);
    if (ep?.HostVPCId && vpcs.has(ep.HostVPCId)) return true;
    if (!ctx.has('ResolverRuleAssociations')) return true;
    const mine = ctx.ruleAssociations(r.Id);
    return mine.length === 0 || mine.some((a) => a.VPCId !== undefined && vpcs.has(a.VPCId));
  });
}

export function ipv4Targets(r: ResolverRule): string[] {
  return (r.TargetIps ?? []).map((t) => t.Ip).filter((ip): ip is string => typeof ip === 'string' && ip.length > 0);
}
