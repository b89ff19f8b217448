/**
 * `nat64scope view <capture>`: the interactive side-by-side viewer (SPEC §2, §7). On a terminal
 * it opens the Ink viewer; otherwise it says so on stderr and prints the `analyze` report.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { existsSync } from 'node:fs';
import { engineOptions, resolveEngineConfig, resolveDns64, type EngineOptionArgs } from '../engine-options.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { inputPath, warn } from '../capture.js';
import { openCaptureModel, startFilterPump, firstPackets, fullGc, smallYoungGeneration } from '../../src/replay/view-model.js';
import { CorruptCaptureError } from '../capture.js';
import { DISPLAY_FILTERS } from '../../src/ui/display-filter.js';
import { CaptureAnalyzer } from '../../src/replay/analyze.js';
import { compileFilterArg } from '../filter-option.js';
import type { Finding } from '../../src/diag/finding.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import type { ReadSummary } from '../../src/pcap/reader.js';
import type { Engine } from '../../src/xlat/types.js';

type UiModule = typeof import('../../src/ui/run-viewer.js');

/**
 * The UI: the bundle the build makes (scripts/postbuild.mjs: src/ui + Ink + React in one file,
 * loaded several times faster than Ink's ~500 modules), or the modules themselves without it.
 */
function loadUi(): Promise<UiModule> {
  const bundle = new URL('../../src/ui/run-viewer.bundle.js', import.meta.url);
  if (process.env.NAT64SCOPE_UI_BUNDLE !== '0' && existsSync(bundle)) return import(bundle.href) as Promise<UiModule>;
  return import('../../src/ui/run-viewer.js');
}

/** The configuration findings of `--aws-config` (loaded only when given). */
async function awsFindings(dir: string | undefined): Promise<Finding[] | null> {
  if (!dir) return null;
  const [{ loadAwsInputs }, { runAwsChecks }] = await Promise.all([import('../../src/aws/load.js'), import('../../src/aws/run.js')]);
  return runAwsChecks(loadAwsInputs([dir])).findings;
}

export interface ViewArgs extends EngineOptionArgs {
  capture: string;
  force: boolean;
  awsConfig?: string;
  filter?: string;
}

export const command = 'view <capture>';
export const describe = 'interactive viewer: every packet next to its translation, sessions, findings (a report when not on a terminal)';

export function builder(y: Argv): Argv<ViewArgs> {
  return engineOptions(y
    .positional('capture', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', demandOption: true }))
    .option('filter', { alias: 'Y', type: 'string', requiresArg: true, describe: 'the display filter shown at start (README "Display filters"; / edits it), e.g. \'tcp and dport == 443\'; off a terminal, the report of the matching packets (as analyze --filter)' })
    .option('force', { type: 'boolean', default: false, describe: 'let w / W replace existing files' })
    .option('aws-config', { type: 'string', requiresArg: true, describe: 'saved AWS CLI JSON (as aws-check reads): findings name the configuration finding that explains them' })
    .example('$0 view fixtures/pcaps/demo.pcapng --profile aws', 'the demo capture as an AWS NAT gateway sees it')
    .example('$0 view capture.pcap.gz --prefix 2001:db8:64::/96', 'a capture from a translator with its own prefix')
    .example('$0 view demo.pcapng -Y \'dns or drop\'', 'open on the DNS packets and the drops') as unknown as Argv<ViewArgs>;
}

export async function handler(argv: ArgumentsCamelCase<ViewArgs>): Promise<void> {
  const input = inputPath(argv.capture);
  const config = resolveEngineConfig(argv);
  // An invalid filter is a one-line error (exit 2) before anything is drawn, as analyze --filter.
  const filter = compileFilterArg(argv.filter, { findings: input !== '-', command: 'view of stdin (finding needs two passes over a file)' });
  // Loaded before anything is drawn: bad JSON is a one-line error (exit 3), as in analyze.
  const aws = await awsFindings(argv.awsConfig);
  const tty = Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY) && input !== '-';
  if (!tty) {
    const why = input === '-' ? 'the capture comes from stdin' : !process.stdout.isTTY ? 'stdout is not a terminal' : 'stdin is not a terminal';
    process.stderr.write(`nat64scope: view needs a terminal (${why}): printing the analyze report instead\n`);
    const { printReport } = await import('../view-report.js');
    await printReport(input, config, aws, filter);
    return;
  }
  // Ink and React load only here (other commands do not pay for them), and start loading now,
  // while the capture is opened. React's production build (picked when it loads) renders several
  // times faster than its development build.
  process.env.NODE_ENV ??= 'production';
  // Ink draws only a last frame when it believes it runs in CI (is-in-ci reads CI and
  // CONTINUOUS_INTEGRATION when Ink loads). Here stdin and stdout are a terminal: someone (or a
  // test in tmux) is looking at it, so the viewer stays interactive whatever CI says.
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
  // Memory: the young generation kept at its first size (measured: ~30 MB less peak on 5M packets).
  smallYoungGeneration();
  const ui = loadUi();
  ui.catch(() => undefined); // awaited below; a failure is reported there
  // The first slice is indexed at once; the rest waits for the first screen (startGate).
  let release: () => void = () => undefined;
  const startGate = new Promise<void>((r) => {
    release = r;
  });
  // DNS64 as translate runs it (its decisions are shown in the detail pane).
  let dns64: Dns64Hook | null = null;
  let newDns64: (() => Dns64Hook) | null = null;
  if (config.dns64.enabled) {
    const d = resolveDns64(argv, config);
    if (d.options.prefixes.length) {
      newDns64 = () => new Dns64Hook(d.options, d.zone);
      dns64 = newDns64();
    }
  }
  // analyze's findings for the findings pane, from the model's own pass and its own engine: each
  // packet goes to analyze's CaptureAnalyzer as the model's engine runs on it, with what the engine
  // made of it (one read of the file, one NAT64 engine). Dropped once finished: its flow tables
  // are garbage then.
  let analyzer: CaptureAnalyzer | null = new CaptureAnalyzer(config, { side: 'auto', input, onWarning: () => undefined, sharedEngine: true });
  let summary: ReadSummary | null = null;
  let replayed = false;
  const failed = (e: unknown): void => {
    if (!analyzer) return;
    analyzer = null;
    model.setFindings([], 'unavailable');
    model.warn(`analyze failed: ${e instanceof Error ? e.message : String(e)}`);
  };
  // Both the reader's summary and the end of the engine run are needed (either may come first).
  const findings = (): void => {
    const a = analyzer;
    if (!a || !summary || !replayed) return;
    analyzer = null;
    try {
      const found = a.finish(summary).findings;
      if (!aws) model.setFindings(found);
      else void import('../../src/aws/link.js').then(({ linkToAwsFindings }) => model.setFindings(linkToAwsFindings(found, aws)));
    } catch (e) {
      analyzer = a;
      failed(e);
    }
  };
  const guard = <A extends unknown[]>(f: (a: CaptureAnalyzer, ...args: A) => void) => (...args: A): void => {
    if (!analyzer) return;
    try {
      f(analyzer, ...args);
    } catch (e) {
      failed(e);
    }
  };
  const model = openCaptureModel(input, {
    config,
    startGate,
    dns64,
    tap: {
      before: guard((a, p: CapturedPacket) => a.beforeEngine(p)),
      sink: analyzer.engineSink,
      after: guard((a, p: CapturedPacket, reconstructed: boolean) => a.afterEngine(p, reconstructed)),
      beforeDrain: guard((a, engine: Engine) => a.beforeDrain(engine)),
      end: () => {
        replayed = true;
        findings();
      },
    },
    onIndexed: (s) => {
      summary = s;
      findings();
    },
  });
  await firstPackets(model);
  if (model.count() === 0 && model.error()) {
    model.close();
    throw new CorruptCaptureError(model.error()!);
  }
  // Closed flows and spent engine state die old: a full collection every 128 MiB keeps the peak
  // near what is alive (as analyze does).
  model.collect = fullGc();
  let stopPump = null as (() => void) | null;
  model.onChange(() => {
    if (model.finished() && !stopPump) stopPump = startFilterPump(model);
  });
  const { runViewer } = await ui;
  try {
    await runViewer({
      model,
      filter: DISPLAY_FILTERS,
      initialFilter: argv.filter,
      write: async (what, path) => (await (await import('../../src/replay/view-write.js')).writeShown(model, what, path, { force: argv.force, dns64: newDns64 })).message,
    }, {
      // The rest of the file is read once the first screen is up.
      onStarted: release,
    });
  } finally {
    release();
    stopPump?.();
    model.close();
  }
  const err = model.error();
  if (err) warn(err);
}
