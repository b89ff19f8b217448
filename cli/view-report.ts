/**
 * What `view` needs of `analyze`: the findings for the findings pane (a second pass over the
 * file, in the background, yielding to the UI between chunks), and the report printed on a
 * non-terminal (as `analyze <capture>` prints it).
 */
import type { Finding } from '../src/diag/finding.js';
import type { EngineConfig } from '../src/xlat/config-types.js';
import { analyzeCapture } from '../src/replay/analyze.js';
import { reportText } from '../src/diag/report.js';
import { LineOutput } from './output.js';
import { warn } from './capture.js';

export async function loadFindings(input: string, config: EngineConfig): Promise<{ findings: Finding[]; available: boolean }> {
  const r = await analyzeCapture(input, config, {
    side: 'auto',
    onWarning: () => undefined,
    afterChunk: () => new Promise<void>((res) => setImmediate(res)),
  });
  return { findings: r.findings, available: true };
}

/** The analyze report, on stdout. */
export async function printReport(input: string, config: EngineConfig): Promise<void> {
  const r = await analyzeCapture(input, config, { side: 'auto', blocking: true, onWarning: (m) => warn(`${m} (${input === '-' ? 'stdin' : input})`) });
  const out = new LineOutput();
  const p = out.line(reportText(r, { color: false, width: 100, flows: 'matter' }));
  if (p) await p;
  await out.end();
}
