/**
 * fixtures/aws/ is exactly what scripts/build-aws-fixtures.ts builds, every directory is described
 * in its README, and every member name in the fixtures is one the AWS CLI prints (the EC2 and
 * Route 53 Resolver API references' output shapes) — a typo would make a check read nothing.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

function walk(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

describe('fixtures/aws', () => {
  it('rebuilding gives byte-identical files', () => {
    const out = mkdtempSync(join(tmpdir(), 'nat64scope-awsfix-'));
    const r = spawnSync(process.execPath, ['dist/scripts/build-aws-fixtures.js', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const built = walk(out).map((p) => relative(out, p));
    const committed = walk('fixtures/aws').map((p) => relative('fixtures/aws', p)).filter((p) => p !== 'README.md');
    expect(built).toEqual(committed);
    for (const f of built) expect(readFileSync(join(out, f)).equals(readFileSync(join('fixtures/aws', f))), f).toBe(true);
  });

  it('every directory is described in fixtures/aws/README.md', () => {
    const readme = readFileSync('fixtures/aws/README.md', 'utf8');
    for (const d of readdirSync('fixtures/aws').filter((x) => statSync(join('fixtures/aws', x)).isDirectory())) expect(readme, d).toContain(`\`${d}/\``);
  });

  // Members of the output shapes (AWS CLI v2 names), per object path.
  const TAG = ['Key', 'Value'];
  const STATE = ['State', 'StatusMessage'];
  const SHAPES: Record<string, string[]> = {
    'Vpcs': ['CidrBlock', 'DhcpOptionsId', 'State', 'VpcId', 'OwnerId', 'InstanceTenancy', 'Ipv6CidrBlockAssociationSet', 'CidrBlockAssociationSet', 'IsDefault', 'Tags', 'BlockPublicAccessStates', 'EncryptionControl'],
    'Vpcs.Ipv6CidrBlockAssociationSet': ['AssociationId', 'Ipv6CidrBlock', 'Ipv6CidrBlockState', 'NetworkBorderGroup', 'Ipv6Pool', 'Ipv6AddressAttribute', 'IpSource'],
    'Vpcs.Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState': STATE,
    'Vpcs.CidrBlockAssociationSet': ['AssociationId', 'CidrBlock', 'CidrBlockState'],
    'Vpcs.CidrBlockAssociationSet.CidrBlockState': STATE,
    'Subnets': ['AvailabilityZone', 'AvailabilityZoneId', 'AvailableIpAddressCount', 'CidrBlock', 'DefaultForAz', 'EnableLniAtDeviceIndex', 'MapPublicIpOnLaunch', 'MapCustomerOwnedIpOnLaunch', 'CustomerOwnedIpv4Pool', 'State', 'SubnetId', 'VpcId', 'OwnerId', 'AssignIpv6AddressOnCreation', 'Ipv6CidrBlockAssociationSet', 'Tags', 'SubnetArn', 'OutpostArn', 'EnableDns64', 'Ipv6Native', 'PrivateDnsNameOptionsOnLaunch', 'BlockPublicAccessStates', 'Type'],
    'Subnets.Ipv6CidrBlockAssociationSet': ['AssociationId', 'Ipv6CidrBlock', 'Ipv6CidrBlockState', 'Ipv6AddressAttribute', 'IpSource'],
    'Subnets.Ipv6CidrBlockAssociationSet.Ipv6CidrBlockState': STATE,
    'Subnets.PrivateDnsNameOptionsOnLaunch': ['HostnameType', 'EnableResourceNameDnsARecord', 'EnableResourceNameDnsAAAARecord'],
    'RouteTables': ['Associations', 'PropagatingVgws', 'RouteTableId', 'Routes', 'Tags', 'VpcId', 'OwnerId'],
    'RouteTables.Associations': ['Main', 'RouteTableAssociationId', 'RouteTableId', 'SubnetId', 'GatewayId', 'AssociationState'],
    'RouteTables.Associations.AssociationState': STATE,
    'RouteTables.Routes': ['DestinationCidrBlock', 'DestinationIpv6CidrBlock', 'DestinationPrefixListId', 'EgressOnlyInternetGatewayId', 'GatewayId', 'InstanceId', 'InstanceOwnerId', 'NatGatewayId', 'TransitGatewayId', 'LocalGatewayId', 'CarrierGatewayId', 'NetworkInterfaceId', 'Origin', 'State', 'VpcPeeringConnectionId', 'CoreNetworkArn'],
    'NatGateways': ['CreateTime', 'DeleteTime', 'FailureCode', 'FailureMessage', 'NatGatewayAddresses', 'NatGatewayId', 'ProvisionedBandwidth', 'State', 'SubnetId', 'VpcId', 'Tags', 'ConnectivityType'],
    'NatGateways.NatGatewayAddresses': ['AllocationId', 'NetworkInterfaceId', 'PrivateIp', 'PublicIp', 'AssociationId', 'IsPrimary', 'FailureMessage', 'Status'],
    'InternetGateways': ['Attachments', 'InternetGatewayId', 'OwnerId', 'Tags'],
    'InternetGateways.Attachments': ['State', 'VpcId'],
    'EgressOnlyInternetGateways': ['Attachments', 'EgressOnlyInternetGatewayId', 'Tags'],
    'EgressOnlyInternetGateways.Attachments': ['State', 'VpcId'],
    'SecurityGroups': ['Description', 'GroupName', 'IpPermissions', 'OwnerId', 'GroupId', 'IpPermissionsEgress', 'Tags', 'VpcId', 'SecurityGroupArn'],
    'SecurityGroups.IpPermissions': ['FromPort', 'IpProtocol', 'IpRanges', 'Ipv6Ranges', 'PrefixListIds', 'ToPort', 'UserIdGroupPairs'],
    'SecurityGroups.IpPermissionsEgress': ['FromPort', 'IpProtocol', 'IpRanges', 'Ipv6Ranges', 'PrefixListIds', 'ToPort', 'UserIdGroupPairs'],
    'SecurityGroups.IpPermissions.IpRanges': ['CidrIp', 'Description'],
    'SecurityGroups.IpPermissions.Ipv6Ranges': ['CidrIpv6', 'Description'],
    'SecurityGroups.IpPermissions.UserIdGroupPairs': ['Description', 'UserId', 'GroupName', 'GroupId', 'VpcId', 'VpcPeeringConnectionId', 'PeeringStatus'],
    'SecurityGroups.IpPermissionsEgress.IpRanges': ['CidrIp', 'Description'],
    'SecurityGroups.IpPermissionsEgress.Ipv6Ranges': ['CidrIpv6', 'Description'],
    'NetworkAcls': ['Associations', 'Entries', 'IsDefault', 'NetworkAclId', 'Tags', 'VpcId', 'OwnerId'],
    'NetworkAcls.Associations': ['NetworkAclAssociationId', 'NetworkAclId', 'SubnetId'],
    'NetworkAcls.Entries': ['CidrBlock', 'Egress', 'IcmpTypeCode', 'Ipv6CidrBlock', 'PortRange', 'Protocol', 'RuleAction', 'RuleNumber'],
    'NetworkAcls.Entries.IcmpTypeCode': ['Code', 'Type'],
    'NetworkAcls.Entries.PortRange': ['From', 'To'],
    'NetworkInterfaces': ['Association', 'Attachment', 'AvailabilityZone', 'ConnectionTrackingConfiguration', 'Description', 'Groups', 'InterfaceType', 'Ipv6Addresses', 'MacAddress', 'NetworkInterfaceId', 'OutpostArn', 'OwnerId', 'PrivateDnsName', 'PublicDnsName', 'PublicIpDnsNameOptions', 'PrivateIpAddress', 'PrivateIpAddresses', 'Ipv4Prefixes', 'Ipv6Prefixes', 'RequesterId', 'RequesterManaged', 'SourceDestCheck', 'Status', 'SubnetId', 'TagSet', 'VpcId', 'DenyAllIgwTraffic', 'Ipv6Native', 'Ipv6Address', 'Operator'],
    'NetworkInterfaces.Attachment': ['AttachTime', 'AttachmentId', 'DeleteOnTermination', 'DeviceIndex', 'NetworkCardIndex', 'InstanceId', 'InstanceOwnerId', 'Status', 'EnaSrdSpecification', 'EnaQueueCount'],
    'NetworkInterfaces.Groups': ['GroupName', 'GroupId'],
    'NetworkInterfaces.Ipv6Addresses': ['Ipv6Address', 'IsPrimaryIpv6', 'PublicIpv6DnsName'],
    'NetworkInterfaces.PrivateIpAddresses': ['Association', 'Primary', 'PrivateDnsName', 'PrivateIpAddress'],
    'DhcpOptions': ['OwnerId', 'Tags', 'DhcpOptionsId', 'DhcpConfigurations'],
    'DhcpOptions.DhcpConfigurations': ['Key', 'Values'],
    'DhcpOptions.DhcpConfigurations.Values': ['Value'],
    'ResolverEndpoints': ['Id', 'CreatorRequestId', 'Arn', 'Name', 'SecurityGroupIds', 'Direction', 'IpAddressCount', 'HostVPCId', 'Status', 'StatusMessage', 'CreationTime', 'ModificationTime', 'OutpostArn', 'PreferredInstanceType', 'ResolverEndpointType', 'Protocols', 'RniEnhancedMetricsEnabled', 'TargetNameServerMetricsEnabled'],
    'ResolverRules': ['Id', 'CreatorRequestId', 'Arn', 'DomainName', 'Status', 'StatusMessage', 'RuleType', 'Name', 'TargetIps', 'ResolverEndpointId', 'OwnerId', 'ShareStatus', 'CreationTime', 'ModificationTime', 'DelegationRecord'],
    'ResolverRules.TargetIps': ['Ip', 'Port', 'Ipv6', 'Protocol', 'ServerNameIndication'],
    'ResolverRuleAssociations': ['Id', 'ResolverRuleId', 'Name', 'VPCId', 'Status', 'StatusMessage'],
  };
  const TOP = new Set(['NextToken', 'MaxResults']);

  it('every member name is one the AWS CLI prints', () => {
    const bad: string[] = [];
    const check = (path: string, v: unknown, file: string): void => {
      if (Array.isArray(v)) { for (const x of v) check(path, x, file); return; }
      if (v === null || typeof v !== 'object') return;
      const last = path.split('.').pop();
      const allowed = last === 'Tags' || last === 'TagSet' ? TAG : SHAPES[path];
      if (!allowed) { bad.push(`${file}: no shape for ${path}`); return; }
      for (const [k, x] of Object.entries(v)) {
        if (!allowed.includes(k)) bad.push(`${file}: ${path}.${k}`);
        else check(`${path}.${k}`, x, file);
      }
    };
    for (const f of walk('fixtures/aws').filter((p) => p.endsWith('.json') && !p.endsWith('manifest.json'))) {
      const text = readFileSync(f, 'utf8');
      const docs = text.split(/\n(?=\{)/).map((d) => JSON.parse(d) as Record<string, unknown>);
      for (const doc of docs) {
        if ('EnableDnsSupport' in doc) { expect(Object.keys(doc).sort()).toEqual(['EnableDnsSupport', 'VpcId']); continue; }
        for (const [k, v] of Object.entries(doc)) if (!TOP.has(k)) check(k, v, f);
      }
    }
    expect(bad).toEqual([]);
  });
});
