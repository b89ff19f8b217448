/**
 * `view` feeds analyze's CaptureAnalyzer from the model's own pass over the file (one read):
 * the findings must be exactly those of a separate `analyze` pass.
 */
import { describe, it, expect } from 'vitest';
import { openCaptureModel, type CaptureModel } from '../../src/replay/view-model.js';
import { CaptureAnalyzer, analyzeCapture } from '../../src/replay/analyze.js';
import type { Finding } from '../../src/diag/finding.js';
import { awsConfig, dns64Hook } from '../ui/helpers.js';
import { loadConfig } from '../../src/xlat/config.js';

function openWithFindings(path: string, config = awsConfig()): Promise<{ model: CaptureModel; findings: Finding[] }> {
  return new Promise((resolve, reject) => {
    const a = new CaptureAnalyzer(config, { side: 'auto', input: path });
    let findings: Finding[] | null = null;
    openCaptureModel(path, {
      config,
      sliceBytes: 700, // many slices: the analyzer sees packets across event loop turns
      dns64: dns64Hook(config),
      onPacket: (p) => a.push(p),
      onIndexed: (s) => {
        findings = a.finish(s).findings;
      },
      onDone: (m) => (findings ? resolve({ model: m, findings }) : reject(new Error('no findings'))),
    });
  });
}

describe('view: analyze findings from the model\'s own pass', () => {
  for (const [file, profile] of [['fixtures/pcaps/demo.pcapng', 'aws'], ['fixtures/pcaps/demo-classic.pcap.gz', 'aws'], ['fixtures/pcaps/demo.pcapng', 'rfc']] as const) {
    it(`${file} (${profile}): the same findings as analyze`, async () => {
      const config = loadConfig({ profile });
      const { model, findings } = await openWithFindings(file, config);
      const ref = await analyzeCapture(file, config, { side: 'auto' });
      expect(findings).toEqual(ref.findings);
      expect(findings.length).toBeGreaterThan(0);
      // And the model's own outcome is untouched by the extra consumer.
      expect(model.count()).toBe(48);
      model.close();
    });
  }
});
