/**
 * translate's batch path (src/replay/translate-batch.ts) against the one-packet path
 * (NAT64SCOPE_BATCH=0) and the general pipeline (NAT64SCOPE_FASTPATH=0): the same output bytes,
 * summary and reader warnings, on a benchmark-like capture of both sides of a NAT64 (sessions
 * opening, expiring by timer, DNS, ICMP echo) rewritten into the record forms the batch must
 * leave to the callback or handle the same way: big-endian and nanosecond files, cut records
 * (snaplen), caplen over origLen, sub-second fields past a second, VLAN tags, non-IP frames, an
 * EtherType that does not match the IP version, and records split across the reader's chunks.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { translateCapture, type TranslateSummary } from '../../src/replay/translate.js';
import { resolveEngineConfig, resolveDns64 } from '../../cli/engine-options.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';
import { Reason } from '../../src/diag/reasons.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { pcapFile, prng, type PcapRecord, type PcapFileOptions } from '../helpers/pcap-craft.js';
// @ts-expect-error -- the benchmark's generator is plain ESM JavaScript (no types)
import { generateXlat, XLAT_POOL4 } from '../../bench/generate-xlat.mjs';

const dir = mkdtempSync(join(tmpdir(), 'nat64scope-batch-'));
const XLAT = join(dir, 'xlat.pcap');
let records: PcapRecord[] = [];

beforeAll(async () => {
  await generateXlat(XLAT, 20000);
  records = (await readAllPackets(XLAT)).map((p) => ({ sec: p.tsSec, sub: Math.round(p.tsNsec / 1000), data: p.data.slice(p.offset, p.offset + p.caplen), origLen: p.origLen }));
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run { bytes: Buffer; summary: TranslateSummary; warnings: string[]; answered: number }

/** Changes to the configuration of a run (the bench's: profile rfc, --pool4 XLAT_POOL4). */
type Tweak = (c: EngineConfig) => EngineConfig;

async function run(input: string, name: string, env: Record<string, string>, withDns64 = false, tweak: Tweak = (c) => c): Promise<Run> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const output = join(dir, `${name}.pcapng`);
    const warnings: string[] = [];
    const config = tweak(resolveEngineConfig({ pool4: [XLAT_POOL4] }));
    const d = resolveDns64({ pool4: [XLAT_POOL4] }, config);
    const dns64 = withDns64 ? new Dns64Hook(d.options, d.zone) : null;
    const summary = await translateCapture({ input, output, config, force: true, blocking: true, onWarning: (m) => warnings.push(m), dns64 });
    return { bytes: readFileSync(output), summary, warnings, answered: dns64 ? dns64.engine.answered : -1 };
  } finally {
    for (const k of Object.keys(env)) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

/** The summary without the batch's own count (and the Map as entries). */
function comparable(s: TranslateSummary): unknown {
  const { batched: _b, drops, ...rest } = s;
  return { ...rest, drops: [...drops.entries()].sort() };
}

/** Batch path, one-packet path and general pipeline on `file`: identical; returns the batch's count. */
async function same(file: string, name: string, withDns64 = false, tweak?: Tweak): Promise<{ batched: number; packets: number; summary: TranslateSummary; answered: number }> {
  const b = await run(file, `${name}.batch`, {}, withDns64, tweak);
  const one = await run(file, `${name}.one`, { NAT64SCOPE_BATCH: '0' }, withDns64, tweak);
  const slow = await run(file, `${name}.slow`, { NAT64SCOPE_FASTPATH: '0' }, withDns64, tweak);
  expect(b.answered).toBe(one.answered);
  expect(b.answered).toBe(slow.answered);
  expect(one.summary.batched).toBe(0);
  expect(slow.summary.batched).toBe(0);
  expect(b.bytes.equals(one.bytes)).toBe(true);
  expect(b.bytes.equals(slow.bytes)).toBe(true);
  expect(comparable(b.summary)).toEqual(comparable(one.summary));
  expect(comparable(b.summary)).toEqual(comparable(slow.summary));
  expect(b.warnings).toEqual(one.warnings);
  return { batched: b.summary.batched, packets: b.summary.packetsIn, summary: b.summary, answered: b.answered };
}

function write(name: string, o: PcapFileOptions, recs: PcapRecord[]): string {
  const f = join(dir, `${name}.pcap`);
  writeFileSync(f, pcapFile(o, recs));
  return f;
}

describe('translate: the batch path writes what the one-packet path writes', () => {
  it('benchmark-like capture: most packets batched, timers fire between batches', async () => {
    const r = await same(XLAT, 'plain');
    expect(r.packets).toBe(20000);
    // TCP and UDP of established sessions and new flows' first IPv6 packets (not DNS, not ICMP echo).
    expect(r.batched).toBeGreaterThan(0.7 * r.packets);
    expect(r.batched).toBeLessThan(r.packets);
    // Sessions closed and expired mid-capture: timers fired between batched packets.
    expect(r.summary.icmpErrors + r.summary.deferred).toBeGreaterThan(0);
  });

  it('DNS64 watching (the speculative DNS log): port 53 goes to the callback, every answer is seen', async () => {
    const r = await same(XLAT, 'dns64', true);
    expect(r.answered).toBeGreaterThan(50);
    expect(r.batched).toBeGreaterThan(0.7 * r.packets);
  });

  it('the capture stretched to 100x its time: ICMP, UDP and TCP timers fire between batched packets', async () => {
    const t0 = records[0].sec * 1e6 + records[0].sub;
    const stretched = records.map((r) => {
      const t = t0 + (r.sec * 1e6 + r.sub - t0) * 100;
      return { ...r, sec: Math.floor(t / 1e6), sub: t % 1e6 };
    });
    const f = write('stretched', { le: true, snaplen: 262144 }, stretched);
    const r = await same(f, 'stretched');
    const plain = await run(XLAT, 'plain-again', {});
    // More sessions expire before the end than in the 4-second original: more than its drain's share.
    expect(r.summary.translated).toBeLessThan(plain.summary.translated);
    expect(r.batched).toBeGreaterThan(0.5 * r.packets);
  });

  it('big-endian file, nanosecond timestamps', async () => {
    const f = write('be-ns', { le: false, nano: true, snaplen: 262144 }, records.map((r) => ({ ...r, sub: r.sub * 1000 + 7 })));
    const r = await same(f, 'be-ns');
    expect(r.packets).toBe(20000);
    // Big-endian records go the one-packet way (the batch reads little-endian headers only).
    expect(r.batched).toBe(0);
    const g = write('le-ns', { le: true, nano: true, snaplen: 262144 }, records.map((r) => ({ ...r, sub: r.sub * 1000 + 7 })));
    expect((await same(g, 'le-ns')).batched).toBeGreaterThan(0.7 * 20000);
  });

  it('odd records: cut by the snapshot length, caplen over origLen, sub-second past a second, VLAN, non-IP, mismatched EtherType', async () => {
    const next = prng(11);
    const rand = (): number => next() / 4294967296;
    const out: PcapRecord[] = [];
    for (const r of records) {
      const x = rand();
      const d = r.data;
      if (x < 0.02) out.push({ ...r, data: d.slice(0, Math.min(d.length, 120)), origLen: d.length }); // cut: not whole
      else if (x < 0.03) out.push({ ...r, origLen: d.length - 1 }); // caplen > origLen: a warning, the callback's
      else if (x < 0.04) out.push({ ...r, sub: 1_000_000 + r.sub }); // µs past a second
      else if (x < 0.05) {
        // 802.1Q tag: the general link decoder's
        const v = new Uint8Array(d.length + 4);
        v.set(d.subarray(0, 12));
        v.set([0x81, 0x00, 0x00, 0x05], 12);
        v.set(d.subarray(12), 16);
        out.push({ ...r, data: v, origLen: v.length });
      } else if (x < 0.055) {
        const a = d.slice();
        a[12] = 0x08;
        a[13] = 0x06; // ARP
        out.push({ ...r, data: a });
      } else if (x < 0.06) {
        const a = d.slice();
        if (a[12] === 0x86) {
          a[12] = 0x08;
          a[13] = 0x00; // IPv6 bytes under the IPv4 EtherType
        }
        out.push({ ...r, data: a });
      } else out.push(r);
    }
    const f = write('odd', { le: true, snaplen: 1510 }, out);
    const r = await same(f, 'odd');
    expect(r.packets).toBe(20000);
    expect(r.batched).toBeGreaterThan(0.5 * r.packets);
    expect(r.summary.dropped).toBeGreaterThan(100); // the ARP frames, at least
    expect(r.summary.read.warnings.join('\n')).toMatch(/snapshot length|original length/);
  });
});

/** Ethernet + IPv6 TCP with SYN and without ACK (a new flow's first packet from the IPv6 side). */
function isSyn6(d: Uint8Array): boolean {
  return d.length >= 14 + 40 + 20 && d[12] === 0x86 && d[13] === 0xdd && d[14 + 6] === 6 && (d[14 + 40 + 13] & 0x12) === 0x02;
}

/** The IPv4 address a record's IPv6 destination embeds (pool6 a /96). */
function remote4(d: Uint8Array): number {
  return ((d[14 + 36] << 24) | (d[14 + 37] << 16) | (d[14 + 38] << 8) | d[14 + 39]) >>> 0;
}

describe('translate: new flows in the batch path (FastPath.create6)', () => {
  let syns = '';
  let remotes: number[] = [];
  beforeAll(() => {
    const only = records.filter((r) => isSyn6(r.data));
    syns = write('syns', { le: true, snaplen: 262144 }, only);
    remotes = [...new Set(only.map((r) => remote4(r.data)))];
  });

  it('a capture of SYNs only: each makes its session in the batch path, the same bytes as the other paths', async () => {
    const r = await same(syns, 'syns');
    expect(r.packets).toBeGreaterThan(300);
    // (all but the first packets, which look at the timer lists: Nat64Engine.warmTimers)
    expect(r.batched).toBeGreaterThan(r.packets - 80);
    expect(r.summary.dropped).toBe(0);
  });

  it('pool4 runs out: the general path answers with ICMPv6 1/3, create6 makes what it still can', async () => {
    const tiny: Tweak = (c) => ({ ...c, pool4: [{ ...c.pool4[0], prefix: { addr: c.pool4[0].prefix.addr, len: 32 }, portMin: 1024, portMax: 2523 }] });
    const r = await same(syns, 'syns-tiny', false, tiny);
    expect(r.summary.drops.get(Reason.Pool4Exhausted) ?? 0).toBeGreaterThan(10);
    expect(r.summary.icmpErrors).toBeGreaterThan(10);
    expect(r.batched).toBeGreaterThan(500);
  });

  it('denylist4, hairpinning and a per-destination limit: left to the general path, the same output', async () => {
    const deny: Tweak = (c) => ({ ...c, denylist4: remotes.slice(0, 20).map((a) => ({ addr: a, len: 32 })) });
    const d = await same(syns, 'syns-deny', false, deny);
    expect(d.summary.drops.get(Reason.Denylisted4) ?? 0).toBeGreaterThan(0);
    expect(d.batched).toBeGreaterThan(0);
    const ours = remotes[3];
    const hair: Tweak = (c) => ({ ...c, pool4: [...c.pool4, { ...c.pool4[0], prefix: { addr: ours, len: 32 } }] });
    const h = await same(syns, 'syns-hairpin', false, hair);
    // (the hairpinned SYNs reach pool4 with no BIB entry: stored, then ICMP 3/3; the other SYNs batched)
    expect(h.summary.drops.get(Reason.SimultaneousOpenExpired) ?? 0).toBeGreaterThan(0);
    expect(h.batched).toBeGreaterThan(h.packets / 2);
    const limit: Tweak = (c) => ({ ...c, policy: { ...c.policy, maxConnectionsPerDestination: 1 } });
    const l = await same(XLAT, 'limit', false, limit);
    expect(l.summary.drops.get(Reason.ConnectionLimit) ?? 0).toBeGreaterThan(0);
  });
});
