/** enableDnsSupport false: Route 53 Resolver does not answer in the VPC at all, so no DNS64 either. */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';

export const vpcDnsSupport: AwsCheck = {
  name: 'VPC enableDnsSupport',
  ids: ['vpc-dns-support-off'],
  needs: ['VpcDnsAttributes'],
  run(ctx) {
    const out: Finding[] = [];
    for (const a of ctx.inv.vpcDnsAttributes) {
      if (a.EnableDnsSupport?.Value !== false) continue;
      out.push(awsFinding('vpc-dns-support-off', 'error', `DNS resolution is off in ${a.VpcId} (enableDnsSupport false)`,
        `With enableDnsSupport false the Amazon-provided DNS server (Route 53 Resolver at fd00:ec2::253 and 169.254.169.253) does not answer in ${a.VpcId}; the subnets' EnableDns64 has no resolver to act in.`,
        `aws ec2 modify-vpc-attribute --vpc-id ${a.VpcId} --enable-dns-support '{"Value":true}'`, [a.VpcId]));
    }
    return out;
  },
};
