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

/** True on little-endian hosts (every platform Node runs on in practice). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Below this many bytes the plain byte loop is faster than setting up word reads. */
const WORD_THRESHOLD = 64;

// One-entry cache of a Uint32Array over the last buffer summed: readers reuse one buffer, so the
// view is built once per buffer, not once per packet.
let cachedBuffer: ArrayBufferLike | null = null;
let cachedWords: Uint32Array = new Uint32Array(0);

function wordsOf(buf: ArrayBufferLike): Uint32Array {
  if (buf !== cachedBuffer) {
    cachedBuffer = buf;
    cachedWords = new Uint32Array(buf, 0, buf.byteLength >>> 2);
  }
  return cachedWords;
}

/**
 * Adds the bytes [off, off+len) as big-endian 16-bit words to `acc` (an odd trailing byte is
 * padded with zero, RFC 1071 §4.1). Returns the unfolded sum; fold it with {@link fold}.
 * The accumulator stays exact in a double for any capture-sized input.
 *
 * Long runs are summed as aligned native 32-bit words (RFC 1071 §2: the sum may be computed on
 * 32-bit words and folded, and is byte-order independent up to a final swap), which is several
 * times faster in V8 than combining bytes.
 */
export function sum(bytes: Uint8Array, off: number, len: number, acc = 0): number {
  if (len < WORD_THRESHOLD) return sumBytes(bytes, off, off + len, acc, false);
  const abs = bytes.byteOffset + off;
  const head = (4 - (abs & 3)) & 3;
  const blockStart = abs + head;
  const blockWords = (len - head) >>> 2;
  let s = head ? sumBytes(bytes, off, off + head, acc, false) : acc;
  const w = wordsOf(bytes.buffer);
  let i = blockStart >>> 2;
  const end = i + blockWords;
  const end4 = end - 3;
  let b = 0;
  while (i < end4) {
    b += w[i] + w[i + 1] + w[i + 2] + w[i + 3];
    i += 4;
  }
  while (i < end) b += w[i++];
  // Fold the 32-bit word sum to 16 bits (b < 2^53: split into 32-bit halves first, then use
  // integer operations); on a little-endian host it is the byte-swapped BE sum.
  const lo = b % 4294967296;
  const hi = (b - lo) / 4294967296;
  let f = (lo >>> 16) + (lo & 0xffff) + (hi >>> 16) + (hi & 0xffff);
  f = (f >>> 16) + (f & 0xffff);
  f = (f >>> 16) + (f & 0xffff);
  if (LITTLE_ENDIAN) f = ((f & 0xff) << 8) | (f >>> 8);
  // An odd head shifts the block by one byte within the checksum's 16-bit words.
  const odd = (head & 1) === 1;
  s += odd ? ((f & 0xff) << 8) | (f >>> 8) : f;
  const tailStart = off + head + blockWords * 4;
  return sumBytes(bytes, tailStart, off + len, s, odd);
}

/** Byte loop over [from, to); `odd` = the first byte is the low byte of a 16-bit word. */
function sumBytes(bytes: Uint8Array, from: number, to: number, acc: number, odd: boolean): number {
  let i = from;
  let s = acc;
  if (odd && i < to) s += bytes[i++];
  const end8 = to - 7;
  while (i < end8) {
    s += ((bytes[i] << 8) | bytes[i + 1]) + ((bytes[i + 2] << 8) | bytes[i + 3]) +
      ((bytes[i + 4] << 8) | bytes[i + 5]) + ((bytes[i + 6] << 8) | bytes[i + 7]);
    i += 8;
  }
  while (i < to - 1) {
    s += (bytes[i] << 8) | bytes[i + 1];
    i += 2;
  }
  if (i < to) s += bytes[i] << 8;
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
