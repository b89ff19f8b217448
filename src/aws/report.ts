/** The aws-check report: text for people, SPEC §5 finding/summary objects for scripts. */
import type { Finding } from '../diag/finding.js';
import { INPUT_KINDS, type AwsInventory, type InputKind } from './load.js';
import { countBySeverity, type AwsCheckResult } from './run.js';

function kindCommand(k: InputKind): string {
  return k === 'VpcDnsAttributes' ? 'aws ec2 describe-vpc-attribute --attribute enableDnsSupport' : INPUT_KINDS[k].command;
}

function inputCounts(inv: AwsInventory): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of inv.files) counts[f.kind] = (counts[f.kind] ?? 0) + f.items;
  return counts;
}

export function summaryJson(result: AwsCheckResult, inv: AwsInventory): Record<string, unknown> {
  return {
    type: 'summary',
    files: new Set(inv.files.map((f) => f.path)).size,
    inputs: inputCounts(inv),
    missing: result.missing,
    missingOptional: result.missingOptional,
    incomplete: result.incomplete,
    subnets: result.targets.map((t) => ({
      id: t.subnet.SubnetId, vpc: t.subnet.VpcId ?? null, why: t.why,
      routeTable: t.routeTable?.RouteTableId ?? null, routeTableExplicit: t.routeTableExplicit,
      networkAcl: t.nacl?.NetworkAclId ?? null,
    })),
    skipped: result.skipped,
    findings: result.findings.length,
    ...countBySeverity(result.findings),
  };
}

export function findingJson(f: Finding): Record<string, unknown> {
  return { type: 'finding', ...f };
}

const LABEL = { error: 'ERROR', warning: 'WARNING', info: 'INFO' } as const;

/** The text report, line by line. */
export function renderText(result: AwsCheckResult, inv: AwsInventory): string[] {
  const out: string[] = [];
  const files = new Set(inv.files.map((f) => f.path)).size;
  const counts = inputCounts(inv);
  out.push(`aws-check: ${files} file${files === 1 ? '' : 's'} read: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ') || 'nothing'}`);
  if (result.missing.length > 0) {
    out.push(`not given: ${result.missing.join(', ')} — the checks that need them did not run:`);
    for (const k of result.missing) out.push(`  ${k}: save \`${kindCommand(k)}\``);
  }
  if (result.missingOptional.length > 0) out.push(`optional, not given: ${result.missingOptional.join(', ')}`);
  for (const k of result.incomplete) out.push(`incomplete: every page of ${k} ends with a NextToken — the last page is missing (save it with --starting-token, or without --max-items)`);
  const skipped = result.skipped.filter((s) => s.missing.length > 0 || s.check.includes('('));
  if (skipped.length > 0) {
    out.push('skipped:');
    for (const s of skipped) out.push(`  ${s.check}${s.missing.length ? ` (needs ${s.missing.join(', ')})` : ''}`);
  }
  if (result.targets.length > 0) {
    out.push('subnets checked:');
    for (const t of result.targets) {
      const s = t.subnet;
      const v6 = (s.Ipv6CidrBlockAssociationSet ?? []).map((a) => a.Ipv6CidrBlock).join(', ') || 'no IPv6';
      out.push(`  ${s.SubnetId}  ${s.VpcId ?? '?'}  ${s.AvailabilityZone ?? ''}  ${s.CidrBlock ?? 'no IPv4'} / ${v6}  DNS64 ${s.EnableDns64 ? 'on' : 'off'}  (${t.why})`);
      const rt = t.routeTable?.RouteTableId ?? (inv.present.has('RouteTables') ? 'none found' : 'not given');
      const acl = t.nacl?.NetworkAclId ?? (inv.present.has('NetworkAcls') ? 'none found' : 'not given');
      out.push(`    route table ${rt}${t.routeTable && !t.routeTableExplicit ? ' (main)' : ''}, network ACL ${acl}`);
    }
  }
  out.push('');
  for (const f of result.findings) {
    out.push(`${LABEL[f.severity]} ${f.id}: ${f.title}`);
    if (f.resources && f.resources.length) out.push(`  resources: ${f.resources.join(', ')}`);
    out.push(...wrap(f.detail, 100, '  '));
    const fix = f.fix.split('\n');
    out.push(`  fix: ${fix[0]}`);
    for (const l of fix.slice(1)) out.push(`       ${l}`);
    out.push('');
  }
  const c = countBySeverity(result.findings);
  out.push(`${c.errors} error${c.errors === 1 ? '' : 's'}, ${c.warnings} warning${c.warnings === 1 ? '' : 's'}, ${c.info} info`
    + (c.errors + c.warnings > 0 ? '' : result.missing.length > 0 ? ` — nothing wrong in what was given; ${result.missing.length} input${result.missing.length === 1 ? '' : 's'} missing, so not everything was checked` : ' — the checked setup matches the guide'));
  return out;
}

function wrap(text: string, width: number, indent: string): string[] {
  const words = text.split(/\s+/);
  const lines: string[] = [];
  let cur = indent;
  for (const w of words) {
    if (cur.length + w.length + 1 > width && cur.trim().length > 0) {
      lines.push(cur);
      cur = indent;
    }
    cur += (cur.trim().length > 0 ? ' ' : '') + w;
  }
  if (cur.trim().length > 0) lines.push(cur);
  return lines;
}
