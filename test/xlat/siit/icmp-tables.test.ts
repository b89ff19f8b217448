/**
 * RFC 7915 ICMP tables word for word: §4.2 (ICMPv4 -> ICMPv6), §5.2 (ICMPv6 -> ICMPv4),
 * Figure 3 and Figure 6 (Parameter Problem pointers), RFC 1191 plateaus.
 */
import { describe, it, expect } from 'vitest';
import {
  mapIcmp4to6, mapIcmp6to4, newMapping, POINTER_4TO6, POINTER_6TO4, pointer4to6, pointer6to4, plateauBelow,
} from '../../../src/xlat/siit/icmp-tables.js';
import { Reason } from '../../../src/diag/reasons.js';

type Row = [type: number, code: number, out: [number, number] | 'drop', note: string];

// RFC 7915 §4.2, "ICMPv4 query messages" and "ICMPv4 error messages".
const V4_TO_V6: Row[] = [
  [8, 0, [128, 0], 'Echo (Type 8): Adjust the Type value to 128'],
  [0, 0, [129, 0], 'Echo Reply (Type 0): Adjust the Type value to 129'],
  [15, 0, 'drop', 'Information Request (Type 15): Obsoleted in ICMPv6. Silently drop.'],
  [16, 0, 'drop', 'Information Reply (Type 16): Obsoleted in ICMPv6. Silently drop.'],
  [13, 0, 'drop', 'Timestamp (Type 13): Obsoleted in ICMPv6. Silently drop.'],
  [14, 0, 'drop', 'Timestamp Reply (Type 14): Obsoleted in ICMPv6. Silently drop.'],
  [17, 0, 'drop', 'Address Mask Request (Type 17): Obsoleted in ICMPv6. Silently drop.'],
  [18, 0, 'drop', 'Address Mask Reply (Type 18): Obsoleted in ICMPv6. Silently drop.'],
  [9, 0, 'drop', 'ICMP Router Advertisement (Type 9): Single-hop message. Silently drop.'],
  [10, 0, 'drop', 'ICMP Router Solicitation (Type 10): Single-hop message. Silently drop.'],
  [42, 0, 'drop', 'Unknown ICMPv4 types: Silently drop.'],
  [3, 0, [1, 0], 'Code 0 (Net Unreachable): Set the Code to 0 (No route to destination).'],
  [3, 1, [1, 0], 'Code 1 (Host Unreachable): Set the Code to 0 (No route to destination).'],
  [3, 2, [4, 1], 'Code 2 (Protocol Unreachable): Translate to an ICMPv6 Parameter Problem (Type 4, Code 1)'],
  [3, 3, [1, 4], 'Code 3 (Port Unreachable): Set the Code to 4 (Port unreachable).'],
  [3, 4, [2, 0], 'Code 4 (Fragmentation Needed and DF was Set): Translate to an ICMPv6 Packet Too Big message (Type 2) with Code set to 0.'],
  [3, 5, [1, 0], 'Code 5 (Source Route Failed): Set the Code to 0 (No route to destination).'],
  [3, 6, [1, 0], 'Code 6, 7, 8: Set the Code to 0 (No route to destination).'],
  [3, 7, [1, 0], 'Code 6, 7, 8: Set the Code to 0 (No route to destination).'],
  [3, 8, [1, 0], 'Code 6, 7, 8: Set the Code to 0 (No route to destination).'],
  [3, 9, [1, 1], 'Code 9, 10 (Communication with Destination Host Administratively Prohibited): Set the Code to 1'],
  [3, 10, [1, 1], 'Code 9, 10 (Communication with Destination Host Administratively Prohibited): Set the Code to 1'],
  [3, 11, [1, 0], 'Code 11, 12: Set the Code to 0 (No route to destination).'],
  [3, 12, [1, 0], 'Code 11, 12: Set the Code to 0 (No route to destination).'],
  [3, 13, [1, 1], 'Code 13 (Communication Administratively Prohibited): Set the Code to 1'],
  [3, 14, 'drop', 'Code 14 (Host Precedence Violation): Silently drop.'],
  [3, 15, [1, 1], 'Code 15 (Precedence cutoff in effect): Set the Code to 1'],
  [3, 16, 'drop', 'Other Code values: Silently drop.'],
  [5, 0, 'drop', 'Redirect (Type 5): Single-hop message. Silently drop.'],
  [6, 0, 'drop', 'Alternative Host Address (Type 6): Silently drop.'],
  [4, 0, 'drop', 'Source Quench (Type 4): Obsoleted in ICMPv6. Silently drop.'],
  [11, 0, [3, 0], 'Time Exceeded (Type 11): Set the Type to 3 ... The Code is unchanged.'],
  [11, 1, [3, 1], 'Time Exceeded (Type 11): Set the Type to 3 ... The Code is unchanged.'],
  [12, 0, [4, 0], 'Code 0 (Pointer indicates the error): Set the Code to 0 (Erroneous header field encountered)'],
  [12, 1, 'drop', 'Code 1 (Missing a required option): Silently drop.'],
  [12, 2, [4, 0], 'Code 2 (Bad length): Set the Code to 0 (Erroneous header field encountered)'],
  [12, 3, 'drop', 'Other Code values: Silently drop.'],
];

// RFC 7915 §5.2, "ICMPv6 informational messages" and "ICMPv6 error messages".
const V6_TO_V4: Row[] = [
  [128, 0, [8, 0], 'Echo Request (Type 128): Adjust the Type value to 8'],
  [129, 0, [0, 0], 'Echo Reply (Type 129): Adjust the Type value to 0'],
  [130, 0, 'drop', 'MLD Multicast Listener Query (Type 130): Single-hop message. Silently drop.'],
  [131, 0, 'drop', 'MLD Multicast Listener Report (Type 131): Single-hop message. Silently drop.'],
  [132, 0, 'drop', 'MLD Multicast Listener Done (Type 132): Single-hop message. Silently drop.'],
  [133, 0, 'drop', 'Neighbor Discover messages (Type 133 through 137): Single-hop message. Silently drop.'],
  [134, 0, 'drop', 'Neighbor Discover messages (Type 133 through 137): Single-hop message. Silently drop.'],
  [135, 0, 'drop', 'Neighbor Discover messages (Type 133 through 137): Single-hop message. Silently drop.'],
  [136, 0, 'drop', 'Neighbor Discover messages (Type 133 through 137): Single-hop message. Silently drop.'],
  [137, 0, 'drop', 'Neighbor Discover messages (Type 133 through 137): Single-hop message. Silently drop.'],
  [200, 0, 'drop', 'Unknown informational messages: Silently drop.'],
  [1, 0, [3, 1], 'Code 0 (No route to destination): Set the Code to 1 (Host unreachable).'],
  [1, 1, [3, 10], 'Code 1 (Communication with destination administratively prohibited): Set the Code to 10'],
  [1, 2, [3, 1], 'Code 2 (Beyond scope of source address): Set the Code to 1 (Host unreachable).'],
  [1, 3, [3, 1], 'Code 3 (Address unreachable): Set the Code to 1 (Host unreachable).'],
  [1, 4, [3, 3], 'Code 4 (Port unreachable): Set the Code to 3 (Port unreachable).'],
  [1, 5, 'drop', 'Other Code values: Silently drop.'],
  [1, 6, 'drop', 'Other Code values: Silently drop.'],
  [2, 0, [3, 4], 'Packet Too Big (Type 2): Translate to an ICMPv4 Destination Unreachable (Type 3) with Code 4'],
  [3, 0, [11, 0], 'Time Exceeded (Type 3): Set the Type to 11 ... The Code is unchanged.'],
  [3, 1, [11, 1], 'Time Exceeded (Type 3): Set the Type to 11 ... The Code is unchanged.'],
  [4, 0, [12, 0], 'Code 0 (Erroneous header field encountered): Set the Type to 12 (Parameter Problem) and the Code to 0'],
  [4, 1, [3, 2], 'Code 1 (Unrecognized Next Header type encountered): Translate this to an ICMPv4 protocol unreachable (Type 3, Code 2).'],
  [4, 2, 'drop', 'Code 2 (Unrecognized IPv6 option encountered): Silently drop.'],
  [100, 0, 'drop', 'Unknown error messages: Silently drop.'],
];

describe('RFC 7915 §4.2 ICMPv4 -> ICMPv6 type/code table', () => {
  for (const [type, code, out, note] of V4_TO_V6) {
    it(`${type}/${code} -> ${out === 'drop' ? 'drop' : out.join('/')}: ${note}`, () => {
      const m = newMapping();
      const r = mapIcmp4to6(type, code, 0, m);
      if (out === 'drop') {
        expect(r).not.toBe(Reason.None);
      } else {
        expect(r).toBe(Reason.None);
        expect([m.type, m.code]).toEqual(out);
      }
    });
  }
  it('Protocol Unreachable points at the IPv6 Next Header field (6)', () => {
    const m = newMapping();
    mapIcmp4to6(3, 2, 0, m);
    expect(m.pointer).toBe(6);
  });
  it('Fragmentation Needed asks for the MTU computation', () => {
    const m = newMapping();
    mapIcmp4to6(3, 4, 0, m);
    expect(m.mtu).toBe(true);
  });
});

describe('RFC 7915 §5.2 ICMPv6 -> ICMPv4 type/code table', () => {
  for (const [type, code, out, note] of V6_TO_V4) {
    it(`${type}/${code} -> ${out === 'drop' ? 'drop' : out.join('/')}: ${note}`, () => {
      const m = newMapping();
      const r = mapIcmp6to4(type, code, 0, m);
      if (out === 'drop') {
        expect(r).not.toBe(Reason.None);
      } else {
        expect(r).toBe(Reason.None);
        expect([m.type, m.code]).toEqual(out);
      }
    });
  }
});

// Figure 3: Pointer Value for Translating from IPv4 to IPv6, every row.
const FIGURE_3: Array<[number[], number | 'n/a', string]> = [
  [[0], 0, 'Version/IHL -> Version/Traffic Class'],
  [[1], 1, 'Type Of Service -> Traffic Class/Flow Label'],
  [[2, 3], 4, 'Total Length -> Payload Length'],
  [[4, 5], 'n/a', 'Identification'],
  [[6], 'n/a', 'Flags/Fragment Offset'],
  [[7], 'n/a', 'Fragment Offset'],
  [[8], 7, 'Time to Live -> Hop Limit'],
  [[9], 6, 'Protocol -> Next Header'],
  [[10, 11], 'n/a', 'Header Checksum'],
  [[12, 13, 14, 15], 8, 'Source Address'],
  [[16, 17, 18, 19], 24, 'Destination Address'],
];

// Figure 6: Pointer Value for Translating from IPv6 to IPv4, every row.
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const FIGURE_6: Array<[number[], number | 'n/a', string]> = [
  [[0], 0, 'Version/Traffic Class -> Version/IHL, Type Of Service'],
  [[1], 1, 'Traffic Class/Flow Label -> Type Of Service'],
  [[2, 3], 'n/a', 'Flow Label'],
  [[4, 5], 2, 'Payload Length -> Total Length'],
  [[6], 9, 'Next Header -> Protocol'],
  [[7], 8, 'Hop Limit -> Time to Live'],
  [range(8, 23), 12, 'Source Address'],
  [range(24, 39), 16, 'Destination Address'],
];

describe('RFC 7915 Figure 3 (IPv4 -> IPv6 pointer)', () => {
  for (const [ins, out, name] of FIGURE_3) {
    it(`${ins.join(',')} ${name} -> ${out}`, () => {
      for (const p of ins) {
        expect(pointer4to6(p)).toBe(out === 'n/a' ? -1 : out);
        const m = newMapping();
        for (const code of [0, 2]) {
          const r = mapIcmp4to6(12, code, p, m);
          if (out === 'n/a') expect(r).toBe(Reason.UntranslatableParamProblemPointer);
          else {
            expect(r).toBe(Reason.None);
            expect(m.pointer).toBe(out);
            expect([m.type, m.code]).toEqual([4, 0]);
          }
        }
      }
    });
  }
  it('covers exactly 0..19; pointers past the header are not listed (drop)', () => {
    expect(POINTER_4TO6.length).toBe(20);
    expect(pointer4to6(20)).toBe(-1);
    expect(mapIcmp4to6(12, 0, 20, newMapping())).toBe(Reason.UntranslatableParamProblemPointer);
  });
});

describe('RFC 7915 Figure 6 (IPv6 -> IPv4 pointer)', () => {
  for (const [ins, out, name] of FIGURE_6) {
    it(`${ins[0]}${ins.length > 1 ? '-' + ins[ins.length - 1] : ''} ${name} -> ${out}`, () => {
      for (const p of ins) {
        expect(pointer6to4(p)).toBe(out === 'n/a' ? -1 : out);
        const m = newMapping();
        const r = mapIcmp6to4(4, 0, p, m);
        if (out === 'n/a') expect(r).toBe(Reason.UntranslatableParamProblemPointer);
        else {
          expect(r).toBe(Reason.None);
          expect(m.pointer).toBe(out);
          expect([m.type, m.code]).toEqual([12, 0]);
        }
      }
    });
  }
  it('covers exactly 0..39; pointers into extension headers are not listed (drop)', () => {
    expect(POINTER_6TO4.length).toBe(40);
    expect(mapIcmp6to4(4, 0, 40, newMapping())).toBe(Reason.UntranslatableParamProblemPointer);
    expect(mapIcmp6to4(4, 0, 0x10000, newMapping())).toBe(Reason.UntranslatableParamProblemPointer);
  });
});

describe('RFC 1191 plateaus (RFC 7915 §4.2: greatest plateau less than the Total Length)', () => {
  const P = [65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68];
  it.each([
    [1500, 1492], [1492, 1006], [1493, 1492], [2002, 1492], [2003, 2002], [65535, 32000], [576, 508], [69, 68], [68, 0], [40, 0],
  ])('total length %i -> %i', (tl, want) => {
    expect(plateauBelow(P, tl)).toBe(want);
  });
});
