/**
 * The NAT gateway's subnet has a network ACL too, and NAT64 traffic crosses it four times: IPv6 in
 * from the workloads, IPv4 out to the destination, IPv4 replies in to the gateway's ports
 * (1024-65535), IPv6 back out to the workloads' ephemeral ports.
 */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding } from '../context.js';
import { IPV4_ANY, type Cidr } from '../cidr.js';
import { allowedCount, evaluateNacl, freeRuleNumber, rangeText, ruleName, type NaclFlow } from '../nacl-eval.js';
import type { NetworkAcl } from '../types.js';
import { natsInUse } from './nat-path.js';

export const naclNatSubnet: AwsCheck = {
  name: 'network ACL of the NAT gateway\'s subnet',
  ids: ['nat-subnet-nacl-blocks'],
  needs: ['Subnets', 'RouteTables', 'NatGateways', 'NetworkAcls'],
  run(ctx) {
    const out: Finding[] = [];
    for (const { natId, nat, paths } of natsInUse(ctx)) {
      if (!nat || nat.State !== 'available' || !nat.SubnetId) continue;
      const acl = ctx.naclOf(nat.SubnetId, nat.VpcId);
      if (!acl) continue;
      const problems: string[] = [];
      const fixes: string[] = [];
      let fatal = false;
      const taken = { true: new Set<number>(), false: new Set<number>() };
      const remotes4: Cidr = IPV4_ANY;
      for (const p of paths) {
        for (const w of ctx.subnetIpv6(p.target.subnet)) {
          leg(acl, { egress: false, remote: w, protocol: 6, ports: [443, 443] }, `IPv6 in from ${w.text} to port 443`, '--ingress', `--ipv6-cidr-block ${w.text}`, '--protocol -1');
          leg(acl, { egress: true, remote: w, protocol: 6, ports: [1024, 65535] }, `IPv6 back out to ${w.text} ports 1024-65535`, '--egress', `--ipv6-cidr-block ${w.text}`, '--protocol 6 --port-range From=1024,To=65535', [32768, 60999]);
        }
      }
      leg(acl, { egress: true, remote: remotes4, protocol: 6, ports: [443, 443] }, 'IPv4 out to 0.0.0.0/0 port 443', '--egress', '--cidr-block 0.0.0.0/0', '--protocol 6 --port-range From=443,To=443');
      leg(acl, { egress: false, remote: remotes4, protocol: 6, ports: [1024, 65535] }, 'IPv4 replies in to the gateway\'s ports 1024-65535', '--ingress', '--cidr-block 0.0.0.0/0', '--protocol 6 --port-range From=1024,To=65535', [1024, 65535]);
      if (problems.length === 0) continue;
      out.push(awsFinding('nat-subnet-nacl-blocks', fatal ? 'error' : 'warning', `network ACL ${acl.NetworkAclId} of NAT gateway ${natId}'s subnet blocks NAT64 traffic`,
        `NAT64 traffic crosses the network ACL of ${nat.SubnetId} four times, and NACLs are stateless. ${acl.NetworkAclId} blocks: ${problems.join('; ')}. Translated connections through ${natId} fail${fatal ? '' : ' for some ports'}.`,
        [...new Set(fixes)].join('\n'), [acl.NetworkAclId, natId, nat.SubnetId, ...paths.map((p) => p.target.subnet.SubnetId)]));

      function leg(a: NetworkAcl, flow: NaclFlow, what: string, dir: string, cidr: string, proto: string, need?: [number, number]): void {
        const v = evaluateNacl(a, flow);
        const [lo, hi] = need ?? flow.ports ?? [0, 0];
        const got = allowedCount(v, lo, hi);
        if (got === hi - lo + 1) return;
        if (got === 0) fatal = true;
        const blocking = v.denied.filter((d) => d.range[1] >= lo && d.range[0] <= hi);
        problems.push(`${what} (${blocking.map((b) => `${ruleName(b.rule)}${flow.ports && flow.ports[0] !== flow.ports[1] ? ` ${rangeText(b.range)}` : ''}`).join(', ')})`);
        const n = freeRuleNumber(a, flow.egress, blocking[0]?.rule ?? null, taken[`${flow.egress}`]);
        taken[`${flow.egress}`].add(n);
        fixes.push(`aws ec2 create-network-acl-entry --network-acl-id ${a.NetworkAclId} ${dir} --rule-number ${n} ${proto} ${cidr} --rule-action allow`);
      }
    }
    return out;
  },
};
