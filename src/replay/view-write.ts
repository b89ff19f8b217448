/**
 * The viewer's `w` and `W` (SPEC §7): write what the viewer shows (the filter applied) — the
 * original packets, or their translation as `translate -w` would write it (`--side auto`, the
 * model's engine configuration, numbers of the original capture in the comments).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unlink } from 'node:fs/promises';
import { openCaptureWriter, formatForPath, type CaptureWriter } from '../pcap/writer.js';
import type { CaptureModel } from './view-model.js';
import { translateCapture, summaryText } from './translate.js';
import type { Dns64Hook } from './dns64.js';

export interface WriteResult {
  packets: number;
  /** One line for the status bar. */
  message: string;
}

/** Writes the original packets at the shown positions to `path` (pcap or pcapng by extension). */
async function writeOriginals(model: CaptureModel, path: string, force: boolean, format: 'pcap' | 'pcapng'): Promise<number> {
  const shown = model.shownCount();
  let w: CaptureWriter | null = null;
  const ifs = new Map<number, number>();
  try {
    w = await openCaptureWriter(path, { format, force });
    // Live: positions below shownFirst have left the model's window.
    const first = model.shownFirst();
    for (let i = first; i < shown; i++) {
      const p = model.packet(model.shownRow(i));
      let ifi = ifs.get(p.linkType);
      if (ifi === undefined) {
        ifi = w.addInterface(p.linkType, null);
        ifs.set(p.linkType, ifi);
      }
      w.write(p.data, p.offset, p.caplen, p.tsSec, p.tsNsec, p.origLen, ifi, null);
    }
    await w.close();
    return shown - first;
  } catch (e) {
    if (w) await w.abort().catch(() => undefined);
    throw e;
  }
}

export async function writeShown(model: CaptureModel, what: 'translated' | 'original', path: string, opts: { force?: boolean; dns64?: (() => Dns64Hook) | null } = {}): Promise<WriteResult> {
  const force = opts.force ?? false;
  const partial = model.finished() ? '' : ' (indexing not finished: packets so far)';
  if (what === 'original') {
    const n = await writeOriginals(model, path, force, formatForPath(path));
    return { packets: n, message: `wrote ${n} original packets to ${path}${partial}` };
  }
  // Translation: the shown originals go through the translate pipeline, numbered as in the capture.
  const temp = join(tmpdir(), `nat64scope-view-${process.pid}-${Date.now()}.pcapng`);
  const rows: number[] = [];
  const shown = model.shownCount();
  for (let i = model.shownFirst(); i < shown; i++) rows.push(model.shownRow(i));
  try {
    await writeOriginals(model, temp, true, 'pcapng');
    // DNS64 as the viewer ran it (a fresh engine: its A data from the packets written).
    const dns64 = opts.dns64 ? opts.dns64() : null;
    const s = await translateCapture({ input: temp, output: path, force, config: model.config, side: 'auto', blocking: true, dns64, numbers: (n) => (rows[n - 1] ?? n - 1) + 1 });
    return { packets: s.packetsOut, message: `${summaryText(s).replace(/^translate: /, `wrote ${path}: `)}${partial}` };
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}
