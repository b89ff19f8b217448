/**
 * Writes fixtures/aws/: `good/` (the guide's setup, as the AWS CLI prints it), one directory per
 * misconfiguration (the good setup with one step broken), `paginated/` (the good setup saved in
 * pages), `partial/` (three outputs only) and `manifest.json` (what each case must report).
 * Deterministic: the same source gives byte-identical files. Run:
 *   npm run build && node dist/scripts/build-aws-fixtures.js [outdir]
 * fixtures/aws/README.md describes each directory.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AWS_CASES, cliJson, goodSetup, type Setup } from './lib/aws-setup.js';

const OUT = process.argv[2] ?? 'fixtures/aws';

function writeSetup(dir: string, s: Setup): void {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const name of Object.keys(s).sort()) writeFileSync(join(dir, name), cliJson(s[name]));
}

mkdirSync(OUT, { recursive: true });
writeSetup(join(OUT, 'good'), goodSetup());

for (const c of AWS_CASES) {
  const s = goodSetup();
  c.mutate(s);
  writeSetup(join(OUT, c.name), s);
}

// The good setup saved page by page: describe-subnets with --max-items 1 (two files, the first
// ending with a NextToken) and describe-route-tables' two pages appended to one file.
{
  const s = goodSetup();
  const dir = join(OUT, 'paginated');
  const subnets = s['subnets.json'].Subnets;
  const tables = s['route-tables.json'].RouteTables;
  delete s['subnets.json'];
  delete s['route-tables.json'];
  writeSetup(dir, s);
  writeFileSync(join(dir, 'subnets-page-1.json'), cliJson({ Subnets: subnets.slice(0, 1), NextToken: 'eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAxfQ==' }));
  writeFileSync(join(dir, 'subnets-page-2.json'), cliJson({ Subnets: subnets.slice(1) }));
  writeFileSync(join(dir, 'route-tables.json'), cliJson({ RouteTables: tables.slice(0, 2), NextToken: 'eyJOZXh0VG9rZW4iOiBudWxsLCAiYm90b190cnVuY2F0ZV9hbW91bnQiOiAyfQ==' }) + cliJson({ RouteTables: tables.slice(2) }));
}

// Only three outputs saved: the checks that need the others are skipped, and the report says so.
{
  const s = goodSetup();
  const keep = new Set(['subnets.json', 'route-tables.json', 'nat-gateways.json']);
  for (const k of Object.keys(s)) if (!keep.has(k)) delete s[k];
  writeSetup(join(OUT, 'partial'), s);
}

const manifest = {
  about: 'What aws-check must report for each directory; written by scripts/build-aws-fixtures.ts.',
  good: { dir: 'good', errors: 0, warnings: 0 },
  paginated: { dir: 'paginated', errors: 0, warnings: 0 },
  partial: { dir: 'partial', missing: ['Vpcs', 'InternetGateways', 'EgressOnlyInternetGateways', 'SecurityGroups', 'NetworkAcls'] },
  cases: AWS_CASES.map((c) => ({ dir: c.name, what: c.what, expect: c.expect, severity: c.severity, args: c.args ?? [] })),
};
writeFileSync(join(OUT, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
