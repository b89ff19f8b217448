/**
 * RFC 6146 §3.8 Handling Hairpinning: an IPv6 packet whose destination embeds one of the
 * translator's own IPv4 transport addresses (pool4 or a static BIB entry) is translated to IPv4
 * and, instead of leaving, treated as arriving on the IPv4 side: it goes through the IPv4 steps
 * again and leaves on the IPv6 side as kind Hairpinned. (hairpinning: 'off' sends it out as an
 * ordinary IPv4 translation; 'simple' and 'intrinsic', RFC 7757 notions, both hairpin here.)
 * A packet arriving from a pool6 source would loop and is dropped (HairpinLoop, in
 * filtering-and-updating).
 */
import { EmitKind, type XlatSink } from '../../types.js';
import type { Nat64Core } from '../core.js';

/** True when the IPv4 packet the current IPv6 one translates to is for the translator itself. */
export function needsHairpin(core: Nat64Core): boolean {
  return core.cfg.hairpinning !== 'off' && core.ours4(core.st.proto, core.st.out4.dst);
}

/**
 * The sink the first (6 -> 4) half writes into: IPv4 translations are kept (copied: the
 * translator may reuse its buffer) for the second half; anything else (ICMPv6 errors the
 * translator generates about the IPv6 packet) goes to the real sink.
 */
export class HairpinSink implements XlatSink {
  readonly packets: Uint8Array[] = [];
  target: XlatSink | null = null;

  emit(bytes: Uint8Array, off: number, len: number, family: 4 | 6, kind: EmitKind, about: number): void {
    if (family === 4 && kind === EmitKind.Translated) this.packets.push(bytes.slice(off, off + len));
    else this.target?.emit(bytes, off, len, family, kind, about);
  }

  drop(reason: number, about: number): void {
    this.target?.drop(reason, about);
  }
}
