/**
 * TAYGA between two hosts, for `live` on both sides of a real translator:
 *
 *   n64l-<pid>h6 (IPv6 host)          n64l-<pid>t (translator)                n64l-<pid>h4 (IPv4 host)
 *   n64l6h 2001:db8:6::10 ---veth--- n64l6t 2001:db8:6::1                        
 *                                     nat64 (tun) <-> tayga                        
 *                                    n64l4t 198.51.100.254 ---veth--- n64l4h 198.51.100.20
 *
 * TAYGA (TAYGA_CONF below, as the correlate referee test has it): the IPv6 host is statically
 * mapped, 2001:db8:6::10 <-> 192.0.2.10 (an RFC 7757 EAM entry); IPv4 hosts are reached through
 * the prefix 2001:db8:64::/96 (198.51.100.20 is 2001:db8:64::c633:6414). The IPv6 host talks to
 * the IPv4 host; its kernel answers (echo reply, port unreachable, RST), so packets cross TAYGA
 * both ways. `live` captures on n64l6t and
 * n64l4t in the translator's namespace. Static neighbours: no ARP or neighbour discovery.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { taygaUnavailable } from '../referee/tayga/harness.js';
import { TWO_SIDED_CONF, TWO_SIDED_ENGINE_CONFIG } from '../referee/tayga/two-sided.js';
import { cleanupStale, removeNamespace, inNs, PY } from './netns.js';

export { taygaUnavailable };

/** tayga.conf, and the engine configuration equivalent to it (SPEC §3 JSON, for --config). */
export const TAYGA_CONF = TWO_SIDED_CONF;
export const ENGINE_CONFIG = TWO_SIDED_ENGINE_CONFIG;

/** The IPv4 host as the IPv6 host sees it. */
export const H4_AS_V6 = '2001:db8:64::c633:6414';

export interface TaygaTopology {
  t: string;
  h6: string;
  h4: string;
  /** Capture interfaces in the translator's namespace. */
  v6if: string;
  v4if: string;
  dir: string;
  /** ENGINE_CONFIG written to a file. */
  config: string;
  dispose(): Promise<void>;
}

const MAC = { h6: '02:00:00:00:66:10', t6: '02:00:00:00:66:01', t4: '02:00:00:00:44:fe', h4: '02:00:00:00:44:14' };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function taygaTopology(): Promise<TaygaTopology> {
  cleanupStale();
  const base = `n64l-${process.pid}`;
  const t = `${base}t`;
  const h6 = `${base}h6`;
  const h4 = `${base}h4`;
  for (const ns of [t, h6, h4]) removeNamespace(ns);
  const dir = mkdtempSync(join(tmpdir(), 'n64l-tayga-'));
  let tayga: ChildProcess | null = null;
  const dispose = async () => {
    if (tayga && tayga.exitCode === null && tayga.signalCode === null) {
      const exited = new Promise((r) => tayga!.once('exit', r));
      tayga.kill('SIGTERM');
      const k = setTimeout(() => tayga!.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(k);
    }
    for (const ns of [t, h6, h4]) removeNamespace(ns);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const ns of [t, h6, h4]) {
      execFileSync('ip', ['netns', 'add', ns]);
      inNs(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.default.addr_gen_mode=1', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0', 'net.ipv6.conf.default.router_solicitations=0', 'net.ipv6.conf.all.router_solicitations=0']);
      inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
    }
    inNs(t, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    execFileSync('ip', ['link', 'add', 'n64l6h', 'netns', h6, 'address', MAC.h6, 'type', 'veth', 'peer', 'name', 'n64l6t', 'netns', t, 'address', MAC.t6]);
    execFileSync('ip', ['link', 'add', 'n64l4h', 'netns', h4, 'address', MAC.h4, 'type', 'veth', 'peer', 'name', 'n64l4t', 'netns', t, 'address', MAC.t4]);
    inNs(h6, ['ip', 'link', 'set', 'n64l6h', 'up']);
    inNs(h6, ['ip', '-6', 'addr', 'add', '2001:db8:6::10/64', 'dev', 'n64l6h', 'nodad']);
    inNs(h6, ['ip', '-6', 'route', 'add', 'default', 'via', '2001:db8:6::1']);
    inNs(h6, ['ip', '-6', 'neigh', 'add', '2001:db8:6::1', 'lladdr', MAC.t6, 'dev', 'n64l6h', 'nud', 'permanent']);
    inNs(h4, ['ip', 'link', 'set', 'n64l4h', 'up']);
    inNs(h4, ['ip', 'addr', 'add', '198.51.100.20/24', 'dev', 'n64l4h']);
    inNs(h4, ['ip', 'route', 'add', '192.0.2.0/24', 'via', '198.51.100.254']);
    inNs(h4, ['ip', 'neigh', 'add', '198.51.100.254', 'lladdr', MAC.t4, 'dev', 'n64l4h', 'nud', 'permanent']);
    inNs(t, ['ip', 'link', 'set', 'n64l6t', 'up']);
    inNs(t, ['ip', 'link', 'set', 'n64l4t', 'up']);
    inNs(t, ['ip', '-6', 'addr', 'add', '2001:db8:6::1/64', 'dev', 'n64l6t', 'nodad']);
    inNs(t, ['ip', 'addr', 'add', '198.51.100.254/24', 'dev', 'n64l4t']);
    inNs(t, ['ip', '-6', 'neigh', 'add', '2001:db8:6::10', 'lladdr', MAC.h6, 'dev', 'n64l6t', 'nud', 'permanent']);
    inNs(t, ['ip', 'neigh', 'add', '198.51.100.20', 'lladdr', MAC.h4, 'dev', 'n64l4t', 'nud', 'permanent']);
    const conf = join(dir, 'tayga.conf');
    writeFileSync(conf, TAYGA_CONF);
    writeFileSync(join(dir, 'engine.json'), JSON.stringify(ENGINE_CONFIG));
    inNs(t, ['tayga', '-c', conf, '--mktun']);
    inNs(t, ['ip', 'link', 'set', 'nat64', 'addrgenmode', 'none', 'up']);
    inNs(t, ['ip', '-6', 'route', 'add', '2001:db8:64::/96', 'dev', 'nat64']);
    inNs(t, ['ip', 'route', 'add', '192.0.2.0/28', 'dev', 'nat64']);
    tayga = spawn('ip', ['netns', 'exec', t, 'tayga', '-c', conf, '--nodetach'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    tayga.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    const t0 = Date.now();
    for (;;) {
      if (tayga.exitCode !== null) throw new Error(`tayga exited (${tayga.exitCode}): ${log}`);
      if (!inNs(t, ['ip', 'link', 'show', 'nat64']).includes('NO-CARRIER')) break;
      if (Date.now() - t0 > 10_000) throw new Error(`tayga did not attach to nat64: ${log}`);
      await sleep(20);
    }
  } catch (e) {
    await dispose();
    throw e;
  }
  return { t, h6, h4, v6if: 'n64l6t', v4if: 'n64l4t', dir, config: join(dir, 'engine.json'), dispose };
}

/** From the IPv6 host, through TAYGA, to the IPv4 host: UDP to a closed port, an echo, a SYN. */
export function sendThroughTayga(topo: TaygaTopology): void {
  const script = [
    'from scapy.all import IPv6, UDP, TCP, ICMPv6EchoRequest, Raw, send',
    'import time',
    `dst = '${H4_AS_V6}'`,
    "pkts = [IPv6(src='2001:db8:6::10', dst=dst) / UDP(sport=40000, dport=9999) / Raw(b'nat64scope'),",
    "        IPv6(src='2001:db8:6::10', dst=dst) / ICMPv6EchoRequest(id=0x4242, seq=1, data=b'live pairing'),",
    "        IPv6(src='2001:db8:6::10', dst=dst) / TCP(sport=40001, dport=80, flags='S', seq=7)]",
    'for p in pkts:',
    '    send(p, verbose=False)',
    '    time.sleep(0.05)',
  ].join('\n');
  const r = spawnSync('ip', ['netns', 'exec', topo.h6, PY, '-c', script], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`sending through TAYGA failed: ${r.stderr}`);
}
