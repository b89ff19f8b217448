/**
 * Network namespaces for the live-capture tests: a pair `n64l-<pid>a` / `n64l-<pid>b` joined by
 * a veth (`n64la` <-> `n64lb`), with IPv6 disabled on both sides so the kernel adds nothing to
 * the wire (no router solicitations, MLD, DAD): what Scapy sends is all there is to capture.
 * Namespaces of earlier runs whose process is gone are removed first (by the pid in the name).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI } from '../helpers/cli.js';

export const PY = '/usr/bin/python3';
export const SENDER = join(dirname(fileURLToPath(import.meta.url)), 'send.py');
const PREFIX = 'n64l-';

/** Why the namespace tests cannot run here, or null. */
export function netnsUnavailable(): string | null {
  if (process.platform !== 'linux') return 'not Linux';
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return 'not root (network namespaces and capture need root)';
  if (!existsSync(PY) || spawnSync(PY, ['-c', 'import scapy.all'], { stdio: 'ignore' }).status !== 0) return 'Scapy is not importable by /usr/bin/python3 (apt-get install python3-scapy)';
  const probe = `${PREFIX}probe${process.pid}`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (r.status !== 0) return `ip netns does not work here: ${(r.stderr || r.error?.message || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes a namespace after ending the processes still in it (by pid). */
export function removeNamespace(ns: string): void {
  const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout ?? '';
  for (const p of pids.split(/\s+/).filter(Boolean)) {
    try {
      process.kill(Number(p), 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
}

/** Deletes `n64l-<pid>...` namespaces whose process is gone. */
export function cleanupStale(): void {
  const list = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  for (const line of list.split('\n')) {
    const name = line.split(/\s+/)[0] ?? '';
    const m = /^n64l-(?:probe|bench)?(\d+)(?:[a-z][a-z0-9]*)?$/.exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || pidAlive(pid)) continue;
    removeNamespace(name);
  }
}

export function inNs(ns: string, cmd: string[]): string {
  return execFileSync('ip', ['netns', 'exec', ns, ...cmd], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface VethPair {
  a: string;
  b: string;
  /** Interface in a (the sender's side) and in b (the capture side). */
  ifA: string;
  ifB: string;
  macB: string;
  dispose(): void;
}

/** Two namespaces joined by a veth, both ends up, no IPv6 chatter. `tag` keeps pairs apart. */
export function vethPair(tag = ''): VethPair {
  cleanupStale();
  const a = `${PREFIX}${process.pid}${tag}a`;
  const b = `${PREFIX}${process.pid}${tag}b`;
  removeNamespace(a);
  removeNamespace(b);
  const dispose = () => {
    removeNamespace(a);
    removeNamespace(b);
  };
  try {
    for (const ns of [a, b]) {
      execFileSync('ip', ['netns', 'add', ns]);
      inNs(ns, ['sysctl', '-q', '-w', 'net.ipv6.conf.default.disable_ipv6=1', 'net.ipv6.conf.all.disable_ipv6=1']);
      inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
    }
    execFileSync('ip', ['link', 'add', 'n64la', 'netns', a, 'address', '02:00:00:00:64:0a', 'type', 'veth', 'peer', 'name', 'n64lb', 'netns', b, 'address', '02:00:00:00:64:0b']);
    inNs(a, ['ip', 'link', 'set', 'n64la', 'up']);
    inNs(b, ['ip', 'link', 'set', 'n64lb', 'up']);
  } catch (e) {
    dispose();
    throw e;
  }
  return { a, b, ifA: 'n64la', ifB: 'n64lb', macB: '02:00:00:00:64:0b', dispose };
}

/** Sends a packet set from namespace `ns` with send.py; returns how many frames it sent. */
export function send(ns: string, iface: string, pcap: string, extra: string[] = []): number {
  const r = spawnSync('ip', ['netns', 'exec', ns, PY, SENDER, '--iface', iface, '--pcap', pcap, ...extra], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) throw new Error(`send.py failed (${r.status}): ${r.stderr}`);
  return Number(r.stdout.trim());
}

export interface LiveRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal name) once the command ends. */
  exited: Promise<number | string>;
}

/** Starts `nat64scope live ...` in namespace `ns`; resolves once it says it is capturing. */
export async function startLive(ns: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<LiveRun> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, 'live', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((r) => child.on('exit', (code, sig) => r(code ?? sig ?? -1)));
  const t0 = Date.now();
  for (;;) {
    if (err.includes('live: capturing on')) break;
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`live exited before capturing (${child.exitCode}): ${err}`);
    if (Date.now() - t0 > 15_000) {
      child.kill('SIGKILL');
      throw new Error(`live not capturing after 15 s: ${err}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Waits for the run to end (SIGKILL after `ms`). */
export async function waitExit(run: LiveRun, ms = 20_000): Promise<number | string> {
  const t = setTimeout(() => run.child.kill('SIGKILL'), ms);
  const code = await run.exited;
  clearTimeout(t);
  return code;
}
