/**
 * Differential test of the DNS64 engine's view-only path (`Dns64Engine.fastAaaa`): over every
 * capture of the fixtures, a crafted capture of AAAA answers of every shape the engine knows
 * (and a few it must leave to the full path), and the benchmark's generated capture, the engine
 * with the fast path and the engine without it (every answer decoded by `decodeDns`) give the
 * same results — every key, the rewrite message included — and the same rewritten capture, in
 * each compat mode. Also: the `--json` line built directly equals JSON.stringify of the object.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runDns64 } from '../../../src/replay/dns64.js';
import { dns64Options, type Dns64Result } from '../../../src/xlat/dns64/engine.js';
import type { Dns64Compat } from '../../../src/xlat/dns64/compat.js';
import { loadConfig } from '../../../src/xlat/config.js';
import { parsePrefix6 } from '../../../src/replay/prefixes.js';
import { jsonLine, jsonOf, textOf, LineCache } from '../../../cli/commands/dns64.js';
import { exchange, writeCapture, SOA } from './craft.js';
import { buildPacket } from '../../../src/wire/builder.js';
import { encodeDns } from '../../../src/wire/dns.js';
import { wellFormedFixtureCaptures } from '../../helpers/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dns64-fast-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(input: string, compat: Dns64Compat, fastPath: boolean, prefixes?: string[]) {
  const cfg = loadConfig({});
  const options = dns64Options(cfg, compat);
  if (prefixes) options.prefixes = prefixes.map((p) => parsePrefix6(p));
  const results: Dns64Result[] = [];
  const output = join(dir, `out-${fastPath ? 'fast' : 'full'}.pcapng`);
  const summary = await runDns64({ input, engine: options, output, force: true, fastPath, onResult: (r) => results.push(r) });
  return { results, summary, bytes: readFileSync(output) };
}

/**
 * As the `dns64` command runs without -w: no messages built, the plain UDP packets read by the
 * byte scan, the NODATA memo on, and the lines made through the CLI's LineCache.
 */
async function runNoOutput(input: string, compat: Dns64Compat, prefixes?: string[]) {
  const cfg = loadConfig({});
  const options = dns64Options(cfg, compat);
  if (prefixes) options.prefixes = prefixes.map((p) => parsePrefix6(p));
  const results: Dns64Result[] = [];
  const lines = new LineCache();
  const json: string[] = [];
  const text: string[] = [];
  const summary = await runDns64({ input, engine: options, onResult: (r, m) => { results.push(r); json.push(lines.json(r, m)); text.push(lines.text(r, m)); } });
  return { results, summary, json, text };
}

/** Decisions the NODATA memo reused in the last same() calls. */
let memo = 0;

async function same(input: string, compats: Dns64Compat[] = ['rfc', 'bind', 'unbound'], prefixes?: string[]): Promise<number> {
  let hits = 0;
  for (const compat of compats) {
    const fast = await run(input, compat, true, prefixes);
    const full = await run(input, compat, false, prefixes);
    expect(full.summary.fastHits).toBe(0);
    expect(fast.results.length).toBe(full.results.length);
    for (let i = 0; i < fast.results.length; i++) {
      expect(fast.results[i], `${input} ${compat} result ${i} (#${full.results[i].n})`).toStrictEqual(full.results[i]);
      expect(jsonLine(fast.results[i])).toBe(JSON.stringify(jsonOf(fast.results[i])));
    }
    expect({ ...fast.summary, fastHits: 0, memoHits: 0, read: null }).toStrictEqual({ ...full.summary, read: null });
    expect(Buffer.compare(fast.bytes, full.bytes), `${input} ${compat}: rewritten captures differ`).toBe(0);
    hits += fast.summary.fastHits;
    // Without an output: the same results (no message), the same lines.
    const lean = await runNoOutput(input, compat, prefixes);
    expect(lean.results.length).toBe(full.results.length);
    for (let i = 0; i < lean.results.length; i++) {
      expect(lean.results[i], `${input} ${compat} no-output result ${i} (#${full.results[i].n})`).toStrictEqual({ ...full.results[i], message: null });
      expect(lean.json[i]).toBe(JSON.stringify(jsonOf(full.results[i])));
      expect(lean.text[i]).toBe(textOf({ ...full.results[i], message: null }));
    }
    expect({ ...lean.summary, fastHits: 0, memoHits: 0, read: null }).toStrictEqual({ ...full.summary, rewritten: lean.summary.rewritten, read: null });
    memo += lean.summary.memoHits;
    expect(lean.summary.rewritten).toBe(full.summary.rewritten + full.summary.notRewritable);
  }
  return hits;
}

/** AAAA answers of every shape: the ones the fast path takes and the ones it must leave. */
function shapes(): Uint8Array[] {
  const pk: Uint8Array[] = [];
  const a = (name: string, addrs: string[], ttl = 300) => pk.push(...exchange(name, 'A', { answers: addrs.map((d) => ({ name, type: 'A', ttl, data: d })) }));
  for (let i = 0; i < 6; i++) a(`h${i}.example.com`, ['93.184.216.' + (10 + i), '93.184.217.' + (10 + i)].slice(0, 1 + (i % 2)), 100 + i * 50);
  a('Mixed.Example.COM', ['151.101.1.1']);
  a('private.example.com', ['10.1.2.3']);
  a('edge.cdn.example.net', ['151.101.9.9'], 20);
  pk.push(...exchange('gone.example.com', 'A', { rcode: 3, authorities: [SOA(60, 30)] }));
  // A answers learned without decoding (learnPlainA) and the ones left to learn(): a repeated
  // address with several TTLs, AD set, TC set, an SOA beside, a second owner, mixed case.
  const arr = (name: string, owner: string, d: string, ttl: number) => ({ name: owner, type: 'A', ttl, data: d });
  pk.push(...exchange('dup.example.com', 'A', { answers: [arr('', 'dup.example.com', '93.184.216.50', 90), arr('', 'dup.example.com', '93.184.216.50', 30), arr('', 'dup.example.com', '93.184.216.51', 60)] }));
  pk.push(...exchange('ad.example.com', 'A', { flags: ['RD', 'RA', 'AD'], answers: [arr('', 'ad.example.com', '93.184.216.52', 90)] }));
  pk.push(...exchange('tc.example.com', 'A', { flags: ['RD', 'RA', 'TC'], answers: [arr('', 'tc.example.com', '93.184.216.53', 90)] }));
  pk.push(...exchange('soa.example.com', 'A', { answers: [arr('', 'soa.example.com', '93.184.216.54', 90)], authorities: [SOA(900, 60)] }));
  pk.push(...exchange('two.example.com', 'A', { answers: [arr('', 'two.example.com', '93.184.216.55', 90), arr('', 'other.example.com', '93.184.216.56', 90)] }));
  pk.push(...exchange('CaSe.example.com', 'A', { answers: [arr('', 'CaSe.example.com', '93.184.216.57', 90)] }));
  for (const n of ['dup', 'ad', 'tc', 'soa', 'two', 'case']) pk.push(...exchange(`${n}.example.com`, 'AAAA', { authorities: [SOA(900, 600)] }));
  for (const n of ['ad', 'dup']) pk.push(...exchange(`${n}.example.com`, 'AAAA', { flags: ['RD', 'RA', 'AD'], authorities: [SOA(900, 600)] }, { do: true })); // the A entry's AD bit decides
  // NODATA with SOA (TTL above and below the A TTL), without SOA, with and without EDNS.
  pk.push(...exchange('h0.example.com', 'AAAA', { authorities: [SOA(900, 60)] }, { udpSize: 1232 }));
  pk.push(...exchange('h1.example.com', 'AAAA', { authorities: [SOA(30, 3600)] }));
  pk.push(...exchange('h2.example.com', 'AAAA', {}, { udpSize: 4096 }));
  pk.push(...exchange('h3.example.com', 'AAAA', { authorities: [SOA(600, 600)] }, { udpSize: 1400 }));
  // Native AAAA (one, several), ::ffff: alone, mixed.
  pk.push(...exchange('h4.example.com', 'AAAA', { answers: [{ name: 'h4.example.com', type: 'AAAA', ttl: 77, data: '2001:db8::4' }] }));
  pk.push(...exchange('h5.example.com', 'AAAA', { answers: [{ name: 'h5.example.com', type: 'AAAA', ttl: 77, data: '2001:db8::5' }, { name: 'h5.example.com', type: 'AAAA', ttl: 78, data: '2001:db8::55' }] }, { udpSize: 1232 }));
  pk.push(...exchange('h0.example.com', 'AAAA', { answers: [{ name: 'h0.example.com', type: 'AAAA', ttl: 50, data: '::ffff:1.2.3.4' }] }));
  pk.push(...exchange('h1.example.com', 'AAAA', { answers: [{ name: 'h1.example.com', type: 'AAAA', ttl: 50, data: '::ffff:1.2.3.4' }, { name: 'h1.example.com', type: 'AAAA', ttl: 50, data: '2001:db8::1' }] }));
  // Mixed-case question name; non-global A; no A data; A answered NXDOMAIN.
  pk.push(...exchange('mixed.example.com', 'AAAA', { authorities: [SOA(900, 60)] }));
  pk.push(...exchange('Mixed.Example.COM', 'AAAA', { authorities: [SOA(900, 60)] }));
  pk.push(...exchange('private.example.com', 'AAAA', { authorities: [SOA(900, 60)] }));
  pk.push(...exchange('unknown.example.com', 'AAAA', { authorities: [SOA(900, 60)] }));
  pk.push(...exchange('gone.example.com', 'AAAA', { authorities: [SOA(900, 60)] }));
  // Left to the full path: CNAME, NXDOMAIN, SERVFAIL, TC, AD, DO, DO+CD, CD, ipv4only.arpa, NS in authority.
  pk.push(...exchange('www.example.com', 'AAAA', { answers: [{ name: 'www.example.com', type: 'CNAME', ttl: 40, data: 'edge.cdn.example.net' }], authorities: [SOA(900, 300, 'cdn.example.net')] }));
  pk.push(...exchange('nope.example.com', 'AAAA', { rcode: 3, authorities: [SOA(900, 60)] }));
  pk.push(...exchange('h2.example.com', 'AAAA', { rcode: 2 }));
  pk.push(...exchange('h3.example.com', 'AAAA', { flags: ['RD', 'RA', 'TC'] }));
  pk.push(...exchange('h4.example.com', 'AAAA', { flags: ['RD', 'RA', 'AD'], authorities: [SOA(900, 60)] }, { do: true }));
  pk.push(...exchange('h5.example.com', 'AAAA', { authorities: [SOA(900, 60)] }, { do: true }));
  pk.push(...exchange('h0.example.com', 'AAAA', { authorities: [SOA(900, 60)] }, { do: true, cd: true }));
  pk.push(...exchange('h1.example.com', 'AAAA', { authorities: [SOA(900, 60)] }, { cd: true }));
  pk.push(...exchange('ipv4only.arpa', 'AAAA', { answers: [{ name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:aa' }, { name: 'ipv4only.arpa', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:ab' }] }));
  pk.push(...exchange('h2.example.com', 'AAAA', { answers: [{ name: 'h2.example.com', type: 'AAAA', ttl: 9, data: '2001:db8::2' }], authorities: [{ name: 'example.com', type: 'NS', ttl: 9, data: 'ns.example.com' }] }));
  // An EDNS option (a cookie) in the answer; a malformed option (full path ignores the message).
  pk.push(...exchange('h3.example.com', 'AAAA', { authorities: [SOA(900, 60)], edns: { udpSize: 1232, options: [{ code: 10, data: '0102030405060708' }] } }, { udpSize: 1232 }));
  // A response whose query was never captured; a query never answered.
  pk.push(exchange('h4.example.com', 'AAAA', { authorities: [SOA(900, 60)] })[1]);
  pk.push(...exchange('h5.example.com', 'AAAA', null));
  // A malformed EDNS option: built by hand (encodeDns will not write one).
  const bad = encodeDns({ id: 7, qr: true, flags: ['RD', 'RA'], questions: [{ name: 'h0.example.com', type: 'AAAA' }], authorities: [SOA(900, 60)], edns: { udpSize: 1232, options: [{ code: 10, data: '0102' }] } });
  bad[bad.length - 3] = 9; // option length 9 > the 2 bytes left
  const link = { type: 'ethernet' as const };
  pk.push(buildPacket({ link, ip: { v: 6, src: '2001:db8:1::10', dst: '2001:db8:1::53' }, l4: { udp: { sport: 999, dport: 53 } }, payload: encodeDns({ id: 7, flags: ['RD'], questions: [{ name: 'h0.example.com', type: 'AAAA' }], edns: { udpSize: 1232 } }) }));
  pk.push(buildPacket({ link, ip: { v: 6, src: '2001:db8:1::53', dst: '2001:db8:1::10' }, l4: { udp: { sport: 53, dport: 999 } }, payload: bad }));
  return pk;
}

/** The same names answered again and again while what the decision depends on changes between times. */
function repeats(): Uint8Array[] {
  const pk: Uint8Array[] = [];
  const A = (name: string, data: string[], ttl = 300) => pk.push(...exchange(name, 'A', { answers: data.map((d) => ({ name, type: 'A', ttl, data: d })) }));
  const nodata = (name: string, ttl = 900, min = 60, udpSize?: number) => pk.push(...exchange(name, 'AAAA', { authorities: [SOA(ttl, min)] }, udpSize ? { udpSize } : {}));
  A('r.example.com', ['93.184.216.1']);
  nodata('r.example.com');
  nodata('r.example.com'); // same inputs
  nodata('r.example.com', 900, 30); // another negative TTL
  nodata('r.example.com', 20, 30);
  nodata('r.example.com', 20, 30);
  nodata('r.example.com', 900, 60, 1232); // EDNS: another size
  nodata('r.example.com', 900, 60, 4096);
  nodata('R.Example.com'); // another spelling
  nodata('r.example.com');
  A('r.example.com', ['93.184.216.1']); // the same A answer again (same entry)
  nodata('r.example.com');
  A('r.example.com', ['93.184.216.2', '93.184.216.3'], 50); // new A data
  nodata('r.example.com');
  nodata('r.example.com');
  pk.push(...exchange('r.example.com', 'AAAA', { answers: [{ name: 'r.example.com', type: 'AAAA', ttl: 70, data: '2001:db8::7' }] })); // native in between
  nodata('r.example.com');
  pk.push(...exchange('r.example.com', 'A', { rcode: 3, authorities: [SOA(60, 30)] })); // A gone: keeps the last addresses
  nodata('r.example.com');
  pk.push(...exchange('r.example.com', 'A', { authorities: [SOA(60, 30)] })); // NODATA for A
  nodata('r.example.com');
  A('p.example.com', ['10.9.8.7']); // non-global
  nodata('p.example.com');
  nodata('p.example.com');
  pk.push(...exchange('n.example.com', 'A', { rcode: 3, authorities: [SOA(60, 30)] }));
  nodata('n.example.com');
  nodata('n.example.com');
  A('c.example.com', ['93.184.216.9']);
  nodata('c.example.com');
  pk.push(...exchange('c.example.com', 'AAAA', { answers: [{ name: 'c.example.com', type: 'CNAME', ttl: 40, data: 'r.example.com' }], authorities: [SOA(900, 300)] }));
  nodata('c.example.com');
  nodata('c.example.com');
  // A name's A entry replaced by another name's answer (a CNAME chain ending at it, learned by
  // the full decoder): the remembered decision must not outlive it (the engine's A-table
  // generation; leaving out its bump in learn() fails this).
  A('t.example.com', ['93.184.216.20']);
  nodata('t.example.com');
  nodata('t.example.com');
  pk.push(...exchange('alias.example.com', 'A', { answers: [
    { name: 'alias.example.com', type: 'CNAME', ttl: 300, data: 't.example.com' },
    { name: 't.example.com', type: 'A', ttl: 300, data: '93.184.216.21' },
  ] }));
  nodata('t.example.com');
  nodata('t.example.com');
  A('t.example.com', ['93.184.216.21']); // the same A answer as the one learned before the alias
  nodata('t.example.com');
  return pk;
}

describe('dns64 view-only path = full path (differential)', () => {
  it('every AAAA answer of every fixture capture, in each compat mode', async () => {
    const files = wellFormedFixtureCaptures();
    expect(files.length).toBeGreaterThan(10);
    let hits = 0;
    for (const f of files) hits += await same(f);
    // The fixtures hold DNS64 answers of the common shapes: the fast path must have taken some.
    expect(hits).toBeGreaterThan(0);
  }, 120_000);

  it('a crafted capture of every answer shape (fast-path shapes and the ones left to the full path), two prefixes', async () => {
    const f = join(dir, 'shapes.pcapng');
    await writeCapture(f, shapes());
    const hits = await same(f);
    expect(hits).toBeGreaterThanOrEqual(3 * 12);
    expect(await same(f, ['rfc'], ['64:ff9b::/96', '2001:db8:64::/64'])).toBeGreaterThanOrEqual(12);
  }, 60_000);

  it('names answered again with what the decision depends on changing between times (the NODATA memo)', async () => {
    const f = join(dir, 'repeats.pcapng');
    await writeCapture(f, repeats());
    memo = 0;
    await same(f);
    await same(f, ['rfc'], ['64:ff9b::/96', '2001:db8:64::/64']);
    expect(memo).toBeGreaterThanOrEqual(4 * 6);
  }, 60_000);

  it('the benchmark\'s generated capture (NODATA+SOA and native AAAA, 500 names)', async () => {
    const { generateDns64 } = await import('../../../bench/generate-dns64.mjs' as string) as { generateDns64: (p: string, n: number, names: number) => Promise<void> };
    const f = join(dir, 'bench.pcap');
    await generateDns64(f, 4000, 500);
    memo = 0;
    const hits = await same(f, ['rfc']);
    expect(hits).toBe(1000); // every AAAA answer of it
    expect(memo).toBeGreaterThan(300); // 500 names twice; the second NODATA of each reused
  }, 60_000);
});
