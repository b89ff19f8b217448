/** `nat64scope analyze <capture..>`: flows, checksum verdicts and the NAT64/DNS64 failure catalog (SPEC §2, §5). */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { open, rename, unlink, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { analyzeCapture, filterSelect, findingsByPacket, prestartEngineThreadFor, type AnalyzeResult } from '../../src/replay/analyze.js';
import { filterOptions, compileFilterArg, type FilterArgs } from '../filter-option.js';
import { reportText, jsonLines, totalText, totalObject, exportRecords } from '../../src/diag/report.js';
import { SEVERITY_RANK, type Severity } from '../../src/diag/finding.js';
import { engineOptions, resolveEngineConfig, type EngineOptionArgs } from '../engine-options.js';
import { inputPath, warn } from '../capture.js';
import { UsageError, EXIT } from '../errors.js';
import { LineOutput } from '../output.js';
import { getHeapStatistics } from 'node:v8';
import { fullGc } from '../../src/replay/gc.js';
import { discoverPref64 } from '../../src/xlat/dns64/discovery.js';
import { ConfigError } from '../../src/xlat/config.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';
import { prefixText } from '../../src/replay/analyze.js';
import { loadAwsInputs } from '../../src/aws/load.js';
import { runAwsChecks } from '../../src/aws/run.js';
import { linkToAwsFindings } from '../../src/aws/link.js';

// On a big capture, the engine's thread (src/replay/engine-thread.ts) boots while yargs parses
// the arguments: this module is loaded only for `analyze` (cli/main.ts).
prestartEngineThreadFor(process.argv.slice(2));

export interface AnalyzeArgs extends EngineOptionArgs, FilterArgs {
  capture: string[];
  json: boolean;
  failOn?: string;
  flows: 'matter' | 'all';
  export?: string;
  force: boolean;
  side: 'none' | 'v6' | 'v4' | 'auto';
  color: 'auto' | 'always' | 'never';
  progress: boolean;
  width?: number;
  awsConfig?: string;
}

export const command = 'analyze <capture..>';
export const describe = 'flows, sessions, checksum verdicts and NAT64/DNS64 diagnoses: why a flow fails, the packets that show it, the fix';

export function builder(y: Argv): Argv<AnalyzeArgs> {
  return filterOptions(engineOptions(y
    .positional('capture', { type: 'string', array: true, describe: 'pcap or pcapng files (gzip ok), or - for stdin; several are each reported, then a total', demandOption: true })),
  'with --filter: also every later packet of a flow (5-tuple, both directions) once one of its packets matched')
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON (SPEC §5): finding objects, flow objects, then a summary' })
    .option('fail-on', { type: 'string', requiresArg: true, choices: ['warning', 'error'], describe: 'exit 1 when a finding of this severity or worse is found (CI)' })
    .option('flows', { type: 'string', choices: ['matter', 'all'], default: 'matter', describe: 'flows listed: the failing ones, or all' })
    .option('export', { type: 'string', requiresArg: true, describe: 'write every flow and finding as flat NDJSON records (README: export format) to FILE' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing --export file' })
    .option('side', { type: 'string', choices: ['none', 'v6', 'v4', 'auto'], default: 'auto', describe: 'packets that came out of a real translator are reconstructed (auto: both families); none: every packet arrives at the translator' })
    .option('color', { type: 'string', choices: ['auto', 'always', 'never'], default: 'auto', describe: 'colour the text report (auto: on a terminal, unless NO_COLOR is set)' })
    .option('width', { type: 'number', requiresArg: true, describe: 'wrap the text report to this many columns (default: the terminal width, or 100)' })
    .option('progress', { type: 'boolean', default: true, describe: 'progress on stderr when it is a terminal (--no-progress to hide)' })
    .option('aws-config', { type: 'string', requiresArg: true, describe: 'saved AWS CLI JSON (a directory or file, as aws-check reads): each finding gets the configuration finding that explains it and its AWS CLI fix' })
    .example('$0 analyze fixtures/pcaps/demo.pcapng --profile aws', 'why the demo capture\'s flows fail, with AWS fixes')
    .example('$0 analyze caps/*.pcap --json --fail-on error', 'CI: NDJSON findings, exit 1 on any error')
    .example('$0 analyze big.pcapng --export flows.ndjson', 'every flow and finding for an analytics engine') as unknown as Argv<AnalyzeArgs>;
}

export async function handler(argv: ArgumentsCamelCase<AnalyzeArgs>): Promise<void> {
  const inputs = argv.capture.map((c) => inputPath(String(c)));
  if (inputs.filter((i) => i === '-').length > 1) throw new UsageError('stdin (-) can be given once');
  if (argv.width !== undefined && !(Number.isInteger(argv.width) && argv.width >= 40)) throw new UsageError(`--width ${argv.width}: expected a whole number of columns, at least 40`);
  const exportPath = argv.export === undefined ? null : inputPath(argv.export);
  if (exportPath === '-') throw new UsageError('--export needs a file name');
  if (exportPath && !argv.force && (await exists(exportPath))) throw new UsageError(`output exists: ${exportPath} (use --force to replace it)`);
  if (exportPath && inputs.includes(exportPath)) throw new UsageError(`--export file is an input: ${exportPath}`);
  // --prefix auto: the prefix the capture shows (RFC 8781 PREF64, then RFC 7050 ipv4only.arpa,
  // then a well-known address in another AAAA answer), found by a first pass over each file;
  // without one (or on stdin) the configured pool6. Other values are ordinary prefixes.
  const auto = argv.prefix === 'auto';
  const baseConfig = resolveEngineConfig(auto ? { ...argv, prefix: undefined } : argv);
  // Every packet still goes through the engine; the filter picks what is analyzed. `finding`
  // needs the findings first: a first pass over each (file) input.
  const filter = compileFilterArg(argv.filter, { findings: !inputs.includes('-'), command: 'analyze of stdin (finding needs two passes over a file)' });
  const color = argv.color === 'always' || (argv.color === 'auto' && process.stdout.isTTY === true && !process.env.NO_COLOR);
  const width = argv.width ?? (process.stdout.isTTY && process.stdout.columns ? process.stdout.columns : 100);
  // --aws-config: the configuration findings that explain what the capture shows (src/aws/link.ts).
  const awsFindings = argv.awsConfig ? runAwsChecks(loadAwsInputs([argv.awsConfig])).findings : null;
  const out = new LineOutput();
  const wantAll = argv.flows === 'all' || exportPath !== null;
  const results: AnalyzeResult[] = [];
  const progress = argv.progress && process.stderr.isTTY;
  const collect = fullGc();
  let sinceGc = 0;
  let liveAfterGc = getHeapStatistics().used_heap_size;
  for (const input of inputs) {
    const { config, note } = auto ? await autoPrefix(argv, input, baseConfig) : { config: baseConfig, note: null };
    const started = Date.now();
    let chunks = 0;
    let select = null;
    if (filter) {
      const first = filter.fields.findings ? findingsByPacket((await analyzeCapture(input, config, { side: argv.side, blocking: true, onWarning: () => undefined })).findings) : null;
      select = filterSelect(filter, argv.wholeFlows, first);
    }
    const r = await analyzeCapture(input, config, {
      filter: select,
      flows: wantAll ? 'all' : 'matter',
      side: argv.side,
      blocking: true,
      onWarning: (m) => warn(`${m} (${input === '-' ? 'stdin' : input})`),
      afterChunk: () => {
        chunks++;
        // Flows and sessions that closed die old: V8 collects them lazily and the process grows
        // with the garbage. A full collection (tens of ms) once the heap holds GC_SLACK more than
        // after the last one keeps the peak near the live state (README: Speed); looked at every
        // 16 MiB of capture.
        if (collect && ++sinceGc >= 16) {
          sinceGc = 0;
          if (getHeapStatistics().used_heap_size > liveAfterGc + GC_SLACK) {
            collect();
            liveAfterGc = getHeapStatistics().used_heap_size;
          }
        }
        if (progress && Date.now() - started > 1000) process.stderr.write(`\ranalyze: ${input} ${chunks} MiB, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      },
    });
    if (progress) process.stderr.write('\r\x1b[K');
    if (note) r.pool6Source = note;
    if (awsFindings) r.findings = linkToAwsFindings(r.findings, awsFindings);
    results.push(r);
    if (argv.json) {
      for (const l of jsonLines(r, argv.flows, inputs.length > 1)) {
        const p = out.line(l);
        if (p) await p;
      }
    } else {
      const p = out.line(reportText(r, { color, width, flows: argv.flows }) + (inputs.length > 1 ? '\n' : ''));
      if (p) await p;
    }
  }
  if (inputs.length > 1) out.line(argv.json ? JSON.stringify(totalObject(results)) : totalText(results, color));
  await out.end();
  if (exportPath) await writeExport(exportPath, results);
  if (argv.failOn) {
    const limit = SEVERITY_RANK[argv.failOn as Severity];
    const n = results.reduce((a, r) => a + r.findings.filter((f) => SEVERITY_RANK[f.severity] >= limit).length, 0);
    if (n > 0) {
      process.stderr.write(`nat64scope: analyze: ${n} finding${n > 1 ? 's' : ''} at or above ${argv.failOn} (--fail-on ${argv.failOn})\n`);
      process.exitCode = EXIT.FOUND;
    }
  }
}

const SOURCE_ORDER = ['ra-pref64', 'ipv4only.arpa', 'aaaa-wka'];

/**
 * Garbage allowed to build up before analyze collects it (see the handler). 24 MB: with the
 * engine on its own thread (src/replay/engine-thread.ts) there are two heaps, each allowed as
 * much (the engine thread applies the same rule to its own).
 */
const GC_SLACK = 16 * 1024 * 1024;

/** The engine configuration for `--prefix auto` on one input, and how the prefix was chosen. */
async function autoPrefix(argv: AnalyzeArgs, input: string, base: EngineConfig): Promise<{ config: EngineConfig; note: string }> {
  const configured = base.pool6 ? prefixText(base.pool6) : 'none';
  if (input === '-') return { config: base, note: `auto: stdin cannot be read twice; configured ${configured}` };
  const found = (await discoverPref64(input, { blocking: true, onWarning: () => undefined })).filter((p) => p.source !== 'config' && p.lifetime !== 0);
  found.sort((a, b) => SOURCE_ORDER.indexOf(a.source) - SOURCE_ORDER.indexOf(b.source));
  if (found.length === 0) return { config: base, note: `auto: no prefix in the capture; configured ${configured}` };
  const best = found[0];
  const how = `${best.source === 'ra-pref64' ? 'RFC 8781 PREF64' : best.source === 'ipv4only.arpa' ? 'RFC 7050 ipv4only.arpa' : 'a well-known address in an AAAA answer'}, packet #${best.packets[0]}`;
  if (best.prefix === configured) return { config: base, note: `auto: ${best.prefix} (${how})` };
  try {
    return { config: resolveEngineConfig({ ...argv, prefix: best.prefix }), note: `auto: ${best.prefix} (${how})` };
  } catch (e) {
    // A profile that fixes the prefix (aws: 64:ff9b::/96 only) keeps it; the finding
    // dns64-prefix-mismatch says the capture shows another.
    if (e instanceof ConfigError) return { config: base, note: `auto: the capture shows ${best.prefix} (${how}), but ${(e as Error).message}; configured ${configured}` };
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/** Temp file renamed into place: never half-written. */
async function writeExport(path: string, results: AnalyzeResult[]): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  let fh;
  try {
    fh = await open(temp, 'w');
  } catch (e) {
    const err = new UsageError(`cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    throw err;
  }
  try {
    for (const r of results) {
      const lines = exportRecords(r);
      for (let i = 0; i < lines.length; i += 4096) await fh.write(lines.slice(i, i + 4096).join('\n') + '\n');
    }
    await fh.close();
    await rename(temp, path);
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(temp).catch(() => undefined);
    throw e;
  }
}
