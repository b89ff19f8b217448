/**
 * `nat64scope live` on a terminal: the viewer fed live. tmux (socket `n64l-<pid>`, detached
 * session of a fixed size) runs `live -i n64lb -w ...` inside the capture namespace of a veth pair
 * (test/live/netns.ts); Scapy sends known traffic from the other end. The list must show the
 * packets and their translations as they arrive, follow the newest packet until the user scrolls
 * (then stay put; G resumes), show rate and drops in the status bar, keep a bounded window (older
 * packets counted as gone), and q / SIGTERM must stop the capture with a complete -w file, the
 * terminal restored and exit 0.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { CLI } from '../helpers/cli.js';
import { tshark } from '../helpers/referees.js';
import { netnsUnavailable, vethPair, send, inNs, type VethPair } from './netns.js';
import { taygaTopology, sendThroughTayga, taygaUnavailable, type TaygaTopology } from './tayga-topology.js';

const NS_UNAVAILABLE = netnsUnavailable();
const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const UNAVAILABLE = NS_UNAVAILABLE ?? (HAVE_TMUX ? null : 'tmux is not installed (apt-get install tmux)');
const SOCK = `n64l-${process.pid}`;

if (UNAVAILABLE) {
  describe('live viewer in tmux', () => {
    it.skip(`skipped: ${UNAVAILABLE} (CI runs the tests as root with iproute2, tmux and python3-scapy: .ci/run)`, () => {});
  });
}

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string => tmux('capture-pane', '-p', '-t', 'lv');
const keys = (...k: string[]): void => void tmux('send-keys', '-t', 'lv', ...k);

async function waitFor(cond: (s: string) => boolean, what: string, ms = 20000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = screen();
    if (cond(s)) return s;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

/** Starts `live ARGS` in the capture namespace in a fresh tmux session `lv`. */
function startInTmux(ns: string, args: string): void {
  spawnSync('tmux', ['-L', SOCK, 'kill-session', '-t', 'lv']);
  const cmd = `printf 'BEFORE-LIVE\\n'; ip netns exec ${ns} ${process.execPath} ${CLI} live ${args}; echo "LIVE-EXIT:$?"; sleep 120`;
  tmux('new-session', '-d', '-s', 'lv', '-x', '140', '-y', '34', 'sh', '-c', cmd);
  tmux('set-option', '-t', 'lv', 'remain-on-exit', 'on');
}

describe.skipIf(UNAVAILABLE !== null)('live viewer in tmux (veth n64la -> n64lb)', () => {
  let pair: VethPair;
  let dir: string;

  beforeAll(() => {
    pair = vethPair('v');
    dir = mkdtempSync(join(tmpdir(), 'n64l-'));
  });
  afterAll(() => {
    spawnSync('tmux', ['-L', SOCK, 'kill-server']);
    pair?.dispose();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows packets and translations as they arrive, follows until scrolled, G resumes, q exits 0 with a valid -w and the terminal restored', async () => {
    const w = join(dir, 'viewer.pcapng');
    const x = join(dir, 'viewer-xlat.pcapng');
    startInTmux(pair.b, `-i ${pair.ifB} -w ${w} --write-translated ${x} --profile aws`);
    let s = await waitFor((t) => t.includes(' live n64lb │ 0 pkts'), 'the empty live viewer');
    expect(s).toMatch(/No\. +Time +Source → Destination +Proto +Info/);
    // Live state instead of a reading figure; at 140 columns the follow mark is on screen.
    expect(s).toMatch(/ live n64lb │ 0 pkts │ capturing \d+ pkts\/s │ kernel drops (\d+|\?) │ tool drops 0 │/);
    expect(s).not.toContain('reading…');
    expect(s).toMatch(/│ follow +\? help/);
    expect(tmux('display-message', '-p', '-t', 'lv', '#{alternate_on}').trim()).toBe('1');

    const sent1 = join(dir, 'sent1.pcap');
    expect(send(pair.a, pair.ifA, sent1, ['--dst-mac', pair.macB])).toBe(6);
    s = await waitFor((t) => t.includes('│ 6/6 │'), 'six packets, the last one selected (follow)');
    expect(s).toMatch(/^▸ +1 +0\.000000 2001:db8:1::2 → 64:ff9b::c633:6407 \(198\.51\.100\.7\) +TCP +40000 → 443 \[SYN\]/m);
    expect(s).toMatch(/^▸ +6 +[\d.]+ 2001:db8:1::2 → 64:ff9b::c633:6435 \(198\.51\.100\.53\) +DNS +Standard query 0x4242 A ipv4only\.arpa/m);
    // The newest packet and its translation side by side.
    expect(s).toMatch(/#6 captured \(IPv6\) +│ translated \(IPv4\)/);
    expect(s).toMatch(/▾ IPv4: 10\.0\.0\.5 → 198\.51\.100\.53, TTL 63/);

    // Scrolling up stops following: new packets arrive, the selection stays on #4.
    keys('k', 'k');
    await waitFor((t) => t.includes('│ 4/6 │'), 'packet #4 selected');
    expect(send(pair.a, pair.ifA, join(dir, 'sent2.pcap'), ['--dst-mac', pair.macB])).toBe(6);
    s = await waitFor((t) => t.includes('12 pkts'), 'twelve packets');
    expect(s).toMatch(/│ 4\/12 │/);
    expect(s).toMatch(/#4 captured \(IPv6\) +│ translated \(IPv4\)/);
    // G follows again.
    keys('G');
    s = await waitFor((t) => t.includes('│ 12/12 │'), 'G back to the newest');
    // The sessions pane: the engine's NAT64 tables as of the packet.
    keys('s');
    s = await waitFor((t) => t.includes('Sessions as of packet #12'), 'the sessions pane');
    expect(s).toMatch(/tcp +\[2001:db8:1::2\]:40000 → \[64:ff9b::c633:6407\]:443 +⇄ +10\.0\.0\.5:\d+ → 198\.51\.100\.7:443/);
    // The hex pane.
    keys('x');
    s = await waitFor((t) => /0000 +02 00 00 00 64 0b 02 00 00 00 64 0a 86 dd/.test(t), 'the hex pane');

    keys('q');
    s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:0/);
    expect(tmux('display-message', '-p', '-t', 'lv', '#{alternate_on}').trim()).toBe('0');
    // The main screen is back as it was, with the summary under it; nothing of the viewer left.
    expect(s).toMatch(/BEFORE-LIVE/);
    expect(s).toMatch(/live: 12 packets captured on n64lb in [\d.]+ s; 0 dropped by the kernel; 0 dropped by nat64scope; engine: 12 out/);
    expect(s).not.toMatch(/No\. +Time/);

    // -w: exactly what was sent (twice), tshark reads it; the translations too.
    const want = await readAllPackets(sent1);
    const got = await readAllPackets(w);
    expect(got.map((p) => hex(p.data.subarray(p.offset, p.offset + p.caplen)))).toEqual([...want, ...want].map((p) => hex(p.data.subarray(p.offset, p.offset + p.caplen))));
    expect(tshark(['-r', w, '-T', 'fields', '-e', 'frame.interface_name']).trim().split('\n')).toEqual(Array(12).fill('n64lb'));
    const xl = tshark(['-r', x, '-T', 'fields', '-e', 'ip.src', '-e', 'ip.dst']).trim().split('\n');
    expect(xl).toHaveLength(12);
    expect(xl[5]).toBe('10.0.0.5\t198.51.100.53');
  });

  it('two interfaces: packets whose translation never shows up are marked ! and listed as pair-missing findings, without waiting for more packets', async () => {
    inNs(pair.b, ['ip', 'link', 'set', 'lo', 'up']);
    startInTmux(pair.b, `-i ${pair.ifB} -i lo --profile aws`);
    // With pairing the status bar is longer: the name gives way first (the If column has the interfaces).
    await waitFor((t) => t.includes(' 0 pkts │ capturing ') && t.includes('pairs 0 ok'), 'the empty live viewer');
    expect(send(pair.a, pair.ifA, join(dir, 'pair.pcap'), ['--dst-mac', pair.macB])).toBe(6);
    // No translator between the two: each IPv6 packet is missing its IPv4 side after the 1 s window.
    let s = await waitFor((t) => t.includes('pairs 0 ok 0 wrong 6 missing'), 'six missing pairs', 10000);
    expect(s.split('\n').filter((l) => /^! +[1-6] /.test(l))).toHaveLength(6);
    // The If column (two interfaces) and the pairing mark; the detail pane of the newest (#6) says why.
    expect(s).toMatch(/No\. +Time +If +⇄ +Source → Destination/);
    expect(s.split('\n').filter((l) => /^! +[1-6] +[\d.]+ n64lb ! 2001:db8:1::2 → /.test(l))).toHaveLength(6);
    expect(s).toContain('pairing ! never translated: nothing came out on the other side within --pair-window');
    keys('d');
    s = await waitFor((t) => t.includes('[findings]'), 'the findings pane');
    expect(s.split('\n').filter((l) => /error +pair-missing +never translated: #[1-6] \(IPv6 side\), no translation came out/.test(l))).toHaveLength(6);
    keys('q');
    s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:0/);
    expect(s).toMatch(/pairing: 0 correct, 0 wrong, 6 never translated/);
  });

  it('DNS64: the detail pane says what DNS64 did with a DNS answer (one pass, as translate on stdin); -c stops capturing and the status bar says so', async () => {
    startInTmux(pair.b, `-i ${pair.ifB} -c 2 --profile aws`);
    await waitFor((t) => t.includes(' live n64lb │ 0 pkts'), 'the empty live viewer');
    expect(send(pair.a, pair.ifA, join(dir, 'dns64v.pcap'), ['--dst-mac', pair.macB, '--set', 'dns64'])).toBe(2);
    // Following: #2, the AAAA answer without AAAA, answered from #1's A data.
    let s = await waitFor((t) => t.includes('│ 2/2 │') && t.includes('stopped (count)'), 'two packets, stopped by -c');
    expect(s).toMatch(/ live n64lb │ 2 pkts │ stopped \(count\) │ kernel drops \d+ │ tool drops 0 │/);
    expect(s).toMatch(/#2 captured \(IPv6\) +│ DNS64 answer: what the client gets \(IPv6\)/);
    expect(s).toContain('DNS64 rewritten [synthesized]: no AAAA: synthesized 1 AAAA from 1 A record of v4only.example.net with TTL 60');
    expect(s).toMatch(/v4only\.example\.net AAAA: resolver NOERROR, no answer .*→ DNS64 64:ff9b::c633:6409/);
    keys('k');
    s = await waitFor((t) => t.includes('│ 1/2 │'), '#1');
    expect(s).toContain('DNS64 passed [not-aaaa-answer]: not an AAAA or ip6.arpa PTR answer');
    keys('q');
    s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:0/);
    expect(s).toMatch(/; dns64: 1 AAAA\/PTR answers, 1 rewritten/);
  });

  it('--whole-flows with the viewer: one line saying it is for lines and NDJSON, exit 2, nothing captured', async () => {
    startInTmux(pair.b, `-i ${pair.ifB} -Y udp --whole-flows`);
    const s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:2/);
    expect(s).toContain('nat64scope: --whole-flows works in lines and NDJSON only: add --no-viewer, --print or --json (the viewer filters packet by packet)');
    expect(s).not.toMatch(/capturing on/);
  });

  it('keeps a bounded window (--ring): older packets leave the list and are counted; g goes to the oldest kept; SIGTERM finalises -w, exits 0', async () => {
    const w = join(dir, 'window.pcapng');
    startInTmux(pair.b, `-i ${pair.ifB} --ring 100 -w ${w} --profile aws`);
    await waitFor((t) => t.includes(' live n64lb │ 0 pkts'), 'the empty live viewer');
    expect(send(pair.a, pair.ifA, join(dir, 'flood.pcap'), ['--dst-mac', pair.macB, '--set', 'flood', '--count', '300', '--gap', '0'])).toBe(300);
    // The live figures are polled once a second: wait for them too.
    let s = await waitFor((t) => t.includes('│ 300/300 │') && t.includes('200 older gone'), 'all 300 packets, following, 200 gone');
    expect(s).toMatch(/300 pkts │ capturing \d+ pkts\/s │ kernel drops 0 │ tool drops 0 │ 200 older gone │ 300\/300 │.*│ follow +\? help/);
    expect(s).toMatch(/^▸ +300 +[\d.]+ 2001:db8:1::2 → 64:ff9b::c633:6407 \(198\.51\.100\.7\) +UDP/m);
    keys('g');
    s = await waitFor((t) => t.includes('│ 201/300 │'), 'the oldest packet kept');
    expect(s).toMatch(/#201 captured \(IPv6\) +│ translated \(IPv4\)/);
    expect(s).not.toMatch(/^. +200 /m);

    // SIGTERM to the live process (by its pid): files finalised, terminal restored, exit 0.
    const pids = spawnSync('ip', ['netns', 'pids', pair.b], { encoding: 'utf8' }).stdout.split(/\s+/).filter(Boolean);
    const live = pids.find((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, 'utf8').split('\0').includes('live') && !readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('capture-child');
      } catch {
        return false;
      }
    });
    expect(live).toBeDefined();
    process.kill(Number(live), 'SIGTERM');
    s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:0/);
    expect(s).toMatch(/live: 300 packets captured on n64lb .*0 dropped by the kernel; 0 dropped by nat64scope/);
    expect(tmux('display-message', '-p', '-t', 'lv', '#{alternate_on}').trim()).toBe('0');
    // The window bounds the list, not the capture: -w has every packet.
    expect((await readAllPackets(w)).length).toBe(300);
  });
});

const TAYGA_UNAVAILABLE = UNAVAILABLE ?? taygaUnavailable();
if (TAYGA_UNAVAILABLE && !UNAVAILABLE) {
  describe('live viewer on both sides of TAYGA', () => {
    it.skip(`skipped: ${TAYGA_UNAVAILABLE} (CI installs tayga: .ci/run)`, () => {});
  });
}

describe.skipIf(TAYGA_UNAVAILABLE !== null)('live viewer on both sides of TAYGA (n64l6t -> TAYGA -> n64l4t)', () => {
  let topo: TaygaTopology;
  beforeAll(async () => {
    topo = await taygaTopology();
  });
  afterAll(async () => {
    spawnSync('tmux', ['-L', SOCK, 'kill-server']);
    await topo?.dispose();
  });

  it('two interfaces: an interface column, every packet marked = (paired as the engine translates), the detail pane names the partner on the other interface', async () => {
    // As tayga-live.test.ts: the two router hops around TAYGA are left out of the comparison.
    const bpf = '"udp or tcp or icmp or (icmp6 and ip6[40] < 130)"';
    startInTmux(topo.t, `-i ${topo.v6if} -i ${topo.v4if} -f ${bpf} --config ${topo.config} --pair-ignore ipv4.ttl,ipv6.hlim`);
    await waitFor((t) => t.includes(' 0 pkts │ capturing ') && t.includes('pairs 0 ok'), 'the empty live viewer');
    sendThroughTayga(topo);
    let s = await waitFor((t) => t.includes('pairs 6 ok 0 wrong 0 missing') && t.includes('│ 12/12 │'), 'twelve packets, six pairs');
    expect(s).toMatch(/No\. +Time +If +⇄ +Source → Destination/);
    const rows = s.split('\n').filter((l) => /^. +\d+ +[\d.]+ n64l[46]t /.test(l));
    expect(rows).toHaveLength(12);
    // Each packet in on one interface and out on the other, all paired correctly.
    expect(rows.map((l) => /^. +\d+ +[\d.]+ n64l[46]t (.) /.exec(l)![1])).toEqual(Array(12).fill('='));
    expect(rows.filter((l) => / n64l6t = /.test(l))).toHaveLength(6);
    expect(rows.filter((l) => / n64l4t = /.test(l))).toHaveLength(6);
    // The newest packet (#12, a reply from the IPv4 host, or TAYGA's translation of it): its partner.
    expect(s).toMatch(/pairing = paired with #\d+ on n64l[46]t \(IPv[46]\): as the engine translates it/);
    keys('g');
    s = await waitFor((t) => t.includes('│ 1/12 │'), '#1');
    // #1: the IPv6 host's UDP packet on n64l6t; its translation came out on n64l4t.
    expect(s).toMatch(/^. +1 +[\d.]+ n64l6t = 2001:db8:6::10 → 2001:db8:64::c633:6414/m);
    // Its partner: TAYGA's UDP packet on n64l4t (the numbering depends on how the two interfaces'
    // packets interleave, e.g. the ICMPv6 error may come before it).
    const partner = /^. +(\d+) +[\d.]+ n64l4t = 192\.0\.2\.10 → 198\.51\.100\.20 +UDP /m.exec(s);
    expect(partner, s).not.toBeNull();
    expect(s).toContain(`pairing = paired with #${partner![1]} on n64l4t (IPv4): as the engine translates it`);
    keys('q');
    s = await waitFor((t) => t.includes('LIVE-EXIT:'), 'the command to end');
    expect(s).toMatch(/LIVE-EXIT:0/);
    expect(s).toMatch(/pairing: 6 correct, 0 wrong, 0 never translated, 0 from nowhere/);
  });
});
