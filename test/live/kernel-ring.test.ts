/**
 * libpcap's kernel ring in the immediate mode cap sets (src/live/kernel-ring.ts): the size
 * arithmetic of pcap-linux.c, and the note `live` prints when the ring is small — checked on a
 * real veth, whose offloads are on by default, before and after `ethtool -K` turns them off.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { ringPackets } from '../../src/live/kernel-ring.js';
import { netnsUnavailable, vethPair, startLive, waitExit, inNs, type VethPair } from './netns.js';

describe('ringPackets (TPACKET_V2 slots as libpcap sizes them)', () => {
  it('64 KiB slots in 128 KiB blocks with offloads (2048 packets in 256 MiB); MTU-sized slots without (131072)', () => {
    expect(ringPackets(256 << 20, 65535 + 18)).toEqual({ slot: 65616, packets: 2048 });
    expect(ringPackets(256 << 20, 1500 + 18)).toEqual({ slot: 1600, packets: 131072 });
    expect(ringPackets(32 << 20, 1500 + 18).packets).toBe(16384);
    // 9000-byte jumbo frames: 16 KiB blocks of one slot each.
    expect(ringPackets(256 << 20, 9000 + 18)).toEqual({ slot: 9088, packets: 16384 });
  });
});

const UNAVAILABLE = netnsUnavailable() ?? (spawnSync('ethtool', ['--version']).status === 0 ? null : 'ethtool is not installed (apt-get install ethtool)');

if (UNAVAILABLE) {
  describe('live: the kernel ring note', () => {
    it.skip(`skipped: ${UNAVAILABLE} (.ci/run installs what is needed and runs the tests as root)`, () => {});
  });
}

describe.skipIf(UNAVAILABLE !== null)('live: the kernel ring note on a veth', () => {
  let pair: VethPair;
  beforeAll(() => {
    pair = vethPair('k');
  });
  afterAll(() => pair?.dispose());

  it('says the ring holds ~2048 packets with offloads on and how to fix it; nothing once they are off', async () => {
    inNs(pair.b, ['ethtool', '-K', pair.ifB, 'gro', 'off', 'gso', 'on', 'tso', 'on']);
    let run = await startLive(pair.b, ['-i', pair.ifB, '--duration', '0.3', '-B', '256']);
    expect(await waitExit(run)).toBe(0);
    expect(run.stderr()).toMatch(/^live: n64lb: offloads on \(tso, gso\): libpcap's kernel ring gives each packet a 64 KiB slot, so -B 256 holds about 2,048 packets and a longer burst is dropped by the kernel; for high rates: ethtool -K n64lb tso off gso off \(about 131,072 packets\)$/m);
    inNs(pair.b, ['ethtool', '-K', pair.ifB, 'gro', 'off', 'gso', 'off', 'tso', 'off']);
    run = await startLive(pair.b, ['-i', pair.ifB, '--duration', '0.3', '-B', '256']);
    expect(await waitExit(run)).toBe(0);
    expect(run.stderr()).not.toMatch(/kernel ring/);
  });
});
