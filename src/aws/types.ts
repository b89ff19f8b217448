/**
 * The parts of the AWS CLI's JSON output that aws-check reads, with AWS's own field names and
 * nesting (EC2 API reference, Route 53 Resolver API reference; the CLI prints the PascalCase
 * member names of the service model). Every member is optional because AWS omits empty ones.
 */

export interface Tag { Key?: string; Value?: string }

export interface CidrBlockState { State?: string; StatusMessage?: string }

export interface Vpc {
  VpcId: string;
  CidrBlock?: string;
  DhcpOptionsId?: string;
  State?: string;
  CidrBlockAssociationSet?: { AssociationId?: string; CidrBlock?: string; CidrBlockState?: CidrBlockState }[];
  Ipv6CidrBlockAssociationSet?: { AssociationId?: string; Ipv6CidrBlock?: string; Ipv6CidrBlockState?: CidrBlockState; NetworkBorderGroup?: string; Ipv6Pool?: string }[];
  IsDefault?: boolean;
  Tags?: Tag[];
}

export interface Subnet {
  SubnetId: string;
  VpcId?: string;
  AvailabilityZone?: string;
  AvailabilityZoneId?: string;
  CidrBlock?: string;
  State?: string;
  AssignIpv6AddressOnCreation?: boolean;
  Ipv6CidrBlockAssociationSet?: { AssociationId?: string; Ipv6CidrBlock?: string; Ipv6CidrBlockState?: CidrBlockState }[];
  EnableDns64?: boolean;
  Ipv6Native?: boolean;
  Tags?: Tag[];
}

export interface Route {
  DestinationCidrBlock?: string;
  DestinationIpv6CidrBlock?: string;
  DestinationPrefixListId?: string;
  EgressOnlyInternetGatewayId?: string;
  GatewayId?: string;
  InstanceId?: string;
  NatGatewayId?: string;
  TransitGatewayId?: string;
  LocalGatewayId?: string;
  CarrierGatewayId?: string;
  NetworkInterfaceId?: string;
  VpcPeeringConnectionId?: string;
  CoreNetworkArn?: string;
  Origin?: string;
  /** `active` or `blackhole` (the target is gone: a deleted NAT gateway, a detached gateway). */
  State?: string;
}

export interface RouteTableAssociation {
  Main?: boolean;
  RouteTableAssociationId?: string;
  RouteTableId?: string;
  /** Absent for the main table's implicit associations. */
  SubnetId?: string;
  GatewayId?: string;
  AssociationState?: { State?: string; StatusMessage?: string };
}

export interface RouteTable {
  RouteTableId: string;
  VpcId?: string;
  Associations?: RouteTableAssociation[];
  Routes?: Route[];
  PropagatingVgws?: { GatewayId?: string }[];
  Tags?: Tag[];
}

export interface NatGateway {
  NatGatewayId: string;
  SubnetId?: string;
  VpcId?: string;
  /** pending | failed | available | deleting | deleted */
  State?: string;
  /** public | private (absent in old output: public) */
  ConnectivityType?: string;
  FailureCode?: string;
  FailureMessage?: string;
  NatGatewayAddresses?: { AllocationId?: string; NetworkInterfaceId?: string; PrivateIp?: string; PublicIp?: string; IsPrimary?: boolean; Status?: string }[];
  Tags?: Tag[];
}

export interface GatewayAttachment { State?: string; VpcId?: string }

export interface InternetGateway { InternetGatewayId: string; Attachments?: GatewayAttachment[]; Tags?: Tag[] }

export interface EgressOnlyInternetGateway { EgressOnlyInternetGatewayId: string; Attachments?: GatewayAttachment[]; Tags?: Tag[] }

export interface IpPermission {
  /** `-1` (all), `tcp`, `udp`, `icmpv6`, or a protocol number as text. */
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  IpRanges?: { CidrIp?: string; Description?: string }[];
  Ipv6Ranges?: { CidrIpv6?: string; Description?: string }[];
  PrefixListIds?: { PrefixListId?: string; Description?: string }[];
  UserIdGroupPairs?: { GroupId?: string; UserId?: string }[];
}

export interface SecurityGroup {
  GroupId: string;
  GroupName?: string;
  VpcId?: string;
  IpPermissions?: IpPermission[];
  IpPermissionsEgress?: IpPermission[];
  Tags?: Tag[];
}

export interface NetworkAclEntry {
  RuleNumber?: number;
  /** Protocol number as text; `-1` is all protocols. */
  Protocol?: string;
  RuleAction?: string;
  Egress?: boolean;
  CidrBlock?: string;
  Ipv6CidrBlock?: string;
  PortRange?: { From?: number; To?: number };
  IcmpTypeCode?: { Code?: number; Type?: number };
}

export interface NetworkAcl {
  NetworkAclId: string;
  VpcId?: string;
  IsDefault?: boolean;
  Associations?: { NetworkAclAssociationId?: string; NetworkAclId?: string; SubnetId?: string }[];
  Entries?: NetworkAclEntry[];
  Tags?: Tag[];
}

export interface NetworkInterface {
  NetworkInterfaceId: string;
  SubnetId?: string;
  VpcId?: string;
  InterfaceType?: string;
  RequesterManaged?: boolean;
  Status?: string;
  Description?: string;
  Groups?: { GroupId?: string; GroupName?: string }[];
  Ipv6Addresses?: { Ipv6Address?: string }[];
  PrivateIpAddress?: string;
  Attachment?: { InstanceId?: string; Status?: string };
}

export interface DhcpOptions {
  DhcpOptionsId: string;
  DhcpConfigurations?: { Key?: string; Values?: { Value?: string }[] }[];
}

export interface ResolverEndpoint {
  Id: string;
  Name?: string;
  SecurityGroupIds?: string[];
  /** INBOUND | OUTBOUND | INBOUND_DELEGATION */
  Direction?: string;
  IpAddressCount?: number;
  HostVPCId?: string;
  /** CREATING | OPERATIONAL | UPDATING | AUTO_RECOVERING | ACTION_NEEDED | DELETING */
  Status?: string;
  StatusMessage?: string;
  /** IPV4 | IPV6 | DUALSTACK (absent in old output: IPV4) */
  ResolverEndpointType?: string;
}

export interface ResolverRule {
  Id: string;
  DomainName?: string;
  Name?: string;
  /** FORWARD | SYSTEM | RECURSIVE */
  RuleType?: string;
  Status?: string;
  TargetIps?: { Ip?: string; Ipv6?: string; Port?: number; Protocol?: string }[];
  ResolverEndpointId?: string;
  OwnerId?: string;
}

export interface ResolverRuleAssociation {
  Id: string;
  ResolverRuleId?: string;
  Name?: string;
  VPCId?: string;
  /** CREATING | COMPLETE | DELETING | FAILED | OVERRIDDEN */
  Status?: string;
  StatusMessage?: string;
}

/** `aws ec2 describe-vpc-attribute --attribute enableDnsSupport` */
export interface VpcDnsAttribute { VpcId: string; EnableDnsSupport?: { Value?: boolean }; EnableDnsHostnames?: { Value?: boolean } }
