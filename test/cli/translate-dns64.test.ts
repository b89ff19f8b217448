/**
 * translate + DNS64 (SPEC §4): an AAAA answer without AAAA is replaced, in the translated output,
 * by the synthesized one; --explain says kept/rewritten/passed for each DNS packet; --no-dns64
 * turns it off. Stateless SIIT keeps the addresses predictable: the IPv6 client 2001:db8:64::a00:10
 * (10.0.0.16) asks the resolver 2001:db8:64::808:808 (8.8.8.8); the answers come back over IPv4.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCapture, SOA, q6, r4 } from '../xlat/dns64/craft.js';
import { runCli } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'xlat-dns64-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('translate with DNS64', () => {
  it('rewrites the AAAA answer, explains every DNS packet, --no-dns64 leaves it', async () => {
    const input = join(dir, 'in.pcapng');
    await writeCapture(input, [
      q6(1, 5001, 'www.example.com', 'AAAA'),
      q6(2, 5002, 'www.example.com', 'A'),
      // The AAAA answer comes first (parallel queries): the pre-pass has the A data anyway.
      r4(1, 5001, 'www.example.com', 'AAAA', { authorities: [SOA(3600, 120)] }),
      r4(2, 5002, 'www.example.com', 'A', { answers: [{ name: 'www.example.com', type: 'A', ttl: 300, data: '93.184.216.34' }] }),
      q6(3, 5003, 'v6.example.com', 'AAAA'),
      r4(3, 5003, 'v6.example.com', 'AAAA', { answers: [{ name: 'v6.example.com', type: 'AAAA', ttl: 300, data: '2001:db8::6' }] }),
    ]);
    const out = join(dir, 'out.pcapng');
    const ex = join(dir, 'ex.ndjson');
    const r = runCli(['translate', input, '--mode', 'siit', '--prefix', '2001:db8:64::/96', '-w', out, '--explain', ex]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('dns64: 2 AAAA/PTR answers, 1 rewritten');
    const t = tshark(['-r', out, '-o', 'udp.check_checksum:TRUE', '-Y', 'dns.flags.response == 1', '-T', 'fields', '-e', 'ipv6.dst', '-e', 'udp.checksum.status', '-e', 'dns.qry.type', '-e', 'dns.aaaa', '-e', 'dns.a', '-e', 'dns.resp.ttl']).trim().split('\n');
    expect(t).toEqual([
      '2001:db8:64::a00:10\t1\t28\t2001:db8:64::5db8:d822\t\t120',
      '2001:db8:64::a00:10\t1\t1\t\t93.184.216.34\t300',
      '2001:db8:64::a00:10\t1\t28\t2001:db8::6\t\t300',
    ]);
    const recs = readFileSync(ex, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { n: number; verdict: string; dns64?: { action: string; reason: string; detail: string } });
    expect(recs.map((x) => [x.n, x.verdict, x.dns64?.action ?? null, x.dns64?.reason ?? null])).toEqual([
      [1, 'translated', 'passed', 'query'],
      [2, 'translated', 'passed', 'query'],
      [3, 'translated', 'rewritten', 'synthesized'],
      [4, 'translated', 'passed', 'not-aaaa-answer'],
      [5, 'translated', 'passed', 'query'],
      [6, 'translated', 'kept', 'native-aaaa'],
    ]);
    expect(recs[2].dns64!.detail).toContain('TTL 120 = min(A 300, negative TTL 120 from the SOA)');

    const off = join(dir, 'off.pcapng');
    expect(runCli(['translate', input, '--mode', 'siit', '--prefix', '2001:db8:64::/96', '-w', off, '--no-dns64']).status).toBe(0);
    expect(tshark(['-r', off, '-Y', 'dns.qry.type == 28 && dns.flags.response == 1', '-T', 'fields', '-e', 'dns.count.answers']).trim().split('\n')).toEqual(['0', '1']);
  });
});
