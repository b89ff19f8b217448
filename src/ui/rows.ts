/** The packet list's text: one fixed-width line per packet, decoded on demand and cached. */
import type { CaptureModel } from '../replay/view-model.js';
import { Mark } from '../replay/view-model.js';
import { PacketDecoder } from '../wire/layer-decoder.js';
import { protocolColumn, infoColumn } from '../replay/describe.js';
import { ipv4ToString, ipv6ToString } from '../wire/addr-text.js';
import { embeddedIpv4, u32ToIpv4, DEFAULT_DISPLAY_PREFIXES } from '../replay/prefixes.js';
import { EmitKind } from '../xlat/types.js';

export interface RowCells {
  mark: string;
  num: string;
  time: string;
  addrs: string;
  proto: string;
  info: string;
  /** Live, several interfaces: the interface it was captured on ('' otherwise). */
  iface: string;
  /** Live pairing: `=` paired as the engine translates, `!` wrong, missing or unexpected, ' ' none (yet). */
  pair: string;
  /** Finding or drop: drawn in red. */
  alert: boolean;
}

function endpoint(d: PacketDecoder, off: number): string {
  if (d.ipVersion === 4) return ipv4ToString(d.bytes, off);
  const a = ipv6ToString(d.bytes, off);
  const e = embeddedIpv4(d.bytes, off, DEFAULT_DISPLAY_PREFIXES);
  return e < 0 ? a : `${a} (${u32ToIpv4(e)})`;
}

function pairMark(model: CaptureModel, row: number): string {
  const pr = model.pairingOf(row);
  if (!pr) return ' ';
  return pr.kind === 'ok' ? '=' : '!';
}

/** A bounded cache of decoded list rows. */
export class RowCache {
  private readonly map = new Map<number, RowCells>();
  private readonly d = new PacketDecoder();
  private key = '';
  constructor(private readonly limit = 1024) {}

  get(model: CaptureModel, row: number, stamp: string): RowCells {
    if (stamp !== this.key) {
      this.map.clear();
      this.key = stamp;
    }
    const hit = this.map.get(row);
    if (hit) return hit;
    const p = model.packet(row);
    const d = this.d;
    d.decode(p.data, p.offset, p.caplen, p.linkType);
    const marks = model.marks(row);
    const kinds = model.emittedKinds(row);
    let mark = ' ';
    if (marks & Mark.Finding) mark = '!';
    else if (marks & Mark.Drop) mark = '✗';
    else if (kinds & (1 << EmitKind.Reconstructed)) mark = '◂';
    else if (kinds & ((1 << EmitKind.Translated) | (1 << EmitKind.Hairpinned))) mark = '▸';
    const cells: RowCells = {
      mark,
      num: String(row + 1),
      time: (model.time(row) - model.firstTime()).toFixed(6),
      addrs: d.ipVersion ? `${endpoint(d, d.srcOff)} → ${endpoint(d, d.dstOff)}` : '',
      proto: protocolColumn(d),
      info: infoColumn(d).trimStart(),
      iface: model.interfaceOf(row) ?? '',
      pair: pairMark(model, row),
      alert: (marks & (Mark.Finding | Mark.Drop)) !== 0,
    };
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(row, cells);
    return cells;
  }
}
