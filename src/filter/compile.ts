/**
 * Turns a parsed filter into one predicate over a {@link FactSource}: every literal is parsed
 * once here (numbers, addresses as bytes, regular expressions), so evaluating a packet is field
 * reads and comparisons, nothing allocated.
 */
import { FilterError } from './errors.js';
import type { FactSource } from './facts.js';
import { lookupField, fieldNames, Need, type FieldDef, type NumGetter, type AddrGetter } from './fields.js';
import type { Node, TestNode, ValueNode } from './parser.js';
import { parseIpv4, parseIpv6 } from '../wire/addr-text.js';
import { Reason, reasonId } from '../diag/reasons.js';

export type Pred = (s: FactSource) => boolean;

const RELATIONAL = new Set(['<', '<=', '>', '>=']);

export interface Compiled {
  pred: Pred;
  need: number;
  names: Set<string>;
}

/** Fields a command cannot supply: a filter naming them is rejected at their column. */
export interface CompileOptions {
  /** The command knows the engine's verdict per packet (default true). */
  outcome?: boolean;
  /** The command knows analyze's findings per packet (default true). */
  findings?: boolean;
  /** Names the command, for the message ("packets runs no engine"). */
  command?: string;
}

export function compileNode(n: Node, opts: CompileOptions = {}): Compiled {
  const names = new Set<string>();
  let need = 0;
  const walk = (x: Node): Pred => {
    switch (x.kind) {
      case 'and': {
        const ps = x.items.map(walk);
        if (ps.length === 2) { const [a, b] = ps; return (s) => a(s) && b(s); }
        return (s) => { for (let i = 0; i < ps.length; i++) if (!ps[i](s)) return false; return true; };
      }
      case 'or': {
        const ps = x.items.map(walk);
        if (ps.length === 2) { const [a, b] = ps; return (s) => a(s) || b(s); }
        return (s) => { for (let i = 0; i < ps.length; i++) if (ps[i](s)) return true; return false; };
      }
      case 'xor': {
        // Left to right, as ((a xor b) xor c): true when an odd number of items are.
        const ps = x.items.map(walk);
        return (s) => { let v = false; for (let i = 0; i < ps.length; i++) if (ps[i](s)) v = !v; return v; };
      }
      case 'not': { const a = walk(x.a); return (s) => !a(s); }
      default: {
        const def = lookupField(x.field);
        if (!def) throw new FilterError(unknownField(x.field), x.col);
        if (def.need & Need.OUTCOME && opts.outcome === false) {
          throw new FilterError(`"${x.field}" needs the translator's verdict for each packet, which ${opts.command ?? 'this command'} does not compute (use it with translate, analyze or view)`, x.col);
        }
        if (def.need & Need.FINDINGS && opts.findings === false) {
          throw new FilterError(`"${x.field}" needs analyze's findings, which ${opts.command ?? 'this command'} does not compute (use it with analyze or view)`, x.col);
        }
        names.add(def.name);
        need |= def.need;
        return compileTest(x, def);
      }
    }
  };
  const pred = walk(n);
  return { pred, need, names };
}

function unknownField(name: string): string {
  const lower = name.toLowerCase();
  let best = '';
  let bestD = 3;
  for (const c of fieldNames()) {
    const d = distance(lower, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  if (/^[0-9]/.test(name) || name.includes(':')) return `expected a field or protocol name, found the value "${name}" (a test is FIELD OP VALUE, e.g. dst == ${name})`;
  return `unknown field "${name}"${best ? ` (did you mean "${best}"?)` : ''}`;
}

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 99;
  // Optimal string alignment distance: a swap of two neighbours ("dprot") counts as one edit.
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i][0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, rows[i - 2][j - 2] + 1);
      rows[i][j] = d;
    }
  }
  return rows[a.length][b.length];
}

const KIND_TEXT: Record<string, string> = { num: 'a number', bool: 'true or false', addr: 'an address', str: 'text', pred: 'a test on its own' };

function compileTest(t: TestNode, def: FieldDef): Pred {
  const op = t.op;
  if (op === null) return existence(def);
  if (def.kind === 'pred') {
    throw new FilterError(`"${t.field}" is a test on its own and takes no operator (write "${t.field}" or "not ${t.field}")`, t.opCol);
  }
  if ((op === 'contains' || op === 'matches') && def.kind !== 'str') {
    throw new FilterError(`"${op}" needs a text field; "${t.field}" is ${KIND_TEXT[def.kind]}`, t.opCol);
  }
  if (RELATIONAL.has(op) && def.kind !== 'num') {
    throw new FilterError(`"${op}" compares numbers; "${t.field}" is ${KIND_TEXT[def.kind]} (use ==, != or in)`, t.opCol);
  }
  const negate = op === '!=' || op === 'not in';
  let any: Pred;
  let present: Pred;
  switch (def.kind) {
    case 'num':
    case 'bool': {
      const getters = def.nums!;
      present = anyNum(getters, () => true);
      if (RELATIONAL.has(op)) {
        const v = numberLiteral(t.values[0], def, t.field);
        const cmp = op === '<' ? (x: number) => x < v : op === '<=' ? (x: number) => x <= v : op === '>' ? (x: number) => x > v : (x: number) => x >= v;
        return anyNum(getters, cmp);
      }
      const ranges = t.values.map((v) => numberRange(v, def, t.field, op === 'in' || op === 'not in'));
      if (ranges.length === 1 && ranges[0][0] === ranges[0][1]) {
        const v = ranges[0][0];
        any = getters.length === 1 ? ((g) => (s: FactSource) => g(s) === v)(getters[0]) : anyNum(getters, (x) => x === v);
      } else {
        any = anyNum(getters, (x) => {
          for (let i = 0; i < ranges.length; i++) if (x >= ranges[i][0] && x <= ranges[i][1]) return true;
          return false;
        });
      }
      break;
    }
    case 'addr': {
      const getters = def.addrs!;
      const lits = t.values.map((v) => addressLiteral(v, def, t.field));
      present = anyAddr(getters, () => true);
      any = anyAddr(getters, (s, ver) => {
        for (let i = 0; i < lits.length; i++) if (lits[i].version === ver && prefixMatch(s.ab, s.ao, lits[i])) return true;
        return false;
      });
      break;
    }
    default: {
      const ids = def.strs!;
      present = anyStr(ids, () => true);
      if (op === 'contains') {
        const v = stringLiteral(t.values[0], def, t.field, false);
        if (def.dnsName) {
          const re = new RegExp(escapeRegExp(v), 'i');
          any = anyStr(ids, (x) => re.test(x));
        } else any = anyStr(ids, (x) => x.includes(v));
        return any;
      }
      if (op === 'matches') {
        const re = regexLiteral(t.values[0]);
        return anyStr(ids, (x) => re.test(x));
      }
      const vals = t.values.map((v) => stringLiteral(v, def, t.field, true));
      any = def.dnsName
        ? anyStr(ids, (x) => { for (const v of vals) if (dnsNameEq(x, v)) return true; return false; })
        : anyStr(ids, (x) => vals.includes(x));
      break;
    }
  }
  if (!negate) return any;
  // Wireshark's "!=": the field is there and none of its values equals (so a UDP packet is not
  // "tcp.port != 80", and "port != 53" drops a packet with 53 on either side).
  return (s) => present(s) && !any(s);
}

function existence(def: FieldDef): Pred {
  switch (def.kind) {
    case 'pred': return def.pred!;
    case 'bool': return anyNum(def.nums!, (x) => x !== 0);
    case 'num': return anyNum(def.nums!, () => true);
    case 'addr': return anyAddr(def.addrs!, () => true);
    default: return anyStr(def.strs!, () => true);
  }
}

function anyNum(getters: NumGetter[], test: (x: number) => boolean): Pred {
  if (getters.length === 1) {
    const g = getters[0];
    return (s) => { const x = g(s); return x === x && test(x); };
  }
  return (s) => {
    for (let i = 0; i < getters.length; i++) {
      const x = getters[i](s);
      if (x === x && test(x)) return true;
    }
    return false;
  };
}

function anyAddr(getters: AddrGetter[], test: (s: FactSource, version: number) => boolean): Pred {
  return (s) => {
    for (let i = 0; i < getters.length; i++) {
      const g = getters[i];
      const v = s.addr(g.id);
      if (v !== 0 && (g.version === 0 || g.version === v) && test(s, v)) return true;
    }
    return false;
  };
}

function anyStr(ids: number[], test: (x: string) => boolean): Pred {
  return (s) => {
    for (let k = 0; k < ids.length; k++) {
      const id = ids[k];
      const n = s.strCount(id);
      for (let i = 0; i < n; i++) if (test(s.strAt(id, i))) return true;
    }
    return false;
  };
}

// ---- literals ---------------------------------------------------------------------------------

function parseNumberText(text: string, float: boolean): number {
  if (/^[0-9]+$/.test(text)) return Number(text);
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (float && /^([0-9]+\.[0-9]*|\.[0-9]+)$/.test(text)) return Number(text);
  return NaN;
}

function numberLiteral(v: ValueNode, def: FieldDef, field: string): number {
  const text = v.text.trim();
  let x = parseNumberText(text, def.float === true);
  if (x !== x && def.kind === 'bool') {
    const l = text.toLowerCase();
    if (l === 'true') x = 1;
    else if (l === 'false') x = 0;
  }
  if (x !== x && def.mnemonic) {
    const m = def.mnemonic(text);
    if (m >= 0) x = m;
  }
  if (x !== x || !Number.isFinite(x)) {
    const want = def.kind === 'bool' ? 'true, false, 1 or 0' : def.mnemonic ? 'a number or a name' : def.float ? 'a number' : 'a whole number (decimal or 0x hex)';
    throw new FilterError(`"${field}" needs ${want}, found ${v.quoted ? JSON.stringify(v.text) : `"${v.text}"`}`, v.col);
  }
  if (def.kind === 'bool' && x !== 0 && x !== 1) throw new FilterError(`"${field}" is true or false: compare it with 1 or 0, not ${x}`, v.col);
  return x;
}

function numberRange(v: ValueNode, def: FieldDef, field: string, allowRange: boolean): [number, number] {
  const dots = v.quoted ? -1 : v.text.indexOf('..');
  if (dots >= 0) {
    if (!allowRange) throw new FilterError(`a range "a..b" goes only inside "in"`, v.col);
    const lo = numberLiteral({ text: v.text.slice(0, dots), quoted: false, col: v.col }, def, field);
    const hi = numberLiteral({ text: v.text.slice(dots + 2), quoted: false, col: v.col + dots + 2 }, def, field);
    if (hi < lo) throw new FilterError(`empty range ${v.text}: ${hi} is below ${lo}`, v.col);
    return [lo, hi];
  }
  const x = numberLiteral(v, def, field);
  return [x, x];
}

interface AddrLit {
  version: 4 | 6;
  bytes: Uint8Array;
  bits: number;
}

function addressLiteral(v: ValueNode, def: FieldDef, field: string): AddrLit {
  const text = v.text;
  const slash = text.indexOf('/');
  const a = slash < 0 ? text : text.slice(0, slash);
  const bytes = new Uint8Array(16);
  let version: 4 | 6;
  if (parseIpv4(a, bytes, 0)) version = 4;
  else if (parseIpv6(a, bytes, 0)) version = 6;
  else {
    const why = a.includes(':') || /^[0-9.]+$/.test(a) ? 'not a valid IPv4 or IPv6 address' : 'expected an IPv4 or IPv6 address';
    throw new FilterError(`"${field}" compares addresses: ${why}, found ${JSON.stringify(a)}`, v.col);
  }
  const max = version === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const lt = text.slice(slash + 1);
    const col = v.col + slash + 1;
    if (!/^[0-9]{1,3}$/.test(lt)) throw new FilterError(`expected a prefix length 0-${max} after "/", found ${JSON.stringify(lt)}`, col);
    bits = Number(lt);
    if (bits > max) throw new FilterError(`prefix length ${bits} is longer than an IPv${version} address (${max} bits)`, col);
  }
  const only = def.addrs!.every((g) => g.version !== 0 && g.version !== version) ? def.addrs![0].version : 0;
  if (only !== 0) throw new FilterError(`"${field}" holds IPv${only} addresses; ${JSON.stringify(a)} is IPv${version}`, v.col);
  return { version, bytes, bits };
}

function prefixMatch(b: Uint8Array, off: number, lit: AddrLit): boolean {
  const full = lit.bits >> 3;
  const lb = lit.bytes;
  for (let i = 0; i < full; i++) if (b[off + i] !== lb[i]) return false;
  const rem = lit.bits & 7;
  if (rem === 0) return true;
  const m = (0xff << (8 - rem)) & 0xff;
  return (b[off + full] & m) === (lb[full] & m);
}

const REASON_IDS: Set<string> = new Set(Object.values(Reason).map((c) => reasonId(c as number)));

function stringLiteral(v: ValueNode, def: FieldDef, field: string, whole: boolean): string {
  let s = v.text;
  if (def.dnsName && s.length > 1 && s.endsWith('.') && !s.endsWith('\\.')) s = s.slice(0, -1);
  if (whole && def.choices && !def.choices.includes(s)) {
    throw new FilterError(`"${field}" is one of ${def.choices.join(', ')}; found ${JSON.stringify(s)}`, v.col);
  }
  if (whole && def.need & Need.OUTCOME && def.name === 'reason' && !REASON_IDS.has(s)) {
    throw new FilterError(`unknown drop reason ${JSON.stringify(s)} (the ids translate --explain writes, e.g. no-bib-entry)`, v.col);
  }
  return s;
}

function regexLiteral(v: ValueNode): RegExp {
  try {
    // Wireshark's "matches" is case-insensitive (PCRE2 caseless); JavaScript syntax otherwise.
    return new RegExp(v.text, 'i');
  } catch (e) {
    throw new FilterError(`invalid regular expression: ${(e as Error).message.replace(/^Invalid regular expression: /, '')}`, v.col);
  }
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** DNS names are equal without regard to ASCII case (RFC 4343); a trailing dot is ignored. */
function dnsNameEq(x: string, v: string): boolean {
  let n = x.length;
  if (n > 1 && x.charCodeAt(n - 1) === 0x2e && x.charCodeAt(n - 2) !== 0x5c) n--;
  if (n !== v.length) return false;
  for (let i = 0; i < n; i++) {
    let a = x.charCodeAt(i);
    let b = v.charCodeAt(i);
    if (a >= 0x41 && a <= 0x5a) a += 0x20;
    if (b >= 0x41 && b <= 0x5a) b += 0x20;
    if (a !== b) return false;
  }
  return true;
}
