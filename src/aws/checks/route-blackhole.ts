/** Other routes of the checked tables whose target is gone (State blackhole). */
import type { AwsCheck } from '../check.js';
import type { Finding } from '../../diag/finding.js';
import { awsFinding, describeTarget, routeDestination, routeTarget } from '../context.js';

/** Covered by the route checks of their own. */
const OWN = new Set(['64:ff9b::/96', '::/0', '0.0.0.0/0']);

export const routeBlackhole: AwsCheck = {
  name: 'blackhole routes',
  ids: ['route-blackhole'],
  needs: ['Subnets', 'RouteTables'],
  run(ctx) {
    const out: Finding[] = [];
    const done = new Set<string>();
    for (const t of ctx.targets) {
      const rt = t.routeTable;
      if (!rt || done.has(rt.RouteTableId)) continue;
      done.add(rt.RouteTableId);
      for (const r of rt.Routes ?? []) {
        const d = routeDestination(r);
        const dest = r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock ?? r.DestinationPrefixListId ?? '?';
        if (r.State !== 'blackhole' || (d && OWN.has(dest))) continue;
        const flag = d?.family === 6 ? '--destination-ipv6-cidr-block' : d ? '--destination-cidr-block' : '--destination-prefix-list-id';
        out.push(awsFinding('route-blackhole', 'warning', `route ${dest} of ${rt.RouteTableId} is a blackhole`,
          `${rt.RouteTableId} (subnet ${t.subnet.SubnetId}) sends ${dest} to ${describeTarget(routeTarget(r))}, which no longer exists: traffic to ${dest} is dropped.`,
          `aws ec2 delete-route --route-table-id ${rt.RouteTableId} ${flag} ${dest}`, [rt.RouteTableId, routeTarget(r).id]));
      }
    }
    return out;
  },
};
