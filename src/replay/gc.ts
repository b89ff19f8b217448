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

/**
 * Keeps V8's new space at the size it has (1 MiB a semi-space at a process's start, 2 MiB once
 * the CLI has loaded) until the returned function is called, which gives V8 back its default
 * growth (translate; view holds it for good: smallYoungGeneration). On this kind of machine the
 * first touch of a page costs ~10 us (a minor fault through the hypervisor), and on a pass that
 * keeps tens of thousands of sessions V8 grows the new space to 16 MiB a semi-space: ~6,500 more
 * faults on the main thread, more than the extra scavenges of a small new space cost (README:
 * Speed). NAT64SCOPE_V8_SEMI_SPACE_GROWTH=1 keeps V8's default.
 */
export function holdNewSpace(): () => void {
  if (process.env.NAT64SCOPE_V8_SEMI_SPACE_GROWTH === '1') return () => undefined;
  try {
    setFlagsFromString('--semi-space-growth-factor=1');
  } catch {
    return () => undefined; // (not V8, or the flag is gone: the default young generation)
  }
  // (V8's default back before the process ends: a code cache written at exit carries the flags
  // it was made under, and the CLI loads it under the defaults: scripts/postbuild.mjs)
  return () => setFlagsFromString('--semi-space-growth-factor=2');
}
