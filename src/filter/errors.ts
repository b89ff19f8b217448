/** The one error the filter language throws: a message and the 1-based column it points at. */
export class FilterError extends Error {
  /** Bad usage when it reaches the CLI (SPEC §2: exit 2). */
  readonly exitCode = 2;
  constructor(
    message: string,
    /** 1-based column (UTF-16 code unit) in the filter text where the problem is. */
    readonly column: number,
  ) {
    super(message);
    this.name = 'FilterError';
  }
}
