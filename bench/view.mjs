// `npm run bench -- --only view`: the viewer (issue 6) on the generated two-sided NAT64 capture.
// Goals: first screen on 1M packets < 1 s; a keypress answered < 50 ms at any position; peak
// memory < 300 MB on 5M packets. Peers measured in the same run: tshark's time to its first 30
// lines (`tshark -r F -c 30`), to packet 100,000 (`-c 100000`), and its memory reading 1M packets.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const PROBE = join(here, 'view-probe.mjs');

function timed(cmd, argv, opts = {}) {
  const full = existsSync('/usr/bin/time') ? ['/usr/bin/time', ['-f', '__RSS__ %M', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /__RSS__ (\d+)/.exec(r.stderr ?? '');
  return { secs, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout, status: r.status, stderr: r.stderr };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Seconds from starting `nat64scope view` in a tmux pane to its first screen (the status bar with 1/N). */
function tmuxFirstScreen(file, pool4) {
  if (spawnSync('tmux', ['-V']).status !== 0) return NaN;
  const sock = `n64v-bench-${process.pid}`;
  const t0 = process.hrtime.bigint();
  spawnSync('tmux', ['-L', sock, 'new-session', '-d', '-s', 'b', '-x', '200', '-y', '50', process.execPath, CLI, 'view', file, '--pool4', pool4]);
  let secs = NaN;
  try {
    for (;;) {
      const s = spawnSync('tmux', ['-L', sock, 'capture-pane', '-p', '-t', 'b'], { encoding: 'utf8' }).stdout ?? '';
      if (/│ 1\/[\d,]+ │/.test(s)) {
        secs = Number(process.hrtime.bigint() - t0) / 1e9;
        break;
      }
      if (Number(process.hrtime.bigint() - t0) / 1e9 > 30) break;
    }
  } finally {
    spawnSync('tmux', ['-L', sock, 'send-keys', '-t', 'b', 'q']);
    spawnSync('tmux', ['-L', sock, 'kill-server']);
  }
  return secs;
}

export async function viewBench({ file, big, pool4, runs, tshark }) {
  const load = () => spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');
  console.log(`\n== view: ${file} (load average ${load()} on this machine)`);

  // First screen, end to end in a real terminal, against tshark's first 30 lines.
  const ours = [];
  const peer = [];
  for (let i = 0; i < runs; i++) {
    ours.push(tmuxFirstScreen(file, pool4));
    if (tshark) peer.push(timed(tshark, ['-r', file, '-c', '30']).secs);
  }
  const o = median(ours);
  console.log(`  first screen, nat64scope view in tmux (process start to drawn)   ${o.toFixed(3).padStart(7)} s   (goal < 1 s) ${o < 1 ? 'ok' : 'MISSED'}`);
  if (tshark) {
    const p = median(peer);
    console.log(`  tshark -r F -c 30 (process start to exit)                       ${p.toFixed(3).padStart(7)} s`);
    console.log(`  ratio tshark / view: ${(p / o).toFixed(2)}x (higher = the viewer is first)`);
  }

  // In-process: open -> first frame, key latencies while indexing and after, at several positions.
  const pr = timed(process.execPath, [PROBE, file, '--pool4', pool4]);
  if (pr.status !== 0) throw new Error(`view probe failed: ${pr.stderr.slice(-400)}`);
  const j = JSON.parse(pr.stdout.trim().split('\n').pop());
  console.log(`  in process: capture opened -> first frame ${j.firstMs.toFixed(0)} ms (${j.firstCount} packets indexed by then; modules ${j.importsMs.toFixed(0)} ms)`);
  console.log(`  whole capture indexed and replayed in the background: ${(j.indexMs / 1000).toFixed(1)} s (${(j.packets / (j.indexMs / 1000) / 1e6).toFixed(2)} M packets/s), index ${j.indexMb.toFixed(0)} MB`);
  let worst = 0;
  for (const k of j.keys) {
    worst = Math.max(worst, k.median);
    console.log(`  key -> new frame, ${k.label.padEnd(58)} median ${k.median.toFixed(1).padStart(6)} ms, max ${k.max.toFixed(1).padStart(6)} ms (${k.n} keys)`);
  }
  console.log(`  worst median keypress ${worst.toFixed(1)} ms (goal < 50 ms) ${worst < 50 ? 'ok' : 'MISSED'}`);
  if (tshark) {
    const t = timed(tshark, ['-r', file, '-c', '100000', '-T', 'fields', '-e', 'frame.number']);
    const jump = j.keys.find((k) => k.label.startsWith('G'))?.median ?? NaN;
    console.log(`  tshark -r F -c 100000 (reach packet 100,000)                    ${t.secs.toFixed(3).padStart(7)} s; the viewer jumps to packet ${j.packets.toLocaleString('en-US')} in ${jump.toFixed(1)} ms: ratio ${(t.secs * 1000 / jump).toFixed(0)}x`);
  }

  // Memory on the big capture: index, replay, one frame; peak RSS of the process.
  if (big) {
    const b = timed(process.execPath, [PROBE, big, '--pool4', pool4, '--index-only']);
    if (b.status !== 0) throw new Error(`view probe (big) failed: ${b.stderr.slice(-400)}`);
    const jb = JSON.parse(b.stdout.trim().split('\n').pop());
    console.log(`  ${jb.packets.toLocaleString('en-US')} packets: indexed and replayed in ${(jb.indexMs / 1000).toFixed(1)} s, index ${jb.indexMb.toFixed(0)} MB, peak RSS ${b.rssMb.toFixed(0)} MB (goal < 300 MB) ${b.rssMb < 300 ? 'ok' : 'MISSED'}`);
    if (tshark) {
      const t = timed(tshark, ['-r', file, '-q']);
      console.log(`  tshark -r F -q on ${j.packets.toLocaleString('en-US')} packets: peak RSS ${t.rssMb.toFixed(0)} MB in ${t.secs.toFixed(1)} s; the viewer on ${jb.packets.toLocaleString('en-US')}: ${b.rssMb.toFixed(0)} MB: ratio ${(t.rssMb / b.rssMb).toFixed(2)}x at ${(jb.packets / j.packets).toFixed(0)}x the packets`);
    }
  }
}
