/**
 * The failure catalog: every rule fires on its failing fixture and stays silent on its healthy one
 * (fixtures/pcaps/diag/, built by scripts/build-diag-fixtures.ts, which must rebuild them byte for
 * byte).
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RULES } from '../../src/diag/rules/index.js';
import { analyzeCapture } from '../../src/replay/analyze.js';
import { loadConfig } from '../../src/xlat/config.js';

const DIR = 'fixtures/pcaps/diag';
const rfc = loadConfig({});
// The fixtures' translator address is 192.0.2.2 (the rfc profile's placeholder pool4).
const aws = loadConfig({ profile: 'aws', flags: { pool4: ['192.0.2.2#1024-65535'] } });

describe('failure catalog', () => {
  it('has the 16 rules of issue 5, stable kebab-case ids, each with title, meaning, fix and AWS fix', () => {
    expect(RULES.length).toBe(16);
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(16);
    for (const r of RULES) {
      expect(r.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['info', 'warning', 'error']).toContain(r.severity);
      for (const t of [r.means, r.fix, r.awsFix]) expect(t.length).toBeGreaterThan(40);
      expect(r.title.length).toBeGreaterThan(10);
    }
  });

  it('the README documents each rule: id, meaning, fix and AWS fix, word for word', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const r of RULES) for (const t of [`\`${r.id}\``, r.means, r.fix, r.awsFix]) expect(readme, r.id).toContain(t);
  });

  for (const rule of RULES) {
    describe(rule.id, () => {
      it('fires on the failing capture, naming packets', async () => {
        const r = await analyzeCapture(join(DIR, `${rule.id}-fail.pcap`), rfc);
        const f = r.findings.find((x) => x.id === rule.id);
        expect(f, JSON.stringify(r.findings.map((x) => x.id))).toBeDefined();
        expect(f!.packets.length).toBeGreaterThan(0);
        expect(f!.packets.every((n) => n >= 1 && n <= r.packets)).toBe(true);
        expect(f!.detail).toMatch(/#\d+/);
        expect(f!.fix).toBe(rule.fix);
        expect(f!.awsFix).toBeUndefined();
      });
      it('is silent on the healthy capture', async () => {
        const r = await analyzeCapture(join(DIR, `${rule.id}-ok.pcap`), rfc);
        expect(r.findings.map((x) => x.id)).not.toContain(rule.id);
      });
      it('gives the AWS fix under --profile aws', async () => {
        const r = await analyzeCapture(join(DIR, `${rule.id}-fail.pcap`), aws);
        const f = r.findings.find((x) => x.id === rule.id);
        // idle-timeout: AWS's 350 s is shorter than the fixture's gap too; every rule fires under aws.
        expect(f, JSON.stringify(r.findings.map((x) => x.id))).toBeDefined();
        expect(f!.awsFix).toBe(rule.awsFix);
      });
    });
  }

  it('healthy captures are clean: no finding at all', async () => {
    for (const rule of RULES) {
      const r = await analyzeCapture(join(DIR, `${rule.id}-ok.pcap`), rfc);
      expect(r.findings.map((x) => x.id), rule.id).toEqual([]);
    }
  });

  it('the builder rebuilds every fixture byte for byte, and the README describes each', () => {
    const out = mkdtempSync(join(tmpdir(), 'nat64scope-diag-'));
    const p = spawnSync(process.execPath, ['dist/scripts/build-diag-fixtures.js', out], { encoding: 'utf8' });
    expect(p.status, p.stderr).toBe(0);
    const built = readdirSync(out).sort();
    const committed = readdirSync(DIR).filter((f) => f.endsWith('.pcap')).sort();
    expect(built).toEqual(committed);
    expect(built.length).toBe(32);
    const readme = readFileSync(join(DIR, 'README.md'), 'utf8');
    for (const f of built) {
      expect(readFileSync(join(out, f)).equals(readFileSync(join(DIR, f))), f).toBe(true);
      expect(readme, f).toContain(`\`${f}\``);
    }
  });
});

describe('rule details on engine state', () => {
  it('port-exhaustion: a 10-port pool4 runs out on the 11th concurrent SYN (engine drop, not only the ICMPv6 1/3)', async () => {
    const small = loadConfig({ flags: { pool4: ['192.0.2.2#1024-1033'] } });
    const r = await analyzeCapture(join(DIR, 'port-exhaustion-ok.pcap'), small);
    const f = r.findings.find((x) => x.id === 'port-exhaustion');
    expect(f).toBeDefined();
    expect(f!.detail).toMatch(/ran out of pool4 ports for 2 packets/);
    expect(r.drops['pool4-exhausted']).toBe(2);
  });
  it('non-global-behind-wkp says which policy applies: dropped by rfc, translated by aws', async () => {
    const a = await analyzeCapture(join(DIR, 'non-global-behind-wkp-fail.pcap'), rfc);
    expect(a.findings.find((x) => x.id === 'non-global-behind-wkp')!.detail).toMatch(/is strict: the engine dropped 3/);
    const b = await analyzeCapture(join(DIR, 'non-global-behind-wkp-fail.pcap'), aws);
    expect(b.findings.find((x) => x.id === 'non-global-behind-wkp')!.detail).toMatch(/translates them, as an AWS NAT gateway does/);
    expect(b.findings.find((x) => x.id === 'non-global-behind-wkp')!.severity).toBe('info');
    expect(a.findings.find((x) => x.id === 'non-global-behind-wkp')!.severity).toBe('warning');
  });
  it('checksum-bad tells translated packets from other corruption, and offload artefacts are not errors', async () => {
    const r = await analyzeCapture(join(DIR, 'checksum-bad-fail.pcap'), rfc);
    expect(r.checksums.badTranslated).toBe(2);
    expect(r.checksums.bad).toBe(1);
    const ok = await analyzeCapture(join(DIR, 'checksum-bad-ok.pcap'), rfc);
    expect(ok.checksums).toMatchObject({ offloadPartial: 1, offloadTso: 1, offloadGro: 1, bad: 0, badTranslated: 0 });
  });
});
