/**
 * Every fixture directory of fixtures/aws/: the good setup gives no error or warning; each
 * misconfiguration gives its finding, with the expected severity, and no other error or warning.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadAwsInputs } from '../../src/aws/load.js';
import { runAwsChecks } from '../../src/aws/run.js';
import { AWS_CHECKS } from '../../src/aws/checks/index.js';

interface Case { dir: string; expect: string; severity: string; args: string[] }
const manifest = JSON.parse(readFileSync('fixtures/aws/manifest.json', 'utf8')) as { cases: Case[] };

function run(dir: string, args: string[] = []) {
  const subnets: string[] = [];
  const sgs: string[] = [];
  for (let i = 0; i < args.length; i += 2) (args[i] === '--subnet' ? subnets : sgs).push(args[i + 1]);
  return runAwsChecks(loadAwsInputs([join('fixtures/aws', dir)]), { subnets, securityGroups: sgs });
}

const baselineInfo = run('good').findings.filter((f) => f.severity === 'info').map((f) => f.id);

describe('aws-check on the guide\'s setup', () => {
  it('finds nothing wrong, checks everything, and says which NAT gateway serves the subnet', () => {
    const r = run('good');
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(baselineInfo).toEqual(['nat64-path']);
    expect(r.targets.map((t) => [t.subnet.SubnetId, t.routeTable?.RouteTableId, t.nacl?.NetworkAclId])).toEqual([
      ['subnet-0a1b2c3d4e5f60201', 'rtb-0a1b2c3d4e5f60201', 'acl-0a1b2c3d4e5f60201']]);
    expect(r.missing).toEqual([]);
    expect(r.missingOptional).toEqual([]);
    expect(r.skipped).toEqual([]);
  });
  it('saved in pages, gives the same findings', () => {
    expect(run('paginated').findings).toEqual(run('good').findings);
  });
  it('with three outputs only, runs what it can and names what is missing', () => {
    const r = run('partial');
    expect(r.missing).toEqual(['Vpcs', 'InternetGateways', 'EgressOnlyInternetGateways', 'SecurityGroups', 'NetworkAcls']);
    expect(r.skipped.map((s) => s.check)).toContain('network ACL of the IPv6-only subnet');
    expect(r.findings.filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('each misconfiguration gives its finding and only it', () => {
  for (const c of manifest.cases) {
    it(`${c.dir} -> ${c.expect} (${c.severity})`, () => {
      const r = run(c.dir, c.args);
      const problems = r.findings.filter((f) => f.severity !== 'info');
      if (c.severity === 'info') {
        expect(problems).toEqual([]);
        expect(r.findings.filter((f) => f.severity === 'info').map((f) => f.id).sort()).toEqual([...baselineInfo, c.expect].sort());
      } else {
        expect(problems.map((f) => `${f.id}:${f.severity}`)).toEqual([`${c.expect}:${c.severity}`]);
      }
      const f = r.findings.find((x) => x.id === c.expect)!;
      expect(f.flow).toBeNull();
      expect(f.packets).toEqual([]);
      expect(f.resources!.length).toBeGreaterThan(0);
      for (const line of f.fix.split('\n')) expect(line).toMatch(/^aws (ec2|route53resolver) [a-z0-9-]+ --/);
      expect(f.awsFix).toBe(f.fix);
    });
  }

  it('every finding id a check declares is exercised by some case', () => {
    const covered = new Set([...manifest.cases.map((c) => c.expect), ...baselineInfo]);
    const declared = AWS_CHECKS.flatMap((c) => c.ids);
    const untested = declared.filter((id) => !covered.has(id));
    expect(untested).toEqual([]);
  });
});

describe('details of the findings', () => {
  it('prefix-route-missing names the table, the route the traffic takes and a NAT gateway for the fix', () => {
    const f = run('prefix-route-missing').findings.find((x) => x.id === 'prefix-route-missing')!;
    expect(f.title).toBe('route table rtb-0a1b2c3d4e5f60201 (ipv6-only) has no 64:ff9b::/96 route');
    expect(f.detail).toContain('that traffic follows ::/0 to egress-only internet gateway eigw-0a1b2c3d4e5f60501');
    expect(f.fix).toBe('aws ec2 create-route --route-table-id rtb-0a1b2c3d4e5f60201 --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id nat-0a1b2c3d4e5f60301');
  });
  it('NACL findings give the blocking rule number and a free number before it', () => {
    const f = run('nacl-deny-before-allow').findings.find((x) => x.id === 'nacl-ingress-blocks-return')!;
    expect(f.title).toContain('rule 95: 1024-65535');
    expect(f.fix).toBe('aws ec2 create-network-acl-entry --network-acl-id acl-0a1b2c3d4e5f60201 --ingress --rule-number 80 --protocol 6 --port-range From=1024,To=65535 --ipv6-cidr-block 64:ff9b::/96 --rule-action allow');
    const w = run('nacl-ingress-windows-ephemeral').findings.find((x) => x.id === 'nacl-ingress-blocks-return')!;
    expect(w.detail).toContain('only 49152-65535 are allowed');
  });
  it('the security group finding explains that an IPv4 range does not cover NAT64', () => {
    const f = run('sg-egress-blocks-prefix').findings.find((x) => x.id === 'sg-egress-blocks-prefix')!;
    expect(f.resources).toEqual(['sg-0a1b2c3d4e5f60701', 'subnet-0a1b2c3d4e5f60201']);
    expect(f.detail).toContain('i-0a1b2c3d4e5f60801');
    expect(f.detail).toContain('IPv4 rules do not apply');
  });
  it('egress to part of 64:ff9b::/96 only is a warning naming the part', () => {
    const inv = loadAwsInputs(['fixtures/aws/sg-egress-blocks-prefix']);
    inv.securityGroups.find((g) => g.GroupId === 'sg-0a1b2c3d4e5f60701')!.IpPermissionsEgress!.push(
      { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, Ipv6Ranges: [{ CidrIpv6: '64:ff9b::c633:6407/128' }], IpRanges: [], PrefixListIds: [{ PrefixListId: 'pl-0a1b2c3d' }], UserIdGroupPairs: [] });
    const f = runAwsChecks(inv).findings.find((x) => x.id === 'sg-egress-blocks-prefix')!;
    expect(f.severity).toBe('warning');
    expect(f.title).toContain('part of 64:ff9b::/96 only (64:ff9b::c633:6407/128)');
    expect(f.detail).toContain('prefix lists pl-0a1b2c3d were not resolved');
  });
  it('--security-group checks the named groups when there is no describe-network-interfaces', () => {
    const inv = loadAwsInputs(['fixtures/aws/sg-egress-blocks-prefix']);
    inv.networkInterfaces = [];
    inv.present.delete('NetworkInterfaces');
    expect(runAwsChecks(inv).skipped.map((s) => s.check)[0]).toMatch(/^security group egress/);
    expect(runAwsChecks(inv, { securityGroups: ['sg-0a1b2c3d4e5f60001'] }).findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(runAwsChecks(inv, { securityGroups: ['sg-0a1b2c3d4e5f60701'] }).findings.map((f) => f.id)).toContain('sg-egress-blocks-prefix');
  });
  it('--subnet picks a subnet the default rule skips, and reports unknown ids', () => {
    const r = run('good', ['--subnet', 'subnet-0a1b2c3d4e5f60101']);
    expect(r.targets.map((t) => t.why)).toEqual(['--subnet']);
    expect(r.findings.map((f) => f.id)).toEqual(expect.arrayContaining(['subnet-no-ipv6', 'dns64-disabled', 'prefix-route-missing']));
    expect(run('good', ['--subnet', 'subnet-0000000000000000f']).unknownSubnets).toEqual(['subnet-0000000000000000f']);
  });
  it('a subnet without explicit association uses the main table', () => {
    const inv = loadAwsInputs(['fixtures/aws/good']);
    for (const t of inv.routeTables) t.Associations = (t.Associations ?? []).filter((a) => a.SubnetId !== 'subnet-0a1b2c3d4e5f60201');
    const r = runAwsChecks(inv);
    expect(r.targets[0].routeTable?.RouteTableId).toBe('rtb-0a1b2c3d4e5f60001');
    expect(r.targets[0].routeTableExplicit).toBe(false);
    const f = r.findings.find((x) => x.id === 'prefix-route-missing')!;
    expect(f.title).toContain('the VPC\'s main table, no explicit association');
  });
});
