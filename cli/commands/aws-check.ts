/** `nat64scope aws-check <dir|files..>`: offline checks of an AWS NAT64/DNS64 setup from the AWS CLI's JSON. */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { loadAwsInputs } from '../../src/aws/load.js';
import { runAwsChecks } from '../../src/aws/run.js';
import { findingJson, renderText, summaryJson } from '../../src/aws/report.js';
import { LineOutput } from '../output.js';
import { UsageError, EXIT } from '../errors.js';
import { repeated } from '../engine-options.js';

export interface AwsCheckArgs {
  inputs: string[];
  json: boolean;
  subnet?: string[];
  securityGroup?: string[];
}

export const command = 'aws-check <inputs..>';
export const describe = 'check an AWS NAT64/DNS64 setup (NAT gateway, routes, DNS64, SGs, NACLs, Resolver) from saved AWS CLI JSON, offline';

export function builder(y: Argv): Argv<AwsCheckArgs> {
  return y
    .positional('inputs', { type: 'string', describe: 'a directory of *.json files, or files, of AWS CLI output (describe-subnets, describe-route-tables, ...)', demandOption: true })
    .option('json', { type: 'boolean', default: false, describe: 'findings as SPEC §5 {"type":"finding"} lines, then {"type":"summary"}' })
    .option('subnet', { type: 'string', requiresArg: true, coerce: repeated, describe: 'the IPv6-only subnet to check, repeatable (default: every subnet with IPv6 and EnableDns64, or without IPv4)' })
    .option('security-group', { type: 'string', requiresArg: true, coerce: repeated, describe: 'security group of the instances, repeatable (taken together; adds to those of describe-network-interfaces)' })
    .example('$0 aws-check ./aws-json', 'check every IPv6-only/DNS64 subnet found in the saved output')
    .example('$0 aws-check ./aws-json --subnet subnet-0abc --security-group sg-0def --json', 'one subnet, its instances\' group, NDJSON') as unknown as Argv<AwsCheckArgs>;
}

export async function handler(argv: ArgumentsCamelCase<AwsCheckArgs>): Promise<void> {
  for (const id of [...(argv.subnet ?? []), ...(argv.securityGroup ?? [])]) {
    if (!/^(subnet|sg)-[0-9a-zA-Z]+$/.test(id)) throw new UsageError(`not a subnet or security group id: ${id}`);
  }
  for (const id of argv.subnet ?? []) if (!id.startsWith('subnet-')) throw new UsageError(`--subnet wants a subnet id, got ${id}`);
  for (const id of argv.securityGroup ?? []) if (!id.startsWith('sg-')) throw new UsageError(`--security-group wants a security group id, got ${id}`);
  const inv = loadAwsInputs(argv.inputs);
  const result = runAwsChecks(inv, { subnets: argv.subnet, securityGroups: argv.securityGroup });
  if (result.unknownSubnets.length > 0) {
    throw new UsageError(`--subnet ${result.unknownSubnets.join(', ')}: not in the Subnets input (${inv.subnets.length} subnet${inv.subnets.length === 1 ? '' : 's'} read${inv.present.has('Subnets') ? '' : ': no describe-subnets output given'})`);
  }
  const out = new LineOutput();
  if (argv.json) {
    for (const f of result.findings) out.line(JSON.stringify(findingJson(f)));
    out.line(JSON.stringify(summaryJson(result, inv)));
  } else {
    for (const l of renderText(result, inv)) out.line(l);
  }
  await out.end();
  if (result.findings.some((f) => f.severity === 'error')) process.exitCode = EXIT.FOUND;
}
