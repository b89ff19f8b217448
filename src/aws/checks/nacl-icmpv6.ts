/**
 * ICMPv6 Packet Too Big must reach the IPv6-only instances: path MTU discovery across the NAT
 * gateway (IPv6 1500 ... IPv4 tunnels and VPNs) depends on it, and the NAT gateway drops TCP
 * fragments. A NACL that denies ICMPv6 inbound makes large transfers hang after the handshake.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { NAT64_PREFIX } from '../cidr.js';
import { evaluateNacl, freeRuleNumber, ruleName } from '../nacl-eval.js';

export const naclIcmpv6: AwsCheck = {
  name: 'network ACL and ICMPv6 Packet Too Big',
  ids: ['nacl-blocks-packet-too-big'],
  needs: ['Subnets', 'NetworkAcls'],
  run(ctx) {
    const out: Finding[] = [];
    const done = new Set<string>();
    for (const t of ctx.targets) {
      const acl = t.nacl;
      if (!acl || done.has(acl.NetworkAclId)) continue;
      done.add(acl.NetworkAclId);
      const v = evaluateNacl(acl, { egress: false, remote: NAT64_PREFIX, protocol: 58, icmpType: 2 });
      if (v.allowed.length > 0) continue;
      const rule = v.denied[0].rule;
      const subnets = ctx.targets.filter((x) => x.nacl === acl).map((x) => x.subnet.SubnetId);
      out.push(awsFinding('nacl-blocks-packet-too-big', 'warning', `network ACL ${acl.NetworkAclId} denies ICMPv6 Packet Too Big from 64:ff9b::/96 (${ruleName(rule)})`,
        `Inbound ICMPv6 type 2 from 64:ff9b::/96 (the NAT gateway translates IPv4 "fragmentation needed" into it) is denied by ${ruleName(rule)} of ${acl.NetworkAclId}. Path MTU discovery fails: connections open, then stall on the first full-size segment.`,
        `aws ec2 create-network-acl-entry --network-acl-id ${acl.NetworkAclId} --ingress --rule-number ${freeRuleNumber(acl, false, rule)} --protocol 58 --icmp-type-code Code=-1,Type=2 --ipv6-cidr-block 64:ff9b::/96 --rule-action allow`,
        [acl.NetworkAclId, ...subnets]));
    }
    return out;
  },
};
