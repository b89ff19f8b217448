/** Loading the AWS CLI's JSON: recognised by content, pages merged, bad input named with exit 3. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsInputError, loadAwsInputs, parseJsonDocuments } from '../../src/aws/load.js';

const GOOD = 'fixtures/aws/good';

function tmp(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), 'nat64scope-aws-'));
  for (const [n, c] of Object.entries(files)) writeFileSync(join(d, n), c);
  return d;
}

function error(paths: string[]): AwsInputError {
  try {
    loadAwsInputs(paths);
  } catch (e) {
    expect(e).toBeInstanceOf(AwsInputError);
    return e as AwsInputError;
  }
  throw new Error('no error');
}

describe('loadAwsInputs', () => {
  it('reads every kind of the good setup by content', () => {
    const inv = loadAwsInputs([GOOD]);
    expect([...inv.present].sort()).toEqual(['DhcpOptions', 'EgressOnlyInternetGateways', 'InternetGateways', 'NatGateways', 'NetworkAcls',
      'NetworkInterfaces', 'ResolverEndpoints', 'ResolverRuleAssociations', 'ResolverRules', 'RouteTables', 'SecurityGroups', 'Subnets',
      'VpcDnsAttributes', 'Vpcs']);
    expect(inv.subnets.map((s) => s.SubnetId)).toEqual(['subnet-0a1b2c3d4e5f60101', 'subnet-0a1b2c3d4e5f60201']);
    expect(inv.routeTables).toHaveLength(3);
    expect(inv.vpcDnsAttributes).toEqual([{ VpcId: 'vpc-0a1b2c3d4e5f60001', EnableDnsSupport: { Value: true } }]);
    expect(inv.incomplete).toEqual([]);
  });

  it('ignores file names: a subnets document saved as x.json is still Subnets', () => {
    const d = tmp({ 'x.json': readFileSync(join(GOOD, 'subnets.json'), 'utf8'), 'notes.txt': 'not read' });
    const inv = loadAwsInputs([d]);
    expect([...inv.present]).toEqual(['Subnets']);
    expect(inv.subnets).toHaveLength(2);
  });

  it('merges pages: files with NextToken and documents appended to one file', () => {
    const inv = loadAwsInputs(['fixtures/aws/paginated']);
    const good = loadAwsInputs([GOOD]);
    expect(inv.subnets).toEqual(good.subnets);
    expect(inv.routeTables).toEqual(good.routeTables);
    expect(inv.files.filter((f) => f.kind === 'RouteTables')).toHaveLength(2);
    expect(inv.incomplete).toEqual([]);
  });

  it('says when the last page is missing', () => {
    const inv = loadAwsInputs(['fixtures/aws/paginated/subnets-page-1.json']);
    expect(inv.incomplete).toEqual(['Subnets']);
  });

  it('the same resource on two pages is kept once', () => {
    const s = readFileSync(join(GOOD, 'subnets.json'), 'utf8');
    const inv = loadAwsInputs([tmp({ 'a.json': s, 'b.json': s })]);
    expect(inv.subnets).toHaveLength(2);
  });

  it('malformed JSON: the file, line and column', () => {
    const d = tmp({ 'subnets.json': '{\n    "Subnets": [\n        {"SubnetId": "subnet-1",}\n    ]\n}\n' });
    const e = error([d]);
    expect(e.exitCode).toBe(3);
    expect(e.message).toMatch(new RegExp(`^${join(d, 'subnets.json').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not valid JSON \\(.*line 3 column \\d+\\)$`));
  });

  it('truncated JSON names the file', () => {
    const e = error([tmp({ 'rt.json': '{"RouteTables": [{"RouteTableId": "rtb-1"' })]);
    expect(e.message).toMatch(/rt\.json: not valid JSON/);
  });

  it('unrelated JSON: says what was expected', () => {
    const e = error([tmp({ 'package.json': '{"name": "x", "version": "1.0.0"}' })]);
    expect(e.message).toMatch(/package\.json: not output aws-check reads \(top-level keys name, version\); expected one of Vpcs, Subnets/);
  });

  it('a --query array is refused with a hint', () => {
    const e = error([tmp({ 's.json': '[{"SubnetId": "subnet-1"}]' })]);
    expect(e.message).toMatch(/s\.json: a JSON array/);
    expect(e.hint).toMatch(/without --query/);
  });

  it('items without their id, nested lists that are not lists', () => {
    expect(error([tmp({ 's.json': '{"Subnets": [{"VpcId": "vpc-1"}]}' })]).message).toMatch(/s\.json: Subnets\[0\] has no SubnetId/);
    expect(error([tmp({ 'r.json': '{"RouteTables": [{"RouteTableId": "rtb-1", "Routes": {}}]}' })]).message).toMatch(/r\.json: RouteTables\[0\]\.Routes is not a list/);
    expect(error([tmp({ 'n.json': '{"NetworkAcls": [{"NetworkAclId": "acl-1", "Entries": [1]}]}' })]).message).toMatch(/Entries\[0\] is not an object/);
  });

  it('empty files, empty directories, missing paths', () => {
    expect(error([tmp({ 'e.json': '  \n' })]).message).toMatch(/e\.json: empty file/);
    const d = mkdtempSync(join(tmpdir(), 'nat64scope-aws-'));
    mkdirSync(join(d, 'sub'));
    expect(error([d]).message).toMatch(/no \.json files in/);
    expect(error([join(d, 'nope.json')]).message).toMatch(/cannot read .*nope\.json: ENOENT/);
  });

  it('parseJsonDocuments splits documents, strings with braces included', () => {
    expect(parseJsonDocuments('{"a": "}{"}\n{"b": [1, {"c": "]"}]}\n', 'f')).toEqual([{ a: '}{' }, { b: [1, { c: ']' }] }]);
    expect(parseJsonDocuments('\ufeff{"a": 1}', 'f')).toEqual([{ a: 1 }]);
  });
});
