/** `nat64scope packets <capture>`: one line (or one JSON object) per packet, or `--stats`. */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson, packetLine } from '../../src/replay/describe.js';
import { CaptureStats } from '../../src/replay/stats.js';
import { DEFAULT_DISPLAY_PREFIXES, parsePrefix6, type DisplayPrefix } from '../../src/replay/prefixes.js';
import { LineOutput } from '../output.js';
import { UsageError } from '../errors.js';
import { repeated } from '../engine-options.js';
import { readInput, inputPath } from '../capture.js';
import { filterOptions, compileFilterArg, type FilterArgs } from '../filter-option.js';
import { PacketFacts, packetFlowSelector, type FlowSelector } from '../../src/filter/index.js';

export interface PacketsArgs extends FilterArgs {
  capture: string;
  json: boolean;
  stats: boolean;
  count?: number;
  prefix?: string[];
}

export const command = 'packets <capture>';
export const describe = 'one line (or one JSON object) per decoded packet; --stats for protocol and checksum totals';

export function builder(y: Argv): Argv<PacketsArgs> {
  return filterOptions(y, 'with --filter: every packet of a flow (5-tuple, both directions) that has a matching packet; two passes over a file, later packets only on stdin')
    .positional('capture', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', demandOption: true })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per packet (NDJSON, SPEC §5)' })
    .option('stats', { type: 'boolean', default: false, describe: 'decode everything, print per-protocol counts and checksum verdicts' })
    .option('count', { alias: 'c', type: 'number', describe: 'stop after N packets (with --filter: N matching packets)' })
    .option('prefix', { type: 'string', requiresArg: true, coerce: repeated, describe: 'NAT64 prefix whose embedded IPv4 addresses to show (repeatable; default: 64:ff9b::/96 and 64:ff9b:1::/48)' })
    .example('$0 packets fixtures/pcaps/demo.pcapng', 'tshark-like summary with embedded IPv4 shown')
    .example('$0 packets demo.pcapng --filter \'tcp and dst in 64:ff9b::/96\' --whole-flows', 'the NAT64 TCP flows, both directions, from their first packet')
    .example('$0 packets capture.pcap.gz --stats --json', 'protocol and checksum totals as one JSON object') as unknown as Argv<PacketsArgs>;
}

export async function handler(argv: ArgumentsCamelCase<PacketsArgs>): Promise<void> {
  const count = argv.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new UsageError(`--count must be a whole number >= 0, got ${argv.count}`);
  let prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES;
  if (argv.prefix && argv.prefix.length) prefixes = argv.prefix.map((t) => { const p = parsePrefix6(t); return { match: p, embedLen: p.len }; });
  const filter = compileFilterArg(argv.filter, { outcome: false, findings: false, command: 'packets (it runs no engine)' });
  const dec = new PacketDecoder();
  const out = new LineOutput();
  const limit = count ?? Infinity;
  let seen = 0;
  // --filter: the packet (and with --whole-flows its flow) matches. The decoder has decoded p.
  const facts = new PacketFacts();
  if (filter) facts.prefixes = prefixes;
  let flows: FlowSelector<PacketFacts> | null = null;
  let twoPass = false;
  if (filter && argv.wholeFlows) {
    flows = packetFlowSelector(filter);
    twoPass = inputPath(argv.capture) !== '-';
    if (twoPass) await firstPass(argv.capture, dec, facts, flows);
  }
  const selected = (p: CapturedPacket): boolean => {
    if (!filter) return true;
    facts.fill(p, dec);
    if (flows) return twoPass ? flows.selects(facts) : flows.streaming(facts);
    return filter.matchesPacket(facts);
  };

  if (argv.stats) {
    const stats = new CaptureStats(prefixes);
    const summary = await readInput(argv.capture, (p: CapturedPacket) => {
      if (seen >= limit) return false;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (!selected(p)) return true;
      seen++;
      stats.add(p, dec);
      return true;
    }, { blocking: true });
    if (argv.json) {
      const sel = filter ? { filter: filter.text, packetsRead: summary.packets } : {};
      out.line(JSON.stringify({ file: inputPath(argv.capture), format: summary.format, truncated: summary.truncated, ...sel, ...stats.toJSON() }));
    } else {
      out.line(stats.toText(inputPath(argv.capture)).trimEnd());
      if (filter) out.line(`filter: ${filter.text}${argv.wholeFlows ? ' (whole flows)' : ''}: ${seen} of ${summary.packets} packets`);
    }
    await out.end();
    return;
  }

  let t0 = NaN;
  try {
    await readInput(argv.capture, (p: CapturedPacket) => {
      if (seen >= limit || out.closed) return false;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      // Times stay relative to the first packet of the capture, shown or not (as tshark -Y).
      const ts = p.tsSec + p.tsNsec / 1e9;
      if (Number.isNaN(t0)) t0 = ts;
      if (!selected(p)) return true;
      seen++;
      if (argv.json) {
        out.line(JSON.stringify(packetJson(p, dec, { prefixes })));
      } else {
        out.line(packetLine(p, dec, ts - t0, prefixes));
      }
      return true;
    }, { afterChunk: () => out.flush(), blocking: true });
  } finally {
    // What was decoded before a broken record is still printed.
    await out.end();
  }
}

/** --whole-flows on a file: a first pass finds the flows that have a matching packet. */
async function firstPass(capture: string, dec: PacketDecoder, facts: PacketFacts, flows: FlowSelector<PacketFacts>): Promise<void> {
  try {
    await readInput(capture, (p: CapturedPacket) => {
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      flows.observe(facts.fill(p, dec));
    }, { blocking: true, onWarning: () => undefined });
  } catch (e) {
    // A broken record: the second pass prints what comes before it, then reports it.
    if ((e as { exitCode?: number }).exitCode !== 3) throw e;
  }
}
