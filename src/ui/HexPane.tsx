/** Hex dumps of both packets, with the selected field's bytes highlighted in both. */
import { Box, Text } from 'ink';
import type { DetailData } from './detail-data.js';
import type { Field } from '../replay/detail.js';
import { fit } from './format.js';

export interface HexPaneProps {
  detail: DetailData | null;
  cursor: number;
  height: number;
  width: number;
}

interface Seg {
  text: string;
  hl: boolean;
}

/** One dump line: offset, hex bytes, ASCII, split into highlighted and plain segments. */
function dumpLine(bytes: Uint8Array, start: number, per: number, field: Field | null, ascii: boolean): Seg[] {
  const segs: Seg[] = [{ text: `${start.toString(16).padStart(4, '0')} `, hl: false }];
  const inField = (i: number): boolean => field !== null && field.len > 0 && i >= field.off && i < field.off + field.len;
  for (let i = start; i < start + per; i++) {
    const t = i < bytes.length ? bytes[i].toString(16).padStart(2, '0') : '  ';
    const hl = i < bytes.length && inField(i);
    segs.push({ text: ' ', hl: hl && inField(i - 1) && i > start });
    segs.push({ text: t, hl });
  }
  if (ascii) {
    segs.push({ text: '  ', hl: false });
    for (let i = start; i < start + per && i < bytes.length; i++) {
      const b = bytes[i];
      segs.push({ text: b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.', hl: inField(i) });
    }
  }
  // Merge neighbours with the same highlight.
  const out: Seg[] = [];
  for (const s of segs) {
    const last = out[out.length - 1];
    if (last && last.hl === s.hl) last.text += s.text;
    else out.push({ ...s });
  }
  return out;
}

export function HexPane(props: HexPaneProps) {
  const { detail, cursor, height, width } = props;
  if (!detail) return <Box height={height}><Text dimColor>no packet selected</Text></Box>;
  const line = detail.lines[cursor];
  const lf = line?.leftField ?? null;
  const rf = line?.rightField ?? null;
  const half = Math.floor((width - 3) / 2);
  // 5 columns of offset, 3 per byte, optional ASCII (1 per byte + 2).
  const per = half >= 5 + 16 * 4 + 2 ? 16 : half >= 5 + 16 * 3 ? 16 : half >= 5 + 8 * 4 + 2 ? 8 : 4;
  const ascii = half >= 5 + per * 4 + 2;
  const lb = detail.left.bytes;
  const rb = detail.right ? detail.right.bytes : new Uint8Array(0);
  const lLines = Math.ceil(lb.length / per);
  const rLines = Math.ceil(rb.length / per);
  const total = Math.max(lLines, rLines);
  const room = Math.max(1, height - 1);
  const focus = lf && lf.len > 0 ? Math.floor(lf.off / per) : rf && rf.len > 0 ? Math.floor(rf.off / per) : 0;
  const top = Math.max(0, Math.min(focus - Math.floor(room / 3), total - room));
  const rows = [];
  for (let i = 0; i < room; i++) {
    const li = top + i;
    const a = li < lLines ? dumpLine(lb, li * per, per, lf, ascii) : [{ text: '', hl: false }];
    const b = li < rLines ? dumpLine(rb, li * per, per, rf, ascii) : [{ text: '', hl: false }];
    const aLen = a.reduce((n, s) => n + s.text.length, 0);
    rows.push(
      <Text key={i} wrap="truncate">
        {a.map((s, j) => <Text key={j} inverse={s.hl} color={s.hl ? 'yellow' : undefined}>{s.text}</Text>)}
        {' '.repeat(Math.max(0, half - aLen))}
        <Text dimColor> │ </Text>
        {b.map((s, j) => <Text key={j} inverse={s.hl} color={s.hl ? 'yellow' : undefined}>{s.text}</Text>)}
      </Text>,
    );
  }
  const what = line ? (line.leftField?.label ?? line.rightField?.label ?? line.left.trim()) : '';
  return (
    <Box flexDirection="column" height={height} width={width}>
      <Text bold wrap="truncate">{fit(`hex: ${detail.leftTitle} (${lb.length} bytes)`, half)} │ {fit(`${detail.rightTitle} (${rb.length} bytes) — ${what}`, half)}</Text>
      {rows}
    </Box>
  );
}
