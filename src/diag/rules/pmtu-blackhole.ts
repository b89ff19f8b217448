/**
 * 7. pmtu-blackhole: full-size segments retransmitted at the same size with no Packet Too Big;
 * an MSS from the IPv4 side not lowered by the 20 bytes IPv6 adds; PTB / Fragmentation Needed
 * with MTUs below 1280, or not translated.
 */
import type { Flow } from '../flows.js';
import { finding, flowsText, packetList, type RuleDef, PacketKind } from './types.js';

export const pmtuBlackhole: RuleDef = {
  id: 'pmtu-blackhole',
  severity: 'error',
  title: 'Path-MTU black hole',
  means: 'Large segments are sent again and again at the same size and never acknowledged, and no ICMPv6 Packet Too Big (or ICMPv4 Fragmentation Needed) comes back: somewhere on the path a link is smaller and its ICMP error is filtered or not translated. IPv6 adds 20 bytes to every translated IPv4 packet, so an MSS computed for IPv4 (1460) that the translator does not lower by 20 makes full-size IPv4 segments too big for a 1500-byte IPv6 link. PTBs with an MTU below 1280 are invalid for IPv6 (RFC 8200 §5).',
  fix: 'Let ICMPv6 Packet Too Big and ICMPv4 Fragmentation Needed through every firewall on both sides, have the translator translate them (RFC 7915 §4.2/§5.2, with the MTU adjusted by 20), and clamp the TCP MSS (e.g. iptables/nftables TCPMSS --clamp-mss-to-pmtu, or an MSS 20 lower on the IPv4 side).',
  awsFix: 'Allow ICMPv6 type 2 (Packet Too Big) inbound in the instance\'s security group and network ACL, and ICMPv4 3/4 towards the NAT gateway side; AWS NAT gateways support a 1500-byte MTU on IPv6 (8500 inside the VPC): set the instance MTU or MSS to 1500 for traffic through the NAT gateway.',
  create() {
    const hole: Flow[] = [];
    const mssFlows: Flow[] = [];
    const lowPtb: number[] = [];
    const untranslated: number[] = [];
    return {
      on: PacketKind.Icmp,
      packet(pc) {
        const d = pc.d;
        if (d.ipVersion === 6) {
          if (d.icmpType === 2 && d.l4 === 4 && d.icmp6.mtu() < 1280) { if (lowPtb.length < 12) lowPtb.push(pc.n); }
        } else if (d.ipVersion === 4 && d.l4 === 3 && d.icmpType === 3 && d.icmpCode === 4) {
          const mtu = d.icmp4.mtu();
          if (mtu > 0 && mtu < 1260 && lowPtb.length < 12) lowPtb.push(pc.n);
          if (!pc.fromTranslator && pc.t === null && untranslated.length < 12) untranslated.push(pc.n);
        }
      },
      flow(f, ctx) {
        if (f.proto !== 6) return;
        // An MSS passed through unchanged is only worth saying next to a black hole: a host clamps
        // its segments to its own MTU, so alone it breaks nothing.
        if (f.fullSizeRetrans >= 2 && f.ptbCount === 0) {
          if (hole.length < 50) hole.push(f);
          if (!f.v4Key && f.mssB6 > ctx.config.mtu.ipv6 - 60 && ctx.inNat64Prefix(f.addrB, 0) && mssFlows.length < 50) mssFlows.push(f);
        }
      },
      finish(ctx) {
        if (hole.length + lowPtb.length + untranslated.length === 0) return [];
        const parts: string[] = [];
        const pk: number[] = [];
        if (hole.length) {
          const f = hole[0];
          parts.push(`full-size segments (${Math.max(f.largestA, f.largestB)} bytes) were retransmitted at the same size ${f.fullSizeRetrans} times with no Packet Too Big in ${flowsText(hole)} (${packetList(f.retransSamples)})`);
          pk.push(...f.retransSamples);
        }
        const withMss = hole.find((f) => f.mssB6 > ctx.config.mtu.ipv6 - 60) ?? mssFlows[0];
        if (withMss) {
          parts.push(`the SYN-ACK from ${withMss.addrText('b')} announced MSS ${withMss.mssB6} on the IPv6 side, not lowered by 20 for the IPv6 header (at most ${ctx.config.mtu.ipv6 - 60} fits a ${ctx.config.mtu.ipv6}-byte IPv6 MTU)`);
          pk.push(withMss.firstN);
        }
        if (lowPtb.length) parts.push(`Packet Too Big / Fragmentation Needed carrying an MTU below the IPv6 minimum of 1280 (${packetList(lowPtb)})`);
        if (untranslated.length) parts.push(`ICMPv4 Fragmentation Needed that the translator does not turn into a Packet Too Big (${packetList(untranslated)})`);
        pk.push(...lowPtb, ...untranslated);
        const sev = hole.length ? 'error' : 'warning';
        return [finding(pmtuBlackhole, ctx, hole[0] ?? withMss ?? null, pk, `${parts.join('; ')}.`, sev)];
      },
    };
  },
};
