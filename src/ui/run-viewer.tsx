/**
 * Runs the viewer full screen on the terminal: alternate screen, Ink at a bounded frame rate,
 * and the terminal restored however it ends (q, Ctrl-C, an error, a signal).
 */
import { render } from 'ink';
import { Viewer, type ViewerProps } from './Viewer.js';
import { PolledViewer } from './live-viewer.js';

const ALT_ON = '\x1b[?1049h\x1b[H\x1b[2J\x1b[?25l';
// Leaving: clear the alternate screen first (tmux, after a resize, copies alternate-screen rows
// into the restored main screen), show the cursor, back to the main screen.
const ALT_OFF = '\x1b[H\x1b[2J\x1b[?25h\x1b[?1049l';

export interface RunViewerOptions {
  /** Frames per second at most (Ink `maxFps`). */
  maxFps?: number;
  /** Called once the first frame has been drawn. */
  onStarted?: () => void;
  /**
   * SIGTERM / SIGHUP restore the terminal and exit 130 (default). false: the caller handles them
   * (live finalises its files first) and ends the viewer with `stopWhen`.
   */
  exitOnSignal?: boolean;
  /** The viewer closes (as on q) when this settles. */
  stopWhen?: Promise<unknown>;
  /** Live: status-bar text polled every second (rate, drops), shown after the packet count. */
  status?: () => string;
}

export async function runViewer(props: ViewerProps, opts: RunViewerOptions = {}): Promise<void> {
  const out = process.stdout;
  let restored = false;
  const restore = (): void => {
    if (restored) return;
    restored = true;
    out.write(ALT_OFF);
  };
  const onSignal = (): void => {
    restore();
    process.exit(130);
  };
  out.write(ALT_ON);
  const signals = opts.exitOnSignal ?? true;
  process.once('exit', restore);
  if (signals) {
    process.once('SIGTERM', onSignal);
    process.once('SIGHUP', onSignal);
  }
  const app = render(opts.status ? <PolledViewer {...props} status={opts.status} /> : <Viewer {...props} />, { maxFps: opts.maxFps ?? 30, exitOnCtrlC: false, patchConsole: true });
  if (opts.onStarted) setImmediate(opts.onStarted);
  if (opts.stopWhen) {
    const end = (): void => app.unmount();
    opts.stopWhen.then(end, end);
  }
  try {
    await app.waitUntilExit();
  } finally {
    app.cleanup();
    restore();
    process.off('exit', restore);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
  }
}
