/**
 * 14. hairpinning: IPv6 hosts connecting to the translator's own IPv4 address through the prefix.
 */
import { EmitKind } from '../../xlat/types.js';
import { Reason } from '../reasons.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const hairpinning: RuleDef = {
  id: 'hairpinning',
  severity: 'warning',
  title: 'Hairpinning through the translator\'s own IPv4 address',
  means: 'An IPv6 host sends to the NAT64 prefix + one of the translator\'s own IPv4 addresses (pool4): usually another IPv6-only host\'s service reached by its public IPv4 mapping. The packet must turn around inside the translator (RFC 6146 §3.8 hairpinning); translators that do not hairpin drop it, and even when they do, the peer sees the translator\'s address, not the host\'s.',
  fix: 'Reach IPv6 hosts by their IPv6 address (split-horizon DNS giving the AAAA inside), or enable hairpinning on the translator (Jool: intrinsic; hairpinning: simple|intrinsic).',
  awsFix: 'Reach services inside the VPC by their private or IPv6 address (a private hosted zone in Route 53 returning the internal address), not through the NAT gateway\'s own Elastic IP behind 64:ff9b::/96.',
  create() {
    const pk: number[] = [];
    let count = 0;
    let hairpinned = 0;
    return {
      on: PacketKind.Hairpinned | PacketKind.V6,
      packet(pc, ctx) {
        const d = pc.d;
        if ((pc.emitted & (1 << EmitKind.Hairpinned)) !== 0) hairpinned++;
        if (d.ipVersion !== 6 || pc.fromTranslator) return;
        const a = ctx.embedded4(d.bytes, d.dstOff);
        if (a < 0 || !ctx.ownIpv4(a)) return;
        count++;
        if (pk.length < 12) pk.push(pc.n);
      },
      finish(ctx) {
        const loop = ctx.drops.get(Reason.HairpinLoop);
        if (count === 0 && !loop) return [];
        const mode = ctx.config.hairpinning;
        const detail = `${count} packet${count === 1 ? '' : 's'} from IPv6 hosts went to the translator's own IPv4 address through the prefix (${packetList(pk)}). ` +
          (mode === 'off' ? 'This profile does not hairpin: they are dropped.' : `This profile hairpins (${mode}): ${hairpinned} packet${hairpinned === 1 ? ' was' : 's were'} turned around, and the peer sees the translator's address.`) +
          (loop ? ` ${loop.count} would loop (${packetList(loop.packets)}).` : '');
        return [finding(hairpinning, ctx, null, [...pk, ...(loop?.packets ?? [])], detail)];
      },
    };
  },
};
