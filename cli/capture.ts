/** Reading a capture for a command: warnings on stderr, broken framing as an exit-3 error. */
import { readCapture, type ReadSummary, type PacketCallback, type ReadOptions } from '../src/pcap/reader.js';

/** What main() passes for a lone "-" argument (stdin or stdout). */
export const STDIN_ARG = '\u0000stdin';

/** The path a command should use for a capture argument: `-` for stdin. */
export function inputPath(arg: string): string {
  return arg === STDIN_ARG ? '-' : arg;
}

export class CorruptCaptureError extends Error {
  readonly exitCode = 3;
}

export function warn(msg: string): void {
  process.stderr.write(`nat64scope: warning: ${msg}\n`);
}

/**
 * Reads `input` to the end (or until `onPacket` returns false). A file cut in the middle is a
 * warning (every whole packet was delivered); broken framing stops the command with exit 3,
 * after the caller's output for the packets before it.
 */
export async function readInput(arg: string, onPacket: PacketCallback, opts: ReadOptions & { afterChunk?: () => Promise<void> | undefined } = {}): Promise<ReadSummary> {
  const input = inputPath(arg);
  let last = '';
  const summary = await readCapture(input, onPacket, {
    ...opts,
    onWarning: (m) => {
      last = m;
      if (opts.onWarning) opts.onWarning(m);
      else warn(`${m} (${input === '-' ? 'stdin' : input})`);
    },
  });
  if (summary.corrupt) {
    const name = input === '-' ? 'stdin' : input;
    const e = new CorruptCaptureError(`capture framing is broken after packet ${summary.packets}: ${last.replace(/\s*\([^)]*\)\s*$/, '')} (${name})`);
    (e as CorruptCaptureError & { summary?: ReadSummary }).summary = summary;
    throw e;
  }
  return summary;
}
