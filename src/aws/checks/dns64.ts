/** DNS64 off on the IPv6-only subnet: Route 53 Resolver returns no AAAA for IPv4-only names. */
import type { AwsCheck } from '../check.js';
import { awsFinding, named } from '../context.js';

export const dns64: AwsCheck = {
  name: 'DNS64 on the subnet',
  ids: ['dns64-disabled'],
  needs: ['Subnets'],
  run(ctx) {
    return ctx.targets.filter((t) => t.subnet.EnableDns64 !== true).map((t) => {
      const id = t.subnet.SubnetId;
      return awsFinding('dns64-disabled', 'error', `DNS64 is off on subnet ${named(id, t.subnet.Tags)}`,
        `EnableDns64 is ${t.subnet.EnableDns64 === false ? 'false' : 'absent'} for ${id}${t.subnet.CidrBlock ? '' : ', a subnet without IPv4'}. Route 53 Resolver then answers AAAA queries for IPv4-only names with no records, so IPv6-only instances never learn a 64:ff9b:: address and never use the NAT gateway's NAT64 (the capture shows AAAA answers with no data and no SYNs to 64:ff9b::/96).`,
        `aws ec2 modify-subnet-attribute --subnet-id ${id} --enable-dns64`,
        [id]);
    });
  },
};
