/**
 * Internet checksums in one place: the RFC 1071 one's-complement sum, the IPv4 and IPv6
 * pseudo-headers of TCP/UDP/ICMPv6, RFC 1624 incremental update, and the verdict a decoder gives
 * a checksum field. Everything works on (bytes, off, len) and allocates nothing.
 */

/** Checksum verdicts, as SPEC §5 names them. */
export const enum Verdict {
  None = 0,
  Good = 1,
  Bad = 2,
  Zero = 3,
  Partial = 4,
}

export const VERDICT_NAMES = ['none', 'good', 'bad', 'zero', 'partial'] as const;
export type VerdictName = (typeof VERDICT_NAMES)[number];

/**
 * Adds the bytes [off, off+len) as big-endian 16-bit words to `acc` (an odd trailing byte is
 * padded with zero, RFC 1071 §4.1). Returns the unfolded sum; fold it with {@link fold}.
 * The accumulator stays exact in a double for any capture-sized input.
 */
export function sum(bytes: Uint8Array, off: number, len: number, acc = 0): number {
  let i = off;
  const end = off + len;
  const end8 = end - 7;
  let s = acc;
  while (i < end8) {
    s += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3]) +
      ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
    i += 8;
  }
  while (i < end - 1) {
    s += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i < end) s += bytes[i] << 8;
  return s;
}

/** Folds a sum to 16 bits with end-around carry. */
export function fold(s: number): number {
  // s may exceed 2^32, so fold arithmetically before using 32-bit operators.
  while (s > 0xffff) s = (s % 0x10000) + Math.floor(s / 0x10000);
  return s;
}

/** The checksum to store in a header: the one's complement of the folded sum. */
export function finish(s: number): number {
  return ~fold(s) & 0xffff;
}

/** Unfolded sum of the IPv4 pseudo-header (RFC 793 §3.1, RFC 768). */
export function pseudo4(bytes: Uint8Array, srcOff: number, dstOff: number, proto: number, l4len: number): number {
  return ((bytes[srcOff] << 8) | bytes[srcOff + 1]) + ((bytes[srcOff + 2] << 8) | bytes[srcOff + 3]) +
    ((bytes[dstOff] << 8) | bytes[dstOff + 1]) + ((bytes[dstOff + 2] << 8) | bytes[dstOff + 3]) +
    proto + l4len;
}

/** Unfolded sum of the IPv6 pseudo-header (RFC 8200 §8.1). */
export function pseudo6(bytes: Uint8Array, srcOff: number, dstOff: number, proto: number, l4len: number): number {
  return sum(bytes, srcOff, 16, sum(bytes, dstOff, 16, 0)) + proto + (l4len >>> 16) + (l4len & 0xffff);
}

/**
 * RFC 1624 eqn. 3 incremental update: the new checksum after a 16-bit word of the covered data
 * changed from `oldWord` to `newWord`. HC' = ~(~HC + ~m + m').
 */
export function update16(check: number, oldWord: number, newWord: number): number {
  return ~fold((~check & 0xffff) + (~oldWord & 0xffff) + newWord) & 0xffff;
}

/**
 * RFC 1624 update for a block of covered data replaced as a whole: pass the unfolded sums of the
 * old and the new data (for example the old and new pseudo-headers when translating 6 <-> 4).
 */
export function updateSums(check: number, oldSum: number, newSum: number): number {
  return ~fold((~check & 0xffff) + (~fold(oldSum) & 0xffff) + fold(newSum)) & 0xffff;
}

/**
 * The verdict on a transport checksum given the folded sum over pseudo-header + segment (field
 * included), the field itself and the pseudo-header sum alone.
 * - good: the total folds to 0xffff (one's-complement zero);
 * - partial: the field holds just the folded pseudo-header sum (a capture taken on the sending
 *   host before checksum offload filled it in, Linux CHECKSUM_PARTIAL), or its complement;
 * - bad: anything else.
 */
export function verdictOf(totalFolded: number, field: number, pseudoSum: number): Verdict {
  if (totalFolded === 0xffff) return Verdict.Good;
  const p = fold(pseudoSum);
  if (field === p || field === (~p & 0xffff)) return Verdict.Partial;
  return Verdict.Bad;
}
