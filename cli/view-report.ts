/**
 * What `view` needs of `analyze`: the findings for the findings pane, and the report printed on a
 * non-terminal.
 */
import type { Finding } from '../src/diag/finding.js';
import type { EngineConfig } from '../src/xlat/config-types.js';
import { readInput } from './capture.js';
import { PacketDecoder } from '../src/wire/layer-decoder.js';
import { packetLine } from '../src/replay/describe.js';
import { LineOutput } from './output.js';

export async function loadFindings(_input: string, _config: EngineConfig): Promise<{ findings: Finding[]; available: boolean }> {
  return { findings: [], available: false };
}

/** The report for a non-terminal: until analyze exists, the packets listing. */
export async function printReport(input: string, _config: EngineConfig): Promise<void> {
  const dec = new PacketDecoder();
  const out = new LineOutput();
  let t0 = NaN;
  try {
    await readInput(input, (p) => {
      if (out.closed) return false;
      dec.decode(p.data, p.offset, p.caplen, p.linkType);
      const ts = p.tsSec + p.tsNsec / 1e9;
      if (Number.isNaN(t0)) t0 = ts;
      out.line(packetLine(p, dec, ts - t0));
      return true;
    }, { afterChunk: () => out.flush(), blocking: true });
  } finally {
    await out.end();
  }
}
