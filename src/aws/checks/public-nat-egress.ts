/**
 * A public NAT gateway sends translated IPv4 through its own subnet's route table: that table
 * needs 0.0.0.0/0 to an internet gateway attached to the VPC ("the subnet containing the NAT
 * gateway should have a 0.0.0.0/0 route pointing to the internet gateway").
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, lookupRoute, routeDestination, routeTarget } from '../context.js';
import { IPV4_ANY } from '../cidr.js';
import { natsInUse } from './nat-path.js';

export const publicNatEgress: AwsCheck = {
  name: 'public NAT gateway route to the internet gateway',
  ids: ['public-nat-no-igw-route'],
  needs: ['Subnets', 'RouteTables', 'NatGateways', 'InternetGateways'],
  run(ctx) {
    const out: Finding[] = [];
    for (const { natId, nat } of natsInUse(ctx)) {
      if (!nat || nat.State !== 'available' || (nat.ConnectivityType ?? 'public') !== 'public') continue;
      const vpc = nat.VpcId ?? ctx.subnet(nat.SubnetId)?.VpcId;
      const { table, explicit } = ctx.routeTableOf(nat.SubnetId ?? '', vpc);
      const igws = ctx.attachedIgws(vpc);
      const igw = igws[0] ?? '<igw-id>';
      const attach = igws.length === 0 ? `aws ec2 create-internet-gateway\naws ec2 attach-internet-gateway --internet-gateway-id <igw-id> --vpc-id ${vpc}\n` : '';
      if (!table) continue; // route-table lookups of the NAT subnet: nothing to say without its table
      const r = lookupRoute(table, IPV4_ANY);
      const tg = routeTarget(r);
      const isDefault = r !== undefined && routeDestination(r)?.len === 0;
      const ok = isDefault && tg.kind === 'igw' && r!.State !== 'blackhole' && igws.includes(tg.id);
      if (ok) continue;
      let what: string;
      if (!isDefault) what = 'has no 0.0.0.0/0 route';
      else if (r!.State === 'blackhole') what = `sends 0.0.0.0/0 to ${describeTarget(tg)}, a blackhole`;
      else if (tg.kind === 'igw') what = `sends 0.0.0.0/0 to ${tg.id}, which is not attached to ${vpc}`;
      else what = `sends 0.0.0.0/0 to ${describeTarget(tg)}, not an internet gateway`;
      const verb = isDefault ? 'replace-route' : 'create-route';
      out.push(awsFinding('public-nat-no-igw-route', 'error', `the subnet of public NAT gateway ${natId} has no route to an internet gateway`,
        `NAT gateway ${natId} is in ${nat.SubnetId}, whose route table ${table.RouteTableId}${explicit ? '' : ' (main)'} ${what}. The gateway translates 64:ff9b::/96 traffic to IPv4 but cannot send it to the internet: SYNs to 64:ff9b::/96 go unanswered.`,
        `${attach}aws ec2 ${verb} --route-table-id ${table.RouteTableId} --destination-cidr-block 0.0.0.0/0 --gateway-id ${igw}`,
        [natId, nat.SubnetId, table.RouteTableId, tg.kind !== 'none' ? tg.id : undefined, igws[0]]));
    }
    return out;
  },
};
