/** The virtualised packet list: only the visible rows are read, decoded and drawn. */
import { Box, Text } from 'ink';
import type { CaptureModel } from '../replay/view-model.js';
import type { RowCache } from './rows.js';
import { fit, fitRight } from './format.js';

export interface PacketListProps {
  model: CaptureModel;
  cache: RowCache;
  /** Cache key: changes when marks or the capture's outcome change. */
  stamp: string;
  /** First shown position on screen, and the selected position. */
  top: number;
  sel: number;
  /** Rows of packets (the header line is extra). */
  height: number;
  width: number;
  focused: boolean;
}

/**
 * Column widths for a terminal width. `iface` > 0 (live: several interfaces, or pairing): the
 * interface column's width, then the pairing mark.
 */
export function listColumns(width: number, iface = 0): { num: number; time: number; iface: number; addrs: number; proto: number; info: number } {
  const num = 7;
  const time = 11;
  const proto = 7;
  const ifw = iface > 0 ? iface + 3 : 0;
  const rest = Math.max(10, width - 1 - num - time - proto - 4 - ifw);
  const addrs = Math.min(Math.max(24, Math.floor(rest * 0.55)), 90);
  return { num, time, iface, addrs, proto, info: Math.max(0, rest - addrs) };
}

/**
 * Width of the interface column: the longest name (at most 8; 0 without the column). Shown when
 * live captures several interfaces or pairs packets (the pairing mark needs the column).
 */
export function ifaceColumnWidth(model: CaptureModel): number {
  const names = model.interfaces();
  if (names.length < 2 && !model.hasPairing()) return 0;
  let w = 2;
  for (const n of names) w = Math.max(w, Math.min(8, n.length));
  return w;
}

export function PacketList(props: PacketListProps) {
  const { model, cache, stamp, top, sel, height, width, focused } = props;
  const c = listColumns(width, ifaceColumnWidth(model));
  const shown = model.shownCount();
  const ifHead = c.iface ? `${fit('If', c.iface)} ⇄ ` : '';
  const header = ` ${fitRight('No.', c.num)} ${fit('Time', c.time)} ${ifHead}${fit('Source → Destination', c.addrs)} ${fit('Proto', c.proto)} ${fit('Info', c.info)}`;
  const lines = [];
  for (let i = 0; i < height; i++) {
    const pos = top + i;
    if (pos >= shown) {
      lines.push(<Text key={i}> </Text>);
      continue;
    }
    const row = model.shownRow(pos);
    const r = cache.get(model, row, stamp);
    const ifCell = c.iface ? `${fit(r.iface, c.iface)} ${r.pair} ` : '';
    const text = `${r.mark}${fitRight(r.num, c.num)} ${fitRight(r.time, c.time)} ${ifCell}${fit(r.addrs, c.addrs)} ${fit(r.proto, c.proto)} ${fit(r.info, c.info)}`;
    const selected = pos === sel;
    lines.push(
      <Text key={i} inverse={selected} color={r.alert ? 'red' : undefined} bold={selected && focused} wrap="truncate">
        {text}
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" width={width}>
      <Text bold underline={focused} wrap="truncate">{fit(header, width)}</Text>
      {lines}
    </Box>
  );
}
