/** `nat64scope translate <capture>`: replay through the engines, write what the translator emits (SPEC §4). */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { stat } from 'node:fs/promises';
import { getHeapStatistics } from 'node:v8';
import { fullGc, holdNewSpace } from '../../src/replay/gc.js';
import { translateCapture, summaryText, type TranslateSummary } from '../../src/replay/translate.js';
import { reasonId } from '../../src/diag/reasons.js';
import { engineOptions, resolveEngineConfigAuto, resolveDns64, type EngineOptionArgs } from '../engine-options.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { inputPath, warn } from '../capture.js';
import { UsageError } from '../errors.js';
import { filterOptions, compileFilterArg, type FilterArgs } from '../filter-option.js';
import { filterSelector } from '../../src/replay/filter-select.js';

export interface TranslateArgs extends EngineOptionArgs, FilterArgs {
  capture: string;
  write?: string;
  explain?: string;
  force: boolean;
  drain: boolean;
  progress: boolean;
  json: boolean;
  side: 'none' | 'v6' | 'v4' | 'auto';
}

export const command = 'translate <capture>';
export const describe = 'replay a capture through the DNS64/NAT64 engines and write what the translator emits';

export function builder(y: Argv): Argv<TranslateArgs> {
  return filterOptions(engineOptions(y
    .positional('capture', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', demandOption: true }))
    , 'with --filter: also every later packet of a flow (5-tuple, both directions) once one of its packets matched')
    .option('write', { alias: 'w', type: 'string', requiresArg: true, describe: 'write the translated capture: .pcapng or .pcap by extension, - for stdout (pcapng)' })
    .option('explain', { type: 'string', requiresArg: true, describe: 'write the drop report: one NDJSON record per input packet (what became of it and why)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace existing output files' })
    .option('drain', { type: 'boolean', default: true, describe: 'at the end of the input, advance the clock until every timer fired (--no-drain: stop at the last packet)' })
    .option('progress', { type: 'boolean', default: true, describe: 'progress on stderr when it is a terminal (--no-progress to hide)' })
    .option('json', { type: 'boolean', default: false, describe: 'print the summary as one JSON object on stdout' })
    .option('side', { type: 'string', choices: ['none', 'v6', 'v4', 'auto'], default: 'none', describe: 'the capture was taken on this side of a real translator: packets that came out of it are reconstructed into what it received (none: every packet arrives at the translator)' })
    .example('$0 translate fixtures/pcaps/demo.pcapng --profile aws -w out.pcapng', 'what an AWS NAT gateway emits for the demo capture')
    .example('$0 translate in.pcap --mode siit --eam 2001:db8:6::/120=192.0.2.0/24 -w out.pcap --explain drops.ndjson', 'stateless SIIT with an explicit address mapping') as unknown as Argv<TranslateArgs>;
}

export async function handler(argv: ArgumentsCamelCase<TranslateArgs>): Promise<void> {
  const input = inputPath(argv.capture);
  const output = argv.write === undefined ? null : inputPath(argv.write);
  if (output === '-' && process.stdout.isTTY) throw new UsageError('refusing to write a capture to a terminal: redirect stdout, or give -w FILE');
  const { cfg: config, notes } = await resolveEngineConfigAuto(argv, input);
  for (const l of notes) process.stderr.write(`${l}\n`);
  // Every packet still goes through the engine; the filter picks what is written (README).
  const filter = compileFilterArg(argv.filter, { findings: false, command: 'translate (it runs no analysis)' });
  let dns64: Dns64Hook | null = null;
  if (config.dns64.enabled) {
    const d = resolveDns64(argv, config);
    if (d.options.prefixes.length) dns64 = new Dns64Hook(d.options, d.zone);
  }
  const progress = argv.progress && process.stderr.isTTY ? await makeProgress(input) : null;
  // The engine's spent state and DNS64's records die old, and V8 collects old garbage lazily: on
  // a 5M-packet capture the heap reached 80 MB with 17 MB alive. A full collection (a few ms)
  // once the heap holds GC_SLACK more than after the last one keeps the peak near the live state;
  // looked at every 16 chunks (32 MiB) of capture (as analyze does).
  const collect = fullGc();
  let sinceGc = 0;
  let liveAfterGc = getHeapStatistics().used_heap_size;
  const afterChunk = (): void => {
    if (collect && ++sinceGc >= 16) {
      sinceGc = 0;
      if (getHeapStatistics().used_heap_size > liveAfterGc + GC_SLACK) {
        collect();
        liveAfterGc = getHeapStatistics().used_heap_size;
      }
    }
    if (progress) progress();
  };
  let summary: TranslateSummary;
  const releaseNewSpace = holdNewSpace();
  try {
    summary = await translateCapture({
      input,
      output,
      force: argv.force,
      config,
      explain: argv.explain ?? null,
      drain: argv.drain,
      blocking: true,
      onWarning: (m) => warn(`${m} (${input === '-' ? 'stdin' : input})`),
      afterChunk,
      side: argv.side,
      select: filter ? filterSelector(filter, argv.wholeFlows) : null,
      dns64,
    });
  } finally {
    releaseNewSpace();
    if (progress) process.stderr.write('\r\x1b[K');
  }
  if (argv.json) {
    const drops: Record<string, number> = {};
    for (const [r, c] of summary.drops) drops[reasonId(r)] = c;
    process.stdout.write(JSON.stringify({
      type: 'summary', input, output, mode: config.mode, profile: config.profile,
      packetsIn: summary.packetsIn, packetsOut: summary.packetsOut, translated: summary.translated,
      hairpinned: summary.hairpinned, reconstructed: summary.reconstructed, generated: summary.icmpErrors + summary.deferred, dropped: summary.dropped, drops,
      ...(filter ? { filter: filter.text, selected: summary.selected, written: summary.written } : {}),
    }) + '\n');
  }
  process.stderr.write(summaryText(summary) + (dns64 ? `; dns64: ${dns64.engine.answered} AAAA/PTR answers, ${dns64.rewrittenCount} rewritten` : '') + '\n');
  if (filter) process.stderr.write(`filter: ${summary.selected} of ${summary.packetsIn} input packets selected, ${summary.written} packets written\n`);
}

const GC_SLACK = 32 * 1024 * 1024;

/** A progress figure on stderr, shown only after a second of work (SPEC §2 --no-progress). */
async function makeProgress(input: string): Promise<() => void> {
  let total = 0;
  if (input !== '-') {
    try {
      total = (await stat(input)).size;
    } catch {
      total = 0;
    }
  }
  const start = Date.now();
  let chunks = 0;
  return () => {
    chunks++;
    const el = Date.now() - start;
    if (el < 1000) return;
    const mb = chunks; // one chunk is about 1 MiB of capture
    const pct = total ? ` ${Math.min(100, Math.round(((mb * 1048576) / total) * 100))}%` : '';
    process.stderr.write(`\rtranslate:${pct} ${mb} MiB read, ${(el / 1000).toFixed(1)} s`);
  };
}
