import { drained } from './output.js';

/**
 * Line output into a byte buffer, for commands that print many lines made of a few parts (a
 * number and a cached tail): the parts are copied as bytes, no line string is built. Same
 * behaviour as {@link LineOutput} (output.ts): large writes, backpressure honoured, a closed pipe
 * ends quietly. Every line ends with '\n'.
 */
export class ByteLines {
  private buf: Buffer;
  private pos = 0;
  closed = false;
  private draining: Promise<void> | null = null;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout, private readonly size = 1 << 16) {
    this.buf = Buffer.allocUnsafe(size);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  /** A whole line given as a string (UTF-8). */
  line(s: string): void {
    if (this.closed) return;
    const max = s.length * 3 + 1;
    if (this.pos + max > this.size) {
      this.flush();
      if (max > this.size) {
        this.stream.write(s + '\n');
        return;
      }
    }
    this.pos += this.buf.write(s, this.pos, 'utf8');
    this.buf[this.pos++] = 0x0a;
  }

  /** `head` (ASCII bytes), the decimal digits of `n` (a whole number >= 0), then `tail` and '\n'. */
  numLine(head: Uint8Array, n: number, tail: Uint8Array): void {
    if (this.closed) return;
    const need = head.length + 16 + tail.length + 1;
    if (this.pos + need > this.size) {
      this.flush();
      if (need > this.size) {
        this.stream.write(Buffer.concat([head, Buffer.from(String(n)), tail, Buffer.from('\n')]));
        return;
      }
    }
    const b = this.buf;
    let p = this.pos;
    // (a few bytes: a loop costs less than the TypedArray.prototype.set call)
    for (let i = 0; i < head.length; i++) b[p++] = head[i];
    if (n < 10) b[p++] = 0x30 + n;
    else if (n < 4294967296) {
      // Digits without a string: count them, then fill from the right.
      let d = 1;
      for (let x = n; x >= 10; x = Math.floor(x / 10)) d++;
      let x = n;
      for (let i = p + d - 1; i >= p; i--) {
        const q = Math.floor(x / 10);
        b[i] = 0x30 + (x - q * 10);
        x = q;
      }
      p += d;
    } else {
      const s = String(n);
      for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    }
    b.set(tail, p);
    p += tail.length;
    b[p++] = 0x0a;
    this.pos = p;
  }

  flush(): Promise<void> | undefined {
    if (this.pos === 0 || this.closed) {
      this.pos = 0;
      return this.draining ?? undefined;
    }
    const chunk = this.buf.subarray(0, this.pos);
    this.pos = 0;
    const ok = this.stream.write(chunk);
    // A stream that still holds bytes may hold these: fill a new buffer then. (stdout on Linux
    // writes synchronously, files and pipes alike: the buffer is free again at once.)
    if ((this.stream as NodeJS.WritableStream & { writableLength?: number }).writableLength !== 0) this.buf = Buffer.allocUnsafe(this.size);
    if (ok || this.draining) return this.draining ?? undefined;
    this.draining = drained(this.stream).then(() => {
      this.draining = null;
    });
    return this.draining;
  }

  async end(): Promise<void> {
    await this.flush();
    if (this.closed) return;
    await new Promise<void>((resolve) => this.stream.write('', () => resolve()));
  }
}
