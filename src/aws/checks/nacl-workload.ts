/**
 * The IPv6-only subnet's network ACL is stateless: it must allow TCP out to 64:ff9b::/96 (port
 * 443 is checked) and the replies back in — from 64:ff9b::/96 to the instances' ephemeral ports
 * (Linux uses 32768-60999, Windows 49152-65535; AWS recommends allowing 1024-65535).
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { NAT64_PREFIX } from '../cidr.js';
import { allowedCount, evaluateNacl, freeRuleNumber, rangeText, ruleName } from '../nacl-eval.js';

const LINUX_EPHEMERAL: [number, number] = [32768, 60999];
const ALL_EPHEMERAL: [number, number] = [1024, 65535];

export const naclWorkload: AwsCheck = {
  name: 'network ACL of the IPv6-only subnet',
  ids: ['nacl-egress-blocks-prefix', 'nacl-ingress-blocks-return'],
  needs: ['Subnets', 'NetworkAcls'],
  run(ctx) {
    const out: Finding[] = [];
    const done = new Set<string>();
    for (const t of ctx.targets) {
      const acl = t.nacl;
      if (!acl || done.has(acl.NetworkAclId)) continue;
      done.add(acl.NetworkAclId);
      const subnets = ctx.targets.filter((x) => x.nacl === acl).map((x) => x.subnet.SubnetId);
      const aid = acl.NetworkAclId;
      const eg = evaluateNacl(acl, { egress: true, remote: NAT64_PREFIX, protocol: 6, ports: [443, 443] });
      if (eg.allowed.length === 0) {
        const rule = eg.denied[0].rule;
        out.push(awsFinding('nacl-egress-blocks-prefix', 'error', `network ACL ${aid} denies TCP 443 out to 64:ff9b::/96 (${ruleName(rule)})`,
          `Outbound entries of ${aid} (subnet ${subnets.join(', ')}) are evaluated in RuleNumber order; the first that matches TCP to 64:ff9b::/96 port 443 is ${ruleName(rule)}, a deny${rule === null || rule >= 32767 ? ' (no earlier entry has an Ipv6CidrBlock that covers 64:ff9b::/96)' : ''}. SYNs to synthesized addresses never leave the subnet.`,
          `aws ec2 create-network-acl-entry --network-acl-id ${aid} --egress --rule-number ${freeRuleNumber(acl, true, rule)} --protocol -1 --ipv6-cidr-block 64:ff9b::/96 --rule-action allow`,
          [aid, ...subnets]));
      }
      const ing = evaluateNacl(acl, { egress: false, remote: NAT64_PREFIX, protocol: 6, ports: ALL_EPHEMERAL });
      const linux = allowedCount(ing, LINUX_EPHEMERAL[0], LINUX_EPHEMERAL[1]);
      const linuxSize = LINUX_EPHEMERAL[1] - LINUX_EPHEMERAL[0] + 1;
      if (linux < linuxSize) {
        const blocking = ing.denied.filter((d) => d.range[1] >= LINUX_EPHEMERAL[0] && d.range[0] <= LINUX_EPHEMERAL[1]);
        const rule = blocking[0]?.rule ?? null;
        const allowedText = ing.allowed.length ? `only ${ing.allowed.map(rangeText).join(', ')} are allowed` : 'no port is allowed';
        out.push(awsFinding('nacl-ingress-blocks-return', linux === 0 ? 'error' : 'warning',
          `network ACL ${aid} blocks replies from 64:ff9b::/96 to ephemeral ports (${blocking.map((b) => `${ruleName(b.rule)}: ${rangeText(b.range)}`).join('; ')})`,
          `Network ACLs are stateless: the SYN-ACKs and data coming back from 64:ff9b::/96 need an inbound entry for the instances' ephemeral ports. For TCP from 64:ff9b::/96 to ports 1024-65535, ${allowedText} in ${aid} (subnet ${subnets.join(', ')}); Linux picks source ports in 32768-60999, Windows in 49152-65535. Connections whose port is denied see their SYN leave and nothing come back.`,
          `aws ec2 create-network-acl-entry --network-acl-id ${aid} --ingress --rule-number ${freeRuleNumber(acl, false, rule)} --protocol 6 --port-range From=1024,To=65535 --ipv6-cidr-block 64:ff9b::/96 --rule-action allow`,
          [aid, ...subnets]));
      }
    }
    return out;
  },
};
