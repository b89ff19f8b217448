/**
 * The IPv6-only subnet's route table must send 64:ff9b::/96 to an available NAT gateway (the
 * guide's second route). Longest-prefix match decides: without a /96 route the traffic follows
 * ::/0 to the egress-only gateway, which drops it (64:ff9b::/96 is not routable on the internet).
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, named, routeDestination, routesInside, routeTarget } from '../context.js';
import { NAT64_PREFIX } from '../cidr.js';

export const prefixRoute: AwsCheck = {
  name: '64:ff9b::/96 route',
  ids: ['route-table-missing', 'prefix-route-missing', 'prefix-route-blackhole', 'prefix-route-not-nat', 'prefix-route-split'],
  needs: ['Subnets', 'RouteTables'],
  run(ctx) {
    const out: Finding[] = [];
    for (const t of ctx.targets) {
      const sid = t.subnet.SubnetId;
      const rt = t.routeTable;
      if (!rt) {
        out.push(awsFinding('route-table-missing', 'error', `no route table found for subnet ${named(sid, t.subnet.Tags)}`,
          `No table in the RouteTables input has an association with ${sid}, and none is marked Main for ${t.subnet.VpcId ?? 'its VPC'}. Without it the routes to the NAT gateway cannot be checked (was describe-route-tables filtered?).`,
          `aws ec2 describe-route-tables --filters Name=association.subnet-id,Values=${sid}`, [sid, t.subnet.VpcId]));
        continue;
      }
      const nat = ctx.suggestNat(t.subnet.VpcId, t.subnet.AvailabilityZone)?.NatGatewayId ?? '<nat-gateway-id>';
      const which = `route table ${named(rt.RouteTableId, rt.Tags)}${t.routeTableExplicit ? '' : ' (the VPC\'s main table, no explicit association)'}`;
      const r = lookupRoute(rt, NAT64_PREFIX);
      const target = routeTarget(r);
      const exact = r !== undefined && routeDestination(r)?.len === 96;
      if (!r || !exact && target.kind !== 'nat') {
        out.push(awsFinding('prefix-route-missing', 'error', `${which} has no 64:ff9b::/96 route`,
          `Subnet ${sid} uses ${rt.RouteTableId}, which has no route for 64:ff9b::/96${r ? `; that traffic follows ${r.DestinationIpv6CidrBlock} to ${describeTarget(target)}` : ' and no route that covers it'}. Packets to DNS64-synthesized addresses never reach a NAT gateway: SYNs to 64:ff9b::/96 go unanswered.`,
          `aws ec2 create-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id ${nat}`,
          [rt.RouteTableId, sid, r && target.kind !== 'none' ? target.id : undefined, nat.startsWith('<') ? undefined : nat]));
        continue;
      }
      if (r.State === 'blackhole') {
        out.push(awsFinding('prefix-route-blackhole', 'error', `the 64:ff9b::/96 route of ${rt.RouteTableId} is a blackhole`,
          `${which} sends ${r.DestinationIpv6CidrBlock} to ${describeTarget(target)}, but the route's State is blackhole: its target no longer exists (a deleted NAT gateway). Every packet to 64:ff9b::/96 from ${sid} is dropped.`,
          `aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ${r.DestinationIpv6CidrBlock} --nat-gateway-id ${nat}`,
          [rt.RouteTableId, sid, target.id, nat.startsWith('<') ? undefined : nat]));
        continue;
      }
      if (target.kind !== 'nat') {
        // A transit gateway or an instance can be a deliberate design (NAT64 elsewhere); gateways that only forward cannot translate.
        const elsewhere = target.kind === 'tgw' || target.kind === 'eni' || target.kind === 'instance' || target.kind === 'pcx' || target.kind === 'vgw';
        out.push(awsFinding('prefix-route-not-nat', elsewhere ? 'warning' : 'error',
          `64:ff9b::/96 in ${rt.RouteTableId} points to ${describeTarget(target)}, not a NAT gateway`,
          elsewhere
            ? `${which} sends 64:ff9b::/96 to ${describeTarget(target)}. That works only if a translator behind it (an egress VPC's NAT gateway, a Jool/TAYGA instance) handles NAT64; aws-check cannot see past it.`
            : `${which} sends 64:ff9b::/96 to ${describeTarget(target)}, which forwards IPv6 but does not translate it: the addresses of 64:ff9b::/96 do not exist on the IPv6 internet and the packets are dropped. Only a NAT gateway performs NAT64 in a VPC.`,
          `aws ec2 replace-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ${r.DestinationIpv6CidrBlock} --nat-gateway-id ${nat}`,
          [rt.RouteTableId, sid, target.id]));
        continue;
      }
      const inside = routesInside(rt, NAT64_PREFIX).filter((x) => routeTarget(x).id !== target.id);
      if (inside.length > 0) {
        const x = inside[0];
        out.push(awsFinding('prefix-route-split', 'warning', `part of 64:ff9b::/96 in ${rt.RouteTableId} goes to ${describeTarget(routeTarget(x))}`,
          `${which} has ${inside.length} route(s) more specific than 64:ff9b::/96 (${inside.map((y) => `${y.DestinationIpv6CidrBlock} to ${describeTarget(routeTarget(y))}`).join(', ')}); longest-prefix match sends those synthesized addresses away from NAT gateway ${target.id}.`,
          `aws ec2 delete-route --route-table-id ${rt.RouteTableId} --destination-ipv6-cidr-block ${x.DestinationIpv6CidrBlock}`,
          [rt.RouteTableId, sid, routeTarget(x).id]));
      }
    }
    return out;
  },
};
