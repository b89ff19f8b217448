/**
 * 10. checksum-bad: checksum errors after translation, or corruption — offload artefacts
 * (partial sums from the capturing host, TSO/GRO frames, IPv4 total length 0) told apart.
 */
import { CsClass } from '../checksums.js';
import { finding, packetList, type RuleDef } from './types.js';

export const checksumBad: RuleDef = {
  id: 'checksum-bad',
  severity: 'error',
  title: 'Bad checksums (not offload artefacts)',
  means: 'Packets whose IP, TCP, UDP or ICMP checksum is wrong, after setting aside what checksum offload leaves in captures taken on the sending host (partial sums, TSO super-frames with IPv4 total length 0, GRO-merged frames larger than the MTU). Bad checksums on packets that came out of the translator mean its incremental checksum update (RFC 7915 §4.5/§5.5, RFC 1624) is wrong; elsewhere they mean corruption, and the receiver drops those packets silently.',
  fix: 'For packets from the translator: report it to the translator\'s maintainers (with the packets), or disable its checksum offload to compare (ethtool -K <if> tx off). Elsewhere: check NICs, cables and middleboxes that rewrite packets. Offload artefacts need no fix (capture on another host, or ethtool -K <if> tx off gro off while capturing).',
  awsFix: 'Checksum errors on packets from the NAT gateway are not expected: open an AWS support case with the capture; on the instance, ENA offloads checksums, so capture-time artefacts on its own packets are normal and are not counted here.',
  create() {
    return {
      finish(ctx) {
        const cs = ctx.checksums;
        const tr = cs.classes[CsClass.BadTranslated];
        const bad = cs.classes[CsClass.Bad];
        if (tr + bad === 0) return [];
        const parts: string[] = [];
        if (tr) parts.push(`${tr} packet${tr > 1 ? 's' : ''} that came out of the translator carry bad checksums (${packetList(cs.samples[CsClass.BadTranslated])}): its checksum update is wrong`);
        if (bad) parts.push(`${bad} other packet${bad > 1 ? 's' : ''} carry bad checksums (${packetList(cs.samples[CsClass.Bad])})`);
        const off = cs.offload;
        if (off) parts.push(`(${off} offload artefact${off > 1 ? 's' : ''} not counted: ${cs.classes[CsClass.OffloadPartial]} partial, ${cs.classes[CsClass.OffloadTso]} TSO, ${cs.classes[CsClass.OffloadGro]} GRO)`);
        return [finding(checksumBad, ctx, null, [...cs.samples[CsClass.BadTranslated], ...cs.samples[CsClass.Bad]], `${parts.join('; ')}.`)];
      },
    };
  },
};
