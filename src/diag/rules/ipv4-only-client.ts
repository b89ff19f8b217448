/**
 * 5. ipv4-only-client: IPv4 literals and A-only clients on an IPv6-only host — A queries with no
 * AAAA query for the same name, IPv4-mapped addresses (::ffff:0:0/96) on the wire.
 */
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const ipv4OnlyClient: RuleDef = {
  id: 'ipv4-only-client',
  severity: 'warning',
  title: 'IPv4-only client behaviour on an IPv6-only host',
  means: 'An application on an IPv6-only host asks only for A records (never AAAA), or sends packets to IPv4-mapped addresses (::ffff:a.b.c.d), which never leave a host correctly. Such an application uses IPv4 literals or IPv4-only APIs: NAT64/DNS64 cannot help it, its connections never start. It needs 464XLAT (a CLAT on the host, RFC 6877) or an update to use AAAA/getaddrinfo.',
  fix: 'Run a CLAT on the host (464XLAT, RFC 6877: clatd, Jool SIIT, Android/iOS do it natively) using the network\'s NAT64 prefix, or fix the application to resolve AAAA (getaddrinfo with AF_UNSPEC) and not use IPv4 literals.',
  awsFix: 'An IPv6-only subnet has no IPv4 at all and AWS provides no CLAT: run one on the instance (e.g. clatd or Jool in SIIT mode with 64:ff9b::/96), or put the workload in a dual-stack subnet.',
  create() {
    const mapped: number[] = [];
    let mappedCount = 0;
    return {
      on: PacketKind.V6,
      packet(pc) {
        const d = pc.d;
        if (d.ipVersion !== 6) return;
        const b = d.bytes;
        if (isMapped(b, d.dstOff) || isMapped(b, d.srcOff)) {
          mappedCount++;
          if (mapped.length < 12) mapped.push(pc.n);
        }
      },
      finish(ctx) {
        const aOnly = [...ctx.dns.names.values()].filter((ni) => ni.aQueriesOver6 > 0 && ni.aaaaQueries === 0 && ni.name !== 'ipv4only.arpa');
        if (mappedCount === 0 && aOnly.length === 0) return [];
        const parts: string[] = [];
        if (aOnly.length) parts.push(`${aOnly.length} name${aOnly.length > 1 ? 's were' : ' was'} asked for A records only, over IPv6: ${aOnly.slice(0, 5).map((ni) => `${ni.name} (${packetList(ni.aQueryPackets)})`).join(', ')}`);
        if (mappedCount) parts.push(`${mappedCount} packet${mappedCount > 1 ? 's' : ''} to or from IPv4-mapped addresses (::ffff:0:0/96) on the wire (${packetList(mapped)})`);
        return [finding(ipv4OnlyClient, ctx, null, [...mapped, ...aOnly.flatMap((ni) => ni.aQueryPackets)], `${parts.join('; ')}.`)];
      },
    };
  },
};

function isMapped(b: Uint8Array, off: number): boolean {
  for (let i = 0; i < 10; i++) if (b[off + i] !== 0) return false;
  return b[off + 10] === 0xff && b[off + 11] === 0xff;
}
