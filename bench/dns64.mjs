// `npm run bench -- --only dns64`: the DNS64 engine over a capture of N DNS packets (issue 4:
// goal >= 300k AAAA queries answered per second; memory bounded by the distinct names, not
// packets). Peer in the same run: tshark decoding the same file's DNS
// (`tshark -r F -T fields -e dns.qry.name`). Ratios per interleaved pair, median reported.
// The rate is printed per wall-clock second and per CPU-second (user + system of the process,
// from GNU time): on a shared, loaded machine only the second says what the code does.
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDns64 } from './generate-dns64.mjs';

const here = fileURLToPath(new URL('.', import.meta.url));

export async function dns64Bench({ N, RUNS, OUT, CLI, TSHARK, measure, median, ensure }) {
  const runs = Math.min(RUNS, 3);
  const file = join(OUT, `bench-dns64-${N}.pcap`);
  await ensure(file, N, generateDns64);
  console.log(`\n== dns64: ${N} DNS packets (${(statSync(file).size / 1e6).toFixed(0)} MB, 20000 names), median of ${runs} interleaved pairs`);
  const ours = (f) => measure('/bin/sh', ['-c', `exec "${process.execPath}" "${CLI}" dns64 "${f}" --json > /dev/null`]);
  const answered = (r) => Number((/dns64: (\d+) queries answered/.exec(r.stderr) ?? [])[1]);
  const rows = [];
  for (let i = 0; i < runs; i++) {
    const o = ours(file);
    const q = answered(o);
    if (q !== N / 4) throw new Error(`dns64 answered ${q} queries, expected ${N / 4}: ${o.stderr}`);
    const t = TSHARK ? measure('/bin/sh', ['-c', `exec ${TSHARK} -r "${file}" -T fields -e dns.qry.name > /dev/null`]) : null;
    rows.push({ o, t, qps: q / o.secs, cpuQps: q / o.cpuSecs });
  }
  const qps = median(rows.map((r) => r.qps));
  const cpuQps = median(rows.map((r) => r.cpuQps));
  const secs = median(rows.map((r) => r.o.secs));
  const cpu = median(rows.map((r) => r.o.cpuSecs));
  const rate = (x) => (Number.isNaN(x) ? '?' : `${(x / 1000).toFixed(0)}k`);
  console.log(`  nat64scope dns64 --json > /dev/null   ${secs.toFixed(3).padStart(8)} s   peak ${Math.max(...rows.map((r) => r.o.rssMb)).toFixed(0).padStart(5)} MB   ${rate(qps)} queries answered/s wall (goal >= 300k/s) ${qps >= 300000 ? 'ok' : 'MISSED'}`);
  console.log(`    CPU ${Number.isNaN(cpu) ? '?' : cpu.toFixed(2)} s (user + system) = ${rate(cpuQps)} queries answered per CPU-second (the same goal in CPU time, what a loaded machine still measures) ${cpuQps >= 300000 ? 'ok' : 'MISSED'}`);
  if (TSHARK) {
    const ts = median(rows.map((r) => r.t.secs));
    const ratio = median(rows.map((r) => r.t.secs / r.o.secs));
    console.log(`  tshark -T fields -e dns.qry.name        ${ts.toFixed(3).padStart(8)} s   peak ${Math.max(...rows.map((r) => r.t.rssMb)).toFixed(0).padStart(5)} MB`);
    console.log(`  dns64 vs tshark decoding the DNS: ${ratio.toFixed(2)}x faster   [per pair: ${rows.map((r) => (r.t.secs / r.o.secs).toFixed(2)).join(', ')}]`);
    const cpuRatio = median(rows.map((r) => r.t.cpuSecs / r.o.cpuSecs));
    console.log(`  in CPU time: tshark ${median(rows.map((r) => r.t.cpuSecs)).toFixed(2)} s, dns64 ${cpu.toFixed(2)} s: ${cpuRatio.toFixed(2)}x`);
  } else console.log('  (no tshark: no peer ratio)');
  // Memory flat in packets: the same 20000 names over twice the packets.
  const file2 = join(OUT, `bench-dns64-${2 * N}.pcap`);
  await ensure(file2, 2 * N, generateDns64);
  const o2 = ours(file2);
  if (answered(o2) !== N / 2) throw new Error(`dns64 answered ${answered(o2)} on ${2 * N} packets`);
  const r1 = Math.max(...rows.map((r) => r.o.rssMb));
  console.log(`  peak RSS: ${N} packets ${r1.toFixed(0)} MB, ${2 * N} packets ${o2.rssMb.toFixed(0)} MB (${(o2.rssMb / r1).toFixed(2)}x for 2x the packets; names held: ${(/(\d+) names held/.exec(o2.stderr) ?? [])[1]})`);
  // RSS includes collector slack; the live heap after a full GC is what the names bound.
  const heap = (f) => JSON.parse(measure(process.execPath, ['--expose-gc', join(here, 'dns64-heap.mjs'), f]).stdout);
  const h1 = heap(file);
  const h2 = heap(file2);
  console.log(`  live heap after GC: ${N} packets ${h1.liveHeapMb.toFixed(1)} MB, ${2 * N} packets ${h2.liveHeapMb.toFixed(1)} MB (${h2.names} names held both times)`);
  return { qps, cpuQps, rss1: r1, rss2: o2.rssMb, heap1: h1.liveHeapMb, heap2: h2.liveHeapMb, exists: existsSync(file) };
}
