// `node bench/run.mjs --only analyze` (issue 5): analyze of a generated two-sided NAT64 capture
// (bench/generate-xlat.mjs: IPv6 clients through 64:ff9b::/96 and the servers' IPv4 replies,
// ~40k flows per 1M packets) side by side with tshark's default pass over the same file
// (`tshark -r FILE > /dev/null`: one summary line per packet, the cheapest full dissection).
// Goals: at least 12x faster than tshark; peak memory under 250 MB on 5M packets.
// tshark takes about a minute per million packets here, so by default it runs once on the 1M
// capture and the ratio is taken there; --tshark-big also runs it on the 5M capture.
import { join } from 'node:path';
import { statSync } from 'node:fs';

export async function analyzeBench(ctx) {
  const { OUT, N, BIG, RUNS, args, measure, median, ensure, CLI, TSHARK, generateXlat, XLAT_POOL4 } = ctx;
  const cmd = (file) => [process.execPath, [CLI, 'analyze', file, '--pool4', XLAT_POOL4, '--json', '--no-progress']];
  const check = (r, n) => {
    const lines = r.stdout.trim().split('\n');
    const s = JSON.parse(lines[lines.length - 1]);
    if (s.type !== 'summary' || s.packets !== n) throw new Error(`analyze read ${s.packets} packets, expected ${n}`);
    return s;
  };
  const tsharkCmd = (file) => ['/bin/sh', ['-c', `exec ${TSHARK} -r '${file}' > /dev/null`]];
  const file = join(OUT, `bench-xlat-${N}.pcap`);
  await ensure(file, N, generateXlat);
  console.log(`\n== analyze: ${N} packets (${(statSync(file).size / 1e6).toFixed(0)} MB, both sides of a NAT64), median of ${RUNS} runs`);
  const ours = [];
  let s = null;
  for (let i = 0; i < RUNS; i++) {
    const r = measure(...cmd(file));
    s = check(r, N);
    ours.push(r);
  }
  const secs = median(ours.map((r) => r.secs));
  const rss = Math.max(...ours.map((r) => r.rssMb));
  const row = (label, t, m, n) => console.log(`  ${label.padEnd(58)} ${t.toFixed(3).padStart(8)} s   peak ${Number.isNaN(m) ? '   ?' : m.toFixed(0).padStart(5)} MB   ${(n / t / 1e6).toFixed(2)} M packets/s`);
  row(`nat64scope analyze --pool4 ${XLAT_POOL4} --json`, secs, rss, N);
  console.log(`  ${s.flows} flows (${s.failingFlows} failing, peak ${s.peakLiveFlows} live), ${s.translated} translated, ${s.reconstructed} reconstructed, findings ${JSON.stringify(s.findings)}`);
  let t = null;
  if (TSHARK && !args.includes('--no-tshark')) {
    t = measure(...tsharkCmd(file));
    row('tshark -r FILE > /dev/null (default pass)', t.secs, t.rssMb, N);
    console.log('\nratio (higher = nat64scope faster):');
    const r = t.secs / secs;
    console.log(`  analyze vs tshark: ${r.toFixed(2)}x   (goal >= 12x) ${r >= 12 ? 'ok' : 'MISSED'}; memory ${(t.rssMb / rss).toFixed(1)}x less`);
  } else console.log('  tshark: skipped (not installed, or --no-tshark)');

  if (BIG > 0) {
    const big = join(OUT, `bench-xlat-${BIG}.pcap`);
    await ensure(big, BIG, generateXlat);
    console.log(`\n== analyze: ${BIG} packets (${(statSync(big).size / 1e6).toFixed(0)} MB): peak memory`);
    const b = measure(...cmd(big));
    const sb = check(b, BIG);
    row('nat64scope analyze', b.secs, b.rssMb, BIG);
    console.log(`  ${sb.flows} flows (peak ${sb.peakLiveFlows} live)`);
    console.log(`  peak ${b.rssMb.toFixed(0)} MB (goal < 250 MB) ${Number.isNaN(b.rssMb) ? '?' : b.rssMb < 250 ? 'ok' : 'MISSED'}; ${N} packets: ${rss.toFixed(0)} MB`);
    if (TSHARK && args.includes('--tshark-big')) {
      const tb = measure(...tsharkCmd(big));
      row('tshark -r FILE > /dev/null', tb.secs, tb.rssMb, BIG);
      const r = tb.secs / b.secs;
      console.log(`  analyze vs tshark on ${BIG}: ${r.toFixed(2)}x   (goal >= 12x) ${r >= 12 ? 'ok' : 'MISSED'}; memory ${(tb.rssMb / b.rssMb).toFixed(1)}x less`);
    } else if (t) console.log(`  tshark on ${BIG} packets not run (about ${((t.secs * BIG) / N / 60).toFixed(0)} min at its ${N}-packet rate; --tshark-big runs it): the ratio above is on ${N} packets`);
  }
}
