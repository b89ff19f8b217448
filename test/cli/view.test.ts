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

  it('is listed in --help', () => {
    expect(runCli(['--help']).stdout).toMatch(/view <capture> +interactive viewer/);
  });
});
