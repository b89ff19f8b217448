/**
 * V8 settings for long passes over big captures, shared by `analyze` and `view` (README: How it
 * stays fast). Flows and spent engine state die old and V8 collects old garbage lazily; a full
 * collection now and then keeps the peak near what is alive.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's full garbage collection (`gc` exposed at run time), or null where it cannot be had. */
export function fullGc(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : null;
  } catch {
    return null;
  } finally {
    // The flag back as it was: V8 accepts a code cache only under the flags it was made with
    // (the CLI's, made at the end of a run: scripts/postbuild.mjs), and the function taken above
    // stays usable.
    setFlagsFromString('--no-expose-gc');
  }
}
