/**
 * The NAT gateway the 64:ff9b::/96 route points to: it must exist, be `available`, sit in another
 * (public) subnet than the IPv6-only workloads; a summary of the path it gives (info).
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, named } from '../context.js';
import { natsInUse } from './nat-path.js';

export const natGateway: AwsCheck = {
  name: 'NAT gateway state and placement',
  ids: ['nat-gateway-unknown', 'nat-gateway-not-available', 'nat-in-workload-subnet', 'nat-gateway-other-az', 'nat64-path'],
  needs: ['Subnets', 'RouteTables', 'NatGateways'],
  run(ctx) {
    const out: Finding[] = [];
    for (const { natId, nat, paths } of natsInUse(ctx)) {
      const tables = [...new Set(paths.map((p) => p.target.routeTable!.RouteTableId))];
      const subnets = paths.map((p) => p.target.subnet.SubnetId);
      const vpc = paths[0].target.subnet.VpcId;
      const pub = ctx.suggestPublicSubnet(vpc)?.SubnetId ?? '<public-subnet-id>';
      const replace = (newNat: string) => tables.map((rt) => `aws ec2 replace-route --route-table-id ${rt} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id ${newNat}`).join('\n');
      if (!nat) {
        out.push(awsFinding('nat-gateway-unknown', 'warning', `NAT gateway ${natId} is not in the NatGateways input`,
          `${tables.join(', ')} send 64:ff9b::/96 to ${natId}, which describe-nat-gateways did not list (deleted long ago, another account, or the output was filtered). Its state cannot be checked.`,
          `aws ec2 describe-nat-gateways --nat-gateway-ids ${natId}`, [natId, ...tables]));
        continue;
      }
      if (nat.State !== 'available') {
        const why = nat.FailureCode ? ` (${nat.FailureCode}: ${nat.FailureMessage ?? ''})` : '';
        out.push(awsFinding('nat-gateway-not-available', 'error', `NAT gateway ${named(natId, nat.Tags)} is ${nat.State ?? 'in no state'}, not available`,
          `${tables.join(', ')} send 64:ff9b::/96 to ${natId}, whose State is ${nat.State ?? 'absent'}${why}. Only an available NAT gateway translates; SYNs to 64:ff9b::/96 from ${subnets.join(', ')} go unanswered.`,
          `aws ec2 create-nat-gateway --subnet-id ${pub} --allocation-id <eipalloc-id>\n${replace('<new-nat-gateway-id>')}`,
          [natId, ...tables, ...subnets]));
        continue;
      }
      for (const p of paths) {
        const s = p.target.subnet;
        if (nat.SubnetId === s.SubnetId) {
          out.push(awsFinding('nat-in-workload-subnet', 'warning', `NAT gateway ${natId} is in the workload subnet ${s.SubnetId} it serves`,
            `The guide puts the NAT gateway in a separate public subnet. Here the gateway's translated IPv4 follows the workloads' own table ${p.target.routeTable!.RouteTableId}: its 0.0.0.0/0 must go to the internet gateway for NAT64 to work, which makes the workload subnet public and leaves its instances no NAT for their own IPv4 (the subnet-level checks below say whether that route is there).`,
            `aws ec2 create-nat-gateway --subnet-id ${pub} --allocation-id <eipalloc-id>\naws ec2 replace-route --route-table-id ${p.target.routeTable!.RouteTableId} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id <new-nat-gateway-id>`,
            [natId, s.SubnetId, p.target.routeTable!.RouteTableId]));
        }
        const natAz = ctx.subnet(nat.SubnetId)?.AvailabilityZone;
        if (natAz && s.AvailabilityZone && natAz !== s.AvailabilityZone) {
          out.push(awsFinding('nat-gateway-other-az', 'info', `subnet ${s.SubnetId} (${s.AvailabilityZone}) uses NAT gateway ${natId} in ${natAz}`,
            `NAT64 traffic crosses Availability Zones: it is charged for, and an outage of ${natAz} cuts ${s.SubnetId} off from IPv4. AWS recommends a NAT gateway per AZ.`,
            `aws ec2 create-nat-gateway --subnet-id <public-subnet-in-${s.AvailabilityZone}> --allocation-id <eipalloc-id>\naws ec2 replace-route --route-table-id ${p.target.routeTable!.RouteTableId} --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id <new-nat-gateway-id>`,
            [s.SubnetId, natId]));
        }
      }
      const type = nat.ConnectivityType ?? 'public';
      const addrs = (nat.NatGatewayAddresses ?? []).map((a) => type === 'public' && a.PublicIp ? `${a.PublicIp} (${a.PrivateIp ?? '?'})` : a.PrivateIp ?? '?');
      const more = type === 'public'
        ? `aws ec2 associate-nat-gateway-address --nat-gateway-id ${natId} --allocation-ids <eipalloc-id>`
        : `aws ec2 assign-private-nat-gateway-address --nat-gateway-id ${natId} --private-ip-address-count 1`;
      out.push(awsFinding('nat64-path', 'info', `${subnets.join(', ')} reach IPv4 through ${type} NAT gateway ${named(natId, nat.Tags)}`,
        `64:ff9b::/96 goes to ${natId} in ${nat.SubnetId ?? '?'}; it translates to ${addrs.join(', ') || 'its address'}. What a capture of this path can show: idle TCP connections are closed after 350 seconds (RST), at most 55,000 simultaneous connections per destination (address, port, protocol) per NAT address, TCP and ICMP fragments are dropped. More addresses raise the connection limit.`,
        more, [natId, ...tables, ...subnets]));
    }
    return out;
  },
};
