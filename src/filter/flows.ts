/**
 * "Only packets (and their flows) matching" (SPEC §2 `--filter`): once a packet of a flow matches,
 * every packet of that flow is kept.
 *
 * Streaming ({@link FlowSelector.streaming}) keeps the matching packet and every *later* packet of
 * its flow; earlier packets of that flow have already gone by and are not revisited. Two passes
 * over a file ({@link FlowSelector.observe} on every packet, then {@link FlowSelector.selects}) keep
 * the whole flow, from its first packet. Memory grows with the number of matching flows (one
 * number each), not with packets.
 */
import type { PacketFacts } from './facts.js';
import type { CompiledFilter } from './index.js';

/** A flow key: equal for every packet of a flow in both directions; null when the packet has no flow. */
export type FlowKeyFn<T> = (facts: T) => number | string | null;

export class FlowSelector<T> {
  private readonly flows = new Set<number | string>();
  constructor(
    private readonly filter: { matches(facts: T): boolean },
    private readonly keyOf: FlowKeyFn<T>,
  ) {}

  /** One pass: true for a matching packet and for every packet after it in the same flow. */
  streaming(facts: T): boolean {
    const key = this.keyOf(facts);
    if (key !== null && this.flows.has(key)) return true;
    if (!this.filter.matches(facts)) return false;
    if (key !== null) this.flows.add(key);
    return true;
  }

  /** First pass: remembers the flow of a matching packet. */
  observe(facts: T): void {
    if (!this.filter.matches(facts)) return;
    const key = this.keyOf(facts);
    if (key !== null) this.flows.add(key);
  }

  /** Second pass: true for every packet of a flow seen matching (and for matching packets without a flow). */
  selects(facts: T): boolean {
    const key = this.keyOf(facts);
    return key !== null ? this.flows.has(key) : this.filter.matches(facts);
  }

  /** Flows that matched so far. */
  get size(): number {
    return this.flows.size;
  }
}

/** A FlowSelector over decoded packets (the `matchesPacket` side of a compiled filter). */
export function packetFlowSelector(filter: CompiledFilter, keyOf: FlowKeyFn<PacketFacts> = defaultFlowKey): FlowSelector<PacketFacts> {
  return new FlowSelector<PacketFacts>({ matches: (f) => filter.matchesPacket(f) }, keyOf);
}

/**
 * The default flow key: IP protocol and both (address, port) endpoints, direction-free (ICMP
 * echoes use their identifier as both ports; an ICMP error belongs to the flow of the packet it
 * quotes). A 53-bit hash: two different flows share a key with odds of about n²/2⁵⁴ for n flows.
 * The IPv6 side of a NAT64 flow and its IPv4 side are different flows here; analyze's flow table
 * joins them, and can be passed as `keyOf` instead.
 */
export function defaultFlowKey(facts: PacketFacts): number | null {
  const d = facts.d;
  if (d === null || d.ipVersion === 0) return null;
  if (d.innerVersion !== 0) {
    // The quoted packet went the other way: same endpoints, same key.
    return tupleKey(d.bytes, d.innerSrcOff, d.innerDstOff, d.innerVersion === 4 ? 4 : 16, d.innerProto, d.innerSport, d.innerDport);
  }
  let proto = d.proto;
  // Echo request (8/128) and reply (0/129) are one flow.
  if (d.icmpType >= 0) proto = d.ipVersion === 4 ? 1 : 58;
  return tupleKey(d.bytes, d.srcOff, d.dstOff, d.ipVersion === 4 ? 4 : 16, proto, d.sport, d.dport);
}

function tupleKey(b: Uint8Array, aOff: number, bOff: number, alen: number, proto: number, aPort: number, bPort: number): number {
  // Order the endpoints so that both directions hash the same.
  let order = 0;
  for (let i = 0; i < alen && order === 0; i++) order = b[aOff + i] - b[bOff + i];
  if (order === 0) order = aPort - bPort;
  if (order > 0) {
    const t = aOff; aOff = bOff; bOff = t;
    const p = aPort; aPort = bPort; bPort = p;
  }
  let h1 = 0x811c9dc5 ^ proto;
  let h2 = 0x01000193 ^ (proto * 0x9e3779b1);
  const mix = (x: number): void => {
    h1 = Math.imul(h1 ^ x, 0x01000193);
    h2 = Math.imul(h2 ^ x, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  };
  for (let i = 0; i < alen; i++) mix(b[aOff + i]);
  mix(aPort & 0xff); mix((aPort >>> 8) & 0xff);
  for (let i = 0; i < alen; i++) mix(b[bOff + i]);
  mix(bPort & 0xff); mix((bPort >>> 8) & 0xff);
  mix(alen);
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
