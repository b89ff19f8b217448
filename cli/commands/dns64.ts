/** `nat64scope dns64 <capture>`: the DNS64 engine alone over the DNS traffic of a capture (SPEC §2, §5). */
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { runDns64 } from '../../src/replay/dns64.js';
import type { Dns64Result, Dns64Memo } from '../../src/xlat/dns64/engine.js';
import { engineOptions, resolveEngineConfigAuto, resolveDns64, type EngineOptionArgs } from '../engine-options.js';
import { inputPath, warn } from '../capture.js';
import { ByteLines } from '../byte-lines.js';
import { UsageError } from '../errors.js';
import { compileFilterArg } from '../filter-option.js';
import { setFlagsFromString } from 'node:v8';

export interface Dns64Args extends EngineOptionArgs {
  capture: string;
  write?: string;
  force: boolean;
  json: boolean;
  filter?: string;
}

export const command = 'dns64 <capture>';
export const describe = 'the DNS64 engine alone: for each AAAA/PTR query, what the resolver answered and what a DNS64 answers, and why';

export function builder(y: Argv): Argv<Dns64Args> {
  return engineOptions(y
    .positional('capture', { type: 'string', describe: 'pcap or pcapng file (gzip ok), or - for stdin', demandOption: true }))
    .option('json', { type: 'boolean', default: false, describe: 'one JSON object per answered query (NDJSON, SPEC §5)' })
    .option('write', { alias: 'w', type: 'string', requiresArg: true, describe: 'write the capture with every changed answer rewritten (.pcapng or .pcap by extension; - for stdout, pcapng, and then no per-query lines)' })
    .option('force', { type: 'boolean', default: false, describe: 'replace an existing output file' })
    .option('filter', { alias: 'Y', type: 'string', requiresArg: true, describe: 'only the queries whose query or response packet matches a display filter are reported, counted and rewritten (every packet still feeds the engine; -w writes every packet), e.g. \'dns.name == "example.com"\'' })
    .example('$0 dns64 capture.pcapng', 'one line per AAAA/PTR query')
    .example('$0 dns64 capture.pcapng --prefix 2001:db8:64::/96 --json', 'SPEC §5 objects, synthesized with another prefix')
    .example('$0 dns64 capture.pcapng --zone hosts.txt -w rewritten.pcapng', 'A data from a hosts file; the rewritten capture')
    .example('$0 dns64 capture.pcapng -Y \'addr == 2001:db8::10\' -w one-client.pcapng', 'only one client\'s queries answered and rewritten; the rest of the capture as it was') as unknown as Argv<Dns64Args>;
}

export async function handler(argv: ArgumentsCamelCase<Dns64Args>): Promise<void> {
  // V8's allocation-site pretenuring: once the state kept per name (its record, A entry and
  // remembered decision) is seen to survive, V8 switches those allocation sites to old-space
  // allocation and throws away the optimized code that allocates there. On a capture of 20,000
  // names that deoptimizes the engine's hottest functions two or three times each during the
  // first 100k packets (each recompiled: ~150 ms of compiler time), for state that is promoted
  // once anyway. Off for this process: measured 6-8% less time for `dns64` on the bench capture,
  // output unchanged (README, Speed). NAT64SCOPE_V8_PRETENURING=1 keeps V8's default.
  if (process.env.NAT64SCOPE_V8_PRETENURING !== '1') setFlagsFromString('--no-allocation-site-pretenuring');
  const input = inputPath(argv.capture);
  const output = argv.write === undefined ? null : inputPath(argv.write);
  if (output === '-' && process.stdout.isTTY) throw new UsageError('refusing to write a capture to a terminal: redirect stdout, or give -w FILE');
  // --filter: checked before anything is read; it sees packets as captured (no translator verdict, no findings).
  const filter = compileFilterArg(argv.filter, { outcome: false, findings: false, command: 'dns64 (the filter reads the captured DNS packets)' });
  const { cfg, notes } = await resolveEngineConfigAuto(argv, input);
  for (const l of notes) process.stderr.write(`${l}\n`);
  const { options, zone } = resolveDns64(argv, cfg);
  if (options.prefixes.length === 0) throw new UsageError('dns64: no prefix to synthesize with (give --prefix or dns64.prefixes)');
  const out = new ByteLines(process.stdout, 1 << 20);
  const lines = new LineCache();
  // With -w - the capture owns stdout: the per-query lines are not printed (the summary still is, on stderr).
  const onResult = output === '-'
    ? () => undefined
    : argv.json
      ? (r: Dns64Result, m: Dns64Memo | null) => lines.writeJson(r, m, out)
      : (r: Dns64Result, m: Dns64Memo | null) => lines.writeText(r, m, out);
  let summary;
  try {
    summary = await runDns64({
      input, engine: options, zone, output, force: argv.force, onResult, blocking: true, filter, lendResults: true,
      onWarning: (m) => warn(`${m} (${input === '-' ? 'stdin' : input})`),
      afterChunk: () => out.flush(),
    });
  } finally {
    await out.end();
  }
  const extra = summary.notRewritable ? `, ${summary.notRewritable} not rewritable in their packet` : '';
  process.stderr.write(`dns64: ${summary.answered} queries answered (${summary.synthesized} synthesized, ${summary.rewritten} rewritten${extra}); ${summary.dnsMessages} DNS messages in ${summary.packets} packets; ${summary.names} names held\n`);
  if (filter) process.stderr.write(`filter: ${summary.answered} of ${summary.answeredAll} answered queries selected (${filter.text})\n`);
}

/** SPEC §5 keys first, then `detail`, `resolver`, `action`. */
export function jsonOf(r: Dns64Result): Record<string, unknown> {
  return { n: r.n, name: r.name, qtype: r.qtype, rcode: r.rcode, flags: r.flags, answers: r.answers, synthesized: r.synthesized, reason: r.reason, detail: r.detail, resolver: r.resolver, action: r.action };
}

const str = JSON.stringify as (s: string) => string;

/** JSON string of `s`: quoted as is when nothing in it needs escaping, else JSON.stringify's. */
function q(s: string): string {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c > 0x7e) return str(s);
  }
  return '"' + s + '"';
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : 'null';
}

/**
 * `JSON.stringify(jsonOf(r))` built directly (the same bytes: keys in the same order, strings
 * escaped by JSON.stringify itself), without the intermediate objects.
 */
export function jsonLine(r: Dns64Result): string {
  let s = `{"n":${num(r.n)},"name":${q(r.name)},"qtype":${q(r.qtype)},"rcode":${num(r.rcode)},"flags":[`;
  for (let i = 0; i < r.flags.length; i++) s += (i ? ',' : '') + q(r.flags[i]);
  s += '],"answers":[';
  for (let i = 0; i < r.answers.length; i++) {
    const a = r.answers[i];
    s += `${i ? ',' : ''}{"name":${q(a.name)},"type":${q(a.type)},"ttl":${num(a.ttl)},"data":${q(a.data)}}`;
  }
  return s + `],"synthesized":${r.synthesized},"reason":${q(r.reason)},"detail":${q(r.detail)},"resolver":${r.resolver === null ? 'null' : q(r.resolver)},"action":${q(r.action)}}`;
}

/**
 * The JSON and text lines of results the engine gives from a remembered decision
 * ({@link Dns64Memo}): every such result has the fields of the memo's, so everything after `n`
 * is the line built the first time, kept on the memo (as bytes) and dropped with it. Other
 * results are built afresh. A line is always what {@link jsonLine} / {@link textOf} give.
 */
const JSON_HEAD = Buffer.from('{"n":');
const TEXT_HEAD = Buffer.from('#');

/** The bytes after `{"n":N` of a memo's JSON line. */
function jsonTail(r: Dns64Result, m: Dns64Memo): Uint8Array {
  return (m.json ??= TAIL.bytes(r) ?? Buffer.from(jsonLine({ ...r, n: 0 }).slice(6), 'utf8'));
}

/**
 * {@link jsonLine}'s bytes after `{"n":N`, written straight into bytes as UTF-8 (no string built;
 * made once per remembered decision: once per name on a typical capture); null when a string
 * needs JSON escaping — a quote, a backslash, a control character, a surrogate — (then the line
 * is built as a string: the same bytes).
 */
class JsonTailWriter {
  private buf = new Uint8Array(4096);
  private p = 0;
  private ok = true;

  bytes(r: Dns64Result): Uint8Array | null {
    this.p = 0;
    this.ok = true;
    this.raw(',"name":');
    this.str(r.name);
    this.raw(',"qtype":');
    this.str(r.qtype);
    this.raw(',"rcode":');
    this.num(r.rcode);
    this.raw(',"flags":[');
    for (let i = 0; i < r.flags.length; i++) {
      if (i) this.raw(',');
      this.str(r.flags[i]);
    }
    this.raw('],"answers":[');
    for (let i = 0; i < r.answers.length; i++) {
      const a = r.answers[i];
      this.raw(i ? ',{"name":' : '{"name":');
      this.str(a.name);
      this.raw(',"type":');
      this.str(a.type);
      this.raw(',"ttl":');
      this.num(a.ttl);
      this.raw(',"data":');
      this.str(a.data);
      this.raw('}');
    }
    this.raw(r.synthesized ? '],"synthesized":true,"reason":' : '],"synthesized":false,"reason":');
    this.str(r.reason);
    this.raw(',"detail":');
    this.str(r.detail);
    this.raw(',"resolver":');
    if (r.resolver === null) this.raw('null');
    else this.str(r.resolver);
    this.raw(',"action":');
    this.str(r.action);
    this.raw('}');
    return this.ok ? this.buf.slice(0, this.p) : null;
  }

  private room(n: number): void {
    if (this.p + n > this.buf.length) {
      const b = new Uint8Array(Math.max(this.buf.length * 2, this.p + n));
      b.set(this.buf.subarray(0, this.p));
      this.buf = b;
    }
  }

  /** ASCII that needs no escaping (the writer's own punctuation). */
  private raw(s: string): void {
    this.room(s.length);
    const b = this.buf;
    let p = this.p;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.p = p;
  }

  /**
   * A quoted string, in UTF-8, as q() gives it when nothing in it needs escaping (JSON.stringify
   * leaves characters from U+007F up as they are); else (a control character, a quote, a
   * backslash, a surrogate) the writer gives up.
   */
  private str(s: string): void {
    this.room(s.length * 3 + 2);
    const b = this.buf;
    let p = this.p;
    b[p++] = 0x22;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) {
        if (c < 0x20 || c === 0x22 || c === 0x5c) {
          this.ok = false;
          return;
        }
        b[p++] = c;
      } else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdfff) {
        this.ok = false;
        return;
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    b[p++] = 0x22;
    this.p = p;
  }

  /** num()'s text. */
  private num(v: number): void {
    if (Number.isInteger(v) && v >= 0 && v < 2147483648) {
      let d = 1;
      for (let x = v; x >= 10; x = (x / 10) | 0) d++;
      this.room(d);
      const b = this.buf;
      let x = v;
      for (let i = this.p + d - 1; i >= this.p; i--) {
        const q = (x / 10) | 0;
        b[i] = 0x30 + x - q * 10;
        x = q;
      }
      this.p += d;
    } else this.raw(num(v));
  }
}

const TAIL = new JsonTailWriter();

/** The bytes of a JSON line after `{"n":N` written directly, or null (see JsonTailWriter). */
export function jsonTailBytes(r: Dns64Result): Uint8Array | null {
  return TAIL.bytes(r);
}

/** The bytes after `#N` of a memo's text line. */
function textTail(r: Dns64Result, m: Dns64Memo): Uint8Array {
  return (m.text ??= Buffer.from(textOf({ ...r, n: 0 }).slice(2), 'utf8'));
}

export class LineCache {
  /** {@link jsonLine}'s line, written as bytes (from a memo: the number and the memo's tail). */
  writeJson(r: Dns64Result, memo: Dns64Memo | null, out: ByteLines): void {
    if (out.closed) return;
    if (memo === null || !Number.isInteger(r.n) || r.n < 0) return out.line(jsonLine(r));
    out.numLine(JSON_HEAD, r.n, jsonTail(r, memo));
  }

  /** {@link textOf}'s line, written as bytes. */
  writeText(r: Dns64Result, memo: Dns64Memo | null, out: ByteLines): void {
    if (out.closed) return;
    if (memo === null || !Number.isInteger(r.n) || r.n < 0) return out.line(textOf(r));
    out.numLine(TEXT_HEAD, r.n, textTail(r, memo));
  }

  /** The JSON line as a string (the same way: for tests). */
  json(r: Dns64Result, memo: Dns64Memo | null): string {
    if (memo === null || !Number.isInteger(r.n) || r.n < 0) return jsonLine(r);
    return `{"n":${num(r.n)}${Buffer.from(jsonTail(r, memo)).toString('utf8')}`;
  }

  text(r: Dns64Result, memo: Dns64Memo | null): string {
    if (memo === null || !Number.isInteger(r.n) || r.n < 0) return textOf(r);
    return `#${r.n}${Buffer.from(textTail(r, memo)).toString('utf8')}`;
  }
}

function answersText(r: Dns64Result): string {
  const recs = r.answers.filter((a) => a.type === r.qtype || a.type === 'CNAME' || a.type === 'DNAME');
  if (recs.length === 0) return r.rcode === 3 ? 'NXDOMAIN' : r.rcode === 0 ? 'no answer' : `rcode ${r.rcode}`;
  return recs.map((a) => (a.type === r.qtype ? `${a.data} (TTL ${a.ttl})` : `${a.type} ${a.data}`)).join(', ');
}

export function textOf(r: Dns64Result): string {
  const resolver = r.resolver ?? 'no response captured';
  const dns64 = r.action === 'keep' ? 'same' : r.action === 'none' && !r.message ? 'nothing' : answersText(r);
  return `#${r.n} ${r.name} ${r.qtype}: resolver ${resolver}; dns64 ${dns64} [${r.reason}] ${r.detail}`;
}
