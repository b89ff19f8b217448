/**
 * 13. externally-initiated: connections started from the IPv4 side (no BIB entry), and
 * address-dependent filtering drops.
 */
import { Reason, reasonId } from '../reasons.js';
import { finding, packetList, type RuleDef } from './types.js';

export const externallyInitiated: RuleDef = {
  id: 'externally-initiated',
  severity: 'warning',
  title: 'Connections from the IPv4 side that the translator refuses',
  means: 'A stateful NAT64 only lets in IPv4 packets for mappings an IPv6 host created (RFC 6146 §3.5): a connection started from the IPv4 Internet to the pool4 address finds no BIB entry and is dropped (a SYN is held 6 s for a simultaneous open, then answered with ICMP Port Unreachable). With address-dependent filtering, replies from a different IPv4 address than the one the host talked to are dropped too.',
  fix: 'For a service on an IPv6-only host that IPv4 clients must reach, add a static BIB entry (port forward) on the translator or publish it through a load balancer / reverse proxy with IPv4; for peer-to-peer, use endpoint-independent filtering (RFC 4787) or an explicit port mapping (PCP).',
  awsFix: 'A NAT gateway never accepts connections from the Internet: publish the service through an internet-facing load balancer (ALB/NLB, dual-stack) or a public IPv4 on a dual-stack instance; inbound packets to the NAT gateway show as PacketsDropCount.',
  create() {
    return {
      finish(ctx) {
        const parts: string[] = [];
        const pk: number[] = [];
        for (const r of [Reason.NoBibEntry, Reason.ExternallyInitiatedTcp, Reason.SimultaneousOpenExpired, Reason.AddressDependentFiltering]) {
          const e = ctx.drops.get(r);
          if (!e) continue;
          const one = e.count === 1;
          const what = r === Reason.AddressDependentFiltering ? `packet${one ? '' : 's'} dropped by address-dependent filtering`
            : r === Reason.SimultaneousOpenExpired ? `IPv4-initiated SYN${one ? '' : 's'} held 6 s and refused`
            : `IPv4 packet${one ? '' : 's'} to a pool4 transport address with no mapping`;
          parts.push(`${e.count} ${what} (${reasonId(r)}, ${packetList(e.packets)})`);
          pk.push(...e.packets);
        }
        if (parts.length === 0) return [];
        return [finding(externallyInitiated, ctx, null, pk, `${parts.join('; ')}.`)];
      },
    };
  },
};
