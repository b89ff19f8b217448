// `npm run bench`: nat64scope against its peers, side by side in one run (ratios, not absolute
// times: these machines are noisy). Goals from issue 2:
//   packets --stats (full decode, DNS, every checksum) >= 2x faster than pcap-parser only counting,
//   >= 12x faster than tshark -qz io,phs, peak memory < 150 MB on a 5M-packet capture.
// Options: --packets N (default 1000000), --big N (default 5000000, 0 to skip), --runs R (default 5),
// --no-tshark (skip the slow tshark run).
import { spawnSync, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generate } from './generate.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const N = opt('--packets', 1_000_000);
const BIG = opt('--big', 5_000_000);
const RUNS = opt('--runs', 5);
const here = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(here, 'out');
mkdirSync(OUT, { recursive: true });
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const TSHARK = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : null;

/** Runs a command; returns wall seconds and peak RSS in MB (GNU time), and stdout. */
function measure(cmd, argv) {
  const full = GNU_TIME ? [GNU_TIME, ['-f', '__RSS__ %M', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const m = /__RSS__ (\d+)/.exec(r.stderr ?? '');
  return { secs, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout };
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function bench(label, cmd, argv, runs) {
  const res = [];
  for (let i = 0; i < runs; i++) res.push(measure(cmd, argv));
  const secs = median(res.map((r) => r.secs));
  const rss = Math.max(...res.map((r) => r.rssMb));
  console.log(`  ${label.padEnd(46)} ${secs.toFixed(3).padStart(8)} s   peak ${Number.isNaN(rss) ? '   ?' : rss.toFixed(0).padStart(5)} MB`);
  return { secs, rss, stdout: res[0].stdout };
}

async function ensure(path, n) {
  if (existsSync(path)) return;
  process.stdout.write(`generating ${n} packets -> ${path} ... `);
  const t0 = Date.now();
  await generate(path, n);
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s, ${(statSync(path).size / 1e6).toFixed(0)} MB`);
}

const file = join(OUT, `bench-${N}.pcap`);
await ensure(file, N);
console.log(`\n== ${N} packets (${(statSync(file).size / 1e6).toFixed(0)} MB), median of ${RUNS} runs${GNU_TIME ? '' : ' (no /usr/bin/time: apt-get install time for memory figures)'}`);
// Interleaved runs (ours, peer, ours, peer, ...): both see the same machine state, and the ratio
// is taken per pair, then the median of the ratios is reported.
const oursCmd = [process.execPath, [CLI, 'packets', '--stats', '--json', file]];
const peerCmd = [process.execPath, [join(here, 'pcap-parser-count.cjs'), file]];
const ours = [];
const peer = [];
for (let i = 0; i < RUNS; i++) {
  const o = measure(...oursCmd);
  const count = JSON.parse(o.stdout).packets;
  if (count !== N) throw new Error(`nat64scope counted ${count}, expected ${N}`);
  const q = measure(...peerCmd);
  if (Number(q.stdout.trim()) !== N) throw new Error(`pcap-parser counted ${q.stdout.trim()}`);
  ours.push(o);
  peer.push(q);
}
const row = (label, rs) => {
  const secs = median(rs.map((r) => r.secs));
  const rss = Math.max(...rs.map((r) => r.rssMb));
  console.log(`  ${label.padEnd(46)} ${secs.toFixed(3).padStart(8)} s   peak ${Number.isNaN(rss) ? '   ?' : rss.toFixed(0).padStart(5)} MB`);
  return { secs, rss };
};
const o = row('nat64scope packets --stats (full decode)', ours);
row('pcap-parser, counting only', peer);
let tshark = null;
if (TSHARK && !args.includes('--no-tshark')) tshark = bench('tshark -qz io,phs', TSHARK, ['-qz', 'io,phs', '-r', file], 1);
else console.log('  tshark: skipped (not installed, or --no-tshark)');

console.log('\nratios (higher = nat64scope faster):');
const ratios = ours.map((r, i) => peer[i].secs / r.secs);
const r1 = median(ratios);
console.log(`  vs pcap-parser counting: ${r1.toFixed(2)}x   (goal >= 2x)  ${r1 >= 2 ? 'ok' : 'MISSED'}   [per pair: ${ratios.map((x) => x.toFixed(2)).join(', ')}]`);
if (tshark) {
  const r2 = tshark.secs / o.secs;
  console.log(`  vs tshark -qz io,phs:    ${r2.toFixed(2)}x   (goal >= 12x) ${r2 >= 12 ? 'ok' : 'MISSED'}`);
  console.log(`  memory vs tshark:        ${(tshark.rss / o.rss).toFixed(1)}x less`);
}

if (BIG > 0) {
  const big = join(OUT, `bench-${BIG}.pcap`);
  await ensure(big, BIG);
  console.log(`\n== ${BIG} packets (${(statSync(big).size / 1e6).toFixed(0)} MB): peak memory`);
  const b = bench('nat64scope packets --stats', process.execPath, [CLI, 'packets', '--stats', '--json', big], 1);
  const ok = b.rss < 150;
  console.log(`  peak ${b.rss.toFixed(0)} MB (goal < 150 MB) ${Number.isNaN(b.rss) ? '?' : ok ? 'ok' : 'MISSED'}; ${(BIG / b.secs / 1e6).toFixed(2)} M packets/s`);
}
