/**
 * 12. port-exhaustion: concurrent flows to one destination near the pool's limit (AWS: 55,000 per
 * destination per address), new SYNs with no translation, ICMPv6 1/3 from the translator.
 */
import type { Flow } from '../flows.js';
import { L4 } from '../../wire/layer-decoder.js';
import { Reason } from '../reasons.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const portExhaustion: RuleDef = {
  id: 'port-exhaustion',
  severity: 'error',
  title: 'Translator out of ports (pool4 exhaustion)',
  means: 'A stateful NAT64 gives each IPv6 transport address an IPv4 address and port from its pool; when the pool has no free port — or, on an AWS NAT gateway, when 55,000 connections to the same destination (address, port, protocol) are open from one address — new connections fail: RFC 6146 §3.5.1.1 answers with ICMPv6 Destination Unreachable, Address Unreachable (1/3); AWS drops the SYN (ErrorPortAllocation).',
  fix: 'Add IPv4 addresses or ports to pool4, shorten the session timeouts (TCP transitory, UDP), and have clients reuse connections (keep-alive, pooling) instead of opening one per request.',
  awsFix: 'Watch the NAT gateway\'s ErrorPortAllocation and ActiveConnectionCount metrics; add secondary IPv4 addresses to the NAT gateway (up to 8, each adds 55,000 connections per destination), spread traffic over several NAT gateways/subnets, or reuse connections.',
  create() {
    const unreach: number[] = [];
    let unreachCount = 0;
    const live = new Map<number, number>();
    let peak = 0;
    let peakKey = '';
    let peakN = 0;
    return {
      on: PacketKind.Icmp | PacketKind.NewFlow,
      packet(pc, ctx) {
        const d = pc.d;
        if (d.ipVersion === 6 && d.l4 === L4.ICMPV6 && d.icmpType === 1 && d.icmpCode === 3 && d.innerVersion === 6 && ctx.inNat64Prefix(d.bytes, d.innerDstOff)) {
          unreachCount++;
          if (unreach.length < 12) unreach.push(pc.n);
        }
        const f = pc.flow;
        if (f !== null && f.pktsAB + f.pktsBA === 1 && (f.proto === 6 || f.proto === 17)) {
          const k = (f.idB * 65536 + f.portB) * 2 + (f.proto === 6 ? 0 : 1);
          const v = (live.get(k) ?? 0) + 1;
          live.set(k, v);
          if (v > peak) {
            peak = v;
            peakKey = `${f.addrText('b')} port ${f.portB}`;
            peakN = pc.n;
          }
        }
      },
      flow(f: Flow) {
        if (f.proto !== 6 && f.proto !== 17) return;
        const k = (f.idB * 65536 + f.portB) * 2 + (f.proto === 6 ? 0 : 1);
        const v = (live.get(k) ?? 1) - 1;
        if (v > 0) live.set(k, v);
        else live.delete(k);
      },
      finish(ctx) {
        const ex = ctx.drops.get(Reason.Pool4Exhausted);
        const lim = ctx.drops.get(Reason.ConnectionLimit);
        let ports = 0;
        for (const e of ctx.config.pool4) ports += (e.portMax - e.portMin + 1) * 2 ** (32 - e.prefix.len);
        const limit = ctx.config.policy.maxConnectionsPerDestination ?? ports;
        const near = limit > 0 && peak >= limit * 0.9;
        if (!ex && !lim && unreachCount === 0 && !near) return [];
        const parts: string[] = [];
        const pk: number[] = [];
        if (unreachCount) {
          parts.push(`${unreachCount} ICMPv6 Address Unreachable (1/3) error${unreachCount > 1 ? 's' : ''} came back for packets to the NAT64 prefix (${packetList(unreach)}), the RFC 6146 answer when pool4 has no free port`);
          pk.push(...unreach);
        }
        if (ex) {
          parts.push(`the engine ran out of pool4 ports for ${ex.count} packet${ex.count > 1 ? 's' : ''} (${packetList(ex.packets)}; pool4 holds ${ports} ports)`);
          pk.push(...ex.packets);
        }
        if (lim) {
          parts.push(`${lim.count} new connection${lim.count > 1 ? 's' : ''} hit the per-destination limit of ${ctx.config.policy.maxConnectionsPerDestination} (${packetList(lim.packets)})`);
          pk.push(...lim.packets);
        }
        if (near) {
          parts.push(`${peak} flows were open at once to ${peakKey} (limit ${limit}, at packet #${peakN})`);
          pk.push(peakN);
        }
        return [finding(portExhaustion, ctx, null, pk, `${parts.join('; ')}.`)];
      },
    };
  },
};
