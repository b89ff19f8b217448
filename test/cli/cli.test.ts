/** The command line as a user meets it: help, version, errors and exit codes (SPEC §2). */
import { describe, it, expect } from 'vitest';
import { writeFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'nat64scope-cli-'));

describe('nat64scope CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = runCli(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/nat64scope packets <capture>/);
    expect(r.stdout).toMatch(/--debug/);
  });
  it('--version prints the package version', () => {
    const r = runCli(['--version']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe(pkg.version);
  });
  it('<command> --help describes the command', () => {
    const r = runCli(['packets', '--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--stats/);
    expect(r.stdout).toMatch(/--count/);
  });
  it('an unknown command is exit 2 with one line', () => {
    const r = runCli(['frobnicate', 'x']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^nat64scope: .*frobnicate/);
  });
  it('a mistyped command is one line with the suggestion', () => {
    const r = runCli(['pakets', 'x.pcap']);
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/pakets.*did you mean packets\?/);
  });
  it('an unknown flag is exit 2 with one line', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '--bogus']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe(''); // the command must not run after a usage error
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/bogus/);
  });
  it('a missing capture argument is exit 2, nothing run', () => {
    const r = runCli(['packets']);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^nat64scope: not enough non-option arguments/);
  });
  it('no command is exit 2', () => {
    const r = runCli([]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/no command given/);
  });
  it('a missing file is exit 3 with a one-line error naming it', () => {
    const r = runCli(['packets', join(tmp, 'nope.pcap')]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^nat64scope: .*no such file.*nope\.pcap/);
  });
  it('a file that is not a capture is exit 3 naming its first bytes', () => {
    const f = join(tmp, 'notes.html');
    writeFileSync(f, '<!DOCTYPE html><html></html>');
    const r = runCli(['packets', f]);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/not a capture file.*3c 21 44 4f 43 54.*notes\.html/);
    expect(r.stderr).not.toMatch(/at .*\.js:\d+/);
  });
  it('--debug adds the stack trace', () => {
    const f = join(tmp, 'notes2.html');
    writeFileSync(f, '<!DOCTYPE html>');
    const r = runCli(['packets', f, '--debug']);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/at .*\.c?js:\d+/);
  });
  it('a bad --prefix is exit 2 naming the rule', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '--prefix', '64:ff9b::/33']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/prefix length 33 is not one of 32,40,48,56,64,96/);
  });
  it('--prefix before the capture does not swallow it, and shows addresses under that prefix', () => {
    const r = runCli(['packets', '--prefix', '2600:1f14:abc:de00::/64', 'fixtures/pcaps/demo.pcapng', '-c', '1']);
    expect(r.status, r.stderr).toBe(0);
    // 2600:1f14:abc:de00::10 read as an RFC 6052 /64 address: the IPv4 sits in bytes 9-12.
    expect(r.stdout).toMatch(/2600:1f14:abc:de00::10 \(0\.0\.0\.0\)/);
  });
  it('a bad --count is exit 2', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '-c', '-3']);
    expect(r.status).toBe(2);
  });
  it('completion prints a shell script', () => {
    const r = runCli(['completion']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/nat64scope/);
    expect(r.stdout).toMatch(/complete/);
  });
});

describe('packets', () => {
  it('prints one tshark-like line per packet with embedded IPv4 shown', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(48);
    expect(lines[6]).toMatch(/^\s+7\s+0\.110000 2600:1f14:abc:de00::10 → 64:ff9b::c633:6407 \(198\.51\.100\.7\) TCP 94 49152 → 443 \[SYN\]/);
    expect(lines[32]).toMatch(/Packet Too Big \(MTU 1520\)/);
    expect(lines[46]).toMatch(/NODATA/);
  });
  it('-c limits the count', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '-c', '5', '--json']);
    expect(r.stdout.trim().split('\n')).toHaveLength(5);
  });
  it('--json objects carry every SPEC §5 key, null for absent layers', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '--json', '-c', '10']);
    const keys = ['n', 'ts', 'caplen', 'len', 'link', 'ipVersion', 'src', 'dst', 'proto', 'ttl', 'sport', 'dport', 'tcpFlags', 'icmpType', 'icmpCode', 'fragment', 'dns', 'checksums', 'problems'];
    for (const line of r.stdout.trim().split('\n')) {
      const o = JSON.parse(line);
      for (const k of keys) expect(o, k).toHaveProperty(k);
    }
    const first = JSON.parse(r.stdout.split('\n')[0]);
    expect(first.dns).toMatchObject({ id: 0x7050, qr: false, questions: [{ name: 'ipv4only.arpa', type: 'AAAA' }] });
    expect(first.tcpFlags).toBeNull();
    expect(first.fragment).toBeNull();
  });
  it('--stats --json counts protocols and checksum verdicts', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '--stats', '--json']);
    expect(r.status).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ packets: 48, ipv6: 48, ipv4: 0, tcp: 27, udp: 18, icmpv6: 3, icmp: 0, dns: 16, dnsQueries: 8, dnsResponses: 8, fragments: 0, toNat64Prefix: 20 });
    expect(s.checksums.l4.good).toBe(48);
    expect(s.checksums.l4.bad).toBe(0);
  });
  it('--stats text report', () => {
    const r = runCli(['packets', 'fixtures/pcaps/demo.pcapng', '--stats']);
    expect(r.stdout).toMatch(/Protocol Hierarchy Statistics/);
    expect(r.stdout).toMatch(/ipv6\s+frames:48/);
  });
  it('reads gzip and stdin, detecting the format from the bytes', () => {
    const gz = runCli(['packets', 'fixtures/pcaps/demo-classic.pcap.gz', '--stats', '--json']);
    expect(JSON.parse(gz.stdout).packets).toBe(48);
    const stdin = runCli(['packets', '-', '--stats', '--json'], { input: readFileSync('fixtures/pcaps/demo.pcapng') });
    expect(JSON.parse(stdin.stdout).packets).toBe(48);
  });
  it('a file cut in the middle gives every complete packet and a warning, exit 0', () => {
    const r = runCli(['packets', 'fixtures/pcaps/truncated.pcap']);
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(47);
    expect(r.stderr).toMatch(/warning: .*middle/);
  });
  it('a closed pipe (| head) ends the command quietly with exit 0', async () => {
    const { openCaptureWriter } = await import('../../src/pcap/writer.js');
    const { buildPacket } = await import('../../src/wire/builder.js');
    const f = join(tmp, 'many.pcap');
    const w = await openCaptureWriter(f, { linkType: 101, force: true });
    const pkt = buildPacket({ ip: { v: 6, src: '2001:db8::1', dst: '64:ff9b::c000:201' }, l4: { udp: { sport: 1, dport: 2 } }, payload: 'x' });
    for (let i = 0; i < 30000; i++) w.write(pkt, 0, pkt.length, 1000 + i, 0);
    await w.close();
    const { spawnSync } = await import('node:child_process');
    const { CLI } = await import('../helpers/cli.js');
    const r = spawnSync('bash', ['-c', `"${process.execPath}" "${CLI}" packets "${f}" | head -2 >/dev/null; echo "\${PIPESTATUS[0]}"`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('0');
    expect(r.stderr).toBe('');
  });
});
