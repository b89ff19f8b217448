/**
 * DNS64 is a feature of Route 53 Resolver: instances that a DHCP options set points at other DNS
 * servers never get synthesized answers, whatever EnableDns64 says.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';

export const dhcpOptions: AwsCheck = {
  name: 'DHCP options domain-name-servers',
  ids: ['dhcp-options-custom-dns'],
  needs: ['Vpcs', 'DhcpOptions', 'Subnets'],
  run(ctx) {
    const out: Finding[] = [];
    const vpcs = new Set(ctx.targets.map((t) => t.vpc).filter((v) => v !== undefined));
    for (const vpc of vpcs) {
      const d = ctx.inv.dhcpOptions.find((x) => x.DhcpOptionsId === vpc!.DhcpOptionsId);
      if (!d) continue;
      const servers = (d.DhcpConfigurations ?? []).filter((c) => c.Key === 'domain-name-servers').flatMap((c) => (c.Values ?? []).map((v) => v.Value ?? ''));
      if (servers.length === 0 || servers.includes('AmazonProvidedDNS')) continue;
      out.push(awsFinding('dhcp-options-custom-dns', 'warning', `DHCP options ${d.DhcpOptionsId} of ${vpc!.VpcId} hand out ${servers.join(', ')} instead of AmazonProvidedDNS`,
        `Instances of ${vpc!.VpcId} are told to use ${servers.join(', ')} as DNS servers. DNS64 (EnableDns64) is done by Route 53 Resolver only: queries sent elsewhere get no synthesized AAAA unless that server does DNS64 itself, so IPv6-only instances fail on IPv4-only names.`,
        `aws ec2 create-dhcp-options --dhcp-configurations 'Key=domain-name-servers,Values=AmazonProvidedDNS'\naws ec2 associate-dhcp-options --dhcp-options-id <new-dopt-id> --vpc-id ${vpc!.VpcId}`,
        [d.DhcpOptionsId, vpc!.VpcId]));
    }
    return out;
  },
};
