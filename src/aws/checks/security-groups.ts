/**
 * Security groups of the subnet's instances must let TCP out to 64:ff9b::/96 (an IPv6 range: an
 * egress rule for 0.0.0.0/0 does not cover it). They are stateful, so replies need no rule. The
 * groups come from describe-network-interfaces (interfaces in the subnet, per interface) and
 * --security-group (taken together, as the groups of one instance).
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { cidrContains, cidrOverlaps, NAT64_PREFIX, parseCidr } from '../cidr.js';
import type { IpPermission, SecurityGroup } from '../types.js';

/** The port the checks ask about: HTTPS, the common case for IPv4-only services. */
const PORT = 443;

export const securityGroups: AwsCheck = {
  name: 'security group egress to 64:ff9b::/96',
  ids: ['sg-egress-blocks-prefix', 'security-group-unknown'],
  needs: ['SecurityGroups'],
  run(ctx) {
    const out: Finding[] = [];
    const sets = new Map<string, { groups: string[]; where: string; subnet?: string }>();
    for (const t of ctx.targets) {
      for (const eni of ctx.inv.networkInterfaces) {
        if (eni.SubnetId !== t.subnet.SubnetId || eni.RequesterManaged === true) continue;
        if (eni.InterfaceType && !['interface', 'efa', 'trunk', 'branch'].includes(eni.InterfaceType)) continue;
        const groups = (eni.Groups ?? []).map((g) => g.GroupId).filter((g): g is string => !!g).sort();
        if (groups.length === 0) continue;
        const key = groups.join(',');
        const prev = sets.get(key);
        const who = eni.Attachment?.InstanceId ?? eni.NetworkInterfaceId;
        if (prev) prev.where += `, ${who}`;
        else sets.set(key, { groups, where: who, subnet: t.subnet.SubnetId });
      }
    }
    const given = [...(ctx.opts.securityGroups ?? [])];
    if (given.length > 0) sets.set(given.slice().sort().join(','), { groups: given, where: '--security-group' });
    if (sets.size === 0) {
      ctx.skip('security group egress to 64:ff9b::/96 (no network interfaces in the subnets and no --security-group)', ...(ctx.has('NetworkInterfaces') ? [] : ['NetworkInterfaces' as const]));
      return out;
    }
    for (const { groups, where, subnet } of sets.values()) {
      const found: SecurityGroup[] = [];
      for (const g of groups) {
        const sg = ctx.securityGroup(g);
        if (sg) found.push(sg);
        else out.push(awsFinding('security-group-unknown', 'warning', `security group ${g} is not in the SecurityGroups input`,
          `${where} uses ${g}, which describe-security-groups did not list; its rules cannot be checked.`,
          `aws ec2 describe-security-groups --group-ids ${g}`, [g, subnet]));
      }
      if (found.length < groups.length) continue;
      const egress = found.flatMap((sg) => sg.IpPermissionsEgress ?? []);
      if (egress.some((p) => allowsTcpToPrefix(p))) continue;
      const v4Only = egress.some((p) => allowsTcpV4Any(p));
      // Rules for some synthesized addresses only: those work, the others do not.
      const partial = egress.filter((p) => protoCovers(p)).flatMap((p) => (p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6 ?? ''))
        .filter((t) => { const c = parseCidr(t); return c !== null && cidrOverlaps(c, NAT64_PREFIX); });
      const lists = egress.flatMap((p) => (p.PrefixListIds ?? []).map((l) => l.PrefixListId)).filter((x): x is string => !!x);
      const g0 = found[0].GroupId;
      out.push(awsFinding('sg-egress-blocks-prefix', partial.length ? 'warning' : 'error',
        partial.length
          ? `security group${groups.length > 1 ? 's' : ''} ${groups.join(', ')} allow TCP ${PORT} out to part of 64:ff9b::/96 only (${partial.join(', ')})`
          : `security group${groups.length > 1 ? 's' : ''} ${groups.join(', ')} allow no TCP ${PORT} out to 64:ff9b::/96`,
        `The egress rules (IpPermissionsEgress) of ${groups.join(', ')}, used by ${where}, have no Ipv6Ranges entry that covers all of 64:ff9b::/96 for TCP port ${PORT}${partial.length ? `; only ${partial.join(', ')} (the synthesized addresses of some IPv4 destinations) are allowed` : ''}${v4Only ? ' — they allow 0.0.0.0/0 (IpRanges), but NAT64 traffic leaves the instance as IPv6, and IPv4 rules do not apply to it' : ''}${lists.length ? ` (rules with prefix lists ${lists.join(', ')} were not resolved)` : ''}. The instance's SYNs to ${partial.length ? 'other ' : ''}synthesized addresses are dropped before they reach the NAT gateway.`,
        `aws ec2 authorize-security-group-egress --group-id ${g0} --ip-permissions 'IpProtocol=-1,Ipv6Ranges=[{CidrIpv6=64:ff9b::/96,Description=NAT64}]'`,
        [...groups, subnet]));
    }
    return out;
  },
};

function protoCovers(p: IpPermission): boolean {
  const proto = p.IpProtocol ?? '';
  if (proto === '-1') return true;
  if (proto !== 'tcp' && proto !== '6') return false;
  const from = p.FromPort ?? 0;
  const to = p.ToPort ?? 65535;
  return (from === -1 && to === -1) || (PORT >= from && PORT <= to);
}

export function allowsTcpToPrefix(p: IpPermission): boolean {
  if (!protoCovers(p)) return false;
  return (p.Ipv6Ranges ?? []).some((r) => {
    const c = parseCidr(r.CidrIpv6);
    return c !== null && cidrContains(c, NAT64_PREFIX);
  });
}

function allowsTcpV4Any(p: IpPermission): boolean {
  return protoCovers(p) && (p.IpRanges ?? []).some((r) => r.CidrIp === '0.0.0.0/0');
}
