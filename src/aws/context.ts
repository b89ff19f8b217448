/**
 * What the checks share: the inventory with lookups by id, the subnets under check with their
 * route table and network ACL, longest-prefix route lookup, and the finding constructor.
 */
import type { Finding, Severity } from '../diag/finding.js';
import type { AwsInventory, InputKind } from './load.js';
import type { NatGateway, NetworkAcl, ResolverEndpoint, ResolverRuleAssociation, Route, RouteTable, SecurityGroup, Subnet, Vpc } from './types.js';
import { cidrContains, cidrOverlaps, parseCidr, type Cidr } from './cidr.js';

export interface CheckOptions {
  /** `--subnet`: the IPv6-only subnets to check (default: every subnet with IPv6 and DNS64, or no IPv4). */
  subnets?: readonly string[];
  /** `--security-group`: security groups of the instances, in addition to those of describe-network-interfaces. */
  securityGroups?: readonly string[];
}

/** A subnet under check, with what decides its traffic. */
export interface TargetSubnet {
  subnet: Subnet;
  vpc: Vpc | undefined;
  /** The table that routes the subnet: its explicit association, else the VPC's main table. */
  routeTable: RouteTable | undefined;
  routeTableExplicit: boolean;
  nacl: NetworkAcl | undefined;
  /** Why it was picked: `--subnet`, `IPv6 with DNS64`, `IPv6-only`. */
  why: string;
}

/** Where a route sends traffic. */
export interface RouteTarget {
  kind: 'nat' | 'igw' | 'eigw' | 'local' | 'tgw' | 'vgw' | 'eni' | 'instance' | 'pcx' | 'vpce' | 'other' | 'none';
  id: string;
}

/** A check that a missing input turned off, said in the report. */
export interface Skipped { check: string; missing: InputKind[] }

export class AwsContext {
  readonly targets: TargetSubnet[];
  readonly skipped: Skipped[] = [];
  /** Subnet ids given with --subnet that the input does not hold. */
  readonly unknownSubnets: string[] = [];

  // Lookups by id, built once: accounts have thousands of subnets and tables.
  private readonly byVpc = new Map<string, Vpc>();
  private readonly bySubnet = new Map<string, Subnet>();
  private readonly subnetsOfVpc = new Map<string, Subnet[]>();
  private readonly byNat = new Map<string, NatGateway>();
  private readonly bySg = new Map<string, SecurityGroup>();
  private readonly tableOfSubnet = new Map<string, RouteTable>();
  private readonly mainTableOfVpc = new Map<string, RouteTable>();
  private readonly aclOfSubnet = new Map<string, NetworkAcl>();
  private readonly defaultAclOfVpc = new Map<string, NetworkAcl>();
  private readonly byEndpoint = new Map<string, ResolverEndpoint>();
  private readonly assocOfRule = new Map<string, ResolverRuleAssociation[]>();

  constructor(readonly inv: AwsInventory, readonly opts: CheckOptions = {}) {
    for (const v of inv.vpcs) this.byVpc.set(v.VpcId, v);
    for (const s of inv.subnets) {
      this.bySubnet.set(s.SubnetId, s);
      const l = this.subnetsOfVpc.get(s.VpcId ?? '') ?? [];
      l.push(s);
      this.subnetsOfVpc.set(s.VpcId ?? '', l);
    }
    for (const n of inv.natGateways) this.byNat.set(n.NatGatewayId, n);
    for (const g of inv.securityGroups) this.bySg.set(g.GroupId, g);
    for (const t of inv.routeTables) {
      for (const a of t.Associations ?? []) {
        if (a.SubnetId && assocActive(a.AssociationState?.State) && !this.tableOfSubnet.has(a.SubnetId)) this.tableOfSubnet.set(a.SubnetId, t);
        if (a.Main === true && !this.mainTableOfVpc.has(t.VpcId ?? '')) this.mainTableOfVpc.set(t.VpcId ?? '', t);
      }
    }
    for (const a of inv.networkAcls) {
      for (const x of a.Associations ?? []) if (x.SubnetId && !this.aclOfSubnet.has(x.SubnetId)) this.aclOfSubnet.set(x.SubnetId, a);
      if (a.IsDefault === true && !this.defaultAclOfVpc.has(a.VpcId ?? '')) this.defaultAclOfVpc.set(a.VpcId ?? '', a);
    }
    for (const e of inv.resolverEndpoints) this.byEndpoint.set(e.Id, e);
    for (const a of inv.resolverRuleAssociations) {
      const l = this.assocOfRule.get(a.ResolverRuleId ?? '') ?? [];
      l.push(a);
      this.assocOfRule.set(a.ResolverRuleId ?? '', l);
    }
    this.targets = this.pickTargets();
  }

  resolverEndpoint(id: string | undefined): ResolverEndpoint | undefined {
    return id === undefined ? undefined : this.byEndpoint.get(id);
  }
  /** The associations of a Resolver rule with VPCs. */
  ruleAssociations(ruleId: string): ResolverRuleAssociation[] {
    return this.assocOfRule.get(ruleId) ?? [];
  }

  has(kind: InputKind): boolean {
    return this.inv.present.has(kind);
  }

  vpc(id: string | undefined): Vpc | undefined {
    return id === undefined ? undefined : this.byVpc.get(id);
  }
  subnet(id: string | undefined): Subnet | undefined {
    return id === undefined ? undefined : this.bySubnet.get(id);
  }
  natGateway(id: string | undefined): NatGateway | undefined {
    return id === undefined ? undefined : this.byNat.get(id);
  }
  securityGroup(id: string): SecurityGroup | undefined {
    return this.bySg.get(id);
  }

  /** The route table of a subnet: explicit association, else the main table of its VPC. */
  routeTableOf(subnetId: string, vpcId: string | undefined): { table: RouteTable | undefined; explicit: boolean } {
    const explicit = this.tableOfSubnet.get(subnetId);
    if (explicit) return { table: explicit, explicit: true };
    // Tables saved without VpcId (hand-trimmed files) still serve as the main table.
    const main = this.mainTableOfVpc.get(vpcId ?? '') ?? this.mainTableOfVpc.get('');
    return { table: main, explicit: false };
  }

  /** The network ACL of a subnet: the one associated with it, else the VPC's default ACL. */
  naclOf(subnetId: string, vpcId: string | undefined): NetworkAcl | undefined {
    return this.aclOfSubnet.get(subnetId) ?? this.defaultAclOfVpc.get(vpcId ?? '') ?? this.defaultAclOfVpc.get('');
  }

  /** Internet gateways attached to the VPC (attachment state `available`, as describe-internet-gateways prints it). */
  attachedIgws(vpcId: string | undefined): string[] {
    return this.inv.internetGateways
      .filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId && (a.State === 'available' || a.State === 'attached')))
      .map((g) => g.InternetGatewayId);
  }

  /** Egress-only internet gateways attached to the VPC. */
  attachedEigws(vpcId: string | undefined): string[] {
    return this.inv.egressOnlyInternetGateways
      .filter((g) => (g.Attachments ?? []).some((a) => a.VpcId === vpcId && (a.State === 'attached' || a.State === 'available')))
      .map((g) => g.EgressOnlyInternetGatewayId);
  }

  /** The subnet's IPv6 CIDR blocks in state `associated`. */
  subnetIpv6(subnet: Subnet): Cidr[] {
    return (subnet.Ipv6CidrBlockAssociationSet ?? [])
      .filter((a) => a.Ipv6CidrBlockState?.State === undefined || a.Ipv6CidrBlockState.State.toLowerCase() === 'associated')
      .map((a) => parseCidr(a.Ipv6CidrBlock))
      .filter((c): c is Cidr => c !== null && c.family === 6);
  }

  vpcIpv6(vpc: Vpc): Cidr[] {
    return (vpc.Ipv6CidrBlockAssociationSet ?? [])
      .filter((a) => a.Ipv6CidrBlockState?.State === undefined || a.Ipv6CidrBlockState.State.toLowerCase() === 'associated')
      .map((a) => parseCidr(a.Ipv6CidrBlock))
      .filter((c): c is Cidr => c !== null && c.family === 6);
  }

  /** An available public NAT gateway in the VPC, preferring the subnet's AZ: for fixes. */
  suggestNat(vpcId: string | undefined, az: string | undefined, connectivity = 'public'): NatGateway | undefined {
    const ok = this.inv.natGateways.filter((n) => n.VpcId === vpcId && n.State === 'available' && (n.ConnectivityType ?? 'public') === connectivity);
    return ok.find((n) => this.subnet(n.SubnetId)?.AvailabilityZone === az) ?? ok[0];
  }

  /** A public subnet of the VPC (its table routes 0.0.0.0/0 to an internet gateway): for fixes. */
  suggestPublicSubnet(vpcId: string | undefined): Subnet | undefined {
    return (this.subnetsOfVpc.get(vpcId ?? '') ?? []).find((s) => {
      if (!s.CidrBlock) return false;
      const t = this.routeTableOf(s.SubnetId, vpcId).table;
      const r = t ? lookupRoute(t, parseCidr('0.0.0.0/0') as Cidr) : undefined;
      return r !== undefined && routeTarget(r).kind === 'igw' && r.State !== 'blackhole';
    });
  }

  skip(check: string, ...missing: InputKind[]): void {
    this.skipped.push({ check, missing });
  }

  /** The kinds among `kinds` that were not given. */
  missing(...kinds: InputKind[]): InputKind[] {
    return kinds.filter((k) => !this.has(k));
  }

  private pickTargets(): TargetSubnet[] {
    let picked: { subnet: Subnet; why: string }[];
    if (this.opts.subnets && this.opts.subnets.length > 0) {
      picked = [];
      for (const id of this.opts.subnets) {
        const s = this.subnet(id);
        if (s) picked.push({ subnet: s, why: '--subnet' });
        else this.unknownSubnets.push(id);
      }
    } else {
      picked = this.inv.subnets
        .filter((s) => (s.Ipv6CidrBlockAssociationSet ?? []).length > 0 && (s.EnableDns64 === true || !s.CidrBlock))
        .map((s) => ({ subnet: s, why: !s.CidrBlock ? 'IPv6-only (no IPv4 CIDR)' : 'IPv6 with DNS64' }));
    }
    return picked.map(({ subnet, why }) => {
      const rt = this.routeTableOf(subnet.SubnetId, subnet.VpcId);
      return {
        subnet, why, vpc: this.vpc(subnet.VpcId), routeTable: rt.table, routeTableExplicit: rt.explicit,
        nacl: this.naclOf(subnet.SubnetId, subnet.VpcId),
      };
    });
  }
}

function assocActive(state: string | undefined): boolean {
  return state === undefined || state === 'associated' || state === 'associating';
}

/** The route's destination as a CIDR (prefix-list routes have none). */
export function routeDestination(r: Route): Cidr | null {
  return parseCidr(r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock);
}

/**
 * The route that traffic to every address of `dest` takes: the most specific route whose
 * destination contains all of `dest` (VPC longest-prefix match). Undefined when none does.
 */
export function lookupRoute(table: RouteTable, dest: Cidr): Route | undefined {
  let best: Route | undefined;
  let bestLen = -1;
  for (const r of table.Routes ?? []) {
    const d = routeDestination(r);
    if (d && cidrContains(d, dest) && d.len > bestLen) {
      best = r;
      bestLen = d.len;
    }
  }
  return best;
}

/** Routes more specific than `dest` that take part of it elsewhere. */
export function routesInside(table: RouteTable, dest: Cidr): Route[] {
  return (table.Routes ?? []).filter((r) => {
    const d = routeDestination(r);
    return d !== null && d.len > dest.len && cidrOverlaps(d, dest);
  });
}

export function routeTarget(r: Route | undefined): RouteTarget {
  if (!r) return { kind: 'none', id: '' };
  if (r.NatGatewayId) return { kind: 'nat', id: r.NatGatewayId };
  if (r.EgressOnlyInternetGatewayId) return { kind: 'eigw', id: r.EgressOnlyInternetGatewayId };
  if (r.TransitGatewayId) return { kind: 'tgw', id: r.TransitGatewayId };
  if (r.VpcPeeringConnectionId) return { kind: 'pcx', id: r.VpcPeeringConnectionId };
  if (r.InstanceId) return { kind: 'instance', id: r.InstanceId };
  if (r.NetworkInterfaceId) return { kind: 'eni', id: r.NetworkInterfaceId };
  const g = r.GatewayId;
  if (g) {
    if (g === 'local') return { kind: 'local', id: g };
    if (g.startsWith('igw-')) return { kind: 'igw', id: g };
    if (g.startsWith('vgw-')) return { kind: 'vgw', id: g };
    if (g.startsWith('vpce-')) return { kind: 'vpce', id: g };
    return { kind: 'other', id: g };
  }
  const other = r.LocalGatewayId ?? r.CarrierGatewayId ?? r.CoreNetworkArn;
  return { kind: 'other', id: other ?? '?' };
}

export function describeTarget(t: RouteTarget): string {
  switch (t.kind) {
    case 'nat': return `NAT gateway ${t.id}`;
    case 'igw': return `internet gateway ${t.id}`;
    case 'eigw': return `egress-only internet gateway ${t.id}`;
    case 'local': return 'local (the VPC itself)';
    case 'tgw': return `transit gateway ${t.id}`;
    case 'vgw': return `virtual private gateway ${t.id}`;
    case 'eni': return `network interface ${t.id}`;
    case 'instance': return `instance ${t.id}`;
    case 'pcx': return `peering connection ${t.id}`;
    case 'vpce': return `VPC endpoint ${t.id}`;
    case 'none': return 'nothing';
    default: return t.id;
  }
}

/** A finding of aws-check: no flow, no packets; the fix is the AWS CLI command. */
export function awsFinding(id: string, severity: Severity, title: string, detail: string, fix: string, resources: (string | undefined)[]): Finding {
  const res = [...new Set(resources.filter((r): r is string => typeof r === 'string' && r.length > 0))];
  return { id, severity, flow: null, packets: [], title, detail, fix, awsFix: fix, resources: res };
}

/** `subnet-0abc (name)` when the subnet has a Name tag. */
export function named(id: string, tags: { Key?: string; Value?: string }[] | undefined): string {
  const n = tags?.find((t) => t.Key === 'Name')?.Value;
  return n ? `${id} (${n})` : id;
}
