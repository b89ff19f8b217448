/** Every aws-check rule, in report order. */
import type { AwsCheck } from '../check.js';
import { vpcIpv6 } from './vpc-ipv6.js';
import { subnetIpv6 } from './subnet-ipv6.js';
import { instanceIpv6 } from './instance-ipv6.js';
import { dns64 } from './dns64.js';
import { vpcDnsSupport } from './vpc-dns-support.js';
import { dhcpOptions } from './dhcp-options.js';
import { prefixRoute } from './prefix-route.js';
import { ipv6DefaultRoute } from './ipv6-default-route.js';
import { ipv4DefaultRoute } from './ipv4-default-route.js';
import { routeBlackhole } from './route-blackhole.js';
import { natGateway } from './nat-gateway.js';
import { publicNatEgress } from './public-nat-egress.js';
import { privateNat } from './private-nat.js';
import { securityGroups } from './security-groups.js';
import { naclWorkload } from './nacl-workload.js';
import { naclIcmpv6 } from './nacl-icmpv6.js';
import { naclNatSubnet } from './nacl-nat-subnet.js';
import { resolverRuleEndpoint } from './resolver-rule-endpoint.js';
import { resolverEndpoint } from './resolver-endpoint.js';
import { resolverAssociation } from './resolver-association.js';
import { onpremRoute } from './onprem-route.js';

export const AWS_CHECKS: readonly AwsCheck[] = [
  vpcIpv6, subnetIpv6, instanceIpv6, dns64, vpcDnsSupport, dhcpOptions,
  prefixRoute, ipv6DefaultRoute, ipv4DefaultRoute, routeBlackhole,
  natGateway, publicNatEgress, privateNat,
  securityGroups, naclWorkload, naclIcmpv6, naclNatSubnet,
  resolverRuleEndpoint, resolverEndpoint, resolverAssociation, onpremRoute,
];
