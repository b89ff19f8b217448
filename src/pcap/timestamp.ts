/**
 * Exact conversion of pcapng 64-bit tick counts to (seconds, nanoseconds), without BigInt and
 * without allocating: the 64-bit value arrives as two unsigned 32-bit halves and the divisions
 * are done on limbs small enough that every intermediate stays below 2^53.
 */

/** Target of a conversion (a CapturedPacket, or any object with these two fields). */
export interface TimeOut {
  tsSec: number;
  tsNsec: number;
}

const TWO32 = 4294967296;

/** 10^k and 5^k for k = 0..18, all exact doubles. */
const POW10: number[] = [];
const POW5: number[] = [];
for (let k = 0, p10 = 1, p5 = 1; k <= 18; k++, p10 *= 10, p5 *= 5) {
  POW10.push(p10);
  POW5.push(p5);
}

/** Largest decimal exponent converted exactly (10^-18 s ticks). */
export const MAX_EXACT_POW10 = 18;

/** Scratch limbs for the power-of-two path (module level: no allocation per call). */
const L = new Float64Array(10);

// Results of divmod64 (module level: no tuple allocation).
let dq = 0;
let dr = 0;

/** floor(a / m) with a, m exact integers, q*m < 2^53: corrects the float division's rounding. */
function fdiv(a: number, m: number): number {
  let q = Math.floor(a / m);
  const r = a - q * m;
  if (r < 0) q--;
  else if (r >= m) q++;
  return q;
}

/** (hi*2^32 + lo) divided by m (m < 2^45): quotient in dq (a double), remainder in dr (exact). */
function divmod64(hi: number, lo: number, m: number): void {
  let q = 0;
  let r = 0;
  if (m < 2097152) {
    // 2^21: r * 2^32 + limb < 2^53 -> two 32-bit limbs.
    let qi = fdiv(hi, m);
    r = hi - qi * m;
    q = qi * TWO32;
    const cur = r * TWO32 + lo;
    qi = fdiv(cur, m);
    r = cur - qi * m;
    q += qi;
  } else if (m < 137438953472) {
    // 2^37: 16-bit limbs.
    for (let i = 3; i >= 0; i--) {
      const limb = i >= 2 ? (hi >>> ((i - 2) * 16)) & 0xffff : (lo >>> (i * 16)) & 0xffff;
      const cur = r * 65536 + limb;
      const qi = fdiv(cur, m);
      r = cur - qi * m;
      q = q * 65536 + qi;
    }
  } else {
    // 8-bit limbs (m < 2^45).
    for (let i = 7; i >= 0; i--) {
      const limb = i >= 4 ? (hi >>> ((i - 4) * 8)) & 0xff : (lo >>> (i * 8)) & 0xff;
      const cur = r * 256 + limb;
      const qi = fdiv(cur, m);
      r = cur - qi * m;
      q = q * 256 + qi;
    }
  }
  dq = q;
  dr = r;
}

/**
 * Ticks of 10^-k s (k = 0..18 exact; larger k approximate) to seconds + nanoseconds, plus
 * `offsetSec` (if_tsoffset). `hi`, `lo`: unsigned 32-bit halves of the tick count.
 */
export function ticksPow10(out: TimeOut, hi: number, lo: number, k: number, offsetSec: number): void {
  let sec: number;
  let nsec: number;
  if (k > MAX_EXACT_POW10) {
    // Beyond 10^-18 a 64-bit count spans under 20 s: approximate is plenty.
    const t = hi * TWO32 + lo;
    const d = Math.pow(10, k);
    sec = Math.floor(t / d);
    nsec = Math.min(999999999, Math.floor(((t - sec * d) / d) * 1e9));
    if (nsec < 0) nsec = 0;
  } else if (hi < 0x100000) {
    // T < 2^52: a double holds it exactly.
    const t = hi * TWO32 + lo;
    const d = POW10[k];
    sec = fdiv(t, d);
    const r = t - sec * d;
    nsec = k <= 9 ? r * POW10[9 - k] : fdiv(r, POW10[k - 9]);
  } else {
    // T = (T >> k) * 2^k + low, with 10^k = 5^k * 2^k: divide T >> k by 5^k on limbs.
    let h = hi;
    let l = lo;
    let low = 0;
    if (k > 0) {
      low = lo & ((1 << k) - 1);
      l = ((lo >>> k) | (hi << (32 - k))) >>> 0;
      h = hi >>> k;
    }
    divmod64(h, l, POW5[k]);
    sec = dq;
    // remainder of T / 10^k = dr * 2^k + low
    if (k <= 9) nsec = (dr * (1 << k) + low) * POW10[9 - k];
    else nsec = fdiv(dr * 512 + Math.floor(low / (1 << (k - 9))), POW5[k - 9]);
  }
  out.tsSec = sec + offsetSec;
  out.tsNsec = nsec;
}

/**
 * Ticks of 2^-k s (any k >= 0) to seconds + nanoseconds, plus `offsetSec`.
 */
export function ticksPow2(out: TimeOut, hi: number, lo: number, k: number, offsetSec: number): void {
  let sec: number;
  let fh: number;
  let fl: number;
  if (k === 0) {
    sec = hi * TWO32 + lo;
    fh = 0;
    fl = 0;
  } else if (k < 32) {
    sec = hi * Math.pow(2, 32 - k) + (lo >>> k);
    fh = 0;
    fl = (lo & (k === 31 ? 0x7fffffff : (1 << k) - 1)) >>> 0;
  } else if (k < 64) {
    sec = k === 32 ? hi : hi >>> (k - 32);
    fh = k === 32 ? 0 : (hi & (k - 32 === 31 ? 0x7fffffff : (1 << (k - 32)) - 1)) >>> 0;
    fl = lo;
  } else {
    sec = 0;
    fh = hi;
    fl = lo;
  }
  let nsec = 0;
  if (fh !== 0 || fl !== 0) {
    // P = frac * 1e9 in 16-bit limbs, then floor(P / 2^k).
    const M = 1e9;
    let carry = 0;
    for (let i = 0; i < 4; i++) {
      const a = i < 2 ? (fl >>> (i * 16)) & 0xffff : (fh >>> ((i - 2) * 16)) & 0xffff;
      const t = a * M + carry; // < 2^46 + 2^30
      const r = t % 65536;
      L[i] = r;
      carry = (t - r) / 65536;
    }
    L[4] = carry % 65536;
    L[5] = (carry - L[4]) / 65536;
    L[6] = 0;
    L[7] = 0;
    L[8] = 0;
    L[9] = 0;
    const j = k >> 4;
    if (j <= 5) {
      const s = k & 15;
      const v = L[j] + L[j + 1] * 65536 + L[j + 2] * TWO32; // < 2^46
      nsec = Math.floor(v / (1 << s));
    }
  }
  out.tsSec = sec + offsetSec;
  out.tsNsec = nsec;
}
