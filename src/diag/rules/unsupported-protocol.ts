/**
 * 15. unsupported-protocol: protocols a NAT64 does not carry (ESP, GRE, SCTP... to the prefix).
 */
import { protoName } from '../flows.js';
import { finding, packetList, type RuleDef, PacketKind } from './types.js';

export const unsupportedProtocol: RuleDef = {
  id: 'unsupported-protocol',
  severity: 'error',
  title: 'Protocol a NAT64 does not carry',
  means: 'A stateful NAT64 translates TCP, UDP and ICMP only (RFC 6146 §1): it needs ports (or ICMP identifiers) to share one IPv4 address. ESP, AH, GRE, SCTP and other protocols sent to the NAT64 prefix are dropped.',
  fix: 'Encapsulate in UDP (IPsec NAT traversal on UDP 4500, RFC 3948; WireGuard; SCTP over UDP, RFC 6951), or give the host native IPv4 or a stateless (SIIT/EAM) mapping for that peer.',
  awsFix: 'AWS NAT gateways carry TCP, UDP and ICMP only: use IPsec with NAT-T (UDP 4500) — AWS Site-to-Site VPN supports it — or run the tunnel from a dual-stack instance with a public IPv4 address.',
  create() {
    const pk: number[] = [];
    const protos = new Map<number, number>();
    return {
      on: PacketKind.V6,
      packet(pc, ctx) {
        const d = pc.d;
        if (d.ipVersion !== 6 || pc.fromTranslator) return;
        const p = d.proto;
        if (p === 6 || p === 17 || p === 58 || p === 59 || p < 0 || (d.isFragment && d.fragOffset !== 0)) return;
        if (!ctx.inNat64Prefix(d.bytes, d.dstOff)) return;
        protos.set(p, (protos.get(p) ?? 0) + 1);
        if (pk.length < 12) pk.push(pc.n);
      },
      finish(ctx) {
        if (protos.size === 0) return [];
        const list = [...protos].map(([p, c]) => `${c} ${protoName(p).toUpperCase()} (${p})`).join(', ');
        return [finding(unsupportedProtocol, ctx, null, pk, `Packets to the NAT64 prefix in protocols no NAT64 translates: ${list} (${packetList(pk)}).`)];
      },
    };
  },
};
