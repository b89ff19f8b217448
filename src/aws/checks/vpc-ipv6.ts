/** The VPC of an IPv6-only subnet has no IPv6 CIDR: nothing in it has an IPv6 address to start with. */
import type { AwsCheck } from '../check.js';
import { awsFinding, named } from '../context.js';

export const vpcIpv6: AwsCheck = {
  name: 'VPC IPv6 CIDR',
  ids: ['vpc-no-ipv6'],
  needs: ['Vpcs', 'Subnets'],
  run(ctx) {
    const seen = new Set<string>();
    const out = [];
    for (const t of ctx.targets) {
      if (!t.vpc || seen.has(t.vpc.VpcId)) continue;
      seen.add(t.vpc.VpcId);
      if (ctx.vpcIpv6(t.vpc).length > 0) continue;
      out.push(awsFinding('vpc-no-ipv6', 'error', `VPC ${named(t.vpc.VpcId, t.vpc.Tags)} has no IPv6 CIDR block`,
        `Ipv6CidrBlockAssociationSet of ${t.vpc.VpcId} holds no associated block. Without one no subnet of the VPC has IPv6 addresses, so there is no IPv6 traffic for DNS64 answers to steer to 64:ff9b::/96 and nothing for the NAT gateway to translate.`,
        `aws ec2 associate-vpc-cidr-block --vpc-id ${t.vpc.VpcId} --amazon-provided-ipv6-cidr-block`,
        [t.vpc.VpcId, t.subnet.SubnetId]));
    }
    return out;
  },
};
