/**
 * `translate` with the engines' per-flow fast path (default) and without it
 * (NAT64SCOPE_FASTPATH=0): the same bytes out, through the real capture writer (emitSplit:
 * link header written into the engine's headroom, payload straight from the reader's buffer),
 * in pcapng (comments, interfaces) and classic pcap, with --explain, on a capture of both sides
 * of a NAT64 made like the benchmark's (tens of sessions opening, exchanging and closing) and on
 * the demo capture under every NAT64 profile.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
// @ts-expect-error -- the benchmark's generator is plain ESM JavaScript (no types)
import { generateXlat, XLAT_POOL4 } from '../../bench/generate-xlat.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'nat64scope-fastpath-'));
const XLAT = join(tmp, 'xlat.pcap');
const SLOW = { ...process.env, NAT64SCOPE_FASTPATH: '0' };

function both(name: string, args: string[]): { fast: Buffer; slow: Buffer; explainFast: string; explainSlow: string; stderr: string } {
  const out = (k: string) => join(tmp, `${name}.${k}${args.includes('--pcap') ? '.pcap' : '.pcapng'}`);
  const clean = args.filter((a) => a !== '--pcap');
  const f = runCli([...clean, '-w', out('fast'), '--explain', join(tmp, `${name}.fast.ndjson`), '--no-progress']);
  expect(f.status, f.stderr).toBe(0);
  const s = runCli([...clean, '-w', out('slow'), '--explain', join(tmp, `${name}.slow.ndjson`), '--no-progress'], { env: SLOW });
  expect(s.status, s.stderr).toBe(0);
  expect(f.stderr).toBe(s.stderr);
  return {
    fast: readFileSync(out('fast')), slow: readFileSync(out('slow')),
    explainFast: readFileSync(join(tmp, `${name}.fast.ndjson`), 'utf8'), explainSlow: readFileSync(join(tmp, `${name}.slow.ndjson`), 'utf8'),
    stderr: f.stderr,
  };
}

describe('translate: fast path on and off give the same capture', () => {
  beforeAll(async () => {
    await generateXlat(XLAT, 30000);
  }, 60_000);

  it('two-sided NAT64 capture (30k packets), pcapng with comments', () => {
    const r = both('xlat', ['translate', XLAT, '--pool4', XLAT_POOL4]);
    expect(r.stderr).toMatch(/^translate: 30000 packets in, \d+ out \(30000 translated/);
    expect(r.fast.length).toBeGreaterThan(5_000_000);
    expect(r.fast.equals(r.slow)).toBe(true);
    expect(r.explainFast).toBe(r.explainSlow);
  });

  it('two-sided NAT64 capture, classic pcap', () => {
    const r = both('xlat-pcap', ['translate', XLAT, '--pool4', XLAT_POOL4, '--pcap']);
    expect(r.fast.readUInt32LE(0)).toBe(0xa1b2c3d4);
    expect(r.fast.equals(r.slow)).toBe(true);
  });

  for (const profile of ['rfc', 'aws', 'jool', 'tayga']) {
    it(`demo capture, --profile ${profile}`, () => {
      const r = both(`demo-${profile}`, ['translate', 'fixtures/pcaps/demo.pcapng', '--profile', profile, '--mode', 'nat64']);
      expect(r.fast.equals(r.slow)).toBe(true);
      expect(r.explainFast).toBe(r.explainSlow);
    });
  }
});
