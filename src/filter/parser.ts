/**
 * Parser of the display-filter language (grammar in index.ts). Precedence, loosest first:
 * `or` / `||`, `xor` / `^^`, `and` / `&&`, `not` / `!`; parentheses group. A test is a field
 * alone (it exists / is true) or `field OP value`, `field in SET`, `field not in SET`.
 */
import { FilterError } from './errors.js';
import { T, tokenize, type Token } from './lexer.js';

export interface ValueNode {
  /** The word as written, or the decoded string. */
  text: string;
  quoted: boolean;
  col: number;
}

export type Node =
  /** Chains are flat (`a and b and c` is one node with three items): no depth from long filters. */
  | { kind: 'and' | 'or' | 'xor'; items: Node[] }
  | { kind: 'not'; a: Node; col: number }
  | TestNode;

export interface TestNode {
  kind: 'test';
  field: string;
  col: number;
  /** Absent: the field alone. `==` `!=` `<` `<=` `>` `>=` `in` `not in` `contains` `matches`. */
  op: string | null;
  opCol: number;
  values: ValueNode[];
  /** The values came in braces (a set). */
  set: boolean;
}

const WORD_OPS: Record<string, string> = {
  eq: '==', ne: '!=', lt: '<', le: '<=', gt: '>', ge: '>=', contains: 'contains', matches: 'matches', in: 'in',
};
const KEYWORDS = new Set(['and', 'or', 'xor', 'not', ...Object.keys(WORD_OPS)]);

function describe(t: Token): string {
  switch (t.type) {
    case T.EOF: return 'the end of the filter';
    case T.STRING: return `the string ${JSON.stringify(t.value)}`;
    default: return `"${t.value}"`;
  }
}

/** Deepest nesting of parentheses and `not` (a bound on the parser's and the evaluator's stack). */
export const MAX_DEPTH = 200;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly toks: Token[]) {}

  private peek(): Token {
    return this.toks[this.i];
  }
  private next(): Token {
    return this.toks[this.i++];
  }
  private isWord(t: Token, w: string): boolean {
    return t.type === T.WORD && t.value.toLowerCase() === w;
  }

  parse(): Node {
    if (this.peek().type === T.EOF) throw new FilterError('empty filter', 1);
    const n = this.or();
    const t = this.peek();
    if (t.type !== T.EOF) {
      if (t.type === T.RPAREN) throw new FilterError('unexpected ")" with no "(" to close', t.col);
      throw new FilterError(`expected "and", "or" or the end of the filter, found ${describe(t)}`, t.col);
    }
    return n;
  }

  private chain(kind: 'and' | 'or' | 'xor', tok: number, word: string, sub: () => Node): Node {
    const first = sub();
    let items: Node[] | null = null;
    for (;;) {
      const t = this.peek();
      if (t.type !== tok && !this.isWord(t, word)) break;
      this.next();
      if (items === null) items = [first];
      items.push(sub());
    }
    return items === null ? first : { kind, items };
  }

  private or(): Node {
    return this.chain('or', T.OR, 'or', () => this.xor());
  }

  private xor(): Node {
    return this.chain('xor', T.XOR, 'xor', () => this.and());
  }

  private and(): Node {
    return this.chain('and', T.AND, 'and', () => this.not());
  }

  private enter(col: number): void {
    if (++this.depth > MAX_DEPTH) throw new FilterError(`nested too deeply (more than ${MAX_DEPTH} levels of "(" and "not")`, col);
  }

  private not(): Node {
    const t = this.peek();
    if (t.type === T.NOT || this.isWord(t, 'not')) {
      this.next();
      this.enter(t.col);
      const a = this.not();
      this.depth--;
      return { kind: 'not', a, col: t.col };
    }
    return this.primary();
  }

  private primary(): Node {
    const t = this.next();
    if (t.type === T.LPAREN) {
      this.enter(t.col);
      if (this.peek().type === T.RPAREN) throw new FilterError('empty parentheses', this.peek().col);
      const n = this.or();
      const c = this.peek();
      if (c.type !== T.RPAREN) {
        if (c.type === T.EOF) throw new FilterError('missing ")" to close the "(" at column ' + t.col, c.col);
        throw new FilterError(`expected ")" or "and", "or", found ${describe(c)}`, c.col);
      }
      this.next();
      this.depth--;
      return n;
    }
    if (t.type === T.WORD && !KEYWORDS.has(t.value.toLowerCase())) return this.test(t);
    if (t.type === T.EOF) throw new FilterError('the filter ends where a field or protocol name was expected', t.col);
    if (t.type === T.STRING || t.type === T.WORD) {
      const what = t.type === T.STRING ? describe(t) : `the keyword "${t.value}"`;
      throw new FilterError(`expected a field or protocol name, found ${what}`, t.col);
    }
    throw new FilterError(`expected a field or protocol name, found ${describe(t)}`, t.col);
  }

  private test(f: Token): TestNode {
    const node: TestNode = { kind: 'test', field: f.value, col: f.col, op: null, opCol: 0, values: [], set: false };
    const t = this.peek();
    let op: string | null = null;
    if (t.type === T.OP) op = t.value === '~' ? 'matches' : t.value;
    else if (t.type === T.WORD && WORD_OPS[t.value.toLowerCase()] !== undefined) op = WORD_OPS[t.value.toLowerCase()];
    else if (this.isWord(t, 'not') && this.isWord(this.toks[this.i + 1], 'in')) {
      this.next();
      op = 'not in';
    }
    if (op === null) {
      if (t.type === T.WORD && !KEYWORDS.has(t.value.toLowerCase())) {
        throw new FilterError(`expected an operator (==, !=, <, >, in, contains, matches) or "and"/"or" after "${f.value}", found "${t.value}"`, t.col);
      }
      if (t.type === T.STRING || t.type === T.LPAREN || t.type === T.LBRACE) {
        throw new FilterError(`expected an operator after "${f.value}", found ${describe(t)}`, t.col);
      }
      return node;
    }
    this.next();
    node.op = op;
    node.opCol = t.col;
    const v = this.peek();
    if (v.type === T.LBRACE) {
      if (op !== 'in' && op !== 'not in') throw new FilterError(`a set {…} goes only after "in"`, v.col);
      this.next();
      node.set = true;
      for (;;) {
        const e = this.next();
        if (e.type === T.RBRACE) break;
        if (e.type === T.COMMA) {
          if (node.values.length === 0) throw new FilterError('expected a value in the set, found ","', e.col);
          continue;
        }
        if (e.type === T.WORD || e.type === T.STRING) node.values.push({ text: e.value, quoted: e.type === T.STRING, col: e.col });
        else if (e.type === T.EOF) throw new FilterError(`missing "}" to close the set at column ${v.col}`, e.col);
        else throw new FilterError(`expected a value or "}" in the set, found ${describe(e)}`, e.col);
      }
      if (node.values.length === 0) throw new FilterError('empty set', v.col);
      return node;
    }
    if (v.type === T.WORD || v.type === T.STRING) {
      this.next();
      node.values.push({ text: v.value, quoted: v.type === T.STRING, col: v.col });
      return node;
    }
    throw new FilterError(`expected a value after "${t.value}", found ${describe(v)}`, v.col);
  }
}

/** Parses filter text into a tree; throws FilterError with the column of the problem. */
export function parseFilter(text: string): Node {
  return new Parser(tokenize(text)).parse();
}
