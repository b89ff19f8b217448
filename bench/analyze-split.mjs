// Where analyze's time goes, in one process (issue 5): CPU time (process.cpuUsage, user+sys) of
//   read    - readCapture over the file, nothing done per packet;
//   engine  - read + link locate + the NAT64 engine as analyze runs it (--side auto: reconstruct,
//             else process; a sink that keeps nothing), i.e. the part of analyze that is the engine;
//   analyze - read + CaptureAnalyzer (decode, engine, flows, DNS, checksums, rules) + finish.
// Rounds are interleaved; the minimum of each is printed (the machine is shared), then the split:
// engine = engine - read, analyze's own = analyze - engine.
//   node bench/analyze-split.mjs FILE [ROUNDS] [--pool4 P]
import { readCapture } from '../dist/src/pcap/reader.js';
import { LinkLocator } from '../dist/src/wire/link.js';
import { createEngine } from '../dist/src/xlat/engine.js';
import { CaptureAnalyzer } from '../dist/src/replay/analyze.js';
import { resolveEngineConfig } from '../dist/cli/engine-options.js';
import { XLAT_POOL4 } from './generate-xlat.mjs';

const file = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
const pi = process.argv.indexOf('--pool4');
const config = resolveEngineConfig({ pool4: [pi > 0 ? process.argv[pi + 1] : XLAT_POOL4] });

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function readOnly() {
  let n = 0;
  await readCapture(file, () => { n++; }, { blocking: true });
  return n;
}

async function engineOnly() {
  const engine = createEngine(config);
  const loc = new LinkLocator();
  const clock = { sec: 0, nsec: 0 };
  // emitSplit as analyze's sink has it (engines that know it skip joining head and payload).
  const sink = { emitted: 0, emit() { this.emitted++; }, emitSplit() { this.emitted++; }, drop() {}, clock };
  let n = 0;
  await readCapture(file, (p) => {
    n++;
    clock.sec = p.tsSec;
    clock.nsec = p.tsNsec;
    const v = loc.locate(p.data, p.offset, p.caplen, p.linkType);
    if (v === 0) return engine.advance(clock, sink);
    const ipLen = p.caplen - loc.linkLen;
    if (!engine.reconstruct(p.data, loc.ipOff, ipLen, clock, n, sink)) engine.process(p.data, loc.ipOff, ipLen, clock, n, sink);
  }, { blocking: true });
  engine.drain(sink);
  return n;
}

async function analyzeAll() {
  const a = new CaptureAnalyzer(config, { input: file });
  const read = await readCapture(file, (p) => a.push(p), { blocking: true });
  a.finish(read);
  return read.packets;
}

const runs = { read: [], engine: [], analyze: [] };
const fns = { read: readOnly, engine: engineOnly, analyze: analyzeAll };
let packets = 0;
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(fns)) {
    const t0 = cpu();
    packets = await fns[k]();
    runs[k].push(cpu() - t0);
  }
}
const min = (xs) => Math.min(...xs);
const t = { read: min(runs.read), engine: min(runs.engine), analyze: min(runs.analyze) };
console.log(`${packets} packets, CPU s (min of ${rounds}): read ${t.read.toFixed(3)}, read+engine ${t.engine.toFixed(3)}, analyze ${t.analyze.toFixed(3)}`);
console.log(`split: reader ${t.read.toFixed(3)} s, engine ${(t.engine - t.read).toFixed(3)} s, analyze's own ${(t.analyze - t.engine).toFixed(3)} s `
  + `(engine ${((100 * (t.engine - t.read)) / t.analyze).toFixed(0)}% of analyze, own ${((100 * (t.analyze - t.engine)) / t.analyze).toFixed(0)}%)`);
