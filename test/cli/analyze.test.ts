/** `analyze` end to end (SPEC §2, §5): report, JSON, --fail-on, several captures, --export, errors. */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { Timeline, TcpFlow, writeTimeline } from '../../scripts/lib/timeline.js';
import { emitIcmpv6, emitPref64Option } from '../../src/wire/icmpv6.js';
import { ip6 } from '../../src/wire/builder.js';
import { LinkType } from '../../src/pcap/linktype.js';

const DEMO = 'fixtures/pcaps/demo.pcapng';
const D = 'fixtures/pcaps/diag';
const tmp = () => mkdtempSync(join(tmpdir(), 'nat64scope-analyze-'));
const parse = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

describe('analyze', () => {
  it('reports the demo capture: summary, prefixes, DNS64, the failing flow, findings with packets and fixes', () => {
    const r = runCli(['analyze', DEMO, '--profile', 'aws', '--width', '200']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const o = r.stdout;
    expect(o).toContain('nat64scope analyze: fixtures/pcaps/demo.pcapng');
    expect(o).toMatch(/pcapng, link ethernet, 48 packets/);
    expect(o).toMatch(/64:ff9b::\/96\s+RFC 7050 ipv4only.arpa answer, packet #2/);
    expect(o).toMatch(/FAIL tcp \[2600:1f14:abc:de00::10\]:\d+ > \[64:ff9b::cb00:7105\]:8443 \(203\.0\.113\.5\) legacy\.example\.org/);
    expect(o).toMatch(/ERROR\s+prefix-not-routed/);
    expect(o).toMatch(/ERROR\s+dns64-missing/);
    expect(o).toContain('aws: Add a route for 64:ff9b::/96');
    expect(o).not.toMatch(/\x1b\[/); // not a terminal: no colour
  });

  it('--json: findings, then flows, then one summary (SPEC §5 keys)', () => {
    const r = runCli(['analyze', DEMO, '--json']);
    expect(r.status, r.stderr).toBe(0);
    const lines = parse(r.stdout);
    const types = lines.map((l) => l.type);
    expect(types[types.length - 1]).toBe('summary');
    expect(types.filter((t) => t === 'summary').length).toBe(1);
    const firstFlow = types.indexOf('flow');
    expect(types.lastIndexOf('finding')).toBeLessThan(firstFlow);
    for (const f of lines.filter((l) => l.type === 'finding')) {
      for (const k of ['id', 'severity', 'flow', 'packets', 'title', 'detail', 'fix']) expect(f, k).toHaveProperty(k);
      expect(['info', 'warning', 'error']).toContain(f.severity);
      expect(Array.isArray(f.packets)).toBe(true);
    }
    const flow = lines.find((l) => l.type === 'flow' && l.serverPort === 8443)!;
    expect(flow).toMatchObject({ proto: 'tcp', serverPort: 8443, failing: true, synRetries: 4, name: 'legacy.example.org' });
    const s = lines[lines.length - 1];
    expect(s).toMatchObject({ packets: 48, format: 'pcapng' });
    expect((s.findingIds as string[])).toContain('prefix-not-routed');
  });

  it('--flows all lists every flow; text and JSON agree on the count', () => {
    const j = parse(runCli(['analyze', DEMO, '--json', '--flows', 'all']).stdout);
    const flows = j.filter((l) => l.type === 'flow');
    const s = j[j.length - 1];
    expect(flows.length).toBe(s.flows);
    const t = runCli(['analyze', DEMO, '--flows', 'all']).stdout;
    expect((t.match(/^ {2}(FAIL| ok ) /gm) ?? []).length).toBe(flows.length);
  });

  it('--fail-on: exit 1 when a finding is that severe, 0 otherwise', () => {
    const e = runCli(['analyze', join(D, 'prefix-not-routed-fail.pcap'), '--fail-on', 'error']);
    expect(e.status).toBe(1);
    expect(e.stderr).toBe('nat64scope: analyze: 1 finding at or above error (--fail-on error)\n');
    expect(runCli(['analyze', join(D, 'dns64-prefix-mismatch-fail.pcap'), '--fail-on', 'error']).status).toBe(0);
    expect(runCli(['analyze', join(D, 'dns64-prefix-mismatch-fail.pcap'), '--fail-on', 'warning']).status).toBe(1);
    expect(runCli(['analyze', join(D, 'prefix-not-routed-ok.pcap'), '--fail-on', 'warning']).status).toBe(0);
  });

  it('several captures: each reported, then a total (text and JSON)', () => {
    const files = [join(D, 'prefix-not-routed-fail.pcap'), join(D, 'dns64-missing-fail.pcap')];
    const t = runCli(['analyze', ...files]);
    expect(t.status).toBe(0);
    expect(t.stdout.match(/^nat64scope analyze: /gm)!.length).toBe(2);
    expect(t.stdout).toMatch(/Total: 2 captures, \d+ packets, .*findings: 2 errors/);
    const j = parse(runCli(['analyze', '--json', ...files]).stdout);
    const last = j[j.length - 1];
    expect(last).toMatchObject({ type: 'summary', total: true, captures: 2 });
    expect(j.filter((l) => l.type === 'summary').length).toBe(3);
    expect(j.find((l) => l.type === 'finding')!.capture).toBe(files[0]);
  });

  it('reads stdin', () => {
    const r = runCli(['analyze', '-', '--json'], { input: readFileSync(join(D, 'dns64-missing-fail.pcap')) });
    expect(r.status, r.stderr).toBe(0);
    expect(parse(r.stdout)[0]).toMatchObject({ type: 'finding', id: 'dns64-missing' });
  });

  it('--export writes flat NDJSON records (flow, finding, capture); an existing file needs --force', () => {
    const dir = tmp();
    const out = join(dir, 'flows.ndjson');
    const r = runCli(['analyze', DEMO, '--export', out]);
    expect(r.status, r.stderr).toBe(0);
    const recs = parse(readFileSync(out, 'utf8'));
    expect(new Set(recs.map((x) => x.record))).toEqual(new Set(['flow', 'finding', 'capture']));
    for (const x of recs) {
      expect(x.capture).toBe(DEMO);
      for (const v of Object.values(x)) {
        // Flat: scalars, or arrays of scalars.
        if (Array.isArray(v)) expect(v.every((e) => typeof e !== 'object' || e === null)).toBe(true);
        else expect(typeof v === 'object' && v !== null).toBe(false);
      }
    }
    const flow = recs.find((x) => x.record === 'flow' && x.failing)!;
    for (const k of ['key', 'proto', 'client', 'server', 'server_port', 'state', 'packets_out', 'bytes_in', 'syn_retries', 'retransmissions', 'first', 'duration', 'findings']) expect(flow, k).toHaveProperty(k);
    expect(recs.filter((x) => x.record === 'flow').length).toBe(recs.find((x) => x.record === 'capture')!.flows);
    const again = runCli(['analyze', DEMO, '--export', out]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^nat64scope: output exists: .*--force/);
    expect(runCli(['analyze', DEMO, '--export', out, '--force']).status).toBe(0);
    expect(readdirSync(dir)).toEqual(['flows.ndjson']); // no temp file left
  });

  it('colour only when asked or on a terminal, never with NO_COLOR', () => {
    const f = join(D, 'prefix-not-routed-fail.pcap');
    expect(runCli(['analyze', f, '--color', 'always']).stdout).toMatch(/\x1b\[1m\x1b\[31mERROR/);
    expect(runCli(['analyze', f], { env: { ...process.env, NO_COLOR: '1' } }).stdout).not.toMatch(/\x1b\[/);
  });

  it('--width wraps the report', () => {
    const r = runCli(['analyze', DEMO, '--width', '60']);
    const long = r.stdout.split('\n').filter((l) => l.length > 60 && !/\S{40,}/.test(l));
    expect(long).toEqual([]);
  });

  it('--filter: the engine sees every packet, the analysis only the selected ones (and finding works on files)', () => {
    const one = parse(runCli(['analyze', DEMO, '--json', '--profile', 'aws', '--filter', 'tcp and dport == 8443']).stdout);
    const s = one[one.length - 1];
    expect(s).toMatchObject({ packets: 48, analyzed: 5, flows: 1 });
    expect(s.findingIds).toEqual(['prefix-not-routed', 'non-global-behind-wkp']);
    const dns = parse(runCli(['analyze', DEMO, '--json', '--filter', 'dns']).stdout);
    expect(dns[dns.length - 1].findingIds).toEqual(['dns64-missing']);
    const f = parse(runCli(['analyze', DEMO, '--json', '--profile', 'aws', '--filter', 'finding == "dns64-missing"']).stdout);
    expect(f[f.length - 1]).toMatchObject({ analyzed: 2, findingIds: ['dns64-missing'] });
    const bad = runCli(['analyze', DEMO, '--filter', 'tcp and port 8443']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^nat64scope: invalid filter: .* at column \d+/);
    const stdin = runCli(['analyze', '-', '--filter', 'finding'], { input: readFileSync(DEMO) });
    expect(stdin.status).toBe(2);
  });

  it('--prefix auto: the engine uses the prefix the capture advertises (RFC 8781 PREF64)', async () => {
    const tl = new Timeline();
    const ra = new Uint8Array(32);
    emitIcmpv6(ra, 0, 134, 0, 0);
    ra[4] = 64;
    ra[6] = 0x07;
    ra[7] = 0x08;
    emitPref64Option(ra, 16, ip6('2001:db8:64::'), 96, 1800);
    tl.add(0, { ip: { v: 6, src: 'fe80::1', dst: 'ff02::1', hopLimit: 255 }, l4: { icmp6: { type: 134, code: 0, rest: (64 << 24) | 1800 } }, payload: ra.subarray(8) });
    const f = new TcpFlow(tl, '2600:1f14:abc:de00::10', '2001:db8:64::345e:4c0a', 49000, 443, 1, 2);
    f.syn(1, 1440);
    f.synAck(1.03, 1440);
    f.ack(1.031, true);
    const file = join(tmp(), 'pref64.pcap');
    await writeTimeline(tl.sorted(), { path: file, interfaces: [{ name: 'raw', linkType: LinkType.RAW }], start: 1795168800 });
    const auto = parse(runCli(['analyze', file, '--json', '--prefix', 'auto']).stdout).pop()!;
    expect(auto).toMatchObject({ pool6: '2001:db8:64::/96', pool6Source: 'auto: 2001:db8:64::/96 (RFC 8781 PREF64, packet #1)', translated: 2, reconstructed: 1 });
    const fixed = parse(runCli(['analyze', file, '--json']).stdout).pop()!;
    expect(fixed).toMatchObject({ pool6: '64:ff9b::/96', pool6Source: 'configured', translated: 0 });
    // aws fixes the prefix: auto keeps 64:ff9b::/96 and says why.
    const aws = parse(runCli(['analyze', file, '--json', '--prefix', 'auto', '--profile', 'aws']).stdout).pop()!;
    expect(aws.pool6).toBe('64:ff9b::/96');
    expect(aws.pool6Source).toMatch(/^auto: the capture shows 2001:db8:64::\/96 .*; configured 64:ff9b::\/96$/);
  });

  it('bad input: exit 3, one line; bad usage: exit 2', () => {
    const dir = tmp();
    const junk = join(dir, 'junk.pcap');
    writeFileSync(junk, 'not a capture at all');
    const a = runCli(['analyze', junk]);
    expect(a.status).toBe(3);
    expect(a.stderr.trim().split('\n').length).toBe(1);
    expect(a.stderr).toMatch(/^nat64scope: /);
    const b = runCli(['analyze', join(dir, 'missing.pcap')]);
    expect(b.status).toBe(3);
    expect(runCli(['analyze', DEMO, '--fail-on', 'fatal']).status).toBe(2);
    expect(runCli(['analyze', DEMO, '--prefix', '64:ff9b::/33']).status).toBe(2);
    expect(runCli(['analyze']).status).toBe(2);
    expect(existsSync(join(dir, 'missing.pcap'))).toBe(false);
  });
});
