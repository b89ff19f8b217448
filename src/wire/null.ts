/**
 * BSD loopback encapsulations: LINKTYPE_NULL (0, a 4-byte address family in the capturing host's
 * byte order) and LINKTYPE_LOOP (108, the same in network byte order).
 */
import { Problem } from './reasons.js';

/** Address-family values seen for IPv6 across systems (Linux 10, BSDs 24, FreeBSD 28, macOS 30). */
const AF_INET = 2;
const AF_INET6 = [10, 24, 28, 30];

export class NullView {
  family = 0;
  /** 4 or 6, 0 when the family is not IP. */
  ipVersion = 0;
  payloadOff = 0;

  reset(bytes: Uint8Array, off: number, len: number, networkOrder: boolean): number {
    this.payloadOff = off + len;
    this.ipVersion = 0;
    if (len < 4) return Problem.NullTruncated;
    const be = ((bytes[off] << 24) | (bytes[off + 1] << 16) | (bytes[off + 2] << 8) | bytes[off + 3]) >>> 0;
    const le = ((bytes[off + 3] << 24) | (bytes[off + 2] << 16) | (bytes[off + 1] << 8) | bytes[off]) >>> 0;
    // LOOP is always big-endian; for NULL the writer's byte order is unknown: the smaller reading
    // is the family (families are small numbers), as Wireshark does.
    const fam = networkOrder ? be : Math.min(be, le);
    this.family = fam;
    this.payloadOff = off + 4;
    if (fam === AF_INET) this.ipVersion = 4;
    else if (AF_INET6.includes(fam)) this.ipVersion = 6;
    else return Problem.NullUnknownFamily;
    return Problem.None;
  }
}

/** Writes a 4-byte NULL (little-endian) or LOOP (big-endian) header. */
export function emitNull(buf: Uint8Array, off: number, family: number, networkOrder: boolean): number {
  if (networkOrder) {
    buf[off] = 0; buf[off + 1] = 0; buf[off + 2] = family >> 8; buf[off + 3] = family & 0xff;
  } else {
    buf[off] = family & 0xff; buf[off + 1] = family >> 8; buf[off + 2] = 0; buf[off + 3] = 0;
  }
  return 4;
}
