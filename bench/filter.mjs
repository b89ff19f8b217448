// `npm run bench -- --only filter`: the display filter (SPEC §6, issue 5/6).
//  1. packets --stats --filter 'tcp and dport == 443' vs tshark -Y 'tcp.dstport == 443' on the
//     same capture (both count the matching packets; the counts must agree).
//  2. What the filter costs: decoding every packet of the capture (in this process, the file in
//     memory: no start-up or I/O noise) with and without evaluating the filter, interleaved
//     rounds; goal < 20 %. And the same through the CLI: packets --stats with a filter that keeps
//     every packet (same stats work) vs no filter, in rotating order.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const FILTER = 'tcp and dport == 443';
const TSHARK_FILTER = 'tcp.dstport == 443 && !icmp && !icmpv6';
// Same shape as FILTER, true for every packet: the filter is evaluated in full on each one.
const ALWAYS = `(${FILTER}) or not (${FILTER})`;
const DNS = 'dns.name contains "example" or not dns';

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; }

function time(cmd, argv) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 1 << 28 });
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}): ${(r.stderr ?? '').slice(-500)}`);
  return { secs, stdout: r.stdout };
}

/** Decode-only vs decode + filter, in process: per-round ratios. */
async function inProcess(file, filters) {
  const { parseCapture } = await import('../dist/src/pcap/reader.js');
  const { PacketDecoder } = await import('../dist/src/wire/layer-decoder.js');
  const { compileFilter, PacketFacts } = await import('../dist/src/filter/index.js');
  const { readFileSync } = await import('node:fs');
  const { packets } = parseCapture(new Uint8Array(readFileSync(file)));
  const dec = new PacketDecoder();
  const facts = new PacketFacts();
  const compiled = filters.map((f) => compileFilter(f));
  const pass = (f) => {
    let hits = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < packets.length; i++) {
      const p = packets[i];
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      if (f !== null && f.matchesPacket(facts.fill(p, dec))) hits++;
    }
    return { secs: Number(process.hrtime.bigint() - t0) / 1e9, hits };
  };
  for (let w = 0; w < 2; w++) { pass(null); for (const f of compiled) pass(f); } // warm up the JIT
  const ratios = compiled.map(() => []);
  const base = [];
  const hits = compiled.map(() => 0);
  for (let r = 0; r < 7; r++) {
    const b = pass(null);
    base.push(b.secs);
    compiled.forEach((f, i) => { const x = pass(f); ratios[i].push(x.secs / b.secs - 1); hits[i] = x.hits; });
  }
  const gc0 = process.memoryUsage().heapUsed;
  pass(compiled[0]);
  const grown = process.memoryUsage().heapUsed - gc0;
  return { base: median(base), ratios: ratios.map(median), hits, n: packets.length, grown };
}

export async function filterBench({ file, n, runs, cli, tshark }) {
  console.log(`\n== display filter: ${n} packets, median of ${runs} runs`);
  const ip = await inProcess(file, [FILTER, ALWAYS, DNS, 'src in 64:ff9b::/96 or embedded4 in 198.51.0.0/16']);
  console.log(`  in process, decode only: ${ip.base.toFixed(3)} s (${(ip.n / ip.base / 1e6).toFixed(2)} M packets/s); with the filter evaluated on every packet:`);
  [FILTER, ALWAYS, DNS, 'src in 64:ff9b::/96 or embedded4 in 198.51.0.0/16'].forEach((f, i) => {
    const c = ip.ratios[i];
    console.log(`    +${(c * 100).toFixed(1).padStart(5)} %  '${f}'  (${ip.hits[i]} match)${c < 0.2 ? '' : '  (goal < 20 %: MISSED)'}`);
  });
  console.log(`  heap growth over one filtered pass of ${ip.n} packets: ${(ip.grown / 1e6).toFixed(1)} MB (${(ip.grown / ip.n).toFixed(1)} bytes/packet)`);
  const ours = (filter) => [process.execPath, [cli, 'packets', '--stats', '--json', ...(filter ? ['--filter', filter] : []), file]];
  const count = (r) => JSON.parse(r.stdout).packets;

  // 2. cost of the filter: none / always-true / the real one / a DNS-name one, interleaved.
  const rows = { none: [], always: [], real: [], dns: [] };
  let matched = 0;
  for (let i = 0; i < runs; i++) {
    // Rotate the order so that no variant always runs first (or right after tshark's memory use).
    const jobs = [() => time(...ours(null)), () => time(...ours(ALWAYS)), () => time(...ours(FILTER)), () => time(...ours(DNS))];
    const res = new Array(4);
    for (let k = 0; k < 4; k++) { const j = (k + i) % 4; res[j] = jobs[j](); }
    const [a, b, c, d] = res;
    if (count(a) !== n || count(b) !== n || count(d) !== n) throw new Error(`packet counts ${count(a)} / ${count(b)} / ${count(d)}, expected ${n}`);
    matched = count(c);
    rows.none.push(a.secs); rows.always.push(b.secs); rows.real.push(c.secs); rows.dns.push(d.secs);
  }
  const line = (label, xs) => console.log(`  ${label.padEnd(64)} ${median(xs).toFixed(3).padStart(8)} s`);
  line('nat64scope packets --stats (no filter)', rows.none);
  line(`nat64scope packets --stats --filter '${FILTER}'  (${matched} match)`, rows.real);
  line(`  ... --filter '(${FILTER}) or not (…)'  (all match)`, rows.always);
  line(`  ... --filter '${DNS}'`, rows.dns);

  let ts = null;
  if (tshark) {
    const tr = [];
    let tcount = -1;
    for (let i = 0; i < Math.min(runs, 2); i++) {
      const t = time(tshark, ['-n', '-r', file, '-Y', TSHARK_FILTER, '-T', 'fields', '-e', 'frame.number']);
      tcount = t.stdout.split('\n').filter(Boolean).length;
      tr.push(t.secs);
    }
    ts = median(tr);
    line(`tshark -Y '${TSHARK_FILTER}'  (${tcount} match)`, tr);
    if (tcount !== matched) throw new Error(`tshark matched ${tcount} packets, nat64scope ${matched}`);
  } else console.log('  tshark: skipped (not installed, or --no-tshark)');

  console.log('\nratios:');
  const c = ip.ratios[1];
  console.log(`  filter cost (in process, '(${FILTER}) or not (…)' on every packet): +${(c * 100).toFixed(1)} %   (goal < 20 %) ${c < 0.2 ? 'ok' : 'MISSED'}`);
  const cost = rows.always.map((x, i) => x / rows.none[i] - 1);
  console.log(`  filter cost through the CLI (packets --stats, all match): ${(median(cost) * 100).toFixed(1)} %   [per run: ${cost.map((x) => (x * 100).toFixed(1)).join(', ')}] (process start-up and I/O included; noisy)`);
  const cd = median(rows.dns.map((x, i) => x / rows.none[i] - 1));
  console.log(`  filter cost through the CLI, DNS names decoded for every DNS packet: ${(cd * 100).toFixed(1)} %`);
  if (ts !== null) {
    const r = ts / median(rows.real);
    console.log(`  packets --stats --filter vs tshark -Y (same ${matched} packets): ${r.toFixed(1)}x faster`);
  }
}

export const TSHARK_PATH = existsSync('/usr/bin/tshark') ? '/usr/bin/tshark' : null;
