// `npm run bench`: nat64scope against its peers, side by side in one run (ratios, not absolute
// times: these machines are noisy). Goals from issue 2:
//   packets --stats (full decode, DNS, every checksum) >= 2x faster than pcap-parser only counting,
//   >= 12x faster than tshark -qz io,phs, peak memory < 150 MB on a 5M-packet capture.
// Goals from issue 3 (bench/generate-xlat.mjs makes the capture: both sides of a NAT64, global
// IPv4, tens of thousands of sessions):
//   translate FILE -w /dev/null >= 1.5x faster than tcprewrite --pnat on the same file, peak
//   memory < 200 MB on 5M packets.
// Goal from issue 4 (bench/dns64.mjs, bench/generate-dns64.mjs): dns64 >= 300k AAAA queries answered
//   per second over N DNS packets, ratio against tshark decoding the same DNS; peak memory flat
//   from N to 2N packets (bounded by the distinct names).
// Options: --packets N (default 1000000), --big N (default 5000000, 0 to skip), --runs R (default 5),
// --no-tshark (skip the slow tshark runs), --only packets|translate|dns64|analyze|live|aws-check|correlate|view|filter
// (one benchmark; correlate: bench/correlate.mjs, issue 7, and aws-check are not part of the default run;
// analyze: bench/analyze.mjs, tshark on the 1M and the 5M capture (the goal is on 5M; --no-tshark-big skips that); filter: bench/filter.mjs),
// --cpu-prof (translate: also profile one run with node --cpu-prof and print the top functions).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { generate } from './generate.mjs';
import { generateXlat, XLAT_POOL4, XLAT_POOL4_NET } from './generate-xlat.mjs';
import { xlatState } from './xlat-state.mjs';
import { printTop } from './cpuprofile-top.mjs';
import { viewBench } from './view.mjs';
import { dns64Bench } from './dns64.mjs';

const args = process.argv.slice(2);
const opt = (name, def) => { const i = args.indexOf(name); return i >= 0 ? Number(args[i + 1]) : def; };
const N = opt('--packets', 1_000_000);
const BIG = opt('--big', 5_000_000);
const RUNS = opt('--runs', 5);
const ONLY = args.includes('--only') ? args[args.indexOf('--only') + 1] : null;
const BENCHES = ['packets', 'translate', 'dns64', 'analyze', 'live', 'aws-check', 'correlate', 'view', 'filter'];
if (ONLY !== null && !BENCHES.includes(ONLY)) throw new Error(`--only ${BENCHES.join('|')}, not ${ONLY}`);
const here = fileURLToPath(new URL('.', import.meta.url));
const OUT = join(here, 'out');
mkdirSync(OUT, { recursive: true });
const CLI = join(here, '..', 'dist', 'cli', 'main.js');
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const TSHARK = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : null;

/** Runs a command; returns wall seconds and peak RSS in MB (GNU time), stdout and stderr. */
function measure(cmd, argv) {
  // GNU time also gives the child's CPU time (user + system): on a loaded machine the rate per
  // CPU-second says more than the wall clock.
  const full = GNU_TIME ? [GNU_TIME, ['-f', '__RSS__ %M %U %S', cmd, ...argv]] : [cmd, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-500)}`);
  const m = /__RSS__ (\d+)(?: ([\d.]+) ([\d.]+))?/.exec(r.stderr ?? '');
  const cpuSecs = m && m[2] !== undefined ? Number(m[2]) + Number(m[3]) : NaN;
  return { secs, cpuSecs, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout, stderr: (r.stderr ?? '').replace(/^__RSS__ .*\n?/m, '') };
}

/**
 * NODE_EXTRA_CA_CERTS (set machine-wide on some hosts, this one among them) makes every Node
 * process read and parse a CA bundle before its first line of JavaScript: work no command here
 * needs (none opens a TLS connection). The bench drops it from its own environment, which every
 * command it runs inherits (ours and Node peers such as pcap-parser alike), and says so with what
 * it costs a Node start here (median of 5 `node -e 0` each way). Returns that line, or null when
 * the variable is not set.
 */
function dropCaCerts() {
  const value = process.env.NODE_EXTRA_CA_CERTS;
  if (value === undefined) return null;
  const without = { ...process.env };
  delete without.NODE_EXTRA_CA_CERTS;
  const start = (env) => median(Array.from({ length: 5 }, () => {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ['-e', '0'], { env });
    return Number(process.hrtime.bigint() - t0) / 1e6;
  }));
  const withIt = start(process.env);
  const withoutIt = start(without);
  delete process.env.NODE_EXTRA_CA_CERTS;
  return `NODE_EXTRA_CA_CERTS=${value} is set here: left out of the measured commands' environment `
    + `(a Node start, node -e 0, takes ${withIt.toFixed(0)} ms with it, ${withoutIt.toFixed(0)} ms without; README: Speed)`;
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

async function ensure(path, n, gen = generate) {
  if (existsSync(path)) return;
  process.stdout.write(`generating ${n} packets -> ${path} ... `);
  const t0 = Date.now();
  await gen(path, n);
  console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s, ${(statSync(path).size / 1e6).toFixed(0)} MB`);
}

async function packetsBench() {
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
}

// ---- issue 3: translate vs tcprewrite ------------------------------------------------------

const TCPREWRITE = ['/usr/bin/tcprewrite', '/usr/local/bin/tcprewrite'].find((p) => existsSync(p)) ?? null;
// tcprewrite's pseudo-NAT on both families: the IPv6 side's NAT64 prefix and the IPv4 side's
// pool4 net, so that every packet of the capture has one address rewritten (and its checksums
// fixed). It cannot change the address family: this is the cheapest rewrite of the same bytes.
const PNAT = `--pnat=[64:ff9b::/96]:[2001:db8:64::/96],${XLAT_POOL4_NET}:198.51.100.0/26`;
const xlatArgs = (file) => [CLI, 'translate', file, '-w', '/dev/null', '--pool4', XLAT_POOL4, '--json', '--no-progress'];

/** Checks a translate run's summary: every packet read, the bulk translated (fails loudly otherwise). */
function checkSummary(r, n) {
  const s = JSON.parse(r.stdout);
  const line = r.stderr.split('\n').find((l) => l.startsWith('translate:')) ?? '(no summary line)';
  if (s.packetsIn !== n) throw new Error(`translate read ${s.packetsIn} packets, expected ${n}\n${line}`);
  if (s.dropped > 0.1 * n) {
    throw new Error(`translate dropped ${s.dropped} of ${n} packets (> 10%): the benchmark would measure drops, not translation.\n${line}\n`
      + 'If the engine\'s pool4 allocation changed, the cached capture no longer matches it: delete bench/out/bench-xlat-*.pcap.');
  }
  return { s, line };
}

/** tcprewrite once into a file: every address of the NAT64 prefix / pool4 net must be gone. */
async function checkTcprewrite(file) {
  const tmp = join(OUT, 'tcprewrite-check.pcap');
  const r = spawnSync(TCPREWRITE, [PNAT, '-i', file, '-o', tmp], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`tcprewrite failed (${r.status}): ${r.stderr}`);
  const { readCapture } = await import('../dist/src/pcap/reader.js');
  let n = 0;
  let left = 0;
  let v6 = 0;
  let v4 = 0;
  const [net, len] = XLAT_POOL4_NET.split('/');
  const base = net.split('.').reduce((a, x) => a * 256 + Number(x), 0);
  const size = 2 ** (32 - Number(len));
  await readCapture(tmp, (p) => {
    n++;
    const b = p.data;
    const o = p.offset + 14;
    const type = (b[p.offset + 12] << 8) | b[p.offset + 13];
    if (type === 0x86dd) {
      v6++;
      for (const a of [o + 8, o + 24]) if (b[a] === 0 && b[a + 1] === 0x64 && b[a + 2] === 0xff && b[a + 3] === 0x9b) left++;
    } else if (type === 0x0800) {
      v4++;
      for (const a of [o + 12, o + 16]) {
        const x = ((b[a] << 24) | (b[a + 1] << 16) | (b[a + 2] << 8) | b[a + 3]) >>> 0;
        if (x - base >= 0 && x - base < size) left++;
      }
    }
  }, { blocking: true });
  let tsharkNote = '';
  if (TSHARK && !args.includes('--no-tshark')) {
    // Independent spot check of the first packets: tshark sees the new addresses, checksums valid.
    const t = spawnSync(TSHARK, ['-r', tmp, '-c', '20000', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-o', 'ip.check_checksum:TRUE',
      '-T', 'fields', '-e', 'ip.dst', '-e', 'ipv6.src', '-e', 'ipv6.dst', '-e', 'tcp.checksum.status', '-e', 'udp.checksum.status', '-e', 'ip.checksum.status'], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const lines = t.stdout.trim().split('\n');
    const stale = lines.filter((l) => /64:ff9b::/.test(l) || l.split('\t')[0].startsWith(net.split('.').slice(0, 3).join('.') + '.')).length;
    const bad = lines.filter((l) => l.split('\t').slice(3).includes('0')).length;
    tsharkNote = `; tshark on the first ${lines.length}: ${stale} old addresses, ${bad} bad checksums`;
    if (stale || bad) throw new Error(`tcprewrite check failed${tsharkNote}`);
  }
  unlinkSync(tmp);
  if (left !== 0 || v6 + v4 !== n) throw new Error(`tcprewrite ${PNAT} left ${left} addresses unrewritten (${n} packets)`);
  console.log(`  tcprewrite check: ${n} packets (${v6} IPv6, ${v4} IPv4) written to a file, 0 addresses left in 64:ff9b::/96 or ${XLAT_POOL4_NET}${tsharkNote}`);
}

async function translateBench() {
  const file = join(OUT, `bench-xlat-${N}.pcap`);
  await ensure(file, N, generateXlat);
  console.log(`\n== translate: ${N} packets (${(statSync(file).size / 1e6).toFixed(0)} MB, both sides of a NAT64), median of ${RUNS} runs`);
  // The command as installed (`nat64scope`, the bin): dist/cli/main.js run as a program, whose
  // first lines start Node with the settings it needs (scripts/postbuild.mjs: LAUNCHER), as
  // tcprewrite runs as its own program.
  const oursCmd = [CLI, xlatArgs(file).slice(1)];
  const peerCmd = TCPREWRITE ? [TCPREWRITE, [PNAT, '-i', file, '-o', '/dev/null']] : null;
  if (!peerCmd) console.log('  tcprewrite: not installed (apt-get install tcpreplay); translate alone');
  else await checkTcprewrite(file);
  const ours = [];
  const peer = [];
  let summary = null;
  for (let i = 0; i < RUNS; i++) {
    const o = measure(...oursCmd);
    summary = checkSummary(o, N);
    ours.push(o);
    if (peerCmd) peer.push(measure(...peerCmd));
  }
  const row = (label, rs) => {
    const secs = median(rs.map((r) => r.secs));
    const cpu = median(rs.map((r) => r.cpuSecs));
    const rss = Math.max(...rs.map((r) => r.rssMb));
    console.log(`  ${label.padEnd(60)} ${secs.toFixed(3).padStart(8)} s   cpu ${Number.isNaN(cpu) ? '    ?' : cpu.toFixed(2).padStart(5)} s   peak ${Number.isNaN(rss) ? '   ?' : rss.toFixed(0).padStart(5)} MB   ${(N / secs / 1e6).toFixed(2)} M packets/s`);
    return { secs, rss };
  };
  const o = row(`nat64scope translate -w /dev/null --pool4 ${XLAT_POOL4}`, ours);
  if (peerCmd) row('tcprewrite --pnat (v6 + v4 net) -o /dev/null', peer);
  console.log(`  ${summary.line}`);
  const st = await xlatState(file);
  console.log(`  NAT64 state (same engine, end of input, before the drain): ${st.end.bib} BIB entries, ${st.end.sessions} sessions `
    + `(tcp ${st.end.sessionsByProtocol.tcp}, udp ${st.end.sessionsByProtocol.udp}, icmp ${st.end.sessionsByProtocol.icmp}); peak ${st.peak.sessions} sessions`);
  if (peerCmd) {
    console.log('\nratio (higher = nat64scope faster):');
    const ratios = ours.map((r, i) => peer[i].secs / r.secs);
    const r1 = median(ratios);
    console.log(`  translate vs tcprewrite --pnat: ${r1.toFixed(2)}x   (goal >= 1.5x) ${r1 >= 1.5 ? 'ok' : 'MISSED'}   [per pair: ${ratios.map((x) => x.toFixed(2)).join(', ')}]`);
    // CPU seconds (user + system) per pair: what a loaded machine still measures fairly.
    const cpuRatios = ours.map((r, i) => peer[i].cpuSecs / r.cpuSecs).filter((x) => !Number.isNaN(x));
    if (cpuRatios.length) {
      const r2 = median(cpuRatios);
      // (the goal is the time a user waits, the wall clock; the CPU ratio shows what the second
      // core does for us: V8's compiler and the reads, ~0.5 s of a run; tcprewrite uses one core)
      console.log(`  same, CPU time (user + sys):     ${r2.toFixed(2)}x   (for reference: the goal is wall time)   [per pair: ${cpuRatios.map((x) => x.toFixed(2)).join(', ')}]`);
    }
  }
  if (args.includes('--cpu-prof')) {
    const dir = join(OUT, 'cpu-prof');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    measure(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, ...xlatArgs(file)]);
    const prof = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    console.log(`\nprofile of one translate run (${join(dir, prof)}):`);
    printTop(join(dir, prof), 25);
  }

  if (BIG > 0) {
    const big = join(OUT, `bench-xlat-${BIG}.pcap`);
    await ensure(big, BIG, generateXlat);
    console.log(`\n== translate: ${BIG} packets (${(statSync(big).size / 1e6).toFixed(0)} MB): peak memory`);
    const b = measure(CLI, xlatArgs(big).slice(1));
    const { line } = checkSummary(b, BIG);
    console.log(`  nat64scope translate -w /dev/null ${b.secs.toFixed(3).padStart(8)} s, ${(BIG / b.secs / 1e6).toFixed(2)} M packets/s`);
    console.log(`  ${line}`);
    const sb = await xlatState(big);
    console.log(`  NAT64 state: ${sb.end.bib} BIB entries, ${sb.end.sessions} sessions at the end of input `
      + `(tcp ${sb.end.sessionsByProtocol.tcp}, udp ${sb.end.sessionsByProtocol.udp}, icmp ${sb.end.sessionsByProtocol.icmp}); peak ${sb.peak.sessions} sessions (at packet ${sb.peak.atPacket})`);
    const ok = b.rssMb < 200;
    console.log(`  peak ${b.rssMb.toFixed(0)} MB (goal < 200 MB) ${Number.isNaN(b.rssMb) ? '?' : ok ? 'ok' : 'MISSED'}; ${N} packets: ${o.rss.toFixed(0)} MB`);
  }
}

{
  const note = dropCaCerts();
  if (note) console.log(note);
}
if (ONLY === null || ONLY === 'packets') await packetsBench();
if (ONLY === null || ONLY === 'translate') await translateBench();
if (ONLY === null || ONLY === 'dns64') await dns64Bench({ N, RUNS, OUT, CLI, TSHARK, measure, median, ensure });
if (ONLY === null || ONLY === 'analyze') {
  const { analyzeBench } = await import('./analyze.mjs');
  await analyzeBench({ OUT, N, BIG, RUNS, args, measure, median, ensure, CLI, TSHARK, generateXlat, XLAT_POOL4 });
}
if (ONLY === 'aws-check') await (await import('./aws-check.mjs')).awsCheckBench({ runs: RUNS, out: OUT });
if (ONLY === 'correlate') {
  // Issue 7 (bench/correlate.mjs): --packets N per side (default 1000000), --big (default 2N).
  const { correlateBench } = await import('./correlate.mjs');
  await correlateBench({ cli: CLI, out: OUT, n: N, runs: opt('--runs', 3), big: args.includes('--big') ? BIG : 2 * N });
}
// Live capture (bench/live.mjs: root, tcpreplay, tcpdump; skipped with a message otherwise).
if (ONLY === null || ONLY === 'live') await (await import('./live.mjs')).liveBench();
if (ONLY === null || ONLY === 'view') {
  // Issue 6: the viewer on the two-sided NAT64 capture (bench/view.mjs).
  const file = join(OUT, `bench-xlat-${N}.pcap`);
  await ensure(file, N, generateXlat);
  const big = BIG > 0 ? join(OUT, `bench-xlat-${BIG}.pcap`) : null;
  if (big) await ensure(big, BIG, generateXlat);
  await viewBench({ file, big, pool4: XLAT_POOL4, runs: Math.min(RUNS, 3), tshark: args.includes('--no-tshark') ? null : TSHARK });
}
// Display filter (bench/filter.mjs, issues 5/6): not part of the default run.
if (ONLY === 'filter') {
  const file = join(OUT, `bench-${N}.pcap`);
  await ensure(file, N);
  const { filterBench } = await import('./filter.mjs');
  await filterBench({ file, n: N, runs: RUNS, cli: CLI, tshark: args.includes('--no-tshark') ? null : TSHARK });
}
