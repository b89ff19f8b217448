// The correlate benchmark's captures (issue 7): the two sides of a NAT64, as two captures, made
// from the translate benchmark's mixed capture (bench/generate-xlat.mjs: IPv6 clients' packets and
// the IPv4 servers' replies). Every packet of it goes to the capture of its side; what the
// engine emits for it (built dist/, the benchmark's configuration) goes to the other side's
// capture, stamped LATENCY later -- what captures on both interfaces of a translator that behaves
// exactly like the engine would hold. Ethernet, classic pcap, microseconds, like the input.
import { openCaptureWriter } from '../dist/src/pcap/writer.js';
import { readCapture } from '../dist/src/pcap/reader.js';
import { loadConfig } from '../dist/src/xlat/config.js';
import { createEngine } from '../dist/src/xlat/engine.js';
import { XLAT_POOL4 } from './generate-xlat.mjs';

/** Seconds between a packet and its translation in the generated captures. */
export const CORRELATE_LATENCY = 0.00005;

export async function generateCorrelate(mixed, v6Path, v4Path, { latency = CORRELATE_LATENCY } = {}) {
  const engine = createEngine(loadConfig({ profile: 'rfc', flags: { pool4: [XLAT_POOL4] } }));
  const w6 = await openCaptureWriter(v6Path, { format: 'pcap', linkType: 1, force: true });
  const w4 = await openCaptureWriter(v4Path, { format: 'pcap', linkType: 1, force: true });
  const frame = new Uint8Array(65536 + 14);
  const counts = { v6: 0, v4: 0, dropped: 0 };
  let cur = null;
  const clock = { sec: 0, nsec: 0 };
  const sink = {
    emit(bytes, off, len, family) {
      // Ethernet header of the input, EtherType of the output family.
      frame.set(cur.data.subarray(cur.offset, cur.offset + 12), 0);
      frame[12] = family === 6 ? 0x86 : 0x08;
      frame[13] = family === 6 ? 0xdd : 0x00;
      frame.set(bytes.subarray(off, off + len), 14);
      let nsec = clock.nsec + Math.round(latency * 1e9);
      let sec = clock.sec;
      if (nsec >= 1e9) { sec++; nsec -= 1e9; }
      nsec = Math.floor(nsec / 1000) * 1000;
      (family === 6 ? w6 : w4).write(frame, 0, 14 + len, sec, nsec);
      counts[family === 6 ? 'v6' : 'v4']++;
    },
    drop() { counts.dropped++; },
    clock,
  };
  await readCapture(mixed, (p) => {
    cur = p;
    const v = p.data[p.offset + 12] === 0x86 ? 6 : 4;
    (v === 6 ? w6 : w4).write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec);
    counts[v === 6 ? 'v6' : 'v4']++;
    clock.sec = p.tsSec;
    clock.nsec = p.tsNsec;
    engine.process(p.data, p.offset + 14, p.caplen - 14, clock, 0, sink);
  }, { blocking: true });
  await w6.close();
  await w4.close();
  return counts;
}
