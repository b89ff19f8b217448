/**
 * The guide's third route: ::/0 to the egress-only internet gateway. Without it, names that have
 * real AAAA records (DNS64 returns those unchanged) are unreachable; to a NAT gateway, native IPv6
 * is not translated and is dropped; to an internet gateway, hosts outside can open connections in.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, routeDestination, routeTarget } from '../context.js';
import { IPV6_ANY } from '../cidr.js';

export const ipv6DefaultRoute: AwsCheck = {
  name: '::/0 route',
  ids: ['ipv6-default-route-missing', 'ipv6-default-route-blackhole', 'ipv6-default-route-nat', 'ipv6-default-route-igw'],
  needs: ['Subnets', 'RouteTables'],
  run(ctx) {
    const out: Finding[] = [];
    for (const t of ctx.targets) {
      const rt = t.routeTable;
      if (!rt) continue;
      const sid = t.subnet.SubnetId;
      const eigw = ctx.attachedEigws(t.subnet.VpcId)[0];
      const eigwArg = eigw ?? '<eigw-id>';
      const createEigw = eigw ? '' : `aws ec2 create-egress-only-internet-gateway --vpc-id ${t.subnet.VpcId}\n`;
      const r = lookupRoute(rt, IPV6_ANY);
      const target = routeTarget(r);
      if (!r || routeDestination(r)?.len !== 0) {
        out.push(awsFinding('ipv6-default-route-missing', 'error', `route table ${rt.RouteTableId} has no ::/0 route`,
          `Subnet ${sid} has no IPv6 default route. DNS64 passes real AAAA records through unchanged, so every destination that has IPv6 is reached natively, not through 64:ff9b::/96, and with no ::/0 route those connections fail.`,
          `${createEigw}aws ec2 create-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id ${eigwArg}`,
          [rt.RouteTableId, sid, eigw]));
      } else if (r.State === 'blackhole') {
        out.push(awsFinding('ipv6-default-route-blackhole', 'error', `the ::/0 route of ${rt.RouteTableId} is a blackhole`,
          `::/0 points to ${describeTarget(target)}, which no longer exists (State blackhole): native IPv6 destinations from ${sid} are unreachable.`,
          `${createEigw}aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id ${eigwArg}`,
          [rt.RouteTableId, sid, target.id, eigw]));
      } else if (target.kind === 'nat') {
        out.push(awsFinding('ipv6-default-route-nat', 'error', `::/0 in ${rt.RouteTableId} points to NAT gateway ${target.id}`,
          `A NAT gateway translates only 64:ff9b::/96; other IPv6 it receives is not forwarded. Destinations with real AAAA records (which DNS64 returns unchanged) become unreachable from ${sid}. The guide points ::/0 to the egress-only internet gateway and only 64:ff9b::/96 to the NAT gateway.`,
          `${createEigw}aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id ${eigwArg}`,
          [rt.RouteTableId, sid, target.id, eigw]));
      } else if (target.kind === 'igw') {
        out.push(awsFinding('ipv6-default-route-igw', 'warning', `::/0 in ${rt.RouteTableId} points to internet gateway ${target.id}, not an egress-only one`,
          `The guide's warning: pointing ::/0 to the internet gateway lets hosts outside the VPC initiate IPv6 connections to the instances of ${sid} (only security groups stand in the way). NAT64 keeps working; an egress-only internet gateway allows outbound connections only.`,
          `${createEigw}aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ::/0 --egress-only-internet-gateway-id ${eigwArg}`,
          [rt.RouteTableId, sid, target.id, eigw]));
      }
    }
    return out;
  },
};
