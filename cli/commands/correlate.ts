/**
 * `nat64scope correlate <v6-side> <v4-side>`: check a real translator from captures taken on both
 * of its sides (src/replay/correlate.ts does the work).
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { mergeCaptures } from '../../src/replay/merge.js';
import { Correlator, type CorrelateEvent, type CorrelateSummary, type PacketRef } from '../../src/replay/correlate.js';
import { formatDiff } from '../../src/replay/fields.js';
import { LinkLocator } from '../../src/wire/link.js';
import { engineOptions, resolveEngineConfig, type EngineOptionArgs } from '../engine-options.js';
import { inputPath, warn } from '../capture.js';
import { LineOutput } from '../output.js';
import { UsageError, setFound } from '../errors.js';
import { configToJson } from '../../src/xlat/config.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { PacketFacts } from '../../src/filter/index.js';
import { compileFilterArg } from '../filter-option.js';

export interface CorrelateArgs extends EngineOptionArgs {
  v6: string;
  v4: string;
  window: number;
  offset: number;
  ignore?: string;
  json: boolean;
  all: boolean;
  filter?: string;
}

export const command = 'correlate <v6> <v4>';
export const describe = 'check a real translator from captures taken on both sides: every packet paired with its translation';

export function builder(y: Argv): Argv<CorrelateArgs> {
  return engineOptions(y
    .positional('v6', { type: 'string', describe: 'capture taken on the IPv6 side of the translator', demandOption: true })
    .positional('v4', { type: 'string', describe: 'capture taken on the IPv4 side of the translator', demandOption: true }))
    .option('window', { type: 'number', default: 1, describe: 'seconds a packet and its translation may be apart (latency + clock skew between the captures)' })
    .option('offset', { type: 'number', default: 0, describe: 'seconds to add to the IPv4 capture\'s timestamps (a known clock offset)' })
    .option('ignore', { type: 'string', requiresArg: true, describe: 'fields not to compare, comma-separated: ipv4.id,ipv6.flow, a layer (inner), a glob (*.checksum)' })
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON: one object per event, then {"type":"summary",...}' })
    .option('all', { type: 'boolean', default: false, describe: 'also report every correct pair and every packet the engine drops too' })
    .option('filter', { alias: 'Y', type: 'string', requiresArg: true, describe: 'report only the events whose packets match a display filter (every packet is still correlated), e.g. \'udp and dport == 53\'' })
    .example('$0 correlate inside.pcap outside.pcap --profile tayga --eam 2001:db8:6::10=192.0.2.10', 'a TAYGA box captured on its two interfaces')
    .example('$0 correlate v6.pcapng v4.pcapng --pool4 198.51.100.1#1024-65535 --json', 'a stateful NAT64, machine-readable') as unknown as Argv<CorrelateArgs>;
}

function ref(r: PacketRef): string {
  return `${r.side} #${r.n}`;
}

function ms(s: number): string {
  const v = s * 1000;
  return `${v >= 0 ? '+' : ''}${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)} ms`;
}

export function eventLine(e: CorrelateEvent): string {
  switch (e.kind) {
    case 'correct':
      return `correct    ${ref(e.input)} -> ${ref(e.output)}  ${ms(e.latency)}${e.departures.length ? `  (allowed by the profile: ${e.departures.join(', ')})` : ''}`;
    case 'wrong':
      return `wrong      ${ref(e.input)} -> ${ref(e.output)}  ${ms(e.latency)}\n${e.diffs.map((d) => `             ${formatDiff(d)}  [${d.rule}]`).join('\n')}`;
    case 'missing':
      return `missing    ${ref(e.input)}: no ${e.expected === 'icmp-error' ? 'ICMP error' : e.expected === 'hairpin' ? 'hairpinned packet' : 'translation'} came out (${e.reason}): ${e.detail}`;
    case 'unexpected':
      return `unexpected ${ref(e.output)}: from nowhere: ${e.detail}`;
    case 'dropped':
      return `dropped    ${ref(e.input)}: the engine drops it too (${e.reason})`;
  }
}

function top(o: Record<string, number>): string {
  return Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`).join(', ');
}

export function summaryLines(s: CorrelateSummary): string[] {
  const lat = s.latency;
  const out = [
    `correlate: ${s.packets.v6} packets on the IPv6 side (${s.inputs.v6} in, ${s.outputs.v6} out), ${s.packets.v4} on the IPv4 side (${s.inputs.v4} in, ${s.outputs.v4} out)${s.ignored ? `, ${s.ignored} ignored (other family or not IP)` : ''}`,
    `  ${s.correct} correct, ${s.wrong} wrong, ${s.missing} never translated, ${s.unexpected} from nowhere`,
  ];
  if (lat.count) out.push(`  latency (output - input, ${lat.count} pairs): min ${ms(lat.min)}, p50 ${ms(lat.p50)}, p90 ${ms(lat.p90)}, p99 ${ms(lat.p99)}, max ${ms(lat.max)}`);
  if (s.wrong) out.push(`  wrong fields: ${top(s.wrongFields)}`);
  if (s.missing) out.push(`  never translated, likely reasons: ${top(s.missingReasons)}`);
  if (Object.keys(s.departures).length) out.push(`  departures the profile allows: ${top(s.departures)}`);
  if (Object.keys(s.droppedByEngine).length) out.push(`  dropped by the engine too (nothing expected): ${top(s.droppedByEngine)}`);
  if (s.learntBindings) out.push(`  NAT64 bindings learnt from the capture (the translator chose another pool4 address or port than the engine): ${s.learntBindings}`);
  if (lat.min < 0) out.push(`  note: some outputs are stamped before their input: the two captures' clocks differ by at least ${ms(-lat.min)} (--offset corrects a known offset)`);
  return out;
}

export async function handler(argv: ArgumentsCamelCase<CorrelateArgs>): Promise<void> {
  if (!(argv.window > 0) || !Number.isFinite(argv.window)) throw new UsageError(`--window must be a number of seconds > 0, got ${argv.window}`);
  if (!Number.isFinite(argv.offset)) throw new UsageError(`--offset must be a number of seconds, got ${argv.offset}`);
  const v6 = inputPath(argv.v6);
  const v4 = inputPath(argv.v4);
  if (v6 === '-' && v4 === '-') throw new UsageError('only one of the two captures can be stdin');
  const config = resolveEngineConfig(argv);
  const out = new LineOutput();
  const ignore = argv.ignore ? argv.ignore.split(',').map((s) => s.trim()).filter(Boolean) : [];
  // --filter: every packet is still correlated (the pairing needs them all); an event is reported,
  // and counts for the exit code, when the filter matches one of its packets as captured.
  const filter = compileFilterArg(argv.filter, { outcome: false, findings: false, command: 'correlate (the filter reads the captured packets)' });
  const dec = filter ? new PacketDecoder() : null;
  const facts = new PacketFacts();
  const chosen = [new MatchSet(), new MatchSet()];
  const picked = (r: PacketRef): boolean => chosen[r.side === 'v6' ? 0 : 1].has(r.n);
  const selects = (e: CorrelateEvent): boolean => {
    if (!filter) return true;
    if (e.kind === 'unexpected') return picked(e.output);
    if (e.kind === 'correct' || e.kind === 'wrong') return picked(e.input) || picked(e.output);
    return picked(e.input);
  };
  let bad = 0;
  let problems = 0;
  const c = new Correlator({ config, window: argv.window, ignore, allEvents: argv.all }, (e) => {
    const problem = e.kind === 'wrong' || e.kind === 'missing' || e.kind === 'unexpected';
    if (problem) problems++;
    if (!selects(e)) return;
    if (problem) bad++;
    if (argv.json) out.line(JSON.stringify({ type: e.kind, ...e, kind: undefined }));
    else out.line(eventLine(e));
  });
  const loc = [new LinkLocator(), new LinkLocator()];
  const sides = ['v6', 'v4'] as const;
  const counts = [0, 0];
  const names = [v6 === '-' ? 'stdin' : v6, v4 === '-' ? 'stdin' : v4];
  const summaries = await mergeCaptures(v6, v4, (i, p) => {
    const n = ++counts[i];
    if (filter && dec) {
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (filter.matchesPacket(facts.fill(p, dec))) chosen[i].add(n);
    }
    const l = loc[i];
    const v = l.locate(p.data, p.offset, p.caplen, p.linkType);
    if (v === 0) {
      // Not IP: counted as ignored by pushing nothing decodable.
      c.push(sides[i], p.data, p.offset, 0, p.tsSec, p.tsNsec, n);
      return;
    }
    let sec = p.tsSec;
    let nsec = p.tsNsec;
    if (i === 1 && argv.offset) {
      const t = sec + nsec / 1e9 + argv.offset;
      sec = Math.floor(t);
      nsec = Math.round((t - sec) * 1e9);
    }
    c.push(sides[i], p.data, l.ipOff, p.caplen - l.linkLen, sec, nsec, n);
  }, { offsets: [0, argv.offset], blocking: true, onWarning: (i, m) => warn(`${m} (${names[i]})`) });
  for (let i = 0; i < 2; i++) {
    if (summaries[i].corrupt) {
      const e = new Error(`capture framing is broken after packet ${summaries[i].packets} (${names[i]})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
  }
  const s = c.finish();
  const sel = filter ? { filter: filter.text, selectedPackets: { v6: chosen[0].size, v4: chosen[1].size }, problemsSelected: bad } : {};
  if (argv.json) {
    out.line(JSON.stringify({ type: 'summary', v6, v4, window: argv.window, offset: argv.offset, config: configToJson(config), ...s, ...sel }));
  } else {
    for (const l of summaryLines(s)) out.line(l);
    if (filter) out.line(`  filter ${filter.text}: ${chosen[0].size} IPv6-side and ${chosen[1].size} IPv4-side packets match; ${bad} of the ${problems} problems concern them (only those were reported, and only they set the exit code)`);
  }
  await out.end();
  if (bad) setFound();
}

/** Packet numbers (1-based, increasing) in a growable bitset: one bit per packet. */
class MatchSet {
  private bits = new Uint8Array(1024);
  size = 0;
  add(n: number): void {
    const i = n >> 3;
    if (i >= this.bits.length) {
      let len = this.bits.length;
      while (len <= i) len *= 2;
      const b = new Uint8Array(len);
      b.set(this.bits);
      this.bits = b;
    }
    if (!(this.bits[i] & (1 << (n & 7)))) this.size++;
    this.bits[i] |= 1 << (n & 7);
  }
  has(n: number): boolean {
    const i = n >> 3;
    return i < this.bits.length && (this.bits[i] & (1 << (n & 7))) !== 0;
  }
}
