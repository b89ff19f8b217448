/**
 * 2. dns64-missing: AAAA queries answered NODATA while the same names have A records — the
 * resolver does no DNS64 synthesis.
 */
import type { NameInfo } from '../dns-tracker.js';
import { finding, packetList, type RuleDef } from './types.js';

export const dns64Missing: RuleDef = {
  id: 'dns64-missing',
  severity: 'error',
  title: 'DNS64 missing: AAAA answered NODATA for names that have A records',
  means: 'An IPv6-only client asked for AAAA records and got NOERROR with no answer (NODATA), while the capture shows an A record for the same name. A DNS64 resolver would have synthesized an AAAA from that A record (RFC 6147 §5.1.6); this one did not, so the client has no address to connect to.',
  fix: 'Point the client at a resolver that does DNS64 (RFC 6147) with the translator\'s prefix, or turn DNS64 on in the resolver it uses (BIND dns64, Unbound module-config "dns64 ...").',
  awsFix: 'Enable DNS64 on the subnet (aws ec2 modify-subnet-attribute --subnet-id subnet-... --enable-dns64) and use the Route 53 Resolver (the VPC +2 address, or fd00:ec2::253 on Nitro) rather than another resolver; a resolver configured in the OS or the application bypasses Route 53 DNS64.',
  create() {
    return {
      finish(ctx) {
        const hit: NameInfo[] = [];
        for (const ni of ctx.dns.names.values()) if (ni.aaaaNodata.length > 0 && ni.a.length > 0) hit.push(ni);
        if (hit.length === 0) return [];
        const names = hit.slice(0, 5).map((ni) => `${ni.name} (AAAA NODATA ${packetList(ni.aaaaNodata)}, A ${ni.a.map(u32).join(', ')} ${packetList(ni.aPackets)})`);
        const resolvers = [...new Set(hit.flatMap((ni) => ni.nodataResolvers))];
        const detail = `${hit.length} name${hit.length > 1 ? 's' : ''} had A records but the AAAA query got NODATA: ${names.join('; ')}${hit.length > 5 ? `; and ${hit.length - 5} more` : ''}. ` +
          `Answered by ${resolvers.join(', ')}: no DNS64 synthesis there.`;
        return [finding(dns64Missing, ctx, null, hit.flatMap((ni) => [...ni.aaaaNodata, ...ni.aPackets]), detail)];
      },
    };
  },
};

function u32(v: number): string {
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`;
}
