/**
 * `nat64scope live -i IFACE [-i IFACE2 ...]`: capture with libpcap (the cap package), decode and
 * run the engines as packets arrive; print `packets`-style lines (with what the engine made of
 * each packet) or NDJSON; write what was captured (-w) and what the engine emitted
 * (--write-translated). Stops on -c, --duration, SIGINT or SIGTERM, files complete either way.
 */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { newPacket, type CapturedPacket } from '../../src/pcap/packet.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { PacketDecoder } from '../../src/wire/layer-decoder.js';
import { packetJson, packetLine } from '../../src/replay/describe.js';
import { emitComment } from '../../src/replay/translate.js';
import { reasonId, reasonText } from '../../src/diag/reasons.js';
import { LiveCapture, type LivePacket, type LiveStats, type EmittedPacket, type Side } from '../../src/live/session.js';
import { loadCap } from '../../src/live/cap.js';
import { listInterfaces, interfaceLines } from '../../src/live/interfaces.js';
import type { Clock } from '../../src/xlat/types.js';
import { engineOptions, resolveEngineConfig, resolveDns64, repeated, type EngineOptionArgs } from '../engine-options.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { UsageError } from '../errors.js';
import { inputPath } from '../capture.js';
import { BoundedOutput } from '../bounded-output.js';
import { eventLine } from './correlate.js';
import type { CorrelateSummary, CorrelateEvent } from '../../src/replay/correlate.js';
import { filterOptions, compileFilterArg, type FilterArgs } from '../filter-option.js';
import { PacketFacts, packetFlowSelector, type CompiledFilter } from '../../src/filter/index.js';
import { liveView } from '../../src/live/live-view.js';
import { kernelRingNote } from '../../src/live/kernel-ring.js';
import { startFilterPump } from '../../src/replay/view-model.js';
import { writeShown } from '../../src/replay/view-write.js';
import { DISPLAY_FILTERS } from '../../src/ui/display-filter.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';

export interface LiveArgs extends EngineOptionArgs, FilterArgs {
  interface?: string[];
  bpf?: string;
  snaplen?: number;
  count?: number;
  duration?: number;
  bufferSize: number;
  json: boolean;
  print: boolean;
  write?: string;
  writeTranslated?: string;
  force: boolean;
  side: string;
  listInterfaces: boolean;
  ring: number;
  pair?: boolean;
  pairWindow: number;
  pairAll: boolean;
  pairIgnore?: string;
  viewer: boolean;
}

/** Packets the session's ring holds as backlog when the viewer runs. */
const VIEWER_BACKLOG = 524288;

export const command = 'live';
export const describe = 'capture on interfaces with libpcap; translate and show or write on the fly';

export function builder(y: Argv): Argv<LiveArgs> {
  return filterOptions(engineOptions(y), 'with --filter: every packet of a flow (5-tuple, both directions) from its first matching packet on (lines and NDJSON: with the viewer, exit 2)')
    .option('interface', { alias: 'i', type: 'string', requiresArg: true, coerce: repeated, describe: 'interface to capture on (repeatable: both sides of a translator)' })
    .option('bpf', { alias: 'f', type: 'string', requiresArg: true, describe: 'capture filter, pcap-filter(7) syntax, e.g. "ip6 or icmp"' })
    .option('snaplen', { alias: 's', type: 'number', requiresArg: true, describe: 'bytes kept of each packet (1-65535; 0 = 65535, the most the cap binding captures)' })
    .option('count', { alias: 'c', type: 'number', requiresArg: true, describe: 'stop after N packets' })
    .option('duration', { type: 'number', requiresArg: true, describe: 'stop after S seconds' })
    .option('buffer-size', { alias: 'B', type: 'number', default: 256, describe: 'kernel capture buffer per interface, MiB (libpcap runs in immediate mode here: each packet takes a 64-128 KiB slot on interfaces with offloads, so the buffer must be large)' })
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per packet (packets --json keys, plus iface and translation), NDJSON' })
    .option('print', { type: 'boolean', default: false, describe: 'print packet lines even when writing a capture (-w, --write-translated)' })
    .option('write', { alias: 'w', type: 'string', requiresArg: true, describe: 'write what was captured: .pcapng (one interface block per interface) or .pcap by extension, - for stdout' })
    .option('write-translated', { type: 'string', requiresArg: true, describe: 'write what the engine emitted (as translate -w)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace existing output files' })
    .option('side', { type: 'string', choices: ['none', 'v6', 'v4', 'auto'], default: 'auto', describe: 'packets that came out of a real translator are reconstructed into what it received (auto: both families; none: every packet arrives at the engine)' })
    .option('pair', { type: 'boolean', describe: 'pair both sides of a real translator (IPv6 packets = its IPv6 side, IPv4 = its IPv4 side): each packet that came out matched to the one that went in, mismatches against the engine flagged as they happen (default: on with two or more interfaces; --no-pair)' })
    .option('pair-window', { type: 'number', default: 1, describe: 'with pairing: seconds a packet and its translation may be apart' })
    .option('pair-all', { type: 'boolean', default: false, describe: 'with pairing: report every correct pair too, not only problems' })
    .option('pair-ignore', { type: 'string', requiresArg: true, describe: 'with pairing: fields not compared, comma-separated (as correlate --ignore), e.g. ipv4.id,ipv4.df' })
    .option('ring', { type: 'number', default: 131072, describe: 'packets kept in memory: the backlog the engine has not reached yet and, in the viewer, the packets its list keeps (older ones leave the list, counted as gone; -w keeps everything)' })
    .option('viewer', { type: 'boolean', default: true, describe: 'on a terminal (stdin and stdout) without --json or --print: the interactive viewer, following new packets (--no-viewer: lines)' })
    .option('list-interfaces', { alias: 'D', type: 'boolean', default: false, describe: 'list the interfaces with their addresses and link types, then exit' })
    .example('$0 live -i eth0', 'watch translations of what eth0 carries')
    .example('$0 live -i v6side -i v4side -w both.pcapng --duration 60', 'both sides of a translator, one minute, into one pcapng')
    .example('$0 live -i eth0 -f "ip6 net 64:ff9b::/96" --json -c 100', '100 packets to the NAT64 prefix as NDJSON') as unknown as Argv<LiveArgs>;
}

function wholeNumber(name: string, v: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) throw new UsageError(`${name} must be a whole number ${min}-${max === Number.MAX_SAFE_INTEGER ? '' : max}`.replace(/-$/, ' or more') + `, got ${v}`);
  return v;
}

export async function handler(argv: ArgumentsCamelCase<LiveArgs>): Promise<void> {
  if (argv.listInterfaces) {
    const list = listInterfaces(loadCap());
    const lines = argv.json ? list.map((i) => JSON.stringify(i)) : interfaceLines(list);
    process.stdout.write(lines.join('\n') + '\n');
    return;
  }
  const ifaces = argv.interface ?? [];
  if (ifaces.length === 0) throw new UsageError('live needs an interface: -i IFACE (nat64scope live --list-interfaces lists them)');
  const count = wholeNumber('--count', argv.count, 0);
  let snaplen = wholeNumber('--snaplen', argv.snaplen, 0);
  if (snaplen === 0 || (snaplen !== undefined && snaplen > 65535)) snaplen = 65535;
  const duration = argv.duration;
  if (duration !== undefined && !(Number.isFinite(duration) && duration > 0)) throw new UsageError(`--duration must be a number of seconds > 0, got ${argv.duration}`);
  const bufferMiB = argv.bufferSize;
  if (!(Number.isFinite(bufferMiB) && bufferMiB >= 1 && bufferMiB <= 2047)) throw new UsageError(`--buffer-size must be 1-2047 MiB, got ${argv.bufferSize}`);
  const ring = wholeNumber('--ring', argv.ring, 16, 1 << 22) as number;
  const pair = argv.pair ?? ifaces.length >= 2;
  if (!(argv.pairWindow > 0) || !Number.isFinite(argv.pairWindow)) throw new UsageError(`--pair-window must be a number of seconds > 0, got ${argv.pairWindow}`);
  const write = argv.write === undefined ? null : inputPath(argv.write);
  const writeTranslated = argv.writeTranslated === undefined ? null : inputPath(argv.writeTranslated);
  if (write === '-' && process.stdout.isTTY) throw new UsageError('refusing to write a capture to a terminal: redirect stdout, or give -w FILE');
  if (write === '-' && (argv.json || argv.print)) throw new UsageError('-w - writes the capture to stdout: it cannot carry --json or --print lines too');
  if (writeTranslated === '-') throw new UsageError('--write-translated needs a file name');
  const config = resolveEngineConfig(argv);
  const filter = compileFilterArg(argv.filter, { outcome: true, findings: false, command: 'live' });
  let dns64: Dns64Hook | null = null;
  if (config.dns64.enabled) {
    const d = resolveDns64(argv, config);
    if (d.options.prefixes.length) dns64 = new Dns64Hook(d.options, d.zone);
  }

  // On a terminal: the viewer. Otherwise, like tcpdump: writing a capture prints nothing unless
  // asked (--print, --json).
  const viewer = argv.viewer && !argv.json && !argv.print && write !== '-' && Boolean(process.stdout.isTTY) && Boolean(process.stdin.isTTY);
  // The viewer's filter (-Y, then /) selects packet by packet, and can be changed at any time:
  // "whole flows from the first match on" has no meaning there. Said plainly rather than ignored.
  if (viewer && argv.wholeFlows) throw new UsageError('--whole-flows works in lines and NDJSON only: add --no-viewer, --print or --json (the viewer filters packet by packet)');
  const printing = !viewer && (argv.json || argv.print || (write === null && writeTranslated === null));
  const out = printing ? new BoundedOutput(1) : null;
  const capture = await LiveCapture.open({
    interfaces: ifaces,
    filter: argv.bpf ?? '',
    snaplen,
    bufferSize: Math.floor(bufferMiB * 1048576),
    count: count ?? 0,
    duration: duration ?? 0,
    config,
    side: argv.side as Side,
    write,
    writeTranslated,
    force: argv.force,
    dns64,
    // In the viewer, --ring is the list's window and the session's ring is only the backlog (the
    // viewer keeps its own copy): 524288 packets (32 MiB of metadata, the same 64 MiB arena), so
    // that a burst the viewer slows down waits there instead of being dropped.
    ringPackets: viewer ? Math.max(ring, VIEWER_BACKLOG) : ring,
    pair,
    pairWindow: argv.pairWindow,
    // The viewer marks correct pairs too (`=` in the list): it needs every verdict.
    pairAll: viewer || argv.pairAll,
    pairIgnore: argv.pairIgnore ? argv.pairIgnore.split(',').map((x) => x.trim()).filter(Boolean) : [],
  });
  const names = capture.interfaces.map((i) => i.name);
  process.stderr.write(`live: capturing on ${capture.interfaces.map((i) => `${i.name} (${linkName(i.linkType)})`).join(', ')}${argv.bpf ? ` with filter ${JSON.stringify(argv.bpf)}` : ''}; ${viewer ? 'q' : 'Ctrl-C'} stops\n`);
  for (const i of capture.interfaces) {
    const note = kernelRingNote(i.name, i.linkType, Math.floor(bufferMiB * 1048576));
    if (note) process.stderr.write(note + '\n');
  }
  if (viewer) {
    const stats = await runLiveViewer(capture, config, ring, argv.filter ?? null, argv.force);
    process.stderr.write(summaryLine(stats, 0) + pairingText(stats.pairing) + (dns64 ? `; dns64: ${dns64.engine.answered} AAAA/PTR answers, ${dns64.rewrittenCount} rewritten` : '') + '\n');
    return;
  }

  if (out) {
    out.onClosed = () => void capture.stop('output closed');
    const shown = selector(filter, argv.wholeFlows);
    const show = argv.json ? jsonPrinter(out, capture, names, shown) : linePrinter(out, capture, names, shown);
    capture.onPacket = show.packet;
    capture.onTimerEmit = show.timer;
    capture.onPairing = (e) => {
      const ok = argv.json ? out.line(JSON.stringify({ type: e.kind, ...e, kind: undefined })) : out.line(pairingLine(e));
      if (!ok) capture.noteToolDrop();
    };
  } else if (pair) {
    // Writing captures only (no lines): the translator's mistakes still show, on stderr.
    capture.onPairing = (e) => {
      if (e.kind === 'wrong' || e.kind === 'missing' || e.kind === 'unexpected') process.stderr.write(pairingLine(e) + '\n');
    };
  }

  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    signals++;
    if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    void capture.stop(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let stats: LiveStats;
  try {
    stats = await capture.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (out) {
    if (argv.json) out.line(JSON.stringify(summaryJson(stats, out.dropped)));
    await out.end();
  }
  process.stderr.write(summaryLine(stats, out?.dropped ?? 0) + pairingText(stats.pairing) + (dns64 ? `; dns64: ${dns64.engine.answered} AAAA/PTR answers, ${dns64.rewrittenCount} rewritten` : '') + '\n');
}

/**
 * The viewer fed live (src/live/live-view.ts): follows new packets until the user scrolls (G /
 * End resume), rate and drops in the status bar; q, Ctrl-C, SIGINT, SIGTERM or SIGHUP stop the
 * capture, finalise the files and restore the terminal. -c / --duration stop capturing and keep
 * the viewer open.
 */
async function runLiveViewer(capture: LiveCapture, config: EngineConfig, ring: number, filterText: string | null, force: boolean): Promise<LiveStats> {
  // As `view`: React's production build, and interactive whatever CI says (stdin and stdout are a terminal).
  process.env.NODE_ENV ??= 'production';
  for (const k of ['CI', 'CONTINUOUS_INTEGRATION']) if (k in process.env) process.env[k] = 'false';
  const lv = liveView(capture, { config, windowPackets: ring });
  const model = lv.model;
  if (filterText) model.setFilter(DISPLAY_FILTERS.compile(filterText, model), filterText);
  const stopPump = startFilterPump(model);
  let quit: () => void = () => undefined;
  const quitting = new Promise<void>((r) => {
    quit = r;
  });
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) process.exit(sig === 'SIGINT' ? 130 : 143);
    void capture.stop(sig);
    // The files are finalised first, then the viewer closes.
    void capture.done.finally(quit);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  const { runViewer } = await import('../../src/ui/run-viewer.js');
  try {
    await runViewer(
      {
        model,
        follow: true,
        filter: DISPLAY_FILTERS,
        initialFilter: filterText ?? undefined,
        write: async (what, path) => (await writeShown(model, what, path, { force })).message,
        onQuit: () => void capture.stop('q'),
      },
      { status: lv.status, exitOnSignal: false, stopWhen: quitting },
    );
    void capture.stop('q');
    return await capture.done;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    stopPump();
    model.close();
  }
}

function linkName(lt: number): string {
  switch (lt) {
    case LinkType.ETHERNET: return 'ethernet';
    case LinkType.RAW: return 'raw IP';
    case LinkType.LINUX_SLL: return 'linux-sll';
    case LinkType.NULL: return 'null';
    default: return `linktype ${lt}`;
  }
}

/** Display filter (`-Y`): which packets are printed (all are captured, written and translated). */
type Shown = (p: LivePacket, dec: PacketDecoder) => boolean;

function selector(filter: CompiledFilter | null, wholeFlows: boolean): Shown {
  if (!filter) return () => true;
  const facts = new PacketFacts();
  const flows = wholeFlows ? packetFlowSelector(filter) : null;
  return (lp, dec) => {
    facts.fill(lp.packet, dec);
    facts.verdict = lp.verdict;
    facts.reason = lp.reason ? reasonId(lp.reason) : null;
    return flows ? flows.streaming(facts) : filter.matchesPacket(facts);
  };
}

interface Printer {
  packet: (p: LivePacket) => void;
  timer: (e: EmittedPacket, ts: Clock) => void;
}

const KIND_NAMES = ['translated', 'hairpinned', 'generated', 'generated by a timer', 'reconstructed'];

/** A CapturedPacket view of an emitted IP packet, for the describe functions. */
function emittedPacket(e: EmittedPacket, into: CapturedPacket, ts: Clock, number: number): CapturedPacket {
  into.data = e.bytes;
  into.offset = e.off;
  into.caplen = e.len;
  into.origLen = e.len;
  into.tsSec = ts.sec;
  into.tsNsec = ts.nsec;
  into.linkType = e.family === 4 ? LinkType.IPV4 : LinkType.IPV6;
  into.number = number;
  return into;
}

function linePrinter(out: BoundedOutput, capture: LiveCapture, names: string[], shown: Shown): Printer {
  const dec = new PacketDecoder();
  const edec = new PacketDecoder();
  const ep = newPacket();
  const multi = names.length > 1;
  let t0 = NaN;
  const emittedLines = (e: EmittedPacket, ts: Clock, rel: number): string => {
    const q = emittedPacket(e, ep, ts, 0);
    edec.decode(q.data, q.offset, q.caplen, q.linkType);
    // packetLine's first two columns are the number (5) and the time (11): replaced by the arrow.
    return `      ↳ ${KIND_NAMES[e.kind] ?? 'emitted'}: ${packetLine(q, edec, rel).slice(18)}`;
  };
  return {
    packet: (lp) => {
      const p = lp.packet;
      const ts = p.tsSec + p.tsNsec / 1e9;
      if (Number.isNaN(t0)) t0 = ts;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (!shown(lp, dec)) return;
      let line = packetLine(p, dec, ts - t0);
      if (multi) line = line.slice(0, 18) + `${lp.iface} ` + line.slice(18);
      if (!out.line(line)) {
        capture.noteToolDrop();
        return;
      }
      const clock = { sec: p.tsSec, nsec: p.tsNsec };
      for (let k = 0; k < lp.emittedCount; k++) out.line(emittedLines(lp.emitted[k], clock, ts - t0));
      if (lp.dns64 && lp.dns64.action === 'rewritten') out.line(`      ↳ dns64: ${lp.dns64.reason} (${lp.dns64.detail})`);
      if (lp.reason && lp.verdict !== 'translated' && lp.verdict !== 'reconstructed' && lp.verdict !== 'hairpinned') {
        out.line(`      ↳ ${lp.verdict === 'held' ? 'held' : 'dropped'}: ${reasonId(lp.reason)} (${reasonText(lp.reason)})`);
      }
    },
    timer: (e, ts) => {
      const rel = Number.isNaN(t0) ? 0 : ts.sec + ts.nsec / 1e9 - t0;
      if (!out.line(emittedLines(e, ts, rel))) capture.noteToolDrop();
    },
  };
}

function jsonPrinter(out: BoundedOutput, capture: LiveCapture, _names: string[], shown: Shown): Printer {
  const dec = new PacketDecoder();
  const edec = new PacketDecoder();
  const ep = newPacket();
  const emittedJson = (e: EmittedPacket, ts: Clock): Record<string, unknown> => {
    const q = emittedPacket(e, ep, ts, 0);
    edec.decode(q.data, q.offset, q.caplen, q.linkType);
    const o = packetJson(q, edec);
    delete o.n;
    return { kind: KIND_NAMES[e.kind] ?? 'emitted', about: e.about >= 0 ? e.about : null, comment: emitComment(e.kind, e.about, e.bytes, e.off, e.family), ...o };
  };
  return {
    packet: (lp) => {
      const p = lp.packet;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (!shown(lp, dec)) return;
      const o = packetJson(p, dec);
      o.iface = lp.iface;
      const clock = { sec: p.tsSec, nsec: p.tsNsec };
      const packets: Record<string, unknown>[] = [];
      for (let k = 0; k < lp.emittedCount; k++) packets.push(emittedJson(lp.emitted[k], clock));
      o.translation = {
        verdict: lp.verdict,
        reason: lp.reason ? reasonId(lp.reason) : null,
        detail: lp.reason ? reasonText(lp.reason) : null,
        packets,
      };
      if (lp.dns64) (o.translation as Record<string, unknown>).dns64 = lp.dns64;
      if (!out.line(JSON.stringify(o))) capture.noteToolDrop();
    },
    timer: (e, ts) => {
      if (!out.line(JSON.stringify({ type: 'timer', ts: ts.sec + ts.nsec / 1e9, packet: emittedJson(e, ts) }))) capture.noteToolDrop();
    },
  };
}

function summaryJson(s: LiveStats, notPrinted: number): Record<string, unknown> {
  const drops: Record<string, number> = {};
  for (const [r, c] of s.drops) drops[reasonId(r)] = c;
  return {
    type: 'summary',
    interfaces: s.interfaces,
    captured: s.captured,
    capturedPerInterface: Object.fromEntries(s.interfaces.map((n, i) => [n, s.capturedPerInterface[i]])),
    bytes: s.bytes,
    seconds: Number(s.seconds.toFixed(3)),
    stoppedBy: s.stoppedBy,
    packetsOut: s.packetsOut,
    translated: s.translated,
    hairpinned: s.hairpinned,
    reconstructed: s.reconstructed,
    generated: s.generated,
    dropped: s.dropped,
    drops,
    kernelDrops: s.kernelDrops,
    kernelDropsUnavailable: s.kernelDropsUnavailable,
    toolDrops: s.toolDrops,
    notPrinted,
    truncated: s.truncated,
    pairing: s.pairing,
  };
}

function pairingLine(e: CorrelateEvent): string {
  const mark = e.kind === 'correct' || e.kind === 'dropped' ? ' ' : '!';
  return eventLine(e).split('\n').map((l, i) => (i === 0 ? `  ${mark} pairing: ${l}` : `    ${l}`)).join('\n');
}

/** `; pairing: ...` for the summary line (empty without pairing). */
function pairingText(p: CorrelateSummary | null): string {
  if (!p) return '';
  const lat = p.latency.count ? `, latency p50 ${(p.latency.p50 * 1000).toFixed(3)} ms` : '';
  return `; pairing: ${p.correct} correct, ${p.wrong} wrong, ${p.missing} never translated, ${p.unexpected} from nowhere (${p.inputs.v6 + p.inputs.v4} in, ${p.outputs.v6 + p.outputs.v4} out${lat})`;
}

/** The final line on stderr: what was captured, what the engine did, and every loss. */
export function summaryLine(s: LiveStats, notPrinted: number): string {
  const per = s.interfaces.length > 1 ? ` (${s.interfaces.map((n, i) => `${n} ${s.capturedPerInterface[i]}`).join(', ')})` : ` on ${s.interfaces[0]}`;
  const by = [...s.drops.entries()].sort((a, b) => b[1] - a[1]).map(([r, c]) => `${c} ${reasonId(r)}`);
  const engine = `${s.packetsOut} out (${s.reconstructed ? `${s.reconstructed} reconstructed, ` : ''}${s.translated} translated, ${s.hairpinned} hairpinned, ${s.generated} generated)${s.dropped ? `, ${s.dropped} dropped: ${by.join(', ')}` : ''}`;
  const kernel = s.kernelDrops === null ? `kernel drops unknown (${s.kernelDropsUnavailable ?? 'no counter'})` : `${s.kernelDrops} dropped by the kernel`;
  const tool = `${s.toolDrops} dropped by nat64scope${notPrinted ? ` (${notPrinted} lines not printed: output too slow)` : ''}`;
  const cut = s.truncated ? `, ${s.truncated} cut to the snaplen` : '';
  return `live: ${s.captured} packets captured${per} in ${s.seconds.toFixed(1)} s${cut}; ${kernel}; ${tool}; engine: ${engine}`;
}
