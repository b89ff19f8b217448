/**
 * `nat64scope golden <capture..> --out DIR` writes golden translated captures and their manifest;
 * `nat64scope golden --check DIR` re-runs them and compares field by field (src/replay/golden.ts).
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { writeGolden, checkGolden, caseName, type GoldenCaseResult } from '../../src/replay/golden.js';
import { engineOptions, resolveEngineConfig, type EngineOptionArgs } from '../engine-options.js';
import { inputPath } from '../capture.js';
import { LineOutput } from '../output.js';
import { UsageError, setFound } from '../errors.js';
import { compileFilterArg } from '../filter-option.js';

export interface GoldenArgs extends EngineOptionArgs {
  captures?: string[];
  out?: string;
  check?: string;
  force: boolean;
  json: boolean;
  filter?: string;
}

export const command = 'golden [captures..]';
export const describe = 'write golden translated captures + manifest (--out DIR); --check DIR verifies them field by field';

export function version(): string {
  return (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export function builder(y: Argv): Argv<GoldenArgs> {
  return engineOptions(y
    .positional('captures', { type: 'string', array: true, describe: 'input captures (pcap or pcapng, gzip ok); one case each, named after the file' }))
    .option('out', { alias: 'o', type: 'string', requiresArg: true, describe: 'directory for NAME.expected.pcapng, NAME.explain.ndjson and manifest.json' })
    .option('check', { type: 'string', requiresArg: true, describe: 're-run every case of DIR/manifest.json and compare; exit 1 on any difference' })
    .option('force', { type: 'boolean', default: false, describe: 'replace existing outputs in --out' })
    .option('json', { type: 'boolean', default: false, describe: '--check: one JSON object per case, then a summary' })
    .option('filter', { alias: 'Y', type: 'string', requiresArg: true, describe: 'write only what the engine emits for input packets matching a display filter (as translate --filter); recorded in the manifest, so --check re-runs it' })
    .example('$0 golden tests/pcaps/*.pcapng --config nat64.json --out tests/golden', 'write the expected captures and the manifest')
    .example('$0 golden --check tests/golden', 'in CI: fails with the fields that changed') as unknown as Argv<GoldenArgs>;
}

function caseLines(r: GoldenCaseResult): string[] {
  const head = r.ok ? `ok      ${r.name}${r.identical ? '' : ' (bytes differ, packets and drop report agree)'}` : `DIFFERS ${r.name}`;
  return [head, ...r.differences.map((d) => `  ${d}`), ...r.notes.map((n) => `  note: ${n}`)];
}

export async function handler(argv: ArgumentsCamelCase<GoldenArgs>): Promise<void> {
  const captures = (argv.captures ?? []).map(inputPath);
  const out = new LineOutput();
  if (argv.check !== undefined) {
    if (captures.length || argv.out !== undefined || argv.filter !== undefined) throw new UsageError('--check DIR takes no captures, --out or --filter (it re-runs the cases of DIR/manifest.json as they were written)');
    const results = await checkGolden(argv.check, { version: version() });
    const bad = results.filter((r) => !r.ok).length;
    for (const r of results) {
      if (argv.json) out.line(JSON.stringify({ type: 'case', ...r }));
      else for (const l of caseLines(r)) out.line(l);
    }
    const summary = `golden --check ${argv.check}: ${results.length} cases, ${results.length - bad} ok, ${bad} differ`;
    if (argv.json) out.line(JSON.stringify({ type: 'summary', dir: argv.check, cases: results.length, ok: results.length - bad, differ: bad }));
    else out.line(summary);
    await out.end();
    if (bad) setFound();
    return;
  }
  if (!captures.length) throw new UsageError('golden needs captures and --out DIR (or --check DIR)');
  if (argv.out === undefined) throw new UsageError('golden needs --out DIR: where to write the expected captures and manifest.json');
  if (captures.includes('-')) throw new UsageError('golden reads files, not stdin: the manifest records each input\'s path and sha256');
  const config = resolveEngineConfig(argv);
  // Checked before anything is written: an invalid filter is exit 2 naming the column.
  const filter = compileFilterArg(argv.filter, { findings: false, command: 'golden (it runs no analysis)' });
  await mkdir(argv.out, { recursive: true });
  const m = await writeGolden(captures.map((c) => ({ name: caseName(c), input: c, config, ...(filter ? { filter: filter.text } : {}) })), argv.out, { version: version(), force: argv.force });
  for (const c of m.cases) {
    const drops = Object.entries(c.summary.drops).map(([k, v]) => `${v} ${k}`).join(', ');
    process.stderr.write(`golden: ${c.name}: ${c.summary.packetsIn} packets in, ${c.summary.packetsOut} out${c.summary.dropped ? `; ${c.summary.dropped} dropped: ${drops}` : ''}\n`);
  }
  process.stderr.write(`golden: ${m.cases.length} case${m.cases.length === 1 ? '' : 's'} written to ${argv.out} (manifest.json)\n`);
  await out.end();
}
