/** Opening fixture captures in the viewer's model, for the UI tests. */
import { openCaptureModel, type CaptureModel } from '../../src/replay/view-model.js';
import { loadConfig } from '../../src/xlat/config.js';
import type { EngineConfig } from '../../src/xlat/config-types.js';
import { Dns64Hook } from '../../src/replay/dns64.js';
import { resolveDns64 } from '../../cli/engine-options.js';

export const DEMO = 'fixtures/pcaps/demo.pcapng';

export function awsConfig(): EngineConfig {
  return loadConfig({ profile: 'aws' });
}

/** The DNS64 step as `view` and `translate` build it from the configuration (no flags). */
export function dns64Hook(config: EngineConfig = awsConfig()): Dns64Hook {
  const d = resolveDns64({} as Parameters<typeof resolveDns64>[0], config);
  return new Dns64Hook(d.options, d.zone);
}

/** Opens `path` and resolves once it is fully indexed and replayed. */
export function openDone(path: string, config: EngineConfig = awsConfig(), sliceBytes?: number, dns64: Dns64Hook | null = null): Promise<CaptureModel> {
  return new Promise((resolve) => {
    openCaptureModel(path, { config, sliceBytes, dns64, onDone: (m) => resolve(m) });
  });
}

export const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds (polling), or fails after `ms`. */
export async function until(cond: () => boolean, ms = 3000, what = 'condition'): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

/** Strips ANSI escapes from a frame. */
export function plain(s: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  return (s ?? '').replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
}
