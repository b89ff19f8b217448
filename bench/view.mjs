// `npm run bench -- --only view`: the viewer (issue 6) on the generated two-sided NAT64 capture.
// Goals: first screen on 1M packets < 1 s; a keypress answered < 50 ms at any position; peak
// memory < 300 MB on 5M packets. Peers measured in the same run: tshark's time to its first 30
// lines (`tshark -r F -c 30`), to packet 100,000 (`-c 100000`), and its memory reading 1M packets.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const PROBE = join(here, 'view-probe.mjs');

function timed(cmd, argv, opts = {}) {
  const full = existsSync('/usr/bin/time') ? ['/usr/bin/time', ['-f', '__RSS__ %M %U %S', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26, ...opts });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /__RSS__ (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  return { secs, rssMb: m ? Number(m[1]) / 1024 : NaN, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, stdout: r.stdout, status: r.status, stderr: r.stderr };
}

/** CPU seconds (user + system) a process has used so far, from /proc (NaN where there is none). */
function cpuOf(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return NaN;
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Seconds from starting `nat64scope view` in a tmux pane to its first screen (the status bar with
 * 1/N), and the CPU seconds the process had used by then (load-independent).
 */
function tmuxFirstScreen(file, pool4, run) {
  if (spawnSync('tmux', ['-V']).status !== 0) return { secs: NaN, cpu: NaN };
  const sock = `n64v-bench-${process.pid}-${run}`;
  const t0 = process.hrtime.bigint();
  spawnSync('tmux', ['-L', sock, 'new-session', '-d', '-s', 'b', '-x', '200', '-y', '50', process.execPath, CLI, 'view', file, '--pool4', pool4]);
  const pid = spawnSync('tmux', ['-L', sock, 'list-panes', '-t', 'b', '-F', '#{pane_pid}'], { encoding: 'utf8' }).stdout.trim();
  let secs = NaN;
  let cpu = NaN;
  try {
    for (;;) {
      const s = spawnSync('tmux', ['-L', sock, 'capture-pane', '-p', '-t', 'b'], { encoding: 'utf8' }).stdout ?? '';
      if (/│ 1\/[\d,]+ │/.test(s)) {
        secs = Number(process.hrtime.bigint() - t0) / 1e9;
        cpu = cpuOf(pid);
        break;
      }
      if (Number(process.hrtime.bigint() - t0) / 1e9 > 30) break;
    }
  } finally {
    spawnSync('tmux', ['-L', sock, 'send-keys', '-t', 'b', 'q']);
    spawnSync('tmux', ['-L', sock, 'kill-server']);
  }
  return { secs, cpu };
}

export async function viewBench({ file, big, pool4, runs, tshark }) {
  const load = () => spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.split(' ').slice(0, 3).join(' ');
  console.log(`\n== view: ${file} (load average ${load()} on this machine)`);

  // First screen, end to end in a real terminal, against tshark's first 30 lines.
  const ours = [];
  const oursCpu = [];
  const peer = [];
  const peerCpu = [];
  for (let i = 0; i < runs; i++) {
    const r = tmuxFirstScreen(file, pool4, i);
    ours.push(r.secs);
    oursCpu.push(r.cpu);
    if (tshark) {
      const t = timed(tshark, ['-r', file, '-c', '30']);
      peer.push(t.secs);
      peerCpu.push(t.cpu);
    }
  }
  const o = median(ours);
  const oc = median(oursCpu);
  console.log(`  first screen, nat64scope view in tmux (process start to drawn)   ${o.toFixed(3).padStart(7)} s   (goal < 1 s) ${o < 1 ? 'ok' : 'MISSED'}; CPU used by then ${oc.toFixed(2)} s`);
  if (tshark) {
    const p = median(peer);
    const pc = median(peerCpu);
    console.log(`  tshark -r F -c 30 (process start to exit)                       ${p.toFixed(3).padStart(7)} s; CPU ${pc.toFixed(2)} s`);
    console.log(`  ratio tshark / view: ${(p / o).toFixed(2)}x wall, ${(pc / oc).toFixed(2)}x CPU (higher = the viewer is first)`);
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

  // Memory on the big capture; peak RSS of the process. As `nat64scope view` runs (index, DNS64,
  // replay, analyze's findings from the same pass, a full GC every 128 MiB), and the model alone
  // (index and replay: what the viewer itself keeps).
  if (big) {
    for (const [label, extra] of [['as view runs it (index, replay, analyze\'s findings)', []], ['the model alone (index and replay, --no-findings)', ['--no-findings']]]) {
      const b = timed(process.execPath, [PROBE, big, '--pool4', pool4, '--index-only', ...extra]);
      if (b.status !== 0) throw new Error(`view probe (big) failed: ${b.stderr.slice(-400)}`);
      const jb = JSON.parse(b.stdout.trim().split('\n').pop());
      console.log(`  ${jb.packets.toLocaleString('en-US')} packets, ${label}: ${(jb.indexMs / 1000).toFixed(1)} s (${b.cpu.toFixed(1)} s CPU), index ${jb.indexMb.toFixed(0)} MB, peak RSS ${b.rssMb.toFixed(0)} MB (goal < 300 MB) ${b.rssMb < 300 ? 'ok' : 'MISSED'}`);
    }
    if (tshark) {
      const t = timed(tshark, ['-r', file, '-q']);
      console.log(`  tshark -r F -q on ${j.packets.toLocaleString('en-US')} packets: peak RSS ${t.rssMb.toFixed(0)} MB in ${t.secs.toFixed(1)} s`);
    }
  }
}
