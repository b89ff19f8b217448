/**
 * 16. native-ipv6-broken: SYNs to a native AAAA address (not under any NAT64 prefix) never
 * answered — it looks like a NAT64 problem, but the traffic never goes through the translator.
 */
import type { Flow } from '../flows.js';
import { finding, flowsText, packetList, type RuleDef } from './types.js';

export const nativeIpv6Broken: RuleDef = {
  id: 'native-ipv6-broken',
  severity: 'error',
  title: 'Native IPv6 path broken (not a NAT64 problem)',
  means: 'The name has a real (native) AAAA record, so DNS64 does not synthesize one and the client connects over native IPv6 — not through NAT64. Those connections are never answered: the IPv6 path to that server is broken (missing route, firewall, server not listening on IPv6).',
  fix: 'Fix the IPv6 path to that address (routes, firewalls, the server\'s IPv6 listener); until then the name\'s AAAA record breaks IPv6-only clients. A DNS64 with "exclude" for that AAAA (RFC 6147 §5.1.4) makes clients use NAT64 instead.',
  awsFix: 'Native IPv6 leaves the VPC through an internet gateway or egress-only internet gateway, not the NAT gateway: add a ::/0 route to an egress-only internet gateway (eigw-...) in the subnet\'s route table, and allow the traffic in the security group and network ACL (outbound IPv6 and the return traffic).',
  create() {
    const hit: Flow[] = [];
    let total = 0;
    return {
      flow(f, ctx) {
        if (f.proto !== 6 || f.v4Key || !f.unanswered || f.synRetries < 1) return;
        if (ctx.inNat64Prefix(f.addrB, 0) || f.name === null) return;
        total++;
        if (hit.length < 50) hit.push(f);
      },
      finish(ctx) {
        if (hit.length === 0) return [];
        const f0 = hit[0];
        for (const f of hit.slice(1)) (f.findings ??= []).push(nativeIpv6Broken.id);
        const ni = f0.name ? ctx.dns.names.get(f0.name) : undefined;
        const hasA = ni && ni.a.length > 0;
        const dnsPk = ni ? ni.aaaaPackets : [];
        const detail = `${total} connection${total > 1 ? 's' : ''} to native IPv6 addresses never got an answer: ${flowsText(hit)}. ` +
          `${f0.addrText('b')} came from a real AAAA record of ${f0.name} (${packetList(dnsPk)}), outside every NAT64 prefix, so these packets never reach the translator; the SYN was sent ${Math.max(f0.syn6, f0.syn4)} times (${packetList(f0.samples)}).` +
          (hasA ? ` The name also has an A record (${ni!.a.map(u32).join(', ')}): through NAT64 it would work.` : '');
        return [finding(nativeIpv6Broken, ctx, f0, [...f0.samples, ...dnsPk], detail)];
      },
    };
  },
};

function u32(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
