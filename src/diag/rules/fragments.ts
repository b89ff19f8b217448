/**
 * 8. fragments: TCP and ICMP fragments (dropped by AWS NAT gateways and other translators), large
 * DNS answers fragmented then retried over TCP, fragmented IPv4 UDP with checksum 0.
 */
import { Reason } from '../reasons.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const fragments: RuleDef = {
  id: 'fragments',
  severity: 'warning',
  title: 'Fragments a translator may drop',
  means: 'Fragmented TCP and ICMP packets are dropped by some translators (AWS NAT gateways drop TCP and ICMP fragments, forward UDP ones); a stateful NAT64 must hold fragments until the one carrying the ports arrives. DNS answers too large for the path are fragmented, often lost, and the resolver retries over TCP (slow). A fragmented IPv4 UDP datagram with checksum 0 cannot be translated: the IPv6 checksum needs the whole datagram (RFC 7915 §4.5).',
  fix: 'Avoid fragmentation: let Packet Too Big through so TCP sizes its segments, lower the EDNS buffer size to 1232 (DNS flag day 2020) so DNS answers are not fragmented, and have senders compute UDP checksums.',
  awsFix: 'AWS NAT gateways drop TCP and ICMP fragments: fix the path MTU (allow ICMPv6 Packet Too Big in security groups and NACLs) so that TCP does not fragment, and use an EDNS buffer size of 1232 on the resolvers.',
  create() {
    const tcpIcmp: number[] = [];
    let tcpIcmpCount = 0;
    const dnsFrag: number[] = [];
    const zeroFrag: number[] = [];
    return {
      on: PacketKind.Fragment,
      packet(pc) {
        const d = pc.d;
        if (!d.isFragment) return;
        const p = d.proto;
        if (p === 6 || p === 1 || p === 58) {
          tcpIcmpCount++;
          if (tcpIcmp.length < 12) tcpIcmp.push(pc.n);
        } else if (p === 17 && d.fragOffset === 0) {
          if (d.sport === 53 && dnsFrag.length < 12) dnsFrag.push(pc.n);
          if (d.ipVersion === 4 && d.udp.checksum() === 0 && zeroFrag.length < 12) zeroFrag.push(pc.n);
        }
      },
      finish(ctx) {
        const policyDrops = ctx.drops.get(Reason.FragmentPolicy);
        const zeroDrops = ctx.drops.get(Reason.UdpZeroChecksumFragment);
        if (zeroDrops) for (const n of zeroDrops.packets) if (!zeroFrag.includes(n)) zeroFrag.push(n);
        if (tcpIcmpCount + dnsFrag.length + zeroFrag.length === 0) return [];
        const parts: string[] = [];
        const dropsTcp = ctx.config.policy.dropFragments.length > 0;
        if (tcpIcmpCount) parts.push(`${tcpIcmpCount} TCP/ICMP fragment${tcpIcmpCount > 1 ? 's' : ''} (${packetList(tcpIcmp)})${dropsTcp ? `, dropped by this profile (${ctx.config.profile}: ${ctx.config.policy.dropFragments.join(', ')} fragments)${policyDrops ? ` — ${policyDrops.count} dropped` : ''}` : ''}`);
        const tcpPk: number[] = [];
        if (dnsFrag.length) {
          const tcpRetry = ctx.dns.overTcp > 0;
          if (tcpRetry) for (const ni of ctx.dns.names.values()) for (const n of ni.tcpPackets) if (tcpPk.length < 8) tcpPk.push(n);
          parts.push(`fragmented DNS answers (${packetList(dnsFrag)})${tcpRetry ? `, and ${ctx.dns.overTcp} DNS quer${ctx.dns.overTcp > 1 ? 'ies' : 'y'} retried over TCP (${packetList(tcpPk)})` : ''}`);
        }
        if (zeroFrag.length) parts.push(`fragmented IPv4 UDP with checksum 0, which cannot be translated (${packetList(zeroFrag)})`);
        const sev = dropsTcp && tcpIcmpCount > 0 ? 'error' : zeroFrag.length ? 'error' : 'warning';
        return [finding(fragments, ctx, null, [...tcpIcmp, ...dnsFrag, ...tcpPk, ...zeroFrag], `${parts.join('; ')}.`, sev)];
      },
    };
  },
};
