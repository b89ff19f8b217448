// LinkLocator.locate's shortcut for untagged Ethernet IPv4/IPv6 frames must find what the general
// EthernetView walk finds (the code before the shortcut, restated here as the reference), on
// random frames of every shape near it: VLAN / QinQ tags, other EtherTypes, IP version nibbles
// that do not match, truncated frames, offsets inside a larger buffer.
import { describe, it, expect } from 'vitest';
import { LinkLocator } from '../../src/wire/link.js';
import { EthernetView, EtherType } from '../../src/wire/ethernet.js';
import { LinkType } from '../../src/pcap/linktype.js';

function reference(b: Uint8Array, off: number, caplen: number): [number, number, number] {
  const eth = new EthernetView();
  if (eth.reset(b, off, caplen) !== 0) return [0, off, 0];
  const p = eth.payloadOff;
  const v = eth.etherType === EtherType.IPV4 ? 4 : eth.etherType === EtherType.IPV6 ? 6 : 0;
  if (v === 0 || p >= off + caplen || b[p] >> 4 !== v) return [0, off, 0];
  return [v, p, p - off];
}

describe('LinkLocator on Ethernet', () => {
  it('the untagged shortcut agrees with the general walk on 50k random frames', () => {
    let seed = 12345;
    const r = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 4294967296;
    };
    const types = [0x0800, 0x86dd, 0x8100, 0x88a8, 0x9100, 0x0806, 0x05dc, 0x86dd];
    const loc = new LinkLocator();
    let found = 0;
    for (let i = 0; i < 50000; i++) {
      const buf = new Uint8Array(80).map(() => Math.floor(r() * 256));
      const off = Math.floor(r() * 8);
      const caplen = Math.floor(r() * (buf.length - off + 1));
      const put = (at: number, et: number): void => {
        buf[at] = et >> 8;
        buf[at + 1] = et & 0xff;
      };
      put(off + 12, types[Math.floor(r() * types.length)]);
      put(off + 16, types[Math.floor(r() * types.length)]);
      put(off + 20, types[Math.floor(r() * types.length)]);
      const nib = [4, 6, 4, 6, 5, 0][Math.floor(r() * 6)];
      for (const at of [14, 18, 22]) buf[off + at] = (nib << 4) | (buf[off + at] & 0x0f);
      const v = loc.locate(buf, off, caplen, LinkType.ETHERNET);
      expect([v, loc.ipOff, loc.linkLen], `frame ${i}`).toEqual(reference(buf, off, caplen));
      expect(loc.ipVersion).toBe(v);
      if (v !== 0) found++;
    }
    expect(found).toBeGreaterThan(5000);
  });
});
