/**
 * The `analyze` report: text (colour when asked, wrapped to a width), SPEC §5 JSON lines, the
 * `--export` NDJSON records, and the total over several captures. Pure functions of
 * {@link AnalyzeResult}: strings are made here and nowhere below.
 */
import type { AnalyzeResult } from './result.js';
import type { Finding, Severity } from './finding.js';
import { SEVERITY_RANK } from './finding.js';
import type { FlowRecord } from './flows.js';

export interface TextOptions {
  color: boolean;
  width: number;
  /** Flows listed: the failing ones (default) or all. */
  flows: 'matter' | 'all';
  /** Most flows listed in text (the JSON and the export hold them all). */
  maxFlows?: number;
}

const SGR = { reset: '\x1b[0m', bold: '\x1b[1m', dim: '\x1b[2m', red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', cyan: '\x1b[36m' };

function paint(on: boolean, codes: string, s: string): string {
  return on ? `${codes}${s}${SGR.reset}` : s;
}

/** Wraps `text` to `width` columns, every line after the first indented by `indent` spaces. */
export function wrap(text: string, width: number, indent: number, firstIndent = indent): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = ' '.repeat(firstIndent);
  let empty = true;
  const max = Math.max(width, indent + 20);
  for (const w of words) {
    if (!empty && line.length + 1 + w.length > max) {
      lines.push(line);
      line = ' '.repeat(indent) + w;
    } else {
      line += (empty ? '' : ' ') + w;
    }
    empty = false;
  }
  lines.push(line);
  return lines.join('\n');
}

function sevLabel(s: Severity, color: boolean): string {
  const t = s.toUpperCase().padEnd(7);
  return paint(color, s === 'error' ? SGR.bold + SGR.red : s === 'warning' ? SGR.bold + SGR.yellow : SGR.cyan, t);
}

function time(ts: number | null): string {
  if (ts === null) return '-';
  const d = new Date(Math.floor(ts * 1000));
  return d.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
}

function dur(s: number): string {
  if (s < 1) return `${(s * 1000).toFixed(1)} ms`;
  if (s < 120) return `${s.toFixed(1)} s`;
  if (s < 7200) return `${(s / 60).toFixed(1)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

const SOURCE_TEXT: Record<string, string> = {
  config: 'configured (pool6)',
  rfc7050: 'RFC 7050 ipv4only.arpa answer',
  pref64: 'RFC 8781 PREF64 in a Router Advertisement',
  'dns64-synthesis': 'DNS64 synthesis seen in answers',
  traffic: 'traffic',
};

function flowLine(f: FlowRecord, color: boolean, width: number): string {
  const mark = f.failing ? paint(color, SGR.bold + SGR.red, 'FAIL') : paint(color, SGR.green, ' ok ');
  const v4 = f.serverV4 && f.server !== f.serverV4 ? ` (${f.serverV4})` : '';
  const name = f.name ? ` ${paint(color, SGR.cyan, f.name)}` : '';
  const nameLen = f.name ? f.name.length + 1 : 0;
  const wrapped = wrap(`${f.key}${v4}${f.name ? ' ' + 'x'.repeat(f.name.length) : ''}`, width, 7, 7);
  // The name is painted after wrapping (escape codes do not count as columns).
  const head = `  ${mark} ${wrapped.slice(7, nameLen ? wrapped.length - nameLen : undefined)}${nameLen ? name : ''}`;
  const stats = `${f.state}, ${f.packetsOut}/${f.packetsIn} pkts, ${f.bytesOut}/${f.bytesIn} B, ${dur(f.duration)}` +
    (f.retransmissions ? `, ${f.retransmissions} retrans` : '') + (f.icmpErrors ? `, ${f.icmpErrors} ICMP errors` : '');
  const prob = f.problem ? `${paint(color, SGR.bold, f.problem)}; ` : '';
  return `${head}\n${wrap(`${prob}${stats}; packets ${f.packets.slice(0, 6).map((n) => `#${n}`).join(' ')}${f.findings.length ? `; findings: ${f.findings.join(', ')}` : ''}`, width, 7)}`;
}

/** The text report for one capture. */
export function reportText(r: AnalyzeResult, o: TextOptions): string {
  const c = o.color;
  const w = o.width;
  const out: string[] = [];
  const h = (s: string) => paint(c, SGR.bold, s);
  out.push(h(`nat64scope analyze: ${r.input}`));
  out.push(wrap(`${r.format}${r.gzip ? ' (gzip)' : ''}, link ${r.linkTypes.join(', ') || '-'}, ${r.packets} packets${r.analyzed !== r.packets ? ` (${r.analyzed} selected by --filter)` : ''}, ${r.bytes} bytes, ${dur(r.duration)} from ${time(r.first)}${r.truncated ? ', cut short' : ''}`, w, 2, 2));
  out.push(wrap(`engine ${r.mode}, profile ${r.profile}: ${r.translated} packets translated, ${r.reconstructed} reconstructed (came out of a translator), ${r.notTranslated} not for the translator; BIB ${r.engine.bib}, sessions ${r.engine.sessions}`, w, 2, 2));
  out.push('');
  out.push(h('Prefixes'));
  if (r.prefixes.length === 0) out.push('  none');
  if (r.pool6Source !== 'configured') out.push(wrap(`engine pool6 ${r.pool6 ?? 'none'}: ${r.pool6Source}`, w, 4, 2));
  for (const p of r.prefixes) out.push(wrap(`${p.prefix.padEnd(24, '\u0001')} ${SOURCE_TEXT[p.source] ?? p.source}${p.packet ? `, packet #${p.packet}` : ''}`, w, 4, 2).replace(/\u0001/g, ' '));
  out.push('');
  out.push(h('DNS64'));
  const d = r.dns;
  if (d.queries + d.responses === 0) out.push('  no DNS in the capture');
  else {
    out.push(wrap(`${d.queries} queries, ${d.responses} responses, ${d.answered} matched${d.medianLatencyMs !== null ? ` (median ${d.medianLatencyMs} ms, max ${d.maxLatencyMs} ms)` : ''}, ${d.unanswered} unanswered, ${d.overTcp} over TCP; ${d.aaaaResponses} AAAA answers, ${d.aaaaNodata} NODATA`, w, 2, 2));
    for (const s of d.synthesized) out.push(wrap(`synthesized under ${s.prefix}: ${s.name} and others (packets ${s.packets.slice(0, 4).map((n) => `#${n}`).join(' ')})`, w, 4, 2));
  }
  out.push('');
  const shown = o.flows === 'all' ? r.flows : r.flows.filter((f) => f.failing);
  const max = o.maxFlows ?? (o.flows === 'all' ? Infinity : 25);
  out.push(h(`Flows: ${r.flowCount} (${r.failingFlows} failing${o.flows === 'all' ? '' : '; --flows all lists every flow'})`));
  for (const f of shown.slice(0, max)) out.push(flowLine(f, c, w));
  if (shown.length > max) out.push(`  ... and ${shown.length - max} more (--json or --export for all)`);
  if (shown.length === 0) out.push(o.flows === 'all' ? '  none' : '  none failing');
  out.push('');
  const counts = severityCounts(r.findings);
  out.push(h(`Findings: ${counts.error} error${counts.error === 1 ? '' : 's'}, ${counts.warning} warning${counts.warning === 1 ? '' : 's'}, ${counts.info} info`));
  if (r.findings.length === 0) out.push('  none: nothing in the catalog matched this capture');
  for (const f of r.findings) out.push(findingText(f, c, w));
  out.push('');
  out.push(h('Checksums'));
  const cs = r.checksums as Record<string, Record<string, number> | number>;
  const ip = cs.ip as Record<string, number>;
  const l4 = cs.l4 as Record<string, number>;
  out.push(wrap(`IPv4 header: ${ip.good} good, ${ip.bad} bad; transport: ${l4.good} good, ${l4.bad} bad, ${l4.zero} zero, ${l4.partial} partial, ${l4.none} not verifiable`, w, 2, 2));
  out.push(wrap(`offload artefacts (not errors): ${cs.offloadPartial} partial, ${cs.offloadTso} TSO (IPv4 total length 0), ${cs.offloadGro} GRO/oversized; errors: ${cs.badTranslated} after translation, ${cs.bad} other`, w, 2, 2));
  out.push(h('Engine drops'));
  const drops = Object.entries(r.drops);
  if (drops.length === 0) out.push('  none');
  else out.push(wrap(drops.map(([k, v]) => `${v} ${k}`).join(', '), w, 2, 2));
  return out.join('\n');
}

export function findingText(f: Finding, color: boolean, width: number): string {
  const plain = wrap(`${'x'.repeat(7)} ${f.id}: ${f.title}`, width, 10, 2);
  const lines = [`  ${sevLabel(f.severity, color)} ${paint(color, SGR.bold, f.id)}${plain.slice(2 + 8 + f.id.length)}`];
  if (f.flow) lines.push(wrap(`flow: ${f.flow}`, width, 12, 10));
  lines.push(wrap(f.detail, width, 10, 10));
  lines.push(wrap(`packets: ${f.packets.map((n) => `#${n}`).join(' ') || '-'}`, width, 12, 10));
  lines.push(wrap(`fix: ${f.fix}`, width, 12, 10));
  if (f.awsFix) lines.push(wrap(`aws: ${f.awsFix}`, width, 12, 10));
  return lines.join('\n');
}

export function severityCounts(fs: readonly Finding[]): Record<Severity, number> {
  const c: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of fs) c[f.severity]++;
  return c;
}

/** Worst severity among the findings, or null. */
export function worstSeverity(fs: readonly Finding[]): Severity | null {
  let w: Severity | null = null;
  for (const f of fs) if (w === null || SEVERITY_RANK[f.severity] > SEVERITY_RANK[w]) w = f.severity;
  return w;
}

/** SPEC §5 `analyze --json`: findings, flows, then the summary (each with `capture` when asked). */
export function jsonLines(r: AnalyzeResult, flows: 'matter' | 'all', capture: boolean): string[] {
  const cap = capture ? { capture: r.input } : {};
  const out: string[] = [];
  for (const f of r.findings) out.push(JSON.stringify({ type: 'finding', ...cap, ...f }));
  for (const f of flows === 'all' ? r.flows : r.flows.filter((x) => x.failing)) out.push(JSON.stringify({ type: 'flow', ...cap, ...f }));
  out.push(JSON.stringify({ type: 'summary', ...summaryObject(r) }));
  return out;
}

export function summaryObject(r: AnalyzeResult): Record<string, unknown> {
  return {
    capture: r.input,
    format: r.format,
    linkTypes: r.linkTypes,
    packets: r.packets,
    analyzed: r.analyzed,
    bytes: r.bytes,
    first: r.first,
    last: r.last,
    duration: r.duration,
    mode: r.mode,
    profile: r.profile,
    pool6: r.pool6,
    pool6Source: r.pool6Source,
    prefixes: r.prefixes,
    dns: r.dns,
    flows: r.flowCount,
    failingFlows: r.failingFlows,
    peakLiveFlows: r.peakLiveFlows,
    findings: severityCounts(r.findings),
    findingIds: [...new Set(r.findings.map((f) => f.id))],
    checksums: r.checksums,
    drops: r.drops,
    translated: r.translated,
    reconstructed: r.reconstructed,
    notTranslated: r.notTranslated,
    bib: r.engine.bib,
    sessions: r.engine.sessions,
  };
}

/** The last line when several captures were analyzed. */
export function totalObject(rs: readonly AnalyzeResult[]): Record<string, unknown> {
  const all = rs.flatMap((r) => r.findings);
  return {
    type: 'summary',
    total: true,
    captures: rs.length,
    packets: rs.reduce((a, r) => a + r.packets, 0),
    flows: rs.reduce((a, r) => a + r.flowCount, 0),
    failingFlows: rs.reduce((a, r) => a + r.failingFlows, 0),
    findings: severityCounts(all),
    findingIds: [...new Set(all.map((f) => f.id))],
  };
}

export function totalText(rs: readonly AnalyzeResult[], color: boolean): string {
  const t = totalObject(rs);
  const c = t.findings as Record<Severity, number>;
  return paint(color, SGR.bold, `Total: ${rs.length} captures, ${t.packets} packets, ${t.flows} flows (${t.failingFlows} failing); findings: ${c.error} errors, ${c.warning} warnings, ${c.info} info`) +
    ((t.findingIds as string[]).length ? ` (${(t.findingIds as string[]).join(', ')})` : '');
}

/**
 * `--export FILE`: one flat JSON record per line, for analytics engines (ClickHouse JSONEachRow,
 * BigQuery, Spark, jq). Keys are stable and documented in the README: every record has `record`
 * (`flow` | `finding` | `capture`) and `capture`; nested values are flattened to scalars or arrays
 * of scalars.
 */
export function exportRecords(r: AnalyzeResult): string[] {
  const out: string[] = [];
  const capture = r.input;
  for (const f of r.flows) {
    out.push(JSON.stringify({
      record: 'flow', capture, key: f.key, proto: f.proto, client: f.client, client_port: f.clientPort, server: f.server, server_port: f.serverPort,
      server_v4: f.serverV4, client_v4: f.clientV4, client_v4_port: f.clientV4Port, name: f.name, state: f.state, failing: f.failing, problem: f.problem,
      first: f.first, last: f.last, duration: f.duration, first_packet: f.firstPacket, last_packet: f.lastPacket,
      packets_out: f.packetsOut, packets_in: f.packetsIn, bytes_out: f.bytesOut, bytes_in: f.bytesIn, packets_v6: f.packetsV6, packets_v4: f.packetsV4,
      syn_retries: f.synRetries, retransmissions: f.retransmissions, resets: f.resets, fins: f.fins, mss_client: f.mssClient, mss_server: f.mssServer,
      largest_segment: f.largestSegment, max_idle_gap: f.maxIdleGap, icmp_errors: f.icmpErrors, drops: f.drops, findings: f.findings,
    }));
  }
  for (const f of r.findings) {
    out.push(JSON.stringify({
      record: 'finding', capture, id: f.id, severity: f.severity, flow: f.flow, packets: f.packets, title: f.title, detail: f.detail, fix: f.fix, aws_fix: f.awsFix ?? null,
    }));
  }
  const s = severityCounts(r.findings);
  out.push(JSON.stringify({
    record: 'capture', capture, format: r.format, packets: r.packets, bytes: r.bytes, first: r.first, last: r.last, duration: r.duration,
    profile: r.profile, mode: r.mode, flows: r.flowCount, failing_flows: r.failingFlows, errors: s.error, warnings: s.warning, infos: s.info,
    finding_ids: [...new Set(r.findings.map((f) => f.id))], dns_queries: r.dns.queries, dns_unanswered: r.dns.unanswered,
    checksum_bad: (r.checksums.bad as number) + (r.checksums.badTranslated as number), checksum_offload: (r.checksums.offloadPartial as number) + (r.checksums.offloadTso as number) + (r.checksums.offloadGro as number),
  }));
  return out;
}
