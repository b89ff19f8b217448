import { describe, expect, it } from 'vitest';
import { jsonLine, jsonOf, jsonTailBytes, LineCache } from '../../cli/commands/dns64.js';
import type { Dns64Result } from '../../src/xlat/dns64/engine.js';

function result(over: Partial<Dns64Result>): Dns64Result {
  return {
    n: 12, name: 'h1.example', qtype: 'AAAA', rcode: 0, flags: ['QR', 'RD', 'RA'],
    answers: [{ name: 'h1.example', type: 'AAAA', ttl: 60, data: '64:ff9b::c000:201' }],
    synthesized: true, reason: 'synthesized', detail: 'no AAAA: synthesized 1 AAAA (RFC 6052 §3.1)', resolver: 'NOERROR, no answer',
    action: 'rewrite', message: null, maxSize: 512, tcp: false, queryN: 3, ...over,
  } as Dns64Result;
}

/** What the line after `{"n":N` is, by definition: JSON.stringify of the SPEC object. */
const expected = (r: Dns64Result): string => JSON.stringify(jsonOf({ ...r, n: 0 })).slice(6);

describe('dns64 --json line tails written as bytes', () => {
  const cases: Array<[string, Partial<Dns64Result>]> = [
    ['plain', {}],
    ['no answers, no flags, no resolver', { answers: [], flags: [], resolver: null, synthesized: false, action: 'none' }],
    ['several answers', { answers: [1, 2, 3].map((i) => ({ name: 'H1.Example', type: 'AAAA', ttl: i * 1000, data: `64:ff9b::${i}` })) }],
    ['two-byte UTF-8', { detail: 'é § ü', name: 'café.example' }],
    ['three-byte UTF-8', { detail: 'ナット64 — ok' }],
    ['TTL 0, 2^31 - 1, 2^31, 2^32 - 1', { answers: [0, 2147483647, 2147483648, 4294967295].map((ttl) => ({ name: 'a', type: 'AAAA', ttl, data: '::1' })) }],
    ['DEL is not escaped', { detail: 'a\u007fb' }],
    ['rcode 3', { rcode: 3, answers: [] }],
  ];
  for (const [what, over] of cases) {
    it(what, () => {
      const r = result(over);
      const b = jsonTailBytes(r);
      expect(b).not.toBeNull();
      expect(Buffer.from(b!).toString('utf8')).toBe(expected(r));
      expect(new LineCache().json(r, { r, json: null, text: null })).toBe(JSON.stringify(jsonOf(r)));
    });
  }

  // Strings JSON escapes (and lone surrogates, which JSON.stringify escapes too): the line is built as a string instead.
  const escaped: Array<[string, Partial<Dns64Result>]> = [
    ['a quote', { detail: 'say "hi"' }],
    ['a backslash', { name: 'a\\.b' }],
    ['a control character', { detail: 'tab\there' }],
    ['a newline in an answer', { answers: [{ name: 'x\ny', type: 'AAAA', ttl: 1, data: '::' }] }],
    ['a surrogate pair', { detail: 'emoji 😀' }],
    ['a lone surrogate', { detail: 'bad \ud800 x' }],
  ];
  for (const [what, over] of escaped) {
    it(`falls back for ${what}`, () => {
      const r = result(over);
      expect(jsonTailBytes(r)).toBeNull();
      expect(new LineCache().json(r, { r, json: null, text: null })).toBe(JSON.stringify(jsonOf(r)));
      expect(jsonLine(r)).toBe(JSON.stringify(jsonOf(r)));
    });
  }

  it('a failed string does not leak into the next tail', () => {
    expect(jsonTailBytes(result({ detail: '"' }))).toBeNull();
    const r = result({});
    expect(Buffer.from(jsonTailBytes(r)!).toString('utf8')).toBe(expected(r));
  });

  it('grows past its first buffer', () => {
    const r = result({ detail: 'x'.repeat(10000), answers: Array.from({ length: 200 }, (_, i) => ({ name: `n${i}.example`, type: 'AAAA', ttl: i, data: `64:ff9b::${i}` })) });
    expect(Buffer.from(jsonTailBytes(r)!).toString('utf8')).toBe(expected(r));
  });
});
