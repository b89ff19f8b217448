/**
 * Address text: IPv4 dotted quads and IPv6 in RFC 5952 canonical form, read from and written to
 * `(bytes, off)`. Formatting allocates only the result string; parsing writes into a caller's
 * buffer and reports failure with `false` (it never throws).
 */

/** Dotted quad of the 4 bytes at `off`: `192.0.2.1`. */
export function ipv4ToString(bytes: Uint8Array, off: number): string {
  return `${bytes[off]}.${bytes[off + 1]}.${bytes[off + 2]}.${bytes[off + 3]}`;
}

/**
 * RFC 5952 §4 text of the 16 bytes at `off`: lowercase hex without leading zeros, the longest run
 * of two or more zero groups replaced by `::` (the first such run on ties), a lone zero group
 * written as `0`. Always pure hex: IPv4-embedded forms (RFC 5952 §5) are left to callers that
 * know the address is one (`2001:db8::c000:201`, not `2001:db8::192.0.2.1`).
 */
export function ipv6ToString(bytes: Uint8Array, off: number): string {
  // Find the longest run of zero groups (first on ties), at least 2 groups long.
  let bestStart = -1;
  let bestLen = 1;
  let runStart = -1;
  for (let g = 0; g <= 8; g++) {
    const zero = g < 8 && bytes[off + 2 * g] === 0 && bytes[off + 2 * g + 1] === 0;
    if (zero) {
      if (runStart < 0) runStart = g;
    } else if (runStart >= 0) {
      const runLen = g - runStart;
      if (runLen > bestLen) {
        bestStart = runStart;
        bestLen = runLen;
      }
      runStart = -1;
    }
  }
  // Hex from two 256-entry tables (Number#toString(16) is a slow runtime call).
  let s = '';
  for (let g = 0; g < 8; g++) {
    if (g === bestStart) {
      s += '::';
      g += bestLen - 1;
      continue;
    }
    if (g > 0 && g !== bestStart + bestLen) s += ':';
    const hi = bytes[off + 2 * g];
    const lo = bytes[off + 2 * g + 1];
    s += hi === 0 ? HEX_SHORT[lo] : HEX_SHORT[hi] + HEX_PAD[lo];
  }
  return s;
}

/** A byte in hex without leading zero (`a`, `ff`), and with (`0a`, `ff`). */
const HEX_SHORT: string[] = [];
const HEX_PAD: string[] = [];
for (let i = 0; i < 256; i++) {
  HEX_SHORT.push(i.toString(16));
  HEX_PAD.push(i.toString(16).padStart(2, '0'));
}

/**
 * Parses a dotted quad (exactly four decimal parts 0-255, no leading zeros beyond a lone `0`) into
 * `out[off..off+4)`. Returns false, leaving `out` possibly half-written, when `text` is not one.
 */
export function parseIpv4(text: string, out: Uint8Array, off: number): boolean {
  let part = 0;
  let val = 0;
  let digits = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 0x2e; // virtual trailing '.'
    if (c >= 0x30 && c <= 0x39) {
      if (digits > 0 && val === 0) return false; // leading zero
      val = val * 10 + (c - 0x30);
      digits++;
      if (val > 255) return false;
    } else if (c === 0x2e) {
      if (digits === 0 || part > 3) return false;
      out[off + part] = val;
      part++;
      val = 0;
      digits = 0;
    } else {
      return false;
    }
  }
  return part === 4;
}

/**
 * Parses IPv6 text (RFC 4291 §2.2: hex groups, one `::`, an optional trailing dotted quad; any
 * case) into `out[off..off+16)`. Returns false when `text` is not an IPv6 address. Zone ids
 * (`%eth0`) are not accepted.
 */
export function parseIpv6(text: string, out: Uint8Array, off: number): boolean {
  const n = text.length;
  if (n < 2) return false;
  let g = 0; // groups written
  let gap = -1; // group index where '::' was
  let i = 0;
  if (text.charCodeAt(0) === 0x3a) {
    if (text.charCodeAt(1) !== 0x3a) return false;
    gap = 0;
    i = 2;
    if (i === n) {
      out.fill(0, off, off + 16);
      return true;
    }
  }
  for (;;) {
    // Parse one group (or a trailing dotted quad) starting at i.
    let j = i;
    let val = 0;
    while (j < n && j - i < 5) {
      const c = text.charCodeAt(j);
      let d: number;
      if (c >= 0x30 && c <= 0x39) d = c - 0x30;
      else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
      else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
      else break;
      val = (val << 4) | d;
      j++;
    }
    if (j < n && text.charCodeAt(j) === 0x2e) {
      // Embedded IPv4 in the last 32 bits.
      if (g > 6) return false;
      if (!parseIpv4(text.slice(i), out, off + 2 * g)) return false;
      g += 2;
      break;
    }
    if (j === i || j - i > 4) return false;
    if (g >= 8) return false;
    out[off + 2 * g] = val >>> 8;
    out[off + 2 * g + 1] = val & 0xff;
    g++;
    if (j === n) break;
    if (text.charCodeAt(j) !== 0x3a) return false;
    j++;
    if (j < n && text.charCodeAt(j) === 0x3a) {
      if (gap >= 0) return false;
      gap = g;
      j++;
      if (j === n) break;
    } else if (j === n) {
      return false; // trailing single ':'
    }
    i = j;
  }
  if (gap < 0) return g === 8;
  if (g > 7) return false; // '::' must stand for at least one group
  // Move the groups after the gap to the end and zero the middle.
  const tail = g - gap;
  for (let k = tail - 1; k >= 0; k--) {
    out[off + 2 * (8 - tail + k)] = out[off + 2 * (gap + k)];
    out[off + 2 * (8 - tail + k) + 1] = out[off + 2 * (gap + k) + 1];
  }
  out.fill(0, off + 2 * gap, off + 2 * (8 - tail));
  return true;
}
