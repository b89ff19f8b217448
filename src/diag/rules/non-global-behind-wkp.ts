/**
 * 6. non-global-behind-wkp: non-global IPv4 addresses behind the well-known prefix 64:ff9b::/96
 * (RFC 6052 §3.1) — strict translators drop them, AWS NAT gateways translate them.
 */
import { inPrefix, extractIpv4, WKP } from '../../xlat/rfc6052.js';
import { isGlobalIpv4, describeIpv4 } from '../../xlat/special-purpose.js';
import { Reason } from '../reasons.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const nonGlobalBehindWkp: RuleDef = {
  id: 'non-global-behind-wkp',
  severity: 'warning',
  title: 'Non-global IPv4 address behind the well-known prefix',
  means: 'RFC 6052 §3.1 forbids using the well-known prefix 64:ff9b::/96 with non-global IPv4 addresses (private, shared, documentation, loopback...). Whether such packets pass depends on the translator: strict ones (the rfc profile) drop them; AWS NAT gateways translate them (that is how an IPv6-only instance reaches 10.x addresses in a peered VPC or on premises). Policy dependent — check which one is in the path.',
  fix: 'Reach private IPv4 destinations through a network-specific prefix (RFC 6052 §2.2, e.g. 64:ff9b:1::/48 local-use, RFC 8215) configured in both the DNS64 and the translator, or relax the check on a translator you control (this engine: strictWellKnownPrefix: false).',
  awsFix: 'An AWS NAT gateway translates non-global addresses behind 64:ff9b::/96 (private NAT to peered VPCs, Transit Gateway, on premises): make sure the route table of the NAT gateway\'s subnet has a route to that private network (TGW attachment, peering) and that the security groups there allow the NAT gateway\'s private address.',
  create() {
    const pk: number[] = [];
    const addrs = new Set<number>();
    let count = 0;
    return {
      on: PacketKind.V6,
      packet(pc) {
        const d = pc.d;
        if (d.ipVersion !== 6 || !inPrefix(d.bytes, d.dstOff, WKP)) return;
        const a = extractIpv4(d.bytes, d.dstOff, 96);
        if (isGlobalIpv4(a)) return;
        count++;
        if (pk.length < 12) pk.push(pc.n);
        if (addrs.size < 8) addrs.add(a);
      },
      finish(ctx) {
        if (count === 0) return [];
        const dropped = ctx.drops.get(Reason.WellKnownPrefixNonGlobal);
        const list = [...addrs].map((a) => `${u32(a)}${describeIpv4(a) ? ` (${describeIpv4(a)})` : ''}`).join(', ');
        const policy = ctx.config.strictWellKnownPrefix
          ? `This profile (${ctx.config.profile}) is strict: ${dropped ? `the engine dropped ${dropped.count} of them` : 'the engine drops them'}.`
          : `This profile (${ctx.config.profile}) translates them, as an AWS NAT gateway does; a strict translator (the rfc profile) would drop them.`;
        const detail = `${count} packet${count > 1 ? 's' : ''} went to 64:ff9b::/96 addresses that embed non-global IPv4: ${list} (${packetList(pk)}). ${policy}`;
        // Where the translator accepts them (aws), it is worth knowing, not a fault.
        return [finding(nonGlobalBehindWkp, ctx, null, pk, detail, ctx.config.strictWellKnownPrefix ? 'warning' : 'info')];
      },
    };
  },
};

function u32(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
