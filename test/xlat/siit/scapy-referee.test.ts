/**
 * Scapy as referee: test/xlat/siit/scapy_siit.py builds input packets and the translation RFC 7915
 * expects (Scapy computes every checksum from scratch); our incremental translation must match
 * byte for byte.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SiitEngine } from '../../../src/xlat/siit/siit-engine.js';
import { requireReferee, SCAPY_PYTHON } from '../../helpers/referees.js';
import { makeConfig, RecordingSink, eam } from './helpers.js';

interface Case { name: string; in: string; out: string }
let cases: Case[] = [];

beforeAll(() => {
  const py = requireReferee('python3-scapy', SCAPY_PYTHON);
  const script = fileURLToPath(new URL('./scapy_siit.py', import.meta.url));
  cases = JSON.parse(execFileSync(py, [script], { encoding: 'utf8' }));
});

describe('SIIT translations vs Scapy', () => {
  it('has the cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(7);
  });
  it('every translation equals the one Scapy builds', () => {
    const e = new SiitEngine(makeConfig({ eam: [eam('2001:db8:6::/120', '192.0.2.0/24')] }));
    for (const c of cases) {
      const s = new RecordingSink();
      const inp = Buffer.from(c.in, 'hex');
      e.process(inp, 0, inp.length, { sec: 0, nsec: 0 }, 1, s);
      expect(s.drops, c.name).toEqual([]);
      expect(s.emitted.length, c.name).toBe(1);
      expect(Buffer.from(s.emitted[0].bytes).toString('hex'), c.name).toBe(c.out);
    }
  });
});
