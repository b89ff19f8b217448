/** `?`: every key. */
import { Box, Text } from 'ink';

export const KEYS: readonly [string, string][] = [
  ['j / ↓, k / ↑', 'next / previous packet (or line, in the focused pane)'],
  ['PgDn / PgUp', 'one screen down / up'],
  ['g / Home, G / End', 'first / last packet (G also follows new packets)'],
  ['Tab', 'move focus between the packet list and the lower pane'],
  ['Enter', 'detail: fold / unfold a layer; findings: jump to the first packet'],
  ['[ / ]', 'previous / next packet the translator emitted (fragments, errors)'],
  ['/', 'display filter (SPEC §6), live ✓/✗ mark; Enter applies, empty clears, Esc cancels'],
  ['f', 'follow the selected flow (filter to its packets, both directions); again to clear'],
  ['s', 'sessions pane: BIB and sessions as of the selected packet'],
  ['d', 'findings pane (analyze); n / N next / previous packet of the finding'],
  ['x', 'hex pane: both packets, the selected field highlighted'],
  ['v', 'back to the side-by-side detail pane'],
  ['w', 'write the translated capture of what is shown (asks for a file name)'],
  ['W', 'write the original packets shown (asks for a file name)'],
  ['?', 'this help (any key closes it)'],
  ['q / Ctrl-C', 'quit'],
];

export function HelpOverlay(props: { width: number; height: number }) {
  const w = Math.min(props.width, 100);
  const keyW = 20;
  return (
    <Box flexDirection="column" borderStyle="round" width={w} paddingX={1}>
      <Text bold>nat64scope view — keys</Text>
      {KEYS.slice(0, Math.max(1, props.height - 4)).map(([k, d]) => (
        <Text key={k} wrap="truncate">
          <Text color="cyan">{k.padEnd(keyW)}</Text>
          {d}
        </Text>
      ))}
    </Box>
  );
}
