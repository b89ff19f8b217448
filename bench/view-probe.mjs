// In-process measurements of the viewer for bench/view.mjs (one JSON line on stdout):
//   node bench/view-probe.mjs FILE [--pool4 P]
// - first: ms from opening the capture to the first full frame (30 rows) rendered by Ink
// - keys: ms from a key written to stdin to the changed frame, at several positions, while the
//   capture is still being indexed and after
process.env.NODE_ENV ??= 'production'; // as `nat64scope view` runs it
const { render } = await import('ink-testing-library');
const React = (await import('react')).default;
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

const here = fileURLToPath(new URL('.', import.meta.url));
const dist = join(here, '..', 'dist');
const t0 = performance.now();
const { openCaptureModel } = await import(join(dist, 'src/replay/view-model.js'));
const { Viewer } = await import(join(dist, 'src/ui/Viewer.js'));
const { loadConfig } = await import(join(dist, 'src/xlat/config.js'));
const { Dns64Hook } = await import(join(dist, 'src/replay/dns64.js'));
const { resolveDns64 } = await import(join(dist, 'cli/engine-options.js'));
const tImports = performance.now() - t0;

const args = process.argv.slice(2);
const file = args[0];
const pool4 = args.includes('--pool4') ? [args[args.indexOf('--pool4') + 1]] : undefined;
const config = loadConfig({ flags: { pool4 } });
// DNS64 as `nat64scope view` runs it (on unless --no-dns64).
let dns64 = null;
if (!args.includes('--no-dns64') && config.dns64.enabled) {
  const d = resolveDns64({}, config);
  if (d.options.prefixes.length) dns64 = new Dns64Hook(d.options, d.zone);
}

const { CaptureAnalyzer } = await import(join(dist, 'src/replay/analyze.js'));
const { fullGc, smallYoungGeneration } = await import(join(dist, 'src/replay/view-model.js'));
// As `nat64scope view`: the young generation kept small (unless --default-young).
if (!args.includes('--default-young')) smallYoungGeneration();

const t1 = performance.now();
// As `nat64scope view`: analyze's findings from the same pass and the model's own engine (an
// EngineTap: one NAT64 engine), a full GC every 128 MiB.
let analyzer = args.includes('--no-findings') ? null : new CaptureAnalyzer(config, { side: 'auto', input: file, sharedEngine: true });
let findings = null;
let summary = null;
let replayed = false;
const finish = () => {
  if (!analyzer || !summary || !replayed) return;
  findings = analyzer.finish(summary).findings;
  model.setFindings(findings);
  analyzer = null;
};
const model = openCaptureModel(file, {
  config, dns64,
  tap: analyzer ? {
    before: (p) => analyzer.beforeEngine(p),
    sink: analyzer.engineSink,
    after: (p, r) => analyzer.afterEngine(p, r),
    beforeDrain: (e) => analyzer.beforeDrain(e),
    end: () => { replayed = true; finish(); },
  } : null,
  onIndexed: analyzer ? (s) => { summary = s; finish(); } : undefined,
});
if (!args.includes('--no-gc')) model.collect = fullGc();
const app = render(React.createElement(Viewer, { model, width: 200, height: 40, tickMs: 100 }));
const frame = () => app.lastFrame() ?? '';
const tick = () => new Promise((r) => setImmediate(r));
while (!/│ 1\/[\d,]+ │/.test(frame()) || (frame().match(/\n/g) ?? []).length < 30) await tick();
const first = performance.now() - t1;
const firstCount = model.count();

/** Latency of one key: write it, wait for the frame to change. */
async function key(k) {
  const before = frame();
  const s = performance.now();
  app.stdin.write(k);
  while (frame() === before) {
    await tick();
    if (performance.now() - s > 5000) return NaN;
  }
  return performance.now() - s;
}
const median = (xs) => { const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b); return v[Math.floor(v.length / 2)]; };
const max = (xs) => Math.max(...xs);

async function series(label, keys) {
  const xs = [];
  for (const k of keys) xs.push(await key(k));
  return { label, median: median(xs), max: max(xs), n: xs.length };
}

if (args.includes('--index-only')) {
  // ink-testing-library keeps every frame it was given (a test artefact, not the viewer's
  // memory): unmount once the first screen is measured, then index to the end.
  app.unmount();
  while (!model.finished()) await new Promise((r) => setTimeout(r, 50));
  const indexMs = performance.now() - t1;
  const mu = process.memoryUsage();
  console.log(JSON.stringify({ firstMs: first, indexMs, packets: model.count(), findings: findings ? findings.length : null, indexMb: model.indexBytes() / 1048576, rssMb: mu.rss / 1048576, heapMb: mu.heapUsed / 1048576, heapTotalMb: mu.heapTotal / 1048576, externalMb: mu.external / 1048576, arrayBuffersMb: mu.arrayBuffers / 1048576 }));
  model.close();
  process.exit(0);
}

const keys = [];
// While indexing goes on in the background.
keys.push(await series(`top, while indexing (${firstCount} indexed at first screen)`, Array(20).fill('j')));
const whileIndexing = !model.finished();
while (!model.finished()) await new Promise((r) => setTimeout(r, 50));
const indexMs = performance.now() - t1;
keys.push(await series('top (j/k)', ['g', ...Array(10).fill('j'), ...Array(10).fill('k')].slice(1)));
keys.push(await series('G: jump to the last packet', ['G']));
keys.push(await series('end (k/j)', [...Array(10).fill('k'), ...Array(10).fill('j')]));
// The middle: a fresh viewer opened at the middle position.
app.unmount();
const mid = Math.floor(model.count() / 2);
const app2 = render(React.createElement(Viewer, { model, width: 200, height: 40, tickMs: 100, initialPosition: mid }));
const frame2 = () => app2.lastFrame() ?? '';
while (!frame2().includes(`│ ${(mid + 1).toLocaleString('en-US')}/`)) await tick();
async function key2(k) {
  const before = frame2();
  const s = performance.now();
  app2.stdin.write(k);
  while (frame2() === before) await tick();
  return performance.now() - s;
}
const midXs = [];
for (const k of [...Array(10).fill('j'), ...Array(10).fill('k'), '\x1b[6~', '\x1b[5~', 'x', 'x', 's', 's']) midXs.push(await key2(k));
keys.push({ label: `middle (#${mid + 1}: j/k, PgDn/PgUp, hex, sessions)`, median: median(midXs), max: max(midXs), n: midXs.length });
app2.unmount();

const mem = process.memoryUsage();
console.log(JSON.stringify({
  importsMs: tImports, firstMs: first, firstCount, whileIndexing, indexMs, packets: model.count(), keys,
  rssMb: mem.rss / 1048576, heapMb: mem.heapUsed / 1048576, indexMb: model.indexBytes() / 1048576,
}));
model.close();
process.exit(0);
