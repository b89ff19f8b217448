/** A subnet under check has no IPv6 CIDR: its instances have no IPv6 address to use NAT64 with. */
import type { AwsCheck } from '../check.js';
import { awsFinding, named } from '../context.js';
import { cidrOverlaps, type Cidr } from '../cidr.js';

export const subnetIpv6: AwsCheck = {
  name: 'subnet IPv6 CIDR',
  ids: ['subnet-no-ipv6'],
  needs: ['Subnets'],
  run(ctx) {
    const out = [];
    for (const t of ctx.targets) {
      if (ctx.subnetIpv6(t.subnet).length > 0) continue;
      const id = t.subnet.SubnetId;
      const block = t.vpc ? freeSlash64(ctx.vpcIpv6(t.vpc), ctx.inv.subnets.flatMap((s) => ctx.subnetIpv6(s))) : null;
      out.push(awsFinding('subnet-no-ipv6', 'error', `subnet ${named(id, t.subnet.Tags)} has no IPv6 CIDR block`,
        `Ipv6CidrBlockAssociationSet of ${id} holds no associated /64. Its instances get no IPv6 address, so they cannot reach 64:ff9b::/96 at all; NAT64 and DNS64 only serve IPv6 clients.`,
        `aws ec2 associate-subnet-cidr-block --subnet-id ${id} --ipv6-cidr-block ${block ?? '<a /64 of the VPC\'s IPv6 block>'}`,
        [id, t.subnet.VpcId]));
    }
    return out;
  },
};

/** The first /64 of the VPC's blocks that no subnet uses. */
function freeSlash64(vpcBlocks: Cidr[], used: Cidr[]): string | null {
  for (const b of vpcBlocks) {
    if (b.len > 64) continue;
    const count = 1n << BigInt(64 - b.len);
    for (let i = 0n; i < count && i < 4096n; i++) {
      const net = b.net + (i << 64n);
      const c: Cidr = { family: 6, net, len: 64, text: '' };
      if (!used.some((u) => cidrOverlaps(u, c))) return `${v6text(net)}/64`;
    }
  }
  return null;
}

function v6text(v: bigint): string {
  const groups: string[] = [];
  for (let i = 7; i >= 0; i--) groups.push(((v >> BigInt(i * 16)) & 0xffffn).toString(16));
  // Compress the longest run of zero groups (RFC 5952).
  let best = -1, bestLen = 1, run = -1;
  for (let i = 0; i <= 8; i++) {
    if (i < 8 && groups[i] === '0') { if (run < 0) run = i; }
    else if (run >= 0) { if (i - run > bestLen) { best = run; bestLen = i - run; } run = -1; }
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}
