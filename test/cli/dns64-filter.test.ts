/**
 * `dns64 --filter` / `-Y` (SPEC §2, §6) on the fixture captures: every packet still feeds the
 * engine (A data is learned from all of them); a query is reported, counted and rewritten only
 * when the filter matches its captured query or its captured response; `-w` writes every packet,
 * only the selected answers rewritten. Checked against the unfiltered run and with tshark.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';
import { exchange, writeCapture, SOA } from '../xlat/dns64/craft.js';
import { buildPacket } from '../../src/wire/builder.js';
import { encodeDns } from '../../src/wire/dns.js';

const DEMO = 'fixtures/pcaps/demo.pcapng';
const MISSING = 'fixtures/pcaps/diag/dns64-missing-fail.pcap';
const TCP = 'fixtures/pcaps/dns-tcp.pcap';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dns64-filter-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Out { n: number; name: string; synthesized: boolean; action: string }

function json(args: string[]): { lines: Out[]; stderr: string } {
  const r = runCli(['dns64', ...args, '--json']);
  expect(r.status, r.stderr).toBe(0);
  return { lines: r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Out), stderr: r.stderr };
}

describe('dns64 --filter', () => {
  it('selects a query by its query packet or its response packet; the lines are the unfiltered run\'s, byte for byte', () => {
    const all = runCli(['dns64', DEMO, '--json']);
    expect(all.status).toBe(0);
    const allLines = all.stdout.trim().split('\n');
    expect(allLines.map((l) => (JSON.parse(l) as Out).n)).toEqual([2, 5, 22, 28, 39, 47]);
    // Packet 1 is the ipv4only.arpa query, 2 its response; 21/22 time.example.net.
    for (const [expr, ns] of [
      ['n == 1', [2]],
      ['n == 2', [2]],
      ['n == 21 or n == 47', [22, 47]],
      ['dns.name == "time.example.net"', [22]],
      ['dns.name contains "example" and dns.qr == 0 and n < 25', [5, 22]],
      ['n == 4', []], // the A query of api.example.com: not an AAAA query, nothing answered for it
      ['dns.aaaa in 64:ff9b::/96 and not dns.name == "ipv4only.arpa"', [5, 22, 28, 39]],
      ['ipv6.dst == 2001:db8:53::53', [47]],
      ['udp.dstport == 53', [2, 5, 22, 28, 39, 47]],
      ['tcp', []],
    ] as Array<[string, number[]]>) {
      const r = runCli(['dns64', DEMO, '--json', '-Y', expr]);
      expect(r.status, `${expr}: ${r.stderr}`).toBe(0);
      const lines = r.stdout.trim().split('\n').filter(Boolean);
      expect(lines.map((l) => (JSON.parse(l) as Out).n), expr).toEqual(ns);
      // Same bytes as the unfiltered run's lines for those queries.
      for (const l of lines) expect(allLines).toContain(l);
      expect(r.stderr, expr).toContain(`dns64: ${ns.length} queries answered`);
      expect(r.stderr, expr).toContain(`filter: ${ns.length} of 6 answered queries selected (${expr})`);
    }
    // --filter (long form) and the text output: the same selection.
    const t = runCli(['dns64', DEMO, '--filter', 'dns.name == "legacy.example.org"']);
    expect([t.status, t.stdout.trim().split('\n').length, t.stdout.startsWith('#39 legacy.example.org AAAA:')]).toEqual([0, 1, true]);
  });

  it('A data is learned from every packet: a filter on the AAAA exchange alone still synthesizes from the unselected A answer', () => {
    // Packets: 1 AAAA query, 2 A query, 3 AAAA NODATA, 4 A answer (after the AAAA answer).
    const sel = json([MISSING, '-Y', 'dns.qtype == AAAA']);
    expect(sel.lines.map((l) => [l.n, l.synthesized, l.action])).toEqual([[3, true, 'rewrite']]);
    const none = json([MISSING, '-Y', 'dns.qtype == A']);
    expect(none.lines).toEqual([]);
    expect(none.stderr).toContain('dns64: 0 queries answered (0 synthesized, 0 rewritten)');
    expect(none.stderr).toContain('filter: 0 of 1 answered queries selected');
    // From stdin (one pass): the same selection.
    const s = runCli(['dns64', '-', '--json', '-Y', 'n == 1'], { input: readFileSync(MISSING) });
    expect([s.status, s.stdout.trim().split('\n').map((l) => (JSON.parse(l) as Out).n)]).toEqual([0, [3]]);
  });

  it('-w writes every packet; only the selected answers are rewritten (checked with tshark)', () => {
    const full = join(dir, 'full.pcap');
    const sel = join(dir, 'sel.pcap');
    const unsel = join(dir, 'unsel.pcap');
    expect(runCli(['dns64', MISSING, '-w', full]).status).toBe(0);
    const a = runCli(['dns64', MISSING, '-w', sel, '-Y', 'ipv6.src == 2600:1f14:abc:de00::10 and dns.qtype == AAAA']);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toContain('1 rewritten');
    // Selected: the same capture as without a filter.
    expect(readFileSync(sel).equals(readFileSync(full))).toBe(true);
    const b = runCli(['dns64', MISSING, '-w', unsel, '-Y', 'dns.name == "other.example"']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toContain('0 rewritten');
    // Not selected: every packet written, the resolver's NODATA answer left as it was (the input's bytes).
    const fields = (f: string) => tshark(['-r', f, '-T', 'fields', '-e', 'frame.number', '-e', 'dns.count.answers', '-e', 'dns.aaaa']).trim().split('\n');
    expect(fields(unsel)).toEqual(fields(MISSING));
    expect(fields(full)[2]).toBe('3\t1\t64:ff9b::345e:4c0a');
    expect(fields(unsel)[2]).toBe('3\t0\t');
    expect(readFileSync(unsel).equals(readFileSync(MISSING))).toBe(true);
  });

  it('DNS over TCP: the filter sees the segments as captured', () => {
    const all = json([TCP]);
    expect(all.lines.length).toBe(1);
    expect(json([TCP, '-Y', 'tcp']).lines).toEqual(all.lines);
    expect(json([TCP, '-Y', 'udp']).lines).toEqual([]);
  });

  it('two queries in one TCP segment, selected by that segment: both answers reported', async () => {
    const c = '2001:db8:1::10';
    const s = '2001:db8:1::53';
    const link = { type: 'ethernet' as const };
    const framed = (m: Uint8Array) => { const o = new Uint8Array(m.length + 2); o[0] = m.length >> 8; o[1] = m.length & 0xff; o.set(m, 2); return o; };
    const cat = (...a: Uint8Array[]) => { const o = new Uint8Array(a.reduce((n, x) => n + x.length, 0)); let p = 0; for (const x of a) { o.set(x, p); p += x.length; } return o; };
    const q = (id: number, name: string) => framed(encodeDns({ id, flags: ['RD'], questions: [{ name, type: 'AAAA' }] }));
    const r = (id: number, name: string) => framed(encodeDns({ id, qr: true, flags: ['RD', 'RA'], questions: [{ name, type: 'AAAA' }], authorities: [SOA(3600, 120)] }));
    const seg = (from: 'c' | 's', seq: number, ack: number, flags: number, payload?: Uint8Array) => buildPacket({ link, ip: { v: 6, src: from === 'c' ? c : s, dst: from === 'c' ? s : c },
      l4: { tcp: { srcPort: from === 'c' ? 45000 : 53, dstPort: from === 'c' ? 53 : 45000, seq, ack, flags } }, payload });
    const both = cat(q(1, 'one.example.com'), q(2, 'two.example.com'));
    const r1 = r(1, 'one.example.com');
    const r2 = r(2, 'two.example.com');
    let cs = 1000;
    let ss = 5000;
    const pk: Uint8Array[] = [];
    pk.push(seg('c', cs, 0, 0x02)); cs++;
    pk.push(seg('s', ss, cs, 0x12)); ss++;
    pk.push(seg('c', cs, ss, 0x10));
    pk.push(seg('c', cs, ss, 0x18, both)); cs += both.length; // #4: both queries
    pk.push(seg('s', ss, cs, 0x18, r1)); ss += r1.length; // #5
    pk.push(seg('s', ss, cs, 0x18, r2)); ss += r2.length; // #6
    const f = join(dir, 'tcp2.pcapng');
    await writeCapture(f, pk);
    const all = json([f]);
    expect(all.lines.map((l) => [l.n, l.name])).toEqual([[5, 'one.example.com'], [6, 'two.example.com']]);
    expect(json([f, '-Y', 'n == 4']).lines).toEqual(all.lines);
    expect(json([f, '-Y', 'n == 6']).lines.map((l) => l.n)).toEqual([6]);
  });

  it('a query whose response was never captured is selected by its query packet', async () => {
    const f = join(dir, 'noresp.pcapng');
    await writeCapture(f, [
      ...exchange('v4.example.com', 'A', { answers: [{ name: 'v4.example.com', type: 'A', ttl: 300, data: '8.8.2.1' }] }),
      ...exchange('v4.example.com', 'AAAA', null),
      ...exchange('other.example.com', 'AAAA', null),
    ]);
    const all = json([f]);
    expect(all.lines.map((l) => [l.n, l.name])).toEqual([[3, 'v4.example.com'], [4, 'other.example.com']]);
    expect(json([f, '-Y', 'dns.name == "v4.example.com"']).lines.map((l) => l.n)).toEqual([3]);
    expect(json([f, '-Y', 'n == 4']).lines.map((l) => l.n)).toEqual([4]);
  });

  it('an invalid filter, or one that needs a verdict or findings: one line, exit 2, nothing written', () => {
    const o = join(dir, 'never.pcap');
    for (const [expr, msg] of [
      ['dns.nme == "x"', 'nat64scope: invalid filter: unknown field "dns.nme" (did you mean "dns.name"?) at column 1 (dns.nme == "x")'],
      ['dns.name ==', 'at column'],
      ['drop', 'needs the translator\'s verdict'],
      ['finding == "dns64-missing"', 'needs analyze\'s findings'],
    ]) {
      const r = runCli(['dns64', MISSING, '-Y', expr, '-w', o]);
      expect(r.status, expr).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.length, r.stderr).toBe(1);
      expect(lines[0].startsWith('nat64scope: invalid filter: '), r.stderr).toBe(true);
      expect(lines[0]).toContain(msg);
      expect(r.stdout).toBe('');
      expect(existsSync(o)).toBe(false);
    }
  });
});
