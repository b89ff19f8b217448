/**
 * NAT64 table snapshots packed into bytes for the viewer: a session in 72 bytes, a BIB entry in
 * 32, instead of a few hundred bytes of objects and typed arrays each. Unpacked only for the
 * snapshot on screen.
 */
import type { BibSnapshot, SessionSnapshot } from '../xlat/nat64/nat64-engine.js';
import type { Protocol } from '../xlat/config-types.js';

const PROTOS: Protocol[] = ['tcp', 'udp', 'icmp'];
const SESSION = 72;
const BIB = 32;

/** State names seen, in order (shared by every snapshot of a model). */
export class StateNames {
  private readonly names: string[] = [];
  index(s: string): number {
    let i = this.names.indexOf(s);
    if (i < 0) {
      i = this.names.length;
      this.names.push(s);
    }
    return i;
  }
  name(i: number): string {
    return this.names[i] ?? '?';
  }
}

export function packSessions(list: readonly SessionSnapshot[], states: StateNames): Uint8Array {
  const b = new Uint8Array(list.length * SESSION);
  const v = new DataView(b.buffer);
  list.forEach((s, i) => {
    const o = i * SESSION;
    b[o] = PROTOS.indexOf(s.protocol);
    b[o + 1] = states.index(s.state);
    v.setUint16(o + 2, s.v6.sport);
    b.set(s.v6.src, o + 4);
    b.set(s.v6.dst, o + 20);
    v.setUint16(o + 36, s.v6.dport);
    v.setUint16(o + 38, s.v4.sport);
    v.setUint32(o + 40, s.v4.src >>> 0);
    v.setUint32(o + 44, s.v4.dst >>> 0);
    v.setUint16(o + 48, s.v4.dport);
    v.setFloat64(o + 52, s.expires.sec);
    v.setUint32(o + 60, s.expires.nsec);
    v.setUint32(o + 64, s.lastSeen.sec >>> 0);
    v.setUint32(o + 68, s.lastSeen.nsec);
  });
  return b;
}

export function unpackSessions(b: Uint8Array, states: StateNames): SessionSnapshot[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: SessionSnapshot[] = [];
  for (let o = 0; o + SESSION <= b.length; o += SESSION) {
    out.push({
      protocol: PROTOS[b[o]] ?? 'tcp',
      state: states.name(b[o + 1]),
      v6: { src: b.slice(o + 4, o + 20), sport: v.getUint16(o + 2), dst: b.slice(o + 20, o + 36), dport: v.getUint16(o + 36) },
      v4: { src: v.getUint32(o + 40), sport: v.getUint16(o + 38), dst: v.getUint32(o + 44), dport: v.getUint16(o + 48) },
      expires: { sec: v.getFloat64(o + 52), nsec: v.getUint32(o + 60) },
      lastSeen: { sec: v.getUint32(o + 64), nsec: v.getUint32(o + 68) },
    });
  }
  return out;
}

export function packBib(list: readonly BibSnapshot[]): Uint8Array {
  const b = new Uint8Array(list.length * BIB);
  const v = new DataView(b.buffer);
  list.forEach((e, i) => {
    const o = i * BIB;
    b[o] = PROTOS.indexOf(e.protocol);
    b[o + 1] = e.isStatic ? 1 : 0;
    v.setUint16(o + 2, e.port6);
    b.set(e.ipv6, o + 4);
    v.setUint32(o + 20, e.ipv4 >>> 0);
    v.setUint16(o + 24, e.port4);
    v.setUint32(o + 26, Math.min(e.sessions, 0xffffffff));
  });
  return b;
}

export function unpackBib(b: Uint8Array): BibSnapshot[] {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const out: BibSnapshot[] = [];
  for (let o = 0; o + BIB <= b.length; o += BIB) {
    out.push({ protocol: PROTOS[b[o]] ?? 'tcp', isStatic: b[o + 1] === 1, port6: v.getUint16(o + 2), ipv6: b.slice(o + 4, o + 20), ipv4: v.getUint32(o + 20), port4: v.getUint16(o + 24), sessions: v.getUint32(o + 26) });
  }
  return out;
}
