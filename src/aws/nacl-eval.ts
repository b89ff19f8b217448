/**
 * Network ACL evaluation as AWS does it: the entries of one direction in ascending RuleNumber
 * order, the first that matches decides; nothing matching is a deny (the `*` rule, printed as
 * 32767 / 32768). NACLs are stateless, so return traffic is a flow of its own.
 */
import type { NetworkAcl, NetworkAclEntry } from './types.js';
import { cidrContains, parseCidr, type Cidr } from './cidr.js';

export interface NaclFlow {
  /** true: leaving the subnet (outbound rules); false: entering it. */
  egress: boolean;
  /** The far end's addresses (destination of egress, source of ingress). */
  remote: Cidr;
  /** IP protocol number: 6 tcp, 17 udp, 58 icmpv6, 1 icmp. */
  protocol: number;
  /** Port range (tcp/udp): the local or remote port the rule's PortRange applies to. */
  ports?: [number, number];
  /** ICMP type (icmp/icmpv6). */
  icmpType?: number;
}

export interface NaclVerdict {
  /** Port ranges (or [0,0] for ICMP) that pass. */
  allowed: [number, number][];
  /** Ranges that are denied, with the deciding rule number (null: nothing matched). */
  denied: { rule: number | null; range: [number, number] }[];
}

/** Entries of one direction in the order AWS evaluates them. */
export function orderedEntries(acl: NetworkAcl, egress: boolean): NetworkAclEntry[] {
  return (acl.Entries ?? []).filter((e) => (e.Egress === true) === egress).sort((a, b) => (a.RuleNumber ?? 0) - (b.RuleNumber ?? 0));
}

function entryMatches(e: NetworkAclEntry, flow: NaclFlow, port: number): boolean {
  const c = parseCidr(flow.remote.family === 6 ? e.Ipv6CidrBlock : e.CidrBlock);
  if (!c || !cidrContains(c, flow.remote)) return false;
  const proto = e.Protocol === undefined ? -1 : Number(e.Protocol);
  if (proto !== -1 && proto !== flow.protocol) return false;
  if (proto === -1) return true;
  if (flow.protocol === 6 || flow.protocol === 17) {
    const from = e.PortRange?.From ?? 0;
    const to = e.PortRange?.To ?? 65535;
    return port >= from && port <= to;
  }
  if (flow.protocol === 58 || flow.protocol === 1) {
    const t = e.IcmpTypeCode?.Type ?? -1;
    return t === -1 || t === flow.icmpType;
  }
  return true;
}

/** First-match verdict over the flow's port range (or ICMP type). */
export function evaluateNacl(acl: NetworkAcl, flow: NaclFlow): NaclVerdict {
  const entries = orderedEntries(acl, flow.egress);
  const [lo, hi] = flow.ports ?? [0, 0];
  // Segment the range at every entry boundary, decide each segment once.
  const cuts = new Set<number>([lo, hi + 1]);
  for (const e of entries) {
    if (e.PortRange) {
      const f = e.PortRange.From ?? 0;
      const t = (e.PortRange.To ?? 65535) + 1;
      if (f > lo && f <= hi) cuts.add(f);
      if (t > lo && t <= hi) cuts.add(t);
    }
  }
  const points = [...cuts].sort((a, b) => a - b);
  const v: NaclVerdict = { allowed: [], denied: [] };
  for (let i = 0; i + 1 < points.length; i++) {
    const a = points[i];
    const b = points[i + 1] - 1;
    const e = entries.find((x) => entryMatches(x, flow, a));
    if (e && e.RuleAction === 'allow') push(v.allowed, [a, b]);
    else {
      const rule = e ? e.RuleNumber ?? null : null;
      const last = v.denied[v.denied.length - 1];
      if (last && last.rule === rule && last.range[1] + 1 === a) last.range[1] = b;
      else v.denied.push({ rule, range: [a, b] });
    }
  }
  return v;
}

function push(list: [number, number][], r: [number, number]): void {
  const last = list[list.length - 1];
  if (last && last[1] + 1 === r[0]) last[1] = r[1];
  else list.push(r);
}

/** Ports of [lo,hi] that the verdict allows. */
export function allowedCount(v: NaclVerdict, lo: number, hi: number): number {
  let n = 0;
  for (const [a, b] of v.allowed) n += Math.max(0, Math.min(b, hi) - Math.max(a, lo) + 1);
  return n;
}

/** `rule 100`, `the default rule (*)` */
export function ruleName(rule: number | null): string {
  if (rule === null || rule >= 32767) return 'the default * rule';
  return `rule ${rule}`;
}

/** A free rule number below `before` in that direction, for a fix (multiples of 10 first). */
export function freeRuleNumber(acl: NetworkAcl, egress: boolean, before: number | null, taken: ReadonlySet<number> = new Set()): number {
  const used = new Set<number | undefined>([...orderedEntries(acl, egress).map((e) => e.RuleNumber), ...taken]);
  const limit = before === null || before >= 32767 ? 32766 : before - 1;
  // Right after the last entry that comes before the blocking one, when a round number fits there.
  const below = [...used].filter((n): n is number => n !== undefined && n <= limit);
  const after = (below.length ? Math.max(...below) : 0) + 10 - ((below.length ? Math.max(...below) : 0) % 10);
  if (after <= limit && !used.has(after)) return after;
  for (let n = Math.floor(limit / 10) * 10; n >= 10; n -= 10) if (!used.has(n)) return n;
  for (let n = limit; n >= 1; n--) if (!used.has(n)) return n;
  return Math.max(1, limit);
}

export function rangeText([a, b]: [number, number]): string {
  return a === b ? String(a) : `${a}-${b}`;
}
