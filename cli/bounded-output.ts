/**
 * Output for `live`: lines are written to fd 1 in the background (never blocking the capture
 * loop on a slow terminal or pipe), with a bound on what may wait. Lines beyond the bound are
 * not queued: they are counted (`dropped`) and reported, so memory stays flat whatever the rate.
 */
import { write } from 'node:fs';

export class BoundedOutput {
  private parts: string[] = [];
  private size = 0;
  private inflight = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];
  closed = false;
  /** Lines not written because the output fell behind. */
  dropped = 0;
  onClosed: (() => void) | null = null;

  constructor(private readonly fd = 1, private readonly limit = 16 << 20, private readonly chunk = 1 << 16) {}

  /** Queues a line; false when it was dropped (output closed or too far behind). */
  line(s: string): boolean {
    if (this.closed) return false;
    if (this.size + this.inflight > this.limit) {
      this.dropped++;
      return false;
    }
    this.parts.push(s);
    this.size += s.length + 1;
    if (this.inflight === 0 && this.size >= this.chunk) this.kick();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        if (this.inflight === 0) this.kick();
      });
    }
    return true;
  }

  private kick(): void {
    if (this.parts.length === 0 || this.closed) {
      if (this.inflight === 0) this.settle();
      return;
    }
    const buf = Buffer.from(this.parts.join('\n') + '\n', 'utf8');
    this.parts = [];
    this.size = 0;
    this.inflight = buf.length;
    this.writeFrom(buf, 0);
  }

  private writeFrom(buf: Buffer, off: number): void {
    write(this.fd, buf, off, buf.length - off, null, (err, n) => {
      if (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'EAGAIN') {
          setTimeout(() => this.writeFrom(buf, off), 5);
          return;
        }
        // EPIPE (`live ... | head`) or any other write error: the reader is gone.
        this.closed = true;
        this.inflight = 0;
        this.parts = [];
        this.size = 0;
        this.settle();
        if (this.onClosed) this.onClosed();
        return;
      }
      if (off + n < buf.length) {
        this.writeFrom(buf, off + n);
        return;
      }
      this.inflight = 0;
      this.kick();
    });
  }

  private settle(): void {
    for (const f of this.idle.splice(0)) f();
  }

  /** Resolves once everything queued has been written (or the output closed). */
  end(): Promise<void> {
    if (this.inflight === 0 && this.parts.length === 0) return Promise.resolve();
    const p = new Promise<void>((r) => this.idle.push(r));
    if (this.inflight === 0) this.kick();
    return p;
  }
}
