/**
 * The parent's side of the capture process (capture-child.ts): starts it, turns its first message
 * into the interfaces opened or into the error it hit (same message, same exit code), hands each
 * packet to `onPacket` as it is read from the pipe, asks for the kernel's counters, stops it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RecordReader, type CaptureSpec, type ChildMessage } from './capture-stream.js';
import { LiveEnvError, LiveUsageError } from './errors.js';

const CHILD = fileURLToPath(new URL('./capture-child.js', import.meta.url));

export type CounterMessage = Extract<ChildMessage, { kind: 'stats' | 'end' }>;

export class CaptureProcess {
  interfaces: { name: string; linkType: number }[] = [];
  /** Called for every packet read from the pipe (views valid during the call). */
  onPacket: (b: Buffer, off: number, caplen: number, iface: number, trunc: boolean, origLen: number, sec: number, nsec: number) => void = () => undefined;
  /** The latest counters the capture process sent. */
  counters: CounterMessage | null = null;
  private ended: CounterMessage | null = null;
  private readonly endWaiters: ((m: CounterMessage | null) => void)[] = [];
  private exited = false;
  private stdoutEnded = false;

  private constructor(private readonly child: ChildProcess) {}

  /** Starts the capture process; resolves once every interface is open. */
  static start(spec: CaptureSpec): Promise<CaptureProcess> {
    // stderr through a pipe, not the terminal: Node restores the termios it found at start on
    // every stdio fd that is a TTY when it exits, so a child holding the terminal as stderr would
    // put it back in cooked mode (echo, no keys for the viewer) when the capture stops by -c or
    // --duration while the viewer stays open.
    const child = spawn(process.execPath, [CHILD, JSON.stringify(spec)], { stdio: ['pipe', 'pipe', 'pipe'] });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    const cp = new CaptureProcess(child);
    return new Promise((resolve, reject) => {
      let opened = false;
      const reader = new RecordReader(
        (b, off, caplen, iface, trunc, origLen, sec, nsec) => cp.onPacket(b, off, caplen, iface, trunc, origLen, sec, nsec),
        (m) => {
          if (m.kind === 'open') {
            opened = true;
            cp.interfaces = m.interfaces;
            resolve(cp);
          } else if (m.kind === 'error') {
            reject(m.exitCode === 2 ? new LiveUsageError(m.message) : new LiveEnvError(m.message));
          } else if (m.kind === 'stats') {
            cp.counters = m;
          } else {
            cp.counters = m;
            cp.ended = m;
            cp.settle();
          }
        },
      );
      child.stdout!.on('data', (d: Buffer) => reader.feed(d));
      child.stdout!.on('end', () => {
        cp.stdoutEnded = true;
        cp.settle();
      });
      child.stdin!.on('error', () => undefined);
      child.on('error', (e) => reject(new LiveEnvError(`cannot start the capture process: ${e.message}`)));
      child.on('exit', (code, sig) => {
        cp.exited = true;
        if (!opened) reject(new LiveEnvError(`the capture process exited before capturing (${sig ?? code})`));
        cp.settle();
      });
    });
  }

  private settle(): void {
    // Done when the end message arrived and every byte before it was read, or the process is gone.
    if ((this.ended && this.stdoutEnded) || this.exited && this.stdoutEnded) {
      for (const w of this.endWaiters.splice(0)) w(this.ended);
    }
  }

  get alive(): boolean {
    return !this.exited;
  }

  /** Asks for the kernel's counters (they arrive in `counters`). */
  requestStats(): void {
    if (!this.exited && this.child.stdin?.writable) this.child.stdin.write('stats\n');
  }

  /** Stops capturing; resolves with the final counters once every packet captured was delivered. */
  stop(): Promise<CounterMessage | null> {
    const p = new Promise<CounterMessage | null>((r) => this.endWaiters.push(r));
    if (!this.exited && this.child.stdin?.writable) this.child.stdin.end('stop\n');
    this.settle();
    return p;
  }

  /** Ends the process at once (an error in the parent). */
  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}
