/**
 * BIND 9 and Unbound as DNS64 referees, on 127.0.0.1 only, ports 15300-15399, as foreground child
 * processes with configs in a temp dir (killed at the end):
 *
 *   15310  named   authoritative: n64lab. (edge cases), n64hi. (SOA minimum above the A TTLs),
 *                  n64sec. (DNSSEC-signed with dnssec-keygen/dnssec-signzone), 93.in-addr.arpa.
 *   15320  named   resolver with `dns64 64:ff9b::/96 { };`        (forwards to 15310, validates)
 *   15330  unbound resolver with `module-config: "dns64 validator iterator"`, dns64-prefix
 *   15340  named   the same resolver without dns64: the "capture's resolver" whose A/AAAA
 *                  answers the engine is fed
 *
 * Queries go out with node:dgram / node:net (encodeDns), answers come back as raw bytes.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { encodeDns, decodeDns, type DnsMessage } from '../../../src/wire/dns.js';

export const PORTS = { auth: 15310, bind: 15320, unbound: 15330, plain: 15340 } as const;
export type ResolverName = 'bind' | 'unbound' | 'plain';

export const LAB_ZONE = `$ORIGIN n64lab.
$TTL 300
@ 3600 IN SOA ns hostmaster 1 7200 3600 1209600 60
@ NS ns
ns A 127.0.0.1
; A only, A TTL above the negative TTL (60)
aonly 600 A 93.184.216.34
; A only, A TTL below it
short 30 A 93.184.216.40
aaaaonly AAAA 2001:db8::1
both A 93.184.216.35
both AAAA 2001:db8::2
several A 93.184.216.36
several A 93.184.216.37
several A 93.184.216.38
mapped A 93.184.216.39
mapped AAAA ::ffff:93.184.216.39
mixed A 93.184.216.41
mixed AAAA ::ffff:93.184.216.41
mixed AAAA 2001:db8::41
chain CNAME chain2
chain2 CNAME aonly
empty TXT "no address here"
private A 10.1.2.3
docnet A 192.0.2.1
${Array.from({ length: 60 }, (_, i) => `big A 93.184.217.${i + 1}`).join('\n')}
`;

export const HI_ZONE = `$ORIGIN n64hi.
$TTL 300
@ 3600 IN SOA ns hostmaster 1 7200 3600 1209600 3600
@ NS ns
ns A 127.0.0.1
aonly 300 A 93.184.216.42
`;

export const SEC_ZONE = `$ORIGIN n64sec.
$TTL 300
@ 3600 IN SOA ns hostmaster 1 7200 3600 1209600 60
@ NS ns
ns A 127.0.0.1
sa A 93.184.216.50
sboth A 93.184.216.51
sboth AAAA 2001:db8::51
`;

export const REV_ZONE = `$ORIGIN 93.in-addr.arpa.
$TTL 300
@ 3600 IN SOA ns.n64lab. hostmaster.n64lab. 1 7200 3600 1209600 60
@ NS ns.n64lab.
34.216.184 PTR aonly.n64lab.
`;

export interface Referees {
  dir: string;
  stop(): Promise<void>;
  query(who: ResolverName | 'auth', name: string, type: string, o?: QueryFlags): Promise<{ bytes: Uint8Array; msg: DnsMessage }>;
  /** Sends these query bytes; the raw answer. */
  queryRaw(who: ResolverName | 'auth', q: Uint8Array, tcp: boolean): Promise<Uint8Array>;
  log(who: string): string;
}

export interface QueryFlags {
  do?: boolean;
  cd?: boolean;
  /** EDNS with this payload size; without it (and without DO) the query has no EDNS (512). */
  udpSize?: number;
  tcp?: boolean;
}

/** Why the referees cannot run here, or null. */
export function refereesUnavailable(): string | null {
  for (const [bin, pkg] of [['/usr/sbin/named', 'bind9'], ['/usr/sbin/unbound', 'unbound'], ['/usr/bin/dnssec-keygen', 'bind9-utils'], ['/usr/bin/dnssec-signzone', 'bind9-utils']]) {
    if (!existsSync(bin)) return `${bin} is missing (apt-get install ${pkg})`;
  }
  return null;
}

function run(cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** Signs n64sec. in `dir`; returns the KSK's DNSKEY rdata (flags protocol alg key). */
function signZone(dir: string): string {
  writeFileSync(join(dir, 'n64sec.zone'), SEC_ZONE);
  run('/usr/bin/dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-n', 'ZONE', '-K', dir, 'n64sec.'], dir);
  run('/usr/bin/dnssec-keygen', ['-q', '-a', 'ECDSAP256SHA256', '-n', 'ZONE', '-f', 'KSK', '-K', dir, 'n64sec.'], dir);
  run('/usr/bin/dnssec-signzone', ['-S', '-K', dir, '-o', 'n64sec.', '-f', join(dir, 'n64sec.zone.signed'), join(dir, 'n64sec.zone')], dir);
  for (const f of readdirSync(dir)) {
    if (!f.startsWith('Kn64sec.') || !f.endsWith('.key')) continue;
    const line = readFileSync(join(dir, f), 'utf8').split('\n').find((l) => /DNSKEY\s+257\s/.test(l));
    if (line) return line.replace(/^.*DNSKEY\s+/, '').trim();
  }
  throw new Error('no KSK produced by dnssec-keygen');
}

function namedConf(dir: string, name: string, port: number, body: string): string {
  const path = join(dir, `${name}.conf`);
  writeFileSync(path, `options {
  directory "${dir}";
  listen-on port ${port} { 127.0.0.1; };
  listen-on-v6 { none; };
  pid-file "${dir}/${name}.pid";
  session-keyfile "${dir}/${name}.session.key";
  managed-keys-directory "${dir}";
${body}
};
controls { };
`);
  return path;
}

function resolverZones(dir: string, name: string, ksk: string, dns64: boolean): string {
  const conf = namedConf(dir, name, name === 'bind' ? PORTS.bind : PORTS.plain, `  recursion yes;
  allow-query { any; };
  dnssec-validation yes;
  qname-minimization off;
${dns64 ? '  dns64 64:ff9b::/96 { };' : ''}`);
  let text = readFileSync(conf, 'utf8');
  for (const z of ['n64lab', 'n64hi', 'n64sec', '93.in-addr.arpa']) {
    text += `zone "${z}" { type forward; forward only; forwarders { 127.0.0.1 port ${PORTS.auth}; }; };\n`;
  }
  text += `trust-anchors { n64sec. static-key ${ksk.replace(/^(\d+) (\d+) (\d+) (.*)$/, (_m, f, p, a, k) => `${f} ${p} ${a} "${k.replace(/\s+/g, '')}"`)}; };\n`;
  writeFileSync(conf, text);
  return conf;
}

function unboundConf(dir: string, ksk: string): string {
  const path = join(dir, 'unbound.conf');
  writeFileSync(path, `server:
  interface: 127.0.0.1@${PORTS.unbound}
  port: ${PORTS.unbound}
  do-ip6: no
  username: ""
  chroot: ""
  directory: "${dir}"
  pidfile: "${dir}/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  do-daemonize: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  module-config: "dns64 validator iterator"
  dns64-prefix: 64:ff9b::/96
  local-zone: "93.in-addr.arpa." nodefault
  trust-anchor: "n64sec. DNSKEY ${ksk}"
${['n64lab', 'n64hi', 'n64sec', '93.in-addr.arpa'].map((z) => `forward-zone:\n  name: "${z}."\n  forward-addr: 127.0.0.1@${PORTS.auth}\n`).join('')}`);
  return path;
}

async function udpQuery(port: number, payload: Uint8Array, timeoutMs = 4000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    const t = setTimeout(() => { s.close(); reject(new Error(`no answer from 127.0.0.1#${port}`)); }, timeoutMs);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(new Uint8Array(m)); });
    s.on('error', (e) => { clearTimeout(t); s.close(); reject(e); });
    s.send(payload, port, '127.0.0.1');
  });
}

async function tcpQuery(port: number, payload: Uint8Array, timeoutMs = 4000): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const t = setTimeout(() => { s.destroy(); reject(new Error(`no TCP answer from 127.0.0.1#${port}`)); }, timeoutMs);
    s.on('connect', () => {
      const len = Buffer.from([payload.length >> 8, payload.length & 0xff]);
      s.write(Buffer.concat([len, payload]));
    });
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        clearTimeout(t);
        s.destroy();
        resolve(new Uint8Array(buf.subarray(2, 2 + buf.readUInt16BE(0))));
      }
    });
    s.on('error', (e) => { clearTimeout(t); reject(e); });
  });
}

let nextId = 1000;

/** The query message for `name`/`type` with the given flags. */
export function queryBytes(name: string, type: string, o: QueryFlags = {}): Uint8Array {
  const edns = o.do || o.udpSize ? { udpSize: o.udpSize ?? 1232, do: o.do ?? false } : null;
  return encodeDns({ id: nextId++ & 0xffff, flags: ['RD', ...(o.cd ? ['CD'] : [])], questions: [{ name, type }], edns });
}

export async function startReferees(): Promise<Referees> {
  const dir = mkdtempSync(join(tmpdir(), 'dns64-referees-'));
  const procs: Array<{ name: string; p: ChildProcess; out: string[] }> = [];
  const spawnLogged = (name: string, cmd: string, args: string[]): void => {
    const p = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: string[] = [];
    p.stdout!.on('data', (d) => out.push(String(d)));
    p.stderr!.on('data', (d) => out.push(String(d)));
    procs.push({ name, p, out });
  };
  const stop = async (): Promise<void> => {
    for (const { p } of procs) if (p.exitCode === null) p.kill('SIGTERM');
    await Promise.all(procs.map(({ p }) => (p.exitCode !== null ? null : new Promise<void>((r) => { const t = setTimeout(() => { p.kill('SIGKILL'); r(); }, 3000); p.on('exit', () => { clearTimeout(t); r(); }); }))));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const ksk = signZone(dir);
    writeFileSync(join(dir, 'n64lab.zone'), LAB_ZONE);
    writeFileSync(join(dir, 'n64hi.zone'), HI_ZONE);
    writeFileSync(join(dir, 'rev.zone'), REV_ZONE);
    const auth = namedConf(dir, 'auth', PORTS.auth, '  recursion no;\n  dnssec-validation no;');
    writeFileSync(auth, readFileSync(auth, 'utf8') + ['n64lab:n64lab.zone', 'n64hi:n64hi.zone', 'n64sec:n64sec.zone.signed', '93.in-addr.arpa:rev.zone']
      .map((z) => { const [n, f] = z.split(':'); return `zone "${n}" { type primary; file "${join(dir, f)}"; };\n`; }).join(''));
    spawnLogged('auth', '/usr/sbin/named', ['-g', '-c', auth]);
    spawnLogged('bind', '/usr/sbin/named', ['-g', '-c', resolverZones(dir, 'bind', ksk, true)]);
    spawnLogged('plain', '/usr/sbin/named', ['-g', '-c', resolverZones(dir, 'plain', ksk, false)]);
    spawnLogged('unbound', '/usr/sbin/unbound', ['-d', '-c', unboundConf(dir, ksk)]);
    // Ready when each answers a query for its served data.
    const deadline = Date.now() + 20000;
    for (const [name, port] of [['auth', PORTS.auth], ['bind', PORTS.bind], ['plain', PORTS.plain], ['unbound', PORTS.unbound]] as const) {
      for (;;) {
        const proc = procs.find((x) => x.name === name)!;
        if (proc.p.exitCode !== null) throw new Error(`${name} exited (${proc.p.exitCode}): ${proc.out.join('').trim().split('\n').slice(-5).join(' | ')}`);
        try {
          const a = decodeDns(await udpQuery(port, queryBytes('ns.n64lab', 'A'), 500));
          if (a.answers.length) break;
        } catch {
          /* not yet */
        }
        if (Date.now() > deadline) throw new Error(`${name} did not answer on 127.0.0.1#${port} within 20 s: ${proc.out.join('').trim().split('\n').slice(-5).join(' | ')}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    dir,
    stop,
    log: (who) => procs.find((x) => x.name === who)?.out.join('') ?? '',
    async queryRaw(who, q, tcp) {
      return tcp ? tcpQuery(PORTS[who], q) : udpQuery(PORTS[who], q);
    },
    async query(who, name, type, o = {}) {
      const port = PORTS[who];
      const q = queryBytes(name, type, o);
      const bytes = o.tcp ? await tcpQuery(port, q) : await udpQuery(port, q);
      return { bytes, msg: decodeDns(bytes) };
    },
  };
}
