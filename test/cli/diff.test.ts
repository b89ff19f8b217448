/**
 * `nat64scope diff` end to end: across formats and link types, field-level output, --ignore,
 * --align flow, --json, exit codes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readAllPackets } from '../../src/pcap/reader.js';
import { openCaptureWriter } from '../../src/pcap/writer.js';
import { LinkLocator } from '../../src/wire/link.js';
import { LinkType } from '../../src/pcap/linktype.js';
import type { CapturedPacket } from '../../src/pcap/packet.js';
import { runCli } from '../helpers/cli.js';

const DEMO = 'fixtures/pcaps/demo.pcapng';
let dir = '';
let pkts: CapturedPacket[] = [];

/** Writes packets as raw IP (link layer stripped) or as they are, optionally changed. */
async function write(path: string, list: CapturedPacket[], raw: boolean, change?: (ip: Uint8Array, i: number) => void): Promise<void> {
  const w = await openCaptureWriter(path, { format: path.endsWith('.pcap') ? 'pcap' : 'pcapng', linkType: raw ? LinkType.RAW : LinkType.ETHERNET, force: true });
  const loc = new LinkLocator();
  list.forEach((p, i) => {
    loc.locate(p.data, p.offset, p.caplen, p.linkType);
    const b = p.data.slice(p.offset, p.offset + p.caplen);
    const ipOff = loc.ipOff - p.offset;
    if (change) change(b.subarray(ipOff), i);
    const out = raw ? b.subarray(ipOff) : b;
    w.write(out, 0, out.length, p.tsSec, p.tsNsec);
  });
  await w.close();
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'n64c-diff-'));
  pkts = await readAllPackets(DEMO);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('nat64scope diff', () => {
  it('a pcapng and a pcap of the same packets, Ethernet against raw IP: no difference, exit 0', async () => {
    const raw = join(dir, 'raw.pcap');
    await write(raw, pkts, true);
    const r = runCli(['diff', DEMO, raw]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('diff: 48 packets in a, 48 in b; 48 pairs identical, 0 differ, 0 only in a, 0 only in b');
  });

  it('a changed hop limit is shown as a field, exit 1; --ignore hides it', async () => {
    const f = join(dir, 'ttl.pcapng');
    let orig = -1;
    await write(f, pkts, false, (ip, i) => { if (i === 11) { orig = ip[7]; ip[7] = orig - 1; } });
    const r = runCli(['diff', DEMO, f]);
    expect(r.status).toBe(1);
    expect(r.stdout.split('\n')[0]).toBe(`#12 ipv6.hlim: a ${orig}, b ${orig - 1}`);
    expect(r.stdout).toMatch(/1 differ, 0 only in a, 0 only in b; fields: ipv6.hlim 1/);
    const ig = runCli(['diff', DEMO, f, '--ignore', 'ipv6.hlim']);
    expect(ig.status).toBe(0);
  });

  it('--json: one object per difference and a summary; packets only in one capture', async () => {
    const f = join(dir, 'short.pcapng');
    await write(f, pkts.slice(0, 46), false);
    const r = runCli(['diff', DEMO, f, '--json']);
    expect(r.status).toBe(1);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.length).toBe(3);
    expect(lines[0]).toMatchObject({ type: 'only', side: 'a', n: 47 });
    expect(lines[1]).toMatchObject({ type: 'only', side: 'a', n: 48 });
    expect(lines[0].packet).toMatch(/^UDP 2001:db8:53::53:53 -> 2600:1f14:abc:de00::10:\d+$/);
    expect(lines[2]).toMatchObject({ type: 'summary', align: 'order', pairs: 46, identical: 46, onlyA: 2, onlyB: 0 });
  });

  it('--align flow pairs packets of the same flow when the order differs', async () => {
    const f = join(dir, 'swapped.pcapng');
    const swapped = pkts.slice();
    [swapped[2], swapped[3]] = [swapped[3], swapped[2]];
    await write(f, swapped, false);
    expect(runCli(['diff', DEMO, f]).status).toBe(1);
    const r = runCli(['diff', DEMO, f, '--align', 'flow']);
    expect(r.stdout).toMatch(/48 pairs identical, 0 differ/);
    expect(r.status).toBe(0);
  });

  it('bad input: one-line errors with the SPEC exit codes', () => {
    const notCap = join(dir, 'x.txt');
    writeFileSync(notCap, 'hello, not a capture\n');
    const r = runCli(['diff', DEMO, notCap]);
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n').length).toBe(1);
    expect(runCli(['diff', DEMO, join(dir, 'missing.pcap')]).status).toBe(3);
    expect(runCli(['diff', DEMO, DEMO, '--align', 'zigzag']).status).toBe(2);
  });
});
