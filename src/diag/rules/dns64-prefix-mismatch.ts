/**
 * 3. dns64-prefix-mismatch: DNS64 synthesizes under a prefix that differs from the one the
 * network advertises (RFC 7050 ipv4only.arpa, RFC 8781 PREF64) or from the translator's pool6.
 */
import { finding, packetList, type RuleDef } from './types.js';

export const dns64PrefixMismatch: RuleDef = {
  id: 'dns64-prefix-mismatch',
  severity: 'warning',
  title: 'DNS64 prefix differs from the NAT64 prefix',
  means: 'The AAAA records the DNS64 synthesizes embed the IPv4 address under one prefix, while the network says the translator uses another: the prefix discovered through ipv4only.arpa (RFC 7050), the PREF64 option of Router Advertisements (RFC 8781), or the translator\'s configured pool6. Connections to the synthesized addresses go to a prefix no translator serves (or to a different one), and CLATs and literal-address synthesis use the other.',
  fix: 'Configure the same prefix in the DNS64 (BIND dns64 <prefix>, Unbound dns64-prefix), the translator (pool6) and the routers\' PREF64 option.',
  awsFix: 'AWS uses 64:ff9b::/96 only (Route 53 Resolver DNS64 and the NAT gateway): a different synthesized prefix means a resolver other than Route 53 is in use — use the VPC resolver, or set that resolver\'s DNS64 prefix to 64:ff9b::/96.',
  create() {
    return {
      finish(ctx) {
        const synth = ctx.dns.synthesisPrefixes();
        if (synth.length === 0) return [];
        const discovered = ctx.prefixes.filter((p) => p.source === 'rfc7050' || p.source === 'pref64');
        const config = ctx.prefixes.find((p) => p.source === 'config');
        const reference = discovered.length > 0 ? discovered : config ? [config] : [];
        if (reference.length === 0) return [];
        const refTexts = new Set(reference.map((p) => p.text));
        const bad = synth.filter((s) => !refTexts.has(s.text));
        // Discovery methods disagreeing with each other is the same problem.
        const discTexts = new Set(discovered.map((p) => p.text));
        if (bad.length === 0 && discTexts.size <= 1) return [];
        const where = reference.map((p) => `${p.text} (${p.source === 'config' ? 'configured pool6' : p.source === 'rfc7050' ? `RFC 7050 ipv4only.arpa, packet #${p.packet}` : `RFC 8781 PREF64, packet #${p.packet}`})`).join(', ');
        const parts: string[] = [];
        for (const s of bad) parts.push(`${s.name} was synthesized under ${s.text} (${packetList(s.packets)})`);
        if (discTexts.size > 1) parts.push(`the discovery methods disagree: ${[...discTexts].join(' vs ')}`);
        const detail = `${parts.join('; ')}, but the NAT64 prefix is ${where}.`;
        return [finding(dns64PrefixMismatch, ctx, null, [...bad.flatMap((s) => s.packets), ...discovered.map((p) => p.packet)], detail)];
      },
    };
  },
};
