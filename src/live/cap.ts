/**
 * The `cap` npm package (a libpcap binding) behind a small interface: loading it (an optional
 * dependency: its absence is an exit-4 error saying what to install), opening an interface with
 * a BPF filter and a large kernel buffer, and mapping libpcap's errors onto exit codes.
 *
 * What cap 0.2.1 gives and does not give: one `packet` event per packet with the number of bytes
 * copied into the caller's buffer and a truncation flag; no libpcap timestamp, no original length,
 * no pcap_stats(). So timestamps are taken when the packet reaches JavaScript, the original
 * length of a cut packet is read from its IP header, and kernel drops are read from the packet
 * socket itself (kernel-stats.ts). cap's snaplen is fixed at 65535; a smaller `--snaplen` is
 * applied by giving it a buffer of that size.
 */
import { createRequire } from 'node:module';
import { readdirSync, readlinkSync, readFileSync, existsSync } from 'node:fs';
import { LinkType } from '../pcap/linktype.js';
import { LiveEnvError, LiveUsageError } from './errors.js';

/** The part of cap's `Cap` class nat64scope uses. */
export interface CapInstance {
  open(device: string, filter: string, bufSize: number, buffer: Buffer): string;
  close(): boolean;
  on(event: 'packet', fn: (nbytes: number, truncated: boolean) => void): unknown;
  removeAllListeners(event?: string): unknown;
}

export interface CapDevice {
  name: string;
  description?: string;
  addresses: { addr?: string; netmask?: string; broadaddr?: string; dstaddr?: string }[];
  flags?: string;
}

export interface CapModule {
  Cap: (new () => CapInstance) & { deviceList(): CapDevice[] };
}

/**
 * Module name of the binding. `NAT64SCOPE_CAP_MODULE` overrides it (the tests point it at a
 * module that does not exist to check the error a machine without cap gives).
 */
function capModuleName(): string {
  return process.env.NAT64SCOPE_CAP_MODULE || 'cap';
}

let loaded: CapModule | null = null;

/** Loads cap, or throws the exit-4 error that says what to install. */
export function loadCap(): CapModule {
  if (loaded) return loaded;
  const name = capModuleName();
  const require = createRequire(import.meta.url);
  try {
    const m = require(name) as CapModule;
    if (typeof m?.Cap !== 'function' || typeof m.Cap.deviceList !== 'function') throw new Error(`${name} has no Cap class`);
    loaded = m;
    return m;
  } catch (err) {
    const why = firstLine((err as Error).message ?? String(err)).replace(/\s*Require stack:.*$/, '');
    throw new LiveEnvError(
      `live capture needs libpcap and the cap module, which did not load (${why}); install libpcap-dev and rebuild: apt-get install libpcap-dev && npm rebuild cap`,
    );
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** cap's link type names (binding.cc) -> LINKTYPE_* numbers. */
export function capLinkType(name: string): number {
  switch (name) {
    case 'ETHERNET': return LinkType.ETHERNET;
    case 'NULL': return LinkType.NULL;
    case 'RAW': return LinkType.RAW;
    case 'LINKTYPE_LINUX_SLL': return LinkType.LINUX_SLL;
    case 'IEEE802_11_RADIO': return 127;
    default: {
      const m = /Unknown linktype (\d+)/.exec(name);
      if (!m) return -1;
      const dlt = Number(m[1]);
      // DLT values that differ from their LINKTYPE (tcpdump.org/linktypes.html).
      if (dlt === 12 || dlt === 14) return LinkType.RAW;
      return dlt;
    }
  }
}

/** Socket fds of this process: fd -> inode. */
function socketFds(): Map<number, string> {
  const m = new Map<number, string>();
  let fds: string[];
  try {
    fds = readdirSync('/proc/self/fd');
  } catch {
    return m;
  }
  for (const f of fds) {
    try {
      const r = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${f}`));
      if (r) m.set(Number(f), r[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  return m;
}

/** Inodes of the packet sockets in /proc/net/packet (this network namespace). */
function packetSocketInodes(): Set<string> {
  const s = new Set<string>();
  try {
    for (const line of readFileSync('/proc/net/packet', 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length >= 9) s.add(cols[8]);
    }
  } catch {
    /* not Linux */
  }
  return s;
}

export interface OpenedInterface {
  name: string;
  cap: CapInstance;
  /** LINKTYPE_* of the interface. */
  linkType: number;
  /** The buffer cap copies each packet into (its length is the snaplen). */
  buffer: Buffer;
  /** fd of the packet socket libpcap opened (Linux), or -1 when it could not be found. */
  socketFd: number;
}

/** Failed Cap objects are kept: cap's destructor would stop a poll handle it never started. */
const failed: CapInstance[] = [];

/** Interfaces the system knows (for the unknown-interface check before libpcap is asked). */
export function knownInterface(cap: CapModule, name: string): boolean {
  if (existsSync(`/sys/class/net/${name}`)) return true;
  try {
    return cap.Cap.deviceList().some((d) => d.name === name);
  } catch {
    return true; // let libpcap decide
  }
}

/**
 * Opens `name` with `filter`; the kernel buffer is `bufferSize` bytes. Errors: unknown interface
 * and bad filter exit 2 naming them; no permission exits 4 naming the capability.
 */
export function openInterface(cap: CapModule, name: string, filter: string, snaplen: number, bufferSize: number): OpenedInterface {
  if (!knownInterface(cap, name)) {
    throw new LiveUsageError(`unknown interface: ${name} (nat64scope live --list-interfaces lists them)`);
  }
  const c = new cap.Cap();
  const buffer = Buffer.alloc(snaplen);
  const before = socketFds();
  let lt: string;
  try {
    lt = c.open(name, filter, bufferSize, buffer);
  } catch (err) {
    failed.push(c);
    throw openError(name, filter, (err as Error).message ?? String(err));
  }
  let socketFd = -1;
  const packet = packetSocketInodes();
  for (const [fd, inode] of socketFds()) {
    if (!before.has(fd) && packet.has(inode)) socketFd = fd;
  }
  const linkType = capLinkType(lt);
  return { name, cap: c, linkType, buffer, socketFd };
}

function openError(name: string, filter: string, msg: string): Error {
  if (/no such device|doesn't exist|not found/i.test(msg)) {
    return new LiveUsageError(`unknown interface: ${name} (${msg}; nat64scope live --list-interfaces lists them)`);
  }
  if (/operation not permitted|permission|not permitted|EPERM|EACCES/i.test(msg)) {
    return new LiveEnvError(
      `no permission to capture on ${name} (${msg}): capturing needs CAP_NET_RAW and CAP_NET_ADMIN; run as root, or grant them: setcap cap_net_raw,cap_net_admin=eip ${process.execPath}`,
    );
  }
  if (/filter|syntax error|parse|BPF|bpf/i.test(msg)) {
    return new LiveUsageError(`bad capture filter (-f ${JSON.stringify(filter)}): ${msg}`);
  }
  if (/not up/i.test(msg)) {
    return new LiveEnvError(`interface ${name} is down (${msg}): ip link set ${name} up`);
  }
  return new LiveEnvError(`cannot capture on ${name}: ${msg}`);
}
