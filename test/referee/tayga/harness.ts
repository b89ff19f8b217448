/**
 * TAYGA as a referee: runs the Debian `tayga` daemon in a private network namespace, pushes the
 * packet set of `inject.py` into it and captures, on its tun device, what it received and what it
 * emitted.
 *
 *   n64t-<pid>h (injector)              n64t-<pid> (translator)
 *   v64h  <--- veth --->  v64t --(kernel forwarding)--> nat64 (tun) <--> tayga
 *                                                         |
 *                     tcpdump -Q out  (what TAYGA received, written by the kernel into the tun)
 *                     tcpdump -Q in   (what TAYGA emitted, written by TAYGA into the tun)
 *
 * What TAYGA emits is routed to blackhole routes in its namespace, so the kernel neither forwards
 * it anywhere nor answers it with ICMP errors of its own. Nothing leaves the two namespaces, and
 * every address used is a documentation (RFC 3849 / RFC 5737) or shared (RFC 6598) address.
 *
 * Needs root, `ip netns`, /dev/net/tun, tayga, tcpdump and /usr/bin/python3 with Scapy: see
 * {@link taygaUnavailable}. Namespaces and processes are removed in `finally`, and namespaces left
 * by an earlier run that died (name `n64t-<pid>` with no such process) are removed first.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const INJECTOR = join(HERE, 'inject.py');
const PY = '/usr/bin/python3';
const NS_PREFIX = 'n64t-';

/** The tayga.conf the harness writes (see tayga.conf(5)); the comparison's EngineConfig mirrors it. */
export const TAYGA_CONF = [
  'tun-device nat64',
  'ipv4-addr 192.0.2.1',
  'ipv6-addr 2001:db8:ffff::1',
  'prefix 64:ff9b::/96',
  // Static maps (/32 <-> /128, i.e. RFC 7757 EAM entries).
  'map 192.0.2.10 2001:db8:6::10',
  'map 192.0.2.11 2001:db8:6::1',
  'map 198.51.100.20 2001:db8:4::20',
  'map 198.51.100.21 2001:db8:4::21',
  'map 198.51.100.1 2001:db8:4::1',
  '',
].join('\n');

/**
 * Leaves out the kernel's own IPv6 chatter on the tun (MLD reports to ff02::16 once it is up); no
 * injected packet and nothing TAYGA emits here goes to a multicast address.
 */
const CAPTURE_FILTER = ['not', 'ip6', 'multicast'];

/** TAYGA's MTU: the tun's MTU when TAYGA starts (it reads it once, in tun_setup()). */
export const TAYGA_MTU = 1500;
/** The tun and veth MTU once TAYGA runs, so the 1510/1550-byte IPv6 packets reach TAYGA. */
const LINK_MTU = 1600;

/** One injected packet, as `inject.py --list` describes it. */
export interface InjectedCase {
  name: string;
  /** IP version of the packet as it reaches TAYGA. */
  family: 4 | 6;
  len: number;
  expect: 'xlat' | 'icmp4' | 'icmp6' | 'drop';
  /** Number of packets TAYGA emits for it (xlat: >1 when it fragments; icmp: 1; drop: 0). */
  count: number;
  type?: number;
  code?: number;
}

export interface TaygaOptions {
  /** Seconds between two injected packets (default 0.015). */
  gap?: number;
  /** Namespace names are PREFIX<pid> (TAYGA) and PREFIX<pid>h (injector); default `n64t-`. */
  nsPrefix?: string;
  /** tayga.conf (default TAYGA_CONF). Its tun-device must be `nat64`. */
  conf?: string;
  /** IPv6 prefixes routed into TAYGA (default: 64:ff9b::/96 and 2001:db8:4::/64). */
  routes6?: string[];
  /** The injector script (default inject.py); it takes --iface, --dst-mac, --gap, --manifest. */
  injector?: string;
  /**
   * Also capture each side of the translator on its own: every IPv6 packet through the tun, both
   * ways (`v6Pcap`), and every IPv4 packet, both ways (`v4Pcap`), by two more tcpdump processes.
   */
  sides?: boolean;
}

export interface TaygaRun {
  /** Temporary directory holding everything below (removed by {@link TaygaRun.dispose}). */
  dir: string;
  /** Packets written into the tun by the kernel, i.e. what TAYGA received (LINKTYPE_RAW). */
  receivedPcap: string;
  /** Packets TAYGA wrote into the tun, i.e. what it emitted (LINKTYPE_RAW). */
  emittedPcap: string;
  confPath: string;
  /** The injected cases, in sending order. */
  cases: InjectedCase[];
  /** TAYGA's stdout + stderr. */
  taygaLog: string;
  /** Seconds between two injected packets (outputs are matched to inputs by time). */
  gap: number;
  /** With `sides`: the IPv6 side (both directions) and the IPv4 side (both directions). */
  v6Pcap?: string;
  v4Pcap?: string;
  dispose(): void;
}

/** Why the referee cannot run here, or null when it can. */
export function taygaUnavailable(nsPrefix = NS_PREFIX): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root (network namespaces need root)';
  for (const bin of ['/usr/sbin/tayga', '/usr/bin/tcpdump', PY]) {
    if (!existsSync(bin) && !(bin.endsWith('tcpdump') && existsSync('/usr/sbin/tcpdump'))) {
      return `${bin} is not installed (apt-get install tayga tcpdump python3-scapy)`;
    }
  }
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing (no tun support)';
  if (spawnSync(PY, ['-c', 'import scapy.all'], { stdio: 'ignore' }).status !== 0) return 'Scapy is not importable by /usr/bin/python3';
  const probe = `${nsPrefix}probe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns does not work here: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

function ip(args: string[], ns?: string): string {
  const full = ns ? ['netns', 'exec', ns, 'ip', ...args] : args;
  return execFileSync('ip', full, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function inNs(ns: string, cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes one namespace: ends the processes still in it (ours, by pid), then deletes it. */
function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const p of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Deletes the namespaces of earlier runs whose process is gone (`n64t-<pid>`, `n64t-<pid>h`). */
export function cleanupStale(prefix = NS_PREFIX): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const re = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:probe)?(\\d+)h?$`);
  for (const line of list.split('\n')) {
    const name = line.split(/\s+/)[0];
    const m = re.exec(name ?? '');
    if (!m || !name) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    removeNamespace(name);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Resolves once `pred(stderr so far)` holds; rejects on exit or timeout. */
function waitFor(child: ChildProcess, what: string, pred: (err: string) => boolean, timeoutMs: number, log: { text: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onData = () => {
      if (pred(log.text)) finish();
    };
    const onExit = (code: number | null) => finish(new Error(`${what} exited (${code}) before it was ready: ${log.text.trim()}`));
    const timer = setTimeout(() => finish(new Error(`${what} not ready after ${timeoutMs} ms: ${log.text.trim()}`)), timeoutMs);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
    onData();
  });
}

function collect(child: ChildProcess): { text: string } {
  const log = { text: '' };
  child.stdout?.on('data', (d: Buffer) => (log.text += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log.text += d.toString()));
  return log;
}

/** Sends `sig` to the child (by its pid) and waits for it to exit (SIGKILL after `ms`). */
async function stop(child: ChildProcess | null, sig: NodeJS.Signals, ms = 3000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill(sig);
  const t = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(t);
}

/** The injector's manifest (no root needed). */
export function listCases(): InjectedCase[] {
  return JSON.parse(execFileSync(PY, [INJECTOR, '--list'], { encoding: 'utf8' })) as InjectedCase[];
}

/**
 * Runs TAYGA on the packet set and returns the two captures. Everything it set up is torn down
 * before it returns (also on failure); call `dispose()` to remove the capture files.
 */
export async function runTayga(opts: TaygaOptions = {}): Promise<TaygaRun> {
  const gap = opts.gap ?? 0.015;
  const prefix = opts.nsPrefix ?? NS_PREFIX;
  cleanupStale(prefix);
  const ns = `${prefix}${process.pid}`;
  const hns = `${ns}h`;
  removeNamespace(ns);
  removeNamespace(hns);
  const dir = mkdtempSync(join(tmpdir(), 'n64t-'));
  const confPath = join(dir, 'tayga.conf');
  const receivedPcap = join(dir, 'received.pcap');
  const emittedPcap = join(dir, 'emitted.pcap');
  const manifestPath = join(dir, 'cases.json');
  const v6Pcap = opts.sides ? join(dir, 'v6-side.pcap') : undefined;
  const v4Pcap = opts.sides ? join(dir, 'v4-side.pcap') : undefined;
  writeFileSync(confPath, opts.conf ?? TAYGA_CONF);
  // N64T_KEEP=1 keeps the captures (their directory is printed) for a look with tcpdump/tshark.
  const dispose = () => {
    if (process.env.N64T_KEEP) console.error(`tayga referee captures kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };

  let tdOut: ChildProcess | null = null;
  let tdIn: ChildProcess | null = null;
  let td6: ChildProcess | null = null;
  let td4: ChildProcess | null = null;
  let tayga: ChildProcess | null = null;
  let taygaLog = { text: '' };
  try {
    ip(['netns', 'add', ns]);
    ip(['netns', 'add', hns]);
    for (const n of [ns, hns]) {
      // No IPv6 autoconfiguration chatter (RS, MLD, DAD) on any interface created from here on.
      inNs(n, ['sysctl', '-q', '-w', 'net.ipv6.conf.default.addr_gen_mode=1', 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0']);
      ip(['link', 'set', 'lo', 'up'], n);
    }
    inNs(ns, ['sysctl', '-q', '-w', 'net.ipv4.ip_forward=1', 'net.ipv6.conf.all.forwarding=1', 'net.ipv4.conf.all.rp_filter=0', 'net.ipv4.conf.default.rp_filter=0']);
    ip(['link', 'add', 'v64h', 'netns', hns, 'mtu', String(LINK_MTU), 'type', 'veth', 'peer', 'name', 'v64t', 'netns', ns, 'mtu', String(LINK_MTU)]);
    ip(['link', 'set', 'v64h', 'up'], hns);
    ip(['link', 'set', 'v64t', 'up'], ns);
    const mac = /link\/ether ([0-9a-f:]{17})/.exec(ip(['link', 'show', 'v64t'], ns))?.[1];
    if (!mac) throw new Error('no MAC address on v64t');

    // The tun, created persistent first so it can be configured before TAYGA attaches to it.
    inNs(ns, ['tayga', '-c', confPath, '--mktun']);
    ip(['link', 'set', 'nat64', 'addrgenmode', 'none', 'mtu', String(TAYGA_MTU), 'up'], ns);
    // Into TAYGA: the NAT64 prefix and the IPv6 side of the IPv4 hosts' maps; the IPv4 side of the
    // IPv6 hosts' maps.
    for (const r of opts.routes6 ?? ['64:ff9b::/96', '2001:db8:4::/64']) ip(['-6', 'route', 'add', r, 'dev', 'nat64'], ns);
    ip(['route', 'add', '192.0.2.0/28', 'dev', 'nat64'], ns);
    // Out of TAYGA: dropped silently.
    for (const p of ['2001:db8:6::/64', '2001:db8:7::/48']) ip(['-6', 'route', 'add', 'blackhole', p], ns);
    for (const p of ['198.51.100.0/24', '203.0.113.0/24', '100.64.0.0/10']) ip(['route', 'add', 'blackhole', p], ns);

    const tcpdump = (dir: 'in' | 'out' | 'inout', file: string, filter: string[] = CAPTURE_FILTER) =>
      spawn('ip', ['netns', 'exec', ns, 'tcpdump', '-i', 'nat64', '-Q', dir, '-n', '-U', '-Z', 'root', '--immediate-mode', '-s', '0', '-w', file, ...filter], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    tdOut = tcpdump('out', receivedPcap);
    const outLog = collect(tdOut);
    tdIn = tcpdump('in', emittedPcap);
    const inLog = collect(tdIn);
    await waitFor(tdOut, 'tcpdump -Q out', (t) => t.includes('listening on'), 10_000, outLog);
    await waitFor(tdIn, 'tcpdump -Q in', (t) => t.includes('listening on'), 10_000, inLog);
    if (v6Pcap && v4Pcap) {
      td6 = tcpdump('inout', v6Pcap, ['ip6', 'and', 'not', 'ip6', 'multicast']);
      const l6 = collect(td6);
      td4 = tcpdump('inout', v4Pcap, ['ip']);
      const l4 = collect(td4);
      await waitFor(td6, 'tcpdump ip6', (t) => t.includes('listening on'), 10_000, l6);
      await waitFor(td4, 'tcpdump ip', (t) => t.includes('listening on'), 10_000, l4);
    }

    tayga = spawn('ip', ['netns', 'exec', ns, 'tayga', '-c', confPath, '--nodetach', '-d'], { stdio: ['ignore', 'pipe', 'pipe'] });
    taygaLog = collect(tayga);
    // TAYGA is attached when the persistent tun loses NO-CARRIER.
    const t0 = Date.now();
    for (;;) {
      if (tayga.exitCode !== null) throw new Error(`tayga exited (${tayga.exitCode}): ${taygaLog.text.trim()}`);
      if (!ip(['link', 'show', 'nat64'], ns).includes('NO-CARRIER')) break;
      if (Date.now() - t0 > 10_000) throw new Error(`tayga did not attach to nat64: ${taygaLog.text.trim()}`);
      await sleep(20);
    }
    // TAYGA has read its MTU (1500); a larger link MTU lets the oversized IPv6 cases reach it.
    ip(['link', 'set', 'nat64', 'mtu', String(LINK_MTU)], ns);

    const inj = spawnSync('ip', ['netns', 'exec', hns, PY, opts.injector ?? INJECTOR, '--iface', 'v64h', '--dst-mac', mac, '--gap', String(gap), '--manifest', manifestPath], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (inj.status !== 0) throw new Error(`inject.py failed (${inj.status}): ${inj.stderr}`);
    // Let the last packets through TAYGA and into the captures, then stop tcpdump cleanly (SIGINT
    // flushes and closes the file).
    await sleep(300);
    await stop(tdOut, 'SIGINT');
    await stop(tdIn, 'SIGINT');
    await stop(td6, 'SIGINT');
    await stop(td4, 'SIGINT');
    const cases = JSON.parse(readFileSync(manifestPath, 'utf8')) as InjectedCase[];
    await stop(tayga, 'SIGTERM');
    return { dir, receivedPcap, emittedPcap, confPath, cases, taygaLog: taygaLog.text, gap, v6Pcap, v4Pcap, dispose };
  } catch (e) {
    dispose();
    throw e;
  } finally {
    await stop(tdOut, 'SIGKILL', 500);
    await stop(tdIn, 'SIGKILL', 500);
    await stop(td6, 'SIGKILL', 500);
    await stop(td4, 'SIGKILL', 500);
    await stop(tayga, 'SIGKILL', 500);
    removeNamespace(ns);
    removeNamespace(hns);
  }
}
