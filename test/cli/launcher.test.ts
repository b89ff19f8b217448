// dist/cli/main.js, the `nat64scope` command, is a shell script to the kernel (scripts/postbuild.mjs:
// LAUNCHER): its second line starts Node on the same file with V8's worker pool sized to the
// machine and glibc's malloc on transparent huge pages, and is a plain string expression to
// JavaScript. Run here as a user runs the installed command: executed directly, not `node main.js`.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, chmodSync, copyFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { CLI } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'nat64scope-launcher-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const DEMO = join(dirname(CLI), '..', '..', 'fixtures', 'pcaps', 'demo.pcapng');
const VERSION = JSON.parse(readFileSync(join(dirname(CLI), '..', '..', 'package.json'), 'utf8')).version as string;

/** The command run directly (exec: the kernel reads its #! line), with `env` in place of ours. */
function exec(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(CLI, args, { encoding: 'utf8', env });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The environment without the variables the launcher sets. */
function clean(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.GLIBC_TUNABLES;
  return env;
}

describe('the nat64scope command (dist/cli/main.js run directly)', () => {
  it('is a #!/bin/sh script whose exec line JavaScript reads as a string and a comment', () => {
    const [bang, line] = readFileSync(CLI, 'utf8').split('\n');
    expect(bang).toBe('#!/bin/sh');
    expect(line.startsWith("':' //; exec env ")).toBe(true);
    expect(line.endsWith(' node "$0" "$@"')).toBe(true);
  });

  it('runs the CLI: output, exit codes and arguments (spaces, quotes, globs) pass through unchanged', () => {
    const v = exec(['--version'], clean());
    expect(v).toMatchObject({ code: 0, out: `${VERSION}\n` });
    const missing = exec(['packets', join(tmp, 'no such * file "x".pcap')], clean());
    expect(missing.code).toBe(3);
    expect(missing.err).toContain(`no such * file "x".pcap`);
    const dir = join(tmp, 'dir with spaces $HOME');
    mkdirSync(dir, { recursive: true });
    const copy = join(dir, 'demo capture.pcapng');
    copyFileSync(DEMO, copy);
    const direct = exec(['packets', copy, '--json'], clean());
    const viaNode = spawnSync(process.execPath, [CLI, 'packets', DEMO, '--json'], { encoding: 'utf8' });
    expect(direct.code).toBe(0);
    expect(direct.out).toBe(viaNode.stdout);
    expect(direct.out.length).toBeGreaterThan(1000);
  });

  it('starts Node with --v8-pool-size=0 before the caller\'s NODE_OPTIONS and huge pages for malloc unless GLIBC_TUNABLES is set', () => {
    // What the real Node process sees: an --import module prints it and exits.
    const probe = join(tmp, 'probe.mjs');
    writeFileSync(probe, 'process.stdout.write(JSON.stringify({ o: process.env.NODE_OPTIONS, g: process.env.GLIBC_TUNABLES ?? null })); process.exit(0);\n');
    const seen = (env: NodeJS.ProcessEnv) => {
      const r = exec(['--version'], { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --import=${probe}`.trim() });
      expect(r.code).toBe(0);
      return JSON.parse(r.out) as { o: string; g: string | null };
    };
    expect(seen(clean())).toEqual({ o: `--v8-pool-size=0 --import=${probe}`, g: 'glibc.malloc.hugetlb=1' });
    // The caller's own settings win: a later NODE_OPTIONS entry overrides an earlier one, a
    // GLIBC_TUNABLES that is set (even empty) is left as it is.
    expect(seen({ ...clean(), NODE_OPTIONS: '--v8-pool-size=3', GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }))
      .toEqual({ o: `--v8-pool-size=0 --v8-pool-size=3 --import=${probe}`, g: 'glibc.malloc.arena_max=2' });
    expect(seen({ ...clean(), GLIBC_TUNABLES: '' }).g).toBe('');
  });

  it('finds node on PATH as `#!/usr/bin/env node` did, and hands it exactly the script and its arguments', () => {
    // A stand-in `node` first on PATH records what it was given.
    const bin = join(tmp, 'bin');
    mkdirSync(bin, { recursive: true });
    const stub = join(bin, 'node');
    writeFileSync(stub, '#!/bin/sh\nfor a in "$@"; do printf "[%s]" "$a"; done\nprintf "\\n%s\\n%s\\n" "$NODE_OPTIONS" "$GLIBC_TUNABLES"\n');
    chmodSync(stub, 0o755);
    const r = exec(['translate', 'a b.pcap', '-w', '', '--x=$(id)', "it's"], { ...clean(), PATH: `${bin}:${process.env.PATH}` });
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([`[${CLI}][translate][a b.pcap][-w][][--x=$(id)][it's]`, '--v8-pool-size=0 ', 'glibc.malloc.hugetlb=1', '']);
  });
});
