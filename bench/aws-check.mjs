// `node bench/run.mjs --only aws-check`: aws-check on a large account against the cost of merely
// reading the same JSON (jq, and JSON.parse in node) — ratios from one run, not absolute times.
// The account: K copies of fixtures/aws/good with their own ids (one in ten with its DNS64 off),
// merged into one file per describe command, as `aws ec2 describe-...` prints a big account.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const GOOD = join(here, '..', 'fixtures', 'aws', 'good');
const CLI = join(here, '..', 'dist', 'cli', 'main.js');

function makeAccount(dir, k) {
  mkdirSync(dir, { recursive: true });
  const files = readdirSync(GOOD).filter((f) => f.endsWith('.json'));
  const merged = {};
  const attrs = [];
  for (let i = 0; i < k; i++) {
    const tag = i.toString(16).padStart(13, '0');
    for (const f of files) {
      let text = readFileSync(join(GOOD, f), 'utf8').replaceAll('0a1b2c3d4e5f6', tag);
      if (i % 10 === 9 && f === 'subnets.json') text = text.replace('"EnableDns64": true', '"EnableDns64": false');
      const doc = JSON.parse(text);
      if ('EnableDnsSupport' in doc) { attrs.push(doc); continue; }
      for (const [key, v] of Object.entries(doc)) {
        if (!Array.isArray(v)) continue;
        merged[f] ??= { [key]: [] };
        merged[f][key].push(...v);
      }
    }
  }
  for (const [f, doc] of Object.entries(merged)) writeFileSync(join(dir, f), JSON.stringify(doc, null, 4) + '\n');
  writeFileSync(join(dir, 'vpc-attributes.json'), attrs.map((a) => JSON.stringify(a, null, 4)).join('\n') + '\n');
}

function time(cmd, args) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0 && r.status !== 1) throw new Error(`${cmd} failed (${r.status}): ${r.stderr.slice(-300)}`);
  return { secs, stdout: r.stdout };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function awsCheckBench({ runs = 5, vpcs = 1000, out }) {
  const dir = join(out, `aws-account-${vpcs}`);
  if (!existsSync(join(dir, 'subnets.json'))) makeAccount(dir, vpcs);
  const files = readdirSync(dir).map((f) => join(dir, f));
  const size = files.reduce((n, f) => n + readFileSync(f).length, 0);
  console.log(`\n== aws-check: ${vpcs} VPCs (${vpcs * 2} subnets, ${vpcs * 3} route tables, ${vpcs * 2} NACLs), ${(size / 1e6).toFixed(1)} MB of JSON, median of ${runs}`);
  const rows = [
    ['nat64scope aws-check --json', process.execPath, [CLI, 'aws-check', dir, '--json']],
    ['node: JSON.parse of every file (the floor)', process.execPath, ['-e', `for (const f of ${JSON.stringify(files)}) for (const d of require('fs').readFileSync(f, 'utf8').split(/\\n(?=\\{)/)) JSON.parse(d)`]],
  ];
  if (existsSync('/usr/bin/jq')) rows.push(['jq -c . (parse and print)', '/usr/bin/jq', ['-c', '.', ...files]]);
  const res = {};
  for (const [label, cmd, args] of rows) {
    const t = [];
    let stdout = '';
    for (let i = 0; i < runs; i++) { const r = time(cmd, args); t.push(r.secs); stdout ||= r.stdout; }
    res[label] = median(t);
    console.log(`  ${label.padEnd(46)} ${res[label].toFixed(3).padStart(8)} s`);
    if (label.startsWith('nat64scope')) {
      const summary = JSON.parse(stdout.trim().split('\n').pop());
      console.log(`    ${summary.subnets.length} subnets checked, ${summary.errors} errors, ${summary.warnings} warnings, ${summary.info} info`);
    }
  }
  const a = res['nat64scope aws-check --json'];
  console.log(`  aws-check / JSON.parse floor: ${(a / res['node: JSON.parse of every file (the floor)']).toFixed(2)}x`
    + (res['jq -c . (parse and print)'] ? `; aws-check / jq: ${(a / res['jq -c . (parse and print)']).toFixed(2)}x` : ''));
}
