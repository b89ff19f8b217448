/** TCP (RFC 9293): header view with MSS, window scale, SACK and timestamp options; emit. */
import { Problem } from './reasons.js';

export const F = {
  SRC_PORT: 0, DST_PORT: 2, SEQ: 4, ACK: 8, DATA_OFF: 12, FLAGS: 13, WINDOW: 14, CHECKSUM: 16,
  URGENT: 18, MIN_HEADER_LEN: 20,
} as const;

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80, AE: 0x100 } as const;

export const TcpOption = { EOL: 0, NOP: 1, MSS: 2, WSCALE: 3, SACK_PERMITTED: 4, SACK: 5, TIMESTAMP: 8 } as const;

export class TcpView {
  bytes: Uint8Array = new Uint8Array(0);
  off = 0;
  /** Segment bytes present from `off`. */
  len = 0;
  hdrLen = 0;
  mss = -1;
  windowScale = -1;
  sackPermitted = false;
  sackBlocks = 0;
  hasTimestamp = false;
  tsVal = 0;
  tsEcr = 0;

  reset(bytes: Uint8Array, off: number, len: number): number {
    this.bytes = bytes;
    this.off = off;
    this.len = len;
    this.hdrLen = 0;
    this.mss = -1;
    this.windowScale = -1;
    this.sackPermitted = false;
    this.sackBlocks = 0;
    this.hasTimestamp = false;
    this.tsVal = 0;
    this.tsEcr = 0;
    if (len < F.MIN_HEADER_LEN) return Problem.TcpTruncated;
    const hl = (bytes[off + 12] >> 4) * 4;
    if (hl < F.MIN_HEADER_LEN) return Problem.TcpBadDataOffset;
    if (hl > len) return Problem.TcpBadDataOffset;
    this.hdrLen = hl;
    return hl > F.MIN_HEADER_LEN ? this.scanOptions() : Problem.None;
  }

  private scanOptions(): number {
    const b = this.bytes;
    let p = this.off + F.MIN_HEADER_LEN;
    const end = this.off + this.hdrLen;
    while (p < end) {
      const k = b[p];
      if (k === TcpOption.EOL) break;
      if (k === TcpOption.NOP) { p++; continue; }
      if (p + 1 >= end) return Problem.TcpBadOptions;
      const ol = b[p + 1];
      if (ol < 2 || p + ol > end) return Problem.TcpBadOptions;
      switch (k) {
        case TcpOption.MSS:
          if (ol !== 4) return Problem.TcpBadOptions;
          this.mss = (b[p + 2] << 8) | b[p + 3];
          break;
        case TcpOption.WSCALE:
          if (ol !== 3) return Problem.TcpBadOptions;
          this.windowScale = b[p + 2];
          break;
        case TcpOption.SACK_PERMITTED:
          if (ol !== 2) return Problem.TcpBadOptions;
          this.sackPermitted = true;
          break;
        case TcpOption.SACK:
          if ((ol - 2) % 8 !== 0) return Problem.TcpBadOptions;
          this.sackBlocks = (ol - 2) / 8;
          break;
        case TcpOption.TIMESTAMP:
          if (ol !== 10) return Problem.TcpBadOptions;
          this.hasTimestamp = true;
          this.tsVal = ((b[p + 2] << 24) | (b[p + 3] << 16) | (b[p + 4] << 8) | b[p + 5]) >>> 0;
          this.tsEcr = ((b[p + 6] << 24) | (b[p + 7] << 16) | (b[p + 8] << 8) | b[p + 9]) >>> 0;
          break;
        default:
          break;
      }
      p += ol;
    }
    return Problem.None;
  }

  srcPort(): number { return (this.bytes[this.off] << 8) | this.bytes[this.off + 1]; }
  dstPort(): number { return (this.bytes[this.off + 2] << 8) | this.bytes[this.off + 3]; }
  seq(): number { return u32(this.bytes, this.off + 4); }
  ack(): number { return u32(this.bytes, this.off + 8); }
  headerLength(): number { return this.hdrLen; }
  /** Flags including the AE (formerly NS) bit as 0x100. */
  flags(): number { return ((this.bytes[this.off + 12] & 1) << 8) | this.bytes[this.off + 13]; }
  window(): number { return (this.bytes[this.off + 14] << 8) | this.bytes[this.off + 15]; }
  checksum(): number { return (this.bytes[this.off + 16] << 8) | this.bytes[this.off + 17]; }
  urgent(): number { return (this.bytes[this.off + 18] << 8) | this.bytes[this.off + 19]; }
  payloadOffset(): number { return this.off + this.hdrLen; }

  setSrcPort(v: number): void { this.bytes[this.off] = v >> 8; this.bytes[this.off + 1] = v & 0xff; }
  setDstPort(v: number): void { this.bytes[this.off + 2] = v >> 8; this.bytes[this.off + 3] = v & 0xff; }
  setChecksum(v: number): void { this.bytes[this.off + 16] = v >> 8; this.bytes[this.off + 17] = v & 0xff; }
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

/** Short flag string like tshark's: "SYN, ACK". */
export function tcpFlagsText(flags: number): string {
  const parts: string[] = [];
  if (flags & TcpFlag.FIN) parts.push('FIN');
  if (flags & TcpFlag.SYN) parts.push('SYN');
  if (flags & TcpFlag.RST) parts.push('RST');
  if (flags & TcpFlag.PSH) parts.push('PSH');
  if (flags & TcpFlag.ACK) parts.push('ACK');
  if (flags & TcpFlag.URG) parts.push('URG');
  if (flags & TcpFlag.ECE) parts.push('ECE');
  if (flags & TcpFlag.CWR) parts.push('CWR');
  if (flags & TcpFlag.AE) parts.push('AE');
  return parts.join(', ');
}

export interface TcpFields {
  srcPort: number;
  dstPort: number;
  seq?: number;
  ack?: number;
  flags: number;
  window?: number;
  urgent?: number;
  mss?: number;
  windowScale?: number;
  sackPermitted?: boolean;
  timestamp?: [number, number];
  /** Extra raw option bytes appended after the ones above. */
  rawOptions?: ArrayLike<number>;
}

/** Writes a TCP header with options (checksum left 0: fill it with the pseudo-header). Returns its length. */
export function emitTcp(buf: Uint8Array, off: number, f: TcpFields): number {
  let p = off + F.MIN_HEADER_LEN;
  if (f.mss !== undefined) { buf[p] = 2; buf[p + 1] = 4; buf[p + 2] = f.mss >> 8; buf[p + 3] = f.mss & 0xff; p += 4; }
  if (f.sackPermitted) { buf[p] = 4; buf[p + 1] = 2; p += 2; }
  if (f.timestamp) {
    buf[p] = 8; buf[p + 1] = 10;
    w32(buf, p + 2, f.timestamp[0]);
    w32(buf, p + 6, f.timestamp[1]);
    p += 10;
  }
  if (f.windowScale !== undefined) { buf[p] = 1; buf[p + 1] = 3; buf[p + 2] = 3; buf[p + 3] = f.windowScale; p += 4; }
  if (f.rawOptions) for (let i = 0; i < f.rawOptions.length; i++) buf[p++] = f.rawOptions[i];
  while ((p - off) % 4 !== 0) buf[p++] = 0; // EOL padding
  const hl = p - off;
  buf[off] = f.srcPort >> 8; buf[off + 1] = f.srcPort & 0xff;
  buf[off + 2] = f.dstPort >> 8; buf[off + 3] = f.dstPort & 0xff;
  w32(buf, off + 4, f.seq ?? 0);
  w32(buf, off + 8, f.ack ?? 0);
  buf[off + 12] = ((hl / 4) << 4) | ((f.flags >> 8) & 1);
  buf[off + 13] = f.flags & 0xff;
  const win = f.window ?? 65535;
  buf[off + 14] = win >> 8; buf[off + 15] = win & 0xff;
  buf[off + 16] = 0; buf[off + 17] = 0;
  const u = f.urgent ?? 0;
  buf[off + 18] = u >> 8; buf[off + 19] = u & 0xff;
  return hl;
}

function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = (v >>> 24) & 0xff; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff;
}
