/**
 * The guide's first route, "IPv4 route (if any) pointing to the NAT gateway": for a dual-stack
 * subnet with DNS64, IPv4 is the fallback of happy-eyeballs clients.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, routeDestination, routeTarget } from '../context.js';
import { IPV4_ANY } from '../cidr.js';

export const ipv4DefaultRoute: AwsCheck = {
  name: '0.0.0.0/0 route of dual-stack subnets',
  ids: ['ipv4-default-route-missing', 'ipv4-default-route-blackhole'],
  needs: ['Subnets', 'RouteTables'],
  run(ctx) {
    const out: Finding[] = [];
    for (const t of ctx.targets) {
      const rt = t.routeTable;
      if (!rt || !t.subnet.CidrBlock) continue; // IPv6-only: no IPv4 route needed
      const sid = t.subnet.SubnetId;
      const nat = ctx.suggestNat(t.subnet.VpcId, t.subnet.AvailabilityZone)?.NatGatewayId ?? '<nat-gateway-id>';
      const r = lookupRoute(rt, IPV4_ANY);
      if (!r || routeDestination(r)?.len !== 0) {
        out.push(awsFinding('ipv4-default-route-missing', 'info', `dual-stack subnet ${sid}: route table ${rt.RouteTableId} has no 0.0.0.0/0 route`,
          `${sid} has IPv4 (${t.subnet.CidrBlock}) but no IPv4 default route: its instances reach IPv4-only destinations only through NAT64 (64:ff9b::/96), never over their own IPv4. The guide adds 0.0.0.0/0 to the NAT gateway.`,
          `aws ec2 create-route --route-table-id ${rt.RouteTableId} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id ${nat}`,
          [rt.RouteTableId, sid]));
      } else if (r.State === 'blackhole') {
        out.push(awsFinding('ipv4-default-route-blackhole', 'warning', `the 0.0.0.0/0 route of ${rt.RouteTableId} is a blackhole`,
          `0.0.0.0/0 points to ${describeTarget(routeTarget(r))}, which no longer exists: IPv4 connections from the dual-stack subnet ${sid} fail, and clients that fall back from IPv6 to IPv4 hang.`,
          `aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-cidr-block 0.0.0.0/0 --nat-gateway-id ${nat}`,
          [rt.RouteTableId, sid, routeTarget(r).id]));
      }
    }
    return out;
  },
};
