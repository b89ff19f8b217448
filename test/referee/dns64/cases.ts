/** The queries sent to both resolvers (and the engine): every edge case of the zones in harness.ts. */
import type { QueryFlags } from './harness.js';

export interface RefCase {
  id: string;
  name: string;
  type: 'AAAA' | 'PTR';
  flags?: QueryFlags;
}

const names = [
  'aonly.n64lab', 'short.n64lab', 'aaaaonly.n64lab', 'both.n64lab', 'several.n64lab', 'mapped.n64lab', 'mixed.n64lab',
  'chain.n64lab', 'nx.n64lab', 'empty.n64lab', 'private.n64lab', 'docnet.n64lab', 'aonly.n64hi', 'big.n64lab',
  'sa.n64sec', 'sboth.n64sec', 'ipv4only.arpa',
];

export const CASES: RefCase[] = [
  ...names.map((name) => ({ id: name, name, type: 'AAAA' as const })),
  { id: 'big.n64lab tcp', name: 'big.n64lab', type: 'AAAA', flags: { tcp: true } },
  { id: 'big.n64lab edns4096', name: 'big.n64lab', type: 'AAAA', flags: { udpSize: 4096 } },
  ...['sa.n64sec', 'sboth.n64sec', 'aonly.n64lab'].flatMap((name) => [
    { id: `${name} DO`, name, type: 'AAAA' as const, flags: { do: true } },
    { id: `${name} DO+CD`, name, type: 'AAAA' as const, flags: { do: true, cd: true } },
    { id: `${name} CD`, name, type: 'AAAA' as const, flags: { cd: true } },
  ]),
  // 64:ff9b::5db8:d822 = 93.184.216.34 (PTR aonly.n64lab. in 93.in-addr.arpa)
  { id: 'ptr in prefix', name: '2.2.8.d.8.b.d.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa', type: 'PTR' },
];
