/** Text helpers for fixed-width terminal cells. */

/** `s` cut or padded to exactly `w` columns (an ellipsis marks a cut). */
export function fit(s: string, w: number): string {
  if (w <= 0) return '';
  if (s.length > w) return w === 1 ? '…' : `${s.slice(0, w - 1)}…`;
  return s.padEnd(w);
}

/** `s` right-aligned in `w` columns (cut on the left). */
export function fitRight(s: string, w: number): string {
  if (w <= 0) return '';
  if (s.length > w) return s.slice(s.length - w);
  return s.padStart(w);
}

export function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** `1234567` -> `1,234,567`. */
export function count(n: number): string {
  return n.toLocaleString('en-US');
}
