/** HeaderTranslator used directly, as the stateful NAT64 engine does: ports / ICMP ids and inner tuples from the caller. */
import { describe, it, expect } from 'vitest';
import { HeaderTranslator, type Tuple4, type Tuple6 } from '../../../src/xlat/siit/header-translator.js';
import { buildIp, ip6 } from '../../../src/wire/builder.js';
import { sum, fold, pseudo4 } from '../../../src/wire/checksum.js';
import { makeConfig, RecordingSink, decodeIp, GOOD, u32, srcText, dstText } from './helpers.js';

describe('HeaderTranslator with caller tuples', () => {
  const x = new HeaderTranslator(makeConfig());
  it('to4 rewrites ports (TCP, UDP) and the ICMP id, checksums stay good', () => {
    const t: Tuple4 = { src: u32('192.0.2.2'), dst: u32('8.8.8.8'), sport: 61000, dport: 8443 };
    for (const l4 of [{ tcp: { srcPort: 1234, dstPort: 443, flags: 2 } }, { udp: { sport: 1234, dport: 53 } }] as const) {
      const s = new RecordingSink();
      const b = buildIp({ ip: { v: 6, src: '2001:db8::5', dst: '64:ff9b::808:808' }, l4, payload: 'data' });
      expect(x.to4(b, 0, b.length, t, null, 1, s)).toBe(0);
      const d = decodeIp(s.emitted[0].bytes);
      expect([d.sport, d.dport, d.l4Checksum, d.ipChecksum]).toEqual([61000, 8443, GOOD, GOOD]);
    }
    const s = new RecordingSink();
    const b = buildIp({ ip: { v: 6, src: '2001:db8::5', dst: '64:ff9b::808:808' }, l4: { icmp6: { type: 128, code: 0, rest: 0x11110001 } } });
    expect(x.to4(b, 0, b.length, { ...t, sport: 4000, dport: 4000 }, null, 1, s)).toBe(0);
    const d = decodeIp(s.emitted[0].bytes);
    expect([d.icmpType, d.sport, d.l4Checksum]).toEqual([8, 4000, GOOD]);
  });

  it('to6 of an ICMPv4 error uses the inner tuple (addresses and ports of the packet inside)', () => {
    const inner = buildIp({ ip: { v: 4, src: '192.0.2.2', dst: '8.8.8.8' }, l4: { udp: { sport: 61000, dport: 53 } }, payload: 'q' });
    const b = buildIp({ ip: { v: 4, src: '8.8.4.4', dst: '192.0.2.2' }, l4: { icmp4: { type: 3, code: 3 } }, payload: inner });
    const outer: Tuple6 = { src: ip6('64:ff9b::808:404'), dst: ip6('2001:db8::5'), sport: -1, dport: -1 };
    const it6: Tuple6 = { src: ip6('2001:db8::5'), dst: ip6('64:ff9b::808:808'), sport: 1234, dport: -1 };
    const s = new RecordingSink();
    expect(x.to6(b, 0, b.length, outer, it6, 1, s)).toBe(0);
    const out = s.emitted[0].bytes;
    const d = decodeIp(out);
    expect([d.l4Checksum, d.innerSport, d.innerDport]).toEqual([GOOD, 1234, 53]);
    const i = decodeIp(out.subarray(48));
    expect([srcText(i), dstText(i), i.l4Checksum]).toEqual(['2001:db8::5', '64:ff9b::808:808', GOOD]);
  });

  it('to4 of an ICMPv6 error uses the inner tuple', () => {
    const inner = buildIp({ ip: { v: 6, src: '2001:db8::5', dst: '64:ff9b::808:808' }, l4: { tcp: { srcPort: 1234, dstPort: 443, flags: 2 } } });
    const b = buildIp({ ip: { v: 6, src: '2001:db8::fe', dst: '2001:db8::5' }, l4: { icmp6: { type: 1, code: 0 } }, payload: inner });
    const s = new RecordingSink();
    const r = x.to4(b, 0, b.length, { src: u32('203.0.113.8'), dst: u32('192.0.2.2'), sport: -1, dport: -1 }, { src: u32('192.0.2.2'), dst: u32('8.8.8.8'), sport: 61000, dport: -1 }, 1, s);
    expect(r).toBe(0);
    const out = s.emitted[0].bytes;
    const d = decodeIp(out);
    expect([d.icmpType, d.icmpCode, d.l4Checksum, d.innerSport, d.innerDport]).toEqual([3, 1, GOOD, 61000, 443]);
    expect(fold(sum(out, 48, 20, pseudo4(out, 40, 44, 6, 20)))).toBe(0xffff);
  });
});
