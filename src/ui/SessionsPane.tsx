/** The NAT64 BIB and session tables as of the selected packet, its own session highlighted. */
import { Box, Text } from 'ink';
import type { SessionsAt } from '../replay/view-model.js';
import type { SessionSnapshot, BibSnapshot } from '../xlat/nat64/nat64-engine.js';
import { ipv6ToString } from '../wire/addr-text.js';
import { u32ToIpv4 } from '../replay/prefixes.js';
import { fit } from './format.js';

/** The selected packet's addresses and ports, to find its session. */
export interface PacketTuple {
  version: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
}

export interface SessionsPaneProps {
  tables: SessionsAt | null;
  /** Row (0-based) of the selected packet, and its capture time in seconds. */
  row: number;
  now: number;
  tuple: PacketTuple | null;
  scroll: number;
  height: number;
  width: number;
  mode: string;
}

export function sessionMatches(s: SessionSnapshot, t: PacketTuple | null): boolean {
  if (!t) return false;
  if (t.version === 6) {
    const src = ipv6ToString(s.v6.src, 0);
    const dst = ipv6ToString(s.v6.dst, 0);
    return (t.src === src && t.sport === s.v6.sport && t.dst === dst && t.dport === s.v6.dport) || (t.dst === src && t.dport === s.v6.sport && t.src === dst && t.sport === s.v6.dport);
  }
  const src = u32ToIpv4(s.v4.src);
  const dst = u32ToIpv4(s.v4.dst);
  return (t.src === src && t.sport === s.v4.sport && t.dst === dst && t.dport === s.v4.dport) || (t.dst === src && t.dport === s.v4.sport && t.src === dst && t.sport === s.v4.dport);
}

function sessionLine(s: SessionSnapshot, now: number): string {
  const exp = s.expires.sec + s.expires.nsec / 1e9 - now;
  const v6 = `[${ipv6ToString(s.v6.src, 0)}]:${s.v6.sport} → [${ipv6ToString(s.v6.dst, 0)}]:${s.v6.dport}`;
  const v4 = `${u32ToIpv4(s.v4.src)}:${s.v4.sport} → ${u32ToIpv4(s.v4.dst)}:${s.v4.dport}`;
  return `${s.protocol.padEnd(4)} ${v6}  ⇄  ${v4}  ${s.state}  expires in ${exp.toFixed(1)} s`;
}

function bibLine(b: BibSnapshot): string {
  return `${b.protocol.padEnd(4)} [${ipv6ToString(b.ipv6, 0)}]:${b.port6} ⇄ ${u32ToIpv4(b.ipv4)}:${b.port4}${b.isStatic ? ' static' : ''}  ${b.sessions} session${b.sessions === 1 ? '' : 's'}`;
}

export function SessionsPane(props: SessionsPaneProps) {
  const { tables, row, now, tuple, scroll, height, width, mode } = props;
  if (mode === 'siit') {
    return <Box height={height}><Text dimColor>SIIT is stateless: no BIB, no sessions (--mode siit)</Text></Box>;
  }
  if (!tables) {
    return <Box height={height}><Text dimColor>no NAT64 state yet at packet #{row + 1}</Text></Box>;
  }
  const lines: { text: string; hl: boolean; head?: boolean }[] = [];
  const asOf = tables.row === row ? `packet #${row + 1}` : `packet #${tables.row + 1} (latest snapshot before #${row + 1})`;
  lines.push({ text: `Sessions as of ${asOf}: ${tables.sessionTotal}${tables.sessions.length < tables.sessionTotal ? ` (latest ${tables.sessions.length} shown)` : ''}`, hl: false, head: true });
  for (const s of tables.sessions) lines.push({ text: ` ${sessionLine(s, now)}`, hl: sessionMatches(s, tuple) });
  lines.push({ text: `BIB: ${tables.bibTotal} entries${tables.bib.length < tables.bibTotal ? ` (first ${tables.bib.length} shown)` : ''}`, hl: false, head: true });
  for (const b of tables.bib) lines.push({ text: ` ${bibLine(b)}`, hl: false });
  const hlAt = lines.findIndex((l) => l.hl);
  const start = Math.max(0, Math.min(scroll + (hlAt > height - 1 ? hlAt - Math.floor(height / 2) : 0), Math.max(0, lines.length - height)));
  return (
    <Box flexDirection="column" height={height} width={width}>
      {lines.slice(start, start + height).map((l, i) => (
        <Text key={i} bold={l.head} inverse={l.hl} color={l.hl ? 'green' : undefined} wrap="truncate">
          {fit(l.text, width)}
        </Text>
      ))}
    </Box>
  );
}
