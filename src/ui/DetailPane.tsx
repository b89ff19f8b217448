/** Side by side: the captured packet on the left, what the translator made of it on the right. */
import { Box, Text } from 'ink';
import type { ReactElement } from 'react';
import type { DetailData } from './detail-data.js';
import { fit } from './format.js';

export interface DetailPaneProps {
  detail: DetailData | null;
  /** Index into detail.lines of the selected line. */
  cursor: number;
  height: number;
  width: number;
  focused: boolean;
}

export function DetailPane(props: DetailPaneProps) {
  const { detail, cursor, height, width, focused } = props;
  if (!detail) {
    return (
      <Box height={height} width={width}>
        <Text dimColor>no packet selected</Text>
      </Box>
    );
  }
  const half = Math.floor((width - 3) / 2);
  const head: ReactElement[] = [];
  head.push(
    <Text key="t" bold wrap="truncate">
      {fit(detail.leftTitle, half)} │ {fit(detail.rightTitle, half)}
    </Text>,
  );
  const extra: { text: string; color: string }[] = [];
  if (detail.dropText) extra.push({ text: detail.dropText, color: 'red' });
  if (detail.pairing) extra.push({ text: detail.pairing.text, color: detail.pairing.ok ? 'green' : 'red' });
  for (const l of detail.dns64Lines) extra.push({ text: l, color: 'magenta' });
  if (detail.checksums.length) extra.push({ text: `checksums: ${detail.checksums.join('; ')}`, color: 'cyan' });
  for (const [i, e] of extra.entries()) {
    head.push(
      <Text key={`e${i}`} color={e.color} wrap="truncate">
        {fit(e.text, width)}
      </Text>,
    );
  }
  const room = Math.max(1, height - head.length);
  const lines = detail.lines;
  const top = Math.max(0, Math.min(cursor - Math.floor(room / 2), lines.length - room));
  const body = [];
  for (let i = 0; i < room; i++) {
    const li = top + i;
    const l = lines[li];
    if (!l) {
      body.push(<Text key={i}> </Text>);
      continue;
    }
    const sel = focused && li === cursor;
    const color = l.changed ? 'yellow' : undefined;
    body.push(
      <Text key={i} wrap="truncate">
        <Text inverse={sel} bold={l.header} color={color}>{fit(l.left, half)}</Text>
        <Text dimColor> │ </Text>
        <Text inverse={sel} bold={l.header} color={color}>{fit(l.right, half)}</Text>
      </Text>,
    );
  }
  return (
    <Box flexDirection="column" height={height} width={width}>
      {head}
      {body}
    </Box>
  );
}
