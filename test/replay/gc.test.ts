// src/replay/gc.ts's holdNewSpace (translate's pass): V8's new space does not grow while it is
// held, however much survives, and grows again once released. Run in a child process of its own
// (a fresh heap): the test process's new space has long grown.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join, dirname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CLI } from '../helpers/cli.js';

const GC_JS = pathToFileURL(join(dirname(CLI), '..', 'src', 'replay', 'gc.js')).href;

// Long-lived objects (as a pass's sessions are) make V8 grow its new space; it is measured after
// 300k of them while held, then after 300k more once released.
const SCRIPT = `
import { holdNewSpace } from ${JSON.stringify(GC_JS)};
import { getHeapSpaceStatistics } from 'node:v8';
const ns = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
const keep = [];
const grow = () => { for (let i = 0; i < 300000; i++) keep.push({ a: i, b: [i] }); };
const before = ns();
const release = holdNewSpace();
grow();
const held = ns();
release();
grow();
console.log(JSON.stringify({ before, held, after: ns() }));
`;

function sizes(env: Record<string, string>): { before: number; held: number; after: number } {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, ...env } });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as { before: number; held: number; after: number };
}

describe('holdNewSpace', () => {
  it('keeps the new space at its start size while held, and lets it grow once released', () => {
    const s = sizes({});
    expect(s.held).toBeLessThanOrEqual(Math.max(s.before, 2 << 20));
    expect(s.after).toBeGreaterThanOrEqual(4 * s.held);
  });

  it('NAT64SCOPE_V8_SEMI_SPACE_GROWTH=1 leaves V8 its default growth', () => {
    const s = sizes({ NAT64SCOPE_V8_SEMI_SPACE_GROWTH: '1' });
    expect(s.held).toBeGreaterThanOrEqual(8 << 20);
  });
});
