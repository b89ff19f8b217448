/**
 * `nat64scope golden` end to end: the files and manifest it writes, byte-identical reruns,
 * `--check` passing on what it wrote and naming the fields of a tampered expected capture and
 * drop report, and its errors.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../helpers/cli.js';

const INPUTS = ['test/golden/inputs/siit-6to4-headers.pcapng', 'test/golden/inputs/siit-4to6-headers.pcapng'];
const CONFIG = 'test/golden/configs/siit.json';
let dir = '';

const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

/** Offsets of the Enhanced Packet Blocks of a little-endian pcapng file. */
function epbs(b: Buffer): number[] {
  const out: number[] = [];
  for (let o = 0; o + 12 <= b.length; o += b.readUInt32LE(o + 4)) if (b.readUInt32LE(o) === 6) out.push(o);
  return out;
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'n64c-golden-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nat64scope golden', () => {
  it('writes NAME.expected.pcapng, NAME.explain.ndjson and manifest.json', () => {
    const out = join(dir, 'a');
    const r = runCli(['golden', ...INPUTS, '--config', CONFIG, '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'siit-4to6-headers.expected.pcapng', 'siit-4to6-headers.explain.ndjson', 'siit-6to4-headers.expected.pcapng', 'siit-6to4-headers.explain.ndjson']);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    expect(m.format).toBe(1);
    expect(m.tool).toEqual({ name: 'nat64scope', version: JSON.parse(readFileSync('package.json', 'utf8')).version });
    const c = m.cases[0];
    expect(c.name).toBe('siit-6to4-headers');
    expect(resolve(out, c.input.path)).toBe(resolve(INPUTS[0]));
    expect(c.input.sha256).toBe(sha(INPUTS[0]));
    expect(c.expected).toMatchObject({ path: 'siit-6to4-headers.expected.pcapng', sha256: sha(join(out, 'siit-6to4-headers.expected.pcapng')), packets: 3 });
    expect(c.explain).toMatchObject({ path: 'siit-6to4-headers.explain.ndjson', sha256: sha(join(out, 'siit-6to4-headers.explain.ndjson')), records: 3 });
    expect(c.config.mode).toBe('siit');
    expect(Object.keys(c.config)).toContain('timeouts'); // the full effective configuration
    expect(c.summary).toMatchObject({ packetsIn: 3, packetsOut: 3, translated: 3, dropped: 0, drops: {} });
    // The same bytes as translate writes (the golden suite's files).
    expect(readFileSync(join(out, 'siit-6to4-headers.expected.pcapng')).equals(readFileSync('test/golden/expected/siit-6to4-headers.expected.pcapng'))).toBe(true);
  });

  it('is byte-identical when run again (and refuses to overwrite without --force)', () => {
    const a = join(dir, 'a');
    const b = join(dir, 'b');
    const again = runCli(['golden', ...INPUTS, '--config', CONFIG, '--out', a]);
    expect(again.status).toBe(2);
    expect(again.stderr).toMatch(/^nat64scope: output exists: .*--force/);
    expect(runCli(['golden', ...INPUTS, '--config', CONFIG, '--out', b]).status).toBe(0);
    for (const f of readdirSync(a)) expect(readFileSync(join(a, f)).equals(readFileSync(join(b, f))), f).toBe(true);
  });

  it('--check passes on what it wrote, and names the fields that changed (exit 1)', () => {
    const a = join(dir, 'a');
    const ok = runCli(['golden', '--check', a]);
    expect(ok.stdout).toBe(`ok      siit-6to4-headers\nok      siit-4to6-headers\ngolden --check ${a}: 2 cases, 2 ok, 0 differ\n`);
    expect(ok.status).toBe(0);
    const t = join(dir, 'tampered');
    cpSync(a, t, { recursive: true });
    // (Same depth as `a`: the manifest's relative input paths still hold.)
    const f = join(t, 'siit-6to4-headers.expected.pcapng');
    const b = readFileSync(f);
    const o = epbs(b)[1] + 28; // packet #2, raw IPv4
    expect(b[o + 8]).toBe(63);
    b[o + 8] = 62; // TTL
    writeFileSync(f, b);
    const x = join(t, 'siit-4to6-headers.explain.ndjson');
    writeFileSync(x, readFileSync(x, 'utf8').replace('"verdict":"translated"', '"verdict":"dropped"'));
    const r = runCli(['golden', '--check', t]);
    expect(r.status).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines).toContain('DIFFERS siit-6to4-headers');
    expect(lines).toContain('  #2 ipv4.ttl: expected 62, got 63');
    expect(lines).toContain('  note: siit-6to4-headers.expected.pcapng does not match the sha256 in the manifest (edited by hand?)');
    expect(lines).toContain('DIFFERS siit-4to6-headers');
    expect(lines).toContain('  drop report #1 verdict: expected "dropped", got "translated"');
    expect(lines.at(-2)).toBe(`golden --check ${t}: 2 cases, 0 ok, 2 differ`);
  });

  it('--filter: as translate --filter writes it, recorded in the manifest, re-run by --check', () => {
    const out = join(dir, 'f');
    const demo = 'fixtures/pcaps/demo.pcapng';
    const r = runCli(['golden', demo, '--profile', 'aws', '--filter', 'udp', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    const ref = join(dir, 'demo-udp.pcapng');
    const t = runCli(['translate', demo, '--profile', 'aws', '--filter', 'udp', '-w', ref, '--json']);
    expect(t.status, t.stderr).toBe(0);
    const ts = JSON.parse(t.stdout);
    // The same bytes as translate --filter, and the manifest says which filter made them.
    expect(readFileSync(join(out, 'demo.expected.pcapng')).equals(readFileSync(ref))).toBe(true);
    const c = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')).cases[0];
    expect(c.filter).toBe('udp');
    expect(c.expected.packets).toBe(ts.written);
    expect(c.explain.records).toBe(ts.selected);
    expect(ts.selected).toBeGreaterThan(0);
    expect(ts.selected).toBeLessThan(ts.packetsIn);
    expect(readFileSync(join(out, 'demo.explain.ndjson'), 'utf8').trim().split('\n')).toHaveLength(ts.selected);
    const ok = runCli(['golden', '--check', out]);
    expect(ok.status, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^ok {6}demo$/m);
    expect(runCli(['golden', '--check', out, '--filter', 'tcp']).status).toBe(2);
    const bad = runCli(['golden', demo, '--filter', 'udp and', '--out', join(dir, 'g')]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^nat64scope: invalid filter: .* at column \d+/);
  });

  it('errors: no manifest (exit 3), bad usage (exit 2), one line each', () => {
    const r = runCli(['golden', '--check', join(dir, 'nothing-here')]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^nat64scope: no golden manifest: cannot read .*manifest\.json/);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(runCli(['golden', INPUTS[0]]).status).toBe(2);
    expect(runCli(['golden', '--check', dir, INPUTS[0]]).status).toBe(2);
    expect(runCli(['golden']).status).toBe(2);
    expect(runCli(['golden', INPUTS[0], '--out', join(dir, 'c'), '--pool4', '1.2.3.4/33']).status).toBe(2);
  });
});
