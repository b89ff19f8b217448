/**
 * Buffered stdout for line-oriented commands: lines are joined into large writes, backpressure is
 * honoured, and a closed pipe (`nat64scope packets x | head`) ends the command quietly.
 */
/** Resolves when `stream` has drained (or closed): what a writer waits for after write() said false. */
export function drained(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.on('drain', done);
    stream.on('close', done);
  });
}

export class LineOutput {
  private buf: string[] = [];
  private size = 0;
  closed = false;
  private draining: Promise<void> | null = null;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout, private readonly limit = 1 << 16) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  /** Adds a line; returns a promise only when the stream needs draining (await it then). */
  line(s: string): Promise<void> | undefined {
    this.buf.push(s);
    this.size += s.length + 1;
    if (this.size >= this.limit) return this.flush();
    return undefined;
  }

  flush(): Promise<void> | undefined {
    if (this.buf.length === 0 || this.closed) {
      this.buf.length = 0;
      this.size = 0;
      return this.draining ?? undefined;
    }
    const ok = this.stream.write(this.buf.join('\n') + '\n');
    this.buf.length = 0;
    this.size = 0;
    if (ok || this.draining) return this.draining ?? undefined;
    // One pending drain at a time, however often flush() is called meanwhile.
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
