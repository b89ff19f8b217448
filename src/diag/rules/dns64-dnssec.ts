/**
 * 4. dns64-dnssec: DNS64 and DNSSEC (RFC 6147 §5.5): DO+CD queries given synthesized answers,
 * synthesized answers carrying AD, AAAA queries failing with SERVFAIL for names with A records.
 */
import { embeddingLength } from '../dns-tracker.js';
import { finding, packetList, type RuleDef } from './types.js';

export const dns64Dnssec: RuleDef = {
  id: 'dns64-dnssec',
  severity: 'warning',
  title: 'DNS64 and DNSSEC disagree',
  means: 'RFC 6147 §5.5: a query with DO and CD set comes from a validating client, and the DNS64 should not synthesize for it (the client cannot validate a synthesized record; it needs to do the synthesis itself); a synthesized AAAA never validates, so a response carrying it must not have AD set. SERVFAIL to AAAA queries for names whose A records resolve points at validation failures in the DNS64 path.',
  fix: 'Run a DNS64 that follows RFC 6147 §5.5 (BIND and Unbound do); a validating stub on the client should do its own synthesis (RFC 6147 §5.5 and RFC 7050 discovery) or send queries without CD.',
  awsFix: 'Route 53 Resolver DNS64 synthesizes regardless of DNSSEC bits; with DNSSEC validation enabled on the VPC resolver (Route 53 Resolver DNSSEC validation), validating clients should not set CD, or should do DNS64 locally.',
  create() {
    return {
      finish(ctx) {
        const doCd: number[] = [];
        const ad: number[] = [];
        const names = new Set<string>();
        for (const a of ctx.dns.dnssecAnswers) {
          const ni = ctx.dns.names.get(a.name);
          const synth = a.aaaa.some((x) => ctx.inNat64Prefix(x, 0) || (ni !== undefined && embeddingLength(x, ni.a) >= 0));
          if (!synth) continue;
          if (a.query && a.query.do && a.query.cd) {
            doCd.push(a.query.n, a.n);
            names.add(a.name);
          }
          if (a.ad) {
            ad.push(a.n);
            names.add(a.name);
          }
        }
        const servfail: number[] = [];
        for (const ni of ctx.dns.names.values()) if (ni.aaaaServfail.length > 0 && ni.a.length > 0) {
          servfail.push(...ni.aaaaServfail);
          names.add(ni.name);
        }
        if (doCd.length + ad.length + servfail.length === 0) return [];
        const parts: string[] = [];
        if (doCd.length) parts.push(`queries with DO and CD got synthesized AAAA answers (${packetList(doCd)})`);
        if (ad.length) parts.push(`synthesized AAAA answers carry the AD bit (${packetList(ad)})`);
        if (servfail.length) parts.push(`AAAA queries failed with SERVFAIL for names whose A records resolve (${packetList(servfail)})`);
        const detail = `${[...names].slice(0, 5).join(', ')}: ${parts.join('; ')}.`;
        return [finding(dns64Dnssec, ctx, null, [...doCd, ...ad, ...servfail], detail)];
      },
    };
  },
};
