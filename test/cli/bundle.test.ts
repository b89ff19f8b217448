// The CLI bundle (scripts/postbuild.mjs): tsc's main.js and every command but view/live rolled
// into one CommonJS bundle (main.bundle.cjs and its chunks) that dist/cli/main.js loads through
// V8's code cache; it must behave exactly as the unbundled modules do.
import { describe, it, expect, afterAll } from 'vitest';
import { readFileSync, existsSync, readdirSync, cpSync, mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { CLI } from '../helpers/cli.js';

const CLI_DIR = dirname(CLI);
const UNBUNDLED = join(CLI_DIR, 'main.unbundled.js');
// (inside the repository: the copy finds node_modules the way dist/ does)
const bad = mkdtempSync(join(CLI_DIR, '..', '..', '.bundle-test-'));
afterAll(() => rmSync(bad, { recursive: true, force: true }));
const FIX = join(dirname(CLI), '..', '..', 'fixtures', 'pcaps');
const run = (entry: string, args: string[]) => {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('CLI bundle', () => {
  it('is built (rolldown is in the dev toolchain), keeps view and live out, and has a code cache for every file', () => {
    expect(existsSync(UNBUNDLED)).toBe(true);
    expect(readFileSync(CLI, 'utf8')).toContain('nat64scope CLI bundle');
    const bundle = readFileSync(join(CLI_DIR, 'main.bundle.cjs'), 'utf8');
    // view and live through the entry module's import(); no other dynamic import anywhere.
    expect(bundle).toMatch(/globalThis\[Symbol\.for\("nat64scope\.import"\)\]\(new URL\("\.\/commands\/view\.js"/);
    expect(bundle).toMatch(/globalThis\[Symbol\.for\("nat64scope\.import"\)\]\(new URL\("\.\/commands\/live\.js"/);
    const files = readdirSync(CLI_DIR).filter((f) => f.endsWith('.cjs'));
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) {
      expect(readFileSync(join(CLI_DIR, f), 'utf8').replaceAll('globalThis[Symbol.for("nat64scope.import")](', '')).not.toMatch(/\bimport\(/);
      expect(existsSync(join(CLI_DIR, 'code-cache', `${f}.cache`)), `cache of ${f}`).toBe(true);
    }
  });

  it('the code cache is used for every file a run loads; without it (or with a bad one) the same output', () => {
    const args = ['dns64', join(FIX, 'demo.pcapng'), '--json'];
    const used = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NAT64SCOPE_CODE_CACHE_REPORT: '1' } });
    const lines = used.stderr.split('\n').filter((l) => l.startsWith('code cache: '));
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.filter((l) => !l.endsWith(' used')), used.stderr).toEqual([]);
    // The other commands too: translate and analyze set V8 flags at run time (--expose-gc for
    // their full collections), which must not leave V8 rejecting the caches made at the end of a run.
    for (const other of [['translate', join(FIX, 'demo.pcapng'), '-w', '/dev/null', '--no-progress'], ['analyze', join(FIX, 'demo.pcapng'), '--json'], ['packets', join(FIX, 'demo.pcapng'), '--json']]) {
      const r = spawnSync(process.execPath, [CLI, ...other], { encoding: 'utf8', env: { ...process.env, NAT64SCOPE_CODE_CACHE_REPORT: '1' } });
      const ls = r.stderr.split('\n').filter((l) => l.startsWith('code cache: '));
      expect(ls.length, other[0]).toBeGreaterThan(3);
      expect(ls.filter((l) => !l.endsWith(' used')), `${other[0]}: ${r.stderr}`).toEqual([]);
    }
    const off = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, NAT64SCOPE_CODE_CACHE: '0', NAT64SCOPE_CODE_CACHE_REPORT: '1' } });
    expect(off.stderr.split('\n').filter((l) => l.startsWith('code cache: ')).every((l) => l.endsWith(' none'))).toBe(true);
    expect(off.stdout).toBe(used.stdout);
    expect(off.status).toBe(used.status);
    // A copy of dist/ whose caches are garbage or cut short: V8 rejects them, the run is the same.
    const copy = join(bad, 'dist');
    cpSync(join(CLI_DIR, '..', '..', 'dist'), copy, { recursive: true });
    copyFileSync(join(CLI_DIR, '..', '..', 'package.json'), join(bad, 'package.json'));
    const caches = join(copy, 'cli', 'code-cache');
    readdirSync(caches).forEach((f, i) => {
      const b = readFileSync(join(caches, f));
      writeFileSync(join(caches, f), i % 2 ? b.subarray(0, b.length >> 1) : Buffer.alloc(b.length, 0x5a));
    });
    const r = spawnSync(process.execPath, [join(copy, 'cli', 'main.js'), ...args], { encoding: 'utf8', env: { ...process.env, NAT64SCOPE_CODE_CACHE_REPORT: '1' } });
    const rl = r.stderr.split('\n').filter((l) => l.startsWith('code cache: '));
    expect(rl.length).toBe(lines.length);
    expect(rl.every((l) => l.endsWith(' rejected')), r.stderr).toBe(true);
    expect(r.stdout).toBe(used.stdout);
    expect(r.status).toBe(used.status);
  });

  it('analyze with its engine on a second thread: the worker script is found from the bundle, same report', () => {
    const args = ['analyze', join(FIX, 'demo.pcapng'), '--profile', 'aws', '--json', '--no-progress'];
    const env = (v: string) => ({ ...process.env, NAT64SCOPE_ENGINE_THREAD: v, NAT64SCOPE_THREAD_STATS: '1' });
    const two = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: env('1') });
    const one = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: env('0') });
    expect(two.status, two.stderr).toBe(one.status);
    expect(two.stderr).toMatch(/engine thread: main thread \d+ ms CPU, worker \d+ ms CPU/);
    expect(two.stdout).toBe(one.stdout);
    expect(two.stdout).toContain('"findings"');
  });

  const cases: string[][] = [
    ['--help'], ['--version'], ['translate', '--help'], ['dns64', '--help'], ['analyze', '--help'], ['golden', '--help'],
    ['trnslate', 'x'], ['translate'], ['translate', join(FIX, 'nope.pcap')],
    ['view', '--help'], ['live', '--help'],
    ['packets', join(FIX, 'demo.pcapng'), '-c', '5', '--json'],
    ['analyze', join(FIX, 'demo.pcapng'), '--profile', 'aws', '--json', '--no-progress'],
    ['dns64', join(FIX, 'demo.pcapng'), '--json'], ['dns64', join(FIX, 'demo.pcapng')],
    ['translate', join(FIX, 'demo.pcapng'), '--json', '--no-progress'], ['translate', join(FIX, 'demo.pcapng'), '--profile', 'aws', '-w', '-'],
    ['translate', join(FIX, 'demo.pcapng'), '--pool4', 'bad'],
  ];
  for (const args of cases) {
    it(`same output and exit code as the unbundled modules: ${args.map((a) => a.replace(FIX, 'fixtures')).join(' ')}`, () => {
      const a = run(CLI, args);
      const b = run(UNBUNDLED, args);
      expect(a.code).toBe(b.code);
      expect(a.out).toBe(b.out);
      expect(a.err).toBe(b.err);
    });
  }
});
