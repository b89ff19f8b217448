// The NAT64 state a translate run builds: BIB entries and sessions (peak and at the end of the
// input, before the drain), per protocol. `translate --json` has no such figures, so this runs the
// same pipeline as src/replay/translate.ts (reader -> link locator -> engine; no output written)
// with the benchmark's configuration and samples the engine's public snapshots.
//   node bench/xlat-state.mjs FILE [--pool4 A/L#PORTS]   (prints one JSON object)
import { readCapture } from '../dist/src/pcap/reader.js';
import { LinkLocator } from '../dist/src/wire/link.js';
import { loadConfig } from '../dist/src/xlat/config.js';
import { Nat64Engine } from '../dist/src/xlat/nat64/nat64-engine.js';
import { XLAT_POOL4 } from './generate-xlat.mjs';

const NULL_SINK = { emit() {}, drop() {} };

/** Counts per protocol of the engine's BIB entries and sessions. */
function snapshot(engine) {
  const bib = { tcp: 0, udp: 0, icmp: 0 };
  const sessions = { tcp: 0, udp: 0, icmp: 0 };
  for (const b of engine.bibEntries()) bib[b.protocol]++;
  for (const s of engine.sessions()) sessions[s.protocol]++;
  const total = (o) => o.tcp + o.udp + o.icmp;
  return { bib: total(bib), sessions: total(sessions), bibByProtocol: bib, sessionsByProtocol: sessions };
}

export async function xlatState(file, { pool4 = XLAT_POOL4, every = 100_000 } = {}) {
  const engine = new Nat64Engine(loadConfig({ profile: 'rfc', flags: { pool4: [pool4] } }));
  const locator = new LinkLocator();
  const clock = { sec: 0, nsec: 0 };
  let n = 0;
  let peak = { bib: 0, sessions: 0 };
  await readCapture(file, (p) => {
    n++;
    clock.sec = p.tsSec;
    clock.nsec = p.tsNsec;
    if (locator.locate(p.data, p.offset, p.caplen, p.linkType) === 0) engine.advance(clock, NULL_SINK);
    else engine.process(p.data, locator.ipOff, p.caplen - locator.linkLen, clock, n, NULL_SINK);
    if (n % every === 0) {
      const s = snapshot(engine);
      if (s.sessions > peak.sessions) peak = { ...s, atPacket: n };
    }
  }, { blocking: true });
  const end = snapshot(engine);
  if (end.sessions > peak.sessions) peak = { ...end, atPacket: n };
  return { packets: n, end, peak };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const i = args.indexOf('--pool4');
  const pool4 = i >= 0 ? args.splice(i, 2)[1] : XLAT_POOL4;
  console.log(JSON.stringify(await xlatState(args[0], { pool4 })));
}
