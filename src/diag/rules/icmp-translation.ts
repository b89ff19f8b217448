/**
 * 9. icmp-translation: traceroute hops that all show the destination, ICMP errors whose inner
 * packet matches no flow or session, ICMP types the translator cannot translate.
 */
import { L4 } from '../../wire/layer-decoder.js';
import { Reason, reasonId } from '../reasons.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const icmpTranslation: RuleDef = {
  id: 'icmp-translation',
  severity: 'warning',
  title: 'ICMP errors translated wrongly or not at all',
  means: 'A translator must give each ICMPv4 error from a router on the IPv4 side the IPv6 source that embeds that router\'s address (RFC 7915 §4.2, RFC 6052); when every Time Exceeded of a traceroute shows the destination itself, the translator rewrote the source with the session\'s address and traceroute/mtr through NAT64 show nothing useful. ICMP errors whose quoted packet belongs to no flow or session cannot be delivered (RFC 6146 §3.5.3), and some ICMP types have no counterpart in the other family (RFC 7915 §4.2, §5.2).',
  fix: 'Use a translator that translates the outer source of ICMP errors per RFC 7915 (TAYGA, Jool do; RFC 6791 for untranslatable sources); for errors with no session, check that the quoted packet really went through this translator.',
  awsFix: 'AWS NAT gateways do not translate ICMP errors from intermediate IPv4 routers to their own 64:ff9b:: addresses: traceroute through the NAT gateway shows the destination or nothing; use TCP-based probes (mtr --tcp, tcptraceroute) and VPC Reachability Analyzer instead.',
  create() {
    const byDst = new Map<string, { te: number; fromDst: number; packets: number[] }>();
    const orphan: number[] = [];
    let orphanCount = 0;
    return {
      on: PacketKind.Icmp,
      packet(pc, ctx) {
        const d = pc.d;
        if (d.l4 !== L4.ICMP && d.l4 !== L4.ICMPV6) return;
        if (d.innerVersion === 0) return;
        const k = d.ipVersion === 6 ? d : pc.c !== null && pc.c.ipVersion === 6 ? pc.c : null;
        const f = pc.errorFlow;
        if (f === null) {
          // An error from the translator's side about a packet no flow or session knows.
          if (k !== null && ctx.inNat64Prefix(k.bytes, k.srcOff)) {
            orphanCount++;
            if (orphan.length < 12) orphan.push(pc.n);
          }
          return;
        }
        const te = k !== null ? k.icmpType === 3 : d.icmpType === 11;
        if (!te || k === null || f.v4Key) return;
        const key = f.addrText('b');
        let e = byDst.get(key);
        if (!e) {
          if (byDst.size >= 1000) return;
          byDst.set(key, (e = { te: 0, fromDst: 0, packets: [] }));
        }
        e.te++;
        let same = true;
        const b = f.addrB;
        for (let i = 0; i < 16; i++) if (k.bytes[k.srcOff + i] !== b[i]) { same = false; break; }
        if (same) e.fromDst++;
        if (e.packets.length < 12) e.packets.push(pc.n);
      },
      finish(ctx) {
        const parts: string[] = [];
        const pk: number[] = [];
        for (const [dst, e] of byDst) {
          if (e.te >= 2 && e.fromDst === e.te) {
            parts.push(`all ${e.te} Time Exceeded errors of a traceroute to ${dst} come from ${dst} itself (${packetList(e.packets)}): the hops' addresses were lost in translation`);
            pk.push(...e.packets);
          }
        }
        if (orphanCount) {
          parts.push(`${orphanCount} ICMP error${orphanCount > 1 ? 's' : ''} quote a packet that belongs to no flow or session (${packetList(orphan)})`);
          pk.push(...orphan);
        }
        for (const r of [Reason.NoSessionForIcmpError, Reason.UntranslatableIcmp4Type, Reason.UntranslatableIcmp6Type, Reason.UntranslatableInnerPacket, Reason.UntranslatableParamProblemPointer]) {
          const e = ctx.drops.get(r);
          if (!e) continue;
          parts.push(`${e.count} ICMP message${e.count > 1 ? 's' : ''} the translator cannot translate (${reasonId(r)}, ${packetList(e.packets)})`);
          pk.push(...e.packets);
        }
        if (parts.length === 0) return [];
        return [finding(icmpTranslation, ctx, null, pk, `${parts.join('; ')}.`)];
      },
    };
  },
};
