/**
 * The viewer in live mode (`live` on a terminal): a {@link CaptureModel} fed by a
 * {@link LiveCapture} as packets go through its engine, and the live figures for the status bar.
 *
 * - The model shares the session's engine (its NAT64 tables feed the sessions pane) and is given
 *   each packet's outcome (`ingestProcessed`): the engine runs once per packet, with DNS64 and
 *   `--side` as the lines and NDJSON show them.
 * - Bounded: the model keeps a window of recent packets (`window`, circular spools); older rows
 *   leave the list and are counted in the status bar (`N older gone`), -w keeps everything.
 * - Pairing (two sides of a translator): every problem (`wrong`, `missing`, `unexpected`) becomes
 *   a finding (`pair-wrong` ...) that marks its packets `!` in the list and is listed in the
 *   findings pane (d; n/N step through its packets). Every verdict, correct pairs too, also marks
 *   both packets in the list's pairing column (`=` paired as the engine translates, `!` wrong,
 *   missing or unexpected) and the detail pane names the partner (see {@link pairingLine}).
 * - Several interfaces: the list shows which one each packet came from.
 * - DNS64: the session's decision for each DNS packet goes to the model (the detail pane's DNS64
 *   line, as `view` shows it; one pass, as `translate` on stdin).
 * - Status: `capturing` with the rate, or `stopped (count|duration|q|SIGTERM…)`, then drops,
 *   pairing counts and packets gone (the status bar drops the least useful fields first when
 *   the terminal is narrow).
 */
import type { CaptureModel, ProcessedDns64 } from '../replay/view-model.js';
import { CaptureModel as Model } from '../replay/view-model.js';
import type { EngineConfig } from '../xlat/config-types.js';
import type { CorrelateEvent, PacketRef } from '../replay/correlate.js';
import { formatDiff } from '../replay/fields.js';
import type { Finding } from '../diag/finding.js';
import type { LiveCapture, LiveStats } from './session.js';

export interface LiveViewOptions {
  config: EngineConfig;
  /** Packets the list keeps (default 131072). */
  windowPackets?: number;
  /** Bytes of packets (and of emitted packets) the list keeps, each (default 64 MiB). */
  windowBytes?: number;
  /** Pairing problems kept as findings (more are counted). */
  maxFindings?: number;
}

export interface LiveView {
  model: CaptureModel;
  /** The live part of the status bar: rate, drops, packets gone from the list, state. */
  status: () => string;
  /** Pairing problems not kept as findings (beyond maxFindings). */
  findingsNotKept: () => number;
}

function n(x: number): string {
  return Math.round(x).toLocaleString('en-US');
}

function ref(r: PacketRef): string {
  return `#${r.n} (${r.side === 'v6' ? 'IPv6' : 'IPv4'} side)`;
}

/** A pairing problem as a finding (SPEC §5 keys). */
export function pairingFinding(e: CorrelateEvent): Finding | null {
  switch (e.kind) {
    case 'wrong':
      return {
        id: 'pair-wrong',
        severity: 'error',
        flow: null,
        packets: [e.input.n, e.output.n],
        title: `translated wrongly: ${ref(e.input)} -> ${ref(e.output)}`,
        detail: e.diffs.map((d) => `${formatDiff(d)} [${d.rule}]`).join('; '),
        fix: 'the translator departs from the engine here: check its configuration (prefix, EAM, profile) against the one given to live',
      };
    case 'missing':
      return {
        id: 'pair-missing',
        severity: 'error',
        flow: null,
        packets: [e.input.n],
        title: `never translated: ${ref(e.input)}, no ${e.expected === 'icmp-error' ? 'ICMP error' : e.expected === 'hairpin' ? 'hairpinned packet' : 'translation'} came out`,
        detail: `${e.reason}: ${e.detail}`,
        fix: 'the translator dropped a packet the engine translates: see the reason',
      };
    case 'unexpected':
      return {
        id: 'pair-unexpected',
        severity: 'warning',
        flow: null,
        packets: [e.output.n],
        title: `from nowhere: ${ref(e.output)}`,
        detail: e.detail,
        fix: 'no packet on the other side explains it: capture both sides of the translator, or widen --pair-window',
      };
    default:
      return null;
  }
}

/** Marks both packets of a pairing verdict in the model (the list's pairing column, the detail pane). */
export function markPairing(model: CaptureModel, e: CorrelateEvent): void {
  switch (e.kind) {
    case 'correct':
    case 'wrong': {
      const k = e.kind === 'correct' ? 'ok' : 'wrong';
      model.setPairing(e.input.n - 1, k, e.output.n);
      model.setPairing(e.output.n - 1, k, e.input.n);
      break;
    }
    case 'missing':
      model.setPairing(e.input.n - 1, 'missing', 0);
      break;
    case 'unexpected':
      model.setPairing(e.output.n - 1, 'unexpected', 0);
      break;
    default:
      break;
  }
}

/** Wires `capture` to a new model; call before packets flow (right after LiveCapture.open). */
export function liveView(capture: LiveCapture, opts: LiveViewOptions): LiveView {
  const names = capture.interfaces.map((i) => i.name);
  const model = new Model({
    name: `live ${names.join('+')}`,
    config: opts.config,
    store: 'spool',
    engine: capture.engine,
    window: { packets: opts.windowPackets ?? 131072, bytes: opts.windowBytes ?? 64 << 20 },
    interfaces: names,
  });
  model.setFindings([], 'ready');
  const maxFindings = opts.maxFindings ?? 1000;
  let notKept = 0;
  let stopped: LiveStats | null = null;
  const dns64: ProcessedDns64 = { verdict: { action: 'passed', reason: '', detail: '' }, result: null, swapped: null, family: 6 };
  capture.onPacket = (lp) => {
    if (lp.dns64 && lp.ipVersion !== 0) {
      dns64.verdict = lp.dns64;
      dns64.result = lp.dns64Result;
      dns64.swapped = lp.dns64Packet;
      dns64.family = lp.ipVersion;
      model.ingestProcessed(lp.packet, lp.reason, lp.emitted, lp.emittedCount, dns64);
    } else model.ingestProcessed(lp.packet, lp.reason, lp.emitted, lp.emittedCount);
  };
  capture.onTimerEmit = (e) => model.recordEmit(e.bytes, e.off, e.len, e.family, e.kind, e.about);
  capture.onPairing = (e) => {
    markPairing(model, e);
    const f = pairingFinding(e);
    if (!f) return;
    if (model.findings.length >= maxFindings) notKept++;
    else model.addFinding(f);
  };
  void capture.done.then(
    (s) => {
      stopped = s;
      model.finish();
    },
    (err: unknown) => model.fail(err instanceof Error ? err.message : String(err)),
  );
  const status = (): string => {
    const s = stopped ?? capture.stats();
    const parts = [stopped ? `stopped (${s.stoppedBy ?? 'stop'})` : `capturing ${n(s.rate)} pkts/s`];
    parts.push(s.kernelDrops === null ? 'kernel drops ?' : `kernel drops ${n(s.kernelDrops)}`);
    parts.push(`tool drops ${n(s.toolDrops)}`);
    if (s.pairing) parts.push(`pairs ${n(s.pairing.correct)} ok ${n(s.pairing.wrong)} wrong ${n(s.pairing.missing)} missing`);
    const gone = model.evicted();
    if (gone) parts.push(`${n(gone)} older gone`);
    if (notKept) parts.push(`${n(notKept)} findings not kept`);
    return parts.join(' │ ');
  };
  return { model, status, findingsNotKept: () => notKept };
}
