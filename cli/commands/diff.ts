/** `nat64scope diff <a> <b>`: field-level difference of two captures (src/replay/diff.ts). */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { diffCaptures, type DiffRecord, type DiffSummary } from '../../src/replay/diff.js';
import { formatDiff } from '../../src/replay/fields.js';
import { inputPath, warn } from '../capture.js';
import { LineOutput } from '../output.js';
import { UsageError, setFound } from '../errors.js';

export interface DiffArgs {
  a: string;
  b: string;
  align: 'order' | 'flow';
  ignore?: string;
  json: boolean;
}

export const command = 'diff <a> <b>';
export const describe = 'field-level diff of two captures (any format, any link type); exit 1 when they differ';

export function builder(y: Argv): Argv<DiffArgs> {
  return y
    .positional('a', { type: 'string', describe: 'first capture (pcap or pcapng, gzip ok, - for stdin)', demandOption: true })
    .positional('b', { type: 'string', describe: 'second capture', demandOption: true })
    .option('align', { type: 'string', choices: ['order', 'flow'], default: 'order', describe: 'pair packets by position (order) or as the k-th packet of the same flow (flow)' })
    .option('ignore', { type: 'string', requiresArg: true, describe: 'fields not to compare, comma-separated: ipv4.id,ipv4.checksum, a layer (eth, inner, dns), a glob (*.checksum)' })
    .option('json', { type: 'boolean', default: false, describe: 'NDJSON: one object per difference, then {"type":"summary",...}' })
    .example('$0 diff expected.pcapng actual.pcap --ignore ipv4.id,ipv4.checksum', 'what changed, field by field')
    .example('$0 diff a.pcapng b.pcapng --align flow --json', 'pair by flow when the order differs') as unknown as Argv<DiffArgs>;
}

export function diffRecordLine(r: DiffRecord, align: 'order' | 'flow'): string {
  if (r.kind === 'only') return `${r.side} #${r.n}: only in ${r.side}: ${r.what}`;
  const head = align === 'order' && r.a === r.b ? `#${r.a}` : `a #${r.a} / b #${r.b}`;
  return r.diffs.map((d) => `${head} ${formatDiff(d, ['a', 'b'])}`).join('\n');
}

export function diffSummaryLine(s: DiffSummary): string {
  const f = Object.entries(s.fields).sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ');
  return `diff: ${s.packets.a} packets in a, ${s.packets.b} in b; ${s.identical} pairs identical, ${s.differ} differ, ${s.onlyA} only in a, ${s.onlyB} only in b${f ? `; fields: ${f}` : ''}`;
}

export async function handler(argv: ArgumentsCamelCase<DiffArgs>): Promise<void> {
  const a = inputPath(argv.a);
  const b = inputPath(argv.b);
  if (a === '-' && b === '-') throw new UsageError('only one of the two captures can be stdin');
  const ignore = argv.ignore ? argv.ignore.split(',').map((x) => x.trim()).filter(Boolean) : [];
  const names = [a === '-' ? 'stdin' : a, b === '-' ? 'stdin' : b];
  const out = new LineOutput();
  const s = await diffCaptures(a, b, { align: argv.align, ignore, blocking: true, onWarning: (i, m) => warn(`${m} (${names[i]})`) }, (r) => {
    if (argv.json) {
      out.line(JSON.stringify(r.kind === 'differ'
        ? { type: 'differ', a: r.a, b: r.b, diffs: r.diffs.map((d) => ({ field: d.field, a: d.expected ?? null, b: d.got ?? null })) }
        : { type: 'only', side: r.side, n: r.n, packet: r.what }));
    } else out.line(diffRecordLine(r, argv.align));
  });
  for (let i = 0; i < 2; i++) {
    if (s.read[i].corrupt) {
      await out.end();
      const e = new Error(`capture framing is broken after packet ${s.read[i].packets} (${names[i]})`) as Error & { exitCode: number };
      e.exitCode = 3;
      throw e;
    }
  }
  if (argv.json) {
    const { read: _read, ...rest } = s;
    out.line(JSON.stringify({ type: 'summary', a, b, align: argv.align, ignore, ...rest }));
  } else out.line(diffSummaryLine(s));
  await out.end();
  if (s.differ || s.onlyA || s.onlyB) setFound();
}
