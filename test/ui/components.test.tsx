/** Each viewer component rendered with ink-testing-library on the demo capture's real packets. */
import { describe, it, expect, afterAll, beforeAll } from 'vitest';
// Colours on (highlights are asserted), before Ink and chalk are loaded.
process.env.FORCE_COLOR = '1';
const { render } = await import('ink-testing-library');
const { PacketList } = await import('../../src/ui/PacketList.js');
const { DetailPane } = await import('../../src/ui/DetailPane.js');
const { HexPane } = await import('../../src/ui/HexPane.js');
const { SessionsPane } = await import('../../src/ui/SessionsPane.js');
const { FindingsPane } = await import('../../src/ui/FindingsPane.js');
const { StatusBar, statusText } = await import('../../src/ui/StatusBar.js');
const { HelpOverlay, KEYS } = await import('../../src/ui/HelpOverlay.js');
const { PromptLine } = await import('../../src/ui/PromptLine.js');
import { RowCache } from '../../src/ui/rows.js';
import { detailOf } from '../../src/ui/detail-data.js';
import type { CaptureModel } from '../../src/replay/view-model.js';
import type { Finding } from '../../src/diag/finding.js';
import { openDone, plain, DEMO } from './helpers.js';

let m: CaptureModel;
beforeAll(async () => {
  m = await openDone(DEMO);
});
afterAll(() => m.close());

describe('PacketList', () => {
  it('draws only the visible rows, with embedded IPv4, protocol, info and a mark per outcome', () => {
    const { lastFrame } = render(<PacketList model={m} cache={new RowCache()} stamp="" top={5} sel={6} height={5} width={140} focused />);
    const lines = plain(lastFrame()).split('\n');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toMatch(/No\. +Time +Source → Destination +Proto +Info/);
    expect(lines[1]).toMatch(/^ +6 +0\.102300 fd00:ec2::253 → 2600:1f14:abc:de00::10 +DNS +Standard query response 0x1002 A api\.example\.com/);
    // #7 was translated (▸), #8 came out of the translator and was reconstructed (◂).
    expect(lines[2]).toMatch(/^▸ +7 +0\.110000 2600:1f14:abc:de00::10 → 64:ff9b::c633:6407 \(198\.51\.100\.7\) +TCP +49152 → 443 \[SYN\]/);
    expect(lines[3]).toMatch(/^◂ +8 /);
    expect(lines[5]).toMatch(/^▸ +10 /);
  });

  it('marks a dropped packet', () => {
    // #32: too big for the IPv4 side, answered by a generated Packet Too Big.
    const { lastFrame } = render(<PacketList model={m} cache={new RowCache()} stamp="" top={31} sel={31} height={1} width={120} focused={false} />);
    expect(plain(lastFrame()).split('\n')[1]).toMatch(/^✗ +32 /);
  });

  it('fits 80 columns', () => {
    const { lastFrame } = render(<PacketList model={m} cache={new RowCache()} stamp="" top={0} sel={0} height={10} width={80} focused />);
    for (const l of plain(lastFrame()).split('\n')) expect(l.length).toBeLessThanOrEqual(80);
  });
});

describe('DetailPane', () => {
  it('shows the SYN (#7) and its IPv4 translation side by side, layer by layer, checksums old → new', () => {
    const d = detailOf(m, 6, 0, new Set(['link']));
    const { lastFrame } = render(<DetailPane detail={d} cursor={0} height={30} width={160} focused />);
    const f = plain(lastFrame());
    expect(f).toMatch(/#7 captured \(IPv6\) +│ translated \(IPv4\)/);
    expect(f).toMatch(/Source: 2600:1f14:abc:de00::10 +│ +Source: 10\.\d+\.\d+\.\d+/);
    expect(f).toMatch(/Destination: 64:ff9b::c633:6407 \(198\.51\.100\.7\) +│ +Destination: 198\.51\.100\.7/);
    expect(f).toMatch(/Hop limit: 64 +│ +Time to live: 63/);
    expect(f).toMatch(/checksums: IPv4 header checksum — → 0x[0-9a-f]{4} \[good\]; L4 checksum 0x1a7d \[good\] → 0x[0-9a-f]{4} \[good\]/);
    expect(f).toMatch(/Destination port: 443 +│ +Destination port: 443/);
    // IPv4-only fields appear on the right only.
    expect(f).toMatch(/│ +Header checksum: 0x[0-9a-f]{4} \[good\]/);
  });

  it('highlights changed fields (yellow) and not unchanged ones', () => {
    const d = detailOf(m, 6, 0, new Set(['link']));
    const { lastFrame } = render(<DetailPane detail={d} cursor={0} height={30} width={160} focused={false} />);
    const raw = lastFrame() ?? '';
    const line = (s: string): string => raw.split('\n').find((l) => plain(l).includes(s)) ?? '';
    expect(line('Hop limit')).toContain('\x1b[33m');
    expect(line('Destination port')).not.toContain('\x1b[33m');
  });

  it('gives the drop reason when there is no counterpart', () => {
    const d = detailOf(m, 0, 0, new Set());
    const { lastFrame } = render(<DetailPane detail={d} cursor={0} height={12} width={140} focused />);
    expect(plain(lastFrame())).toMatch(/no counterpart[\s\S]*not translated: pool6-mismatch — The IPv6 destination is not under pool6/);
  });

  it('folds a layer to one line', () => {
    const d = detailOf(m, 6, 0, new Set(['link', 'ip']));
    const { lastFrame } = render(<DetailPane detail={d} cursor={0} height={30} width={160} focused />);
    const f = plain(lastFrame());
    expect(f).toMatch(/▸ IPv6: 2600:1f14:abc:de00::10 → 64:ff9b::c633:6407/);
    expect(f).not.toMatch(/Hop limit/);
    expect(f).toMatch(/▾ TCP: 49152 → 443 \[SYN\]/);
  });
});

describe('HexPane', () => {
  it('dumps both packets and highlights the selected field in both', () => {
    const d = detailOf(m, 6, 0, new Set(['link']));
    const cursor = d.lines.findIndex((l) => l.leftField?.key === 'l4.dport');
    const { lastFrame } = render(<HexPane detail={d} cursor={cursor} height={12} width={180} />);
    const raw = lastFrame() ?? '';
    const f = plain(raw);
    expect(f).toMatch(/hex: #7 captured \(IPv6\) \(94 bytes\)/);
    expect(f).toMatch(/translated \(IPv4\) \(60 bytes\) — Destination port/);
    // Port 443 = 01 bb, inverse-highlighted on both sides.
    const hl = [...raw.matchAll(/\x1b\[7m(?:\x1b\[33m)?([0-9a-f ]+)/g)].map((x) => x[1].trim());
    expect(hl.filter((h) => h === '01 bb')).toHaveLength(2);
  });
});

describe('SessionsPane', () => {
  it('lists the BIB and sessions as of the packet, the packet\'s own session highlighted', () => {
    const s = m.sessionsAt(8)!;
    const tuple = { version: 6, src: '2600:1f14:abc:de00::10', dst: '64:ff9b::c633:6407', sport: 49152, dport: 443 };
    const { lastFrame } = render(<SessionsPane tables={s} row={8} now={m.time(8)} tuple={tuple} scroll={0} height={8} width={200} mode="nat64" />);
    const raw = lastFrame() ?? '';
    const f = plain(raw);
    expect(f).toMatch(/Sessions as of packet #9: 1/);
    expect(f).toMatch(/tcp +\[2600:1f14:abc:de00::10\]:49152 → \[64:ff9b::c633:6407\]:443 +⇄ +10\.0\.0\.5:47144 → 198\.51\.100\.7:443 +ESTABLISHED +expires in 350\.0 s/);
    expect(f).toMatch(/BIB: 1 entries/);
    expect(raw.split('\n').find((l) => l.includes('ESTABLISHED'))).toContain('\x1b[7m');
  });

  it('says when there is no state: SIIT, or before the first session', () => {
    expect(plain(render(<SessionsPane tables={null} row={0} now={0} tuple={null} scroll={0} height={3} width={80} mode="siit" />).lastFrame())).toMatch(/SIIT is stateless/);
    expect(plain(render(<SessionsPane tables={m.sessionsAt(0)} row={0} now={0} tuple={null} scroll={0} height={3} width={80} mode="nat64" />).lastFrame())).toMatch(/Sessions as of packet #1: 0/);
  });
});

describe('FindingsPane', () => {
  const findings: Finding[] = [
    { id: 'tcp-syn-unanswered', severity: 'error', flow: null, packets: [40, 41, 42], title: 'SYN never answered', detail: 'Four SYNs to 203.0.113.5:8443 got no answer.', fix: 'Check the security group of the IPv4 server.' },
    { id: 'dns64-no-synthesis', severity: 'warning', flow: null, packets: [47, 48], title: 'AAAA without synthesis', detail: 'NODATA from a resolver without DNS64.', fix: 'Use the VPC resolver.' },
  ];
  it('lists findings by severity with the selected one\'s detail and fix', () => {
    const f = plain(render(<FindingsPane findings={findings} state="ready" sel={1} height={10} width={120} focused />).lastFrame());
    expect(f).toMatch(/error +tcp-syn-unanswered +SYN never answered \(3 packets\)/);
    expect(f).toMatch(/warning +dns64-no-synthesis/);
    expect(f).toMatch(/NODATA from a resolver without DNS64\.\nfix: Use the VPC resolver\.\npackets: #47 #48/);
  });
  it('says when analyze is still running or not available', () => {
    expect(plain(render(<FindingsPane findings={[]} state="pending" sel={0} height={3} width={80} focused />).lastFrame())).toMatch(/analyzing/);
    expect(plain(render(<FindingsPane findings={[]} state="unavailable" sel={0} height={3} width={80} focused />).lastFrame())).toMatch(/not available/);
  });
});

describe('StatusBar, HelpOverlay, PromptLine', () => {
  it('status: file, packets, position, filter, prefix, profile, findings, drops', () => {
    const text = statusText({ model: m, pos: 6, width: 200, filter: 'tcp', message: null, follow: false });
    expect(text).toMatch(/fixtures\/pcaps\/demo\.pcapng │ 48 pkts │ 7\/48 │ filter: tcp │ nat64 64:ff9b::\/96 │ profile aws │ findings … │ drops 1 +\? help/);
    const f = plain(render(<StatusBar model={m} pos={6} width={80} filter="tcp" message={null} follow={false} />).lastFrame());
    expect(f).toBe(`${text.slice(0, 79)}…`);
  });
  it('help lists every key', () => {
    const f = plain(render(<HelpOverlay width={120} height={40} />).lastFrame());
    for (const [k] of KEYS) expect(f).toContain(k);
    for (const k of ['j / ↓', 'PgDn', 'Home', 'Tab', 'Enter', '/', 'f', 's', 'd', 'x', 'w', 'W', '?', 'q']) expect(f).toContain(k);
  });
  it('prompt: live valid / invalid mark', () => {
    expect(plain(render(<PromptLine label="filter: " text="tcp" valid width={60} />).lastFrame())).toMatch(/filter: tcp█ ✓/);
    expect(plain(render(<PromptLine label="filter: " text="tcp ==" valid={false} message="expected a value at column 7" width={80} />).lastFrame())).toMatch(/✗ expected a value at column 7/);
  });
});
