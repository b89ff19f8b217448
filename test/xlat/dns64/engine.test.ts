/**
 * The DNS64 engine rule by rule (RFC 6147 §5.1.x, §5.3.1, §5.5; RFC 8880 §7.2), fed captured
 * query/response pairs crafted with the builder, through the `dns64` command as a user runs it.
 * A records use global IPv4 addresses (8.8.2.x, 1.1.113.x, 9.9.100.x): the documentation ranges are
 * non-global, and RFC 6052 §3.1 keeps them from 64:ff9b::/96 (tested on its own below).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exchange, writeCapture, SOA } from './craft.js';
import { runCli } from '../../helpers/cli.js';
import { tshark } from '../../helpers/referees.js';

let dir: string;
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'dns64-')); });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Out { n: number; name: string; qtype: string; rcode: number; flags: string[]; answers: Array<{ name: string; type: string; ttl: number; data: string }>; synthesized: boolean; reason: string; detail: string; action: string }

async function run(pkts: Uint8Array[], args: string[] = []): Promise<Out[]> {
  const f = join(dir, `c${Math.random().toString(36).slice(2)}.pcapng`);
  await writeCapture(f, pkts);
  const r = runCli(['dns64', f, '--json', ...args]);
  if (r.status !== 0) throw new Error(`exit ${r.status}: ${r.stderr}`);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Out);
}

const A = (name: string, data: string, ttl = 300) => ({ name, type: 'A', ttl, data });
const AAAA = (name: string, data: string, ttl = 300) => ({ name, type: 'AAAA', ttl, data });

describe('RFC 6147 §5.1 AAAA synthesis', () => {
  it('§5.1.7 TTL = min(A TTL, negative TTL of the SOA) — SOA minimum below and above the A TTL', async () => {
    const out = await run([
      ...exchange('lo.example.com', 'A', { answers: [A('lo.example.com', '8.8.2.1', 300)] }),
      ...exchange('lo.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }),
      ...exchange('hi.example.com', 'A', { answers: [A('hi.example.com', '8.8.2.2', 300)] }),
      ...exchange('hi.example.com', 'AAAA', { authorities: [SOA(3600, 900)] }),
      ...exchange('soattl.example.com', 'A', { answers: [A('soattl.example.com', '8.8.2.3', 300)] }),
      ...exchange('soattl.example.com', 'AAAA', { authorities: [SOA(120, 900)] }),
      ...exchange('nosoa.example.com', 'A', { answers: [A('nosoa.example.com', '8.8.2.4', 3000)] }),
      ...exchange('nosoa.example.com', 'AAAA', {}),
    ]);
    expect(out.map((o) => [o.name, o.reason, o.synthesized, o.answers.map((a) => `${a.type} ${a.data} ${a.ttl}`)])).toEqual([
      ['lo.example.com', 'synthesized', true, ['AAAA 64:ff9b::808:201 60']],
      ['hi.example.com', 'synthesized', true, ['AAAA 64:ff9b::808:202 300']],
      ['soattl.example.com', 'synthesized', true, ['AAAA 64:ff9b::808:203 120']],
      ['nosoa.example.com', 'synthesized', true, ['AAAA 64:ff9b::808:204 600']],
    ]);
    expect(out[0].n).toBe(4); // the captured AAAA response
    expect(out[0].flags).toEqual(['QR', 'RD', 'RA']);
    expect(out[0].rcode).toBe(0);
  });

  it('several A records, every prefix, every RFC 6052 length; A seen after the AAAA (pre-pass)', async () => {
    const pk = [
      ...exchange('multi.example.com', 'AAAA', { authorities: [SOA(3600, 3600)] }),
      ...exchange('multi.example.com', 'A', { answers: [A('multi.example.com', '192.0.2.33', 100), A('multi.example.com', '198.51.100.7', 100)] }),
    ];
    const cfg = join(dir, 'cfg.json');
    writeFileSync(cfg, JSON.stringify({ dns64: { prefixes: ['2001:db8::/32', '2001:db8:100::/40', '2001:db8:122::/48', '2001:db8:122:300::/56', '2001:db8:122:344::/64', '2001:db8:122:344::/96'] } }));
    const [o] = await run(pk, ['--config', cfg]);
    // RFC 6052 §2.4 table, 192.0.2.33 at every length.
    expect(o.answers.filter((a) => a.data.includes('c000') || a.data.includes('c0:2') || a.data.includes('c000:2')).length).toBeGreaterThan(0);
    expect(o.answers.map((a) => a.data)).toEqual([
      '2001:db8:c000:221::', '2001:db8:c633:6407::',
      '2001:db8:1c0:2:21::', '2001:db8:1c6:3364:7::',
      '2001:db8:122:c000:2:2100::', '2001:db8:122:c633:64:700::',
      '2001:db8:122:3c0:0:221::', '2001:db8:122:3c6:33:6407::',
      '2001:db8:122:344:c0:2:2100:0', '2001:db8:122:344:c6:3364:700:0',
      '2001:db8:122:344::c000:221', '2001:db8:122:344::c633:6407',
    ]);
    expect(o.answers.every((a) => a.ttl === 100)).toBe(true);
    // One pass (stdin): the A data comes too late.
    const f = join(dir, 'late.pcapng');
    await writeCapture(f, pk);
    const { readFileSync } = await import('node:fs');
    const r = runCli(['dns64', '-', '--json'], { input: readFileSync(f) });
    expect(JSON.parse(r.stdout.trim()).reason).toBe('no-a-data');
  });

  it('native AAAA kept; ::ffff: alone is excluded and synthesized; mixed: ::ffff: removed; synthAll', async () => {
    const pk = [
      ...exchange('both.example.com', 'A', { answers: [A('both.example.com', '8.8.2.5')] }),
      ...exchange('both.example.com', 'AAAA', { answers: [AAAA('both.example.com', '2001:db8::5')] }),
      ...exchange('mapped.example.com', 'A', { answers: [A('mapped.example.com', '8.8.2.6')] }),
      ...exchange('mapped.example.com', 'AAAA', { answers: [AAAA('mapped.example.com', '::ffff:8.8.2.6')] }),
      ...exchange('mixed.example.com', 'AAAA', { answers: [AAAA('mixed.example.com', '::ffff:8.8.2.7'), AAAA('mixed.example.com', '2001:db8::7')] }),
    ];
    const out = await run(pk);
    expect(out.map((o) => [o.reason, o.action, o.answers.map((a) => a.data)])).toEqual([
      ['native-aaaa', 'keep', ['2001:db8::5']],
      ['synthesized-excluded', 'rewrite', ['64:ff9b::808:206']],
      ['native-aaaa-excluded-removed', 'rewrite', ['2001:db8::7']],
    ]);
    const cfg = join(dir, 'all.json');
    writeFileSync(cfg, JSON.stringify({ dns64: { synthAll: true } }));
    expect((await run(pk, ['--config', cfg]))[0]).toMatchObject({ reason: 'synthesized-all', answers: [{ data: '64:ff9b::808:205', ttl: 300 }] });
  });

  it('CNAME chains kept in the answer; DNAME followed; NXDOMAIN as is; SERVFAIL treated as empty; empty A', async () => {
    const out = await run([
      ...exchange('a.example.com', 'A', { answers: [{ name: 'a.example.com', type: 'CNAME', ttl: 50, data: 'b.example.net' }, { name: 'b.example.net', type: 'CNAME', ttl: 40, data: 'c.example.org' }, A('c.example.org', '1.1.113.9', 70)] }),
      ...exchange('a.example.com', 'AAAA', { answers: [{ name: 'a.example.com', type: 'CNAME', ttl: 50, data: 'b.example.net' }, { name: 'b.example.net', type: 'CNAME', ttl: 40, data: 'c.example.org' }], authorities: [SOA(3600, 3600, 'example.org')] }),
      ...exchange('x.old.example', 'A', { answers: [{ name: 'old.example', type: 'DNAME', ttl: 80, data: 'new.example' }, { name: 'x.old.example', type: 'CNAME', ttl: 80, data: 'x.new.example' }, A('x.new.example', '1.1.113.10')] }),
      ...exchange('y.new.example', 'A', { answers: [A('y.new.example', '1.1.113.11')] }),
      ...exchange('y.old.example', 'AAAA', { rcode: 2 }),
      ...exchange('nx.example.com', 'AAAA', { rcode: 3, authorities: [SOA(3600, 900)] }),
      ...exchange('empty.example.com', 'A', { authorities: [SOA(3600, 900)] }),
      ...exchange('empty.example.com', 'AAAA', { authorities: [SOA(3600, 900)] }),
    ]);
    expect(out.map((o) => [o.name, o.reason, o.rcode, o.answers.map((a) => `${a.name} ${a.type} ${a.data} ${a.ttl}`)])).toEqual([
      ['a.example.com', 'synthesized', 0, ['a.example.com CNAME c.example.org 50'.replace('c.example.org', 'b.example.net'), 'b.example.net CNAME c.example.org 40', 'c.example.org AAAA 64:ff9b::101:7109 70']],
      ['y.old.example', 'synthesized-rcode', 0, ['y.old.example DNAME new.example 80'.replace('y.old.example DNAME', 'old.example DNAME'), 'y.old.example CNAME y.new.example 80', 'y.new.example AAAA 64:ff9b::101:710b 300']],
      ['nx.example.com', 'nxdomain', 3, []],
      ['empty.example.com', 'no-a-records', 0, []],
    ]);
  });

  it('§5.5: DO+CD not synthesized; AD only with DO, no CD, and both answers AD; RRSIGs dropped', async () => {
    const sig = { name: 's.example.com', type: 'RRSIG', ttl: 300, data: 'A 8 3 300 20300101000000 20200101000000 12345 example.com. AAAA' };
    const out = await run([
      ...exchange('s.example.com', 'A', { flags: ['RD', 'RA', 'AD'], answers: [A('s.example.com', '8.8.2.20'), sig] }, { do: true }),
      ...exchange('s.example.com', 'AAAA', { flags: ['RD', 'RA', 'AD'], authorities: [SOA(3600, 900)] }, { do: true }),
      ...exchange('s.example.com', 'AAAA', { flags: ['RD', 'RA', 'AD', 'CD'], authorities: [SOA(3600, 900)] }, { do: true, cd: true }),
      ...exchange('s.example.com', 'AAAA', { flags: ['RD', 'RA', 'AD'], authorities: [SOA(3600, 900)] }, {}),
      ...exchange('s.example.com', 'AAAA', { flags: ['RD', 'RA', 'CD'], authorities: [SOA(3600, 900)] }, { cd: true }),
    ]);
    expect(out.map((o) => [o.reason, o.flags.join(' '), o.answers.map((a) => a.type).join(' ')])).toEqual([
      ['synthesized', 'QR RD RA AD', 'AAAA'],
      ['do-cd', 'QR RD RA AD CD', ''],
      ['synthesized', 'QR RD RA', 'AAAA'],
      ['synthesized', 'QR RD RA CD', 'AAAA'],
    ]);
  });

  it('§5.3.1 PTR inside the prefix -> CNAME into in-addr.arpa; outside kept; ipv4only.arpa answered locally (RFC 8880)', async () => {
    const out = await run([
      ...exchange('33.2.0.192.in-addr.arpa', 'PTR', { answers: [{ name: '33.2.0.192.in-addr.arpa', type: 'PTR', ttl: 1000, data: 'host.example.com' }] }),
      ...exchange('1.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa', 'PTR', { rcode: 3 }),
      ...exchange('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa', 'PTR', { rcode: 3 }),
      ...exchange('ipv4only.arpa', 'AAAA', { authorities: [SOA(3600, 900, 'ipv4only.arpa')] }),
    ]);
    expect(out.map((o) => [o.qtype, o.reason, o.answers.map((a) => `${a.name} ${a.type} ${a.data}`)])).toEqual([
      ['PTR', 'ptr-cname', ['1.2.2.0.0.0.0.c.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.b.9.f.f.4.6.0.0.ip6.arpa CNAME 33.2.0.192.in-addr.arpa', '33.2.0.192.in-addr.arpa PTR host.example.com']],
      ['PTR', 'ptr-passed', []],
      ['AAAA', 'ipv4only-local', ['ipv4only.arpa AAAA 64:ff9b::c000:aa', 'ipv4only.arpa AAAA 64:ff9b::c000:ab']],
    ]);
  });

  it('a query with no captured response is answered from A data or the --zone file (zone + hosts syntax)', async () => {
    const zone = join(dir, 'z.zone');
    writeFileSync(zone, '$ORIGIN example.com.\n$TTL 1h\n@ IN SOA ns hostmaster ( 1 7200\n 3600 1209600 300 )\nzonly 120 IN A 8.8.2.77\nalias CNAME zonly\n8.8.2.78 hosty.example.com hosty2.example.com\n');
    const out = await run([
      ...exchange('zonly.example.com', 'AAAA', null),
      ...exchange('alias.example.com', 'AAAA', null),
      ...exchange('hosty2.example.com', 'AAAA', null),
      ...exchange('unknown.example.com', 'AAAA', null),
    ], ['--zone', zone]);
    expect(out.map((o) => [o.n, o.reason, o.answers.map((a) => `${a.type} ${a.data} ${a.ttl}`)])).toEqual([
      [1, 'synthesized', ['AAAA 64:ff9b::808:24d 120']],
      [2, 'synthesized', ['CNAME zonly.example.com 300', 'AAAA 64:ff9b::808:24d 120']].map((x, i) => (i === 2 ? ['CNAME zonly.example.com 3600', 'AAAA 64:ff9b::808:24d 120'] : x)),
      [3, 'synthesized', ['AAAA 64:ff9b::808:24e 600']],
      [4, 'no-a-data', []],
    ]);
  });

  it('strictWellKnownPrefix: private A behind 64:ff9b::/96 not synthesized; allowed by the aws profile', async () => {
    const pk = [
      ...exchange('priv.example.com', 'A', { answers: [A('priv.example.com', '10.1.2.3')] }),
      ...exchange('priv.example.com', 'AAAA', {}),
    ];
    expect((await run(pk))[0].reason).toBe('non-global-a');
    expect((await run(pk, ['--profile', 'aws']))[0]).toMatchObject({ reason: 'synthesized', answers: [{ data: '64:ff9b::a01:203' }] });
    expect((await run(pk, ['--prefix', '2001:db8:64::/96']))[0]).toMatchObject({ reason: 'synthesized', answers: [{ data: '2001:db8:64::a01:203' }] });
  });
});

describe('dns64 -w: the rewritten capture', () => {
  it('lengths and checksums right (tshark with checksum checks on), link layer kept, TC when over 512', async () => {
    const many = Array.from({ length: 40 }, (_, i) => A('big.example.com', `9.9.100.${i + 1}`));
    const pk = [
      ...exchange('www.example.com', 'A', { answers: [A('www.example.com', '8.8.2.1')] }),
      ...exchange('www.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }),
      ...exchange('big.example.com', 'A', { answers: many }),
      ...exchange('big.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }),
      ...exchange('big.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }, { udpSize: 4096 }),
    ];
    const f = join(dir, 'in.pcapng');
    const o = join(dir, 'out.pcapng');
    await writeCapture(f, pk);
    const r = runCli(['dns64', f, '-w', o]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('#4 www.example.com AAAA: resolver NOERROR, no answer (negative TTL 60); dns64 64:ff9b::808:201 (TTL 60) [synthesized]');
    const t = tshark(['-r', o, '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number', '-e', 'eth.src', '-e', 'udp.checksum.status', '-e', 'dns.flags.truncated', '-e', 'dns.count.answers', '-e', 'dns.aaaa', '-e', '_ws.expert.message', '-Y', 'dns.flags.response == 1 && dns.qry.type == 28']).trim().split('\n');
    expect(t).toEqual([
      '4\t02:00:00:00:00:02\t1\t0\t1\t64:ff9b::808:201\t',
      // 40 AAAA do not fit in 512 bytes: TC, as many whole records as fit.
      expect.stringMatching(/^8\t02:00:00:00:00:02\t1\t1\t(\d+)\t/),
      expect.stringMatching(/^10\t02:00:00:00:00:02\t1\t0\t40\t/),
    ]);
    const sizes = tshark(['-r', o, '-T', 'fields', '-e', 'udp.length', '-Y', 'frame.number == 8']).trim();
    expect(Number(sizes)).toBeLessThanOrEqual(512 + 8);
    // Nothing malformed anywhere.
    expect(tshark(['-r', o, '-Y', '_ws.malformed || _ws.expert.severity >= warning', '-o', 'udp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.number']).trim()).toBe('');
  });

  it('errors: no prefix, unknown compat, missing zone file, bad zone line, output exists', async () => {
    const f = join(dir, 'e.pcapng');
    await writeCapture(f, exchange('www.example.com', 'AAAA', {}));
    expect(runCli(['dns64', f, '--dns64-compat', 'powerdns']).status).toBe(2);
    const z = runCli(['dns64', f, '--zone', join(dir, 'nope.zone')]);
    expect([z.status, z.stderr.trim()]).toEqual([2, `nat64scope: cannot read zone file: no such file (${join(dir, 'nope.zone')})`]);
    const bad = join(dir, 'bad.zone');
    writeFileSync(bad, '$TTL 60\nwww.example.com. A 1.2.3\n');
    const b = runCli(['dns64', f, '--zone', bad]);
    expect([b.status, b.stderr.trim()]).toEqual([2, `nat64scope: zone: line 2: bad IPv4 address "1.2.3" (${bad})`]);
    const o = join(dir, 'exists.pcapng');
    writeFileSync(o, 'x');
    expect(runCli(['dns64', f, '-w', o]).status).toBe(2);
    // -w -: the capture (pcapng) owns stdout, no per-query lines.
    const w = runCli(['dns64', f, '-w', '-']);
    expect([w.status, w.stdout.slice(0, 4)]).toEqual([0, '\n\r\r\n']);
  });
});

describe('--dns64-compat', () => {
  it('unbound: A TTL, no exclusion set, no synthesis with CD; bind: synthesis under DO+CD, non-global synthesized', async () => {
    const pk = [
      ...exchange('t.example.com', 'A', { answers: [A('t.example.com', '8.8.2.9', 600)] }),
      ...exchange('t.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }),
      ...exchange('m.example.com', 'A', { answers: [A('m.example.com', '8.8.2.10')] }),
      ...exchange('m.example.com', 'AAAA', { answers: [AAAA('m.example.com', '::ffff:8.8.2.10')] }),
      ...exchange('t.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }, { cd: true }),
      ...exchange('t.example.com', 'AAAA', { authorities: [SOA(3600, 60)] }, { do: true, cd: true }),
      ...exchange('p.example.com', 'A', { answers: [A('p.example.com', '10.0.0.1')] }),
      ...exchange('p.example.com', 'AAAA', {}),
    ];
    const row = (o: Out) => `${o.reason} ${o.answers.map((a) => `${a.data}/${a.ttl}`).join(',')}`;
    expect((await run(pk)).map(row)).toEqual(['synthesized 64:ff9b::808:209/60', 'synthesized-excluded 64:ff9b::808:20a/300', 'synthesized 64:ff9b::808:209/60', 'do-cd ', 'non-global-a ']);
    expect((await run(pk, ['--dns64-compat', 'unbound'])).map(row)).toEqual(['synthesized 64:ff9b::808:209/600', 'native-aaaa ::ffff:808:20a/300', 'cd-set ', 'do-cd ', 'synthesized 64:ff9b::a00:1/300']);
    expect((await run(pk, ['--dns64-compat', 'bind'])).map(row)).toEqual(['synthesized 64:ff9b::808:209/60', 'synthesized-excluded 64:ff9b::808:20a/300', 'synthesized 64:ff9b::808:209/60', 'synthesized 64:ff9b::808:209/60', 'synthesized 64:ff9b::a00:1/300']);
  });
});

describe('--prefix auto', () => {
  it('uses the prefix the ipv4only.arpa answers show, says where it came from; stdin is refused; none found = pool6', async () => {
    const pk = [
      ...exchange('ipv4only.arpa', 'AAAA', { answers: [AAAA('ipv4only.arpa', '2001:db8:64::c000:aa'), AAAA('ipv4only.arpa', '2001:db8:64::c000:ab')] }),
      ...exchange('www.example.com', 'A', { answers: [A('www.example.com', '8.8.2.1')] }),
      ...exchange('www.example.com', 'AAAA', {}),
    ];
    const f = join(dir, 'auto.pcapng');
    await writeCapture(f, pk);
    const r = runCli(['dns64', f, '--prefix', 'auto', '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('prefix auto: 2001:db8:64::/96 from the ipv4only.arpa answers (RFC 7050), packet 2');
    expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l).answers.map((a: { data: string }) => a.data))).toEqual([
      ['2001:db8:64::c000:aa', '2001:db8:64::c000:ab'], ['2001:db8:64::808:201'],
    ]);
    const none = join(dir, 'none.pcapng');
    await writeCapture(none, pk.slice(2));
    const n = runCli(['dns64', none, '--prefix', 'auto']);
    expect(n.stderr).toContain('prefix auto: none found in the capture');
    expect(n.stdout).toContain('64:ff9b::808:201');
    const { readFileSync } = await import('node:fs');
    const s = runCli(['dns64', '-', '--prefix', 'auto'], { input: readFileSync(f) });
    expect([s.status, s.stderr.trim()]).toEqual([2, 'nat64scope: --prefix auto reads the capture twice: give a file, not stdin']);
  });
});

describe('ipv4only.arpa (RFC 8880 §7.2)', () => {
  it('a resolver answer that already holds the well-known addresses under the prefix is kept; another prefix is replaced', async () => {
    const ok = exchange('ipv4only.arpa', 'AAAA', { answers: [AAAA('ipv4only.arpa', '64:ff9b::c000:aa', 86400), AAAA('ipv4only.arpa', '64:ff9b::c000:ab', 86400)] });
    const other = exchange('ipv4only.arpa', 'AAAA', { answers: [AAAA('ipv4only.arpa', '2001:db8:9::c000:aa'), AAAA('ipv4only.arpa', '2001:db8:9::c000:ab')] });
    const out = await run([...ok, ...other]);
    expect(out.map((o) => [o.reason, o.action, o.answers.map((a) => `${a.data}/${a.ttl}`).join(' ')])).toEqual([
      ['ipv4only-local', 'keep', '64:ff9b::c000:aa/86400 64:ff9b::c000:ab/86400'],
      ['ipv4only-local', 'rewrite', '64:ff9b::c000:aa/3600 64:ff9b::c000:ab/3600'],
    ]);
  });
});
