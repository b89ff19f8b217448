/**
 * Byte-level crafting of pcap and pcapng files for tests, block by block, in either byte order.
 * Follows draft-ietf-opsawg-pcap (classic) and draft-ietf-opsawg-pcapng (blocks, options).
 * Deliberately independent of src/pcap/writer.ts so it can check it.
 */

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** A little writer of integers in one byte order. */
class W {
  private readonly a: number[] = [];
  constructor(readonly le: boolean) {}
  u8(v: number): this {
    this.a.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.le ? this.u8(v).u8(v >>> 8) : this.u8(v >>> 8).u8(v);
  }
  u32(v: number): this {
    return this.le ? this.u16(v & 0xffff).u16(v >>> 16) : this.u16(v >>> 16).u16(v & 0xffff);
  }
  u64(v: bigint): this {
    const hi = Number((v >> 32n) & 0xffffffffn);
    const lo = Number(v & 0xffffffffn);
    return this.le ? this.u32(lo).u32(hi) : this.u32(hi).u32(lo);
  }
  /** A pcapng packet timestamp: high 32 bits first, then low, each in the byte order. */
  ts(v: bigint): this {
    return this.u32(Number((v >> 32n) & 0xffffffffn)).u32(Number(v & 0xffffffffn));
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.a.push(x);
    return this;
  }
  pad4(): this {
    while (this.a.length % 4) this.a.push(0);
    return this;
  }
  get length(): number {
    return this.a.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.a);
  }
}

// ---- classic pcap -----------------------------------------------------------------------------

export interface PcapRecord {
  sec: number;
  /** µs or ns according to the file. */
  sub: number;
  data: Uint8Array;
  origLen?: number;
  /** Override caplen (to craft broken records). */
  caplen?: number;
}

export interface PcapFileOptions {
  le: boolean;
  nano?: boolean;
  /** Kuznetzov's modified pcap (magic a1b2cd34, 24-byte record headers). */
  modified?: boolean;
  linkType?: number;
  snaplen?: number;
  major?: number;
  minor?: number;
}

export function pcapHeader(o: PcapFileOptions): Uint8Array {
  const magic = o.modified ? 0xa1b2cd34 : o.nano ? 0xa1b23c4d : 0xa1b2c3d4;
  return new W(o.le)
    .u32(magic)
    .u16(o.major ?? 2)
    .u16(o.minor ?? 4)
    .u32(0)
    .u32(0)
    .u32(o.snaplen ?? 65535)
    .u32(o.linkType ?? 1)
    .done();
}

export function pcapRecord(o: PcapFileOptions, r: PcapRecord): Uint8Array {
  const w = new W(o.le)
    .u32(r.sec)
    .u32(r.sub)
    .u32(r.caplen ?? r.data.length)
    .u32(r.origLen ?? r.data.length);
  if (o.modified) w.u32(3).u16(0x0800).u8(0).u8(0);
  return w.bytes(r.data).done();
}

export function pcapFile(o: PcapFileOptions, records: PcapRecord[]): Uint8Array {
  return concatBytes(pcapHeader(o), ...records.map((r) => pcapRecord(o, r)));
}

// ---- pcapng -----------------------------------------------------------------------------------

export interface Opt {
  code: number;
  value: Uint8Array;
}

const enc = new TextEncoder();

export const opt = {
  str: (code: number, s: string): Opt => ({ code, value: enc.encode(s) }),
  u8: (code: number, v: number): Opt => ({ code, value: Uint8Array.of(v) }),
  raw: (code: number, value: Uint8Array): Opt => ({ code, value }),
  /** A 64-bit value in the block's byte order (filled in when the block is built). */
  i64: (code: number, v: bigint): Opt => ({ code, value: Object.assign(new Uint8Array(8), { i64: v }) }),
};

function writeOptions(w: W, options: Opt[] | undefined, endOfOpt = true): void {
  if (!options || options.length === 0) return;
  for (const o of options) {
    const big = (o.value as Uint8Array & { i64?: bigint }).i64;
    w.u16(o.code).u16(o.value.length);
    if (big !== undefined) w.u64(BigInt.asUintN(64, big));
    else w.bytes(o.value);
    w.pad4();
  }
  if (endOfOpt) w.u32(0);
}

/** A generic block: type, length, body (padded), trailing length. */
export function block(le: boolean, type: number, body: (w: W) => void): Uint8Array {
  const w = new W(le);
  body(w);
  w.pad4();
  const len = w.length + 12;
  const head = new W(le).u32(type).u32(len).done();
  const tail = new W(le).u32(len).done();
  return concatBytes(head, w.done(), tail);
}

export function shb(le: boolean, o: { major?: number; minor?: number; options?: Opt[]; sectionLength?: bigint } = {}): Uint8Array {
  return block(le, 0x0a0d0d0a, (w) => {
    w.u32(0x1a2b3c4d).u16(o.major ?? 1).u16(o.minor ?? 0).u64(o.sectionLength ?? -1n & 0xffffffffffffffffn);
    writeOptions(w, o.options);
  });
}

export function idb(le: boolean, linkType: number, snaplen: number, options?: Opt[]): Uint8Array {
  return block(le, 1, (w) => {
    w.u16(linkType).u16(0).u32(snaplen);
    writeOptions(w, options);
  });
}

export function epb(
  le: boolean,
  ifid: number,
  ticks: bigint,
  data: Uint8Array,
  o: { origLen?: number; caplen?: number; options?: Opt[] } = {},
): Uint8Array {
  return block(le, 6, (w) => {
    w.u32(ifid)
      .ts(ticks)
      .u32(o.caplen ?? data.length)
      .u32(o.origLen ?? data.length)
      .bytes(data)
      .pad4();
    writeOptions(w, o.options);
  });
}

/** Obsolete Packet Block (type 2). */
export function pb(le: boolean, ifid: number, ticks: bigint, data: Uint8Array, o: { origLen?: number } = {}): Uint8Array {
  return block(le, 2, (w) => {
    w.u16(ifid)
      .u16(0)
      .ts(ticks)
      .u32(data.length)
      .u32(o.origLen ?? data.length)
      .bytes(data)
      .pad4();
  });
}

/** Simple Packet Block (type 3). */
export function spb(le: boolean, origLen: number, data: Uint8Array): Uint8Array {
  return block(le, 3, (w) => {
    w.u32(origLen).bytes(data).pad4();
  });
}

/** Name Resolution Block with one IPv4 record. */
export function nrb(le: boolean): Uint8Array {
  return block(le, 4, (w) => {
    const name = enc.encode('example.com\0');
    w.u16(1).u16(4 + name.length).bytes(Uint8Array.of(192, 0, 2, 1)).bytes(name).pad4();
    w.u16(0).u16(0);
  });
}

/** Interface Statistics Block. */
export function isb(le: boolean, ifid: number): Uint8Array {
  return block(le, 5, (w) => {
    w.u32(ifid).u64(123456789n);
    writeOptions(w, [opt.str(1, 'stats')]);
  });
}

/** Decryption Secrets Block. */
export function dsb(le: boolean): Uint8Array {
  return block(le, 0x0a, (w) => {
    const secrets = enc.encode('CLIENT_RANDOM 00 11\n');
    w.u32(0x544c534b).u32(secrets.length).bytes(secrets).pad4();
  });
}

/** Custom block (0xbad or 0x40000bad) with a PEN. */
export function custom(le: boolean, type = 0xbad, size = 16): Uint8Array {
  return block(le, type, (w) => {
    w.u32(32473).bytes(new Uint8Array(size).fill(0x5a));
  });
}

/** Arbitrary block of an unknown type with `size` body bytes. */
export function unknownBlock(le: boolean, type: number, size: number): Uint8Array {
  return block(le, type, (w) => {
    w.bytes(new Uint8Array(size).fill(0xee));
  });
}

/** Deterministic pseudo-random bytes. */
export function prng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
}

export function randomBytes(rand: () => number, n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rand() & 0xff;
  return b;
}

/** A compact, fast-to-compare signature of a packet list (vitest deep-equals typed arrays slowly). */
export function packetSigs(
  packets: { data: Uint8Array; offset: number; caplen: number; origLen: number; tsSec: number; tsNsec: number; linkType: number; ifIndex: number; section: number; number: number }[],
): string[] {
  return packets.map(
    (p) =>
      `${p.number} s${p.section} i${p.ifIndex} lt${p.linkType} ${p.tsSec}.${String(p.tsNsec).padStart(9, '0')} ${p.caplen}/${p.origLen} ` +
      Buffer.from(p.data.buffer, p.data.byteOffset + p.offset, p.caplen).toString('hex'),
  );
}

/**
 * Transpile src/pcap/*.ts to plain JavaScript in `outDir` (for child processes: Node 20 cannot
 * run TypeScript). Returns the path of the compiled reader module.
 */
export async function compilePcapModules(outDir: string): Promise<string> {
  const ts = (await import('typescript')).default;
  const { readdirSync, readFileSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const src = join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../src/pcap');
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(src)) {
    if (!f.endsWith('.ts')) continue;
    const out = ts.transpileModule(readFileSync(join(src, f), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    });
    writeFileSync(join(outDir, f.replace(/\.ts$/, '.js')), out.outputText);
  }
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  return join(outDir, 'reader.js');
}
