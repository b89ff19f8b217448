/**
 * 11. idle-timeout: traffic after a gap longer than the profile's timeout (AWS: 350 s answered
 * by RST; UDP replies after the session expired).
 */
import type { Flow } from '../flows.js';
import { Reason } from '../reasons.js';
import { finding, flowsText, packetList, type RuleDef } from './types.js';

export const idleTimeout: RuleDef = {
  id: 'idle-timeout',
  severity: 'warning',
  title: 'Traffic after the translator\'s idle timeout',
  means: 'A flow was silent for longer than the translator keeps its session (TCP established: 2 h 4 min by RFC 6146, 350 s on an AWS NAT gateway; UDP: 5 min), then sent again. By then the session is gone: an AWS NAT gateway answers with a RST, other translators drop the packet or create a new mapping with a new port that the peer does not know.',
  fix: 'Enable keepalives shorter than the timeout (TCP: net.ipv4.tcp_keepalive_time, or the application\'s keepalive/heartbeat; UDP: periodic packets), or raise the translator\'s session timeouts.',
  awsFix: 'The NAT gateway\'s idle timeout is 350 s and cannot be changed: set TCP keepalive below it (e.g. sysctl net.ipv4.tcp_keepalive_time=300 and SO_KEEPALIVE in the application, or connection pools with idle eviction < 350 s); watch the NAT gateway\'s IdleTimeoutCount metric.',
  create() {
    const hit: Flow[] = [];
    let total = 0;
    return {
      flow(f, ctx) {
        const t = ctx.config.timeouts;
        const limit = f.proto === 6 ? ctx.config.policy.tcpIdleRst ?? t.tcpEstablished : f.proto === 17 ? t.udp : f.proto === 58 ? t.icmp : 0;
        if (limit <= 0 || f.maxGap <= limit || f.packets < 3) return;
        // Only flows through the translator have its timeouts (not native IPv6, e.g. DNS to the resolver).
        if (!f.v4Key && !f.hasV4 && !ctx.inNat64Prefix(f.addrB, 0)) return;
        if (f.proto === 6 && f.synAcks === 0 && f.state !== 7) return;
        total++;
        if (hit.length < 50) hit.push(f);
      },
      finish(ctx) {
        const rst = ctx.drops.get(Reason.TcpIdleRst);
        if (hit.length === 0 && !rst) return [];
        const t = ctx.config.timeouts;
        const parts: string[] = [];
        const pk: number[] = [];
        if (hit.length) {
          const f = hit[0];
          const limit = f.proto === 6 ? ctx.config.policy.tcpIdleRst ?? t.tcpEstablished : f.proto === 17 ? t.udp : t.icmp;
          parts.push(`${total} flow${total > 1 ? 's' : ''} resumed after an idle gap longer than the ${ctx.config.profile} profile's ${limit} s timeout: ${flowsText(hit)}; ${Math.round(f.maxGap)} s of silence before packet #${f.maxGapN}` +
            (f.rstB > 0 ? `, answered by a RST` : ''));
          pk.push(f.maxGapN, f.lastN);
        }
        if (rst) {
          parts.push(`the engine answered ${rst.count} packet${rst.count > 1 ? 's' : ''} with the idle RST (${packetList(rst.packets)})`);
          pk.push(...rst.packets);
        }
        return [finding(idleTimeout, ctx, hit[0] ?? null, pk, `${parts.join('; ')}.`)];
      },
    };
  },
};
