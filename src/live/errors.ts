/** Errors of live capture, with the exit code the CLI gives them (SPEC §2). */

/** Something the environment cannot do (no libpcap, no permission): exit 4. */
export class LiveEnvError extends Error {
  readonly exitCode = 4;
}

/** Bad usage that only capture reveals (unknown interface, bad BPF expression): exit 2. */
export class LiveUsageError extends Error {
  readonly exitCode = 2;
}
