/**
 * The stream between the capture process (capture-child.ts) and the session: records of
 * `[u32 length (whole record, little-endian)][u8 type]...`.
 *
 * Packet:  [len][1][iface u8][truncated u8][0][origLen u32][tsSec u32][tsNsec u32] bytes...
 * Message: [len][2][0 0 0] JSON (ChildMessage)
 */
export const RecordType = { Packet: 1, Message: 2 } as const;
export const PACKET_HEADER = 20;
export const MESSAGE_HEADER = 8;

export interface CaptureSpec {
  interfaces: string[];
  filter: string;
  snaplen: number;
  bufferSize: number;
}

export interface SocketCountsMsg {
  packets: number;
  drops: number;
}

export type ChildMessage =
  | { kind: 'open'; interfaces: { name: string; linkType: number }[] }
  | { kind: 'error'; message: string; exitCode: number }
  | { kind: 'stats' | 'end'; kernel: (SocketCountsMsg | null)[]; unavailable: string | null; dropped: number };

/** Splits a byte stream into records; calls back with views into the chunk (or a joined copy). */
export class RecordReader {
  private carry: Buffer | null = null;

  constructor(
    private readonly onPacket: (b: Buffer, off: number, caplen: number, iface: number, trunc: boolean, origLen: number, sec: number, nsec: number) => void,
    private readonly onMessage: (m: ChildMessage) => void,
  ) {}

  feed(chunk: Buffer): void {
    let b = chunk;
    if (this.carry) {
      b = Buffer.concat([this.carry, chunk]);
      this.carry = null;
    }
    let p = 0;
    const n = b.length;
    while (n - p >= 4) {
      const len = b.readUInt32LE(p);
      if (len < MESSAGE_HEADER) throw new Error(`capture stream: bad record length ${len}`);
      if (n - p < len) break;
      const type = b[p + 4];
      if (type === RecordType.Packet) {
        this.onPacket(b, p + PACKET_HEADER, len - PACKET_HEADER, b[p + 5], b[p + 6] === 1, b.readUInt32LE(p + 8), b.readUInt32LE(p + 12), b.readUInt32LE(p + 16));
      } else if (type === RecordType.Message) {
        this.onMessage(JSON.parse(b.toString('utf8', p + MESSAGE_HEADER, p + len)) as ChildMessage);
      }
      p += len;
    }
    if (p < n) this.carry = Buffer.from(b.subarray(p));
  }
}
