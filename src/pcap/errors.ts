/**
 * Errors raised by the capture readers and writers. Each carries the process exit code the CLI
 * should use (SPEC §2): 3 for unreadable or malformed input, 2 for bad usage (an output that
 * exists without --force, a link type a classic pcap file cannot hold).
 */

/** The input is not a capture we can read (wrong magic, empty file). Exit code 3. */
export class CaptureFormatError extends Error {
  readonly exitCode = 3;
  constructor(message: string) {
    super(message);
    this.name = 'CaptureFormatError';
  }
}

/** The input cannot be opened or read (no such file, permission denied, ...). Exit code 3. */
export class CaptureReadError extends Error {
  readonly exitCode = 3;
  /** The OS error code (`ENOENT`, `EACCES`, ...) when there is one. */
  readonly code: string | undefined;
  constructor(message: string, code?: string) {
    super(message);
    this.name = 'CaptureReadError';
    this.code = code;
  }
}

/** A writer was asked for something it cannot do (existing output, mixed link types). Exit code 2. */
export class CaptureWriteError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'CaptureWriteError';
  }
}

const OS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  ENAMETOOLONG: 'file name too long',
  EIO: 'input/output error',
  ENOSPC: 'no space left on device',
  EROFS: 'read-only file system',
  EEXIST: 'file exists',
};

/** A short lower-case reason for an OS error (`no such file`, `permission denied`, ...). */
export function osReason(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && OS_REASONS[code] !== undefined) return OS_REASONS[code];
  if (typeof code === 'string') return code.toLowerCase();
  return err instanceof Error ? err.message : String(err);
}

/** `3c 21 44 4f 43 54 ("<!DOCT")`: the first bytes of an input, for error messages. */
export function describeBytes(b: Uint8Array, off: number, len: number): string {
  const n = Math.min(len, 6);
  let hex = '';
  let text = '';
  for (let i = 0; i < n; i++) {
    const c = b[off + i];
    hex += (i ? ' ' : '') + c.toString(16).padStart(2, '0');
    text += c >= 0x20 && c < 0x7f && c !== 0x22 ? String.fromCharCode(c) : '.';
  }
  return `${hex} ("${text}")`;
}
