/** How the CLI turns an error into one line on stderr and an exit code (SPEC §2). */

/** Bad usage or configuration: exit 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

export const EXIT = { OK: 0, FOUND: 1, USAGE: 2, INPUT: 3, ENV: 4, INTERNAL: 70 } as const;

let debug = false;
let found = false;

/**
 * The command worked and found what it was asked to fail on (`golden --check` differences, `diff`
 * differences, `correlate` mismatches): main() exits 1 once the command's output is complete.
 */
export function setFound(): void {
  found = true;
}
/** The exit code of a command that returned normally: 0, or 1 after setFound(). */
export function normalExit(): number {
  return found ? EXIT.FOUND : EXIT.OK;
}
export function setDebug(on: boolean): void {
  debug = on;
}
export function isDebug(): boolean {
  return debug;
}

/** Prints `nat64scope: <message>` (plus a stack with --debug) and returns the exit code. */
export function reportError(err: unknown): number {
  const e = err as { exitCode?: unknown; message?: unknown; stack?: unknown; hint?: unknown; detail?: unknown };
  const known = typeof e?.exitCode === 'number';
  const msg = typeof e?.message === 'string' ? e.message : String(err);
  process.stderr.write(`nat64scope: ${known ? msg : `internal error: ${msg}`}\n`);
  // Extra lines for a person (e.g. a caret under a filter's column): on a terminal only.
  if (typeof e?.detail === 'string' && process.stderr.isTTY) process.stderr.write(`${e.detail}\n`);
  if (typeof e?.hint === 'string') process.stderr.write(`hint: ${e.hint}\n`);
  if (debug && typeof e?.stack === 'string') process.stderr.write(`${e.stack}\n`);
  else if (!known) process.stderr.write('hint: run again with --debug for the stack trace, and report it\n');
  return known ? (e.exitCode as number) : EXIT.INTERNAL;
}
