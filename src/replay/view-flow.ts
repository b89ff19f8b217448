/**
 * The viewer's `f`: the packets of the selected packet's flow, both directions, on both sides of
 * the translator (its own 5-tuple and its counterpart's).
 */
import { PacketDecoder, L4 } from '../wire/layer-decoder.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { LinkType } from '../pcap/linktype.js';
import { protoName } from './describe.js';
import type { CaptureModel, RowPredicate } from './view-model.js';

interface Tuple {
  version: number;
  src: Uint8Array;
  dst: Uint8Array;
  proto: number;
  sport: number;
  dport: number;
}

function tupleOf(d: PacketDecoder): Tuple | null {
  if (!d.ipVersion) return null;
  const n = d.ipVersion === 4 ? 4 : 16;
  // ICMP echo: the identifier stands for both ports.
  const echo = (d.l4 === L4.ICMP || d.l4 === L4.ICMPV6) && d.sport >= 0;
  const ports = d.l4 === L4.TCP || d.l4 === L4.UDP;
  return {
    version: d.ipVersion,
    src: d.bytes.slice(d.srcOff, d.srcOff + n),
    dst: d.bytes.slice(d.dstOff, d.dstOff + n),
    proto: d.proto,
    sport: ports || echo ? d.sport : -1,
    dport: ports ? d.dport : echo ? d.sport : -1,
  };
}

function eq(b: Uint8Array, off: number, a: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (b[off + i] !== a[i]) return false;
  return true;
}

function matches(d: PacketDecoder, t: Tuple): boolean {
  if (d.ipVersion !== t.version || d.proto !== t.proto) return false;
  const echo = (d.l4 === L4.ICMP || d.l4 === L4.ICMPV6) && d.sport >= 0;
  const sport = d.l4 === L4.TCP || d.l4 === L4.UDP || echo ? d.sport : -1;
  const dport = d.l4 === L4.TCP || d.l4 === L4.UDP ? d.dport : echo ? d.sport : -1;
  if (eq(d.bytes, d.srcOff, t.src) && eq(d.bytes, d.dstOff, t.dst) && sport === t.sport && dport === t.dport) return true;
  if (eq(d.bytes, d.srcOff, t.dst) && eq(d.bytes, d.dstOff, t.src) && sport === t.dport && dport === t.sport) return true;
  // ICMP errors about the flow (Packet Too Big, unreachable): the packet inside them.
  if (d.innerVersion === t.version) {
    if (eq(d.bytes, d.innerSrcOff, t.src) && eq(d.bytes, d.innerDstOff, t.dst)) return true;
    if (eq(d.bytes, d.innerSrcOff, t.dst) && eq(d.bytes, d.innerDstOff, t.src)) return true;
  }
  return false;
}

function text(t: Tuple): string {
  const a = t.version === 4 ? ipv4ToString(t.src, 0) : ipv6ToString(t.src, 0);
  const b = t.version === 4 ? ipv4ToString(t.dst, 0) : ipv6ToString(t.dst, 0);
  const ports = t.sport >= 0 ? (t.version === 6 ? `[${a}]:${t.sport} ↔ [${b}]:${t.dport}` : `${a}:${t.sport} ↔ ${b}:${t.dport}`) : `${a} ↔ ${b}`;
  return `${protoName(t.proto)} ${ports}`;
}

/** The flow of the packet at `row`, as a predicate and a label; null for a packet with no IP. */
export function flowOf(model: CaptureModel, row: number): { pred: RowPredicate; label: string } | null {
  const d = new PacketDecoder();
  const p = model.packet(row);
  d.decode(p.data, p.offset, p.caplen, p.linkType);
  const own = tupleOf(d);
  if (!own) return null;
  const tuples = [own];
  const cp = model.counterparts(row)[0];
  if (cp) {
    const d2 = new PacketDecoder();
    d2.decode(cp.bytes, 0, cp.bytes.length, cp.family === 4 ? LinkType.IPV4 : LinkType.IPV6);
    const t = tupleOf(d2);
    if (t) tuples.push(t);
  }
  const pred: RowPredicate = (_p, dec) => {
    for (const t of tuples) if (matches(dec, t)) return true;
    return false;
  };
  return { pred, label: `flow ${text(own)}` };
}
