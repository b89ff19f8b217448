/**
 * Engine configuration (SPEC §2/§3): profiles, precedence, validation messages (exact text),
 * flag syntax, and the JSON round trip.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConfigError,
  PROFILES,
  POOL4_DEFAULT_PORTS,
  configToJson,
  loadConfig,
  parseEamFlag,
  parsePool4Flag,
  parseJsonc,
  type ConfigJson,
} from '../../src/xlat/config.js';
import type { ProfileName } from '../../src/xlat/config-types.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'nat64scope-config-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

function errorOf(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).exitCode).toBe(2);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

function msg(json: unknown, extra: Parameters<typeof loadConfig>[0] = {}): string {
  return errorOf(() => loadConfig({ configJson: json, ...extra })).message;
}

describe('profiles', () => {
  it.each(['rfc', 'aws', 'jool', 'tayga'] as ProfileName[])('%s loads and gives back its JSON form', (name) => {
    const cfg = loadConfig({ profile: name });
    expect(cfg.profile).toBe(name);
    expect(configToJson(cfg)).toEqual(PROFILES[name]);
  });

  it('no options: the rfc profile', () => {
    expect(configToJson(loadConfig())).toEqual(PROFILES.rfc);
  });

  it('rfc: the SPEC §3 values', () => {
    const j = configToJson(loadConfig({ profile: 'rfc' }));
    expect(j.mode).toBe('nat64');
    expect(j.pool6).toBe('64:ff9b::/96');
    expect(j.pool4).toEqual([{ prefix: '192.0.2.2/32', ports: '1-3000', protocols: ['tcp', 'udp', 'icmp'] }]);
    expect(j.rfc6791).toEqual({ ipv4: '203.0.113.8/32', ipv6: null });
    expect(j.translator).toEqual({ ipv6: '2001:db8::1', ipv4: '192.0.2.2' });
    expect(j.mtu).toEqual({ ipv6: 1500, ipv4: 1500, lowestIpv6Mtu: 1280, plateaus: [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] });
    expect(j.udpZeroChecksum).toBe('drop');
    expect(j.trafficClass).toEqual({ zeroize: false, overrideTos: null });
    expect(j.strictWellKnownPrefix).toBe(true);
    expect(j.timeouts).toEqual({ udp: 300, tcpEstablished: 7440, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 });
    expect(j.filtering).toEqual({ addressDependent: false, dropExternallyInitiatedTcp: false, dropIcmpv6Info: false });
    expect(j.hairpinning).toBe('intrinsic');
    expect(j.sourceIcmpv6ErrorsBetter).toBe(false);
    expect(j.ipv4Identification).toBe('zero');
    expect(j.dns64).toEqual({ enabled: true, prefixes: null, exclude: ['::ffff:0:0/96'], synthAll: false, ptr: 'cname', ttlWithoutSoa: 600 });
  });

  it('aws: NAT gateway documentation', () => {
    const cfg = loadConfig({ profile: 'aws' });
    const j = configToJson(cfg);
    expect(j.mode).toBe('nat64');
    expect(j.pool6).toBe('64:ff9b::/96');
    expect(j.pool4).toEqual([{ prefix: '10.0.0.5/32', ports: '1024-65535', protocols: ['tcp', 'udp', 'icmp'] }]);
    expect(j.strictWellKnownPrefix).toBe(false);
    expect(j.timeouts.tcpEstablished).toBe(350);
    expect(cfg.policy).toEqual({ tcpIdleRst: 350, dropFragments: ['tcp', 'icmp'], maxConnectionsPerDestination: 55000 });
    expect(j.filtering.dropExternallyInitiatedTcp).toBe(true);
  });

  it('jool: Jool global/pool4 documentation defaults', () => {
    const j = configToJson(loadConfig({ profile: 'jool' }));
    expect(j.timeouts).toEqual({ udp: 300, tcpEstablished: 7200, tcpTransitory: 240, icmp: 60, tcpIncomingSyn: 6, fragment: 2 });
    expect(j.pool4[0].ports).toBe('61001-65535');
    expect(j.strictWellKnownPrefix).toBe(false);
    expect(j.sourceIcmpv6ErrorsBetter).toBe(true);
    expect(j.hairpinning).toBe('intrinsic');
    expect(j.trafficClass).toEqual({ zeroize: false, overrideTos: null });
    expect(j.mtu.lowestIpv6Mtu).toBe(1280);
    expect(j.udpZeroChecksum).toBe('compute');
    expect(j.rfc6791).toEqual({ ipv4: null, ipv6: null });
  });

  it('tayga: tayga.conf(5) defaults', () => {
    const cfg = loadConfig({ profile: 'tayga' });
    const j = configToJson(cfg);
    expect(j.mode).toBe('siit');
    expect(j.strictWellKnownPrefix).toBe(true);
    expect(j.udpZeroChecksum).toBe('drop');
    expect(j.mtu.lowestIpv6Mtu).toBe(1280);
    expect(j.pool4).toEqual([]);
    expect(j.translator).toEqual({ ipv6: '2001:db8:1::2', ipv4: '192.168.255.1' });
    expect(j.rfc6791).toEqual({ ipv4: '192.168.255.1/32', ipv6: '2001:db8:1::2/128' });
    expect(j.hairpinning).toBe('off');
    expect(cfg.policy.dropFragments).toEqual(['icmp']);
  });

  it('PROFILES cannot be modified by accident', () => {
    expect(Object.isFrozen(PROFILES.rfc.timeouts)).toBe(true);
    expect(() => {
      (PROFILES.rfc.timeouts as { udp: number }).udp = 1;
    }).toThrow();
  });

  it('the parsed form carries bytes and numbers', () => {
    const cfg = loadConfig();
    expect(cfg.pool6!.bytes).toEqual(Uint8Array.from([0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
    expect(cfg.pool6!.len).toBe(96);
    expect(cfg.pool4[0]).toEqual({ prefix: { addr: 0xc0000202, len: 32 }, portMin: 1, portMax: 3000, protocols: ['tcp', 'udp', 'icmp'] });
    expect(cfg.translator.ipv4).toBe(0xc0000202);
  });
});

describe('precedence: profile < config file < flags', () => {
  it('a file value overrides the profile; objects merge key by key', () => {
    const p = file('a.json', JSON.stringify({ timeouts: { udp: 100 } }));
    const cfg = loadConfig({ configFile: p });
    expect(cfg.timeouts).toEqual({ ...PROFILES.rfc.timeouts, udp: 100 });
  });

  it('the file\'s "profile" key selects the base profile', () => {
    const p = file('b.json', JSON.stringify({ profile: 'jool', timeouts: { udp: 100 }, pool4: [{ prefix: '198.51.100.1' }] }));
    const cfg = loadConfig({ configFile: p });
    expect(cfg.profile).toBe('jool');
    expect(cfg.timeouts.tcpEstablished).toBe(7200);
    expect(cfg.timeouts.udp).toBe(100);
    // pool4 without /L is a /32; without ports it takes the profile's default range.
    expect(configToJson(cfg).pool4).toEqual([{ prefix: '198.51.100.1/32', ports: '61001-65535', protocols: ['tcp', 'udp', 'icmp'] }]);
  });

  it('--profile wins over the file\'s "profile" key', () => {
    const p = file('c.json', JSON.stringify({ profile: 'jool', timeouts: { udp: 100 } }));
    const cfg = loadConfig({ configFile: p, profile: 'aws' });
    expect(cfg.profile).toBe('aws');
    expect(cfg.timeouts.tcpEstablished).toBe(350);
    expect(cfg.timeouts.udp).toBe(100);
  });

  it('flags override the file', () => {
    const p = file('d.json', JSON.stringify({ mode: 'nat64', pool4: [{ prefix: '198.51.100.1', ports: '1-100' }], dns64: { synthAll: true } }));
    const cfg = loadConfig({
      configFile: p,
      flags: { mode: 'siit', prefix: '2001:db8:100::/40', pool4: ['192.0.2.7#5000-6000', '192.0.2.8'], eam: ['2001:db8:3::/120=198.51.100.0/24'], dns64: false },
    });
    const j = configToJson(cfg);
    expect(j.mode).toBe('siit');
    expect(j.pool6).toBe('2001:db8:100::/40');
    expect(j.pool4).toEqual([
      { prefix: '192.0.2.7/32', ports: '5000-6000', protocols: ['tcp', 'udp', 'icmp'] },
      { prefix: '192.0.2.8/32', ports: '1-65535', protocols: ['tcp', 'udp', 'icmp'] },
    ]);
    expect(j.eam).toEqual([{ ipv6: '2001:db8:3::/120', ipv4: '198.51.100.0/24' }]);
    expect(j.dns64.enabled).toBe(false);
    expect(j.dns64.synthAll).toBe(true);
  });

  it('--prefix none gives SIIT without a prefix', () => {
    const cfg = loadConfig({ flags: { mode: 'siit', prefix: 'none', eam: ['2001:db8::/120=192.0.2.0/24'], dns64: false } });
    expect(cfg.pool6).toBeNull();
  });

  it('empty flag lists leave the configured lists alone', () => {
    expect(configToJson(loadConfig({ flags: { pool4: [], eam: [] } })).pool4).toEqual(PROFILES.rfc.pool4);
  });

  it('the SPEC §3 example (with its // comments) loads as is', () => {
    const spec = `{
  "profile": "rfc",                       // rfc | aws | jool | tayga
  "mode": "nat64",                        // nat64 (RFC 6146) | siit (RFC 7915)
  "pool6": "64:ff9b::/96",                // RFC 6052 prefix, lengths 32,40,48,56,64,96; null = none
  "pool4": [{ "prefix": "192.0.2.2/32", "ports": "1-3000", "protocols": ["tcp", "udp", "icmp"] }],
  "bib": [{ "protocol": "tcp", "ipv6": "2001:db8::5#2000", "ipv4": "192.0.2.2#2000" }],  // static
  "eam": [{ "ipv6": "2001:db8:3::/120", "ipv4": "1.0.0.0/24" }],                          // RFC 7757
  "denylist4": ["192.0.2.0/28"],
  "rfc6791": { "ipv4": "203.0.113.8/32", "ipv6": null },  // sources for untranslatable ICMP errors
  "translator": { "ipv6": "2001:db8::1", "ipv4": "192.0.2.2" },  // own addresses: source of the
                                                                 // ICMP errors it generates
  "mtu": { "ipv6": 1500, "ipv4": 1500, "lowestIpv6Mtu": 1280,
           "plateaus": [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68] },
  "udpZeroChecksum": "drop",              // IPv4 UDP with checksum 0: drop | compute
  "trafficClass": { "zeroize": false, "overrideTos": null },
  "strictWellKnownPrefix": true,          // RFC 6052 §3.1: no non-global IPv4 behind 64:ff9b::/96
  "timeouts": { "udp": 300, "tcpEstablished": 7440, "tcpTransitory": 240, "icmp": 60,
                "tcpIncomingSyn": 6, "fragment": 2 },
  "filtering": { "addressDependent": false, "dropExternallyInitiatedTcp": false,
                 "dropIcmpv6Info": false },
  "hairpinning": "intrinsic",             // off | simple | intrinsic (RFC 7757 §4)
  "sourceIcmpv6ErrorsBetter": false,
  "ipv4Identification": "zero",           // 6->4 unfragmented: zero | sequential | hash (deterministic)
  "dns64": { "enabled": true, "prefixes": null,        // null = [pool6]
             "exclude": ["::ffff:0:0/96"], "synthAll": false,
             "ptr": "cname",                           // cname | off  (RFC 6147 §5.3.1)
             "ttlWithoutSoa": 600 }
}`;
    const cfg = loadConfig({ configFile: file('spec.json', spec) });
    const j = configToJson(cfg);
    expect(j.bib).toEqual([{ protocol: 'tcp', ipv6: '2001:db8::5#2000', ipv4: '192.0.2.2#2000' }]);
    expect(j.eam).toEqual([{ ipv6: '2001:db8:3::/120', ipv4: '1.0.0.0/24' }]);
    expect(j.denylist4).toEqual(['192.0.2.0/28']);
    expect({ ...j, bib: [], eam: [], denylist4: [] }).toEqual(PROFILES.rfc);
  });
});

describe('validation errors (exit 2) name the key and the rule', () => {
  const cases: Array<[string, unknown, string]> = [
    ['pool6 length', { pool6: '64:ff9b::/33' }, 'pool6: prefix length 33 is not one of 32,40,48,56,64,96'],
    ['pool6 without length', { pool6: '64:ff9b::' }, 'pool6: "64:ff9b::" needs a prefix length, e.g. 64:ff9b::/96'],
    ['pool6 not IPv6', { pool6: '192.0.2.0/24' }, 'pool6: "192.0.2.0/24" is not an IPv6 prefix'],
    ['pool6 host bits', { pool6: '64:ff9b::1/96' }, 'pool6: 64:ff9b::1/96 has bits set after /96 (did you mean 64:ff9b::/96?)'],
    ['pool6 u octet', { pool6: '64:0:0:0:ff00::/96' }, 'pool6: 64:0:0:0:ff00::/96: bits 64-71 must be zero (RFC 6052 §2.2)'],
    ['pool6 null in nat64', { pool6: null }, 'pool6: mode nat64 needs a prefix (RFC 6146 §2); null is only for mode siit'],
    ['pool4 port', { pool4: [{ prefix: '192.0.2.1', ports: '1-70000' }] }, 'pool4[0].ports: 70000 is not a port (0-65535)'],
    ['pool4 single port', { pool4: [{ prefix: '192.0.2.1', ports: '70000' }] }, 'pool4[0].ports: 70000 is not a port (0-65535)'],
    ['pool4 port text', { pool4: [{ prefix: '192.0.2.1', ports: 'http' }] }, 'pool4[0].ports: "http" is not a port (0-65535)'],
    ['pool4 backwards', { pool4: [{ prefix: '192.0.2.1', ports: '3000-1000' }] }, 'pool4[0].ports: 3000-1000 runs backwards (first port above last)'],
    ['pool4 protocol', { pool4: [{ prefix: '192.0.2.1', protocols: ['tcp', 'sctp'] }] }, 'pool4[0].protocols[1]: "sctp" is not one of tcp, udp, icmp'],
    ['pool4 protocols empty', { pool4: [{ prefix: '192.0.2.1', protocols: [] }] }, 'pool4[0].protocols: must name at least one of tcp, udp, icmp'],
    ['pool4 too big', { pool4: [{ prefix: '10.0.0.0/8' }] }, 'pool4[0].prefix: 10.0.0.0/8 holds 16777216 addresses; a pool4 prefix must be /16 or longer'],
    ['pool4 loopback', { pool4: [{ prefix: '127.0.0.0/16' }] }, 'pool4[0].prefix: 127.0.0.0/16 holds Loopback (RFC 1122) addresses, which are never translated'],
    ['pool4 host bits', { pool4: [{ prefix: '192.0.2.1/24' }] }, 'pool4[0].prefix: 192.0.2.1/24 has bits set after /24 (did you mean 192.0.2.0/24?)'],
    ['pool4 bad address', { pool4: [{ prefix: '192.0.2' }] }, 'pool4[0].prefix: "192.0.2" is not an IPv4 address or prefix'],
    ['pool4 missing prefix', { pool4: [{ ports: '1-2' }] }, 'pool4[0].prefix: missing'],
    [
      'pool4 overlap',
      { pool4: [{ prefix: '192.0.2.2', ports: '1000-2000', protocols: ['tcp'] }, { prefix: '192.0.2.0/30', ports: '1-1000', protocols: ['udp', 'tcp'] }] },
      'pool4[1]: 192.0.2.0/30 ports 1-1000 overlaps pool4[0] (192.0.2.2/32 ports 1000-2000) for tcp',
    ],
    ['pool4 not an array', { pool4: '192.0.2.1' }, 'pool4: must be an array, got "192.0.2.1"'],
    ['timeouts.udp zero', { timeouts: { udp: 0 } }, 'timeouts.udp: must be a number of seconds >= 1'],
    ['timeouts.udp text', { timeouts: { udp: '5:00' } }, 'timeouts.udp: must be a number of seconds >= 1'],
    ['timeouts not an object', { timeouts: 5 }, 'timeouts: must be an object, got 5'],
    ['mtu.ipv6', { mtu: { ipv6: 1200 } }, 'mtu.ipv6: 1200 is below the IPv6 minimum of 1280'],
    ['mtu.ipv4', { mtu: { ipv4: 60 } }, 'mtu.ipv4: 60 is below the IPv4 minimum of 68'],
    ['mtu.lowestIpv6Mtu', { mtu: { lowestIpv6Mtu: 1400, ipv6: 1300 } }, 'mtu.lowestIpv6Mtu: 1400 is above mtu.ipv6 (1300)'],
    ['mtu.plateaus', { mtu: { plateaus: [1500, 20] } }, 'mtu.plateaus[1]: 20 is not an MTU (68-65535)'],
    ['unknown key', { pool44: [] }, 'unknown key "pool44" (did you mean "pool4"?)'],
    ['unknown nested key', { mtu: { ipv7: 1500 } }, 'unknown key "mtu.ipv7" (did you mean "mtu.ipv6"?)'],
    ['unknown entry key', { pool4: [{ prefix: '192.0.2.1', port: '1-2' }] }, 'unknown key "pool4[0].port" (did you mean "pool4[0].ports"?)'],
    ['unknown key, no suggestion', { frobnicate: 1 }, 'unknown key "frobnicate"'],
    [
      'eam suffix (RFC 7757)',
      { mode: 'siit', eam: [{ ipv6: '2001:db8:1::/120', ipv4: '198.51.100.0/24' }, { ipv6: '2001:db8::/121', ipv4: '192.0.2.0/24' }] },
      'eam[1]: 2001:db8::/121 holds fewer addresses than 192.0.2.0/24 (suffix 7 bits vs 8); the IPv4 suffix must not be longer than the IPv6 suffix (RFC 7757 §3.2)',
    ],
    [
      'eam overlap v4',
      { mode: 'siit', eam: [{ ipv6: '2001:db8:1::/120', ipv4: '192.0.2.0/24' }, { ipv6: '2001:db8:2::/121', ipv4: '192.0.2.128/25' }] },
      'eam[1]: 192.0.2.128/25 overlaps eam[0] (192.0.2.0/24); EAM entries must not overlap',
    ],
    [
      'eam overlap v6',
      { mode: 'siit', eam: [{ ipv6: '2001:db8:1::/120', ipv4: '192.0.2.0/24' }, { ipv6: '2001:db8:1::80/121', ipv4: '198.51.100.0/25' }] },
      'eam[1]: 2001:db8:1::80/121 overlaps eam[0] (2001:db8:1::/120); EAM entries must not overlap',
    ],
    ['eam inside pool6', { mode: 'siit', eam: [{ ipv6: '64:ff9b::c000:200/120', ipv4: '192.0.2.0/24' }] }, 'eam[0].ipv6: 64:ff9b::c000:200/120 overlaps pool6 (64:ff9b::/96)'],
    ['bib outside pool4', { bib: [{ protocol: 'tcp', ipv6: '2001:db8::5#80', ipv4: '198.51.100.1#80' }] }, 'bib[0].ipv4: 198.51.100.1#80 is not in pool4 for tcp (RFC 6146 §3.5: BIB entries use pool4 addresses)'],
    ['bib syntax', { bib: [{ protocol: 'tcp', ipv6: '2001:db8::5', ipv4: '192.0.2.2#80' }] }, 'bib[0].ipv6: "2001:db8::5" is not ADDRESS#PORT, e.g. 2001:db8::5#2000'],
    [
      'bib duplicate',
      { bib: [{ protocol: 'udp', ipv6: '2001:db8::5#53', ipv4: '192.0.2.2#53' }, { protocol: 'udp', ipv6: '2001:db8::6#53', ipv4: '192.0.2.2#53' }] },
      'bib[1]: 192.0.2.2#53 (udp) is already mapped by bib[0]',
    ],
    ['translator inside pool6', { translator: { ipv6: '64:ff9b::1' } }, 'translator.ipv6: 64:ff9b::1 lies inside pool6 (64:ff9b::/96); the translator needs an address of its own'],
    ['translator ipv4', { translator: { ipv4: '192.0.2.300' } }, 'translator.ipv4: "192.0.2.300" is not an IPv4 address'],
    ['enum', { udpZeroChecksum: 'fix' }, 'udpZeroChecksum: "fix" is not one of drop, compute'],
    ['mode', { mode: 'nat46' }, 'mode: "nat46" is not one of nat64, siit'],
    ['boolean', { strictWellKnownPrefix: 'yes' }, 'strictWellKnownPrefix: must be true or false, got "yes"'],
    ['tos', { trafficClass: { overrideTos: 256 } }, 'trafficClass.overrideTos: must be null or a TOS byte from 0 to 255, got 256'],
    ['profile key', { profile: 'cisco' }, 'profile: "cisco" is not one of rfc, aws, jool, tayga'],
    ['aws prefix', { profile: 'aws', pool6: '2001:db8::/96' }, "pool6: the aws profile's NAT gateway and Route 53 DNS64 only use 64:ff9b::/96, got 2001:db8::/96"],
    ['dns64 prefix', { dns64: { prefixes: ['64:ff9b::/95'] } }, 'dns64.prefixes[0]: prefix length 95 is not one of 32,40,48,56,64,96'],
    ['dns64 exclude', { dns64: { exclude: ['::ffff:0:0/200'] } }, 'dns64.exclude[0]: prefix length 200 is not 0-128'],
    ['dns64 without prefix', { mode: 'siit', pool6: null }, 'dns64.prefixes: null means [pool6], but pool6 is null; give prefixes or disable dns64'],
    ['denylist4', { denylist4: ['192.0.2.0/33'] }, 'denylist4[0]: prefix length 33 is not 0-32'],
    ['rfc6791', { rfc6791: { ipv6: 'fe80::/10x' } }, 'rfc6791.ipv6: prefix length 10x is not 0-128'],
    ['policy', { policy: { dropFragments: ['frag'] } }, 'policy.dropFragments[0]: "frag" is not one of tcp, udp, icmp'],
    ['root', [1, 2], 'config: the configuration must be a JSON object ({...})'],
  ];
  it.each(cases)('%s', (_name, json, expected) => {
    expect(msg(json)).toBe(expected);
  });

  it('RFC 7757 allows an IPv6 side larger than the IPv4 side', () => {
    // 2001:db8::/120 (suffix 8 bits) and 192.0.2.0/25 (suffix 7 bits): valid per RFC 7757 §3.2.
    const cfg = loadConfig({ configJson: { mode: 'siit', eam: [{ ipv6: '2001:db8::/120', ipv4: '192.0.2.0/25' }, { ipv6: '2001:db8:dddd::/64', ipv4: '198.51.100.128/26' }] } });
    expect(cfg.eam).toHaveLength(2);
    expect(cfg.eam[1].ipv6.len).toBe(64);
  });

  it('--profile must be a profile', () => {
    expect(errorOf(() => loadConfig({ profile: 'foo' })).message).toBe('--profile: "foo" is not one of rfc, aws, jool, tayga');
  });

  it('an unreadable file', () => {
    const p = join(dir, 'missing.json');
    expect(errorOf(() => loadConfig({ configFile: p })).message).toBe(`${p}: cannot read the config file (no such file)`);
    const d = join(dir, 'a-directory');
    mkdirSync(d);
    expect(errorOf(() => loadConfig({ configFile: d })).message).toBe(`${d}: cannot read the config file (is a directory)`);
  });

  it('a JSON syntax error names the line and column', () => {
    const p = file('config.json', '{\n  "mode": "nat64",\n  "pool6": }\n');
    expect(errorOf(() => loadConfig({ configFile: p })).message).toBe(`${p}: line 3, column 12: Unexpected token "}", expected a value`);
    expect(errorOf(() => parseJsonc('{"mode": "nat64" "pool6": null}', 'x.json')).message).toBe('x.json: line 1, column 18: Unexpected token "\\"", expected "," or "}"');
    expect(errorOf(() => parseJsonc('{"mode": "nat64", "mode": "siit"}', 'x.json')).message).toBe('x.json: line 1, column 19: Duplicate key "mode"');
    expect(errorOf(() => parseJsonc('{"a": [1, 2,]}', 'x.json')).message).toBe('x.json: line 1, column 13: Unexpected token "]", expected a value');
    expect(errorOf(() => parseJsonc('{"a": 1', 'x.json')).message).toBe('x.json: line 1, column 8: Unexpected end of input, expected "," or "}"');
    expect(errorOf(() => parseJsonc('{} x', 'x.json')).message).toBe('x.json: line 1, column 4: Unexpected token "x" after the end of the JSON value');
    expect(errorOf(() => parseJsonc('{"a": "b\nc"}', 'x.json')).message).toBe('x.json: line 1, column 9: Unexpected control character in string');
    expect(errorOf(() => parseJsonc('/* open', 'x.json')).message).toBe('x.json: line 1, column 1: Unterminated comment');
  });

  it('a file that is not an object', () => {
    const p = file('arr.json', '[]');
    expect(errorOf(() => loadConfig({ configFile: p })).message).toBe(`${p}: the configuration must be a JSON object ({...})`);
  });

  it('parseJsonc reads what JSON.parse reads', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        const text = JSON.stringify(v, null, 1);
        expect(parseJsonc(text, 'x')).toEqual(JSON.parse(text));
      }),
      { numRuns: 300 },
    );
  });
});

describe('flag syntax', () => {
  it.each([
    ['192.0.2.1', { prefix: '192.0.2.1/32' }],
    ['192.0.2.1#1024-65535', { prefix: '192.0.2.1/32', ports: '1024-65535' }],
    ['192.0.2.0/30#53', { prefix: '192.0.2.0/30', ports: '53' }],
    ['192.0.2.0/28', { prefix: '192.0.2.0/28' }],
  ])('--pool4 %s', (text, expected) => {
    expect(parsePool4Flag(text)).toEqual(expected);
  });

  it.each([
    ['192.0.2.1#70000', '--pool4 192.0.2.1#70000: 70000 is not a port (0-65535)'],
    ['192.0.2.1#3000-1000', '--pool4 192.0.2.1#3000-1000: 3000-1000 runs backwards (first port above last)'],
    ['192.0.2.1#', '--pool4 192.0.2.1#: "" is not a port (0-65535)'],
    ['example.com', '--pool4 example.com: "example.com" is not an IPv4 address or prefix'],
    ['192.0.2.1/24', '--pool4 192.0.2.1/24: 192.0.2.1/24 has bits set after /24 (did you mean 192.0.2.0/24?)'],
  ])('--pool4 %s is refused', (text, expected) => {
    expect(errorOf(() => parsePool4Flag(text)).message).toBe(expected);
  });

  it('--pool4 ports default to the profile\'s range', () => {
    for (const p of ['rfc', 'aws', 'jool', 'tayga'] as ProfileName[]) {
      const cfg = loadConfig({ profile: p, flags: { mode: 'nat64', pool4: ['198.51.100.9'] } });
      expect([cfg.pool4[0].portMin, cfg.pool4[0].portMax]).toEqual(POOL4_DEFAULT_PORTS[p]);
    }
  });

  it.each([
    ['2001:db8:3::/120=198.51.100.0/24', { ipv6: '2001:db8:3::/120', ipv4: '198.51.100.0/24' }],
    ['2001:db8::5=192.0.2.5', { ipv6: '2001:db8::5/128', ipv4: '192.0.2.5/32' }],
    ['2001:DB8:0:0::/64 = 192.0.2.128/26', { ipv6: '2001:db8::/64', ipv4: '192.0.2.128/26' }],
  ])('--eam %s', (text, expected) => {
    expect(parseEamFlag(text)).toEqual(expected);
  });

  it.each([
    ['2001:db8::/120', '--eam 2001:db8::/120: expected IPV6PREFIX=IPV4PREFIX, e.g. 2001:db8:3::/120=198.51.100.0/24'],
    ['192.0.2.0/24=2001:db8::/120', '--eam 192.0.2.0/24=2001:db8::/120: the IPv6 prefix comes first: 2001:db8::/120=192.0.2.0/24'],
    [
      '2001:db8::/121=192.0.2.0/24',
      '--eam 2001:db8::/121=192.0.2.0/24: 2001:db8::/121 holds fewer addresses than 192.0.2.0/24 (suffix 7 bits vs 8); the IPv4 suffix must not be longer than the IPv6 suffix (RFC 7757 §3.2)',
    ],
  ])('--eam %s is refused', (text, expected) => {
    expect(errorOf(() => parseEamFlag(text)).message).toBe(expected);
  });

  it('--prefix and --mode', () => {
    expect(errorOf(() => loadConfig({ flags: { prefix: '64:ff9b::/33' } })).message).toBe('--prefix 64:ff9b::/33: prefix length 33 is not one of 32,40,48,56,64,96');
    expect(errorOf(() => loadConfig({ flags: { mode: 'foo' } })).message).toBe('--mode: "foo" is not one of nat64, siit');
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip: loadConfig(configToJson(x)) deep-equals x

const byte = fc.integer({ min: 0, max: 255 });
const v4text = (a: number): string => `${a >>> 24}.${(a >>> 16) & 0xff}.${(a >>> 8) & 0xff}.${a & 0xff}`;
const mask = (len: number): number => (len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0);
const hex = (b: number[]): string => {
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i] << 8) | b[i + 1]).toString(16));
  return g.join(':');
};

/** An IPv6 prefix text with host bits cleared (bits 64-71 zero when needed). */
function v6prefix(len: number, first: number[], rest: number[], zeroU = false): string {
  const b = [...first, ...rest].slice(0, 16);
  for (let bit = len; bit < 128; bit++) b[bit >> 3] &= ~(0x80 >> (bit & 7));
  if (zeroU) b[8] = 0;
  return `${hex(b)}/${len}`;
}

const rfc6052Prefix = fc
  .tuple(fc.constantFrom(32, 40, 48, 56, 64, 96), fc.array(byte, { minLength: 14, maxLength: 14 }))
  .map(([len, rest]) => v6prefix(len, [0x3f, 0xff], rest, true));

const v4prefix = (minLen: number) =>
  fc.tuple(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: minLen, max: 32 })).map(([a, len]) => `${v4text((a & mask(len)) >>> 0)}/${len}`);

const protocols = fc.subarray(['tcp', 'udp', 'icmp'] as const, { minLength: 1 }).map((p) => [...p]);

const ports = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([a, b]) => (a === b ? `${a}` : `${Math.min(a, b)}-${Math.max(a, b)}`));

const genConfig = fc
  .record({
    profile: fc.constantFrom('rfc', 'aws', 'jool', 'tayga') as fc.Arbitrary<ProfileName>,
    mode: fc.constantFrom('nat64', 'siit') as fc.Arbitrary<'nat64' | 'siit'>,
    pool6: rfc6052Prefix,
    pool6Null: fc.boolean(),
    pool4: fc.array(fc.record({ len: fc.integer({ min: 28, max: 32 }), ports: fc.option(ports, { nil: undefined }), protocols: fc.option(protocols, { nil: undefined }) }), { maxLength: 4 }),
    withBib: fc.boolean(),
    eam: fc.array(fc.tuple(fc.integer({ min: 16, max: 32 }), fc.integer({ min: 0, max: 16 })), { maxLength: 3 }),
    denylist4: fc.array(v4prefix(0), { maxLength: 3 }),
    rfc6791v4: fc.option(v4prefix(24), { nil: null }),
    rfc6791v6: fc.option(fc.tuple(fc.integer({ min: 0, max: 128 }), fc.array(byte, { minLength: 16, maxLength: 16 })).map(([len, b]) => v6prefix(len, [0xfd], b.slice(1))), { nil: null }),
    translator6: fc.option(fc.array(byte, { minLength: 15, maxLength: 15 }).map((b) => hex([0xfd, ...b])), { nil: null }),
    translator4: fc.option(fc.integer({ min: 0, max: 0xffffffff }).map(v4text), { nil: null }),
    mtu6: fc.integer({ min: 1280, max: 65535 }),
    lowest: fc.integer({ min: 1280, max: 65535 }),
    mtu4: fc.integer({ min: 68, max: 65535 }),
    plateaus: fc.array(fc.integer({ min: 68, max: 65535 }), { minLength: 1, maxLength: 12 }),
    udpZeroChecksum: fc.constantFrom('drop', 'compute') as fc.Arbitrary<'drop' | 'compute'>,
    zeroize: fc.boolean(),
    overrideTos: fc.option(fc.integer({ min: 0, max: 255 }), { nil: null }),
    strict: fc.boolean(),
    timeouts: fc.array(fc.double({ min: 1, max: 1e7, noNaN: true, noDefaultInfinity: true }), { minLength: 6, maxLength: 6 }),
    filtering: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }),
    hairpinning: fc.constantFrom('off', 'simple', 'intrinsic') as fc.Arbitrary<'off' | 'simple' | 'intrinsic'>,
    better: fc.boolean(),
    ident: fc.constantFrom('zero', 'sequential', 'hash') as fc.Arbitrary<'zero' | 'sequential' | 'hash'>,
    dns64Enabled: fc.boolean(),
    dns64Prefixes: fc.option(fc.array(rfc6052Prefix, { minLength: 1, maxLength: 2 }), { nil: null }),
    exclude: fc.array(fc.tuple(fc.integer({ min: 0, max: 128 }), fc.array(byte, { minLength: 16, maxLength: 16 })).map(([len, b]) => v6prefix(len, [], b)), { maxLength: 2 }),
    synthAll: fc.boolean(),
    ptr: fc.constantFrom('cname', 'off') as fc.Arbitrary<'cname' | 'off'>,
    ttl: fc.integer({ min: 0, max: 2147483647 }),
    tcpIdleRst: fc.option(fc.integer({ min: 1, max: 100000 }), { nil: null }),
    dropFragments: fc.subarray(['tcp', 'udp', 'icmp'] as const).map((p) => [...p]),
    maxConn: fc.option(fc.integer({ min: 1, max: 1000000 }), { nil: null }),
  })
  .map((g) => {
    const pool6 = g.profile === 'aws' ? '64:ff9b::/96' : g.mode === 'siit' && g.pool6Null ? null : g.pool6;
    // Disjoint pool4 entries: 198.51.<i>.0/len.
    const pool4 = g.pool4.map((e, i) => {
      const out: Record<string, unknown> = { prefix: `198.51.${i}.0/${e.len}` };
      if (e.ports !== undefined) out.ports = e.ports;
      if (e.protocols !== undefined) out.protocols = e.protocols;
      return out;
    });
    const bib =
      g.withBib && pool4.length > 0
        ? (() => {
            const x = loadConfig({ profile: g.profile, configJson: { pool4: pool4.slice(0, 1) } }).pool4[0];
            return [{ protocol: x.protocols[0], ipv6: `2001:db8::5#${x.portMin}`, ipv4: `198.51.0.0#${x.portMin}` }];
          })()
        : [];
    // Disjoint EAM entries: 2001:db8:<i>::/l6 <-> 10.<i>.0.0/l4 with the RFC 7757 suffix rule.
    const eam = g.eam.map(([l4, extra], i) => {
      const l6 = Math.max(16 + 32, 128 - (32 - l4) - extra);
      return { ipv6: `2001:db8:${i}::/${l6}`, ipv4: `10.${i}.0.0/${l4}` };
    });
    const overlapsPool6 = (t: string | null): boolean => t !== null && pool6 !== null && t.startsWith('3fff');
    const json: Record<string, unknown> = {
      profile: g.profile,
      mode: g.mode,
      pool6,
      pool4,
      bib: g.mode === 'nat64' ? bib : [],
      eam: pool6 && pool6.startsWith('2001:db8') ? [] : eam,
      denylist4: g.denylist4,
      rfc6791: { ipv4: g.rfc6791v4, ipv6: g.rfc6791v6 },
      translator: { ipv6: overlapsPool6(g.translator6) ? null : g.translator6, ipv4: g.translator4 },
      mtu: { ipv6: Math.max(g.mtu6, g.lowest), ipv4: g.mtu4, lowestIpv6Mtu: Math.min(g.mtu6, g.lowest), plateaus: g.plateaus },
      udpZeroChecksum: g.udpZeroChecksum,
      trafficClass: { zeroize: g.zeroize, overrideTos: g.overrideTos },
      strictWellKnownPrefix: g.strict,
      timeouts: {
        udp: g.timeouts[0],
        tcpEstablished: g.timeouts[1],
        tcpTransitory: g.timeouts[2],
        icmp: g.timeouts[3],
        tcpIncomingSyn: g.timeouts[4],
        fragment: g.timeouts[5],
      },
      filtering: { addressDependent: g.filtering[0], dropExternallyInitiatedTcp: g.filtering[1], dropIcmpv6Info: g.filtering[2] },
      hairpinning: g.hairpinning,
      sourceIcmpv6ErrorsBetter: g.better,
      ipv4Identification: g.ident,
      dns64: {
        enabled: g.dns64Enabled,
        prefixes: pool6 === null && g.dns64Prefixes === null ? [pool6 ?? '64:ff9b::/96'] : g.dns64Prefixes,
        exclude: g.exclude,
        synthAll: g.synthAll,
        ptr: g.ptr,
        ttlWithoutSoa: g.ttl,
      },
      policy: { tcpIdleRst: g.tcpIdleRst, dropFragments: g.dropFragments, maxConnectionsPerDestination: g.maxConn },
    };
    return json;
  });

describe('JSON round trip', () => {
  it('loadConfig(configToJson(x)) deep-equals x (property)', () => {
    fc.assert(
      fc.property(genConfig, (json) => {
        const x = loadConfig({ configJson: json });
        const back = configToJson(x);
        // Through text too, as the golden manifest stores it.
        const again = loadConfig({ configJson: JSON.parse(JSON.stringify(back)) as unknown });
        expect(again).toEqual(x);
        expect(configToJson(again)).toEqual(back);
      }),
      { numRuns: 300 },
    );
  });

  it('partial JSON forms round-trip through the complete form', () => {
    for (const p of ['rfc', 'aws', 'jool', 'tayga'] as ProfileName[]) {
      const x = loadConfig({ profile: p, configJson: { timeouts: { udp: 42 }, mtu: { plateaus: [1006, 1492, 1492] } } });
      expect(x.mtu.plateaus).toEqual([1492, 1006]);
      const j: ConfigJson = configToJson(x);
      expect(loadConfig({ configJson: j })).toEqual(x);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// cli/engine-options.ts: the shared yargs options feed loadConfig

describe('cli/engine-options', () => {
  async function parse(args: string[]): Promise<Record<string, unknown>> {
    const { default: yargs } = await import('yargs');
    const { engineOptions } = await import('../../cli/engine-options.js');
    const y = engineOptions(yargs(args).positional('capture', { type: 'string' }).exitProcess(false).strict(false));
    return (await y.parseAsync()) as Record<string, unknown>;
  }

  it('repeatable --pool4/--eam do not swallow positionals; --no-dns64', async () => {
    const argv = await parse(['--pool4', '192.0.2.1#1024-65535', 'in.pcap', '--pool4', '192.0.2.2', '--eam', '2001:db8::/120=192.0.2.0/24', '--no-dns64', '--profile', 'jool']);
    expect(argv._).toEqual(['in.pcap']);
    expect(argv.pool4).toEqual(['192.0.2.1#1024-65535', '192.0.2.2']);
    expect(argv.eam).toEqual(['2001:db8::/120=192.0.2.0/24']);
    expect(argv.dns64).toBe(false);
    const { resolveEngineConfig } = await import('../../cli/engine-options.js');
    const cfg = resolveEngineConfig(argv);
    expect(cfg.profile).toBe('jool');
    expect(cfg.dns64.enabled).toBe(false);
    expect(configToJson(cfg).pool4.map((p) => `${p.prefix}#${p.ports}`)).toEqual(['192.0.2.1/32#1024-65535', '192.0.2.2/32#61001-65535']);
  });

  it('without flags: nothing is overridden', async () => {
    const argv = await parse(['in.pcap']);
    expect(argv.dns64).toBeUndefined();
    const { resolveEngineConfig } = await import('../../cli/engine-options.js');
    expect(configToJson(resolveEngineConfig(argv))).toEqual(PROFILES.rfc);
  });
});
