/** Shared by the NAT gateway checks: which NAT gateway the subnet's 64:ff9b::/96 traffic reaches. */
import type { AwsContext, TargetSubnet } from '../context.js';
import { lookupRoute, routeTarget } from '../context.js';
import { NAT64_PREFIX } from '../cidr.js';
import type { NatGateway, Route } from '../types.js';

export interface NatPath { target: TargetSubnet; route: Route; natId: string; nat: NatGateway | undefined }

/** One entry per (subnet, NAT gateway) whose prefix route is active and points to a NAT gateway. */
export function natPaths(ctx: AwsContext): NatPath[] {
  const out: NatPath[] = [];
  for (const t of ctx.targets) {
    if (!t.routeTable) continue;
    const r = lookupRoute(t.routeTable, NAT64_PREFIX);
    const tg = routeTarget(r);
    if (!r || tg.kind !== 'nat' || r.State === 'blackhole') continue;
    out.push({ target: t, route: r, natId: tg.id, nat: ctx.natGateway(tg.id) });
  }
  return out;
}

/** Each NAT gateway once, with the subnets that use it. */
export function natsInUse(ctx: AwsContext): { natId: string; nat: NatGateway | undefined; paths: NatPath[] }[] {
  const m = new Map<string, NatPath[]>();
  for (const p of natPaths(ctx)) m.set(p.natId, [...(m.get(p.natId) ?? []), p]);
  return [...m].map(([natId, paths]) => ({ natId, nat: paths[0].nat, paths }));
}
