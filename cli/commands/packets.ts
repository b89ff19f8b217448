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

export interface PacketsArgs {
  capture: string;
  json: boolean;
  stats: boolean;
  count?: number;
  prefix?: string[];
}

export const command = 'packets <capture>';
export const describe = 'one line (or one JSON object) per decoded packet; --stats for protocol and checksum totals';

export function builder(y: Argv): Argv<PacketsArgs> {
  return y
    .positional('capture', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', demandOption: true })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per packet (NDJSON, SPEC §5)' })
    .option('stats', { type: 'boolean', default: false, describe: 'decode everything, print per-protocol counts and checksum verdicts' })
    .option('count', { alias: 'c', type: 'number', describe: 'stop after N packets' })
    .option('prefix', { type: 'string', requiresArg: true, coerce: repeated, describe: 'NAT64 prefix whose embedded IPv4 addresses to show (repeatable; default: 64:ff9b::/96 and 64:ff9b:1::/48)' })
    .example('$0 packets fixtures/pcaps/demo.pcapng', 'tshark-like summary with embedded IPv4 shown')
    .example('$0 packets capture.pcap.gz --stats --json', 'protocol and checksum totals as one JSON object') as unknown as Argv<PacketsArgs>;
}

export async function handler(argv: ArgumentsCamelCase<PacketsArgs>): Promise<void> {
  const count = argv.count;
  if (count !== undefined && (!Number.isInteger(count) || count < 0)) throw new UsageError(`--count must be a whole number >= 0, got ${argv.count}`);
  let prefixes: readonly DisplayPrefix[] = DEFAULT_DISPLAY_PREFIXES;
  if (argv.prefix && argv.prefix.length) prefixes = argv.prefix.map((t) => { const p = parsePrefix6(t); return { match: p, embedLen: p.len }; });
  const dec = new PacketDecoder();
  const out = new LineOutput();
  const limit = count ?? Infinity;
  let seen = 0;

  if (argv.stats) {
    const stats = new CaptureStats(prefixes);
    const summary = await readInput(argv.capture, (p: CapturedPacket) => {
      if (seen >= limit) return false;
      seen++;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      stats.add(p, dec);
      return true;
    }, { blocking: true });
    if (argv.json) {
      out.line(JSON.stringify({ file: inputPath(argv.capture), format: summary.format, truncated: summary.truncated, ...stats.toJSON() }));
    } else {
      out.line(stats.toText(inputPath(argv.capture)).trimEnd());
    }
    await out.end();
    return;
  }

  let t0 = NaN;
  try {
    await readInput(argv.capture, (p: CapturedPacket) => {
      if (seen >= limit || out.closed) return false;
      seen++;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (argv.json) {
        out.line(JSON.stringify(packetJson(p, dec, { prefixes })));
      } else {
        const ts = p.tsSec + p.tsNsec / 1e9;
        if (Number.isNaN(t0)) t0 = ts;
        out.line(packetLine(p, dec, ts - t0, prefixes));
      }
      return true;
    }, { afterChunk: () => out.flush(), blocking: true });
  } finally {
    // What was decoded before a broken record is still printed.
    await out.end();
  }
}
