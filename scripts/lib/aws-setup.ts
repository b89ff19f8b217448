/**
 * The AWS setup of the NAT64/DNS64 guide (shared/seeds/aws-nat64-dns64.md), as the AWS CLI prints
 * it: one JSON document per describe/list command, field names and nesting from the EC2 and
 * Route 53 Resolver API references. `goodSetup()` is the guide followed to the letter; each entry
 * of `AWS_CASES` breaks one step of it. scripts/build-aws-fixtures.ts writes them to fixtures/aws/.
 */

export const OWNER = '111122223333';
export const REGION = 'us-east-2';
export const IDS = {
  vpc: 'vpc-0a1b2c3d4e5f60001',
  dopt: 'dopt-0a1b2c3d4e5f60001',
  publicSubnet: 'subnet-0a1b2c3d4e5f60101',
  v6Subnet: 'subnet-0a1b2c3d4e5f60201',
  mainRtb: 'rtb-0a1b2c3d4e5f60001',
  publicRtb: 'rtb-0a1b2c3d4e5f60101',
  v6Rtb: 'rtb-0a1b2c3d4e5f60201',
  nat: 'nat-0a1b2c3d4e5f60301',
  natEni: 'eni-0a1b2c3d4e5f60301',
  eip: 'eipalloc-0a1b2c3d4e5f60301',
  igw: 'igw-0a1b2c3d4e5f60401',
  eigw: 'eigw-0a1b2c3d4e5f60501',
  tgw: 'tgw-0a1b2c3d4e5f60601',
  defaultSg: 'sg-0a1b2c3d4e5f60001',
  appSg: 'sg-0a1b2c3d4e5f60701',
  resolverSg: 'sg-0a1b2c3d4e5f60702',
  defaultAcl: 'acl-0a1b2c3d4e5f60001',
  v6Acl: 'acl-0a1b2c3d4e5f60201',
  appEni: 'eni-0a1b2c3d4e5f60801',
  instance: 'i-0a1b2c3d4e5f60801',
  outEndpoint: 'rslvr-out-0a1b2c3d4e5f6001',
  inEndpoint: 'rslvr-in-0a1b2c3d4e5f6002',
  rule: 'rslvr-rr-0a1b2c3d4e5f6003',
  ruleAssoc: 'rslvr-rrassoc-0a1b2c3d4e5f6004',
} as const;

const VPC_V6 = '2600:1f14:abc:de00::/56';
const V6_SUBNET = '2600:1f14:abc:de00::/64';
const ONPREM = '10.20.0.0/16';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One file of the setup: its name and the document the CLI printed. */
export type Setup = Record<string, Json>;

const name = (v: string) => [{ Key: 'Name', Value: v }];

export function goodSetup(): Setup {
  const { vpc } = IDS;
  return {
    'vpcs.json': {
      Vpcs: [{
        CidrBlock: '10.0.0.0/16', DhcpOptionsId: IDS.dopt, State: 'available', VpcId: vpc, OwnerId: OWNER, InstanceTenancy: 'default',
        Ipv6CidrBlockAssociationSet: [{ AssociationId: 'vpc-cidr-assoc-0a1b2c3d4e5f60001', Ipv6CidrBlock: VPC_V6, Ipv6CidrBlockState: { State: 'associated' }, NetworkBorderGroup: REGION, Ipv6Pool: 'Amazon' }],
        CidrBlockAssociationSet: [{ AssociationId: 'vpc-cidr-assoc-0a1b2c3d4e5f60002', CidrBlock: '10.0.0.0/16', CidrBlockState: { State: 'associated' } }],
        IsDefault: false, Tags: name('nat64-vpc'),
      }],
    },
    'vpc-attribute-enable-dns-support.json': { VpcId: vpc, EnableDnsSupport: { Value: true } },
    'dhcp-options.json': {
      DhcpOptions: [{
        DhcpConfigurations: [
          { Key: 'domain-name', Values: [{ Value: `${REGION}.compute.internal` }] },
          { Key: 'domain-name-servers', Values: [{ Value: 'AmazonProvidedDNS' }] },
        ],
        DhcpOptionsId: IDS.dopt, OwnerId: OWNER, Tags: [],
      }],
    },
    'subnets.json': {
      Subnets: [
        {
          AvailabilityZone: `${REGION}a`, AvailabilityZoneId: 'use2-az1', AvailableIpAddressCount: 250, CidrBlock: '10.0.0.0/24',
          DefaultForAz: false, MapPublicIpOnLaunch: false, MapCustomerOwnedIpOnLaunch: false, State: 'available',
          SubnetId: IDS.publicSubnet, VpcId: vpc, OwnerId: OWNER, AssignIpv6AddressOnCreation: false, Ipv6CidrBlockAssociationSet: [],
          Tags: name('public-nat'), SubnetArn: `arn:aws:ec2:${REGION}:${OWNER}:subnet/${IDS.publicSubnet}`,
          EnableDns64: false, Ipv6Native: false,
          PrivateDnsNameOptionsOnLaunch: { HostnameType: 'ip-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: false },
        },
        {
          AvailabilityZone: `${REGION}a`, AvailabilityZoneId: 'use2-az1', AvailableIpAddressCount: 0,
          DefaultForAz: false, MapPublicIpOnLaunch: false, MapCustomerOwnedIpOnLaunch: false, State: 'available',
          SubnetId: IDS.v6Subnet, VpcId: vpc, OwnerId: OWNER, AssignIpv6AddressOnCreation: true,
          Ipv6CidrBlockAssociationSet: [{ AssociationId: 'subnet-cidr-assoc-0a1b2c3d4e5f60201', Ipv6CidrBlock: V6_SUBNET, Ipv6CidrBlockState: { State: 'associated' } }],
          Tags: name('ipv6-only-workloads'), SubnetArn: `arn:aws:ec2:${REGION}:${OWNER}:subnet/${IDS.v6Subnet}`,
          EnableDns64: true, Ipv6Native: true,
          PrivateDnsNameOptionsOnLaunch: { HostnameType: 'resource-name', EnableResourceNameDnsARecord: false, EnableResourceNameDnsAAAARecord: true },
        },
      ],
    },
    'route-tables.json': {
      RouteTables: [
        {
          Associations: [{ Main: true, RouteTableAssociationId: 'rtbassoc-0a1b2c3d4e5f60001', RouteTableId: IDS.mainRtb, AssociationState: { State: 'associated' } }],
          PropagatingVgws: [], RouteTableId: IDS.mainRtb,
          Routes: [
            { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
            { DestinationIpv6CidrBlock: VPC_V6, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
          ],
          Tags: [], VpcId: vpc, OwnerId: OWNER,
        },
        {
          Associations: [{ Main: false, RouteTableAssociationId: 'rtbassoc-0a1b2c3d4e5f60101', RouteTableId: IDS.publicRtb, SubnetId: IDS.publicSubnet, AssociationState: { State: 'associated' } }],
          PropagatingVgws: [], RouteTableId: IDS.publicRtb,
          Routes: [
            { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
            { DestinationCidrBlock: ONPREM, TransitGatewayId: IDS.tgw, Origin: 'CreateRoute', State: 'active' },
            { DestinationCidrBlock: '0.0.0.0/0', GatewayId: IDS.igw, Origin: 'CreateRoute', State: 'active' },
            { DestinationIpv6CidrBlock: VPC_V6, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
          ],
          Tags: name('public'), VpcId: vpc, OwnerId: OWNER,
        },
        {
          Associations: [{ Main: false, RouteTableAssociationId: 'rtbassoc-0a1b2c3d4e5f60201', RouteTableId: IDS.v6Rtb, SubnetId: IDS.v6Subnet, AssociationState: { State: 'associated' } }],
          PropagatingVgws: [], RouteTableId: IDS.v6Rtb,
          Routes: [
            { DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
            { DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: IDS.nat, Origin: 'CreateRoute', State: 'active' },
            { DestinationIpv6CidrBlock: VPC_V6, GatewayId: 'local', Origin: 'CreateRouteTable', State: 'active' },
            { DestinationIpv6CidrBlock: '64:ff9b::/96', NatGatewayId: IDS.nat, Origin: 'CreateRoute', State: 'active' },
            { DestinationIpv6CidrBlock: '::/0', EgressOnlyInternetGatewayId: IDS.eigw, Origin: 'CreateRoute', State: 'active' },
          ],
          Tags: name('ipv6-only'), VpcId: vpc, OwnerId: OWNER,
        },
      ],
    },
    'nat-gateways.json': {
      NatGateways: [{
        CreateTime: '2026-11-20T09:12:44+00:00',
        NatGatewayAddresses: [{ AllocationId: IDS.eip, NetworkInterfaceId: IDS.natEni, PrivateIp: '10.0.0.25', PublicIp: '203.0.113.25', AssociationId: 'eipassoc-0a1b2c3d4e5f60301', IsPrimary: true, Status: 'succeeded' }],
        NatGatewayId: IDS.nat, State: 'available', SubnetId: IDS.publicSubnet, VpcId: vpc, Tags: name('nat64'), ConnectivityType: 'public',
      }],
    },
    'internet-gateways.json': {
      InternetGateways: [{ Attachments: [{ State: 'available', VpcId: vpc }], InternetGatewayId: IDS.igw, OwnerId: OWNER, Tags: name('igw') }],
    },
    'egress-only-internet-gateways.json': {
      EgressOnlyInternetGateways: [{ Attachments: [{ State: 'attached', VpcId: vpc }], EgressOnlyInternetGatewayId: IDS.eigw, Tags: name('eigw') }],
    },
    'security-groups.json': {
      SecurityGroups: [
        {
          GroupId: IDS.defaultSg, IpPermissionsEgress: [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [] }],
          VpcId: vpc, SecurityGroupArn: `arn:aws:ec2:${REGION}:${OWNER}:security-group/${IDS.defaultSg}`, OwnerId: OWNER, GroupName: 'default',
          Description: 'default VPC security group', IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ UserId: OWNER, GroupId: IDS.defaultSg }], IpRanges: [], Ipv6Ranges: [], PrefixListIds: [] }],
        },
        {
          GroupId: IDS.appSg,
          IpPermissionsEgress: [{ IpProtocol: '-1', UserIdGroupPairs: [], IpRanges: [{ CidrIp: '0.0.0.0/0' }], Ipv6Ranges: [{ CidrIpv6: '::/0' }], PrefixListIds: [] }],
          Tags: name('app'), VpcId: vpc, SecurityGroupArn: `arn:aws:ec2:${REGION}:${OWNER}:security-group/${IDS.appSg}`, OwnerId: OWNER, GroupName: 'app',
          Description: 'IPv6-only application servers',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 22, ToPort: 22, UserIdGroupPairs: [], IpRanges: [], Ipv6Ranges: [{ CidrIpv6: VPC_V6, Description: 'ssh from the VPC' }], PrefixListIds: [] }],
        },
        {
          GroupId: IDS.resolverSg,
          IpPermissionsEgress: [
            { IpProtocol: 'udp', FromPort: 53, ToPort: 53, UserIdGroupPairs: [], IpRanges: [{ CidrIp: ONPREM }], Ipv6Ranges: [], PrefixListIds: [] },
            { IpProtocol: 'tcp', FromPort: 53, ToPort: 53, UserIdGroupPairs: [], IpRanges: [{ CidrIp: ONPREM }], Ipv6Ranges: [], PrefixListIds: [] },
          ],
          Tags: name('resolver-outbound'), VpcId: vpc, SecurityGroupArn: `arn:aws:ec2:${REGION}:${OWNER}:security-group/${IDS.resolverSg}`, OwnerId: OWNER, GroupName: 'resolver-outbound',
          Description: 'Route 53 Resolver outbound endpoint', IpPermissions: [],
        },
      ],
    },
    'network-acls.json': {
      NetworkAcls: [
        {
          Associations: [{ NetworkAclAssociationId: 'aclassoc-0a1b2c3d4e5f60101', NetworkAclId: IDS.defaultAcl, SubnetId: IDS.publicSubnet }],
          Entries: [
            { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
            { Egress: true, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'allow', RuleNumber: 101 },
            { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
            { Egress: true, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'deny', RuleNumber: 32768 },
            { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
            { Egress: false, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'allow', RuleNumber: 101 },
            { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
            { Egress: false, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'deny', RuleNumber: 32768 },
          ],
          IsDefault: true, NetworkAclId: IDS.defaultAcl, Tags: [], VpcId: vpc, OwnerId: OWNER,
        },
        {
          Associations: [{ NetworkAclAssociationId: 'aclassoc-0a1b2c3d4e5f60201', NetworkAclId: IDS.v6Acl, SubnetId: IDS.v6Subnet }],
          Entries: [
            { Egress: true, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'allow', RuleNumber: 100 },
            { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
            { Egress: true, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'deny', RuleNumber: 32768 },
            { Egress: false, Ipv6CidrBlock: VPC_V6, Protocol: '-1', RuleAction: 'allow', RuleNumber: 90 },
            { Egress: false, Ipv6CidrBlock: '::/0', PortRange: { From: 1024, To: 65535 }, Protocol: '6', RuleAction: 'allow', RuleNumber: 100 },
            { Egress: false, Ipv6CidrBlock: '::/0', PortRange: { From: 1024, To: 65535 }, Protocol: '17', RuleAction: 'allow', RuleNumber: 105 },
            { Egress: false, IcmpTypeCode: { Code: -1, Type: -1 }, Ipv6CidrBlock: '::/0', Protocol: '58', RuleAction: 'allow', RuleNumber: 110 },
            { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'deny', RuleNumber: 32767 },
            { Egress: false, Ipv6CidrBlock: '::/0', Protocol: '-1', RuleAction: 'deny', RuleNumber: 32768 },
          ],
          IsDefault: false, NetworkAclId: IDS.v6Acl, Tags: name('ipv6-only'), VpcId: vpc, OwnerId: OWNER,
        },
      ],
    },
    'network-interfaces.json': {
      NetworkInterfaces: [
        {
          Attachment: { AttachTime: '2026-11-20T09:30:02+00:00', AttachmentId: 'eni-attach-0a1b2c3d4e5f60801', DeleteOnTermination: true, DeviceIndex: 0, NetworkCardIndex: 0, InstanceId: IDS.instance, InstanceOwnerId: OWNER, Status: 'attached' },
          AvailabilityZone: `${REGION}a`, Description: '', Groups: [{ GroupName: 'app', GroupId: IDS.appSg }], InterfaceType: 'interface',
          Ipv6Addresses: [{ Ipv6Address: '2600:1f14:abc:de00::10', IsPrimaryIpv6: false }], MacAddress: '02:1a:2b:3c:4d:10',
          NetworkInterfaceId: IDS.appEni, OwnerId: OWNER, PrivateIpAddresses: [], RequesterManaged: false, SourceDestCheck: true,
          Status: 'in-use', SubnetId: IDS.v6Subnet, TagSet: [], VpcId: vpc, Ipv6Native: true, Ipv6Address: '2600:1f14:abc:de00::10',
        },
        {
          AvailabilityZone: `${REGION}a`, Description: `Interface for NAT Gateway ${IDS.nat}`, Groups: [], InterfaceType: 'nat_gateway',
          Ipv6Addresses: [], MacAddress: '02:1a:2b:3c:4d:25', NetworkInterfaceId: IDS.natEni, OwnerId: OWNER, PrivateDnsName: `ip-10-0-0-25.${REGION}.compute.internal`,
          PrivateIpAddress: '10.0.0.25', PrivateIpAddresses: [{ Primary: true, PrivateDnsName: `ip-10-0-0-25.${REGION}.compute.internal`, PrivateIpAddress: '10.0.0.25' }],
          RequesterId: 'AWS', RequesterManaged: true, SourceDestCheck: false, Status: 'in-use', SubnetId: IDS.publicSubnet, TagSet: [], VpcId: vpc,
        },
      ],
    },
    'resolver-endpoints.json': {
      MaxResults: 10,
      ResolverEndpoints: [
        {
          Id: IDS.outEndpoint, CreatorRequestId: '2026-11-20-09:40', Arn: `arn:aws:route53resolver:${REGION}:${OWNER}:resolver-endpoint/${IDS.outEndpoint}`,
          Name: 'to-corp', SecurityGroupIds: [IDS.resolverSg], Direction: 'OUTBOUND', IpAddressCount: 2, HostVPCId: vpc, Status: 'OPERATIONAL',
          StatusMessage: 'This Resolver Endpoint is operational.', CreationTime: '2026-11-20T09:40:12.511Z', ModificationTime: '2026-11-20T09:40:12.511Z',
          ResolverEndpointType: 'IPV4', Protocols: ['Do53'],
        },
        {
          Id: IDS.inEndpoint, CreatorRequestId: '2026-11-20-09:41', Arn: `arn:aws:route53resolver:${REGION}:${OWNER}:resolver-endpoint/${IDS.inEndpoint}`,
          Name: 'from-corp', SecurityGroupIds: [IDS.resolverSg], Direction: 'INBOUND', IpAddressCount: 2, HostVPCId: vpc, Status: 'OPERATIONAL',
          StatusMessage: 'This Resolver Endpoint is operational.', CreationTime: '2026-11-20T09:41:03.090Z', ModificationTime: '2026-11-20T09:41:03.090Z',
          ResolverEndpointType: 'IPV4', Protocols: ['Do53'],
        },
      ],
    },
    'resolver-rules.json': {
      MaxResults: 30,
      ResolverRules: [
        {
          Id: 'rslvr-autodefined-rr-internet-resolver', CreatorRequestId: '', Arn: `arn:aws:route53resolver:${REGION}::autodefined-rule/rslvr-autodefined-rr-internet-resolver`,
          DomainName: '.', Status: 'COMPLETE', RuleType: 'RECURSIVE', Name: 'Internet Resolver', OwnerId: 'Route 53 Resolver', ShareStatus: 'NOT_SHARED',
        },
        {
          Id: IDS.rule, CreatorRequestId: '2026-11-20-09:45', Arn: `arn:aws:route53resolver:${REGION}:${OWNER}:resolver-rule/${IDS.rule}`,
          DomainName: 'corp.example.', Status: 'COMPLETE', StatusMessage: '[Trace id: 1-6741a1b2-0a1b2c3d4e5f60011] Successfully created Resolver Rule.',
          RuleType: 'FORWARD', Name: 'corp', TargetIps: [{ Ip: '10.20.0.2', Port: 53, Protocol: 'Do53' }, { Ip: '10.20.1.2', Port: 53, Protocol: 'Do53' }],
          ResolverEndpointId: IDS.outEndpoint, OwnerId: OWNER, ShareStatus: 'NOT_SHARED',
          CreationTime: '2026-11-20T09:45:30.100Z', ModificationTime: '2026-11-20T09:45:30.100Z',
        },
      ],
    },
    'resolver-rule-associations.json': {
      MaxResults: 30,
      ResolverRuleAssociations: [
        { Id: `rslvr-autodefined-assoc-${vpc}-internet-resolver`, ResolverRuleId: 'rslvr-autodefined-rr-internet-resolver', Name: 'System Rule Association', VPCId: vpc, Status: 'COMPLETE', StatusMessage: '' },
        { Id: IDS.ruleAssoc, ResolverRuleId: IDS.rule, Name: 'corp-in-nat64-vpc', VPCId: vpc, Status: 'COMPLETE', StatusMessage: '' },
      ],
    },
  };
}

export interface AwsCase {
  /** Directory under fixtures/aws/. */
  name: string;
  /** What was broken, for the README. */
  what: string;
  /** Finding id expected, and its severity. */
  expect: string;
  severity: 'error' | 'warning' | 'info';
  /** Extra aws-check arguments. */
  args?: string[];
  mutate(s: Setup): void;
}

// Small accessors over the documents.
const subnet = (s: Setup, id: string) => s['subnets.json'].Subnets.find((x: Json) => x.SubnetId === id);
const table = (s: Setup, id: string) => s['route-tables.json'].RouteTables.find((x: Json) => x.RouteTableId === id);
const route = (s: Setup, rt: string, dest: string) => table(s, rt).Routes.find((r: Json) => (r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock) === dest);
const dropRoute = (s: Setup, rt: string, dest: string) => { const t = table(s, rt); t.Routes = t.Routes.filter((r: Json) => (r.DestinationIpv6CidrBlock ?? r.DestinationCidrBlock) !== dest); };
const retarget = (r: Json, target: Json) => {
  for (const k of ['NatGatewayId', 'GatewayId', 'EgressOnlyInternetGatewayId', 'TransitGatewayId', 'VpcPeeringConnectionId', 'NetworkInterfaceId']) delete r[k];
  Object.assign(r, target);
};
const acl = (s: Setup, id: string) => s['network-acls.json'].NetworkAcls.find((x: Json) => x.NetworkAclId === id);
const nat = (s: Setup) => s['nat-gateways.json'].NatGateways[0];
const rule = (s: Setup) => s['resolver-rules.json'].ResolverRules.find((r: Json) => r.Id === IDS.rule);
const outEndpoint = (s: Setup) => s['resolver-endpoints.json'].ResolverEndpoints.find((e: Json) => e.Id === IDS.outEndpoint);
/** Makes the workload subnet dual-stack (the checks that concern IPv4 in it need that). */
const dualStack = (s: Setup) => Object.assign(subnet(s, IDS.v6Subnet), { CidrBlock: '10.0.2.0/24', Ipv6Native: false, AvailableIpAddressCount: 250 });

export const AWS_CASES: AwsCase[] = [
  { name: 'dns64-disabled', what: 'EnableDns64 false on the IPv6-only subnet', expect: 'dns64-disabled', severity: 'error',
    mutate: (s) => { subnet(s, IDS.v6Subnet).EnableDns64 = false; } },
  { name: 'vpc-no-ipv6', what: 'the VPC has no IPv6 CIDR block', expect: 'vpc-no-ipv6', severity: 'error',
    mutate: (s) => { s['vpcs.json'].Vpcs[0].Ipv6CidrBlockAssociationSet = []; } },
  { name: 'subnet-no-ipv6', what: 'the workload subnet (named with --subnet) has IPv4 but no IPv6 CIDR block', expect: 'subnet-no-ipv6', severity: 'error',
    args: ['--subnet', IDS.v6Subnet],
    mutate: (s) => { dualStack(s); subnet(s, IDS.v6Subnet).Ipv6CidrBlockAssociationSet = []; subnet(s, IDS.v6Subnet).AssignIpv6AddressOnCreation = false; } },
  { name: 'subnet-no-auto-ipv6', what: 'dual-stack workload subnet that does not assign IPv6 on launch', expect: 'subnet-no-auto-ipv6', severity: 'warning',
    mutate: (s) => { dualStack(s); subnet(s, IDS.v6Subnet).AssignIpv6AddressOnCreation = false; } },
  { name: 'instance-no-ipv6', what: 'dual-stack workload subnet with an instance that has no IPv6 address', expect: 'instance-no-ipv6', severity: 'warning',
    mutate: (s) => {
      dualStack(s);
      Object.assign(s['network-interfaces.json'].NetworkInterfaces[0], { Ipv6Addresses: [], Ipv6Native: false, Ipv6Address: undefined, PrivateIpAddress: '10.0.2.10',
        PrivateIpAddresses: [{ Primary: true, PrivateDnsName: `ip-10-0-2-10.${REGION}.compute.internal`, PrivateIpAddress: '10.0.2.10' }] });
    } },
  { name: 'prefix-route-missing', what: 'no 64:ff9b::/96 route: the traffic follows ::/0 to the egress-only gateway', expect: 'prefix-route-missing', severity: 'error',
    mutate: (s) => dropRoute(s, IDS.v6Rtb, '64:ff9b::/96') },
  { name: 'prefix-route-blackhole', what: 'the 64:ff9b::/96 route is in state blackhole', expect: 'prefix-route-blackhole', severity: 'error',
    mutate: (s) => { route(s, IDS.v6Rtb, '64:ff9b::/96').State = 'blackhole'; } },
  { name: 'prefix-route-not-nat', what: '64:ff9b::/96 points to the egress-only internet gateway', expect: 'prefix-route-not-nat', severity: 'error',
    mutate: (s) => retarget(route(s, IDS.v6Rtb, '64:ff9b::/96'), { EgressOnlyInternetGatewayId: IDS.eigw }) },
  { name: 'prefix-route-split', what: 'a more specific route takes part of 64:ff9b::/96 elsewhere', expect: 'prefix-route-split', severity: 'warning',
    mutate: (s) => { table(s, IDS.v6Rtb).Routes.push({ DestinationIpv6CidrBlock: '64:ff9b::c633:6400/120', EgressOnlyInternetGatewayId: IDS.eigw, Origin: 'CreateRoute', State: 'active' }); } },
  { name: 'ipv6-default-route-missing', what: 'no ::/0 route', expect: 'ipv6-default-route-missing', severity: 'error',
    mutate: (s) => dropRoute(s, IDS.v6Rtb, '::/0') },
  { name: 'ipv6-default-route-blackhole', what: 'the ::/0 route is in state blackhole', expect: 'ipv6-default-route-blackhole', severity: 'error',
    mutate: (s) => { route(s, IDS.v6Rtb, '::/0').State = 'blackhole'; } },
  { name: 'ipv6-default-route-nat', what: '::/0 points to the NAT gateway', expect: 'ipv6-default-route-nat', severity: 'error',
    mutate: (s) => retarget(route(s, IDS.v6Rtb, '::/0'), { NatGatewayId: IDS.nat }) },
  { name: 'ipv6-default-route-igw', what: '::/0 points to the internet gateway, not the egress-only one', expect: 'ipv6-default-route-igw', severity: 'warning',
    mutate: (s) => retarget(route(s, IDS.v6Rtb, '::/0'), { GatewayId: IDS.igw }) },
  { name: 'ipv4-default-route-blackhole', what: 'dual-stack workload subnet whose 0.0.0.0/0 route is a blackhole', expect: 'ipv4-default-route-blackhole', severity: 'warning',
    mutate: (s) => { dualStack(s); retarget(route(s, IDS.v6Rtb, '0.0.0.0/0'), { NatGatewayId: 'nat-0dead0dead0dead001', State: 'blackhole' }); } },
  { name: 'ipv4-default-route-missing', what: 'dual-stack workload subnet without a 0.0.0.0/0 route', expect: 'ipv4-default-route-missing', severity: 'info',
    mutate: (s) => { dualStack(s); dropRoute(s, IDS.v6Rtb, '0.0.0.0/0'); } },
  { name: 'route-table-missing', what: 'describe-route-tables was saved with a filter: neither the workload subnet\'s table nor the main table is in it', expect: 'route-table-missing', severity: 'error',
    mutate: (s) => { const l = s['route-tables.json']; l.RouteTables = l.RouteTables.filter((t: Json) => t.RouteTableId === IDS.publicRtb); } },
  { name: 'route-blackhole', what: 'another route of the workload table is a blackhole (deleted peering)', expect: 'route-blackhole', severity: 'warning',
    mutate: (s) => { table(s, IDS.v6Rtb).Routes.push({ DestinationIpv6CidrBlock: '2600:1f14:abc:ff00::/56', VpcPeeringConnectionId: 'pcx-0a1b2c3d4e5f60901', Origin: 'CreateRoute', State: 'blackhole' }); } },
  { name: 'nat-gateway-unknown', what: '64:ff9b::/96 points to a NAT gateway describe-nat-gateways does not list', expect: 'nat-gateway-unknown', severity: 'warning',
    mutate: (s) => retarget(route(s, IDS.v6Rtb, '64:ff9b::/96'), { NatGatewayId: 'nat-0a1b2c3d4e5f6fff1' }) },
  { name: 'nat-gateway-not-available', what: 'the NAT gateway is being deleted', expect: 'nat-gateway-not-available', severity: 'error',
    mutate: (s) => Object.assign(nat(s), { State: 'deleting', DeleteTime: '2026-11-25T16:02:11+00:00' }) },
  { name: 'nat-in-workload-subnet', what: 'the NAT gateway sits in the (dual-stack) workload subnet, whose table and NACL were made public for it', expect: 'nat-in-workload-subnet', severity: 'warning',
    mutate: (s) => {
      dualStack(s);
      nat(s).SubnetId = IDS.v6Subnet;
      retarget(route(s, IDS.v6Rtb, '0.0.0.0/0'), { GatewayId: IDS.igw });
      table(s, IDS.v6Rtb).Routes.splice(1, 0, { DestinationCidrBlock: ONPREM, TransitGatewayId: IDS.tgw, Origin: 'CreateRoute', State: 'active' });
      acl(s, IDS.v6Acl).Entries.unshift(
        { CidrBlock: '0.0.0.0/0', Egress: true, Protocol: '-1', RuleAction: 'allow', RuleNumber: 200 },
        { CidrBlock: '0.0.0.0/0', Egress: false, Protocol: '-1', RuleAction: 'allow', RuleNumber: 200 },
        { Egress: false, Ipv6CidrBlock: VPC_V6, Protocol: '-1', RuleAction: 'allow', RuleNumber: 80 });
    } },
  { name: 'nat-gateway-other-az', what: 'the workload subnet is in another Availability Zone than its NAT gateway', expect: 'nat-gateway-other-az', severity: 'info',
    mutate: (s) => Object.assign(subnet(s, IDS.v6Subnet), { AvailabilityZone: `${REGION}b`, AvailabilityZoneId: 'use2-az2' }) },
  { name: 'public-nat-no-igw-route', what: 'the NAT gateway\'s subnet has no 0.0.0.0/0 route to the internet gateway', expect: 'public-nat-no-igw-route', severity: 'error',
    mutate: (s) => dropRoute(s, IDS.publicRtb, '0.0.0.0/0') },
  { name: 'private-nat-for-internet', what: 'the NAT gateway is private, in a subnet that routes to the internet', expect: 'private-nat-for-internet', severity: 'error',
    mutate: (s) => { Object.assign(nat(s), { ConnectivityType: 'private' }); nat(s).NatGatewayAddresses = [{ NetworkInterfaceId: IDS.natEni, PrivateIp: '10.0.0.25', IsPrimary: true, Status: 'succeeded' }]; } },
  { name: 'sg-egress-blocks-prefix', what: 'the instances\' security group allows egress to 0.0.0.0/0 only (no IPv6 range)', expect: 'sg-egress-blocks-prefix', severity: 'error',
    mutate: (s) => { s['security-groups.json'].SecurityGroups.find((g: Json) => g.GroupId === IDS.appSg).IpPermissionsEgress[0].Ipv6Ranges = []; } },
  { name: 'security-group-unknown', what: 'the instance uses a security group describe-security-groups does not list', expect: 'security-group-unknown', severity: 'warning',
    mutate: (s) => { s['network-interfaces.json'].NetworkInterfaces[0].Groups.push({ GroupName: 'gone', GroupId: 'sg-0a1b2c3d4e5f6ffff' }); } },
  { name: 'nacl-egress-blocks-prefix', what: 'the workload NACL has outbound rules for IPv4 only', expect: 'nacl-egress-blocks-prefix', severity: 'error',
    mutate: (s) => Object.assign(acl(s, IDS.v6Acl).Entries[0], { CidrBlock: '0.0.0.0/0', Ipv6CidrBlock: undefined }) },
  { name: 'nacl-ingress-blocks-return', what: 'inbound TCP is allowed to port 443 only (server ports, not the ephemeral ports replies come to)', expect: 'nacl-ingress-blocks-return', severity: 'error',
    mutate: (s) => { acl(s, IDS.v6Acl).Entries[4].PortRange = { From: 443, To: 443 }; } },
  { name: 'nacl-ingress-windows-ephemeral', what: 'inbound TCP allowed to 49152-65535 only: Linux ephemeral ports 32768-49151 are cut off', expect: 'nacl-ingress-blocks-return', severity: 'warning',
    mutate: (s) => { acl(s, IDS.v6Acl).Entries[4].PortRange = { From: 49152, To: 65535 }; } },
  { name: 'nacl-deny-before-allow', what: 'rule 95 denies inbound TCP from ::/0 before rule 100 allows the ephemeral ports (rule order)', expect: 'nacl-ingress-blocks-return', severity: 'error',
    mutate: (s) => { acl(s, IDS.v6Acl).Entries.splice(4, 0, { Egress: false, Ipv6CidrBlock: '::/0', PortRange: { From: 0, To: 65535 }, Protocol: '6', RuleAction: 'deny', RuleNumber: 95 }); } },
  { name: 'nacl-blocks-packet-too-big', what: 'the workload NACL has no inbound ICMPv6 rule', expect: 'nacl-blocks-packet-too-big', severity: 'warning',
    mutate: (s) => { acl(s, IDS.v6Acl).Entries = acl(s, IDS.v6Acl).Entries.filter((e: Json) => e.Protocol !== '58'); } },
  { name: 'nat-subnet-nacl-blocks', what: 'the NAT gateway\'s subnet has a NACL with IPv4 entries only', expect: 'nat-subnet-nacl-blocks', severity: 'error',
    mutate: (s) => { const a = acl(s, IDS.defaultAcl); a.Entries = a.Entries.filter((e: Json) => e.CidrBlock !== undefined || e.RuleNumber === 32768); } },
  { name: 'resolver-rule-no-endpoint', what: 'the forwarding rule names the inbound endpoint', expect: 'resolver-rule-no-endpoint', severity: 'error',
    mutate: (s) => { rule(s).ResolverEndpointId = IDS.inEndpoint; } },
  { name: 'resolver-endpoint-no-ipv4', what: 'the outbound endpoint is IPv6-only (ResolverEndpointType IPV6)', expect: 'resolver-endpoint-no-ipv4', severity: 'error',
    mutate: (s) => { outEndpoint(s).ResolverEndpointType = 'IPV6'; } },
  { name: 'resolver-endpoint-not-operational', what: 'the outbound endpoint needs action', expect: 'resolver-endpoint-not-operational', severity: 'error',
    mutate: (s) => Object.assign(outEndpoint(s), { Status: 'ACTION_NEEDED', StatusMessage: '[Trace id: 1-6741a1b2-0a1b2c3d4e5f60012] Only 1 IP address is available; the endpoint needs at least 2.' }) },
  { name: 'resolver-rule-not-associated', what: 'the forwarding rule is not associated with the VPC', expect: 'resolver-rule-not-associated', severity: 'error',
    mutate: (s) => { const l = s['resolver-rule-associations.json']; l.ResolverRuleAssociations = l.ResolverRuleAssociations.filter((a: Json) => a.Id !== IDS.ruleAssoc); } },
  { name: 'nat-no-route-to-onprem', what: 'the NAT gateway\'s subnet has no route to the on-premises network', expect: 'nat-no-route-to-onprem', severity: 'warning',
    mutate: (s) => dropRoute(s, IDS.publicRtb, ONPREM) },
  { name: 'dhcp-options-custom-dns', what: 'the VPC\'s DHCP options hand out on-premises DNS servers', expect: 'dhcp-options-custom-dns', severity: 'warning',
    mutate: (s) => { s['dhcp-options.json'].DhcpOptions[0].DhcpConfigurations[1].Values = [{ Value: '10.20.0.2' }, { Value: '10.20.1.2' }]; } },
  { name: 'vpc-dns-support-off', what: 'enableDnsSupport is false', expect: 'vpc-dns-support-off', severity: 'error',
    mutate: (s) => { s['vpc-attribute-enable-dns-support.json'].EnableDnsSupport.Value = false; } },
  { name: 'no-ipv6-subnet', what: 'no subnet qualifies by default: the workload subnet is dual-stack with DNS64 off', expect: 'no-ipv6-subnet', severity: 'warning',
    mutate: (s) => { dualStack(s); subnet(s, IDS.v6Subnet).EnableDns64 = false; } },
];

/** Pretty JSON as the AWS CLI prints it (4-space indent), one document per file. */
export function cliJson(doc: Json): string {
  return JSON.stringify(doc, null, 4) + '\n';
}
