/**
 * Tokens of the display-filter language. Words are runs of `[A-Za-z0-9_.:/-]`, so field names
 * (`dns.name`), numbers (`0x1bb`), addresses (`64:ff9b::c633:6407`, `198.51.100.7`), prefixes
 * (`64:ff9b::/96`) and ranges (`1024..65535`) are each one word; the parser decides what a word
 * means from where it stands. Strings are double- or single-quoted with C-like escapes.
 */
import { FilterError } from './errors.js';

export const T = {
  EOF: 0,
  WORD: 1,
  STRING: 2,
  LPAREN: 3,
  RPAREN: 4,
  LBRACE: 5,
  RBRACE: 6,
  COMMA: 7,
  /** == != < <= > >= ~ (text in `value`). */
  OP: 8,
  AND: 9,
  OR: 10,
  NOT: 11,
  XOR: 12,
} as const;
export type TokenType = (typeof T)[keyof typeof T];

export interface Token {
  type: TokenType;
  /** The word, the decoded string, or the operator. */
  value: string;
  /** 1-based column of the first character. */
  col: number;
  /** 1-based column just past the last character. */
  end: number;
}

function isWordChar(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) ||
    c === 0x5f || c === 0x2e || c === 0x3a || c === 0x2f || c === 0x2d;
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'",
};

function isHex(ch: string): boolean {
  return /^[0-9a-fA-F]$/.test(ch);
}

/** Splits filter text into tokens; throws FilterError at the offending column. */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    const ch = text[i];
    if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) {
      i++;
      continue;
    }
    const col = i + 1;
    const two = text.slice(i, i + 2);
    const push = (type: TokenType, value: string, len: number): void => {
      out.push({ type, value, col, end: col + len });
      i += len;
    };
    if (two === '==' || two === '!=' || two === '<=' || two === '>=') push(T.OP, two, 2);
    else if (two === '&&') push(T.AND, two, 2);
    else if (two === '||') push(T.OR, two, 2);
    else if (two === '^^') push(T.XOR, two, 2);
    else if (ch === '<' || ch === '>' || ch === '~') push(T.OP, ch, 1);
    else if (ch === '!') push(T.NOT, ch, 1);
    else if (ch === '(') push(T.LPAREN, ch, 1);
    else if (ch === ')') push(T.RPAREN, ch, 1);
    else if (ch === '{') push(T.LBRACE, ch, 1);
    else if (ch === '}') push(T.RBRACE, ch, 1);
    else if (ch === ',') push(T.COMMA, ch, 1);
    else if (ch === '=') throw new FilterError('"=" is not an operator: use "==" to compare', col);
    else if (ch === '&') throw new FilterError('"&" is not an operator: use "&&" or "and"', col);
    else if (ch === '|') throw new FilterError('"|" is not an operator: use "||" or "or"', col);
    else if (ch === '"' || ch === "'") {
      const { value, next } = readString(text, i);
      out.push({ type: T.STRING, value, col, end: next + 1 });
      i = next;
    } else if (isWordChar(c)) {
      let j = i;
      while (j < n && isWordChar(text.charCodeAt(j))) j++;
      push(T.WORD, text.slice(i, j), j - i);
    } else {
      const cp = text.codePointAt(i) ?? c;
      const shown = cp < 0x20 || cp === 0x7f ? `\\x${cp.toString(16).padStart(2, '0')}` : String.fromCodePoint(cp);
      throw new FilterError(`unexpected character "${shown}"`, col);
    }
  }
  out.push({ type: T.EOF, value: '', col: n + 1, end: n + 1 });
  return out;
}

/** Reads the quoted string starting at text[start]; returns its value and the index after it. */
function readString(text: string, start: number): { value: string; next: number } {
  const quote = text[start];
  let s = '';
  let i = start + 1;
  for (;;) {
    if (i >= text.length) throw new FilterError('unterminated string: missing closing ' + quote, start + 1);
    const ch = text[i];
    if (ch === quote) return { value: s, next: i + 1 };
    if (ch !== '\\') {
      s += ch;
      i++;
      continue;
    }
    const e = text[i + 1];
    if (e === undefined) throw new FilterError('unterminated string: missing closing ' + quote, start + 1);
    if (SIMPLE_ESCAPES[e] !== undefined) {
      s += SIMPLE_ESCAPES[e];
      i += 2;
    } else if (e === 'x') {
      let j = i + 2;
      while (j < i + 4 && j < text.length && isHex(text[j])) j++;
      if (j === i + 2) throw new FilterError('"\\x" needs one or two hex digits', i + 1);
      s += String.fromCharCode(parseInt(text.slice(i + 2, j), 16));
      i = j;
    } else if (e >= '0' && e <= '7') {
      let j = i + 1;
      while (j < i + 4 && j < text.length && text[j] >= '0' && text[j] <= '7') j++;
      const v = parseInt(text.slice(i + 1, j), 8);
      if (v > 0xff) throw new FilterError(`octal escape "\\${text.slice(i + 1, j)}" is above \\377`, i + 1);
      s += String.fromCharCode(v);
      i = j;
    } else if (e === 'u') {
      let hex: string;
      let j: number;
      if (text[i + 2] === '{') {
        const close = text.indexOf('}', i + 3);
        if (close < 0) throw new FilterError('"\\u{" needs a closing "}"', i + 1);
        hex = text.slice(i + 3, close);
        j = close + 1;
      } else {
        hex = text.slice(i + 2, i + 6);
        j = i + 6;
        if (hex.length !== 4) hex = '';
      }
      if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new FilterError('"\\u" needs 4 hex digits, or 1 to 6 inside braces up to 10FFFF', i + 1);
      s += String.fromCodePoint(parseInt(hex, 16));
      i = j;
    } else {
      throw new FilterError(`unknown escape "\\${e}" in a string (use "\\\\" for a backslash)`, i + 1);
    }
  }
}
