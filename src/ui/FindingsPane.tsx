/** `analyze`'s findings: Enter jumps to a finding's first packet, n/N to its next/previous one. */
import { Box, Text } from 'ink';
import type { Finding } from '../diag/finding.js';
import { fit } from './format.js';

export interface FindingsPaneProps {
  findings: readonly Finding[];
  state: 'pending' | 'ready' | 'unavailable';
  sel: number;
  height: number;
  width: number;
  focused: boolean;
}

const SEV_COLOR = { error: 'red', warning: 'yellow', info: 'cyan' } as const;

export function FindingsPane(props: FindingsPaneProps) {
  const { findings, state, sel, height, width, focused } = props;
  if (findings.length === 0) {
    const why = state === 'pending' ? 'analyzing…' : state === 'unavailable' ? 'analyze is not available in this build' : 'no findings';
    return <Box height={height}><Text dimColor>{why}</Text></Box>;
  }
  const f = findings[Math.min(sel, findings.length - 1)];
  const detailLines = [f.detail, `fix: ${f.fix}`, ...(f.awsFix ? [`aws: ${f.awsFix}`] : []), `packets: ${f.packets.slice(0, 20).map((n) => `#${n}`).join(' ')}${f.packets.length > 20 ? ' …' : ''}`];
  const listRoom = Math.max(1, height - detailLines.length - 1);
  const top = Math.max(0, Math.min(sel - Math.floor(listRoom / 2), findings.length - listRoom));
  const items = findings.slice(top, top + listRoom).map((x, i) => {
    const idx = top + i;
    const text = `${x.severity.padEnd(7)} ${x.id.padEnd(28)} ${x.title} (${x.packets.length} packet${x.packets.length === 1 ? '' : 's'})`;
    return (
      <Text key={idx} inverse={idx === sel} bold={idx === sel && focused} color={SEV_COLOR[x.severity]} wrap="truncate">
        {fit(text, width)}
      </Text>
    );
  });
  return (
    <Box flexDirection="column" height={height} width={width}>
      {items}
      <Text dimColor>{'─'.repeat(Math.max(0, width))}</Text>
      {detailLines.map((l, i) => <Text key={`d${i}`} wrap="truncate">{fit(l, width)}</Text>)}
    </Box>
  );
}
