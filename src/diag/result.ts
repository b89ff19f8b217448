/**
 * What `analyze` returns for one capture (src/replay/analyze.ts makes it; src/diag/report.ts,
 * the CLI and the viewer read it).
 */
import type { Finding } from './finding.js';
import type { FlowRecord } from './flows.js';
import type { BibSnapshot, SessionSnapshot } from '../xlat/nat64/nat64-engine.js';

export interface AnalyzeResult {
  input: string;
  format: string;
  gzip: boolean;
  linkTypes: string[];
  packets: number;
  /** Packets analyzed: all of them, or those `--filter` selected (the engine sees every packet). */
  analyzed: number;
  bytes: number;
  /** Capture time of the first and last packet (seconds), and the span. */
  first: number | null;
  last: number | null;
  duration: number;
  truncated: boolean;
  mode: string;
  profile: string;
  pool6: string | null;
  /** Where pool6 came from: `configured`, or what `--prefix auto` found. */
  pool6Source: string;
  prefixes: { prefix: string; source: string; packet: number }[];
  dns: {
    queries: number;
    responses: number;
    answered: number;
    unanswered: number;
    overTcp: number;
    medianLatencyMs: number | null;
    maxLatencyMs: number | null;
    aaaaResponses: number;
    aaaaNodata: number;
    synthesized: { prefix: string; name: string; packets: number[] }[];
  };
  flowCount: number;
  failingFlows: number;
  peakLiveFlows: number;
  flows: FlowRecord[];
  findings: Finding[];
  checksums: Record<string, unknown>;
  /** Engine drops per reason id (what the translator would not pass). */
  drops: Record<string, number>;
  /** Packets the translator never sees (native IPv6/IPv4 not addressed to it). */
  notTranslated: number;
  translated: number;
  reconstructed: number;
  engine: { bib: number; sessions: number; bibEntries?: BibSnapshot[]; sessionList?: SessionSnapshot[] };
}

