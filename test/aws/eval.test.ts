/** CIDR containment and network ACL evaluation (first match by RuleNumber, stateless). */
import { describe, it, expect } from 'vitest';
import { cidrContains, cidrOverlaps, NAT64_PREFIX, parseCidr } from '../../src/aws/cidr.js';
import { evaluateNacl, freeRuleNumber } from '../../src/aws/nacl-eval.js';
import type { NetworkAcl } from '../../src/aws/types.js';

const c = (t: string) => {
  const x = parseCidr(t);
  if (!x) throw new Error(t);
  return x;
};

describe('cidr', () => {
  it('parses both families and rejects junk', () => {
    expect(c('64:ff9b::/96')).toMatchObject({ family: 6, len: 96 });
    expect(c('10.0.0.0/16')).toMatchObject({ family: 4, len: 16 });
    expect(c('10.20.0.2')).toMatchObject({ family: 4, len: 32 });
    for (const bad of ['10.0.0.0/33', '::/129', 'x/8', '10.0.0/8', '', '64:ff9b::/9a']) expect(parseCidr(bad), bad).toBeNull();
  });
  it('containment', () => {
    expect(cidrContains(c('::/0'), NAT64_PREFIX)).toBe(true);
    expect(cidrContains(c('64:ff9b::/64'), NAT64_PREFIX)).toBe(true);
    expect(cidrContains(c('64:ff9b::/96'), c('64:ff9b::c633:6400/120'))).toBe(true);
    expect(cidrContains(c('64:ff9b::c633:6400/120'), NAT64_PREFIX)).toBe(false);
    expect(cidrContains(c('64:ff9b:1::/48'), NAT64_PREFIX)).toBe(false);
    expect(cidrContains(c('0.0.0.0/0'), NAT64_PREFIX)).toBe(false);
    expect(cidrOverlaps(c('64:ff9b::c633:6400/120'), NAT64_PREFIX)).toBe(true);
    expect(cidrContains(c('10.0.0.0/8'), c('10.20.0.2'))).toBe(true);
  });
});

const acl = (entries: NetworkAcl['Entries']): NetworkAcl => ({ NetworkAclId: 'acl-1', Entries: entries });

describe('evaluateNacl', () => {
  it('first match in RuleNumber order decides, whatever the order of Entries', () => {
    const a = acl([
      { RuleNumber: 100, Egress: false, Protocol: '6', RuleAction: 'allow', Ipv6CidrBlock: '::/0', PortRange: { From: 1024, To: 65535 } },
      { RuleNumber: 95, Egress: false, Protocol: '6', RuleAction: 'deny', Ipv6CidrBlock: '::/0', PortRange: { From: 0, To: 65535 } },
      { RuleNumber: 32768, Egress: false, Protocol: '-1', RuleAction: 'deny', Ipv6CidrBlock: '::/0' },
    ]);
    const v = evaluateNacl(a, { egress: false, remote: NAT64_PREFIX, protocol: 6, ports: [1024, 65535] });
    expect(v.allowed).toEqual([]);
    expect(v.denied).toEqual([{ rule: 95, range: [1024, 65535] }]);
  });
  it('splits a port range at rule boundaries', () => {
    const a = acl([
      { RuleNumber: 100, Egress: false, Protocol: '6', RuleAction: 'allow', Ipv6CidrBlock: '::/0', PortRange: { From: 49152, To: 65535 } },
      { RuleNumber: 32768, Egress: false, Protocol: '-1', RuleAction: 'deny', Ipv6CidrBlock: '::/0' },
    ]);
    const v = evaluateNacl(a, { egress: false, remote: NAT64_PREFIX, protocol: 6, ports: [1024, 65535] });
    expect(v.allowed).toEqual([[49152, 65535]]);
    expect(v.denied).toEqual([{ rule: 32768, range: [1024, 49151] }]);
  });
  it('IPv4 entries never match IPv6 traffic; nothing matching is a deny with no rule', () => {
    const a = acl([{ RuleNumber: 100, Egress: true, Protocol: '-1', RuleAction: 'allow', CidrBlock: '0.0.0.0/0' }]);
    const v = evaluateNacl(a, { egress: true, remote: NAT64_PREFIX, protocol: 6, ports: [443, 443] });
    expect(v.denied).toEqual([{ rule: null, range: [443, 443] }]);
  });
  it('a rule for part of the prefix does not cover all of it; ICMP types match', () => {
    const a = acl([
      { RuleNumber: 10, Egress: false, Protocol: '58', RuleAction: 'allow', Ipv6CidrBlock: '64:ff9b::/120', IcmpTypeCode: { Type: 2, Code: -1 } },
      { RuleNumber: 20, Egress: false, Protocol: '58', RuleAction: 'allow', Ipv6CidrBlock: '::/0', IcmpTypeCode: { Type: 1, Code: -1 } },
    ]);
    expect(evaluateNacl(a, { egress: false, remote: NAT64_PREFIX, protocol: 58, icmpType: 2 }).allowed).toEqual([]);
    expect(evaluateNacl(a, { egress: false, remote: NAT64_PREFIX, protocol: 58, icmpType: 1 }).allowed).toEqual([[0, 0]]);
  });
  it('free rule numbers come before the blocking rule', () => {
    const a = acl([{ RuleNumber: 100, Egress: true }, { RuleNumber: 90, Egress: true }, { RuleNumber: 90, Egress: false }]);
    expect(freeRuleNumber(a, true, 100)).toBe(80); // nothing round between 90 and 100
    expect(freeRuleNumber(a, false, 100)).toBe(80);
    expect(freeRuleNumber(a, false, 32768)).toBe(100); // right after the last entry
    expect(freeRuleNumber(a, true, 5)).toBe(4);
    expect(freeRuleNumber(a, true, null)).toBe(110);
    expect(freeRuleNumber(a, true, null, new Set([110]))).toBe(120); // numbers already proposed count as taken
  });
});
