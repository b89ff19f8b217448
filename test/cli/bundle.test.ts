// The CLI bundle (scripts/postbuild.mjs): dist/cli/main.js is tsc's main.js and every command
// but view/live rolled into one file; it must behave exactly as the unbundled modules do.
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { CLI } from '../helpers/cli.js';

const UNBUNDLED = join(dirname(CLI), 'main.unbundled.js');
const FIX = join(dirname(CLI), '..', '..', 'fixtures', 'pcaps');
const run = (entry: string, args: string[]) => {
  const r = spawnSync(process.execPath, [entry, ...args], { encoding: 'utf8', env: { ...process.env, COLUMNS: '100' } });
  return { code: r.status, out: r.stdout, err: r.stderr };
};

describe('CLI bundle', () => {
  it('is built (rolldown is in the dev toolchain) and keeps view, live and errors.js out', () => {
    expect(existsSync(UNBUNDLED)).toBe(true);
    const text = readFileSync(CLI, 'utf8');
    expect(text).toContain('nat64scope CLI bundle');
    expect(text).toMatch(/import\("\.\/commands\/view\.js"\)/);
    expect(text).toMatch(/import\("\.\/commands\/live\.js"\)/);
    expect(text).toMatch(/from "\.\/errors\.js"/);
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
