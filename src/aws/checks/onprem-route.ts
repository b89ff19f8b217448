/**
 * For on-premises IPv4 destinations (the guide's second walkthrough), the NAT gateway's subnet must
 * route the on-premises network to a transit or virtual private gateway. The forwarding rules'
 * private IPv4 targets stand for that network.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, routeTarget } from '../context.js';
import { cidrContains, parseCidr, type Cidr } from '../cidr.js';
import { natsInUse } from './nat-path.js';
import { ipv4Targets, relevantForwardRules } from './resolver-scope.js';

const PRIVATE = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10'].map((c) => parseCidr(c) as Cidr);

export const onpremRoute: AwsCheck = {
  name: 'NAT gateway route to on-premises networks',
  ids: ['nat-no-route-to-onprem'],
  needs: ['ResolverRules', 'NatGateways', 'RouteTables', 'Subnets'],
  run(ctx) {
    const out: Finding[] = [];
    const rules = relevantForwardRules(ctx);
    if (rules.length === 0) return out;
    for (const { natId, nat } of natsInUse(ctx)) {
      if (!nat || nat.State !== 'available' || !nat.SubnetId) continue;
      // The rules that act in the NAT gateway's VPC: associated with it, or (no association input) hosted in it.
      const vpc = nat.VpcId ?? ctx.subnet(nat.SubnetId)?.VpcId;
      const mine = rules.filter((r) => ctx.has('ResolverRuleAssociations')
        ? ctx.ruleAssociations(r.Id).some((a) => a.VPCId === vpc)
        : ctx.resolverEndpoint(r.ResolverEndpointId)?.HostVPCId === vpc || !ctx.has('ResolverEndpoints'));
      const targets = mine.flatMap((r) => ipv4Targets(r).map((ip) => ({ ip, rule: r.Id })))
        .filter((t) => { const c = parseCidr(t.ip); return c !== null && PRIVATE.some((p) => cidrContains(p, c)); });
      if (targets.length === 0) continue;
      const table = ctx.routeTableOf(nat.SubnetId, nat.VpcId).table;
      if (!table) continue;
      const vpcV4 = ctx.vpc(nat.VpcId)?.CidrBlock;
      const unrouted: { ip: string; rule: string; via: string }[] = [];
      for (const t of targets) {
        const c = parseCidr(t.ip) as Cidr;
        const vc = parseCidr(vpcV4);
        if (vc && cidrContains(vc, c)) continue;
        const r = lookupRoute(table, c);
        const tg = routeTarget(r);
        if (r && r.State !== 'blackhole' && ['tgw', 'vgw', 'pcx', 'eni', 'instance', 'other'].includes(tg.kind)) continue;
        unrouted.push({ ...t, via: r ? describeTarget(tg) + (r.State === 'blackhole' ? ' (blackhole)' : '') : 'nothing' });
      }
      if (unrouted.length === 0) continue;
      const ips = unrouted.map((u) => u.ip);
      const ruleIds = [...new Set(unrouted.map((u) => u.rule))];
      out.push(awsFinding('nat-no-route-to-onprem', 'warning', `NAT gateway ${natId}'s subnet has no route to the on-premises network of ${ips.join(', ')}`,
        `Rule${ruleIds.length > 1 ? 's' : ''} ${ruleIds.join(', ')} forward${ruleIds.length > 1 ? '' : 's'} to the on-premises resolvers ${ips.join(', ')}, so on-premises names resolve and DNS64 synthesizes 64:ff9b:: addresses for them. The NAT gateway sends the translated IPv4 by its subnet's table ${table.RouteTableId}, where ${unrouted.map((u) => `${u.ip} goes to ${u.via}`).join(', ')}, not to a transit or virtual private gateway: connections to on-premises IPv4 hosts fail.`,
        `aws ec2 create-route --route-table-id ${table.RouteTableId} --destination-cidr-block <on-premises-cidr> --transit-gateway-id <tgw-id>`,
        [natId, table.RouteTableId, ...ruleIds]));
    }
    return out;
  },
};
