/** The shape of one aws-check rule (one file per check under src/aws/checks/). */
import type { Finding } from '../diag/finding.js';
import type { AwsContext } from './context.js';
import type { InputKind } from './load.js';

export interface AwsCheck {
  /** What it checks, as the report names it when an input is missing. */
  name: string;
  /** The finding ids it can produce. */
  ids: readonly string[];
  /** Inputs it cannot run without; when one is missing the check is skipped and the report says so. */
  needs: readonly InputKind[];
  run(ctx: AwsContext): Finding[];
}
