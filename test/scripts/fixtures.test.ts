/** The committed fixtures are exactly what scripts/build-fixtures.ts builds (deterministic). */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('fixtures', () => {
  it('rebuilding them gives byte-identical files', () => {
    const out = mkdtempSync(join(tmpdir(), 'nat64scope-fixtures-'));
    const r = spawnSync(process.execPath, ['dist/scripts/build-fixtures.js', out], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const built = readdirSync(out).sort();
    // Subdirectories (fixtures/pcaps/diag/) have their own builder and test.
    const committed = readdirSync('fixtures/pcaps').filter((f) => f !== 'README.md' && statSync(join('fixtures/pcaps', f)).isFile()).sort();
    expect(built).toEqual(committed);
    for (const f of built) expect(readFileSync(join(out, f)).equals(readFileSync(join('fixtures/pcaps', f))), f).toBe(true);
  });
  it('every fixture is described in fixtures/pcaps/README.md', () => {
    const readme = readFileSync('fixtures/pcaps/README.md', 'utf8');
    for (const f of readdirSync('fixtures/pcaps').filter((x) => x !== 'README.md' && statSync(join('fixtures/pcaps', x)).isFile())) expect(readme, f).toContain(`\`${f}\``);
  });
});
