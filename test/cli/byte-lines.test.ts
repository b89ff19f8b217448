/** `ByteLines.numLine` writes head, the decimal digits of n (no string made below 2^32) and tail, as `${n}` would. */
import { describe, it, expect } from 'vitest';
import { Writable } from 'node:stream';
import { ByteLines } from '../../cli/byte-lines.js';

describe('ByteLines.numLine', () => {
  it('writes the number as String(n) does, across digit counts and the 2^32 boundary', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({ write(c, _e, cb) { chunks.push(Buffer.from(c)); cb(); } });
    const out = new ByteLines(sink, 256);
    const ns = [0, 1, 9, 10, 11, 99, 100, 101, 999, 1000, 65535, 1000000, 123456789, 4294967295, 4294967296, 2 ** 53 - 1];
    for (const n of ns) out.numLine(Buffer.from('{"n":'), n, Buffer.from(',"x":1}'));
    await out.end();
    expect(Buffer.concat(chunks).toString()).toBe(ns.map((n) => `{"n":${n},"x":1}\n`).join(''));
  });
});
