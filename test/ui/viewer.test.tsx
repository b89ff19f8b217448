/** The whole viewer (ink-testing-library): the demo capture, keys in, frames out. */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render, cleanup } from 'ink-testing-library';
import { Viewer } from '../../src/ui/Viewer.js';
import { writeShown } from '../../src/replay/view-write.js';
import { readAllPackets } from '../../src/pcap/reader.js';
import type { CaptureModel } from '../../src/replay/view-model.js';
import { compareFindings } from '../../src/diag/finding.js';
import { analyzeCapture } from '../../src/replay/analyze.js';
import { openDone, plain, until, delay, awsConfig, dns64Hook, DEMO } from './helpers.js';

const open: CaptureModel[] = [];
afterEach(() => {
  cleanup();
  open.splice(0).forEach((m) => m.close());
});

async function start(opts: { width?: number; height?: number; write?: boolean; dns64?: boolean; filter?: string } = {}) {
  const model = await openDone(DEMO, awsConfig(), undefined, opts.dns64 ? dns64Hook() : null);
  open.push(model);
  let quit = 0;
  const app = render(
    <Viewer
      model={model}
      width={opts.width ?? 100}
      height={opts.height ?? 30}
      tickMs={20}
      initialFilter={opts.filter}
      onQuit={() => quit++}
      write={opts.write ? async (what, path) => (await writeShown(model, what, path)).message : undefined}
    />,
  );
  const frame = (): string => plain(app.lastFrame());
  /** Types keys and waits until the frame satisfies `cond`. */
  const press = async (keys: string, cond?: (f: string) => boolean, what = keys): Promise<string> => {
    app.stdin.write(keys);
    if (cond) await until(() => cond(frame()), 3000, `frame after ${JSON.stringify(what)}`);
    else await delay(60);
    return frame();
  };
  await until(() => frame().includes(opts.filter ? `filter: ${opts.filter}` : '1/48'), 3000, 'first screen');
  return { model, app, frame, press, quits: () => quit };
}

describe('viewer', () => {
  it('first screen: header, packets, the side-by-side of #1, the status bar', async () => {
    const { frame } = await start();
    const f = frame();
    const lines = f.split('\n');
    expect(lines.length).toBeLessThanOrEqual(29);
    expect(lines[0]).toMatch(/No\. +Time +Source → Destination/);
    expect(lines[1]).toMatch(/^ +1 +0\.000000 2600:1f14:abc:de00::10 → fd00:ec2::253 +DNS/);
    expect(f).toMatch(/\[detail\] +hex +sessions +findings/);
    expect(f).toMatch(/#1 captured \(IPv6\) +│ no counterpart/);
    expect(lines[lines.length - 1]).toMatch(/demo\.pcapng │ 48 pkts │ 1\/48 │ no filter │ nat64 64:ff9b::\/96/);
  });

  it('moves to the translated SYN (#7) and shows both sides; arrows, PgDn, G, g, Home, End', async () => {
    const { press, frame } = await start({ width: 160, height: 45 });
    let f = await press('jjjjjj', (x) => x.includes('7/48'));
    expect(f).toMatch(/#7 captured \(IPv6\) +│ translated \(IPv4\)/);
    expect(f).toMatch(/Destination: 64:ff9b::c633:6407 \(198\.51\.100\.7\) +│ +Destination: 198\.51\.100\.7/);
    f = await press('j', (x) => x.includes('8/48'));
    expect(f).toMatch(/#8 captured \(IPv6\) +│ reconstructed: what the translator received \(IPv4\)/);
    await press('\x1b[B', (x) => x.includes('9/48'), 'down');
    await press('\x1b[A', (x) => x.includes('8/48'), 'up');
    await press('\x1b[6~', (x) => x.includes('24/48'), 'PgDn'); // 16 list rows at 45 lines
    await press('\x1b[5~', (x) => x.includes('8/48'), 'PgUp');
    await press('G', (x) => x.includes('48/48'));
    expect(frame()).toMatch(/^ +48 /m);
    await press('g', (x) => x.includes('1/48'));
    await press('\x1b[F', (x) => x.includes('48/48'), 'End');
    await press('\x1b[H', (x) => x.includes('1/48'), 'Home');
  });

  it('Tab to the detail pane, Enter folds and unfolds a layer', async () => {
    const { press } = await start();
    await press('jjjjjj', (x) => x.includes('7/48'));
    let f = await press('\t', (x) => x.includes('▶[detail]'), 'Tab');
    // The cursor starts on the Ethernet header (folded); down to the IPv6 header, Enter folds it.
    f = await press('j');
    f = await press('\r', (x) => x.includes('▸ IPv6:'), 'Enter');
    expect(f).not.toMatch(/Hop limit/);
    f = await press('\r', (x) => x.includes('▾ IPv6:'), 'Enter');
    expect(f).toMatch(/Hop limit: 64 +│ +Time to live: 63/);
    // Tab back: j moves packets again.
    await press('\t', (x) => !x.includes('▶[detail]'), 'Tab');
    await press('j', (x) => x.includes('8/48'));
  });

  it('switches panes: x hex, s sessions, d findings, v detail', async () => {
    const { press, model } = await start({ width: 160 });
    await press('jjjjjjjj', (x) => x.includes('9/48'));
    let f = await press('x', (x) => x.includes('[hex]'));
    expect(f).toMatch(/hex: #9 captured \(IPv6\) \(74 bytes\)/);
    expect(f).toMatch(/0000 {2}02 1a 2b 3c 4d 01 02 1a/);
    f = await press('s', (x) => x.includes('[sessions]'));
    expect(f).toMatch(/Sessions as of packet #9: 1/);
    expect(f).toMatch(/10\.0\.0\.5:47144 → 198\.51\.100\.7:443 +ESTABLISHED/);
    f = await press('d', (x) => x.includes('[findings]'));
    expect(f).toMatch(/analyzing…/);
    // analyze's own findings on the demo capture.
    const findings = [...(await analyzeCapture(DEMO, awsConfig(), { side: 'auto' })).findings].sort(compareFindings);
    model.setFindings(findings);
    const f0 = findings[0];
    expect(f0.packets.length).toBeGreaterThan(1);
    f = await press('', (x) => x.includes(f0.id));
    expect(f).toMatch(new RegExp(`findings ${findings.length}`));
    // Enter: first packet of the finding; n / N: next / previous packet of it.
    const [p1, p2, p3] = [...f0.packets].sort((a, b) => a - b);
    await press('\r', (x) => x.includes(`${p1}/48`), 'Enter');
    await press('n', (x) => x.includes(`${p2}/48`));
    if (p3) await press('n', (x) => x.includes(`${p3}/48`));
    await press('N', (x) => x.includes(`${p2}/48`));
    // Packets with findings are marked in the list.
    f = await press('v', (x) => x.includes('[detail]'));
    expect(f).toMatch(new RegExp(`^! +${p2} `, 'm'));
  });

  it('f follows the selected flow, f again clears it', async () => {
    const { press } = await start({ width: 180 });
    await press('jjjjjj', (x) => x.includes('7/48'));
    let f = await press('f', (x) => x.includes('filter: flow'));
    expect(f).toMatch(/1\/14 │ filter: flow TCP \[2600:1f14:abc:de00::10\]:49152 ↔ \[64:ff9b::c633:6407\]:443/);
    expect(f).toMatch(/^▸ +7 /m);
    expect(f).not.toMatch(/^ +1 +0\.000000/m);
    f = await press('G', (x) => x.includes('14/14'));
    expect(f).toMatch(/#20 captured/);
    f = await press('f', (x) => x.includes('no filter'));
    expect(f).toMatch(/20\/48/);
  });

  it('/ filters with a live valid/invalid mark; Enter applies, empty clears, Esc cancels', async () => {
    const { press } = await start({ width: 160 });
    await press('jjjjjj', (x) => x.includes('7/48'));
    let f = await press('/', (x) => x.includes('filter: █'));
    f = await press('tcp and', (x) => x.includes('filter: tcp and█'));
    expect(f).toMatch(/filter: tcp and█ ✗ .*at column 8/);
    f = await press(' dport == 443', (x) => x.includes('dport == 443█'));
    expect(f).toMatch(/filter: tcp and dport == 443█ ✓/);
    // Enter applies: 13 packets to port 443; the selected packet (#7) stays selected.
    f = await press('\r', (x) => x.includes('filter: tcp and dport == 443 │'), 'Enter');
    expect(f).toMatch(/│ 1\/13 │ filter: tcp and dport == 443 │/);
    expect(f).toMatch(/#7 captured/);
    expect(f).not.toMatch(/^◂ +8 /m);
    // The engine's verdicts are filter fields too.
    await press('/');
    // 17: every packet the engine dropped (the demo's Packet Too Big is reconstructed, not dropped).
    f = await press('\x15drop\r', (x) => x.includes('filter: drop │'), 'drop');
    expect(f).toMatch(/\/17 │ filter: drop │/);
    // An invalid filter is not applied; Esc cancels; an empty filter clears.
    await press('/');
    f = await press('\x15tcp ==\r', (x) => x.includes('invalid filter'), 'invalid');
    expect(f).toMatch(/invalid filter: expected a value after "==", .* at column 7 │ .*\/17 │ filter: drop/);
    await press('/');
    f = await press('\x1b', (x) => !x.includes('filter: drop█'), 'Esc');
    expect(f).toMatch(/filter: drop │/);
    await press('/');
    f = await press('\x15\r', (x) => x.includes('no filter'), 'clear');
  });

  it('? shows every key; any key closes it; q quits', async () => {
    const { press, quits } = await start();
    let f = await press('?', (x) => x.includes('nat64scope view — keys'));
    expect(f).toMatch(/PgDn \/ PgUp/);
    f = await press('j', (x) => !x.includes('nat64scope view — keys'));
    expect(f).toMatch(/1\/48/); // the key that closed help did nothing else
    await press('q');
    expect(quits()).toBe(1);
  });

  it('w writes the translated capture of what is shown, W the originals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'n64v-ui-'));
    const { press } = await start({ write: true });
    await press('jjjjjj', (x) => x.includes('7/48'));
    await press('f', (x) => x.includes('1/14'));
    await press('W', (x) => x.includes('write original packets to:'));
    const orig = join(dir, 'orig.pcapng');
    await press(`${orig}\r`, (x) => x.includes('wrote 14 original packets'), 'path');
    await press('w', (x) => x.includes('write translated capture to:'));
    const tr = join(dir, 'tr.pcap');
    await press(`${tr}\r`, (x) => x.includes(`wrote ${tr}: 14 packets in`), 'path');
    expect((await readAllPackets(orig)).length).toBe(14);
    expect((await readAllPackets(tr)).length).toBe(14);
    // An existing file is not replaced.
    await press('W');
    await press(`${orig}\r`, (x) => x.includes('not written: output exists'), 'path again');
  });

  it('DNS64 in the detail pane: #47 rewritten (the synthesized answer on the right), #45 a query, #5 kept', async () => {
    const { press, frame } = await start({ width: 200, height: 50, dns64: true });
    let f = await press('G', (x) => x.includes('48/48'));
    f = await press('k', (x) => x.includes('47/48'));
    expect(f).toMatch(/#47 captured \(IPv6\) +│ DNS64 answer: what the client gets \(IPv6\)/);
    expect(f).toContain('DNS64 rewritten [synthesized]: no AAAA: synthesized 1 AAAA from 1 A record of v4only.example.com with TTL 300');
    expect(f).toContain('v4only.example.com AAAA: resolver NOERROR, no answer (negative TTL 300) → DNS64 64:ff9b::c000:250 (TTL 300)');
    // The answer section: none on the left, the synthesized AAAA on the right.
    expect(f).toMatch(/│ +Answer: v4only\.example\.com AAAA 64:ff9b::c000:250/);
    f = await press('kk', (x) => x.includes('45/48'));
    expect(f).toContain('DNS64 passed [query]: a query: DNS64 acts on its answer');
    f = await press('g', (x) => x.includes('1/48'));
    f = await press('jjjj', (x) => x.includes('5/48'));
    expect(f).toContain('DNS64 kept [native-aaaa]: native AAAA kept (1 record)');
    expect(f).toContain('api.example.com AAAA: resolver NOERROR, 1 AAAA → DNS64 same');
    // Not DNS: no DNS64 line.
    f = await press('jj', (x) => x.includes('7/48'));
    expect(f).not.toContain('DNS64 ');
  });

  it('initialFilter (view --filter): applied at start, in the status bar, / edits it', async () => {
    const { press, frame } = await start({ filter: 'udp and dport == 123' });
    let f = await press('', (x) => x.includes('1/2 │ filter: udp and dport == 123 │'));
    expect(f).toMatch(/^. +23 .* UDP +123 → 123/m);
    expect(f).not.toMatch(/^ +1 +0\.000000/m);
    // / opens the prompt on the filter in use; Ctrl-U and a new one, Enter.
    f = await press('/', (x) => x.includes('filter: udp and dport == 123█'));
    f = await press('\x15', (x) => x.includes('filter: █'), 'Ctrl-U');
    f = await press('tcp and dport == 8443\r', (x) => x.includes('filter: tcp and dport == 8443 │'));
    expect(frame()).toMatch(/1\/5 │ filter: tcp and dport == 8443/);
  });

  it('initialFilter with finding: scanned again once the findings arrive', async () => {
    const model = await openDone(DEMO);
    open.push(model);
    const app = render(<Viewer model={model} width={120} height={30} tickMs={20} initialFilter="finding" />);
    const frame = (): string => plain(app.lastFrame());
    await until(() => frame().includes('filter: finding'), 3000, 'first screen');
    expect(frame()).toMatch(/0\/0 │ filter: finding/);
    const r = await analyzeCapture(DEMO, awsConfig(), { side: 'auto' });
    const marked = new Set(r.findings.flatMap((x) => x.packets));
    model.setFindings(r.findings);
    while (model.scanFilter(50));
    await until(() => frame().includes(`/${marked.size} │ filter: finding`), 3000, 'the rescanned view');
  });

  it('re-lays out for 80x24 and 250x70', async () => {
    const { app, model } = await start({ width: 80, height: 24 });
    for (const [w, h] of [[80, 24], [250, 70], [80, 24]] as const) {
      app.rerender(<Viewer model={model} width={w} height={h} tickMs={20} />);
      await delay(80);
      const lines = plain(app.lastFrame()).split('\n');
      expect(lines.length).toBeLessThanOrEqual(h - 1);
      expect(lines.length).toBeGreaterThan(h - 4);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(w);
      expect(lines[lines.length - 1]).toMatch(/demo\.pcapng/);
    }
  });
});
