/**
 * `nat64scope live` end to end, as root, in a pair of network namespaces joined by a veth
 * (test/live/netns.ts): known IPv6 traffic to 64:ff9b::/96 (TCP, UDP, ICMPv6, DNS) is sent with
 * Scapy from one side and captured with `live` on the other. The written capture must hold exactly
 * the frames sent, byte for byte, read cleanly by tshark; the NDJSON must show each packet's
 * translation. Then the ways to stop (-c, --duration, SIGINT, SIGTERM: files complete, exit 0) and
 * the errors (unknown interface and bad BPF: exit 2; no cap module, no permission: exit 4).
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets, readCapture } from '../../src/pcap/reader.js';
import { LinkType } from '../../src/pcap/linktype.js';
import { CLI } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';
import { netnsUnavailable, vethPair, send, startLive, waitExit, inNs, type VethPair } from './netns.js';

const UNAVAILABLE = netnsUnavailable();

if (UNAVAILABLE) {
  describe('live capture in network namespaces', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI runs the tests as root with iproute2 and python3-scapy: .ci/run)`, () => {});
  });
}

/** libpcap's notice for an interface without IPv4 (printed by the cap binding itself). */
const CAP_NOTICE = /^Warning: .*no IPv4 address assigned - This may not actually work$/;

function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l && !CAP_NOTICE.test(l));
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

describe.skipIf(UNAVAILABLE !== null)('live capture in network namespaces (veth n64la -> n64lb)', () => {
  let pair: VethPair;
  let dir: string;

  beforeAll(() => {
    pair = vethPair();
    dir = mkdtempSync(join(tmpdir(), 'n64l-'));
  });
  afterAll(() => {
    pair?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('live -c N -w: the capture holds exactly the frames sent, tshark reads it, NDJSON shows the translations', async () => {
    const w = join(dir, 'basic.pcapng');
    const x = join(dir, 'basic-xlat.pcapng');
    const sentPcap = join(dir, 'sent.pcap');
    const run = await startLive(pair.b, ['-i', pair.ifB, '-c', '6', '-w', w, '--write-translated', x, '--json', '--profile', 'aws']);
    const sent = send(pair.a, pair.ifA, sentPcap, ['--dst-mac', pair.macB]);
    expect(sent).toBe(6);
    expect(await waitExit(run)).toBe(0);
    expect(errorLines(run.stderr()).at(-1)).toMatch(/^live: 6 packets captured on n64lb in [\d.]+ s; 0 dropped by the kernel; 0 dropped by nat64scope; engine: 6 out \(6 translated, 0 hairpinned, 0 generated\); dns64: 0 AAAA\/PTR answers, 0 rewritten$/);

    // Byte for byte what Scapy sent, one interface block named after the interface.
    const want = await readAllPackets(sentPcap);
    const got = await readAllPackets(w);
    expect(got.map((p) => hex(p.data.subarray(p.offset, p.offset + p.caplen)))).toEqual(want.map((p) => hex(p.data.subarray(p.offset, p.offset + p.caplen))));
    expect(got.every((p) => p.linkType === LinkType.ETHERNET && p.origLen === p.caplen)).toBe(true);
    const summary = await readCapture(w, () => undefined);
    expect(summary.format).toBe('pcapng');
    expect(summary.interfaces.map((i) => i.name)).toEqual(['n64lb']);
    // Timestamps: in order, within the run.
    for (let i = 1; i < got.length; i++) expect(got[i].tsSec + got[i].tsNsec / 1e9).toBeGreaterThanOrEqual(got[i - 1].tsSec + got[i - 1].tsNsec / 1e9);

    // tshark reads both files cleanly (exit 0, nothing on stderr but its root notice).
    const fields = tshark(['-r', w, '-T', 'fields', '-e', 'frame.interface_name', '-e', '_ws.col.Protocol', '-e', 'ipv6.dst']).trim().split('\n');
    expect(fields).toEqual([
      'n64lb\tTCP\t64:ff9b::c633:6407',
      'n64lb\tTCP\t64:ff9b::c633:6407',
      'n64lb\tHTTP\t64:ff9b::c633:6407',
      'n64lb\tNTP\t64:ff9b::c633:6407',
      'n64lb\tICMPv6\t64:ff9b::c633:6407',
      'n64lb\tDNS\t64:ff9b::c633:6435',
    ]);
    const xl = tshark(['-r', x, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst', '-e', '_ws.col.Protocol', '-e', 'frame.comment']).trim().split('\n');
    expect(xl).toHaveLength(6);
    expect(xl[0]).toBe('10.0.0.5\t198.51.100.7\tTCP\ttranslated from #1');
    expect(xl[5]).toBe('10.0.0.5\t198.51.100.53\tDNS\ttranslated from #6');
    const check = spawnSync('tshark', ['-r', x, '-q'], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    expect(check.stderr.replace(/Running as user "root".*\n?/, '')).toBe('');

    // NDJSON: the packets --json object, the interface, and the translation.
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines).toHaveLength(7);
    const pk = lines.slice(0, 6);
    expect(pk.map((o) => o.n)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(pk.map((o) => [o.proto, o.dstIpv4, o.iface, o.translation.verdict])).toEqual([
      [6, '198.51.100.7', 'n64lb', 'translated'],
      [6, '198.51.100.7', 'n64lb', 'translated'],
      [6, '198.51.100.7', 'n64lb', 'translated'],
      [17, '198.51.100.7', 'n64lb', 'translated'],
      [58, '198.51.100.7', 'n64lb', 'translated'],
      [17, '198.51.100.53', 'n64lb', 'translated'],
    ]);
    for (const o of pk) {
      expect(o.translation.packets).toHaveLength(1);
      const t = o.translation.packets[0];
      expect(t).toMatchObject({ kind: 'translated', about: o.n, ipVersion: 4, src: '10.0.0.5', dst: o.dstIpv4, ttl: 63, checksums: { ip: 'good', l4: 'good' } });
    }
    // The same session across the TCP packets (one BIB entry), ICMPv6 echo -> ICMP echo.
    const tcpPorts = new Set(pk.slice(0, 3).map((o) => o.translation.packets[0].sport));
    expect(tcpPorts.size).toBe(1);
    expect(pk[4].translation.packets[0]).toMatchObject({ proto: 1, icmpType: 8 });
    expect(pk[5].dns).toMatchObject({ id: 0x4242, questions: [{ name: 'ipv4only.arpa', type: 'A' }] });
    expect(pk[5].translation.packets[0].dns).toMatchObject({ id: 0x4242, questions: [{ name: 'ipv4only.arpa', type: 'A' }] });
    expect(lines[6]).toMatchObject({ type: 'summary', captured: 6, translated: 6, kernelDrops: 0, toolDrops: 0, stoppedBy: 'count' });
    // Nothing left behind next to the outputs.
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('prints packets-style lines with what the engine did, when stdout is not a terminal', async () => {
    const run = await startLive(pair.b, ['-i', pair.ifB, '-c', '6', '--profile', 'aws']);
    send(pair.a, pair.ifA, join(dir, 'sent2.pcap'), ['--dst-mac', pair.macB]);
    expect(await waitExit(run)).toBe(0);
    const out = run.stdout().trimEnd().split('\n');
    expect(out).toHaveLength(12);
    expect(out[0]).toMatch(/^ {4}1 +0\.000000 2001:db8:1::2 → 64:ff9b::c633:6407 \(198\.51\.100\.7\) TCP 78 40000 → 443 \[SYN\] Seq=1000 Win=64240 Len=0 MSS=1440$/);
    expect(out[1]).toMatch(/^ {6}↳ translated: 10\.0\.0\.5 → 198\.51\.100\.7 TCP 44 \d+ → 443 \[SYN\] Seq=1000 Win=64240 Len=0 MSS=1440$/);
    expect(out[10]).toMatch(/DNS 93 Standard query 0x4242 A ipv4only\.arpa$/);
    expect(out[11]).toMatch(/↳ translated: 10\.0\.0\.5 → 198\.51\.100\.53 DNS 59 Standard query 0x4242 A ipv4only\.arpa$/);
  });

  it('runs DNS64 on the answers it sees: an AAAA answer without AAAA is answered from the A data', async () => {
    const run = await startLive(pair.b, ['-i', pair.ifB, '-c', '2', '--json', '--profile', 'aws']);
    send(pair.a, pair.ifA, join(dir, 'dns64.pcap'), ['--dst-mac', pair.macB, '--set', 'dns64']);
    expect(await waitExit(run)).toBe(0);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines[1].dns).toMatchObject({ id: 0x5152, answers: [] });
    expect(lines[1].translation.dns64).toMatchObject({ action: 'rewritten', reason: 'synthesized' });
    expect(lines[1].translation.dns64.detail).toMatch(/synthesized 1 AAAA from 1 A record of v4only\.example\.net with TTL 60/);
    expect(errorLines(run.stderr()).at(-1)).toMatch(/; dns64: 1 AAAA\/PTR answers, 1 rewritten$/);
  });

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    it(`${sig} stops the capture: both files complete and valid, exit 0`, async () => {
      const w = join(dir, `${sig}.pcapng`);
      const x = join(dir, `${sig}-xlat.pcap`);
      const run = await startLive(pair.b, ['-i', pair.ifB, '-w', w, '--write-translated', x, '--profile', 'aws']);
      send(pair.a, pair.ifA, join(dir, `${sig}.pcap`), ['--dst-mac', pair.macB]);
      await new Promise((r) => setTimeout(r, 300));
      expect(existsSync(w)).toBe(false); // still a temporary file while capturing
      run.child.kill(sig);
      expect(await waitExit(run)).toBe(0);
      expect(run.stdout()).toBe(''); // -w: no lines unless --print, like tcpdump
      expect(errorLines(run.stderr()).at(-1)).toMatch(/^live: 6 packets captured on n64lb .*; 0 dropped by the kernel; 0 dropped by nat64scope; engine: 6 out/);
      expect((await readAllPackets(w)).length).toBe(6);
      const xs = await readCapture(x, () => undefined);
      expect([xs.format, xs.packets]).toEqual(['pcap', 6]);
      expect(spawnSync('tshark', ['-r', w, '-q']).status).toBe(0);
      expect(spawnSync('tshark', ['-r', x, '-q']).status).toBe(0);
      expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
    });
  }

  /** Pids of the children of `pid` running `name`. */
  function childrenOf(pid: number, name: string): number[] {
    const r = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
    return r.stdout.trim().split('\n').map((l) => l.trim().split(/\s+/)).filter((c) => c[1] === name).map((c) => Number(c[0]));
  }

  /** The summary line's counts. */
  function counts(stderr: string): { captured: number; kernel: number; tool: number } {
    const m = /live: (\d+) packets captured .*; (\d+) dropped by the kernel; (\d+) dropped by nat64scope/.exec(stderr);
    if (!m) throw new Error(`no summary line: ${stderr}`);
    return { captured: Number(m[1]), kernel: Number(m[2]), tool: Number(m[3]) };
  }

  it('kernel drops are counted: with the capture process stopped and a 1 MiB buffer, captured + dropped = sent', async () => {
    const run = await startLive(pair.b, ['-i', pair.ifB, '-B', '1', '-w', join(dir, 'kdrop.pcapng')]);
    const [child] = childrenOf(run.child.pid!, 'node');
    expect(child).toBeGreaterThan(0);
    process.kill(child, 'SIGSTOP');
    try {
      expect(send(pair.a, pair.ifA, join(dir, 'flood.pcap'), ['--dst-mac', pair.macB, '--set', 'flood', '--count', '1000', '--gap', '0'])).toBe(1000);
    } finally {
      process.kill(child, 'SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    expect(await waitExit(run)).toBe(0);
    const c = counts(run.stderr());
    expect(c.kernel).toBeGreaterThan(500);
    expect(c.tool).toBe(0);
    expect(c.captured + c.kernel).toBe(1000);
    expect((await readAllPackets(join(dir, 'kdrop.pcapng'))).length).toBe(c.captured);
  });

  it('tool drops are counted: with live stopped and a 64-packet ring, captured + dropped = sent', async () => {
    const run = await startLive(pair.b, ['-i', pair.ifB, '--ring', '64', '-w', join(dir, 'tdrop.pcapng')]);
    process.kill(run.child.pid!, 'SIGSTOP');
    try {
      send(pair.a, pair.ifA, join(dir, 'flood2.pcap'), ['--dst-mac', pair.macB, '--set', 'flood', '--count', '1000', '--gap', '0']);
    } finally {
      process.kill(run.child.pid!, 'SIGCONT');
    }
    await new Promise((r) => setTimeout(r, 500));
    run.child.kill('SIGINT');
    expect(await waitExit(run)).toBe(0);
    const c = counts(run.stderr());
    expect(c.tool).toBeGreaterThan(0);
    expect(c.kernel).toBe(0);
    expect(c.captured + c.tool).toBe(1000);
    expect((await readAllPackets(join(dir, 'tdrop.pcapng'))).length).toBe(c.captured);
  });

  it('--duration stops after S seconds with a valid (here empty) capture', async () => {
    const w = join(dir, 'duration.pcapng');
    const t0 = Date.now();
    const run = await startLive(pair.b, ['-i', pair.ifB, '--duration', '1', '-w', w, '--json']);
    expect(await waitExit(run)).toBe(0);
    const took = Date.now() - t0;
    expect(took).toBeGreaterThanOrEqual(900);
    expect(took).toBeLessThan(8000);
    const s = await readCapture(w, () => undefined);
    expect([s.format, s.packets, s.interfaces.map((i) => i.name)]).toEqual(['pcapng', 0, ['n64lb']]);
    expect(JSON.parse(run.stdout().trim())).toMatchObject({ type: 'summary', captured: 0, stoppedBy: 'duration' });
  });

  it('-Y (display filter) chooses what is printed; everything is still captured and translated', async () => {
    const w = join(dir, 'display.pcapng');
    const run = await startLive(pair.b, ['-i', pair.ifB, '-c', '6', '-Y', 'icmpv6 or udp.port == 123', '--json', '-w', w, '--profile', 'aws']);
    send(pair.a, pair.ifA, join(dir, 'sent-y.pcap'), ['--dst-mac', pair.macB]);
    expect(await waitExit(run)).toBe(0);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.slice(0, -1).map((o) => [o.n, o.proto])).toEqual([[4, 17], [5, 58]]);
    expect(lines.at(-1)).toMatchObject({ type: 'summary', captured: 6, translated: 6 });
    expect((await readAllPackets(w)).length).toBe(6);
    const bad = spawnSync('ip', ['netns', 'exec', pair.b, process.execPath, CLI, 'live', '-i', pair.ifB, '-Y', 'tcp and and'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^nat64scope: invalid filter: .* at column \d+/m);
  });

  it('-f applies a BPF filter', async () => {
    const run = await startLive(pair.b, ['-i', pair.ifB, '-f', 'icmp6 or udp port 53', '-c', '2', '--json', '--profile', 'aws']);
    send(pair.a, pair.ifA, join(dir, 'sent3.pcap'), ['--dst-mac', pair.macB]);
    expect(await waitExit(run)).toBe(0);
    const lines = run.stdout().trim().split('\n').map((l) => JSON.parse(l) as Record<string, any>);
    expect(lines.slice(0, 2).map((o) => o.proto)).toEqual([58, 17]);
  });

  it('--list-interfaces lists the namespace interfaces with address and link type', () => {
    inNs(pair.b, ['ip', 'addr', 'add', '192.0.2.66/24', 'dev', pair.ifB]);
    const text = inNs(pair.b, [process.execPath, CLI, 'live', '--list-interfaces']);
    expect(text).toMatch(/^n64lb\s+ethernet\s+up\s+192\.0\.2\.66\/24$/m);
    expect(text).toMatch(/^lo\s+ethernet\s+\S+\s+127\.0\.0\.1\/8$/m);
    const json = inNs(pair.b, [process.execPath, CLI, 'live', '--list-interfaces', '--json']).trim().split('\n').map((l) => JSON.parse(l));
    expect(json.find((i: { name: string }) => i.name === 'n64lb')).toMatchObject({ linkType: 1, link: 'ethernet', addresses: ['192.0.2.66/24'], loopback: false });
    inNs(pair.b, ['ip', 'addr', 'del', '192.0.2.66/24', 'dev', pair.ifB]);
  });

  it('errors: unknown interface and bad BPF exit 2 naming them; no cap module and no permission exit 4', () => {
    const live = (args: string[], env: NodeJS.ProcessEnv = process.env, prefix: string[] = []) => {
      const r = spawnSync('ip', ['netns', 'exec', pair.b, ...prefix, process.execPath, CLI, 'live', ...args], { encoding: 'utf8', env, timeout: 20_000 });
      return { status: r.status, err: errorLines(r.stderr) };
    };
    let r = live(['-i', 'nosuch0', '-c', '1']);
    expect(r).toEqual({ status: 2, err: ['nat64scope: unknown interface: nosuch0 (nat64scope live --list-interfaces lists them)'] });
    r = live(['-i', pair.ifB, '-f', 'tcp and and', '-c', '1']);
    expect(r).toEqual({ status: 2, err: ['nat64scope: bad capture filter (-f "tcp and and"): can\'t parse filter expression: syntax error'] });
    r = live(['-i', pair.ifB, '-c', '1'], { ...process.env, NAT64SCOPE_CAP_MODULE: 'cap-not-installed' });
    expect(r.status).toBe(4);
    expect(r.err).toEqual(["nat64scope: live capture needs libpcap and the cap module, which did not load (Cannot find module 'cap-not-installed'); install libpcap-dev and rebuild: apt-get install libpcap-dev && npm rebuild cap"]);
    r = live(['-i', pair.ifB, '-c', '1'], process.env, ['setpriv', '--inh-caps=-all', '--bounding-set=-net_raw,-net_admin', '--']);
    expect(r.status).toBe(4);
    expect(r.err).toHaveLength(1);
    expect(r.err[0]).toMatch(/^nat64scope: no permission to capture on n64lb \(socket: Operation not permitted\): capturing needs CAP_NET_RAW and CAP_NET_ADMIN; /);
    r = live(['-c', '1']);
    expect(r).toEqual({ status: 2, err: ['nat64scope: live needs an interface: -i IFACE (nat64scope live --list-interfaces lists them)'] });
    // Outputs are not created when the capture cannot start.
    r = live(['-i', 'nosuch0', '-w', join(dir, 'never.pcapng')]);
    expect(r.status).toBe(2);
    expect(existsSync(join(dir, 'never.pcapng'))).toBe(false);
  });
});
