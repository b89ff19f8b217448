/**
 * `nat64scope view` in a real terminal: tmux (Debian's) runs it in a detached session of a fixed
 * size; keys go in with send-keys, the screen comes back with capture-pane. Socket names start
 * with `n64v-` (tmux -L), so nothing else's tmux server is touched.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { CLI } from '../helpers/cli.js';

const HAVE_TMUX = spawnSync('tmux', ['-V']).status === 0;
const SOCK = `n64v-${process.pid}`;

function tmux(...args: string[]): string {
  const r = spawnSync('tmux', ['-L', SOCK, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tmux ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

const screen = (): string => tmux('capture-pane', '-p', '-t', 'v');
const paneFlag = (f: string): string => tmux('display-message', '-p', '-t', 'v', `#{${f}}`).trim();

async function waitFor(cond: (s: string) => boolean, what: string, ms = 20000): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const s = screen();
    if (cond(s)) return s;
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

afterAll(() => {
  if (HAVE_TMUX) spawnSync('tmux', ['-L', SOCK, 'kill-server']);
});

describe.skipIf(!HAVE_TMUX)('view in tmux (a real terminal)', () => {
  it('first screen, a translated packet side by side, a filter, resize, q restores the terminal', async () => {
    expect(existsSync(CLI)).toBe(true);
    const cmd = `printf 'BEFORE-VIEW\\n'; ${process.execPath} ${CLI} view fixtures/pcaps/demo.pcapng --profile aws; echo "VIEW-EXIT:$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'v', '-x', '120', '-y', '30', 'sh', '-c', cmd);
    tmux('set-option', '-t', 'v', 'remain-on-exit', 'on');

    // First screen: the header, the first packets, the status bar; on the alternate screen.
    let s = await waitFor((x) => x.includes('│ 1/48 │'), 'the first screen');
    // The first screen may still say "indexing"; then the whole (small) file is in.
    s = await waitFor((x) => x.includes('48 pkts │ 1/48 │'), 'indexing to finish');
    expect(s).toMatch(/No\. +Time +Source → Destination +Proto +Info/);
    expect(s).toMatch(/^ +1 +0\.000000 2600:1f14:abc:de00::10 → fd00:ec2::253 +DNS/m);
    expect(s).toMatch(/fixtures\/pcaps\/demo\.pcapng │ 48 pkts │ 1\/48 │ no filter │ nat64 64:ff9b::\/96 │ profile aws/);
    expect(paneFlag('alternate_on')).toBe('1');
    expect(s.split('\n').length).toBeLessThanOrEqual(31);
    // #1 is a DNS query: once replayed (DNS64 learns A data from the whole file first), the pane
    // says what DNS64 did with it, as translate --explain does.
    s = await waitFor((x) => x.includes('DNS64 passed [query]: a query: DNS64 acts on its answer'), 'the DNS64 decision of #1');
    expect(s).not.toContain('not replayed yet');
    // analyze's findings, from the same pass over the file.
    s = await waitFor((x) => x.includes('│ findings 3 │'), 'the findings count');

    // Down to #7: the SYN and its IPv4 translation side by side.
    tmux('send-keys', '-t', 'v', 'j', 'j', 'j', 'j', 'j', 'j');
    s = await waitFor((x) => x.includes('│ 7/48 │'), 'packet #7');
    expect(s).toMatch(/#7 captured \(IPv6\) +│ translated \(IPv4\)/);
    expect(s).toMatch(/▾ IPv6: 2600:1f14:abc:de00::10 → 64:ff9b::c633:6407 .*│ ▾ IPv4: 10\.0\.0\.5 → 198\.51\.100\.7, TTL 63/);
    expect(s).toMatch(/Hop limit: 64 +│ +Time to live: 63/);
    // #8 came out of the translator: reconstructed.
    tmux('send-keys', '-t', 'v', 'Down');
    s = await waitFor((x) => x.includes('│ 8/48 │'), 'packet #8');
    expect(s).toMatch(/#8 captured \(IPv6\) +│ reconstructed: what the translator received \(IPv4\)/);

    // A filter: f follows the flow of the selected packet.
    tmux('send-keys', '-t', 'v', 'f');
    s = await waitFor((x) => x.includes('filter: flow TCP'), 'the flow filter');
    expect(s).toMatch(/│ 2\/14 │ filter: flow TCP \[64:ff9b::c633:6407\]:443 ↔ \[2600:1f14:abc:de00::10\]:491/);
    expect(s).not.toMatch(/^ +1 +0\.000000/m);
    // A display filter: / opens the prompt (its mark live), Enter applies it.
    tmux('send-keys', '-t', 'v', 'f', '/');
    await waitFor((x) => x.includes('filter: █'), 'the filter prompt');
    tmux('send-keys', '-t', 'v', '-l', 'udp and dport ==');
    s = await waitFor((x) => x.includes('filter: udp and dport ==█'), 'the typed filter');
    expect(s).toMatch(/█ ✗ .*column/);
    tmux('send-keys', '-t', 'v', '-l', ' 123');
    s = await waitFor((x) => x.includes('udp and dport == 123█ ✓'), 'the valid mark');
    tmux('send-keys', '-t', 'v', 'Enter');
    s = await waitFor((x) => x.includes('filter: udp and dport == 123 │'), 'the filter applied');
    expect(s).toMatch(/│ 1\/2 │ filter: udp and dport == 123 │/);
    expect(s).toMatch(/^[▸!] +23 .*64:ff9b::cb00:717b \(203… UDP +123 → 123/m);
    expect(s).toMatch(/▾ IPv4: 10\.0\.0\.5 → 203\.0\.113\.123, TTL 63/);

    // Resize: re-laid out at 80x24 and 250x70.
    for (const [w, h] of [[80, 24], [250, 70]]) {
      tmux('resize-window', '-t', 'v', '-x', String(w), '-y', String(h));
      s = await waitFor((x) => {
        const lines = x.split('\n');
        while (lines.length && lines[lines.length - 1].trim() === '') lines.pop();
        const status = lines[lines.length - 1] ?? '';
        // Redrawn for the new size: header on top, the pane tabs line ruled to the full width.
        const tabs = lines.find((l) => l.includes('[detail]')) ?? '';
        return /No\. +Time/.test(lines[0] ?? '') && tabs.length === w && status.includes('fixtures/pcaps/demo.pcapng') && lines.length > h - 5 && lines.length <= h;
      }, `the layout at ${w}x${h}`);
      for (const l of s.split('\n')) expect(l.length).toBeLessThanOrEqual(w);
      expect(s).toMatch(/No\. +Time/);
    }

    // q: the viewer exits 0 and the terminal is back: main screen, cursor shown, the shell's output.
    tmux('send-keys', '-t', 'v', 'q');
    s = await waitFor((x) => x.includes('VIEW-EXIT:'), 'the viewer to exit');
    expect(s).toContain('VIEW-EXIT:0');
    expect(s).toContain('BEFORE-VIEW');
    expect(s).not.toContain('48 pkts');
    expect(paneFlag('alternate_on')).toBe('0');
    expect(paneFlag('cursor_flag')).toBe('1');
  });
});

describe.skipIf(!HAVE_TMUX)('view in tmux: input that is not a capture', () => {
  it('is a one-line error, exit 3, before any screen is drawn', async () => {
    const cmd = `${process.execPath} ${CLI} view README.md; echo "VIEW-EXIT:$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'bad', '-x', '100', '-y', '20', 'sh', '-c', cmd);
    const t0 = Date.now();
    let s = '';
    while (!s.includes('VIEW-EXIT:') && Date.now() - t0 < 20000) {
      await new Promise((r) => setTimeout(r, 100));
      s = tmux('capture-pane', '-p', '-t', 'bad');
    }
    expect(s).toContain('VIEW-EXIT:3');
    expect(s).toMatch(/^nat64scope: .*README\.md/m);
    expect(s).not.toMatch(/pkts|Traceback|at .*\.js:\d+/);
    expect(tmux('display-message', '-p', '-t', 'bad', '#{alternate_on}').trim()).toBe('0');
  });
});

describe.skipIf(!HAVE_TMUX)('view --filter in tmux', () => {
  it('opens on the filtered list, the filter in the status bar; / edits it', async () => {
    const cmd = `${process.execPath} ${CLI} view fixtures/pcaps/demo.pcapng --profile aws -Y 'udp and dport == 123'; echo "VIEW-EXIT:$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'flt', '-x', '120', '-y', '30', 'sh', '-c', cmd);
    const scr = (): string => tmux('capture-pane', '-p', '-t', 'flt');
    const wait = async (cond: (x: string) => boolean, what: string): Promise<string> => {
      const t0 = Date.now();
      for (;;) {
        const x = scr();
        if (cond(x)) return x;
        if (Date.now() - t0 > 20000) throw new Error(`timed out waiting for ${what}; screen:\n${x}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    let s = await wait((x) => x.includes('│ 1/2 │ filter: udp and dport == 123 │'), 'the filtered first screen');
    expect(s).toMatch(/^. +23 .*UDP +123 → 123/m);
    expect(s).not.toMatch(/^ +1 +0\.000000/m);
    tmux('send-keys', '-t', 'flt', '/');
    s = await wait((x) => x.includes('filter: udp and dport == 123█ ✓'), 'the prompt on the filter in use');
    // Esc closes the prompt (alone: Esc followed at once by q would read as Alt-q).
    tmux('send-keys', '-t', 'flt', 'Escape');
    s = await wait((x) => !x.includes('█'), 'the prompt to close');
    expect(s).toContain('│ 1/2 │ filter: udp and dport == 123 │');
    tmux('send-keys', '-t', 'flt', 'q');
    s = await wait((x) => x.includes('VIEW-EXIT:'), 'the viewer to exit');
    expect(s).toContain('VIEW-EXIT:0');
  });

  it('an invalid filter: one line, exit 2, no screen drawn', async () => {
    const cmd = `${process.execPath} ${CLI} view fixtures/pcaps/demo.pcapng --filter 'tcp and'; echo "VIEW-EXIT:$?"; sleep 60`;
    tmux('new-session', '-d', '-s', 'badf', '-x', '200', '-y', '20', 'sh', '-c', cmd);
    const t0 = Date.now();
    let s = '';
    while (!s.includes('VIEW-EXIT:') && Date.now() - t0 < 20000) {
      await new Promise((r) => setTimeout(r, 100));
      s = tmux('capture-pane', '-p', '-t', 'badf');
    }
    expect(s).toContain('VIEW-EXIT:2');
    // On a terminal the error line is followed by the filter with a caret under the column.
    expect(s).toMatch(/^nat64scope: invalid filter: .* at column 8 \(tcp and\)$/m);
    expect(s).not.toMatch(/pkts|at .*\.js:\d+/);
    expect(tmux('display-message', '-p', '-t', 'badf', '#{alternate_on}').trim()).toBe('0');
  });
});

// Without tmux, one test says so (the suites above are skipped); with it, nothing is registered
// here (no "skipped" in the counts of a run where everything ran).
if (!HAVE_TMUX) {
  describe('view in tmux', () => {
    it('needs tmux (apt-get install tmux): the tmux suites are skipped', () => {
      expect(HAVE_TMUX).toBe(false);
    });
  });
}
