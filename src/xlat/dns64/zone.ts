/**
 * `--zone FILE`: A data (and AAAA, CNAME, DNAME, PTR, SOA) for names the capture never resolved.
 *
 * The subset of RFC 1035 §5 master-file syntax that matters here: `$ORIGIN`, `$TTL`, `@`,
 * relative names (completed with the origin), a blank owner (= the previous one), optional TTL
 * and class in either order, parentheses across lines, `;` comments, quoted strings; record types
 * A AAAA CNAME DNAME SOA PTR (others are skipped). And hosts-file lines (`ADDRESS NAME
 * [ALIAS...]`, `#` comments), which give A/AAAA records with the `$TTL` in force (default 3600).
 * Errors name the file and line: `zone: line 7: bad IPv4 address "1.2.3" (FILE)`.
 */
import { readFileSync } from 'node:fs';
import { parseIpv4, parseIpv6, ipv6ToString } from '../../wire/addr-text.js';

export interface ZoneRecord {
  /** Absolute name without the trailing dot. */
  name: string;
  type: 'A' | 'AAAA' | 'CNAME' | 'DNAME' | 'SOA' | 'PTR';
  ttl: number;
  /** Presentation rdata; names absolute without trailing dot. */
  data: string;
}

export class ZoneError extends Error {
  readonly exitCode = 2;
}

const TYPES = new Set(['A', 'AAAA', 'CNAME', 'DNAME', 'SOA', 'PTR']);
const OTHER_TYPES = new Set(['NS', 'MX', 'TXT', 'SRV', 'CAA', 'HINFO', 'DS', 'DNSKEY', 'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'SSHFP', 'TLSA', 'HTTPS', 'SVCB', 'NAPTR', 'SPF', 'LOC']);
const CLASSES = new Set(['IN', 'CH', 'HS', 'CS']);

/** Splits into logical lines of tokens: parentheses joined, comments dropped, quotes kept whole. */
function logicalLines(text: string, where: string): Array<{ line: number; tokens: string[]; blankOwner: boolean }> {
  const out: Array<{ line: number; tokens: string[]; blankOwner: boolean }> = [];
  const lines = text.split(/\r?\n/);
  let depth = 0;
  let cur: { line: number; tokens: string[]; blankOwner: boolean } | null = null;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (depth === 0) cur = { line: i + 1, tokens: [], blankOwner: /^[ \t]/.test(l) };
    let j = 0;
    while (j < l.length) {
      const c = l[j];
      // ';' comments (zone files); '#' at the start of a word (hosts files).
      if (c === ';' || (c === '#' && (j === 0 || l[j - 1] === ' ' || l[j - 1] === '\t'))) break;
      if (c === ' ' || c === '\t') { j++; continue; }
      if (c === '(') { depth++; j++; continue; }
      if (c === ')') {
        if (depth === 0) throw new ZoneError(`zone: line ${i + 1}: ")" without "(" (${where})`);
        depth--; j++; continue;
      }
      if (c === '"') {
        const e = l.indexOf('"', j + 1);
        if (e < 0) throw new ZoneError(`zone: line ${i + 1}: unterminated quoted string (${where})`);
        cur!.tokens.push(l.slice(j, e + 1));
        j = e + 1;
        continue;
      }
      let k = j;
      while (k < l.length && !' \t;()"'.includes(l[k])) {
        if (l[k] === '\\') k++;
        k++;
      }
      cur!.tokens.push(l.slice(j, k));
      j = k;
    }
    if (depth === 0 && cur && cur.tokens.length) out.push(cur);
  }
  if (depth !== 0) throw new ZoneError(`zone: line ${cur?.line ?? lines.length}: "(" never closed (${where})`);
  return out;
}

function ttlValue(t: string): number | null {
  // RFC 1035 digits, or BIND's 1w2d3h4m5s units.
  if (/^\d+$/.test(t)) return Number(t);
  const m = /^(?:(\d+)[wW])?(?:(\d+)[dD])?(?:(\d+)[hH])?(?:(\d+)[mM])?(?:(\d+)[sS])?$/.exec(t);
  if (!m || t === '') return null;
  return (Number(m[1] ?? 0) * 604800) + (Number(m[2] ?? 0) * 86400) + (Number(m[3] ?? 0) * 3600) + (Number(m[4] ?? 0) * 60) + Number(m[5] ?? 0);
}

function absName(n: string, origin: string, line: number, where: string): string {
  if (n === '@') {
    if (origin === '') throw new ZoneError(`zone: line ${line}: "@" with no $ORIGIN (${where})`);
    return origin;
  }
  if (n.endsWith('.') && !n.endsWith('\\.')) return n === '.' ? '.' : n.slice(0, -1);
  return origin ? `${n}.${origin}` : n;
}

/** Parses zone-file / hosts-file text. `origin` is the initial $ORIGIN (default none). */
export function parseZone(text: string, where = 'zone', origin0 = ''): ZoneRecord[] {
  const out: ZoneRecord[] = [];
  let origin = origin0.replace(/\.$/, '');
  let defTtl: number | null = null;
  let lastOwner: string | null = null;
  let lastTtl: number | null = null;
  const b4 = new Uint8Array(4);
  const b6 = new Uint8Array(16);
  for (const { line, tokens, blankOwner } of logicalLines(text, where)) {
    const err = (m: string): never => { throw new ZoneError(`zone: line ${line}: ${m} (${where})`); };
    const t0 = tokens[0];
    if (t0.toUpperCase() === '$ORIGIN') {
      if (!tokens[1]) err('$ORIGIN needs a name');
      origin = absName(tokens[1], origin, line, where);
      continue;
    }
    if (t0.toUpperCase() === '$TTL') {
      const v = tokens[1] ? ttlValue(tokens[1]) : null;
      if (v === null) err(`bad $TTL ${JSON.stringify(tokens[1] ?? '')}`);
      defTtl = v;
      continue;
    }
    if (t0.startsWith('$')) err(`unsupported directive ${t0}`);
    // Hosts-file line: an address first.
    if (!blankOwner && (parseIpv4(t0, b4, 0) || (t0.includes(':') && parseIpv6(t0.split('%')[0], b6, 0)))) {
      if (tokens.length < 2) err(`hosts line without a name after ${t0}`);
      const v6 = !parseIpv4(t0, b4, 0);
      for (const n of tokens.slice(1)) {
        out.push({ name: n.replace(/\.$/, ''), type: v6 ? 'AAAA' : 'A', ttl: defTtl ?? 3600, data: v6 ? ipv6ToString(b6, 0) : t0 });
      }
      continue;
    }
    let i = 0;
    let owner: string;
    if (blankOwner) {
      if (lastOwner === null) err('record without an owner name');
      owner = lastOwner!;
    } else {
      owner = absName(tokens[0], origin, line, where);
      i = 1;
    }
    let ttl: number | null = null;
    for (let k = 0; k < 2 && i < tokens.length; k++) {
      const u = tokens[i].toUpperCase();
      const tv = ttlValue(tokens[i]);
      if (tv !== null && ttl === null) { ttl = tv; i++; } else if (CLASSES.has(u)) {
        if (u !== 'IN') err(`class ${u} is not supported (IN only)`);
        i++;
      }
    }
    const type = (tokens[i] ?? '').toUpperCase();
    if (!type) err('record without a type');
    i++;
    const rd = tokens.slice(i);
    ttl ??= defTtl ?? lastTtl ?? 3600;
    lastOwner = owner;
    lastTtl = ttl;
    if (!TYPES.has(type)) {
      if (OTHER_TYPES.has(type) || /^TYPE\d+$/.test(type)) continue;
      err(`unknown record type ${JSON.stringify(tokens[i - 1])}`);
    }
    const need = (k: number): void => { if (rd.length < k) err(`${type} needs ${k} field${k > 1 ? 's' : ''}`); };
    let data: string;
    switch (type) {
      case 'A':
        need(1);
        if (!parseIpv4(rd[0], b4, 0)) err(`bad IPv4 address ${JSON.stringify(rd[0])}`);
        data = rd[0];
        break;
      case 'AAAA':
        need(1);
        if (!parseIpv6(rd[0], b6, 0)) err(`bad IPv6 address ${JSON.stringify(rd[0])}`);
        data = ipv6ToString(b6, 0);
        break;
      case 'CNAME':
      case 'DNAME':
      case 'PTR':
        need(1);
        data = absName(rd[0], origin, line, where);
        break;
      case 'SOA': {
        need(7);
        const nums = rd.slice(2, 7).map(ttlValue);
        if (nums.some((v) => v === null)) err('SOA serial/refresh/retry/expire/minimum must be numbers');
        data = `${absName(rd[0], origin, line, where)}. ${absName(rd[1], origin, line, where)}. ${nums.join(' ')}`;
        if (defTtl === null) defTtl = nums[4]!; // RFC 1035 §5.2 (before RFC 2308's $TTL)
        break;
      }
      default:
        continue;
    }
    out.push({ name: owner, type: type as ZoneRecord['type'], ttl, data });
  }
  return out;
}

/** Reads and parses a zone or hosts file (errors: ZoneError, exit 2). */
export function loadZoneFile(path: string): ZoneRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ZoneError(`cannot read zone file: ${code === 'ENOENT' ? 'no such file' : code ?? String(e)} (${path})`);
  }
  return parseZone(text, path);
}
