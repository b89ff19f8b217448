/**
 * Field-by-field comparison of what SiitEngine emits for a packet with what TAYGA emitted for it.
 *
 * Every emitted packet is flattened into named fields: raw IPv4 / IPv6 header fields (the
 * Fragment Header's too), the transport fields PacketDecoder finds with its checksum verdicts, the
 * transport header and data bytes, and for ICMP errors the same for the packet quoted inside
 * (prefixed `inner.`). Two packets agree when every field agrees; every field that does not is
 * reported, and explained only by an entry of departures.ts naming that case and that field.
 */
import type { CapturedPacket } from '../../../src/pcap/packet.js';
import { PacketDecoder, L4 } from '../../../src/wire/layer-decoder.js';
import { LinkType } from '../../../src/pcap/linktype.js';
import type { EngineConfig } from '../../../src/xlat/config-types.js';
import type { XlatSink } from '../../../src/xlat/types.js';
import type { Exchange } from './pairing.js';
import { taygaEquivalentConfig } from './engine-config.js';
import { findDeparture } from './departures.js';

export const ENGINE_PATH = 'src/xlat/siit/siit-engine.ts';

export interface OurPacket {
  bytes: Uint8Array;
  family: 4 | 6;
  kind: number;
}

export interface EngineOutput {
  packets: OurPacket[];
  /** Reason codes of sink.drop() calls. */
  drops: number[];
}

export interface Diff {
  field: string;
  tayga: string;
  ours: string;
  /** Id of the departure that explains it, or null. */
  departure: string | null;
  text: string;
}

interface EngineLike {
  process(bytes: Uint8Array, off: number, len: number, now: { sec: number; nsec: number }, n: number, sink: XlatSink): void;
}

export interface Runner {
  run(p: CapturedPacket, n: number): EngineOutput;
}

/** Imports SiitEngine (by path, so this file loads before the engine exists) and wraps it. */
export async function loadEngine(cfg: EngineConfig = taygaEquivalentConfig()): Promise<Runner> {
  const url = new URL(`../../../${ENGINE_PATH.replace(/\.ts$/, '.js')}`, import.meta.url).href;
  const mod = (await import(url)) as { SiitEngine: new (c: EngineConfig) => EngineLike };
  const engine = new mod.SiitEngine(cfg);
  return {
    run(p: CapturedPacket, n: number): EngineOutput {
      const out: EngineOutput = { packets: [], drops: [] };
      const sink: XlatSink = {
        emit(bytes, off, len, family, kind) {
          out.packets.push({ bytes: bytes.slice(off, off + len), family, kind });
        },
        drop(reason) {
          out.drops.push(reason);
        },
      };
      engine.process(p.data, p.offset, p.caplen, { sec: p.tsSec, nsec: p.tsNsec }, n, sink);
      return out;
    },
  };
}

type Fields = Map<string, string>;

const hex = (b: Uint8Array, from: number, to: number): string => Buffer.from(b.subarray(from, Math.max(from, to))).toString('hex');
const rd16 = (b: Uint8Array, o: number): number => (b[o] << 8) | b[o + 1];
const VERDICT = ['none', 'good', 'bad', 'zero', 'partial'];
const verdict = (v: number): string => VERDICT[v] ?? String(v);

function addr(b: Uint8Array, o: number, v: number): string {
  if (v === 4) return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(rd16(b, o + i).toString(16));
  return g.join(':');
}

function ones(b: Uint8Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i + 1 < to; i += 2) s += rd16(b, i);
  if ((to - from) & 1) s += b[to - 1] << 8;
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return s;
}

/** IP header fields at b[o..end); returns the offset of the upper layer, its protocol and the fragment offset. */
function ipFields(f: Fields, p: string, b: Uint8Array, o: number, end: number): { l4: number; proto: number; fragOff: number } {
  const v = b[o] >> 4;
  f.set(`${p}ip.version`, String(v));
  if (v === 4) {
    const ihl = (b[o] & 15) * 4;
    const fl = rd16(b, o + 6);
    f.set(`${p}ip4.ihl`, String(ihl));
    f.set(`${p}ip4.tos`, String(b[o + 1]));
    f.set(`${p}ip4.totalLength`, String(rd16(b, o + 2)));
    f.set(`${p}ip4.ident`, String(rd16(b, o + 4)));
    f.set(`${p}ip4.df`, String((fl >> 14) & 1));
    f.set(`${p}ip4.mf`, String((fl >> 13) & 1));
    f.set(`${p}ip4.fragOffset`, String((fl & 0x1fff) * 8));
    f.set(`${p}ip4.ttl`, String(b[o + 8]));
    f.set(`${p}ip4.proto`, String(b[o + 9]));
    f.set(`${p}ip4.headerChecksum`, ones(b, o, o + ihl) === 0xffff ? 'good' : 'bad');
    f.set(`${p}ip.src`, addr(b, o + 12, 4));
    f.set(`${p}ip.dst`, addr(b, o + 16, 4));
    return { l4: o + ihl, proto: b[o + 9], fragOff: (fl & 0x1fff) * 8 };
  }
  const w = ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
  f.set(`${p}ip6.trafficClass`, String((w >>> 20) & 0xff));
  f.set(`${p}ip6.flowLabel`, String(w & 0xfffff));
  f.set(`${p}ip6.payloadLength`, String(rd16(b, o + 4)));
  f.set(`${p}ip6.nextHeader`, String(b[o + 6]));
  f.set(`${p}ip6.hopLimit`, String(b[o + 7]));
  f.set(`${p}ip.src`, addr(b, o + 8, 6));
  f.set(`${p}ip.dst`, addr(b, o + 24, 6));
  let nh = b[o + 6];
  let q = o + 40;
  let fragOff = 0;
  const ext: number[] = [];
  while ((nh === 0 || nh === 43 || nh === 60 || nh === 44) && q + 8 <= end) {
    ext.push(nh);
    if (nh === 44) {
      const fo = rd16(b, q + 2);
      fragOff = fo & 0xfff8;
      f.set(`${p}ip6.frag.id`, String(((b[q + 4] << 24) | (b[q + 5] << 16) | (b[q + 6] << 8) | b[q + 7]) >>> 0));
      f.set(`${p}ip6.frag.offset`, String(fragOff));
      f.set(`${p}ip6.frag.more`, String(fo & 1));
      nh = b[q];
      q += 8;
    } else {
      const n = b[q];
      q += (b[q + 1] + 1) * 8;
      nh = n;
    }
  }
  f.set(`${p}ip6.extensionHeaders`, ext.join(',') || '-');
  return { l4: q, proto: nh, fragOff };
}

/** The packet as named fields (outer, and `inner.` for the packet inside an ICMP error). */
export function packetFields(b: Uint8Array, off: number, len: number): Fields {
  const f: Fields = new Map();
  const end = off + len;
  const d = new PacketDecoder();
  d.decode(b, off, len, LinkType.RAW);
  const ip = ipFields(f, '', b, off, end);
  f.set('l4.proto', String(ip.proto));
  if (ip.fragOff !== 0) {
    f.set('l4.fragmentBytes', hex(b, ip.l4, end));
    return f;
  }
  const u = ip.l4;
  if (d.l4 === L4.TCP || d.l4 === L4.UDP) {
    f.set('l4.sport', String(d.sport));
    f.set('l4.dport', String(d.dport));
    f.set('l4.checksum', d.isFragment ? 'fragment' : verdict(d.l4Checksum));
    if (d.l4 === L4.TCP) {
      const hl = (b[u + 12] >> 4) * 4;
      const h = b.slice(u, u + hl);
      h[16] = h[17] = 0;
      f.set('tcp.header', hex(h, 0, h.length));
      f.set('l4.checksumValue', String(rd16(b, u + 16)));
      f.set('l4.data', hex(b, u + hl, end));
    } else {
      f.set('udp.length', String(rd16(b, u + 4)));
      f.set('l4.checksumValue', String(rd16(b, u + 6)));
      f.set('l4.data', hex(b, u + 8, end));
    }
    return f;
  }
  if (d.l4 === L4.ICMP || d.l4 === L4.ICMPV6) {
    f.set('icmp.type', String(d.icmpType));
    f.set('icmp.code', String(d.icmpCode));
    f.set('icmp.rest', hex(b, u + 4, u + 8));
    f.set('icmp.checksum', verdict(d.l4Checksum));
    const isError = d.l4 === L4.ICMP ? d.icmpType !== 0 && d.icmpType !== 8 : d.icmpType < 128;
    if (!isError) {
      f.set('l4.checksumValue', String(rd16(b, u + 2)));
      f.set('l4.data', hex(b, u + 8, end));
      return f;
    }
    // The quoted packet: its IP header fields, then its transport bytes as quoted.
    const io = u + 8;
    f.set('inner.quotedLength', String(end - io));
    if (end - io < 20) return f;
    const iip = ipFields(f, 'inner.', b, io, end);
    f.set('inner.l4.proto', String(iip.proto));
    f.set('inner.l4.head', hex(b, iip.l4, Math.min(end, iip.l4 + 8)));
    f.set('inner.l4.data', hex(b, iip.l4 + 8, end));
    return f;
  }
  f.set('l4.bytes', hex(b, u, end));
  return f;
}

/** The differences between TAYGA's outputs and ours for one exchange, each with its departure (if listed). */
export function compareExchange(x: Exchange, ours: EngineOutput): Diff[] {
  const diffs: Diff[] = [];
  const name = x.case.name;
  const add = (field: string, tayga: string, o: string) => {
    const dep = findDeparture(name, field, tayga, o);
    diffs.push({ field, tayga, ours: o, departure: dep, text: `${field}: TAYGA ${tayga}, ours ${o}${dep ? ` [departure ${dep}]` : ''}` });
  };
  const theirs = x.outputs;
  if (theirs.length !== ours.packets.length) {
    add('outputs', `${theirs.length} packet(s)`, `${ours.packets.length} packet(s)${ours.drops.length ? ` (drop reason ${ours.drops.join(',')})` : ''}`);
  }
  const n = Math.min(theirs.length, ours.packets.length);
  for (let i = 0; i < n; i++) {
    const t = theirs[i];
    const ft = packetFields(t.data, t.offset, t.caplen);
    const o = ours.packets[i];
    const fo = packetFields(o.bytes, 0, o.bytes.length);
    const pre = n > 1 ? `[${i}] ` : '';
    // A translation on one side and an ICMP error on the other: one difference, not every field.
    if (ft.get('ip.version') !== fo.get('ip.version')) {
      add(`${pre}output.kind`, describe(ft), describe(fo));
      continue;
    }
    for (const k of new Set([...ft.keys(), ...fo.keys()])) {
      const a = ft.get(k) ?? '(absent)';
      const c = fo.get(k) ?? '(absent)';
      if (a !== c) add(`${pre}${k}`, short(a), short(c));
    }
  }
  return diffs;
}

function describe(f: Fields): string {
  const v = f.get('ip.version');
  const t = f.get('icmp.type');
  if (f.has('inner.ip.version')) return `IPv${v} ICMP error ${t}/${f.get('icmp.code')}`;
  return `IPv${v} packet, protocol ${f.get('l4.proto')}`;
}

function short(s: string): string {
  return s.length > 48 ? `${s.slice(0, 40)}..(${s.length / 2} bytes)` : s;
}
