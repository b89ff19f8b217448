/**
 * `view` gets analyze's findings from the model's own pass and the model's own engine: each
 * packet goes to a CaptureAnalyzer with `sharedEngine` as the model's engine runs on it (an
 * EngineTap: no second NAT64 engine). The findings, and the whole analyze result, must be exactly
 * those of a separate `analyze` pass (analyzeCapture, its own engine) on every fixture capture.
 * The model's own outcome must not change with a tap.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { openCaptureModel, type CaptureModel, type EngineTap } from '../../src/replay/view-model.js';
import { CaptureAnalyzer, analyzeCapture, type AnalyzeResult } from '../../src/replay/analyze.js';
import type { ReadSummary } from '../../src/pcap/reader.js';
import { dns64Hook, openDone } from '../ui/helpers.js';
import { loadConfig } from '../../src/xlat/config.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';

/** Every capture under fixtures/ (pcap, pcapng, gzip). */
function fixtureCaptures(dir = 'fixtures'): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...fixtureCaptures(p));
    else if (/\.(pcap|pcapng)(\.gz)?$/.test(e.name)) out.push(p);
  }
  return out.sort();
}

/** Opens `path` as `view` does: the analyzer on the model's engine; resolves with both once done. */
function openShared(path: string, config: EngineConfig, sliceBytes = 700, dns64 = true): Promise<{ model: CaptureModel; result: AnalyzeResult; taps: number }> {
  return new Promise((resolve, reject) => {
    const a = new CaptureAnalyzer(config, { side: 'auto', input: path, sharedEngine: true });
    let summary: ReadSummary | null = null;
    let ended = false;
    let taps = 0;
    const tap: EngineTap = {
      before: (p) => {
        taps++;
        a.beforeEngine(p);
      },
      sink: a.engineSink,
      after: (p, r) => a.afterEngine(p, r),
      beforeDrain: (e) => a.beforeDrain(e),
      end: () => {
        ended = true;
      },
    };
    openCaptureModel(path, {
      config,
      sliceBytes, // many slices: the analyzer sees packets across event loop turns
      dns64: dns64 ? dns64Hook(config) : null,
      tap,
      onIndexed: (s) => {
        summary = s;
      },
      onDone: (m) => {
        if (m.error() && m.count() === 0) return reject(new Error(m.error()!));
        if (!summary || !ended) return reject(new Error(`not finished (summary ${Boolean(summary)}, ended ${ended})`));
        resolve({ model: m, result: a.finish(summary), taps });
      },
    });
  });
}

/** What the model shows for each row (to check a tap changes nothing of it). */
function outcomes(m: CaptureModel): string[] {
  const out: string[] = [];
  for (let r = 0; r < m.count(); r++) out.push(`${m.emittedKinds(r)} ${m.verdict(r)}`);
  return out;
}

const captures = fixtureCaptures();

describe('view: analyze from the model\'s own pass and engine (one engine)', () => {
  it('finds the fixture captures', () => {
    expect(captures.length).toBeGreaterThan(10);
    expect(captures).toContain('fixtures/pcaps/demo.pcapng');
  });

  for (const file of captures) {
    for (const profile of ['rfc', 'aws'] as const) {
      it(`${file} (${profile}): the same analyze result as analyzeCapture`, async () => {
        const config = loadConfig({ profile });
        const ref = await analyzeCapture(file, config, { side: 'auto' });
        const { model, result, taps } = await openShared(file, config);
        try {
          expect(taps).toBe(model.count());
          expect(result.findings).toEqual(ref.findings);
          // Not only the findings: every count, drop, flow and the engine's table sizes (the
          // input's name aside, and `gzip`: the model's parser reads the decompressed bytes).
          expect({ ...result, input: '', gzip: null }).toEqual({ ...ref, input: '', gzip: null });
          // The model shows the same with and without the tap.
          const plain = await openDone(file, config, 700, dns64Hook(config));
          try {
            expect(outcomes(model)).toEqual(outcomes(plain));
          } finally {
            plain.close();
          }
        } finally {
          model.close();
        }
      });
    }
  }

  it('demo.pcapng: findings exist, and the tables come with sessions: true', async () => {
    const config = loadConfig({ profile: 'aws' });
    const { model, result } = await openShared('fixtures/pcaps/demo.pcapng', config, 128 * 1024);
    model.close();
    expect(result.findings.length).toBeGreaterThan(0);
    expect(result.engine.bib + result.engine.sessions).toBeGreaterThan(0);
    const ref = await analyzeCapture('fixtures/pcaps/demo.pcapng', config, { side: 'auto', sessions: true });
    const a = new CaptureAnalyzer(config, { side: 'auto', sessions: true, sharedEngine: true });
    let summary: ReadSummary | null = null;
    await new Promise<void>((resolve) => {
      openCaptureModel('fixtures/pcaps/demo.pcapng', {
        config,
        dns64: dns64Hook(config),
        tap: { before: (p) => a.beforeEngine(p), sink: a.engineSink, after: (p, r) => a.afterEngine(p, r), beforeDrain: (e) => a.beforeDrain(e), end: () => undefined },
        onIndexed: (s) => {
          summary = s;
        },
        onDone: (m) => {
          m.close();
          resolve();
        },
      });
    });
    const r = a.finish(summary!);
    expect(r.engine.sessionList).toEqual(ref.engine.sessionList);
    expect(r.engine.bibEntries).toEqual(ref.engine.bibEntries);
    expect(r.engine.sessionList!.length).toBeGreaterThan(0);
  });

  it('push() refuses a shared-engine analyzer, and a shared engine needs side auto', () => {
    const config = loadConfig({ profile: 'rfc' });
    expect(() => new CaptureAnalyzer(config, { side: 'v6', sharedEngine: true })).toThrow(/side auto/);
    const a = new CaptureAnalyzer(config, { sharedEngine: true });
    expect(() => a.push({} as never)).toThrow(/shared engine/);
  });
});
