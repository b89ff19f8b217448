/**
 * Golden captures (`nat64scope golden`, and the project's own suite built by
 * scripts/build-golden.ts): for each input capture and engine configuration, what a conforming
 * translator emits (`NAME.expected.pcapng`), the drop report (`NAME.explain.ndjson`, the
 * `translate --explain` records), and `manifest.json` with everything needed to reproduce and
 * verify them: the sha256 of the input and of every output, packet counts, drops by reason, the
 * full effective configuration (SPEC §3 JSON, every key) and the tool version.
 *
 * Deterministic: the same input and configuration give byte-identical files on any machine (no
 * clock, no randomness, no absolute paths: the manifest names files relative to its directory).
 *
 * `checkGolden(dir)` re-runs every case of a manifest into a temporary directory and compares
 * semantically: each packet field by field (src/replay/diff.ts, timestamps included), each
 * drop-report record key by key, and reports differences as `#12 ipv4.ttl: expected 63, got 64`.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile, stat, rename, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve, sep } from 'node:path';
import { translateCapture } from './translate.js';
import { filterSelector } from './filter-select.js';
import { compileFilter } from '../filter/index.js';
import { diffCaptures } from './diff.js';
import { formatDiff } from './fields.js';
import { reasonId } from '../diag/reasons.js';
import { configToJson, loadConfig, type ConfigJson } from '../xlat/config.js';
import type { EngineConfig } from '../xlat/config-types.js';

export const MANIFEST = 'manifest.json';
export const MANIFEST_FORMAT = 1;

export interface GoldenFile {
  /** Relative to the manifest's directory, `/`-separated. */
  path: string;
  sha256: string;
  bytes: number;
}

export interface GoldenCaseManifest {
  name: string;
  input: GoldenFile & { packets: number };
  /** The full effective configuration (configToJson): loadConfig({configJson}) rebuilds it. */
  config: ConfigJson;
  /** `golden --filter`: the display filter the case was written with (absent: none). */
  filter?: string;
  expected: GoldenFile & { packets: number };
  explain: GoldenFile & { records: number };
  summary: {
    packetsIn: number;
    packetsOut: number;
    translated: number;
    hairpinned: number;
    generated: number;
    reconstructed: number;
    dropped: number;
    /** Input packets dropped, by reason id (sorted by id). */
    drops: Record<string, number>;
  };
}

export interface GoldenManifest {
  format: number;
  tool: { name: string; version: string };
  /** How to re-create the files. */
  command: string;
  cases: GoldenCaseManifest[];
}

export interface GoldenCaseSpec {
  /** File stem of the outputs (NAME.expected.pcapng, NAME.explain.ndjson). */
  name: string;
  /** The input capture (a path; not stdin). */
  input: string;
  config: EngineConfig;
  /**
   * A display filter (SPEC §6) as `translate --filter` applies it: every packet goes through the
   * engine, what it emitted for matching input packets is written (and only their drop records).
   */
  filter?: string;
}

/** The stem a capture path gives a case: `captures/ping.pcap.gz` -> `ping`. */
export function caseName(path: string): string {
  return basename(path).replace(/\.gz$/i, '').replace(/\.(pcapng|pcap|cap)$/i, '');
}

function toPosix(p: string): string {
  return p.split(sep).join('/');
}

export async function sha256File(path: string): Promise<{ sha256: string; bytes: number }> {
  const h = createHash('sha256');
  let bytes = 0;
  await new Promise<void>((res, rej) => {
    createReadStream(path).on('data', (c) => {
      bytes += (c as Buffer).length;
      h.update(c as Buffer);
    }).on('end', () => res()).on('error', rej);
  });
  return { sha256: h.digest('hex'), bytes };
}

async function fileEntry(dir: string, path: string): Promise<GoldenFile> {
  const { sha256, bytes } = await sha256File(path);
  return { path: toPosix(relative(dir, path)), sha256, bytes };
}

/**
 * Translates one case into `dir` (NAME.expected.pcapng + NAME.explain.ndjson, replaced if they
 * exist when `force`) and returns its manifest entry.
 */
export async function runGoldenCase(spec: GoldenCaseSpec, dir: string, opts: { force?: boolean } = {}): Promise<GoldenCaseManifest> {
  const expected = join(dir, `${spec.name}.expected.pcapng`);
  const explain = join(dir, `${spec.name}.explain.ndjson`);
  const select = spec.filter !== undefined ? filterSelector(compileFilter(spec.filter, { findings: false, command: 'golden (it runs no analysis)' }), false) : null;
  const s = await translateCapture({ input: spec.input, output: expected, explain, config: spec.config, force: opts.force ?? false, blocking: true, select });
  const drops: Record<string, number> = {};
  for (const [r, c] of [...s.drops.entries()].map(([r, c]) => [reasonId(r), c] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1))) drops[r] = c;
  return {
    name: spec.name,
    input: { ...(await fileEntry(dir, resolve(spec.input))), packets: s.packetsIn },
    config: configToJson(spec.config),
    ...(spec.filter !== undefined ? { filter: spec.filter } : {}),
    expected: { ...(await fileEntry(dir, expected)), packets: select ? s.written ?? 0 : s.packetsOut },
    explain: { ...(await fileEntry(dir, explain)), records: select ? s.selected ?? 0 : s.packetsIn },
    summary: {
      packetsIn: s.packetsIn, packetsOut: s.packetsOut, translated: s.translated, hairpinned: s.hairpinned,
      generated: s.icmpErrors + s.deferred, reconstructed: s.reconstructed, dropped: s.dropped, drops,
    },
  };
}

/** Re-reads the output files of an entry (after a caller changed them) and updates their hashes. */
export async function refreshOutputs(dir: string, c: GoldenCaseManifest): Promise<GoldenCaseManifest> {
  return {
    ...c,
    expected: { ...(await fileEntry(dir, join(dir, c.expected.path))), packets: c.expected.packets },
    explain: { ...(await fileEntry(dir, join(dir, c.explain.path))), records: c.explain.records },
  };
}

export function manifestText(m: GoldenManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** Writes DIR/manifest.json atomically (temp file + rename); refuses to replace one unless `force`. */
export async function writeManifest(dir: string, m: GoldenManifest, force = false): Promise<void> {
  const path = join(dir, MANIFEST);
  if (!force) {
    try {
      await stat(path);
      const e = new Error(`output exists: ${path} (use --force to replace it)`) as Error & { exitCode: number };
      e.exitCode = 2;
      throw e;
    } catch (err) {
      if ((err as { exitCode?: number }).exitCode === 2) throw err;
    }
  }
  const tmp = join(dir, `.${MANIFEST}.tmp-${process.pid}`);
  try {
    await writeFile(tmp, manifestText(m));
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Builds every case into `dir` and writes its manifest. */
export async function writeGolden(cases: GoldenCaseSpec[], dir: string, opts: { version: string; command?: string; force?: boolean }): Promise<GoldenManifest> {
  const names = new Set<string>();
  for (const c of cases) {
    if (names.has(c.name)) {
      const e = new Error(`two inputs give the same case name "${c.name}": rename one (cases are named after the input file)`) as Error & { exitCode: number };
      e.exitCode = 2;
      throw e;
    }
    names.add(c.name);
  }
  const out: GoldenCaseManifest[] = [];
  for (const c of cases) out.push(await runGoldenCase(c, dir, { force: opts.force }));
  const m: GoldenManifest = {
    format: MANIFEST_FORMAT,
    tool: { name: 'nat64scope', version: opts.version },
    command: opts.command ?? 'nat64scope golden --check DIR verifies; each case: nat64scope translate INPUT --config <config as a file> -w NAME.expected.pcapng --explain NAME.explain.ndjson',
    cases: out,
  };
  await writeManifest(dir, m, opts.force);
  return m;
}

// ------------------------------------------------------------------------------------------------
// --check

export interface GoldenCaseResult {
  name: string;
  ok: boolean;
  /** Byte-identical outputs (false with ok = true: the bytes differ, every packet and record agrees). */
  identical: boolean;
  /** Differences, one line each: `#12 ipv4.ttl: expected 63, got 64`. */
  differences: string[];
  /** Notes that are not failures (a different tool version). */
  notes: string[];
}

export class GoldenError extends Error {
  constructor(message: string, readonly exitCode: number) {
    super(message);
  }
}

/** Reads and validates DIR/manifest.json (exit 3 when it is missing or not a manifest). */
export async function readManifest(dir: string): Promise<GoldenManifest> {
  const path = join(dir, MANIFEST);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new GoldenError(`no golden manifest: cannot read ${path} (write one with: nat64scope golden CAPTURE.. --out ${dir})`, 3);
  }
  let m: GoldenManifest;
  try {
    m = JSON.parse(text) as GoldenManifest;
  } catch (e) {
    throw new GoldenError(`${path}: not JSON (${(e as Error).message})`, 3);
  }
  if (!m || typeof m !== 'object' || !Array.isArray(m.cases) || typeof m.format !== 'number') throw new GoldenError(`${path}: not a golden manifest (no "format" and "cases")`, 3);
  if (m.format > MANIFEST_FORMAT) throw new GoldenError(`${path}: manifest format ${m.format} is newer than this nat64scope understands (${MANIFEST_FORMAT})`, 3);
  return m;
}

function explainDiffs(expected: string, got: string, max: number): string[] {
  const a = expected.split('\n').filter(Boolean);
  const b = got.split('\n').filter(Boolean);
  const out: string[] = [];
  if (a.length !== b.length) out.push(`drop report: expected ${a.length} records, got ${b.length}`);
  for (let i = 0; i < Math.min(a.length, b.length) && out.length < max; i++) {
    if (a[i] === b[i]) continue;
    let x: Record<string, unknown>;
    let y: Record<string, unknown>;
    try {
      x = JSON.parse(a[i]) as Record<string, unknown>;
      y = JSON.parse(b[i]) as Record<string, unknown>;
    } catch {
      out.push(`drop report line ${i + 1}: expected ${a[i]}, got ${b[i]}`);
      continue;
    }
    const n = x.n ?? i + 1;
    for (const k of new Set([...Object.keys(x), ...Object.keys(y)])) {
      const ex = JSON.stringify(x[k]);
      const gy = JSON.stringify(y[k]);
      if (ex !== gy) out.push(`drop report #${n} ${k}: expected ${ex ?? '(absent)'}, got ${gy ?? '(absent)'}`);
    }
  }
  return out;
}

/**
 * Re-runs every case of DIR/manifest.json and compares (see the file header). `only` restricts
 * to some case names; `maxLines` caps the difference lines per case.
 */
export async function checkGolden(dir: string, opts: { version: string; only?: string[]; maxLines?: number } = { version: '' }): Promise<GoldenCaseResult[]> {
  const m = await readManifest(dir);
  const max = opts.maxLines ?? 50;
  const tmp = await mkdtemp(join(tmpdir(), 'nat64scope-golden-'));
  const results: GoldenCaseResult[] = [];
  try {
    for (const c of m.cases) {
      if (opts.only && !opts.only.includes(c.name)) continue;
      const r: GoldenCaseResult = { name: c.name, ok: true, identical: true, differences: [], notes: [] };
      results.push(r);
      const input = join(dir, c.input.path);
      let inHash: { sha256: string };
      try {
        inHash = await sha256File(input);
      } catch {
        r.ok = false;
        r.identical = false;
        r.differences.push(`input: cannot read ${input}`);
        continue;
      }
      if (inHash.sha256 !== c.input.sha256) r.notes.push(`input ${c.input.path} changed since the manifest was written (sha256 ${c.input.sha256.slice(0, 12)}…, now ${inHash.sha256.slice(0, 12)}…)`);
      let config: EngineConfig;
      try {
        config = loadConfig({ configJson: c.config });
      } catch (e) {
        r.ok = false;
        r.identical = false;
        r.differences.push(`config: ${(e as Error).message}`);
        continue;
      }
      const fresh = await runGoldenCase({ name: c.name, input, config, ...(c.filter !== undefined ? { filter: c.filter } : {}) }, tmp, { force: true });
      const expectedPath = join(dir, c.expected.path);
      const explainPath = join(dir, c.explain.path);
      const [eh, xh] = await Promise.all([sha256File(expectedPath).catch(() => null), sha256File(explainPath).catch(() => null)]);
      if (!eh) {
        r.ok = false;
        r.differences.push(`expected capture: cannot read ${expectedPath}`);
      } else if (eh.sha256 !== c.expected.sha256) r.notes.push(`${c.expected.path} does not match the sha256 in the manifest (edited by hand?)`);
      if (!xh) {
        r.ok = false;
        r.differences.push(`drop report: cannot read ${explainPath}`);
      }
      if (!r.ok) {
        r.identical = false;
        continue;
      }
      r.identical = fresh.expected.sha256 === eh!.sha256 && fresh.explain.sha256 === xh!.sha256;
      if (fresh.expected.sha256 !== eh!.sha256) {
        const lines: string[] = [];
        const s = await diffCaptures(expectedPath, join(tmp, `${c.name}.expected.pcapng`), { align: 'order', timestamps: true, blocking: true }, (d) => {
          if (lines.length >= max) return;
          if (d.kind === 'differ') for (const x of d.diffs) lines.push(`#${d.a} ${formatDiff(x)}`);
          else lines.push(d.side === 'a' ? `#${d.n} missing from the output: ${d.what}` : `#${d.n} extra in the output: ${d.what}`);
        });
        if (s.packets.a !== s.packets.b) lines.unshift(`packets: expected ${s.packets.a}, got ${s.packets.b}`);
        if (lines.length) r.differences.push(...lines.slice(0, max));
        else r.notes.push('the output capture differs in bytes only (pcapng framing, interfaces or comments): every packet agrees field by field and in time');
      }
      if (fresh.explain.sha256 !== xh!.sha256) {
        const [a, b] = await Promise.all([readFile(explainPath, 'utf8'), readFile(join(tmp, `${c.name}.explain.ndjson`), 'utf8')]);
        r.differences.push(...explainDiffs(a, b, max));
      }
      if (r.differences.length) r.ok = false;
    }
    if (opts.version && m.tool?.version !== opts.version && results.length) {
      results[0].notes.push(`manifest written by nat64scope ${m.tool?.version ?? '?'}, checked with ${opts.version}`);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return results;
}

