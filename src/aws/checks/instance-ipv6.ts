/**
 * Instances need an IPv6 address to use NAT64 at all: a dual-stack subnet that does not assign
 * IPv6 on launch, or an interface in a checked subnet without one, leaves them IPv4-only.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';

export const instanceIpv6: AwsCheck = {
  name: 'IPv6 addresses of the instances',
  ids: ['subnet-no-auto-ipv6', 'instance-no-ipv6'],
  needs: ['Subnets'],
  run(ctx) {
    const out: Finding[] = [];
    for (const t of ctx.targets) {
      const s = t.subnet;
      if (ctx.subnetIpv6(s).length === 0) continue; // subnet-no-ipv6 says it
      if (s.CidrBlock && s.AssignIpv6AddressOnCreation !== true) {
        out.push(awsFinding('subnet-no-auto-ipv6', 'warning', `subnet ${s.SubnetId} does not give new instances an IPv6 address`,
          `AssignIpv6AddressOnCreation is ${s.AssignIpv6AddressOnCreation === false ? 'false' : 'absent'} for the dual-stack subnet ${s.SubnetId}: instances launched without asking for IPv6 get none, never use DNS64's synthesized addresses, and reach IPv4 only over their own IPv4.`,
          `aws ec2 modify-subnet-attribute --subnet-id ${s.SubnetId} --assign-ipv6-address-on-creation`, [s.SubnetId]));
      }
      const bare = ctx.inv.networkInterfaces.filter((e) => e.SubnetId === s.SubnetId && e.RequesterManaged !== true
        && (!e.InterfaceType || e.InterfaceType === 'interface') && (e.Ipv6Addresses ?? []).length === 0);
      if (bare.length > 0) {
        const who = bare.map((e) => e.Attachment?.InstanceId ? `${e.NetworkInterfaceId} (${e.Attachment.InstanceId})` : e.NetworkInterfaceId);
        out.push(awsFinding('instance-no-ipv6', 'warning', `${bare.length} network interface${bare.length > 1 ? 's' : ''} in ${s.SubnetId} ha${bare.length > 1 ? 've' : 's'} no IPv6 address`,
          `${who.join(', ')} in ${s.SubnetId} carr${bare.length > 1 ? 'y' : 'ies'} no IPv6 address (Ipv6Addresses is empty): ${s.CidrBlock ? 'these instances use IPv4 only and' : 'these interfaces'} never use NAT64.`,
          bare.map((e) => `aws ec2 assign-ipv6-addresses --network-interface-id ${e.NetworkInterfaceId} --ipv6-address-count 1`).join('\n'),
          [s.SubnetId, ...bare.map((e) => e.NetworkInterfaceId)]));
      }
    }
    return out;
  },
};
