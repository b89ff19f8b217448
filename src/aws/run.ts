/** Runs every aws-check rule over an inventory; a missing input skips the rules that need it. */
import { SEVERITY_RANK, type Finding } from '../diag/finding.js';
import { AwsContext, awsFinding, type CheckOptions, type Skipped, type TargetSubnet } from './context.js';
import { INPUT_KINDS, LIST_KINDS, type AwsInventory, type InputKind } from './load.js';
import { AWS_CHECKS } from './checks/index.js';
import type { AwsCheck } from './check.js';

export interface AwsCheckResult {
  findings: Finding[];
  targets: TargetSubnet[];
  skipped: Skipped[];
  /** Inputs not given: required ones narrow the checks, optional ones add checks when given. */
  missing: InputKind[];
  missingOptional: InputKind[];
  incomplete: InputKind[];
  /** --subnet ids that the Subnets input does not hold. */
  unknownSubnets: string[];
}

export function runAwsChecks(inv: AwsInventory, opts: CheckOptions = {}, checks: readonly AwsCheck[] = AWS_CHECKS): AwsCheckResult {
  const ctx = new AwsContext(inv, opts);
  const findings: Finding[] = [];
  if (ctx.has('Subnets') && ctx.targets.length === 0 && ctx.unknownSubnets.length === 0) {
    const withV6 = inv.subnets.filter((s) => (s.Ipv6CidrBlockAssociationSet ?? []).length > 0).map((s) => s.SubnetId);
    findings.push(awsFinding('no-ipv6-subnet', 'warning', 'no subnet to check: none has IPv6 with DNS64, or IPv6 without IPv4',
      `Of the ${inv.subnets.length} subnet(s) read, none is an IPv6-only workload subnet by the default rule (an IPv6 CIDR and EnableDns64, or no IPv4 CIDR)${withV6.length ? `; ${withV6.join(', ')} ha${withV6.length > 1 ? 've' : 's'} IPv6 but DNS64 off` : ''}. Turn DNS64 on for the workloads' subnet, or name it with --subnet; the subnet, route and NACL checks did not run.`,
      `aws ec2 modify-subnet-attribute --subnet-id ${withV6[0] ?? '<subnet-id>'} --enable-dns64`, withV6.length ? withV6 : inv.subnets.map((s) => s.SubnetId)));
  }
  for (const check of checks) {
    const missing = check.needs.filter((k) => !ctx.has(k));
    if (missing.length > 0) {
      ctx.skip(check.name, ...missing);
      continue;
    }
    for (const f of check.run(ctx)) findings.push(f);
  }
  // Worst first; within a severity, the order of the checks (setup order of the guide).
  const order = findings.map((f, i) => ({ f, i }));
  order.sort((a, b) => SEVERITY_RANK[b.f.severity] - SEVERITY_RANK[a.f.severity] || a.i - b.i);
  const all = [...LIST_KINDS, 'VpcDnsAttributes'] as InputKind[];
  const isOptional = (k: InputKind) => k === 'VpcDnsAttributes' || INPUT_KINDS[k as keyof typeof INPUT_KINDS].optional;
  return {
    findings: order.map((x) => x.f),
    targets: ctx.targets,
    skipped: ctx.skipped,
    missing: all.filter((k) => !inv.present.has(k) && !isOptional(k)),
    missingOptional: all.filter((k) => !inv.present.has(k) && isOptional(k)),
    incomplete: inv.incomplete,
    unknownSubnets: ctx.unknownSubnets,
  };
}

export function countBySeverity(findings: readonly Finding[]): { errors: number; warnings: number; info: number } {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    info: findings.filter((f) => f.severity === 'info').length,
  };
}
