/**
 * 1. prefix-not-routed: SYNs to addresses under the NAT64 prefix retried with backoff, never
 * answered, no ICMPv6 error, nothing on the IPv4 side — the packets reach no translator.
 */
import type { Flow } from '../flows.js';
import { reasonId } from '../reasons.js';
import { finding, flowsText, packetList, type RuleDef } from './types.js';

export const prefixNotRouted: RuleDef = {
  id: 'prefix-not-routed',
  severity: 'error',
  title: 'Synthesized prefix not routed to a translator',
  means: 'TCP connections to addresses under the NAT64 prefix send SYN after SYN with growing gaps and get nothing back: no SYN-ACK, no RST, no ICMPv6 error, and no packet of them appears on the IPv4 side. Packets to the prefix are routed nowhere (or into a black hole), so no translator ever sees them.',
  fix: 'Route the NAT64 prefix (e.g. 64:ff9b::/96) to the translator from this host\'s network, and check that the translator is up and serves that prefix (pool6).',
  awsFix: 'Add a route for 64:ff9b::/96 with target the NAT gateway (nat-...) to the route table of the instance\'s subnet; the NAT gateway itself must sit in a public subnet with a route to an internet gateway. Check the NAT gateway\'s PacketsDropCount and ConnectionAttemptCount metrics.',
  create() {
    const hit: Flow[] = [];
    let total = 0;
    return {
      flow(f, ctx) {
        if (f.proto !== 6 || f.v4Key || !f.unanswered || f.side4 > 0 || f.icmpErrors > 0) return;
        if (Math.max(f.syn6, f.syn4) < 2 || !ctx.inNat64Prefix(f.addrB, 0)) return;
        total++;
        if (hit.length < 50) hit.push(f);
      },
      finish(ctx) {
        if (hit.length === 0) return [];
        const pk = hit.flatMap((f) => f.samples);
        for (const f of hit.slice(1)) (f.findings ??= []).push(prefixNotRouted.id);
        const f0 = hit[0];
        const detail = `${total} TCP connection${total > 1 ? 's' : ''} to the NAT64 prefix never got an answer: ${flowsText(hit)}. ` +
          `The SYN was sent ${Math.max(f0.syn6, f0.syn4)} times over ${(f0.last - f0.first).toFixed(1)} s (${packetList(f0.samples)}) with no SYN-ACK, RST or ICMPv6 error, and nothing of it was seen on the IPv4 side.` +
          (f0.drops > 0 ? ` (A translator with this profile, ${ctx.config.profile}, would drop them too: ${reasonId(f0.dropReason)} — see the other findings; but it would answer nothing either, so check the route first.)` : '');
        return [finding(prefixNotRouted, ctx, f0, pk, detail)];
      },
    };
  },
};
