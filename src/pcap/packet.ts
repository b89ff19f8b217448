/**
 * A packet as a reader yields it. The reader reuses one object and one buffer: the packet
 * *borrows* `data` until the next packet is delivered. Whoever keeps a packet copies it
 * (see {@link copyPacket}).
 */
export interface CapturedPacket {
  /** Buffer holding the packet bytes at [offset, offset + caplen). */
  data: Uint8Array;
  offset: number;
  /** Bytes captured (present in `data`). */
  caplen: number;
  /** Bytes on the wire (original length). */
  origLen: number;
  /** Timestamp: whole seconds since 1970 (may be negative with an if_tsoffset) ... */
  tsSec: number;
  /** ... and nanoseconds within that second (0..999999999). */
  tsNsec: number;
  /** LINKTYPE_* of the interface the packet was captured on. */
  linkType: number;
  /** Interface index within its pcapng section (0 for classic pcap). */
  ifIndex: number;
  /** 0-based section number (pcapng), 0 for classic pcap. */
  section: number;
  /** 1-based number of the packet in the file. */
  number: number;
  /**
   * Offset of the packet's first byte in the (decompressed) input stream: for a plain capture
   * file, where `pread(fileOffset, caplen)` finds it again (the viewer's index).
   */
  fileOffset: number;
}

export function newPacket(): CapturedPacket {
  return {
    data: new Uint8Array(0),
    offset: 0,
    caplen: 0,
    origLen: 0,
    tsSec: 0,
    tsNsec: 0,
    linkType: 0,
    ifIndex: 0,
    section: 0,
    number: 0,
    fileOffset: 0,
  };
}

/** A detached copy of a borrowed packet. */
export function copyPacket(p: CapturedPacket): CapturedPacket {
  const data = p.data.slice(p.offset, p.offset + p.caplen);
  return { ...p, data, offset: 0 };
}

/** Timestamp in seconds as a number (loses sub-microsecond precision for current dates). */
export function tsSeconds(p: { tsSec: number; tsNsec: number }): number {
  return p.tsSec + p.tsNsec / 1e9;
}
