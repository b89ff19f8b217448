/** `nat64scope view` off a terminal: it says so and prints the report (SPEC §2, issue 6). */
import { describe, it, expect } from 'vitest';
import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { runCli, CLI } from '../helpers/cli.js';

describe('view on a non-TTY', () => {
  it('says so on stderr, prints the report on stdout, exits 0', () => {
    const r = runCli(['view', 'fixtures/pcaps/demo.pcapng', '--profile', 'aws']);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/^nat64scope: view needs a terminal \(stdout is not a terminal\): printing the analyze report instead\n$/);
    // The analyze report: the failing flow and its finding.
    expect(r.stdout).toMatch(/^nat64scope analyze: fixtures\/pcaps\/demo\.pcapng/);
    expect(r.stdout).toMatch(/FAIL tcp \[2600:1f14:abc:de00::10\]:49170 > \[64:ff9b::cb00:7105\]:8443/);
    expect(r.stdout).toMatch(/ERROR +prefix-not-routed/);
  });

  it('reads stdin (no terminal to draw on then): the report', () => {
    const r = runCli(['view', '-'], { input: readFileSync('fixtures/pcaps/demo-classic.pcap.gz') });
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/view needs a terminal \(the capture comes from stdin\)/);
  });

  it('a missing file or a bad config is a one-line error with the right exit code', () => {
    const r = runCli(['view', 'no/such.pcap']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/nat64scope: cannot read capture: .*no\/such\.pcap/);
    const c = runCli(['view', 'fixtures/pcaps/demo.pcapng', '--prefix', '64:ff9b::/33']);
    expect(c.status).toBe(2);
    expect(c.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('--filter / -Y: the report of the matching packets, byte for byte what analyze --filter prints', () => {
    for (const f of ['udp and dport == 123', 'finding', 'dns and not translated']) {
      const v = runCli(['view', 'fixtures/pcaps/demo.pcapng', '--profile', 'aws', '-Y', f]);
      const a = runCli(['analyze', 'fixtures/pcaps/demo.pcapng', '--profile', 'aws', '--side', 'auto', '--filter', f]);
      expect(v.status, v.stderr).toBe(0);
      expect(a.status, a.stderr).toBe(0);
      expect(v.stdout, f).toBe(a.stdout);
      expect(v.stdout).toMatch(/48 packets \(\d+ selected by --filter\)/);
    }
    const all = runCli(['view', 'fixtures/pcaps/demo.pcapng', '--profile', 'aws']).stdout;
    expect(runCli(['view', 'fixtures/pcaps/demo.pcapng', '--profile', 'aws', '--filter', 'udp and dport == 123']).stdout).not.toBe(all);
  });

  it('an invalid --filter is a one-line error, exit 2, and nothing else', () => {
    const r = runCli(['view', 'fixtures/pcaps/demo.pcapng', '--filter', 'tcp and']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('nat64scope: invalid filter: the filter ends where a field or protocol name was expected at column 8 (tcp and)\n');
    const y = runCli(['view', 'fixtures/pcaps/demo.pcapng', '-Y']);
    expect(y.status).toBe(2);
    expect(y.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('is listed in --help', () => {
    expect(runCli(['--help']).stdout).toMatch(/view <capture> +interactive viewer/);
  });
});

describe('view start-up', () => {
  it('the build bundles the UI (src/ui, Ink, React production) into one file whose other imports are the project\'s own modules', () => {
    const bundle = join(dirname(CLI), '..', 'src', 'ui', 'run-viewer.bundle.js');
    expect(existsSync(bundle)).toBe(true);
    const text = readFileSync(bundle, 'utf8');
    // Static (`from"x"`) and dynamic (`import("x")`) imports of the minified ESM bundle.
    const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s*)["'`]([^"'`\s]+)["'`]/g)].map((m) => m[1]).filter((x) => /^(\.|node:|[@a-z])/.test(x) && !x.includes(' '));
    const bare = specs.filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
    expect(bare).toEqual([]);
    // The project's modules are shared with the CLI (one CaptureModel class), by relative path.
    for (const s of specs.filter((x) => x.startsWith('../') && !x.includes('node_modules'))) expect(existsSync(join(dirname(bundle), s)), s).toBe(true);
    expect(specs).toContain('../replay/view-model.js');
    expect(text).not.toContain('react.development');
    // Loading it does not pull in node's fetch (undici, http2, tls): Yoga decodes its WebAssembly directly.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(bundle).href)}); console.log(process.moduleLoadList.filter((m) => /undici|http2|tls/.test(m)).length)`], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });

  it('view --help is the same whether the other commands are loaded or not (view loads only its own module)', () => {
    const fast = runCli(['view', '--help']);
    const full = runCli(['--debug', 'view', '--help']); // not first: every command is loaded
    expect(fast.status).toBe(0);
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.stdout).toMatch(/-Y, --filter/);
  });

  it('every command loads only its own module, with the same --help and the same usage errors as when all are loaded', () => {
    for (const c of ['packets', 'translate', 'analyze', 'dns64', 'aws-check', 'correlate', 'diff', 'golden', 'live']) {
      const fast = runCli([c, '--help']);
      const full = runCli(['--debug', c, '--help']);
      expect(fast.status, c).toBe(0);
      expect(fast.stdout, c).toBe(full.stdout);
      expect(fast.stdout, c).toContain(`nat64scope ${c}`);
    }
    // A usage error inside a command is reported the same way with one module loaded.
    const bad = runCli(['translate', 'fixtures/pcaps/demo.pcapng', '--no-such-flag']);
    const badFull = runCli(['--debug', 'translate', 'fixtures/pcaps/demo.pcapng', '--no-such-flag']);
    expect(bad.status).toBe(2);
    expect(bad.stderr.split('\n')[0]).toBe(badFull.stderr.split('\n')[0]);
    // A mistyped command still gets its suggestion (every module is loaded for it).
    const typo = runCli(['tranlsate', 'x']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toMatch(/translate/);
  });
});
