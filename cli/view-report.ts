/**
 * What `view` prints of `analyze` on a non-terminal: the report, as `analyze <capture>` prints it
 * (on a terminal the findings pane gets analyze's findings from the model's own pass over the
 * file: cli/commands/view.ts).
 */
import type { Finding } from '../src/diag/finding.js';
import type { EngineConfig } from '../src/xlat/config-types.js';
import { analyzeCapture, filterSelect, findingsByPacket } from '../src/replay/analyze.js';
import type { CompiledFilter } from '../src/filter/index.js';
import { reportText } from '../src/diag/report.js';
import { LineOutput } from './output.js';
import { warn } from './capture.js';
import { linkToAwsFindings } from '../src/aws/link.js';

/** The analyze report, on stdout; with `filter` (`view --filter`), of the matching packets as `analyze --filter` makes it. */
export async function printReport(input: string, config: EngineConfig, aws: Finding[] | null = null, filter: CompiledFilter | null = null): Promise<void> {
  let select = null;
  if (filter) {
    // `finding` needs the findings first: a first pass, as analyze does.
    const first = filter.fields.findings ? findingsByPacket((await analyzeCapture(input, config, { side: 'auto', blocking: true, onWarning: () => undefined })).findings) : null;
    select = filterSelect(filter, false, first);
  }
  const r = await analyzeCapture(input, config, { side: 'auto', filter: select, blocking: true, onWarning: (m) => warn(`${m} (${input === '-' ? 'stdin' : input})`) });
  if (aws) r.findings = linkToAwsFindings(r.findings, aws);
  const out = new LineOutput();
  const p = out.line(reportText(r, { color: false, width: 100, flows: 'matter' }));
  if (p) await p;
  await out.end();
}
