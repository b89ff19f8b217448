/** The --zone parser (RFC 1035 §5 subset + hosts lines) and DNS-over-TCP rewriting (framing, seq/ack shift). */
import { describe, it, expect, afterAll } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseZone, ZoneError } from '../../../src/xlat/dns64/zone.js';
import { buildPacket } from '../../../src/wire/builder.js';
import { encodeDns } from '../../../src/wire/dns.js';
import { writeCapture, SOA } from './craft.js';
import { runCli } from '../../helpers/cli.js';
import { tshark } from '../../helpers/referees.js';

const dir = mkdtempSync(join(tmpdir(), 'dns64-zt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('zone files', () => {
  it('$ORIGIN, $TTL with units, @, relative and absolute names, blank owners, class/TTL in either order, parentheses, comments', () => {
    const z = parseZone(`$ORIGIN example.com.
$TTL 1h30m
@   IN  SOA ns1 hostmaster.example.com. (
        2024010101 ; serial
        7200 3600 1209600
        300 )       ; minimum
www         A     192.0.2.1
            A     192.0.2.2          ; blank owner: www again
api  60 IN  AAAA  2001:DB8::0:1
old  IN 120 CNAME www
sub         DNAME other.example.net.
$ORIGIN 2.0.192.in-addr.arpa.
1           PTR   www.example.com.
mail        MX    10 mx              ; other types are skipped
`, 'z.zone');
    expect(z).toEqual([
      { name: 'example.com', type: 'SOA', ttl: 5400, data: 'ns1.example.com. hostmaster.example.com. 2024010101 7200 3600 1209600 300' },
      { name: 'www.example.com', type: 'A', ttl: 5400, data: '192.0.2.1' },
      { name: 'www.example.com', type: 'A', ttl: 5400, data: '192.0.2.2' },
      { name: 'api.example.com', type: 'AAAA', ttl: 60, data: '2001:db8::1' },
      { name: 'old.example.com', type: 'CNAME', ttl: 120, data: 'www.example.com' },
      { name: 'sub.example.com', type: 'DNAME', ttl: 5400, data: 'other.example.net' },
      { name: '1.2.0.192.in-addr.arpa', type: 'PTR', ttl: 5400, data: 'www.example.com' },
    ]);
  });

  it('hosts-file lines (IPv4, IPv6, aliases, # comments), TTL 3600 unless $TTL', () => {
    expect(parseZone('# hosts\n192.0.2.7  h.example h2.example  # alias\n2001:db8::7 h.example\n')).toEqual([
      { name: 'h.example', type: 'A', ttl: 3600, data: '192.0.2.7' },
      { name: 'h2.example', type: 'A', ttl: 3600, data: '192.0.2.7' },
      { name: 'h.example', type: 'AAAA', ttl: 3600, data: '2001:db8::7' },
    ]);
  });

  it('errors name the line: bad address, unknown type, unbalanced parentheses, @ without origin, class other than IN', () => {
    const err = (t: string) => { try { parseZone(t, 'f'); return ''; } catch (e) { expect(e).toBeInstanceOf(ZoneError); return (e as Error).message; } };
    expect(err('a.example. A 300.1.1.1')).toBe('zone: line 1: bad IPv4 address "300.1.1.1" (f)');
    expect(err('$TTL 60\na.example. FOO 1')).toBe('zone: line 2: unknown record type "FOO" (f)');
    expect(err('a.example. SOA ( a b 1 2 3 4 5')).toBe('zone: line 1: "(" never closed (f)');
    expect(err('@ A 192.0.2.1')).toBe('zone: line 1: "@" with no $ORIGIN (f)');
    expect(err('a.example. CH A 192.0.2.1')).toBe('zone: line 1: class CH is not supported (IN only) (f)');
  });
});

describe('DNS over TCP', () => {
  it('-w rewrites the response segment (2-byte framing), shifts later seq/ack, tshark validates the stream', async () => {
    const c = '2001:db8:1::10';
    const s = '2001:db8:1::53';
    const link = { type: 'ethernet' as const, src: '02:00:00:00:00:01', dst: '02:00:00:00:00:02' };
    const framed = (m: Uint8Array) => { const o = new Uint8Array(m.length + 2); o[0] = m.length >> 8; o[1] = m.length & 0xff; o.set(m, 2); return o; };
    const q = framed(encodeDns({ id: 9, flags: ['RD'], questions: [{ name: 'tcp.example.com', type: 'AAAA' }] }));
    const r = framed(encodeDns({ id: 9, qr: true, flags: ['RD', 'RA'], questions: [{ name: 'tcp.example.com', type: 'AAAA' }], authorities: [SOA(3600, 120)] }));
    const aQ = framed(encodeDns({ id: 8, flags: ['RD'], questions: [{ name: 'tcp.example.com', type: 'A' }] }));
    const aR = framed(encodeDns({ id: 8, qr: true, flags: ['RD', 'RA'], questions: [{ name: 'tcp.example.com', type: 'A' }], answers: [{ name: 'tcp.example.com', type: 'A', ttl: 300, data: '8.8.2.3' }] }));
    const seg = (from: 'c' | 's', seq: number, ack: number, flags: number, payload?: Uint8Array) => buildPacket({ link, ip: { v: 6, src: from === 'c' ? c : s, dst: from === 'c' ? s : c },
      l4: { tcp: { srcPort: from === 'c' ? 45000 : 53, dstPort: from === 'c' ? 53 : 45000, seq, ack, flags } }, payload });
    let cs = 1000;
    let ss = 5000;
    const pk: Uint8Array[] = [];
    pk.push(seg('c', cs, 0, 0x02)); cs++;
    pk.push(seg('s', ss, cs, 0x12)); ss++;
    pk.push(seg('c', cs, ss, 0x10));
    pk.push(seg('c', cs, ss, 0x18, aQ)); cs += aQ.length;
    pk.push(seg('s', ss, cs, 0x18, aR)); ss += aR.length;
    pk.push(seg('c', cs, ss, 0x18, q)); cs += q.length;
    pk.push(seg('s', ss, cs, 0x18, r)); ss += r.length;
    pk.push(seg('c', cs, ss, 0x11)); cs++;
    pk.push(seg('s', ss, cs, 0x11)); ss++;
    pk.push(seg('c', cs, ss, 0x10));
    const f = join(dir, 'tcp.pcapng');
    const o = join(dir, 'tcp-out.pcapng');
    await writeCapture(f, pk);
    const res = runCli(['dns64', f, '-w', o]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain('#7 tcp.example.com AAAA: resolver NOERROR, no answer (negative TTL 120); dns64 64:ff9b::808:203 (TTL 120) [synthesized]');
    const t = tshark(['-r', o, '-o', 'tcp.check_checksum:TRUE', '-o', 'tcp.relative_sequence_numbers:FALSE', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.checksum.status', '-e', 'tcp.seq', '-e', 'tcp.ack', '-e', 'dns.aaaa', '-e', 'tcp.analysis.flags']).replace(/\n$/, '').split('\n');
    // The response grew by (new length - old length); every later server seq and client ack moves by it.
    const grow = Number(tshark(['-r', o, '-Y', 'frame.number == 7', '-T', 'fields', '-e', 'tcp.len']).trim()) - r.length;
    expect(t[6]).toBe(`7\t1\t${5000 + 1 + aR.length}\t${1000 + 1 + aQ.length + q.length}\t64:ff9b::808:203\t`);
    expect(t[7]).toBe(`8\t1\t${1000 + 1 + aQ.length + q.length}\t${5000 + 1 + aR.length + r.length + grow}\t\t`);
    expect(t[8]).toBe(`9\t1\t${5000 + 1 + aR.length + r.length + grow}\t${1000 + 2 + aQ.length + q.length}\t\t`);
    expect(t[9]).toBe(`10\t1\t${1000 + 2 + aQ.length + q.length}\t${5000 + 2 + aR.length + r.length + grow}\t\t`);
    expect(grow).not.toBe(0);
    // No TCP analysis complaint anywhere (lost segments, bad ACKs ...).
    expect(t.every((l) => l.endsWith('\t'))).toBe(true);
  });
});
