/**
 * A private NAT gateway has no public address: it reaches IPv4 in other VPCs and on premises
 * (through a transit or virtual private gateway), never the internet. Used for 64:ff9b::/96 from a
 * subnet whose IPv4-only destinations are on the internet, SYNs go unanswered.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, routeTarget } from '../context.js';
import { IPV4_ANY } from '../cidr.js';
import { natsInUse } from './nat-path.js';

export const privateNat: AwsCheck = {
  name: 'private NAT gateway used for internet destinations',
  ids: ['private-nat-for-internet'],
  needs: ['Subnets', 'RouteTables', 'NatGateways'],
  run(ctx) {
    const out: Finding[] = [];
    for (const { natId, nat, paths } of natsInUse(ctx)) {
      if (!nat || nat.State !== 'available' || nat.ConnectivityType !== 'private') continue;
      const vpc = nat.VpcId;
      const table = ctx.routeTableOf(nat.SubnetId ?? '', vpc).table;
      const r = table ? lookupRoute(table, IPV4_ANY) : undefined;
      const tg = routeTarget(r);
      const toInternet = tg.kind === 'igw';
      const tables = [...new Set(paths.map((p) => p.target.routeTable!.RouteTableId))];
      const pub = ctx.suggestPublicSubnet(vpc)?.SubnetId ?? '<public-subnet-id>';
      const publicNat = ctx.suggestNat(vpc, paths[0].target.subnet.AvailabilityZone, 'public')?.NatGatewayId;
      const fix = publicNat
        ? tables.map((rt) => `aws ec2 replace-route --route-table-id ${rt} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id ${publicNat}`).join('\n')
        : `aws ec2 create-nat-gateway --subnet-id ${pub} --connectivity-type public --allocation-id <eipalloc-id>\n${tables.map((rt) => `aws ec2 replace-route --route-table-id ${rt} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id <new-nat-gateway-id>`).join('\n')}`;
      out.push(awsFinding('private-nat-for-internet', toInternet ? 'error' : 'warning',
        `64:ff9b::/96 goes to private NAT gateway ${natId}${toInternet ? ', whose subnet routes to the internet' : ''}`,
        toInternet
          ? `${natId} has ConnectivityType private, yet its subnet's table ${table?.RouteTableId} sends 0.0.0.0/0 to ${describeTarget(tg)}: translated packets carry a private source address, and the internet gateway drops them. IPv4-only destinations on the internet are unreachable; a public NAT gateway is needed.`
          : `${natId} has ConnectivityType private: it reaches IPv4 only through ${r ? describeTarget(tg) : 'routes other than the internet'} (other VPCs, on premises). Synthesized addresses of internet destinations from ${paths.map((p) => p.target.subnet.SubnetId).join(', ')} get no answer; use a public NAT gateway for them.`,
        fix, [natId, ...tables, table?.RouteTableId, publicNat]));
    }
    return out;
  },
};
