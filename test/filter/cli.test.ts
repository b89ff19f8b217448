/**
 * `--filter` on the command line (SPEC §2, §6): invalid filters are one-line exit-2 errors with the
 * column (a caret only on a terminal); `packets` prints exactly what tshark -Y shows; `translate`
 * runs every packet through the engine and writes only what it emitted for the selected ones.
 */
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, CLI } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';

const DEMO = 'fixtures/pcaps/demo.pcapng';
const tmp = mkdtempSync(join(tmpdir(), 'nat64scope-filter-'));
const numbersOf = (stdout: string): number[] => stdout.split('\n').filter(Boolean).map((l) => Number(l.trim().split(/\s+/)[0]));

describe('invalid filters', () => {
  it('exit 2, one line naming the column, no caret when stderr is not a terminal', () => {
    const r = runCli(['packets', DEMO, '--filter', 'tcp and dprot == 443']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('nat64scope: invalid filter: unknown field "dprot" (did you mean "dport"?) at column 9 (tcp and dprot == 443)\n');
  });
  it('the same for translate, -Y and the --json and --stats modes; nothing written', () => {
    const out = join(tmp, 'never.pcapng');
    for (const args of [
      ['translate', DEMO, '-w', out, '--filter', 'dst in 64:ff9b::/129'],
      ['packets', DEMO, '--json', '-Y', 'dst in 64:ff9b::/129'],
      ['packets', DEMO, '--stats', '--filter', 'dst in 64:ff9b::/129'],
    ]) {
      const r = runCli(args);
      expect(r.status).toBe(2);
      expect(r.stderr).toBe('nat64scope: invalid filter: prefix length 129 is longer than an IPv6 address (128 bits) at column 18 (dst in 64:ff9b::/129)\n');
    }
    expect(existsSync(out)).toBe(false);
  });
  it('a caret under the column on a terminal (script(1) gives the CLI a pty)', () => {
    const r = spawnSync('script', ['-qec', `${process.execPath} ${CLI} packets ${DEMO} --filter 'tcp and dprot == 443'`, '/dev/null'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    const lines = r.stdout.replace(/\r/g, '').split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'nat64scope: invalid filter: unknown field "dprot" (did you mean "dport"?) at column 9 (tcp and dprot == 443)',
      '  tcp and dprot == 443',
      '          ^',
    ]);
  });
  it('facts a command cannot supply: packets has no verdict, translate no findings', () => {
    const a = runCli(['packets', DEMO, '--filter', 'tcp and drop']);
    expect(a.status).toBe(2);
    expect(a.stderr).toMatch(/^nat64scope: invalid filter: "drop" needs the translator's verdict .* at column 9 \(tcp and drop\)\n$/);
    const b = runCli(['translate', DEMO, '--filter', 'finding']);
    expect(b.status).toBe(2);
    expect(b.stderr).toMatch(/"finding" needs analyze's findings.* at column 1 \(finding\)/);
  });
});

describe('packets --filter', () => {
  it('text lines: the packets tshark -Y shows, times relative to the first packet of the capture', () => {
    const r = runCli(['packets', DEMO, '--filter', 'tcp and dport == 443 and not icmpv6']);
    expect(r.status, r.stderr).toBe(0);
    const theirs = tshark(['-r', DEMO, '-Y', 'tcp.dstport == 443 && !icmpv6', '-T', 'fields', '-e', 'frame.number', '-e', 'frame.time_relative']).trim().split('\n').map((l) => l.split('\t'));
    expect(numbersOf(r.stdout)).toEqual(theirs.map((t) => Number(t[0])));
    const first = r.stdout.split('\n')[0].trim().split(/\s+/);
    expect(Number(first[1])).toBeCloseTo(Number(theirs[0][1]), 6);
  });
  it('--json: the same objects as without a filter, only fewer', () => {
    const all = runCli(['packets', DEMO, '--json']).stdout.trim().split('\n');
    const r = runCli(['packets', DEMO, '--json', '--filter', 'dns.name == "api.example.com" or icmpv6']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l).n)).toEqual([3, 4, 5, 6, 25, 26, 33]);
    for (const l of lines) expect(l).toBe(all[JSON.parse(l).n - 1]);
  });
  it('--stats counts only matching packets and says so', () => {
    const r = runCli(['packets', DEMO, '--stats', '--json', '--filter', 'tcp and dport == 443']);
    const s = JSON.parse(r.stdout);
    expect(s.packets).toBe(13);
    expect(s.packetsRead).toBe(48);
    expect(s.filter).toBe('tcp and dport == 443');
    const t = runCli(['packets', DEMO, '--stats', '--filter', 'tcp and dport == 443']);
    expect(t.stdout).toMatch(/filter: tcp and dport == 443: 13 of 48 packets/);
  });
  it('--count counts matching packets', () => {
    expect(numbersOf(runCli(['packets', DEMO, '-c', '3', '--filter', 'udp']).stdout)).toEqual([1, 2, 3]);
    expect(numbersOf(runCli(['packets', DEMO, '-c', '2', '--filter', 'tcp.flags.syn']).stdout)).toEqual([7, 8]);
  });
  it('--whole-flows: two passes over a file give whole flows; stdin gives later packets only', () => {
    const file = runCli(['packets', DEMO, '--filter', 'tcp.flags.fin', '--whole-flows']);
    expect(numbersOf(file.stdout)).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const stdin = runCli(['packets', '-', '--filter', 'tcp.flags.fin', '--whole-flows'], { input: readFileSync(DEMO) });
    expect(numbersOf(stdin.stdout)).toEqual([18, 19, 20]);
    // The Packet Too Big (#33) belongs to the flow of the segment it quotes.
    expect(numbersOf(runCli(['packets', DEMO, '--filter', 'dstIpv4 == 203.0.113.16 and tcp.flags.syn', '--whole-flows']).stdout)).toEqual([29, 30, 31, 32, 33, 34, 35, 36, 37]);
  });
});

describe('translate --filter', () => {
  const full = join(tmp, 'full.pcapng');
  const part = join(tmp, 'part.pcapng');
  const partExplain = join(tmp, 'part.ndjson');
  const rows = (f: string) => tshark(['-r', f, '-o', 'frame.generate_md5_hash:TRUE', '-T', 'fields', '-e', 'frame.comment', '-e', 'frame.time_epoch', '-e', 'frame.md5_hash', '-e', 'frame.interface_name'])
    .trim().split('\n').filter(Boolean);

  it('writes exactly the packets the full run emitted for the selected inputs, byte for byte', () => {
    const a = runCli(['translate', DEMO, '--profile', 'aws', '-w', full, '--force']);
    expect(a.status, a.stderr).toBe(0);
    const b = runCli(['translate', DEMO, '--profile', 'aws', '-w', part, '--force', '--explain', partExplain, '--json', '--filter', 'tcp and dport == 443']);
    expect(b.status, b.stderr).toBe(0);
    const s = JSON.parse(b.stdout);
    // Every packet still went through the engine: same counts as the unfiltered run.
    const sa = a.stderr.split('\n')[0];
    expect(b.stderr.split('\n')[0]).toBe(sa);
    expect(s.packetsIn).toBe(48);
    expect(s.selected).toBe(13);
    expect(b.stderr).toMatch(/filter: 13 of 48 input packets selected, \d+ packets written/);
    const selected = new Set([7, 9, 10, 15, 16, 18, 20, 29, 31, 32, 34, 35, 37]);
    const want = rows(full).filter((r) => selected.has(Number(/#(\d+)/.exec(r)![1])));
    const got = rows(part);
    expect(got.length).toBeGreaterThanOrEqual(13);
    expect(got).toEqual(want);
    expect(s.written).toBe(got.length);
    // The ICMPv6 Packet Too Big generated for #32 is there: it was emitted for a selected packet.
    expect(got.some((r) => r.startsWith('icmpv6 packet too big generated for #32'))).toBe(true);
    const ex = readFileSync(partExplain, 'utf8').trim().split('\n').map((l) => JSON.parse(l).n);
    expect(ex).toEqual([...selected]);
  });
  it('drop / verdict / reason see the engine verdict (explain records of dropped packets only)', () => {
    const ex = join(tmp, 'drops.ndjson');
    const out = join(tmp, 'drops.pcapng');
    const r = runCli(['translate', DEMO, '--profile', 'aws', '-w', out, '--explain', ex, '--force', '--json', '--filter', 'drop']);
    expect(r.status, r.stderr).toBe(0);
    const recs = readFileSync(ex, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const s = JSON.parse(r.stdout);
    expect(recs.length).toBe(s.selected);
    expect(recs.length).toBeGreaterThan(0);
    for (const x of recs) expect(['dropped', 'error-generated']).toContain(x.verdict);
    // Dropped packets emit nothing, except the ICMP errors generated for them.
    for (const row of rows(out)) expect(row).toMatch(/generated/);
    const reason = recs[0].reason as string;
    const r2 = runCli(['translate', DEMO, '--profile', 'aws', '--explain', ex, '--force', '--filter', `reason == ${reason}`]);
    expect(r2.status, r2.stderr).toBe(0);
    const recs2 = readFileSync(ex, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(recs2.length).toBeGreaterThan(0);
    for (const x of recs2) expect(x.reason).toBe(reason);
  });
});
