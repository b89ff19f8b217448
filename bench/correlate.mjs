// The correlate benchmark (issue 7): `correlate` of the two sides of a NAT64, each a capture of
// N packets (bench/generate-correlate.mjs: both interfaces of a translator that behaves like the
// engine, 50 µs latency), against `translate` on one of them, measured in the same run,
// interleaved. Goal: correlate < 3x translate's time; memory bounded by the skew window (peak
// RSS at N and 2N packets per side, and the most packets the correlator held at once).
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateXlat, XLAT_POOL4 } from './generate-xlat.mjs';
import { generateCorrelate } from './generate-correlate.mjs';

const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

function measure(argv) {
  const full = GNU_TIME ? [GNU_TIME, ['-f', '__RSS__ %M %U %S', process.execPath, ...argv]] : [process.execPath, argv];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(full[0], full[1], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /__RSS__ (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr ?? '');
  if (r.status !== 0 && r.status !== 1) throw new Error(`${argv.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(-500)}`);
  // CPU seconds (user + system) besides wall time: on a machine shared with other work, CPU time
  // is the steadier measure of the work done; both are printed, both ratios too.
  return { secs, cpu: m ? Number(m[2]) + Number(m[3]) : NaN, rssMb: m ? Number(m[1]) / 1024 : NaN, stdout: r.stdout, stderr: r.stderr, status: r.status };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };

async function sides(out, n) {
  const mixed = join(out, `bench-xlat-${n}.pcap`);
  const v6 = join(out, `bench-correlate-v6-${n}.pcap`);
  const v4 = join(out, `bench-correlate-v4-${n}.pcap`);
  if (!existsSync(mixed)) {
    process.stdout.write(`generating ${n} packets -> ${mixed} ... `);
    const t0 = Date.now();
    await generateXlat(mixed, n);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s`);
  }
  if (!existsSync(v6) || !existsSync(v4)) {
    process.stdout.write(`splitting into the two sides of the translator -> ${v6}, ${v4} ... `);
    const t0 = Date.now();
    const c = await generateCorrelate(mixed, v6, v4);
    console.log(`${((Date.now() - t0) / 1000).toFixed(1)} s (${c.v6} + ${c.v4} packets)`);
  }
  return { v6, v4 };
}

function summaryOf(r) {
  const last = r.stdout.trim().split('\n').pop();
  return JSON.parse(last);
}

export async function correlateBench({ cli, out, n, runs, big }) {
  const { v6, v4 } = await sides(out, n);
  const corrArgs = (a, b) => [cli, 'correlate', a, b, '--pool4', XLAT_POOL4, '--json'];
  const xlatArgs = [cli, 'translate', v6, '--pool4', XLAT_POOL4, '-w', '/dev/null', '--no-progress'];
  console.log(`\n== correlate: two captures of ${n} packets (IPv6 side ${(statSync(v6).size / 1e6).toFixed(0)} MB, IPv4 side ${(statSync(v4).size / 1e6).toFixed(0)} MB), median of ${runs} runs`);
  const cs = [];
  const ts = [];
  let s = null;
  for (let i = 0; i < runs; i++) {
    const c = measure(corrArgs(v6, v4));
    s = summaryOf(c);
    if (c.status !== 0 || s.wrong || s.missing || s.unexpected) {
      throw new Error(`correlate found problems in the generated captures (${s.wrong} wrong, ${s.missing} missing, ${s.unexpected} unexpected): the benchmark would measure reports, not pairing. Delete bench/out/bench-correlate-* and bench/out/bench-xlat-${n}.pcap.`);
    }
    cs.push(c);
    ts.push(measure(xlatArgs));
  }
  const row = (label, rs) => {
    const secs = median(rs.map((r) => r.secs));
    const cpu = median(rs.map((r) => r.cpu));
    const rss = Math.max(...rs.map((r) => r.rssMb));
    console.log(`  ${label.padEnd(58)} ${secs.toFixed(3).padStart(8)} s wall ${cpu.toFixed(3).padStart(8)} s CPU   peak ${Number.isNaN(rss) ? '   ?' : rss.toFixed(0).padStart(5)} MB`);
    return { secs, cpu, rss };
  };
  const c = row(`nat64scope correlate v6 v4 --pool4 ${XLAT_POOL4}`, cs);
  row('nat64scope translate v6 -w /dev/null (the peer)', ts);
  console.log(`  correlate: ${s.correct} pairs correct, ${s.wrong} wrong, ${s.missing} missing, ${s.unexpected} unexpected; ${s.inputs.v6 + s.inputs.v4} inputs, ${s.learntBindings} NAT64 bindings learnt; at most ${s.peakHeld} packets held at once`);
  const ratios = cs.map((r, i) => r.secs / ts[i].secs);
  const ratio = median(ratios);
  const cpuRatios = cs.map((r, i) => r.cpu / ts[i].cpu);
  const cpuRatio = median(cpuRatios);
  console.log('\nratios (lower = correlate faster):');
  console.log(`  correlate / translate, wall time: ${ratio.toFixed(2)}x   (goal < 3x) ${ratio < 3 ? 'ok' : 'MISSED'}   [per pair: ${ratios.map((x) => x.toFixed(2)).join(', ')}]`);
  console.log(`  correlate / translate, CPU time:  ${cpuRatio.toFixed(2)}x   (goal < 3x) ${cpuRatio < 3 ? 'ok' : 'MISSED'}   [per pair: ${cpuRatios.map((x) => x.toFixed(2)).join(', ')}]`);
  if (big > 0) {
    const b = await sides(out, big);
    console.log(`\n== correlate: two captures of ${big} packets: peak memory`);
    const r = measure(corrArgs(b.v6, b.v4));
    const sb = summaryOf(r);
    console.log(`  nat64scope correlate ${r.secs.toFixed(3).padStart(8)} s wall ${r.cpu.toFixed(3)} s CPU   peak ${r.rssMb.toFixed(0).padStart(5)} MB   (${sb.correct} correct, ${sb.wrong + sb.missing + sb.unexpected} problems; at most ${sb.peakHeld} packets held at once)`);
    const t = measure([cli, 'translate', b.v6, '--pool4', XLAT_POOL4, '-w', '/dev/null', '--no-progress']);
    console.log(`  nat64scope translate v6 (the peer)   ${t.secs.toFixed(3).padStart(8)} s wall ${t.cpu.toFixed(3)} s CPU   peak ${t.rssMb.toFixed(0).padStart(5)} MB`);
    console.log(`  correlate peak RSS: ${n} packets per side ${c.rss.toFixed(0)} MB, ${big} per side ${r.rssMb.toFixed(0)} MB (${(r.rssMb / c.rss).toFixed(2)}x for ${(big / n).toFixed(0)}x the packets; translate on one side: ${t.rssMb.toFixed(0)} MB)`);
  }
}
