/**
 * `translate` with DNS64 reads a file once when no DNS answer is rewritten (src/replay/translate.ts
 * DnsLog): the main pass runs with the hook left out, the DNS packets logged, and the hook gets
 * its usual calls (pre-pass, then each packet) at the end, or in bursts during the pass while the
 * pre-pass is not needed (DnsLog.follow); when one of them rewrites, the output is dropped and the
 * capture translated again the usual way. Whichever way it goes, the output,
 * the summary and the warnings must be those of the usual two-pass run
 * (NAT64SCOPE_DNS64_SPECULATE=0): checked on a capture like the benchmark's (no rewrite: one
 * read), on a capture with a rewrite (second attempt, pre-pass from the log), with the log's bound
 * crossed (second attempt with the file pre-pass), on a truncated capture (its warning printed
 * once), and to stdout (never speculated: the bytes cannot be taken back).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeCapture, SOA, q6, r4 } from '../xlat/dns64/craft.js';
import { spawnSync } from 'node:child_process';
import { runCli, CLI } from '../helpers/cli.js';
import { translateCapture } from '../../src/replay/translate.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { resolveEngineConfig, resolveDns64 } from '../../cli/engine-options.js';
// @ts-expect-error -- the benchmark's generator is plain ESM JavaScript (no types)
import { generateXlat, XLAT_POOL4 } from '../../bench/generate-xlat.mjs';

let dir: string;
let XLAT: string;
let REWRITE: string;
let CUT: string;
let EARLY: string;
let LATE: string;
let LATE_SHORT: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'xlat-dns64-once-'));
  XLAT = join(dir, 'xlat.pcap');
  await generateXlat(XLAT, 20000);
  REWRITE = join(dir, 'rewrite.pcapng');
  await writeCapture(REWRITE, [
    q6(1, 5001, 'www.example.com', 'AAAA'),
    q6(2, 5002, 'www.example.com', 'A'),
    // NODATA for AAAA before the A answer: synthesized from the A data, so rewritten.
    r4(1, 5001, 'www.example.com', 'AAAA', { authorities: [SOA(3600, 120)] }),
    r4(2, 5002, 'www.example.com', 'A', { answers: [{ name: 'www.example.com', type: 'A', ttl: 300, data: '93.184.216.34' }] }),
    q6(3, 5003, 'v6.example.com', 'AAAA'),
    r4(3, 5003, 'v6.example.com', 'AAAA', { answers: [{ name: 'v6.example.com', type: 'AAAA', ttl: 300, data: '2001:db8::6' }] }),
    q6(4, 5004, 'www.example.com', 'AAAA'),
  ]);
  // The A answer first: the probe (the first logged packets, one pass) sees the rewrite at once.
  EARLY = join(dir, 'early.pcapng');
  const aFirst = [
    q6(2, 5002, 'www.example.com', 'A'),
    r4(2, 5002, 'www.example.com', 'A', { answers: [{ name: 'www.example.com', type: 'A', ttl: 300, data: '93.184.216.34' }] }),
    q6(1, 5001, 'www.example.com', 'AAAA'),
    r4(1, 5001, 'www.example.com', 'AAAA', { authorities: [SOA(3600, 120)] }),
    q6(3, 5003, 'v6.example.com', 'AAAA'),
    r4(3, 5003, 'v6.example.com', 'AAAA', { answers: [{ name: 'v6.example.com', type: 'AAAA', ttl: 300, data: '2001:db8::6' }] }),
  ];
  await writeCapture(EARLY, aFirst);
  // EARLY's packets after the probe's first 256 logged packets (native AAAA answers around them):
  // the check that follows the log sees it in its first burst (4096 packets), during the pass.
  const filler = [];
  for (let i = 0; i < 2100; i++) {
    const name = `v6-${i}.example.net`;
    filler.push(q6(100 + i, 6000 + i, name, 'AAAA'), r4(100 + i, 6000 + i, name, 'AAAA', { answers: [{ name, type: 'AAAA', ttl: 300, data: `2001:db8::${(i + 1).toString(16)}` }] }));
  }
  LATE = join(dir, 'late.pcapng');
  await writeCapture(LATE, [...filler.slice(0, 300), ...aFirst, ...filler.slice(300)]);
  LATE_SHORT = join(dir, 'late-short.pcapng');
  await writeCapture(LATE_SHORT, [...filler.slice(0, 300), ...aFirst]);
  // The same capture cut in the middle of its last block: a reader warning.
  const whole = readFileSync(REWRITE);
  CUT = join(dir, 'cut.pcapng');
  writeFileSync(CUT, whole.subarray(0, whole.length - 30));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));


const SIIT = ['--mode', 'siit', '--prefix', '2001:db8:64::/96'];
const USUAL = { ...process.env, NAT64SCOPE_DNS64_SPECULATE: '0' };

/** translate to a file with and without the single read: the bytes and stderr of both. */
function both(name: string, args: string[], env: NodeJS.ProcessEnv = process.env): { once: Buffer; usual: Buffer; stderr: string } {
  const a = join(dir, `${name}.once.pcapng`);
  const b = join(dir, `${name}.usual.pcapng`);
  const r1 = runCli(['translate', ...args, '-w', a, '--no-progress'], { env });
  const r2 = runCli(['translate', ...args, '-w', b, '--no-progress'], { env: { ...env, NAT64SCOPE_DNS64_SPECULATE: '0' } });
  expect(r1.status, r1.stderr).toBe(0);
  expect(r2.status, r2.stderr).toBe(0);
  expect(r1.stderr).toBe(r2.stderr);
  return { once: readFileSync(a), usual: readFileSync(b), stderr: r1.stderr };
}

/** translateCapture's reads of the file and DNS64 counts; `prePass`: whether the hook's engine had the A-data pre-pass made (not still deferred). */
async function reads(input: string, args: { mode?: string; prefix?: string; pool4?: string[] }, output: string): Promise<{ reads: number; rewritten: number; answered: number; prePass: boolean; check: string | undefined }> {
  const config = resolveEngineConfig(args);
  const d = resolveDns64(args, config);
  const dns64 = new Dns64Hook(d.options, d.zone);
  const s = await translateCapture({ input, output, config, dns64, force: true });
  return { reads: s.inputReads, rewritten: dns64.rewrittenCount, answered: dns64.engine.answered, prePass: !dns64.engine.baseDeferred, check: s.dns64Check };
}

/**
 * A capture with one rewritten answer among `answered`: the once-read run's bytes and summary are
 * the usual run's, and translateCapture read the file `readCount` times.
 */
async function rewritten(name: string, input: string, answered: number, readCount: number): Promise<void> {
  const r = both(name, [input, ...SIIT]);
  expect(r.stderr).toContain(`dns64: ${answered} AAAA/PTR answers, 1 rewritten`);
  expect(r.once.equals(r.usual)).toBe(true);
  const x = await reads(input, { mode: 'siit', prefix: '2001:db8:64::/96' }, join(dir, `${name}.reads.pcapng`));
  expect(x).toEqual({ reads: readCount, rewritten: 1, answered, prePass: true, check: undefined });
}

describe('translate with DNS64: one read of the file unless an answer is rewritten', () => {
  it('benchmark-like capture (no rewrite): one read, the same bytes as the usual two passes', async () => {
    const r = both('xlat', [XLAT, '--pool4', XLAT_POOL4]);
    expect(r.stderr).toMatch(/^translate: 20000 packets in, .*dns64: \d+ AAAA\/PTR answers, 0 rewritten/);
    expect(r.once.length).toBeGreaterThan(3_000_000);
    expect(r.once.equals(r.usual)).toBe(true);
    // One read, and no A-data pre-pass over the logged packets either: every A answer comes
    // before its AAAA answer, so the check's lookups all find what the engine learned itself;
    // the check ran as the packets came (nothing replayed at the end), and the hook holds what
    // the replay would have left (the summary's counts above are the usual run's).
    const x = await reads(XLAT, { pool4: [XLAT_POOL4] }, join(dir, 'x.pcapng'));
    expect(x).toMatchObject({ reads: 1, rewritten: 0, prePass: false, check: 'followed' });
    expect(x.answered).toBeGreaterThan(50);
    expect((await reads(XLAT, { pool4: [XLAT_POOL4] }, '/dev/null')).reads).toBe(1);
  });

  it('a rewritten answer: the output is started again, the same bytes and summary as the usual way', async () => {
    // The speculative pass (its check needs the A data of a later packet: not followed past it;
    // replayed at the end, where the pre-pass over the log is made and finds the rewrite), then
    // the main pass (its pre-pass from the log).
    await rewritten('rewrite', REWRITE, 2, 2);
    // To the null device: started again too, the same summary.
    const n1 = runCli(['translate', REWRITE, ...SIIT, '-w', '/dev/null']);
    const n2 = runCli(['translate', REWRITE, ...SIIT, '-w', '/dev/null'], { env: USUAL });
    expect(n1.status, n1.stderr).toBe(0);
    expect(n1.stderr).toBe(n2.stderr);
  });

  it('an answer rewritten by the probe (A data already seen): the first attempt stops there, the usual way runs, the same bytes', async () => {
    // The stopped attempt, then the file pre-pass and the main pass (the log is not whole).
    await rewritten('early', EARLY, 2, 3);
  });

  it('an answer rewritten past the probe: the followed check stops the first attempt at its next burst, the same bytes', async () => {
    // Stopped at the burst after the rewrite (the log not whole: the usual way's file pre-pass
    // follows), not at the end (a whole log: 2 reads, its pre-pass from the log).
    await rewritten('late', LATE, 2102, 3);
    // The same rewrite past the probe in a capture shorter than a burst: found by the last burst,
    // at the end (the log whole: its pre-pass from the log).
    await rewritten('late-short', LATE_SHORT, 152, 2);
  });

  it('the log bound crossed: the usual way from the start (file pre-pass), the same bytes', async () => {
    const env = { ...process.env, NAT64SCOPE_DNS64_LOG_MAX: '200' };
    const r = both('bound', [REWRITE, ...SIIT], env);
    expect(r.once.equals(r.usual)).toBe(true);
    const r2 = both('bound-xlat', [XLAT, '--pool4', XLAT_POOL4], env);
    expect(r2.once.equals(r2.usual)).toBe(true);
  });

  it('a truncated capture: its warning once, the same bytes', () => {
    const r = both('cut', [CUT, ...SIIT]);
    expect(r.stderr).toContain(', 1 rewritten');
    const warnings = r.stderr.split('\n').filter((l) => l.startsWith('nat64scope: warning'));
    expect(warnings.length, r.stderr).toBe(1);
    expect(r.once.equals(r.usual)).toBe(true);
  });

  it('to stdout: the usual way (nothing written can be taken back), the same bytes', () => {
    for (const input of [REWRITE, XLAT]) {
      const args = input === XLAT ? ['--pool4', XLAT_POOL4] : SIIT;
      const a = spawnSync(process.execPath, [CLI, 'translate', input, ...args, '-w', '-', '--no-progress'], { maxBuffer: 1 << 28 });
      const b = runCli(['translate', input, ...args, '-w', join(dir, 'stdout-ref.pcapng'), '--force', '--no-progress'], { env: USUAL });
      expect(a.status, String(a.stderr)).toBe(0);
      expect(b.status, b.stderr).toBe(0);
      expect(a.stdout.equals(readFileSync(join(dir, 'stdout-ref.pcapng')))).toBe(true);
    }
  });
});
