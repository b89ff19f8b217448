/**
 * The options shared by the engine commands (`view analyze translate dns64 golden correlate
 * live`, SPEC §2): `--config`, `--profile`, `--mode`, `--prefix`, `--pool4`, `--eam`,
 * `--dns64/--no-dns64`; and `resolveEngineConfig`, which turns them into the EngineConfig
 * (profile < config file < flags; errors are ConfigError, exit 2).
 *
 * Usage in a command module:
 *   builder: (y) => engineOptions(y.positional(...)).option(...)
 *   handler: const cfg = resolveEngineConfig(argv);
 */
import type { Argv } from 'yargs';
import { ipv6ToString, parseIpv6 } from '../src/wire/addr-text.js';
import { loadConfig, PROFILE_NAMES, ConfigError } from '../src/xlat/config.js';
import type { EngineConfig } from '../src/xlat/config-types.js';
import { dns64Options, type Dns64Options } from '../src/xlat/dns64/engine.js';
import type { Dns64Compat } from '../src/xlat/dns64/compat.js';
import { loadZoneFile, type ZoneRecord } from '../src/xlat/dns64/zone.js';
import { discoverPref64, type DiscoveredPrefix } from '../src/xlat/dns64/discovery.js';
import type { Prefix6 } from '../src/xlat/rfc6052.js';
import { UsageError } from './errors.js';

export interface EngineOptionArgs {
  config?: string;
  profile?: string;
  mode?: string;
  prefix?: string;
  pool4?: string[];
  eam?: string[];
  dns64?: boolean;
  dns64Compat?: string;
  zone?: string;
}

export const ENGINE_OPTION_KEYS = ['config', 'profile', 'mode', 'prefix', 'pool4', 'eam', 'dns64', 'dns64-compat', 'zone'] as const;

/** Repeatable string option without yargs' greedy `array: true` (which would eat positionals). */
export function repeated(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map(String);
}

/** Adds the engine options (grouped under "Engine:" in --help). */
export function engineOptions<T>(y: Argv<T>): Argv<T & EngineOptionArgs> {
  return y
    .option('config', {
      type: 'string',
      requiresArg: true,
      describe: 'engine configuration file (JSON, SPEC §3; // comments allowed)',
    })
    .option('profile', {
      type: 'string',
      requiresArg: true,
      choices: [...PROFILE_NAMES],
      describe: 'preset defaults; config file values override it, flags override both (default: rfc)',
    })
    .option('mode', {
      type: 'string',
      requiresArg: true,
      choices: ['nat64', 'siit'],
      describe: 'stateful NAT64 (RFC 6146, the default) or stateless SIIT (RFC 7915)',
    })
    .option('prefix', {
      type: 'string',
      requiresArg: true,
      describe: 'the RFC 6052 prefix (pool6), e.g. 64:ff9b::/96, 2001:db8:100::/40; "none" for EAM-only SIIT; "auto" (dns64, translate): the prefix the capture shows (RA PREF64, ipv4only.arpa)',
    })
    .option('pool4', {
      type: 'string',
      requiresArg: true,
      coerce: repeated,
      describe: 'NAT64 IPv4 pool A[/L][#PORTS], repeatable; e.g. 192.0.2.1#1024-65535 (replaces the configured pool4)',
    })
    .option('eam', {
      type: 'string',
      requiresArg: true,
      coerce: repeated,
      describe: 'an explicit address mapping V6/L=V4/L (SIIT, RFC 7757), repeatable (replaces the configured EAMT)',
    })
    .option('dns64', {
      type: 'boolean',
      describe: 'run the DNS64 engine (default on; --no-dns64 turns it off)',
    })
    .option('dns64-compat', {
      type: 'string',
      requiresArg: true,
      choices: ['rfc', 'bind', 'unbound'],
      describe: 'answer like this resolver where BIND and Unbound depart from RFC 6147 (default rfc; see README "dns64")',
    })
    .option('zone', {
      type: 'string',
      requiresArg: true,
      describe: 'zone file or hosts file: A (and AAAA/CNAME/DNAME/PTR) data for names the capture never resolved',
    })
    .group([...ENGINE_OPTION_KEYS], 'Engine:') as unknown as Argv<T & EngineOptionArgs>;
}

/** The effective engine configuration for parsed engine options (throws ConfigError, exit 2). */
export function resolveEngineConfig(argv: EngineOptionArgs): EngineConfig {
  try {
    return loadConfig({
      profile: argv.profile,
      configFile: argv.config,
      flags: {
        mode: argv.mode,
        prefix: argv.prefix,
        pool4: argv.pool4,
        eam: argv.eam,
        dns64: argv.dns64,
      },
    });
  } catch (err) {
    // SPEC §2: "<what went wrong> (<where>)": name the file unless the message already does.
    if (err instanceof ConfigError && argv.config && !err.message.includes(argv.config)) {
      err.message = `${err.message} (${argv.config})`;
    }
    throw err;
  }
}

/** The DNS64 engine options (`--dns64-compat`) and `--zone` records for an engine config. */
export function resolveDns64(argv: EngineOptionArgs, cfg: EngineConfig): { options: Dns64Options; zone: ZoneRecord[] | undefined } {
  const options = dns64Options(cfg, (argv.dns64Compat ?? 'rfc') as Dns64Compat);
  return { options, zone: argv.zone ? loadZoneFile(argv.zone) : undefined };
}

/** Which discovered prefix wins when several sources show one: RA PREF64, then RFC 7050, then AAAA. */
const SOURCE_ORDER: Record<string, number> = { 'ra-pref64': 0, 'ipv4only.arpa': 1, 'aaaa-wka': 2, config: 3 };

/**
 * `--prefix auto`: the prefix(es) the capture itself shows (RA PREF64, ipv4only.arpa answers,
 * AAAA answers carrying 192.0.0.170/171), read in a first pass over the file; without any, the
 * configured pool6. Returns the configuration and one line per prefix saying where it came from.
 */
export async function resolveEngineConfigAuto(argv: EngineOptionArgs, input: string): Promise<{ cfg: EngineConfig; notes: string[]; found: DiscoveredPrefix[] }> {
  if (argv.prefix !== 'auto') return { cfg: resolveEngineConfig(argv), notes: [], found: [] };
  if (input === '-') throw new UsageError('--prefix auto reads the capture twice: give a file, not stdin');
  const cfg = resolveEngineConfig({ ...argv, prefix: undefined });
  const found = (await discoverPref64(input, { blocking: true, onWarning: () => undefined })).slice().sort((a, b) => SOURCE_ORDER[a.source] - SOURCE_ORDER[b.source]);
  const uniq: DiscoveredPrefix[] = [];
  for (const f of found) if (!uniq.some((u) => u.prefix === f.prefix)) uniq.push(f);
  if (uniq.length === 0) {
    const p = cfg.pool6 ? `${ipv6Text(cfg.pool6)}` : 'none';
    return { cfg, notes: [`prefix auto: none found in the capture (no RA PREF64, no ipv4only.arpa or well-known-address AAAA answers): using pool6 ${p} from the configuration`], found };
  }
  const prefixes: Prefix6[] = uniq.map((u) => parsePrefixText(u.prefix));
  cfg.pool6 = prefixes[0];
  cfg.dns64.prefixes = prefixes;
  const notes = uniq.map((u) => `prefix auto: ${u.prefix} from ${u.source === 'ra-pref64' ? `a Router Advertisement PREF64 option (RFC 8781${u.lifetime !== undefined ? `, lifetime ${u.lifetime} s` : ''})` : u.source === 'ipv4only.arpa' ? 'the ipv4only.arpa answers (RFC 7050)' : 'AAAA answers carrying 192.0.0.170/171'}, packet${u.packets.length > 1 ? 's' : ''} ${u.packets.join(', ')}`);
  return { cfg, notes, found };
}

function ipv6Text(p: Prefix6): string {
  return `${ipv6ToString(p.bytes, 0)}/${p.len}`;
}

function parsePrefixText(t: string): Prefix6 {
  const [a, l] = t.split('/');
  const bytes = new Uint8Array(16);
  parseIpv6(a, bytes, 0);
  return { bytes, len: Number(l) };
}
