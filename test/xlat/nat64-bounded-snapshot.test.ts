/**
 * Nat64Engine.bibEntries(first) / sessions(last) / tableSizes(): the viewer's bounded snapshots
 * must be exactly the slices of the full lists (the sessions pane shows them), at every packet.
 */
import { describe, it, expect } from 'vitest';
import { readCapture } from '../../src/pcap/reader.js';
import { LinkLocator } from '../../src/wire/link.js';
import { createEngine } from '../../src/xlat/engine.js';
import { loadConfig } from '../../src/xlat/config.js';
import { Nat64Engine } from '../../src/xlat/nat64/nat64-engine.js';
import type { XlatSink } from '../../src/xlat/types.js';

const sink: XlatSink = { emit: () => undefined, drop: () => undefined };

describe('Nat64Engine bounded snapshots', () => {
  for (const profile of ['aws'] as const) {
    it(`demo.pcapng (${profile}): first/last n = slices of the full lists, sizes = lengths`, async () => {
      const eng = createEngine(loadConfig({ profile }));
      expect(eng).toBeInstanceOf(Nat64Engine);
      const e = eng as Nat64Engine;
      const loc = new LinkLocator();
      let checked = 0;
      let maxSessions = 0;
      const protos = new Set<string>();
      await readCapture('fixtures/pcaps/demo.pcapng', (p) => {
        const clock = { sec: p.tsSec, nsec: p.tsNsec };
        if (loc.locate(p.data, p.offset, p.caplen, p.linkType) === 0) e.advance(clock, sink);
        else if (!e.reconstruct(p.data, loc.ipOff, p.caplen - loc.linkLen, clock, p.number, sink)) e.process(p.data, loc.ipOff, p.caplen - loc.linkLen, clock, p.number, sink);
        const bib = e.bibEntries();
        const sessions = e.sessions();
        for (const s of sessions) protos.add(s.protocol);
        maxSessions = Math.max(maxSessions, sessions.length);
        expect(e.tableSizes()).toEqual({ bib: bib.length, sessions: sessions.length });
        for (const n of [1, 2, 3, 4, 5, 6, 1000]) {
          expect(e.bibEntries(n)).toEqual(bib.slice(0, n));
          expect(e.sessions(n)).toEqual(sessions.slice(-n));
        }
        checked++;
      });
      expect(checked).toBe(48);
      // The slices cross the protocol tables (TCP, UDP, ICMP lists are concatenated).
      expect(maxSessions).toBeGreaterThan(3);
      expect(protos.size).toBe(3);
    });
  }
});
