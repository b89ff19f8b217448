/** `nat64scope aws-check` end to end: reports, --json, exit codes, errors. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

describe('nat64scope aws-check', () => {
  it('the guide\'s setup: a report with the subnet checked and exit 0', () => {
    const r = runCli(['aws-check', 'fixtures/aws/good']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^aws-check: 14 files read: /);
    expect(r.stdout).toContain('subnet-0a1b2c3d4e5f60201  vpc-0a1b2c3d4e5f60001  us-east-2a  no IPv4 / 2600:1f14:abc:de00::/64  DNS64 on');
    expect(r.stdout).toContain('INFO nat64-path:');
    expect(r.stdout.trimEnd().split('\n').pop()).toBe('0 errors, 0 warnings, 1 info — the checked setup matches the guide');
  });

  it('a misconfiguration: what, why, the fix; exit 1', () => {
    const r = runCli(['aws-check', 'fixtures/aws/dns64-disabled']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('ERROR dns64-disabled: DNS64 is off on subnet subnet-0a1b2c3d4e5f60201 (ipv6-only-workloads)');
    expect(r.stdout).toContain('  resources: subnet-0a1b2c3d4e5f60201');
    expect(r.stdout).toContain('  fix: aws ec2 modify-subnet-attribute --subnet-id subnet-0a1b2c3d4e5f60201 --enable-dns64');
  });

  it('warnings alone exit 0', () => {
    expect(runCli(['aws-check', 'fixtures/aws/ipv6-default-route-igw']).status).toBe(0);
  });

  it('--json: SPEC §5 finding objects then one summary', () => {
    const r = runCli(['aws-check', 'fixtures/aws/prefix-route-missing', '--json']);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const summary = lines.pop();
    expect(lines.map((l) => [l.type, l.id, l.severity])).toEqual([['finding', 'prefix-route-missing', 'error']]);
    expect(Object.keys(lines[0]).slice(0, 8)).toEqual(['type', 'id', 'severity', 'flow', 'packets', 'title', 'detail', 'fix']);
    expect(summary).toMatchObject({ type: 'summary', files: 14, errors: 1, warnings: 0, info: 0, findings: 1, missing: [], incomplete: [] });
    expect(summary.subnets).toEqual([{ id: 'subnet-0a1b2c3d4e5f60201', vpc: 'vpc-0a1b2c3d4e5f60001', why: 'IPv6-only (no IPv4 CIDR)', routeTable: 'rtb-0a1b2c3d4e5f60201', routeTableExplicit: true, networkAcl: 'acl-0a1b2c3d4e5f60201' }]);
  });

  it('files instead of a directory; a missing input is said and narrows the checks', () => {
    const r = runCli(['aws-check', 'fixtures/aws/good/subnets.json', 'fixtures/aws/good/route-tables.json']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('not given: Vpcs, NatGateways, InternetGateways, EgressOnlyInternetGateways, SecurityGroups, NetworkAcls');
    expect(r.stdout).toContain('  NatGateways: save `aws ec2 describe-nat-gateways`');
    expect(r.stdout).toContain('  NAT gateway state and placement (needs NatGateways)');
    expect(r.stdout).toMatch(/nothing wrong in what was given; 6 inputs missing/);
  });

  it('--subnet and --security-group', () => {
    const r = runCli(['aws-check', 'fixtures/aws/good', '--subnet', 'subnet-0a1b2c3d4e5f60101', '--json']);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('"id":"subnet-no-ipv6"');
    const u = runCli(['aws-check', 'fixtures/aws/good', '--subnet', 'subnet-0123456789abcdef0']);
    expect(u.status).toBe(2);
    expect(u.stderr).toBe('nat64scope: --subnet subnet-0123456789abcdef0: not in the Subnets input (2 subnets read)\n');
    const g = runCli(['aws-check', 'fixtures/aws/good', '--security-group', 'subnet-0a1b2c3d4e5f60101']);
    expect(g.status).toBe(2);
    expect(g.stderr).toMatch(/^nat64scope: --security-group wants a security group id, got subnet-0a1b2c3d4e5f60101\n/);
  });

  it('malformed and unrelated JSON: one line naming the file, exit 3, nothing on stdout', () => {
    const d = mkdtempSync(join(tmpdir(), 'nat64scope-awscli-'));
    writeFileSync(join(d, 'subnets.json'), readFileSync('fixtures/aws/good/subnets.json', 'utf8').slice(0, 300));
    const r = runCli(['aws-check', d]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^nat64scope: ${join(d, 'subnets.json')}: not valid JSON \\(.*line \\d+ column \\d+\\)\\n$`));
    writeFileSync(join(d, 'subnets.json'), '{"Reservations": []}');
    const u = runCli(['aws-check', join(d, 'subnets.json')]);
    expect(u.status).toBe(3);
    expect(u.stderr).toMatch(/^nat64scope: .*subnets\.json: not output aws-check reads \(top-level keys Reservations\); expected one of Vpcs, Subnets, .*\nhint: save each command's JSON output to its own file/);
    const m = runCli(['aws-check', join(d, 'missing.json')]);
    expect(m.status).toBe(3);
    expect(m.stderr).toMatch(/^nat64scope: cannot read .*missing\.json: ENOENT\n$/);
  });

  it('no input given is a usage error', () => {
    const r = runCli(['aws-check']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^nat64scope: not enough non-option arguments/);
  });
});

describe('nat64scope analyze --aws-config', () => {
  it('a capture\'s unanswered SYNs get the route table that explains them, and its AWS CLI fix', () => {
    const r = runCli(['analyze', 'fixtures/pcaps/diag/prefix-not-routed-fail.pcap', '--aws-config', 'fixtures/aws/prefix-route-missing', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const f = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.type === 'finding' && x.id === 'prefix-not-routed');
    expect(f.detail).toMatch(/— route table rtb-0a1b2c3d4e5f60201 \(ipv6-only\) has no 64:ff9b::\/96 route \(aws-check prefix-route-missing\)$/);
    expect(f.awsFix).toBe('aws ec2 create-route --route-table-id rtb-0a1b2c3d4e5f60201 --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id nat-0a1b2c3d4e5f60301');
    expect(f.resources).toContain('rtb-0a1b2c3d4e5f60201');
  });
  it('AAAA without synthesis -> DNS64 off on the subnet; a correct setup explains nothing', () => {
    const r = runCli(['analyze', 'fixtures/pcaps/diag/dns64-missing-fail.pcap', '--aws-config', 'fixtures/aws/dns64-disabled', '--json']);
    const f = r.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.type === 'finding' && x.id === 'dns64-missing');
    expect(f.detail).toContain('DNS64 is off on subnet subnet-0a1b2c3d4e5f60201 (ipv6-only-workloads) (aws-check dns64-disabled)');
    const g = runCli(['analyze', 'fixtures/pcaps/diag/prefix-not-routed-fail.pcap', '--aws-config', 'fixtures/aws/good', '--json']);
    const h = g.stdout.trim().split('\n').map((l) => JSON.parse(l)).find((x) => x.type === 'finding' && x.id === 'prefix-not-routed');
    expect(h.detail).not.toContain('aws-check');
  });
  it('bad AWS JSON stops analyze with exit 3 before reading the capture', () => {
    const d = mkdtempSync(join(tmpdir(), 'nat64scope-awsan-'));
    writeFileSync(join(d, 'x.json'), '{"Subnets": [');
    const r = runCli(['analyze', 'fixtures/pcaps/diag/prefix-not-routed-fail.pcap', '--aws-config', d]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nat64scope: .*x\.json: not valid JSON/);
  });
});

describe('nat64scope view --aws-config', () => {
  it('the report view prints off a terminal links the finding to the route table, as analyze does', () => {
    const r = runCli(['view', 'fixtures/pcaps/diag/prefix-not-routed-fail.pcap', '--aws-config', 'fixtures/aws/prefix-route-missing']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/view needs a terminal/);
    const text = r.stdout.replace(/\s+/g, ' '); // the report wraps at 100 columns
    expect(text).toContain('— route table rtb-0a1b2c3d4e5f60201 (ipv6-only) has no 64:ff9b::/96 route (aws-check prefix-route-missing)');
    expect(text).toContain('aws: aws ec2 create-route --route-table-id rtb-0a1b2c3d4e5f60201 --destination-ipv6-cidr-block 64:ff9b::/96 --nat-gateway-id nat-0a1b2c3d4e5f60301');
  });
  it('bad AWS JSON is exit 3 before anything else', () => {
    const d = mkdtempSync(join(tmpdir(), 'nat64scope-awsview-'));
    writeFileSync(join(d, 'x.json'), '{"Subnets": [');
    const r = runCli(['view', 'fixtures/pcaps/diag/prefix-not-routed-fail.pcap', '--aws-config', d]);
    expect(r.status).toBe(3);
    expect(r.stdout).toBe('');
  });
});
