/**
 * Field-level difference of two captures (`nat64scope diff`, `golden --check`): packets are paired
 * by order (the i-th with the i-th) or by flow (the k-th packet of a flow in one capture with the
 * k-th packet of the same flow in the other), and each pair is compared with the field model of
 * src/replay/fields.ts. Works across formats (pcap, pcapng) and link types: when the two packets'
 * link types differ, link-layer fields are not compared.
 *
 * Streaming: `order` holds about one read chunk per capture; `flow` holds the packets still
 * waiting for their partner (those of flows that differ), not the captures.
 */
import { copyPacket, type CapturedPacket } from '../pcap/packet.js';
import type { ReadSummary } from '../pcap/reader.js';
import { zipCaptures, mergeCaptures } from './merge.js';
import { frameFields, diffFields, ignoreMatcher, type FieldDiff, type FieldList } from './fields.js';

export type Align = 'order' | 'flow';

export interface DiffOptions {
  align?: Align;
  /** Fields not compared (`ipv4.id`, a layer `eth`, a glob `*.checksum`). */
  ignore?: readonly string[];
  onWarning?: (input: 0 | 1, msg: string) => void;
  blocking?: boolean;
  /** Compare capture timestamps too, as the field `frame.time` (seconds, 9 decimals). */
  timestamps?: boolean;
}

export type DiffRecord =
  | { kind: 'differ'; a: number; b: number; diffs: FieldDiff[] }
  | { kind: 'only'; side: 'a' | 'b'; n: number; what: string };

export interface DiffSummary {
  packets: { a: number; b: number };
  pairs: number;
  identical: number;
  differ: number;
  onlyA: number;
  onlyB: number;
  /** Pairs in which each field differed. */
  fields: Record<string, number>;
  read: [ReadSummary, ReadSummary];
}

const LINK_FIELD = /^(eth|vlan|ieee8021ad)\.|^link$/;

/** A short description of a packet: `UDP 192.0.2.1:53 -> 198.51.100.7:4000`. */
export function brief(f: FieldList): string {
  const g = (k: string) => f.get(k);
  const v6 = g('ipv6.src') !== undefined;
  const src = g(v6 ? 'ipv6.src' : 'ipv4.src');
  const dst = g(v6 ? 'ipv6.dst' : 'ipv4.dst');
  if (src === undefined) return 'not IP';
  for (const p of ['tcp', 'udp'] as const) {
    if (g(`${p}.srcport`) !== undefined) {
      const flags = p === 'tcp' && typeof g('tcp.flags') === 'number' ? ` flags 0x${(g('tcp.flags') as number).toString(16).padStart(3, '0')}` : '';
      return `${p.toUpperCase()} ${src}:${g(`${p}.srcport`)} -> ${dst}:${g(`${p}.dstport`)}${flags}`;
    }
  }
  const it = v6 ? 'icmpv6' : 'icmp';
  if (g(`${it}.type`) !== undefined) return `${v6 ? 'ICMPv6' : 'ICMP'} ${g(`${it}.type`)}/${g(`${it}.code`)} ${src} -> ${dst}`;
  return `IPv${v6 ? 6 : 4} ${src} -> ${dst}`;
}

/** Direction-sensitive flow key of a packet's fields (addresses, protocol, ports / ICMP id). */
function flowKey(f: FieldList): string {
  const g = (k: string) => f.get(k);
  const v6 = g('ipv6.src') !== undefined;
  const parts = [g(v6 ? 'ipv6.src' : 'ipv4.src'), g(v6 ? 'ipv6.dst' : 'ipv4.dst'), g(v6 ? 'ipv6.nxt' : 'ipv4.proto')];
  if (g('tcp.srcport') !== undefined) parts.push('tcp', g('tcp.srcport'), g('tcp.dstport'));
  else if (g('udp.srcport') !== undefined) parts.push('udp', g('udp.srcport'), g('udp.dstport'));
  else if (g('icmp.id') !== undefined) parts.push('icmp', g('icmp.type'), g('icmp.id'));
  else if (g('icmpv6.id') !== undefined) parts.push('icmpv6', g('icmpv6.type'), g('icmpv6.id'));
  else if (g('icmp.type') !== undefined) parts.push('icmp', g('icmp.type'), g('icmp.code'));
  else if (g('icmpv6.type') !== undefined) parts.push('icmpv6', g('icmpv6.type'), g('icmpv6.code'));
  return parts.join('|');
}

/** Compares two captures; `onRecord` gets every difference (in pairing order). */
export async function diffCaptures(a: string, b: string, opts: DiffOptions, onRecord: (r: DiffRecord) => void): Promise<DiffSummary> {
  const ignored = ignoreMatcher(opts.ignore ?? []);
  const s: Omit<DiffSummary, 'read'> = { packets: { a: 0, b: 0 }, pairs: 0, identical: 0, differ: 0, onlyA: 0, onlyB: 0, fields: {} };
  const compare = (pa: CapturedPacket, fa: FieldList, pb: CapturedPacket, fb: FieldList) => {
    s.pairs++;
    const crossLink = pa.linkType !== pb.linkType;
    const diffs = diffFields(fa, fb, (f) => ignored(f) || (crossLink && LINK_FIELD.test(f)));
    if (!diffs.length) {
      s.identical++;
      return;
    }
    s.differ++;
    for (const d of diffs) s.fields[d.field] = (s.fields[d.field] ?? 0) + 1;
    onRecord({ kind: 'differ', a: pa.number, b: pb.number, diffs });
  };
  const only = (side: 'a' | 'b', p: CapturedPacket, f: FieldList) => {
    if (side === 'a') s.onlyA++;
    else s.onlyB++;
    onRecord({ kind: 'only', side, n: p.number, what: brief(f) });
  };
  const fieldsOf = (p: CapturedPacket) => {
    const f = frameFields(p.data, p.offset, p.caplen, p.linkType);
    if (opts.timestamps) f.add('frame.time', `${p.tsSec}.${String(p.tsNsec).padStart(9, '0')}`);
    return f;
  };
  let read: [ReadSummary, ReadSummary];
  if ((opts.align ?? 'order') === 'order') {
    read = await zipCaptures(a, b, (pa, pb) => {
      if (pa) s.packets.a++;
      if (pb) s.packets.b++;
      if (pa && pb) compare(pa, fieldsOf(pa), pb, fieldsOf(pb));
      else if (pa) only('a', pa, fieldsOf(pa));
      else if (pb) only('b', pb, fieldsOf(pb));
    }, { onWarning: opts.onWarning, blocking: opts.blocking });
  } else {
    // Flow alignment: the k-th packet of a flow in a pairs with the k-th of the same flow in b.
    const seen = [new Map<string, number>(), new Map<string, number>()];
    const waiting = new Map<string, { side: 0 | 1; p: CapturedPacket; f: FieldList }[]>();
    read = await mergeCaptures(a, b, (i, p) => {
      if (i === 0) s.packets.a++;
      else s.packets.b++;
      const f = fieldsOf(p);
      const flow = flowKey(f);
      const k = (seen[i].get(flow) ?? 0) + 1;
      seen[i].set(flow, k);
      const key = `${flow}#${k}`;
      const w = waiting.get(key);
      if (w && w.length && w[0].side !== i) {
        const other = w.shift()!;
        if (!w.length) waiting.delete(key);
        if (i === 1) compare(other.p, other.f, p, f);
        else compare(p, f, other.p, other.f);
      } else if (w) w.push({ side: i, p: copyPacket(p), f });
      else waiting.set(key, [{ side: i, p: copyPacket(p), f }]);
    }, { onWarning: opts.onWarning, blocking: opts.blocking });
    const rest = [...waiting.values()].flat().sort((x, y) => x.side - y.side || x.p.number - y.p.number);
    for (const r of rest) only(r.side === 0 ? 'a' : 'b', r.p, r.f);
  }
  return { ...s, read };
}
