/** `nat64scope view` off a terminal: it says so and prints the report (SPEC §2, issue 6). */
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { runCli } from '../helpers/cli.js';

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
