/**
 * Checksum verdicts per packet and layer, with offload artefacts told apart from corruption.
 * The decoder (src/wire/layer-decoder.ts) gives each layer a verdict (good, bad, zero, partial,
 * none); here a bad or partial verdict is classified:
 *
 * - `offload-partial`: the transport checksum holds only the pseudo-header sum — the capture was
 *   taken on the sending host before the NIC filled it in (Linux CHECKSUM_PARTIAL);
 * - `offload-tso`: IPv4 total length 0 — a TSO/GSO super-frame captured before segmentation;
 *   its checksums are not final either;
 * - `offload-gro`: an IP packet larger than the link MTU (a GRO/LRO-merged frame, or TSO on
 *   IPv6) with a bad transport checksum — the merged frame never was on the wire;
 * - `bad-translated`: a bad checksum on a packet that came out of the translator (IPv6 from the
 *   prefix, IPv4 from pool4) — the translator's checksum update is wrong;
 * - `bad`: a bad checksum anywhere else — corruption (or a zero UDP checksum over IPv6).
 *
 * Allocation-free per packet.
 */
import { Verdict } from '../wire/checksum.js';
import type { PacketDecoder } from '../wire/layer-decoder.js';
import { Problem } from '../wire/reasons.js';

export const CsClass = {
  Ok: 0,
  OffloadPartial: 1,
  OffloadTso: 2,
  OffloadGro: 3,
  BadTranslated: 4,
  Bad: 5,
} as const;
export const CS_CLASS_NAMES = ['ok', 'offload-partial', 'offload-tso', 'offload-gro', 'bad-translated', 'bad'] as const;

const MAX_SAMPLES = 16;

/** The class of a decoded packet's checksums (the worst layer decides). */
export function checksumClass(d: PacketDecoder, fromTranslator: boolean, mtu: number): number {
  const ip = d.ipChecksum;
  const l4 = d.l4Checksum;
  if (ip !== Verdict.Bad && l4 !== Verdict.Bad && l4 !== Verdict.Partial) return CsClass.Ok;
  for (let i = 0; i < d.problemCount; i++) if (d.problems[i] === Problem.Ipv4TotalLengthZero) return CsClass.OffloadTso;
  if (l4 === Verdict.Partial && ip !== Verdict.Bad) return CsClass.OffloadPartial;
  const ipLen = d.ipVersion === 6 ? d.ip6.payloadLengthField() + 40 : d.ipVersion === 4 ? d.ip4.totalLengthField() : 0;
  if (ip !== Verdict.Bad && ipLen > mtu) return CsClass.OffloadGro;
  return fromTranslator ? CsClass.BadTranslated : CsClass.Bad;
}

export class ChecksumTotals {
  /** Verdict counts (index: Verdict) for the IPv4 header and the transport checksum. */
  readonly ip = new Float64Array(5);
  readonly l4 = new Float64Array(5);
  /** Packets per class (index: CsClass). */
  readonly classes = new Float64Array(6);
  readonly samples: number[][] = [[], [], [], [], [], []];

  add(d: PacketDecoder, n: number, fromTranslator: boolean, mtu: number): number {
    this.ip[d.ipChecksum]++;
    this.l4[d.l4Checksum]++;
    const c = checksumClass(d, fromTranslator, mtu);
    this.classes[c]++;
    if (c !== CsClass.Ok && this.samples[c].length < MAX_SAMPLES) this.samples[c].push(n);
    return c;
  }

  get offload(): number {
    return this.classes[CsClass.OffloadPartial] + this.classes[CsClass.OffloadTso] + this.classes[CsClass.OffloadGro];
  }

  get bad(): number {
    return this.classes[CsClass.Bad] + this.classes[CsClass.BadTranslated];
  }

  toJson(): Record<string, unknown> {
    const names = ['none', 'good', 'bad', 'zero', 'partial'];
    const v = (a: Float64Array) => Object.fromEntries(names.map((k, i) => [k, a[i]]));
    return {
      ip: v(this.ip),
      l4: v(this.l4),
      offloadPartial: this.classes[CsClass.OffloadPartial],
      offloadTso: this.classes[CsClass.OffloadTso],
      offloadGro: this.classes[CsClass.OffloadGro],
      badTranslated: this.classes[CsClass.BadTranslated],
      bad: this.classes[CsClass.Bad],
    };
  }
}
