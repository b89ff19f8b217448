/**
 * `runDns64` reads the A-data first pass only when the main pass needs it (the engine's lazy
 * base, `Dns64Engine.setLazyBase`): every result, the summary (names held included) and the
 * rewritten capture must be exactly those of the eager two-pass run, on every fixture capture,
 * on the benchmark's capture (where nothing needs the first pass: it must not be read) and on
 * crafted captures where it is needed at different points (an AAAA answer before its A answer,
 * CNAME targets answered later, negative A answers, DNAME, a two-question A answer, queries
 * never answered). Also the A-answer shortcut (an A answer byte for byte the one learned last
 * time is not decoded again) must not keep stale data when a chain changed the entry between.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { runDns64, type RunDns64Summary } from '../../src/replay/dns64.js';
import { dns64Options, type Dns64Result } from '../../src/xlat/dns64/engine.js';
import type { Dns64Compat } from '../../src/xlat/dns64/compat.js';
import { loadConfig } from '../../src/xlat/config.js';
import { encodeDns } from '../../src/wire/dns.js';
import { buildPacket } from '../../src/wire/builder.js';
import { exchange, writeCapture, SOA } from '../xlat/dns64/craft.js';
import { wellFormedFixtureCaptures } from '../helpers/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dns64-lazy-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(input: string, lazy: boolean, output: boolean, compat: Dns64Compat = 'rfc') {
  const options = dns64Options(loadConfig({}), compat);
  const results: Dns64Result[] = [];
  let firstPass = 0;
  const out = output ? join(dir, `out-${lazy ? 'lazy' : 'eager'}.pcapng`) : null;
  const summary: RunDns64Summary = await runDns64({
    input, engine: options, output: out, force: true, lazyBase: lazy, onFirstPass: () => firstPass++, onResult: (r) => results.push(r),
  });
  return { results, summary: { ...summary, read: null }, bytes: out ? readFileSync(out) : null, firstPass };
}

/** Lazy = eager, with and without an output capture; returns whether the lazy runs read the first pass. */
async function same(input: string, compat: Dns64Compat = 'rfc'): Promise<boolean[]> {
  const read: boolean[] = [];
  for (const output of [false, true]) {
    const eager = await run(input, false, output, compat);
    const lazy = await run(input, true, output, compat);
    expect(eager.firstPass).toBe(1);
    expect(lazy.firstPass).toBeLessThanOrEqual(1);
    expect(lazy.results.length, input).toBe(eager.results.length);
    for (let i = 0; i < lazy.results.length; i++) expect(lazy.results[i], `${input} result ${i}`).toStrictEqual(eager.results[i]);
    // (fastHits and memoHits count reuse inside the engine, not what it answers.)
    expect({ ...lazy.summary, memoHits: 0, fastHits: 0 }, input).toStrictEqual({ ...eager.summary, memoHits: 0, fastHits: 0 });
    if (output) expect(Buffer.compare(lazy.bytes!, eager.bytes!), `${input}: rewritten captures differ`).toBe(0);
    read.push(lazy.firstPass === 1);
  }
  return read;
}

const A = (pk: Uint8Array[], name: string, data: string[], ttl = 300) => pk.push(...exchange(name, 'A', { answers: data.map((d) => ({ name, type: 'A', ttl, data: d })) }));
const nodata = (pk: Uint8Array[], name: string) => pk.push(...exchange(name, 'AAAA', { authorities: [SOA(900, 60)] }));

describe('dns64 first pass read only when needed (lazy base) = always read', () => {
  it('every fixture capture, each compat mode', async () => {
    const files = wellFormedFixtureCaptures();
    expect(files.length).toBeGreaterThan(10);
    for (const f of files) for (const c of ['rfc', 'bind', 'unbound'] as const) await same(f, c);
  }, 180_000);

  it('the benchmark capture (every A answer before its AAAA answer): the first pass is not read', async () => {
    const { generateDns64 } = await import('../../bench/generate-dns64.mjs' as string) as { generateDns64: (p: string, n: number, names: number) => Promise<void> };
    const f = join(dir, 'bench.pcap');
    await generateDns64(f, 4000, 500);
    expect(await same(f)).toEqual([false, false]);
  }, 60_000);

  it('an AAAA answer before the A answer it needs: the first pass is read, mid-capture', async () => {
    const pk: Uint8Array[] = [];
    A(pk, 'one.example.com', ['93.184.216.1']);
    nodata(pk, 'one.example.com'); // decided from what the main pass learned
    nodata(pk, 'late.example.com'); // needs the A answer below
    A(pk, 'late.example.com', ['93.184.216.2']);
    nodata(pk, 'late.example.com');
    const f = join(dir, 'late.pcapng');
    await writeCapture(f, pk);
    expect(await same(f)).toEqual([true, true]);
  });

  it('chains, negative answers, DNAME, two questions, unanswered queries', async () => {
    const pk: Uint8Array[] = [];
    // A CNAME whose target's A answer comes after the AAAA answer.
    pk.push(...exchange('www.example.com', 'AAAA', { answers: [{ name: 'www.example.com', type: 'CNAME', ttl: 40, data: 'edge.cdn.example.net' }], authorities: [SOA(900, 300, 'cdn.example.net')] }));
    A(pk, 'edge.cdn.example.net', ['151.101.9.9'], 20);
    // Negative A first, then positive (the first pass keeps the first), then AAAA.
    pk.push(...exchange('neg.example.com', 'A', { rcode: 3, authorities: [SOA(60, 30)] }));
    A(pk, 'neg.example.com', ['93.184.216.5']);
    nodata(pk, 'neg.example.com');
    // A negative answer for a name the first pass has positive.
    A(pk, 'pos.example.com', ['93.184.216.6']);
    pk.push(...exchange('pos.example.com', 'A', { authorities: [SOA(60, 30)] }));
    nodata(pk, 'pos.example.com');
    // DNAME learned from an A answer.
    pk.push(...exchange('a.old.example', 'A', { answers: [
      { name: 'old.example', type: 'DNAME', ttl: 50, data: 'new.example' },
      { name: 'a.old.example', type: 'CNAME', ttl: 50, data: 'a.new.example' },
      { name: 'a.new.example', type: 'A', ttl: 50, data: '93.184.216.7' }] }));
    nodata(pk, 'b.old.example');
    // An A answer with two questions (the main pass ignores it, the first pass learns it).
    const link = { type: 'ethernet' as const };
    pk.push(buildPacket({ link, ip: { v: 6, src: '2001:db8:1::53', dst: '2001:db8:1::10' }, l4: { udp: { sport: 53, dport: 999 } },
      payload: encodeDns({ id: 9, qr: true, flags: ['RD', 'RA'], questions: [{ name: 'two.example.com', type: 'A' }, { name: 'x.example.com', type: 'A' }],
        answers: [{ name: 'two.example.com', type: 'A', ttl: 30, data: '93.184.216.8' }] }) }));
    nodata(pk, 'two.example.com');
    // Queries never answered, one with A data, one without.
    pk.push(...exchange('one.example.com', 'AAAA', null));
    pk.push(...exchange('none.example.com', 'AAAA', null));
    A(pk, 'one.example.com', ['93.184.216.1']);
    const f = join(dir, 'mixed.pcapng');
    await writeCapture(f, pk);
    for (const c of ['rfc', 'bind', 'unbound'] as const) expect(await same(f, c)).toEqual([true, true]);
  });

  it('an A answer repeated byte for byte after a chain changed its name\'s entry is learned again', async () => {
    const pk: Uint8Array[] = [];
    const x = exchange('n.example.com', 'A', { answers: [{ name: 'n.example.com', type: 'A', ttl: 300, data: '93.184.216.10' }] });
    pk.push(...x);
    nodata(pk, 'n.example.com');
    // m.example.com's answer chains to n.example.com with another address: n's entry changes.
    pk.push(...exchange('m.example.com', 'A', { answers: [
      { name: 'm.example.com', type: 'CNAME', ttl: 60, data: 'n.example.com' },
      { name: 'n.example.com', type: 'A', ttl: 60, data: '93.184.216.99' }] }));
    nodata(pk, 'n.example.com');
    pk.push(...x); // the first answer again, same bytes: n is 93.184.216.10 again
    nodata(pk, 'n.example.com');
    const f = join(dir, 'chain.pcapng');
    await writeCapture(f, pk);
    const r = await run(f, true, false);
    const data = r.results.map((x) => x.answers.map((a) => a.data).join(' '));
    expect(data).toEqual(['64:ff9b::5db8:d80a', '64:ff9b::5db8:d863', '64:ff9b::5db8:d80a']);
  });
});
