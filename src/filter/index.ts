/**
 * Display filters (SPEC §6): the language of `--filter` and of the viewer's `/` key.
 *
 * ## API
 * ```ts
 * import { compileFilter, validateFilter, PacketFacts, FilterError } from '../filter/index.js';
 *
 * const f = compileFilter('tcp and dport == 443');   // throws FilterError {message, column}
 * f.fields;            // what it reads: {names, dns, dnsName, outcome, findings, embedded}
 *
 * // Over decoded packets, allocation-free (one PacketFacts per pipeline, refilled per packet):
 * const facts = new PacketFacts();
 * dec.decode(p.data, p.offset, p.caplen, p.linkType);
 * facts.fill(p, dec);                 // clears verdict / reason / findings
 * facts.verdict = 'dropped';          // only if f.fields.outcome: the engine's verdict for the
 * facts.reason = 'no-bib-entry';      //   packet (explain record `verdict`, `reason` ids)
 * facts.findings = ['prefix-not-routed'];  // only if f.fields.findings: analyze finding ids
 * f.matchesPacket(facts);
 *
 * // Over SPEC §5 packet objects (the viewer): same semantics, tested to agree.
 * f.matchesJson(packetJson(p, dec));  // reads also `verdict`, `reason`, `findings` when present
 *
 * validateFilter(text);  // {ok: true} | {ok: false, column, message}: the viewer's live mark
 *
 * // "Packets and their flows" (flows.ts):
 * const sel = packetFlowSelector(f);  // keyOf defaults to a direction-free 5-tuple hash
 * sel.streaming(facts);               // one pass: matching packets and later packets of their flows
 * sel.observe(facts) … sel.selects(facts);  // two passes over a file: whole flows
 * ```
 * Without a verdict (`packets`, which runs no engine) `drop`, `translated`, `verdict`, `reason`
 * never match; commands that cannot supply them reject such filters (`fields.outcome`).
 *
 * ## Grammar
 * ```
 * filter  := or
 * or      := xor (("or" | "||") xor)*
 * xor     := and (("xor" | "^^") and)*
 * and     := not (("and" | "&&") not)*
 * not     := ("not" | "!") not | "(" or ")" | test
 * test    := FIELD                                  the field is present (a flag: it is set)
 *          | FIELD ("==" | "!=" | "<" | "<=" | ">" | ">=" | "eq" | "ne" | "lt" | "le" | "gt" | "ge") VALUE
 *          | FIELD ("contains" | "matches" | "~") VALUE
 *          | FIELD ["not"] "in" (VALUE | "{" VALUE ([","] VALUE)* "}")
 * VALUE   := number (decimal, 0x hex; ts takes fractions) | a..b (in sets) | name (AAAA, NXDOMAIN,
 *            tcp, true) | IPv4 | IPv6 (any RFC 4291 text) | address/len | "string" | 'string' | word
 * ```
 * Multi-valued fields (`port`, `addr`, `embedded4`, `problems`, `finding`) match when any value
 * does; `!=` and `not in` mean "present, and no value equals" (Wireshark ≥ 3.6).
 */
import { FilterError } from './errors.js';
import { parseFilter } from './parser.js';
import { compileNode, type Pred, type CompileOptions } from './compile.js';
export type { CompileOptions } from './compile.js';
import { Need } from './fields.js';
import { JsonFacts, type FactSource, type PacketFacts } from './facts.js';

export { FilterError } from './errors.js';
export { PacketFacts, JsonFacts, DEFAULT_EMBED_PREFIXES, VERDICTS, type EmbedPrefix, type FactSource } from './facts.js';
export { FlowSelector, packetFlowSelector, defaultFlowKey, type FlowKeyFn } from './flows.js';
export { fieldNames } from './fields.js';

/** What a filter reads, so a caller knows what it must decode or supply. */
export interface FilterFields {
  /** Canonical names of the fields used (`dport`, `dns.name`, `tcp`, …). */
  names: readonly string[];
  /** Reads DNS (any `dns…` name). */
  dns: boolean;
  /** Reads the DNS question name (decoded into a string for DNS packets only). */
  dnsName: boolean;
  /** Reads the engine's verdict (`drop`, `translated`, `reconstructed`, `verdict`, `reason`). */
  outcome: boolean;
  /** Reads analyze findings (`finding`). */
  findings: boolean;
  /** Reads the IPv4 addresses embedded in Pref64 addresses (`embedded4`, `srcIpv4`, `dstIpv4`). */
  embedded: boolean;
}

export interface CompiledFilter {
  readonly text: string;
  readonly fields: FilterFields;
  /** True when the packet the facts were filled from matches. Allocates nothing. */
  matchesPacket(facts: PacketFacts): boolean;
  /** True when a SPEC §5 packet object matches. */
  matchesJson(obj: object): boolean;
  /** Either kind of source (advanced: a custom FactSource). */
  matches(src: FactSource): boolean;
}

class Filter implements CompiledFilter {
  private readonly json = new JsonFacts();
  constructor(readonly text: string, readonly fields: FilterFields, private readonly pred: Pred) {}
  matchesPacket(facts: PacketFacts): boolean {
    return this.pred(facts);
  }
  matchesJson(obj: object): boolean {
    return this.pred(this.json.set(obj));
  }
  matches(src: FactSource): boolean {
    return this.pred(src);
  }
}

/**
 * Compiles filter text; throws {@link FilterError} (message and 1-based column) when it is
 * invalid, or when it names facts the caller says it cannot supply (`opts.outcome`, `opts.findings`).
 */
export function compileFilter(text: string, opts: CompileOptions = {}): CompiledFilter {
  const { pred, need, names } = compileNode(parseFilter(text), opts);
  const fields: FilterFields = {
    names: [...names],
    dns: (need & Need.DNS) !== 0,
    dnsName: (need & Need.DNS_NAME) !== 0,
    outcome: (need & Need.OUTCOME) !== 0,
    findings: (need & Need.FINDINGS) !== 0,
    embedded: (need & Need.EMBEDDED) !== 0,
  };
  return new Filter(text, fields, pred);
}

export type FilterValidation = { ok: true } | { ok: false; column: number; message: string };

/** For a live valid/invalid mark: never throws. */
export function validateFilter(text: string, opts: CompileOptions = {}): FilterValidation {
  try {
    compileFilter(text, opts);
    return { ok: true };
  } catch (e) {
    if (e instanceof FilterError) return { ok: false, column: e.column, message: e.message };
    return { ok: false, column: 1, message: String((e as Error)?.message ?? e) };
  }
}

/** `invalid filter: <message> at column N (<text>)`, as the CLI prints it. */
export function filterErrorLine(e: FilterError, text: string): string {
  return `invalid filter: ${e.message} at column ${e.column} (${text})`;
}

/** The filter text with a caret under the column (for terminals). */
export function caretLines(text: string, column: number, indent = '  '): string {
  const oneLine = text.replace(/[\t\n\r]/g, ' ');
  return `${indent}${oneLine}\n${indent}${' '.repeat(Math.max(0, column - 1))}^`;
}
