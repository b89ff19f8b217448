/**
 * What a diagnosis rule is and what it sees. One rule per file in this directory, each exporting
 * a {@link RuleDef}: a stable id, a severity, a title, a fix and an AWS fix (the text the report and
 * the README print), and `create()`, which returns the per-capture state with up to three hooks:
 *
 * - `packet(pc, ctx)`: every decoded packet (only rules that need it define it; keep it to a few
 *   comparisons, it is on the hot path);
 * - `flow(f, ctx)`: a flow left the flow table (idle, closed, or the end of the capture);
 * - `finish(ctx)`: the end of the capture; returns the findings.
 */
import type { EngineConfig } from '../../xlat/config-types.js';
import type { Finding, Severity } from '../finding.js';
import type { Flow } from '../flows.js';
import type { PacketDecoder } from '../../wire/layer-decoder.js';
import type { DnsTracker } from '../dns-tracker.js';
import type { ChecksumTotals } from '../checksums.js';
import type { Prefix6 } from '../../xlat/rfc6052.js';

export interface RuleDef {
  id: string;
  severity: Severity;
  title: string;
  /** One paragraph: what the finding means (README). */
  means: string;
  fix: string;
  awsFix: string;
  create(): RuleState;
}

/**
 * What a packet is, as bits (PacketContext.kinds): a rule's `on` lists the kinds its packet hook
 * can act on, and the analyzer skips the hook for any other packet (the hook must do nothing for
 * those: it is an optimisation, never a change of result).
 */
export const PacketKind = {
  /** An IPv6 packet (either side of the translator). */
  V6: 1,
  /** An IPv4 or IPv6 fragment. */
  Fragment: 2,
  /** ICMP or ICMPv6 (the captured packet's own layer 4). */
  Icmp: 4,
  /** The first packet of a new flow. */
  NewFlow: 8,
  /** The engine hairpinned it. */
  Hairpinned: 16,
} as const;

export interface RuleState {
  /** Bits of {@link PacketKind}: `packet` is called only for packets of one of these kinds (every packet when absent). */
  on?: number;
  packet?(pc: PacketContext, ctx: RuleContext): void;
  flow?(f: Flow, ctx: RuleContext): void;
  finish(ctx: RuleContext): Finding[];
}

/** A prefix the capture showed (or the configuration gave), and where it was learned. */
export interface LearnedPrefix {
  prefix: Prefix6;
  text: string;
  source: 'config' | 'rfc7050' | 'pref64' | 'dns64-synthesis' | 'traffic';
  /** The packet that showed it first (0 for config). */
  packet: number;
}

/**
 * The header fields of a packet analyze reads for flow keys and DNS endpoints: what
 * {@link PacketDecoder} gives, and what src/replay/analyze.ts reads from the engine's output for a plain counterpart.
 */
export interface PacketTuple {
  /** 0 = none. */
  ipVersion: number;
  bytes: Uint8Array;
  srcOff: number;
  dstOff: number;
  proto: number;
  l4: number;
  sport: number;
  dport: number;
  icmpType: number;
  innerVersion: number;
}

/** Per packet, as the analyzer decoded it (valid during the `packet` hook only). */
export interface PacketContext {
  n: number;
  ts: number;
  /** The captured packet. */
  d: PacketDecoder;
  /**
   * Its counterpart on the other side of the translator (translation or reconstruction), decoded
   * — only when that is not a plain TCP, UDP or ICMP echo packet (ICMP errors above all); null
   * otherwise. Whether there is a counterpart at all: `t`.
   */
  c: PacketDecoder | null;
  /** The counterpart's addresses, ports and ICMP fields (`c` when it was decoded), or null when none. */
  t: PacketTuple | null;
  /** The packet came out of the translator (it was reconstructed). */
  fromTranslator: boolean;
  /** The engine's drop reason for it (0 = none). */
  drop: number;
  /** Bit set of EmitKind values the engine emitted for it. */
  emitted: number;
  /** Its flow (null for ICMP errors, ND, non-first fragments), and for ICMP errors the quoted flow. */
  flow: Flow | null;
  errorFlow: Flow | null;
  /** The capture's link MTU guess for oversized-frame detection (1500 + link header). */
  linkType: number;
  caplen: number;
  origLen: number;
  /** Bits of {@link PacketKind}. */
  kinds: number;
}

export interface RuleContext {
  config: EngineConfig;
  /** The profile is aws: findings carry awsFix. */
  aws: boolean;
  dns: DnsTracker;
  checksums: ChecksumTotals;
  /** NAT64 prefixes known: pool6, the well-known and local-use prefixes, learned ones. */
  prefixes: LearnedPrefix[];
  /** True when the IPv6 address at b[off] is under pool6, a learned prefix, or 64:ff9b::/96. */
  inNat64Prefix(b: Uint8Array, off: number): boolean;
  /** The engine's drops: count and sample packets per reason code. */
  drops: Map<number, { count: number; packets: number[] }>;
  /** IPv4 addresses of the translator itself (pool4, translator.ipv4). */
  ownIpv4(a: number): boolean;
  /** The IPv4 address embedded in the IPv6 address at b[off] (under a known prefix), or -1. */
  embedded4(b: Uint8Array, off: number): number;
}

/** Helper: a finding for `def`, awsFix attached when the profile is aws. */
export function finding(def: RuleDef, ctx: RuleContext, flow: Flow | null, packets: number[], detail: string, severity?: Severity): Finding {
  const f: Finding = {
    id: def.id,
    severity: severity ?? def.severity,
    flow: flow ? flow.keyText() : null,
    packets: uniqueSorted(packets).slice(0, 24),
    title: def.title,
    detail,
    fix: def.fix,
  };
  if (ctx.aws) f.awsFix = def.awsFix;
  if (flow) (flow.findings ??= []).includes(def.id) || flow.findings.push(def.id);
  return f;
}

export function uniqueSorted(xs: number[]): number[] {
  return [...new Set(xs)].sort((a, b) => a - b);
}

/** "packets 3, 5 and 9" */
export function packetList(xs: number[], max = 8): string {
  const u = uniqueSorted(xs);
  if (u.length === 0) return 'no packet';
  const shown = u.slice(0, max).map((n) => `#${n}`);
  const more = u.length > max ? ` and ${u.length - max} more` : '';
  if (shown.length === 1) return `packet ${shown[0]}`;
  return `packets ${shown.slice(0, -1).join(', ')}${more ? ', ' + shown[shown.length - 1] + more : ' and ' + shown[shown.length - 1]}`;
}

/** Flows named in a finding that covers several: "tcp [a]:1 > [b]:2 (and 3 more)". */
export function flowsText(flows: Flow[], max = 3): string {
  const shown = flows.slice(0, max).map((f) => (f.name ? `${f.keyText()} (${f.name})` : f.keyText()));
  return shown.join('; ') + (flows.length > max ? `; and ${flows.length - max} more` : '');
}
